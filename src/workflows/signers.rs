//! Signing keys and trusted signers: creating the signing key, starting a store's
//! trust, signing a store from before signed vaults (`handover sign`), pinning a
//! store's signers on a new machine, and adding or removing signers.

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::error::{Error, Result, SignatureProblem};
use crate::fsutil;
use crate::keys::Identity;
use crate::keys::signing::{self, SignerKey, SigningKey};
use crate::keys::trust::{Signer, SignerList, Trust};
use crate::keys::unlock::{KeyFiles, read_signing_key};
use crate::model::{Client, ClientId};
use crate::prompt::Prompter;
use crate::store::{Store, WriteLock};
use crate::vault;
use crate::workflows::Handover;

/// The name a provider's own key gets in a new store's signer list.
pub const OWN_NAME: &str = "provider";

/// Creates the signing key beside the identity unless it exists (0600, encrypted with
/// `passphrase` when the identity has one). Returns the key and whether it was created.
pub fn ensure_signing_key(
    files: &KeyFiles,
    passphrase: Option<&str>,
    prompter: &dyn Prompter,
) -> Result<(SigningKey, bool)> {
    if let Some(key) = read_signing_key(files, passphrase, prompter)? {
        return Ok((key, false));
    }
    let key = SigningKey::generate("handover signing key").map_err(Error::Trust)?;
    let text = key.to_openssh(passphrase).map_err(Error::Trust)?;
    let mut public = key.public().to_openssh();
    public.push_str(" handover signing key\n");
    fsutil::atomic_write_new(&files.signing_pub, public.as_bytes()).or_else(|e| {
        // A stale public half without its private key is only a copy of public data.
        if files.signing_pub.is_file() {
            fsutil::atomic_write(&files.signing_pub, public.as_bytes())
        } else {
            Err(e)
        }
    })?;
    fsutil::create_new_private(&files.signing_key, text.as_bytes())?;
    Ok((key, true))
}

/// Starts trust in a new (empty) store: a signer list naming only this key, written
/// to the store and pinned on this machine.
pub fn start_trust(
    store: &Store,
    files: &KeyFiles,
    key: &SigningKey,
    recipient: &str,
) -> Result<Trust> {
    let list = SignerList::new(vec![own_signer(key, recipient)]);
    let lock = store.lock()?;
    // The pin first: a kill before the store's list is written leaves a machine that
    // trusts its own key and a store without a list, which the next `sign` completes
    // (see `plan_sign`). The other order left a store this machine had to pin
    // (`signers pin`), trusting on first use what it had itself just written.
    let trust = Trust::pin(store, &files.pins, list.clone(), &key.public())?;
    write_list(store, &lock, key, &list)?;
    Ok(trust)
}

/// Writes a signer list, its signature and an `allowed_signers` file for the stock
/// tools into the store.
pub fn write_list(
    store: &Store,
    lock: &WriteLock,
    signer: &SigningKey,
    list: &SignerList,
) -> Result<()> {
    let (json, sig) = list.signed_json(signer)?;
    store.write_signers(lock, &json, &sig, list.allowed_signers().as_bytes())
}

fn own_signer(key: &SigningKey, recipient: &str) -> Signer {
    Signer {
        name: OWN_NAME.into(),
        key: key.public().to_openssh(),
        recipient: Some(recipient.to_owned()),
        added: Utc::now(),
    }
}

/// Who a recipient of a vault is, as far as this machine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientRole {
    You,
    ClientKey,
    Teammate,
    Unknown,
}

impl RecipientRole {
    pub fn of(recipient: &str, client: &Client, own: &[String], teammates: &[String]) -> Self {
        if own.iter().any(|r| r == recipient) {
            RecipientRole::You
        } else if client.client_recipient.as_deref() == Some(recipient) {
            RecipientRole::ClientKey
        } else if teammates.iter().any(|r| r == recipient) {
            RecipientRole::Teammate
        } else {
            RecipientRole::Unknown
        }
    }
}

/// One vault `handover sign` would sign, as the user reviews it.
pub struct Review {
    pub id: ClientId,
    pub name: String,
    pub entries: usize,
    pub recipients: Vec<(String, RecipientRole)>,
    ciphertext: Vec<u8>,
    revision: u64,
}

