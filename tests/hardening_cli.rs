//! End-to-end tests of the hardening issue (#13): a failed command changes nothing, a
//! secret never reaches argv or the terminal, and imported text cannot reorder what the
//! terminal shows.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::{Env, file_bytes};
use handover::keys::{self, Identity};

fn identity(env: &Env) -> Identity {
    Identity::parse(&std::fs::read_to_string(env.identity()).unwrap()).unwrap()
}

/// Rewrites a vault's JSON with `change`, encrypted to this identity only, whatever its
/// recipient list then says: how a vault re-encrypted elsewhere, or hand-edited, looks.
/// It is signed with the provider's own key (by the stock `ssh-keygen`), so that what
/// is tested is the content, not the signature check.
fn rewrite_vault(env: &Env, id: &str, change: impl FnOnce(&mut serde_json::Value)) {
    let me = identity(env);
    let plain = keys::decrypt(&file_bytes(&env.vault(id)), &me).unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    change(&mut json);
    let bytes = serde_json::to_vec_pretty(&json).unwrap();
    std::fs::write(
        env.vault(id),
        keys::encrypt(&bytes, &[me.recipient()]).unwrap(),
    )
    .unwrap();
    env.sign_with_ssh_keygen(&env.vault(id));
}

/// The names in `dir`, sorted (to show nothing was left behind).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(out.status.code(), Some(code), "{what}: {}", text(out));
}

fn other_recipient() -> String {
    Identity::generate().recipient().to_string()
}

// Item 6: `dossier` writes nothing when the vault cannot record the export.

#[test]
fn dossier_on_a_vault_without_your_recipient_writes_no_pdf_and_changes_nothing() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&[
        "add",
        "acme",
        "fw",
        "--no-password",
        "--field",
        "ip=10.0.0.1",
    ]);
    let other = other_recipient();
    for (case, recipients) in [
        (
            "none of yours",
            vec![serde_json::Value::from(other.as_str())],
        ),
        ("empty", vec![]),
    ] {
        rewrite_vault(&env, "acme", |v| v["recipients"] = recipients.into());
        let before = file_bytes(&env.vault("acme"));
        let out_dir = env.dir.path().join("out");
        std::fs::create_dir_all(&out_dir).unwrap();
        let pdf = out_dir.join("acme.pdf");
        let out = env.run(&["dossier", "acme", "-o", pdf.to_str().unwrap()]);
        assert_exit(&out, 1, case);
        assert!(
            text(&out).contains("none of its recipients is your identity"),
            "{case}: {}",
            text(&out)
        );
        assert!(
            listing(&out_dir).is_empty(),
            "{case}: {:?}",
            listing(&out_dir)
        );
        // An existing file that --force would replace stays as it was.
        std::fs::write(&pdf, b"the old dossier").unwrap();
        let out = env.run(&["dossier", "acme", "-o", pdf.to_str().unwrap(), "--force"]);
        assert_exit(&out, 1, case);
        assert_eq!(file_bytes(&pdf), b"the old dossier", "{case}");
        assert_eq!(listing(&out_dir), vec!["acme.pdf"], "{case}");
        assert_eq!(file_bytes(&env.vault("acme")), before, "{case}");
        std::fs::remove_file(&pdf).unwrap();
    }
}

