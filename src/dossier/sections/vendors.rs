//! Vendors, their contracts and cancellation deadlines.

use chrono::NaiveDate;

use super::{Refs, Section, Start};
use crate::dossier::blocks::{Ctx, Value, separator};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{BLACK, Flow, MM, RED, Row, Style};
use crate::dossier::templates::Texts;
use crate::dossier::templates::fill;
use crate::model::rules::CANCELLATION_WARNING_DAYS;
use crate::model::{Client, Vendor};

/// Vendors and their contracts.
pub fn section<'a>(t: &Texts, client: &'a Client, today: NaiveDate, refs: &'a Refs) -> Section<'a> {
    Section::new(
        &t.vendors_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            vendors(ctx, flow, client, today, refs);
        },
    )
}

/// Each vendor with its hotline, numbers, contract and cancellation deadline (red when
/// it is within 90 days or past), and the logins and systems that belong to it with
/// their pages. Each vendor is anchored in `refs` for the pages that point to it.
pub fn vendors(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client, today: NaiveDate, refs: &Refs) {
    let t = ctx.texts;
    let mut vendors: Vec<&Vendor> = client.vendors.iter().collect();
    vendors.sort_by(|a, b| a.name.cmp(&b.name));
    for v in vendors {
        let mut rows = ctx.para(&v.name, Style::new(Face::Bold, 10.5, BLACK), 0.0);
        for (label, value) in [
            (&t.ven_provides, &v.provides),
            (&t.ven_hotline, &v.hotline),
            (&t.ven_customer_number, &v.customer_number),
            (&t.email, &v.email),
            (&t.ven_portal, &v.portal_url),
            (&t.ven_contract_number, &v.contract.number),
        ] {
            if let Some(value) = value {
                rows.extend(ctx.field(label, Value::Plain(value)));
            }
        }
        rows.extend(contract_rows(ctx, v, today));
        rows.extend(linked_rows(ctx, flow, client, v, refs));
        for c in &v.contacts {
            rows.extend(ctx.field(&c.name, Value::Plain(&super::profile::contact_line(c))));
        }
        if let Some(notes) = &v.notes {
            rows.extend(ctx.field(&t.notes, Value::Plain(notes)));
        }
        rows.push(separator(ctx));
        refs.anchor_item(v.id, flow);
        flow.block(rows);
    }
}

/// The contract: start, notice period, renewal rule, the current term's end and the
/// cancellation deadline, with a warning when that is near or past.
fn contract_rows(ctx: &Ctx<'_>, v: &Vendor, today: NaiveDate) -> Vec<Row> {
    let t = ctx.texts;
    let d = &t.deadlines;
    let c = &v.contract;
    let mut rows = Vec::new();
    if let Some(start) = c.start {
        rows.extend(ctx.field(&t.ven_start, Value::Plain(&ctx.fmt_date(start))));
    }
    let notice = d.period(c.notice_months.unwrap_or(0), c.notice_days.unwrap_or(0));
    if let Some(notice) = notice {
        rows.extend(ctx.field(&d.ven_notice, Value::Plain(&notice)));
    }
    // The renewal rule matters only where there is a term to renew.
    if c.term_end.is_some() || c.renews_months.is_some() {
        let renewal = match c.renews_months.and_then(|m| d.period(m, 0)) {
            Some(period) => fill(&d.ven_renews, &[("period", &period)]),
            None => d.ven_no_renewal.clone(),
        };
        rows.extend(ctx.field(&d.ven_renewal, Value::Plain(&renewal)));
    }
    if let Some(end) = c.current_term_end(today) {
        rows.extend(ctx.field(&t.ven_term_end, Value::Plain(&ctx.fmt_date(end))));
    }
    if let Some(deadline) = c.cancellation_deadline(today) {
        rows.extend(ctx.field(&t.ven_deadline, Value::Plain(&ctx.fmt_date(deadline))));
        if deadline <= today + chrono::Days::new(CANCELLATION_WARNING_DAYS) {
            let warn = if deadline < today && c.renews_months.is_none() {
                &t.ven_deadline_past_no_renewal
            } else if deadline < today {
                &t.ven_deadline_past
            } else {
                &t.ven_deadline_soon
            };
            rows.extend(ctx.para(warn, Style::new(Face::Bold, 9.0, RED), 36.0 * MM));
        }
    }
    rows
}

/// The vendor's logins (its `entries`) and the systems it supplies, each with the page
/// it is printed on. Systems come before the vendors, entries after them (a forward
/// reference, settled by another layout pass).
fn linked_rows(ctx: &Ctx<'_>, flow: &Flow, client: &Client, v: &Vendor, refs: &Refs) -> Vec<Row> {
    let t = ctx.texts;
    let with_page = |name: &str, page: Option<usize>| match page {
        Some(p) => crate::dossier::blocks::with_aside(
            name,
            &fill(&t.page_ref, &[("page", &p.to_string())]),
        ),
        None => name.to_owned(),
    };
    let logins: Vec<String> = v
        .entries
        .iter()
        .filter_map(|id| client.entry_by_id(*id))
        .map(|e| with_page(e.display_title(), Some(refs.forward_entry_page(e.id))))
        .collect();
    let systems: Vec<String> = client
        .systems
        .iter()
        .filter(|s| s.vendor == Some(v.id))
        .map(|s| {
            let anchor = refs.items.borrow().get(&s.id).copied();
            let page = anchor.map(|a| flow.anchor_page(a) + refs.page_offset.get());
            with_page(&s.name, page)
        })
        .collect();
    let mut rows = Vec::new();
    for (label, names) in [
        (&t.deadlines.ven_logins, logins),
        (&t.deadlines.ven_systems, systems),
    ] {
        if !names.is_empty() {
            rows.extend(ctx.field(label, Value::Plain(&names.join(", "))));
        }
    }
    rows
}
