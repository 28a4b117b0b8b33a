//! A provider's day (issue 25): secret history, PINs, empty secrets, acknowledged
//! findings, settings, `status`, `due`, `search` and the CLI conventions.

use crate::common;

use common::{Env, file_bytes};

fn check(env: &Env, client: &str) -> serde_json::Value {
    let out = env.run(&["check", client, "--json"]);
    serde_json::from_slice(&out.stdout).expect("check --json prints JSON")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_rotation_keeps_and_shows_the_previous_password() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &["add", "acme", "Drucker/Kyocera Büro", "--password-stdin"],
        b"alt-Passwort-1\n",
    );
    let out = env.run(&["rotate", "acme", "Drucker/Kyocera Büro", "--generate"]);
    common::assert_success(&out, &["rotate"]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "The previous password is kept: `handover show acme 'Drucker/Kyocera Büro' --history --reveal` shows it; if the change on the system fails, put it back with `handover rotate acme 'Drucker/Kyocera Büro' --password-stdin`."
        ),
        "{err}"
    );
    // Without --history the old value is nowhere; with it, masked unless --reveal.
    let plain = env.ok(&["show", "acme", "Drucker/Kyocera Büro", "--reveal"]);
    assert!(!plain.contains("alt-Passwort-1"), "{plain}");
    let json = env.json(&["show", "acme", "Drucker/Kyocera Büro", "--json", "--reveal"]);
    assert!(json.get("previous").is_none(), "{json}");
    let masked = env.ok(&["show", "acme", "Drucker/Kyocera Büro", "--history"]);
    assert!(
        masked.contains("Previous secrets (newest first):"),
        "{masked}"
    );
    assert!(!masked.contains("alt-Passwort-1"), "{masked}");
    let shown = env.ok(&[
        "show",
        "acme",
        "Drucker/Kyocera Büro",
        "--history",
        "--reveal",
    ]);
    assert!(shown.contains("alt-Passwort-1"), "{shown}");
    let json = env.json(&[
        "show",
        "acme",
        "Drucker/Kyocera Büro",
        "--json",
        "--history",
        "--reveal",
    ]);
    assert_eq!(json["previous"][0]["part"], "password");
    assert_eq!(json["previous"][0]["value"], "alt-Passwort-1");
    assert!(json["previous"][0]["replaced"].is_string());

    // Never in the history events.
    let log = env.ok(&["log", "acme", "--json"]);
    assert!(!log.contains("alt-Passwort-1"), "{log}");

    // `edit` keeps the replaced values too, and only the last five are kept.
    for i in 2..=7 {
        env.ok_stdin(
            &["edit", "acme", "Drucker/Kyocera Büro", "--password-stdin"],
            format!("Passwort-{i}\n").as_bytes(),
        );
    }
    let json = env.json(&[
        "show",
        "acme",
        "Drucker/Kyocera Büro",
        "--json",
        "--history",
        "--reveal",
    ]);
    let previous = json["previous"].as_array().unwrap();
    assert_eq!(previous.len(), 5, "{json}");
    assert_eq!(previous[4]["value"], "Passwort-6");
    assert!(!json.to_string().contains("alt-Passwort-1"));
}

