//! End-to-end tests of the knowledge handover: systems, networks, vendors, documents,
//! decisions and links, their refusals, check rules, the $EDITOR flow, the
//! whole-client JSON import and the bundle round trip.

use crate::common;

use std::os::unix::fs::PermissionsExt;

use common::{Env, file_bytes};
use handover::keys::{self, Identity};

fn identity(env: &Env) -> Identity {
    Identity::parse(&std::fs::read_to_string(env.identity()).unwrap()).unwrap()
}

fn plain(bytes: &[u8], id: &Identity) -> serde_json::Value {
    serde_json::from_slice(&keys::decrypt(bytes, id).unwrap()).unwrap()
}

/// A client with a contact and two entries, one of them a firewall login.
fn client(env: &Env) {
    env.client_with(
        "acme",
        r#"[{"path":"netz/firewall","kind":"network-device","host":"192.168.10.1",
             "username":"admin","password":"Ws8#q-Zaun-Kabel"},
            {"path":"m365/admin","kind":"login","url":"https://admin.microsoft.com",
             "username":"admin@acme.example","password":"Grün-Bagger-7319","tags":["mfa"],
             "recovery_codes":["1234-5678"]}]"#,
    );
}

/// A vendor, a system linked to it and to an entry, a network, a document and a
/// decision, one of each, for the client of [`client`].
fn knowledge(env: &Env) {
    env.ok(&["vendor", "add", "acme", "Telekom", "--hotline", "0800 1"]);
    env.ok(&[
        "system",
        "add",
        "acme",
        "Router",
        "--vendor",
        "Telekom",
        "--category",
        "internet-line",
        "--line-id",
        "DEU.1",
        "--ip",
        "203.0.113.10",
    ]);
    env.ok(&["link", "acme", "netz/firewall", "--system", "Router"]);
    env.ok(&["network", "add", "acme", "LAN", "--cidr", "10.0.0.0/8"]);
    first_hour_plan(env, b"# Los\n");
    env.ok(&[
        "decision",
        "add",
        "acme",
        "Router",
        "--date",
        "2024-01-01",
        "--why",
        "weil",
    ]);
}

/// Adds client acme's first-hour plan (read from stdin).
fn first_hour_plan(env: &Env, body: &[u8]) {
    env.ok_stdin(
        &[
            "doc",
            "add",
            "acme",
            "erste-stunde",
            "--kind",
            "first-hour-plan",
            "--stdin",
        ],
        body,
    );
}

