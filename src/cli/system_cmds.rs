//! `handover system add|edit|list|show|remove`: the client's servers, firewalls,
//! lines and other systems.

use handover::model::{Client, ClientId, System};
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, SystemPatch};

use super::CliError;
use super::args::{SystemArgs, SystemCommand};
use super::context::client_id;
use super::kind::{self, KnowledgeKind};
use super::knowledge_cmds::{entry_paths, row};
use super::term::{Out, safe};

fn system_patch(a: SystemArgs) -> Result<SystemPatch, CliError> {
    Ok(SystemPatch {
        purpose: a.purpose,
        category: a.category,
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
        purchased: a.purchased,
        warranty_until: a.warranty_until,
        criticality: a.criticality,
        backup_method: a.backup_method,
        backup_target: a.backup_target,
        restore_tested: a.restore_tested,
        vendor: a.vendor,
        notes: a.notes,
        ..SystemPatch::default()
    })
}

pub(super) struct Systems;

impl KnowledgeKind for Systems {
    const WHAT: &'static str = "system";
    type Record = System;

    fn find<'a>(client: &'a Client, name: &str) -> handover::Result<&'a System> {
        client.system_named(name)
    }

    fn sorted(client: &Client) -> Vec<&System> {
        let mut systems: Vec<&System> = client.systems.iter().collect();
        systems.sort_by(|a, b| (&a.site, &a.name).cmp(&(&b.site, &b.name)));
        systems
    }

    fn list_line(s: &System, _today: chrono::NaiveDate) -> String {
        format!(
            "{:<28} {:<14} {:<10} {}",
            safe(&s.name, false),
            s.category.as_str(),
            s.criticality.as_str(),
            safe(s.site.as_deref().unwrap_or("-"), false)
        )
    }

    fn show(out: &mut Out, c: &Client, s: &System) -> Result<(), CliError> {
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
        row(out, "Purchased:", date(s.purchased).as_deref())?;
        row(out, "Warranty until:", date(s.warranty_until).as_deref())?;
        row(out, "Backup:", s.backup.method.as_deref())?;
        row(out, "Backup target:", s.backup.target.as_deref())?;
        row(
            out,
            "Restore tested:",
            date(s.backup.last_restore_test).as_deref(),
        )?;
        let vendor = s.vendor.and_then(|v| c.vendor_by_id(v)).map(|v| &v.name);
        row(out, "Vendor:", vendor.map(String::as_str))?;
        if !s.entries.is_empty() {
            row(
                out,
                "Entries:",
                Some(&entry_paths(c, &s.entries).join(", ")),
            )?;
        }
        row(out, "Notes:", s.notes.as_deref())
    }

    fn remove(h: &Handover, id: &ClientId, name: &str) -> handover::Result<()> {
        knowledge::remove_system(h, id, name)
    }
}

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
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
            kind::added::<Systems>(&name, &id);
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
            kind::report_change::<Systems>(&name, &changed);
            Ok(())
        }
        SystemCommand::List { client, json } => kind::list::<Systems>(h, &client, json, out),
        SystemCommand::Show { client, name, json } => {
            kind::show::<Systems>(h, &client, &name, json, out)
        }
        SystemCommand::Remove { client, name } => kind::remove::<Systems>(h, &client, &name),
    }
}
