//! What the dossier says, section by section, as rows for the layout.

use chrono::NaiveDate;
use zeroize::Zeroizing;

use super::fonts::{Face, Fonts};
use super::layout::{
    BLACK, Flow, GREY, Geometry, Item, LIGHT, MM, RED, RULE, Rgb, Row, Style, measure, wrap_chars,
    wrap_words,
};
use super::templates::{Branding, Texts, fill};
use crate::model::{Client, Entry, Owner};

pub const BODY: Style = Style::new(Face::Sans, 10.0, BLACK);
pub const SMALL: Style = Style::new(Face::Sans, 8.5, GREY);
pub const LABEL: Style = Style::new(Face::Sans, 8.5, GREY);
const SECRET: Style = Style::new(Face::Mono, 9.5, BLACK);
const CODE: Style = Style::new(Face::Mono, 8.5, BLACK);
pub const LABEL_W: f32 = 36.0 * MM;
/// Room right of a value for the continuation arrow.
const GUTTER: f32 = 4.0 * MM;
const QR_SIZE: f32 = 32.0 * MM;

/// How a value is set.
pub enum Value<'a> {
    /// Prose: word-wrapped.
    Plain(&'a str),
    /// Machine text that is not secret (multi-line field values): monospace,
    /// character-wrapped, no box.
    Code(&'a str),
    /// A secret: monospace, character-wrapped, boxed, spaces at line ends marked.
    Secret(&'a str),
}

/// Everything the content builder needs.
pub struct Ctx<'a> {
    pub fonts: &'static Fonts,
    pub texts: &'a Texts,
    pub branding: &'a Branding,
    pub accent: Rgb,
    pub geo: Geometry,
    /// The "as of" date, formatted.
    pub date: String,
    pub today: NaiveDate,
    pub fingerprint: &'a str,
    /// The provider's signing-key fingerprint, if known.
    pub signing_key: Option<&'a str>,
    /// Field labels as wrapped: a dossier prints the same few labels thousands of times.
    pub labels: LabelCache,
}

/// Wrapped field labels by label text (names of fields, never their values).
#[derive(Default)]
pub struct LabelCache(std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<[String]>>>);

impl Ctx<'_> {
    fn label_lines(&self, label: &str) -> std::rc::Rc<[String]> {
        if let Some(lines) = self.labels.0.borrow().get(label) {
            return lines.clone();
        }
        let lines: std::rc::Rc<[String]> =
            wrap_words(self.fonts, LABEL, label, LABEL_W - 3.0 * MM).into();
        self.labels
            .0
            .borrow_mut()
            .insert(label.to_owned(), lines.clone());
        lines
    }

    fn value_width(&self) -> f32 {
        self.geo.body_width() - LABEL_W - GUTTER
    }

    pub fn fmt_date(&self, d: NaiveDate) -> String {
        d.format(&self.texts.date_format).to_string()
    }

    /// One row per wrapped line of prose.
    pub fn para(&self, text: &str, style: Style, indent: f32) -> Vec<Row> {
        wrap_words(self.fonts, style, text, self.geo.body_width() - indent)
            .into_iter()
            .map(|line| {
                let mut row = Row::new(style.leading());
                row.text(self.fonts, indent, style.size, style, &line);
                row
            })
            .collect()
    }

    pub fn heading(&self, flow: &mut Flow, text: &str, level: u8, bookmark: Option<&str>) {
        let style = match level {
            1 => Style::new(Face::Bold, 16.0, self.accent),
            2 => Style::new(Face::Bold, 12.5, self.accent),
            3 => Style::new(Face::Bold, 11.0, BLACK),
            _ => Style::new(Face::Bold, 10.0, self.accent),
        };
        // A heading never ends a page: keep room for it and a few lines after it, and
        // if what follows does not fit after all, it moves to the next page with it.
        flow.space(style.size * 0.8);
        flow.keep(style.leading() * 2.0 + 60.0);
        flow.begin_heading();
        if let Some(mark) = bookmark {
            flow.mark(mark);
        }
        for line in wrap_words(self.fonts, style, text, self.geo.body_width()) {
            let mut row = Row::new(style.leading());
            row.text(self.fonts, 0.0, style.size, style, &line);
            flow.row(row);
        }
        if level == 1 {
            let mut row = Row::new(6.0);
            row.items
                .push(rule(0.0, -2.0, self.geo.body_width(), self.accent, 0.8));
            flow.row(row);
        } else {
            flow.space(2.0);
        }
        flow.end_heading();
    }

    /// Label and value side by side. Plain values wrap at spaces; secrets wrap between
    /// characters, each printed line in a grey box, with a drawn ↵ where a line continues.
    pub fn field(&self, label: &str, value: Value<'_>) -> Vec<Row> {
        let label_lines = self.label_lines(label);
        let mut lines: Vec<Line> = Vec::new();
        match value {
            Value::Plain(text) => {
                for l in wrap_words(self.fonts, BODY, text, self.value_width()) {
                    lines.push(Line::plain(Zeroizing::new(l), BODY));
                }
            }
            Value::Code(text) => self.char_lines(text, CODE, false, &mut lines),
            // Keys and certificates are 64 or 70 columns wide: set them small enough
            // that a line of the file stays a line on paper.
            Value::Secret(text) if text.contains('\n') => {
                self.char_lines(text, CODE, true, &mut lines)
            }
            Value::Secret(text) => self.char_lines(text, SECRET, true, &mut lines),
        }
        let line_h = |l: &Line| l.style.leading() + if l.boxed { 1.5 } else { 0.0 };
        let label_h = label_lines.len() as f32 * LABEL.leading();
        let value_h: f32 = lines.iter().map(line_h).sum();
        let total = label_h.max(value_h) + 2.0;
        let draw_label = |row: &mut Row| {
            for (i, l) in label_lines.iter().enumerate() {
                let baseline = BODY.size + i as f32 * LABEL.leading();
                row.text(self.fonts, 0.0, baseline, LABEL, l);
            }
        };
        // Secrets stay on one page whenever they fit on one (a reader must never piece
        // a password together across a page turn); long prose may flow.
        let atomic = match value {
            Value::Secret(_) | Value::Code(_) => total <= self.geo.body_height() * 0.9,
            Value::Plain(_) => total <= self.geo.body_height() / 3.0,
        };
        // Extraction in content order (`pdftotext -raw`) puts a label written before
        // its value on the value's first line: a secret is written first, so that each
        // of its lines comes out as a line of its own. Other values keep their label in
        // front (`Path m365/admin`), as a reader of the text expects.
        let label_last = matches!(value, Value::Secret(_));
        if atomic {
            let mut row = Row::new(total);
            if !label_last {
                draw_label(&mut row);
            }
            let mut y = 0.0;
            for line in &lines {
                self.draw_line(&mut row, line, y);
                y += line_h(line);
            }
            if label_last {
                draw_label(&mut row);
            }
            vec![row]
        } else {
            let mut rows = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                let mut row = Row::new(line_h(line));
                if i == 0 {
                    row.height = row.height.max(label_h);
                    if !label_last {
                        draw_label(&mut row);
                    }
                }
                self.draw_line(&mut row, line, 0.0);
                if i == 0 && label_last {
                    draw_label(&mut row);
                }
                rows.push(row);
            }
            if let Some(last) = rows.last_mut() {
                last.height += 2.0;
            }
            rows
        }
    }

    /// Character-wrapped lines of machine text. Each printed line is a span of its own
    /// whose copied text is the whole logical line on its first printed line and
    /// nothing on the lines it wraps onto: copying or extracting gives every line of
    /// the value exactly once, unbroken.
    fn char_lines(&self, text: &str, style: Style, boxed: bool, out: &mut Vec<Line>) {
        // A CR before LF is a Windows line end, not a character to print.
        let logical: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let sizes = report_sizes(&logical, style.size);
        for (logical, report_size) in logical.into_iter().zip(sizes) {
            let pieces = wrap_chars(self.fonts, style, logical, self.value_width());
            let n = pieces.len();
            for (i, piece) in pieces.into_iter().enumerate() {
                let copy = if i == 0 {
                    Zeroizing::new(logical.to_owned())
                } else {
                    Zeroizing::new(String::new())
                };
                out.push(Line {
                    text: piece,
                    style,
                    boxed,
                    continues: i + 1 < n,
                    copy: Some(copy),
                    report_size: if i == 0 { report_size } else { None },
                });
            }
        }
    }

    fn draw_line(&self, row: &mut Row, line: &Line, top: f32) {
        let x = LABEL_W;
        let baseline = top + BODY.size;
        let width = measure(self.fonts, line.style.face, line.style.size, &line.text);
        if line.boxed {
            let h = line.style.leading();
            row.items.push(Item::Rect {
                x: x - 1.5,
                y: -(top + h) + 0.5,
                w: width + 3.0,
                h,
                fill: Some(LIGHT),
                stroke: None,
            });
            // Spaces at either end of a printed line would be invisible: underline them.
            let chars: Vec<char> = line.text.chars().collect();
            let lead = chars.iter().take_while(|c| **c == ' ').count();
            let trail = if lead == chars.len() {
                0
            } else {
                chars.iter().rev().take_while(|c| **c == ' ').count()
            };
            let space = measure(self.fonts, line.style.face, line.style.size, " ");
            let mut marks: Vec<f32> = (0..lead).map(|i| x + i as f32 * space).collect();
            marks.extend((0..trail).map(|i| x + width - (i + 1) as f32 * space));
            for sx in marks {
                let y = -(baseline + 1.5);
                row.items.push(Item::Line {
                    points: vec![
                        (sx + 0.8, y + 2.0),
                        (sx + 0.8, y),
                        (sx + space - 0.8, y),
                        (sx + space - 0.8, y + 2.0),
                    ],
                    width: 0.6,
                    color: RED,
                });
            }
        }
        let span = line.copy.as_ref().filter(|_| !line.text.is_empty());
        if let Some(copy) = span {
            row.items.push(Item::ActualText { text: copy.clone() });
        }
        row.text(self.fonts, x, baseline, line.style, &line.text);
        if span.is_some() {
            row.items.push(Item::EndActualText {
                report_size: line.report_size,
            });
        }
        if line.continues {
            // ↵ drawn, not typed, so copying the secret never copies the mark.
            let ax = x + self.value_width() + 1.5 * MM;
            let y = -(baseline - line.style.size * 0.3);
            row.items.push(Item::Line {
                points: vec![(ax + 6.0, y + 5.0), (ax + 6.0, y), (ax, y)],
                width: 0.7,
                color: GREY,
            });
            row.items.push(Item::Line {
                points: vec![(ax + 2.2, y + 2.0), (ax, y), (ax + 2.2, y - 2.0)],
                width: 0.7,
                color: GREY,
            });
        }
    }

    /// A scannable QR code of `data`, with a caption beside it.
    /// `rows` stacked on the left and a QR code of `data` at the right edge, as one
    /// row; `None` when the code cannot be made or a row reaches into its place (the
    /// caller then sets them one under the other).
    pub fn beside_qr(&self, rows: Vec<Row>, data: &str) -> Option<Row> {
        let code = super::qr::encode(data.as_bytes())?;
        let left = self.geo.body_width() - QR_SIZE;
        if rows
            .iter()
            .flat_map(|r| &r.items)
            .filter_map(|i| i.bounds(self.fonts))
            .any(|(_, _, x1, _)| x1 > left - 2.0 * MM)
        {
            return None;
        }
        let height: f32 = rows.iter().map(|r| r.height).sum();
        let mut row = Row::new(height.max(QR_SIZE + 2.0));
        let mut y = 0.0;
        for r in rows {
            for mut item in r.items {
                item.shift(0.0, -y);
                row.items.push(item);
            }
            y += r.height;
        }
        qr_modules(&mut row, &code, left);
        Some(row)
    }

    pub fn qr(&self, data: &str, caption: &str) -> Option<Row> {
        let code = super::qr::encode(data.as_bytes())?;
        let mut row = Row::new(QR_SIZE + 2.0);
        qr_modules(&mut row, &code, LABEL_W - 1.5);
        for (i, line) in wrap_words(self.fonts, SMALL, caption, self.value_width() - QR_SIZE)
            .iter()
            .enumerate()
        {
            row.text(
                self.fonts,
                LABEL_W + QR_SIZE + 3.0 * MM,
                QR_SIZE / 2.0 + i as f32 * SMALL.leading(),
                SMALL,
                line,
            );
        }
        Some(row)
    }
}

