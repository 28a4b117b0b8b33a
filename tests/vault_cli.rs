//! End-to-end tests of the vault commands: the real binary on temporary stores.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::{Env, file_bytes, require_tool};

const SSH_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDkq3Zbt9GYl+O5h3fJxk0tU0DkD1qZ3hN6yq0wq8qX3AAAAJgxyz1xMcs9
-----END OPENSSH PRIVATE KEY-----";

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_creates_private_store_and_identity_and_is_idempotent() {
    let env = Env::bare();
    let out = env.run(&["init"]);
    assert!(out.status.success());
    let recipient = String::from_utf8(out.stdout).unwrap();
    assert!(recipient.trim().starts_with("age1"), "{recipient}");
    assert_eq!(mode(&env.store()), 0o700);
    assert_eq!(mode(&env.store().join("clients")), 0o700);
    assert_eq!(mode(&env.identity()), 0o600);
    let id_text = std::fs::read_to_string(env.identity()).unwrap();
    assert!(id_text.contains("# public key: age1"));
    assert!(id_text.contains("AGE-SECRET-KEY-1"));
    // A second init keeps the identity and prints the same recipient.
    assert_eq!(env.ok(&["init"]), recipient);
    assert_eq!(std::fs::read_to_string(env.identity()).unwrap(), id_text);
}

#[test]
fn init_uses_an_identity_made_by_age_keygen() {
    require_tool("age-keygen");
    let env = Env::bare();
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(env.identity())
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = Command::new("age-keygen")
        .arg("-y")
        .arg(env.identity())
        .output()
        .unwrap();
    let public = String::from_utf8(public.stdout).unwrap();
    assert_eq!(env.ok(&["init"]).trim(), public.trim());
}

#[test]
fn permissions_are_private_whatever_the_umask() {
    let env = Env::bare();
    let script = format!("umask 000; exec '{}' init", common::bin().display());
    let out = env.cmd(&[]).arg0_shell(&script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = format!(
        "umask 000; '{}' client new acme --name A",
        common::bin().display()
    );
    let out = env.cmd(&[]).arg0_shell(&script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&env.store()), 0o700);
    assert_eq!(mode(&env.identity()), 0o600);
    assert_eq!(mode(&env.vault("acme")), 0o600);
    assert_eq!(mode(&env.store().join("handover-store.json")), 0o600);
}

/// Runs a shell script with the test environment (for umask).
trait ShellExt {
    fn arg0_shell(&mut self, script: &str) -> std::process::Output;
}

impl ShellExt for Command {
    fn arg0_shell(&mut self, script: &str) -> std::process::Output {
        let envs: Vec<(std::ffi::OsString, std::ffi::OsString)> = self
            .get_envs()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
            .collect();
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .envs(envs)
            .output()
            .unwrap()
    }
}

