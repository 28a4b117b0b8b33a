//! The client's systems by site, with backup and logins, and its networks.

use uuid::Uuid;

use super::{Refs, Section, Start};
use crate::dossier::blocks::{Ctx, Value};
use crate::dossier::layout::Flow;
use crate::dossier::table::table_marking;
use crate::dossier::templates::{Texts, fill};
use crate::model::{Client, System};

/// The client's systems by site (a table per site, with backup and logins below) and
/// its networks. Each system's place is recorded in `refs`, for the entries that log
/// into it.
pub fn section<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    let sites = sites(client);
    let mut s = Section::new(
        &t.infra_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            infrastructure(
                ctx,
                flow,
                client,
                &sites,
                &mut |id, flow| refs.anchor_item(id, flow),
                &|id| refs.forward_entry_page(id),
            );
        },
    );
    s.subsections = Vec::new();
    s
}

/// Systems by site, as tables; then the networks. `anchor` is called with a system's
/// or network's id just before its row is placed; `entry_page` gives the printed page
/// of an entry.
pub fn infrastructure(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    sites: &[String],
    anchor: &mut dyn FnMut(Uuid, &mut Flow),
    entry_page: &dyn Fn(Uuid) -> usize,
) {
    for site in sites {
        site_systems(ctx, flow, client, site, anchor, entry_page);
    }
    if !client.networks.is_empty() {
        networks(ctx, flow, client, anchor);
    }
}

/// The entries that log into `s`.
fn logins_of<'c>(client: &'c Client, s: &System) -> Vec<&'c crate::model::Entry> {
    s.entries
        .iter()
        .filter_map(|id| client.entry_by_id(*id))
        .collect()
}

/// The systems of one site: a table, then each one's backup, logins and notes.
fn site_systems(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    site: &str,
    anchor: &mut dyn FnMut(Uuid, &mut Flow),
    entry_page: &dyn Fn(Uuid) -> usize,
) {
    let t = ctx.texts;
    let systems: Vec<&System> = sorted_systems(client)
        .into_iter()
        .filter(|s| s.site.as_deref().unwrap_or("") == site)
        .collect();
    let title: &str = if site.is_empty() {
        &t.ungrouped_title
    } else {
        site
    };
    ctx.heading(flow, title, 3, None);
    let rows = system_rows(t, client, &systems, entry_page);
    table_marking(
        ctx,
        flow,
        &[
            &t.sys_name,
            &t.sys_purpose,
            &t.sys_device,
            &t.sys_address,
            &t.sys_location,
            &t.sys_criticality,
            &t.sys_warranty,
        ],
        &rows,
        &mut |i, flow| {
            if let Some(s) = systems.get(i) {
                anchor(s.id, flow);
            }
        },
    );
    for s in systems {
        system_details(ctx, flow, client, s, entry_page);
    }
}

/// The table's rows: each system's columns, its name followed by the pages of its
/// logins.
fn system_rows(
    t: &Texts,
    client: &Client,
    systems: &[&System],
    entry_page: &dyn Fn(Uuid) -> usize,
) -> Vec<Vec<String>> {
    systems
        .iter()
        .map(|s| {
            let mut row = system_row(t, s);
            let mut pages: Vec<usize> = logins_of(client, s)
                .iter()
                .map(|e| entry_page(e.id))
                .collect();
            pages.sort_unstable();
            pages.dedup();
            let pages: Vec<String> = pages.iter().map(usize::to_string).collect();
            if !pages.is_empty() {
                row[0].push_str(&format!(
                    "\n→ {}",
                    fill(&t.page_ref, &[("page", &pages.join(", "))])
                ));
            }
            row
        })
        .collect()
}

