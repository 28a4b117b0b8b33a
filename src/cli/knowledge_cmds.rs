//! `handover system|network|vendor|doc|decision …` and `handover link|unlink`: the
//! client's IT beside its credentials. `--json` prints the items with the vault's key
//! names (docs/FORMAT.md).

use chrono::NaiveDate;
use handover::model::{
    Client, Contact, Decision, DecisionStatus, Document, Network, System, Vendor,
};
use handover::workflows::Handover;
use handover::workflows::knowledge::{
    self, DecisionPatch, DocumentPatch, LinkTarget, NetworkPatch, SystemPatch, VendorPatch,
};
use serde::Serialize;

use super::CliError;
use super::args::{
    BodyArgs, DecisionArgs, DecisionCommand, DocCommand, LinkArgs, NetworkArgs, NetworkCommand,
    SystemArgs, SystemCommand, VendorArgs, VendorCommand,
};
use super::commands::{client_id, date_option};
use super::editor;
use super::term::{Out, safe};

fn parsed<T: std::str::FromStr<Err = handover::Error>>(
    value: Option<String>,
) -> Result<Option<T>, CliError> {
    Ok(value.as_deref().map(str::parse).transpose()?)
}

fn report_change(what: &str, name: &str, changed: &[&str]) {
    if changed.is_empty() {
        eprintln!("Nothing changed.");
    } else {
        eprintln!(
            "Changed {what} {}: {}.",
            safe(name, false),
            changed.join(", ")
        );
    }
}

/// One `label value` line, when there is a value.
fn row(out: &mut Out, label: &str, value: Option<&str>) -> Result<(), CliError> {
    match value {
        Some(v) => out.line(&format!("{label:<18} {}", safe(v, false))),
        None => Ok(()),
    }
}

fn entry_paths(client: &Client, ids: &[uuid::Uuid]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            client
                .entry_by_id(*id)
                .map_or_else(|| id.to_string(), |e| e.path.clone())
        })
        .collect()
}

// ---------------------------------------------------------------- systems

fn system_patch(a: SystemArgs) -> Result<SystemPatch, CliError> {
    Ok(SystemPatch {
        purpose: a.purpose,
        category: parsed(a.category)?,
        site: a.site,
        location: a.location,
        make: a.make,
        model: a.model,
        serial: a.serial,
        os: a.os,
        hostname: a.hostname,
        ips: a.ip,
        mac: a.mac,
        line_id: a.line_id,
        purchased: date_option(a.purchased.as_deref(), "purchased")?,
        warranty_until: date_option(a.warranty_until.as_deref(), "warranty-until")?,
        criticality: parsed(a.criticality)?,
        backup_method: a.backup_method,
        backup_target: a.backup_target,
        restore_tested: date_option(a.restore_tested.as_deref(), "restore-tested")?,
        vendor: a.vendor,
        notes: a.notes,
        ..SystemPatch::default()
    })
}

