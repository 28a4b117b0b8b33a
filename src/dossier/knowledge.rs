//! The client's IT beyond its credentials, as the dossier prints it: tables (whose
//! header repeats on every page they run onto, and whose cells may be any length),
//! Markdown documents (CommonMark, parsed by pulldown-cmark), and the rows of the
//! infrastructure, vendor, document and decision sections.

use chrono::NaiveDate;
use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag, TagEnd};

use super::content::{BODY, Ctx, Value};
use super::fonts::Face;
use super::layout::{
    BLACK, Flow, GREY, Item, LIGHT, MM, RED, RULE, Row, Span, Style, measure, wrap_chars,
    wrap_rich, wrap_words,
};
use super::templates::{Texts, fill};
use crate::model::{Client, Decision, DecisionStatus, Document, DocumentKind, System, Vendor};
use uuid::Uuid;

const CELL: Style = Style::new(Face::Sans, 8.0, BLACK);
const CELL_HEAD: Style = Style::new(Face::Bold, 8.0, BLACK);
const CODE: Style = Style::new(Face::Mono, 8.5, BLACK);
const PAD: f32 = 1.5 * MM;
/// Lists nest visibly up to this depth; deeper items are indented no further, so that
/// a hostile document cannot push text off the page.
const MAX_INDENT_LEVELS: usize = 6;

/// A table: `columns` are (title, share of the body width); every row has one cell per
/// column. A row that does not fit on the page moves to the next, under a repeated
/// header; a row taller than a page is split between its lines.
pub fn table(ctx: &Ctx<'_>, flow: &mut Flow, columns: &[(&str, f32)], rows: &[Vec<String>]) {
    table_marking(ctx, flow, columns, rows, &mut |_, _| {});
}

/// A [`table`] that calls `before_row(i, flow)` just before row `i` is placed, so that
/// an anchor made there lands on the row's page.
pub fn table_marking(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    columns: &[(&str, f32)],
    rows: &[Vec<String>],
    before_row: &mut dyn FnMut(usize, &mut Flow),
) {
    let total: f32 = columns.iter().map(|(_, w)| w).sum();
    let widths: Vec<f32> = columns
        .iter()
        .map(|(_, w)| w / total * ctx.geo.body_width())
        .collect();
    let header = || {
        let titles: Vec<String> = columns.iter().map(|(t, _)| (*t).to_owned()).collect();
        let mut bands = bands(ctx, CELL_HEAD, &widths, &titles);
        for band in &mut bands {
            band.items.insert(
                0,
                Item::Rect {
                    x: 0.0,
                    y: -band.height,
                    w: ctx.geo.body_width(),
                    h: band.height,
                    fill: Some(LIGHT),
                    stroke: None,
                },
            );
        }
        bands
    };
    let place_header = |flow: &mut Flow| {
        for band in header() {
            flow.row(band);
        }
    };
    let header_h: f32 = header().iter().map(|b| b.height).sum();
    flow.keep(header_h + 3.0 * CELL.leading());
    place_header(flow);
    for (i, row) in rows.iter().enumerate() {
        before_row(i, flow);
        let mut bands = bands(ctx, CELL, &widths, row);
        if let Some(last) = bands.last_mut() {
            let h = last.height;
            last.items.push(super::content::rule(
                0.0,
                -h,
                ctx.geo.body_width(),
                RULE,
                0.4,
            ));
        }
        let height: f32 = bands.iter().map(|b| b.height).sum();
        if height > flow.remaining() && height + header_h <= flow.geo.body_height() {
            flow.new_page();
            place_header(flow);
        }
        for band in bands {
            if band.height > flow.remaining() + 0.01 {
                flow.new_page();
                place_header(flow);
            }
            flow.row(band);
        }
    }
    flow.space(3.0 * MM);
}

