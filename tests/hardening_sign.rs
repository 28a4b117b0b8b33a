//! Signing, second pass (issue 21): `sign` never signs a vault this machine has seen
//! signed, and vaults and bundles are signed in different namespaces, so that one is
//! never accepted as the other.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Env, file_bytes, require_tool};
use handover::keys::{self, Identity};

fn identity(env: &Env) -> Identity {
    Identity::parse(&std::fs::read_to_string(env.identity()).unwrap()).unwrap()
}

fn sig(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.sig", path.display()))
}

/// Replaces the vault of `id` with one encrypted by the stock `age` to the vault's own
/// recipients and an attacker's, as someone with write access to the store and only
/// public keys would. Returns the revision of the genuine vault.
fn forge(env: &Env, id: &str) -> u64 {
    require_tool("age");
    let genuine = file_bytes(&env.vault(id));
    let mut plain: serde_json::Value =
        serde_json::from_slice(&keys::decrypt(&genuine, &identity(env)).unwrap()).unwrap();
    let revision = plain["revision"].as_u64().unwrap();
    let attacker = Identity::generate().recipient().to_string();
    plain["recipients"]
        .as_array_mut()
        .unwrap()
        .push(attacker.clone().into());
    let mut args = Vec::new();
    for r in plain["recipients"].as_array().unwrap() {
        args.push("-r".to_owned());
        args.push(r.as_str().unwrap().to_owned());
    }
    let mut child = Command::new("age")
        .args(&args)
        .arg("-o")
        .arg(env.vault(id))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        plain.to_string().as_bytes(),
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
    revision
}

#[test]
fn sign_refuses_a_vault_whose_signature_was_removed_after_this_machine_saw_it_signed() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &["add", "acme", "fw/admin", "--password-stdin"],
        b"Ganz-Geheim-42",
    );
    env.new_client("beta");
    let revision = forge(&env, "acme");
    std::fs::remove_file(sig(&env.vault("acme"))).unwrap();
    let planted = file_bytes(&env.vault("acme"));

    let err = env.fails(&["sign", "--yes"], 1);
    let vault = env.vault("acme");
    let expect = format!(
        "Not signing acme: its signature ({}) was removed from a vault this machine had seen signed at revision {revision}, so the file may be a forgery (anyone with write access to the store can encrypt a vault to your public recipient). Restore the genuine vault and its .sig from your backup, or move {} out of the store and restore the client's newest bundle with `handover import acme --format bundle FILE`.",
        sig(&vault).display(),
        vault.display()
    );
    assert!(err.contains(&expect), "{err}");
    assert!(err.contains("1 vault(s) were not signed"), "{err}");
    assert!(!err.contains("Ganz-Geheim"), "{err}");
    assert!(!sig(&vault).exists(), "the forgery was signed");
    assert_eq!(file_bytes(&vault), planted);

    // Opening it says the same, and does not suggest `handover sign`.
    let err = env.fails(&["list", "acme"], 1);
    assert!(
        err.contains(&format!(
            "has no signature; nothing was read from it and nothing was changed. Its signature ({}) was removed from a vault this machine had seen signed at revision {revision}",
            sig(&vault).display()
        )),
        "{err}"
    );
    assert!(!err.contains("run `handover sign`"), "{err}");
    // The other client is untouched and still opens.
    env.ok(&["list", "beta"]);
}
