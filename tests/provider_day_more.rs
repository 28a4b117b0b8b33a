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