/// What `handover sign` found.
pub struct SignPlan {
    /// Vaults with no signature, which it would sign.
    pub unsigned: Vec<Review>,
    /// Vaults it will not sign, each with why and what to do: a signature that is not
    /// valid or not trusted, one that does not open with this identity (sign only what
    /// you can inspect), or one whose signature was removed after this machine saw it
    /// signed (a forgery, perhaps).
    pub refused: Vec<(ClientId, String)>,
    /// Vaults already signed by a trusted key.
    pub signed: usize,
    /// The store has no signer list yet; signing starts one naming your key.
    pub starts_trust: bool,
}

/// Looks at every vault of a store from before signed vaults (or with vaults added
/// unsigned since) and says what `handover sign` would do. Changes nothing.
pub fn plan_sign(
    store: &Store,
    identity: &Identity,
    files: &KeyFiles,
    key: &SigningKey,
) -> Result<SignPlan> {
    let in_store = store.read_signers()?.is_some();
    let trust = match Trust::establish(store, &files.pins) {
        Ok(t) => Some(t),
        Err(e) if in_store => return Err(e),
        Err(_) => None,
    };
    let (trusted, teammates, starts_trust) = match &trust {
        Some(t) => (
            t.keys().to_vec(),
            t.recipients(),
            !in_store && only_own(t, key),
        ),
        None => (vec![key.public()], Vec::new(), true),
    };
    let seen = |id: &ClientId| trust.as_ref().map_or(0, |t| t.seen_revision(id));
    let inspect = |problem: String| {
        format!("{problem}. Inspect it; restore it from a backup if it is not yours.")
    };
    let own: Vec<String> = identity
        .recipients()
        .iter()
        .map(|r| r.to_string())
        .collect();
    let mut plan = SignPlan {
        unsigned: Vec::new(),
        refused: Vec::new(),
        signed: 0,
        starts_trust,
    };
    for id in store.client_ids()? {
        let ciphertext = store.read_vault(&id)?;
        let sig = store.read_signature(&id)?;
        if sig.is_some() {
            match signing::verify_trusted(&ciphertext, sig.as_deref(), signing::NAMESPACE, &trusted)
            {
                Ok(_) => plan.signed += 1,
                Err(problem) => plan.refused.push((id, inspect(problem.to_string()))),
            }
            continue;
        }
        // This machine saw it signed: the signature was removed, and signing it now
        // would make a forgery's recipients readers of every later secret.
        if seen(&id) > 0 {
            let reason = super::signature_removed(store, &id, seen(&id));
            plan.refused.push((id, reason));
            continue;
        }
        let client = match vault::decode(&ciphertext, identity) {
            Ok(c) if c.id == id => c,
            Ok(c) => {
                let problem = format!("it holds client {:?} (renamed or swapped?)", c.id.as_str());
                plan.refused.push((id, inspect(problem)));
                continue;
            }
            Err(problem) => {
                plan.refused.push((id, inspect(problem.to_string())));
                continue;
            }
        };
        let recipients = client
            .recipients
            .iter()
            .map(|r| (r.clone(), RecipientRole::of(r, &client, &own, &teammates)))
            .collect();
        plan.unsigned.push(Review {
            id,
            name: client.name.clone(),
            entries: client.entries.len(),
            recipients,
            ciphertext,
            revision: client.revision,
        });
    }
    Ok(plan)
}

/// Whether `trust` is exactly what a first `sign` pins (a first list naming only
/// `key`): with no list in the store, that `sign` was killed before writing it.
fn only_own(trust: &Trust, key: &SigningKey) -> bool {
    trust.list().version == 1 && trust.keys() == [key.public()]
}

/// Signs what `plan` reviewed, exactly those bytes: a vault changed since the review
/// is not signed. Starts the store's trust first if the plan says so.
pub fn apply_sign(
    store: &Store,
    identity: &Identity,
    files: &KeyFiles,
    key: &SigningKey,
    plan: &SignPlan,
) -> Result<usize> {
    let trust = if plan.starts_trust {
        start_trust(store, files, key, &identity.recipient().to_string())?
    } else {
        Trust::establish(store, &files.pins)?
    };
    let lock = store.lock()?;
    let mut signed = 0;
    for review in &plan.unsigned {
        let now = store.read_vault(&review.id)?;
        if now != review.ciphertext || store.read_signature(&review.id)?.is_some() {
            return Err(Error::Invalid(format!(
                "the vault of client {:?} changed while you reviewed it; {signed} vault(s) were signed, run `handover sign` again to review the rest",
                review.id.as_str()
            )));
        }
        let sig = key.sign(signing::NAMESPACE, &now)?;
        store.write_signature(&lock, &review.id, &sig)?;
        trust.saw_revision(&review.id, review.revision)?;
        signed += 1;
    }
    Ok(signed)
}

