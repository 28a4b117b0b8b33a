//! Interactive prompts, driven through a real terminal with tmux: a passphrase-
//! protected identity is created, used by handover, and opened by the stock `age`.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Env, require_tool};

pub(crate) struct Tmux {
    session: String,
}

impl Tmux {
    pub(crate) fn start(env: &Env, command: &str) -> Tmux {
        require_tool("tmux");
        let session = format!(
            "handover-test-{}-{}",
            std::process::id(),
            env.dir.path().file_name().unwrap().to_string_lossy()
        )
        // tmux turns '.' and ':' in session names into '_'; keep names literal.
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
        let script = format!(
            "export HANDOVER_STORE='{}' HANDOVER_IDENTITY='{}' LANG=C.UTF-8; {command}; echo EXIT=$?; sleep 30",
            env.store().display(),
            env.identity().display()
        );
        // Tests start sessions at the same time, and the first one starts the tmux
        // server: a session asked for while it starts can fail, so try again briefly.
        let mut ok = false;
        for _ in 0..10 {
            ok = Command::new("tmux")
                .args([
                    "new-session",
                    "-d",
                    "-x",
                    "200",
                    "-y",
                    "40",
                    "-s",
                    &session,
                    "sh",
                    "-c",
                    &script,
                ])
                .status()
                .unwrap()
                .success();
            if ok {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        assert!(ok, "tmux new-session failed");
        Tmux { session }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (up to 2 s) until the program has switched the pane's terminal echo off.
    /// rpassword prints its prompt first and disables echo just after: typing at the
    /// first sight of the prompt would race it. For a prompt that echoes (y/N), this
    /// only delays the keys; for a secret prompt that failed to disable echo, the
    /// echo check after typing still catches it.
    fn wait_echo_off(&self) {
        let tty = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, "#{pane_tty}"])
            .output()
            .unwrap();
        let tty = String::from_utf8_lossy(&tty.stdout).trim().to_owned();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(2) {
            let stty = Command::new("stty").args(["-a", "-F", &tty]).output();
            if stty.is_ok_and(|out| {
                String::from_utf8_lossy(&out.stdout)
                    .split_whitespace()
                    .any(|flag| flag == "-echo")
            }) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn type_line(&self, text: &str) {
        self.wait_echo_off();
        Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .unwrap();
        Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "Enter"])
            .status()
            .unwrap();
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

const PASS: &str = "Paßwort für €-Schlüssel";

#[test]
fn passphrase_protected_identity() {
    let env = Env::bare();
    let bin = common::bin();
    let t = Tmux::start(&env, &format!("'{}' init --passphrase", bin.display()));
    t.wait_for("Passphrase for the new identity:");
    t.type_line(PASS);
    t.wait_for("Repeat to confirm:");
    t.type_line(PASS);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        !screen.contains(PASS),
        "the passphrase was echoed:\n{screen}"
    );
    drop(t);
    let file = std::fs::read_to_string(env.identity()).unwrap();
    assert!(
        file.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{file}"
    );
    assert!(!file.contains("AGE-SECRET-KEY"));
    // The signing key beside it is protected with the same passphrase: the stock
    // ssh-keygen cannot read it without, and can with it.
    let key = env.identity().with_extension("signing-key");
    let public = |pass: &str| {
        std::process::Command::new("ssh-keygen")
            .args(["-y", "-P", pass, "-f"])
            .arg(&key)
            .output()
            .unwrap()
    };
    assert!(
        !public("").status.success(),
        "signing key readable without passphrase"
    );
    let out = public(PASS);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ssh-ed25519 "));

    // Without a terminal there is nobody to ask: a clear error.
    let err = env.fails(&["client", "list"], 1);
    assert!(err.contains("passphrase-protected"), "{err}");

    // With the right passphrase, handover works.
    let t = Tmux::start(
        &env,
        &format!("'{}' client new acme --name 'Müller GmbH'", bin.display()),
    );
    t.wait_for("Passphrase for identity");
    t.type_line(PASS);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    // One passphrase unlocks identity and signing key: no second prompt.
    assert!(!screen.contains("Passphrase for signing key"), "{screen}");
    drop(t);

    // With a wrong one, it refuses and changes nothing.
    let before = common::file_bytes(&env.vault("acme"));
    let t = Tmux::start(
        &env,
        &format!("'{}' client edit acme --name X", bin.display()),
    );
    t.wait_for("Passphrase for identity");
    t.type_line("falsch");
    let screen = t.wait_for("EXIT=");
    assert!(
        screen.contains("wrong passphrase") && screen.contains("EXIT=1"),
        "{screen}"
    );
    drop(t);
    assert_eq!(common::file_bytes(&env.vault("acme")), before);

    // The stock age tool opens the vault with the same passphrase-protected identity.
    require_tool("age");
    let out = env.dir.path().join("plain.json");
    let t = Tmux::start(
        &env,
        &format!(
            "age -d -i '{}' -o '{}' '{}'",
            env.identity().display(),
            out.display(),
            env.vault("acme").display()
        ),
    );
    t.wait_for("passphrase");
    t.type_line(PASS);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["name"], "Müller GmbH");
}

#[test]
fn secrets_are_asked_for_without_echo() {
    let env = Env::new();
    env.new_client("acme");
    let bin = common::bin();
    let t = Tmux::start(
        &env,
        &format!(
            "'{}' add acme m365/admin --username a@b.de --totp --recovery-codes --secret-field PIN",
            bin.display()
        ),
    );
    t.wait_for("Password (empty for none):");
    t.type_line("  Geheim ß€ ");
    t.wait_for("Repeat to confirm:");
    t.type_line("  Geheim ß€ ");
    t.wait_for("TOTP secret");
    t.type_line("otpauth://totp/ACME:a?secret=JBSWY3DPEHPK3PXP");
    t.wait_for("Recovery codes");
    t.type_line("aaaa-1111, bbbb-2222 ,cccc-3333");
    t.wait_for("PIN:");
    t.type_line("4711");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    for secret in ["Geheim", "JBSWY3DP", "aaaa-1111", "4711"] {
        assert!(!screen.contains(secret), "{secret} was echoed:\n{screen}");
    }
    let v = env.json(&["show", "acme", "m365/admin", "--reveal", "--json"]);
    assert_eq!(v["password"], "  Geheim ß€ ");
    assert_eq!(v["totp"], "otpauth://totp/ACME:a?secret=JBSWY3DPEHPK3PXP");
    assert_eq!(
        v["recovery_codes"],
        serde_json::json!(["aaaa-1111", "bbbb-2222", "cccc-3333"])
    );
    assert_eq!(v["fields"][0]["name"], "PIN");
    assert_eq!(v["fields"][0]["value"], "4711");
    assert_eq!(v["fields"][0]["secret"], true);
}

#[test]
fn rotate_asks_twice_without_echo() {
    let env = Env::new();
    env.new_client("acme");
    env.ok(&["add", "acme", "fw", "--no-password"]);
    let bin = common::bin();
    let t = Tmux::start(&env, &format!("'{}' rotate acme fw", bin.display()));
    t.wait_for("New password:");
    t.type_line("Gedreht-€-42");
    t.wait_for("Repeat to confirm:");
    t.type_line("Gedreht-€-42");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        !screen.contains("Gedreht"),
        "the password was echoed:\n{screen}"
    );
    drop(t);
    let e = env.json(&["show", "acme", "fw", "--reveal", "--json"]);
    assert_eq!(e["password"], "Gedreht-€-42");
    assert_eq!(e["provider_knows"], true);
}