/// The code `code`, in a `QR_SIZE` square (quiet zone included) whose left edge is at
/// `left` and top at the row's top.
fn qr_modules(row: &mut Row, code: &super::qr::Modules, left: f32) {
    let quiet = 4.0;
    let module = QR_SIZE / (code.width as f32 + 2.0 * quiet);
    row.items.push(Item::Qr {
        x: left + quiet * module,
        y: -(quiet + code.width as f32) * module,
        module,
        width: code.width,
        rows: code.packed_rows(),
    });
}

struct Line {
    text: Zeroizing<String>,
    style: Style,
    boxed: bool,
    continues: bool,
    /// What copying this printed line gives, if not its own characters.
    copy: Option<Zeroizing<String>>,
    /// The font size extractors are told, if not the printed one.
    report_size: Option<f32>,
}

impl Line {
    fn plain(text: Zeroizing<String>, style: Style) -> Self {
        Line {
            text,
            style,
            boxed: false,
            continues: false,
            copy: None,
            report_size: None,
        }
    }
}

/// Whether poppler's default `pdftotext` mode takes the line's last character for a
/// hyphen to drop at a line end (newer versions also take these other hyphens).
fn ends_like_hyphen(line: &str) -> bool {
    matches!(
        line.chars().last(),
        Some('-' | '\u{2010}' | '\u{FE63}' | '\u{FF0D}' | '\u{AD}')
    )
}