#[test]
fn bundle_export_on_a_vault_without_your_recipient_writes_no_file() {
    let env = Env::new();
    env.new_client("acme");
    let other = other_recipient();
    rewrite_vault(&env, "acme", |v| {
        v["recipients"] = vec![other.clone()].into()
    });
    let before = file_bytes(&env.vault("acme"));
    let bundle = env.dir.path().join("acme.age");
    let out = env.run(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        bundle.to_str().unwrap(),
    ]);
    assert_exit(&out, 1, "export --format bundle");
    assert!(
        text(&out).contains("none of its recipients is your identity"),
        "{}",
        text(&out)
    );
    assert!(!bundle.exists());
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn offboard_that_fails_late_removes_what_it_wrote() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["client", "edit", "acme", "--add-contact", "Jutta Müller"]);
    env.ok(&[
        "add",
        "acme",
        "fw",
        "--no-password",
        "--field",
        "ip=10.0.0.1",
    ]);
    // The archive step (after the dossier, bundle and rotation list) cannot create its
    // directory: the store has a file where it belongs.
    std::fs::write(env.store().join("archive"), b"in the way").unwrap();
    let before = file_bytes(&env.vault("acme"));
    let out_dir = env.dir.path().join("handover-out");
    let successor = other_recipient();
    let out = env.run(&[
        "offboard",
        "acme",
        "--successor-name",
        "IT-Nachfolger GmbH",
        "--yes",
        "--successor",
        &successor,
        "--out",
        out_dir.to_str().unwrap(),
        "--keep-archive",
        "--accept-blocking",
    ]);
    assert_exit(&out, 1, "offboard");
    assert!(text(&out).contains("archive"), "{}", text(&out));
    assert!(!out_dir.exists(), "left behind: {:?}", listing(&out_dir));
    assert_eq!(file_bytes(&env.vault("acme")), before);
    env.ok(&["list", "acme"]);
}

// Item 7: a secret field stays secret, and its value never comes through argv.

#[test]
fn edit_field_on_a_secret_field_is_refused_and_secret_field_stdin_keeps_it_secret() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &[
            "add",
            "acme",
            "alarm",
            "--no-password",
            "--secret-field-stdin",
            "pin",
        ],
        b"4711\n",
    );
    let before = file_bytes(&env.vault("acme"));
    let out = env.run(&["edit", "acme", "alarm", "--field", "pin=8315"]);
    assert_exit(&out, 1, "edit --field on a secret field");
    let all = text(&out);
    assert!(all.contains("--secret-field \"pin\""), "{all}");
    assert!(all.contains("--secret-field-stdin \"pin\""), "{all}");
    assert!(!all.contains("8315") && !all.contains("4711"), "{all}");
    assert_eq!(file_bytes(&env.vault("acme")), before);

    // From stdin it is changed and stays secret (masked in show).
    env.ok_stdin(
        &["edit", "acme", "alarm", "--secret-field-stdin", "pin"],
        b"9021\n",
    );
    let shown = env.ok(&["show", "acme", "alarm"]);
    assert!(!shown.contains("9021"), "{shown}");
    let revealed = env.json(&["show", "acme", "alarm", "--json", "--reveal"]);
    assert_eq!(revealed["fields"][0]["value"], "9021");
    assert_eq!(revealed["fields"][0]["secret"], true);

    // An empty stdin is no value: refused as every empty secret is (exit 1, as for an
    // oversized one).
    let before = file_bytes(&env.vault("acme"));
    let out = env.run_stdin(
        &["edit", "acme", "alarm", "--secret-field-stdin", "pin"],
        b"",
    );
    assert_exit(&out, 1, "empty stdin");
    assert_eq!(file_bytes(&env.vault("acme")), before);

    // Removing it first is the deliberate way to make it plain.
    env.ok(&[
        "edit",
        "acme",
        "alarm",
        "--remove-field",
        "pin",
        "--field",
        "pin=none",
    ]);
    let shown = env.json(&["show", "acme", "alarm", "--json"]);
    assert_eq!(shown["fields"][0]["secret"], false);
}