pub fn system(cmd: SystemCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        SystemCommand::Add {
            client,
            name,
            system,
        } => {
            let id = client_id(&client)?;
            let patch = system_patch(system)?;
            knowledge::add_system(h, &id, &name, patch)?;
            eprintln!("Added system {} to client {}.", safe(&name, false), id);
            Ok(())
        }
        SystemCommand::Edit {
            client,
            name,
            new_name,
            system,
            clear,
        } => {
            let id = client_id(&client)?;
            let mut patch = system_patch(system)?;
            patch.name = new_name;
            patch.clear = clear;
            let changed = knowledge::edit_system(h, &id, &name, patch)?;
            report_change("system", &name, &changed);
            Ok(())
        }
        SystemCommand::List { client, json } => {
            let c = h.load(&client_id(&client)?)?;
            let mut systems: Vec<&System> = c.systems.iter().collect();
            systems.sort_by(|a, b| (&a.site, &a.name).cmp(&(&b.site, &b.name)));
            if json {
                return out.json(&systems);
            }
            for s in systems {
                out.line(&format!(
                    "{:<28} {:<14} {:<10} {}",
                    safe(&s.name, false),
                    s.category.as_str(),
                    s.criticality.as_str(),
                    safe(s.site.as_deref().unwrap_or("-"), false)
                ))?;
            }
            Ok(())
        }
        SystemCommand::Show { client, name, json } => {
            let c = h.load(&client_id(&client)?)?;
            let s = c
                .system(&name)
                .ok_or_else(|| no_such(&c, "system", &name))?;
            if json {
                return out.json(s);
            }
            row(out, "Name:", Some(&s.name))?;
            row(out, "Purpose:", s.purpose.as_deref())?;
            row(out, "Category:", Some(s.category.as_str()))?;
            row(out, "Criticality:", Some(s.criticality.as_str()))?;
            row(out, "Site:", s.site.as_deref())?;
            row(out, "Location:", s.location.as_deref())?;
            row(out, "Make:", s.make.as_deref())?;
            row(out, "Model:", s.model.as_deref())?;
            row(out, "Serial:", s.serial.as_deref())?;
            row(out, "OS/firmware:", s.os.as_deref())?;
            row(out, "Hostname:", s.hostname.as_deref())?;
            if !s.ips.is_empty() {
                row(out, "IPs:", Some(&s.ips.join(", ")))?;
            }
            row(out, "MAC:", s.mac.as_deref())?;
            row(out, "Line id:", s.line_id.as_deref())?;
            row(
                out,
                "Purchased:",
                s.purchased.map(|d| d.to_string()).as_deref(),
            )?;
            row(
                out,
                "Warranty until:",
                s.warranty_until.map(|d| d.to_string()).as_deref(),
            )?;
            row(out, "Backup:", s.backup.method.as_deref())?;
            row(out, "Backup target:", s.backup.target.as_deref())?;
            row(
                out,
                "Restore tested:",
                s.backup.last_restore_test.map(|d| d.to_string()).as_deref(),
            )?;
            let vendor = s.vendor.and_then(|v| c.vendor_by_id(v)).map(|v| &v.name);
            row(out, "Vendor:", vendor.map(String::as_str))?;
            if !s.entries.is_empty() {
                row(
                    out,
                    "Entries:",
                    Some(&entry_paths(&c, &s.entries).join(", ")),
                )?;
            }
            row(out, "Notes:", s.notes.as_deref())
        }
        SystemCommand::Remove { client, name } => {
            let id = client_id(&client)?;
            knowledge::remove_system(h, &id, &name)?;
            eprintln!("Removed system {} from client {}.", safe(&name, false), id);
            Ok(())
        }
    }
}

fn no_such(c: &Client, what: &str, name: &str) -> CliError {
    handover::Error::Invalid(format!(
        "client {:?} has no {what} {name:?}; `handover {what} list {}` shows them",
        c.id.as_str(),
        c.id.as_str()
    ))
    .into()
}

// ---------------------------------------------------------------- networks

fn network_patch(a: NetworkArgs) -> NetworkPatch {
    NetworkPatch {
        cidr: a.cidr,
        vlan: a.vlan,
        gateway: a.gateway,
        dhcp_range: a.dhcp_range,
        dns: a.dns,
        site: a.site,
        notes: a.notes,
        ..NetworkPatch::default()
    }
}

