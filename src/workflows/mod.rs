//! The use cases, composed from store, vault codec, keys and model. The CLI calls
//! these and only prints what they return.

pub mod ack;
pub mod bundle;
pub mod changes;
pub mod check;
pub mod client_key;
pub mod clients;
pub mod demo;
pub mod dossier;
pub mod entries;
pub mod export;
pub mod history;
pub mod knowledge;
pub mod merge_driver;
pub mod offboard;
mod open;
pub mod paper;
pub mod rotate;
pub mod rotation;
pub mod search;
pub mod signers;
pub mod status;
pub mod sync;
pub mod takeover;
pub mod team;

use chrono::Utc;

use crate::error::{Error, Result, SignatureProblem};
use crate::keys::Identity;
use crate::model::{Client, ClientId, Entry};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::fsutil;
use crate::keys::signing::{self, SigningKey};
use crate::keys::trust::Trust;
use crate::store::{Store, WriteLock};
use crate::vault;

/// A vault, encrypted and signed, ready to be written.
struct Sealed {
    ciphertext: Vec<u8>,
    signature: Vec<u8>,
    revision: u64,
    /// What changed, for the commit of a git-synced store: the client and the
    /// events' kinds and paths, never a value.
    action: String,
}

/// A vault change, checked, encoded and signed, that [`PendingUpdate::commit`] writes;
/// dropped uncommitted, it changes nothing.
pub struct PendingUpdate<'a> {
    h: &'a Handover,
    lock: WriteLock,
    id: ClientId,
    sealed: Sealed,
}

impl PendingUpdate<'_> {
    pub fn commit(self) -> Result<()> {
        self.h.write_sealed(&self.lock, &self.id, self.sealed)
    }
}

/// A client a command looked at before changing it (see [`Handover::peek`]), with the
/// verified bytes it was decrypted from.
struct Kept {
    id: ClientId,
    bytes: Vec<u8>,
    client: Client,
}

/// An opened store together with the keys that read and write it.
pub struct Handover {
    pub store: Store,
    pub identity: Identity,
    /// The provider's signing key; `None` on a machine that has none yet (reading works
    /// without it, writing does not).
    pub signing: Option<SigningKey>,
    /// Whom this machine trusts to have signed the store's vaults.
    pub trust: Trust,
    /// What [`Handover::peek`] read, for the load that follows it.
    kept: Mutex<Option<Kept>>,
    /// How many times a vault was decrypted and parsed (the tests count them).
    decoded: AtomicUsize,
}

fn no_signing_key() -> Error {
    Error::Trust(
        "you have no signing key yet, so handover cannot sign what it writes; run `handover init` to create one beside your identity".into(),
    )
}

/// How often a read retries when a vault and its signature do not match: a writer may
/// be replacing both between our two reads (readers take no lock).
const READ_ATTEMPTS: usize = 3;

impl Handover {
    pub fn new(
        store: Store,
        identity: Identity,
        signing: Option<SigningKey>,
        trust: Trust,
    ) -> Self {
        Handover {
            store,
            identity,
            signing,
            trust,
            kept: Mutex::new(None),
            decoded: AtomicUsize::new(0),
        }
    }

    /// How many vaults this handle has decrypted and parsed so far.
    pub fn vaults_decoded(&self) -> usize {
        self.decoded.load(Ordering::Relaxed)
    }

    /// Decrypts and parses a client's vault, after checking its signature and that it
    /// is not older than one this machine has seen.
    ///
    /// Right after a [`Handover::peek`] at the same client, it is the client peeked at,
    /// unless the vault has changed since.
    pub fn load(&self, id: &ClientId) -> Result<Client> {
        if let Some(client) = self.take_kept(id)? {
            return Ok(client);
        }
        self.load_verified(id, false).map(|(_, client)| client)
    }

