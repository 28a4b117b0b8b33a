//! The appendix: what `handover check` found missing.

use super::entries::entry_line;
use super::{Section, Start};
use crate::dossier::Gap;
use chrono::NaiveDate;

use crate::dossier::blocks::{BODY, Ctx, check_item};
use crate::dossier::templates::{Texts, fill};
use crate::model::Client;

/// What `handover check` found missing, in the dossier's language.
pub fn section<'a>(
    t: &Texts,
    client: &'a Client,
    gaps: &'a [Gap],
    today: NaiveDate,
) -> Section<'a> {
    Section::new(&t.appendix_title, Start::Flowing, move |ctx, flow, _, _| {
        let t = ctx.texts;
        if gaps.is_empty() {
            flow.block(ctx.para(&t.appendix_nothing, BODY, 0.0));
        } else {
            flow.block(ctx.para(&t.appendix_intro, BODY, 0.0));
        }
        for (blocking, title) in [(true, &t.appendix_blocking), (false, &t.appendix_warnings)] {
            let mut items = gaps.iter().filter(|g| g.blocking == blocking).peekable();
            if items.peek().is_none() {
                continue;
            }
            ctx.heading(flow, title, 3, None);
            for gap in items {
                flow.block(check_item(ctx, &gap_text(ctx, client, gap, today)));
            }
        }
    })
}

fn gap_text(ctx: &Ctx<'_>, client: &Client, gap: &Gap, today: NaiveDate) -> String {
    let t = ctx.texts;
    let dated = dated_sentence(ctx, client, gap, today);
    let sentence = dated.as_deref().unwrap_or_else(|| {
        t.findings
            .get(&gap.code)
            .map(String::as_str)
            .unwrap_or(gap.code.as_str())
    });
    match gap.path.as_deref().and_then(|p| client.entry(p)) {
        Some(e) => format!("{}: {sentence}", entry_line(e)),
        None => match &gap.path {
            Some(p) => format!("{p}: {sentence}"),
            // A sentence of its own: capitalised.
            None => {
                let mut chars = sentence.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
        },
    }
}

/// The sentence of a finding about a date, naming the date and whether it has passed:
/// a contract's cancellation deadline (the vendor's), a system's warranty, an entry's
/// expiry. `None` for other findings, or when the date is not found.
fn dated_sentence(ctx: &Ctx<'_>, client: &Client, gap: &Gap, today: NaiveDate) -> Option<String> {
    let d = &ctx.texts.deadlines;
    let name = gap.path.as_deref()?;
    let (date, past, soon) = match gap.code.as_str() {
        "cancellation-deadline" => {
            let v = client.vendors.iter().find(|v| v.name == name)?;
            let deadline = v.contract.cancellation_deadline(today)?;
            (
                deadline,
                &d.finding_cancellation_passed,
                &d.finding_cancellation_soon,
            )
        }
        "warranty-ended" => {
            let s = client.systems.iter().find(|s| s.name == name)?;
            let until = s.warranty_until?;
            (until, &d.finding_warranty_ended, &d.finding_warranty_ended)
        }
        "expired" | "expiring" => {
            let expires = client.entry(name)?.expires?;
            (expires, &d.finding_expired, &d.finding_expiring)
        }
        _ => return None,
    };
    let sentence = if date < today { past } else { soon };
    Some(fill(sentence, &[("date", &ctx.fmt_date(date))]))
}
