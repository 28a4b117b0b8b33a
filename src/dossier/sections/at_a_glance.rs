//! Part 2, at a glance: whom to call, the Wi-Fi with a join code, what is needed often,
//! where the bundle and the key are kept, and what to do if the provider is gone.

use super::EntryPage;
use crate::dossier::blocks::{BODY, Ctx, SMALL, Value};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{BLACK, Flow, Row, Style};
use crate::dossier::templates::fill;
use crate::model::{Client, Entry, Kind};

/// Whom to call, the Wi-Fi with a join code, what is needed often, where the bundle and
/// the client's key are kept, and what to do if the provider is gone. Entries are
/// referred to by page (888 until the pages are known: the same width, so the layout
/// does not change when the real numbers come in).
pub fn at_a_glance(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client, entry_page: EntryPage<'_>) {
    let t = ctx.texts;
    let page = |e: &Entry| entry_page(e.id).unwrap_or(888);
    flow.block(ctx.para(&t.glance_intro, BODY, 0.0));
    whom_to_call(ctx, flow, client);
    wifi(ctx, flow, client, &page);
    frequent(ctx, flow, client, &page);
    where_kept(ctx, flow, client);
    provider_gone(ctx, flow, client);
}

/// What to do if the provider is suddenly gone: whom to call (the client's emergency
/// partner, else the provider's, else an IT provider of the client's choice), and
/// what the new provider does first. A bookmark, so that the contents list it.
fn provider_gone(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    ctx.heading(flow, &t.glance_gone_title, 2, Some(&t.glance_gone_title));
    // A handed-over dossier names no partner: the arrangement was the previous
    // provider's, and the successor makes its own.
    let partner = client
        .emergency_partner
        .as_deref()
        .or(ctx.branding.emergency_partner.as_deref())
        .filter(|p| !p.trim().is_empty() && ctx.handed_over_to.is_none());
    for (i, paragraph) in t.glance_gone.iter().enumerate() {
        let paragraph = match partner {
            Some(_) if i == 1 => &t.glance_gone_partner,
            _ => paragraph,
        };
        let mut rows = ctx.para(&format!("{}. {paragraph}", i + 1), BODY, 0.0);
        if i == 1
            && let Some(partner) = partner
        {
            rows.push(Row::new(1.5 * crate::dossier::layout::MM));
            rows.extend(ctx.field(&t.glance_partner, Value::Plain(partner)));
            rows.push(Row::new(1.5 * crate::dossier::layout::MM));
        }
        flow.block(rows);
    }
}

/// The provider, the client's contacts, and vendors with a hotline.
fn whom_to_call(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    ctx.heading(flow, &t.glance_call, 2, None);
    let b = ctx.branding;
    if let Some(successor) = ctx.handed_over_to {
        // Handed over: the successor is the one to call, and the previous provider
        // (who printed this) is named only as no longer responsible.
        let mut rows = ctx.field(&t.provider, Value::Plain(&successor.name));
        if let Some(contact) = &successor.contact {
            rows.extend(ctx.field("", Value::Plain(contact)));
        }
        let previous = b
            .provider_name
            .as_deref()
            .unwrap_or(&t.handover_previous_unknown);
        let note = fill(
            &t.handover_note,
            &[
                ("provider", previous),
                ("date", &ctx.date),
                ("successor", &successor.name),
            ],
        );
        rows.extend(ctx.para(&note, BODY, 0.0));
        rows.push(Row::new(4.0));
        flow.block(rows);
    } else if let Some(name) = &b.provider_name {
        let mut rows = ctx.field(&t.provider, Value::Plain(name));
        if let Some(contact) = &b.provider_contact {
            rows.extend(ctx.field("", Value::Plain(contact)));
        }
        flow.block(rows);
    }
    for c in &client.contacts {
        flow.block(ctx.field(&c.name, Value::Plain(&super::profile::contact_line(c))));
    }
    hotlines(ctx, flow, client);
}

/// Vendors with a hotline, critical ones (those a critical system depends on) first.
fn hotlines(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    let mut vendors: Vec<&crate::model::Vendor> = client
        .vendors
        .iter()
        .filter(|v| v.hotline.is_some())
        .collect();
    let critical = |v: &crate::model::Vendor| {
        client
            .systems
            .iter()
            .any(|s| s.vendor == Some(v.id) && s.criticality == crate::model::Criticality::Critical)
    };
    vendors.sort_by_key(|v| (!critical(v), v.name.clone()));
    for v in vendors {
        let mut details: Vec<String> = Vec::new();
        if let Some(p) = &v.provides {
            details.push(p.clone());
        }
        if let Some(h) = &v.hotline {
            details.push(format!("{} {h}", t.ven_hotline));
        }
        if let Some(n) = &v.customer_number {
            details.push(format!("{} {n}", t.ven_customer_number));
        }
        flow.block(ctx.field(&v.name, Value::Plain(&details.join(" · "))));
    }
}

