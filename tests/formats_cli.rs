//! End-to-end tests of `import --format …` and `export`: the real binary on
//! temporary stores, with sample files from the real tools (tests/fixtures).

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{Env, file_bytes};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Entries with everything an entry can hold and the characters that break careless
/// writers (quotes, separators, CR/LF, leading formula characters, Unicode).
pub const RICH: &str = r#"[
 {"path":"m365/global-admin","title":"Global Admin","kind":"login",
  "url":"https://admin.microsoft.com/?a=1&b=2","username":"admin@müller.de",
  "password":"=1+1;,\"\t'\r\n ä€ <&> ",
  "totp":"otpauth://totp/ACME:admin?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
  "recovery_codes":["-abc-1","def 2"],
  "notes":"Zeile 1\n\"zitiert\", ; und\nZeile 3",
  "fields":[{"name":"Kundennummer","value":"+49 89 1234"},{"name":"PIN","value":"@0815","secret":true}],
  "tags":["m365","Büro 2"],"owner":"provider","provider_knows":false,
  "expires":"2027-01-31","rotated":"2025-06-01"},
 {"path":"server/backup/ssh","kind":"ssh-key","host":"10.0.0.5","port":22,"username":"root",
  "password":"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n"},
 {"path":"notes/alarm","kind":"note","notes":"Code 1234#\nNur im Notfall"},
 {"path":"wifi/Büro Gäste","kind":"wifi","password":"  spaces both ends  "},
 {"path":"x/y-z","title":"y/z","kind":"license","password":"ABCD-EFGH"}
]"#;

/// The client's entries as our JSON export, without the import timestamps (formats
/// keep them at different precisions; the unit tests compare them exactly).
fn entries(env: &Env, client: &str) -> Vec<serde_json::Value> {
    let out = env.dir.path().join(format!("{client}-compare.json"));
    env.ok(&[
        "export",
        client,
        "--format",
        "json",
        "-o",
        s(&out),
        "--force",
    ]);
    let whole: serde_json::Value = serde_json::from_slice(&file_bytes(&out)).expect("json export");
    let mut v: Vec<serde_json::Value> =
        serde_json::from_value(whole["entries"].clone()).expect("entries");
    for e in &mut v {
        let o = e.as_object_mut().expect("object");
        o.remove("created");
        o.remove("updated");
    }
    std::fs::remove_file(out).expect("remove");
    v
}

fn rich_client(env: &Env, id: &str) {
    env.new_client(id);
    let file = env.dir.path().join("rich.json");
    std::fs::write(&file, RICH).expect("write");
    env.ok(&["import", id, "--format", "json", s(&file)]);
}

#[test]
fn export_then_import_gives_the_same_entries_in_every_format() {
    let env = Env::new();
    rich_client(&env, "acme");
    let want = entries(&env, "acme");
    assert_eq!(want.len(), 5);
    for format in ["json", "bitwarden-json", "keepass-xml", "csv"] {
        let file = env.dir.path().join(format!("out.{format}"));
        let out = env.run(&["export", "acme", "--format", format, "-o", s(&file)]);
        common::assert_success(&out, &["export", format]);
        let meta = std::fs::metadata(&file).expect("exported file");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("@0815") && !stderr.contains("=1+1"),
            "{stderr}"
        );

        let copy = format!("copy-{}", format.replace('.', "-"));
        env.new_client(&copy);
        env.ok(&["import", &copy, "--format", format, s(&file)]);
        assert_eq!(entries(&env, &copy), want, "{format}");
    }
}

#[test]
fn csv_export_escapes_formulas_but_never_secrets() {
    let env = Env::new();
    rich_client(&env, "acme");
    let file = env.dir.path().join("out.csv");
    let out = env.run(&["export", "acme", "--format", "csv", "-o", s(&file)]);
    common::assert_success(&out, &["export"]);
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    // The warning names entry and column, never the value.
    assert!(
        stderr.contains("m365/global-admin") && stderr.contains("\"password\""),
        "{stderr}"
    );
    assert!(!stderr.contains("=1+1"), "{stderr}");
    let text = String::from_utf8(file_bytes(&file)).expect("utf-8");
    assert!(text.starts_with("\u{feff}path,"), "BOM then header");
    assert!(
        text.contains(",'+49 89 1234,"),
        "plain cell escaped: {text}"
    );
    assert!(text.contains(",@0815"), "secret cell verbatim: {text}");
    assert!(text.contains("\"=1+1;,\"\"\t'\r\n ä€ <&> \""), "{text}");
}