/// One row of cells as bands: band `i` holds line `i` of every cell.
fn bands(ctx: &Ctx<'_>, style: Style, widths: &[f32], cells: &[String]) -> Vec<Row> {
    let lines: Vec<Vec<String>> = widths
        .iter()
        .zip(
            cells
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat("")),
        )
        .map(|(w, cell)| wrap_words(ctx.fonts, style, cell, w - 2.0 * PAD))
        .collect();
    let n = lines.iter().map(Vec::len).max().unwrap_or(0).max(1);
    (0..n)
        .map(|i| {
            let last = i + 1 == n;
            let mut band = Row::new(
                style.leading() + if i == 0 { PAD } else { 0.0 } + if last { PAD } else { 0.0 },
            );
            let top = if i == 0 { PAD } else { 0.0 };
            let mut x = 0.0;
            for (w, cell) in widths.iter().zip(&lines) {
                if let Some(line) = cell.get(i) {
                    band.text(ctx.fonts, x + PAD, top + style.size, style, line);
                }
                x += w;
            }
            band
        })
        .collect()
}

/// Renders a Markdown document: headings, paragraphs, bullet and numbered lists,
/// tables, code blocks in the mono face, block quotes; strong text in the bold face,
/// emphasis slanted, inline code in the mono face, strikethrough struck; links as
/// their text followed by the address, raw HTML as the text it is.
pub fn markdown(ctx: &Ctx<'_>, flow: &mut Flow, source: &str) {
    markdown_beside(ctx, flow, source, 0.0, None);
}

/// Markdown set from `indent` on, with `label` beside its first line (a decision's
/// "Why" in the label column, its reasons in the value column).
fn markdown_beside(ctx: &Ctx<'_>, flow: &mut Flow, source: &str, indent: f32, label: Option<&str>) {
    let mut md = Markdown {
        base_indent: indent,
        label: label.map(str::to_owned),
        ..Markdown::default()
    };
    let parser = Parser::new_ext(
        source,
        MdOptions::ENABLE_TABLES | MdOptions::ENABLE_STRIKETHROUGH,
    );
    for event in parser {
        md.event(ctx, flow, event);
    }
    md.flush(ctx, flow);
}

#[derive(Default)]
struct Markdown {
    /// The paragraph (or heading, or table cell) being collected, in styled pieces.
    spans: Vec<Span>,
    strong: usize,
    emphasis: usize,
    strike: usize,
    /// Open lists: the next number of a numbered one, `None` for bullets.
    lists: Vec<Option<u64>>,
    /// The prefix of the list item whose first paragraph is being collected.
    item: Option<String>,
    heading: Option<u8>,
    code: Option<String>,
    links: Vec<String>,
    table: Option<Vec<Vec<String>>>,
    quote: usize,
    /// Where the document's left edge is (0 for a document of its own; the value
    /// column for a decision's reasons).
    base_indent: f32,
    /// A label printed beside the first line placed (a decision's "Why").
    label: Option<String>,
}

impl Markdown {
    fn indent(&self) -> f32 {
        self.base_indent
            + (self.lists.len().min(MAX_INDENT_LEVELS) as f32) * 5.0 * MM
            + self.quote.min(3) as f32 * 4.0 * MM
    }

    /// The collected text without its styles (for headings and table cells).
    fn take_text(&mut self) -> String {
        self.spans.drain(..).map(|s| s.text).collect()
    }

    fn push(&mut self, text: &str, code: bool) {
        let mut style = BODY;
        if code {
            style.face = Face::Mono;
            style.size = CODE.size;
        } else if self.strong > 0 {
            style.face = Face::Bold;
        }
        style.oblique = self.emphasis > 0;
        self.spans.push(Span {
            style,
            strike: self.strike > 0,
            text: text.to_owned(),
        });
    }

    /// A label not yet printed goes on a line of its own before a block that cannot
    /// carry it (a table, a code block, a heading).
    fn label_alone(&mut self, ctx: &Ctx<'_>, flow: &mut Flow) {
        if let Some(label) = self.label.take() {
            let mut row = Row::new(BODY.leading());
            row.text(ctx.fonts, 0.0, BODY.size, super::content::LABEL, &label);
            flow.row(row);
        }
    }