    /// Loads a client for the checks a command makes before it changes it (to refuse
    /// before it asks for a secret, say) and keeps it, so that the load of the update
    /// that follows does not verify, decrypt and parse the vault a second time.
    pub fn peek<R, E: From<Error>>(
        &self,
        id: &ClientId,
        look: impl FnOnce(&Client) -> std::result::Result<R, E>,
    ) -> std::result::Result<R, E> {
        let (bytes, client) = self.load_verified(id, true)?;
        let result = look(&client);
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Some(Kept {
                id: id.clone(),
                bytes,
                client,
            });
        }
        result
    }

    /// The client kept by [`Handover::peek`], if it is `id`'s and its vault still holds
    /// the bytes it came from (another writer may have replaced it in between; an update
    /// asks under the store lock, so nobody can replace it after).
    fn take_kept(&self, id: &ClientId) -> Result<Option<Client>> {
        let kept = self.kept.lock().ok().and_then(|mut kept| kept.take());
        let Some(kept) = kept.filter(|k| &k.id == id) else {
            return Ok(None);
        };
        let now = self.store.read_vault(id)?;
        Ok((now == kept.bytes).then_some(kept.client))
    }

    /// [`Handover::load`] from the file, with the bytes the client was decrypted from
    /// if `keep` (else empty).
    fn load_verified(&self, id: &ClientId, keep: bool) -> Result<(Vec<u8>, Client)> {
        let seen = self.trust.seen_revision(id);
        let bytes = self.read_verified(id)?;
        let (bytes, client) = self.decode(id, bytes, keep)?;
        self.check_revision(id, client.revision, seen)?;
        Ok((bytes, client))
    }

    /// One entry of a client, for commands that read nothing else (`show`, `totp`): the
    /// vault's signature, rollback and id are checked and the whole file decrypted as
    /// by [`Handover::load`], but only the entry asked for is parsed.
    pub fn load_entry(&self, id: &ClientId, path: &str) -> Result<Entry> {
        self.decoded.fetch_add(1, Ordering::Relaxed);
        let seen = self.trust.seen_revision(id);
        let one = match self.stream_entry(id, path) {
            Some(one) => one,
            None => {
                let bytes = self.read_verified(id)?;
                vault::decode_entry(&bytes, &self.identity, path)
                    .map_err(|problem| self.vault_error(id, problem))?
            }
        };
        self.check_id(id, &one.id)?;
        self.check_revision(id, one.revision, seen)?;
        match one.entry {
            Some(entry) => Ok(entry),
            // Not spelt as stored: the whole client, to find what was meant (or the
            // names closest to it).
            None => {
                let (_, mut client) = self.load_verified(id, false)?;
                let index = client.entry_named(path)?;
                Ok(client.entries.swap_remove(index))
            }
        }
    }

    /// [`Handover::load_entry`] in one pass over the vault file: each piece read is
    /// hashed for the signature and decrypted for the entry, so the file is neither
    /// held nor read twice, nor its plaintext held whole. The entry is returned only
    /// once a trusted key's signature over every byte read is checked. `None` whenever
    /// anything is out of the ordinary (no single signature, a signature over other
    /// bytes, a writer replacing the vault meanwhile, a vault not laid out as handover
    /// writes it, any error): the caller then reads the vault whole, which retries,
    /// settles signatures and says precisely what is wrong.
    fn stream_entry(&self, id: &ClientId, path: &str) -> Option<vault::OneEntry> {
        let sig = self.store.read_signature(id).ok()??;
        if signing::count(&sig) != 1 {
            return None;
        }
        let file = self.store.open_vault(id).ok()??;
        let digests = signing::MessageDigests::for_signatures(&sig);
        let capped = std::io::Read::take(file, crate::store::MAX_VAULT_BYTES + 1);
        let mut input = std::io::BufReader::new(signing::Digesting::new(capped, digests));
        let one = vault::decode_entry_from(&mut input, &self.identity, path).ok()??;
        // The stream ends where the file does; anything after is hashed all the same.
        std::io::copy(&mut input, &mut std::io::sink()).ok()?;
        let (digests, read) = input.into_inner().finish();
        (read <= crate::store::MAX_VAULT_BYTES).then_some(())?;
        digests
            .verify_trusted(&sig, signing::NAMESPACE, self.trust.keys())
            .ok()?;
        Some(one)
    }

    /// Refuses a vault older than one this machine has seen, and remembers this one.
    /// `seen` is looked up before the vault is read: a writer records a revision after
    /// writing the vault, so a vault read after the lookup is never older unless it was
    /// put back, whereas one read before may be (a concurrent write in between).
    fn check_revision(&self, id: &ClientId, revision: u64, seen: u64) -> Result<()> {
        if revision < seen {
            return Err(Error::Rollback {
                client: id.to_string(),
                found: revision,
                seen,
            });
        }
        self.trust.saw_revision_reading(id, revision)
    }

    /// A writer killed while it replaced a vault leaves two signatures in its `.sig`
    /// (see [`Store::write_vault`]), and the stock `ssh-keygen` reads only the first.
    /// When no writer is active, keeps only the one over the vault in place, so that
    /// every state handover accepts is one the stock tool accepts. Best effort, and
    /// never waits: a busy or read-only store is left as it is.
    fn settle_signature(&self, id: &ClientId) {
        let Ok(Some(lock)) = self.store.try_lock() else {
            return;
        };
        let (Ok(bytes), Ok(Some(sig))) = (self.store.read_vault(id), self.store.read_signature(id))
        else {
            return;
        };
        if signing::count(&sig) > 1
            && let Some(one) =
                signing::trusted_block(&bytes, &sig, signing::NAMESPACE, self.trust.keys())
        {
            let _ = self.store.write_signature(&lock, id, &one);
        }
    }

    /// A vault's encrypted bytes, once a trusted key's signature over them is checked.
    pub fn read_verified(&self, id: &ClientId) -> Result<Vec<u8>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let bytes = self.store.read_vault(id)?;
            let sig = self.store.read_signature(id)?;
            match signing::verify_trusted(
                &bytes,
                sig.as_deref(),
                signing::NAMESPACE,
                self.trust.keys(),
            ) {
                Ok(_) => {
                    if sig.as_deref().is_some_and(|s| signing::count(s) > 1) {
                        self.settle_signature(id);
                    }
                    return Ok(bytes);
                }
                Err(SignatureProblem::OtherBytes) if attempt < READ_ATTEMPTS => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(problem) => {
                    let problem = match problem {
                        SignatureProblem::OtherBytes => self
                            .swapped_with(id, sig.as_deref())
                            .map(SignatureProblem::Swapped)
                            .unwrap_or(SignatureProblem::OtherBytes),
                        other => other,
                    };
                    return Err(self.signature_error(id, problem));
                }
            }
        }
    }

    /// Which other client's vault a mismatching signature belongs to, if any.
    fn swapped_with(&self, id: &ClientId, sig: Option<&[u8]>) -> Option<String> {
        let others = self.store.client_ids().ok()?;
        others.into_iter().filter(|o| o != id).find_map(|other| {
            let bytes = self.store.read_vault(&other).ok()?;
            signing::verify(&bytes, sig, signing::NAMESPACE)
                .ok()
                .map(|_| other.to_string())
        })
    }

    fn signature_error(&self, id: &ClientId, problem: SignatureProblem) -> Error {
        let vault = self.store.vault_path(id);
        let advice = match &problem {
            SignatureProblem::Missing => match self.trust.seen_revision(id) {
                0 => format!(
                    "A vault without a signature was not written by handover with a trusted key, or its signature ({}) was removed: restore both from your backup. If this vault comes from before handover signed its vaults, run `handover sign` to review and sign it.",
                    self.store.signature_path(id).display()
                ),
                seen => {
                    let mut advice = signature_removed(&self.store, id, seen);
                    advice[..1].make_ascii_uppercase();
                    advice
                }
            },
            SignatureProblem::Untrusted { .. } => format!(
                "If that is a teammate's key, check its fingerprint with them and add it with `handover signers add NAME --key KEY`; otherwise the vault is forged: restore {} and its .sig from your backup.",
                vault.display()
            ),
            _ => format!(
                "It was changed outside handover: restore {} and its .sig from your backup.",
                vault.display()
            ),
        };
        Error::Signature {
            what: format!(
                "the vault of client {:?} ({})",
                id.as_str(),
                vault.display()
            ),
            problem,
            advice,
        }
    }

    /// Decrypts and parses `bytes`, giving them back if `keep`. Otherwise they are let
    /// go once decrypted, before the plaintext is parsed: a large vault's ciphertext,
    /// plaintext and client alive at once were a dossier's peak memory.
    fn decode(&self, id: &ClientId, bytes: Vec<u8>, keep: bool) -> Result<(Vec<u8>, Client)> {
        self.decoded.fetch_add(1, Ordering::Relaxed);
        let fail = |problem| self.vault_error(id, problem);
        let plain = crate::keys::decrypt(&bytes, &self.identity).map_err(fail)?;
        // (A conditional move would drop them only when this function returns.)
        let bytes = match keep {
            true => bytes,
            false => {
                drop(bytes);
                Vec::new()
            }
        };
        let client = vault::parse(&plain).map_err(fail)?;
        drop(plain);
        self.check_id(id, &client.id)?;
        Ok((bytes, client))
    }

    fn vault_error(&self, id: &ClientId, problem: crate::error::VaultProblem) -> Error {
        Error::Vault {
            client: id.to_string(),
            path: self.store.vault_path(id),
            problem,
        }
    }

    /// Refuses a vault that holds another client than its file name says.
    fn check_id(&self, id: &ClientId, found: &ClientId) -> Result<()> {
        if found == id {
            return Ok(());
        }
        Err(self.vault_error(
            id,
            crate::error::VaultProblem::OtherClient {
                holds: found.to_string(),
                expected: id.to_string(),
            },
        ))
    }

    /// Read-modify-write under the store lock. If `change` fails, or anything before
    /// the final rename fails, the vault on disk is untouched.
    pub fn update<T>(
        &self,
        id: &ClientId,
        change: impl FnOnce(&mut Client) -> Result<T>,
    ) -> Result<T> {
        let (pending, result) = self.prepare_update(id, change)?;
        pending.commit()?;
        Ok(result)
    }

    /// The first half of [`Handover::update`]: under the store lock, runs `change` and
    /// encodes the new vault, with every check a write makes, but writes nothing. A
    /// command that also writes a file outside the store (a dossier) writes it between
    /// this and [`PendingUpdate::commit`], so that a vault which cannot record it
    /// refuses before the file exists. The lock is held until the commit or drop.
    pub fn prepare_update<T>(
        &self,
        id: &ClientId,
        change: impl FnOnce(&mut Client) -> Result<T>,
    ) -> Result<(PendingUpdate<'_>, T)> {
        let lock = self.store.lock()?;
        let mut client = self.load(id)?;
        let before = client.history.len();
        let result = change(&mut client)?;
        client.updated = Utc::now();
        let sealed = self.seal(&mut client, before)?;
        let pending = PendingUpdate {
            h: self,
            lock,
            id: id.clone(),
            sealed,
        };
        Ok((pending, result))
    }

    /// Creates a new vault; fails if the client exists.
    pub fn create(&self, client: &mut Client) -> Result<()> {
        let lock = self.store.lock()?;
        if self.store.exists(&client.id) {
            return Err(Error::ClientExists(client.id.to_string()));
        }
        self.write(&lock, client)
    }

    /// The signing key, or what to do without one.
    pub fn signing_key(&self) -> Result<&SigningKey> {
        self.signing.as_ref().ok_or_else(no_signing_key)
    }

    /// Encrypts, signs and writes `client` with a raised revision. Requires the lock.
    pub fn write(&self, lock: &WriteLock, client: &mut Client) -> Result<()> {
        let sealed = self.seal(client, client.history.len().saturating_sub(1))?;
        self.write_sealed(lock, &client.id, sealed)
    }

    /// Every check a write makes, then the revision raised, encrypted and signed.
    fn seal(&self, client: &mut Client, events_from: usize) -> Result<Sealed> {
        self.ensure_still_readable(client)?;
        let key = self.signing_key()?;
        if !self.trust.keys().contains(&key.public()) {
            return Err(Error::Trust(format!(
                "your signing key {} is not a trusted signer of this store, so what you write would be refused; ask a trusted signer to run `handover signers add`",
                key.public().fingerprint()
            )));
        }
        client.revision = client.revision.max(self.trust.seen_revision(&client.id)) + 1;
        let ciphertext = vault::encode(client)?;
        let signature = key.sign(signing::NAMESPACE, &ciphertext)?;
        Ok(Sealed {
            ciphertext,
            signature,
            revision: client.revision,
            action: commit_message(client, events_from),
        })
    }

    fn write_sealed(&self, lock: &WriteLock, id: &ClientId, sealed: Sealed) -> Result<()> {
        self.store
            .write_vault(lock, id, &sealed.ciphertext, &sealed.signature)?;
        self.trust.saw_revision(id, sealed.revision)?;
        self.store.commit(lock, &sealed.action);
        Ok(())
    }

    /// The age recipients of the provider's own identity, as vaults list them.
    pub fn own_recipients(&self) -> Vec<String> {
        self.identity
            .recipients()
            .iter()
            .map(|r| r.to_string())
            .collect()
    }

    /// A vault this identity could not read back would be lost to the provider; only
    /// offboarding (which hands it on) may do that on purpose.
    fn ensure_still_readable(&self, client: &Client) -> Result<()> {
        let own = self.own_recipients();
        if client.recipients.iter().any(|r| own.contains(r)) {
            Ok(())
        } else {
            Err(Error::Recipients(format!(
                "refusing to write the vault of {:?}: none of its recipients is your identity, so you could not open it again",
                client.id.as_str()
            )))
        }
    }
}

