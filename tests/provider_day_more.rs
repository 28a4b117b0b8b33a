//! A provider's day (issue 25), the last conventions: `doc add` in `$EDITOR`,
//! repeatable `--add-contact`, and import messages that name the entry.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common;

use common::{Env, file_bytes};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Single quotes for `sh -c`, so that temp paths with any character survive.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn doc_add_without_a_body_and_without_a_terminal_names_the_options() {
    let env = Env::new();
    env.new_client("acme");
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(&["doc", "add", "acme", "notiz", "--kind", "note"], 2);
    assert!(
        err.contains(
            "no document text: give the document's Markdown with --file FILE or --stdin, or run `doc add` on a terminal to write it in $EDITOR; nothing was added"
        ),
        "{err}"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before, "nothing written");
}

#[test]
fn doc_add_on_a_terminal_opens_the_editor() {
    common::require_tool("script");
    let env = Env::new();
    env.new_client("acme");
    let editor = env.dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf '# Schlüssel\\n\\nIm Safe im Büro.\\n' > \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o700)).unwrap();
    let empty = env.dir.path().join("empty.sh");
    std::fs::write(&empty, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o700)).unwrap();

    // `script` gives handover a terminal as stdin, as a person at a shell has.
    let on_a_terminal = |path: &str, editor: &std::path::Path| {
        let line = format!(
            "{} doc add acme {} --kind note",
            sh_quote(common::bin().to_str().unwrap()),
            sh_quote(path)
        );
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .env("HANDOVER_STORE", env.store())
            .env("HANDOVER_IDENTITY", env.identity())
            .env("HOME", env.dir.path())
            .env("EDITOR", editor)
            .env("XDG_RUNTIME_DIR", env.dir.path())
            .stdin(std::process::Stdio::null());
        cmd.output().expect("run script")
    };
    let out = on_a_terminal("schluessel", &editor);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        env.ok(&["doc", "show", "acme", "schluessel"]),
        "# Schlüssel\n\nIm Safe im Büro.\n\n"
    );

    // Leaving the editor without writing adds nothing.
    let before = file_bytes(&env.vault("acme"));
    let out = on_a_terminal("leer", &empty);
    assert_eq!(out.status.code(), Some(1));
    // `script` puts the terminal's output (stdout and stderr) on its stdout.
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(
            "the document is empty (nothing was written in the editor); nothing was added"
        ),
        "{said}"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn add_contact_is_repeatable_and_each_detail_follows_its_contact() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&[
        "client",
        "edit",
        "acme",
        "--add-contact",
        "Jutta Kramer",
        "--role",
        "Geschäftsführung",
        "--phone",
        "040 123",
        "--add-contact",
        "Ole Brandt",
        "--email",
        "ole@acme.example",
    ]);
    let json = env.json(&["client", "show", "acme", "--json"]);
    let contacts = json["contacts"].as_array().expect("contacts").clone();
    assert_eq!(contacts.len(), 2, "{json}");
    assert_eq!(contacts[0]["name"], "Jutta Kramer");
    assert_eq!(contacts[0]["role"], "Geschäftsführung");
    assert_eq!(contacts[0]["phone"], "040 123");
    assert!(
        contacts[0].get("email").is_none_or(|e| e.is_null()),
        "{json}"
    );
    assert_eq!(contacts[1]["name"], "Ole Brandt");
    assert_eq!(contacts[1]["email"], "ole@acme.example");
    assert!(
        contacts[1].get("role").is_none_or(|e| e.is_null()),
        "{json}"
    );

    // A detail before any --add-contact, or twice for one contact: usage error, nothing written.
    let before = file_bytes(&env.vault("acme"));
    let out = env.run(&[
        "client",
        "edit",
        "acme",
        "--role",
        "IT",
        "--add-contact",
        "Eda",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "--role \"IT\" comes before any --add-contact; put it after the --add-contact NAME it describes"
        ),
        "{}",
        stderr(&out)
    );
    let out = env.run(&[
        "client",
        "edit",
        "acme",
        "--add-contact",
        "Eda",
        "--phone",
        "1",
        "--phone",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--add-contact \"Eda\" has more than one --phone"),
        "{}",
        stderr(&out)
    );
    // A name already there refuses the whole call; the first new contact is not kept.
    let out = env.run(&[
        "client",
        "edit",
        "acme",
        "--add-contact",
        "Eda",
        "--add-contact",
        "Ole Brandt",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already has a contact named \"Ole Brandt\""),
        "{}",
        stderr(&out)
    );
    assert_eq!(file_bytes(&env.vault("acme")), before, "nothing written");
}

#[test]
fn import_warnings_name_the_entry_by_its_path() {
    let env = Env::new();
    env.new_client("acme");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keepassxc-2.7.4.xml");
    let xml = std::fs::read_to_string(fixture).unwrap();
    // The printer's entry gets an older version and an attachment, as KeePassXC writes them.
    let at = xml
        .find("<Value>Drucker Büro</Value>")
        .expect("fixture has the printer");
    let history = at + xml[at..].find("<History/>").unwrap();
    let xml = format!(
        "{}<Binary><Key>plan.pdf</Key><Value Ref=\"0\"/></Binary><History><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><String><Key>Title</Key><Value>alt</Value></String></Entry></History>{}",
        &xml[..history],
        &xml[history + "<History/>".len()..]
    );
    let file = env.dir.path().join("export.xml");
    std::fs::write(&file, xml).unwrap();
    let out = env.run(&[
        "import",
        "acme",
        "--format",
        "keepass-xml",
        file.to_str().unwrap(),
    ]);
    common::assert_success(&out, &["import"]);
    let err = stderr(&out);
    assert!(!err.contains("record"), "{err}");
    assert!(
        err.contains("1 older versions (history) were not imported"),
        "{err}"
    );
    assert!(err.contains("Drucker Büro\": the attachment \"plan.pdf\" was not imported (handover keeps no files); copy it by hand"), "{err}");
}
