//! Imports that know what they hold (issue 20): a bakery's passwords, as KeePassXC,
//! Bitwarden and 1Password export them, come in as Wi-Fi, network device, server,
//! domain, SSH key, certificate and e-mail, each inferred kind listed with its reason;
//! `edit --prefix` changes many kinds at once; and the takeover order puts the login
//! of a critical system first.

use crate::common;
use crate::formats_keepassxc::{DB_PASSWORD, entries, keepassxc, s};

use std::collections::BTreeMap;

use base64::Engine;
use common::{Env, require_tool};

const SSH_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
const CERTIFICATE: &str =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexample\n-----END CERTIFICATE-----\n";

/// One KeePass entry: title and strings `(key, value, protected)`.
type KpEntry<'a> = (&'a str, Vec<(&'a str, &'a str, bool)>);

fn xml_escape(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A KeePass 2 XML file (as KeePass writes it) with `groups` below the root.
fn keepass_xml(groups: &[(&str, Vec<KpEntry>)]) -> String {
    let mut n = 0u8;
    let mut uuid = || {
        n += 1;
        base64::engine::general_purpose::STANDARD.encode([n; 16])
    };
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<KeePassFile><Meta><Generator>KeePass</Generator></Meta><Root><Group>",
    );
    x.push_str(&format!("<UUID>{}</UUID><Name>Brandt</Name>", uuid()));
    for (group, list) in groups {
        x.push_str(&format!(
            "<Group><UUID>{}</UUID><Name>{group}</Name>",
            uuid()
        ));
        for (title, strings) in list {
            x.push_str(&format!(
                "<Entry><UUID>{}</UUID><String><Key>Title</Key><Value>{}</Value></String>",
                uuid(),
                xml_escape(title)
            ));
            for (key, value, protect) in strings {
                let attr = if *protect {
                    " ProtectInMemory=\"True\""
                } else {
                    ""
                };
                x.push_str(&format!(
                    "<String><Key>{key}</Key><Value{attr}>{}</Value></String>",
                    xml_escape(value)
                ));
            }
            x.push_str("</Entry>");
        }
        x.push_str("</Group>");
    }
    x.push_str("</Group></Root></KeePassFile>\n");
    x
}

/// The bakery of issue 20 as its old provider kept it in KeePassXC.
fn bakery_xml() -> String {
    let pw = |p| ("Password", p, true);
    keepass_xml(&[
        (
            "WLAN",
            vec![("Brandt-Gäste", vec![pw("Gäste-Brötchen-26")])],
        ),
        (
            "Netzwerk",
            vec![
                (
                    "Kasse-Router",
                    vec![
                        ("UserName", "admin", false),
                        ("URL", "http://192.168.178.1", false),
                        pw("Fritz-Kasse-1"),
                    ],
                ),
                (
                    "Büro-Funk",
                    vec![("SSID", "Brandt-Büro", false), pw("Büro-WLAN-9x")],
                ),
            ],
        ),
        (
            "Server",
            vec![(
                "NAS",
                vec![
                    ("UserName", "admin", false),
                    ("URL", "http://192.168.178.10", false),
                    pw("Nas-Geheim-7"),
                ],
            )],
        ),
        (
            "Domains",
            vec![(
                "brandt-baeckerei.de",
                vec![
                    ("UserName", "kd-4711", false),
                    ("URL", "https://registrar.example", false),
                    pw("Reg-Str0ng!"),
                ],
            )],
        ),
        ("SSH", vec![("deploy@shop", vec![pw(SSH_KEY)])]),
        (
            "E-Mail",
            vec![(
                "info@brandt",
                vec![
                    ("UserName", "info@brandt.example", false),
                    pw("Mail-Brandt-5"),
                ],
            )],
        ),
        (
            "Zertifikate",
            vec![("shop.brandt.de", vec![("Notes", CERTIFICATE, false)])],
        ),
        (
            "Telekom",
            vec![(
                "Kundencenter",
                vec![
                    ("UserName", "brandt", false),
                    ("URL", "https://www.telekom.de/kundencenter", false),
                    pw("Tk-Portal-2026"),
                ],
            )],
        ),
    ])
}

