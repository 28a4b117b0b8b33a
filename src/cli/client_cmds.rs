//! `handover client new|list|show|edit|key|remove` and `handover recipients`: the
//! clients themselves and who can open their vaults.

use std::path::Path;

use handover::error::Error;
use handover::model::ClientId;
use handover::workflows::Handover;
use handover::workflows::clients::{self, ClientPatch};
use handover::workflows::signers::RecipientRole;

use super::CliError;
use super::args::{ClientCommand, ProfileArgs, RecipientAction, RecipientsArgs};
use super::context::{Paths, client_id};
use super::show;
use super::signers_cmds::role_name;
use super::term::{self, Out, safe};

pub fn client(cmd: ClientCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        ClientCommand::New {
            id,
            name,
            recipient,
            profile,
        } => create(h, &ClientId::parse(&id)?, &name, &recipient, profile),
        ClientCommand::List { json } => list(h, json, out),
        ClientCommand::Show { id, json } => {
            let c = h.load(&client_id(&id)?)?;
            show::client(&c, &h.identity.recipient().to_string(), json, out)
        }
        ClientCommand::Edit {
            id,
            name,
            profile,
            add_contacts,
            remove_contact,
            group_title,
            remove_group_title,
            bundle_location,
            key_location,
            emergency_partner,
        } => {
            let id = client_id(&id)?;
            let group_titles = group_titles(&group_title)?;
            let patch = ClientPatch {
                bundle_location,
                client_key_location: key_location,
                emergency_partner,
                group_titles,
                remove_group_titles: remove_group_title,
                name,
                legal_name: profile.legal_name,
                address: profile.address,
                notes: profile.notes,
                add_contacts: add_contacts.0,
                remove_contact,
            };
            clients::edit(h, &id, patch)?;
            eprintln!("Updated client {}.", id.as_str());
            Ok(())
        }
        ClientCommand::Key {
            id,
            output,
            force,
            json,
        } => client_key(h, &client_id(&id)?, (&output, force), json, out),
        ClientCommand::Remove { id, yes } => remove(h, &client_id(&id)?, yes),
    }
}

fn create(
    h: &Handover,
    id: &ClientId,
    name: &str,
    recipients: &[String],
    profile: ProfileArgs,
) -> Result<(), CliError> {
    clients::create(h, id, name, recipients)?;
    if profile.legal_name.is_some() || profile.address.is_some() || profile.notes.is_some() {
        clients::edit(
            h,
            id,
            ClientPatch {
                legal_name: profile.legal_name,
                address: profile.address,
                notes: profile.notes,
                ..ClientPatch::default()
            },
        )?;
    }
    eprintln!("Created client {} ({}).", id.as_str(), safe(name, false));
    Ok(())
}

fn list(h: &Handover, json: bool, out: &mut Out) -> Result<(), CliError> {
    let rows = clients::list(h)?;
    show::client_list(&rows, json, out)?;
    // Listed so the user sees them all, but a vault refused as possibly planted (bad
    // signature, older revision, another client's data) is not "fine": exit 1. A
    // damaged or unreadable one is reported in the table and the list exits 0.
    let refused = rows
        .iter()
        .filter(|(_, r)| match r {
            Err(Error::Signature { .. } | Error::Rollback { .. }) => true,
            Err(Error::Vault { problem, .. }) => problem.is_suspect(),
            _ => false,
        })
        .count();
    if refused > 0 {
        return Err(CliError::Failed(format!(
            "{refused} vault(s) were refused: their signature, revision or content cannot be trusted (see above)"
        )));
    }
    Ok(())
}

/// `--group-title GROUP=TITLE`, repeated.
fn group_titles(specs: &[String]) -> Result<Vec<(String, String)>, CliError> {
    specs
        .iter()
        .map(|g| match g.split_once('=') {
            Some((group, title)) => Ok((group.trim().to_owned(), title.to_owned())),
            None => Err(CliError::Usage(format!(
                "--group-title {g:?}: write GROUP=TITLE, e.g. --group-title \"netz=Netzwerk und Firewall\""
            ))),
        })
        .collect()
}