pub fn network(cmd: NetworkCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        NetworkCommand::Add {
            client,
            name,
            network,
        } => {
            let id = client_id(&client)?;
            knowledge::add_network(h, &id, &name, network_patch(network))?;
            eprintln!("Added network {} to client {}.", safe(&name, false), id);
            Ok(())
        }
        NetworkCommand::Edit {
            client,
            name,
            new_name,
            network,
            clear,
        } => {
            let id = client_id(&client)?;
            let mut patch = network_patch(network);
            patch.name = new_name;
            patch.clear = clear;
            let changed = knowledge::edit_network(h, &id, &name, patch)?;
            report_change("network", &name, &changed);
            Ok(())
        }
        NetworkCommand::List { client, json } => {
            let c = h.load(&client_id(&client)?)?;
            let mut networks: Vec<&Network> = c.networks.iter().collect();
            networks.sort_by(|a, b| (&a.site, &a.name).cmp(&(&b.site, &b.name)));
            if json {
                return out.json(&networks);
            }
            for n in networks {
                out.line(&format!(
                    "{:<24} {:<20} {:<6} {}",
                    safe(&n.name, false),
                    safe(n.cidr.as_deref().unwrap_or("-"), false),
                    n.vlan.map_or("-".into(), |v| v.to_string()),
                    safe(n.site.as_deref().unwrap_or("-"), false)
                ))?;
            }
            Ok(())
        }
        NetworkCommand::Show { client, name, json } => {
            let c = h.load(&client_id(&client)?)?;
            let n = c
                .network(&name)
                .ok_or_else(|| no_such(&c, "network", &name))?;
            if json {
                return out.json(n);
            }
            row(out, "Name:", Some(&n.name))?;
            row(out, "CIDR:", n.cidr.as_deref())?;
            row(out, "VLAN:", n.vlan.map(|v| v.to_string()).as_deref())?;
            row(out, "Gateway:", n.gateway.as_deref())?;
            row(out, "DHCP range:", n.dhcp_range.as_deref())?;
            if !n.dns.is_empty() {
                row(out, "DNS:", Some(&n.dns.join(", ")))?;
            }
            row(out, "Site:", n.site.as_deref())?;
            row(out, "Notes:", n.notes.as_deref())
        }
        NetworkCommand::Remove { client, name } => {
            let id = client_id(&client)?;
            knowledge::remove_network(h, &id, &name)?;
            eprintln!("Removed network {} from client {}.", safe(&name, false), id);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------- vendors

fn vendor_patch(a: VendorArgs) -> Result<VendorPatch, CliError> {
    Ok(VendorPatch {
        provides: a.provides,
        customer_number: a.customer_number,
        hotline: a.hotline,
        email: a.email,
        portal_url: a.portal_url,
        contract_number: a.contract_number,
        contract_start: date_option(a.contract_start.as_deref(), "contract-start")?,
        term_end: date_option(a.term_end.as_deref(), "term-end")?,
        renews_months: a.renews_months,
        notice_months: a.notice_months,
        notice_days: a.notice_days,
        add_contact: a.contact.map(|name| Contact {
            name,
            role: a.contact_role,
            phone: a.contact_phone,
            email: a.contact_email,
        }),
        notes: a.notes,
        ..VendorPatch::default()
    })
}

/// A vendor as `vendor list --json` and `vendor show --json` print it: the vault's
/// keys, plus the computed `cancellation_deadline` and `current_term_end`.
#[derive(Serialize)]
struct VendorView<'a> {
    #[serde(flatten)]
    vendor: &'a Vendor,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_term_end: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancellation_deadline: Option<NaiveDate>,
}

fn vendor_view(v: &Vendor, today: NaiveDate) -> VendorView<'_> {
    VendorView {
        vendor: v,
        current_term_end: v.contract.current_term_end(today),
        cancellation_deadline: v.contract.cancellation_deadline(today),
    }
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

pub fn vendor(cmd: VendorCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        VendorCommand::Add {
            client,
            name,
            vendor,
        } => {
            let id = client_id(&client)?;
            knowledge::add_vendor(h, &id, &name, vendor_patch(vendor)?)?;
            eprintln!("Added vendor {} to client {}.", safe(&name, false), id);
            Ok(())
        }
        VendorCommand::Edit {
            client,
            name,
            new_name,
            vendor,
            remove_contact,
            clear,
        } => {
            let id = client_id(&client)?;
            let mut patch = vendor_patch(vendor)?;
            patch.name = new_name;
            patch.remove_contact = remove_contact;
            patch.clear = clear;
            let changed = knowledge::edit_vendor(h, &id, &name, patch)?;
            report_change("vendor", &name, &changed);
            Ok(())
        }
        VendorCommand::List { client, json } => {
            let c = h.load(&client_id(&client)?)?;
            let today = today();
            let mut vendors: Vec<&Vendor> = c.vendors.iter().collect();
            vendors.sort_by(|a, b| a.name.cmp(&b.name));
            if json {
                let views: Vec<VendorView> =
                    vendors.iter().map(|v| vendor_view(v, today)).collect();
                return out.json(&views);
            }
            for v in vendors {
                let deadline = v
                    .contract
                    .cancellation_deadline(today)
                    .map_or("-".into(), |d| format!("cancel by {d}"));
                out.line(&format!(
                    "{:<28} {:<18} {:<20} {}",
                    safe(&v.name, false),
                    safe(v.hotline.as_deref().unwrap_or("-"), false),
                    safe(v.customer_number.as_deref().unwrap_or("-"), false),
                    deadline
                ))?;
            }
            Ok(())
        }
        VendorCommand::Show { client, name, json } => {
            let c = h.load(&client_id(&client)?)?;
            let v = c
                .vendor(&name)
                .ok_or_else(|| no_such(&c, "vendor", &name))?;
            let today = today();
            if json {
                return out.json(&vendor_view(v, today));
            }
            row(out, "Name:", Some(&v.name))?;
            row(out, "Provides:", v.provides.as_deref())?;
            row(out, "Customer number:", v.customer_number.as_deref())?;
            row(out, "Hotline:", v.hotline.as_deref())?;
            row(out, "E-mail:", v.email.as_deref())?;
            row(out, "Portal:", v.portal_url.as_deref())?;
            if !v.entries.is_empty() {
                row(
                    out,
                    "Entries:",
                    Some(&entry_paths(&c, &v.entries).join(", ")),
                )?;
            }
            let k = &v.contract;
            row(out, "Contract:", k.number.as_deref())?;
            row(out, "Start:", k.start.map(|d| d.to_string()).as_deref())?;
            row(
                out,
                "Term ends:",
                k.current_term_end(today).map(|d| d.to_string()).as_deref(),
            )?;
            row(
                out,
                "Renews by:",
                k.renews_months.map(|m| format!("{m} months")).as_deref(),
            )?;
            let notice = match (k.notice_months, k.notice_days) {
                (None, None) => None,
                (m, d) => Some(format!(
                    "{} months, {} days",
                    m.unwrap_or(0),
                    d.unwrap_or(0)
                )),
            };
            row(out, "Notice:", notice.as_deref())?;
            row(
                out,
                "Cancel by:",
                k.cancellation_deadline(today)
                    .map(|d| d.to_string())
                    .as_deref(),
            )?;
            for contact in &v.contacts {
                let mut line = contact.name.clone();
                for part in [&contact.role, &contact.phone, &contact.email]
                    .into_iter()
                    .flatten()
                {
                    line.push_str(&format!(", {part}"));
                }
                row(out, "Contact:", Some(&line))?;
            }
            row(out, "Notes:", v.notes.as_deref())
        }
        VendorCommand::Remove { client, name } => {
            let id = client_id(&client)?;
            knowledge::remove_vendor(h, &id, &name)?;
            eprintln!("Removed vendor {} from client {}.", safe(&name, false), id);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------- links

pub fn link(
    h: &Handover,
    client: &str,
    path: &str,
    target: LinkArgs,
    linking: bool,
) -> Result<(), CliError> {
    let id = client_id(client)?;
    let target = match (target.system, target.vendor) {
        (Some(s), _) => LinkTarget::System(s),
        (None, Some(v)) => LinkTarget::Vendor(v),
        (None, None) => {
            return Err(CliError::Usage(
                "say what to link to: --system NAME or --vendor NAME".into(),
            ));
        }
    };
    let (kind, name) = match &target {
        LinkTarget::System(n) => ("system", n),
        LinkTarget::Vendor(n) => ("vendor", n),
    };
    let done = knowledge::link(h, &id, path, &target, linking)?;
    let (path, name) = (safe(path, false), safe(name, false));
    match (done, linking) {
        (true, true) => eprintln!("Linked {path} to {kind} {name}."),
        (true, false) => eprintln!("Unlinked {path} from {kind} {name}."),
        (false, true) => eprintln!("{path} was already linked to {kind} {name}; nothing changed."),
        (false, false) => eprintln!("{path} was not linked to {kind} {name}; nothing changed."),
    }
    Ok(())
}

// ---------------------------------------------------------------- documents

/// The body from --file or --stdin, if either was given.
fn body(b: &BodyArgs) -> Result<Option<String>, CliError> {
    if b.stdin {
        let bytes = editor::read_stdin("document")?;
        return String::from_utf8(bytes).map(Some).map_err(|_| {
            handover::Error::Invalid(
                "the document on stdin is not UTF-8 text; nothing was changed".into(),
            )
            .into()
        });
    }
    b.file
        .as_deref()
        .map(|f| editor::read_text(f, "document"))
        .transpose()
}

/// What `doc list --json` shows: everything but the body.
#[derive(Serialize)]
struct DocumentSummary<'a> {
    id: uuid::Uuid,
    path: &'a str,
    title: &'a str,
    kind: handover::model::DocumentKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn doc(cmd: DocCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        DocCommand::Add {
            client,
            path,
            kind,
            title,
            body: source,
        } => {
            let id = client_id(&client)?;
            let kind = kind.parse()?;
            let Some(text) = body(&source)? else {
                return Err(CliError::Usage(
                    "give the document's Markdown with --file FILE or --stdin".into(),
                ));
            };
            let patch = DocumentPatch {
                title,
                body: Some(text),
                ..DocumentPatch::default()
            };
            knowledge::add_document(h, &id, &path, kind, patch)?;
            eprintln!("Added document {} to client {}.", safe(&path, false), id);
            Ok(())
        }
        DocCommand::Edit {
            client,
            path,
            kind,
            title,
            move_to,
            body: source,
            editor: use_editor,
        } => {
            let id = client_id(&client)?;
            let mut patch = DocumentPatch {
                title,
                kind: parsed(kind)?,
                path: move_to,
                body: body(&source)?,
            };
            let nothing_else =
                patch.title.is_none() && patch.kind.is_none() && patch.path.is_none();
            if use_editor || (patch.body.is_none() && nothing_else) {
                let c = h.load(&id)?;
                let d = c.document(&path).ok_or_else(|| no_such(&c, "doc", &path))?;
                patch.body = Some(editor::edit(&d.body, "document")?);
            }
            let changed = knowledge::edit_document(h, &id, &path, patch)?;
            report_change("document", &path, &changed);
            Ok(())
        }
        DocCommand::List { client, json } => {
            let c = h.load(&client_id(&client)?)?;
            let mut docs: Vec<&Document> = c.documents.iter().collect();
            docs.sort_by(|a, b| a.path.cmp(&b.path));
            if json {
                let rows: Vec<DocumentSummary> = docs
                    .iter()
                    .map(|d| DocumentSummary {
                        id: d.id,
                        path: &d.path,
                        title: &d.title,
                        kind: d.kind,
                        created: d.created,
                        updated: d.updated,
                    })
                    .collect();
                return out.json(&rows);
            }
            for d in docs {
                out.line(&format!(
                    "{:<36} {:<16} {}",
                    safe(&d.path, false),
                    d.kind.as_str(),
                    safe(d.display_title(), false)
                ))?;
            }
            Ok(())
        }
        DocCommand::Show { client, path, json } => {
            let c = h.load(&client_id(&client)?)?;
            let d = c.document(&path).ok_or_else(|| no_such(&c, "doc", &path))?;
            if json {
                return out.json(d);
            }
            out.line(&safe(&d.body, true))
        }
        DocCommand::Remove { client, path } => {
            let id = client_id(&client)?;
            knowledge::remove_document(h, &id, &path)?;
            eprintln!(
                "Removed document {} from client {}.",
                safe(&path, false),
                id
            );
            Ok(())
        }
    }
}

// ---------------------------------------------------------------- decisions

fn decision_patch(a: DecisionArgs) -> Result<DecisionPatch, CliError> {
    if a.why_file.as_deref().is_some_and(|f| f.as_os_str() == "-")
        && a.alternatives_file
            .as_deref()
            .is_some_and(|f| f.as_os_str() == "-")
    {
        return Err(CliError::Usage(
            "only one of --why-file and --alternatives-file can read stdin (-)".into(),
        ));
    }
    let why = match (a.why, a.why_file) {
        (Some(t), _) => Some(t),
        (None, Some(f)) => Some(editor::read_text(&f, "reasons")?),
        (None, None) => None,
    };
    let alternatives = match (a.alternatives, a.alternatives_file) {
        (Some(t), _) => Some(t),
        (None, Some(f)) => Some(editor::read_text(&f, "alternatives")?),
        (None, None) => None,
    };
    Ok(DecisionPatch {
        decision: a.decision,
        why,
        alternatives,
        decided_by: a.decided_by,
        ..DecisionPatch::default()
    })
}

pub fn decision(cmd: DecisionCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        DecisionCommand::Add {
            client,
            title,
            date: when,
            text,
            supersedes,
        } => {
            let id = client_id(&client)?;
            let when = date_option(Some(&when), "date")?.unwrap_or_default();
            let patch = decision_patch(text)?;
            knowledge::add_decision(h, &id, &title, when, patch, supersedes.as_deref())?;
            eprintln!(
                "Recorded decision {} for client {}.",
                safe(&title, false),
                id
            );
            Ok(())
        }
        DecisionCommand::Edit {
            client,
            title,
            new_title,
            date: when,
            text,
            superseded_by,
            current,
            editor: edit_field,
            clear,
        } => {
            let id = client_id(&client)?;
            let mut patch = decision_patch(text)?;
            patch.title = new_title;
            patch.date = date_option(when.as_deref(), "date")?;
            patch.superseded_by = superseded_by;
            patch.current = current;
            patch.clear = clear;
            if let Some(field) = edit_field {
                let c = h.load(&id)?;
                let d = c
                    .decisions
                    .iter()
                    .find(|d| d.title == title || d.title.to_lowercase() == title.to_lowercase())
                    .ok_or_else(|| no_such(&c, "decision", &title))?;
                let (slot, current_text) = match field.as_str() {
                    "why" => (&mut patch.why, &d.why),
                    "alternatives" => (&mut patch.alternatives, &d.alternatives),
                    "decision" => (&mut patch.decision, &d.decision),
                    other => {
                        return Err(CliError::Usage(format!(
                            "--editor {other:?}: use why, alternatives or decision"
                        )));
                    }
                };
                if slot.is_some() {
                    return Err(CliError::Usage(format!(
                        "the {field} is given twice (as an option and with --editor {field})"
                    )));
                }
                let edited = editor::edit(current_text.as_deref().unwrap_or(""), &field)?;
                if current_text.as_deref() != Some(edited.as_str()) {
                    if edited.trim().is_empty() {
                        patch.clear.push(field.clone());
                    } else {
                        *slot = Some(edited);
                    }
                }
            }
            let changed = knowledge::edit_decision(h, &id, &title, patch)?;
            report_change("decision", &title, &changed);
            Ok(())
        }
        DecisionCommand::List { client, json } => {
            let c = h.load(&client_id(&client)?)?;
            let mut decisions: Vec<&Decision> = c.decisions.iter().collect();
            decisions.sort_by(|a, b| (a.date, &a.title).cmp(&(b.date, &b.title)));
            if json {
                return out.json(&decisions);
            }
            for d in decisions {
                let status = match d.status {
                    DecisionStatus::Current => "",
                    DecisionStatus::Superseded => "  (superseded)",
                };
                out.line(&format!("{}  {}{status}", d.date, safe(&d.title, false)))?;
            }
            Ok(())
        }
        DecisionCommand::Show {
            client,
            title,
            json,
        } => {
            let c = h.load(&client_id(&client)?)?;
            let d = c
                .decisions
                .iter()
                .find(|d| d.title == title || d.title.to_lowercase() == title.to_lowercase())
                .ok_or_else(|| no_such(&c, "decision", &title))?;
            if json {
                return out.json(d);
            }
            row(out, "Title:", Some(&d.title))?;
            row(out, "Date:", Some(&d.date.to_string()))?;
            row(out, "Status:", Some(d.status.as_str()))?;
            let successor = d
                .superseded_by
                .and_then(|s| c.decisions.iter().find(|x| x.id == s))
                .map(|x| x.title.as_str());
            row(out, "Superseded by:", successor)?;
            row(out, "Decided by:", d.decided_by.as_deref())?;
            row(out, "Decision:", d.decision.as_deref())?;
            for (label, text) in [("Why:", &d.why), ("Alternatives:", &d.alternatives)] {
                if let Some(text) = text {
                    out.line(label)?;
                    out.line(&safe(text, true))?;
                }
            }
            Ok(())
        }
        DecisionCommand::Remove { client, title } => {
            let id = client_id(&client)?;
            knowledge::remove_decision(h, &id, &title)?;
            eprintln!(
                "Removed decision {} from client {}.",
                safe(&title, false),
                id
            );
            Ok(())
        }
    }
}
