//! `--json` on the commands that report something and had no JSON yet (issue 25):
//! `recipients`, `init`, `sign`, `restore`, `team`, `sync`, `demo`, `signers` and
//! `client key`. Each report is parsed and its values checked, and each has a
//! failure path: the message on stderr, a non-zero exit, and stdout as documented.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::{Env, assert_success, file_bytes};
use serde_json::{Value, json};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The JSON on stdout of a successful run (stdout holds nothing else).
fn parsed(out: &Output, args: &[&str]) -> Value {
    assert_success(out, args);
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
}

/// A failed run: its exit code and its stderr, with nothing on stdout.
fn failed_quietly(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "nothing on stdout; stderr: {stderr}"
    );
    stderr
}

/// An age recipient nobody here holds, from the stock `age-keygen`.
fn stranger() -> String {
    common::require_tool("age-keygen");
    let out = std::process::Command::new("age-keygen")
        .output()
        .expect("run age-keygen");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_owned()
}

/// The provider's own recipient, as `init` prints it.
fn own_recipient(env: &Env) -> String {
    env.ok(&["init"]).trim().to_owned()
}

#[test]
fn recipients_list_add_and_remove_report_the_vaults_recipients() {
    let env = Env::new();
    env.new_client("acme");
    let me = own_recipient(&env);
    let list = env.json(&["recipients", "acme", "--json"]);
    assert_eq!(
        list,
        json!({"client": "acme", "recipients": [{"recipient": me, "role": "you"}]})
    );

    let other = stranger();
    let args = ["recipients", "acme", "add", &other, "--json"];
    let added = parsed(&env.run(&args), &args);
    assert_eq!(added["client"], "acme");
    assert_eq!(added["recipient"], other.as_str());
    assert_eq!(added["changed"], true);
    assert_eq!(
        added["recipients"],
        json!([{"recipient": me, "role": "you"}, {"recipient": other, "role": "unknown"}])
    );
    // Adding it again changes nothing, and says so.
    let again = env.json(&["recipients", "acme", "--json", "add", &other]);
    assert_eq!(again["changed"], false);
    assert_eq!(again["recipients"].as_array().map(Vec::len), Some(2));

    let removed = env.json(&["recipients", "acme", "remove", &other, "--json"]);
    assert_eq!(removed["changed"], true);
    assert_eq!(removed["recipient"], other.as_str());
    assert_eq!(
        removed["recipients"],
        json!([{"recipient": me, "role": "you"}])
    );

    // The client's own key is named as such.
    let key = env.dir.path().join("client-key.txt");
    env.ok(&["client", "key", "acme", "-o", path(&key)]);
    let roles: Vec<String> = env.json(&["recipients", "acme", "--json"])["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .map(|r| r["role"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(roles, ["you", "client-key"]);

    // Refusing to remove your own recipient: the message, exit 1, no JSON, no change.
    let before = file_bytes(&env.vault("acme"));
    let out = env.run(&["recipients", "acme", "remove", &me, "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert_eq!(
        stderr.trim(),
        "handover: error: refusing to remove your own recipient: you could no longer open this vault (handing a client over is `handover offboard`)"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);
    // An unknown client.
    let out = env.run(&["recipients", "nobody", "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert!(stderr.contains("nobody"), "{stderr}");
}

#[test]
fn init_reports_what_it_found_and_what_it_created() {
    let env = Env::bare();
    let args = ["init", "--json", "--provider-name", "Muster IT"];
    let first = parsed(&env.run(&args), &args);
    let identity = std::fs::read_to_string(env.identity()).expect("identity");
    let recipient = first["recipient"].as_str().expect("recipient").to_owned();
    assert!(recipient.starts_with("age1"), "{first}");
    assert!(identity.contains(&format!("public key: {recipient}")));
    assert!(
        !first.to_string().contains("AGE-SECRET-KEY"),
        "never the key: {first}"
    );
    assert_eq!(first["store"], path(&env.store()));
    assert_eq!(first["identity"], path(&env.identity()));
    assert_eq!(
        first["signing_key"],
        path(&env.identity().with_extension("signing-key"))
    );
    for created in [
        "store_created",
        "identity_created",
        "signing_key_created",
        "trust_started",
    ] {
        assert_eq!(first[created], true, "{created}: {first}");
    }
    assert_eq!(first["passphrase"], false);
    assert_eq!(first["provider_name"], "Muster IT");
    assert_eq!(
        first["signing_fingerprint"],
        env.signing_fingerprint().as_str()
    );

    // Again: everything is there already, nothing is created.
    let again = env.json(&["init", "--json"]);
    for created in [
        "store_created",
        "identity_created",
        "signing_key_created",
        "trust_started",
    ] {
        assert_eq!(again[created], false, "{created}: {again}");
    }
    assert_eq!(again["recipient"], recipient.as_str());
    assert_eq!(again["provider_name"], "Muster IT");
    // Without --json stdout is the recipient, as before.
    assert_eq!(env.ok(&["init"]).trim(), recipient);

    // An identity file that is not one: the message names it, exit 1, no JSON.
    let broken = Env::bare();
    std::fs::write(broken.identity(), "kein Schlüssel\n").expect("write");
    let out = broken.run(&["init", "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert_eq!(
        stderr.lines().last().unwrap_or_default(),
        format!(
            "handover: error: cannot use the identity file {}: line 1 is not an age secret key (AGE-SECRET-KEY-1…)",
            broken.identity().display()
        )
    );
}

#[test]
fn demo_reports_its_store_dossiers_and_fingerprint() {
    let env = Env::bare();
    let dir = env.dir.path();
    let args = ["demo", path(dir), "--json"];
    let v = parsed(&env.run(&args), &args);
    assert_eq!(v["client"], "mueller-bau");
    assert_eq!(v["store"], path(&env.store()));
    assert_eq!(v["identity"], path(&env.identity()));
    let dossiers: Vec<&str> = v["dossiers"]
        .as_array()
        .expect("dossiers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(dossiers.len(), 2, "{v}");
    for d in &dossiers {
        assert!(d.ends_with(".pdf") && Path::new(d).is_file(), "{d}");
    }
    // The fingerprint is the printed dossier's: verify agrees.
    let fingerprint = v["fingerprint"].as_str().expect("fingerprint");
    let verdict = env.json(&["verify", "mueller-bau", fingerprint, "--json"]);
    assert_eq!(verdict["verdict"], "matches");
    assert!(
        common::pdf_text(Path::new(dossiers[0])).contains(fingerprint),
        "printed on the dossier"
    );

    // A directory that is a file: the message, exit 1, no JSON.
    let file = dir.join("a-file");
    std::fs::write(&file, "x").expect("write");
    let out = env.run(&["demo", path(&file), "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert!(stderr.contains(path(&file)), "{stderr}");
}

#[test]
fn client_key_reports_the_file_and_the_recipient_never_the_key() {
    let env = Env::new();
    env.new_client("acme");
    let key = env.dir.path().join("acme-key.txt");
    let args = ["client", "key", "acme", "-o", path(&key), "--json"];
    let v = parsed(&env.run(&args), &args);
    let written = std::fs::read_to_string(&key).expect("key file");
    let recipient = v["recipient"].as_str().expect("recipient");
    assert!(written.contains(&format!("public key: {recipient}")), "{v}");
    assert_eq!(
        v,
        json!({"client": "acme", "file": path(&key), "recipient": recipient})
    );
    let listed = env.json(&["recipients", "acme", "--json"]);
    assert_eq!(listed["recipients"][1]["recipient"], recipient);
    assert_eq!(listed["recipients"][1]["role"], "client-key");
    // Again: refused without --force, nothing on stdout, key file unchanged.
    let out = env.run(&args);
    let stderr = failed_quietly(&out, 1);
    assert_eq!(
        stderr.trim(),
        format!(
            "handover: error: client \"acme\" already has a key ({recipient}); pass --force to replace it (the old key's recipient is removed from the vault)"
        )
    );
    assert_eq!(std::fs::read_to_string(&key).expect("key"), written);
}

/// A store as it looked before signed vaults: `acme`, with a recipient nobody knows.
fn unsigned_store() -> (Env, String, String) {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["add", "acme", "fw/admin", "--no-password"]);
    let me = own_recipient(&env);
    let other = stranger();
    env.ok(&["recipients", "acme", "add", &other]);
    for f in ["signers.json", "signers.json.sig", "allowed_signers"] {
        std::fs::remove_file(env.store().join(f)).expect("remove");
    }
    std::fs::remove_file(env.store().join("clients/acme.age.sig")).expect("remove");
    std::fs::remove_file(env.identity().with_extension("trust.json")).expect("remove");
    std::fs::remove_dir_all(env.identity().with_extension("trust.revisions")).expect("remove");
    (env, me, other)
}

#[test]
fn sign_reports_the_vaults_it_found_and_signed() {
    let (env, me, other) = unsigned_store();
    // Not confirmed (no terminal, no --yes): the plan on stderr, exit 1, no JSON.
    let out = env.run(&["sign", "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert!(
        stderr.contains("handover: not confirmed; nothing was signed"),
        "{stderr}"
    );
    assert!(!env.store().join("clients/acme.age.sig").exists());

    let args = ["sign", "--yes", "--json"];
    let v = parsed(&env.run(&args), &args);
    let fingerprint = env.signing_fingerprint();
    assert_eq!(
        v,
        json!({
            "signing_fingerprint": fingerprint,
            "starts_trust": true,
            "already_signed": 0,
            "unsigned": [{
                "client": "acme",
                "name": "Müller & Söhne GmbH",
                "entries": 1,
                "recipients": [
                    {"recipient": me, "role": "you"},
                    {"recipient": other, "role": "unknown"},
                ],
            }],
            "signed": 1,
            "refused": [],
        })
    );
    let again = env.json(&["sign", "--json"]);
    assert_eq!(again["starts_trust"], false);
    assert_eq!(again["already_signed"], 1);
    assert_eq!(again["unsigned"], json!([]));
    assert_eq!(again["signed"], 0);

    // Taking a vault back: the client and the revision now the newest.
    let back = env.json(&["sign", "--accept-rollback", "acme", "--yes", "--json"]);
    assert_eq!(back["client"], "acme");
    assert!(back["revision"].as_u64().is_some_and(|r| r >= 1), "{back}");
    let out = env.run(&["sign", "--accept-rollback", "nobody", "--yes", "--json"]);
    failed_quietly(&out, 1);

    // A signature that is not valid: refused, reported with why, then exit 1.
    std::fs::write(env.store().join("clients/acme.age.sig"), "kaputt\n").expect("write");
    let out = env.run(&["sign", "--yes", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().last(),
        Some("handover: 1 vault(s) were not signed"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("the report on stdout");
    assert_eq!(v["signed"], 0);
    assert_eq!(v["refused"][0]["client"], "acme");
    let reason = v["refused"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        !reason.is_empty() && stderr.contains(&format!("Not signing acme: {reason}")),
        "{v} {stderr}"
    );
}

#[test]
fn signers_add_remove_and_pin_report_the_signers() {
    let env = Env::new();
    let anna = Env::new();
    let anna_recipient = own_recipient(&anna);
    let key_file = anna.identity().with_extension("signing-key.pub");
    let key = std::fs::read_to_string(&key_file).expect("key");
    let args = [
        "signers",
        "add",
        "anna",
        "--key",
        path(&key_file),
        "--recipient",
        &anna_recipient,
        "--json",
    ];
    let added = parsed(&env.run(&args), &args);
    assert_eq!(added["name"], "anna");
    let key: Vec<&str> = key.split_whitespace().take(2).collect();
    assert_eq!(added["key"], key.join(" "));
    assert_eq!(added["fingerprint"], anna.signing_fingerprint().as_str());
    assert_eq!(added["recipient"], anna_recipient.as_str());
    assert!(added["added"].as_str().is_some(), "{added}");

    let pinned = env.json(&["signers", "pin", "--yes", "--json"]);
    let own = env.signing_fingerprint();
    assert_eq!(pinned["signed_by"], own.as_str());
    assert_eq!(pinned["includes_you"], true);
    let names: Vec<&str> = pinned["signers"]
        .as_array()
        .expect("signers")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["provider", "anna"]);
    assert_eq!(pinned["signers"][0]["fingerprint"], own.as_str());
    assert_eq!(
        pinned["version"],
        env.json(&["signers", "list", "--json"])["version"]
    );

    let removed = env.json(&["signers", "remove", "anna", "--json"]);
    assert_eq!(removed["name"], "anna");
    assert_eq!(removed["fingerprint"], added["fingerprint"]);
    // Removing her again: the message, exit 1, no JSON.
    let out = env.run(&["signers", "remove", "anna", "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert!(stderr.contains("anna"), "{stderr}");
}

#[test]
fn team_add_and_remove_report_the_vaults_and_rotation_lists() {
    let env = Env::new();
    env.new_client("acme");
    env.new_client("baecker");
    let bob = Env::new();
    let bob_recipient = own_recipient(&bob);
    let key_file = bob.identity().with_extension("signing-key.pub");
    let args = [
        "team",
        "add",
        "bob",
        "--recipient",
        &bob_recipient,
        "--signing-key",
        path(&key_file),
        "--json",
    ];
    let added = parsed(&env.run(&args), &args);
    assert_eq!(
        added,
        json!({
            "name": "bob",
            "fingerprint": bob.signing_fingerprint(),
            "recipient": bob_recipient,
            "vaults": 2,
        })
    );
    let listed = env.json(&["recipients", "acme", "--json"]);
    assert_eq!(
        listed["recipients"][1],
        json!({"recipient": bob_recipient, "role": "teammate"})
    );

    let dir = env.dir.path().join("rotation");
    let args = [
        "team",
        "remove",
        "bob",
        "--out",
        path(&dir),
        "--lang",
        "en",
        "--json",
    ];
    let removed = parsed(&env.run(&args), &args);
    assert_eq!(removed["name"], "bob");
    assert_eq!(removed["vaults"], 2);
    let lists: Vec<&str> = removed["rotation_lists"]
        .as_array()
        .expect("lists")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(lists.len(), 2, "{removed}");
    for list in lists {
        assert!(Path::new(list).starts_with(&dir) && Path::new(list).is_file());
    }
    let out = env.run(&args);
    let stderr = failed_quietly(&out, 1);
    assert_eq!(
        stderr.trim(),
        "handover: error: there is no team member named \"bob\"; `handover team list` lists them"
    );
}

#[test]
fn sync_init_sync_and_resolve_report_what_they_did() {
    use crate::sync::{Peer, team};
    let (_tmp, remote, a, b) = team();
    a.ok_stdin(
        &["edit", "acme", "nas/admin", "--password-stdin"],
        "a-nas\n",
    );
    b.ok_stdin(
        &["edit", "acme", "nas/admin", "--password-stdin"],
        "b-nas\n",
    );
    let args = ["sync", "--json"];
    let first = parsed(&a.run(&args), &args);
    assert_eq!(first["pushed"], true, "{first}");
    assert_eq!(first["taken"], json!([]));
    assert_eq!(first["merged"], json!([]));

    let out = b.run(&args);
    let merged = parsed(&out, &args);
    assert_eq!(merged["merged"], json!(["acme"]), "{merged}");
    assert_eq!(merged["pushed"], true);
    assert_eq!(merged["refused"], json!([]));
    let conflicts = merged["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{merged}");
    assert_eq!(conflicts[0]["client"], "acme");
    assert_eq!(conflicts[0]["record"], "entry");
    assert_eq!(conflicts[0]["name"], "nas/admin");
    assert!(
        conflicts[0]["fields"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("password"))),
        "{merged}"
    );
    // The warning stays on stderr; no value anywhere.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("was changed on both sides"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("a-nas") && !stdout.contains("b-nas"));

    let taken = a.ok(&args);
    let taken: Value = serde_json::from_str(&taken).expect("json");
    assert_eq!(taken["taken"], json!(["acme"]), "{taken}");

    // resolve: the client's own fields; the entry conflict is left to remove by hand.
    let resolved = b.ok(&["sync", "resolve", "acme", "--json"]);
    let resolved: Value = serde_json::from_str(&resolved).expect("json");
    assert_eq!(resolved, json!({"client": "acme", "conflicts_left": 1}));

    // A clone and a new repository.
    let c = Peer::new("c");
    let remote_s = path(&remote);
    let args = ["sync", "init", remote_s, "--json"];
    let cloned = parsed(&c.run(&args), &args);
    assert_eq!(
        cloned,
        json!({"store": path(&c.store), "remote": remote_s, "how": "cloned", "pushed": false})
    );
    let d = Peer::new("d");
    d.ok(&["init"]);
    let created: Value = serde_json::from_str(&d.ok(&["sync", "init", "--json"])).expect("json");
    assert_eq!(
        created,
        json!({"store": path(&d.store), "remote": null, "how": "created", "pushed": false})
    );

    // A store that is not shared: the message, exit 1, no JSON.
    let env = Env::new();
    let out = env.run(&["sync", "--json"]);
    let stderr = failed_quietly(&out, 1);
    assert_eq!(
        stderr.trim(),
        format!(
            "handover: error: the store at {} is not shared with git yet; run `handover sync init [REMOTE]` first",
            env.store().display()
        )
    );
}

/// Renders every page of `pdf` at 300 dpi in grey, as a scanner delivers them.
fn scans(pdf: &Path, dir: &Path) -> Vec<std::path::PathBuf> {
    common::require_tool("pdftoppm");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-png"])
        .arg(pdf)
        .arg(dir.join("scan"))
        .status()
        .expect("run pdftoppm");
    assert!(status.success());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    files.sort();
    files
}

#[test]
fn restore_reports_the_bundle_and_how_its_codes_were_read() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &["add", "acme", "fw/admin", "--password-stdin"],
        b"Restore-Geheim-7",
    );
    let pdf = env.dir.path().join("acme.pdf");
    env.ok(&["dossier", "acme", "-o", path(&pdf), "--data-pages"]);
    let dir = env.dir.path().join("scans");
    std::fs::create_dir(&dir).expect("dir");
    let pages = scans(&pdf, &dir);
    let bundle = env.dir.path().join("restored.age");
    let mut args: Vec<&str> = vec!["restore"];
    args.extend(pages.iter().map(|p| path(p)));
    args.extend(["-o", path(&bundle), "--json"]);
    let v = parsed(&env.run(&args), &args);
    assert_eq!(v["file"], path(&bundle));
    assert_eq!(v["signature"], format!("{}.sig", path(&bundle)).as_str());
    assert!(bundle.is_file() && Path::new(&format!("{}.sig", path(&bundle))).is_file());
    let printing = v["printing"].as_str().expect("printing");
    assert_eq!(printing.len(), 8, "{v}");
    assert!(
        common::pdf_text(&pdf).contains(printing),
        "the printing id is on the data pages"
    );
    assert!(v["data_codes"].as_u64().is_some_and(|n| n >= 1), "{v}");
    assert!(v["parity_codes"].as_u64().is_some_and(|n| n >= 1), "{v}");
    for empty in ["recovered", "unread", "other_printings"] {
        assert_eq!(v[empty], json!([]), "{empty}");
    }
    assert!(!v.to_string().contains("Restore-Geheim-7"));

    // Again without --force: the file is there; the message, exit 1, no JSON.
    let out = env.run(&args);
    let stderr = failed_quietly(&out, 1);
    assert!(stderr.contains(path(&bundle)), "{stderr}");
    // Only the cover: no data codes; nothing written.
    let other = env.dir.path().join("other.age");
    let out = env.run(&["restore", path(&pages[0]), "-o", path(&other), "--json"]);
    failed_quietly(&out, 1);
    assert!(!other.exists());
}
