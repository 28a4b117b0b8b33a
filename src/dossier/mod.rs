//! The handover dossier: a complete, printable PDF of one client.
//!
//! Three stages, as in paper-age: the sections decide what is said (rows of text, boxes
//! and QR modules, using `templates` for every word), `layout` places rows on pages
//! (pure geometry, unit-tested), and `pdf` turns pages into bytes (the only `printpdf`
//! user).
//!
//! - `sections/`: one file per section, named after what the reader sees on paper
//!   (`cover`, `at_a_glance`, `instructions`, `profile`, `infrastructure`, `vendors`,
//!   `entries`, `checklist`, `documents`, `decisions`, `appendix`, `history`, `index`,
//!   `key_sheet`), each holding its builder and its renderer; `sections/mod.rs` lists
//!   them in reading order.
//! - `blocks`: what sections are made of (paragraphs, headings, label–value fields,
//!   QR codes, check items, rules) and `Ctx`, what they are written with; `table` and
//!   `markdown` for tables and documents; `toc` the table of contents;
//!   `header_footer` the running header and footer.
//! - `layout`, `fonts`, `qr`, `templates`: geometry, the bundled faces, QR encoding
//!   and the wording; `pdf/`: the bytes.
//!
//! This file lays the parts out in order and settles the page numbers they refer to.

mod blocks;
mod breaks;
pub mod fonts;
mod header_footer;
pub mod layout;
mod markdown;
pub mod packed;
pub mod pdf;
mod qr;
mod sections;
mod table;
pub mod templates;
mod toc;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Result;
use crate::fingerprint::fingerprint_and_digests;
use crate::model::Client;
use blocks::Ctx;
use layout::{Flow, Geometry, Paper, Rgb};
use packed::Pages;
use templates::{Lang, Template};
use toc::toc;

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
    /// The provider, from the store's profile; a template's branding takes precedence.
    pub provider: crate::store::config::ProviderProfile,
    /// Set for the final dossier of an offboarding: the provider the client is handed
    /// over to. The dossier then names it as the one to call, says that `provider`
    /// handed over on the `as_of` date and is no longer responsible, and names the
    /// bundle handed over with it instead of the client's earlier copy.
    pub handed_over_to: Option<Successor>,
    /// What the technical page prints for checking signatures with the stock
    /// `ssh-keygen` (`None`: no signing key, no page).
    pub stock_check: Option<StockCheck>,
    /// `--data-pages`: append the client's signed bundle as QR codes; the caller makes
    /// the bundle and passes it to [`render_to_with`].
    pub data_pages: bool,
}

/// The provider's signing key as `ssh-keygen -Y verify` needs it, printed so that the
/// check starts from the paper rather than from the store's `allowed_signers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockCheck {
    /// `SHA256:…`.
    pub fingerprint: String,
    /// The principal the line names, for `-I`.
    pub principal: String,
    /// `NAME namespaces="handover,handover-bundle" ssh-ed25519 AAAA…`.
    pub allowed_signers_line: String,
}

/// The signed bundle the data pages carry (`crate::paper`): ciphertext and signature,
/// nothing secret.
pub struct DataPages {
    pub bundle: Vec<u8>,
    pub signature: Vec<u8>,
}

/// The provider a client is handed over to (`offboard --successor-name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Successor {
    pub name: String,
    /// Phone, e-mail, the arrangement: free text, one item per line.
    pub contact: Option<String>,
    /// The file name of the bundle handed over with the dossier (`acme-bundle.age`).
    pub bundle: Option<String>,
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

/// A section that may share a page starts on a new one when less than this share of
/// the page is left.
const SECTION_ROOM: f32 = 0.4;

/// How often the body is laid out at most to settle forward page references.
const MAX_LAYOUT_PASSES: usize = 4;

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

/// Renders the dossier of `client` into memory.
pub fn render(client: &Client, options: &Options, gaps: &[Gap]) -> Result<Dossier> {
    let mut pdf = crate::model::WipingBuffer(zeroize::Zeroizing::new(Vec::new()));
    let rendered = render_to(client, options, gaps, &mut pdf)?;
    Ok(Dossier {
        pdf: pdf.0,
        pages: rendered.pages,
        fingerprint: rendered.fingerprint,
    })
}

/// What [`render_to`] wrote.
pub struct Rendered {
    pub fingerprint: String,
    pub pages: usize,
    /// Each entry's digest as printed ([`crate::fingerprint::entry_digest`]), for the
    /// record of this dossier: computed with the fingerprint, in one pass.
    pub entry_digests: std::collections::BTreeMap<uuid::Uuid, String>,
}

