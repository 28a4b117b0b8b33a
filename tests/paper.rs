//! Paper that says when it is stale: the emergency partner on the first pages, the
//! `dossier-outdated` and `bundle-outdated` warnings, `verify` naming what changed, and
//! the records a vault keeps of its dossiers and bundles.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Env, require_tool};

const ENTRIES: &str = r#"[
  {"path": "m365/admin", "kind": "login", "username": "admin@acme.example",
   "url": "https://admin.microsoft.com", "password": "Xq7#kP2m-Lw9z"},
  {"path": "fw/admin", "kind": "network-device", "host": "10.0.0.1",
   "password": "Zt4!nR8v-Hc3y"},
  {"path": "nas/admin", "kind": "server", "host": "10.0.0.5", "password": "Pl8$wQ3e-Rt6u"}
]"#;

fn pdf_text(pdf: &Path) -> String {
    require_tool("pdftotext");
    let out = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn dossier(env: &Env, name: &str, extra: &[&str]) -> (PathBuf, String) {
    let out = env.dir.path().join(name);
    let mut args = vec!["dossier", "acme", "-o", out.to_str().unwrap(), "--force"];
    args.extend_from_slice(extra);
    let stdout = env.ok(&args);
    let fp = stdout
        .trim()
        .strip_prefix("Fingerprint: ")
        .expect("the fingerprint")
        .to_owned();
    (out, fp)
}

fn bundle(env: &Env) {
    let out = env.dir.path().join("acme-bundle.age");
    env.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        out.to_str().unwrap(),
        "--force",
    ]);
}

/// A client with a contact, three entries and its own key (so that a bundle has
/// someone to be encrypted to).
fn acme(env: &Env) {
    env.client_with("acme", ENTRIES);
    let key = env.dir.path().join("client-key.txt");
    env.ok(&["client", "key", "acme", "-o", key.to_str().unwrap()]);
}

/// The plaintext vault, read with the stock tool.
fn vault_json(env: &Env) -> serde_json::Value {
    require_tool("age");
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(env.identity())
        .arg(env.vault("acme"))
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `check` findings as (code, message).
fn findings(env: &Env) -> Vec<(String, String)> {
    env.json(&["check", "acme", "--json"])["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn outdated(env: &Env) -> Vec<(String, String)> {
    findings(env)
        .into_iter()
        .filter(|(code, _)| code.ends_with("-outdated"))
        .collect()
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

#[test]
fn emergency_partner_from_the_provider_or_the_client() {
    let env = Env::new();
    acme(&env);
    // Without one: the generic advice.
    let (pdf, _) = dossier(&env, "plain.pdf", &["--lang", "en"]);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("2. Engage an IT provider of your choice and give them this dossier"),
        "{text}"
    );
    assert!(!text.contains("Emergency partner"), "{text}");
    // The provider's, set with init on the existing store, kept in config.json.
    env.ok(&[
        "init",
        "--emergency-partner",
        "Systemhaus Kaiserstuhl, Herr Brandt, 0761 555 77 00",
    ]);
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.store().join("config.json")).unwrap()).unwrap();
    assert_eq!(
        config["provider"]["emergency_partner"],
        "Systemhaus Kaiserstuhl, Herr Brandt, 0761 555 77 00"
    );
    let (pdf, _) = dossier(&env, "provider.pdf", &[]);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Notfallpartner        Systemhaus Kaiserstuhl, Herr Brandt, 0761 555 77 00"),
        "{text}"
    );
    assert!(
        text.contains("2. Rufen Sie den unten genannten Notfallpartner an"),
        "{text}"
    );
    assert!(!text.contains("Beauftragen Sie einen IT-Dienstleister Ihrer Wahl und"));
    // The client's own takes precedence; clearing it brings the provider's back.
    env.ok(&[
        "client",
        "edit",
        "acme",
        "--emergency-partner",
        "IT-Hilfe Nord, 040 123",
    ]);
    let (pdf, _) = dossier(&env, "client.pdf", &["--lang", "en"]);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Emergency partner     IT-Hilfe Nord, 040 123"),
        "{text}"
    );
    assert!(!text.contains("Kaiserstuhl"), "{text}");
    assert_eq!(
        vault_json(&env)["emergency_partner"],
        "IT-Hilfe Nord, 040 123"
    );
    env.ok(&["client", "edit", "acme", "--emergency-partner", ""]);
    assert!(vault_json(&env).get("emergency_partner").is_none());
    let (pdf, _) = dossier(&env, "again.pdf", &["--lang", "en"]);
    assert!(pdf_text(&pdf).contains("Emergency partner     Systemhaus Kaiserstuhl"));
}