fn remove(h: &Handover, id: &ClientId, yes: bool) -> Result<(), CliError> {
    let c = h.load(id)?;
    if !yes
        && !term::confirm(&format!(
            "Permanently delete client {} ({}) and its {} entries?",
            id.as_str(),
            safe(&c.name, false),
            c.entries.len()
        ))
    {
        return Err(CliError::Usage(
            "not confirmed; nothing was deleted (pass --yes to skip the question)".into(),
        ));
    }
    clients::remove(h, id)?;
    eprintln!("Deleted client {}.", id.as_str());
    Ok(())
}

pub fn recipients(a: RecipientsArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let RecipientsArgs {
        client,
        json,
        action,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    let (changed, recipient) = match action {
        None => (None, None),
        Some(RecipientAction::Add { recipient }) => {
            let added = clients::add_recipient(&h, &id, &recipient)?;
            if !json {
                eprintln!(
                    "{}",
                    if added {
                        "Added the recipient; the vault is re-encrypted."
                    } else {
                        "That recipient was already there; nothing changed."
                    }
                );
            }
            (Some(added), Some(recipient))
        }
        Some(RecipientAction::Remove { recipient }) => {
            clients::remove_recipient(&h, &id, &recipient)?;
            eprintln!(
                "Removed the recipient; the vault is re-encrypted. Anything that key could read before may still be in copies it made: rotate those secrets."
            );
            (Some(true), Some(recipient))
        }
    };
    if json {
        let c = h.load(&id)?;
        // As the vault keeps it (the checks above refused anything else).
        let recipient = recipient
            .map(|r| handover::keys::Recipient::parse(&r).map(|r| r.to_string()))
            .transpose()?;
        return out.json(&RecipientsReport {
            client: id.as_str(),
            recipient: recipient.as_deref(),
            changed,
            recipients: recipient_rows(&h, &c),
        });
    }
    if changed.is_none() {
        let c = h.load(&id)?;
        for r in recipient_rows(&h, &c) {
            let note = match r.role {
                "you" => "  (you)",
                "client-key" => "  (client key)",
                _ => "",
            };
            out.line(&format!("{}{note}", safe(r.recipient, false)))?;
        }
    }
    Ok(())
}

/// What `recipients --json` prints: the vault's recipients (after an add or remove),
/// and what was added or removed.
#[derive(serde::Serialize)]
struct RecipientsReport<'a> {
    client: &'a str,
    /// The recipient given to `add` or `remove`.
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient: Option<&'a str>,
    /// Whether `add` or `remove` changed the vault.
    #[serde(skip_serializing_if = "Option::is_none")]
    changed: Option<bool>,
    recipients: Vec<RecipientRow<'a>>,
}

#[derive(serde::Serialize)]
struct RecipientRow<'a> {
    recipient: &'a str,
    /// `you`, `client-key`, `teammate` or `unknown`.
    role: &'static str,
}

fn recipient_rows<'a>(h: &Handover, c: &'a handover::model::Client) -> Vec<RecipientRow<'a>> {
    let (own, teammates) = (h.own_recipients(), h.trust.recipients());
    c.recipients
        .iter()
        .map(|r| RecipientRow {
            recipient: r,
            role: role_name(RecipientRole::of(r, c, &own, &teammates)),
        })
        .collect()
}

fn client_key(
    h: &Handover,
    id: &ClientId,
    (output, force): (&Path, bool),
    json: bool,
    out: &mut Out,
) -> Result<(), CliError> {
    let recipient = handover::workflows::client_key::create(h, id, output, force)?;
    eprintln!(
        "Wrote the client's secret key to {} and added its recipient; the vault is re-encrypted. Hand the file to the client and delete your copy.",
        output.display()
    );
    if json {
        return out.json(&serde_json::json!({
            "client": id.as_str(),
            "file": output.display().to_string(),
            "recipient": recipient,
        }));
    }
    out.line(&recipient)
}
