//! Signed vaults: a vault forged with nothing but the provider's public recipient is
//! refused by every command, never re-encrypted to the forger, and each way a
//! signature can be wrong gets its own message. Our signatures are OpenSSH's: the
//! stock `ssh-keygen -Y verify` checks them.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Env, file_bytes, require_tool};
use handover::keys::{self, Identity};

fn identity(env: &Env) -> Identity {
    Identity::parse(&std::fs::read_to_string(env.identity()).unwrap()).unwrap()
}

fn plain(bytes: &[u8], id: &Identity) -> serde_json::Value {
    serde_json::from_slice(&keys::decrypt(bytes, id).unwrap()).unwrap()
}

fn sig(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.sig", path.display()))
}

fn client(env: &Env) {
    env.new_client("acme");
    env.ok_stdin(
        &["add", "acme", "fw/admin", "--password-stdin"],
        b"Ganz-Geheim-42",
    );
}

/// Every command that reads the vault, with what it must not do on a refused one.
fn assert_every_command_refuses(env: &Env, expect: &str) {
    let out = env.dir.path().join("out");
    let out = out.to_str().unwrap();
    let someone = Identity::generate().recipient().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["list", "acme"],
        vec!["show", "acme", "fw/admin", "--reveal"],
        vec!["client", "list"],
        vec!["client", "show", "acme"],
        vec!["check", "acme"],
        vec!["log", "acme"],
        vec!["totp", "acme", "fw/admin"],
        vec!["dossier", "acme", "-o", out],
        vec!["export", "acme", "--format", "json", "-o", out],
        vec!["export", "acme", "--format", "bundle", "-o", out],
        vec!["add", "acme", "new", "--no-password"],
        vec!["recipients", "acme"],
        vec!["recipients", "acme", "add", &someone],
        vec!["verify", "acme", "0000-0000-0000-0000-0000"],
    ];
    for args in commands {
        let output = env.run(&args);
        // `client list` names each refused vault in its table and sums up on stderr.
        let stderr = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expect),
            "{args:?}: expected {expect:?} in {stderr}"
        );
        assert!(!stderr.contains("Ganz-Geheim"), "{stderr}");
        assert!(
            !String::from_utf8_lossy(&output.stdout).contains("Ganz-Geheim"),
            "{args:?} printed a secret of a refused vault"
        );
        assert!(!Path::new(out).exists(), "{args:?} wrote output");
    }
}

/// The attack of the issue: with write access to the store and the provider's public
/// recipient only, plant a vault that is also encrypted to the attacker.
#[test]
fn a_forged_vault_is_refused_by_every_command_and_plants_no_reader() {
    require_tool("age");
    let env = Env::new();
    client(&env);
    let provider = identity(&env).recipient().to_string();
    let genuine = file_bytes(&env.vault("acme"));
    let genuine_sig = file_bytes(&sig(&env.vault("acme")));

    let attacker = Identity::generate();
    let mut forged = plain(&genuine, &identity(&env));
    forged["recipients"]
        .as_array_mut()
        .unwrap()
        .push(attacker.recipient().to_string().into());
    forged.as_object_mut().unwrap().remove("history");
    // Encrypted with the stock tool, as an attacker would.
    let mut child = Command::new("age")
        .args([
            "-r",
            &provider,
            "-r",
            &attacker.recipient().to_string(),
            "-o",
        ])
        .arg(env.vault("acme"))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        forged.to_string().as_bytes(),
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
    let planted = file_bytes(&env.vault("acme"));

    assert_every_command_refuses(&env, "signature was made over other bytes");
    // Nothing was rewritten: still the attacker's file, never re-encrypted by us.
    assert_eq!(file_bytes(&env.vault("acme")), planted);
    // With the genuine signature removed as well, it is refused as unsigned.
    std::fs::remove_file(sig(&env.vault("acme"))).unwrap();
    assert_every_command_refuses(&env, "has no signature");
    assert_eq!(file_bytes(&env.vault("acme")), planted);

    // The genuine vault, put back from a backup, works as before, its history intact.
    std::fs::write(env.vault("acme"), &genuine).unwrap();
    std::fs::write(sig(&env.vault("acme")), &genuine_sig).unwrap();
    let v = env.json(&["show", "acme", "fw/admin", "--reveal", "--json"]);
    assert_eq!(v["password"], "Ganz-Geheim-42");
    env.ok_stdin(&["add", "acme", "more", "--password-stdin"], b"x");
    let now = plain(&file_bytes(&env.vault("acme")), &identity(&env));
    assert!(
        !now["recipients"]
            .to_string()
            .contains(&attacker.recipient().to_string())
    );
    assert!(keys::decrypt(&file_bytes(&env.vault("acme")), &attacker).is_err());
    assert!(now["history"].as_array().unwrap().len() >= 3);
}

