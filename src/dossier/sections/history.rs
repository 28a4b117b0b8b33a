//! The most recent changes from the vault's history.

use super::{Section, Start};

/// How many history events the dossier prints.
const HISTORY_SHOWN: usize = 25;
use crate::dossier::blocks::{BODY, Value};
use crate::dossier::templates::{Texts, fill};
use crate::model::{Client, Event, EventKind};

/// The most recent changes from the vault's history.
pub fn section<'a>(t: &Texts, client: &'a Client) -> Section<'a> {
    Section::new(&t.history_title, Start::Flowing, move |ctx, flow, _, _| {
        let t = ctx.texts;
        // Printing a dossier is not a change to what it shows: leaving those events out
        // keeps a reprint of an unchanged vault byte-identical.
        let changes: Vec<&Event> = client
            .history
            .iter()
            .filter(|e| e.kind != EventKind::DossierExported)
            .collect();
        let shown = changes.len().min(HISTORY_SHOWN);
        if shown == 0 {
            flow.block(ctx.para(&t.history_none, BODY, 0.0));
        } else {
            flow.block(ctx.para(
                &fill(&t.history_intro, &[("count", &shown.to_string())]),
                BODY,
                0.0,
            ));
        }
        for event in changes.iter().rev().take(HISTORY_SHOWN) {
            let label = t
                .events
                .get(event.kind.as_str())
                .map(String::as_str)
                .unwrap_or(event.kind.as_str());
            let mut text = label.to_owned();
            if let Some(path) = &event.path {
                text.push_str(&format!(": {path}"));
            }
            if !event.fields.is_empty() {
                let names: Vec<&str> = event
                    .fields
                    .iter()
                    .map(|f| t.field_names.get(f).map_or(f.as_str(), String::as_str))
                    .collect();
                text.push_str(&format!(" ({})", names.join(", ")));
            }
            if let Some(fp) = &event.fingerprint {
                text.push_str(&format!(" — {} {fp}", t.fingerprint));
            }
            let when = event.at.with_timezone(&chrono::Utc);
            flow.block(ctx.field(
                &format!(
                    "{} {}",
                    ctx.fmt_date(when.date_naive()),
                    when.format("%H:%M")
                ),
                Value::Plain(&text),
            ));
        }
    })
}
