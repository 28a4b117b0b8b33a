//! The decision log.

use super::{Refs, Section, Start};
use crate::dossier::blocks::{Ctx, Value, separator};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{BLACK, Flow, GREY, RED, Style};
use crate::dossier::templates::Texts;
use crate::model::{Client, Decision, DecisionStatus};

/// The decision log, newest first; superseded decisions are marked.
pub fn section<'a>(t: &Texts, client: &'a Client, refs: &'a Refs) -> Section<'a> {
    Section::new(
        &t.decisions_title,
        Start::NewPageIfLow,
        move |ctx, flow, _, _| {
            let mut list: Vec<&crate::model::Decision> = client.decisions.iter().collect();
            list.sort_by(|a, b| (b.date, &a.title).cmp(&(a.date, &b.title)));
            for d in list {
                refs.anchor_item(d.id, flow);
                decision(ctx, flow, client, d);
            }
        },
    )
}

/// One decision: date, what, why, alternatives, by whom; a superseded one says so.
pub fn decision(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client, d: &Decision) {
    let t = ctx.texts;
    let superseded = d.status == DecisionStatus::Superseded;
    let title_style = Style::new(Face::Bold, 10.5, if superseded { GREY } else { BLACK });
    let mut rows = ctx.para(
        &format!("{} — {}", ctx.fmt_date(d.date), d.title),
        title_style,
        0.0,
    );
    if superseded {
        let by = d
            .superseded_by
            .and_then(|id| client.decisions.iter().find(|x| x.id == id))
            .map(|x| {
                // Each language quotes in its own marks.
                let (open, close) = if t.language == "de" {
                    ("„", "“")
                } else {
                    ("“", "”")
                };
                format!(
                    "{} {open}{}{close} ({})",
                    t.dec_superseded_by,
                    x.title,
                    ctx.fmt_date(x.date)
                )
            })
            .unwrap_or_else(|| t.dec_superseded.clone());
        rows.extend(ctx.para(&by, Style::new(Face::Bold, 8.5, RED), 0.0));
    }
    // Held like a heading: a decision's title never ends a page without its reasons.
    flow.begin_heading();
    flow.block(rows);
    flow.end_heading();
    // What was decided, why and the alternatives are Markdown, as the provider wrote
    // them (lists of reasons, emphasis).
    for (label, value) in [
        (&t.dec_decision, &d.decision),
        (&t.dec_why, &d.why),
        (&t.dec_alternatives, &d.alternatives),
    ] {
        if let Some(v) = value {
            crate::dossier::markdown::markdown_beside(
                ctx,
                flow,
                v,
                crate::dossier::blocks::LABEL_W,
                Some(label),
            );
        }
    }
    let mut rows = Vec::new();
    if let Some(by) = &d.decided_by {
        rows.extend(ctx.field(&t.dec_by, Value::Plain(by)));
    }
    rows.push(separator(ctx));
    flow.block(rows);
}
