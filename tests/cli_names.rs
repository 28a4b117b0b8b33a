//! End-to-end tests of how names are typed: client ids, entry paths and the names of
//! systems, networks, vendors, documents and decisions are found whatever their case
//! and accents when they can mean only one record, and a name that means none gets
//! the closest ones offered, with nothing changed.

use crate::common;

use common::{Env, file_bytes};

/// A client with entries whose paths differ in case and carry spaces, umlauts and a
/// quote, and one knowledge record of each kind.
fn client(env: &Env) {
    env.client_with(
        "baeckerei-brandt",
        r#"[{"path":"Drucker/Kyocera Büro","kind":"login","username":"admin","password":"Kyo-Tinte-4711"},
            {"path":"m365/global-admin","kind":"login","username":"ga@brandt.example","password":"Brot-Ofen-2219"},
            {"path":"m365/billing-admin","kind":"login","username":"ba@brandt.example","password":"Mehl-Sack-8812"},
            {"path":"wlan/Gast","kind":"wifi","password":"Gast-Netz-5501"},
            {"path":"wlan/gast","kind":"wifi","password":"Gast-Netz-5502"},
            {"path":"Bob's PC/login","kind":"login","username":"bob","password":"Bobs-Rechner-1"}]"#,
    );
    let c = "baeckerei-brandt";
    env.ok(&["system", "add", c, "Kassensystem"]);
    env.ok(&["network", "add", c, "Gäste", "--cidr", "10.0.20.0/24"]);
    env.ok(&["vendor", "add", c, "Telekom"]);
    env.ok_stdin(
        &[
            "doc",
            "add",
            c,
            "Notfall/Stromausfall",
            "--kind",
            "procedure",
            "--stdin",
        ],
        b"# Stromausfall\n",
    );
    env.ok(&[
        "decision",
        "add",
        c,
        "Backup in die Cloud",
        "--date",
        "2026-01-15",
    ]);
}

fn stderr_line(err: &str) -> &str {
    err.trim_end()
}

#[test]
fn an_entry_path_in_another_case_or_without_its_umlauts_is_found() {
    let env = Env::new();
    client(&env);
    let shown = env.ok(&["show", "baeckerei-brandt", "drucker/kyocera buero"]);
    assert!(shown.contains("Drucker/Kyocera Büro"), "{shown}");
    let shown = env.ok(&["show", "Baeckerei-Brandt", "M365/GLOBAL-ADMIN", "--reveal"]);
    assert!(shown.contains("Brot-Ofen-2219"), "{shown}");
    // A change through the folded name changes the entry it means.
    env.ok(&[
        "edit",
        "baeckerei-brandt",
        "M365/Global-Admin",
        "--username",
        "it@brandt.example",
    ]);
    let shown = env.ok(&["show", "baeckerei-brandt", "m365/global-admin"]);
    assert!(shown.contains("it@brandt.example"), "{shown}");
    env.ok(&[
        "move",
        "baeckerei-brandt",
        "DRUCKER/KYOCERA BÜRO",
        "Drucker/Kyocera Flur",
    ]);
    let list = env.ok(&["list", "baeckerei-brandt"]);
    assert!(
        list.contains("Drucker/Kyocera Flur") && !list.contains("Büro"),
        "{list}"
    );
}

