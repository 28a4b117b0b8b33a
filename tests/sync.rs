//! A store shared over git: a bare repository on disk, two machines under two
//! identities (no network), the real `git`. Concurrent changes merge entry by entry
//! and both sides end with the same vaults; what a non-member pushes is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common;

/// One machine: its own HOME, identity, pins and store.
pub struct Peer {
    dir: tempfile::TempDir,
    pub store: PathBuf,
}

fn git_env(c: &mut Command, home: &Path, who: &str) {
    c.env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_AUTHOR_NAME", who)
        .env("GIT_AUTHOR_EMAIL", format!("{who}@example.org"))
        .env("GIT_COMMITTER_NAME", who)
        .env("GIT_COMMITTER_EMAIL", format!("{who}@example.org"))
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .stdin(Stdio::null());
}

impl Peer {
    /// A machine with an identity and signing key (`handover init` on a store of its
    /// own); `store` is where the shared store will be.
    pub fn new(name: &str) -> Peer {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join(format!("{name}-store"));
        let p = Peer { dir, store };
        let own = p.dir.path().join("own");
        let out = p.cmd_at(&own, &["init"]).output().expect("run");
        common::assert_success(&out, &["init"]);
        p
    }

    fn identity(&self) -> PathBuf {
        self.dir.path().join("identity.txt")
    }

    pub fn recipient(&self) -> String {
        let text = std::fs::read_to_string(self.identity()).expect("identity");
        let line = text
            .lines()
            .find(|l| l.contains("public key: "))
            .expect("public key line");
        line.split("public key: ")
            .nth(1)
            .expect("key")
            .trim()
            .to_owned()
    }

    pub fn signing_pub(&self) -> PathBuf {
        self.identity().with_extension("signing-key.pub")
    }

    pub fn cmd_at(&self, store: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(common::bin());
        c.args(args)
            .env("HANDOVER_STORE", store)
            .env("HANDOVER_IDENTITY", self.identity());
        git_env(&mut c, self.dir.path(), "peer");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd_at(&self.store, args)
            .output()
            .expect("run handover")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        common::assert_success(&out, args);
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs and returns (stdout, stderr) of a successful run.
    fn ok_both(&self, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        common::assert_success(&out, args);
        (
            String::from_utf8(out.stdout).expect("utf-8"),
            String::from_utf8(out.stderr).expect("utf-8"),
        )
    }

    pub fn ok_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = self
            .cmd_at(&self.store, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        common::assert_success(&out, args);
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// This machine copied whole (identity, pins, store) to a second place, its pins
    /// moved to the copy's store: the same machine, to try a second way forward.
    fn twin(&self) -> Peer {
        let dir = tempfile::tempdir().expect("temp dir");
        let st = Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", self.dir.path().display()))
            .arg(dir.path())
            .status()
            .expect("cp");
        assert!(st.success());
        let store = dir.path().join(self.store.file_name().expect("name"));
        let pins = dir.path().join("identity.trust.json");
        let text = std::fs::read_to_string(&pins).expect("pins");
        let old = std::fs::canonicalize(&self.store).expect("canonical");
        let new = std::fs::canonicalize(&store).expect("canonical");
        let moved = text.replace(old.to_str().expect("utf-8"), new.to_str().expect("utf-8"));
        assert_ne!(moved, text, "the pins name the store");
        std::fs::write(&pins, moved).expect("write");
        Peer { dir, store }
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.dir.path(), &self.store, args)
    }

    pub fn password(&self, path: &str) -> String {
        let v: serde_json::Value =
            serde_json::from_str(&self.ok(&["show", "acme", path, "--reveal", "--json"]))
                .expect("json");
        v["password"].as_str().unwrap_or_default().to_owned()
    }

    fn vaults(&self) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.store.join("clients"))
            .expect("clients")
            .map(|e| e.expect("entry"))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).expect("read"),
                )
            })
            .collect();
        v.sort();
        v
    }
}

