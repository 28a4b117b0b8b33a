//! Page 1: the title, the client, the fingerprint to compare, the confidentiality
//! notice and the lines to sign.

use crate::dossier::blocks::{BODY, Ctx, LABEL, LABEL_W, SMALL, Value, rule};
use crate::dossier::fonts::Face;
use crate::dossier::layout::{
    BLACK, Flow, Item, LIGHT, MM, RED, RULE, Rgb, Row, Style, measure, wrap_words,
};
use crate::dossier::templates::fill;
use crate::model::Client;

/// The cover page, drawn on the flow's current (first) page.
pub fn cover(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    logo: Option<&crate::dossier::templates::Logo>,
) {
    flow.row(title_row(ctx, logo));
    names(ctx, flow, client);
    flow.space(8.0 * MM);
    facts(ctx, flow, client);
    flow.space(10.0 * MM);
    flow.row(notice(ctx));
    if ctx.data_pages {
        let mut rows = ctx.para(&ctx.texts.data_cover, BODY, 0.0);
        rows.push(Row::new(4.0 * MM));
        flow.block(rows);
    }
    signature_lines(ctx, flow);
}

/// The title, with the logo at the top right: beside it if there is room, else below.
fn title_row(ctx: &Ctx<'_>, logo: Option<&crate::dossier::templates::Logo>) -> Row {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let w = ctx.geo.body_width();
    let title = Style::new(Face::Bold, 26.0, ctx.accent);
    let title_w = measure(fonts, title.face, title.size, &t.title);
    let mut row = Row::new(28.0 * MM);
    let mut baseline = 18.0 * MM;
    if let Some(logo) = logo {
        // Fit into 45 × 18 mm at the top right, keeping the aspect ratio.
        let (max_w, max_h) = (45.0 * MM, 18.0 * MM);
        let aspect = logo.height as f32 / logo.width as f32;
        let (lw, lh) = if max_w * aspect <= max_h {
            (max_w, max_w * aspect)
        } else {
            (max_h / aspect, max_h)
        };
        row.items.push(Item::Logo {
            x: w - lw,
            y: -lh,
            w: lw,
            h: lh,
        });
        // The title never touches the logo: beside it if there is room, else below.
        if title_w + 6.0 * MM > w - lw {
            baseline = lh + 4.0 * MM + title.size;
            row.height = baseline + 10.0 * MM;
        }
    }
    for (i, line) in wrap_words(fonts, title, &t.title, w).iter().enumerate() {
        row.text(
            fonts,
            0.0,
            baseline + i as f32 * title.leading(),
            title,
            line,
        );
        if i > 0 {
            row.height += title.leading();
        }
    }
    row
}

/// The client's name and legal name.
fn names(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let fonts = ctx.fonts;
    let w = ctx.geo.body_width();
    let name = Style::new(Face::Bold, 18.0, BLACK);
    for line in wrap_words(fonts, name, &client.name, w) {
        let mut row = Row::new(name.leading());
        row.text(fonts, 0.0, name.size, name, &line);
        flow.row(row);
    }
    if let Some(legal) = client.legal_name.as_deref() {
        for r in ctx.para(legal, BODY, 0.0) {
            flow.row(r);
        }
    }
}

/// The provider, the date, the number of entries, the fingerprint and the signing key.
fn facts(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let count = client.entries.len().to_string();
    for r in provider_fields(ctx) {
        flow.row(r);
    }
    for (label, value) in [
        (t.as_of.as_str(), ctx.date.as_str()),
        (t.entry_count.as_str(), count.as_str()),
    ] {
        for r in ctx.field(label, Value::Plain(value)) {
            flow.row(r);
        }
    }
    // The fingerprint is what a reader compares by eye: large, monospace, boxed.
    let big = Style::new(Face::Mono, 14.0, BLACK);
    let fp_w = measure(fonts, big.face, big.size, ctx.fingerprint);
    let mut row = Row::new(big.leading() + 6.0);
    row.text(fonts, 0.0, big.size, LABEL, &t.fingerprint);
    row.items.push(Item::Rect {
        x: LABEL_W - 3.0,
        y: -big.leading() - 1.0,
        w: fp_w + 6.0,
        h: big.leading() + 2.0,
        fill: Some(LIGHT),
        stroke: Some((RULE, 0.5)),
    });
    row.text(fonts, LABEL_W, big.size, big, ctx.fingerprint);
    flow.row(row);
    if let Some(key) = ctx.signing_key {
        for r in ctx.field(&t.cover_signer, Value::Code(key)) {
            flow.row(r);
        }
        let note = match ctx.handed_over_to {
            Some(_) => &t.handover_signing_key_note,
            None => &t.signing_key_note,
        };
        for r in ctx.para(note, SMALL, LABEL_W) {
            flow.row(r);
        }
    }
}

