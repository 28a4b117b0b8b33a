//! Where vaults live on disk: the store layout, its marker, locking, and writes.
//!
//! ```text
//! <store>/handover-store.json   plaintext marker: {"format":"handover-store","format_version":1}
//! <store>/lock                  the pid of its last holder; writers hold an exclusive lock on it
//! <store>/clients/<id>.age      one age-encrypted vault per client
//! <store>/clients/<id>.age.sig  its SSH signature (`ssh-keygen -Y sign -n handover`)
//! <store>/signers.json          the store's trusted signers (+ .sig; see `keys::trust`)
//! <store>/allowed_signers       the same, for `ssh-keygen -Y verify`
//! ```
//! The store only moves opaque encrypted bytes; `vault` turns them into clients.

pub mod config;

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::keys::trust::{SignedFile, SignerListHome};
use crate::model::{ClientId, names};
use crate::sync::git::Repo;

use crate::fsutil::{self, atomic_write, ensure_private_dir, read_small_file};

pub const STORE_FORMAT_VERSION: u64 = 1;
const MARKER: &str = "handover-store.json";
const LOCK: &str = "lock";
const CLIENTS: &str = "clients";
const VAULT_EXT: &str = "age";
const SIG_EXT: &str = "sig";
const SIGNERS: &str = "signers.json";
const ALLOWED_SIGNERS: &str = "allowed_signers";
/// Vault files larger than this are refused before reading: no real client needs it,
/// and a hostile file must not exhaust memory.
pub const MAX_VAULT_BYTES: u64 = 512 * 1024 * 1024;
const MAX_MARKER_BYTES: u64 = 64 * 1024;
/// A signature file holds at most this many bytes: one Ed25519 SSHSIG is ~300; a few
/// are kept side by side while a vault is being replaced.
pub const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

#[derive(Serialize, Deserialize)]
struct Marker {
    format: String,
    format_version: u64,
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// Whether each write commits itself when the store is a git repository; off
    /// while a command writes many vaults that it commits once (`team add`). Shared
    /// by clones of the store, and `Sync`, so that a store can be read from threads.
    autocommit: Arc<AtomicBool>,
}

impl SignerListHome for Store {
    fn root(&self) -> &Path {
        Store::root(self)
    }

    fn signers_path(&self) -> PathBuf {
        Store::signers_path(self)
    }

    fn read_signers(&self) -> Result<Option<SignedFile>> {
        Store::read_signers(self)
    }
}

/// Proof that the caller holds the store's write lock; released on drop.
pub struct WriteLock {
    _file: File,
}

impl Store {
    /// Creates the store if needed; returns the store and whether it was new.
    pub fn init(root: &Path) -> Result<(Store, bool)> {
        if root.join(MARKER).exists() {
            return Ok((Store::open(root)?, false));
        }
        if root.exists() {
            let mut entries = fs::read_dir(root)
                .map_err(|e| Error::io(format!("cannot read {}", root.display()), e))?;
            if entries.next().is_some() {
                return Err(Error::NotAStore {
                    path: root.to_owned(),
                    reason: "the directory exists, is not empty and has no handover-store.json"
                        .into(),
                });
            }
        }
        ensure_private_dir(root)?;
        ensure_private_dir(&root.join(CLIENTS))?;
        let marker = Marker {
            format: "handover-store".into(),
            format_version: STORE_FORMAT_VERSION,
        };
        let mut json = serde_json::to_vec_pretty(&marker)
            .map_err(|e| Error::Invalid(format!("cannot encode the store marker: {e}")))?;
        json.push(b'\n');
        atomic_write(&root.join(MARKER), &json)?;
        Ok((Store::open(root)?, true))
    }

