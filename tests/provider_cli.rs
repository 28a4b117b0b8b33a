//! The provider at the command line (issue 10): German dates, `--ssid` and the
//! `wifi-no-ssid` finding, "did you mean" for `--format`, the demo's hint, and the
//! README's install and test commands. The double password prompt of `add` is in
//! prompts.rs (it needs a terminal); the split offboard flags in workflows_offboard.rs.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Env, file_bytes};

fn check_json(env: &Env, client: &str) -> (Option<i32>, serde_json::Value) {
    let out = env.run(&["check", client, "--json"]);
    let v = serde_json::from_slice(&out.stdout).expect("check --json prints JSON");
    (out.status.code(), v)
}

fn codes_for(v: &serde_json::Value, path: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn dates_on_the_command_line_take_the_german_form_too() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&[
        "add",
        "acme",
        "lizenz/office",
        "--kind",
        "license",
        "--no-password",
        "--expires",
        "31.12.2026",
        "--rotated",
        "1.2.2025",
    ]);
    let v = env.json(&["show", "acme", "lizenz/office", "--json"]);
    assert_eq!(v["expires"], "2026-12-31");
    assert_eq!(v["rotated"], "2025-02-01");
    // The ISO form still works, and `edit` takes the same forms.
    env.ok(&["edit", "acme", "lizenz/office", "--expires", "2027-06-30"]);
    env.ok(&["edit", "acme", "lizenz/office", "--rotated", "15.03.2026"]);
    let v = env.json(&["show", "acme", "lizenz/office", "--json"]);
    assert_eq!(v["expires"], "2027-06-30");
    assert_eq!(v["rotated"], "2026-03-15");

    // Not a date: usage error naming the option, the value and the accepted forms;
    // nothing changed.
    let before = file_bytes(&env.vault("acme"));
    for (option, value) in [
        ("--expires", "31.02.2027"),
        ("--expires", "12/31/2026"),
        ("--rotated", "gestern"),
        ("--rotated", "2026-13-01"),
    ] {
        let err = env.fails(&["edit", "acme", "lizenz/office", option, value], 2);
        assert!(
            err.contains(&format!("{option} {value:?} is not a date"))
                && err.contains("use YYYY-MM-DD or DD.MM.YYYY, e.g. 2026-12-31 or 31.12.2026"),
            "{err}"
        );
    }
    let err = env.fails(
        &["add", "acme", "x", "--no-password", "--expires", "morgen"],
        2,
    );
    assert!(err.contains("--expires \"morgen\" is not a date"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn ssid_is_stored_as_a_plain_field_and_checked() {
    let env = Env::new();
    env.client_with("acme", "[]");

    // --ssid without --kind makes a wifi entry; the SSID is a plain field, as the
    // demo and the importers store it.
    env.ok_stdin(
        &[
            "add",
            "acme",
            "wlan/buero",
            "--ssid",
            "Müller Büro",
            "--password-stdin",
        ],
        b"Xq7#kP2m-Lw9z-Bau\n",
    );
    let v = env.json(&["show", "acme", "wlan/buero", "--json"]);
    assert_eq!(v["kind"], "wifi");
    assert_eq!(
        v["fields"],
        serde_json::json!([{"name": "SSID", "value": "Müller Büro", "secret": false}])
    );
    let (code, v) = check_json(&env, "acme");
    assert!(codes_for(&v, "wlan/buero").is_empty(), "{v}");
    assert_eq!(code, Some(0), "{v}");

    // A wifi entry without an SSID is a blocking gap.
    env.ok_stdin(
        &[
            "add",
            "acme",
            "wlan/gaeste",
            "--kind",
            "wifi",
            "--password-stdin",
        ],
        b"Willkommen-bei-Mueller-7\n",
    );
    let (code, v) = check_json(&env, "acme");
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes_for(&v, "wlan/gaeste"), ["wifi-no-ssid"], "{v}");
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "wifi-no-ssid")
        .unwrap();
    assert_eq!(finding["severity"], "blocking");
    assert!(
        finding["message"].as_str().unwrap().contains("--ssid NAME"),
        "{finding}"
    );
    let text = String::from_utf8(env.run(&["check", "acme"]).stdout).unwrap();
    assert!(text.contains("wifi-no-ssid"), "{text}");

    // `edit --ssid` fills the gap.
    env.ok(&["edit", "acme", "wlan/gaeste", "--ssid", "MuellerBau-Gast"]);
    let (code, v) = check_json(&env, "acme");
    assert_eq!(code, Some(0), "{v}");
    // An SSID field in another spelling (from an import) is replaced, not doubled.
    env.ok(&[
        "edit",
        "acme",
        "wlan/gaeste",
        "--remove-field",
        "SSID",
        "--field",
        "ssid=alt",
    ]);
    env.ok(&["edit", "acme", "wlan/gaeste", "--ssid", "neu"]);
    let v = env.json(&["show", "acme", "wlan/gaeste", "--json"]);
    assert_eq!(
        v["fields"],
        serde_json::json!([{"name": "ssid", "value": "neu", "secret": false}])
    );

    // Refusals, nothing changed: another kind, an empty name, given twice.
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(
        &[
            "add",
            "acme",
            "vpn",
            "--kind",
            "vpn",
            "--ssid",
            "Büro",
            "--no-password",
        ],
        2,
    );
    assert!(
        err.contains("--ssid is for wifi entries, and this is a vpn entry"),
        "{err}"
    );
    env.ok(&[
        "add",
        "acme",
        "fw",
        "--kind",
        "network-device",
        "--no-password",
    ]);
    let before_fw = file_bytes(&env.vault("acme"));
    assert_ne!(before, before_fw);
    let err = env.fails(&["edit", "acme", "fw", "--ssid", "Büro"], 2);
    assert!(err.contains("this is a network-device entry"), "{err}");
    let err = env.fails(
        &["add", "acme", "wlan/leer", "--ssid", " ", "--no-password"],
        2,
    );
    assert!(err.contains("--ssid needs the network's name"), "{err}");
    let err = env.fails(
        &[
            "add",
            "acme",
            "wlan/doppelt",
            "--ssid",
            "A",
            "--field",
            "SSID=B",
            "--no-password",
        ],
        2,
    );
    assert!(err.contains("given both as --ssid and as --field"), "{err}");
    assert_eq!(file_bytes(&env.vault("acme")), before_fw);
}

