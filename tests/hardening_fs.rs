//! The file system as an attacker (another local user) or an accident shapes it: special
//! files where handover expects regular ones, symlinks, shared and umask-000 directories,
//! a writer that holds the lock, and core dumps. Each case runs the real binary with a
//! deadline, so that a regression fails the test instead of hanging it.

use crate::common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Env, bin};

/// Runs `cmd` to completion, or kills it and fails the test after `secs` seconds.
fn run_within(mut cmd: Command, secs: u64) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn handover");
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still ran after {secs} s: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Runs `args` with a deadline and asserts it exits 1 with `expect` on stderr.
fn refuses(env: &Env, args: &[&str], expect: &str) -> String {
    let out = run_within(env.cmd(args), 20);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(
        err.contains(expect),
        "{args:?}: expected {expect:?} in: {err}"
    );
    err
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_fifo_vault_is_refused_instead_of_hanging() {
    let env = Env::new();
    env.new_client("acme");
    mkfifo(&env.vault("x"));
    refuses(&env, &["list", "x"], "named pipe (FIFO)");
    refuses(
        &env,
        &["add", "x", "e", "--no-password"],
        "named pipe (FIFO)",
    );
    let out = run_within(env.cmd(&["client", "list"]), 20);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("acme"), "{stdout}");
    assert!(
        stdout.contains("x") && stdout.contains("named pipe"),
        "{stdout}"
    );
    // The other client is still writable: the refusal did not keep the lock.
    env.ok(&["add", "acme", "after", "--no-password"]);
}

#[test]
fn a_vault_symlinked_to_dev_zero_is_refused_without_reading_it() {
    let env = Env::new();
    env.new_client("acme");
    symlink("/dev/zero", env.vault("zero")).unwrap();
    refuses(&env, &["list", "zero"], "is a device");
    refuses(
        &env,
        &["client", "edit", "zero", "--name", "Z"],
        "is a device",
    );
}

#[test]
fn every_other_user_given_file_refuses_a_fifo() {
    let env = Env::new();
    env.new_client("acme");
    let fifo = env.dir.path().join("fifo");
    mkfifo(&fifo);
    let out = env.dir.path().join("out.pdf");
    // Identity file, import input, --include-client-key and store config.
    let other = Env::bare();
    fs::create_dir_all(other.store()).unwrap();
    mkfifo(&other.identity());
    let mut cmd = other.cmd(&["list", "acme"]);
    cmd.env("HANDOVER_STORE", env.store());
    let res = run_within(cmd, 20);
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{err}");
    assert!(
        err.contains("identity file") && err.contains("FIFO"),
        "{err}"
    );

    refuses(
        &env,
        &["import", "acme", "--format", "json", s(&fifo)],
        "named pipe (FIFO)",
    );
    refuses(
        &env,
        &[
            "dossier",
            "acme",
            "-o",
            s(&out),
            "--include-client-key",
            s(&fifo),
        ],
        "client key file",
    );
    mkfifo(&env.store().join("config.json"));
    refuses(&env, &["check", "acme"], "store configuration");
    fs::remove_file(env.store().join("config.json")).unwrap();
    // A FIFO store marker.
    fs::remove_file(env.store().join("handover-store.json")).unwrap();
    mkfifo(&env.store().join("handover-store.json"));
    refuses(&env, &["list", "acme"], "store marker");
    assert!(!out.exists());
}

#[test]
fn a_fifo_template_file_is_refused_instead_of_hanging() {
    let env = Env::new();
    env.new_client("acme");
    let template = env.dir.path().join("tpl");
    fs::create_dir(&template).unwrap();
    let out = env.dir.path().join("d.pdf");
    let args = [
        "dossier",
        "acme",
        "-o",
        s(&out),
        "--template",
        s(&template),
        "--lang",
        "en",
    ];
    for name in ["en.json", "branding.json"] {
        mkfifo(&template.join(name));
        refuses(&env, &args, "named pipe (FIFO)");
        fs::remove_file(template.join(name)).unwrap();
    }
    fs::write(template.join("branding.json"), r#"{"logo": "logo.png"}"#).unwrap();
    mkfifo(&template.join("logo.png"));
    refuses(&env, &args, "branding logo");
    assert!(!out.exists());
}

#[test]
fn a_dangling_lock_symlink_is_not_followed() {
    let env = Env::new();
    env.new_client("acme");
    let lock = env.store().join("lock");
    let target = env.dir.path().join("created-by-handover");
    let _ = fs::remove_file(&lock);
    symlink(&target, &lock).unwrap();
    refuses(
        &env,
        &["add", "acme", "e", "--no-password"],
        "symbolic link",
    );
    assert!(!target.exists(), "handover created the symlink's target");
    assert!(lock.symlink_metadata().unwrap().file_type().is_symlink());
}

/// The binary under `umask 000`, started through `sh` like a user's shell would.
fn under_umask_000(env: &Env, args: &[&str]) -> Command {
    let plain = env.cmd(&[]);
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "umask 000; exec \"$0\" \"$@\"", s(&bin())])
        .args(args)
        .stdin(Stdio::null());
    for (k, v) in plain.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd
}

