//! The handover dossier: a complete, printable PDF of one client.
//!
//! Three stages, as in paper-age: `content` decides what is said (rows of text, boxes and
//! QR modules, using `templates` for every word), `layout` places rows on pages (pure
//! geometry, unit-tested), and `pdf` turns pages into bytes (the only `printpdf` user).

pub mod content;
pub mod fonts;
pub mod layout;
pub mod pdf;
mod qr;
pub mod templates;

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Result;
use crate::fingerprint::fingerprint;
use crate::model::Client;
use content::{BODY, Ctx, check_item, toc_line};

/// The header repeated on each page an entry runs onto.
const SMALL_BOLD: layout::Style = layout::Style::new(fonts::Face::Bold, 8.5, layout::GREY);
use layout::{Flow, Geometry, Item, Paper, Rgb};
use templates::{Lang, Template, fill};

pub use layout::Paper as PaperSize;
pub use templates::Lang as Language;

/// How to render.
pub struct Options {
    pub lang: Lang,
    pub paper: Paper,
    /// `--template DIR`: wording overrides and branding.
    pub template_dir: Option<PathBuf>,
    /// The "as of" moment printed on every page and stored as the PDF's dates. The CLI
    /// takes it from `SOURCE_DATE_EPOCH` when set, so builds are reproducible.
    pub as_of: DateTime<Utc>,
    /// The client's own key, printed on an emergency sheet (`--include-client-key`).
    pub client_key: Option<ClientKey>,
    /// The fingerprint (`SHA256:…`) of the provider's signing key, printed on the
    /// cover so that a successor can check a bundle's signature against the paper.
    pub signing_key: Option<String>,
}

/// The client's own age key, for the emergency sheet.
pub struct ClientKey {
    /// `AGE-SECRET-KEY-1…`
    pub secret: zeroize::Zeroizing<String>,
    /// Its public recipient, `age1…`.
    pub recipient: String,
}

/// A finding of the handover check, as the appendix prints it. `code` names the rule
/// (`no-secret`, …); the template turns it into a sentence in the dossier's language.
pub struct Gap {
    pub blocking: bool,
    pub path: Option<String>,
    pub code: String,
}

/// How many history events the dossier prints.
const HISTORY_SHOWN: usize = 25;

/// A rendered dossier.
pub struct Dossier {
    /// The PDF; it holds every secret, so it is wiped on drop.
    pub pdf: zeroize::Zeroizing<Vec<u8>>,
    pub fingerprint: String,
    pub pages: usize,
}

pub fn paper(s: &str) -> Result<Paper> {
    match s {
        "a4" => Ok(Paper::A4),
        "letter" => Ok(Paper::Letter),
        other => Err(crate::Error::Invalid(format!(
            "unknown paper size {other:?}; use a4 or letter"
        ))),
    }
}

/// Renders the dossier of `client`.
pub fn render(client: &Client, options: &Options, gaps: &[Gap]) -> Result<Dossier> {
    let laid = lay_out(client, options, gaps)?;
    let t = &laid.template.texts;
    let subject = format!("{} — {} {}", client.name, t.fingerprint, laid.fingerprint);
    let pdf = pdf::write(
        &laid.pages,
        &laid.marks,
        options.paper.size(),
        &pdf::Meta {
            title: &format!("{} — {}", t.title, client.name),
            subject: &subject,
            producer: concat!("handover ", env!("CARGO_PKG_VERSION")),
            unix_time: options.as_of.timestamp(),
        },
        laid.template.logo.as_ref(),
    )?;
    Ok(Dossier {
        pdf,
        pages: laid.pages.len(),
        fingerprint: laid.fingerprint,
    })
}

/// The dossier laid out on pages, before it becomes PDF.
struct Laid {
    pages: Vec<Vec<Item>>,
    marks: Vec<(String, usize)>,
    fingerprint: String,
    template: Template,
}

