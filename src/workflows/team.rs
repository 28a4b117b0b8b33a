//! The team sharing a store: a member is a trusted signer (the store's signer list,
//! `workflows::signers`) whose age recipient every vault is encrypted to. Adding one
//! re-encrypts every vault to them; removing one re-encrypts without them and writes
//! the rotation list of every secret they could read, for they still know it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::dossier::templates::{Lang, Template};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::Recipient;
use crate::keys::signing::SignerKey;
use crate::keys::trust::Signer;
use crate::model::{ClientId, EventKind};
use crate::store::WriteLock;
use crate::workflows::rotation::{rotation_csv, rotation_list};
use crate::workflows::{Handover, clients, history, signers};

/// A member as `team list` shows them.
pub struct Member {
    pub signer: Signer,
    pub fingerprint: String,
    pub you: bool,
}

/// The members: every trusted signer.
pub fn list(h: &Handover) -> Vec<Member> {
    let own = h.signing.as_ref().map(|k| k.public());
    h.trust
        .list()
        .signers
        .iter()
        .map(|s| {
            let key = SignerKey::parse(&s.key).ok();
            Member {
                signer: s.clone(),
                fingerprint: key.as_ref().map(|k| k.fingerprint()).unwrap_or_default(),
                you: key.is_some() && key == own,
            }
        })
        .collect()
}

/// Runs `each` over every client with the store's per-write commits off, then commits
/// once with `message`.
fn for_every_client(
    h: &Handover,
    message: &str,
    progress: &dyn Fn(usize, usize),
    mut each: impl FnMut(&ClientId) -> Result<()>,
) -> Result<usize> {
    let ids = h.store.client_ids()?;
    h.store.set_autocommit(false);
    let mut result = Ok(());
    for (i, id) in ids.iter().enumerate() {
        result = each(id);
        progress(i + 1, ids.len());
        if result.is_err() {
            break;
        }
    }
    h.store.set_autocommit(true);
    let lock = h.store.lock()?;
    h.store.commit(&lock, message);
    result.map(|()| ids.len())
}

/// Trusts a teammate's signing key and re-encrypts every vault to their recipient.
/// Returns how many vaults now include them.
///
/// Run again after a crash, it completes what is left: the member is already trusted,
/// and vaults that already include them are not rewritten.
pub fn add(
    h: &mut Handover,
    name: &str,
    recipient: &str,
    key: &str,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<usize> {
    let recipient = Recipient::parse(recipient)?.to_string();
    if !list(h).iter().any(|m| m.signer.name == name) {
        h.store.set_autocommit(false);
        let added = signers::add(h, name, key, Some(&recipient));
        h.store.set_autocommit(true);
        added?;
    }
    let ids = h.store.client_ids()?;
    let lock = h.store.lock()?;
    let (written, result) = reencrypt_all(h, &lock, &ids, &recipient, progress);
    // What was written, even when another vault failed: the pins learn the new
    // revisions in one write, and git records the vaults in one commit.
    h.trust.saw_revisions(&written)?;
    h.store.commit(&lock, &format!("team: {name} added"));
    result.map(|()| ids.len())
}

/// How many vaults are re-encrypted at once. The work is mostly waiting for the disk
/// (each vault is three fsynced writes); writes that wait together share the file
/// system's journal commits, which makes a store of 300 vaults several times faster.
const WRITERS: usize = 8;

/// Adds `recipient` to every client in `ids` that lacks it, on [`WRITERS`] threads,
/// each vault written as every write is (old or new after a crash, never half).
/// Returns the revisions written, and the first error: after one, the other threads
/// stop once their current vault is written.
fn reencrypt_all(
    h: &Handover,
    lock: &WriteLock,
    ids: &[ClientId],
    recipient: &str,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (Vec<(ClientId, u64)>, Result<()>) {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let written = Mutex::new(Vec::with_capacity(ids.len()));
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let worker = || {
        while !stop.load(Ordering::Relaxed) {
            let Some(id) = ids.get(next.fetch_add(1, Ordering::Relaxed)) else {
                return;
            };
            match add_to_vault(h, lock, id, recipient) {
                Ok(Some(revision)) => lock_ok(&written).push((id.clone(), revision)),
                Ok(None) => {}
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    lock_ok(&failed).get_or_insert(e);
                    return;
                }
            }
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, ids.len());
        }
    };
    std::thread::scope(|s| {
        for _ in 0..WRITERS.min(ids.len()) {
            s.spawn(worker);
        }
    });
    let written = written.into_inner().unwrap_or_else(|p| p.into_inner());
    let failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    (written, failed.map_or(Ok(()), Err))
}

/// A mutex's value, also after a thread panicked holding it (the lists it guards are
/// whole after every push).
fn lock_ok<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One vault of `team add`: the recipient added, sealed and written (not yet recorded
/// in the pins or committed). `None` when the vault already has it.
fn add_to_vault(
    h: &Handover,
    lock: &WriteLock,
    id: &ClientId,
    recipient: &str,
) -> Result<Option<u64>> {
    let mut client = h.load(id)?;
    if client.recipients.iter().any(|r| r == recipient) {
        return Ok(None);
    }
    let before = client.history.len();
    client.recipients.push(recipient.to_owned());
    client.record(
        history::event(EventKind::RecipientsChanged).with_detail(format!("added {recipient}")),
    );
    client.updated = chrono::Utc::now();
    let sealed = h.seal(&mut client, before)?;
    h.store
        .write_vault(lock, id, &sealed.ciphertext, &sealed.signature)?;
    Ok(Some(sealed.revision))
}

/// What `team remove` did.
pub struct Removed {
    pub clients: usize,
    /// One rotation list per client the member could read.
    pub lists: Vec<PathBuf>,
}

/// Stops trusting a member, re-encrypts every vault without them, and writes to `dir`
/// the rotation list of each client they could read (`<client>-rotation.csv`).
pub fn remove(
    h: &mut Handover,
    name: &str,
    dir: &Path,
    lang: Lang,
    progress: &dyn Fn(usize, usize),
) -> Result<Removed> {
    let member = list(h).into_iter().find(|m| m.signer.name == name);
    let Some(member) = member else {
        return Err(Error::Invalid(format!(
            "there is no team member named {name:?}; `handover team list` lists them"
        )));
    };
    let recipient = member.signer.recipient.clone();
    let texts = Template::load(lang, None)?.texts;
    fsutil::ensure_private_dir(dir)?;
    let mut lists = Vec::new();
    // Vaults first, while the member's key is still trusted: a vault they wrote last
    // is read, then rewritten and signed by this machine.
    let clients = for_every_client(
        h,
        &format!("team: {name} removed from vaults"),
        progress,
        |id| {
            let Some(r) = &recipient else { return Ok(()) };
            let client = h.load(id)?;
            if !client.recipients.contains(r) {
                return Ok(());
            }
            let file = dir.join(format!("{id}-rotation.csv"));
            fsutil::write_output(
                &file,
                &rotation_csv(&rotation_list(&client), &texts)?,
                false,
            )?;
            lists.push(file);
            clients::remove_recipient(h, id, r)
        },
    )?;
    signers::remove(h, name)?;
    Ok(Removed { clients, lists })
}
