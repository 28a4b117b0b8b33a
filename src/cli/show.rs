//! How entries and clients look on the terminal and in `--json`.

use chrono::{DateTime, NaiveDate, Utc};
use handover::Result as LibResult;
use handover::model::{Client, ClientId, Contact, Entry, Kind, Owner, Secret};
use handover::workflows::clients::Summary;
use serde::Serialize;
use uuid::Uuid;

use super::CliError;
use super::term::{Out, safe};

const MASK: &str = "********";

/// What lists show of an entry: everything but secrets, notes and custom fields.
#[derive(Serialize)]
struct EntrySummary<'a> {
    id: Uuid,
    path: &'a str,
    title: &'a str,
    kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<Owner>,
    provider_knows: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    known_to_previous: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotated: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<DateTime<Utc>>,
}

impl<'a> From<&'a Entry> for EntrySummary<'a> {
    fn from(e: &'a Entry) -> Self {
        EntrySummary {
            id: e.id,
            path: &e.path,
            title: &e.title,
            kind: e.kind,
            url: e.url.as_deref(),
            host: e.host.as_deref(),
            port: e.port,
            username: e.username.as_deref(),
            tags: &e.tags,
            owner: e.owner,
            provider_knows: e.provider_knows,
            known_to_previous: &e.known_to_previous,
            expires: e.expires,
            rotated: e.rotated,
            created: e.created,
            updated: e.updated,
        }
    }
}

/// A copy of the entry with every secret replaced by a mask.
fn masked(e: &Entry) -> Entry {
    let mut m = e.clone();
    let mask = |s: &mut Option<Secret>| {
        if s.is_some() {
            *s = Some(Secret::from(MASK));
        }
    };
    mask(&mut m.password);
    mask(&mut m.totp);
    for code in &mut m.recovery_codes {
        *code = Secret::from(MASK);
    }
    for f in &mut m.fields {
        if f.secret {
            f.value = Secret::from(MASK);
        }
    }
    for p in &mut m.previous {
        p.value = Secret::from(MASK);
    }
    m
}

/// `show`: the entry, its secrets masked unless `reveal`, its previous secrets
/// (`rotate` and `edit` keep them) only with `history`.
pub fn entry(
    e: &Entry,
    reveal: bool,
    history: bool,
    json: bool,
    out: &mut Out,
) -> Result<(), CliError> {
    if json {
        let mut shown = if reveal { e.clone() } else { masked(e) };
        if !history {
            shown.previous.clear();
        }
        return out.json(&shown);
    }
    let mut row = |label: &str, value: &str| out.line(&format!("{label:<15} {value}"));
    row("Path:", &safe(&e.path, false))?;
    row("Title:", &safe(&e.title, false))?;
    row("Kind:", e.kind.as_str())?;
    if let Some(v) = &e.url {
        row("URL:", &safe(v, false))?;
    }
    if let Some(v) = &e.host {
        row("Host:", &safe(v, false))?;
    }
    if let Some(v) = e.port {
        row("Port:", &v.to_string())?;
    }
    if let Some(v) = &e.username {
        row("Username:", &safe(v, false))?;
    }
    entry_secrets(e, reveal, &mut row)?;
    entry_status(e, &mut row)?;
    if history {
        previous_secrets(e, reveal, out)?;
    }
    Ok(())
}

/// `show --history`: the secrets the entry held before, newest first, with the date
/// each was replaced, and how to put one back.
fn previous_secrets(e: &Entry, reveal: bool, out: &mut Out) -> Result<(), CliError> {
    if e.previous.is_empty() {
        return out.line("Previous secrets: none kept (rotate and edit keep the last five).");
    }
    out.line("Previous secrets (newest first):")?;
    for p in e.previous.iter().rev() {
        let value = if reveal {
            multiline(p.value.expose())
        } else {
            MASK.to_owned()
        };
        let when = p.replaced.format("%Y-%m-%d %H:%M UTC");
        out.line(&format!(
            "  {:<22} until {when}  {value}",
            safe(&p.part, false)
        ))?;
    }
    if !reveal {
        out.line("(--reveal shows them)")?;
    }
    Ok(())
}