#[test]
fn add_refuses_a_field_given_both_plain_and_secret() {
    let env = Env::new();
    env.new_client("acme");
    let before = file_bytes(&env.vault("acme"));
    let out = env.run_stdin(
        &[
            "add",
            "acme",
            "alarm",
            "--no-password",
            "--field",
            "pin=8315",
            "--secret-field-stdin",
            "pin",
        ],
        b"4711\n",
    );
    assert_exit(&out, 2, "add --field pin --secret-field-stdin pin");
    let all = text(&out);
    assert!(all.contains("both as --field"), "{all}");
    assert!(!all.contains("8315") && !all.contains("4711"), "{all}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
    let out = env.run(&[
        "add",
        "acme",
        "alarm",
        "--no-password",
        "--field",
        "pin=1",
        "--field",
        "pin=2",
    ]);
    assert_exit(&out, 1, "a field twice");
    assert!(text(&out).contains("given twice"), "{}", text(&out));
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

// Item 8: a secret key where a recipient belongs is named, never echoed.

#[test]
fn a_secret_key_given_as_recipient_is_never_echoed_anywhere() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["client", "edit", "acme", "--add-contact", "Jutta Müller"]);
    let key = Identity::generate().secret_key();
    let lower = key.to_lowercase();
    let body = &key["AGE-SECRET-KEY-".len()..];
    let out_dir = env.dir.path().join("out");
    let bundle = env.dir.path().join("acme.age");
    for k in [key.as_str(), lower.as_str()] {
        let commands: Vec<Vec<&str>> = vec![
            vec!["recipients", "acme", "add", k],
            vec!["recipients", "acme", "remove", k],
            vec!["client", "new", "beta", "--name", "Beta", "--recipient", k],
            vec![
                "export",
                "acme",
                "--format",
                "bundle",
                "-o",
                bundle.to_str().unwrap(),
                "--recipient",
                k,
            ],
            vec![
                "offboard",
                "acme",
                "--successor-name",
                "IT-Nachfolger GmbH",
                "--yes",
                "--successor",
                k,
                "--out",
                out_dir.to_str().unwrap(),
            ],
        ];
        for args in commands {
            let before = file_bytes(&env.vault("acme"));
            let out = env.run(&args);
            assert_exit(&out, 1, &args[..2].join(" "));
            let all = text(&out);
            assert!(
                all.contains("this is a secret key, not a recipient"),
                "{args:?}: {all}"
            );
            assert!(all.contains("age-keygen -y"), "{args:?}: {all}");
            assert!(
                !all.to_uppercase().contains(&body.to_uppercase()),
                "{:?} echoed the key: {all}",
                &args[..2]
            );
            assert_eq!(file_bytes(&env.vault("acme")), before);
            assert!(!bundle.exists() && !out_dir.exists());
            assert!(!env.vault("beta").exists());
        }
    }
}