    /// Opens an existing store, checking its marker.
    pub fn open(root: &Path) -> Result<Store> {
        let marker_path = root.join(MARKER);
        let bytes = fsutil::read_regular_file(&marker_path, MAX_MARKER_BYTES, "the store marker")
            .map_err(|e| match fsutil::is_not_found(&e) {
            true => Error::NoStore(root.to_owned()),
            false => e,
        })?;
        let marker: Marker = serde_json::from_slice(&bytes).map_err(|_| Error::NotAStore {
            path: root.to_owned(),
            reason: format!("{MARKER} is not a valid store marker"),
        })?;
        if marker.format != "handover-store" {
            return Err(Error::NotAStore {
                path: root.to_owned(),
                reason: format!("{MARKER} names another format"),
            });
        }
        if marker.format_version > STORE_FORMAT_VERSION {
            return Err(Error::StoreTooNew {
                path: root.to_owned(),
                found: marker.format_version,
                supported: STORE_FORMAT_VERSION,
            });
        }
        Ok(Store {
            root: root.to_owned(),
            autocommit: Arc::new(AtomicBool::new(true)),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn vault_path(&self, id: &ClientId) -> PathBuf {
        self.root.join(CLIENTS).join(format!("{id}.{VAULT_EXT}"))
    }

    pub fn signature_path(&self, id: &ClientId) -> PathBuf {
        sig_path(&self.vault_path(id))
    }

    pub fn signers_path(&self) -> PathBuf {
        self.root.join(SIGNERS)
    }

    /// The store's signer list and its signature, if the store has one.
    pub fn read_signers(&self) -> Result<Option<SignedFile>> {
        let path = self.signers_path();
        match read_small_file(&path, MAX_SIGNERS_BYTES)? {
            None => Ok(None),
            Some(list) => Ok(Some((list, read_signature_file(&sig_path(&path))?))),
        }
    }

    /// Writes the signer list: the signature first, so that a crash leaves an old list
    /// with a signature that does not match, which is refused, never a list accepted
    /// without one.
    pub fn write_signers(
        &self,
        _lock: &WriteLock,
        list: &[u8],
        sig: &[u8],
        allowed_signers: &[u8],
    ) -> Result<()> {
        let path = self.signers_path();
        atomic_write(&sig_path(&path), sig)?;
        atomic_write(&path, list)?;
        atomic_write(&self.root.join(ALLOWED_SIGNERS), allowed_signers)?;
        self.commit(_lock, "signers: the list of trusted signers changed");
        Ok(())
    }

    /// The store's git repository, when it is synced (`handover sync init`).
    pub fn repo(&self) -> Option<Repo> {
        Repo::at(&self.root)
    }

    /// Switches the commit after every write on or off (see [`Store::commit`]).
    pub fn set_autocommit(&self, on: bool) {
        self.autocommit.store(on, Ordering::Relaxed);
    }

    /// In a git-synced store, commits what was just written, with a message that names
    /// the client and the action, never a value. Best effort: the write has happened
    /// either way, and `handover sync` commits whatever is left before it pulls.
    pub fn commit(&self, _lock: &WriteLock, message: &str) {
        if self.autocommit.load(Ordering::Relaxed)
            && let Some(repo) = self.repo()
        {
            let _ = repo.commit_all(message);
        }
    }

    /// A vault's signature file, if it has one.
    pub fn read_signature(&self, id: &ClientId) -> Result<Option<Vec<u8>>> {
        read_signature_file(&self.signature_path(id))
    }

    /// Takes the store's exclusive write lock, waiting for other writers (up to
    /// [`fsutil::DEFAULT_LOCK_TIMEOUT`]). Every
    /// read-modify-write of a vault happens under it, so concurrent commands never
    /// lose each other's changes.
    pub fn lock(&self) -> Result<WriteLock> {
        let file = fsutil::lock_exclusive(&self.root.join(LOCK))?;
        self.remove_stale_temp_files();
        Ok(WriteLock { _file: file })
    }

    /// [`Store::lock`] if no other process holds it, else `None` at once: for readers,
    /// which never wait.
    pub fn try_lock(&self) -> Result<Option<WriteLock>> {
        let Some(file) = fsutil::try_lock_exclusive(&self.root.join(LOCK))? else {
            return Ok(None);
        };
        self.remove_stale_temp_files();
        Ok(Some(WriteLock { _file: file }))
    }

    /// A writer killed between creating and renaming its temp file leaves it behind,
    /// beside a vault or beside the signer list.
    fn remove_stale_temp_files(&self) {
        fsutil::remove_stale_temps(&self.root.join(CLIENTS));
        fsutil::remove_stale_temps(&self.root);
    }

    pub fn exists(&self, id: &ClientId) -> bool {
        self.vault_path(id).exists()
    }

    /// The ids of all clients, sorted. Files that are not `<valid-id>.age` are ignored.
    pub fn client_ids(&self) -> Result<Vec<ClientId>> {
        let dir = self.root.join(CLIENTS);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("cannot read {}", dir.display()), e)),
        };
        let mut ids = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(stem) = name.strip_suffix(".age")
                && let Ok(id) = ClientId::parse(stem)
            {
                ids.push(id);
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// The error for a client id that has no vault, offering the ids most like it.
    fn no_such_client(&self, id: &ClientId) -> Error {
        let ids = self.client_ids().unwrap_or_default();
        Error::NoSuchClient {
            id: id.to_string(),
            closest: names::closest(id.as_str(), ids.iter().map(ClientId::as_str)),
        }
    }

    /// Reads a vault's encrypted bytes.
    pub fn read_vault(&self, id: &ClientId) -> Result<Vec<u8>> {
        fsutil::read_regular_file(&self.vault_path(id), MAX_VAULT_BYTES, "the vault").map_err(|e| {
            match fsutil::is_not_found(&e) {
                true => self.no_such_client(id),
                false => e,
            }
        })
    }

    /// Opens a vault for reading as a stream (`show` of one entry reads it once, in
    /// pieces); `None` when it is bigger than [`MAX_VAULT_BYTES`] says now.
    pub fn open_vault(&self, id: &ClientId) -> Result<Option<File>> {
        let (file, size) =
            fsutil::open_regular(&self.vault_path(id), "the vault").map_err(|e| {
                match fsutil::is_not_found(&e) {
                    true => self.no_such_client(id),
                    false => e,
                }
            })?;
        Ok((size <= MAX_VAULT_BYTES).then_some(file))
    }

    /// Atomically replaces (or creates) a vault and its signature. Requires the write
    /// lock.
    ///
    /// Two files cannot be renamed in one step, so the signature file holds the new
    /// signature *and* the old one while the vault is replaced: a crash at any instant
    /// leaves the old or the new vault beside a signature file that holds its
    /// signature.
    pub fn write_vault(
        &self,
        _lock: &WriteLock,
        id: &ClientId,
        ciphertext: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        ensure_private_dir(&self.root.join(CLIENTS))?;
        let sig = self.signature_path(id);
        if let Some(old) = read_signature_file(&sig)? {
            let mut both = signature.to_vec();
            both.extend_from_slice(&old);
            atomic_write(&sig, &both)?;
        } else {
            atomic_write(&sig, signature)?;
        }
        atomic_write(&self.vault_path(id), ciphertext)?;
        atomic_write(&sig, signature)
    }

    /// Signs an existing vault without changing it (migration). Requires the lock.
    pub fn write_signature(&self, _lock: &WriteLock, id: &ClientId, sig: &[u8]) -> Result<()> {
        atomic_write(&self.signature_path(id), sig)
    }

    /// Where offboarding keeps a handed-over client's archive (`--keep-archive`):
    /// outside `clients/`, so the client is no longer listed.
    pub fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// Deletes a vault. Requires the write lock.
    pub fn remove_vault(&self, _lock: &WriteLock, id: &ClientId) -> Result<()> {
        let path = self.vault_path(id);
        fs::remove_file(&path).map_err(|e| match e.kind() {
            ErrorKind::NotFound => self.no_such_client(id),
            _ => Error::io(format!("cannot remove {}", path.display()), e),
        })?;
        // The vault goes first: a crash in between leaves a stray signature, harmless,
        // rather than an unsigned vault.
        let sig = self.signature_path(id);
        match fs::remove_file(&sig) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("cannot remove {}", sig.display()), e)),
        }
        fsutil::sync_dir(&self.root.join(CLIENTS))?;
        self.commit(_lock, &format!("{id}: client-removed"));
        Ok(())
    }
}