#[test]
fn a_vault_signed_by_an_untrusted_key_is_refused() {
    let env = Env::new();
    client(&env);
    let before = file_bytes(&env.vault("acme"));
    // A stranger's Ed25519 key, made and used by the stock ssh-keygen.
    let key = env.dir.path().join("stranger");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::remove_file(sig(&env.vault("acme"))).unwrap();
    let signed = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "handover", "-f"])
        .arg(&key)
        .arg(env.vault("acme"))
        .status()
        .unwrap();
    assert!(signed.success());
    let fp = Command::new("ssh-keygen")
        .args(["-l", "-f"])
        .arg(format!("{}.pub", key.display()))
        .output()
        .unwrap();
    let fp = String::from_utf8_lossy(&fp.stdout);
    let fp = fp.split_whitespace().nth(1).unwrap().to_owned();
    let err = env.fails(&["list", "acme"], 1);
    assert!(
        err.contains(&format!(
            "signed by {fp}, a key this machine does not trust"
        )),
        "{err}"
    );
    assert!(err.contains("handover signers add"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn each_broken_signature_gets_its_own_message() {
    let env = Env::new();
    client(&env);
    env.new_client("other");
    let vault = env.vault("acme");
    let good_sig = file_bytes(&sig(&vault));

    // Over other bytes: the vault changed after it was signed.
    let mut bytes = file_bytes(&vault);
    let n = bytes.len() - 20;
    bytes[n] ^= 1;
    let original = file_bytes(&vault);
    std::fs::write(&vault, &bytes).unwrap();
    let err = env.fails(&["list", "acme"], 1);
    assert!(err.contains("made over other bytes"), "{err}");
    std::fs::write(&vault, &original).unwrap();

    // Cut short.
    std::fs::write(sig(&vault), &good_sig[..good_sig.len() / 2]).unwrap();
    let err = env.fails(&["list", "acme"], 1);
    assert!(err.contains("damaged or cut short"), "{err}");

    // Swapped with another client's.
    std::fs::copy(sig(&env.vault("other")), sig(&vault)).unwrap();
    let err = env.fails(&["list", "acme"], 1);
    assert!(
        err.contains("belongs to the vault of client \"other\""),
        "{err}"
    );

    // Missing.
    std::fs::remove_file(sig(&vault)).unwrap();
    let err = env.fails(&["list", "acme"], 1);
    assert!(err.contains("has no signature"), "{err}");

    // Back in place: fine again; nothing was changed meanwhile.
    std::fs::write(sig(&vault), &good_sig).unwrap();
    assert_eq!(file_bytes(&vault), original);
    assert!(env.ok(&["list", "acme"]).contains("fw/admin"));
}

#[test]
fn an_older_validly_signed_vault_put_back_is_refused() {
    let env = Env::new();
    client(&env);
    let old = file_bytes(&env.vault("acme"));
    let old_sig = file_bytes(&sig(&env.vault("acme")));
    env.ok_stdin(
        &["rotate", "acme", "fw/admin", "--password-stdin"],
        b"Neu-99",
    );
    let newer = plain(&file_bytes(&env.vault("acme")), &identity(&env));
    let old_rev = plain(&old, &identity(&env))["revision"].as_u64().unwrap();
    let new_rev = newer["revision"].as_u64().unwrap();
    assert!(new_rev > old_rev);

    std::fs::write(env.vault("acme"), &old).unwrap();
    std::fs::write(sig(&env.vault("acme")), &old_sig).unwrap();
    let err = env.fails(&["show", "acme", "fw/admin", "--reveal"], 1);
    assert!(
        err.contains(&format!(
            "it is revision {old_rev}, but this machine has already seen revision {new_rev}"
        )),
        "{err}"
    );
    assert!(!err.contains("Ganz-Geheim"), "{err}");
    let err = env.fails(&["add", "acme", "x", "--no-password"], 1);
    assert!(err.contains("older copy"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), old);

    // Taken back on purpose (a backup restored deliberately): refused without a yes...
    let err = env.fails(&["sign", "--accept-rollback", "acme"], 1);
    assert!(err.contains("not confirmed"), "{err}");
    // ...and accepted with one; the next write continues above the newest revision.
    env.ok(&["sign", "--accept-rollback", "acme", "--yes"]);
    let v = env.json(&["show", "acme", "fw/admin", "--reveal", "--json"]);
    assert_eq!(v["password"], "Ganz-Geheim-42");
}

/// Our signatures are OpenSSH's: the stock tool verifies them with the store's
/// `allowed_signers` file, and rejects a tampered vault.
#[test]
fn ssh_keygen_verifies_our_signatures_and_rejects_tampering() {
    let env = Env::new();
    client(&env);
    let verify = |file: &Path| {
        Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", "handover", "-I", "provider", "-f"])
            .arg(env.store().join("allowed_signers"))
            .arg("-s")
            .arg(sig(file))
            .stdin(std::fs::File::open(file).unwrap())
            .output()
            .unwrap()
    };
    let out = verify(&env.vault("acme"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&env.signing_fingerprint()),
        "ssh-keygen names our key"
    );
    let mut bytes = file_bytes(&env.vault("acme"));
    bytes.push(b'\n');
    std::fs::write(env.vault("acme"), &bytes).unwrap();
    assert!(!verify(&env.vault("acme")).status.success());

    // And the other way: a vault signed by ssh-keygen with our key is accepted.
    std::fs::write(env.vault("acme"), &bytes[..bytes.len() - 1]).unwrap();
    env.sign_with_ssh_keygen(&env.vault("acme"));
    assert!(env.ok(&["list", "acme"]).contains("fw/admin"));
}

/// A store from before signed vaults: refused until `handover sign` has shown every
/// vault (with its recipients) and been told yes.
#[test]
fn an_unsigned_store_is_migrated_only_by_an_explicit_sign() {
    let env = Env::new();
    client(&env);
    let stranger = Identity::generate().recipient().to_string();
    env.ok(&["recipients", "acme", "add", &stranger]);
    // Undo everything signing added, as an old store looks.
    for f in ["signers.json", "signers.json.sig", "allowed_signers"] {
        std::fs::remove_file(env.store().join(f)).unwrap();
    }
    std::fs::remove_file(sig(&env.vault("acme"))).unwrap();
    std::fs::remove_file(env.identity().with_extension("trust.json")).unwrap();
    std::fs::remove_dir_all(env.identity().with_extension("trust.revisions")).unwrap();
    let vault = file_bytes(&env.vault("acme"));

    let err = env.fails(&["list", "acme"], 1);
    assert!(
        err.contains("no signed vaults yet") && err.contains("handover sign"),
        "{err}"
    );
    // Without a terminal and without --yes: shown, not signed.
    let err = env.fails(&["sign"], 1);
    assert!(
        err.contains("acme") && err.contains("Müller & Söhne GmbH"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{stranger}  (UNKNOWN")),
        "the unknown recipient is pointed out: {err}"
    );
    assert!(err.contains("not confirmed; nothing was signed"), "{err}");
    assert!(!sig(&env.vault("acme")).exists());
    assert!(!env.store().join("signers.json").exists());

    let out = env.run(&["sign", "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(file_bytes(&env.vault("acme")), vault, "signed as it is");
    assert!(env.ok(&["list", "acme"]).contains("fw/admin"));
    // Migrated: a vault that loses its signature now is refused again.
    std::fs::remove_file(sig(&env.vault("acme"))).unwrap();
    assert!(env.fails(&["list", "acme"], 1).contains("has no signature"));
    // And check names the recipient nobody knows.
    env.sign_with_ssh_keygen(&env.vault("acme"));
    let v = env.run(&["check", "acme", "--json"]);
    let findings: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert!(
        findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "unknown-recipient"
                && f["message"].as_str().unwrap().contains(&stranger)),
        "{findings}"
    );
}

/// Two machines share a store. The second pins the store's signers after review;
/// a teammate's key is trusted only once a trusted signer added it; a signer list
/// rewritten by someone with write access to the store is refused.
#[test]
fn teammates_are_trusted_only_through_a_trusted_signature() {
    let a = Env::new();
    client(&a);
    // B: another machine (own identity and pins) on the same store.
    let b = Env::bare();
    let b_identity = b.dir.path().join("identity.txt");
    let b_cmd = |args: &[&str]| {
        let mut c = Command::new(common::bin());
        c.args(args)
            .env("HANDOVER_STORE", a.store())
            .env("HANDOVER_IDENTITY", &b_identity)
            .env("HOME", b.dir.path())
            .stdin(Stdio::null());
        c.output().unwrap()
    };
    let init = b_cmd(&["init"]);
    assert!(init.status.success());
    let said = String::from_utf8_lossy(&init.stderr);
    assert!(said.contains("handover signers pin"), "{said}");
    let b_recipient = String::from_utf8_lossy(&init.stdout).trim().to_owned();
    let out = b_cmd(&["list", "acme"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("handover signers pin"));
    let out = b_cmd(&["signers", "pin", "--yes"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains(&a.signing_fingerprint()), "{said}");
    assert!(said.contains("not among them"), "{said}");

    // A gives B access and trusts B's key.
    a.ok(&["recipients", "acme", "add", &b_recipient]);
    let b_pub = b_identity.with_extension("signing-key.pub");
    a.ok(&[
        "signers",
        "add",
        "anna",
        "--key",
        b_pub.to_str().unwrap(),
        "--recipient",
        &b_recipient,
    ]);
    assert!(a.ok(&["signers"]).contains("anna"));
    // B picks the change up (signed by A, whom B pinned) and writes; A reads it.
    let out = b_cmd(&["add", "acme", "from-anna", "--no-password"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(a.ok(&["list", "acme"]).contains("from-anna"));
    // B's recipient is a known teammate's: no unknown-recipient finding.
    let v = a.run(&["check", "acme", "--json"]);
    assert!(!String::from_utf8_lossy(&v.stdout).contains("unknown-recipient"));

    // An attacker rewrites the signer list to add a key of their own, signed by it.
    let list_path = a.store().join("signers.json");
    let mut list: serde_json::Value = serde_json::from_slice(&file_bytes(&list_path)).unwrap();
    let evil = a.dir.path().join("evil");
    assert!(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&evil)
            .status()
            .unwrap()
            .success()
    );
    let evil_pub = std::fs::read_to_string(format!("{}.pub", evil.display())).unwrap();
    list["version"] = (list["version"].as_u64().unwrap() + 1).into();
    list["signers"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "evil", "key": evil_pub.trim(), "added": "2026-11-23T00:00:00Z"
        }));
    std::fs::write(&list_path, list.to_string()).unwrap();
    std::fs::remove_file(sig(&list_path)).unwrap();
    assert!(
        Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "handover-signers", "-f"])
            .arg(&evil)
            .arg(&list_path)
            .status()
            .unwrap()
            .success()
    );
    let err = a.fails(&["list", "acme"], 1);
    assert!(
        err.contains("refusing the changed signer list") && err.contains("does not trust"),
        "{err}"
    );
    let out = b_cmd(&["list", "acme"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bundles_are_signed_and_a_tampered_or_unsigned_one_is_refused() {
    let a = Env::new();
    let b = Env::new();
    client(&a);
    let b_recipient = identity(&b).recipient().to_string();
    let bundle = a.dir.path().join("acme.age");
    a.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        bundle.to_str().unwrap(),
        "--recipient",
        &b_recipient,
    ]);
    assert!(sig(&bundle).exists());
    let fp = a.signing_fingerprint();
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "acme",
            "--format",
            "bundle",
            bundle.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        b.run(&args)
    };

    // Tampered: refused even with the right fingerprint.
    let good = file_bytes(&bundle);
    let mut bad = good.clone();
    bad.extend_from_slice(b"x");
    std::fs::write(&bundle, &bad).unwrap();
    let out = import(&["--expect-signer", &fp]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("made over other bytes"));
    std::fs::write(&bundle, &good).unwrap();

    // Unsigned: refused unless asked for.
    let good_sig = file_bytes(&sig(&bundle));
    std::fs::remove_file(sig(&bundle)).unwrap();
    let out = import(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-unsigned"));
    assert!(!b.vault("acme").exists());
    std::fs::write(sig(&bundle), &good_sig).unwrap();

    let out = import(&["--expect-signer", &fp]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        b.json(&["show", "acme", "fw/admin", "--reveal", "--json"])["password"],
        "Ganz-Geheim-42"
    );
    // The restored vault is B's own now: signed with B's key, B's writes work.
    b.ok(&["add", "acme", "b-entry", "--no-password"]);
    assert!(b.ok(&["list", "acme"]).contains("b-entry"));
}
