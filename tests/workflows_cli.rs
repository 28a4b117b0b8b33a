//! End-to-end tests of the workflow commands: log, check, rotate, client key, and the
//! digital bundle (export and import).

use crate::common;

use std::os::unix::fs::PermissionsExt;

use common::{Env, file_bytes};
use handover::keys::{self, Identity};

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn recipient(env: &Env) -> String {
    env.ok(&["init"]).trim().to_owned()
}

fn identity(env: &Env) -> Identity {
    Identity::parse(&std::fs::read_to_string(env.identity()).unwrap()).unwrap()
}

/// The plaintext JSON of an age file, decrypted with `id`.
fn plain(bytes: &[u8], id: &Identity) -> String {
    String::from_utf8(keys::decrypt(bytes, id).unwrap().to_vec()).unwrap()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

const ENTRIES: &str = r#"[
  {"path": "m365/global-admin", "kind": "login", "username": "admin@acme.example",
   "url": "https://admin.microsoft.com", "password": "Grün€-Bagger-Öl-7319",
   "totp": "JBSWY3DPEHPK3PXP", "recovery_codes": ["4821-0375", "9916-2248"],
   "tags": ["mfa"], "owner": "client", "rotated": "2026-10-01"},
  {"path": "netz/firewall", "kind": "network-device", "host": "192.168.10.1", "port": 4444,
   "username": "admin", "password": " Ws8#q-Zaun \n zweite Zeile", "notes": "Sophos"},
  {"path": "wlan/buero", "kind": "wifi", "fields": [{"name": "SSID", "value": "Büro"},
   {"name": "PSK", "value": "Kabel-Trommel-99!", "secret": true}]},
  {"path": "hinweise/serverraum", "kind": "note", "notes": "Schlüssel bei Frau Müller"}
]"#;

/// A client that passes the check: a contact, its own recipient, complete entries.
fn ready_client(env: &Env, id: &str) {
    env.client_with(id, ENTRIES);
}

