//! The team sharing a store: a member is a trusted signer (the store's signer list,
//! `workflows::signers`) whose age recipient every vault is encrypted to. Adding one
//! re-encrypts every vault to them; removing one re-encrypts without them and writes
//! the rotation list of every secret they could read, for they still know it.

use std::path::{Path, PathBuf};

use crate::dossier::templates::{Lang, Template};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::Recipient;
use crate::keys::signing::SignerKey;
use crate::keys::trust::Signer;
use crate::model::ClientId;
use crate::workflows::rotation::{rotation_csv, rotation_list};
use crate::workflows::{Handover, clients, signers};

/// A member as `team list` shows them.
pub struct Member {
    pub signer: Signer,
    pub fingerprint: String,
    pub you: bool,
}

/// The members: every trusted signer.
pub fn list(h: &Handover) -> Vec<Member> {
    let own = h.signing.as_ref().map(|k| k.public());
    h.trust
        .list()
        .signers
        .iter()
        .map(|s| {
            let key = SignerKey::parse(&s.key).ok();
            Member {
                signer: s.clone(),
                fingerprint: key.as_ref().map(|k| k.fingerprint()).unwrap_or_default(),
                you: key.is_some() && key == own,
            }
        })
        .collect()
}

/// Runs `each` over every client with the store's per-write commits off, then commits
/// once with `message`.
fn for_every_client(
    h: &Handover,
    message: &str,
    progress: &dyn Fn(usize, usize),
    mut each: impl FnMut(&ClientId) -> Result<()>,
) -> Result<usize> {
    let ids = h.store.client_ids()?;
    h.store.set_autocommit(false);
    let mut result = Ok(());
    for (i, id) in ids.iter().enumerate() {
        result = each(id);
        progress(i + 1, ids.len());
        if result.is_err() {
            break;
        }
    }
    h.store.set_autocommit(true);
    let lock = h.store.lock()?;
    h.store.commit(&lock, message);
    result.map(|()| ids.len())
}

/// Trusts a teammate's signing key and re-encrypts every vault to their recipient.
/// Returns how many vaults now include them.
pub fn add(
    h: &mut Handover,
    name: &str,
    recipient: &str,
    key: &str,
    progress: &dyn Fn(usize, usize),
) -> Result<usize> {
    let recipient = Recipient::parse(recipient)?.to_string();
    if !list(h).iter().any(|m| m.signer.name == name) {
        h.store.set_autocommit(false);
        let added = signers::add(h, name, key, Some(&recipient));
        h.store.set_autocommit(true);
        added?;
    }
    for_every_client(h, &format!("team: {name} added"), progress, |id| {
        clients::add_recipient(h, id, &recipient).map(|_| ())
    })
}

/// What `team remove` did.
pub struct Removed {
    pub clients: usize,
    /// One rotation list per client the member could read.
    pub lists: Vec<PathBuf>,
}

/// Stops trusting a member, re-encrypts every vault without them, and writes to `dir`
/// the rotation list of each client they could read (`<client>-rotation.csv`).
pub fn remove(
    h: &mut Handover,
    name: &str,
    dir: &Path,
    lang: Lang,
    progress: &dyn Fn(usize, usize),
) -> Result<Removed> {
    let member = list(h).into_iter().find(|m| m.signer.name == name);
    let Some(member) = member else {
        return Err(Error::Invalid(format!(
            "there is no team member named {name:?}; `handover team list` lists them"
        )));
    };
    let recipient = member.signer.recipient.clone();
    let texts = Template::load(lang, None)?.texts;
    fsutil::ensure_private_dir(dir)?;
    let mut lists = Vec::new();
    // Vaults first, while the member's key is still trusted: a vault they wrote last
    // is read, then rewritten and signed by this machine.
    let clients = for_every_client(
        h,
        &format!("team: {name} removed from vaults"),
        progress,
        |id| {
            let Some(r) = &recipient else { return Ok(()) };
            let client = h.load(id)?;
            if !client.recipients.contains(r) {
                return Ok(());
            }
            let file = dir.join(format!("{id}-rotation.csv"));
            fsutil::write_output(
                &file,
                &rotation_csv(&rotation_list(&client), &texts)?,
                false,
            )?;
            lists.push(file);
            clients::remove_recipient(h, id, r)
        },
    )?;
    signers::remove(h, name)?;
    Ok(Removed { clients, lists })
}
