//! What a killed run leaves behind, and the next run removes: the partial dossier in the
//! output directory, a vault's or the signer list's temp file in the store, the pin file's
//! temp file beside the identity, and the editor's private directory. The leftovers are
//! made here as a killed run leaves them (same names, modes, owner, no lock held).

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::Env;

/// A file as a killed writer leaves it: 0600, named `.tmp-XXXXXX`, nobody holding it.
fn leftover(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// Files that look similar but that handover did not write, which it must leave alone.
fn lookalikes(dir: &Path) -> Vec<PathBuf> {
    let longer = leftover(dir, ".tmp-abcdefg", b"not ours: a longer name");
    let other = leftover(dir, ".tmpAbc123", b"not ours: another program's prefix");
    let shared = leftover(dir, ".tmp-Shr123", b"not ours: readable by others");
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o644)).unwrap();
    vec![longer, other, shared]
}

#[test]
fn a_killed_dossier_is_removed_by_the_next_one() {
    let env = Env::new();
    env.new_client("acme");
    let out = env.dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let stale = leftover(&out, ".tmp-K1lled", b"%PDF-1.7\npartial, with passwords");
    let keep = lookalikes(&out);
    // A running writer's temp file is locked: it stays.
    let running = leftover(&out, ".tmp-Runn1n", b"%PDF-1.7\nbeing written");
    let held = fs::File::open(&running).unwrap();
    held.lock().unwrap();

    let pdf = out.join("acme.pdf");
    env.ok(&["dossier", "acme", "-o", pdf.to_str().unwrap()]);
    assert!(pdf.exists());
    assert!(!stale.exists(), "the killed run's partial PDF is removed");
    assert!(running.exists(), "a running writer's file is left alone");
    for f in keep {
        assert!(f.exists(), "{} is not handover's", f.display());
    }
    drop(held);
    env.ok(&["dossier", "acme", "-o", pdf.to_str().unwrap(), "--force"]);
    assert!(!running.exists(), "removed once its writer is gone");
}

#[test]
fn a_killed_write_of_a_vault_signer_list_or_pin_file_is_removed_by_the_next_writer() {
    let env = Env::new();
    env.new_client("acme");
    let clients = env.store().join("clients");
    let vault_tmp = leftover(&clients, ".tmp-Va0lt1", b"age-encryption.org/v1\n...");
    let signers_tmp = leftover(
        &env.store(),
        ".tmp-S1gner",
        b"{\"format\":\"handover-signers\"",
    );
    // The pin file lives beside the identity.
    let pins_tmp = leftover(
        env.dir.path(),
        ".tmp-P1nsXX",
        b"{\"format\":\"handover-trust\"",
    );
    let keep = lookalikes(&clients);

    // A read removes nothing (it takes no lock and writes nothing).
    env.ok(&["list", "acme"]);
    assert!(vault_tmp.exists() && signers_tmp.exists() && pins_tmp.exists());

    env.ok(&["add", "acme", "one", "--no-password"]);
    assert!(!vault_tmp.exists(), "beside the vault");
    assert!(!signers_tmp.exists(), "beside the signer list");
    assert!(!pins_tmp.exists(), "beside the pin file");
    for f in keep {
        assert!(f.exists(), "{} is not handover's", f.display());
    }
}

#[test]
fn a_killed_edit_leaves_a_directory_that_the_next_edit_removes() {
    let env = Env::new();
    env.new_client("acme");
    env.ok_stdin(
        &[
            "doc", "add", "acme", "notiz", "--kind", "note", "--title", "Notiz", "--stdin",
        ],
        b"eins\n",
    );
    let runtime = env.dir.path().join("runtime");
    fs::create_dir(&runtime).unwrap();
    fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700)).unwrap();
    let private_dir = |name: &str| {
        let dir = runtime.join(name);
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        leftover(&dir, "text.md", b"the document, with the NAS password");
        leftover(&dir, ".text.md.swp", b"the editor's swap file");
        dir
    };
    let stale = private_dir("handover-edit-K1lled");
    let running = private_dir("handover-edit-Runn1n");
    let held = fs::File::open(&running).unwrap();
    held.lock().unwrap();
    let other = runtime.join("handover-edit-notours");
    fs::create_dir(&other).unwrap();

    let out = env
        .cmd(&["doc", "edit", "acme", "notiz"])
        .env("EDITOR", "true")
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stale.exists(), "the killed edit's directory is removed");
    assert!(running.join("text.md").exists(), "a running edit's is not");
    assert!(
        other.exists(),
        "a name handover does not make is left alone"
    );
    let left: Vec<_> = fs::read_dir(&runtime)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "this edit's own directory is gone: {left:?}");
}

/// A `sync` killed after git's merge began leaves `MERGE_HEAD` and our files in place
/// (`-s ours`). A write before the next sync must not commit: that commit concluded the
/// merge without the other side's changes (found by scripts/adversarial.sh), which were
/// then lost here for good and, pushed, undone on the other machine too.
#[test]
fn a_write_after_a_killed_sync_does_not_conclude_its_merge() {
    let (_tmp, _remote, a, b) = crate::sync::team_with_a_merge_begun();
    b.ok_stdin(
        &[
            "add",
            "acme",
            "nas/new",
            "--username",
            "n",
            "--password-stdin",
        ],
        "b-nas\n",
    );
    // Still merging: the write is in the files, not in a commit.
    b.git(&["rev-parse", "-q", "--verify", "MERGE_HEAD"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    for peer in [&a, &b] {
        assert_eq!(peer.password("m365/admin"), "a-m365");
        assert_eq!(peer.password("fw/root"), "b-fw");
        assert_eq!(peer.password("nas/new"), "b-nas");
    }
    assert_eq!(b.git(&["status", "--porcelain"]), "");
}