/// Renders the dossier of `client` to `out` as its pages are encoded: a large client's
/// PDF is never held in memory whole.
pub fn render_to(
    client: &Client,
    options: &Options,
    gaps: &[Gap],
    out: &mut dyn std::io::Write,
) -> Result<Rendered> {
    render_to_with(client, options, gaps, None, out)
}

/// [`render_to`], with the data pages of `data` at the end (which `options.data_pages`
/// must ask for).
pub fn render_to_with(
    client: &Client,
    options: &Options,
    gaps: &[Gap],
    data: Option<&DataPages>,
    out: &mut dyn std::io::Write,
) -> Result<Rendered> {
    let laid = lay_out(client, options, gaps, data)?;
    let t = &laid.template.texts;
    let subject = format!("{} — {} {}", client.name, t.fingerprint, laid.fingerprint);
    pdf::write(
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
        out,
    )?;
    Ok(Rendered {
        pages: laid.pages.len(),
        fingerprint: laid.fingerprint,
        entry_digests: laid.entry_digests,
    })
}

/// The dossier laid out on pages, before it becomes PDF.
struct Laid {
    pages: Pages,
    marks: Vec<(String, usize)>,
    fingerprint: String,
    entry_digests: std::collections::BTreeMap<uuid::Uuid, String>,
    template: Template,
}

fn lay_out(
    client: &Client,
    options: &Options,
    gaps: &[Gap],
    data: Option<&DataPages>,
) -> Result<Laid> {
    if options.data_pages != data.is_some() {
        return Err(crate::Error::Invalid(
            "internal error: data pages asked for without a bundle, or the other way round; please report it".into(),
        ));
    }
    let mut template = Template::load(options.lang, options.template_dir.as_deref())?;
    let b = &mut template.branding;
    for (slot, value) in [
        (&mut b.provider_name, &options.provider.name),
        (&mut b.provider_address, &options.provider.address),
        (&mut b.provider_contact, &options.provider.contact),
        (
            &mut b.emergency_partner,
            &options.provider.emergency_partner,
        ),
    ] {
        if slot.is_none() {
            slot.clone_from(value);
        }
    }
    let (r, g, b) = template.branding.accent()?;
    let (fp, entry_digests) = fingerprint_and_digests(client);
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
        handed_over_to: options.handed_over_to.as_ref(),
        labels: Default::default(),
        data_pages: data.is_some(),
    };
    let t = &template.texts;

    // The front matter refers to entries by page; laid out first with placeholders
    // of the same width, and again once the body has placed the entries.
    let mut front = Flow::new(geo);
    sections::front_matter(&ctx, &mut front, client, template.logo.as_ref(), &|_| None);
    // The front matter's parts open the contents, with their pages (known already).
    let front_toc = sections::front_contents(t, &front.marks);

    // The body, laid out to learn the page of every section; its sections are numbered
    // after the front matter's parts. Systems print the pages of the entries that log
    // into them, which come later: when there are such forward references, the body is
    // laid out again with the pages the previous pass found, until they stand still.
    let mut known = HashMap::new();
    let mut passes = 0;
    let body = loop {
        passes += 1;
        let front_pages = (front.pages.len(), &front_toc[..]);
        let body = lay_out_body(&ctx, client, options, gaps, front_pages, known)?;
        // Converges at once in practice (a page number's width rarely moves a page
        // break); the limit only guards against oscillation.
        if !body.forward_used || body.entry_pages == body.known || passes == MAX_LAYOUT_PASSES {
            break body;
        }
        known = body.entry_pages;
    };
    let Body {
        pages: body,
        toc_items,
        toc_pages,
        section_pages,
        entry_pages,
        ..
    } = body;
    let first_body_page = front.pages.len() + toc_pages;
    let entry_page = |id: uuid::Uuid| entry_pages.get(&id).copied();
    let mut front_final = Flow::new(geo);
    sections::front_matter(
        &ctx,
        &mut front_final,
        client,
        template.logo.as_ref(),
        &entry_page,
    );
    if front_final.pages.len() != front.pages.len() {
        return Err(crate::Error::Invalid(
            "internal error: the first pages changed length; please report it".into(),
        ));
    }
    let front = front_final;

    // Now the table of contents can be written with real page numbers.
    let pages_of: Vec<usize> = section_pages
        .iter()
        .map(|p| p + first_body_page + 1)
        .collect();
    let mut toc_flow = Flow::new(geo);
    toc(&ctx, &mut toc_flow, &front_toc, &toc_items, &pages_of);
    if toc_flow.pages.len() != toc_pages {
        // Cannot happen (the contents wrap independently of page numbers); if it did,
        // every page number printed would be off, so refuse rather than mislead.
        return Err(crate::Error::Invalid(
            "internal error: the table of contents changed length; please report it".into(),
        ));
    }

    let mut marks = front.marks;
    let toc_title = format!("{} {}", sections::FRONT_PARTS, t.toc_title);
    marks.push((toc_title, front.pages.len()));
    for ((title, _), page) in toc_items.iter().zip(&pages_of) {
        marks.push((title.clone(), page - 1));
    }
    let mut pages = Pages::default();
    for page in front.pages.into_iter().chain(toc_flow.pages) {
        pages.push(page);
    }
    pages.append(body);
    if let Some(data) = data {
        marks.push((t.data_title.clone(), pages.len()));
        for page in sections::data_pages::pages(&ctx, data)? {
            pages.push(page);
        }
    }
    let total = pages.len();
    let frame = header_footer::Frame::new(&ctx, &client.name);
    for i in 0..total {
        pages.extend_page(i, frame.page(&ctx, i + 1, total));
    }

    Ok(Laid {
        pages,
        marks,
        fingerprint: fp,
        entry_digests,
        template,
    })
}

