//! Interop with today's real KeePassXC: our keepass-xml export goes into
//! `keepassxc-cli import`, the database it makes is exported again by `keepassxc-cli
//! export` (XML and CSV), and our importers read those back. Every password must
//! survive exactly.

use crate::common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{Env, file_bytes, require_tool};

/// Database password for the throwaway test databases.
pub(crate) const DB_PASSWORD: &str = "test-db-pw";

pub(crate) fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs keepassxc-cli with `stdin` (it reads the database password from there).
pub(crate) fn keepassxc(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .env("QT_QPA_PLATFORM", "offscreen")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn keepassxc-cli");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait keepassxc-cli");
    assert!(
        out.status.success(),
        "keepassxc-cli {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Our JSON export of a client, keyed by path.
pub(crate) fn entries(
    env: &Env,
    client: &str,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    let out = env.dir.path().join(format!("{client}.json"));
    env.ok(&[
        "export",
        client,
        "--format",
        "json",
        "-o",
        s(&out),
        "--force",
    ]);
    let whole: serde_json::Value = serde_json::from_slice(&file_bytes(&out)).expect("json");
    let v: Vec<serde_json::Value> =
        serde_json::from_value(whole["entries"].clone()).expect("entries");
    v.into_iter()
        .map(|e| (e["path"].as_str().expect("path").to_owned(), e))
        .collect()
}

pub(crate) const ENTRIES: &str = r#"[
 {"path":"m365/global-admin","title":"Global Admin","kind":"login",
  "url":"https://admin.microsoft.com/?a=1&b=2","username":"admin@müller.de",
  "password":"=1+1;,\"\t'\r\n ä€ <&> ]]> &amp;",
  "totp":"otpauth://totp/ACME:admin?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
  "recovery_codes":["-abc-1","def 2"],
  "notes":"Zeile 1\n\"zitiert\", ; und\nZeile 3",
  "fields":[{"name":"Kundennummer","value":"+49 89 1234"},{"name":"PIN","value":"@0815","secret":true}],
  "tags":["m365","Büro 2"],"owner":"provider","provider_knows":false,
  "expires":"2027-01-31","rotated":"2025-06-01"},
 {"path":"server/backup/ssh","kind":"ssh-key","host":"10.0.0.5","port":22,"username":"root",
  "password":"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n"},
 {"path":"server/backup/same","password":"one"},
 {"path":"server/backup/same (2)","title":"same","password":"two"},
 {"path":"notes/alarm","kind":"note","notes":"Code 1234#\nNur im Notfall"},
 {"path":"wifi/Büro Gäste","kind":"wifi","password":"  spaces both ends  "},
 {"path":"x/y-z","title":"y/z","kind":"license","password":"ABCD-EFGH"},
 {"path":"emoji","password":"🔑 ключ 鍵 \\ / |"}
]"#;

#[test]
fn keepassxc_imports_our_xml_and_every_password_comes_back() {
    require_tool("keepassxc-cli");
    let env = Env::new();
    env.new_client("acme");
    let input = env.dir.path().join("in.json");
    std::fs::write(&input, ENTRIES).expect("write");
    env.ok(&["import", "acme", "--format", "json", s(&input)]);
    let want = entries(&env, "acme");

    let xml = env.dir.path().join("acme.xml");
    env.ok(&["export", "acme", "--format", "keepass-xml", "-o", s(&xml)]);
    let db = env.dir.path().join("acme.kdbx");
    let pw_twice = format!("{DB_PASSWORD}\n{DB_PASSWORD}\n");
    keepassxc(
        &["import", "-q", "-p", "-t", "100", s(&xml), s(&db)],
        &pw_twice,
    );

    let pw = format!("{DB_PASSWORD}\n");
    // A password KeePassXC itself holds, read with its own `show`.
    let shown = keepassxc(
        &[
            "show",
            "-q",
            "-s",
            "-a",
            "Password",
            s(&db),
            "wifi/Büro Gäste",
        ],
        &pw,
    );
    assert_eq!(
        String::from_utf8(shown.stdout).expect("utf-8"),
        "  spaces both ends  \n"
    );

    // KeePassXC's XML export, read by our keepass-xml importer: everything survives.
    let back_xml = env.dir.path().join("back.xml");
    let out = keepassxc(&["export", "-q", "-f", "xml", s(&db)], &pw);
    std::fs::write(&back_xml, &out.stdout).expect("write");
    env.new_client("from-xml");
    env.ok(&[
        "import",
        "from-xml",
        "--format",
        "keepass-xml",
        s(&back_xml),
    ]);
    let got = entries(&env, "from-xml");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (path, w) in &want {
        let g = &got[path];
        assert_eq!(g["password"], w["password"], "{path}: password");
        let mut w = w.as_object().expect("object").clone();
        let mut g = g.as_object().expect("object").clone();
        for key in ["created", "updated"] {
            w.remove(key);
            g.remove(key);
        }
        // KeePassXC keeps tags sorted.
        for o in [&mut w, &mut g] {
            if let Some(serde_json::Value::Array(tags)) = o.get_mut("tags") {
                tags.sort_by_key(|t| t.as_str().unwrap_or("").to_owned());
            }
        }
        assert_eq!(g, w, "{path}");
    }

    // KeePassXC's CSV export, read by our keepassxc-csv importer: it has no custom
    // fields, but every title, user name, URL and password.
    let back_csv = env.dir.path().join("back.csv");
    let out = keepassxc(&["export", "-q", "-f", "csv", s(&db)], &pw);
    std::fs::write(&back_csv, &out.stdout).expect("write");
    env.new_client("from-csv");
    env.ok(&[
        "import",
        "from-csv",
        "--format",
        "keepassxc-csv",
        s(&back_csv),
    ]);
    let got: Vec<serde_json::Value> = entries(&env, "from-csv").into_values().collect();
    assert_eq!(got.len(), want.len());
    for w in want.values() {
        let matching: Vec<&serde_json::Value> = got
            .iter()
            .filter(|g| g["title"] == w["title"] && g["password"] == w["password"])
            .collect();
        assert_eq!(matching.len(), 1, "{} by title and password", w["path"]);
        assert_eq!(matching[0]["username"], w["username"]);
        assert_eq!(matching[0]["url"], w["url"]);
    }
}

