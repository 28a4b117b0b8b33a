//! `import --format kdbx`: KeePass databases that the real `keepassxc-cli` wrote
//! (KDBX 3.1 and 4, with a password, a key file or both) come in exactly as their XML
//! export does; a wrong key, a missing key file, or a database given to another
//! importer is refused with a clear message, and nothing is written.

use crate::common;
use crate::formats_keepassxc::{DB_PASSWORD, ENTRIES, entries, keepassxc, s};

use std::path::{Path, PathBuf};

use common::{Env, file_bytes, require_tool};

/// The KDBX major version in a database's header.
fn kdbx_major(db: &Path) -> u8 {
    file_bytes(db)[10]
}

/// A client with [`ENTRIES`], exported as KeePass XML.
fn exported_xml(env: &Env) -> PathBuf {
    env.new_client("acme");
    let input = env.dir.path().join("in.json");
    std::fs::write(&input, ENTRIES).expect("write");
    env.ok(&["import", "acme", "--format", "json", s(&input)]);
    let xml = env.dir.path().join("acme.xml");
    env.ok(&["export", "acme", "--format", "keepass-xml", "-o", s(&xml)]);
    xml
}

/// KeePassXC writes KDBX 4 once an entry has custom data (else KDBX 3.1).
fn with_custom_data(xml: &str) -> String {
    let at = xml.find("</Entry>").expect("an entry");
    format!(
        "{}<CustomData><Item><Key>KPXC_test</Key><Value>x</Value></Item></CustomData>{}",
        &xml[..at],
        &xml[at..]
    )
}

/// Imports `db` with `args` (after the file) into a new client `client`.
fn import_kdbx(env: &Env, client: &str, db: &Path, args: &[&str], stdin: &str) -> String {
    env.new_client(client);
    let mut all = vec!["import", client, "--format", "kdbx", s(db)];
    all.extend(args);
    env.ok_stdin(&all, stdin.as_bytes())
}

#[test]
fn databases_keepassxc_writes_import_exactly_as_their_xml_export() {
    require_tool("keepassxc-cli");
    let env = Env::new();
    let xml = exported_xml(&env);
    let want = entries(&env, "acme");
    let pw = format!("{DB_PASSWORD}\n");
    let pw_twice = format!("{pw}{pw}");
    let key = env.dir.path().join("db.key");
    let xml4 = env.dir.path().join("acme4.xml");
    std::fs::write(
        &xml4,
        with_custom_data(&std::fs::read_to_string(&xml).expect("xml")),
    )
    .expect("write");

    let db3 = env.dir.path().join("kdbx3.kdbx");
    keepassxc(
        &["import", "-q", "-p", "-t", "100", s(&xml), s(&db3)],
        &pw_twice,
    );
    let db4 = env.dir.path().join("kdbx4-key.kdbx");
    keepassxc(
        &[
            "import",
            "-q",
            "-p",
            "--set-key-file",
            s(&key),
            "-t",
            "100",
            s(&xml4),
            s(&db4),
        ],
        &pw_twice,
    );
    let db_key_only = env.dir.path().join("key-only.kdbx");
    keepassxc(
        &[
            "import",
            "-q",
            "--set-key-file",
            s(&key),
            "-t",
            "100",
            s(&xml),
            s(&db_key_only),
        ],
        "",
    );
    assert_eq!(kdbx_major(&db3), 3);
    assert_eq!(kdbx_major(&db4), 4);

    // (name, database, our options, stdin, keepassxc-cli's key options)
    type Case<'a> = (&'a str, &'a Path, Vec<&'a str>, &'a str, Vec<&'a str>);
    let cases: [Case; 3] = [
        ("kdbx3", &db3, vec!["--password-stdin"], pw.as_str(), vec![]),
        (
            "kdbx4",
            &db4,
            vec!["--password-stdin", "--key-file", s(&key)],
            pw.as_str(),
            vec!["-k", s(&key)],
        ),
        (
            "keyonly",
            &db_key_only,
            vec!["--key-file", s(&key)],
            "",
            vec!["-k", s(&key), "--no-password"],
        ),
    ];
    for (name, db, args, stdin, kx_key) in cases {
        let client = format!("from-{name}");
        import_kdbx(&env, &client, db, &args, stdin);
        let got = entries(&env, &client);

        // The same database's XML export, by KeePassXC, through our XML importer.
        let mut export = vec!["export", "-q", "-f", "xml"];
        export.extend(&kx_key);
        export.push(s(db));
        let out = keepassxc(&export, stdin);
        let back = env.dir.path().join(format!("{name}.xml"));
        std::fs::write(&back, &out.stdout).expect("write");
        let via_xml = format!("{name}-xml");
        env.new_client(&via_xml);
        env.ok(&["import", &via_xml, "--format", "keepass-xml", s(&back)]);
        assert_eq!(
            got,
            entries(&env, &via_xml),
            "{name}: kdbx and its XML export"
        );

        // And what we exported in the first place, every secret included.
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{name}"
        );
        for (path, w) in &want {
            let mut w = w.as_object().expect("object").clone();
            let mut g = got[path].as_object().expect("object").clone();
            for o in [&mut w, &mut g] {
                o.remove("created");
                o.remove("updated");
                if let Some(serde_json::Value::Array(tags)) = o.get_mut("tags") {
                    tags.sort_by_key(|t| t.as_str().unwrap_or("").to_owned());
                }
            }
            assert_eq!(g, w, "{name}: {path}");
        }
    }
}

