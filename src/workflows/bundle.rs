//! Exporting a client as a digital bundle, and restoring one.

use std::path::Path;

use crate::crypto::Recipient;
use crate::error::{Error, Result};
use crate::formats::bundle;
use crate::model::{Client, ClientId, EventKind};
use crate::workflows::{Handover, history};

/// The recipients a bundle is encrypted to when none are given: the vault's own,
/// except the provider's (the bundle is for someone else).
pub fn default_recipients(h: &Handover, client: &Client) -> Vec<String> {
    let own = h.own_recipients();
    client
        .recipients
        .iter()
        .filter(|r| !own.contains(r))
        .cloned()
        .collect()
}

/// Writes the bundle of `id` to `out`, encrypted to `recipients` (or, when empty, to
/// [`default_recipients`]), and records the export. Returns the recipients used.
pub fn export(
    h: &Handover,
    id: &ClientId,
    recipients: &[String],
    out: &Path,
    force: bool,
) -> Result<Vec<String>> {
    let client = h.load(id)?;
    let chosen = if recipients.is_empty() {
        default_recipients(h, &client)
    } else {
        recipients.to_vec()
    };
    if chosen.is_empty() {
        return Err(Error::Recipients(format!(
            "client {:?} has no recipient besides you, so nobody else could open the bundle; pass --recipient AGE_RECIPIENT (a successor), or give the client its own key with `handover client key {} -o FILE`",
            id.as_str(),
            id.as_str()
        )));
    }
    let parsed = chosen
        .iter()
        .map(|r| Recipient::parse(r))
        .collect::<Result<Vec<_>>>()?;
    let chosen: Vec<String> = parsed.iter().map(|r| r.to_string()).collect();
    let bytes = bundle::write(&client, &parsed)?;
    // As for the dossier: the vault must be able to record the export before the file
    // is written, and the file is taken back if it still cannot.
    let (pending, ()) = h.prepare_update(id, |c| {
        c.record(
            history::event(EventKind::BundleExported)
                .with_detail(format!("encrypted to {}", chosen.join(", "))),
        );
        Ok(())
    })?;
    super::write_then(out, &bytes, force, || pending.commit())?;
    Ok(chosen)
}

/// What restoring a bundle did.
pub struct Restored {
    pub client: Client,
    /// The bundle held this id; the client was restored under another one.
    pub renamed_from: Option<ClientId>,
    /// Whether an existing client was replaced.
    pub replaced: bool,
}

/// Restores a bundle as client `id`, decrypting it with this provider's identity.
///
/// Everything in it is kept exactly (entries, ids, timestamps, contacts, history),
/// except that the importing provider's recipient is added so that the restored vault
/// opens with its identity, and the client id becomes `id` if the bundle used another.
/// An existing client is refused unless `replace`, and is replaced only if it opens
/// with this identity (so someone else's file is never overwritten by accident).
pub fn import(
    h: &Handover,
    id: &ClientId,
    data: &[u8],
    source_name: &str,
    replace: bool,
) -> Result<Restored> {
    let mut client = bundle::read(data, &h.identity, source_name)?;
    let renamed_from = if &client.id == id {
        None
    } else {
        Some(std::mem::replace(&mut client.id, id.clone()))
    };
    let own = h.identity.recipient().to_string();
    if !h
        .own_recipients()
        .iter()
        .any(|r| client.recipients.contains(r))
    {
        client.recipients.push(own);
    }
    let lock = h.store.lock()?;
    let replaced = h.store.exists(id);
    if replaced {
        if !replace {
            return Err(Error::Invalid(format!(
                "client {:?} already exists in this store; restore the bundle under another id (`handover import NEW-ID --format bundle FILE`) or pass --on-conflict replace to replace it",
                id.as_str()
            )));
        }
        let existing = h.store.read_vault(id)?;
        h.decode(id, &existing)?;
    }
    h.ensure_still_readable(&client)?;
    let ciphertext = crate::vault::encode(&client)?;
    h.store.write_vault(&lock, id, &ciphertext)?;
    Ok(Restored {
        client,
        renamed_from,
        replaced,
    })
}
