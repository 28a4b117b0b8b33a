//! `handover system add|edit|list|show|remove`: the client's servers, firewalls,
//! lines and other systems.

use handover::model::System;
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, SystemPatch};

use super::CliError;
use super::args::{SystemArgs, SystemCommand};
use super::context::{client_id, date_option};
use super::knowledge_cmds::{entry_paths, no_such, parsed, report_change, row};
use super::term::{Out, safe};

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