#[test]
fn an_unparsable_recipient_is_shown_only_by_a_safe_prefix() {
    let env = Env::new();
    env.new_client("acme");
    let before = file_bytes(&env.vault("acme"));
    let out = env.run(&["recipients", "acme", "add", "Sommer2025!Kennwort"]);
    assert_exit(&out, 1, "a password as recipient");
    let all = text(&out);
    assert!(all.contains("invalid age recipient"), "{all}");
    assert!(
        !all.contains("Sommer") && !all.contains("Kennwort"),
        "{all}"
    );
    let typo = format!("{}q", other_recipient());
    let out = env.run(&["recipients", "acme", "add", &typo]);
    assert_exit(&out, 1, "a mistyped recipient");
    let all = text(&out);
    assert!(
        all.contains(&typo[..8]) && !all.contains(&typo[8..]),
        "{all}"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

// Item 10: bidirectional controls in imported text reach the terminal escaped.

const BIDI: [char; 12] = [
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

fn assert_no_bidi(out: &str, what: &str) {
    assert!(
        !out.contains(&BIDI[..]),
        "{what} printed a raw bidi control: {out:?}"
    );
}

#[test]
fn bidi_controls_in_imported_text_are_escaped_on_the_terminal() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["client", "edit", "acme", "--name", "Acme \u{202E}HbmG"]);
    let entries = r#"[
      {"path": "rechnungen/\u202Efdp.exe", "title": "Admin \u2067x\u2069 \u200F\u061C",
       "kind": "login", "username": "root\u202Dx", "tags": ["t\u202Ae,x"],
       "fields": [{"name": "n\u200Em", "value": "v\u2066w\u009b2J"}]}
    ]"#;
    let file = env.dir.path().join("entries.json");
    std::fs::write(&file, entries).unwrap();
    let out = env.run(&["import", "acme", "--format", "json", file.to_str().unwrap()]);
    assert_exit(&out, 0, "import");
    assert_no_bidi(&text(&out), "import");
    let path = "rechnungen/\u{202E}fdp.exe";
    let runs: Vec<(Vec<&str>, i32)> = vec![
        (vec!["list", "acme"], 0),
        (vec!["list", "acme", "--json"], 0),
        (vec!["show", "acme", path], 0),
        (vec!["show", "acme", path, "--json"], 0),
        (vec!["log", "acme"], 0),
        (vec!["log", "acme", "--json"], 0),
        (vec!["check", "acme"], 1),
        (vec!["check", "acme", "--json"], 1),
        (vec!["client", "list"], 0),
        (vec!["client", "list", "--json"], 0),
        (vec!["client", "show", "acme"], 0),
        (vec!["client", "show", "acme", "--json"], 0),
        // An error quoting the path.
        (vec!["add", "acme", path, "--no-password"], 1),
    ];
    for (args, code) in runs {
        let out = env.run(&args);
        assert_exit(&out, code, &args.join(" "));
        assert_no_bidi(&text(&out), &args.join(" "));
    }
    assert!(
        env.ok(&["list", "acme"])
            .contains("rechnungen/\\u{202e}fdp.exe")
    );
    // JSON keeps the data: a parser reads the same characters back.
    let listed = env.json(&["list", "acme", "--json"]);
    assert_eq!(listed[0]["path"], path);
    let shown = env.json(&["show", "acme", path, "--json"]);
    assert_eq!(shown["title"], "Admin \u{2067}x\u{2069} \u{200F}\u{061C}");
    assert_eq!(shown["fields"][0]["value"], "v\u{2066}w\u{9b}2J");
    assert!(!text(&env.run(&["show", "acme", path, "--json"])).contains('\u{9b}'));
    // Export warnings name the entry by its path.
    let csv = env.dir.path().join("out.csv");
    let out = env.run(&[
        "export",
        "acme",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_exit(&out, 0, "export");
    let all = text(&out);
    assert!(all.contains("warning"), "{all}");
    assert_no_bidi(&all, "export warnings");
}

// Item 11: `check` says that a vault without recipients, or without yours, cannot be
// written.

#[test]
fn check_blocks_a_vault_with_no_recipients_or_none_of_yours() {
    let env = Env::new();
    env.new_client("acme");
    let mine = env.ok(&["init"]).trim().to_owned();
    let other = other_recipient();
    for (recipients, code) in [
        (vec![other.clone()], "own-recipient-missing"),
        (vec![], "no-recipients"),
    ] {
        rewrite_vault(&env, "acme", |v| v["recipients"] = recipients.into());
        let before = file_bytes(&env.vault("acme"));
        // It still opens for reading…
        env.ok(&["list", "acme"]);
        // …but every write is refused, and check says so, blocking.
        let out = env.run(&["add", "acme", "x", "--no-password"]);
        assert_exit(&out, 1, "add");
        let out = env.run(&["check", "acme"]);
        assert_exit(&out, 1, code);
        let all = text(&out);
        assert!(all.contains(&format!("BLOCKING  {code}")), "{all}");
        assert!(
            all.contains(&format!("handover recipients acme add {mine}")),
            "{all}"
        );
        let report: serde_json::Value =
            serde_json::from_slice(&env.run(&["check", "acme", "--json"]).stdout).unwrap();
        assert_eq!(report["ready"], false);
        let found: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(found.contains(&code), "{found:?}");
        assert!(!found.contains(&"no-other-recipient"), "{found:?}");
        assert_eq!(file_bytes(&env.vault("acme")), before);
    }
    // The fix the message names works.
    env.ok(&["recipients", "acme", "add", &mine]);
    let report: serde_json::Value =
        serde_json::from_slice(&env.run(&["check", "acme", "--json"]).stdout).unwrap();
    let found: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !found.contains(&"no-recipients") && !found.contains(&"own-recipient-missing"),
        "{found:?}"
    );
}