/// Takes a vault that is older than one this machine has seen back as the newest
/// (after restoring a backup on purpose). Returns its revision.
pub fn accept_rollback(h: &Handover, id: &ClientId) -> Result<u64> {
    let _lock = h.store.lock()?;
    h.trust.forget_revision(id)?;
    let fresh = Trust::establish(&h.store, h.trust.pins_path())?;
    let bytes = h.read_verified(id)?;
    let client = vault::decode(&bytes, &h.identity).map_err(|problem| Error::Vault {
        client: id.to_string(),
        path: h.store.vault_path(id),
        problem,
    })?;
    fresh.saw_revision(id, client.revision)?;
    Ok(client.revision)
}

/// The store's signer list as a new machine would pin it, for review.
pub struct PinReview {
    pub list: SignerList,
    /// Who signed the list (one of its own signers).
    pub signed_by: SignerKey,
    pub includes_you: bool,
}

pub fn plan_pin(store: &Store, key: Option<&SigningKey>) -> Result<PinReview> {
    let Some((bytes, sig)) = store.read_signers()? else {
        return Err(Error::Trust(format!(
            "the store at {} has no signer list; run `handover sign` to start one",
            store.root().display()
        )));
    };
    let what = store.signers_path().display().to_string();
    let list = SignerList::parse(&bytes, &what)?;
    let keys = list.keys();
    let signed_by =
        signing::verify_trusted(&bytes, sig.as_deref(), signing::SIGNERS_NAMESPACE, &keys)
            .map_err(|problem| {
                Error::Trust(format!(
                    "refusing the signer list {what}: {problem} (it must be signed by one of the signers it names)"
                ))
            })?
            .clone();
    let includes_you = key.is_some_and(|k| keys.contains(&k.public()));
    Ok(PinReview {
        list,
        signed_by,
        includes_you,
    })
}

pub fn apply_pin(store: &Store, files: &KeyFiles, review: PinReview) -> Result<Trust> {
    Trust::pin(store, &files.pins, review.list, &review.signed_by)
}

/// Adds a trusted signer (a teammate) to the store's list, signed with your key.
pub fn add(h: &mut Handover, name: &str, key: &str, recipient: Option<&str>) -> Result<Signer> {
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        return Err(Error::Invalid(format!(
            "invalid signer name {name:?}: use letters, digits and - _ . @ (it is the principal in allowed_signers)"
        )));
    }
    let parsed = SignerKey::parse(key)
        .map_err(|e| Error::Invalid(format!("the key of signer {name:?}: {e}")))?;
    let recipient = match recipient {
        Some(r) => Some(crate::keys::Recipient::parse(r)?.to_string()),
        None => None,
    };
    let signer = Signer {
        name: name.to_owned(),
        key: parsed.to_openssh(),
        recipient,
        added: Utc::now(),
    };
    let Handover {
        store,
        signing,
        trust,
        ..
    } = h;
    let signing = signing.as_ref().ok_or_else(super::no_signing_key)?;
    let lock = store.lock()?;
    let added = signer.clone();
    let write = |list: &SignerList| write_list(store, &lock, signing, list);
    trust.change_signers(
        signing,
        |signers| {
            if let Some(s) = signers.iter().find(|s| s.name == added.name) {
                return Err(Error::Invalid(format!(
                    "there is already a signer named {:?}; remove it first or choose another name",
                    s.name
                )));
            }
            if signers
                .iter()
                .any(|s| SignerKey::parse(&s.key).ok().as_ref() == Some(&parsed))
            {
                return Err(Error::Invalid(format!(
                    "the key {} is already trusted",
                    parsed.fingerprint()
                )));
            }
            signers.push(added);
            Ok(())
        },
        write,
    )?;
    Ok(signer)
}