#[test]
fn client_lifecycle() {
    let env = Env::new();
    env.ok(&[
        "client",
        "new",
        "mueller-gmbh",
        "--name",
        "Müller & Söhne GmbH",
        "--legal-name",
        "Müller & Söhne Gesellschaft mbH",
        "--address",
        "Hauptstraße 1\n80331 München",
    ]);
    let err = env.fails(&["client", "new", "mueller-gmbh", "--name", "X"], 1);
    assert!(err.contains("already exists"), "{err}");
    env.ok(&[
        "client",
        "edit",
        "mueller-gmbh",
        "--add-contact",
        "Jürgen Weiß",
        "--role",
        "Geschäftsführer",
        "--phone",
        "+49 89 123",
        "--email",
        "jw@example.de",
    ]);
    let v = env.json(&["client", "show", "mueller-gmbh", "--json"]);
    assert_eq!(v["name"], "Müller & Söhne GmbH");
    assert_eq!(v["legal_name"], "Müller & Söhne Gesellschaft mbH");
    assert_eq!(v["address"], "Hauptstraße 1\n80331 München");
    assert_eq!(v["contacts"][0]["name"], "Jürgen Weiß");
    assert_eq!(v["contacts"][0]["role"], "Geschäftsführer");
    assert_eq!(v["recipients"].as_array().unwrap().len(), 1);
    let text = env.ok(&["client", "show", "mueller-gmbh"]);
    assert!(text.contains("Jürgen Weiß"));

    env.ok(&["client", "new", "acme", "--name", "ACME"]);
    let list = env.json(&["client", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], "acme");
    assert_eq!(list[1]["entries"], 0);

    env.ok(&[
        "client",
        "edit",
        "mueller-gmbh",
        "--remove-contact",
        "Jürgen Weiß",
    ]);
    let err = env.fails(
        &[
            "client",
            "edit",
            "mueller-gmbh",
            "--remove-contact",
            "Nobody",
        ],
        1,
    );
    assert!(err.contains("no contact named"), "{err}");

    // Removal needs confirmation; without a terminal, --yes.
    let err = env.fails(&["client", "remove", "acme"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert!(env.vault("acme").exists());
    env.ok(&["client", "remove", "acme", "--yes"]);
    assert!(!env.vault("acme").exists());
    let err = env.fails(&["client", "show", "acme"], 1);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn bad_client_ids_are_refused() {
    let env = Env::new();
    for bad in [
        "../x",
        "/abs",
        "Upper",
        ".",
        "..",
        ".hidden",
        "a/b",
        "a b",
        "ä",
        &"a".repeat(65),
    ] {
        let err = env.fails(&["client", "new", bad, "--name", "X"], 1);
        assert!(err.contains("invalid client id"), "{bad}: {err}");
        // An existing client may be named in capitals or with umlauts ("Upper" means
        // "upper"); there is none here.
        let err = env.fails(&["list", bad], 1);
        let want = match bad {
            "Upper" | "ä" => "does not exist",
            _ => "invalid client id",
        };
        assert!(err.contains(want), "{bad}: {err}");
    }
    // Nothing was created anywhere.
    assert_eq!(
        std::fs::read_dir(env.store().join("clients"))
            .unwrap()
            .count(),
        0
    );
    assert!(!env.dir.path().join("x.age").exists());
}

#[test]
fn entries_of_every_kind_read_back_exactly() {
    let env = Env::new();
    env.new_client("acme");
    let kinds = [
        "login",
        "server",
        "database",
        "network-device",
        "wifi",
        "email",
        "domain",
        "api-key",
        "ssh-key",
        "vpn",
        "license",
        "certificate",
        "recovery",
        "note",
        "other",
    ];
    let token: String = (0..300)
        .map(|i| char::from(b'A' + (i % 26) as u8))
        .collect();
    for (i, kind) in kinds.iter().enumerate() {
        let secret = match *kind {
            "ssh-key" | "certificate" => SSH_KEY.to_owned(),
            "api-key" => token.clone(),
            _ => format!("  Pä$$wört€ß;,\"'\\|<>&{i} 🔑 "),
        };
        let path = format!("Gruppe/{kind}/Zugang {i}");
        // A trailing newline is removed; the secret's own spaces stay.
        env.ok_stdin(
            &[
                "add",
                "acme",
                &path,
                "--kind",
                kind,
                "--password-stdin",
                "--username",
                "admin@müller.de",
                "--url",
                "https://example.com/ä",
                "--host",
                "10.0.0.1",
                "--port",
                "8443",
                "--note",
                "Zeile 1\nZeile \"2\"",
                "--field",
                "VLAN=10",
                "--tag",
                "wichtig",
                "--owner",
                "client",
                "--expires",
                "2027-03-31",
            ],
            format!("{secret}\n").as_bytes(),
        );
        let v = env.json(&["show", "acme", &path, "--reveal", "--json"]);
        assert_eq!(v["password"], secret.as_str(), "{kind}");
        assert_eq!(v["kind"], *kind);
        assert_eq!(v["username"], "admin@müller.de");
        assert_eq!(v["port"], 8443);
        assert_eq!(v["notes"], "Zeile 1\nZeile \"2\"");
        assert_eq!(v["fields"][0]["name"], "VLAN");
        assert_eq!(v["fields"][0]["value"], "10");
        assert_eq!(v["owner"], "client");
        assert_eq!(v["expires"], "2027-03-31");
        assert_eq!(v["tags"][0], "wichtig");
    }
    let list = env.json(&["list", "acme", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), kinds.len());
}

#[test]
fn masking_and_list_never_show_secrets() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &["add", "acme", "fw/admin", "--password-stdin"],
        b"SuperGeheim-42\n",
    );
    let shown = env.ok(&["show", "acme", "fw/admin"]);
    assert!(!shown.contains("SuperGeheim"), "{shown}");
    assert!(shown.contains("********"));
    let json = env.ok(&["show", "acme", "fw/admin", "--json"]);
    assert!(!json.contains("SuperGeheim"), "{json}");
    for args in [
        vec!["list", "acme"],
        vec!["list", "acme", "--json"],
        vec!["client", "show", "acme", "--json"],
    ] {
        let out = env.ok(&args);
        assert!(!out.contains("SuperGeheim"), "{args:?}: {out}");
    }
    let revealed = env.ok(&["show", "acme", "fw/admin", "--reveal"]);
    assert!(revealed.contains("SuperGeheim-42"));
}

#[test]
fn stock_age_decrypts_a_vault() {
    require_tool("age");
    let env = Env::new();
    env.new_client("acme");
    let secret = "Grüße, \"Chef\"; 100€ ß\nzweite Zeile";
    env.ok_stdin(
        &["add", "acme", "m365/global-admin", "--password-stdin"],
        secret.as_bytes(),
    );
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(env.identity())
        .arg(env.vault("acme"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format_version"], handover::model::VAULT_FORMAT_VERSION);
    assert_eq!(v["id"], "acme");
    assert_eq!(v["name"], "Müller & Söhne GmbH");
    assert_eq!(v["entries"][0]["password"], secret);
    assert_eq!(v["entries"][0]["path"], "m365/global-admin");
}

#[test]
fn vault_written_by_stock_age_is_read() {
    require_tool("age");
    let env = Env::new();
    let recipient = env.ok(&["init"]).trim().to_owned();
    let json = format!(
        r#"{{"format_version":1,"id":"handmade","name":"Hand Made","recipients":["{recipient}"],
        "entries":[{{"id":"6f1c1f2e-3c5a-4a53-9d55-5a1f6b7f0c11","path":"a/b","password":"x€"}}],
        "created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}}"#
    );
    let mut child = Command::new("age")
        .args(["-r", &recipient, "-o"])
        .arg(env.vault("handmade"))
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), json.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    // Anyone with the recipient can write such a file, so it is refused until the
    // provider has looked at it and signed it.
    let err = env.fails(&["show", "handmade", "a/b", "--reveal"], 1);
    assert!(
        err.contains("has no signature") && err.contains("handover sign"),
        "{err}"
    );
    assert!(!err.contains("x€"), "{err}");
    let out = env.run(&["sign", "--yes"]);
    let review = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{review}");
    assert!(
        review.contains("handmade") && review.contains("Hand Made"),
        "{review}"
    );
    assert!(
        review.contains(&format!("encrypted to {recipient}  (you)")),
        "{review}"
    );
    let v = env.json(&["show", "handmade", "a/b", "--reveal", "--json"]);
    assert_eq!(v["password"], "x€");
}

#[test]
fn edit_move_remove() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &[
            "add",
            "acme",
            "nas/admin",
            "--password-stdin",
            "--field",
            "a=1",
        ],
        b"old\n",
    );
    env.ok_stdin(
        &[
            "edit",
            "acme",
            "nas/admin",
            "--password-stdin",
            "--username",
            "root",
        ],
        b"new\n",
    );
    env.ok(&[
        "edit",
        "acme",
        "nas/admin",
        "--clear",
        "fields",
        "--kind",
        "server",
        "--provider-knows",
        "false",
    ]);
    let v = env.json(&["show", "acme", "nas/admin", "--reveal", "--json"]);
    assert_eq!(v["password"], "new");
    assert_eq!(v["username"], "root");
    assert_eq!(v["kind"], "server");
    assert_eq!(v["provider_knows"], false);
    assert!(v.get("fields").is_none());
    let id = v["id"].clone();

    let err = env.fails(&["edit", "acme", "nas/admin", "--clear", "bogus"], 2);
    assert!(
        err.contains("invalid value 'bogus' for '--clear <NAME>'")
            && err.contains("[possible values: url, host, port, username,"),
        "{err}"
    );
    let err = env.fails(&["edit", "acme", "nas/admin", "--expires", "31.02.2027"], 2);
    assert!(err.contains("YYYY-MM-DD or DD.MM.YYYY"), "{err}");
    let err = env.fails(&["edit", "acme", "nas/admin", "--kind", "router"], 2);
    assert!(
        err.contains("invalid value 'router' for '--kind <KIND>'")
            && err.contains("tip: a similar value exists: 'other'"),
        "{err}"
    );

    env.ok(&["move", "acme", "nas/admin", "Büro/NAS/admin"]);
    let v = env.json(&["show", "acme", "Büro/NAS/admin", "--reveal", "--json"]);
    assert_eq!(v["id"], id, "the id survives a move");
    env.fails(&["show", "acme", "nas/admin"], 1);
    env.ok_stdin(&["add", "acme", "other", "--password-stdin"], b"x");
    let err = env.fails(&["move", "acme", "other", "Büro/NAS/admin"], 1);
    assert!(err.contains("already has an entry"), "{err}");
    let err = env.fails(&["move", "acme", "other", "a//b"], 1);
    assert!(err.contains("invalid entry path"), "{err}");

    env.ok(&["remove", "acme", "Büro/NAS/admin"]);
    env.fails(&["show", "acme", "Büro/NAS/admin"], 1);
    let err = env.fails(&["remove", "acme", "Büro/NAS/admin"], 1);
    assert!(err.contains("has no entry"), "{err}");
}

