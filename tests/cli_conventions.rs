//! The conventions of a good CLI (issue 25): shell completions, manual pages, and
//! `--json` on every command that reports something.

use std::path::Path;
use std::process::Command;

use crate::common;

use common::Env;

/// The commands `handover --help` lists (the hidden ones are not there).
fn commands_in_help(env: &Env) -> Vec<String> {
    let help = env.ok(&["--help"]);
    let listed = help
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a Commands: section");
    let names: Vec<String> = listed
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(names.len() > 30, "{names:?}");
    names
}

/// What `man -l` makes of a roff file, as plain text with single spaces.
fn man_render(file: &Path) -> String {
    let out = Command::new("man")
        .arg("-l")
        .arg(file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "200")
        .env("MAN_KEEP_FORMATTING", "")
        .output()
        .expect("run man (Debian package man-db)");
    assert!(
        out.status.success(),
        "man -l {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 man output");
    // Strip overstrike bold (x\bx) and underline (_\bx) in case man kept them.
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if chars.peek() == Some(&'\u{8}') {
            chars.next();
            continue;
        }
        plain.push(c);
    }
    // man justifies lines by widening the gaps between words; one space is what we
    // compare against.
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What bash completes for the words of `line` (the last one being completed).
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let list = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let program = format!(
        "source {}; COMP_WORDS=({list}); COMP_CWORD={}; _handover handover '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_bash_completion_script_is_valid_and_completes_commands_and_options() {
    let env = Env::bare();
    let script = env.ok(&["completions", "bash"]);
    let file = env.dir.path().join("handover.bash");
    std::fs::write(&file, &script).expect("write script");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash -n");
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    for name in commands_in_help(&env) {
        assert!(
            script.contains(&format!("handover__subcmd__{}", name.replace('-', "__"))),
            "the bash script does not know `{name}`"
        );
    }
    assert_eq!(bash_complete(&file, &["handover", "cl"]), ["client"]);
    assert_eq!(
        bash_complete(&file, &["handover", "show", "acme", "x", "--rev"]),
        ["--reveal"]
    );
    assert_eq!(
        bash_complete(&file, &["handover", "completions", "z"]),
        ["zsh"]
    );
}