#[test]
fn we_import_what_keepassxc_cli_writes_today() {
    require_tool("keepassxc-cli");
    let env = Env::new();
    let db = env.dir.path().join("made.kdbx");
    let pw = format!("{DB_PASSWORD}\n");
    let pw_twice = format!("{DB_PASSWORD}\n{DB_PASSWORD}\n");
    keepassxc(&["db-create", "-q", "-p", "-t", "100", s(&db)], &pw_twice);
    keepassxc(&["mkdir", "-q", s(&db), "Kunden"], &pw);
    keepassxc(&["mkdir", "-q", s(&db), "Kunden/Bäckerei"], &pw);
    let passwords = ["Kasse;2024,\"x\"", "zweite Kasse", "ä ö ü ß € 🔑"];
    for (title, password) in [("Kasse", passwords[0]), ("Kasse-2", passwords[1])] {
        keepassxc(
            &[
                "add",
                "-q",
                "-u",
                "chef",
                "--url",
                "https://kasse.example",
                "-p",
                s(&db),
                &format!("Kunden/Bäckerei/{title}"),
            ],
            &format!("{DB_PASSWORD}\n{password}\n"),
        );
    }
    // Two entries with the same title in one group (`add` refuses that, `edit` not).
    keepassxc(
        &[
            "edit",
            "-q",
            "-t",
            "Kasse",
            s(&db),
            "Kunden/Bäckerei/Kasse-2",
        ],
        &pw,
    );
    keepassxc(
        &[
            "add",
            "-q",
            "-p",
            "--notes",
            "Zeile 1\nZeile \"2\"",
            s(&db),
            "Wurzel",
        ],
        &format!("{DB_PASSWORD}\n{}\n", passwords[2]),
    );
    // Something in the recycle bin, which must not come in.
    keepassxc(&["add", "-q", s(&db), "Weg damit"], &pw);
    keepassxc(&["rm", "-q", s(&db), "Weg damit"], &pw);

    for (format, kx_format) in [("keepass-xml", "xml"), ("keepassxc-csv", "csv")] {
        let out = keepassxc(&["export", "-q", "-f", kx_format, s(&db)], &pw);
        let file = env.dir.path().join(format!("made.{kx_format}"));
        std::fs::write(&file, &out.stdout).expect("write");
        let client = format!("from-{kx_format}");
        env.new_client(&client);
        let imported = env.ok(&["import", &client, "--format", format, s(&file)]);
        assert!(!imported.contains("Weg damit"), "{format}: {imported}");
        let got = entries(&env, &client);
        let paths: Vec<&str> = got.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "Kunden/Bäckerei/Kasse",
                "Kunden/Bäckerei/Kasse (2)",
                "Wurzel"
            ],
            "{format}"
        );
        let mut got_passwords: Vec<&str> = got
            .values()
            .map(|e| e["password"].as_str().expect("password"))
            .collect();
        got_passwords.sort_unstable();
        let mut want = passwords.to_vec();
        want.sort_unstable();
        assert_eq!(got_passwords, want, "{format}");
        assert_eq!(got["Wurzel"]["notes"], "Zeile 1\nZeile \"2\"", "{format}");
        assert_eq!(got["Kunden/Bäckerei/Kasse"]["username"], "chef", "{format}");
    }
}