fn git_in(home: &Path, dir: &Path, args: &[&str]) -> String {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir).args(args);
    git_env(&mut c, home, "git");
    let out = c.output().expect("run git");
    common::assert_success(&out, args);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A bare repository, A's store shared into it, B trusted by A and cloned.
pub fn team() -> (tempfile::TempDir, PathBuf, Peer, Peer) {
    let tmp = tempfile::tempdir().expect("temp");
    let remote = tmp.path().join("remote.git");
    git_in(
        tmp.path(),
        tmp.path(),
        &["init", "-q", "--bare", "remote.git"],
    );
    let a = Peer::new("a");
    let b = Peer::new("b");
    a.ok(&["init"]);
    a.ok(&["client", "new", "acme", "--name", "ACME GmbH"]);
    for p in ["m365/admin", "fw/root", "nas/admin", "old/vpn"] {
        a.ok_stdin(
            &["add", "acme", p, "--username", "admin", "--password-stdin"],
            &format!("secret-{}\n", p.replace('/', "-")),
        );
    }
    a.ok(&["system", "add", "acme", "Firewall", "--os", "FortiOS 7.2"]);
    let remote_s = remote.to_str().expect("utf-8");
    a.ok(&["sync", "init", remote_s]);
    a.ok(&[
        "team",
        "add",
        "bob",
        "--recipient",
        &b.recipient(),
        "--signing-key",
        b.signing_pub().to_str().expect("utf-8"),
    ]);
    a.ok(&["sync"]);
    b.ok(&["sync", "init", remote_s]);
    b.ok(&["signers", "pin", "--yes"]);
    b.ok(&["sync"]);
    (tmp, remote, a, b)
}

/// A clone made by a non-member with write access to the repository, whose
/// `clients/acme.age` is forged with stock age: encrypted to the members' public
/// recipients (in the signer list), not signed by any of them. Returns the clone.
fn forge_in_a_clone(tmp: &Path, remote: &Path, a: &Peer, b: &Peer) -> PathBuf {
    let c_dir = tmp.join("mallory");
    git_in(
        tmp,
        tmp,
        &["clone", "-q", remote.to_str().expect("utf-8"), "mallory"],
    );
    let forged = serde_json::json!({
        "format_version": 2, "id": "acme", "name": "ACME GmbH",
        "recipients": [a.recipient(), b.recipient()],
        "entries": [{"path": "m365/admin", "username": "admin", "password": "mallory-knows"}],
        "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "revision": 999
    });
    let plain = tmp.join("forged.json");
    std::fs::write(&plain, forged.to_string()).expect("write");
    let st = Command::new("age")
        .args(["-r", &a.recipient(), "-r", &b.recipient(), "-o"])
        .arg(c_dir.join("clients/acme.age"))
        .arg(&plain)
        .status()
        .expect("age");
    assert!(st.success());
    c_dir
}

/// [`team`], where A changed m365/admin and synced, B changed fw/root, and B's sync
/// was killed after git's merge began (`MERGE_HEAD` left, our files in place), as a
/// sync merges: `-s ours`, no commit.
pub fn team_with_a_merge_begun() -> (tempfile::TempDir, PathBuf, Peer, Peer) {
    let (tmp, remote, a, b) = team();
    a.ok_stdin(
        &["edit", "acme", "m365/admin", "--password-stdin"],
        "a-m365\n",
    );
    a.ok(&["sync"]);
    b.ok_stdin(&["edit", "acme", "fw/root", "--password-stdin"], "b-fw\n");
    b.git(&["fetch", "-q", "origin"]);
    let branch = b.git(&["symbolic-ref", "--short", "HEAD"]);
    let upstream = format!("origin/{}", branch.trim());
    b.git(&[
        "merge",
        "-q",
        "--no-ff",
        "--no-commit",
        "-s",
        "ours",
        &upstream,
    ]);
    (tmp, remote, a, b)
}