#[test]
fn under_umask_000_every_directory_handover_creates_is_0700() {
    let env = Env::bare();
    let root = env.dir.path();
    let store = root.join("a/b/store");
    let identity = root.join("c/d/identity.txt");
    let out = run_within(
        under_umask_000(
            &env,
            &["--store", s(&store), "--identity", s(&identity), "init"],
        ),
        60,
    );
    assert!(out.status.success(), "{out:?}");
    for dir in ["a", "a/b", "a/b/store", "a/b/store/clients", "c", "c/d"] {
        assert_eq!(mode(&root.join(dir)), 0o700, "{dir}");
    }
    assert_eq!(mode(&identity), 0o600);
    assert_eq!(mode(&store.join("handover-store.json")), 0o600);
    // A command under umask 000 keeps the store's files private too.
    let cmd = under_umask_000(
        &env,
        &[
            "--store",
            s(&store),
            "--identity",
            s(&identity),
            "client",
            "new",
            "acme",
            "--name",
            "A",
        ],
    );
    assert!(run_within(cmd, 60).status.success());
    assert_eq!(mode(&store.join("clients/acme.age")), 0o600);
    assert_eq!(mode(&store.join("lock")), 0o600);
}

#[test]
fn init_leaves_an_existing_shared_directory_alone_and_warns() {
    let env = Env::bare();
    let shared = env.dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let identity = shared.join("identity.txt");
    let store = env.dir.path().join("store");
    let out = env.run(&["--store", s(&store), "--identity", s(&identity), "init"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(mode(&shared), 0o1777, "the sticky bit was lost");
    assert!(
        err.contains("warning:") && err.contains("mode 1777"),
        "{err}"
    );
    assert_eq!(mode(&store), 0o700);
    assert_eq!(mode(&identity), 0o600);
    // A private identity directory gets no warning.
    let quiet = Env::bare();
    quiet.ok(&["init"]);
    let out = quiet.run(&["init"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn demo_under_umask_000_in_a_shared_directory() {
    let env = Env::bare();
    let shared = env.dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let out = run_within(under_umask_000(&env, &["demo", s(&shared)]), 120);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        mode(&shared),
        0o1777,
        "the demo chmodded an existing directory"
    );
    assert!(
        err.contains("warning:") && err.contains("mode 1777"),
        "{err}"
    );
    for dir in ["store", "store/clients", "template"] {
        assert_eq!(mode(&shared.join(dir)), 0o700, "{dir}");
    }
    for file in [
        "identity.txt",
        "client-key.txt",
        "dossier-de.pdf",
        "dossier-en.pdf",
    ] {
        assert_eq!(mode(&shared.join(file)), 0o600, "{file}");
    }
    // A demo directory that does not exist yet is created 0700, parents included.
    let fresh = env.dir.path().join("new/demo");
    let out = run_within(under_umask_000(&env, &["demo", s(&fresh)]), 120);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(mode(&env.dir.path().join("new")), 0o700);
    assert_eq!(mode(&fresh), 0o700);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

/// Holds `<store>/lock` the way a running handover does, as this test process.
fn hold_lock(env: &Env) -> fs::File {
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(env.store().join("lock"))
        .unwrap();
    lock.lock().unwrap();
    fs::write(
        env.store().join("lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    lock
}

#[test]
fn a_held_lock_times_out_naming_the_holder() {
    let env = Env::new();
    env.new_client("acme");
    // Every writer records its pid in the lock file.
    let child = env
        .cmd(&["add", "acme", "one", "--no-password"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(
        fs::read_to_string(env.store().join("lock")).unwrap(),
        format!("{pid}\n")
    );

    let held = hold_lock(&env);
    let before = fs::read(env.vault("acme")).unwrap();
    let mut cmd = env.cmd(&["add", "acme", "two", "--no-password"]);
    cmd.env("HANDOVER_LOCK_TIMEOUT", "1");
    let started = Instant::now();
    let out = run_within(cmd, 20);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("store is busy") && err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(fs::read(env.vault("acme")).unwrap(), before);
    // Readers do not need the lock.
    env.ok(&["list", "acme"]);
    drop(held);
    env.ok(&["add", "acme", "two", "--no-password"]);

    let mut cmd = env.cmd(&["add", "acme", "three", "--no-password"]);
    cmd.env("HANDOVER_LOCK_TIMEOUT", "soon");
    let err = String::from_utf8_lossy(&run_within(cmd, 20).stderr).into_owned();
    assert!(err.contains("HANDOVER_LOCK_TIMEOUT"), "{err}");
}

#[test]
fn the_running_binary_cannot_dump_core() {
    let env = Env::new();
    env.new_client("acme");
    // Park handover on the held lock, with a core limit it would inherit if it did not
    // lower it itself.
    let held = hold_lock(&env);
    let mut cmd = env.cmd(&["add", "acme", "e", "--no-password"]);
    cmd.env("HANDOVER_LOCK_TIMEOUT", "20")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let some = libc::rlimit {
                rlim_cur: 1 << 20,
                rlim_max: libc::RLIM_INFINITY,
            };
            if libc::setrlimit(libc::RLIMIT_CORE, &some) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let limits = format!("/proc/{}/limits", child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    let core = loop {
        let text = fs::read_to_string(&limits).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap()
            .to_owned();
        let words: Vec<&str> = line.split_whitespace().collect();
        if words[4..6] == ["0", "0"] || Instant::now() > deadline {
            break line;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    drop(held);
    let words: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(words[4..6], ["0", "0"], "{core}");
}