#[test]
fn zsh_and_fish_scripts_name_the_commands() {
    let env = Env::bare();
    let zsh = env.ok(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef handover\n"), "{zsh:.200}");
    let fish = env.ok(&["completions", "fish"]);
    for name in commands_in_help(&env) {
        assert!(zsh.contains(&format!("'{name}:")), "zsh lacks {name}");
        assert!(
            fish.contains(&format!("-a \"{name}\"")),
            "fish lacks {name}"
        );
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let env = Env::bare();
    let err = env.fails(&["completions", "tcsh"], 2);
    assert!(
        err.contains("invalid value 'tcsh'") && err.contains("[possible values: bash, zsh, fish]"),
        "{err}"
    );
}

#[test]
fn the_man_page_renders_and_names_every_command() {
    let env = Env::bare();
    let roff = env.ok(&["man"]);
    assert!(roff.starts_with(".ie \\n(.g .ds Aq"), "{roff:.200}");
    let file = env.dir.path().join("handover.1");
    std::fs::write(&file, &roff).expect("write page");
    let page = man_render(&file);
    assert!(page.contains("handover - Per-client encrypted credential vaults"));
    assert!(page.contains("Exit codes: 0 success, 1 error"), "{page}");
    for name in commands_in_help(&env) {
        assert!(
            page.contains(&format!("handover-{name}(1)")),
            "the man page does not name `{name}`:\n{page}"
        );
    }
    assert!(!page.contains("textconv"), "a hidden command in the page");
}

#[test]
fn a_commands_man_page_has_its_options() {
    let env = Env::bare();
    let file = env.dir.path().join("handover-client-new.1");
    std::fs::write(&file, env.ok(&["man", "client", "new"])).expect("write page");
    let page = man_render(&file);
    assert!(
        page.contains("handover-client-new - Create a client"),
        "{page}"
    );
    assert!(page.contains("--recipient <AGE_RECIPIENT>"), "{page}");

    let err = env.fails(&["man", "client", "nope"], 2);
    assert_eq!(
        err,
        "handover: error: `handover client` has no command \"nope\"; its commands are: new, list, show, edit, key, remove\n"
    );
    let err = env.fails(&["man", "add", "x"], 2);
    assert_eq!(
        err,
        "handover: error: `handover add` has no subcommands, so there is no page for \"x\"\n"
    );
}

#[test]
fn man_dir_writes_every_page() {
    let env = Env::bare();
    let dir = env.dir.path().join("man1");
    std::fs::create_dir(&dir).expect("mkdir");
    let out = env.run(&["man", "--dir", dir.to_str().expect("utf-8")]);
    common::assert_success(&out, &["man", "--dir"]);
    for name in commands_in_help(&env) {
        let page = dir.join(format!("handover-{name}.1"));
        assert!(page.is_file(), "no page for {name}");
    }
    let page = man_render(&dir.join("handover-vendor-add.1"));
    assert!(page.contains("--notice-months <MONTHS>"), "{page}");
    assert!(!dir.join("handover-textconv.1").exists());
    assert!(!dir.join("handover-help.1").exists());

    let err = env.fails(&["man", "--dir", "/nonexistent/man1"], 1);
    assert!(
        err.starts_with("handover: error: cannot write /nonexistent/man1/handover.1"),
        "{err}"
    );
}

/// A secret that must never appear in any `--json` report but `show --reveal`'s.
const SECRET: &str = "Geheim-7f3Q-xx";

fn acme(env: &Env) {
    env.client_with(
        "acme",
        &format!(
            r#"[{{"path":"m365/admin","kind":"login","username":"admin@acme.de","password":"{SECRET}"}},
               {{"path":"netz/wlan","kind":"wifi","password":"{SECRET}-wlan","fields":[{{"name":"SSID","value":"Gäste"}}]}}]"#
        ),
    );
}

/// stdout of a command expected to exit with `code`, parsed as JSON.
fn json_exit(env: &Env, args: &[&str], code: i32) -> (serde_json::Value, String) {
    let out = env.run(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!stdout.contains(SECRET), "a secret in {args:?}: {stdout}");
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"));
    (v, String::from_utf8(out.stderr).expect("utf-8"))
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn dossier_and_verify_report_in_json() {
    let env = Env::new();
    acme(&env);
    let pdf = env.dir.path().join("acme.pdf");
    let (d, _) = json_exit(
        &env,
        &[
            "dossier",
            "acme",
            "-o",
            path_str(&pdf),
            "--lang",
            "en",
            "--json",
        ],
        0,
    );
    assert_eq!(d["client"], "acme");
    assert_eq!(d["file"], path_str(&pdf));
    assert_eq!(d["lang"], "en");
    assert_eq!(d["paper"], "a4");
    assert_eq!(d["data_pages"], false);
    assert!(d["pages"].as_u64().expect("pages") >= 2, "{d}");
    let fp = d["fingerprint"].as_str().expect("fingerprint").to_owned();
    assert_eq!(fp.len(), 24, "{fp}");
    assert!(pdf.is_file());

    let (v, _) = json_exit(&env, &["verify", "acme", &fp, "--json"], 0);
    assert_eq!(
        v,
        serde_json::json!({"client": "acme", "fingerprint": fp, "verdict": "matches"})
    );

    env.ok_stdin(
        &["rotate", "acme", "m365/admin", "--password-stdin"],
        b"Neu-9ZZZ-abcdefgh",
    );
    env.ok(&["remove", "acme", "netz/wlan"]);
    let (v, err) = json_exit(&env, &["verify", "acme", &fp, "--json"], 1);
    assert_eq!(v["verdict"], "changed");
    assert!(
        v["printed"].as_str().expect("printed").ends_with('Z'),
        "{v}"
    );
    let changes = &v["changes"];
    assert_eq!(changes["removed"], serde_json::json!(["netz/wlan"]));
    assert_eq!(changes["modified"][0]["path"], "m365/admin");
    assert!(
        changes["modified"][0]["fields"]
            .as_array()
            .expect("fields")
            .contains(&"password".into()),
        "{v}"
    );
    assert!(err.contains("has changed since the dossier of"), "{err}");

    let (v, err) = json_exit(
        &env,
        &["verify", "acme", "AAAA-AAAA-AAAA-AAAA-AAAA", "--json"],
        1,
    );
    assert_eq!(v["verdict"], "unknown");
    assert!(v.get("changes").is_none(), "{v}");
    assert!(err.contains("what changed is unknown"), "{err}");
}

#[test]
fn rotate_reports_in_json_without_the_password() {
    let env = Env::new();
    acme(&env);
    let out = env
        .cmd(&[
            "rotate",
            "acme",
            "m365/admin",
            "--generate",
            "6",
            "--charset",
            "digits",
            "--json",
        ])
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .expect("run");
    common::assert_success(&out, &["rotate"]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        v,
        serde_json::json!({"client": "acme", "path": "m365/admin", "rotated": "2026-01-01",
            "how": "generated", "charset": "digits", "previous_kept": true})
    );
    let shown = env.json(&["show", "acme", "m365/admin", "--reveal", "--json"]);
    let new = shown["password"].as_str().expect("password");
    assert_eq!(new.len(), 6);
    assert!(
        !stdout.contains(new),
        "the new password in rotate --json: {stdout}"
    );

    let (v, _) = json_exit(
        &env,
        &["rotate", "acme", "netz/wlan", "--mark", "--json"],
        0,
    );
    assert_eq!(v["how"], "marked");
    assert_eq!(v["previous_kept"], false);
    assert!(v.get("charset").is_none());

    // A failing rotation prints no JSON.
    let out = env.run(&["rotate", "acme", "nope", "--mark", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn import_and_export_report_in_json_by_name_only() {
    let env = Env::new();
    acme(&env);
    let file = env.dir.path().join("more.csv");
    std::fs::write(
        &file,
        format!("title,username,password,url\nDrucker,admin,{SECRET},http://10.0.0.9\nKasse,chef,{SECRET},\n"),
    )
    .expect("write csv");
    let args = [
        "import",
        "acme",
        "--format",
        "csv",
        path_str(&file),
        "--on-conflict",
        "rename",
        "--json",
    ];
    let (dry, _) = json_exit(&env, &[&args[..], &["--dry-run"]].concat(), 0);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["format"], "csv");
    assert_eq!(dry["added"], serde_json::json!(["Drucker", "Kasse"]));
    assert_eq!(
        env.json(&["list", "acme", "--json"])
            .as_array()
            .expect("list")
            .len(),
        2
    );
    let (v, _) = json_exit(&env, &args, 0);
    assert_eq!(v["dry_run"], false);
    assert_eq!(v["added"], dry["added"]);
    assert!(v["inferred"].is_array() && v["warnings"].is_array(), "{v}");
    assert!(v.get("knowledge").is_none());
    let (v, _) = json_exit(&env, &args, 0);
    assert_eq!(v["added"], serde_json::json!([]));
    assert_eq!(
        v["renamed"][0],
        serde_json::json!({"from": "Drucker", "to": "Drucker (2)"})
    );
    assert_eq!(
        env.json(&["list", "acme", "--json"])
            .as_array()
            .expect("list")
            .len(),
        6
    );

    let out = env.dir.path().join("acme.json");
    let (e, _) = json_exit(
        &env,
        &[
            "export",
            "acme",
            "--format",
            "json",
            "-o",
            path_str(&out),
            "--json",
        ],
        0,
    );
    assert_eq!(
        e,
        serde_json::json!({"client": "acme", "format": "json", "file": path_str(&out), "entries": 6})
    );
    assert!(
        std::fs::read_to_string(&out)
            .expect("export")
            .contains(SECRET)
    );
    // A whole client back in: the knowledge part is reported too.
    env.new_client("copy");
    let (v, _) = json_exit(
        &env,
        &[
            "import",
            "copy",
            "--format",
            "json",
            path_str(&out),
            "--json",
        ],
        0,
    );
    assert_eq!(v["added"].as_array().expect("added").len(), 6);
    assert!(v.get("knowledge").is_none(), "{v}");
}

#[test]
fn bundles_report_in_json() {
    let env = Env::new();
    acme(&env);
    let ident = std::fs::read_to_string(env.identity()).expect("identity");
    let me = ident
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_owned();
    let bundle = env.dir.path().join("acme.age");
    let (e, _) = json_exit(
        &env,
        &[
            "export",
            "acme",
            "--format",
            "bundle",
            "-o",
            path_str(&bundle),
            "--recipient",
            &me,
            "--json",
        ],
        0,
    );
    assert_eq!(
        e,
        serde_json::json!({"client": "acme", "format": "bundle", "file": path_str(&bundle), "recipients": [me]})
    );
    let (v, _) = json_exit(
        &env,
        &[
            "import",
            "acme2",
            "--format",
            "bundle",
            path_str(&bundle),
            "--json",
        ],
        0,
    );
    assert_eq!(v["client"], "acme2");
    assert_eq!(v["renamed_from"], "acme");
    assert_eq!(v["replaced"], false);
    assert_eq!(v["entries"], 2);
    assert_eq!(v["contacts"], 1);
    assert!(
        v["signed_by"]["fingerprint"]
            .as_str()
            .expect("signer")
            .starts_with("SHA256:"),
        "{v}"
    );
    assert_eq!(v["other_recipients"], serde_json::json!([]));
}

#[test]
fn offboard_reports_in_json() {
    let env = Env::new();
    acme(&env);
    let successor = handover::keys::Identity::generate().recipient().to_string();
    let dir = env.dir.path().join("off");
    let args = [
        "offboard",
        "acme",
        "--successor",
        &successor,
        "--successor-name",
        "Nachfolger GmbH",
        "--out",
        path_str(&dir),
        "--yes",
        "--accept-blocking",
        "--json",
    ];
    let (dry, _) = json_exit(&env, &[&args[..], &["--dry-run"]].concat(), 0);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["written"], serde_json::Value::Null);
    assert_eq!(dry["plan"]["successor"], successor.as_str());
    assert_eq!(dry["plan"]["to_rotate"], 2);
    assert!(dry["plan"]["findings"].is_array());
    assert!(!dir.join("acme-rotation.csv").exists());

    let (v, _) = json_exit(&env, &args, 0);
    assert_eq!(v["plan"], dry["plan"]);
    let written = &v["written"];
    assert_eq!(written["to_rotate"], 2);
    for file in ["bundle", "rotation_list", "dossier"] {
        let f = written[file]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: {v}"));
        assert!(Path::new(f).is_file(), "{f}");
    }
    assert_eq!(
        written["fingerprint"].as_str().expect("fingerprint").len(),
        24
    );
    assert!(!env.vault("acme").exists());

    // Refused for blocking findings: the plan is printed, and the exit is 1.
    env.new_client("leer");
    let (v, err) = json_exit(
        &env,
        &[
            "offboard",
            "leer",
            "--successor",
            &successor,
            "--successor-name",
            "N",
            "--out",
            path_str(&env.dir.path().join("off2")),
            "--yes",
            "--json",
        ],
        1,
    );
    assert!(v["plan"]["blocking"].as_u64().expect("blocking") > 0, "{v}");
    assert_eq!(v["written"], serde_json::Value::Null);
    assert!(err.contains("blocking"), "{err}");
    assert!(env.vault("leer").exists());
}

/// `handover` with `SOURCE_DATE_EPOCH` set to `day` (YYYY-MM-DD, midnight UTC).
fn on_day(env: &Env, day: &str, args: &[&str]) -> std::process::Output {
    let epoch = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .expect("date")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp();
    env.cmd(args)
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .output()
        .expect("run handover")
}

/// The codes `check --json` finds for the entry at `path`.
fn codes_on(env: &Env, day: &str, path: &str) -> Vec<String> {
    let out = on_day(env, day, &["check", "acme", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check --json");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn check_and_vendor_terms_take_today_from_source_date_epoch() {
    let env = Env::new();
    acme(&env);
    env.ok(&["edit", "acme", "m365/admin", "--expires", "2030-06-30"]);
    // Other findings (not rotated for a year) may come with the years; these are the
    // expiry's.
    let expiry = |day| {
        codes_on(&env, day, "m365/admin")
            .into_iter()
            .filter(|c| c.starts_with("expir"))
            .collect::<Vec<_>>()
    };
    assert!(expiry("2030-01-01").is_empty());
    assert_eq!(expiry("2030-06-15"), ["expiring"]);
    assert_eq!(expiry("2030-07-01"), ["expired"]);

    env.ok(&[
        "vendor",
        "add",
        "acme",
        "Telekom",
        "--term-end",
        "2030-12-31",
        "--notice-months",
        "3",
        "--renews-months",
        "12",
    ]);
    let list = |day| {
        String::from_utf8(on_day(&env, day, &["vendor", "list", "acme"]).stdout).expect("utf-8")
    };
    assert!(
        list("2030-01-01").contains("cancel by 2030-09-30"),
        "{}",
        list("2030-01-01")
    );
    assert!(
        list("2031-01-15").contains("cancel by 2031-09-30"),
        "{}",
        list("2031-01-15")
    );
    let out = on_day(
        &env,
        "2031-01-15",
        &["vendor", "show", "acme", "Telekom", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("vendor show --json");
    assert_eq!(v["cancellation_deadline"], "2031-09-30");

    let out = env
        .cmd(&["check", "acme"])
        .env("SOURCE_DATE_EPOCH", "gestern")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "handover: error: SOURCE_DATE_EPOCH=\"gestern\" is not a Unix time in seconds\n"
    );
}