/// The commit message of a vault write: the client, then what its new history events
/// say (kind and path, never a value).
fn commit_message(client: &Client, events_from: usize) -> String {
    let events = client.history.get(events_from..).unwrap_or_default();
    let mut parts: Vec<String> = events
        .iter()
        .take(3)
        .map(|e| match &e.path {
            Some(path) => format!("{} {path}", e.kind),
            None => e.kind.to_string(),
        })
        .collect();
    if events.len() > 3 {
        parts.push(format!("and {} more", events.len() - 3));
    }
    if parts.is_empty() {
        parts.push("vault-written".into());
    }
    format!(
        "{}: {} (revision {})",
        client.id,
        parts.join(", "),
        client.revision
    )
}

/// Files up to this size that `--force` replaces are kept in memory, to be put back if
/// the vault cannot record the new one; a dossier or bundle is far smaller.
const RESTORABLE_BYTES: u64 = 64 * 1024 * 1024;

/// Writes `bytes` to `out` (as [`fsutil::write_output`]), then runs `commit`. If that
/// fails, `out` is put back as it was (removed, or a replaced file's content restored),
/// so that the error still means nothing changed.
pub(crate) fn write_then<T>(
    out: &Path,
    bytes: &[u8],
    force: bool,
    commit: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let previous = restorable(out, force);
    fsutil::write_output(out, bytes, force)?;
    commit_or_take_back(out, previous, commit)
}