#[test]
fn a_mistyped_entry_path_is_refused_with_the_closest_paths() {
    let env = Env::new();
    client(&env);
    let before = file_bytes(&env.vault("baeckerei-brandt"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["show", "baeckerei-brandt", "m365/global-admn"],
            r#"handover: error: client "baeckerei-brandt" has no entry "m365/global-admn" (did you mean "m365/global-admin"?); `handover list baeckerei-brandt` shows its entries"#,
        ),
        (
            vec!["edit", "baeckerei-brandt", "kyocera", "--username", "x"],
            r#"handover: error: client "baeckerei-brandt" has no entry "kyocera" (did you mean "Drucker/Kyocera Büro"?); `handover list baeckerei-brandt` shows its entries"#,
        ),
        // Two paths differ only in case: neither is guessed, both are offered.
        (
            vec!["remove", "baeckerei-brandt", "WLAN/GAST"],
            r#"handover: error: client "baeckerei-brandt" has no entry "WLAN/GAST" (did you mean "wlan/Gast" or "wlan/gast"?); `handover list baeckerei-brandt` shows its entries"#,
        ),
        (
            vec!["rotate", "baeckerei-brandt", "router/root", "--mark"],
            r#"handover: error: client "baeckerei-brandt" has no entry "router/root"; `handover list baeckerei-brandt` shows its entries"#,
        ),
    ];
    for (args, want) in cases {
        let err = env.fails(&args, 1);
        assert_eq!(stderr_line(&err), want, "{args:?}");
    }
    assert_eq!(file_bytes(&env.vault("baeckerei-brandt")), before);
}

#[test]
fn a_client_id_in_capitals_is_found_and_a_mistyped_one_gets_the_closest() {
    let env = Env::new();
    client(&env);
    env.new_client("baeckerei-meier");
    let list = env.ok(&["list", "BÄCKEREI-BRANDT"]);
    assert!(list.contains("m365/global-admin"), "{list}");
    let err = env.fails(&["list", "baeckerei-brand"], 1);
    assert_eq!(
        stderr_line(&err),
        r#"handover: error: client "baeckerei-brand" does not exist (did you mean "baeckerei-brandt"?); `handover client list` shows the clients in this store"#
    );
    let err = env.fails(&["list", "baeckerei"], 1);
    assert_eq!(
        stderr_line(&err),
        r#"handover: error: client "baeckerei" does not exist (did you mean "baeckerei-meier" or "baeckerei-brandt"?); `handover client list` shows the clients in this store"#
    );
    let err = env.fails(&["list", "zahnarzt-ziegler"], 1);
    assert_eq!(
        stderr_line(&err),
        r#"handover: error: client "zahnarzt-ziegler" does not exist; `handover client list` shows the clients in this store"#
    );
    // A new client takes its id exactly as written.
    let err = env.fails(&["client", "new", "Zahnarzt", "--name", "Z"], 1);
    assert!(err.contains("other than a-z, 0-9 and '-'"), "{err}");
}

#[test]
fn knowledge_records_are_found_like_entries() {
    let env = Env::new();
    client(&env);
    let c = "baeckerei-brandt";
    let shown = env.ok(&["network", "show", c, "gaeste"]);
    assert!(shown.contains("10.0.20.0/24"), "{shown}");
    assert!(
        env.ok(&["system", "show", c, "KASSENSYSTEM"])
            .contains("Kassensystem")
    );
    assert!(
        env.ok(&["vendor", "show", c, "telekom"])
            .contains("Telekom")
    );
    assert!(
        env.ok(&["doc", "show", c, "notfall/stromausfall"])
            .contains("Stromausfall")
    );
    let shown = env.ok(&["decision", "show", c, "backup in die cloud"]);
    assert!(shown.contains("Backup in die Cloud"), "{shown}");
    env.ok(&["link", c, "m365/GLOBAL-admin", "--system", "kassensystem"]);
    let shown = env.ok(&["system", "show", c, "Kassensystem"]);
    assert!(shown.contains("m365/global-admin"), "{shown}");

    let before = file_bytes(&env.vault(c));
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["system", "edit", c, "Kasensystem", "--os", "Linux"],
            "has no system \"Kasensystem\" (did you mean \"Kassensystem\"?); `handover system list baeckerei-brandt` shows its systems".into(),
        ),
        (
            vec!["network", "remove", c, "Gast"],
            "has no network \"Gast\" (did you mean \"Gäste\"?); `handover network list baeckerei-brandt` shows its networks".into(),
        ),
        (
            vec!["system", "add", c, "NAS", "--vendor", "Telecom"],
            "has no vendor \"Telecom\" (did you mean \"Telekom\"?); `handover vendor list baeckerei-brandt` shows its vendors".into(),
        ),
        (
            vec!["doc", "show", c, "Stromausfall"],
            "has no document \"Stromausfall\" (did you mean \"Notfall/Stromausfall\"?); `handover doc list baeckerei-brandt` shows its documents".into(),
        ),
        (
            vec!["decision", "edit", c, "Backup in der Cloud", "--current"],
            "has no decision \"Backup in der Cloud\" (did you mean \"Backup in die Cloud\"?); `handover decision list baeckerei-brandt` shows its decisions".into(),
        ),
    ];
    for (args, want) in cases {
        let err = env.fails(&args, 1);
        assert_eq!(
            stderr_line(&err),
            format!("handover: error: client \"baeckerei-brandt\" {want}"),
            "{args:?}"
        );
    }
    assert_eq!(file_bytes(&env.vault(c)), before);
}

