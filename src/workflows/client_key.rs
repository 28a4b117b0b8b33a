//! The client's own age key: with it, the client can open its bundle (and a
//! successor's vault) without depending on any provider.

use std::path::Path;

use chrono::Utc;

use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::Identity;
use crate::model::{ClientId, EventKind};
use crate::workflows::{Handover, history};

/// Generates a key for the client, writes its secret key file to `out` (0600) and adds
/// its recipient to the vault, recorded as the client's key. Returns the recipient.
///
/// The key file is written before the vault changes, and removed again if the vault
/// cannot be updated: the vault must never be encrypted to a key nobody has. An
/// existing file is kept unless `force`; an existing client key is replaced (and its
/// recipient removed) only with `force`.
pub fn create(h: &Handover, id: &ClientId, out: &Path, force: bool) -> Result<String> {
    let client = h.load(id)?;
    if let Some(old) = &client.client_recipient
        && !force
    {
        return Err(Error::Recipients(format!(
            "client {:?} already has a key ({old}); pass --force to replace it (the old key's recipient is removed from the vault)",
            id.as_str()
        )));
    }
    let key = Identity::generate();
    let recipient = key.recipient().to_string();
    let contents = key.to_file_contents(Utc::now());
    fsutil::write_output(out, contents.as_bytes(), force)?;
    let updated = h.update(id, |client| {
        if let Some(old) = client.client_recipient.take() {
            client.recipients.retain(|r| r != &old);
        }
        client.recipients.push(recipient.clone());
        client.client_recipient = Some(recipient.clone());
        client.record(
            history::event(EventKind::ClientKeyCreated)
                .with_detail(format!("recipient {recipient}")),
        );
        Ok(())
    });
    if let Err(e) = updated {
        // Best effort: the key is useless without the vault change, and a stray
        // secret key file is worse than none.
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(recipient)
}