#[test]
fn attachments_come_in_as_notes_or_are_named() {
    require_tool("keepassxc-cli");
    let env = Env::new();
    let db = env.dir.path().join("a.kdbx");
    let pw = format!("{DB_PASSWORD}\n");
    keepassxc(
        &["db-create", "-q", "-p", "-t", "100", s(&db)],
        &format!("{pw}{pw}"),
    );
    keepassxc(
        &[
            "add",
            "-q",
            "-p",
            "--notes",
            "Steht im Flur",
            s(&db),
            "Router",
        ],
        &format!("{pw}Fritz-1\n"),
    );
    let text = env.dir.path().join("config.txt");
    std::fs::write(&text, "WAN: PPPoE\nKennung: 0815\n").expect("write");
    let binary = env.dir.path().join("foto.jpg");
    std::fs::write(&binary, [0xff, 0xd8, 0xff, 0x00, 0x10]).expect("write");
    for (name, file) in [("config.txt", &text), ("foto.jpg", &binary)] {
        keepassxc(
            &["attachment-import", "-q", s(&db), "Router", name, s(file)],
            &pw,
        );
    }
    env.new_client("t");
    let out = env.run_stdin(
        &[
            "import",
            "t",
            "--format",
            "kdbx",
            "--password-stdin",
            s(&db),
        ],
        pw.as_bytes(),
    );
    common::assert_success(&out, &["import", "t", "--format", "kdbx"]);
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        stderr.contains(
            "\"Router\": the attachment \"foto.jpg\" was not imported (handover keeps no files); copy it by hand"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("config.txt"), "{stderr}");
    let got = entries(&env, "t");
    assert_eq!(
        got["Router"]["notes"],
        "Steht im Flur\n\n--- Attachment config.txt ---\nWAN: PPPoE\nKennung: 0815\n"
    );
    assert_eq!(got["Router"]["password"], "Fritz-1");
}

