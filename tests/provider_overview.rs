//! Across clients: `status`, `due` (and its iCalendar file) and `search`, on a store
//! whose date is fixed by SOURCE_DATE_EPOCH.

use crate::common::{Env, assert_success};

/// 2026-01-01T00:00:00Z.
const NEW_YEAR: &str = "1767225600";

fn at(env: &Env, args: &[&str]) -> std::process::Output {
    env.cmd(args)
        .env("SOURCE_DATE_EPOCH", NEW_YEAR)
        .output()
        .expect("run handover")
}

fn ok_at(env: &Env, args: &[&str]) -> String {
    let out = at(env, args);
    assert_success(&out, args);
    String::from_utf8(out.stdout).expect("utf-8")
}

/// acme: a licence expiring 2026-01-20, a NAS warranty ending 2026-02-01, a
/// contract that can be cancelled until 2026-02-28, a certificate expiring
/// 2026-03-01 and one far out in 2027. beta: nothing due.
fn store() -> Env {
    let env = Env::new();
    env.client_with(
        "acme",
        r#"[{"path":"Lizenz/Office","kind":"login","username":"u","url":"https://o.example",
             "password":"Gäste-Geheimnis-77!x","expires":"2026-01-20"},
            {"path":"Web/TLS","kind":"certificate","password":"cert-secret-Zz9!long",
             "expires":"2026-03-01"},
            {"path":"Web/Later","kind":"certificate","password":"cert-secret-Yy8!long",
             "expires":"2027-06-01"}]"#,
    );
    env.ok(&[
        "system",
        "add",
        "acme",
        "NAS",
        "--warranty-until",
        "2026-02-01",
    ]);
    env.ok(&[
        "vendor",
        "add",
        "acme",
        "Telekom, Business; Tarif",
        "--hotline",
        "0800 1",
        "--term-end",
        "2026-03-31",
        "--notice-months",
        "1",
    ]);
    env.new_client("beta");
    env
}

#[test]
fn due_lists_every_deadline_by_date_within_the_window() {
    let env = store();
    let out = ok_at(&env, &["due"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("DATE"), "{out}");
    let rows: Vec<Vec<&str>> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().take(3).collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["2026-01-20", "acme", "expiry"],
            vec!["2026-02-01", "acme", "warranty"],
            vec!["2026-02-28", "acme", "cancellation"],
            vec!["2026-03-01", "acme", "certificate"],
        ],
        "{out}"
    );
    assert!(lines[3].ends_with("Telekom, Business; Tarif"), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok_at(&env, &["due", "--within", "30", "--json"])).unwrap();
    assert_eq!(v["as_of"], "2026-01-01");
    let d = v["deadlines"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{v}");
    assert_eq!(d[0]["kind"], "expiry");
    assert_eq!(d[0]["what"], "Lizenz/Office");
    assert_eq!(d[0]["client"], "acme");
    // A year ahead reaches the 2027 certificate too.
    let v: serde_json::Value =
        serde_json::from_str(&ok_at(&env, &["due", "--within", "600", "--json"])).unwrap();
    assert_eq!(v["deadlines"].as_array().unwrap().len(), 5);
}

#[test]
fn status_puts_what_needs_attention_first_and_totals() {
    let env = store();
    let v: serde_json::Value = serde_json::from_str(&ok_at(&env, &["status", "--json"])).unwrap();
    let clients = v["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 2);
    let acme = clients.iter().find(|c| c["client"] == "acme").unwrap();
    assert_eq!(acme["entries"], 3);
    assert_eq!(acme["due"], 4);
    assert_eq!(acme["next_deadline"]["date"], "2026-01-20");
    assert_eq!(acme["last_dossier"], serde_json::Value::Null);
    assert_eq!(acme["dossier_outdated"], false);
    // check's findings as of 2026-01-01: both expiries and the cancellation
    // deadline are warnings, the missing first-hour plan and the lone recipient too;
    // nothing blocks.
    assert_eq!(
        (acme["blocking"].clone(), acme["warnings"].clone()),
        (0.into(), 5.into()),
        "{acme}"
    );
    assert_eq!(v["total"]["clients"], 2);
    assert_eq!(v["total"]["entries"], 3);
    assert_eq!(v["total"]["never_printed"], 2);
    assert_eq!(v["total"]["due"], 4);
    // acme has a deadline soon; beta none: with equal blocking counts acme comes first.
    if clients[0]["blocking"] == clients[1]["blocking"] {
        assert_eq!(clients[0]["client"], "acme");
    }

    let text = ok_at(&env, &["status"]);
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("total: 2 client(s), 3 entries,")
            && last.ends_with("4 deadline(s) within 90 days"),
        "{text}"
    );
    let acme_line = text.lines().find(|l| l.starts_with("acme ")).unwrap();
    assert!(
        acme_line.contains("never printed")
            && acme_line.ends_with("2026-01-20 expiry Lizenz/Office (+3 more)"),
        "{text}"
    );
}

