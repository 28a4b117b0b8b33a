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

/// The signature files beside `file` as the stock tool sees them: which namespace.
fn stock_verifies(file: &Path, namespace: &str) -> bool {
    Command::new("ssh-keygen")
        .args(["-Y", "check-novalidate", "-n", namespace, "-s"])
        .arg(sig(file))
        .stdin(std::fs::File::open(file).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

#[test]
fn bundles_are_signed_in_their_own_namespace_and_a_vault_is_never_taken_for_one() {
    require_tool("ssh-keygen");
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &["add", "acme", "fw/admin", "--password-stdin"],
        b"Ganz-Geheim-42",
    );
    let own = identity(&env).recipient().to_string();
    let bundle = env.dir.path().join("acme-bundle.age");
    env.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        bundle.to_str().unwrap(),
        "--recipient",
        &own,
    ]);
    assert!(stock_verifies(&bundle, "handover-bundle"));
    assert!(!stock_verifies(&bundle, "handover"));
    assert!(stock_verifies(&env.vault("acme"), "handover"));
    assert!(!stock_verifies(&env.vault("acme"), "handover-bundle"));

    // A vault file (and its .sig) offered as a bundle: refused, although a trusted key
    // signed it and it opens with this identity.
    let copy = env.dir.path().join("looks-like-a-bundle.age");
    std::fs::copy(env.vault("acme"), &copy).unwrap();
    std::fs::copy(sig(&env.vault("acme")), sig(&copy)).unwrap();
    let err = env.fails(
        &[
            "import",
            "other",
            "--format",
            "bundle",
            copy.to_str().unwrap(),
        ],
        1,
    );
    assert!(
        err.contains(&format!(
            "{} is a vault, not a bundle: it is signed as a vault (namespace \"handover\") and encrypted to exactly the recipients it lists, you among them; a vault file is never restored as a bundle. Ask for the client's bundle (`handover export CLIENT --format bundle`); nothing was imported",
            copy.display()
        )),
        "{err}"
    );
    assert!(!env.vault("other").exists());

    // A bundle put in place of a vault: refused as a bundle's signature.
    let genuine = file_bytes(&env.vault("acme"));
    let genuine_sig = file_bytes(&sig(&env.vault("acme")));
    std::fs::copy(&bundle, env.vault("acme")).unwrap();
    std::fs::copy(sig(&bundle), sig(&env.vault("acme"))).unwrap();
    let err = env.fails(&["list", "acme"], 1);
    assert!(
        err.contains("its signature is a bundle's (namespace \"handover-bundle\"), not a vault's: a bundle was put in place of the vault"),
        "{err}"
    );
    std::fs::write(env.vault("acme"), genuine).unwrap();
    std::fs::write(sig(&env.vault("acme")), genuine_sig).unwrap();

    // The bundle itself restores.
    env.ok(&[
        "import",
        "copy",
        "--format",
        "bundle",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(
        env.json(&["show", "copy", "fw/admin", "--reveal", "--json"])["password"],
        "Ganz-Geheim-42"
    );
}

/// `tests/kat/v1/bundle.age` was signed by the last version-1 build, in the namespace
/// vaults and bundles then shared: it still restores through the CLI.
#[test]
fn a_bundle_signed_before_bundles_had_their_own_namespace_still_imports() {
    let kat = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kat/v1");
    let env = Env::new();
    // The bundle is encrypted to the client key: restore it as the client would.
    std::fs::copy(kat.join("client-key.txt"), env.identity()).unwrap();
    let dir = env.dir.path().join("kat");
    std::fs::create_dir(&dir).unwrap();
    let bundle = dir.join("bundle.age");
    std::fs::copy(kat.join("bundle.age"), &bundle).unwrap();
    std::fs::copy(kat.join("bundle.age.sig"), sig(&bundle)).unwrap();
    let signer = std::fs::read_to_string(kat.join("identity.signing-key.pub")).unwrap();
    let fp = handover::keys::signing::SignerKey::parse(signer.trim())
        .unwrap()
        .fingerprint();
    assert!(!stock_verifies(&bundle, "handover-bundle"));
    let out = env.ok(&[
        "import",
        "acme",
        "--format",
        "bundle",
        bundle.to_str().unwrap(),
        "--expect-signer",
        &fp,
    ]);
    let _ = out;
    let want: serde_json::Value =
        serde_json::from_slice(&std::fs::read(kat.join("bundle.json")).unwrap()).unwrap();
    let v = env.json(&["show", "acme", "netz/wlan", "--reveal", "--json"]);
    assert_eq!(v["password"], "Grüße-€-ß-pässwörd");
    assert_eq!(
        env.json(&["client", "show", "acme", "--json"])["name"],
        want["name"]
    );
}
