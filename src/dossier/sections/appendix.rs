//! The appendix: what `handover check` found missing.

use super::entries::entry_line;
use super::{Section, Start};
use crate::dossier::Gap;
use crate::dossier::blocks::{BODY, check_item};
use crate::dossier::templates::Texts;
use crate::model::Client;

/// What `handover check` found missing, in the dossier's language.
pub fn section<'a>(t: &Texts, client: &'a Client, gaps: &'a [Gap]) -> Section<'a> {
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
                flow.block(check_item(ctx, &gap_text(t, client, gap)));
            }
        }
    })
}

fn gap_text(t: &Texts, client: &Client, gap: &Gap) -> String {
    let sentence = t
        .findings
        .get(&gap.code)
        .map(String::as_str)
        .unwrap_or(gap.code.as_str());
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