#[test]
fn pins_are_generated_and_judged_as_pins() {
    let env = Env::new();
    env.new_client("acme");
    let pin = env.ok(&["generate", "6", "--charset", "digits"]);
    assert_eq!(pin.trim().len(), 6);
    assert!(pin.trim().bytes().all(|b| b.is_ascii_digit()), "{pin}");
    let err = env.fails(&["generate", "6"], 1);
    assert!(
        err.contains("password length 6 is out of range; use 8 to 1024 (a PIN or a code without symbols can be shorter: --charset digits or alnum, from 4)"),
        "{err}"
    );

    env.ok_stdin(&["add", "acme", "kasse/pin", "--password-stdin"], b"1234\n");
    let v = check(&env, "acme");
    assert!(v.to_string().contains("weak-password"), "{v}");
    env.ok(&[
        "rotate",
        "acme",
        "kasse/pin",
        "--generate",
        "4",
        "--charset",
        "digits",
    ]);
    let shown = env.json(&["show", "acme", "kasse/pin", "--json", "--reveal"]);
    assert_eq!(shown["password_charset"], "digits");
    assert_eq!(shown["password"].as_str().unwrap().len(), 4);
    // A PIN typed in is judged as one too; a run is still weak.
    env.ok_stdin(
        &[
            "edit",
            "acme",
            "kasse/pin",
            "--password-stdin",
            "--charset",
            "digits",
        ],
        b"730215\n",
    );
    let v = check(&env, "acme");
    assert!(!v.to_string().contains("weak-password"), "{v}");
    env.ok_stdin(
        &["rotate", "acme", "kasse/pin", "--password-stdin"],
        b"123456\n",
    );
    let v = check(&env, "acme");
    assert!(v.to_string().contains("The PIN is weak"), "{v}");

    // A charset the typed password does not fit: refused, nothing written.
    let before = file_bytes(&env.vault("acme"));
    let out = env.run_stdin(
        &[
            "rotate",
            "acme",
            "kasse/pin",
            "--password-stdin",
            "--charset",
            "digits",
        ],
        b"12ab56\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the new password has characters that --charset digits does not allow; nothing was changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn empty_secrets_are_refused_and_nothing_is_written() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["add", "acme", "fw", "--no-password"]);
    let before = file_bytes(&env.vault("acme"));
    for (args, flag) in [
        (
            vec!["add", "acme", "test/leer", "--password-stdin"],
            "--password-stdin",
        ),
        (
            vec!["edit", "acme", "fw", "--password-stdin"],
            "--password-stdin",
        ),
        (
            vec!["rotate", "acme", "fw", "--password-stdin"],
            "--password-stdin",
        ),
        (
            vec!["edit", "acme", "fw", "--secret-field-stdin", "PIN"],
            "--secret-field-stdin",
        ),
    ] {
        for input in [&b""[..], b"\n", b"\r\n"] {
            let out = env.run_stdin(&args, input);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert_eq!(
                stderr(&out),
                format!(
                    "handover: error: {flag}: stdin is empty, and an empty secret is not stored; nothing was changed (to remove a secret, use `handover edit` with --clear)\n"
                ),
                "{args:?}"
            );
        }
    }
    assert_eq!(file_bytes(&env.vault("acme")), before);
    let list = env.ok(&["list", "acme"]);
    assert!(!list.contains("leer"), "{list}");
}

#[test]
fn an_acknowledged_warning_is_listed_and_not_counted() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["client", "edit", "acme", "--add-contact", "Jutta Müller"]);
    env.ok_stdin(
        &[
            "add",
            "acme",
            "kasse/login",
            "--username",
            "kasse",
            "--password-stdin",
        ],
        b"k7Qm2x-Lp9w-Rz4v\n",
    );
    let before = check(&env, "acme");
    let warnings = before["warnings"].as_u64().unwrap();
    assert!(before.to_string().contains("login-no-location"), "{before}");

    // Refusals: a blocking or absent finding, an unknown code, no reason.
    let vault = file_bytes(&env.vault("acme"));
    let err = env.fails(
        &[
            "check",
            "acme",
            "--ack",
            "login-no-location",
            "kasse/nope",
            "--why",
            "x",
        ],
        1,
    );
    assert!(
        err.contains("`check` reports no warning login-no-location for \"kasse/nope\" now; acknowledge a warning it lists (code and path as it prints them); nothing was changed"),
        "{err}"
    );
    let err = env.fails(
        &[
            "check",
            "acme",
            "--ack",
            "login-no-locaton",
            "kasse/login",
            "--why",
            "x",
        ],
        1,
    );
    assert!(
        err.contains("\"login-no-locaton\" is not a finding code of `check`"),
        "{err}"
    );
    let err = env.fails(
        &["check", "acme", "--ack", "login-no-location", "kasse/login"],
        2,
    );
    assert!(err.contains("--why"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), vault);

    env.ok(&[
        "check",
        "acme",
        "--ack",
        "login-no-location",
        "kasse/login",
        "--why",
        "Kasse hat nur eine lokale Anmeldung",
    ]);
    let after = check(&env, "acme");
    assert_eq!(after["warnings"].as_u64().unwrap(), warnings - 1, "{after}");
    assert_eq!(after["acknowledged"][0]["code"], "login-no-location");
    assert_eq!(
        after["acknowledged"][0]["why"],
        "Kasse hat nur eine lokale Anmeldung"
    );
    let text = env.run(&["check", "acme"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("ACKED")
            && text.contains("(acknowledged ")
            && text.contains("Kasse hat nur eine lokale Anmeldung"),
        "{text}"
    );
    let log = env.ok(&["log", "acme"]);
    assert!(log.contains("acknowledged the warning login-no-location for \"kasse/login\": Kasse hat nur eine lokale Anmeldung"), "{log}");

    env.ok(&[
        "check",
        "acme",
        "--unack",
        "login-no-location",
        "kasse/login",
    ]);
    assert_eq!(check(&env, "acme")["warnings"].as_u64().unwrap(), warnings);
    let err = env.fails(
        &[
            "check",
            "acme",
            "--unack",
            "login-no-location",
            "kasse/login",
        ],
        1,
    );
    assert!(
        err.contains("is not acknowledged; nothing was changed"),
        "{err}"
    );
}

#[test]
fn settings_are_changed_by_command() {
    let env = Env::new();
    env.ok(&["config", "set", "provider-domain", "IT-Schaefer.de"]);
    env.ok(&["config", "set", "provider-domain", "@schaefer-it.com"]);
    env.ok(&["config", "set", "provider-name", "IT-Service Schäfer"]);
    let v = env.json(&["config", "show", "--json"]);
    assert_eq!(
        v["provider_domains"],
        serde_json::json!(["it-schaefer.de", "schaefer-it.com"])
    );
    assert_eq!(v["provider"]["name"], "IT-Service Schäfer");
    let text = env.ok(&["config", "show"]);
    assert!(
        text.contains("provider-domain    it-schaefer.de, schaefer-it.com"),
        "{text}"
    );

    let err = env.fails(&["config", "set", "provider-domain", "not a domain"], 1);
    assert!(err.contains("is not an e-mail domain"), "{err}");
    env.ok(&["config", "unset", "provider-domain", "schaefer-it.com"]);
    env.ok(&["config", "unset", "provider-name"]);
    let v = env.json(&["config", "show", "--json"]);
    assert_eq!(v["provider_domains"], serde_json::json!(["it-schaefer.de"]));
    assert!(v.get("provider").is_none(), "{v}");

    // check uses the domain from the configuration.
    env.new_client("acme");
    env.ok_stdin(
        &[
            "add",
            "acme",
            "m365/admin",
            "--username",
            "admin@it-schaefer.de",
            "--url",
            "https://portal.office.com",
            "--password-stdin",
        ],
        b"k7Qm2x-Lp9w-Rz4v\n",
    );
    assert!(check(&env, "acme").to_string().contains("provider-domain"));
}
