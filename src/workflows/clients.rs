//! Creating, editing, listing and removing clients, and managing their recipients.

use chrono::Utc;

use crate::error::{Error, Result};
use crate::keys::Recipient;
use crate::model::{Client, ClientId, Contact, EventKind};
use crate::workflows::Handover;
use crate::workflows::history;

/// Creates a client whose vault is encrypted to the provider and `extra` recipients
/// (and, in a synced store, to the team).
pub fn create(
    h: &Handover,
    id: &ClientId,
    name: &str,
    extra_recipients: &[String],
) -> Result<Client> {
    if name.trim().is_empty() {
        return Err(Error::Invalid(
            "the client name is empty; pass --name".into(),
        ));
    }
    let mut recipients = vec![h.identity.recipient().to_string()];
    // In a store shared over git, the team reads every client: its trusted signers'
    // recipients (`team add`) are added.
    let team = match h.store.repo() {
        Some(_) => h.trust.recipients(),
        None => Vec::new(),
    };
    for r in extra_recipients.iter().chain(&team) {
        let r = Recipient::parse(r)?.to_string();
        if !recipients.contains(&r) {
            recipients.push(r);
        }
    }
    let mut client = Client::new(id.clone(), name.to_owned(), recipients, Utc::now());
    client.record(history::event(EventKind::ClientCreated));
    h.create(&mut client)?;
    Ok(client)
}

/// Changes to a client's profile; `None` leaves a value as it is.
#[derive(Debug, Default)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub legal_name: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    /// Contacts to add, in this order (after `remove_contact`, so one call can replace).
    pub add_contacts: Vec<Contact>,
    pub remove_contact: Option<String>,
    /// Where the client keeps the bundle / its key; empty clears.
    pub bundle_location: Option<String>,
    pub client_key_location: Option<String>,
    /// Who takes over the client when the provider is unreachable; empty clears (the
    /// provider's own setting applies again).
    pub emergency_partner: Option<String>,
    /// Group display titles to set: (group, title).
    pub group_titles: Vec<(String, String)>,
    /// Group display titles to remove (back to the default).
    pub remove_group_titles: Vec<String>,
}

pub fn edit(h: &Handover, id: &ClientId, patch: ClientPatch) -> Result<()> {
    h.update(id, |client| {
        let mut changed = Vec::new();
        if let Some(name) = patch.name {
            if name.trim().is_empty() {
                return Err(Error::Invalid("the client name must not be empty".into()));
            }
            client.name = name;
            changed.push("name");
        }
        if let Some(v) = patch.legal_name {
            client.legal_name = non_empty(v);
            changed.push("legal_name");
        }
        if let Some(v) = patch.address {
            client.address = non_empty(v);
            changed.push("address");
        }
        if let Some(v) = patch.notes {
            client.notes = non_empty(v);
            changed.push("notes");
        }
        if let Some(v) = patch.bundle_location {
            client.bundle_location = non_empty(v);
            changed.push("bundle_location");
        }
        if let Some(v) = patch.client_key_location {
            client.client_key_location = non_empty(v);
            changed.push("client_key_location");
        }
        if let Some(v) = patch.emergency_partner {
            client.emergency_partner = Some(v).filter(|v| !v.trim().is_empty());
            changed.push("emergency_partner");
        }
        if patch.remove_contact.is_some() || !patch.add_contacts.is_empty() {
            changed.push("contacts");
        }
        if let Some(name) = patch.remove_contact {
            let before = client.contacts.len();
            client.contacts.retain(|c| c.name != name);
            if client.contacts.len() == before {
                return Err(Error::Invalid(format!(
                    "client {:?} has no contact named {name:?}",
                    client.id.as_str()
                )));
            }
        }
        for contact in patch.add_contacts {
            if contact.name.trim().is_empty() {
                return Err(Error::Invalid("a contact needs a name".into()));
            }
            if client.contacts.iter().any(|c| c.name == contact.name) {
                return Err(Error::Invalid(format!(
                    "client {:?} already has a contact named {:?}; remove it first to replace it",
                    client.id.as_str(),
                    contact.name
                )));
            }
            client.contacts.push(contact);
        }
        for group in &patch.remove_group_titles {
            if client.group_titles.remove(group).is_none() {
                return Err(Error::Invalid(format!(
                    "client {:?} has no title for group {group:?}",
                    client.id.as_str()
                )));
            }
        }
        for (group, title) in &patch.group_titles {
            crate::model::validate_group_title(group, title)?;
            client
                .group_titles
                .insert(group.clone(), title.trim().to_owned());
        }
        if !patch.group_titles.is_empty() || !patch.remove_group_titles.is_empty() {
            changed.push("group_titles");
        }
        if !changed.is_empty() {
            changed.sort_unstable();
            client.record(history::event(EventKind::ClientChanged).with_fields(&changed));
        }
        Ok(())
    })
}

fn non_empty(v: String) -> Option<String> {
    if v.is_empty() { None } else { Some(v) }
}

/// What `client list` shows of one client.
pub struct Summary {
    pub id: ClientId,
    pub name: String,
    pub entries: usize,
    pub updated: chrono::DateTime<Utc>,
}

/// Every client in the store; a vault that cannot be opened is reported, not fatal.
pub fn list(h: &Handover) -> Result<Vec<(ClientId, Result<Summary>)>> {
    Ok(h.store
        .client_ids()?
        .into_iter()
        .map(|id| {
            let summary = h.load(&id).map(|c| Summary {
                id: c.id.clone(),
                name: c.name.clone(),
                entries: c.entries.len(),
                updated: c.updated,
            });
            (id, summary)
        })
        .collect())
}

/// Deletes a client's vault. It must open with this identity first, so that a
/// mistyped id or someone else's file is never deleted by accident.
pub fn remove(h: &Handover, id: &ClientId) -> Result<()> {
    let lock = h.store.lock()?;
    h.load(id)?;
    h.store.remove_vault(&lock, id)?;
    h.trust.forget_revision(id)
}

pub fn add_recipient(h: &Handover, id: &ClientId, recipient: &str) -> Result<bool> {
    let r = Recipient::parse(recipient)?.to_string();
    h.update(id, |client| {
        if client.recipients.contains(&r) {
            return Ok(false);
        }
        client.recipients.push(r.clone());
        client
            .record(history::event(EventKind::RecipientsChanged).with_detail(format!("added {r}")));
        Ok(true)
    })
}

pub fn remove_recipient(h: &Handover, id: &ClientId, recipient: &str) -> Result<()> {
    let r = Recipient::parse(recipient)?.to_string();
    if h.own_recipients().contains(&r) {
        return Err(Error::Recipients(
            "refusing to remove your own recipient: you could no longer open this vault (handing a client over is `handover offboard`)".into(),
        ));
    }
    h.update(id, |client| {
        let before = client.recipients.len();
        client.recipients.retain(|x| x != &r);
        if client.recipients.len() == before {
            return Err(Error::Recipients(format!(
                "{r} is not a recipient of client {:?}",
                client.id.as_str()
            )));
        }
        if client.client_recipient.as_ref() == Some(&r) {
            client.client_recipient = None;
        }
        client.record(
            history::event(EventKind::RecipientsChanged).with_detail(format!("removed {r}")),
        );
        Ok(())
    })
}
