//! `handover takeover`: a client from another provider's signed bundle into your own
//! store, in the planned case (offboarded to you) and the emergency case (the client's
//! bundle and key), with every refusal; and the rotation of what the old provider knew.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use handover::keys::Identity;
use serde_json::Value;

use crate::common::{Env, file_bytes, pdf_text, require_tool};
use crate::prompts::Tmux;

const ID: &str = "mueller-bau";

/// Old provider A: the demo store (a client with entries, systems, networks, vendors,
/// documents, decisions, a client key and a printed dossier).
fn old_provider() -> Env {
    let a = Env::bare();
    a.ok(&["demo", a.dir.path().to_str().unwrap()]);
    a
}

fn client_key(a: &Env) -> PathBuf {
    a.dir.path().join("client-key.txt")
}

fn recipient(env: &Env) -> String {
    let text = std::fs::read_to_string(env.identity()).unwrap();
    Identity::parse(&text).unwrap().recipient().to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A's client bundle, as the client keeps it (encrypted to the client key).
fn client_bundle(a: &Env) -> PathBuf {
    let bundle = a.dir.path().join("bundle.age");
    a.ok(&["export", ID, "--format", "bundle", "-o", path(&bundle)]);
    bundle
}

/// The fingerprint of the newest dossier A printed.
fn printed_fingerprint(a: &Env) -> String {
    let log = a.json(&["log", ID, "--json"]);
    log.as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "dossier-exported")
        .and_then(|e| e["fingerprint"].as_str())
        .unwrap()
        .to_owned()
}

/// The client's whole-knowledge export (entries, systems, networks, vendors,
/// documents, decisions), with what a takeover changes on purpose taken out.
fn knowledge(env: &Env, id: &str) -> Value {
    let file = env.dir.path().join(format!("{id}-export.json"));
    let _ = std::fs::remove_file(&file);
    env.ok(&["export", id, "--format", "json", "-o", path(&file)]);
    let mut v: Value = serde_json::from_slice(&file_bytes(&file)).unwrap();
    std::fs::remove_file(&file).unwrap();
    for e in v["entries"].as_array_mut().unwrap() {
        let e = e.as_object_mut().unwrap();
        e.remove("known_to_previous");
        e.remove("provider_knows");
    }
    v
}

/// The paths of A's entries that hold a secret, by the export.
fn secret_paths(export: &Value) -> Vec<String> {
    let mut paths: Vec<String> = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e.get("password").is_some_and(|p| p != "")
                || e.get("totp").is_some_and(|p| p != "")
                || e.get("recovery_codes").is_some()
                || e["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f["secret"] == true && f["value"] != ""))
        })
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    paths
}

fn known_in_check(b: &Env, id: &str) -> Vec<(String, String)> {
    let out = b.run(&["check", id, "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "known-to-previous-provider")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn age_opens(vault: &Path, identity: &Path) -> bool {
    require_tool("age");
    Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(vault)
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .status
        .success()
}

/// What the store holds, to show that a refused takeover changed nothing.
fn snapshot(env: &Env) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut dirs = vec![env.store()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                files.push((p.clone(), file_bytes(&p)));
            }
        }
    }
    files.sort();
    files
}

/// Runs a takeover that must be refused with exactly `message` (the last line of
/// stderr) and change nothing.
fn refused(b: &Env, args: &[&str], code: i32, message: &str) {
    let before = snapshot(b);
    let mut all = vec!["takeover"];
    all.extend_from_slice(args);
    let err = b.fails(&all, code);
    assert_eq!(err.lines().last().unwrap_or(""), message, "{err}");
    assert_eq!(snapshot(b), before, "a refused takeover changed the store");
}