#[test]
fn add_refusals_change_nothing() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(&["add", "acme", "a", "--password-stdin"], b"x");
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(&["add", "acme", "a", "--no-password"], 1);
    assert!(err.contains("already has an entry"), "{err}");
    for bad in ["/a", "a/", "a//b", "a/../b", "."] {
        let err = env.fails(&["add", "acme", bad, "--no-password"], 1);
        assert!(err.contains("invalid entry path"), "{bad}: {err}");
    }
    let err = env.fails(
        &["add", "acme", "b", "--field", "novalue", "--no-password"],
        2,
    );
    assert!(err.contains("NAME=VALUE"), "{err}");
    // Secrets that must be asked for cannot be, without a terminal.
    let err = env.fails(
        &["add", "acme", "b", "--secret-field", "PIN", "--no-password"],
        2,
    );
    assert!(err.contains("no terminal"), "{err}");
    let err = env.fails(&["add", "nobody", "b", "--no-password"], 1);
    assert!(err.contains("does not exist"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn password_stdin_removes_exactly_one_newline() {
    let env = Env::new();
    env.new_client("acme");
    for (i, (input, stored)) in [
        ("pw\n", "pw"),
        ("pw\n\n", "pw\n"),
        ("pw\r\n", "pw"),
        ("pw", "pw"),
        (" pw \n", " pw "),
    ]
    .iter()
    .enumerate()
    {
        let path = format!("e{i}");
        env.ok_stdin(
            &["add", "acme", &path, "--password-stdin"],
            input.as_bytes(),
        );
        let v = env.json(&["show", "acme", &path, "--reveal", "--json"]);
        assert_eq!(v["password"], *stored, "{input:?}");
    }
}

#[test]
fn generate_and_totp() {
    let env = Env::new();
    let pw = env.ok(&["generate"]);
    assert_eq!(pw.trim_end().len(), 24);
    assert_eq!(env.ok(&["generate", "40"]).trim_end().len(), 40);
    env.fails(&["generate", "3"], 1);
    env.new_client("acme");
    env.ok(&["add", "acme", "gen", "--generate", "32"]);
    let v = env.json(&["show", "acme", "gen", "--reveal", "--json"]);
    assert_eq!(v["password"].as_str().unwrap().len(), 32);

    // TOTP secrets come in through a JSON import (they cannot be typed without a terminal).
    let import = r#"[{"path":"m365/admin","totp":"otpauth://totp/ACME:admin?secret=JBSWY3DPEHPK3PXP&issuer=ACME"}]"#;
    let file = env.dir.path().join("totp.json");
    std::fs::write(&file, import).unwrap();
    env.ok(&["import", "acme", "--format", "json", file.to_str().unwrap()]);
    let code = env.ok(&["totp", "acme", "m365/admin"]);
    let code = code.trim();
    assert_eq!(code.len(), 6, "{code}");
    assert!(code.chars().all(|c| c.is_ascii_digit()));
    let err = env.fails(&["totp", "acme", "gen"], 1);
    assert!(err.contains("no TOTP"), "{err}");
}

#[test]
fn recipients_add_and_remove_reencrypt() {
    require_tool("age-keygen");
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(&["add", "acme", "a", "--password-stdin"], b"geheim");
    let tech_key = env.dir.path().join("tech.txt");
    assert!(
        Command::new("age-keygen")
            .arg("-o")
            .arg(&tech_key)
            .output()
            .unwrap()
            .status
            .success()
    );
    let tech = String::from_utf8(
        Command::new("age-keygen")
            .arg("-y")
            .arg(&tech_key)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let tech = tech.trim();
    env.ok(&["recipients", "acme", "add", tech]);
    assert!(env.ok(&["recipients", "acme"]).contains(tech));
    // The technician's key now opens the vault with the stock tool.
    require_tool("age");
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&tech_key)
        .arg(env.vault("acme"))
        .output()
        .unwrap();
    assert!(out.status.success());
    env.ok(&["recipients", "acme", "remove", tech]);
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&tech_key)
        .arg(env.vault("acme"))
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "removed recipient can no longer decrypt"
    );

    let own = env.ok(&["init"]);
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(&["recipients", "acme", "remove", own.trim()], 1);
    assert!(err.contains("your own recipient"), "{err}");
    let err = env.fails(&["recipients", "acme", "add", "age1notarecipient"], 1);
    assert!(err.contains("invalid age recipient"), "{err}");
    let err = env.fails(
        &[
            "client",
            "new",
            "x",
            "--name",
            "X",
            "--recipient",
            "ssh-rsa AAA",
        ],
        1,
    );
    assert!(err.contains("invalid age recipient"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn json_import_is_all_or_nothing() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(&["add", "acme", "existing", "--password-stdin"], b"x");
    let before = file_bytes(&env.vault("acme"));
    let file = env.dir.path().join("in.json");

    // Record 2 is bad: the whole file is refused, naming the record, never its content.
    std::fs::write(
        &file,
        r#"[{"path":"ok/one","password":"a"},{"path":"ok/two","port":"Geheim123"}]"#,
    )
    .unwrap();
    let err = env.fails(
        &["import", "acme", "--format", "json", file.to_str().unwrap()],
        1,
    );
    assert!(err.contains("record 2"), "{err}");
    assert!(!err.contains("Geheim123"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);

    // A conflict fails by default.
    std::fs::write(
        &file,
        r#"[{"path":"new","password":"n"},{"path":"existing","password":"e"}]"#,
    )
    .unwrap();
    let err = env.fails(
        &["import", "acme", "--format", "json", file.to_str().unwrap()],
        1,
    );
    // The message names the entry, not its place in the file.
    assert_eq!(
        err.trim_end(),
        "handover: error: the entry \"existing\" is already in the vault; nothing was imported. Choose what happens to entries already there with --on-conflict skip, replace or rename"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);

    // Dry run lists and changes nothing.
    let out = env.ok(&[
        "import",
        "acme",
        "--format",
        "json",
        "--dry-run",
        "--on-conflict",
        "rename",
        file.to_str().unwrap(),
    ]);
    assert!(out.contains("would be added: new"), "{out}");
    assert_eq!(file_bytes(&env.vault("acme")), before);

    env.ok(&[
        "import",
        "acme",
        "--format",
        "json",
        "--on-conflict",
        "rename",
        file.to_str().unwrap(),
    ]);
    let v = env.json(&["show", "acme", "existing (2)", "--reveal", "--json"]);
    assert_eq!(v["password"], "e");
    env.ok(&[
        "import",
        "acme",
        "--format",
        "json",
        "--on-conflict",
        "replace",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        env.json(&["show", "acme", "existing", "--reveal", "--json"])["password"],
        "e"
    );

    // Stdin, and garbage.
    env.ok_stdin(
        &["import", "acme", "--format", "json", "-"],
        br#"[{"path":"from/stdin"}]"#,
    );
    let out = env.run_stdin(
        &["import", "acme", "--format", "json", "-"],
        b"\xff\xfe garbage",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = env.fails(
        &["import", "acme", "--format", "nope", file.to_str().unwrap()],
        2,
    );
    assert!(err.contains("unknown import format"), "{err}");
}

#[test]
fn missing_store_and_identity_are_explained() {
    let env = Env::bare();
    let err = env.fails(&["client", "list"], 1);
    assert!(err.contains("handover init"), "{err}");
    env.ok(&["init"]);
    std::fs::remove_file(env.identity()).unwrap();
    let err = env.fails(&["client", "list"], 1);
    assert!(
        err.contains("identity") && err.contains("does not exist"),
        "{err}"
    );
    std::fs::write(env.identity(), "AGE-SECRET-KEY-1GARBAGE\n").unwrap();
    let err = env.fails(&["client", "list"], 1);
    assert!(err.contains("line 1"), "{err}");
    assert!(!err.contains("GARBAGE"), "{err}");
}

#[test]
fn broken_pipe_is_not_an_error() {
    let env = Env::new();
    env.new_client("acme");
    for i in 0..30 {
        env.ok(&["add", "acme", &format!("e{i:03}"), "--no-password"]);
    }
    let script = format!("'{}' list acme | head -n 1", common::bin().display());
    let out = env.cmd(&[]).arg0_shell(&script);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
