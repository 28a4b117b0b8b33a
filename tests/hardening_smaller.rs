//! Issue 21's smaller points, through the real binary: names that print as nothing or
//! reorder text, long rejected names quoted short, a document's name called so, a
//! contract that does not renew, a notice period longer than the term, and `client
//! list`'s exit code for a vault that holds another client.

use crate::common;

use std::fs;

use common::{Env, file_bytes, pdf_text};

#[test]
fn invisible_reordering_and_overlong_names_are_refused_briefly() {
    let env = Env::new();
    env.new_client("acme");
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(&["system", "add", "acme", "\u{200B}"], 1);
    assert!(err.contains("it has no visible character"), "{err}");
    let err = env.fails(&["system", "add", "acme", "NAS\u{202E}txt.exe"], 1);
    assert!(err.contains("bidirectional control U+202E"), "{err}");
    let long = "N".repeat(10_000);
    let err = env.fails(&["vendor", "add", "acme", &long], 1);
    assert!(
        err.contains(&format!("\"{}…\"", "N".repeat(60))) && err.len() < 400,
        "{err}"
    );
    let err = env.fails(&["add", "acme", &format!("a/{long}"), "--no-password"], 1);
    assert!(err.len() < 400, "{err}");
    let err = env.fails(
        &[
            "doc",
            "add",
            "acme",
            "../../etc/x",
            "--kind",
            "note",
            "--stdin",
        ],
        1,
    );
    assert!(
        err.contains("invalid document name \"../../etc/x\": it has a '.' or '..' segment"),
        "{err}"
    );
    assert!(!err.contains("entry path"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before, "nothing written");
}

#[test]
fn contracts_say_whether_they_renew_and_a_notice_longer_than_the_term_is_refused() {
    let env = Env::new();
    env.new_client("acme");
    let err = env.fails(
        &[
            "vendor",
            "add",
            "acme",
            "Telekom",
            "--contract-start",
            "2026-01-01",
            "--term-end",
            "2026-12-31",
            "--notice-months",
            "120",
        ],
        1,
    );
    assert!(
        err.contains("a notice period cannot be longer than the whole term"),
        "{err}"
    );
    // Past its deadline, within the warning's 90 days: one renews, one does not.
    let today = chrono::Utc::now().date_naive();
    let end = (today + chrono::Days::new(20)).to_string();
    for (name, renews) in [("Telekom", true), ("Hosting", false)] {
        let mut args = vec![
            "vendor",
            "add",
            "acme",
            name,
            "--term-end",
            &end,
            "--notice-months",
            "1",
        ];
        if renews {
            args.extend(["--renews-months", "12"]);
        }
        env.ok(&args);
    }
    for (lang, renews, ends) in [
        (
            "en",
            "the contract renews.",
            "the contract does not renew and ends with its term.",
        ),
        (
            "de",
            "der Vertrag verlängert sich.",
            "der Vertrag verlängert sich nicht und endet mit seiner Laufzeit.",
        ),
    ] {
        let pdf = env.dir.path().join(format!("d-{lang}.pdf"));
        env.ok(&[
            "dossier",
            "acme",
            "-o",
            pdf.to_str().unwrap(),
            "--lang",
            lang,
        ]);
        let text = pdf_text(&pdf)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(text.matches(renews).count(), 1, "{lang}: {text}");
        assert_eq!(text.matches(ends).count(), 1, "{lang}: {text}");
    }
}

#[test]
fn client_list_fails_for_a_vault_holding_another_client_as_for_a_bad_signature() {
    let env = Env::new();
    env.new_client("acme");
    env.new_client("beta");
    env.ok(&["client", "list"]);
    // beta's genuine, validly signed vault put in acme's place.
    let clients = env.store().join("clients");
    fs::copy(clients.join("beta.age"), clients.join("acme.age")).unwrap();
    fs::copy(clients.join("beta.age.sig"), clients.join("acme.age.sig")).unwrap();
    let out = env.run(&["client", "list"]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("it holds client \"beta\", not \"acme\""),
        "{said}"
    );
    assert!(said.contains("1 vault(s) were refused"), "{said}");
}

#[test]
fn a_sign_migration_killed_after_pinning_is_completed_by_the_next_sign() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["add", "acme", "fw/admin", "--no-password"]);
    // What a first `sign` killed after pinning leaves: this machine's pin (its own key,
    // no revisions yet), a store without a signer list, unsigned vaults.
    for f in ["signers.json", "signers.json.sig", "allowed_signers"] {
        fs::remove_file(env.store().join(f)).unwrap();
    }
    fs::remove_file(env.store().join("clients/acme.age.sig")).unwrap();
    let pins = env.identity().with_extension("trust.json");
    let mut json: serde_json::Value = serde_json::from_slice(&file_bytes(&pins)).unwrap();
    for (_, store) in json["stores"].as_object_mut().unwrap() {
        store["revisions"] = serde_json::json!({});
    }
    fs::write(&pins, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    fs::remove_dir_all(env.identity().with_extension("trust.revisions")).unwrap();

    env.ok(&["sign", "--yes"]);
    assert!(
        env.store().join("signers.json").exists(),
        "the list is written"
    );
    assert!(env.ok(&["list", "acme"]).contains("fw/admin"));
    assert!(env.ok(&["signers"]).contains("(you)"));
    // Nothing asks for `signers pin`: the store is the one this machine signed.
    env.ok(&["add", "acme", "fw/two", "--no-password"]);
}
