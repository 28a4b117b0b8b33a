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
use crate::store::{self, Store};
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
