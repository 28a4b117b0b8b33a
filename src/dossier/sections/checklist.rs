//! The successor's checklist: what to rotate in the first hour, day and week; what to
//! transfer; what expires.

use chrono::NaiveDate;

use super::entries::entry_line;
use super::{Refs, Section, Start};
use crate::dossier::blocks::{BODY, Ctx, check_item, check_item_at};
use crate::dossier::layout::Flow;
use crate::dossier::templates::{Texts, fill};
use crate::model::rules::CANCELLATION_WARNING_DAYS;
use crate::model::{Client, Entry, Owner, SecretPart, System, Vendor};
use uuid::Uuid;

/// What a successor must do, in the order a takeover needs it: the first hour (remove
/// the old provider's access; domain, identity provider, firewall and remote access,
/// mail), the first day, the first week; then what to transfer and what to renew. Each
/// item names the page of its entry. `page_offset` turns a body page index into the
/// printed page number (known once the contents are laid out, before the body is).
pub fn section<'a>(t: &Texts, client: &'a Client, today: NaiveDate, refs: &'a Refs) -> Section<'a> {
    Section::new(
        &t.checklist_title,
        Start::NewPage,
        move |ctx, flow, _, _| {
            let t = ctx.texts;
            let page = |flow: &Flow, e: &Entry| {
                refs.entries
                    .borrow()
                    .get(&e.id)
                    .map(|a| flow.anchor_page(*a) + refs.page_offset.get())
            };
            let checklist = checklist(client, today);
            flow.block(ctx.para(&fill(&t.checklist_intro, &[("date", &ctx.date)]), BODY, 0.0));
            previous(ctx, flow, &checklist, &page);
            rotate(ctx, flow, &checklist, &page);
            ctx.heading(flow, &t.transfer_title, 3, None);
            if checklist.transfer.is_empty() {
                flow.block(ctx.para(&t.nothing, BODY, 0.0));
            }
            for e in &checklist.transfer {
                let p = page(flow, e);
                flow.block(check_item_at(ctx, &entry_line(e), p));
            }
            let item_page = |flow: &Flow, id: Uuid| {
                refs.items
                    .borrow()
                    .get(&id)
                    .map(|a| flow.anchor_page(*a) + refs.page_offset.get())
            };
            renew(ctx, flow, &checklist, today, &page, &item_page);
        },
    )
}

/// What expires or must be cancelled within 90 days, or already has: contracts by
/// their cancellation deadline, warranties, entries and certificates, each with its
/// date and the page it is described on.
fn renew(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    checklist: &Checklist<'_>,
    today: NaiveDate,
    page: &dyn Fn(&Flow, &Entry) -> Option<usize>,
    item_page: &dyn Fn(&Flow, Uuid) -> Option<usize>,
) {
    let t = ctx.texts;
    let d = &t.deadlines;
    ctx.heading(flow, &t.expiry_title, 3, None);
    if checklist.expiring.is_empty()
        && checklist.contracts.is_empty()
        && checklist.warranties.is_empty()
    {
        flow.block(ctx.para(&t.nothing, BODY, 0.0));
    }
    for (v, deadline) in &checklist.contracts {
        let text = if *deadline < today {
            &d.checklist_contract_passed
        } else {
            &d.checklist_contract
        };
        let text = fill(
            text,
            &[("name", &v.name), ("date", &ctx.fmt_date(*deadline))],
        );
        flow.block(check_item_at(ctx, &text, item_page(flow, v.id)));
    }
    for (s, until) in &checklist.warranties {
        let text = if *until < today {
            &d.checklist_warranty_ended
        } else {
            &d.checklist_warranty_ending
        };
        let text = fill(text, &[("name", &s.name), ("date", &ctx.fmt_date(*until))]);
        flow.block(check_item_at(ctx, &text, item_page(flow, s.id)));
    }
    for (e, date) in &checklist.expiring {
        let when = if *date < today {
            &t.expired
        } else {
            &t.expiring
        };
        let when = fill(when, &[("date", &ctx.fmt_date(*date))]);
        let p = page(flow, e);
        flow.block(check_item_at(
            ctx,
            &format!("{} — {when}", entry_line(e)),
            p,
        ));
    }
}