#[test]
fn a_mistyped_format_gets_a_suggestion() {
    let env = Env::new();
    env.new_client("acme");
    let out = env.dir.path().join("out.xml");
    let o = out.to_str().unwrap();

    let err = env.fails(&["export", "acme", "--format", "keepas-xml", "-o", o], 2);
    assert!(
        err.contains("unknown export format \"keepas-xml\"; did you mean --format keepass-xml?")
            && err
                .contains("the export formats are: json, bitwarden-json, keepass-xml, csv, bundle"),
        "{err}"
    );
    // A PDF is the dossier, not an export.
    let err = env.fails(&["export", "acme", "--format", "pdf", "-o", o], 2);
    assert!(
        err.contains("the printable PDF is the dossier: `handover dossier CLIENT -o FILE.pdf`"),
        "{err}"
    );
    assert!(!out.exists());

    let input = env.dir.path().join("in.csv");
    std::fs::write(&input, "title,password\nfw,Xq7#kP2m-Lw9z\n").unwrap();
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(
        &[
            "import",
            "acme",
            input.to_str().unwrap(),
            "--format",
            "1password",
        ],
        2,
    );
    assert!(
        err.contains("did you mean --format 1password-csv?"),
        "{err}"
    );
    // Nothing close: the list, and no guess.
    let err = env.fails(
        &[
            "import",
            "acme",
            input.to_str().unwrap(),
            "--format",
            "lastpass",
        ],
        2,
    );
    assert!(
        !err.contains("did you mean") && err.contains("the import formats are: json,"),
        "{err}"
    );
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn the_demo_hint_works_as_printed_without_handover_on_path() {
    let env = Env::bare();
    // A directory name that needs quoting in a shell.
    let dir = env.dir.path().join("mein demo");
    let out = env.cmd(&["demo", dir.to_str().unwrap()]).output().unwrap();
    common::assert_success(&out, &["demo"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    let hint = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Try: "))
        .unwrap_or_else(|| panic!("no hint in: {stderr}"));
    assert!(
        hint.starts_with(&format!("{} ", common::bin().display())),
        "{hint}"
    );
    // Pasted into a shell whose PATH has no handover, from another directory.
    let run = Command::new("sh")
        .args(["-c", hint])
        .env("PATH", "/usr/bin:/bin")
        .env_remove("HANDOVER_STORE")
        .env_remove("HANDOVER_IDENTITY")
        .current_dir("/")
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && listed.contains("netzwerk/wlan-buero"),
        "{hint}: {listed} {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The README's install line, run as written (with the binary this test built) in a
/// home directory that has no `~/.local/bin` yet.
#[test]
fn the_readme_install_line_creates_the_directory() {
    let readme = readme();
    let line = readme
        .lines()
        .find(|l| l.starts_with("install ") && l.contains("~/.local/bin"))
        .expect("an install line in the README");
    let command = line.split('#').next().unwrap().trim();
    let home = tempfile::tempdir().unwrap();
    let bin = common::bin();
    let command = command.replace("target/release/handover", &bin.to_string_lossy());
    let out = Command::new("sh")
        .args(["-c", &command])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = home.path().join(".local/bin/handover");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert!(version.status.success(), "{}", installed.display());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("handover "));
}

/// CI runs exactly the README's test command, and that command reuses the release
/// build of the README's first command.
#[test]
fn ci_runs_the_readme_test_command() {
    let readme = readme();
    let block = readme
        .split("## The two commands")
        .nth(1)
        .and_then(|rest| rest.split("```sh").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the two commands in the README");
    let commands: Vec<&str> = block
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run --release --locked -- demo ./demo",
            "cargo test --release --locked"
        ]
    );
    let ci =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    let ci_tests: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("cargo test"))
        .collect();
    assert_eq!(ci_tests, [commands[1]]);
}