    fn event(&mut self, ctx: &Ctx<'_>, flow: &mut Flow, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush(ctx, flow);
                self.heading = Some(level as u8);
            }
            Event::End(TagEnd::Heading(_)) => {
                let level = self.heading.take().unwrap_or(3);
                self.label_alone(ctx, flow);
                let text = self.take_text();
                ctx.heading(flow, text.trim(), if level <= 2 { 3 } else { 4 }, None);
            }
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => self.flush(ctx, flow),
            Event::Start(Tag::List(start)) => {
                self.flush(ctx, flow);
                self.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                self.flush(ctx, flow);
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.flush(ctx, flow);
                let prefix = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let p = format!("{n}.");
                        *n += 1;
                        p
                    }
                    _ => "•".to_owned(),
                };
                self.item = Some(prefix);
            }
            Event::End(TagEnd::Item) => self.flush(ctx, flow),
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush(ctx, flow);
                self.quote += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush(ctx, flow);
                self.quote = self.quote.saturating_sub(1);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush(ctx, flow);
                self.code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                self.label_alone(ctx, flow);
                if let Some(code) = self.code.take() {
                    code_block(ctx, flow, code.trim_end_matches('\n'), self.indent());
                }
            }
            Event::Start(Tag::Table(_)) => {
                self.flush(ctx, flow);
                self.table = Some(Vec::new());
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                if let Some(t) = &mut self.table {
                    t.push(Vec::new());
                }
            }
            Event::End(TagEnd::TableCell) => {
                let cell = self.take_text();
                if let Some(row) = self.table.as_mut().and_then(|t| t.last_mut()) {
                    row.push(cell.trim().to_owned());
                }
            }
            Event::End(TagEnd::Table) => {
                self.label_alone(ctx, flow);
                if let Some(mut rows) = self.table.take()
                    && !rows.is_empty()
                {
                    let head = rows.remove(0);
                    let cols: Vec<(&str, f32)> = head.iter().map(|h| (h.as_str(), 1.0)).collect();
                    if !cols.is_empty() {
                        table(ctx, flow, &cols, &rows);
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => self.links.push(dest_url.into_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = self.links.pop()
                    && !url.is_empty()
                    && !self
                        .spans
                        .last()
                        .is_some_and(|s| s.text.ends_with(url.as_str()))
                {
                    let (strong, emphasis) = (self.strong, self.emphasis);
                    (self.strong, self.emphasis) = (0, 0);
                    self.push(&format!(" ({url})"), false);
                    (self.strong, self.emphasis) = (strong, emphasis);
                }
            }
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong = self.strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => self.emphasis += 1,
            Event::End(TagEnd::Emphasis) => self.emphasis = self.emphasis.saturating_sub(1),
            Event::Start(Tag::Strikethrough) => self.strike += 1,
            Event::End(TagEnd::Strikethrough) => self.strike = self.strike.saturating_sub(1),
            Event::Code(t) => match &mut self.code {
                Some(code) => code.push_str(&t),
                None => self.push(&t, true),
            },
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => match &mut self.code {
                Some(code) => code.push_str(&t),
                None => self.push(&t, false),
            },
            Event::SoftBreak => self.push(" ", false),
            Event::HardBreak => self.push("\n", false),
            Event::Rule => {
                self.flush(ctx, flow);
                let mut row = Row::new(6.0);
                row.items.push(super::content::rule(
                    0.0,
                    -3.0,
                    ctx.geo.body_width(),
                    RULE,
                    0.5,
                ));
                flow.row(row);
            }
            Event::TaskListMarker(done) => self.push(if done { "[x] " } else { "[ ] " }, false),
            _ => {}
        }
    }

    /// Places the collected text as a paragraph (or list item), in its styles.
    fn flush(&mut self, ctx: &Ctx<'_>, flow: &mut Flow) {
        let spans = trim_spans(std::mem::take(&mut self.spans));
        let item = self.item.take();
        if spans.is_empty() && item.is_none() {
            return;
        }
        let indent = self.indent();
        let width = ctx.geo.body_width() - indent;
        let label = self.label.take();
        let mut rows = Vec::new();
        for (i, line) in wrap_rich(ctx.fonts, &spans, width).iter().enumerate() {
            let mut row = Row::new(BODY.leading());
            if i == 0 {
                if let Some(prefix) = &item {
                    let w = measure(ctx.fonts, BODY.face, BODY.size, prefix);
                    row.text(ctx.fonts, indent - w - 1.5 * MM, BODY.size, BODY, prefix);
                }
                if let Some(label) = &label {
                    row.text(ctx.fonts, 0.0, BODY.size, super::content::LABEL, label);
                }
            }
            let mut x = indent;
            for piece in line {
                let w = measure(ctx.fonts, piece.style.face, piece.style.size, &piece.text);
                row.text(ctx.fonts, x, BODY.size, piece.style, &piece.text);
                if piece.strike {
                    let y = -BODY.size + piece.style.size * 0.3;
                    row.items.push(Item::Line {
                        points: vec![(x, y), (x + w, y)],
                        width: 0.5,
                        color: piece.style.color,
                    });
                }
                x += w;
            }
            rows.push(row);
        }
        if let Some(last) = rows.last_mut() {
            last.height += 2.0;
        }
        flow.block(rows);
    }
}