/// Removes a trusted signer. Your own key cannot be removed by you.
pub fn remove(h: &mut Handover, name: &str) -> Result<Signer> {
    let Handover {
        store,
        signing,
        trust,
        ..
    } = h;
    let signing = signing.as_ref().ok_or_else(super::no_signing_key)?;
    let own = signing.public();
    let lock = store.lock()?;
    let mut removed = None;
    let write = |list: &SignerList| write_list(store, &lock, signing, list);
    trust.change_signers(
        signing,
        |signers| {
            let Some(pos) = signers.iter().position(|s| s.name == name) else {
                return Err(Error::Invalid(format!(
                    "there is no signer named {name:?}; `handover signers` lists them"
                )));
            };
            if SignerKey::parse(&signers[pos].key).ok().as_ref() == Some(&own) {
                return Err(Error::Invalid(
                    "refusing to remove your own signing key: you could no longer write this store"
                        .into(),
                ));
            }
            removed = Some(signers.remove(pos));
            Ok(())
        },
        write,
    )?;
    removed.ok_or_else(|| Error::Invalid("no signer was removed".into()))
}

/// Writes a signed file outside the store (a bundle): `FILE` and its signature
/// `FILE.sig` beside it, as `ssh-keygen -Y sign` names it. The signature is made
/// before either is written, and the file is removed again if its signature cannot be
/// written, so that no unsigned bundle is left behind.
pub fn write_signed_output(h: &Handover, out: &Path, bytes: &[u8], force: bool) -> Result<PathBuf> {
    let sig = h.signing_key()?.sign(signing::BUNDLE_NAMESPACE, bytes)?;
    let sig_path = crate::store::sig_path(out);
    fsutil::refuse_existing(&sig_path, force)?;
    fsutil::write_output(out, bytes, force)?;
    if let Err(e) = fsutil::write_output(&sig_path, &sig, force) {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(sig_path)
}

/// Checks a signed file from outside the store (a bundle): returns the key that
/// signed it and, if this machine trusts it, under which name.
///
/// A bundle is signed in [`signing::BUNDLE_NAMESPACE`]. Bundles written before that
/// were signed in the vaults' namespace; such a signature is accepted only when the file
/// is not shaped as a vault is (see [`looks_like_vault`]), so that a vault and its
/// `.sig` are never restored as a bundle. `identity` is the key the bundle will be
/// opened with.
pub fn verify_file(
    trust: Option<&Trust>,
    identity: &Identity,
    file: &Path,
    bytes: &[u8],
) -> Result<(SignerKey, Option<String>)> {
    let sig_path = crate::store::sig_path(file);
    let sig = crate::fsutil::read_small_file(&sig_path, crate::store::MAX_SIGNATURE_BYTES)?;
    let keys = match signing::verify(bytes, sig.as_deref(), signing::BUNDLE_NAMESPACE) {
        Err(SignatureProblem::WrongNamespace(ns)) if ns == signing::NAMESPACE => {
            let keys = signing::verify(bytes, sig.as_deref(), signing::NAMESPACE);
            if keys.is_ok() && looks_like_vault(bytes, identity) {
                return Err(Error::Invalid(format!(
                    "{} is a vault, not a bundle: it is signed as a vault (namespace {:?}) and encrypted to exactly the recipients it lists, you among them; a vault file is never restored as a bundle. Ask for the client's bundle (`handover export CLIENT --format bundle`); nothing was imported",
                    file.display(),
                    signing::NAMESPACE
                )));
            }
            keys
        }
        other => other,
    };
    let keys = keys.map_err(|problem| Error::Signature {
        what: file.display().to_string(),
        problem,
        advice: format!(
            "Ask the sender for the file and its signature {} again; a bundle is only restored when its signature is intact.",
            sig_path.display()
        ),
    })?;
    for key in &keys {
        if let Some(name) = trust.and_then(|t| t.name_of(key)) {
            return Ok((key.clone(), Some(name.to_owned())));
        }
    }
    Ok((keys[0].clone(), None))
}

/// Whether an age file is shaped as handover writes a vault: it opens with `identity`,
/// whose recipient is among those its plaintext lists, and it is encrypted to exactly
/// as many recipients as that list holds. A bundle is encrypted to recipients chosen at
/// export (by default the vault's, less the exporting provider's own), so one from
/// before bundles had their own namespace is almost never shaped so; the rare one that
/// is (exported with `--recipient` to as many keys as the vault had, the importer among
/// the vault's) is refused with the vault, the safe side of an ambiguity the old shared
/// namespace left.
fn looks_like_vault(bytes: &[u8], identity: &Identity) -> bool {
    let Ok(client) = vault::decode(bytes, identity) else {
        return false;
    };
    let mine = identity
        .recipients()
        .iter()
        .any(|r| client.recipients.contains(&r.to_string()));
    mine && age_stanzas(bytes) == Some(client.recipients.len())
}

/// The number of recipient stanzas in a binary age file's header, not counting the
/// "grease" stanzas some implementations add.
fn age_stanzas(bytes: &[u8]) -> Option<usize> {
    let end = bytes.windows(4).position(|w| w == b"\n---")?;
    let header = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = header.lines();
    if lines.next()? != "age-encryption.org/v1" {
        return None;
    }
    Some(
        lines
            .filter_map(|l| l.strip_prefix("-> "))
            .filter(|l| !l.split(' ').next().unwrap_or("").ends_with("-grease"))
            .count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(name: &str, key: &SigningKey) -> Signer {
        Signer {
            name: name.into(),
            key: key.public().to_openssh(),
            recipient: None,
            added: Utc::now(),
        }
    }

    #[test]
    fn a_store_writer_cannot_extend_the_pinned_list() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::init(&dir.path().join("s")).unwrap();
        let pins = dir.path().join("id.trust.json");
        let me = SigningKey::generate("me").unwrap();
        let attacker = SigningKey::generate("evil").unwrap();
        let teammate = SigningKey::generate("anna").unwrap();
        let list = SignerList::new(vec![signer("me", &me)]);
        {
            let lock = store.lock().unwrap();
            write_list(&store, &lock, &me, &list).unwrap();
        }
        let mut trust = Trust::pin(&store, &pins, list.clone(), &me.public()).unwrap();

        // A trusted change is taken over by a machine that pinned the older list.
        {
            let lock = store.lock().unwrap();
            trust
                .change_signers(
                    &me,
                    |s| {
                        s.push(signer("anna", &teammate));
                        Ok(())
                    },
                    |l| write_list(&store, &lock, &me, l),
                )
                .unwrap();
        }
        let t = Trust::establish(&store, &pins).unwrap();
        assert_eq!(t.keys().len(), 2);
        assert_eq!(t.name_of(&teammate.public()), Some("anna"));

        // The attacker writes a newer list naming itself, signed by itself: refused.
        let mut forged = t.list().clone();
        forged.version += 1;
        forged.signers.push(signer("evil", &attacker));
        {
            let lock = store.lock().unwrap();
            write_list(&store, &lock, &attacker, &forged).unwrap();
        }
        let err = Trust::establish(&store, &pins).err().unwrap().to_string();
        assert!(err.contains("does not trust"), "{err}");

        // An older list put back: refused.
        {
            let lock = store.lock().unwrap();
            write_list(&store, &lock, &me, &list).unwrap();
        }
        let err = Trust::establish(&store, &pins).err().unwrap().to_string();
        assert!(err.contains("older than version 2"), "{err}");

        // Another machine with no pin is told to pin.
        let err = Trust::establish(&store, &dir.path().join("other.json"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("handover signers pin"), "{err}");
    }

    #[test]
    fn revisions_only_rise_until_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::init(&dir.path().join("s")).unwrap();
        let pins = dir.path().join("id.trust.json");
        let me = SigningKey::generate("me").unwrap();
        let list = SignerList::new(vec![signer("me", &me)]);
        Trust::pin(&store, &pins, list, &me.public()).unwrap();
        let id = ClientId::parse("acme").unwrap();
        let t = Trust::establish(&store, &pins).unwrap();
        t.saw_revision(&id, 5).unwrap();
        t.saw_revision(&id, 3).unwrap();
        let t = Trust::establish(&store, &pins).unwrap();
        assert_eq!(t.seen_revision(&id), 5);
        t.forget_revision(&id).unwrap();
        assert_eq!(
            Trust::establish(&store, &pins).unwrap().seen_revision(&id),
            0
        );
    }
}