#[test]
fn export_keeps_an_existing_file_unless_forced() {
    let env = Env::new();
    rich_client(&env, "acme");
    let file = env.dir.path().join("out.json");
    std::fs::write(&file, "precious").expect("write");
    let err = env.fails(&["export", "acme", "--format", "json", "-o", s(&file)], 1);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(file_bytes(&file), b"precious");
    env.ok(&[
        "export",
        "acme",
        "--format",
        "json",
        "-o",
        s(&file),
        "--force",
    ]);
    assert!(file_bytes(&file).starts_with(b"{\n  \"entries\": ["));
    assert_eq!(
        std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    let err = env.fails(&["export", "acme", "--format", "pdf", "-o", s(&file)], 2);
    assert!(err.contains("unknown export format"), "{err}");
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left");
}

#[test]
fn keepass_export_warns_about_what_it_cannot_hold() {
    let env = Env::new();
    env.new_client("acme");
    let file = env.dir.path().join("in.json");
    std::fs::write(
        &file,
        r#"[{"path":"a","password":"p","fields":[{"name":"Password","value":"Zweitgeheim","secret":true}],"tags":["x;y"]}]"#,
    )
    .expect("write");
    env.ok(&["import", "acme", "--format", "json", s(&file)]);
    let xml = env.dir.path().join("out.xml");
    let out = env.run(&["export", "acme", "--format", "keepass-xml", "-o", s(&xml)]);
    common::assert_success(&out, &["export"]);
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        stderr.contains("warning: a: KeePass needs unique field names"),
        "{stderr}"
    );
    assert!(stderr.contains("\"x;y\""), "{stderr}");
    assert!(!stderr.contains("Zweitgeheim"), "{stderr}");
}

#[test]
fn every_sample_file_imports() {
    let env = Env::new();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "keepassxc-2.7.4.xml",
            "keepass-xml",
            "Server/Linux/srv1",
            "r00t-Pässwort!",
        ),
        (
            "keepassxc-2.7.4.csv",
            "keepassxc-csv",
            "DNS Provider",
            "DNS;Zone,Edit",
        ),
        (
            "bitwarden-unencrypted.json",
            "bitwarden-json",
            "Praxis Dr. Weber/Praxissoftware",
            "Pr@xis-Wëber-1",
        ),
        (
            "1password.csv",
            "1password-csv",
            "Steuerberater Portal",
            "St€uer,2025",
        ),
        ("excel-de-cp1252.csv", "csv", "Kamera", "a;b"),
    ];
    for (i, (file, format, path, password)) in cases.iter().enumerate() {
        let client = format!("c{i}");
        env.new_client(&client);
        let before = file_bytes(&env.vault(&client));
        let dry = env.ok(&[
            "import",
            &client,
            "--format",
            format,
            s(&fixture(file)),
            "--dry-run",
        ]);
        assert!(
            dry.contains(&format!("would be added: {path}")),
            "{format}: {dry}"
        );
        assert_eq!(
            file_bytes(&env.vault(&client)),
            before,
            "dry run writes nothing"
        );
        env.ok(&["import", &client, "--format", format, s(&fixture(file))]);
        let shown = env.json(&["show", &client, path, "--reveal", "--json"]);
        assert_eq!(shown["password"], *password, "{format}");
    }
    // Importing the same file again: conflicts are handled as asked.
    env.ok(&[
        "import",
        "c0",
        "--format",
        "keepass-xml",
        s(&fixture("keepassxc-2.7.4.xml")),
        "--on-conflict",
        "rename",
    ]);
    env.ok(&["show", "c0", "Server/Linux/srv1 (2)"]);
}

#[test]
fn spreadsheet_columns_can_be_mapped() {
    let env = Env::new();
    env.new_client("acme");
    let file = env.dir.path().join("liste.csv");
    std::fs::write(
        &file,
        "Gerät\tZugang\tGeheim\tStandort\nFirewall\tadmin\t\"x\"\"y\tz\"\tKeller\n",
    )
    .expect("write");
    let err = env.fails(&["import", "acme", "--format", "csv", s(&file)], 1);
    assert!(err.contains("--map"), "{err}");
    env.ok(&[
        "import",
        "acme",
        "--format",
        "csv",
        s(&file),
        "--map",
        "title=Gerät",
        "--map",
        "username=Zugang",
        "--map",
        "password=geheim",
    ]);
    let e = env.json(&["show", "acme", "Firewall", "--reveal", "--json"]);
    assert_eq!(e["password"], "x\"y\tz");
    assert_eq!(e["username"], "admin");
    assert_eq!(e["fields"][0]["name"], "Standort");
    let err = env.fails(
        &[
            "import",
            "acme",
            "--format",
            "csv",
            s(&file),
            "--map",
            "passwort",
        ],
        2,
    );
    assert!(err.contains("FIELD=COLUMN"), "{err}");
}