/// The first command in backticks in `message`.
fn suggested(message: &str) -> &str {
    let start = message.find("`handover ").expect("a suggested command") + 1;
    let len = message[start..].find('`').expect("closing backtick");
    &message[start..start + len]
}

/// Runs `line` in a POSIX shell with this build's binary as `handover`.
fn paste(env: &Env, line: &str) -> std::process::Output {
    let bin_dir = common::bin().parent().expect("bin dir").to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("sh")
        .args(["-c", line])
        .env("PATH", path)
        .env("HANDOVER_STORE", env.store())
        .env("HANDOVER_IDENTITY", env.identity())
        .env("HOME", env.dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run sh")
}

#[test]
fn suggested_commands_name_the_real_entry_quoted_for_the_shell() {
    let env = Env::new();
    client(&env);
    let c = "baeckerei-brandt";
    let out = env.run(&["rotate", c, "bob's pc/LOGIN", "--generate", "16"]);
    assert!(out.status.success(), "{out:?}");
    let told = String::from_utf8(out.stderr).unwrap();
    assert!(
        told.contains(
            r"(see it with `handover show baeckerei-brandt 'Bob'\''s PC/login' --reveal`)"
        ),
        "{told}"
    );
    assert!(
        told.contains(r"put it back with `handover rotate baeckerei-brandt 'Bob'\''s PC/login' --password-stdin`"),
        "{told}"
    );
    // Pasted into a shell as printed, it shows that entry.
    let shown = paste(&env, suggested(&told));
    assert!(shown.status.success(), "{shown:?}");
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Bob's PC/login"));

    let err = env.fails(&["totp", c, "drucker/kyocera büro"], 1);
    assert_eq!(
        stderr_line(&err),
        r#"handover: error: entry "Drucker/Kyocera Büro" has no TOTP secret; add one with `handover edit baeckerei-brandt 'Drucker/Kyocera Büro' --totp`"#
    );

    // A critical system without a backup: `check` names it, quoted.
    env.ok(&[
        "system",
        "add",
        c,
        "Kasse $1 \"alt\"",
        "--criticality",
        "critical",
    ]);
    let report = env.run(&["check", c]);
    let report = String::from_utf8_lossy(&report.stdout).into_owned();
    assert!(
        report.contains(r#"`handover system edit baeckerei-brandt 'Kasse $1 "alt"' --backup-method ... --backup-target ...`"#),
        "{report}"
    );
    assert!(
        report.contains(r#"`handover link baeckerei-brandt PATH --system 'Kasse $1 "alt"'`"#),
        "{report}"
    );
    let line = suggested(&report[report.find("system edit").unwrap() - 10..])
        .replace("... --backup-target ...", "NAS --backup-target C2");
    let done = paste(&env, &line);
    assert!(done.status.success(), "{line}: {done:?}");
    let shown = env.ok(&["system", "show", c, "Kasse $1 \"alt\""]);
    assert!(shown.contains("NAS"), "{shown}");
}