/// [`write_then`] for output already written to a temp file from
/// [`fsutil::output_temp`].
pub(crate) fn persist_then<T>(
    out: &Path,
    tmp: tempfile::NamedTempFile,
    force: bool,
    commit: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let previous = restorable(out, force);
    fsutil::persist_output(tmp, out, force)?;
    commit_or_take_back(out, previous, commit)
}

/// The file `out` replaces, to put back should the commit fail.
fn restorable(out: &Path, force: bool) -> Option<Vec<u8>> {
    if force {
        std::fs::symlink_metadata(out)
            .ok()
            .filter(|m| m.is_file() && m.len() <= RESTORABLE_BYTES)
            .and_then(|_| std::fs::read(out).ok())
    } else {
        None
    }
}

fn commit_or_take_back<T>(
    out: &Path,
    previous: Option<Vec<u8>>,
    commit: impl FnOnce() -> Result<T>,
) -> Result<T> {
    commit().map_err(|error| {
        let undone = match &previous {
            Some(old) => fsutil::atomic_write(out, old),
            None => std::fs::remove_file(out)
                .map_err(|e| Error::io(format!("cannot remove {}", out.display()), e)),
        };
        match undone {
            Ok(()) => error,
            Err(undo) => Error::Invalid(format!(
                "{error}; and {} could not be taken back ({undo}): delete it, the vault does not record it",
                out.display()
            )),
        }
    })
}