/// Leading and trailing white space of a paragraph removed, across its pieces.
fn trim_spans(mut spans: Vec<Span>) -> Vec<Span> {
    while let Some(first) = spans.first_mut() {
        let trimmed = first.text.trim_start();
        if trimmed.is_empty() {
            spans.remove(0);
        } else {
            first.text = trimmed.to_owned();
            break;
        }
    }
    while let Some(last) = spans.last_mut() {
        let trimmed = last.text.trim_end();
        if trimmed.is_empty() {
            spans.pop();
        } else {
            last.text.truncate(trimmed.len());
            break;
        }
    }
    spans
}

/// Code in the mono face on a grey ground, each source line kept as a line (wrapped
/// between characters only where it is wider than the page).
fn code_block(ctx: &Ctx<'_>, flow: &mut Flow, code: &str, indent: f32) {
    let width = ctx.geo.body_width() - indent - 2.0 * PAD;
    let mut rows = Vec::new();
    for source_line in code.split('\n') {
        let pieces = wrap_chars(ctx.fonts, CODE, source_line, width);
        for piece in pieces.iter() {
            let mut row = Row::new(CODE.leading());
            row.items.push(Item::Rect {
                x: indent,
                y: -CODE.leading(),
                w: ctx.geo.body_width() - indent,
                h: CODE.leading(),
                fill: Some(LIGHT),
                stroke: None,
            });
            row.text(ctx.fonts, indent + PAD, CODE.size, CODE, piece);
            rows.push(row);
        }
    }
    if let Some(last) = rows.last_mut() {
        last.height += 3.0;
    }
    flow.block(rows);
}