fn kinds(env: &Env) -> Vec<String> {
    env.json(&["log", "acme", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn systems_networks_and_vendors_from_add_to_remove() {
    let env = Env::new();
    client(&env);
    env.ok(&[
        "vendor",
        "add",
        "acme",
        "Telekom",
        "--hotline",
        "0800 330 1300",
        "--customer-number",
        "4711",
        "--contract-number",
        "DLC-1",
        "--term-end",
        "2031-06-30",
        "--notice-months",
        "3",
        "--contact",
        "Frau Kern",
        "--contact-phone",
        "0761 1",
    ]);
    env.ok(&[
        "system",
        "add",
        "acme",
        "Firewall",
        "--category",
        "firewall",
        "--criticality",
        "critical",
        "--site",
        "Büro",
        "--location",
        "Keller, Rack 1",
        "--ip",
        "192.168.10.1",
        "--vendor",
        "telekom",
        "--warranty-until",
        "2030-01-31",
        "--backup-method",
        "Konfig-Export",
        "--restore-tested",
        "2026-01-15",
    ]);
    env.ok(&[
        "network",
        "add",
        "acme",
        "Büro-LAN",
        "--cidr",
        "192.168.10.0/24",
        "--vlan",
        "10",
        "--gateway",
        "192.168.10.1",
        "--dns",
        "192.168.10.1",
        "--dns",
        "9.9.9.9",
    ]);
    env.ok(&["link", "acme", "netz/firewall", "--system", "Firewall"]);
    env.ok(&["link", "acme", "m365/admin", "--vendor", "Telekom"]);

    let s = env.json(&["system", "show", "acme", "firewall", "--json"]);
    assert_eq!(s["category"], "firewall");
    assert_eq!(s["criticality"], "critical");
    assert_eq!(s["location"], "Keller, Rack 1");
    assert_eq!(s["backup"]["method"], "Konfig-Export");
    assert_eq!(s["backup"]["last_restore_test"], "2026-01-15");
    let entry = env.json(&["show", "acme", "netz/firewall", "--json"]);
    assert_eq!(s["entries"][0], entry["id"]);
    let v = env.json(&["vendor", "show", "acme", "Telekom", "--json"]);
    assert_eq!(s["vendor"], v["id"]);
    assert_eq!(v["contract"]["term_end"], "2031-06-30");
    assert_eq!(v["cancellation_deadline"], "2031-03-31");
    assert_eq!(v["contacts"][0]["name"], "Frau Kern");
    let text = env.ok(&["system", "show", "acme", "Firewall"]);
    assert!(
        text.contains("netz/firewall") && text.contains("Telekom"),
        "{text}"
    );
    assert!(env.ok(&["system", "list", "acme"]).contains("Firewall"));
    assert!(
        env.ok(&["network", "list", "acme"])
            .contains("192.168.10.0/24")
    );
    assert!(
        env.ok(&["vendor", "list", "acme"])
            .contains("cancel by 2031-03-31")
    );
    assert_eq!(
        env.json(&["network", "show", "acme", "Büro-LAN", "--json"])["dns"][1],
        "9.9.9.9"
    );

    // Edit: rename, change, clear.
    env.ok(&[
        "system",
        "edit",
        "acme",
        "Firewall",
        "--name",
        "Firewall Büro",
        "--os",
        "SFOS 20",
        "--clear",
        "warranty_until",
    ]);
    let s = env.json(&["system", "show", "acme", "Firewall Büro", "--json"]);
    assert_eq!(s["os"], "SFOS 20");
    assert!(s.get("warranty_until").is_none(), "{s}");
    env.ok(&[
        "network",
        "edit",
        "acme",
        "Büro-LAN",
        "--vlan",
        "11",
        "--clear",
        "dns",
    ]);
    let n = env.json(&["network", "show", "acme", "Büro-LAN", "--json"]);
    assert_eq!(n["vlan"], 11);
    assert!(n.get("dns").is_none());
    env.ok(&["vendor", "edit", "acme", "Telekom", "--notice-days", "14"]);
    assert_eq!(
        env.json(&["vendor", "show", "acme", "Telekom", "--json"])["cancellation_deadline"],
        "2031-03-17"
    );
    let out = env.run(&["vendor", "edit", "acme", "Telekom", "--notice-days", "14"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Nothing changed"));

    // Unlinking, and removing an entry drops its links.
    env.ok(&["unlink", "acme", "m365/admin", "--vendor", "Telekom"]);
    assert!(
        env.json(&["vendor", "show", "acme", "Telekom", "--json"])
            .get("entries")
            .is_none()
    );
    env.ok(&["remove", "acme", "netz/firewall"]);
    assert!(
        env.json(&["system", "show", "acme", "Firewall Büro", "--json"])
            .get("entries")
            .is_none()
    );

    // A vendor in use cannot go; once unused it can.
    let err = env.fails(&["vendor", "remove", "acme", "Telekom"], 1);
    assert!(err.contains("system \"Firewall Büro\""), "{err}");
    env.ok(&["system", "remove", "acme", "Firewall Büro"]);
    env.ok(&["vendor", "remove", "acme", "Telekom"]);
    env.ok(&["network", "remove", "acme", "Büro-LAN"]);
    assert_eq!(env.ok(&["system", "list", "acme", "--json"]).trim(), "[]");

    let kinds = kinds(&env);
    for k in [
        "vendor-created",
        "system-created",
        "network-created",
        "system-changed",
        "network-changed",
        "vendor-changed",
        "system-removed",
        "vendor-removed",
        "network-removed",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    // Names, never values.
    let log = env.ok(&["log", "acme"]);
    assert!(!log.contains("SFOS") && !log.contains("0800"), "{log}");
}

#[test]
fn every_refusal_names_the_problem_and_changes_nothing() {
    let env = Env::new();
    client(&env);
    env.ok(&["system", "add", "acme", "NAS"]);
    let before = file_bytes(&env.vault("acme"));
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["system", "add", "acme", "nas"],
            1,
            "already has a system called",
        ),
        (
            vec!["system", "add", "acme", "X", "--category", "toaster"],
            2,
            "invalid value 'toaster' for '--category <CATEGORY>'",
        ),
        (
            vec!["system", "add", "acme", "X", "--purchased", "2026-02-30"],
            2,
            "is not a date",
        ),
        (
            vec!["system", "add", "acme", "X", "--ip", "10.0.0.300"],
            1,
            "not an IP address",
        ),
        (
            vec!["system", "add", "acme", "X", "--vendor", "Nobody"],
            1,
            "has no vendor \"Nobody\"",
        ),
        (
            vec!["system", "edit", "acme", "Server", "--os", "x"],
            1,
            "has no system \"Server\"",
        ),
        (
            vec!["system", "edit", "acme", "NAS", "--clear", "colour"],
            2,
            "invalid value 'colour' for '--clear <NAME>'",
        ),
        (vec!["system", "remove", "acme", "Server"], 1, "no system"),
        (
            vec!["link", "acme", "no/such", "--system", "NAS"],
            1,
            "has no entry \"no/such\"",
        ),
        (
            vec!["link", "acme", "netz/firewall", "--system", "Server"],
            1,
            "has no system",
        ),
        (vec!["link", "acme", "netz/firewall"], 2, "--system"),
        (
            vec!["network", "add", "acme", "LAN", "--cidr", "192.168.1.0"],
            1,
            "CIDR",
        ),
        (
            vec!["network", "add", "acme", "LAN", "--vlan", "5000"],
            1,
            "4094",
        ),
        (
            vec!["vendor", "add", "acme", "V", "--term-end", "31.12.26.1"],
            2,
            "is not a date",
        ),
        (
            vec![
                "vendor",
                "add",
                "acme",
                "V",
                "--contract-start",
                "2027-01-01",
                "--term-end",
                "2026-12-31",
            ],
            1,
            "before it starts",
        ),
        (
            vec!["doc", "add", "acme", "a", "--kind", "procedure"],
            2,
            "--file FILE or --stdin",
        ),
        (
            vec!["doc", "add", "acme", "a", "--kind", "memo", "--stdin"],
            2,
            "invalid value 'memo' for '--kind <KIND>'",
        ),
        (
            vec!["doc", "add", "acme", "../a", "--kind", "note", "--stdin"],
            1,
            "invalid document name",
        ),
        (
            vec!["doc", "show", "acme", "nope"],
            1,
            "has no document \"nope\"",
        ),
        (
            vec!["decision", "add", "acme", "T", "--date", "gestern"],
            2,
            "is not a date",
        ),
        (
            vec![
                "decision",
                "add",
                "acme",
                "T",
                "--date",
                "2026-01-01",
                "--supersedes",
                "Nope",
            ],
            1,
            "has no decision \"Nope\"",
        ),
        (
            vec!["decision", "edit", "acme", "Nope", "--current"],
            1,
            "has no decision",
        ),
        (
            vec!["system", "add", "acme", " padded"],
            1,
            "starts or ends with a space",
        ),
    ];
    for (args, code, want) in cases {
        let err = env.fails(&args, code);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(
            file_bytes(&env.vault("acme")),
            before,
            "{args:?} changed the vault"
        );
    }
    // Both texts from stdin cannot work.
    let err = env.fails(
        &[
            "decision",
            "add",
            "acme",
            "T",
            "--date",
            "2026-01-01",
            "--why-file",
            "-",
            "--alternatives-file",
            "-",
        ],
        2,
    );
    assert!(err.contains("only one"), "{err}");
    // An unknown client.
    let err = env.fails(&["system", "list", "nobody"], 1);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn documents_and_decisions_from_files_stdin_and_the_editor() {
    let env = Env::new();
    client(&env);
    let file = env.dir.path().join("restore.md");
    std::fs::write(&file, "# Wiederherstellen\n\n1. NAS öffnen\n").unwrap();
    env.ok(&[
        "doc",
        "add",
        "acme",
        "ablaeufe/restore",
        "--kind",
        "procedure",
        "--title",
        "Wiederherstellen",
        "--file",
        file.to_str().unwrap(),
    ]);
    first_hour_plan(&env, "1. Frau Müller anrufen\n".as_bytes());
    assert_eq!(
        env.ok(&["doc", "show", "acme", "ablaeufe/restore"]),
        "# Wiederherstellen\n\n1. NAS öffnen\n\n"
    );
    let list = env.json(&["doc", "list", "acme", "--json"]);
    assert_eq!(list[0]["path"], "ablaeufe/restore");
    assert_eq!(list[0]["kind"], "procedure");
    assert!(list[0].get("body").is_none(), "lists leave the body out");
    assert_eq!(list[1]["kind"], "first-hour-plan");

    // $EDITOR: a script that records where it was run and what mode the file had,
    // then appends a line.
    let runtime = env.dir.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    let seen = env.dir.path().join("seen.txt");
    let script = env.dir.path().join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nstat -c '%a %n' \"$1\" \"$(dirname \"$1\")\" > {seen}\necho '2. Sicherung prüfen' >> \"$1\"\n",
            seen = seen.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    let out = env
        .cmd(&["doc", "edit", "acme", "erste-stunde"])
        .env("EDITOR", &script)
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        env.ok(&["doc", "show", "acme", "erste-stunde"]),
        "1. Frau Müller anrufen\n2. Sicherung prüfen\n\n"
    );
    let seen = std::fs::read_to_string(&seen).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    assert!(lines[0].starts_with("600 "), "{seen}");
    assert!(lines[1].starts_with("700 "), "{seen}");
    assert!(
        lines[1].contains(runtime.to_str().unwrap()),
        "the private directory is under $XDG_RUNTIME_DIR: {seen}"
    );
    assert_eq!(
        std::fs::read_dir(&runtime).unwrap().count(),
        0,
        "file and directory removed"
    );
    // A failing editor changes nothing; no editor is a usage error.
    let before = file_bytes(&env.vault("acme"));
    let out = env
        .cmd(&["doc", "edit", "acme", "erste-stunde"])
        .env("EDITOR", "false")
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was changed"));
    let out = env
        .cmd(&["doc", "edit", "acme", "erste-stunde"])
        .env_remove("EDITOR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(file_bytes(&env.vault("acme")), before);
    assert_eq!(std::fs::read_dir(&runtime).unwrap().count(), 0);

    // Move and retitle without the editor.
    env.ok(&[
        "doc",
        "edit",
        "acme",
        "ablaeufe/restore",
        "--move-to",
        "ablaeufe/backup-restore",
        "--title",
        "Backup zurückspielen",
    ]);
    let d = env.json(&["doc", "show", "acme", "ablaeufe/backup-restore", "--json"]);
    assert_eq!(d["title"], "Backup zurückspielen");

    // Decisions: reasons from a file and stdin, superseding, the editor.
    let why = env.dir.path().join("why.md");
    std::fs::write(&why, "Die Fritzbox kann kein VLAN.\n").unwrap();
    env.ok(&[
        "decision",
        "add",
        "acme",
        "Firewall Fritzbox",
        "--date",
        "2020-05-01",
        "--decision",
        "Fritzbox als Firewall",
    ]);
    env.ok_stdin(
        &[
            "decision",
            "add",
            "acme",
            "Firewall Sophos",
            "--date",
            "2023-05-10",
            "--why-file",
            why.to_str().unwrap(),
            "--alternatives-file",
            "-",
            "--decided-by",
            "Jutta Müller",
            "--supersedes",
            "Firewall Fritzbox",
        ],
        b"- OPNsense\n",
    );
    let list = env.json(&["decision", "list", "acme", "--json"]);
    assert_eq!(list[0]["title"], "Firewall Fritzbox");
    assert_eq!(list[0]["status"], "superseded");
    assert_eq!(list[0]["superseded_by"], list[1]["id"]);
    assert_eq!(list[1]["why"], "Die Fritzbox kann kein VLAN.\n");
    assert_eq!(list[1]["alternatives"], "- OPNsense\n");
    assert!(list[1].get("status").is_none(), "current is the default");
    assert!(
        env.ok(&["decision", "list", "acme"])
            .contains("(superseded)"),
        "text list marks it"
    );
    let err = env.fails(&["decision", "remove", "acme", "Firewall Sophos"], 1);
    assert!(err.contains("supersedes"), "{err}");
    let out = env
        .cmd(&[
            "decision",
            "edit",
            "acme",
            "Firewall Sophos",
            "--editor",
            "why",
        ])
        .env("EDITOR", &script)
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        env.ok(&["decision", "show", "acme", "Firewall Sophos"])
            .contains("2. Sicherung prüfen")
    );
    env.ok(&["decision", "edit", "acme", "Firewall Fritzbox", "--current"]);
    env.ok(&["decision", "remove", "acme", "Firewall Sophos"]);
    env.ok(&["doc", "remove", "acme", "erste-stunde"]);
    let kinds = kinds(&env);
    for k in [
        "document-created",
        "document-changed",
        "document-removed",
        "decision-created",
        "decision-changed",
        "decision-removed",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
}

#[test]
fn check_finds_the_new_gaps() {
    let env = Env::new();
    client(&env);
    let key = env.dir.path().join("client-key.txt");
    env.ok(&["client", "key", "acme", "-o", key.to_str().unwrap()]);
    // Entries only: none of the new rules speaks but the MFA location.
    let report = env.run(&["check", "acme", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let codes = |r: &serde_json::Value| -> Vec<(String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let about = f["system"]
                    .as_str()
                    .or(f["vendor"].as_str())
                    .or(f["path"].as_str())
                    .unwrap_or("-");
                (about.to_owned(), f["code"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    assert_eq!(
        codes(&report),
        [("m365/admin".to_owned(), "mfa-no-location".to_owned())]
    );
    env.ok(&[
        "edit",
        "acme",
        "m365/admin",
        "--location",
        "YubiKey im Tresor",
    ]);
    assert_eq!(
        env.json(&["show", "acme", "m365/admin", "--json"])["location"],
        "YubiKey im Tresor"
    );
    env.ok(&[
        "system",
        "add",
        "acme",
        "Server",
        "--criticality",
        "critical",
        "--warranty-until",
        "2020-01-01",
    ]);
    env.ok(&[
        "vendor",
        "add",
        "acme",
        "Lieferant",
        "--term-end",
        "2020-12-31",
    ]);
    let out = env.run(&["check", "acme", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a critical system without login blocks"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: Vec<(String, String)> = [
        ("-", "no-first-hour-plan"),
        ("Server", "critical-system-no-credential"),
        ("Server", "critical-system-no-backup"),
        ("Server", "restore-test-old"),
        ("Server", "warranty-ended"),
        ("Lieferant", "vendor-no-hotline"),
        ("Lieferant", "cancellation-deadline"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(codes(&report), want);
    let text = String::from_utf8(env.run(&["check", "acme"]).stdout).unwrap();
    assert!(
        text.contains("(system Server)") && text.contains("(vendor Lieferant)"),
        "{text}"
    );

    // Fixing each gap silences its rule.
    env.ok(&["link", "acme", "netz/firewall", "--system", "Server"]);
    env.ok(&[
        "system",
        "edit",
        "acme",
        "Server",
        "--backup-method",
        "Veeam",
        "--restore-tested",
        &chrono::Utc::now().date_naive().to_string(),
        "--clear",
        "warranty_until",
    ]);
    env.ok(&[
        "vendor",
        "edit",
        "acme",
        "Lieferant",
        "--hotline",
        "0800 1",
        "--renews-months",
        "12",
        "--term-end",
        "2030-12-31",
    ]);
    first_hour_plan(&env, b"1. Anrufen\n");
    let report = env.json(&["check", "acme", "--json"]);
    assert_eq!(codes(&report), Vec::<(String, String)>::new(), "{report}");
}

#[test]
fn json_import_of_a_whole_client_links_by_id() {
    let env = Env::new();
    env.new_client("acme");
    let file = env.dir.path().join("client.json");
    std::fs::write(
        &file,
        r##"{
  "entries": [
    {"id": "11111111-1111-4111-8111-111111111111", "path": "netz/firewall",
     "kind": "network-device", "password": "Ws8#q-Zaun-Kabel"}
  ],
  "vendors": [
    {"id": "22222222-2222-4222-8222-222222222222", "name": "Systemhaus",
     "hotline": "0761 1", "contract": {"term_end": "2030-06-30", "notice_months": 3}}
  ],
  "systems": [
    {"name": "Firewall", "category": "firewall", "criticality": "critical",
     "vendor": "22222222-2222-4222-8222-222222222222",
     "entries": ["11111111-1111-4111-8111-111111111111"],
     "backup": {"method": "Konfig-Export", "last_restore_test": "2026-01-01"}}
  ],
  "networks": [{"name": "LAN", "cidr": "192.168.10.0/24", "vlan": 10}],
  "documents": [{"path": "erste-stunde", "kind": "first-hour-plan", "body": "# Los\n"}],
  "decisions": [
    {"id": "33333333-3333-4333-8333-333333333333", "date": "2023-01-01", "title": "Neu"},
    {"date": "2020-01-01", "title": "Alt", "status": "superseded",
     "superseded_by": "33333333-3333-4333-8333-333333333333"}
  ]
}"##,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = env.ok(&["import", "acme", "--format", "json", "--dry-run", path]);
    assert!(out.contains("would be added: Firewall"), "{out}");
    assert!(
        env.ok(&["system", "list", "acme"]).is_empty(),
        "dry run wrote nothing"
    );
    env.ok(&["import", "acme", "--format", "json", path]);
    let s = env.json(&["system", "show", "acme", "Firewall", "--json"]);
    let e = env.json(&["show", "acme", "netz/firewall", "--json"]);
    let v = env.json(&["vendor", "show", "acme", "Systemhaus", "--json"]);
    assert_eq!(s["entries"][0], e["id"]);
    assert_eq!(s["vendor"], v["id"]);
    assert_eq!(v["cancellation_deadline"], "2030-03-31");
    let d = env.json(&["decision", "list", "acme", "--json"]);
    assert_eq!(d[0]["title"], "Alt");
    assert_eq!(d[0]["superseded_by"], d[1]["id"]);
    assert!(kinds(&env).iter().any(|k| k == "knowledge-imported"));

    // Again: the names exist. Fail names them; skip keeps the vault; replace keeps ids.
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(&["import", "acme", "--format", "json", path], 1);
    assert!(
        err.contains("the entry \"netz/firewall\" is already in the vault"),
        "{err}"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);
    let err = env.fails(
        &[
            "import",
            "acme",
            "--format",
            "json",
            "--on-conflict",
            "rename",
            path,
        ],
        1,
    );
    assert!(err.contains("entries only"), "{err}");
    env.ok(&[
        "import",
        "acme",
        "--format",
        "json",
        "--on-conflict",
        "replace",
        path,
    ]);
    let again = env.json(&["system", "show", "acme", "Firewall", "--json"]);
    assert_eq!(again["id"], s["id"]);
    assert_eq!(again["entries"][0], e["id"]);

    // Broken files are refused whole, naming the place.
    for (bad, want) in [
        (
            r#"{"systems":[{"name":"X","entries":["44444444-4444-4444-8444-444444444444"]}]}"#,
            "neither in the import nor in the vault",
        ),
        (
            r#"{"systems":[{"name":"X","vendor":"44444444-4444-4444-8444-444444444444"}]}"#,
            "does not exist",
        ),
        (
            r#"{"systems":[{"name":"Y"},{"name":"Z","colour":"red"}]}"#,
            "systems, item 2",
        ),
        (r#"{"systme":[]}"#, "unknown field `systme`"),
    ] {
        std::fs::write(&file, bad).unwrap();
        let before = file_bytes(&env.vault("acme"));
        let err = env.fails(&["import", "acme", "--format", "json", path], 1);
        assert!(err.contains(want), "{bad}: {err}");
        assert_eq!(file_bytes(&env.vault("acme")), before);
    }
}

#[test]
fn the_bundle_carries_everything_and_verify_notices_changes() {
    let a = Env::new();
    let b = Env::new();
    client(&a);
    knowledge(&a);
    a.ok(&["edit", "acme", "m365/admin", "--location", "Tresor"]);

    let dossier = a.dir.path().join("d.pdf");
    let out = a.ok(&["dossier", "acme", "-o", dossier.to_str().unwrap()]);
    let fingerprint = out.trim().rsplit(' ').next().unwrap().to_owned();
    a.ok(&["verify", "acme", &fingerprint]);
    a.ok(&["network", "edit", "acme", "LAN", "--vlan", "3"]);
    let err = a.fails(&["verify", "acme", &fingerprint], 1);
    assert!(err.contains("has changed"), "{err}");

    let recipient_b = b.ok(&["init"]).trim().to_owned();
    let bundle = a.dir.path().join("acme.age");
    a.ok(&[
        "export",
        "acme",
        "--format",
        "bundle",
        "-o",
        bundle.to_str().unwrap(),
        "--recipient",
        &recipient_b,
    ]);
    let exported = plain(&file_bytes(&bundle), &identity(&b));
    for key in ["systems", "networks", "vendors", "documents", "decisions"] {
        assert_eq!(exported[key].as_array().map(Vec::len), Some(1), "{key}");
    }
    b.ok(&[
        "import",
        "acme",
        "--format",
        "bundle",
        bundle.to_str().unwrap(),
        "--expect-signer",
        &a.signing_fingerprint(),
    ]);
    let restored = plain(&file_bytes(&b.vault("acme")), &identity(&b));
    for key in [
        "entries",
        "systems",
        "networks",
        "vendors",
        "documents",
        "decisions",
    ] {
        assert_eq!(restored[key], exported[key], "{key} round-trips");
    }
    assert_eq!(
        b.json(&["system", "show", "acme", "Router", "--json"])["line_id"],
        "DEU.1"
    );
}

#[test]
fn knowledge_dates_take_both_forms_and_a_bad_one_is_refused() {
    let env = Env::new();
    client(&env);
    env.ok(&[
        "vendor",
        "add",
        "acme",
        "Telekom",
        "--contract-start",
        "01.07.2025",
        "--term-end",
        "31.12.2026",
    ]);
    let v = env.json(&["vendor", "show", "acme", "Telekom", "--json"]);
    assert_eq!(v["contract"]["start"], "2025-07-01");
    assert_eq!(v["contract"]["term_end"], "2026-12-31");
    env.ok(&[
        "system",
        "add",
        "acme",
        "NAS",
        "--purchased",
        "15.03.2024",
        "--warranty-until",
        "2027-03-14",
        "--restore-tested",
        "1.2.2026",
    ]);
    let s = env.json(&["system", "show", "acme", "NAS", "--json"]);
    assert_eq!(s["purchased"], "2024-03-15");
    assert_eq!(s["warranty_until"], "2027-03-14");
    assert_eq!(s["backup"]["last_restore_test"], "2026-02-01");
    env.ok(&["decision", "add", "acme", "Backup", "--date", "31.12.2025"]);
    assert_eq!(
        env.json(&["decision", "list", "acme", "--json"])[0]["date"],
        "2025-12-31"
    );
    env.ok(&["decision", "edit", "acme", "Backup", "--date", "02.01.2026"]);
    assert_eq!(
        env.json(&["decision", "show", "acme", "Backup", "--json"])["date"],
        "2026-01-02"
    );

    // Not a date: a usage error (exit 2) naming the flag, the value and both forms;
    // nothing changed.
    let before = file_bytes(&env.vault("acme"));
    for (args, flag, value) in [
        (
            vec![
                "vendor",
                "edit",
                "acme",
                "Telekom",
                "--term-end",
                "31.13.2026",
            ],
            "--term-end",
            "31.13.2026",
        ),
        (
            vec!["vendor", "add", "acme", "1&1", "--contract-start", "morgen"],
            "--contract-start",
            "morgen",
        ),
        (
            vec!["system", "edit", "acme", "NAS", "--purchased", "2024-02-30"],
            "--purchased",
            "2024-02-30",
        ),
        (
            vec!["decision", "add", "acme", "X", "--date", "12/31/2025"],
            "--date",
            "12/31/2025",
        ),
    ] {
        let err = env.fails(&args, 2);
        assert!(
            err.contains(&format!("{flag} {value:?} is not a date"))
                && err.contains("use YYYY-MM-DD or DD.MM.YYYY, e.g. 2026-12-31 or 31.12.2026"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn json_export_carries_the_whole_client_and_imports_back_the_same() {
    let env = Env::new();
    client(&env);
    knowledge(&env);
    env.ok(&[
        "vendor",
        "add",
        "acme",
        "Systemhaus",
        "--term-end",
        "30.06.2030",
        "--notice-months",
        "3",
        "--contact",
        "Frau Kern",
    ]);
    env.ok(&["link", "acme", "m365/admin", "--vendor", "Systemhaus"]);
    env.ok(&["decision", "add", "acme", "Alt", "--date", "2020-01-01"]);
    env.ok(&[
        "decision",
        "edit",
        "acme",
        "Alt",
        "--superseded-by",
        "Router",
    ]);

    let file = env.dir.path().join("acme.json");
    let path = file.to_str().unwrap();
    let err = env
        .run(&["export", "acme", "--format", "json", "-o", path])
        .stderr;
    assert!(
        String::from_utf8_lossy(&err).contains("with its systems, networks, vendors"),
        "{}",
        String::from_utf8_lossy(&err)
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "a plaintext export is private");
    let exported: serde_json::Value = serde_json::from_slice(&file_bytes(&file)).unwrap();
    for (key, n) in [
        ("entries", 2),
        ("systems", 1),
        ("networks", 1),
        ("vendors", 2),
        ("documents", 1),
        ("decisions", 2),
    ] {
        assert_eq!(exported[key].as_array().map(Vec::len), Some(n), "{key}");
    }

    env.new_client("beta");
    env.ok(&["import", "beta", "--format", "json", path]);
    for listing in [
        vec!["system", "list"],
        vec!["network", "list"],
        vec!["vendor", "list"],
        vec!["doc", "list"],
        vec!["decision", "list"],
    ] {
        let of = |client: &str| {
            let mut args = listing.clone();
            args.extend([client, "--json"]);
            env.json(&args)
        };
        assert_eq!(of("beta"), of("acme"), "{listing:?}");
    }
    let entries = |client: &str| env.json(&["list", client, "--json"]);
    assert_eq!(entries("beta"), entries("acme"));
    // The links hold in the new client: to its entries, vendors and decisions.
    let router = env.json(&["system", "show", "beta", "Router", "--json"]);
    let entry = env.json(&["show", "beta", "netz/firewall", "--json"]);
    let telekom = env.json(&["vendor", "show", "beta", "Telekom", "--json"]);
    let systemhaus = env.json(&["vendor", "show", "beta", "Systemhaus", "--json"]);
    assert_eq!(router["entries"][0], entry["id"]);
    assert_eq!(router["vendor"], telekom["id"]);
    assert_eq!(
        systemhaus["entries"][0],
        env.json(&["show", "beta", "m365/admin", "--json"])["id"]
    );
    assert_eq!(systemhaus["cancellation_deadline"], "2030-03-31");
    let old = env.json(&["decision", "show", "beta", "Alt", "--json"]);
    let new = env.json(&["decision", "show", "beta", "Router", "--json"]);
    assert_eq!(old["superseded_by"], new["id"]);
    assert_eq!(
        env.ok(&["doc", "show", "beta", "erste-stunde"]),
        env.ok(&["doc", "show", "acme", "erste-stunde"])
    );
    // Secrets travel as they did: the password is in the file and in the new vault.
    assert_eq!(
        env.json(&["show", "beta", "netz/firewall", "--reveal", "--json"])["password"],
        "Ws8#q-Zaun-Kabel"
    );
}
