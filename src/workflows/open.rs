//! The one way into a store: opening it with a person's keys and this machine's trust
//! in it. The CLI, the demo, tests and programs with no CLI around them (a git merge
//! driver) all come through here.

use std::path::Path;

use crate::error::Result;
use crate::keys::trust::Trust;
use crate::keys::{self, Identity, KeyFiles};
use crate::prompt::{NoPrompt, Prompter};
use crate::store::Store;
use crate::workflows::Handover;
use crate::workflows::signers::{ensure_signing_key, start_trust};

impl Handover {
    /// Opens the store at `store_dir` with the keys in `files`, asking `prompter` for
    /// their passphrase (one prompt for both when they share it), and establishes whom
    /// this machine trusts to have signed it.
    pub fn open(store_dir: &Path, files: &KeyFiles, prompter: &dyn Prompter) -> Result<Handover> {
        let store = Store::open(store_dir)?;
        let keys = keys::unlock(files, prompter)?;
        let trust = Trust::establish(&store, &files.pins)?;
        Ok(Handover::new(store, keys.identity, keys.signing, trust))
    }

    /// Opens a store with an identity that has no passphrase, creating the signing key
    /// beside it and starting the store's trust if the store has none yet: for the demo
    /// and for programs that set up a store without a person at hand.
    pub fn open_unattended(store: Store, identity: Identity, files: &KeyFiles) -> Result<Handover> {
        let (key, _) = ensure_signing_key(files, None, &NoPrompt)?;
        let trust = match Trust::establish(&store, &files.pins) {
            Ok(t) => t,
            Err(_) if store.read_signers()?.is_none() => {
                start_trust(&store, files, &key, &identity.recipient().to_string())?
            }
            Err(e) => return Err(e),
        };
        Ok(Handover::new(store, identity, Some(key), trust))
    }
}