/// Every entry's kind, by path.
fn kinds(env: &Env, client: &str) -> BTreeMap<String, String> {
    entries(env, client)
        .into_iter()
        .map(|(path, e)| (path, e["kind"].as_str().unwrap_or("").to_owned()))
        .collect()
}

fn expect(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(p, k)| ((*p).to_owned(), (*k).to_owned()))
        .collect()
}

/// Imports `file` in `format` into a new client; returns stderr (the summary).
fn import(env: &Env, client: &str, format: &str, file: &std::path::Path) -> String {
    env.new_client(client);
    let out = env.run(&["import", client, "--format", format, s(file)]);
    common::assert_success(&out, &["import", client, "--format", format]);
    String::from_utf8(out.stderr).expect("utf-8")
}

#[test]
fn a_keepassxc_database_comes_in_with_the_kinds_its_groups_fields_and_contents_say() {
    require_tool("keepassxc-cli");
    let env = Env::new();
    let xml = env.dir.path().join("bakery.xml");
    std::fs::write(&xml, bakery_xml()).expect("write");
    let db = env.dir.path().join("bakery.kdbx");
    let pw = format!("{DB_PASSWORD}\n");
    keepassxc(
        &["import", "-q", "-p", "-t", "100", s(&xml), s(&db)],
        &format!("{pw}{pw}"),
    );
    let want = expect(&[
        ("Domains/brandt-baeckerei.de", "domain"),
        ("E-Mail/info@brandt", "email"),
        ("Netzwerk/Büro-Funk", "wifi"),
        ("Netzwerk/Kasse-Router", "network-device"),
        ("SSH/deploy@shop", "ssh-key"),
        ("Server/NAS", "server"),
        ("Telekom/Kundencenter", "login"),
        ("WLAN/Brandt-Gäste", "wifi"),
        ("Zertifikate/shop.brandt.de", "certificate"),
    ]);

    // KeePassXC's own XML export.
    let exported = env.dir.path().join("export.xml");
    let out = keepassxc(&["export", "-q", "-f", "xml", s(&db)], &pw);
    std::fs::write(&exported, &out.stdout).expect("write");
    let summary = import(&env, "from-xml", "keepass-xml", &exported);
    assert_eq!(kinds(&env, "from-xml"), want);
    for line in [
        "Kinds taken from what the file says (8 entries; change them with `handover edit from-xml PATH --kind KIND`, or many at once with `--prefix`):",
        "  WLAN/Brandt-Gäste → wifi (group WLAN)",
        "  Netzwerk/Kasse-Router → network-device (title Kasse-Router)",
        "  Netzwerk/Büro-Funk → wifi (an SSID field)",
        "  Server/NAS → server (group Server)",
        "  Domains/brandt-baeckerei.de → domain (group Domains)",
        "  SSH/deploy@shop → ssh-key (a private key in the password)",
        "  E-Mail/info@brandt → email (group E-Mail)",
        "  Zertifikate/shop.brandt.de → certificate (a certificate in the notes)",
    ] {
        assert!(
            summary.contains(&format!("{line}\n")),
            "{line}\nin\n{summary}"
        );
    }
    assert!(!summary.contains("Telekom"), "{summary}");

    // The database itself.
    let out = env.run_stdin(
        &[
            "import",
            "from-kdbx",
            "--format",
            "kdbx",
            "--password-stdin",
            s(&db),
        ],
        pw.as_bytes(),
    );
    assert!(!out.status.success(), "no such client yet");
    env.new_client("from-kdbx");
    env.ok_stdin(
        &[
            "import",
            "from-kdbx",
            "--format",
            "kdbx",
            "--password-stdin",
            s(&db),
        ],
        pw.as_bytes(),
    );
    assert_eq!(kinds(&env, "from-kdbx"), want);

    // The CSV export has no custom fields: the Wi-Fi with only an SSID field to tell
    // is a plain login there, everything else is known by its group.
    let csv = env.dir.path().join("export.csv");
    let out = keepassxc(&["export", "-q", "-f", "csv", s(&db)], &pw);
    std::fs::write(&csv, &out.stdout).expect("write");
    import(&env, "from-csv", "keepassxc-csv", &csv);
    let mut want_csv = want.clone();
    want_csv.insert("Netzwerk/Büro-Funk".into(), "login".into());
    assert_eq!(kinds(&env, "from-csv"), want_csv);

    // `check` asks the Wi-Fi for its network name, not for a username.
    let check = env.run(&["check", "from-xml"]);
    let text = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    let wifi: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("WLAN/Brandt-Gäste"))
        .collect();
    assert!(wifi.iter().any(|l| l.contains("wifi-no-ssid")), "{text}");
    assert!(
        !wifi.iter().any(|l| l.contains("login-no-username")),
        "{text}"
    );
}