/// The font size to report to text extractors for each logical line of machine text
/// set at `size`, where it must differ from the printed one.
///
/// poppler's `pdftotext` (default mode) drops a hyphen that ends a line and joins the
/// next line onto it, unless the line is the last of its block and the block the last
/// of its flow: `-----BEGIN OPENSSH PRIVATE KEY-----` would lose a dash and take the
/// key's next line. It starts a new block where the font size changes by 5% and a new
/// flow where a block's font is larger than the block's before. So a line ending like a
/// hyphen reports 80% of its size, less than any text of the dossier (8 pt and up)
/// that could follow it, and in a run of such lines each reports 85% of the next.
/// Nothing printed changes: the size applies to the span's copied text only.
fn report_sizes(lines: &[&str], size: f32) -> Vec<Option<f32>> {
    let mut sizes = vec![None; lines.len()];
    // The next line that extracts as text at all, and the size it reports.
    let mut next: Option<f32> = None;
    for (i, line) in lines.iter().enumerate().rev() {
        if line.is_empty() {
            continue;
        }
        if ends_like_hyphen(line) {
            let s = next.map_or(size * 0.8, |n| (n * 0.85).min(size * 0.8));
            sizes[i] = Some(s);
            next = Some(s);
        } else {
            next = None;
        }
    }
    sizes
}

