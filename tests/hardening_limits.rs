//! Size limits and the cost of large values (issue 21, findings 1 and 2): the largest
//! values the limits allow render within a bound, larger ones are refused by the
//! command line and the importers alike, naming the field and the limit, and
//! nothing is written.
//!
//! The bound, also in docs/FORMAT.md ("Limits"): a dossier of a client holding one
//! such value takes under 10 s (about 0.1 to 0.7 s in a release build; the margin is
//! for a loaded machine and the dev profile) and under 200 MiB of peak memory
//! (measured as the child's maximum resident set size from `wait4`; 20 to 60 MiB in
//! practice). Before the fix a 300 kB password took 1.35 GB, 600,000 spaces 3.76 GB.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::Env;

const MAX_SECONDS: u64 = 10;
const MAX_RSS_KIB: i64 = 200 * 1024;

/// Runs `dossier` on `client` and returns its wall time and peak memory (KiB).
// The child is reaped by `wait4`, which also reports its peak memory.
#[allow(clippy::zombie_processes)]
fn dossier_cost(env: &Env, client: &str) -> (Duration, i64) {
    let out = env.dir.path().join(format!("{client}.pdf"));
    let start = Instant::now();
    let child = env
        .cmd(&["dossier", client, "-o", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn handover");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI call with valid out-pointers; `child` is not waited on elsewhere.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(got, pid, "wait4: {}", std::io::Error::last_os_error());
    let status = std::process::ExitStatus::from_raw(status);
    assert!(status.success(), "dossier {client}: {status}");
    assert!(out.exists());
    (elapsed, usage.ru_maxrss)
}

fn assert_cheap(env: &Env, client: &str) {
    let (time, rss) = dossier_cost(env, client);
    assert!(
        time < Duration::from_secs(MAX_SECONDS),
        "{client}: {time:?}"
    );
    assert!(rss < MAX_RSS_KIB, "{client}: {rss} KiB");
}

fn doc(env: &Env, client: &str, markdown: &str) {
    env.new_client(client);
    let file = env.dir.path().join(format!("{client}.md"));
    std::fs::write(&file, markdown).unwrap();
    env.ok(&[
        "doc",
        "add",
        client,
        "d",
        "--kind",
        "note",
        "--file",
        file.to_str().unwrap(),
    ]);
}

fn import(env: &Env, client: &str, entries: serde_json::Value) -> std::process::Output {
    let file = env.dir.path().join(format!("{client}.json"));
    std::fs::write(&file, serde_json::json!({ "entries": entries }).to_string()).unwrap();
    env.run(&["import", client, "--format", "json", file.to_str().unwrap()])
}

#[test]
fn the_largest_values_allowed_render_within_the_bound() {
    let env = Env::new();
    // A code block of 600,000 spaces; 200,000 tabs (each printed as its code point).
    doc(
        &env,
        "spaces",
        &format!("```\n{}x\n```\n", " ".repeat(600_000)),
    );
    assert_cheap(&env, "spaces");
    doc(
        &env,
        "tabs",
        &format!("```\n{}x\n```\n", "\t".repeat(200_000)),
    );
    assert_cheap(&env, "tabs");
    // The largest password, the longest title, notes of 300 kB without a space.
    env.new_client("entry");
    let out = import(
        &env,
        "entry",
        serde_json::json!([
            {"path": "a/password", "kind": "login", "password": "p".repeat(64 * 1024)},
            {"path": "a/title", "kind": "login", "title": "T".repeat(1000)},
            {"path": "a/notes", "kind": "note", "notes": "n".repeat(300_000)},
            {"path": "a/tabs", "kind": "note", "notes": "\t".repeat(300_000)},
        ]),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_cheap(&env, "entry");
}

#[test]
fn fields_over_their_limit_are_refused_by_the_cli_and_the_importers() {
    let env = Env::new();
    env.new_client("acme");
    let before = std::fs::read(env.vault("acme")).unwrap();
    // The command line.
    let title = "T".repeat(1001);
    let err = env.fails(&["add", "acme", "x", "--no-password", "--title", &title], 1);
    assert!(
        err.contains("the title of entry \"x\" has 1001 characters; at most 1000 are allowed"),
        "{err}"
    );
    // The importers: JSON, and a spreadsheet.
    let out = import(
        &env,
        "acme",
        serde_json::json!([{"path": "a/b", "kind": "login", "password": "p".repeat(300_000)}]),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the password of entry \"a/b\" has 300000 bytes; at most 65536 are allowed"),
        "{err}"
    );
    let csv = env.dir.path().join("big.csv");
    std::fs::write(
        &csv,
        format!("title,username,password\nbig,{},x\n", "u".repeat(2000)),
    )
    .unwrap();
    let err = env.fails(
        &["import", "acme", "--format", "csv", csv.to_str().unwrap()],
        1,
    );
    assert!(
        err.contains(
            "the user name of entry \"big\" has 2000 characters; at most 1000 are allowed"
        ),
        "{err}"
    );
    // Documents keep their limit of 1 MiB.
    let big = env.dir.path().join("big.md");
    std::fs::write(&big, "x".repeat(1024 * 1024 + 1)).unwrap();
    env.fails(
        &[
            "doc",
            "add",
            "acme",
            "d",
            "--kind",
            "note",
            "--file",
            big.to_str().unwrap(),
        ],
        1,
    );
    assert_eq!(
        std::fs::read(env.vault("acme")).unwrap(),
        before,
        "nothing written"
    );
}

/// Runs `args` with endless input on stdin (as `< /dev/zero`, but stopping after
/// 64 MiB if handover kept reading), returning its output and how much it took.
fn endless_stdin(env: &Env, args: &[&str]) -> (std::process::Output, usize) {
    use std::io::Write;
    let mut child = env
        .cmd(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn handover");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'0'; 64 * 1024];
        let mut sent = 0;
        while sent < 64 * 1024 * 1024 && stdin.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
        sent
    });
    let out = child.wait_with_output().expect("wait");
    (out, writer.join().unwrap())
}

#[test]
fn secrets_from_stdin_are_capped_and_endless_input_writes_nothing() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(&["add", "acme", "e", "--password-stdin"], b"old\n");
    let before = std::fs::read(env.vault("acme")).unwrap();
    for (args, flag) in [
        (
            &["add", "acme", "new", "--password-stdin"][..],
            "--password-stdin",
        ),
        (
            &["rotate", "acme", "e", "--password-stdin"][..],
            "--password-stdin",
        ),
        (
            &[
                "add",
                "acme",
                "k",
                "--no-password",
                "--secret-field-stdin",
                "API key",
            ][..],
            "--secret-field-stdin",
        ),
        (
            &["edit", "acme", "e", "--password-stdin"][..],
            "--password-stdin",
        ),
    ] {
        let (out, sent) = endless_stdin(&env, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim_end(),
            format!(
                "handover: error: {flag}: stdin holds more than 65536 bytes (64 KiB), the most a secret may have; nothing was changed"
            ),
            "{args:?}"
        );
        assert!(sent < 64 * 1024 * 1024, "{args:?}: handover read on");
        assert_eq!(
            std::fs::read(env.vault("acme")).unwrap(),
            before,
            "{args:?}"
        );
    }
    // The largest secret, with its line end, is taken whole.
    let mut max = vec![b'p'; 64 * 1024];
    max.extend_from_slice(b"\r\n");
    env.ok_stdin(&["rotate", "acme", "e", "--password-stdin"], &max);
    let shown = env.json(&["show", "acme", "e", "--reveal", "--json"]);
    assert_eq!(shown["password"].as_str().unwrap().len(), 64 * 1024);
    // And --help says so.
    for cmd in ["add", "rotate", "edit"] {
        let help = env.ok(&[cmd, "--help"]);
        assert!(help.contains("64 KiB)"), "{cmd}: {help}");
    }
}