/// `show`'s secret rows, masked unless `reveal`, and the custom fields.
fn entry_secrets(
    e: &Entry,
    reveal: bool,
    row: &mut impl FnMut(&str, &str) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let secret = |s: &Secret| -> String {
        if reveal {
            multiline(s.expose())
        } else {
            format!("{MASK}  (--reveal shows it)")
        }
    };
    if let Some(v) = &e.password {
        row("Password:", &secret(v))?;
    }
    if let Some(v) = &e.totp {
        row("TOTP:", &secret(v))?;
    }
    for (i, code) in e.recovery_codes.iter().enumerate() {
        row(&format!("Recovery {}:", i + 1), &secret(code))?;
    }
    for f in &e.fields {
        let label = format!("{}:", safe(&f.name, false));
        if f.secret {
            row(&label, &secret(&f.value))?;
        } else {
            row(&label, &multiline(f.value.expose()))?;
        }
    }
    Ok(())
}

/// `show`'s rows after the secrets: tags, who owns and knows it, dates, notes, id.
fn entry_status(
    e: &Entry,
    row: &mut impl FnMut(&str, &str) -> Result<(), CliError>,
) -> Result<(), CliError> {
    if !e.tags.is_empty() {
        let tags: Vec<String> = e.tags.iter().map(|t| safe(t, false)).collect();
        row("Tags:", &tags.join(", "))?;
    }
    if let Some(v) = &e.location {
        row("Location:", &safe(v, false))?;
    }
    if let Some(v) = e.owner {
        row("Owner:", v.as_str())?;
    }
    row(
        "Provider knows:",
        if e.provider_knows { "yes" } else { "no" },
    )?;
    if !e.known_to_previous.is_empty() {
        let names: Vec<String> = e.known_to_previous.iter().map(|n| safe(n, false)).collect();
        row(
            "Previous provider knows:",
            &format!("{} (until its secrets are replaced)", names.join(", ")),
        )?;
    }
    if let Some(v) = e.expires {
        row("Expires:", &v.to_string())?;
    }
    if let Some(v) = e.rotated {
        row("Rotated:", &v.to_string())?;
    }
    if let Some(v) = &e.notes {
        row("Notes:", &multiline(v))?;
    }
    row("Id:", &e.id.to_string())?;
    if let Some(v) = e.updated {
        row("Updated:", &v.format("%Y-%m-%d %H:%M UTC").to_string())?;
    }
    Ok(())
}

/// Multi-line values start on their own line, indented, so they can be copied whole.
fn multiline(v: &str) -> String {
    if v.contains('\n') {
        let mut s = String::from("\n");
        for line in v.split('\n') {
            s.push_str("    ");
            s.push_str(&safe(line, true));
            s.push('\n');
        }
        s.pop();
        s
    } else {
        safe(v, false)
    }
}