pub fn rule(x: f32, y: f32, w: f32, color: Rgb, width: f32) -> Item {
    Item::Line {
        points: vec![(x, y), (x + w, y)],
        width,
        color,
    }
}

/// The secret part of an otpauth URI (or the value itself, if it is a bare secret).
pub fn totp_secret(value: &str) -> Option<Zeroizing<String>> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix("otpauth://") {
        let query = rest.split_once('?')?.1;
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix("secret="))
            .map(|s| Zeroizing::new(s.to_owned()))
    } else {
        Some(Zeroizing::new(value.to_owned()))
    }
}

/// The entry as a block of rows: a header, then every field it has.
pub fn entry_rows(ctx: &Ctx<'_>, entry: &Entry) -> Vec<Row> {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let mut rows = Vec::new();
    let title_style = Style::new(Face::Bold, 11.0, BLACK);
    let kind = t
        .kinds
        .get(entry.kind.as_str())
        .map(String::as_str)
        .unwrap_or(entry.kind.as_str());
    let kind_w = measure(fonts, LABEL.face, LABEL.size, kind);
    let title = entry.display_title();
    let title_lines = wrap_words(
        fonts,
        title_style,
        title,
        ctx.geo.body_width() - kind_w - 6.0 * MM,
    );
    for (i, line) in title_lines.iter().enumerate() {
        let mut row = Row::new(title_style.leading());
        row.text(fonts, 0.0, title_style.size, title_style, line);
        if i == 0 {
            row.text(
                fonts,
                ctx.geo.body_width() - kind_w,
                title_style.size,
                LABEL,
                kind,
            );
        }
        rows.push(row);
    }
    rows.extend(ctx.field(&t.path, Value::Code(&entry.path)));
    let opt = |rows: &mut Vec<Row>, label: &str, value: &Option<String>| {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            rows.extend(ctx.field(label, Value::Code(v)));
        }
    };
    opt(&mut rows, &t.url, &entry.url);
    opt(&mut rows, &t.host, &entry.host);
    if let Some(port) = entry.port {
        rows.extend(ctx.field(&t.port, Value::Plain(&port.to_string())));
    }
    if let Some(u) = entry.username.as_deref() {
        // A user name is copied and typed like a secret: same exact, boxed rendering.
        rows.extend(ctx.field(&t.username, Value::Secret(u)));
    }
    if let Some(p) = &entry.password {
        let label = t
            .secret_labels
            .get(entry.kind.as_str())
            .unwrap_or(&t.password);
        rows.extend(ctx.field(label, Value::Secret(p.expose())));
    }
    if let Some(totp) = &entry.totp {
        let uri = totp.expose();
        match totp_secret(uri) {
            Some(secret) if uri.trim_start().starts_with("otpauth://") => {
                rows.extend(ctx.field(&t.totp_secret, Value::Secret(&secret)));
                rows.extend(ctx.field(&t.totp_uri, Value::Secret(uri)));
                if let Some(row) = ctx.qr(uri.trim(), &t.totp_qr) {
                    rows.push(row);
                }
            }
            Some(secret) => {
                rows.extend(ctx.field(&t.totp_secret, Value::Secret(&secret)));
                // A bare secret: the QR code carries the URI an authenticator app needs.
                let uri = crate::totp::uri(&secret, title);
                if !uri.expose().starts_with("otpauth://") {
                    rows.extend(ctx.para(&t.totp_unreadable, SMALL, LABEL_W));
                } else if let Some(row) = ctx.qr(uri.expose(), &t.totp_qr) {
                    rows.push(row);
                }
            }
            None => {
                rows.extend(ctx.field(&t.totp_uri, Value::Secret(uri)));
                rows.extend(ctx.para(&t.totp_unreadable, SMALL, LABEL_W));
            }
        }
    }
    if !entry.recovery_codes.is_empty() {
        let codes: Vec<&str> = entry.recovery_codes.iter().map(|c| c.expose()).collect();
        let joined = Zeroizing::new(codes.join("\n"));
        rows.extend(ctx.field(&t.recovery_codes, Value::Secret(&joined)));
    }
    for field in &entry.fields {
        let value = field.value.expose();
        let v = if field.secret {
            Value::Secret(value)
        } else if value.contains('\n') {
            Value::Code(value)
        } else {
            Value::Plain(value)
        };
        rows.extend(ctx.field(&field.name, v));
    }
    if let Some(n) = entry.notes.as_deref().filter(|n| !n.is_empty()) {
        rows.extend(ctx.field(&t.notes, Value::Plain(n)));
    }
    if let Some(owner) = entry.owner {
        let label = t
            .owners
            .get(owner.as_str())
            .map(String::as_str)
            .unwrap_or(owner.as_str());
        rows.extend(ctx.field(&t.owner, Value::Plain(label)));
    }
    let knows = if entry.provider_knows { &t.yes } else { &t.no };
    rows.extend(ctx.field(&t.provider_knows, Value::Plain(knows)));
    if let Some(d) = entry.expires {
        rows.extend(ctx.field(&t.expires, Value::Plain(&ctx.fmt_date(d))));
    }
    if let Some(d) = entry.rotated {
        rows.extend(ctx.field(&t.rotated, Value::Plain(&ctx.fmt_date(d))));
    }
    if !entry.tags.is_empty() {
        rows.extend(ctx.field(&t.tags, Value::Plain(&entry.tags.join(", "))));
    }
    let mut end = Row::new(9.0);
    end.items
        .push(rule(0.0, -4.0, ctx.geo.body_width(), RULE, 0.4));
    rows.push(end);
    rows
}