#[test]
fn bad_and_hostile_files_change_nothing() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(&["add", "acme", "existing", "--password-stdin"], b"x");
    let before = file_bytes(&env.vault("acme"));
    let file = env.dir.path().join("bad");
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "csv",
            b"title;password;port\na;p;1\nb;Geheim123;99999\n",
            "record 2",
        ),
        (
            "keepass-xml",
            br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><KeePassFile><Root><Group><Name>&b;</Name></Group></Root></KeePassFile>"#,
            "DOCTYPE",
        ),
        (
            "bitwarden-json",
            br#"{"encrypted":true,"encKeyValidation_DO_NOT_EDIT":"2.x","items":[]}"#,
            "encrypted Bitwarden export",
        ),
        (
            "bitwarden-json",
            br#"{"items":[{"type":1,"name":"a"},{"type":1,"login":{"password":["Geheim123"]}}]}"#,
            "record 2",
        ),
        (
            "keepassxc-csv",
            b"\"Group\",\"Title\",\"Username\",\"Password\"\n\"R\",\"a\",\"u\",\"Geheim123\",\"extra\"\n",
            "record 1",
        ),
        ("1password-csv", b"Title,Password\nx,\"Geheim123\n", "never closed"),
    ];
    for (format, data, expect) in cases {
        std::fs::write(&file, data).expect("write");
        let err = env.fails(&["import", "acme", "--format", format, s(&file)], 1);
        assert!(err.contains(expect), "{format}: {err}");
        assert!(err.contains("nothing was imported"), "{format}: {err}");
        assert!(!err.contains("Geheim123"), "{format}: {err}");
        assert_eq!(file_bytes(&env.vault("acme")), before, "{format}");
    }
    // Deep nesting is refused fast, before memory grows with it.
    let deep = format!(
        "{}{}",
        "<Group>".repeat(200_000),
        "</Group>".repeat(200_000)
    );
    std::fs::write(&file, deep).expect("write");
    let started = std::time::Instant::now();
    let err = env.fails(&["import", "acme", "--format", "keepass-xml", s(&file)], 1);
    assert!(err.contains("nest deeper"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

/// Issue #13: a KeePass XML or CSV export cut off anywhere is refused as a whole —
/// exit 1, the vault untouched — never imported in part.
#[test]
fn a_cut_off_export_is_refused_and_the_vault_is_unchanged() {
    let env = Env::new();
    rich_client(&env, "acme");
    let before = file_bytes(&env.vault("acme"));
    let file = env.dir.path().join("cut");
    let issue = "<KeePassFile><Root><Group><Name>r</Name><Entry><String><Key>Title</Key><Value>a</Value></String></Entry><Entry><String><Key>Title</Key><Value>b</Value></String><String><Key>Password</Key><Value>Geheim123";
    std::fs::write(&file, issue).expect("write");
    let err = env.fails(&["import", "acme", "--format", "keepass-xml", s(&file)], 1);
    assert!(
        err.contains("record 2") && err.contains("cut off") && err.contains("line 1"),
        "{err}"
    );
    assert!(!err.contains("Geheim"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
    // The real export, cut every 97 bytes (the unit tests cut it at every byte).
    let xml = file_bytes(&fixture("keepassxc-2.7.4.xml"));
    for cut in (1..xml.len()).step_by(97) {
        std::fs::write(&file, &xml[..cut]).expect("write");
        let err = env.fails(&["import", "acme", "--format", "keepass-xml", s(&file)], 1);
        assert!(err.contains("nothing was imported"), "cut at {cut}: {err}");
        assert_eq!(file_bytes(&env.vault("acme")), before, "cut at {cut}");
    }
    // CSV cut right after a closing quote: every quote closed, the last row short.
    let csv = file_bytes(&fixture("keepassxc-2.7.4.csv"));
    let cut = csv.len() - ",\"0\",\"2026-11-23T02:33:12Z\",\"2026-11-23T02:33:12Z\"\n".len();
    std::fs::write(&file, &csv[..cut]).expect("write");
    let err = env.fails(
        &["import", "acme", "--format", "keepassxc-csv", s(&file)],
        1,
    );
    assert!(err.contains("record 3") && err.contains("cut off"), "{err}");
    assert!(!err.contains("r00t"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
    // The whole file still imports.
    std::fs::write(&file, &xml).expect("write");
    let out = env.ok(&["import", "acme", "--format", "keepass-xml", s(&file)]);
    assert_eq!(out.matches("added: ").count(), 3, "{out}");
}