#[test]
fn emergency_takeover_with_the_client_key_arrives_exactly() {
    require_tool("ssh-keygen");
    let a = old_provider();
    let b = Env::new();
    let bundle = client_bundle(&a);
    let a_fp = a.signing_fingerprint();
    let paper = printed_fingerprint(&a);
    let key = client_key(&a);
    let out = b.run(&[
        "takeover",
        path(&bundle),
        "--client-key",
        path(&key),
        "--expect-signer",
        &a_fp,
        "--expect-fingerprint",
        &paper,
        "--yes",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "The bundle matches the dossier you hold (fingerprint {paper})."
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "removed (the old provider and everyone else it had given access): {}",
            recipient(&a)
        )),
        "{err}"
    );

    // Every entry, system, network, vendor, document and decision arrives exactly.
    let before = knowledge(&a, ID);
    assert_eq!(knowledge(&b, ID), before);

    // It opens with B's and the client's keys, not with A's.
    let vault = b.vault(ID);
    assert!(age_opens(&vault, &b.identity()));
    assert!(age_opens(&vault, &key));
    assert!(!age_opens(&vault, &a.identity()));

    // Signed by B, as the stock tool checks it.
    let sig = PathBuf::from(format!("{}.sig", vault.display()));
    let verified = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(b.store().join("allowed_signers"))
        .args(["-I", "provider", "-n", "handover", "-s"])
        .arg(&sig)
        .stdin(std::fs::File::open(&vault).unwrap())
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );

    // The history names the takeover, with A's key; A's own history is kept.
    let log = b.json(&["log", ID, "--json"]);
    let taken = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "taken-over")
        .expect("a taken-over event");
    let detail = taken["detail"].as_str().unwrap();
    assert!(detail.contains(&a_fp), "{detail}");
    assert_eq!(taken["fingerprint"], paper.as_str());
    // The paper the client holds still verifies in B's store: as the state taken over.
    let verified = b.ok(&["verify", ID, &paper]);
    assert!(
        verified.contains(&format!(
            "Fingerprint {paper} is the state in which you took {ID} over from"
        )),
        "{verified}"
    );
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "client-created")
    );

    // check lists every secret A knew; first-hour entries block.
    let secrets = secret_paths(&before);
    let known = known_in_check(&b, ID);
    assert_eq!(
        known.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
        secrets
    );
    assert!(known.iter().any(|(_, s)| s == "blocking"), "{known:?}");
    assert!(known.iter().any(|(_, s)| s == "warning"), "{known:?}");
}

#[test]
fn planned_takeover_and_rotating_clears_what_the_old_provider_knew() {
    let a = old_provider();
    let b = Env::new();
    let a_fp = a.signing_fingerprint();
    let before = knowledge(&a, ID);
    let out_dir = a.dir.path().join("handover");
    let args = vec![
        "offboard".to_owned(),
        ID.to_owned(),
        "--successor".to_owned(),
        recipient(&b),
        "--out".to_owned(),
        path(&out_dir).to_owned(),
        "--successor-name".to_owned(),
        "Nachfolger IT GmbH".to_owned(),
        "--accept-blocking".to_owned(),
        "--yes".to_owned(),
    ];
    a.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let bundle = out_dir.join(format!("{ID}-bundle.age"));

    // Encrypted to B: no client key needed; a dry run first writes nothing.
    let dry = [
        "takeover",
        path(&bundle),
        "--expect-signer",
        &a_fp,
        "--previous-provider",
        "IT-Schäfer",
        "--client",
        "mueller",
    ];
    let before_dry = snapshot(&b);
    let mut args = dry.to_vec();
    args.push("--dry-run");
    let out = b.run(&args);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).ends_with("Dry run: nothing was written.\n"));
    assert_eq!(snapshot(&b), before_dry);

    let mut args = dry.to_vec();
    args.extend(["--yes", "--json"]);
    let report: Value = serde_json::from_str(&b.ok(&args)).unwrap();
    assert_eq!(report["written"], true);
    assert_eq!(report["plan"]["from"], "IT-Schäfer");
    assert_eq!(report["plan"]["renamed_from"], ID);
    assert_eq!(knowledge(&b, "mueller"), before);
    assert!(age_opens(&b.vault("mueller"), &b.identity()));
    assert!(!age_opens(&b.vault("mueller"), &a.identity()));

    // Every secret is known to IT-Schäfer until replaced.
    let secrets = secret_paths(&before);
    let known = known_in_check(&b, "mueller");
    assert_eq!(known.len(), secrets.len());
    let check = b.run(&["check", "mueller"]);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        text.contains("The previous provider IT-Schäfer still knows"),
        "{text}"
    );

    // The successor's dossier lists them; rotating one takes it off both lists.
    let rotated = known
        .iter()
        .find(|(p, _)| {
            before["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["path"] == p.as_str() && e.get("password").is_some())
        })
        .map(|(p, _)| p.clone())
        .unwrap();
    let section = |file: &str| {
        let pdf = b.dir.path().join(file);
        b.ok(&["dossier", "mueller", "-o", path(&pdf)]);
        let text = pdf_text(&pdf);
        let start = text
            .find("Der frühere Dienstleister kennt diese noch")
            .expect("the section is printed");
        let end = start
            + text[start..]
                .find("Diese Passwörter und Schlüssel ändern")
                .unwrap();
        text[start..end].replace('\n', " ")
    };
    let listed = section("before.pdf");
    assert!(listed.contains("IT-Schäfer hat Ihre IT"), "{listed}");
    assert!(listed.contains(&format!("({rotated})")), "{listed}");
    assert!(
        b.ok(&["show", "mueller", &rotated])
            .contains("Previous provider knows: IT-Schäfer (until its secrets are replaced)")
    );
    b.ok(&["rotate", "mueller", &rotated, "--generate"]);
    assert!(
        !b.ok(&["show", "mueller", &rotated])
            .contains("Previous provider knows")
    );
    let after = known_in_check(&b, "mueller");
    assert_eq!(after.len(), secrets.len() - 1);
    assert!(!after.iter().any(|(p, _)| *p == rotated));
    let listed = section("after.pdf");
    assert!(!listed.contains(&format!("({rotated})")), "{listed}");
}