/// A checklist line: a drawn box to tick, then the text.
pub fn check_item(ctx: &Ctx<'_>, text: &str) -> Vec<Row> {
    check_item_at(ctx, text, None)
}

/// A checklist item with, at the right of its last line, the page where its entry is.
pub fn check_item_at(ctx: &Ctx<'_>, text: &str, page: Option<usize>) -> Vec<Row> {
    let indent = 7.0 * MM;
    // Room for the page number whether or not there is one, so the wrap is the same.
    let page_w = measure(ctx.fonts, BODY.face, BODY.size, "8888") + 4.0 * MM;
    let lines = wrap_words(
        ctx.fonts,
        BODY,
        text,
        ctx.geo.body_width() - indent - page_w,
    );
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut row = Row::new(BODY.leading() + if i + 1 == lines.len() { 3.0 } else { 0.0 });
        if i == 0 {
            row.items.push(Item::Rect {
                x: 1.0,
                y: -BODY.size - 1.0,
                w: 8.0,
                h: 8.0,
                fill: None,
                stroke: Some((BLACK, 0.6)),
            });
        }
        row.text(ctx.fonts, indent, BODY.size, BODY, line);
        if let Some(page) = page.filter(|_| i + 1 == lines.len()) {
            let num = page.to_string();
            let w = measure(ctx.fonts, BODY.face, BODY.size, &num);
            row.text(ctx.fonts, ctx.geo.body_width() - w, BODY.size, BODY, &num);
        }
        rows.push(row);
    }
    rows
}