fn lay_out(client: &Client, options: &Options, gaps: &[Gap]) -> Result<Laid> {
    let template = Template::load(options.lang, options.template_dir.as_deref())?;
    let (r, g, b) = template.branding.accent()?;
    let fp = fingerprint(client);
    let geo = Geometry::new(options.paper);
    let today: NaiveDate = options.as_of.date_naive();
    let ctx = Ctx {
        fonts: fonts::Fonts::get(),
        texts: &template.texts,
        branding: &template.branding,
        accent: Rgb(r, g, b),
        geo,
        date: today.format(&template.texts.date_format).to_string(),
        today,
        fingerprint: &fp,
        signing_key: options.signing_key.as_deref(),
    };
    let t = &template.texts;

    // Front matter: cover and instructions.
    let mut front = Flow::new(geo);
    front.mark(&format!("1 {}", t.title));
    content::cover(&ctx, &mut front, client, template.logo.as_ref());
    front.new_page();
    ctx.heading(
        &mut front,
        &format!("2 {}", t.howto_title),
        1,
        Some(&format!("2 {}", t.howto_title)),
    );
    for paragraph in &t.howto {
        let mut rows = ctx.para(paragraph, BODY, 0.0);
        if let Some(last) = rows.last_mut() {
            last.height += 5.0;
        }
        front.block(rows);
    }

    // The body, laid out once to learn the page of every section.
    let groups = group_entries(client);
    let toc_items = toc_items(t, &groups, options.client_key.is_some());
    // Sections after the entry groups: checklist, appendix, history, key sheet.
    let after_groups = 2 + groups.len();
    let toc_pages = {
        let mut probe = Flow::new(geo);
        toc(&ctx, &mut probe, &toc_items, &[]);
        probe.pages.len()
    };
    let first_body_page = front.pages.len() + toc_pages;
    let mut body = Flow::new(geo);
    ctx.heading(&mut body, &toc_items[0].0, 1, None);
    content::profile(&ctx, &mut body, client);
    body.new_page();
    ctx.heading(&mut body, &toc_items[1].0, 1, None);
    let mut section_pages = vec![0, 0];
    section_pages[1] = body.page_index();
    if client.entries.is_empty() {
        body.block(ctx.para(&t.no_entries, BODY, 0.0));
    }
    for (title, entries) in &groups {
        ctx.heading(&mut body, title, 2, None);
        section_pages.push(body.page_index());
        for entry in entries {
            let continued = format!("{} {}", entry.display_title(), t.continued);
            body.block_continued(content::entry_rows(&ctx, entry), || {
                ctx.para(&continued, SMALL_BOLD, 0.0)
                    .into_iter()
                    .next()
                    .unwrap_or_default()
            });
        }
    }
    body.new_page();
    let checklist = content::checklist(client, today);
    ctx.heading(&mut body, &toc_items[after_groups].0, 1, None);
    section_pages.push(body.page_index());
    body.block(ctx.para(&fill(&t.checklist_intro, &[("date", &ctx.date)]), BODY, 0.0));
    let line = |e: &crate::model::Entry| format!("{} ({})", e.display_title(), e.path);
    ctx.heading(&mut body, &t.rotate_title, 3, None);
    if checklist.rotate.is_empty() {
        body.block(ctx.para(&t.nothing, BODY, 0.0));
    }
    for e in &checklist.rotate {
        body.block(check_item(&ctx, &line(e)));
    }
    ctx.heading(&mut body, &t.transfer_title, 3, None);
    if checklist.transfer.is_empty() {
        body.block(ctx.para(&t.nothing, BODY, 0.0));
    }
    for e in &checklist.transfer {
        body.block(check_item(&ctx, &line(e)));
    }
    ctx.heading(&mut body, &t.expiry_title, 3, None);
    if checklist.expiring.is_empty() {
        body.block(ctx.para(&t.nothing, BODY, 0.0));
    }
    for (e, date) in &checklist.expiring {
        let when = if *date < today {
            &t.expired
        } else {
            &t.expiring
        };
        let when = fill(when, &[("date", &ctx.fmt_date(*date))]);
        body.block(check_item(&ctx, &format!("{} — {when}", line(e))));
    }
    ctx.heading(&mut body, &toc_items[after_groups + 1].0, 1, None);
    section_pages.push(body.page_index());
    if gaps.is_empty() {
        body.block(ctx.para(&t.appendix_nothing, BODY, 0.0));
    } else {
        body.block(ctx.para(&t.appendix_intro, BODY, 0.0));
    }
    for (blocking, title) in [(true, &t.appendix_blocking), (false, &t.appendix_warnings)] {
        let mut items = gaps.iter().filter(|g| g.blocking == blocking).peekable();
        if items.peek().is_none() {
            continue;
        }
        ctx.heading(&mut body, title, 3, None);
        for gap in items {
            let sentence = t
                .findings
                .get(&gap.code)
                .map(String::as_str)
                .unwrap_or(gap.code.as_str());
            let text = match gap.path.as_deref().and_then(|p| client.entry(p)) {
                Some(e) => format!("{}: {sentence}", line(e)),
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
            };
            body.block(check_item(&ctx, &text));
        }
    }
    ctx.heading(&mut body, &toc_items[after_groups + 2].0, 1, None);
    section_pages.push(body.page_index());
    // Printing a dossier is not a change to what it shows: leaving those events out
    // keeps a reprint of an unchanged vault byte-identical.
    let changes: Vec<&crate::model::Event> = client
        .history
        .iter()
        .filter(|e| e.kind != crate::model::EventKind::DossierExported)
        .collect();
    let shown = changes.len().min(HISTORY_SHOWN);
    if shown == 0 {
        body.block(ctx.para(&t.history_none, BODY, 0.0));
    } else {
        body.block(ctx.para(
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
            text.push_str(&format!(" ({})", event.fields.join(", ")));
        }
        if let Some(fp) = &event.fingerprint {
            text.push_str(&format!(" — {} {fp}", t.fingerprint));
        }
        let when = event.at.with_timezone(&chrono::Utc);
        body.block(ctx.field(
            &format!(
                "{} {}",
                ctx.fmt_date(when.date_naive()),
                when.format("%H:%M")
            ),
            content::Value::Plain(&text),
        ));
    }

    if let Some(key) = &options.client_key {
        // A page of its own, so that it can be taken out and kept apart.
        body.new_page();
        ctx.heading(&mut body, &toc_items[after_groups + 3].0, 1, None);
        section_pages.push(body.page_index());
        for paragraph in &t.key_intro {
            let mut rows = ctx.para(paragraph, BODY, 0.0);
            if let Some(last) = rows.last_mut() {
                last.height += 4.0;
            }
            body.block(rows);
        }
        body.block(ctx.field(&t.key_recipient, content::Value::Code(&key.recipient)));
        body.block(ctx.field(&t.key_secret, content::Value::Secret(&key.secret)));
        if let Some(row) = ctx.qr(&key.secret, &t.key_qr) {
            body.row(row);
        }
    }

    // Now the table of contents can be written with real page numbers.
    let pages_of: Vec<usize> = section_pages
        .iter()
        .map(|p| p + first_body_page + 1)
        .collect();
    let mut toc_flow = Flow::new(geo);
    toc(&ctx, &mut toc_flow, &toc_items, &pages_of);
    if toc_flow.pages.len() != toc_pages {
        // Cannot happen (the contents wrap independently of page numbers); if it did,
        // every page number printed would be off, so refuse rather than mislead.
        return Err(crate::Error::Invalid(
            "internal error: the table of contents changed length; please report it".into(),
        ));
    }

    let mut marks = front.marks;
    let toc_title = format!("3 {}", t.toc_title);
    marks.push((toc_title, front.pages.len()));
    for ((title, _), page) in toc_items.iter().zip(&pages_of) {
        marks.push((title.clone(), page - 1));
    }
    let mut pages: Vec<Vec<Item>> = front.pages;
    pages.extend(toc_flow.pages);
    pages.extend(body.pages);
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        page.extend(content::header_footer(&ctx, &client.name, i + 1, total));
    }

    Ok(Laid {
        pages,
        marks,
        fingerprint: fp,
        template,
    })
}