#[test]
fn status_tells_an_outdated_dossier() {
    let env = store();
    let pdf = env.dir.path().join("acme.pdf");
    ok_at(&env, &["dossier", "acme", "-o", pdf.to_str().unwrap()]);
    let row = |env: &Env| {
        let v: serde_json::Value =
            serde_json::from_str(&ok_at(env, &["status", "--json"])).unwrap();
        v["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["client"] == "acme")
            .unwrap()
            .clone()
    };
    let fresh = row(&env);
    assert_eq!(fresh["dossier_outdated"], false);
    assert!(
        fresh["last_dossier"]
            .as_str()
            .unwrap()
            .starts_with("2026-01-01")
    );
    env.ok(&["edit", "acme", "Lizenz/Office", "--username", "neu"]);
    assert_eq!(row(&env)["dossier_outdated"], true);
    let text = ok_at(&env, &["status"]);
    assert!(text.contains("2026-01-01 outdated"), "{text}");
}

#[test]
fn the_ics_file_is_well_formed_icalendar() {
    let env = store();
    let ics = env.dir.path().join("due.ics");
    let out = at(&env, &["due", "--ics", ics.to_str().unwrap()]);
    assert_success(&out, &["due", "--ics"]);
    let bytes = std::fs::read(&ics).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.ends_with("\r\n"));
    // Every line ends with CRLF: no bare LF or CR anywhere.
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    assert_eq!(text.matches('\r').count(), text.matches("\r\n").count());
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line:?}");
    }
    let unfolded = text.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"));
    assert_eq!(lines.last(), Some(&"END:VCALENDAR"));
    assert!(lines.contains(&"VERSION:2.0"));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let begins = lines.iter().filter(|l| **l == "BEGIN:VEVENT").count();
    assert_eq!(begins, 4);
    assert_eq!(lines.iter().filter(|l| **l == "END:VEVENT").count(), 4);
    let uids: std::collections::BTreeSet<&&str> =
        lines.iter().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids.len(), 4, "UIDs are unique");
    assert_eq!(
        lines
            .iter()
            .filter(|l| **l == "DTSTAMP:20260101T000000Z")
            .count(),
        4
    );
    assert!(lines.contains(&"DTSTART;VALUE=DATE:20260228"));
    assert!(lines.contains(&"DTEND;VALUE=DATE:20260301"));
    // TEXT escaping of the vendor's comma and semicolon.
    assert!(
        unfolded.contains(
            "SUMMARY:acme: last day to cancel the contract with Telekom\\, Business\\; Tarif\r\n"
        ),
        "{unfolded}"
    );
    // The same deadlines give the same UIDs: a calendar re-import updates.
    let again = env.dir.path().join("again.ics");
    assert_success(
        &at(&env, &["due", "--ics", again.to_str().unwrap()]),
        &["due"],
    );
    assert_eq!(std::fs::read(&again).unwrap(), text.as_bytes());
    // Optional: a real parser, if installed.
}

#[test]
fn bad_input_and_unreadable_vaults() {
    let env = store();
    let err = env.fails(&["due", "--within", "soon"], 2);
    assert!(err.contains("--within"), "{err}");
    let nowhere = env.dir.path().join("no/such/dir/due.ics");
    let err = env.fails(&["due", "--ics", nowhere.to_str().unwrap()], 1);
    assert!(err.contains("no/such/dir"), "{err}");
    assert!(!nowhere.exists());
    // A damaged vault is named, the others are still listed, and the exit is 1.
    std::fs::write(env.vault("beta"), b"not a vault").unwrap();
    let out = at(&env, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("acme "), "{stdout}");
    assert!(stderr.contains("beta: "), "{stderr}");
    assert!(
        stderr.contains("1 vault(s) could not be opened (see above) and are missing from the list"),
        "{stderr}"
    );
    let out = at(&env, &["due", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unreadable"][0]["client"], "beta");
    assert_eq!(v["deadlines"].as_array().unwrap().len(), 4);
}

#[test]
fn search_finds_text_in_any_case_and_spelling_but_never_a_secret() {
    let env = store();
    env.client_with(
        "gamma",
        r#"[{"path":"WLAN/Gäste","kind":"wifi","password":"strasse-gaeste-Geheim1!",
             "fields":[{"name":"ssid","value":"Gast-Netz","secret":false},
                       {"name":"pin","value":"strasse-9911","secret":true}]},
            {"path":"Büro/Drucker","kind":"login","username":"druck","host":"10.0.0.9",
             "notes":"Im Flur an der Hauptstraße","password":"x-Gäste-Passwort-42!"}]"#,
    );
    env.ok(&["system", "add", "gamma", "Kasse Gästebereich"]);
    // "gaeste" finds the path (Gäste) and the system, never the passwords holding it.
    let out = env.ok(&["search", "gaeste"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("gamma")
            && lines[0].contains("entry")
            && lines[0].contains("WLAN/Gäste  (path, title)"),
        "{out}"
    );
    assert!(
        lines[1].contains("system") && lines[1].contains("Kasse Gästebereich"),
        "{out}"
    );
    // "strasse" finds the note's "Hauptstraße", not the secret values beginning with it.
    let v = env.json(&["search", "STRASSE", "gamma", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["name"], "Büro/Drucker");
    assert_eq!(v[0]["matched"], serde_json::json!(["notes"]));
    // A non-secret field's value is found; the secret one's is not.
    let v = env.json(&["search", "gast-netz", "--json"]);
    assert_eq!(v[0]["matched"], serde_json::json!(["field \"ssid\""]));
    assert_eq!(
        env.json(&["search", "9911", "--json"]),
        serde_json::json!([])
    );
    for term in ["Geheim1", "Passwort-42", "9911"] {
        let out = env.run(&["search", term]);
        assert!(out.status.success());
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("Nothing found"), "{all}");
        for secret in [
            "strasse-gaeste-Geheim1!",
            "strasse-9911",
            "x-Gäste-Passwort-42!",
        ] {
            assert!(!all.contains(secret), "{all}");
        }
    }
    // Bad input: an empty term, an unknown client.
    let err = env.fails(&["search", " "], 2);
    assert!(err.contains("the search term is empty"), "{err}");
    let err = env.fails(&["search", "x", "nobody"], 1);
    assert!(err.contains("\"nobody\" does not exist"), "{err}");
}
