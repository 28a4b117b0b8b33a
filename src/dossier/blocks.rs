//! The blocks every section is made of: paragraphs, headings, label–value fields (plain,
//! code and secret values), QR codes, check items and rules; and [`Ctx`], what every
//! section is written with.

use chrono::NaiveDate;
use zeroize::Zeroizing;

use super::fonts::{Face, Fonts};
use super::layout::{
    BLACK, Flow, GREY, Geometry, Item, LIGHT, MM, RED, RULE, Rgb, Row, Style, measure, wrap_chars,
    wrap_words,
};
use super::templates::{Branding, Texts};

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
    /// The provider the client is handed over to, in an offboarding's final dossier.
    pub handed_over_to: Option<&'a super::Successor>,
    /// Field labels as wrapped: a dossier prints the same few labels thousands of times.
    pub labels: LabelCache,
    /// Whether data pages follow (`--data-pages`): the cover and the emergency sheet
    /// say so.
    pub data_pages: bool,
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
            for line in lines {
                let h = line_h(&line);
                self.draw_line(&mut row, line, y);
                y += h;
            }
            if label_last {
                draw_label(&mut row);
            }
            vec![row]
        } else {
            let mut rows = Vec::new();
            for (i, line) in lines.into_iter().enumerate() {
                let mut row = Row::new(line_h(&line));
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

    /// Draws `line` into `row`, its strings moved into the items, not copied.
    fn draw_line(&self, row: &mut Row, line: Line, top: f32) {
        let x = LABEL_W;
        let baseline = top + BODY.size;
        if line.boxed {
            let width = measure(self.fonts, line.style.face, line.style.size, &line.text);
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
            let lead = line.text.bytes().take_while(|b| *b == b' ').count();
            let trail = if lead == line.text.len() {
                0
            } else {
                line.text.bytes().rev().take_while(|b| *b == b' ').count()
            };
            let space = measure(self.fonts, line.style.face, line.style.size, " ");
            let marks = (0..lead)
                .map(|i| x + i as f32 * space)
                .chain((0..trail).map(|i| x + width - (i + 1) as f32 * space));
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
        let span = line.copy.filter(|_| !line.text.is_empty());
        let spanned = span.is_some();
        if let Some(text) = span {
            row.items.push(Item::ActualText { text });
        }
        row.text_owned(self.fonts, x, baseline, line.style, line.text);
        if spanned {
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

/// The thin rule that ends a vendor or a decision.
pub fn separator(ctx: &Ctx<'_>) -> Row {
    let mut sep = Row::new(6.0);
    sep.items
        .push(rule(0.0, -3.0, ctx.geo.body_width(), RULE, 0.4));
    sep
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

/// `name` with `aside` in brackets; a name that ends in a bracket of its own takes
/// the aside into it ("NAS-Schlüssel (Wartung, Seite 12)"), so that two brackets never
/// follow each other.
pub fn with_aside(name: &str, aside: &str) -> String {
    let trimmed = name.trim_end();
    match trimmed.strip_suffix(')') {
        Some(inner) if inner.contains('(') => format!("{inner}, {aside})"),
        _ => format!("{name} ({aside})"),
    }
}

/// Words that say the same kind, in either language: a title that holds one says
/// the kind that holds another ("Netzwerk im Überblick" is an overview, "WLAN Access
/// Point Büro" a "WLAN-Zugangspunkt").
const SAME_KIND: &[&[&str]] = &[
    &["übersicht", "überblick", "overview"],
    &["zugangspunkt", "access point", "access-point"],
    &["ablauf", "anleitung", "procedure", "how to"],
    &["erste stunde", "notfallplan", "first hour", "first-hour"],
];

/// `title` followed by its kind in brackets, unless the title already says it: it
/// holds the kind's name ("NAS", "Firewall Büro"), every longer word of it ("Die erste
/// Stunde" for "Plan für die erste Stunde"), a word of the same meaning
/// ([`SAME_KIND`]), or a bracket of its own.
pub fn with_kind(title: &str, kind: &str) -> String {
    let lower = title.to_lowercase();
    let kind_lower = kind.to_lowercase();
    let words: Vec<String> = kind
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 5)
        .map(str::to_lowercase)
        .collect();
    let synonym = SAME_KIND.iter().any(|group| {
        group.iter().any(|w| kind_lower.contains(w)) && group.iter().any(|w| lower.contains(w))
    });
    let says_it = kind.is_empty()
        || lower.contains(&kind_lower)
        || (!words.is_empty() && words.iter().all(|w| lower.contains(w.as_str())))
        || synonym
        || title.trim_end().ends_with(')');
    if says_it {
        title.to_owned()
    } else {
        format!("{title} ({kind})")
    }
}

#[cfg(test)]
mod kind_tests {
    use super::{with_aside, with_kind};

    #[test]
    fn an_aside_joins_a_bracket_the_name_ends_in() {
        assert_eq!(with_aside("NAS", "Seite 6"), "NAS (Seite 6)");
        assert_eq!(
            with_aside("NAS SSH-Schlüssel (Wartung)", "Seite 12"),
            "NAS SSH-Schlüssel (Wartung, Seite 12)"
        );
        assert_eq!(
            with_aside("Domain example.de (INWX)", "domain/registrar"),
            "Domain example.de (INWX, domain/registrar)"
        );
        assert_eq!(with_aside("Smiley :)", "page 3"), "Smiley :) (page 3)");
    }

    #[test]
    fn a_kind_in_brackets_only_where_the_title_does_not_say_it() {
        assert_eq!(with_kind("NAS", "NAS"), "NAS");
        assert_eq!(with_kind("Firewall Büro", "Firewall"), "Firewall Büro");
        assert_eq!(
            with_kind(
                "Die erste Stunde (Notfallplan)",
                "Plan für die erste Stunde"
            ),
            "Die erste Stunde (Notfallplan)"
        );
        assert_eq!(
            with_kind("Die erste Stunde", "Plan für die erste Stunde"),
            "Die erste Stunde"
        );
        // The same kind in other words, in either language.
        assert_eq!(
            with_kind("WLAN Access Point Büro", "WLAN-Zugangspunkt"),
            "WLAN Access Point Büro"
        );
        assert_eq!(
            with_kind("Netzwerk im Überblick", "Übersicht"),
            "Netzwerk im Überblick"
        );
        assert_eq!(
            with_kind("Netzwerk im Überblick", "Overview"),
            "Netzwerk im Überblick"
        );
        assert_eq!(with_kind("Restore", "Ablauf"), "Restore (Ablauf)");
        assert_eq!(
            with_kind("Switch Keller", "WLAN-Zugangspunkt"),
            "Switch Keller (WLAN-Zugangspunkt)"
        );
    }
}
