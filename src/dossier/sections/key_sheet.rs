//! The emergency sheet: the client's own key, on the last page.

use super::{Section, Start};
use crate::dossier::blocks::{BODY, Value};
use crate::dossier::templates::Texts;
use crate::model::Client;

/// The client's own key, on a page of its own so that it can be taken out and kept
/// apart.
pub fn section<'a>(
    t: &Texts,
    client: &'a Client,
    key: &'a crate::dossier::ClientKey,
) -> Section<'a> {
    Section::new(&t.key_title, Start::NewPage, move |ctx, flow, _, _| {
        let t = ctx.texts;
        for paragraph in &t.key_intro {
            let mut rows = ctx.para(paragraph, BODY, 0.0);
            if let Some(last) = rows.last_mut() {
                last.height += 4.0;
            }
            flow.block(rows);
        }
        // The exact command, in the mono face, with the bundle's name as offboarding
        // writes it; a line of its own so that it is never broken mid-command.
        let command = format!(
            "age -d -i key.txt {}-bundle.age > {}.json",
            client.id.as_str(),
            client.id.as_str()
        );
        flow.block(ctx.field("$", Value::Code(&command)));
        if let Some(place) = &client.bundle_location {
            flow.block(ctx.field(&t.key_bundle_at, Value::Plain(place)));
        }
        let mut rows = ctx.para(&t.key_after, BODY, 0.0);
        if let Some(last) = rows.last_mut() {
            last.height += 4.0;
        }
        flow.block(rows);
        flow.block(ctx.field(&t.key_recipient, Value::Code(&key.recipient)));
        flow.block(ctx.field(&t.key_secret, Value::Secret(&key.secret)));
        if let Some(row) = ctx.qr(&key.secret, &t.key_qr) {
            flow.row(row);
        }
    })
}
