//! The use cases, composed from store, vault codec, crypto and model. The CLI calls
//! these and only prints what they return.

pub mod bundle;
pub mod check;
pub mod client_key;
pub mod clients;
pub mod demo;
pub mod dossier;
pub mod entries;
pub mod export;
pub mod history;
pub mod offboard;
pub mod rotate;

use chrono::Utc;

use crate::crypto::Identity;
use crate::error::{Error, Result};
use crate::model::{Client, ClientId};
use std::path::Path;

use crate::store::{self, Store, fsutil};
use crate::vault;

/// A vault change, checked and encoded, that [`PendingUpdate::commit`] writes; dropped
/// uncommitted, it changes nothing.
pub struct PendingUpdate<'a> {
    h: &'a Handover,
    lock: store::WriteLock,
    id: ClientId,
    ciphertext: Vec<u8>,
}

impl PendingUpdate<'_> {
    pub fn commit(self) -> Result<()> {
        self.h
            .store
            .write_vault(&self.lock, &self.id, &self.ciphertext)
    }
}

/// An opened store together with the identity that reads it.
pub struct Handover {
    pub store: Store,
    pub identity: Identity,
}

impl Handover {
    pub fn new(store: Store, identity: Identity) -> Self {
        Handover { store, identity }
    }

    /// Decrypts and parses a client's vault.
    pub fn load(&self, id: &ClientId) -> Result<Client> {
        let bytes = self.store.read_vault(id)?;
        self.decode(id, &bytes)
    }

    fn decode(&self, id: &ClientId, bytes: &[u8]) -> Result<Client> {
        let client = vault::decode(bytes, &self.identity).map_err(|problem| Error::Vault {
            client: id.to_string(),
            path: self.store.vault_path(id),
            problem,
        })?;
        if &client.id != id {
            return Err(Error::Vault {
                client: id.to_string(),
                path: self.store.vault_path(id),
                problem: crate::error::VaultProblem::Invalid(format!(
                    "it holds client {:?}, not {:?} (was the file renamed or swapped?)",
                    client.id.as_str(),
                    id.as_str()
                )),
            });
        }
        Ok(client)
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
        let bytes = self.store.read_vault(id)?;
        let mut client = self.decode(id, &bytes)?;
        let result = change(&mut client)?;
        client.updated = Utc::now();
        self.ensure_still_readable(&client)?;
        let ciphertext = vault::encode(&client)?;
        let pending = PendingUpdate {
            h: self,
            lock,
            id: id.clone(),
            ciphertext,
        };
        Ok((pending, result))
    }

    /// Creates a new vault; fails if the client exists.
    pub fn create(&self, client: &Client) -> Result<()> {
        let lock = self.store.lock()?;
        if self.store.exists(&client.id) {
            return Err(Error::ClientExists(client.id.to_string()));
        }
        self.ensure_still_readable(client)?;
        let ciphertext = vault::encode(client)?;
        self.store.write_vault(&lock, &client.id, &ciphertext)
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
    let previous = if force {
        std::fs::symlink_metadata(out)
            .ok()
            .filter(|m| m.is_file() && m.len() <= RESTORABLE_BYTES)
            .and_then(|_| std::fs::read(out).ok())
    } else {
        None
    };
    fsutil::write_output(out, bytes, force)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
