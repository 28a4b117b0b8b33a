//! The technical page for checking signatures with the stock `ssh-keygen`: the signing
//! key's fingerprint, the exact `allowed_signers` line (as text and QR code) and the
//! commands. The check starts from this paper, never from a file in the store, which
//! whoever can write the store controls.

use super::{Section, Start};
use crate::dossier::blocks::{BODY, Value};
use crate::dossier::layout::Row;
use crate::dossier::templates::{Texts, fill};
use crate::model::Client;

/// The page, for the key whose `allowed_signers` line is `line`, trusted under the
/// principal `name`, with the fingerprint `fingerprint`.
pub fn section<'a>(
    t: &Texts,
    client: &'a Client,
    signer: &'a crate::dossier::StockCheck,
) -> Section<'a> {
    Section::new(&t.verify_title, Start::Flowing, move |ctx, flow, _, _| {
        let t = ctx.texts;
        flow.block(ctx.para(&t.verify_intro, BODY, 0.0));
        flow.space(4.0);
        let mut rows = ctx.field(&t.signing_key, Value::Code(&signer.fingerprint));
        rows.extend(ctx.field(&t.verify_line, Value::Code(&signer.allowed_signers_line)));
        flow.block(rows);
        if let Some(row) = ctx.qr(&signer.allowed_signers_line, &t.verify_qr) {
            flow.row(row);
        }
        flow.space(4.0);
        let id = client.id.as_str();
        for (intro, namespace, file) in [
            (&t.verify_vault, "handover", format!("clients/{id}.age")),
            (
                &t.verify_bundle,
                "handover-bundle",
                format!("{id}-bundle.age"),
            ),
        ] {
            flow.block(ctx.para(intro, BODY, 0.0));
            let command = format!(
                "ssh-keygen -Y verify -f allowed_signers \\\n  -I {} -n {namespace} \\\n  -s {file}.sig < {file}",
                signer.principal
            );
            let mut rows = ctx.field("$", Value::Code(&command));
            rows.push(Row::new(2.0));
            flow.block(rows);
        }
        flow.block(ctx.para(
            &fill(&t.verify_good, &[("fingerprint", &signer.fingerprint)]),
            BODY,
            0.0,
        ));
    })
}
