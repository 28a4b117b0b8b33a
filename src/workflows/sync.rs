//! A store shared over git: `sync init` (make the store a repository, or clone one)
//! and `sync` (commit, fetch, merge each client changed on both sides with
//! `sync::merge`, re-encrypt and sign with this machine's key, push).
//!
//! Nothing pulled is taken on trust: a vault must carry a signature by a key this
//! machine trusts and be newer than the copy both sides started from, a signer list
//! must be signed by a trusted key; what fails is refused and ours kept. A sync killed
//! half-way leaves git's merge in progress (`MERGE_HEAD`); the next sync completes it.

use std::path::Path;

use crate::error::{Error, Result};
use crate::keys::signing;
use crate::keys::trust::{SignerList, Trust};
use crate::model::{Client, ClientId, MergeConflict};
use crate::store::{Store, WriteLock};
use crate::sync::git::Repo;
use crate::sync::merge;
use crate::vault;
use crate::workflows::Handover;
use crate::workflows::signers::write_list;

const REMOTE: &str = "origin";
const SIGNERS: &str = "signers.json";

/// What `.gitattributes` says: vaults merge and diff through handover.
/// A vault and its signature merge through `handover sync merge-driver` (see
/// `workflows::merge_driver`); the signer list is never merged as text: a hand
/// `git pull` that meets it changed on both sides stops, and `sync` merges it.
pub const GITATTRIBUTES: &str = "clients/*.age merge=handover diff=handover\nclients/*.age.sig merge=handover\nsigners.json merge=binary\nsigners.json.sig merge=binary\n";
/// What is not shared: the lock, temp files, offboarding archives.
pub const GITIGNORE: &str = "/lock\n.tmp-*\n/archive/\n";

/// How this machine runs handover for git (`git config` of the repository): the
/// command that prints a vault for `git diff`, and the merge driver's command
/// (with git's `%O %A %B %P`).
pub struct GitSetup {
    pub textconv: String,
    pub merge_driver: String,
}

/// What `sync init` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Initialised {
    /// A new repository; pushed to the remote when one was given.
    Created { pushed: bool },
    /// The remote was cloned into the empty store directory.
    Cloned,
}

/// Makes the store at `dir` a git repository (or clones `remote` into it when it is
/// empty or missing) and registers handover with git.
pub fn init(dir: &Path, remote: Option<&str>, setup: &GitSetup) -> Result<Initialised> {
    let empty = std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
    if let (Some(remote), true) = (remote, empty) {
        clone(dir, remote)?;
        let repo = Repo::new_at(dir);
        configure(&repo, setup)?;
        Store::open(dir)?;
        return Ok(Initialised::Cloned);
    }
    let store = Store::open(dir)?;
    if store.repo().is_some() {
        return Err(Error::Git(format!(
            "{} is already a git repository; run `handover sync` to share it",
            dir.display()
        )));
    }
    let repo = Repo::new_at(dir);
    repo.run(&["init", "-q"])?;
    std::fs::write(dir.join(".gitattributes"), GITATTRIBUTES)
        .map_err(|e| Error::io("cannot write .gitattributes", e))?;
    std::fs::write(dir.join(".gitignore"), GITIGNORE)
        .map_err(|e| Error::io("cannot write .gitignore", e))?;
    configure(&repo, setup)?;
    let lock = store.lock()?;
    repo.commit_all("handover: the store is shared with git")?;
    drop(lock);
    let Some(remote) = remote else {
        return Ok(Initialised::Created { pushed: false });
    };
    repo.run(&["remote", "add", REMOTE, remote])?;
    repo.run(&["push", "-q", "-u", REMOTE, "HEAD"])?;
    Ok(Initialised::Created { pushed: true })
}