#[test]
fn bitwarden_and_1password_exports_come_in_with_their_types_and_folders() {
    let env = Env::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let summary = import(
        &env,
        "bw",
        "bitwarden-json",
        &fixtures.join("bitwarden-kinds.json"),
    );
    assert_eq!(
        kinds(&env, "bw"),
        expect(&[
            ("Bäckerei Brandt/Büro-Funknetz", "wifi"),
            ("Bäckerei Brandt/Firmenkarte", "other"),
            ("Bäckerei Brandt/Telekom Kundencenter", "login"),
            ("Bäckerei Brandt/deploy@shop", "ssh-key"),
            ("Domains/brandt-baeckerei.de", "domain"),
            ("Karl Brandt", "other"),
            ("Server/NAS", "server"),
            ("WLAN/Brandt-Gäste", "wifi"),
            ("shop.brandt.de TLS", "certificate"),
        ])
    );
    for line in [
        "  WLAN/Brandt-Gäste → wifi (group WLAN)",
        "  Bäckerei Brandt/Büro-Funknetz → wifi (an SSID field)",
        "  Bäckerei Brandt/deploy@shop → ssh-key (Bitwarden type SSH key)",
        "  Bäckerei Brandt/Firmenkarte → other (Bitwarden type card)",
        "  Karl Brandt → other (Bitwarden type identity)",
        "  shop.brandt.de TLS → certificate (a certificate in the notes)",
    ] {
        assert!(
            summary.contains(&format!("{line}\n")),
            "{line}\nin\n{summary}"
        );
    }

    // 1Password has no folders; its tags say where an item belongs.
    let summary = import(
        &env,
        "op",
        "1password-csv",
        &fixtures.join("1password-kinds.csv"),
    );
    assert_eq!(
        kinds(&env, "op"),
        expect(&[
            ("Brandt-Gäste", "wifi"),
            ("Kasse-Router", "network-device"),
            ("NAS", "server"),
            ("Telekom Kundencenter", "login"),
            ("brandt-baeckerei.de", "domain"),
            ("deploy@shop", "ssh-key"),
        ])
    );
    assert!(
        summary.contains("  Brandt-Gäste → wifi (tag WLAN)\n"),
        "{summary}"
    );
    assert!(
        summary.contains("  NAS → server (tag Server)\n"),
        "{summary}"
    );
}

/// A kind given in the file (handover's own export) is kept, never second-guessed.
#[test]
fn our_own_exports_keep_their_kinds() {
    let env = Env::new();
    env.client_with(
        "acme",
        r#"[{"path":"WLAN/portal","kind":"login","username":"u","url":"https://x","password":"p1"},
            {"path":"Server/notiz","kind":"note","notes":"n"}]"#,
    );
    for format in ["keepass-xml", "bitwarden-json", "csv"] {
        let file = env.dir.path().join(format!("acme.{format}"));
        env.ok(&["export", "acme", "--format", format, "-o", s(&file)]);
        let client = format!("back-{}", format.replace('-', ""));
        let summary = import(&env, &client, format, &file);
        assert_eq!(
            kinds(&env, &client),
            expect(&[("Server/notiz", "note"), ("WLAN/portal", "login")]),
            "{format}"
        );
        assert!(!summary.contains("Kinds taken"), "{format}: {summary}");
    }
}