#[test]
fn the_provider_gone_section_is_in_the_contents_and_never_alone() {
    let env = Env::new();
    acme(&env);
    env.ok(&[
        "init",
        "--emergency-partner",
        "Systemhaus Kaiserstuhl, Herr Brandt, 0761 555 77 00\nVertretungsvertrag seit 2024",
    ]);
    // Enough people to call that "at a glance" runs over its page.
    for i in 0..40 {
        env.ok(&[
            "client",
            "edit",
            "acme",
            "--add-contact",
            &format!("Person {i:02}"),
            "--phone",
            "0761 555 00 00",
        ]);
    }
    let (pdf, _) = dossier(&env, "long.pdf", &["--lang", "en"]);
    let text = pdf_text(&pdf);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let page_of = |needle: &str| {
        pages
            .iter()
            .position(|p| p.contains(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("{needle:?} not found"))
    };
    let gone = page_of("If your IT provider is suddenly gone");
    assert_eq!(gone, 3, "{text}");
    // The instructions follow on the same page instead of leaving it almost empty.
    assert_eq!(page_of("3 How to use this dossier"), gone, "{text}");
    // And the contents list it, with its page.
    let contents = pages[page_of("4 Contents") - 1];
    let line = contents
        .lines()
        .find(|l| l.contains("If your IT provider is suddenly gone"))
        .expect("in the contents");
    assert!(line.trim_end().ends_with(" 3"), "{line}");
}

#[test]
fn check_warns_of_a_stale_dossier_and_bundle() {
    let env = Env::new();
    acme(&env);
    // Nothing printed or written yet: nothing stale to report.
    assert_eq!(outdated(&env), []);
    let (_, fp) = dossier(&env, "d.pdf", &[]);
    bundle(&env);
    assert_eq!(outdated(&env), []);
    env.ok(&["rotate", "acme", "m365/admin", "--generate"]);
    env.ok(&["remove", "acme", "nas/admin"]);
    let day = today();
    assert_eq!(
        outdated(&env),
        [
            (
                "dossier-outdated".to_owned(),
                format!(
                    "The vault has changed since the dossier printed on {day} (fingerprint {fp}): 2 entries changed. The client's paper no longer matches it: print a new dossier (`handover dossier acme -o FILE`) and have the client replace the old one."
                )
            ),
            (
                "bundle-outdated".to_owned(),
                format!(
                    "The vault has changed since the bundle written on {day} (fingerprint {fp}): 2 entries changed. The client's copy is stale: write a new one (`handover export acme --format bundle -o FILE`) and have the client replace it."
                )
            ),
        ]
    );
    // Warnings: the client is still ready.
    let report = env.json(&["check", "acme", "--json"]);
    assert_eq!(report["ready"], true);
    // A new dossier: only the bundle is stale, and the dossier's appendix does not
    // repeat either warning.
    let (pdf, _) = dossier(&env, "d2.pdf", &["--lang", "en"]);
    assert!(!pdf_text(&pdf).contains("out of date"));
    let codes: Vec<String> = outdated(&env).into_iter().map(|(c, _)| c).collect();
    assert_eq!(codes, ["bundle-outdated"]);
    // Where the client keeps it is named; a profile change counts as a change.
    env.ok(&[
        "client",
        "edit",
        "acme",
        "--bundle-location",
        "USB-Stick im Tresor",
    ]);
    bundle(&env);
    assert_eq!(outdated(&env), []);
    env.ok(&["client", "edit", "acme", "--legal-name", "Acme GmbH"]);
    let messages: Vec<String> = outdated(&env).into_iter().map(|(_, m)| m).collect();
    assert_eq!(messages.len(), 2);
    assert!(
        messages[1].contains("no entry changed, but the client's profile, contacts, recipients, systems, networks, vendors, documents or decisions did. The client's copy (kept: \"USB-Stick im Tresor\") is stale"),
        "{messages:?}"
    );
}

#[test]
fn only_the_newest_records_keep_digests() {
    let env = Env::new();
    acme(&env);
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        dossier(&env, name, &[]);
        bundle(&env);
    }
    let v = vault_json(&env);
    for list in ["dossiers", "bundles"] {
        let records = v[list].as_array().unwrap();
        assert_eq!(records.len(), 3, "{list}");
        let kept: Vec<usize> = records
            .iter()
            .map(|r| r.get("entries").map_or(0, |e| e.as_object().unwrap().len()))
            .collect();
        assert_eq!(kept, [0, 0, 3], "{list}");
    }
    let events: Vec<String> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .filter(|k| k == "bundle-exported")
        .collect();
    assert_eq!(events.len(), 3);
}