/// Entries a successor must act on, most urgent first within each list.
pub struct Checklist<'a> {
    /// In the order of a takeover (see `model::rules::takeover_rank`).
    pub rotate: Vec<&'a Entry>,
    /// The takeover priority of each of `rotate` (1: first hour, 2: first day, 3: week).
    pub rotate_priority: Vec<u8>,
    pub transfer: Vec<&'a Entry>,
    /// With their expiry date; expired ones first.
    pub expiring: Vec<(&'a Entry, NaiveDate)>,
}

pub fn checklist<'a>(client: &'a Client, today: NaiveDate) -> Checklist<'a> {
    let entries = client.sorted_entries();
    let horizon = today + chrono::Days::new(90);
    let mut expiring: Vec<(&Entry, NaiveDate)> = entries
        .iter()
        .filter_map(|e| e.expires.filter(|d| *d <= horizon).map(|d| (*e, d)))
        .collect();
    expiring.sort_by_key(|(e, d)| (*d, e.path.clone()));
    let mut rotate: Vec<_> = entries
        .iter()
        .copied()
        .filter(|e| e.provider_knows && e.has_secret())
        .map(|e| (crate::model::rules::takeover_order(e), e))
        .collect();
    rotate.sort_by(|a, b| a.0.cmp(&b.0));
    Checklist {
        rotate_priority: rotate.iter().map(|(key, _)| key.0).collect(),
        rotate: rotate.into_iter().map(|(_, e)| e).collect(),
        transfer: entries
            .iter()
            .copied()
            .filter(|e| e.owner == Some(Owner::Provider))
            .collect(),
        expiring,
    }
}