/// Each Wi-Fi network with its password and a join code.
fn wifi(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client, page: &dyn Fn(&Entry) -> usize) {
    let t = ctx.texts;
    let wifi: Vec<&Entry> = client
        .sorted_entries()
        .into_iter()
        .filter(|e| e.kind == Kind::Wifi)
        .collect();
    if !wifi.is_empty() {
        ctx.heading(flow, &t.glance_wifi, 2, None);
    }
    for e in wifi {
        let (ssid, password) = wifi_credentials(e);
        let credentials = || {
            let mut rows = ctx.para(e.display_title(), ENTRY_TITLE, 0.0);
            if let Some(ssid) = ssid {
                rows.extend(ctx.field(&t.glance_ssid, Value::Secret(ssid)));
            }
            if let Some(p) = password {
                let label = t.secret_labels.get("wifi").unwrap_or(&t.password);
                rows.extend(ctx.field(label, Value::Secret(p)));
            }
            rows
        };
        let details = fill(&t.page_ref, &[("page", &page(e).to_string())]);
        // The join code beside the name and password, so that the page holds more
        // than two networks; one under the other when a long value needs the room.
        let beside = ssid.and_then(|ssid| {
            let mut left = credentials();
            left.extend(ctx.field(&t.glance_details, Value::Plain(&details)));
            left.extend(ctx.para(&t.glance_wifi_qr, SMALL, 0.0));
            ctx.beside_qr(left, &wifi_join_uri(ssid, password))
        });
        let rows = match beside {
            Some(row) => vec![row, Row::new(2.0 * crate::dossier::layout::MM)],
            None => {
                let mut rows = credentials();
                if let Some(ssid) = ssid
                    && let Some(qr) = ctx.qr(&wifi_join_uri(ssid, password), &t.glance_wifi_qr)
                {
                    rows.push(qr);
                }
                rows.extend(ctx.field(&t.glance_details, Value::Plain(&details)));
                rows
            }
        };
        flow.block(rows);
    }
}

/// The entries tagged as needed often, with their pages.
fn frequent(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client, page: &dyn Fn(&Entry) -> usize) {
    let t = ctx.texts;
    let frequent: Vec<&Entry> = client
        .sorted_entries()
        .into_iter()
        .filter(|e| {
            e.tags
                .iter()
                .any(|tag| FREQUENT_TAGS.iter().any(|f| tag.eq_ignore_ascii_case(f)))
        })
        .collect();
    if !frequent.is_empty() {
        ctx.heading(flow, &t.glance_frequent, 2, None);
    }
    for e in frequent {
        flow.block(crate::dossier::toc::toc_line(
            ctx,
            e.display_title(),
            page(e),
            0.0,
            false,
        ));
    }
}

/// Where the bundle and the client's key are kept. In an offboarding's final dossier,
/// the bundle is the one handed over with it, which replaces the client's earlier copy.
fn where_kept(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    let bundle = match ctx.handed_over_to {
        Some(successor) => handed_over_bundle(ctx, client, successor),
        None => client.bundle_location.clone(),
    };
    if bundle.is_some() || client.client_key_location.is_some() {
        ctx.heading(flow, &t.glance_where, 2, None);
        for (label, place) in [
            (&t.glance_bundle, &bundle),
            (&t.glance_key, &client.client_key_location),
        ] {
            if let Some(place) = place {
                flow.block(ctx.field(label, Value::Plain(place)));
            }
        }
    }
}

/// The bundle handed over with an offboarding's final dossier, and the earlier copy
/// it replaces (whose place stays, whose content is out of date).
fn handed_over_bundle(
    ctx: &Ctx<'_>,
    client: &Client,
    successor: &crate::dossier::Successor,
) -> Option<String> {
    let t = ctx.texts;
    let file = successor.bundle.as_deref()?;
    let mut line = fill(
        &t.glance_bundle_handed_over,
        &[
            ("file", file),
            ("date", &ctx.date),
            ("successor", &successor.name),
        ],
    );
    if let Some(place) = &client.bundle_location {
        line.push_str(". ");
        line.push_str(&fill(&t.glance_bundle_replaces, &[("place", place)]));
    }
    Some(line)
}

/// Tags that put an entry on the first pages.
pub const FREQUENT_TAGS: [&str; 3] = ["frequent", "häufig", "haeufig"];

const ENTRY_TITLE: Style = Style::new(Face::Bold, 10.0, BLACK);

/// A Wi-Fi entry's network name (its SSID field, as `check` requires it) and password
/// (else its secret field).
fn wifi_credentials(e: &Entry) -> (Option<&str>, Option<&str>) {
    let password = e
        .password
        .as_ref()
        .map(|p| p.expose())
        .or_else(|| e.fields.iter().find(|f| f.secret).map(|f| f.value.expose()))
        .filter(|p| !p.is_empty());
    (e.ssid(), password)
}

/// The Wi-Fi join code phones read from a QR code (`WIFI:T:WPA;S:…;P:…;;`), with `\`,
/// `;`, `,`, `:` and `"` escaped by a backslash as the format requires.
pub fn wifi_join_uri(ssid: &str, password: Option<&str>) -> String {
    fn esc(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if matches!(c, '\\' | ';' | ',' | ':' | '"') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
    match password {
        Some(p) => format!("WIFI:T:WPA;S:{};P:{};;", esc(ssid), esc(p)),
        None => format!("WIFI:T:nopass;S:{};;", esc(ssid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wifi_join_uri_escapes_what_the_format_reserves() {
        assert_eq!(
            wifi_join_uri("Büro", Some("geheim")),
            "WIFI:T:WPA;S:Büro;P:geheim;;"
        );
        assert_eq!(
            wifi_join_uri(r#"a;b,c:d"e\f"#, Some(";")),
            r#"WIFI:T:WPA;S:a\;b\,c\:d\"e\\f;P:\;;;"#
        );
        assert_eq!(wifi_join_uri("Gast", None), "WIFI:T:nopass;S:Gast;;");
    }
}