/// The exported time of the newest dossier record, as `verify` prints it.
fn printed_at(env: &Env, index: usize) -> String {
    let v = vault_json(env);
    let at = v["dossiers"][index]["exported"]
        .as_str()
        .unwrap()
        .to_owned();
    chrono::DateTime::parse_from_rfc3339(&at)
        .unwrap()
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}

#[test]
fn verify_names_what_changed_never_a_value() {
    let env = Env::new();
    acme(&env);
    let (_, fp) = dossier(&env, "d.pdf", &[]);
    let at = printed_at(&env, 0);
    env.ok(&["rotate", "acme", "m365/admin", "--generate"]);
    env.ok(&["edit", "acme", "fw/admin", "--url", "https://10.0.0.1"]);
    env.ok(&["move", "acme", "fw/admin", "netz/firewall"]);
    env.ok(&["remove", "acme", "nas/admin"]);
    env.ok_stdin(
        &[
            "add",
            "acme",
            "wlan/buero",
            "--kind",
            "wifi",
            "--ssid",
            "Büro",
            "--password-stdin",
        ],
        b"Wl4n-Geheim-2024",
    );
    env.ok(&["system", "add", "acme", "Fileserver"]);
    env.ok(&[
        "client",
        "edit",
        "acme",
        "--emergency-partner",
        "IT-Hilfe Nord",
    ]);
    let out = env.run(&["verify", "acme", &fp]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        format!(
            "Changed since the dossier of {at}:
  added     wlan/buero
  removed   nas/admin
  changed   m365/admin: password, provider_knows, rotated
  changed   netz/firewall: url, path
  system    Fileserver (added)
  client    emergency_partner
"
        )
    );
    assert!(!stdout.contains("Wl4n") && !stdout.contains("IT-Hilfe"));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "handover: the vault of acme has changed since the dossier of {at}: 4 entries changed (1 added, 1 removed, 2 modified); print a new dossier\n"
        )
    );
}

#[test]
fn verify_an_older_dossier_from_the_history() {
    let env = Env::new();
    acme(&env);
    let (_, first) = dossier(&env, "a.pdf", &[]);
    let at = printed_at(&env, 0);
    env.ok(&["edit", "acme", "fw/admin", "--host", "10.0.0.2"]);
    dossier(&env, "b.pdf", &[]);
    env.ok(&["remove", "acme", "nas/admin"]);
    // The first record kept no digests: what changed is read from the history.
    assert!(vault_json(&env)["dossiers"][0].get("entries").is_none());
    let out = env.run(&["verify", "acme", &first]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "Changed since the dossier of {at}:
  removed   nas/admin
  changed   fw/admin: host
"
        )
    );
}

/// A Wi-Fi join code with an umlaut in its name carries the UTF-8 ECI, so a scanner
/// reads the name exactly (without it zbarimg read "Brandt-Gäste" as "Brandt-G瓣ste",
/// and a phone would look for a network of that name).
#[test]
fn a_wifi_code_with_umlauts_scans_back_exactly() {
    let env = Env::new();
    env.ok(&["client", "new", "brandt", "--name", "Bäckerei Brandt"]);
    let entries = dir_file(
        &env,
        "w.json",
        r#"{"entries": [{"path": "wlan/gaeste", "kind": "wifi", "password": "Brötchen-2026",
            "fields": [{"name": "SSID", "value": "Brandt-Gäste"}]}]}"#,
    );
    env.ok(&[
        "import",
        "brandt",
        "--format",
        "json",
        entries.to_str().unwrap(),
    ]);
    let pdf = env.dir.path().join("brandt.pdf");
    env.ok(&["dossier", "brandt", "-o", pdf.to_str().unwrap()]);
    require_tool("pdftoppm");
    require_tool("zbarimg");
    let prefix = env.dir.path().join("glance");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-f", "2", "-l", "2"])
        .arg(&pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    let png = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("page 2 rendered");
    let scan = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&png)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(scan.stdout).unwrap().trim(),
        "WIFI:T:WPA;S:Brandt-Gäste;P:Brötchen-2026;;"
    );
}

fn dir_file(env: &Env, name: &str, content: &str) -> PathBuf {
    let path = env.dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}