/// The cover page, drawn on the flow's current (first) page.
pub fn cover(
    ctx: &Ctx<'_>,
    flow: &mut Flow,
    client: &Client,
    logo: Option<&super::templates::Logo>,
) {
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
    flow.row(row);
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
    flow.space(8.0 * MM);
    let count = client.entries.len().to_string();
    // An unknown provider is left out, not printed as a dash.
    let provider = ctx
        .branding
        .provider_name
        .as_deref()
        .map(|p| (t.provider.as_str(), p));
    for (label, value) in provider.into_iter().chain([
        (t.as_of.as_str(), ctx.date.as_str()),
        (t.entry_count.as_str(), count.as_str()),
    ]) {
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
        for r in ctx.field(&t.signing_key, Value::Code(key)) {
            flow.row(r);
        }
        for r in ctx.para(&t.signing_key_note, SMALL, LABEL_W) {
            flow.row(r);
        }
    }
    flow.space(10.0 * MM);
    // The confidentiality notice: a red frame no reader can miss.
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
    flow.row(row);
    // Signature lines, at the foot of the cover.
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

/// A contact's role, phone and e-mail on one line, as the short lists print them.
pub fn contact_line(c: &crate::model::Contact) -> String {
    [&c.role, &c.phone, &c.email]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Client profile, the provider and contacts.
pub fn profile(ctx: &Ctx<'_>, flow: &mut Flow, client: &Client) {
    let t = ctx.texts;
    for r in ctx.field(&t.client, Value::Plain(&client.name)) {
        flow.row(r);
    }
    for (label, value) in [
        (&t.legal_name, &client.legal_name),
        (&t.address, &client.address),
        (&t.notes, &client.notes),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            flow.block(ctx.field(label, Value::Plain(v)));
        }
    }
    ctx.heading(flow, &t.contacts_title, 2, None);
    if client.contacts.is_empty() {
        flow.block(ctx.para(&t.no_contacts, BODY, 0.0));
    }
    for contact in &client.contacts {
        let mut rows = ctx.para(&contact.name, Style::new(Face::Bold, 10.0, BLACK), 0.0);
        for (label, value) in [
            (&t.role, &contact.role),
            (&t.phone, &contact.phone),
            (&t.email, &contact.email),
        ] {
            if let Some(v) = value.as_deref() {
                rows.extend(ctx.field(label, Value::Plain(v)));
            }
        }
        rows.push(Row::new(4.0));
        flow.block(rows);
    }
    // Unknown, the provider is left out rather than shown as a gap the client cannot fill.
    let b = ctx.branding;
    if b.provider_name.is_none() && b.provider_address.is_none() && b.provider_contact.is_none() {
        return;
    }
    ctx.heading(flow, &t.provider_title, 2, None);
    let mut rows = Vec::new();
    for value in [&b.provider_name, &b.provider_address, &b.provider_contact]
        .into_iter()
        .flatten()
    {
        rows.extend(ctx.para(value, BODY, 0.0));
    }
    flow.block(rows);
}

/// The grey line under the running header and the texts of header and footer.
pub fn header_footer(ctx: &Ctx<'_>, client_name: &str, page: usize, pages: usize) -> Vec<Item> {
    let t = ctx.texts;
    let fonts = ctx.fonts;
    let geo = ctx.geo;
    let mut items = Vec::new();
    let style = SMALL;
    let right_text = |items: &mut Vec<Item>, y: f32, text: &str, style: Style| {
        let w = measure(fonts, style.face, style.size, text);
        super::layout::push_runs(items, fonts, geo.right - w, y, style, text);
    };
    // The client's name may be long: it gets what the confidentiality mark leaves.
    let conf = Style::new(Face::Bold, 8.5, RED);
    let conf_w = measure(fonts, conf.face, conf.size, &t.confidential);
    let name = wrap_words(
        fonts,
        style,
        client_name,
        geo.body_width() - conf_w - 8.0 * MM,
    )
    .into_iter()
    .next()
    .unwrap_or_default();
    super::layout::push_runs(&mut items, fonts, geo.left, geo.header_y, style, &name);
    right_text(&mut items, geo.header_y, &t.confidential, conf);
    items.push(rule(
        geo.left,
        geo.header_y - 3.0,
        geo.body_width(),
        RULE,
        0.4,
    ));
    items.push(rule(
        geo.left,
        geo.footer_y + 9.0,
        geo.body_width(),
        RULE,
        0.4,
    ));
    let left = format!(
        "{} {} · {} {}",
        t.as_of, ctx.date, t.fingerprint, ctx.fingerprint
    );
    super::layout::push_runs(&mut items, fonts, geo.left, geo.footer_y, style, &left);
    let page_text = fill(
        &t.page_of,
        &[("page", &page.to_string()), ("pages", &pages.to_string())],
    );
    right_text(&mut items, geo.footer_y, &page_text, style);
    items
}

/// A table-of-contents entry: the title (wrapped if long), dotted leaders and the page.
/// The title wraps at a width that does not depend on the page number, so that the
/// contents take the same room before and after the page numbers are known.
pub fn toc_line(ctx: &Ctx<'_>, title: &str, page: usize, indent: f32, bold: bool) -> Vec<Row> {
    let style = if bold {
        Style::new(Face::Bold, 10.0, BLACK)
    } else {
        BODY
    };
    let num = page.to_string();
    let num_w = measure(ctx.fonts, style.face, style.size, &num);
    let widest_num = measure(ctx.fonts, style.face, style.size, "8888");
    let max_title = ctx.geo.body_width() - indent - widest_num - 12.0 * MM;
    let lines = wrap_words(ctx.fonts, style, title, max_title);
    let last = lines.len().saturating_sub(1);
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut row = Row::new(style.leading() + if i == last { 1.0 } else { 0.0 });
        row.text(ctx.fonts, indent, style.size, style, line);
        if i == last {
            let title_w = measure(ctx.fonts, style.face, style.size, line);
            let start = indent + title_w + 2.0 * MM;
            let end = ctx.geo.body_width() - num_w - 2.0 * MM;
            if end > start {
                row.items.push(Item::Line {
                    points: vec![(start, -style.size), (end, -style.size)],
                    width: 0.3,
                    color: RULE,
                });
            }
            row.text(
                ctx.fonts,
                ctx.geo.body_width() - num_w,
                style.size,
                style,
                &num,
            );
        }
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_ending_like_a_hyphen_report_a_smaller_size_rising_to_the_next_line() {
        let lines = [
            "-----BEGIN X-----",
            "abc",
            "-----END X-----",
            "-----BEGIN Y-----",
            "",
            "def\u{2010}",
            "-",
            "ghi",
            "soft\u{AD}",
        ];
        let sizes: Vec<Option<f32>> = report_sizes(&lines, 10.0)
            .into_iter()
            .map(|s| s.map(|s| (s * 1000.0).round() / 1000.0))
            .collect();
        assert_eq!(
            sizes,
            [
                Some(8.0),
                None,
                Some(4.913),
                Some(5.78),
                None,
                Some(6.8),
                Some(8.0),
                None,
                Some(8.0),
            ]
        );
        // Each line of a run is at least 5% smaller than the next: a block and a flow
        // of its own in poppler.
        for pair in sizes.windows(2) {
            if let [Some(a), Some(b)] = pair {
                assert!(a < &(b * 0.95), "{a} {b}");
            }
        }
    }
}