fn clone(dir: &Path, remote: &str) -> Result<()> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| Error::io("cannot create the store's parent", e))?;
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--", remote])
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::io("cannot run `git` (is it installed?)", e))?;
    if !out.status.success() {
        return Err(Error::Git(format!(
            "cannot clone {remote}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    crate::fsutil::ensure_private_dir(dir)
}

/// The repository's own config: how to show a vault, and that its vaults are binary
/// to every other git tool.
fn configure(repo: &Repo, setup: &GitSetup) -> Result<()> {
    repo.run(&["config", "diff.handover.textconv", &setup.textconv])?;
    repo.run(&["config", "diff.handover.binary", "true"])?;
    repo.run(&["config", "merge.handover.name", "handover vault merge"])?;
    // A `git pull` by hand merges vaults entry by entry, as `sync` does; where the
    // driver refuses theirs it stops with a conflict, which `handover sync` completes.
    repo.run(&["config", "merge.handover.driver", &setup.merge_driver])?;
    // The virtual base of a criss-cross merge is not a commit the driver can read.
    repo.run(&["config", "merge.handover.recursive", "binary"])?;
    Ok(())
}

/// What a sync did, for the person to read.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// Clients changed only on the other side, taken as they are.
    pub taken: Vec<ClientId>,
    /// Clients changed on both sides, merged entry by entry and signed here.
    pub merged: Vec<ClientId>,
    /// Clients removed on the other side (and unchanged here).
    pub removed: Vec<ClientId>,
    /// Files refused, and why; ours was kept.
    pub refused: Vec<(String, String)>,
    /// What merges could not decide (`check` reports them as `merge-conflict`).
    pub conflicts: Vec<(ClientId, MergeConflict)>,
    /// Recipients one side added to a client's vault (a key that can now read it).
    pub recipients_added: Vec<(ClientId, String)>,
    /// Whether the store's signer list changed.
    pub signers_changed: bool,
    /// Whether a remote was pushed to.
    pub pushed: bool,
    /// Git's lock files left by a killed git, removed before anything else.
    pub stale_locks: Vec<std::path::PathBuf>,
}

/// Commits what is left, fetches, merges and pushes.
pub fn sync(h: &mut Handover) -> Result<SyncReport> {
    let repo = h.store.repo().ok_or_else(|| {
        Error::Git(format!(
            "the store at {} is not shared with git yet; run `handover sync init [REMOTE]` first",
            h.store.root().display()
        ))
    })?;
    let lock = h.store.lock()?;
    h.store.set_autocommit(false);
    let result = sync_locked(h, &repo, &lock);
    h.store.set_autocommit(true);
    result
}

fn sync_locked(h: &mut Handover, repo: &Repo, lock: &WriteLock) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    // What merge drivers of an earlier `git pull` left: never needed again.
    let _ = std::fs::remove_dir_all(repo.merge_cache_dir()?);
    // What a git killed with an earlier sync left (a power cut, `kill -9`).
    report.stale_locks = repo.clear_stale_locks()?;
    let url = repo.output(&["remote", "get-url", REMOTE])?;
    let url = url
        .status
        .success()
        .then(|| String::from_utf8_lossy(&url.stdout).trim().to_owned());
    if let Some(remote) = url.as_deref().and_then(|url| repo.local_remote_dir(url)) {
        report
            .stale_locks
            .extend(crate::sync::git::clear_stale_locks_in(&remote));
    }
    let mut resuming = repo.rev("MERGE_HEAD")?;
    if let Some(merged) = &resuming
        && repo.yes(&["merge-base", "--is-ancestor", merged, "HEAD"])?
    {
        // A sync killed after committing its merge, before git forgot the merge: a
        // stale MERGE_HEAD would stop every later sync from fetching.
        repo.run(&["merge", "--quit"])?;
        resuming = None;
    }
    if resuming.is_none() {
        repo.commit_all("handover sync: changes not committed before")?;
    }
    let branch = repo.text(&["symbolic-ref", "--short", "HEAD"])?;
    if url.is_some() {
        if resuming.is_none() {
            repo.run(&["fetch", "-q", REMOTE])?;
        }
    } else {
        return Err(Error::Git(format!(
            "the store's repository has no remote {REMOTE:?}; add one with `git -C {} remote add origin URL`",
            repo.root().display()
        )));
    }
    let theirs = match resuming {
        Some(c) => c,
        None => match repo.rev(&format!("{REMOTE}/{branch}"))? {
            Some(c) => c,
            None => {
                push(repo, &branch, &mut report)?;
                return Ok(report);
            }
        },
    };
    let up_to_date = repo.yes(&["merge-base", "--is-ancestor", &theirs, "HEAD"])?;
    if !up_to_date {
        integrate(h, repo, lock, &theirs, &mut report)?;
    }
    push(repo, &branch, &mut report)?;
    Ok(report)
}

fn push(repo: &Repo, branch: &str, report: &mut SyncReport) -> Result<()> {
    let out = repo.output(&["push", "-q", REMOTE, &format!("HEAD:{branch}")])?;
    if !out.status.success() {
        return Err(Error::Git(format!(
            "the merge is committed here, but pushing it failed: {}; run `handover sync` again (someone may have pushed meanwhile)",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    report.pushed = true;
    Ok(())
}

/// Brings `theirs` in: a fast-forward when we changed nothing and everything checks
/// out, else a merge commit whose tree is decided here, file by file.
fn integrate(
    h: &mut Handover,
    repo: &Repo,
    lock: &WriteLock,
    theirs: &str,
    report: &mut SyncReport,
) -> Result<()> {
    let in_merge = repo.rev("MERGE_HEAD")?.is_some();
    let base = repo.text(&["merge-base", "HEAD", theirs]).ok();
    let fast_forward = !in_merge && base.as_deref() == repo.rev("HEAD")?.as_deref();
    if fast_forward && all_acceptable(h, repo, base.as_deref(), theirs)? {
        repo.run(&["merge", "-q", "--ff-only", theirs])?;
        h.trust = Trust::establish(&h.store, h.trust.pins_path())?;
        for id in changed_clients(repo, base.as_deref(), theirs)? {
            if let Ok(client) = h.load(&id) {
                report.taken.push(client.id);
            }
        }
        return Ok(());
    }
    if !in_merge {
        repo.run(&[
            "merge",
            "-q",
            "--no-ff",
            "--no-commit",
            "--allow-unrelated-histories",
            "-s",
            "ours",
            theirs,
        ])?;
    }
    merge_signers(h, repo, lock, base.as_deref(), theirs, report)?;
    for id in changed_clients(repo, base.as_deref(), theirs)? {
        merge_client(h, repo, lock, &id, base.as_deref(), theirs, report)?;
    }
    let message = merge_message(report);
    repo.run(&["add", "-A", "--", "."])?;
    repo.run(&["commit", "-q", "--no-verify", "-m", &message])?;
    Ok(())
}

fn merge_message(report: &SyncReport) -> String {
    let names = |ids: &[ClientId]| {
        ids.iter()
            .map(ClientId::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut message = String::from("handover sync: merged");
    if !report.merged.is_empty() {
        message.push_str(&format!("; entry by entry: {}", names(&report.merged)));
    }
    if !report.refused.is_empty() {
        let files: Vec<&str> = report.refused.iter().map(|(f, _)| f.as_str()).collect();
        message.push_str(&format!("; refused (ours kept): {}", files.join(", ")));
    }
    message
}

/// The clients whose vault or signature differs between `base` and `theirs`.
fn changed_clients(repo: &Repo, base: Option<&str>, theirs: &str) -> Result<Vec<ClientId>> {
    let paths = match base {
        Some(b) => repo.changed(b, theirs)?,
        None => repo
            .text(&["ls-tree", "-r", "--name-only", theirs])?
            .lines()
            .map(str::to_owned)
            .collect(),
    };
    let mut ids: Vec<ClientId> = paths
        .iter()
        .filter_map(|p| p.strip_prefix("clients/"))
        .filter_map(|p| {
            p.strip_suffix(".age.sig")
                .or_else(|| p.strip_suffix(".age"))
        })
        .filter_map(|id| ClientId::parse(id).ok())
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Whether every file that changed on their side would be taken as it is.
fn all_acceptable(h: &Handover, repo: &Repo, base: Option<&str>, theirs: &str) -> Result<bool> {
    if let Some(theirs_list) = repo.show(theirs, SIGNERS)?
        && Some(&theirs_list) != h.store.read_signers()?.map(|(l, _)| l).as_ref()
    {
        return Ok(false);
    }
    for id in changed_clients(repo, base, theirs)? {
        let path = vault_path(&id);
        if let Some(bytes) = repo.show(theirs, &path)? {
            let sig = repo.show(theirs, &format!("{path}.sig"))?;
            let floor = h.trust.seen_revision(&id);
            if verify_theirs(h, &id, &bytes, sig.as_deref(), floor).is_err() {
                return Ok(false);
            }
        } else {
            // A removal is taken only by the merge path, which checks it.
            return Ok(false);
        }
    }
    Ok(true)
}

pub(super) fn vault_path(id: &ClientId) -> String {
    format!("clients/{id}.age")
}

/// Checks a vault from the other side: a trusted signature, our client, readable,
/// and newer than `floor`. Returns it decoded.
pub(super) fn verify_theirs(
    h: &Handover,
    id: &ClientId,
    bytes: &[u8],
    sig: Option<&[u8]>,
    floor: u64,
) -> std::result::Result<Client, String> {
    signing::verify_trusted(bytes, sig, signing::NAMESPACE, h.trust.keys())
        .map_err(|p| format!("its signature: {p}"))?;
    let client = vault::decode(bytes, &h.identity).map_err(|p| p.to_string())?;
    if &client.id != id {
        return Err(format!("it holds client {:?}", client.id.as_str()));
    }
    if client.revision < floor {
        return Err(format!(
            "it is revision {}, older than revision {floor} already seen: an older copy was put back",
            client.revision
        ));
    }
    Ok(client)
}

/// A vault at a commit, decoded when it verifies (the base is only a reference).
pub(super) fn verified_at(
    h: &Handover,
    repo: &Repo,
    commit: Option<&str>,
    id: &ClientId,
) -> Option<Client> {
    let path = vault_path(id);
    let bytes = repo.show(commit?, &path).ok()??;
    let sig = repo.show(commit?, &format!("{path}.sig")).ok()?;
    verify_theirs(h, id, &bytes, sig.as_deref(), 0).ok()
}

fn merge_client(
    h: &mut Handover,
    repo: &Repo,
    lock: &WriteLock,
    id: &ClientId,
    base: Option<&str>,
    theirs: &str,
    report: &mut SyncReport,
) -> Result<()> {
    let path = vault_path(id);
    let base_client = verified_at(h, repo, base, id);
    let ours_bytes = h
        .store
        .exists(id)
        .then(|| h.store.read_vault(id))
        .transpose()?;
    let base_bytes = match base {
        Some(b) => repo.show(b, &path)?,
        None => None,
    };
    let ours_unchanged = ours_bytes == base_bytes;
    let Some(theirs_bytes) = repo.show(theirs, &path)? else {
        if ours_unchanged && ours_bytes.is_some() {
            h.store.remove_vault(lock, id)?;
            h.trust.forget_revision(id)?;
            report.removed.push(id.clone());
        }
        return Ok(());
    };
    if ours_bytes.as_ref() == Some(&theirs_bytes) {
        return Ok(());
    }
    let sig = repo.show(theirs, &format!("{path}.sig"))?;
    // Theirs must be newer than the base; if only they changed it, newer than what
    // this machine has seen too.
    let mut floor = base_client.as_ref().map_or(0, |b| b.revision + 1);
    if ours_unchanged {
        floor = floor.max(h.trust.seen_revision(id));
    }
    let their_client = match verify_theirs(h, id, &theirs_bytes, sig.as_deref(), floor) {
        Ok(c) => c,
        Err(why) => {
            report.refused.push((path, why));
            return Ok(());
        }
    };
    if ours_unchanged || ours_bytes.is_none() {
        let sig = sig.unwrap_or_default();
        h.store.write_vault(lock, id, &theirs_bytes, &sig)?;
        h.trust.saw_revision(id, their_client.revision)?;
        report.taken.push(id.clone());
        return Ok(());
    }
    merge_both(h, lock, base_client.as_ref(), &their_client, report)
}

/// A client changed on both sides: merged entry by entry, sealed with our key.
fn merge_both(
    h: &Handover,
    lock: &WriteLock,
    base: Option<&Client>,
    theirs: &Client,
    report: &mut SyncReport,
) -> Result<()> {
    let id = &theirs.id;
    let ours = h.load(id)?;
    let merged = merge::merge(base, &ours, theirs, chrono::Utc::now())?;
    let mut client = merged.client;
    h.write(lock, &mut client)?;
    report
        .recipients_added
        .extend(merged.recipients_added.into_iter().map(|r| (id.clone(), r)));
    report
        .conflicts
        .extend(merged.conflicts.into_iter().map(|c| (id.clone(), c)));
    report.merged.push(id.clone());
    Ok(())
}

/// The store's signer list from the other side: taken when a key this machine trusts
/// signed it and ours is unchanged; merged (a removal on either side wins) and signed
/// here when both changed; refused otherwise.
fn merge_signers(
    h: &mut Handover,
    repo: &Repo,
    lock: &WriteLock,
    base: Option<&str>,
    theirs: &str,
    report: &mut SyncReport,
) -> Result<()> {
    let Some(theirs_bytes) = repo.show(theirs, SIGNERS)? else {
        return Ok(());
    };
    let ours_bytes = h.store.read_signers()?.map(|(l, _)| l);
    if ours_bytes.as_ref() == Some(&theirs_bytes) {
        return Ok(());
    }
    let sig = repo.show(theirs, &format!("{SIGNERS}.sig"))?;
    let what = format!("{SIGNERS} from {REMOTE}");
    let checked = SignerList::parse(&theirs_bytes, &what).and_then(|list| {
        signing::verify_trusted(
            &theirs_bytes,
            sig.as_deref(),
            signing::SIGNERS_NAMESPACE,
            h.trust.keys(),
        )
        .map_err(|p| Error::Trust(format!("its signature: {p}")))?;
        Ok(list)
    });
    let their_list = match checked {
        Ok(list) => list,
        Err(e) => {
            report.refused.push((SIGNERS.into(), e.to_string()));
            return Ok(());
        }
    };
    let ours = h.trust.list().clone();
    let base_list = match base {
        Some(b) => repo.show(b, SIGNERS)?,
        None => None,
    }
    .and_then(|b| SignerList::parse(&b, SIGNERS).ok());
    if base_list.as_ref() == Some(&ours) && their_list.version > ours.version {
        // Only they changed it, and a trusted key signed it: taken as it is.
        let sig = sig.unwrap_or_default();
        let allowed = their_list.allowed_signers();
        h.store
            .write_signers(lock, &theirs_bytes, &sig, allowed.as_bytes())?;
    } else {
        let mut list = merge_lists(base_list.as_ref(), &ours, &their_list);
        if list.signers == ours.signers {
            return Ok(());
        }
        list.version = ours.version.max(their_list.version) + 1;
        write_list(&h.store, lock, h.signing_key()?, &list)?;
    }
    h.trust = Trust::establish(&h.store, h.trust.pins_path())?;
    report.signers_changed = true;
    Ok(())
}

/// Signers as sets by key: removed on either side is removed, added on either is added.
fn merge_lists(base: Option<&SignerList>, ours: &SignerList, theirs: &SignerList) -> SignerList {
    let in_list = |l: &SignerList, key: &str| l.signers.iter().any(|s| s.key == key);
    let removed = |key: &str| {
        base.is_some_and(|b| in_list(b, key) && (!in_list(ours, key) || !in_list(theirs, key)))
    };
    let mut list = ours.clone();
    list.signers.retain(|s| !removed(&s.key));
    for s in &theirs.signers {
        if !removed(&s.key)
            && !in_list(&list, &s.key)
            && !list.signers.iter().any(|o| o.name == s.name)
        {
            list.signers.push(s.clone());
        }
    }
    list.version = ours.version.max(theirs.version);
    list
}

/// Accepts ours for the client's own fields that a sync found changed on both sides,
/// and forgets the record conflicts already resolved (their sibling removed). Returns
/// how many open conflicts are left.
pub fn resolve(h: &Handover, id: &ClientId) -> Result<usize> {
    h.update(id, |client| {
        let open: Vec<MergeConflict> = client
            .open_conflicts()
            .filter(|c| c.sibling.is_some())
            .cloned()
            .collect();
        client.merge_conflicts = open;
        Ok(client.merge_conflicts.len())
    })
}

/// The key of `git diff`'s digests, derived from this machine's identity.
pub fn textconv_key(identity: &crate::keys::Identity) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"handover textconv\0");
    h.update(identity.secret_key().as_bytes());
    h.finalize().to_vec()
}
