//! Where vaults live on disk: the store layout, its marker, locking, and writes.
//!
//! ```text
//! <store>/handover-store.json   plaintext marker: {"format":"handover-store","format_version":1}
//! <store>/lock                  the pid of its last holder; writers hold an exclusive lock on it
//! <store>/clients/<id>.age      one age-encrypted vault per client
//! ```
//! The store only moves opaque encrypted bytes; `vault` turns them into clients.

pub mod config;
pub mod fsutil;

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::ClientId;

pub use fsutil::{atomic_write, create_new_private, ensure_private_dir};

pub const STORE_FORMAT_VERSION: u64 = 1;
const MARKER: &str = "handover-store.json";
const LOCK: &str = "lock";
const CLIENTS: &str = "clients";
const VAULT_EXT: &str = "age";
/// Vault files larger than this are refused before reading: no real client needs it,
/// and a hostile file must not exhaust memory.
pub const MAX_VAULT_BYTES: u64 = 512 * 1024 * 1024;
const MAX_MARKER_BYTES: u64 = 64 * 1024;

#[derive(Serialize, Deserialize)]
struct Marker {
    format: String,
    format_version: u64,
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
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
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn vault_path(&self, id: &ClientId) -> PathBuf {
        self.root.join(CLIENTS).join(format!("{id}.{VAULT_EXT}"))
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

    /// A writer killed between creating and renaming its temp file leaves it behind.
    /// Under the lock no other writer is active, so any temp file is stale.
    fn remove_stale_temp_files(&self) {
        let dir = self.root.join(CLIENTS);
        if let Ok(entries) = fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(fsutil::TEMP_PREFIX)
                {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
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

    /// Reads a vault's encrypted bytes.
    pub fn read_vault(&self, id: &ClientId) -> Result<Vec<u8>> {
        fsutil::read_regular_file(&self.vault_path(id), MAX_VAULT_BYTES, "the vault").map_err(|e| {
            match fsutil::is_not_found(&e) {
                true => Error::NoSuchClient(id.to_string()),
                false => e,
            }
        })
    }

    /// Atomically replaces (or creates) a vault. Requires the write lock.
    pub fn write_vault(&self, _lock: &WriteLock, id: &ClientId, ciphertext: &[u8]) -> Result<()> {
        ensure_private_dir(&self.root.join(CLIENTS))?;
        atomic_write(&self.vault_path(id), ciphertext)
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
            ErrorKind::NotFound => Error::NoSuchClient(id.to_string()),
            _ => Error::io(format!("cannot remove {}", path.display()), e),
        })?;
        fsutil::sync_dir(&self.root.join(CLIENTS))
    }
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
        store.write_vault(&lock, &id, b"age").unwrap();
        assert_eq!(store.client_ids().unwrap(), vec![id.clone()]);
        assert_eq!(store.read_vault(&id).unwrap(), b"age");
        store.remove_vault(&lock, &id).unwrap();
        assert!(matches!(store.read_vault(&id), Err(Error::NoSuchClient(_))));
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
