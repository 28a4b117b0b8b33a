//! The one shape of a knowledge kind on the command line (systems, networks,
//! vendors, documents, decisions): how a record is found by name, listed and shown,
//! and the messages `add`, `edit` and `remove` print. A new kind implements
//! [`KnowledgeKind`] and gets `list`, `show` and `remove` from here.

use handover::model::{Client, ClientId};
use handover::workflows::Handover;
use serde::Serialize;

use super::CliError;
use super::context::{client_id, today};
use super::term::{Out, safe};

pub(super) trait KnowledgeKind {
    /// The kind's word in messages: "Added system …", "Changed system …".
    const WHAT: &'static str;
    type Record: Serialize;

    /// The record called `name` (its name, path or title).
    fn find<'a>(client: &'a Client, name: &str) -> handover::Result<&'a Self::Record>;
    /// The records in the order `list` prints them.
    fn sorted(client: &Client) -> Vec<&Self::Record>;
    /// One line of `list`, as of `today` (a vendor's next cancellation deadline).
    fn list_line(record: &Self::Record, today: chrono::NaiveDate) -> String;
    /// The lines of `show`.
    fn show(out: &mut Out, client: &Client, record: &Self::Record) -> Result<(), CliError>;
    /// Removes the record called `name` from the vault.
    fn remove(h: &Handover, id: &ClientId, name: &str) -> handover::Result<()>;

    /// `list --json`: the records with the vault's key names.
    fn list_json(out: &mut Out, records: &[&Self::Record]) -> Result<(), CliError> {
        out.json(&records)
    }
    /// `show --json`.
    fn show_json(out: &mut Out, record: &Self::Record) -> Result<(), CliError> {
        out.json(record)
    }
}

/// The record called `name`, or the error that says how to list them.
pub(super) fn found<'a, K: KnowledgeKind>(
    client: &'a Client,
    name: &str,
) -> Result<&'a K::Record, CliError> {
    Ok(K::find(client, name)?)
}

pub(super) fn list<K: KnowledgeKind>(
    h: &Handover,
    client: &str,
    json: bool,
    out: &mut Out,
) -> Result<(), CliError> {
    let c = h.load(&client_id(client)?)?;
    let records = K::sorted(&c);
    if json {
        return K::list_json(out, &records);
    }
    let today = today()?;
    for r in records {
        out.line(&K::list_line(r, today))?;
    }
    Ok(())
}

pub(super) fn show<K: KnowledgeKind>(
    h: &Handover,
    client: &str,
    name: &str,
    json: bool,
    out: &mut Out,
) -> Result<(), CliError> {
    let c = h.load(&client_id(client)?)?;
    let r = found::<K>(&c, name)?;
    if json {
        return K::show_json(out, r);
    }
    K::show(out, &c, r)
}

pub(super) fn remove<K: KnowledgeKind>(
    h: &Handover,
    client: &str,
    name: &str,
) -> Result<(), CliError> {
    let id = client_id(client)?;
    K::remove(h, &id, name)?;
    eprintln!(
        "Removed {} {} from client {}.",
        K::WHAT,
        safe(name, false),
        id
    );
    Ok(())
}

pub(super) fn added<K: KnowledgeKind>(name: &str, id: &ClientId) {
    eprintln!("Added {} {} to client {}.", K::WHAT, safe(name, false), id);
}

pub(super) fn report_change<K: KnowledgeKind>(name: &str, changed: &[&str]) {
    if changed.is_empty() {
        eprintln!("Nothing changed.");
    } else {
        eprintln!(
            "Changed {} {}: {}.",
            K::WHAT,
            safe(name, false),
            changed.join(", ")
        );
    }
}