/// A system's backup, logins (with their pages) and notes, below its site's table.
fn system_details(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    s: &System,
    entry_page: &dyn Fn(Uuid) -> usize,
) {
    let t = ctx.texts;
    let mut rows = Vec::new();
    let backup = [s.backup.method.as_deref(), s.backup.target.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" → ");
    if !backup.is_empty() || s.backup.last_restore_test.is_some() {
        let mut text = backup;
        if let Some(d) = s.backup.last_restore_test {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!("{} {}", t.sys_restore_test, ctx.fmt_date(d)));
        }
        rows.extend(ctx.field(
            &format!("{} — {}", s.name, t.sys_backup),
            Value::Plain(&text),
        ));
    }
    let logins: Vec<String> = logins_of(client, s)
        .iter()
        .map(|e| {
            let page = entry_page(e.id).to_string();
            crate::dossier::blocks::with_aside(
                e.display_title(),
                &fill(&t.page_ref, &[("page", &page)]),
            )
        })
        .collect();
    if !logins.is_empty() {
        rows.extend(ctx.field(
            &format!("{} — {}", s.name, t.sys_logins),
            Value::Plain(&logins.join(", ")),
        ));
    }
    if let Some(notes) = &s.notes {
        rows.extend(ctx.field(&format!("{} — {}", s.name, t.notes), Value::Plain(notes)));
    }
    if !rows.is_empty() {
        flow.block(rows);
    }
}

/// The networks, as one table.
fn networks(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    anchor: &mut dyn FnMut(Uuid, &mut Flow),
) {
    let t = ctx.texts;
    ctx.heading(flow, &t.networks_title, 3, None);
    let mut networks: Vec<_> = client.networks.iter().collect();
    networks.sort_by(|a, b| (&a.site, &a.name).cmp(&(&b.site, &b.name)));
    let rows: Vec<Vec<String>> = networks
        .iter()
        .map(|n| {
            vec![
                n.name.clone(),
                n.cidr.clone().unwrap_or_default(),
                n.vlan.map(|v| v.to_string()).unwrap_or_default(),
                n.gateway.clone().unwrap_or_default(),
                n.dhcp_range.clone().unwrap_or_default(),
                n.dns.join(", "),
                [n.site.as_deref(), n.notes.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" — "),
            ]
        })
        .collect();
    table_marking(
        ctx,
        flow,
        &[
            &t.net_name,
            "CIDR",
            "VLAN",
            &t.net_gateway,
            "DHCP",
            "DNS",
            &t.net_notes,
        ],
        &rows,
        &mut |i, flow| {
            if let Some(n) = networks.get(i) {
                anchor(n.id, flow);
            }
        },
    );
}

/// Systems in a stable order: critical first, then by name.
pub fn sorted_systems(client: &Client) -> Vec<&System> {
    let mut systems: Vec<&System> = client.systems.iter().collect();
    systems.sort_by(|a, b| (a.criticality, &a.name).cmp(&(b.criticality, &b.name)));
    systems
}

/// The sites that have systems, in order; "" for systems without a site.
pub fn sites(client: &Client) -> Vec<String> {
    let mut sites: Vec<String> = client
        .systems
        .iter()
        .map(|s| s.site.clone().unwrap_or_default())
        .collect();
    sites.sort();
    sites.dedup();
    // Systems without a site last.
    if sites.first().is_some_and(String::is_empty) {
        let empty = sites.remove(0);
        sites.push(empty);
    }
    sites
}

fn system_row(t: &Texts, s: &System) -> Vec<String> {
    let device = [s.make.as_deref(), s.model.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut device = device;
    if let Some(os) = &s.os {
        if !device.is_empty() {
            device.push_str(", ");
        }
        device.push_str(os);
    }
    let mut address: Vec<String> = s.hostname.iter().cloned().collect();
    address.extend(s.ips.iter().cloned());
    if let Some(line) = &s.line_id {
        address.push(line.clone());
    }
    // "Other" in brackets tells a reader nothing: the name stands alone.
    let category = match s.category.as_str() {
        "other" => String::new(),
        c => t.categories.get(c).cloned().unwrap_or_else(|| c.to_owned()),
    };
    vec![
        crate::dossier::blocks::with_kind(&s.name, &category),
        s.purpose.clone().unwrap_or_default(),
        device,
        address.join(", "),
        s.location.clone().unwrap_or_default(),
        t.criticalities
            .get(s.criticality.as_str())
            .cloned()
            .unwrap_or_else(|| s.criticality.as_str().to_owned()),
        s.warranty_until
            .map(|d| d.format(&t.date_format).to_string())
            .unwrap_or_default(),
    ]
}