#[test]
fn each_refusal_has_its_own_message_and_changes_nothing() {
    let a = old_provider();
    let b = Env::new();
    let bundle = client_bundle(&a);
    let bundle_s = path(&bundle).to_owned();
    let a_fp = a.signing_fingerprint();
    let key = client_key(&a);
    let key_s = path(&key).to_owned();

    // Untrusted signer, no --expect-signer.
    refused(
        &b,
        &[&bundle_s, "--client-key", &key_s, "--yes"],
        1,
        &format!(
            "handover: error: {bundle_s} is signed by {a_fp}, a key this machine does not trust; compare it with the signing-key fingerprint on the cover of the client's dossier, and if they match, run the takeover again with --expect-signer {a_fp}; nothing was written"
        ),
    );
    // A wrong --expect-signer (B's own key, say).
    let b_fp = b.signing_fingerprint();
    refused(
        &b,
        &[
            &bundle_s,
            "--client-key",
            &key_s,
            "--expect-signer",
            &b_fp,
            "--yes",
        ],
        1,
        &format!(
            "handover: error: {bundle_s} is signed by {a_fp}, not by {b_fp} as --expect-signer says: either the fingerprint was mistyped (compare it with the dossier's cover once more) or the bundle was not made by the provider whose dossier you hold; nothing was written"
        ),
    );
    // A wrong client key.
    let wrong = b.dir.path().join("other-key.txt");
    std::fs::write(
        &wrong,
        Identity::generate()
            .to_file_contents(chrono::Utc::now())
            .as_bytes(),
    )
    .unwrap();
    let wrong_s = path(&wrong).to_owned();
    refused(
        &b,
        &[
            &bundle_s,
            "--client-key",
            &wrong_s,
            "--expect-signer",
            &a_fp,
            "--yes",
        ],
        1,
        &format!(
            "handover: error: {bundle_s} does not open with the client key {wrong_s}: the bundle is not encrypted to it; check that the key is this client's (the emergency sheet of the same dossier) and the bundle the client's newest; nothing was written"
        ),
    );
    // No client key: the client's bundle is not encrypted to B.
    refused(
        &b,
        &[&bundle_s, "--expect-signer", &a_fp, "--yes"],
        1,
        &format!(
            "handover: error: {bundle_s} is not encrypted to your identity; if it is the client's own bundle, open it with the client's key from the emergency sheet: --client-key FILE; nothing was written"
        ),
    );
    // A tampered bundle, then a tampered signature.
    let good = file_bytes(&bundle);
    let mut bad = good.clone();
    bad.extend_from_slice(b"x");
    std::fs::write(&bundle, &bad).unwrap();
    let sig = PathBuf::from(format!("{bundle_s}.sig"));
    let tampered = format!(
        "handover: error: refusing {bundle_s}: its signature was made over other bytes: the file was changed after it was signed; nothing was read from it and nothing was changed. Ask the sender for the file and its signature {} again; a bundle is only restored when its signature is intact.",
        sig.display()
    );
    let args = [
        bundle_s.as_str(),
        "--client-key",
        &key_s,
        "--expect-signer",
        &a_fp,
        "--yes",
    ];
    refused(&b, &args, 1, &tampered);
    std::fs::write(&bundle, &good).unwrap();
    let good_sig = file_bytes(&sig);
    let mut bad_sig = good_sig.clone();
    let at = bad_sig.len() / 2;
    bad_sig[at] ^= 0x01;
    std::fs::write(&sig, &bad_sig).unwrap();
    let err = b.fails(&[&["takeover"][..], &args].concat(), 1);
    assert!(
        err.starts_with(&format!("handover: error: refusing {bundle_s}: ")),
        "{err}"
    );
    std::fs::remove_file(&sig).unwrap();
    refused(
        &b,
        &args,
        1,
        &format!(
            "handover: error: {bundle_s} has no signature ({bundle_s}.sig is missing beside it), so nobody can tell who made it; copy the .sig file from the same stick or folder, or ask the old provider for it; nothing was written"
        ),
    );
    std::fs::write(&sig, &good_sig).unwrap();

    // No terminal and no --yes.
    refused(
        &b,
        &args[..5],
        1,
        "handover: a takeover needs a yes, and there is no terminal to ask on: review what it will do (above, or with --dry-run) and pass --yes; nothing was written",
    );

    // A bundle older than the paper: warned, and refused without a yes.
    a.ok(&["add", ID, "later/added", "--no-password"]);
    let newer = a.dir.path().join("newer.pdf");
    a.ok(&["dossier", ID, "-o", path(&newer)]);
    let paper = printed_fingerprint(&a);
    let mut stale = args[..5].to_vec();
    stale.extend(["--expect-fingerprint", &paper]);
    refused(
        &b,
        &stale,
        1,
        "handover: the bundle is older than the dossier you hold (see the warning above); ask the client for a newer bundle, or pass --yes to take this one over anyway; nothing was written",
    );
    let err = b.fails(&[&["takeover"][..], &stale].concat(), 1);
    assert!(err.contains("Warning: the bundle does not know the fingerprint of the dossier you hold: the dossier was printed after the bundle was written, so the bundle is OLDER"), "{err}");
    let bad_fp = ["--expect-fingerprint", "not-a-fingerprint"];
    refused(
        &b,
        &[&args[..], &bad_fp[..]].concat(),
        1,
        "handover: error: --expect-fingerprint \"not-a-fingerprint\" is not a fingerprint: it has 20 characters in groups of four, like 7K3Q-M9XD-4TGB-WZ2H-0PNE (the dossier prints it on every page); nothing was written",
    );

    // An existing client id: refused, with --client as the way out.
    b.ok(&[&["takeover"][..], &args].concat());
    refused(
        &b,
        &args,
        1,
        &format!(
            "handover: error: client \"{ID}\" already exists in this store; take the bundle over under another id with --client NEW-ID; nothing was written"
        ),
    );
    b.ok(&[&["takeover"][..], &args, &["--client", "second"]].concat());
    assert!(b.vault("second").exists());
}