/// What happened, and how to restore, when the signature of a vault that this machine
/// has seen signed (at revision `seen`) is missing: it was removed, and the file may be
/// a forgery, which `handover sign` must not sign.
pub(crate) fn signature_removed(store: &Store, id: &ClientId, seen: u64) -> String {
    let vault = store.vault_path(id);
    format!(
        "its signature ({}) was removed from a vault this machine had seen signed at revision {seen}, so the file may be a forgery (anyone with write access to the store can encrypt a vault to your public recipient). Restore the genuine vault and its .sig from your backup, or move {} out of the store and restore the client's newest bundle with `handover import {} --format bundle FILE`.",
        store.signature_path(id).display(),
        vault.display(),
        id.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store with one client, "acme", opened without a person at hand.
    fn scratch() -> (tempfile::TempDir, Handover, ClientId) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::init(&dir.path().join("store")).unwrap();
        let identity = Identity::generate();
        let file = dir.path().join("identity.txt");
        std::fs::write(&file, identity.to_file_contents(Utc::now()).as_bytes()).unwrap();
        let files = crate::keys::KeyFiles::beside(&file);
        let h = Handover::open_unattended(store, identity, &files).unwrap();
        let id = ClientId::parse("acme").unwrap();
        let recipients = h.own_recipients();
        h.create(&mut Client::new(
            id.clone(),
            "Acme".into(),
            recipients,
            Utc::now(),
        ))
        .unwrap();
        (dir, h, id)
    }

    fn rename(client: &mut Client) -> Result<()> {
        client.name.push('!');
        Ok(())
    }

    /// A command that checks a client before changing it (add, edit, rotate, import)
    /// decrypts its vault once.
    #[test]
    fn an_update_after_a_peek_decodes_the_vault_once() {
        let (_dir, h, id) = scratch();
        let name = h.peek(&id, |c| Ok::<_, Error>(c.name.clone())).unwrap();
        h.update(&id, rename).unwrap();
        assert_eq!(h.vaults_decoded(), 1);
        assert_eq!(h.load(&id).unwrap().name, format!("{name}!"));
        assert_eq!(h.vaults_decoded(), 2);
        // Nothing kept: every load reads the file.
        h.update(&id, rename).unwrap();
        assert_eq!(h.vaults_decoded(), 3);
    }

    /// A vault replaced between the peek and the update is read again, so that the
    /// update never writes over another writer's change.
    #[test]
    fn a_vault_changed_after_a_peek_is_read_again() {
        let (dir, h, id) = scratch();
        h.peek(&id, |_| Ok::<_, Error>(())).unwrap();
        // Another writer: the same store and keys through a second handle.
        let file = dir.path().join("identity.txt");
        let text = std::fs::read_to_string(&file).unwrap();
        let identity = Identity::parse(&text).unwrap();
        let files = crate::keys::KeyFiles::beside(&file);
        let writer = Handover::open_unattended(h.store.clone(), identity, &files).unwrap();
        writer.update(&id, rename).unwrap();
        h.update(&id, rename).unwrap();
        assert_eq!(h.vaults_decoded(), 2);
        assert_eq!(h.load(&id).unwrap().name, "Acme!!");
    }

    fn failing() -> Result<()> {
        Err(Error::Invalid("the vault cannot be written".into()))
    }

    #[test]
    fn a_failed_commit_takes_the_file_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("d.pdf");
        let err = write_then(&out, b"new", false, failing).err().unwrap();
        assert!(err.to_string().contains("cannot be written"), "{err}");
        assert!(!out.exists(), "the new file is removed");
        std::fs::write(&out, b"old").unwrap();
        write_then(&out, b"new", true, failing).err().unwrap();
        assert_eq!(
            std::fs::read(&out).unwrap(),
            b"old",
            "the replaced file is restored"
        );
        write_then(&out, b"new", true, || Ok(())).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }
}