#[test]
fn edit_with_a_prefix_changes_the_kind_of_every_entry_under_it_at_once() {
    let env = Env::new();
    env.client_with(
        "brandt",
        r#"[{"path":"Netzwerk/Gäste","kind":"login","password":"a"},
            {"path":"Netzwerk/Büro/Funk","kind":"login","password":"b"},
            {"path":"Netzwerk/Schon","kind":"wifi","password":"c"},
            {"path":"Netzwerke/anders","kind":"login","password":"d"},
            {"path":"Telekom","kind":"login","password":"e"}]"#,
    );
    let before_events = env.json(&["log", "brandt", "--json"]);
    let out = env.run(&["edit", "brandt", "--prefix", "Netzwerk/", "--kind", "wifi"]);
    common::assert_success(&out, &["edit", "--prefix"]);
    assert_eq!(
        String::from_utf8(out.stderr).expect("utf-8"),
        "  Netzwerk/Gäste login → wifi\n  Netzwerk/Büro/Funk login → wifi\nChanged the kind of 2 entries under Netzwerk/ to wifi (1 already wifi).\n"
    );
    assert_eq!(
        kinds(&env, "brandt"),
        expect(&[
            ("Netzwerk/Büro/Funk", "wifi"),
            ("Netzwerk/Gäste", "wifi"),
            ("Netzwerk/Schon", "wifi"),
            ("Netzwerke/anders", "login"),
            ("Telekom", "login"),
        ])
    );
    // One history event per changed entry, naming it and the field.
    let after = env.json(&["log", "brandt", "--json"]);
    let new: Vec<&serde_json::Value> = after
        .as_array()
        .expect("array")
        .iter()
        .skip(before_events.as_array().expect("array").len())
        .collect();
    assert_eq!(new.len(), 2, "{new:?}");
    for (event, path) in new.iter().zip(["Netzwerk/Gäste", "Netzwerk/Büro/Funk"]) {
        assert_eq!(event["kind"], "entry-changed", "{event}");
        assert_eq!(event["path"], path, "{event}");
        assert_eq!(event["fields"], serde_json::json!(["kind"]), "{event}");
    }

    // Refusals change nothing.
    let vault = common::file_bytes(&env.vault("brandt"));
    assert_eq!(
        env.fails(
            &["edit", "brandt", "--prefix", "netzwerk", "--kind", "wifi"],
            1
        ),
        "handover: error: client brandt has no entry at or under netzwerk/ (paths are case-sensitive; `handover list brandt` shows them); nothing changed\n"
    );
    let refused = env.fails(
        &[
            "edit", "brandt", "--prefix", "Netzwerk", "--kind", "wifi", "--owner", "client",
        ],
        2,
    );
    assert!(
        refused.contains("--prefix changes only the kind of many entries"),
        "{refused}"
    );
    let refused = env.fails(&["edit", "brandt", "--prefix", "Netzwerk"], 2);
    assert!(refused.contains("--kind"), "{refused}");
    let refused = env.fails(
        &[
            "edit", "brandt", "Telekom", "--prefix", "Netzwerk", "--kind", "wifi",
        ],
        2,
    );
    assert!(refused.contains("cannot be used with"), "{refused}");
    assert_eq!(common::file_bytes(&env.vault("brandt")), vault);
}

/// Issue 20: the router's login, filed as a plain login, logs into a system marked
/// critical; the rotation list secures it in the first hour, before the Telekom portal.
#[test]
fn the_login_of_a_critical_system_comes_first_in_the_rotation_list() {
    let env = Env::new();
    env.client_with(
        "brandt",
        r#"[{"path":"Netzwerk/Kasse","kind":"login","username":"admin","url":"http://192.168.178.1","password":"Kasse-Geheim-1"},
            {"path":"Kunden/Telekom","kind":"login","username":"brandt","url":"https://www.telekom.de","password":"Tk-Portal-2026"}]"#,
    );
    env.ok(&[
        "system",
        "add",
        "brandt",
        "Kassensystem",
        "--criticality",
        "critical",
    ]);
    env.ok(&[
        "link",
        "brandt",
        "Netzwerk/Kasse",
        "--system",
        "Kassensystem",
    ]);
    let successor = Env::new();
    let recipient = successor.ok(&["init"]).trim().to_owned();
    let dir = env.dir.path().join("out");
    env.ok(&[
        "offboard",
        "brandt",
        "--successor",
        &recipient,
        "--successor-name",
        "Nachfolge IT KG",
        "--out",
        s(&dir),
        "--lang",
        "en",
        "--yes",
    ]);
    let csv = std::fs::read_to_string(dir.join("brandt-rotation.csv")).expect("rotation list");
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert!(lines[0].starts_with("1,Netzwerk/Kasse,"), "{csv}");
    assert!(lines[1].starts_with("2,Kunden/Telekom,"), "{csv}");
}
