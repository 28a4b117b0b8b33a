//! The emergency sheet: the client's own key, on the last page, with the newest bundle
//! it opens and the commands that open it.

use super::{Section, Start};
use crate::dossier::blocks::{BODY, Ctx, Value};
use crate::dossier::layout::{Flow, Row};
use crate::dossier::templates::{Texts, fill};
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
            paragraph_with_gap(ctx, flow, paragraph);
        }
        newest_bundle(ctx, flow, client);
        // The file name offboarding writes; the intro says to put in another.
        let bundle = format!("{}-bundle.age", client.id.as_str());
        paragraph_with_gap(ctx, flow, &t.key_takeover);
        // The exact command, in the mono face, one option a line (with the shell's
        // continuation) so that it is never broken mid-word.
        let signer = ctx.signing_key.unwrap_or("SHA256:…");
        let takeover = format!(
            "handover takeover {bundle} \\\n  --client-key client-key.txt \\\n  --expect-signer {signer}"
        );
        command(ctx, flow, &takeover);
        paragraph_with_gap(ctx, flow, &t.key_stock);
        command(
            ctx,
            flow,
            &format!("age -d -i client-key.txt {bundle} | jq ."),
        );
        paragraph_with_gap(ctx, flow, &t.key_after);
        if ctx.data_pages {
            paragraph_with_gap(ctx, flow, &t.data_key_sheet);
        }
        flow.block(ctx.field(&t.key_recipient, Value::Code(&key.recipient)));
        flow.block(ctx.field(&t.key_secret, Value::Secret(&key.secret)));
        if let Some(row) = ctx.qr(&key.secret, &t.key_qr) {
            flow.row(row);
        }
    })
}

/// The newest bundle's date and fingerprint, to compare with the cover's, and where
/// the client keeps it.
fn newest_bundle(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    let newest = client.bundles.last();
    let latest = match newest {
        Some(b) => fill(
            &t.key_bundle_written,
            &[
                ("date", &b.exported.format(&t.date_format).to_string()),
                ("fingerprint", &b.fingerprint),
            ],
        ),
        None => t.key_bundle_none.clone(),
    };
    let mut rows = ctx.field(&t.key_bundle_latest, Value::Plain(&latest));
    if let Some(place) = &client.bundle_location {
        rows.extend(ctx.field(&t.key_bundle_at, Value::Plain(place)));
    }
    flow.block(rows);
    if newest.is_some() {
        paragraph_with_gap(ctx, flow, &t.key_bundle_compare);
    } else {
        flow.space(4.0);
    }
}

fn command(ctx: &Ctx<'_>, flow: &mut Flow, command: &str) {
    let mut rows = ctx.field("$", Value::Code(command));
    rows.push(Row::new(2.0));
    flow.block(rows);
}

fn paragraph_with_gap(ctx: &Ctx<'_>, flow: &mut Flow, text: &str) {
    let mut rows = ctx.para(text, BODY, 0.0);
    if let Some(last) = rows.last_mut() {
        last.height += 4.0;
    }
    flow.block(rows);
}