/// One layout pass of the numbered sections, and what it found out.
struct Body {
    /// The body's pages, packed as they were laid out.
    pages: Pages,
    /// The contents' lines: (numbered title, level).
    toc_items: Vec<(String, u8)>,
    /// How many pages the contents take.
    toc_pages: usize,
    /// The body page index of each contents line.
    section_pages: Vec<usize>,
    /// The printed page of each entry.
    entry_pages: HashMap<uuid::Uuid, usize>,
    /// The entry pages this pass was given, and whether it printed any of them.
    known: HashMap<uuid::Uuid, usize>,
    forward_used: bool,
}

/// Lays out the body after `front_pages` pages of front matter (whose parts open the
/// contents, `front_toc`); its sections are numbered after the front matter's parts. `known`: the entry pages a previous pass
/// found, for references to entries further on.
fn lay_out_body(
    ctx: &Ctx<'_>,
    client: &Client,
    options: &Options,
    gaps: &[Gap],
    (front_pages, front_toc): (usize, &[(String, u8, usize)]),
    known: HashMap<uuid::Uuid, usize>,
) -> Result<Body> {
    let first_number = sections::FRONT_PARTS + 1;
    let refs = sections::Refs {
        known_entry_pages: known,
        ..Default::default()
    };
    let body_sections = sections::body(ctx.texts, client, options, gaps, ctx.today, &refs);
    let mut toc_items: Vec<(String, u8)> = Vec::new();
    for (i, section) in body_sections.iter().enumerate() {
        let number = i + first_number;
        toc_items.push((format!("{number} {}", section.title), 1));
        for (j, sub) in section.subsections.iter().enumerate() {
            toc_items.push((format!("{number}.{} {sub}", j + 1), 2));
        }
    }
    let toc_pages = {
        let mut probe = Flow::new(ctx.geo);
        toc(ctx, &mut probe, front_toc, &toc_items, &[]);
        probe.pages.len()
    };
    let first_body_page = front_pages + toc_pages;
    refs.page_offset.set(first_body_page + 1);
    let mut body = Flow::new(ctx.geo);
    body.pack_pages();
    let mut section_pages = Vec::with_capacity(toc_items.len());
    for (i, section) in body_sections.iter().enumerate() {
        let low = body.remaining() < ctx.geo.body_height() * SECTION_ROOM;
        match section.start {
            _ if i == 0 => {}
            sections::Start::NewPage => body.new_page(),
            sections::Start::NewPageIfLow if low => body.new_page(),
            _ => {}
        }
        let number = (i + first_number).to_string();
        ctx.heading(&mut body, &format!("{number} {}", section.title), 1, None);
        section_pages.push(body.anchor());
        (section.build)(ctx, &mut body, &number, &mut |flow: &mut Flow| {
            section_pages.push(flow.anchor())
        });
    }
    let section_pages: Vec<usize> = section_pages.iter().map(|a| body.anchor_page(*a)).collect();
    let entry_pages = refs
        .entries
        .borrow()
        .iter()
        .map(|(id, a)| (*id, body.anchor_page(*a) + first_body_page + 1))
        .collect();
    drop(body_sections);
    Ok(Body {
        pages: body.finish_packing(),
        toc_items,
        toc_pages,
        section_pages,
        entry_pages,
        forward_used: refs.forward_used.get(),
        known: refs.known_entry_pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Contact, Entry, Field, Kind, Owner, Secret};
    use layout::Item;

    fn unpacked(pages: &Pages) -> Vec<Vec<Item>> {
        (0..pages.len())
            .map(|i| {
                let mut items = Vec::new();
                pages.unpack(i, &mut items).unwrap();
                items
            })
            .collect()
    }

    /// Options for rendering `client` as of its creation, with a signing key.
    fn test_options(client: &Client, paper: Paper, lang: Lang) -> Options {
        Options {
            lang,
            paper,
            template_dir: None,
            as_of: client.created,
            client_key: None,
            provider: Default::default(),
            signing_key: Some("SHA256:uGZ8bQ0sKhYf1Zl2a0XwW9sVd3mJm3C8Wc0u5o3Yx2E".into()),
            stock_check: None,
            handed_over_to: None,
            data_pages: false,
        }
    }

    #[test]
    fn data_pages_follow_the_body_and_read_back_on_both_papers() {
        let c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Acme".into(),
            vec![],
            chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
        );
        let data = DataPages {
            bundle: (0..30_000u32).map(|i| (i * 7919 % 253) as u8).collect(),
            signature: b"-----BEGIN SSH SIGNATURE-----\nx\n-----END SSH SIGNATURE-----\n".to_vec(),
        };
        for (paper, lang, pages) in [(Paper::A4, Lang::De, 5), (Paper::Letter, Lang::En, 6)] {
            let mut options = test_options(&c, paper, lang);
            let plain = lay_out(&c, &options, &[], None).unwrap().pages.len();
            assert!(lay_out(&c, &options, &[], Some(&data)).is_err());
            options.data_pages = true;
            let laid = lay_out(&c, &options, &[], Some(&data)).unwrap();
            assert_eq!(laid.pages.len(), plain + pages);
            let t = &laid.template.texts;
            assert_eq!(laid.marks.last().unwrap(), &(t.data_title.clone(), plain));
            let codes = unpacked(&laid.pages)[plain..]
                .iter()
                .flatten()
                .filter(|i| matches!(i, Item::Qr { .. }))
                .count();
            // 35 data codes and parity for a page.
            let per_page = if paper == Paper::A4 { 12 } else { 9 };
            assert_eq!(codes, 35 + per_page.max(11), "{paper:?}");
            assert!(lay_out(&c, &options, &[], None).is_err());
        }
    }

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
        // The knowledge sections, as hostile: huge cells, deep nesting, raw HTML, long
        // code lines, a table of 5,000-character cells.
        let long = "Wörter ".repeat(700) + &"x".repeat(5000);
        let mut system = crate::model::System::new("S".repeat(300));
        system.purpose = Some(long.clone());
        system.site = Some("Ort ".repeat(100));
        system.ips = vec!["192.168.100.100".into(); 40];
        system.backup.method = Some(long.clone());
        system.entries = c.entries.iter().map(|e| e.id).collect();
        c.systems.push(system);
        let mut net = crate::model::Network::new("N".repeat(200));
        net.notes = Some(long.clone());
        c.networks.push(net);
        let mut vendor = crate::model::Vendor::new("V".repeat(300));
        vendor.hotline = Some(long.clone());
        vendor.contract.term_end = chrono::NaiveDate::from_ymd_opt(2026, 12, 31);
        vendor.contract.notice_months = Some(3);
        c.vendors.push(vendor);
        let mut nested = String::new();
        for depth in 0..40 {
            nested.push_str(&format!(
                "{}- level {depth} {}\n",
                "  ".repeat(depth),
                "y".repeat(50)
            ));
        }
        let cell = "z".repeat(5000);
        let body = format!(
            "# Titel {long}\n\n{nested}\n\n| a | b |\n|---|---|\n| {cell} | {cell} |\n\n```\n{}\n```\n\n<script>alert(1)</script>\n\n1. eins\n2. zwei\n\n> zitat {long}\n\n[link](https://example.com/{})\n",
            "c".repeat(3000),
            "p".repeat(400)
        );
        c.documents.push(crate::model::Document::new(
            "doc/x".into(),
            crate::model::DocumentKind::Procedure,
        ));
        c.documents[0].body = body;
        let mut d = crate::model::Decision::new(
            "D".repeat(300),
            chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        );
        d.why = Some(format!(
            "{long}\n\n{}x{}\n\n~~**_{}_**~~ `{}`\n\n| t |\n|---|\n| **{cell}** |",
            "*".repeat(500),
            "*".repeat(500),
            "w ".repeat(2000),
            "c".repeat(3000)
        ));
        d.alternatives = Some(format!(
            "```\n{}\n```\n# heading\n{nested}",
            "k".repeat(2000)
        ));
        c.decisions.push(d);
        c
    }

    #[test]
    fn hostile_values_render_inside_the_page_and_parse() {
        let client = hostile_client();
        for paper in [Paper::A4, Paper::Letter] {
            let options = test_options(&client, paper, Lang::En);
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

    /// A client whose groups, documents and decisions put headings at every height of
    /// a page: of 60 entries with notes of growing length, some heading is bound to
    /// fall near a page's foot.
    fn client_with_many_headings() -> Client {
        let now = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap();
        let mut c = Client::new(ClientId::parse("h").unwrap(), "H GmbH".into(), vec![], now);
        for i in 0..60 {
            let mut e = Entry::new(format!("gruppe-{:02}/eintrag-{i}", i / 3), Kind::Login);
            e.password = Some(Secret::new(format!("pw-{i}")));
            e.notes = Some("Notizzeile mit etwas Text. ".repeat(i % 17));
            c.entries.push(e);
        }
        let mut body = String::new();
        for i in 0..40 {
            body.push_str(&format!(
                "## Abschnitt {i}\n\n{}\n\n",
                "Wort ".repeat(i * 7)
            ));
        }
        let mut doc = crate::model::Document::new(
            "ablauf/lang".into(),
            crate::model::DocumentKind::Procedure,
        );
        doc.body = body;
        c.documents.push(doc);
        for i in 0..25 {
            let mut d = crate::model::Decision::new(
                format!("Entscheidung {i}"),
                chrono::NaiveDate::from_ymd_opt(2020, 1, 1 + i).unwrap(),
            );
            d.why = Some("Grund. ".repeat(i as usize * 9));
            c.decisions.push(d);
        }
        c
    }

    /// No heading is the last thing on a page: it always has at least a line of what
    /// it heads below it (on both papers, both languages).
    #[test]
    fn no_heading_ends_a_page() {
        let client = client_with_many_headings();
        for (paper, lang) in [(Paper::A4, Lang::De), (Paper::Letter, Lang::En)] {
            let options = test_options(&client, paper, lang);
            let laid = lay_out(&client, &options, &[], None).unwrap();
            let geo = Geometry::new(paper);
            let mut checked = 0;
            for (n, page) in unpacked(&laid.pages).iter().enumerate() {
                // The lowest text in the body (the footer lies below `geo.bottom`).
                let last = page
                    .iter()
                    .filter_map(|i| match i {
                        Item::Text {
                            y,
                            face,
                            size,
                            text,
                            ..
                        } if *y > geo.bottom && *y < geo.top => Some((*y, *face, *size, text)),
                        _ => None,
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((_, face, size, text)) = last {
                    let heading = face == fonts::Face::Bold && size >= 11.0;
                    assert!(
                        !heading,
                        "{paper:?} page {}: ends with the heading {:?}",
                        n + 1,
                        text.as_str()
                    );
                    checked += 1;
                }
            }
            assert!(checked > 10, "{checked} pages");
        }
    }

    #[test]
    fn every_item_of_every_page_stays_inside_the_margins() {
        // The pdftotext -bbox test checks real output for a realistic client; this one
        // checks every laid-out item of the hostile client, on both papers.
        let client = hostile_client();
        let margin = 10.0 * layout::MM;
        for (paper, lang) in [(Paper::A4, Lang::De), (Paper::Letter, Lang::En)] {
            let options = test_options(&client, paper, lang);
            let laid = lay_out(&client, &options, &[], None).unwrap();
            let (width, height) = paper.size();
            let fonts = fonts::Fonts::get();
            for page in &unpacked(&laid.pages) {
                for item in page {
                    let Some((x0, y0, x1, y1)) = item.bounds(fonts) else {
                        continue;
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
