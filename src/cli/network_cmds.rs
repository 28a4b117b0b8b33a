//! `handover network add|edit|list|show|remove`: the client's networks.

use handover::model::Network;
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, NetworkPatch};

use super::CliError;
use super::args::{NetworkArgs, NetworkCommand};
use super::context::client_id;
use super::knowledge_cmds::{no_such, report_change, row};
use super::term::{Out, safe};

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
