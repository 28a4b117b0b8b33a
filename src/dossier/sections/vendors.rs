//! Vendors, their contracts and cancellation deadlines.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Refs, Section, Start};
use crate::dossier::blocks::{Ctx, Value, separator};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{BLACK, Flow, MM, RED, Style};
use crate::dossier::templates::Texts;
use crate::model::{Client, Vendor};

/// Vendors and their contracts.
pub fn section<'a>(t: &Texts, client: &'a Client, today: NaiveDate, refs: &'a Refs) -> Section<'a> {
    Section::new(
        &t.vendors_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            vendors(ctx, flow, client, today, &mut |id, flow| {
                refs.anchor_item(id, flow)
            });
        },
    )
}

/// Each vendor with its hotline, numbers, contract and cancellation deadline (red when
/// it is within 90 days or past). `anchor` is called with each vendor's id just before
/// it is placed.
pub fn vendors(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    today: NaiveDate,
    anchor: &mut dyn FnMut(Uuid, &mut Flow),
) {
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
        if let Some(start) = v.contract.start {
            rows.extend(ctx.field(&t.ven_start, Value::Plain(&ctx.fmt_date(start))));
        }
        if let Some(end) = v.contract.current_term_end(today) {
            rows.extend(ctx.field(&t.ven_term_end, Value::Plain(&ctx.fmt_date(end))));
        }
        if let Some(deadline) = v.contract.cancellation_deadline(today) {
            let soon = deadline
                <= today + chrono::Days::new(crate::model::rules::CANCELLATION_WARNING_DAYS);
            rows.extend(ctx.field(&t.ven_deadline, Value::Plain(&ctx.fmt_date(deadline))));
            if soon {
                let warn = if deadline < today && v.contract.renews_months.is_none() {
                    &t.ven_deadline_past_no_renewal
                } else if deadline < today {
                    &t.ven_deadline_past
                } else {
                    &t.ven_deadline_soon
                };
                rows.extend(ctx.para(warn, Style::new(Face::Bold, 9.0, RED), 36.0 * MM));
            }
        }
        for c in &v.contacts {
            rows.extend(ctx.field(&c.name, Value::Plain(&super::profile::contact_line(c))));
        }
        if let Some(notes) = &v.notes {
            rows.extend(ctx.field(&t.notes, Value::Plain(notes)));
        }
        rows.push(separator(ctx));
        anchor(v.id, flow);
        flow.block(rows);
    }
}