#[test]
fn history_records_every_change_by_name_never_by_value() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&[
        "client",
        "edit",
        "acme",
        "--notes",
        "Keller",
        "--add-contact",
        "Jutta",
    ]);
    env.ok_stdin(
        &[
            "add",
            "acme",
            "fw/admin",
            "--kind",
            "network-device",
            "--password-stdin",
        ],
        b"Erste-Geheim-1\n",
    );
    env.ok_stdin(
        &[
            "edit",
            "acme",
            "fw/admin",
            "--url",
            "https://fw",
            "--password-stdin",
        ],
        b"Zweite-Geheim-2\n",
    );
    env.ok(&["move", "acme", "fw/admin", "netz/fw"]);
    env.ok_stdin(
        &["rotate", "acme", "netz/fw", "--password-stdin"],
        b"Dritte-Geheim-3\n",
    );
    env.ok(&["rotate", "acme", "netz/fw", "--mark"]);
    let file = env.dir.path().join("e.json");
    std::fs::write(
        &file,
        r#"[{"path":"a","password":"Vierte-Geheim-4"},{"path":"b"}]"#,
    )
    .unwrap();
    env.ok(&["import", "acme", "--format", "json", file.to_str().unwrap()]);
    env.ok(&["remove", "acme", "a"]);
    let other = Identity::generate().recipient().to_string();
    env.ok(&["recipients", "acme", "add", &other]);
    env.ok(&["recipients", "acme", "remove", &other]);

    let log = env.json(&["log", "acme", "--json"]);
    let kinds: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "client-created",
            "client-changed",
            "entry-created",
            "entry-changed",
            "entry-moved",
            "entry-rotated",
            "entry-rotated",
            "entries-imported",
            "entry-removed",
            "recipients-changed",
            "recipients-changed",
        ]
    );
    assert_eq!(log[1]["fields"], json(r#"["contacts", "notes"]"#));
    assert_eq!(log[2]["path"], "fw/admin");
    assert_eq!(log[3]["fields"], json(r#"["password", "url"]"#));
    // The id follows the entry across the move.
    assert_eq!(log[3]["entry"], log[4]["entry"]);
    assert_eq!(log[4]["path"], "netz/fw");
    assert_eq!(log[4]["detail"], "from fw/admin");
    assert!(log[7]["detail"].as_str().unwrap().contains("2 entries"));
    assert!(log[7]["detail"].as_str().unwrap().contains("from json"));
    assert!(log[9]["detail"].as_str().unwrap().contains(&other));
    let text = env.ok(&["log", "acme"]);
    assert_eq!(text.lines().count(), 11, "{text}");
    assert!(
        text.contains("entry-moved") && text.contains("netz/fw"),
        "{text}"
    );
    assert!(text.contains("[password, url]"), "{text}");
    for secret in ["Erste", "Zweite", "Dritte", "Vierte"] {
        assert!(!text.contains(secret) && !log.to_string().contains(secret));
    }
    let err = env.fails(&["log", "nobody"], 1);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn a_vault_without_history_still_opens() {
    let old = br#"{"format_version":1,"id":"acme","name":"A","recipients":[],"entries":[],
        "created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}"#;
    let c = handover::vault::parse(old).unwrap();
    assert!(c.history.is_empty() && c.client_recipient.is_none());
    // Written back, an empty history adds no key.
    let back = handover::vault::to_json(&c).unwrap();
    let text = std::str::from_utf8(&back).unwrap();
    assert!(!text.contains("history") && !text.contains("client_recipient"));
}

#[test]
fn check_reports_gaps_and_exits_by_severity() {
    let env = Env::new();
    ready_client(&env, "acme");
    env.ok(&[
        "client",
        "key",
        "acme",
        "-o",
        env.dir.path().join("k.txt").to_str().unwrap(),
    ]);
    let report = env.json(&["check", "acme", "--json"]);
    assert_eq!(report["ready"], true, "{report}");
    assert_eq!(report["blocking"], 0);

    // A gap of every severity.
    env.ok(&[
        "add",
        "acme",
        "m365/support",
        "--no-password",
        "--username",
        "support@it-schaefer.de",
    ]);
    env.ok_stdin(
        &[
            "add",
            "acme",
            "lizenz",
            "--kind",
            "license",
            "--password-stdin",
            "--expires",
            "2020-01-01",
        ],
        b"hunter2\n",
    );
    let out = env.run(&[
        "check",
        "acme",
        "--json",
        "--provider-domain",
        "it-schaefer.de",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ready"], false);
    let found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("-").to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("lizenz", "expired", "blocking"),
        ("lizenz", "weak-password", "warning"),
        ("m365/support", "no-secret", "blocking"),
        ("m365/support", "provider-domain", "blocking"),
        ("m365/support", "login-no-location", "warning"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, want);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));

    // Text output, and the provider's domain from the store's config.json.
    std::fs::write(
        env.store().join("config.json"),
        r#"{"provider_domains": ["it-schaefer.de"]}"#,
    )
    .unwrap();
    let out = env.run(&["check", "acme"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("BLOCKING  provider-domain"), "{text}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("3 blocking finding(s), 2 warning(s)"), "{err}");

    // A client without a contact or another recipient.
    env.new_client("empty");
    let out = env.run(&["check", "empty"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("no-contact") && text.contains("no-other-recipient"),
        "{text}"
    );
    std::fs::write(env.store().join("config.json"), "{\"domains\": 1}").unwrap();
    let err = env.fails(&["check", "acme"], 1);
    assert!(err.contains("config.json"), "{err}");
}

#[test]
fn rotate_sets_password_and_date_or_only_marks() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &[
            "add",
            "acme",
            "fw",
            "--password-stdin",
            "--rotated",
            "2020-01-01",
            "--provider-knows",
            "false",
        ],
        b"alt\n",
    );
    let today = chrono::Utc::now().date_naive().to_string();

    env.ok_stdin(
        &["rotate", "acme", "fw", "--password-stdin"],
        b"Neu-Geheim-42\n",
    );
    let e = env.json(&["show", "acme", "fw", "--reveal", "--json"]);
    assert_eq!(e["password"], "Neu-Geheim-42");
    assert_eq!(e["rotated"], today.as_str());
    assert_eq!(e["provider_knows"], true);

    env.ok(&["rotate", "acme", "fw", "--generate", "30"]);
    let e = env.json(&["show", "acme", "fw", "--reveal", "--json"]);
    assert_eq!(e["password"].as_str().unwrap().len(), 30);

    env.ok(&["rotate", "acme", "fw", "--mark"]);
    let marked = env.json(&["show", "acme", "fw", "--reveal", "--json"]);
    assert_eq!(marked["provider_knows"], false);
    assert_eq!(
        marked["password"], e["password"],
        "--mark keeps the stored value"
    );

    // Refusals change nothing.
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(&["rotate", "acme", "nope", "--generate"], 1);
    assert!(err.contains("has no entry \"nope\""), "{err}");
    let err = env.fails(&["rotate", "acme", "fw"], 2);
    assert!(err.contains("no terminal"), "{err}");
    let err = env.fails(&["rotate", "acme", "fw", "--mark", "--generate"], 2);
    assert!(err.contains("cannot be used with"), "{err}");
    let out = env.run_stdin(&["rotate", "acme", "fw", "--password-stdin"], b"\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
    let err = env.fails(&["rotate", "acme", "fw", "--generate", "4"], 1);
    assert!(err.contains("out of range"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn client_key_is_written_private_and_opens_the_vault() {
    let env = Env::new();
    env.new_client("acme");
    let key = env.dir.path().join("acme-key.txt");
    let recipient = env.ok(&["client", "key", "acme", "-o", key.to_str().unwrap()]);
    let recipient = recipient.trim();
    assert_eq!(mode(&key), 0o600);
    let client_id = Identity::parse(&std::fs::read_to_string(&key).unwrap()).unwrap();
    assert_eq!(client_id.recipient().to_string(), recipient);
    // The vault now opens with the client's key alone.
    let vault = json(&plain(&file_bytes(&env.vault("acme")), &client_id));
    assert_eq!(vault["client_recipient"], recipient);
    assert!(
        vault["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == recipient)
    );
    assert_eq!(
        vault["history"].as_array().unwrap().last().unwrap()["kind"],
        "client-key-created"
    );

    // Refusals: an existing file, an existing client key, an unknown client.
    let before = file_bytes(&env.vault("acme"));
    let other = env.dir.path().join("other.txt");
    std::fs::write(&other, "keep me").unwrap();
    let err = env.fails(&["client", "key", "acme", "-o", other.to_str().unwrap()], 1);
    assert!(err.contains("already has a key"), "{err}");
    env.new_client("beta");
    let err = env.fails(&["client", "key", "beta", "-o", other.to_str().unwrap()], 1);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me");
    let err = env.fails(
        &[
            "client",
            "key",
            "nobody",
            "-o",
            env.dir.path().join("n.txt").to_str().unwrap(),
        ],
        1,
    );
    assert!(err.contains("does not exist"), "{err}");
    assert!(!env.dir.path().join("n.txt").exists());
    let err = env.fails(
        &["client", "key", "beta", "-o", "/nonexistent-dir/k.txt"],
        1,
    );
    assert!(err.contains("does not exist"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);

    // --force replaces the key and drops the old recipient.
    let new = env.ok(&[
        "client",
        "key",
        "acme",
        "-o",
        key.to_str().unwrap(),
        "--force",
    ]);
    let c = env.json(&["client", "show", "acme", "--json"]);
    let recipients: Vec<&str> = c["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(recipients.contains(&new.trim()) && !recipients.contains(&recipient));
    assert_eq!(recipients.len(), 2);
}

#[test]
fn bundle_export_is_the_exact_vault_for_the_chosen_recipients() {
    let a = Env::new();
    let b = Env::new();
    ready_client(&a, "acme");
    let before = plain(&file_bytes(&a.vault("acme")), &identity(&a));

    // By default only the vault's other recipients: here there are none.
    let out = a.dir.path().join("acme.age");
    let err = a.fails(
        &[
            "export",
            "acme",
            "--format",
            "bundle",
            "-o",
            out.to_str().unwrap(),
        ],
        1,
    );
    assert!(err.contains("no recipient besides you"), "{err}");
    assert!(!out.exists());

    a.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        out.to_str().unwrap(),
        "--recipient",
        &recipient(&b),
    ]);
    assert_eq!(mode(&out), 0o600);
    let bundle = file_bytes(&out);
    assert_eq!(
        plain(&bundle, &identity(&b)),
        before,
        "the bundle is the vault, byte for byte"
    );
    assert!(
        keys::decrypt(&bundle, &identity(&a)).is_err(),
        "not for the exporter"
    );
    let log = a.json(&["log", "acme", "--json"]);
    let last = log.as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "bundle-exported");
    assert!(last["detail"].as_str().unwrap().contains(&recipient(&b)));

    // Refusals: existing file, unknown format, bad recipient.
    let err = a.fails(
        &[
            "export",
            "acme",
            "--format",
            "bundle",
            "-o",
            out.to_str().unwrap(),
            "--recipient",
            &recipient(&b),
        ],
        1,
    );
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(file_bytes(&out), bundle);
    let err = a.fails(&["export", "acme", "--format", "pdf", "-o", "x"], 2);
    assert!(err.contains("unknown export format"), "{err}");
    let err = a.fails(
        &[
            "export",
            "acme",
            "--format",
            "bundle",
            "-o",
            "y",
            "--recipient",
            "age1nope",
        ],
        1,
    );
    assert!(err.contains("invalid age recipient"), "{err}");
    a.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        out.to_str().unwrap(),
        "--recipient",
        &recipient(&b),
        "--force",
    ]);

    // With a client key, the default is the client key.
    let key = a.dir.path().join("key.txt");
    a.ok(&["client", "key", "acme", "-o", key.to_str().unwrap()]);
    let out2 = a.dir.path().join("acme2.age");
    a.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        out2.to_str().unwrap(),
    ]);
    let client_key = Identity::parse(&std::fs::read_to_string(&key).unwrap()).unwrap();
    assert!(plain(&file_bytes(&out2), &client_key).contains("m365/global-admin"));
}

#[test]
fn bundle_import_restores_every_field_for_the_importer() {
    let a = Env::new();
    let b = Env::new();
    ready_client(&a, "acme");
    let out = a.dir.path().join("acme.age");
    a.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        out.to_str().unwrap(),
        "--recipient",
        &recipient(&b),
    ]);
    let exported = json(&plain(&file_bytes(&out), &identity(&b)));

    // B does not trust A's key: the import names it, to compare with the dossier.
    let fp = a.signing_fingerprint();
    let err = b.fails(
        &[
            "import",
            "acme",
            "--format",
            "bundle",
            out.to_str().unwrap(),
        ],
        1,
    );
    assert!(
        err.contains(&fp) && err.contains("--expect-signer"),
        "{err}"
    );
    assert!(!b.vault("acme").exists());
    let err = b.fails(
        &[
            "import",
            "acme",
            "--format",
            "bundle",
            out.to_str().unwrap(),
            "--expect-signer",
            &b.signing_fingerprint(),
        ],
        1,
    );
    assert!(err.contains("you do not trust"), "{err}");
    let done = b.run(&[
        "import",
        "acme",
        "--format",
        "bundle",
        out.to_str().unwrap(),
        "--expect-signer",
        &fp,
    ]);
    let said = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{said}");
    assert!(said.contains(&format!("signed by {fp}")), "{said}");
    assert!(
        said.contains(&format!("Added your recipient {}", recipient(&b))),
        "{said}"
    );
    let mut restored = json(&plain(&file_bytes(&b.vault("acme")), &identity(&b)));
    // The restore itself is recorded, and raises the revision.
    let event = restored["history"].as_array_mut().unwrap().pop().unwrap();
    assert_eq!(event["kind"], "recipients-changed", "{event}");
    assert!(
        event["detail"]
            .as_str()
            .unwrap()
            .contains("restored from a bundle"),
        "{event}"
    );
    assert_eq!(
        restored["revision"].as_u64().unwrap(),
        exported["revision"].as_u64().unwrap() + 1
    );
    restored.as_object_mut().unwrap().remove("revision");
    let mut expected = exported.clone();
    expected.as_object_mut().unwrap().remove("revision");
    expected["recipients"]
        .as_array_mut()
        .unwrap()
        .push(recipient(&b).into());
    assert_eq!(
        restored, expected,
        "every field equal; only B's recipient added"
    );
    assert_eq!(
        b.json(&["show", "acme", "netz/firewall", "--reveal", "--json"])["password"],
        " Ws8#q-Zaun \n zweite Zeile"
    );

    // Refusals: the client exists; a bundle for someone else; a whole-client import
    // has no entry-level conflict modes.
    let before = file_bytes(&b.vault("acme"));
    let err = b.fails(
        &[
            "import",
            "acme",
            "--format",
            "bundle",
            out.to_str().unwrap(),
            "--expect-signer",
            &fp,
        ],
        1,
    );
    assert!(
        err.contains("already exists") && err.contains("--on-conflict replace"),
        "{err}"
    );
    let err = b.fails(
        &[
            "import",
            "acme",
            "--format",
            "bundle",
            out.to_str().unwrap(),
            "--on-conflict",
            "skip",
        ],
        2,
    );
    assert!(err.contains("whole client"), "{err}");
    assert_eq!(file_bytes(&b.vault("acme")), before);
    let c = Env::new();
    let err = c.fails(
        &[
            "import",
            "acme",
            "--format",
            "bundle",
            out.to_str().unwrap(),
            "--expect-signer",
            &fp,
        ],
        1,
    );
    assert!(err.contains("not encrypted to your identity"), "{err}");
    assert!(!c.vault("acme").exists());
    let garbage = c.dir.path().join("garbage.age");
    std::fs::write(&garbage, b"not age").unwrap();
    let err = c.fails(
        &[
            "import",
            "acme",
            "--format",
            "bundle",
            garbage.to_str().unwrap(),
            "--allow-unsigned",
        ],
        1,
    );
    assert!(err.contains("not an age-encrypted file"), "{err}");

    // Replacing, and restoring under another id.
    b.ok(&["remove", "acme", "wlan/buero"]);
    b.ok(&[
        "import",
        "acme",
        "--format",
        "bundle",
        out.to_str().unwrap(),
        "--expect-signer",
        &fp,
        "--on-conflict",
        "replace",
    ]);
    let mut replaced = json(&plain(&file_bytes(&b.vault("acme")), &identity(&b)));
    let event = replaced["history"].as_array_mut().unwrap().pop().unwrap();
    assert_eq!(event["kind"], "recipients-changed", "{event}");
    replaced.as_object_mut().unwrap().remove("revision");
    assert_eq!(replaced, expected);
    b.ok(&[
        "import",
        "acme-2",
        "--format",
        "bundle",
        out.to_str().unwrap(),
        "--expect-signer",
        &fp,
    ]);
    let renamed = json(&plain(&file_bytes(&b.vault("acme-2")), &identity(&b)));
    assert_eq!(renamed["id"], "acme-2");
    assert_eq!(renamed["entries"], expected["entries"]);
}

#[test]
fn recipients_and_client_show_mark_the_client_key() {
    let env = Env::new();
    env.new_client("acme");
    let key = env.dir.path().join("k.txt");
    let r = env.ok(&["client", "key", "acme", "-o", key.to_str().unwrap()]);
    let listed = env.ok(&["recipients", "acme"]);
    assert!(
        listed.contains(&format!("{}  (client key)", r.trim())),
        "{listed}"
    );
    assert!(env.ok(&["client", "show", "acme"]).contains("(client key)"));
    assert_eq!(
        env.json(&["client", "show", "acme", "--json"])["client_recipient"],
        r.trim()
    );
    // Removing the client key's recipient forgets it as the client key.
    env.ok(&["recipients", "acme", "remove", r.trim()]);
    assert!(
        env.json(&["client", "show", "acme", "--json"])
            .get("client_recipient")
            .is_none()
    );
}

#[test]
fn client_key_file_is_removed_when_the_vault_cannot_be_updated() {
    let env = Env::new();
    env.new_client("acme");
    // A vault that opens but cannot be re-encrypted: one recipient is not valid.
    let mut vault = json(&plain(&file_bytes(&env.vault("acme")), &identity(&env)));
    vault["recipients"]
        .as_array_mut()
        .unwrap()
        .push("not-a-recipient".into());
    let bytes = keys::encrypt(vault.to_string().as_bytes(), &[identity(&env).recipient()]).unwrap();
    std::fs::write(env.vault("acme"), &bytes).unwrap();
    env.sign_with_ssh_keygen(&env.vault("acme"));
    let key = env.dir.path().join("k.txt");
    let err = env.fails(&["client", "key", "acme", "-o", key.to_str().unwrap()], 1);
    assert!(err.contains("invalid age recipient"), "{err}");
    assert!(
        !key.exists(),
        "no key file for a recipient the vault does not have"
    );
    assert_eq!(file_bytes(&env.vault("acme")), bytes);
}