/// Systems by site, as tables; then the networks. `anchor` is called with a system's
/// or network's id just before its row is placed; `entry_page` gives the printed page
/// of an entry.
pub fn infrastructure(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    sites: &[String],
    anchor: &mut dyn FnMut(Uuid, &mut Flow),
    entry_page: &dyn Fn(Uuid) -> usize,
) {
    let t = ctx.texts;
    for site in sites {
        let systems: Vec<&System> = sorted_systems(client)
            .into_iter()
            .filter(|s| s.site.as_deref().unwrap_or("") == site.as_str())
            .collect();
        let title = if site.is_empty() {
            &t.ungrouped_title
        } else {
            site
        };
        ctx.heading(flow, title, 3, None);
        let logins_of = |s: &System| -> Vec<&crate::model::Entry> {
            s.entries
                .iter()
                .filter_map(|id| client.entry_by_id(*id))
                .collect()
        };
        let rows: Vec<Vec<String>> = systems
            .iter()
            .map(|s| {
                let mut row = system_row(t, s);
                let mut pages: Vec<usize> = logins_of(s).iter().map(|e| entry_page(e.id)).collect();
                pages.sort_unstable();
                pages.dedup();
                let pages: Vec<String> = pages.iter().map(usize::to_string).collect();
                if !pages.is_empty() {
                    row[0].push_str(&format!(
                        "\n→ {}",
                        fill(&t.page_ref, &[("page", &pages.join(", "))])
                    ));
                }
                row
            })
            .collect();
        table_marking(
            ctx,
            flow,
            &[
                (&t.sys_name, 1.25),
                (&t.sys_purpose, 1.35),
                (&t.sys_device, 1.1),
                (&t.sys_address, 1.1),
                (&t.sys_location, 1.05),
                (&t.sys_criticality, 1.15),
                (&t.sys_warranty, 1.0),
            ],
            &rows,
            &mut |i, flow| {
                if let Some(s) = systems.get(i) {
                    anchor(s.id, flow);
                }
            },
        );
        for s in systems {
            let mut rows = Vec::new();
            let backup = [s.backup.method.as_deref(), s.backup.target.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" → ");
            if !backup.is_empty() || s.backup.last_restore_test.is_some() {
                let mut text = backup;
                if let Some(d) = s.backup.last_restore_test {
                    if !text.is_empty() {
                        text.push_str("; ");
                    }
                    text.push_str(&format!("{} {}", t.sys_restore_test, ctx.fmt_date(d)));
                }
                rows.extend(ctx.field(
                    &format!("{} — {}", s.name, t.sys_backup),
                    Value::Plain(&text),
                ));
            }
            let logins: Vec<String> = logins_of(s)
                .iter()
                .map(|e| {
                    let page = entry_page(e.id).to_string();
                    format!(
                        "{} ({})",
                        e.display_title(),
                        fill(&t.page_ref, &[("page", &page)])
                    )
                })
                .collect();
            if !logins.is_empty() {
                rows.extend(ctx.field(
                    &format!("{} — {}", s.name, t.sys_logins),
                    Value::Plain(&logins.join(", ")),
                ));
            }
            if let Some(notes) = &s.notes {
                rows.extend(ctx.field(&format!("{} — {}", s.name, t.notes), Value::Plain(notes)));
            }
            if !rows.is_empty() {
                flow.block(rows);
            }
        }
    }
    if !client.networks.is_empty() {
        ctx.heading(flow, &t.networks_title, 3, None);
        let mut networks: Vec<_> = client.networks.iter().collect();
        networks.sort_by(|a, b| (&a.site, &a.name).cmp(&(&b.site, &b.name)));
        let rows: Vec<Vec<String>> = networks
            .iter()
            .map(|n| {
                vec![
                    n.name.clone(),
                    n.cidr.clone().unwrap_or_default(),
                    n.vlan.map(|v| v.to_string()).unwrap_or_default(),
                    n.gateway.clone().unwrap_or_default(),
                    n.dhcp_range.clone().unwrap_or_default(),
                    n.dns.join(", "),
                    [n.site.as_deref(), n.notes.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" — "),
                ]
            })
            .collect();
        table_marking(
            ctx,
            flow,
            &[
                (&t.net_name, 1.0),
                ("CIDR", 1.5),
                ("VLAN", 0.6),
                (&t.net_gateway, 1.15),
                ("DHCP", 1.3),
                ("DNS", 1.15),
                (&t.net_notes, 1.9),
            ],
            &rows,
            &mut |i, flow| {
                if let Some(n) = networks.get(i) {
                    anchor(n.id, flow);
                }
            },
        );
    }
}

/// Systems in a stable order: critical first, then by name.
pub fn sorted_systems(client: &Client) -> Vec<&System> {
    let mut systems: Vec<&System> = client.systems.iter().collect();
    systems.sort_by(|a, b| (a.criticality, &a.name).cmp(&(b.criticality, &b.name)));
    systems
}

/// The sites that have systems, in order; "" for systems without a site.
pub fn sites(client: &Client) -> Vec<String> {
    let mut sites: Vec<String> = client
        .systems
        .iter()
        .map(|s| s.site.clone().unwrap_or_default())
        .collect();
    sites.sort();
    sites.dedup();
    // Systems without a site last.
    if sites.first().is_some_and(String::is_empty) {
        let empty = sites.remove(0);
        sites.push(empty);
    }
    sites
}