#[test]
fn a_paper_older_than_the_bundle_says_the_bundle_is_newer() {
    let a = old_provider();
    let b = Env::new();
    let paper = printed_fingerprint(&a);
    a.ok(&["add", ID, "later/added", "--no-password"]);
    let bundle = client_bundle(&a);
    let out = b.ok_stdin(
        &[
            "takeover",
            path(&bundle),
            "--client-key",
            path(&client_key(&a)),
            "--expect-signer",
            &a.signing_fingerprint(),
            "--expect-fingerprint",
            &paper,
            "--dry-run",
            "--json",
        ],
        b"",
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["plan"]["paper"]["state"], "paper-older");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["written"], false);
    assert!(!b.vault(ID).exists());
}

#[test]
fn on_a_terminal_it_asks_first_and_a_no_writes_nothing() {
    let a = old_provider();
    let b = Env::new();
    let bundle = client_bundle(&a);
    let command = format!(
        "'{}' takeover '{}' --client-key '{}' --expect-signer {}",
        crate::common::bin().display(),
        path(&bundle),
        path(&client_key(&a)),
        a.signing_fingerprint()
    );
    let before = snapshot(&b);
    let t = Tmux::start(&b, &command);
    t.wait_for("[y/N]");
    t.type_line("n");
    let screen = t.wait_for("EXIT=");
    assert!(!screen.contains("EXIT=0"), "{screen}");
    assert_eq!(snapshot(&b), before, "a no changed the store");
    // One session per store at a time: the name is derived from it.
    drop(t);

    let t = Tmux::start(&b, &command);
    t.wait_for("[y/N]");
    t.type_line("j");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(b.ok(&["list", ID]).contains("m365/global-admin"));
}