/// Entries grouped by the first segment of their path, groups and entries sorted.
fn group_entries(client: &Client) -> Vec<(String, Vec<&crate::model::Entry>)> {
    let mut groups: Vec<(String, Vec<&crate::model::Entry>)> = Vec::new();
    for entry in client.sorted_entries() {
        let group = match entry.path.split_once('/') {
            Some((g, _)) => g.to_owned(),
            None => String::new(),
        };
        match groups.last_mut() {
            Some((g, list)) if *g == group => list.push(entry),
            _ => groups.push((group, vec![entry])),
        }
    }
    // Top-level entries (no group) first, under a neutral heading.
    groups.sort_by(|a, b| (!a.0.is_empty(), &a.0).cmp(&(!b.0.is_empty(), &b.0)));
    groups
        .into_iter()
        .enumerate()
        .map(|(i, (g, list))| {
            let name = if g.is_empty() { "—".to_owned() } else { g };
            (format!("5.{} {name}", i + 1), list)
        })
        .collect()
}

/// Sections in order after the front matter: (numbered title, level).
fn toc_items(
    t: &templates::Texts,
    groups: &[(String, Vec<&crate::model::Entry>)],
    key_sheet: bool,
) -> Vec<(String, u8)> {
    let mut items = vec![
        (format!("4 {}", t.profile_title), 1),
        (format!("5 {}", t.entries_title), 1),
    ];
    items.extend(groups.iter().map(|(g, _)| (g.clone(), 2)));
    items.push((format!("6 {}", t.checklist_title), 1));
    items.push((format!("7 {}", t.appendix_title), 1));
    items.push((format!("8 {}", t.history_title), 1));
    if key_sheet {
        items.push((format!("9 {}", t.key_title), 1));
    }
    items
}