fn system_row(t: &Texts, s: &System) -> Vec<String> {
    let device = [s.make.as_deref(), s.model.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut device = device;
    if let Some(os) = &s.os {
        if !device.is_empty() {
            device.push_str(", ");
        }
        device.push_str(os);
    }
    let mut address: Vec<String> = s.hostname.iter().cloned().collect();
    address.extend(s.ips.iter().cloned());
    if let Some(line) = &s.line_id {
        address.push(line.clone());
    }
    let category = t
        .categories
        .get(s.category.as_str())
        .cloned()
        .unwrap_or_else(|| s.category.as_str().to_owned());
    vec![
        format!("{} ({category})", s.name),
        s.purpose.clone().unwrap_or_default(),
        device,
        address.join(", "),
        s.location.clone().unwrap_or_default(),
        t.criticalities
            .get(s.criticality.as_str())
            .cloned()
            .unwrap_or_else(|| s.criticality.as_str().to_owned()),
        s.warranty_until
            .map(|d| d.format(&t.date_format).to_string())
            .unwrap_or_default(),
    ]
}

/// Each vendor with its hotline, numbers, contract and cancellation deadline (red when
/// it is within 90 days or past). `anchor` is called with each vendor's id just before
/// it is placed.
pub fn vendors(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    today: NaiveDate,
    anchor: &mut dyn FnMut(Uuid, &mut Flow),
) {
    let t = ctx.texts;
    let mut vendors: Vec<&Vendor> = client.vendors.iter().collect();
    vendors.sort_by(|a, b| a.name.cmp(&b.name));
    for v in vendors {
        let mut rows = ctx.para(&v.name, Style::new(Face::Bold, 10.5, BLACK), 0.0);
        for (label, value) in [
            (&t.ven_provides, &v.provides),
            (&t.ven_hotline, &v.hotline),
            (&t.ven_customer_number, &v.customer_number),
            (&t.email, &v.email),
            (&t.ven_portal, &v.portal_url),
            (&t.ven_contract_number, &v.contract.number),
        ] {
            if let Some(value) = value {
                rows.extend(ctx.field(label, Value::Plain(value)));
            }
        }
        if let Some(start) = v.contract.start {
            rows.extend(ctx.field(&t.ven_start, Value::Plain(&ctx.fmt_date(start))));
        }
        if let Some(end) = v.contract.current_term_end(today) {
            rows.extend(ctx.field(&t.ven_term_end, Value::Plain(&ctx.fmt_date(end))));
        }
        if let Some(deadline) = v.contract.cancellation_deadline(today) {
            let soon = deadline
                <= today + chrono::Days::new(crate::model::rules::CANCELLATION_WARNING_DAYS);
            rows.extend(ctx.field(&t.ven_deadline, Value::Plain(&ctx.fmt_date(deadline))));
            if soon {
                let warn = if deadline < today {
                    &t.ven_deadline_past
                } else {
                    &t.ven_deadline_soon
                };
                rows.extend(ctx.para(warn, Style::new(Face::Bold, 9.0, RED), 36.0 * MM));
            }
        }
        for c in &v.contacts {
            rows.extend(ctx.field(&c.name, Value::Plain(&super::content::contact_line(c))));
        }
        if let Some(notes) = &v.notes {
            rows.extend(ctx.field(&t.notes, Value::Plain(notes)));
        }
        rows.push(separator(ctx));
        anchor(v.id, flow);
        flow.block(rows);
    }
}

/// Documents in the order a successor reads them: the first-hour plan first, then
/// procedures, overviews, notes; by path within a kind.
pub fn sorted_documents(client: &Client) -> Vec<&Document> {
    let rank = |k: DocumentKind| match k {
        DocumentKind::FirstHourPlan => 0,
        DocumentKind::Procedure => 1,
        DocumentKind::Overview => 2,
        DocumentKind::Note => 3,
    };
    let mut docs: Vec<&Document> = client.documents.iter().collect();
    docs.sort_by(|a, b| (rank(a.kind), &a.path).cmp(&(rank(b.kind), &b.path)));
    docs
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
                format!(
                    "{} „{}“ ({})",
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
            markdown_beside(ctx, flow, v, super::content::LABEL_W, Some(label));
        }
    }
    let mut rows = Vec::new();
    if let Some(by) = &d.decided_by {
        rows.extend(ctx.field(&t.dec_by, Value::Plain(by)));
    }
    rows.push(separator(ctx));
    flow.block(rows);
}

/// The thin rule that ends a vendor or a decision.
fn separator(ctx: &Ctx<'_>) -> Row {
    let mut sep = Row::new(6.0);
    sep.items.push(super::content::rule(
        0.0,
        -3.0,
        ctx.geo.body_width(),
        RULE,
        0.4,
    ));
    sep
}