/// The client's paper from before fingerprint version 2 (`tests/kat/v1`: the bundle,
/// the client key and the fingerprint the last version-1 build printed) still
/// matches its bundle, is shown as the one to compare, and is what `verify` finds as
/// taken over; the next dossier prints version 2, which then matches.
#[test]
fn a_paper_printed_before_fingerprint_version_2_still_matches_its_bundle() {
    let kat = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kat/v1");
    let paper = std::fs::read_to_string(kat.join("fingerprint.txt")).unwrap();
    let paper = paper.trim();
    let signer = std::fs::read_to_string(kat.join("identity.signing-key.pub")).unwrap();
    let signer = handover::keys::signing::SignerKey::parse(signer.trim())
        .unwrap()
        .fingerprint();
    let b = Env::new();
    let bundle = b.dir.path().join("bundle.age");
    std::fs::copy(kat.join("bundle.age"), &bundle).unwrap();
    std::fs::copy(
        kat.join("bundle.age.sig"),
        b.dir.path().join("bundle.age.sig"),
    )
    .unwrap();
    let key = path(&kat.join("client-key.txt")).to_owned();
    let base = [
        "takeover",
        path(&bundle),
        "--client-key",
        &key,
        "--expect-signer",
        &signer,
    ];

    // Without the paper's fingerprint: the one shown to compare is the paper's.
    let mut dry = base.to_vec();
    dry.extend(["--dry-run", "--json"]);
    let plan: Value = serde_json::from_str(&b.ok_stdin(&dry, b"")).unwrap();
    assert_eq!(plan["plan"]["fingerprint"], paper);
    assert_eq!(plan["plan"]["paper"]["state"], "not-given");

    let mut take = base.to_vec();
    take.extend(["--expect-fingerprint", paper, "--yes"]);
    let out = b.run(&take);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "The bundle matches the dossier you hold (fingerprint {paper})."
        )),
        "{err}"
    );
    let verdict = b.json(&["verify", "acme", paper, "--json"]);
    assert_eq!(verdict["verdict"], "taken-over", "{verdict}");

    let pdf = b.dir.path().join("acme.pdf");
    b.ok(&["dossier", "acme", "-o", path(&pdf)]);
    let printed = pdf_text(&pdf);
    let v2 = b.json(&["verify", "acme", paper, "--json"]);
    assert_eq!(v2["verdict"], "taken-over");
    let log = b.json(&["log", "acme", "--json"]);
    let new = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "dossier-exported")
        .and_then(|e| e["fingerprint"].as_str())
        .unwrap()
        .to_owned();
    assert_ne!(new, paper);
    assert!(printed.contains(&new), "the dossier prints {new}");
    assert_eq!(
        b.json(&["verify", "acme", &new, "--json"])["verdict"],
        "matches"
    );
}
