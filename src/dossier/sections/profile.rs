//! The client's profile, its contacts and the provider.

use super::{Section, Start};
use crate::dossier::blocks::{BODY, Ctx, Value};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{BLACK, Flow, Row, Style};
use crate::dossier::templates::Texts;
use crate::model::Client;

/// The client's profile and contacts.
pub fn section<'a>(t: &Texts, client: &'a Client) -> Section<'a> {
    Section::new(&t.profile_title, Start::Flowing, move |ctx, flow, _, _| {
        profile(ctx, flow, client);
    })
}

/// A contact's role, phone and e-mail on one line, as the short lists print them.
pub fn contact_line(c: &crate::model::Contact) -> String {
    [&c.role, &c.phone, &c.email]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Client profile, the provider and contacts.
pub fn profile(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    for r in ctx.field(&t.client, Value::Plain(&client.name)) {
        flow.row(r);
    }
    for (label, value) in [
        (&t.legal_name, &client.legal_name),
        (&t.address, &client.address),
        (&t.notes, &client.notes),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            flow.block(ctx.field(label, Value::Plain(v)));
        }
    }
    ctx.heading(flow, &t.contacts_title, 2, None);
    if client.contacts.is_empty() {
        flow.block(ctx.para(&t.no_contacts, BODY, 0.0));
    }
    for contact in &client.contacts {
        let mut rows = ctx.para(&contact.name, Style::new(Face::Bold, 10.0, BLACK), 0.0);
        for (label, value) in [
            (&t.role, &contact.role),
            (&t.phone, &contact.phone),
            (&t.email, &contact.email),
        ] {
            if let Some(v) = value.as_deref() {
                rows.extend(ctx.field(label, Value::Plain(v)));
            }
        }
        rows.push(Row::new(4.0));
        flow.block(rows);
    }
    if let Some(successor) = ctx.handed_over_to {
        return handed_over(ctx, flow, successor);
    }
    // Unknown, the provider is left out rather than shown as a gap the client cannot fill.
    let b = ctx.branding;
    if b.provider_name.is_none() && b.provider_address.is_none() && b.provider_contact.is_none() {
        return;
    }
    ctx.heading(flow, &t.provider_title, 2, None);
    let mut rows = Vec::new();
    for value in [&b.provider_name, &b.provider_address, &b.provider_contact]
        .into_iter()
        .flatten()
    {
        rows.extend(ctx.para(value, BODY, 0.0));
    }
    flow.block(rows);
}

/// In an offboarding's final dossier: the successor as the provider, and the previous
/// one (who printed it) as no longer responsible, without its contact details.
fn handed_over(ctx: &Ctx<'_>, flow: &mut Flow, successor: &crate::dossier::Successor) {
    let t = ctx.texts;
    ctx.heading(flow, &t.provider_title, 2, None);
    let mut rows = ctx.para(&successor.name, BODY, 0.0);
    if let Some(contact) = &successor.contact {
        rows.extend(ctx.para(contact, BODY, 0.0));
    }
    if let Some(previous) = &ctx.branding.provider_name {
        let line = crate::dossier::templates::fill(
            &t.handover_previous_value,
            &[("provider", previous), ("date", &ctx.date)],
        );
        rows.push(Row::new(4.0));
        rows.extend(ctx.field(&t.handover_previous, Value::Plain(&line)));
    }
    flow.block(rows);
}