fn toc(ctx: &Ctx<'_>, flow: &mut Flow, items: &[(String, u8)], pages: &[usize]) {
    ctx.heading(flow, &format!("3 {}", ctx.texts.toc_title), 1, None);
    for (i, (title, level)) in items.iter().enumerate() {
        let page = pages.get(i).copied().unwrap_or(888);
        let indent = if *level == 1 { 0.0 } else { 8.0 * layout::MM };
        flow.block(toc_line(ctx, title, page, indent, *level == 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Contact, Entry, Field, Kind, Owner, Secret};

    /// Values no real client should have, and some will: the renderer must lay them all
    /// out inside the page and produce a PDF that parses.
    fn hostile_client() -> Client {
        let now = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap();
        let mut c = Client::new(
            ClientId::parse("hostile").unwrap(),
            "N".repeat(300) + " \u{202e}rtl\u{0301} 中文 🙂",
            vec![],
            now,
        );
        c.address = Some("\n\n\t\u{7}bell\r\n".into());
        c.contacts = (0..120)
            .map(|i| Contact {
                name: format!("Kontakt {i} {}", "ä".repeat(i)),
                role: Some("x".repeat(500)),
                phone: None,
                email: Some(format!("{}@example.com", "a".repeat(200))),
            })
            .collect();
        let long_key = (0..400)
            .map(|i| format!("{i:04}{}", "AbC/+=".repeat(12)))
            .collect::<Vec<_>>()
            .join("\n");
        let nasty = [
            String::new(),
            " ".into(),
            "\t\u{0}\u{7f}\u{1b}[31m".into(),
            "x".repeat(5000),
            long_key,
            "🙂👍🏽 中文 ﷽".into(),
            "\u{200b}\u{feff}\u{00ad}".into(),
        ];
        for (i, value) in nasty.iter().enumerate() {
            for kind in Kind::ALL {
                let path = format!("{}/{}-{i}", "g".repeat(60 + i), kind.as_str());
                let mut e = Entry::new(path, kind);
                e.title = value.chars().take(400).collect();
                e.password = Some(Secret::new(value.clone()));
                e.username = Some(value.chars().take(300).collect());
                e.totp = Some(Secret::new(format!("otpauth://totp/x?secret={value}")));
                e.recovery_codes = vec![Secret::new(value.clone()); 3];
                e.notes = Some(value.clone());
                e.fields = vec![Field {
                    name: value.chars().take(100).collect::<String>() + "f",
                    value: Secret::new(value.clone()),
                    secret: i % 2 == 0,
                }];
                e.tags = vec![value.chars().take(50).collect()];
                e.owner = Some(Owner::Provider);
                e.expires = chrono::NaiveDate::from_ymd_opt(1970, 1, 1);
                c.entries.push(e);
            }
        }
        c
    }

    #[test]
    fn hostile_values_render_inside_the_page_and_parse() {
        let client = hostile_client();
        for paper in [Paper::A4, Paper::Letter] {
            let options = Options {
                lang: Lang::En,
                paper,
                template_dir: None,
                as_of: client.created,
                client_key: None,
                signing_key: Some("SHA256:uGZ8bQ0sKhYf1Zl2a0XwW9sVd3mJm3C8Wc0u5o3Yx2E".into()),
            };
            let gaps = [Gap {
                blocking: true,
                path: Some("no/such/entry".into()),
                code: "not-a-known-code".into(),
            }];
            let d = render(&client, &options, &gaps).unwrap();
            let doc = lopdf::Document::load_mem(&d.pdf).unwrap();
            assert_eq!(doc.get_pages().len(), d.pages);
            assert!(d.pages > 50);
        }
    }

    #[test]
    fn every_item_of_every_page_stays_inside_the_margins() {
        // The pdftotext -bbox test checks real output for a realistic client; this one
        // checks every laid-out item of the hostile client, on both papers.
        let client = hostile_client();
        let margin = 10.0 * layout::MM;
        for (paper, lang) in [(Paper::A4, Lang::De), (Paper::Letter, Lang::En)] {
            let options = Options {
                lang,
                paper,
                template_dir: None,
                as_of: client.created,
                client_key: None,
                signing_key: Some("SHA256:uGZ8bQ0sKhYf1Zl2a0XwW9sVd3mJm3C8Wc0u5o3Yx2E".into()),
            };
            let laid = lay_out(&client, &options, &[]).unwrap();
            let (width, height) = paper.size();
            let fonts = fonts::Fonts::get();
            for page in &laid.pages {
                for item in page {
                    let (x0, y0, x1, y1) = match item {
                        Item::Text {
                            x,
                            y,
                            face,
                            size,
                            text,
                            ..
                        } => (
                            *x,
                            *y,
                            x + layout::measure(fonts, *face, *size, text),
                            *y + size,
                        ),
                        Item::Rect { x, y, w, h, .. } | Item::Logo { x, y, w, h } => {
                            (*x, *y, x + w, y + h)
                        }
                        Item::Line { points, .. } => points.iter().fold(
                            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                            |(a, b, c, d), (x, y)| (a.min(*x), b.min(*y), c.max(*x), d.max(*y)),
                        ),
                    };
                    assert!(
                        x0 >= margin - 0.01
                            && y0 >= margin - 0.01
                            && x1 <= width - margin + 0.01
                            && y1 <= height - margin + 0.01,
                        "{paper:?}: item at ({x0}, {y0})–({x1}, {y1}) leaves the printable area"
                    );
                }
            }
        }
    }
}