/// Signer lists are small; a bigger file is not one.
const MAX_SIGNERS_BYTES: u64 = 1024 * 1024;

/// `x.age` → `x.age.sig`, as `ssh-keygen -Y sign` names it.
pub fn sig_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(SIG_EXT);
    PathBuf::from(name)
}

fn read_signature_file(path: &Path) -> Result<Option<Vec<u8>>> {
    read_small_file(path, MAX_SIGNATURE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn init_open_and_layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        let (store, created) = Store::init(&root).unwrap();
        assert!(created);
        assert!(!Store::init(&root).unwrap().1);
        assert_eq!(fs::metadata(&root).unwrap().mode() & 0o777, 0o700);
        let id = ClientId::parse("acme").unwrap();
        let lock = store.lock().unwrap();
        store.write_vault(&lock, &id, b"age", b"sig").unwrap();
        assert_eq!(store.read_signature(&id).unwrap().unwrap(), b"sig");
        assert_eq!(store.client_ids().unwrap(), vec![id.clone()]);
        assert_eq!(store.read_vault(&id).unwrap(), b"age");
        store.remove_vault(&lock, &id).unwrap();
        assert!(matches!(
            store.read_vault(&id),
            Err(Error::NoSuchClient { .. })
        ));
        assert_eq!(store.read_signature(&id).unwrap(), None);
    }

    #[test]
    fn refuses_foreign_dirs_and_newer_stores() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("x"), "y").unwrap();
        assert!(matches!(
            Store::init(dir.path()),
            Err(Error::NotAStore { .. })
        ));
        assert!(matches!(
            Store::open(&dir.path().join("none")),
            Err(Error::NoStore(_))
        ));
        fs::write(
            dir.path().join(MARKER),
            r#"{"format":"handover-store","format_version":99}"#,
        )
        .unwrap();
        assert!(matches!(
            Store::open(dir.path()),
            Err(Error::StoreTooNew { .. })
        ));
    }
}
