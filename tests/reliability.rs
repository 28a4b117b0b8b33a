//! Nothing lost, ever: damaged vaults are refused and left alone, concurrent writers
//! never lose each other's changes, and a writer killed at any instant leaves a vault
//! that opens with either its old or its new content.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Env, file_bytes};
use handover::keys::{Identity, encrypt};

/// Asserts that both a read and a write command refuse the vault with a message
/// containing `expect`, exit 1, and leave the file byte-for-byte as it was.
fn assert_refused(env: &Env, expect: &str) {
    let before = file_bytes(&env.vault("acme"));
    let err = env.fails(&["list", "acme"], 1);
    assert!(err.contains(expect), "expected {expect:?} in: {err}");
    let err = env.fails(&["add", "acme", "new/entry", "--no-password"], 1);
    assert!(err.contains(expect), "expected {expect:?} in: {err}");
    let err = env.fails(&["client", "edit", "acme", "--name", "Neu"], 1);
    assert!(err.contains(expect), "expected {expect:?} in: {err}");
    assert_eq!(
        file_bytes(&env.vault("acme")),
        before,
        "the vault was rewritten"
    );
    // `client list` reports it but keeps going.
    let out = env.ok(&["client", "list"]);
    assert!(out.contains("cannot open"), "{out}");
}

/// Puts `bytes` in place of the vault, as something outside handover would. First
/// the signature check refuses it (a file changed after it was signed); then it is
/// signed with the provider's own key by the stock `ssh-keygen`, as a damaged file
/// that still carries a valid signature would be, so that the decoder's own
/// message for that damage can be checked.
fn put_vault(env: &Env, bytes: &[u8]) {
    std::fs::write(env.vault("acme"), bytes).unwrap();
    let before = file_bytes(&env.vault("acme"));
    for args in [
        &["list", "acme"][..],
        &["add", "acme", "new/entry", "--no-password"],
        &["client", "list"],
    ] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        // `client list` names each refused vault in its table and sums up on stderr.
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            said.contains("signature was made over other bytes")
                || said.contains("has no signature"),
            "{args:?}: {said}"
        );
    }
    assert_eq!(
        file_bytes(&env.vault("acme")),
        before,
        "the vault was rewritten"
    );
    env.sign_with_ssh_keygen(&env.vault("acme"));
}

fn env_with_vault() -> (Env, Vec<u8>) {
    let env = Env::new();
    env.new_client("acme");
    // Make the vault span several 64 KiB age chunks (a secret holds at most 64 KiB).
    let big = "x".repeat(50_000);
    for name in ["big", "big2", "big3"] {
        env.ok_stdin(&["add", "acme", name, "--password-stdin"], big.as_bytes());
    }
    let bytes = file_bytes(&env.vault("acme"));
    (env, bytes)
}

fn own_identity(env: &Env) -> Identity {
    let text = std::fs::read_to_string(env.identity()).unwrap();
    Identity::parse(&text).unwrap()
}

#[test]
fn truncated_vault() {
    let (env, bytes) = env_with_vault();
    put_vault(&env, &bytes[..40]);
    assert_refused(&env, "truncated");
    put_vault(&env, b"");
    assert_refused(&env, "empty");
    put_vault(&env, &bytes[..bytes.len() / 2]);
    // Cut mid-block, truncation cannot be told from damage: the message says both.
    assert_refused(&env, "cut off");
}

#[test]
fn bit_flipped_vault() {
    let (env, mut bytes) = env_with_vault();
    let n = bytes.len() - 1000;
    bytes[n] ^= 0x10;
    put_vault(&env, &bytes);
    assert_refused(&env, "damaged");
}