pub fn entry_list(c: &Client, json: bool, out: &mut Out) -> Result<(), CliError> {
    let entries = c.sorted_entries();
    if json {
        let list: Vec<EntrySummary> = entries.into_iter().map(EntrySummary::from).collect();
        return out.json(&list);
    }
    if entries.is_empty() {
        eprintln!("Client {} has no entries yet.", c.id.as_str());
    }
    for e in entries {
        let who = e
            .username
            .as_deref()
            .map(|u| safe(u, false))
            .unwrap_or_default();
        out.line(&format!(
            "{:<40} {:<15} {}",
            safe(&e.path, false),
            e.kind.as_str(),
            who
        ))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct ClientView<'a> {
    id: &'a ClientId,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    legal_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    contacts: &'a [Contact],
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    emergency_partner: Option<&'a str>,
    recipients: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    client_recipient: Option<&'a str>,
    entries: Vec<EntrySummary<'a>>,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

/// A client as `client show --json` prints it.
fn client_view(c: &Client) -> ClientView<'_> {
    ClientView {
        id: &c.id,
        name: &c.name,
        legal_name: c.legal_name.as_deref(),
        address: c.address.as_deref(),
        contacts: &c.contacts,
        notes: c.notes.as_deref(),
        emergency_partner: c.emergency_partner.as_deref(),
        recipients: &c.recipients,
        client_recipient: c.client_recipient.as_deref(),
        entries: c
            .sorted_entries()
            .into_iter()
            .map(EntrySummary::from)
            .collect(),
        created: c.created,
        updated: c.updated,
    }
}

pub fn client(c: &Client, own_recipient: &str, json: bool, out: &mut Out) -> Result<(), CliError> {
    if json {
        return out.json(&client_view(c));
    }
    out.line(&format!("{:<12} {}", "Id:", c.id))?;
    out.line(&format!("{:<12} {}", "Name:", safe(&c.name, false)))?;
    if let Some(v) = &c.legal_name {
        out.line(&format!("{:<12} {}", "Legal name:", safe(v, false)))?;
    }
    if let Some(v) = &c.address {
        out.line(&format!("{:<12} {}", "Address:", multiline(v)))?;
    }
    if let Some(v) = &c.notes {
        out.line(&format!("{:<12} {}", "Notes:", multiline(v)))?;
    }
    if let Some(v) = &c.emergency_partner {
        out.line(&format!("{:<12} {}", "Emergency partner:", multiline(v)))?;
    }
    out.line(&format!("{:<12} {}", "Entries:", c.entries.len()))?;
    out.line(&format!(
        "{:<12} {}",
        "Updated:",
        c.updated.format("%Y-%m-%d %H:%M UTC")
    ))?;
    out.line("Contacts:")?;
    if c.contacts.is_empty() {
        out.line(&format!(
            "  (none; add one with `handover client edit {} --add-contact NAME`)",
            c.id
        ))?;
    }
    for p in &c.contacts {
        let mut parts = vec![safe(&p.name, false)];
        for v in [&p.role, &p.phone, &p.email].into_iter().flatten() {
            parts.push(safe(v, false));
        }
        out.line(&format!("  {}", parts.join(" · ")))?;
    }
    out.line("Recipients:")?;
    for r in &c.recipients {
        let note = if r == own_recipient {
            "  (you)"
        } else if c.client_recipient.as_ref() == Some(r) {
            "  (client key)"
        } else {
            ""
        };
        out.line(&format!("  {}{note}", safe(r, false)))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct ClientListRow<'a> {
    id: &'a ClientId,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn client_list(
    rows: &[(ClientId, LibResult<Summary>)],
    json: bool,
    out: &mut Out,
) -> Result<(), CliError> {
    if json {
        let list: Vec<ClientListRow> = rows
            .iter()
            .map(|(id, s)| match s {
                Ok(s) => ClientListRow {
                    id,
                    name: Some(&s.name),
                    entries: Some(s.entries),
                    updated: Some(s.updated),
                    error: None,
                },
                Err(e) => ClientListRow {
                    id,
                    name: None,
                    entries: None,
                    updated: None,
                    error: Some(e.to_string()),
                },
            })
            .collect();
        return out.json(&list);
    }
    if rows.is_empty() {
        eprintln!("No clients yet; create one with `handover client new ID --name NAME`.");
    }
    for (id, s) in rows {
        match s {
            Ok(s) => out.line(&format!(
                "{:<24} {:<40} {:>5} entries",
                id.as_str(),
                safe(&s.name, false),
                s.entries
            ))?,
            Err(e) => out.line(&format!(
                "{:<24} (cannot open: {})",
                id.as_str(),
                safe(&e.to_string(), false)
            ))?,
        }
    }
    Ok(())
}
