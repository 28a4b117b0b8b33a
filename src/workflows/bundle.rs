//! Exporting a client as a digital bundle, and restoring one.

use std::path::Path;

use crate::error::{Error, Result};
use crate::formats::bundle;
use crate::fsutil;
use crate::keys::Recipient;
use crate::keys::signing::SignerKey;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::fingerprint::fingerprint_and_digests;
use crate::model::{BundleRecord, Client, ClientId, EventKind, MAX_DOSSIER_RECORDS};
use crate::workflows::{Handover, history, signers};

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
    let (fingerprint, digests) = fingerprint_and_digests(&client);
    let sig = h
        .signing_key()?
        .sign(crate::keys::signing::BUNDLE_NAMESPACE, &bytes)?;
    let sig_path = crate::store::sig_path(out);
    fsutil::refuse_existing(&sig_path, force)?;
    // As for the dossier: the vault must be able to record the export before the file
    // is written, and the file is taken back if it still cannot.
    let (pending, ()) = h.prepare_update(id, |c| {
        let event = history::event(EventKind::BundleExported)
            .with_detail(format!("encrypted to {}", chosen.join(", ")));
        record(c, fingerprint, digests, event.at);
        c.record(event);
        Ok(())
    })?;
    // The signature is written with the bundle, and goes with it if the vault cannot
    // record the export after all: no bundle is left unsigned, no signature alone.
    super::write_then(out, &bytes, force, || {
        fsutil::write_output(&sig_path, &sig, force)?;
        pending.commit().inspect_err(|_| {
            let _ = std::fs::remove_file(&sig_path);
        })
    })?;
    Ok(chosen)
}

/// Notes in the vault that a bundle of it was written at `at`, holding the client
/// with `fingerprint` and entry `digests` (`fingerprint::fingerprint_and_digests` of
/// the client as written), so that `check` can tell when the client's copy is stale.
/// Only the newest record keeps its digests, and at most [`MAX_DOSSIER_RECORDS`] are
/// kept. The history event is the caller's (`bundle-exported`, or offboarding's).
pub fn record(
    client: &mut Client,
    fingerprint: String,
    digests: BTreeMap<uuid::Uuid, String>,
    at: DateTime<Utc>,
) {
    for older in &mut client.bundles {
        older.entries.clear();
    }
    client.bundles.push(BundleRecord {
        fingerprint,
        exported: at,
        entries: digests,
    });
    let excess = client.bundles.len().saturating_sub(MAX_DOSSIER_RECORDS);
    client.bundles.drain(..excess);
}

/// What restoring a bundle did.
pub struct Restored {
    pub client: Client,
    /// The bundle held this id; the client was restored under another one.
    pub renamed_from: Option<ClientId>,
    /// Whether an existing client was replaced.
    pub replaced: bool,
    /// The key that signed the bundle and, if you trust it, its name; `None` for an
    /// unsigned bundle restored with `allow_unsigned`.
    pub signed_by: Option<(SignerKey, Option<String>)>,
    /// Your recipient, added to the restored vault so that it opens for you.
    pub added_recipient: Option<String>,
}

/// How a bundle's signature is to be accepted.
#[derive(Debug, Default, Clone)]
pub struct SignatureCheck {
    /// Accept a signature by this key fingerprint (`SHA256:…`, from the dossier's
    /// cover) even though you do not trust the key.
    pub expect_signer: Option<String>,
    /// Restore a bundle that has no signature at all (from before signed bundles).
    pub allow_unsigned: bool,
}

/// Restores a bundle as client `id`, decrypting it with this provider's identity.
///
/// Its signature (`FILE.sig`) is checked first: it must be intact and made by a key
/// you trust or the one `check.expect_signer` names (the fingerprint printed on the
/// dossier's cover).
///
/// Everything in it is kept exactly (entries, ids, timestamps, contacts, history),
/// except that the importing provider's recipient is added so that the restored vault
/// opens with its identity, and the client id becomes `id` if the bundle used another.
/// An existing client is refused unless `replace`, and is replaced only if it opens
/// with this identity (so someone else's file is never overwritten by accident).
pub fn import(
    h: &Handover,
    id: &ClientId,
    file: &Path,
    data: &[u8],
    replace: bool,
    check: &SignatureCheck,
) -> Result<Restored> {
    let source_name = file.display().to_string();
    let signed_by = match signers::verify_file(Some(&h.trust), &h.identity, file, data) {
        Ok((key, name)) => {
            let expected = check.expect_signer.as_deref().map(str::trim);
            if name.is_none() && expected != Some(key.fingerprint().as_str()) {
                return Err(Error::Invalid(format!(
                    "{source_name} is signed by {}, a key you do not trust; compare it with the signing-key fingerprint on the cover of the client's dossier, and if they match, run the import again with --expect-signer {}; nothing was imported",
                    key.fingerprint(),
                    key.fingerprint()
                )));
            }
            Some((key, name))
        }
        Err(Error::Signature {
            problem: crate::error::SignatureProblem::Missing,
            ..
        }) if check.allow_unsigned => None,
        Err(Error::Signature {
            problem: crate::error::SignatureProblem::Missing,
            ..
        }) => {
            return Err(Error::Invalid(format!(
                "{source_name} has no signature ({}.sig is missing), so nobody can tell who made it; ask the sender for the signature, or, for a bundle from before handover signed its bundles, pass --allow-unsigned; nothing was imported",
                source_name
            )));
        }
        Err(e) => return Err(e),
    };
    let mut client = bundle::read(data, &h.identity, &source_name)?;
    let renamed_from = if &client.id == id {
        None
    } else {
        Some(std::mem::replace(&mut client.id, id.clone()))
    };
    let own = h.identity.recipient().to_string();
    let added_recipient = if h
        .own_recipients()
        .iter()
        .any(|r| client.recipients.contains(r))
    {
        None
    } else {
        client.recipients.push(own.clone());
        client.record(
            history::event(EventKind::RecipientsChanged)
                .with_detail(format!("added {own} (restored from a bundle)")),
        );
        Some(own)
    };
    let lock = h.store.lock()?;
    let replaced = h.store.exists(id);
    if replaced {
        if !replace {
            return Err(Error::Invalid(format!(
                "client {:?} already exists in this store; restore the bundle under another id (`handover import NEW-ID --format bundle FILE`) or pass --on-conflict replace to replace it",
                id.as_str()
            )));
        }
        h.load(id)?;
    } else {
        // A client of this id removed earlier must not make the restored one look
        // like an old copy.
        h.trust.forget_revision(id)?;
    }
    h.write(&lock, &mut client)?;
    Ok(Restored {
        client,
        renamed_from,
        replaced,
        signed_by,
        added_recipient,
    })
}