/// The provider to call: the one who printed the dossier, or in an offboarding's final
/// dossier the successor with its contact, and the previous provider as no longer
/// responsible. An unknown provider is left out, not printed as a dash.
fn provider_fields(ctx: &Ctx<'_>) -> Vec<Row> {
    let t = ctx.texts;
    let previous = ctx.branding.provider_name.as_deref();
    let Some(successor) = ctx.handed_over_to else {
        return previous
            .map(|p| ctx.field(&t.provider, Value::Plain(p)))
            .unwrap_or_default();
    };
    let mut rows = ctx.field(&t.provider, Value::Plain(&successor.name));
    if let Some(contact) = &successor.contact {
        rows.extend(ctx.field("", Value::Plain(contact)));
    }
    if let Some(previous) = previous {
        let line = fill(
            &t.handover_previous_value,
            &[("provider", previous), ("date", &ctx.date)],
        );
        rows.extend(ctx.field(&t.handover_previous, Value::Plain(&line)));
    }
    rows
}

/// The confidentiality notice: a red frame no reader can miss.
fn notice(ctx: &Ctx<'_>) -> Row {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let w = ctx.geo.body_width();
    let inner = w - 10.0 * MM;
    let notice_title = Style::new(Face::Bold, 13.0, RED);
    let lines = wrap_words(fonts, BODY, &t.notice_text, inner);
    let h = notice_title.leading() + lines.len() as f32 * BODY.leading() + 10.0 * MM;
    let mut row = Row::new(h + 6.0 * MM);
    row.items.push(Item::Rect {
        x: 0.0,
        y: -h,
        w,
        h,
        fill: Some(Rgb(0xfd, 0xf1, 0xf1)),
        stroke: Some((RED, 1.5)),
    });
    row.text(
        fonts,
        5.0 * MM,
        5.0 * MM + notice_title.size,
        notice_title,
        &t.notice_title,
    );
    for (i, line) in lines.iter().enumerate() {
        row.text(
            fonts,
            5.0 * MM,
            5.0 * MM + notice_title.leading() + BODY.size + 2.0 + i as f32 * BODY.leading(),
            BODY,
            line,
        );
    }
    row
}

/// Signature lines, at the foot of the cover.
fn signature_lines(ctx: &Ctx<'_>, flow: &mut Flow) {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let w = ctx.geo.body_width();
    let sig_h = 42.0 * MM;
    if flow.remaining() > sig_h {
        flow.space(flow.remaining() - sig_h);
    }
    let col = (w - 10.0 * MM) / 2.0;
    let mut row = Row::new(sig_h);
    for (i, heading) in [&t.handed_over, &t.received].into_iter().enumerate() {
        let x = i as f32 * (col + 10.0 * MM);
        row.text(fonts, x, 10.0, Style::new(Face::Bold, 10.0, BLACK), heading);
        for (j, label) in [&t.name_date, &t.signature].into_iter().enumerate() {
            let y = 24.0 + j as f32 * 16.0 * MM;
            row.items.push(rule(x, -y - 10.0 * MM, col, BLACK, 0.6));
            row.text(fonts, x, y + 10.0 * MM + 9.0, SMALL, label);
        }
    }
    flow.row(row);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::fonts;
    use crate::dossier::layout::{self, Geometry, Paper};
    use crate::dossier::templates::{self, Lang, Template};
    use crate::model::ClientId;
    use chrono::Utc;

    /// The logo never touches the title, whatever its aspect ratio.
    #[test]
    fn the_logo_never_touches_the_title() {
        let client = Client::new(
            ClientId::parse("c").unwrap(),
            "Client".into(),
            vec![],
            Utc::now(),
        );
        for lang in [Lang::De, Lang::En] {
            let template = Template::load(lang, None).unwrap();
            for (w, h) in [(1000, 10), (400, 100), (100, 100), (10, 1000)] {
                let logo = templates::Logo {
                    width: w,
                    height: h,
                    rgb: vec![0; w * h * 3],
                };
                let ctx = Ctx {
                    fonts: fonts::Fonts::get(),
                    texts: &template.texts,
                    branding: &template.branding,
                    accent: Rgb(0, 0, 0),
                    geo: Geometry::new(Paper::A4),
                    date: String::new(),
                    today: Utc::now().date_naive(),
                    fingerprint: "X",
                    signing_key: None,
                    handed_over_to: None,
                    labels: Default::default(),
                    data_pages: false,
                };
                let mut flow = Flow::new(ctx.geo);
                cover(&ctx, &mut flow, &client, Some(&logo));
                let page = &flow.pages[0];
                let (lx, ly, lw, lh) = page
                    .iter()
                    .find_map(|i| match i {
                        Item::Logo { x, y, w, h } => Some((*x, *y, *w, *h)),
                        _ => None,
                    })
                    .unwrap();
                let (tx, ty, size) = page
                    .iter()
                    .find_map(|i| match i {
                        Item::Text {
                            x, y, size, text, ..
                        } if text.as_str() == template.texts.title.as_str() => {
                            Some((*x, *y, *size))
                        }
                        _ => None,
                    })
                    .unwrap();
                let tw = layout::measure(ctx.fonts, fonts::Face::Bold, size, &template.texts.title);
                // Text spans from its baseline down by the descent and up by the size.
                let apart_x = tx + tw <= lx || lx + lw <= tx;
                let apart_y = ty + size <= ly || ly + lh <= ty - size * 0.25;
                assert!(
                    apart_x || apart_y,
                    "{lang:?} {w}x{h}: title and logo overlap"
                );
            }
        }
    }
}
