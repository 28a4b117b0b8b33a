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
