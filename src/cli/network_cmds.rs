//! `handover network add|edit|list|show|remove`: the client's networks.

use handover::model::{Client, ClientId, Network};
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, NetworkPatch};

use super::CliError;
use super::args::{NetworkArgs, NetworkCommand};
use super::context::client_id;
use super::kind::{self, KnowledgeKind};
use super::knowledge_cmds::row;
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

pub(super) struct Networks;

impl KnowledgeKind for Networks {
    const WHAT: &'static str = "network";
    type Record = Network;

    fn find<'a>(client: &'a Client, name: &str) -> handover::Result<&'a Network> {
        client.network_named(name)
    }

    fn sorted(client: &Client) -> Vec<&Network> {
        let mut networks: Vec<&Network> = client.networks.iter().collect();
        networks.sort_by(|a, b| (&a.site, &a.name).cmp(&(&b.site, &b.name)));
        networks
    }

    fn list_line(n: &Network, _today: chrono::NaiveDate) -> String {
        format!(
            "{:<24} {:<20} {:<6} {}",
            safe(&n.name, false),
            safe(n.cidr.as_deref().unwrap_or("-"), false),
            n.vlan.map_or("-".into(), |v| v.to_string()),
            safe(n.site.as_deref().unwrap_or("-"), false)
        )
    }

    fn show(out: &mut Out, _: &Client, n: &Network) -> Result<(), CliError> {
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

    fn remove(h: &Handover, id: &ClientId, name: &str) -> handover::Result<()> {
        knowledge::remove_network(h, id, name)
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
            kind::added::<Networks>(&name, &id);
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
            kind::report_change::<Networks>(&name, &changed);
            Ok(())
        }
        NetworkCommand::List { client, json } => kind::list::<Networks>(h, &client, json, out),
        NetworkCommand::Show { client, name, json } => {
            kind::show::<Networks>(h, &client, &name, json, out)
        }
        NetworkCommand::Remove { client, name } => kind::remove::<Networks>(h, &client, &name),
    }
}