#[test]
fn not_an_age_file() {
    let (env, _) = env_with_vault();
    put_vault(&env, br#"{"format_version":1}"#);
    assert_refused(&env, "not an age-encrypted file");
}

#[test]
fn wrong_identity() {
    let (env, _) = env_with_vault();
    let stranger = Identity::generate();
    let ct = encrypt(b"{}", &[stranger.recipient()]).unwrap();
    put_vault(&env, &ct);
    assert_refused(&env, "not encrypted to your identity");
}

#[test]
fn json_that_does_not_match_the_schema() {
    let (env, _) = env_with_vault();
    let id = own_identity(&env);
    let json = format!(
        r#"{{"format_version":1,"id":"acme","name":"A","recipients":["{}"],"entries":[{{"path":"a","port":"Geheim99"}}],"created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}}"#,
        id.recipient()
    );
    put_vault(&env, &encrypt(json.as_bytes(), &[id.recipient()]).unwrap());
    assert_refused(&env, "does not match the vault schema");
    let err = env.fails(&["list", "acme"], 1);
    assert!(!err.contains("Geheim99"), "{err}");

    put_vault(&env, &encrypt(b"not json", &[id.recipient()]).unwrap());
    assert_refused(&env, "does not match the vault schema");
    put_vault(&env, &encrypt(&[0xff, 0xfe], &[id.recipient()]).unwrap());
    assert_refused(&env, "not UTF-8");
}

#[test]
fn newer_format_version() {
    let (env, _) = env_with_vault();
    let id = own_identity(&env);
    let json = br#"{"format_version":3,"id":"acme","something_new":true}"#;
    put_vault(&env, &encrypt(json, &[id.recipient()]).unwrap());
    assert_refused(&env, "upgrade handover");
}

#[test]
fn swapped_vault_file() {
    let env = Env::new();
    env.new_client("acme");
    env.new_client("other");
    std::fs::copy(env.vault("other"), env.vault("acme")).unwrap();
    // The vault alone swapped: its signature is acme's, over other bytes.
    let err = env.fails(&["list", "acme"], 1);
    assert!(err.contains("signature was made over other bytes"), "{err}");
    // Vault and signature swapped together: validly signed, but another client's.
    std::fs::copy(
        env.store().join("clients/other.age.sig"),
        env.store().join("clients/acme.age.sig"),
    )
    .unwrap();
    let before = file_bytes(&env.vault("acme"));
    for args in [
        &["list", "acme"][..],
        &["add", "acme", "new/entry", "--no-password"],
    ] {
        let err = env.fails(args, 1);
        assert!(err.contains("not \"acme\""), "{args:?}: {err}");
    }
    // Possibly planted, as a bad signature is: `client list` exits 1 (hardening_smaller).
    env.fails(&["client", "list"], 1);
    assert_eq!(file_bytes(&env.vault("acme")), before);
}

#[test]
fn concurrent_writers_lose_nothing() {
    let env = Env::new();
    env.new_client("acme");
    let writer = |prefix: &'static str| {
        let mut c = env.cmd(&[]);
        let script = format!(
            "for i in $(seq 1 50); do '{}' add acme {prefix}/$i --no-password || exit 1; done",
            common::bin().display()
        );
        c.args(["-c", &script]);
        let mut sh = Command::new("sh");
        sh.args(["-c", &script]);
        for (k, v) in c.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        sh.stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = writer("a");
    let b = writer("b");
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = env.json(&["list", "acme", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 100);
}

#[test]
fn killed_writers_never_leave_a_broken_vault() {
    let env = Env::new();
    env.new_client("acme");
    // A vault of a realistic size makes each write take long enough to be interrupted
    // at different stages (decrypt, encrypt, temp write, fsync, rename).
    // (Eight secrets of 50 kB: a secret holds at most 64 KiB.)
    let blob = "y".repeat(50_000);
    for i in 0..8 {
        env.ok_stdin(
            &["add", "acme", &format!("blob{i}"), "--password-stdin"],
            blob.as_bytes(),
        );
    }
    // Kill at instants spread over a whole write, however fast this machine is: start
    // from the fastest warm-up write, and adapt as the rounds go (a machine that is busy
    // one moment and idle the next must not let every writer finish, or none).
    let mut span = Duration::MAX;
    for i in 0..3 {
        let start = std::time::Instant::now();
        env.ok(&["add", "acme", &format!("warm/{i}"), "--no-password"]);
        span = span.min(start.elapsed());
    }
    let mut span_us = span.as_micros() as f64;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut completed, mut old, mut new) = (0, 0, 0);
    let mut entries = env.json(&["list", "acme", "--json"]);
    // At least 60 rounds, and on until both outcomes were seen (a loaded machine may
    // need more), so that both branches below are exercised.
    let mut round = 0;
    while round < 60 || (round < 200 && (old == 0 || new == 0)) {
        round += 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // From half a write (before that it only dies starting or decrypting) to past
        // its end.
        let (from_us, to_us) = ((span_us / 2.0) as u64, (span_us * 3.0 / 2.0) as u64);
        let delay = Duration::from_micros(from_us + seed % (to_us - from_us).max(1));
        let before = file_bytes(&env.vault("acme"));
        let path = format!("k/{round}");
        let mut child = env
            .cmd(&["add", "acme", &path, "--no-password"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        // Whatever instant it died at, the vault opens and holds either exactly the old
        // content (the same bytes) or the old entries, unchanged, plus the new one.
        let now = env.json(&["list", "acme", "--json"]);
        if file_bytes(&env.vault("acme")) == before {
            assert!(
                !status.success(),
                "round {round}: a completed add changed nothing"
            );
            assert_eq!(now, entries, "round {round}: same bytes, other entries");
            old += 1;
        } else {
            let (now_list, old_list) = (now.as_array().unwrap(), entries.as_array().unwrap());
            assert_eq!(now_list.len(), old_list.len() + 1, "round {round}: {now}");
            let added: Vec<_> = now_list.iter().filter(|e| !old_list.contains(e)).collect();
            assert_eq!(added.len(), 1, "round {round}: an old entry changed: {now}");
            assert_eq!(added[0]["path"], path.as_str(), "round {round}");
            new += 1;
        }
        if status.success() {
            completed += 1;
            span_us *= 0.85;
        } else {
            span_us *= 1.08;
        }
        entries = now;
    }
    eprintln!(
        "{completed} of {round} writers completed; {old} rounds left the old vault, {new} the new one"
    );
    assert!(
        old > 0 && new > 0,
        "{old} old, {new} new: the kills did not cover a whole write"
    );
    // Stale temp files of killed writers are cleaned up by the next writer.
    env.ok(&["add", "acme", "final", "--no-password"]);
    let leftovers: Vec<_> = std::fs::read_dir(env.store().join("clients"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}
