//! Issue 21: characters that hide or reorder text inside notes and documents (names
//! already refuse them). The dossier prints each as its code point, so a reader sees
//! it; `check` warns `hidden-control`, naming the record and the field. Emoji
//! sequences (a variation selector, a zero-width joiner) are left alone.

use crate::common;

use common::{Env, pdf_text};

const NOTE: &str = "Rechnung-\u{202E}fdp.exe Ende\u{200B}zw";
const BODY: &str = "# Plan\n\nDatei invoice-\u{202E}fdp.exe und \u{2066}iso\u{2069}.\n";

fn client_with_hidden_controls() -> Env {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &[
            "add",
            "acme",
            "m365/admin",
            "--username",
            "admin@acme.example",
            "--url",
            "https://portal.example",
            "--note",
            NOTE,
            "--password-stdin",
        ],
        b"Lang-genug-und-stark-2026",
    );
    env.ok_stdin(
        &["doc", "add", "acme", "plan", "--kind", "note", "--stdin"],
        BODY.as_bytes(),
    );
    env
}

#[test]
fn the_dossier_prints_hidden_controls_as_code_points() {
    let env = client_with_hidden_controls();
    let pdf = env.dir.path().join("acme.pdf");
    env.ok(&[
        "dossier",
        "acme",
        "-o",
        pdf.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Rechnung-[U+202E]fdp.exe Ende[U+200B]zw"),
        "{text}"
    );
    assert!(
        text.contains("Datei invoice-[U+202E]fdp.exe und [U+2066]iso[U+2069]."),
        "{text}"
    );
    for c in ['\u{202E}', '\u{200B}', '\u{2066}', '\u{2069}'] {
        assert!(!text.contains(c), "U+{:04X} reached the PDF text", c as u32);
    }
    // The appendix says what the code points are.
    assert!(
        text.contains("a text holds characters that are invisible or reorder the text"),
        "{text}"
    );
}

#[test]
fn check_names_the_record_and_field_that_hide_a_control() {
    let env = client_with_hidden_controls();
    let out = env.run(&["check", "acme", "--json"]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let hidden: Vec<&serde_json::Value> = findings
        .as_array()
        .or_else(|| findings["findings"].as_array())
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "hidden-control")
        .collect();
    assert_eq!(hidden.len(), 2, "{findings:#}");
    assert_eq!(hidden[0]["severity"], "warning");
    assert_eq!(hidden[0]["path"], serde_json::Value::Null);
    assert_eq!(
        hidden[0]["message"],
        "Document \"plan\": Hidden characters in the text (U+202E, U+2066, U+2069): invisible on screen, some reorder the text around them (U+202E shows `fdp.exe` as `exe.pdf`); the dossier prints each as its code point, e.g. [U+202E]. Remove them unless they belong there."
    );
    assert_eq!(hidden[1]["path"], "m365/admin");
    assert!(
        hidden[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("Hidden characters in the notes (U+202E, U+200B): "),
        "{hidden:?}"
    );
    // Fixed, the warning goes.
    env.ok(&["edit", "acme", "m365/admin", "--note", "Rechnung fdp.exe"]);
    env.ok_stdin(
        &["doc", "edit", "acme", "plan", "--stdin"],
        b"# Plan\n\nDatei invoice.pdf\n",
    );
    let text = check_text(&env);
    assert!(!text.contains("hidden-control"), "{text}");
}

#[test]
fn emoji_sequences_are_not_hidden_controls() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &[
            "add",
            "acme",
            "fw/admin",
            "--username",
            "admin",
            "--host",
            "10.0.0.1",
            "--note",
            "\u{26A0}\u{FE0F} Achtung, 👨\u{200D}💻 im Büro",
            "--password-stdin",
        ],
        b"Lang-genug-und-stark-2026",
    );
    let text = check_text(&env);
    assert!(!text.contains("hidden-control"), "{text}");
}

/// `check`'s report (it exits 1: these clients have no contact person).
fn check_text(env: &Env) -> String {
    let out = env.run(&["check", "acme"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn system_and_vendor_findings_carry_their_name_and_print_visibly() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&[
        "system",
        "add",
        "acme",
        "Firewall",
        "--purpose",
        "Tor\u{202E}gnagni",
    ]);
    env.ok(&[
        "vendor",
        "add",
        "acme",
        "Telekom",
        "--hotline",
        "0800 330",
        "--notes",
        "Vertrag\u{200B}2024",
    ]);
    let out = env.run(&["check", "acme", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let hidden: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "hidden-control")
        .collect();
    assert_eq!(hidden.len(), 2, "{report:#}");
    assert_eq!(hidden[0]["system"], "Firewall");
    assert!(
        hidden[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Hidden characters in the purpose (U+202E): "),
        "{hidden:?}"
    );
    assert_eq!(hidden[1]["vendor"], "Telekom");
    assert!(
        hidden[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("Hidden characters in the notes (U+200B): "),
        "{hidden:?}"
    );
    let pdf = env.dir.path().join("acme.pdf");
    env.ok(&[
        "dossier",
        "acme",
        "-o",
        pdf.to_str().unwrap(),
        "--lang",
        "de",
    ]);
    let text = pdf_text(&pdf);
    assert!(text.contains("Tor[U+202E]gnagni"), "{text}");
    assert!(text.contains("Vertrag[U+200B]2024"), "{text}");
    // The appendix names the system and the vendor beside the German sentence.
    assert!(
        text.contains("unsichtbare oder die Leserichtung umkehrende Zeichen"),
        "{text}"
    );
}