/// What an earlier provider still knows (the client was taken over from it): each
/// entry with the secrets to replace, in the order of a takeover. Nothing when the
/// client was never taken over, or everything has been replaced.
fn previous(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    checklist: &Checklist<'_>,
    page: &dyn Fn(&Flow, &Entry) -> Option<usize>,
) {
    if checklist.previous.is_empty() {
        return;
    }
    let t = ctx.texts;
    let mut names: Vec<&str> = Vec::new();
    for e in &checklist.previous {
        for name in &e.known_to_previous {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    ctx.heading(flow, &t.previous_title, 3, None);
    let intro = fill(&t.previous_intro, &[("from", &names.join(", "))]);
    flow.block(ctx.para(&intro, BODY, 0.0));
    for e in &checklist.previous {
        let parts: Vec<String> = e
            .secret_parts()
            .map(|part| secret_label(t, &part))
            .collect();
        let p = page(flow, e);
        flow.block(check_item_at(
            ctx,
            &format!("{} — {}", entry_line(e), parts.join(", ")),
            p,
        ));
    }
}

/// A secret to replace, as the dossier names it.
fn secret_label(t: &Texts, part: &SecretPart<'_>) -> String {
    let (key, name) = match part {
        SecretPart::Password => ("password", ""),
        SecretPart::Totp => ("totp", ""),
        SecretPart::RecoveryCodes => ("recovery_codes", ""),
        SecretPart::Field(name) => ("field", *name),
    };
    match t.previous_secrets.get(key) {
        Some(label) => fill(label, &[("name", name)]),
        None if name.is_empty() => key.to_owned(),
        None => name.to_owned(),
    }
}

/// What to rotate, by takeover priority: the first hour (which starts with removing
/// the old provider's access), the first day, the first week.
fn rotate(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    checklist: &Checklist<'_>,
    page: &dyn Fn(&Flow, &Entry) -> Option<usize>,
) {
    let t = ctx.texts;
    ctx.heading(flow, &t.rotate_title, 3, None);
    for (priority, title) in [(1, &t.plan_hour), (2, &t.plan_day), (3, &t.plan_week)] {
        let items: Vec<&&Entry> = checklist
            .rotate
            .iter()
            .zip(&checklist.rotate_priority)
            .filter(|(_, p)| **p == priority)
            .map(|(e, _)| e)
            .collect();
        if items.is_empty() && priority != 1 {
            continue;
        }
        ctx.heading(flow, title, 4, None);
        if priority == 1 {
            flow.block(check_item(ctx, &t.plan_remove_access));
        }
        for e in items {
            let p = page(flow, e);
            flow.block(check_item_at(ctx, &entry_line(e), p));
        }
    }
}

/// Entries a successor must act on, most urgent first within each list.
pub struct Checklist<'a> {
    /// In the order of a takeover (see `model::rules::takeover_rank`).
    pub rotate: Vec<&'a Entry>,
    /// The takeover priority of each of `rotate` (1: first hour, 2: first day, 3: week).
    pub rotate_priority: Vec<u8>,
    pub transfer: Vec<&'a Entry>,
    /// Entries with secrets an earlier provider still knows, in the order of a takeover.
    pub previous: Vec<&'a Entry>,
    /// With their expiry date; expired ones first.
    pub expiring: Vec<(&'a Entry, NaiveDate)>,
    /// Vendors whose contract's cancellation deadline is past or within
    /// `CANCELLATION_WARNING_DAYS`, with that deadline; the earliest first.
    pub contracts: Vec<(&'a Vendor, NaiveDate)>,
    /// Systems whose warranty has ended or ends within 90 days, with its end.
    pub warranties: Vec<(&'a System, NaiveDate)>,
}

/// An entry's place in a takeover, counting the criticality of the systems it logs
/// into (`model::rules::takeover_order`).
fn takeover_order(client: &Client, e: &Entry) -> (u8, u8, bool, String) {
    crate::model::rules::takeover_order(e, client.linked_criticality(e.id))
}

pub fn checklist<'a>(client: &'a Client, today: NaiveDate) -> Checklist<'a> {
    let entries = client.sorted_entries();
    let horizon = today + chrono::Days::new(CANCELLATION_WARNING_DAYS);
    let mut expiring: Vec<(&Entry, NaiveDate)> = entries
        .iter()
        .filter_map(|e| e.expires.filter(|d| *d <= horizon).map(|d| (*e, d)))
        .collect();
    expiring.sort_by_key(|(e, d)| (*d, e.path.clone()));
    let mut rotate: Vec<_> = entries
        .iter()
        .copied()
        .filter(|e| e.provider_knows && e.has_secret())
        .map(|e| (takeover_order(client, e), e))
        .collect();
    rotate.sort_by(|a, b| a.0.cmp(&b.0));
    let mut previous: Vec<&Entry> = entries
        .iter()
        .copied()
        .filter(|e| !e.known_to_previous.is_empty() && e.has_secret())
        .collect();
    previous.sort_by_cached_key(|e| takeover_order(client, e));
    Checklist {
        previous,
        rotate_priority: rotate.iter().map(|(key, _)| key.0).collect(),
        rotate: rotate.into_iter().map(|(_, e)| e).collect(),
        transfer: entries
            .iter()
            .copied()
            .filter(|e| e.owner == Some(Owner::Provider))
            .collect(),
        expiring,
        contracts: contracts(client, today, horizon),
        warranties: warranties(client, horizon),
    }
}

/// The contracts to cancel or renegotiate soon: the deadline is the one `check` warns
/// about (`Contract::cancellation_deadline`, up to `CANCELLATION_WARNING_DAYS` ahead).
fn contracts(client: &Client, today: NaiveDate, horizon: NaiveDate) -> Vec<(&Vendor, NaiveDate)> {
    let mut out: Vec<(&Vendor, NaiveDate)> = client
        .vendors
        .iter()
        .filter_map(|v| v.contract.cancellation_deadline(today).map(|d| (v, d)))
        .filter(|(_, d)| *d <= horizon)
        .collect();
    out.sort_by(|a, b| (a.1, &a.0.name).cmp(&(b.1, &b.0.name)));
    out
}

/// Systems whose warranty ends by `horizon` (or has ended).
fn warranties(client: &Client, horizon: NaiveDate) -> Vec<(&System, NaiveDate)> {
    let mut out: Vec<(&System, NaiveDate)> = client
        .systems
        .iter()
        .filter_map(|s| s.warranty_until.filter(|d| *d <= horizon).map(|d| (s, d)))
        .collect();
    out.sort_by(|a, b| (a.1, &a.0.name).cmp(&(b.1, &b.0.name)));
    out
}