#[test]
fn concurrent_changes_merge_entry_by_entry_and_both_sides_agree() {
    let (_tmp, _remote, a, b) = team();
    assert_eq!(b.password("fw/root"), "secret-fw-root");
    let stranger = {
        let out = Command::new("age-keygen").output().expect("age-keygen");
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        text.split("Public key: ")
            .nth(1)
            .expect("pk")
            .trim()
            .to_owned()
    };
    a.ok(&["recipients", "acme", "add", &stranger]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);

    // A: a different entry, the same entry, removes one, a system field, a recipient.
    a.ok_stdin(
        &["edit", "acme", "m365/admin", "--password-stdin"],
        "a-m365\n",
    );
    a.ok_stdin(
        &["edit", "acme", "nas/admin", "--password-stdin"],
        "a-nas\n",
    );
    a.ok(&["remove", "acme", "old/vpn"]);
    a.ok(&["system", "edit", "acme", "Firewall", "--os", "FortiOS 7.4"]);
    a.ok(&["recipients", "acme", "remove", &stranger]);
    a.ok(&["client", "new", "both", "--name", "Both A"]);
    a.ok(&["add", "both", "from-a", "--no-password"]);
    // B, meanwhile.
    b.ok_stdin(&["edit", "acme", "fw/root", "--password-stdin"], "b-fw\n");
    b.ok_stdin(
        &["edit", "acme", "nas/admin", "--password-stdin"],
        "b-nas\n",
    );
    b.ok(&[
        "edit",
        "acme",
        "old/vpn",
        "--note",
        "still used by the branch office",
    ]);
    b.ok(&["system", "edit", "acme", "Firewall", "--hostname", "fw01"]);
    b.ok(&["network", "add", "acme", "LAN"]);
    b.ok(&["client", "new", "both", "--name", "Both B"]);
    b.ok(&["add", "both", "from-b", "--no-password"]);

    a.ok(&["sync"]);
    let (said, warned) = b.ok_both(&["sync"]);
    assert!(said.contains("Merged entry by entry: acme, both"), "{said}");
    assert!(
        warned.contains("acme: entry \"nas/admin\" was changed on both sides (password"),
        "{warned}"
    );
    a.ok(&["sync"]);

    // Both clones hold the same vaults, byte for byte.
    assert_eq!(a.vaults(), b.vaults());
    // Nothing lost.
    for peer in [&a, &b] {
        assert_eq!(peer.password("m365/admin"), "a-m365");
        assert_eq!(peer.password("fw/root"), "b-fw");
        // B merged: B's value in place, A's beside it.
        assert_eq!(peer.password("nas/admin"), "b-nas");
        assert_eq!(peer.password("nas/admin (merge conflict)"), "a-nas");
        let vpn: serde_json::Value =
            serde_json::from_str(&peer.ok(&["show", "acme", "old/vpn", "--json"])).expect("json");
        assert_eq!(
            vpn["notes"], "still used by the branch office",
            "edit beats removal"
        );
        let fw: serde_json::Value =
            serde_json::from_str(&peer.ok(&["system", "show", "acme", "Firewall", "--json"]))
                .expect("json");
        let fw = fw.get("system").unwrap_or(&fw);
        assert_eq!(fw["os"], "FortiOS 7.4");
        assert_eq!(fw["hostname"], "fw01");
        assert!(peer.ok(&["network", "list", "acme"]).contains("LAN"));
        let recipients = peer.ok(&["recipients", "acme"]);
        assert!(
            !recipients.contains(&stranger),
            "removal wins: {recipients}"
        );
        let both = peer.ok(&["list", "both"]);
        assert!(both.contains("from-a") && both.contains("from-b"), "{both}");
        // The conflict blocks until resolved.
        let out = peer.run(&["check", "acme", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let conflict: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == "merge-conflict")
            .collect();
        assert_eq!(conflict.len(), 1, "{v}");
        assert_eq!(conflict[0]["severity"], "blocking");
    }
    // Resolving: remove the sibling, sync; the finding is gone on both sides.
    b.ok(&["remove", "acme", "nas/admin (merge conflict)"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let out = a.run(&["check", "acme", "--json"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("merge-conflict"));

    // Every change was committed with a message naming client and action; no diff or
    // message over the whole history shows a secret value.
    let log = a.git(&["log", "-p", "--textconv", "--format=%s"]);
    assert!(log.contains("acme: entry-changed m365/admin"), "{log}");
    for secret in [
        "secret-m365-admin",
        "secret-fw-root",
        "a-m365",
        "b-fw",
        "a-nas",
        "b-nas",
    ] {
        assert!(!log.contains(secret), "{secret} in git log -p");
    }
    assert!(
        log.contains("entry \"nas/admin\": "),
        "textconv names records: {log}"
    );
}

#[test]
fn a_forged_vault_or_signer_list_from_a_non_member_is_refused() {
    let (tmp, remote, a, b) = team();
    // A non-member with write access to the repository encrypts to the members'
    // public recipients (in the signer list) with stock age.
    let c_dir = forge_in_a_clone(tmp.path(), &remote, &a, &b);
    git_in(tmp.path(), &c_dir, &["commit", "-qam", "acme: update"]);
    git_in(tmp.path(), &c_dir, &["push", "-q"]);

    let out = a.run(&["sync"]);
    common::assert_success(&out, &["sync"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Refused clients/acme.age from the others: its signature: "),
        "{said}"
    );
    assert!(said.contains("your copy was kept"), "{said}");
    assert_eq!(a.password("m365/admin"), "secret-m365-admin");
    b.ok(&["sync"]);
    assert_eq!(b.password("m365/admin"), "secret-m365-admin");
    assert_eq!(a.vaults(), b.vaults());

    // A signer list with the non-member's key, signed by that key.
    git_in(tmp.path(), &c_dir, &["pull", "-q", "--no-rebase"]);
    let list_path = c_dir.join("signers.json");
    let mut list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&list_path).expect("read")).expect("json");
    let evil = tmp.path().join("evil");
    assert!(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&evil)
            .status()
            .expect("ssh-keygen")
            .success()
    );
    let evil_pub = std::fs::read_to_string(format!("{}.pub", evil.display())).expect("pub");
    list["version"] = (list["version"].as_u64().expect("version") + 1).into();
    list["signers"]
        .as_array_mut()
        .expect("signers")
        .push(serde_json::json!({"name": "mallory", "key": evil_pub.trim(), "added": "2026-11-23T00:00:00Z"}));
    std::fs::write(&list_path, format!("{list:#}\n")).expect("write");
    let _ = std::fs::remove_file(c_dir.join("signers.json.sig"));
    assert!(
        Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "handover-signers", "-f"])
            .arg(&evil)
            .arg(&list_path)
            .status()
            .expect("sign")
            .success()
    );
    git_in(tmp.path(), &c_dir, &["commit", "-qam", "signers"]);
    git_in(tmp.path(), &c_dir, &["push", "-q"]);
    let out = a.run(&["sync"]);
    common::assert_success(&out, &["sync"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Refused signers.json from the others: its signature: "),
        "{said}"
    );
    assert!(!a.ok(&["signers"]).contains("mallory"));
    assert_eq!(a.password("fw/root"), "secret-fw-root");
}

/// A sync killed after git's merge began leaves `MERGE_HEAD`; the next sync completes
/// it (simulated: the merge started as sync starts it, then nothing more).
#[test]
fn a_sync_killed_half_way_is_completed_by_the_next() {
    let (_tmp, _remote, a, b) = team_with_a_merge_begun();
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(a.vaults(), b.vaults());
    assert_eq!(b.password("m365/admin"), "a-m365");
    assert_eq!(a.password("fw/root"), "b-fw");
}

/// Everything in a client that a merge decides, as `export --format json` and the
/// knowledge listings print it.
fn content(peer: &Peer, dir: &Path, name: &str) -> String {
    let file = dir.join(name);
    peer.ok(&[
        "export",
        "acme",
        "--format",
        "json",
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    let entries = std::fs::read_to_string(&file).expect("export");
    let systems = peer.ok(&["system", "show", "acme", "Firewall", "--json"]);
    format!("{entries}\n{systems}")
}

/// A technician who runs `git pull` by hand gets what `handover sync` makes: git runs
/// the merge driver for the vault and its signature, changed on both sides.
#[test]
fn a_git_pull_by_hand_merges_vaults_as_sync_does() {
    let (tmp, _remote, a, b) = team();
    let attributes = std::fs::read_to_string(b.store.join(".gitattributes")).expect("read");
    assert!(
        attributes.contains("clients/*.age.sig merge=handover"),
        "{attributes}"
    );
    assert!(
        b.git(&["config", "merge.handover.driver"])
            .contains("sync merge-driver %O %A %B %P")
    );
    a.ok_stdin(
        &["edit", "acme", "m365/admin", "--password-stdin"],
        "a-m365\n",
    );
    a.ok(&["system", "edit", "acme", "Firewall", "--os", "FortiOS 7.4"]);
    a.ok(&["sync"]);
    b.ok_stdin(&["edit", "acme", "fw/root", "--password-stdin"], "b-fw\n");
    b.ok(&["system", "edit", "acme", "Firewall", "--hostname", "fw01"]);
    let b_sync = b.twin();

    b.git(&["pull", "-q", "--no-rebase"]);
    assert_eq!(
        b.git(&["status", "--porcelain"]),
        "",
        "merged and committed"
    );
    let parents = b.git(&["log", "-1", "--format=%p"]);
    assert_eq!(parents.split_whitespace().count(), 2, "a merge commit");
    assert_eq!(b.password("m365/admin"), "a-m365");
    assert_eq!(b.password("fw/root"), "b-fw");
    let by_hand = content(&b, tmp.path(), "by-hand.json");
    assert!(
        by_hand.contains("FortiOS 7.4") && by_hand.contains("fw01"),
        "{by_hand}"
    );
    let leftovers = b.store.join(".git/handover-merge");
    let left = std::fs::read_dir(&leftovers).map_or(0, |d| d.count());
    assert_eq!(
        left, 0,
        "the driver's second call takes what the first left"
    );

    // The same merge made by `handover sync` on the same machine holds the same content.
    let out = b_sync.run(&["sync"]);
    common::assert_success(&out, &["sync"]);
    assert_eq!(content(&b_sync, tmp.path(), "by-sync.json"), by_hand);

    // Pushed and taken by A, the vaults agree byte for byte.
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(a.vaults(), b.vaults());
    assert_eq!(a.password("fw/root"), "b-fw");
}

/// The driver refuses what `sync` refuses: a forged vault from the remote leaves a
/// conflict with ours in place, and `handover sync` completes the merge keeping ours.
#[test]
fn a_git_pull_by_hand_refuses_a_forged_vault() {
    let (tmp, remote, a, b) = team();
    let c_dir = forge_in_a_clone(tmp.path(), &remote, &a, &b);
    // A signature file that changed too, so that git merges both halves.
    std::fs::write(c_dir.join("clients/acme.age.sig"), "not a signature\n").expect("write");
    git_in(tmp.path(), &c_dir, &["commit", "-qam", "acme: update"]);
    git_in(tmp.path(), &c_dir, &["push", "-q"]);

    b.ok_stdin(&["edit", "acme", "fw/root", "--password-stdin"], "b-fw\n");
    let mut pull = Command::new("git");
    pull.arg("-C")
        .arg(&b.store)
        .args(["pull", "-q", "--no-rebase"]);
    git_env(&mut pull, b.dir.path(), "git");
    let out = pull.output().expect("git pull");
    assert!(!out.status.success(), "git stops with a conflict");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("handover: refused clients/acme.age: its signature: "),
        "{said}"
    );
    assert!(
        said.contains("run `handover sync` to complete the merge"),
        "{said}"
    );
    assert_eq!(b.password("fw/root"), "b-fw", "ours in place");
    assert_eq!(b.password("m365/admin"), "secret-m365-admin");

    let out = b.run(&["sync"]);
    common::assert_success(&out, &["sync"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Refused clients/acme.age from the others"),
        "{said}"
    );
    assert_eq!(b.password("m365/admin"), "secret-m365-admin");
    assert_eq!(b.password("fw/root"), "b-fw");
    a.ok(&["sync"]);
    assert_eq!(a.vaults(), b.vaults());
}

/// `handover sync` killed with SIGKILL, together with the git it runs (its whole process
/// group, as a power cut would), at moments spread over its run: each time the next
/// sync completes what the killed one began, both clones converge and nothing is lost.
#[test]
fn a_sync_killed_at_any_moment_is_completed_by_the_next() {
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};
    let (_tmp, _remote, a, b) = team();
    let round = |i: u32| {
        let a_value = format!("a-{i}\n");
        a.ok_stdin(
            &["edit", "acme", "m365/admin", "--password-stdin"],
            &a_value,
        );
        a.ok(&["sync"]);
        let b_value = format!("b-{i}\n");
        b.ok_stdin(&["edit", "acme", "fw/root", "--password-stdin"], &b_value);
    };
    round(0);
    let started = Instant::now();
    b.ok(&["sync"]);
    let whole = started.elapsed();
    a.ok(&["sync"]);
    let rounds = 10;
    for i in 1..=rounds {
        round(i);
        let mut sync = b.cmd_at(&b.store, &["sync"]);
        sync.process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = sync.spawn().expect("spawn sync");
        std::thread::sleep(whole * i / rounds + Duration::from_millis(u64::from(i % 3)));
        // The group may be gone already (the sync ended): then there is nothing to kill.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
        let _ = child.wait();

        let out = b.run(&["sync"]);
        common::assert_success(&out, &["sync", "after a kill"]);
        a.ok(&["sync"]);
        b.ok(&["sync"]);
        assert_eq!(a.vaults(), b.vaults(), "round {i}");
        for peer in [&a, &b] {
            assert_eq!(peer.password("m365/admin"), format!("a-{i}"), "round {i}");
            assert_eq!(peer.password("fw/root"), format!("b-{i}"), "round {i}");
            assert_eq!(peer.password("nas/admin"), "secret-nas-admin", "round {i}");
        }
        assert_eq!(b.git(&["status", "--porcelain"]), "", "round {i}");
    }
}

/// A push killed together with the git receiving it (a bare repository on a shared
/// drive runs its receiving git on this machine) leaves a lock file in the shared
/// repository, which refused every later push ("cannot lock ref 'HEAD'"). The next
/// sync removes it once it is stale, as it does the store's own.
#[test]
fn a_lock_left_in_a_shared_repository_on_disk_is_removed_when_stale() {
    let (_tmp, remote, a, b) = team();
    let lock = remote.join("HEAD.lock");
    std::fs::write(&lock, "").expect("write");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .and_then(|f| f.set_modified(old))
        .expect("set mtime");
    a.ok_stdin(
        &["edit", "acme", "m365/admin", "--password-stdin"],
        "a-m365\n",
    );
    let out = a.run(&["sync"]);
    common::assert_success(&out, &["sync"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "Removed {}, left by a git that was killed",
            lock.display()
        )),
        "{said}"
    );
    assert!(!lock.exists());
    b.ok(&["sync"]);
    assert_eq!(b.password("m365/admin"), "a-m365");
}