#[test]
fn a_wrong_key_or_the_wrong_importer_is_refused_and_nothing_is_written() {
    require_tool("keepassxc-cli");
    let env = Env::new();
    let xml = exported_xml(&env);
    let pw = format!("{DB_PASSWORD}\n");
    let key = env.dir.path().join("db.key");
    let other_key = env.dir.path().join("other.key");
    std::fs::write(&other_key, b"not the key file").expect("write");
    let xml4 = env.dir.path().join("acme4.xml");
    std::fs::write(
        &xml4,
        with_custom_data(&std::fs::read_to_string(&xml).expect("xml")),
    )
    .expect("write");
    let db3 = env.dir.path().join("v3.kdbx");
    keepassxc(
        &["import", "-q", "-p", "-t", "100", s(&xml), s(&db3)],
        &format!("{pw}{pw}"),
    );
    let db4 = env.dir.path().join("v4.kdbx");
    keepassxc(
        &[
            "import",
            "-q",
            "-p",
            "--set-key-file",
            s(&key),
            "-t",
            "100",
            s(&xml4),
            s(&db4),
        ],
        &format!("{pw}{pw}"),
    );
    env.new_client("t");
    let vault = file_bytes(&env.vault("t"));
    let refused = |args: &[&str], stdin: &str, code: i32| -> String {
        let out = env.run_stdin(args, stdin.as_bytes());
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        String::from_utf8(out.stderr).expect("utf-8")
    };
    let v4 = s(&db4);
    assert_eq!(
        refused(
            &[
                "import",
                "t",
                "--format",
                "kdbx",
                "--password-stdin",
                "--key-file",
                s(&key),
                v4
            ],
            "wrong\n",
            1
        ),
        format!(
            "handover: error: {v4} cannot be imported: the password or the key file is wrong (or a key file is missing: --key-file); nothing was imported\n"
        )
    );
    // The right password without the key file it needs.
    assert_eq!(
        refused(
            &["import", "t", "--format", "kdbx", "--password-stdin", v4],
            &pw,
            1
        ),
        format!(
            "handover: error: {v4} cannot be imported: the password or the key file is wrong (or a key file is missing: --key-file); nothing was imported\n"
        )
    );
    // KDBX 3.1 checks the key only by decrypting.
    let v3 = s(&db3);
    assert_eq!(
        refused(
            &[
                "import",
                "t",
                "--format",
                "kdbx",
                "--password-stdin",
                "--key-file",
                s(&other_key),
                v3
            ],
            &pw,
            1
        ),
        format!(
            "handover: error: {v3} cannot be imported: it cannot be decrypted: the password or the key file is wrong (or a key file is missing: --key-file), or the file is damaged; nothing was imported\n"
        )
    );
    // A database given to an export's importer, and an export given as a database.
    for format in ["keepass-xml", "keepassxc-csv", "bitwarden-json", "csv"] {
        assert_eq!(
            refused(&["import", "t", "--format", format, v4], "", 1),
            format!(
                "handover: error: {v4} cannot be imported: this is a KeePass database (.kdbx), not a {format} file: import it with --format kdbx; nothing was imported\n"
            )
        );
    }
    assert_eq!(
        refused(
            &[
                "import",
                "t",
                "--format",
                "kdbx",
                "--password-stdin",
                s(&xml)
            ],
            &pw,
            1
        ),
        format!(
            "handover: error: {} cannot be imported: it is not a KeePass database (.kdbx); for an XML export use --format keepass-xml; nothing was imported\n",
            s(&xml)
        )
    );
    // A cut-off database.
    let cut = env.dir.path().join("cut.kdbx");
    let whole = file_bytes(&db3);
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write");
    let e = refused(
        &[
            "import",
            "t",
            "--format",
            "kdbx",
            "--password-stdin",
            s(&cut),
        ],
        &pw,
        1,
    );
    assert!(
        e.starts_with(&format!(
            "handover: error: {} cannot be imported: it ",
            s(&cut)
        )),
        "{e}"
    );
    // A header asking for endless key derivation, refused before any of it is done.
    let mut endless = file_bytes(&db3);
    let mut at = 12;
    while endless[at] != 6 {
        at += 3 + usize::from(u16::from_le_bytes([endless[at + 1], endless[at + 2]]));
    }
    endless[at + 3..at + 11].copy_from_slice(&u64::MAX.to_le_bytes());
    let file = env.dir.path().join("endless.kdbx");
    std::fs::write(&file, &endless).expect("write");
    assert_eq!(
        refused(
            &[
                "import",
                "t",
                "--format",
                "kdbx",
                "--password-stdin",
                s(&file)
            ],
            &pw,
            1
        ),
        format!(
            "handover: error: {} cannot be imported: its key derivation asks for 18446744073709551615 AES rounds, far more than KeePass or KeePassXC ever set; refused rather than spending hours or all memory on it; nothing was imported\n",
            s(&file)
        )
    );
    // No password, no terminal to ask on, no key file.
    assert!(
        refused(&["import", "t", "--format", "kdbx", v3], "", 2)
            .contains("give it with --password-stdin"),
    );
    assert!(
        refused(
            &[
                "import",
                "t",
                "--format",
                "keepass-xml",
                "--key-file",
                s(&key),
                s(&xml)
            ],
            "",
            2
        )
        .contains("--password-stdin and --key-file are for --format kdbx"),
    );
    assert!(
        refused(
            &["import", "t", "--format", "kdbx", "--password-stdin", "-"],
            &pw,
            2
        )
        .contains("must be a file, not -"),
    );
    assert!(
        refused(
            &[
                "import",
                "nobody",
                "--format",
                "kdbx",
                "--password-stdin",
                v3
            ],
            &pw,
            1
        )
        .contains("nobody"),
    );
    assert_eq!(file_bytes(&env.vault("t")), vault, "nothing written");
}