#[test]
fn add_asks_for_the_password_twice() {
    let env = Env::new();
    env.new_client("acme");
    let bin = common::bin();

    // A typo in the second answer: refused, nothing stored, and no later prompt.
    let before = common::file_bytes(&env.vault("acme"));
    let t = Tmux::start(
        &env,
        &format!(
            "'{}' add acme fw --kind network-device --totp",
            bin.display()
        ),
    );
    t.wait_for("Password (empty for none):");
    t.type_line("Tippfehler-€-1");
    t.wait_for("Repeat to confirm:");
    t.type_line("Tippfehler-€-2");
    let screen = t.wait_for("EXIT=");
    assert!(
        screen.contains("the two answers for the password differ (a typo?); nothing was changed")
            && screen.contains("EXIT=2"),
        "{screen}"
    );
    assert!(!screen.contains("TOTP secret"), "{screen}");
    assert!(!screen.contains("Tippfehler"), "echoed:\n{screen}");
    drop(t);
    assert_eq!(common::file_bytes(&env.vault("acme")), before);
    let err = env.fails(&["show", "acme", "fw"], 1);
    assert!(err.contains("fw"), "{err}");

    // Both answers alike: stored.
    let t = Tmux::start(&env, &format!("'{}' add acme fw", bin.display()));
    t.wait_for("Password (empty for none):");
    t.type_line("Richtig-€-42");
    t.wait_for("Repeat to confirm:");
    t.type_line("Richtig-€-42");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("Richtig"), "echoed:\n{screen}");
    drop(t);
    let e = env.json(&["show", "acme", "fw", "--reveal", "--json"]);
    assert_eq!(e["password"], "Richtig-€-42");

    // An empty answer means no password, and needs no confirmation.
    let t = Tmux::start(&env, &format!("'{}' add acme notiz", bin.display()));
    t.wait_for("Password (empty for none):");
    t.type_line("");
    let screen = t.wait_for("EXIT=");
    assert!(
        screen.contains("EXIT=0") && !screen.contains("Repeat to confirm"),
        "{screen}"
    );
    drop(t);
    let e = env.json(&["show", "acme", "notiz", "--json"]);
    assert!(e.get("password").is_none_or(|p| p.is_null()), "{e}");
}
