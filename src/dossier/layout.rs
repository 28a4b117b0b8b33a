//! Page geometry, line breaking and pagination: pure computation, no PDF types.
//!
//! Content is built as blocks of rows. A row is atomic (never split across pages); a
//! block is kept on one page when it fits on one. Coordinates are PDF points with the
//! origin at the bottom left of the page.

use zeroize::Zeroizing;

use super::fonts::{Face, Fonts};
use super::packed::Pages;

pub const MM: f32 = 72.0 / 25.4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (210.0 * MM, 297.0 * MM),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// Where things may go on a page. Everything stays at least 10 mm from every edge
/// (the hard limit; printers clip less than that); the body keeps more.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    /// Left edge of the body.
    pub left: f32,
    /// Right edge of the body.
    pub right: f32,
    /// Top of the body (below the running header).
    pub top: f32,
    /// Bottom of the body (above the footer).
    pub bottom: f32,
    /// Baselines of the running header and footer.
    pub header_y: f32,
    pub footer_y: f32,
}

impl Geometry {
    pub fn new(paper: Paper) -> Self {
        let (width, height) = paper.size();
        Geometry {
            width,
            height,
            left: 18.0 * MM,
            right: width - 18.0 * MM,
            top: height - 24.0 * MM,
            bottom: 24.0 * MM,
            header_y: height - 15.0 * MM,
            footer_y: 13.0 * MM,
        }
    }

    pub fn body_width(&self) -> f32 {
        self.right - self.left
    }

    pub fn body_height(&self) -> f32 {
        self.top - self.bottom
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

pub const BLACK: Rgb = Rgb(0x1a, 0x1a, 0x1a);
pub const GREY: Rgb = Rgb(0x66, 0x66, 0x66);
pub const LIGHT: Rgb = Rgb(0xee, 0xee, 0xee);
pub const RULE: Rgb = Rgb(0xbb, 0xbb, 0xbb);
pub const RED: Rgb = Rgb(0xb0, 0x1c, 0x1c);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub face: Face,
    pub size: f32,
    pub color: Rgb,
    /// Slanted (Markdown emphasis): the face sheared by the text matrix, as PDF
    /// renderers do for a missing italic; no fourth font to ship and parse.
    pub oblique: bool,
}

impl Style {
    pub const fn new(face: Face, size: f32, color: Rgb) -> Self {
        Style {
            face,
            size,
            color,
            oblique: false,
        }
    }

    pub fn leading(&self) -> f32 {
        self.size * 1.32
    }

    pub fn with_color(self, color: Rgb) -> Self {
        Style { color, ..self }
    }
}

/// One thing drawn on a page. Text items carry a single face, so the PDF writer never
/// has to guess; their text may hold a secret and is wiped on drop (a clone's too).
#[derive(Clone)]
pub enum Item {
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        color: Rgb,
        oblique: bool,
        text: Zeroizing<String>,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    /// The branding logo, scaled into this box.
    Logo { x: f32, y: f32, w: f32, h: f32 },
    /// A QR code: `width` × `width` modules of `module` points, the bottom-left corner
    /// of the code (quiet zone excluded) at `x`, `y`. `rows`: each row from the top,
    /// left module in the high bit, a dark module a 1, padded to whole bytes. Drawn as
    /// a 1-bit image mask: 4 bytes a row instead of a rectangle per run of modules
    /// (QR codes were a fifth of a dossier's content). As secret as the data encoded.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        width: usize,
        rows: Zeroizing<Vec<u8>>,
    },
    /// A polyline (continuation marks, rules, checkboxes).
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        color: Rgb,
    },
    /// Starts one printed line of a secret or other machine text: copying the text
    /// items up to the next [`Item::EndActualText`] gives `text` instead of their own
    /// characters (a marked-content span with `/ActualText`). `text` is the whole
    /// logical line on its first printed line and empty on the lines it wraps onto, so
    /// that a wrapped line comes out as one.
    ActualText { text: Zeroizing<String> },
    /// Ends the span. `report_size`: the font size text extractors are told the span's
    /// text has, when it must differ from the printed one (see `content::report_size`).
    EndActualText { report_size: Option<f32> },
}

impl Item {
    /// The box the item covers, `(x0, y0, x1, y1)` (a text's from its baseline to one
    /// font size above); `None` for marks that draw nothing.
    pub fn bounds(&self, fonts: &Fonts) -> Option<(f32, f32, f32, f32)> {
        match self {
            Item::Text {
                x,
                y,
                face,
                size,
                text,
                ..
            } => Some((*x, *y, x + measure(fonts, *face, *size, text), y + size)),
            Item::Rect { x, y, w, h, .. } | Item::Logo { x, y, w, h } => {
                Some((*x, *y, x + w, y + h))
            }
            Item::Qr {
                x,
                y,
                module,
                width,
                ..
            } => {
                let side = module * *width as f32;
                Some((*x, *y, x + side, y + side))
            }
            Item::Line { points, .. } => Some(points.iter().fold(
                (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                |(a, b, c, d), (x, y)| (a.min(*x), b.min(*y), c.max(*x), d.max(*y)),
            )),
            Item::ActualText { .. } | Item::EndActualText { .. } => None,
        }
    }

    pub fn shift(&mut self, dx: f32, dy: f32) {
        match self {
            Item::Text { x, y, .. }
            | Item::Rect { x, y, .. }
            | Item::Logo { x, y, .. }
            | Item::Qr { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
            Item::Line { points, .. } => {
                for p in points {
                    p.0 += dx;
                    p.1 += dy;
                }
            }
            Item::ActualText { .. } | Item::EndActualText { .. } => {}
        }
    }
}

/// An atomic strip of content. Item coordinates are relative: x from the body's left
/// edge, y upwards from the row's top (so mostly negative).
#[derive(Default)]
pub struct Row {
    pub height: f32,
    pub items: Vec<Item>,
}

impl Row {
    pub fn new(height: f32) -> Self {
        Row {
            height,
            items: Vec::new(),
        }
    }

    /// Text whose baseline sits `baseline` below the row's top.
    pub fn text(&mut self, fonts: &Fonts, x: f32, baseline: f32, style: Style, text: &str) {
        push_runs(&mut self.items, fonts, x, -baseline, style, text);
    }

    /// As [`Row::text`], for a string the row may keep: when one face sets all of it,
    /// it becomes the item's text as it is, not a copy (one allocation, copy and wipe
    /// less for every line of a field).
    pub fn text_owned(
        &mut self,
        fonts: &Fonts,
        x: f32,
        baseline: f32,
        style: Style,
        text: Zeroizing<String>,
    ) {
        if text.is_empty() || !text.chars().all(|c| fonts.has(style.face, c)) {
            push_runs(&mut self.items, fonts, x, -baseline, style, &text);
            return;
        }
        self.items.push(Item::Text {
            x,
            y: -baseline,
            face: style.face,
            size: style.size,
            color: style.color,
            oblique: style.oblique,
            text,
        });
    }
}

/// Splits `text` into runs of one face each (falling back to another bundled face per
/// character) and pushes them. A character no bundled face has is printed as its code
/// point, `[U+1F600]`, in grey — visible, never dropped, never a box.
pub fn push_runs(items: &mut Vec<Item>, fonts: &Fonts, x: f32, y: f32, style: Style, text: &str) {
    // Nearly always the face has every character: one run, copied at its size.
    if text.chars().all(|c| fonts.has(style.face, c)) {
        if !text.is_empty() {
            items.push(Item::Text {
                x,
                y,
                face: style.face,
                size: style.size,
                color: style.color,
                oblique: style.oblique,
                text: exact_copy(text),
            });
        }
        return;
    }
    // Runs are slices of the text (a printed code point ends one), each copied at
    // exactly its size once its end is known.
    let mut x = x;
    let mut start = 0;
    let mut run_face = style.face;
    let flush = |items: &mut Vec<Item>, run: &str, face: Face, x: &mut f32| {
        if run.is_empty() {
            return;
        }
        let width = measure(fonts, face, style.size, run);
        items.push(Item::Text {
            x: *x,
            y,
            face,
            size: style.size,
            color: style.color,
            oblique: style.oblique,
            text: exact_copy(run),
        });
        *x += width;
    };
    for (i, c) in text.char_indices() {
        match fonts.face_for(style.face, c) {
            Some(face) => {
                if face != run_face {
                    flush(items, &text[start..i], run_face, &mut x);
                    start = i;
                    run_face = face;
                }
            }
            None => {
                flush(items, &text[start..i], run_face, &mut x);
                start = i + c.len_utf8();
                let marker = format!("[U+{:04X}]", c as u32);
                let w = measure(fonts, Face::Mono, style.size, &marker);
                items.push(Item::Text {
                    x,
                    y,
                    face: Face::Mono,
                    size: style.size,
                    color: GREY,
                    oblique: false,
                    text: Zeroizing::new(marker),
                });
                x += w;
            }
        }
    }
    flush(items, &text[start..], run_face, &mut x);
}

/// Width of `text` in points as `push_runs` will set it.
pub fn measure(fonts: &Fonts, face: Face, size: f32, text: &str) -> f32 {
    let mut em = 0.0;
    for c in text.chars() {
        em += char_width(fonts, face, c);
    }
    em * size
}

/// The advance of `c` in em as `push_runs` sets it: in `face` or a fallback face, or
/// as its printed code point.
#[inline]
fn char_width(fonts: &Fonts, face: Face, c: char) -> f32 {
    fonts
        .set_advance(face, c)
        .unwrap_or_else(|| code_point_width(fonts, c))
}

/// The width of `[U+1F600]` and the like, in em.
#[cold]
#[inline(never)]
fn code_point_width(fonts: &Fonts, c: char) -> f32 {
    fonts.advance(Face::Mono, 'M') * (format!("{:04X}", c as u32).len() + 4) as f32
}

/// Greedy word wrap for prose. Explicit newlines are kept; a line may also break after
/// a hyphen or slash inside a word (`Wiederherstellungs-Codes`, `m365/admin`), and a word
/// wider than the line is broken between characters.
pub fn wrap_words(fonts: &Fonts, style: Style, text: &str, width: f32) -> Vec<String> {
    let space = measure(fonts, style.face, style.size, " ");
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        // Most labels and values fit on one line as they are: one measurement instead
        // of one per word and piece.
        if !paragraph.starts_with(' ')
            && !paragraph.ends_with(' ')
            && !paragraph.contains("  ")
            && measure(fonts, style.face, style.size, paragraph) <= width
        {
            lines.push(paragraph.to_owned());
            continue;
        }
        let mut wrap = Wrap {
            fonts,
            style,
            width,
            space,
            // One buffer for the paragraph's lines, each copied out at its size when
            // full (growing a fresh string for every line was most of the allocations
            // of a dossier's entries).
            line: String::with_capacity(paragraph.len()),
            line_w: 0.0,
            lines: &mut lines,
        };
        // One pass over the characters: words end at spaces, pieces after a '-', '/'
        // or '–' (ranges) inside a word; each piece is measured as it is read, its
        // advances summed in order as `measure` sums them.
        let (bytes, mut start, mut em, mut new_word) = (paragraph.as_bytes(), 0, 0.0, true);
        for (i, c) in paragraph.char_indices() {
            if c == ' ' {
                if i > start {
                    wrap.place(&paragraph[start..i], new_word, em * style.size);
                }
                (start, em, new_word) = (i + 1, 0.0, true);
                continue;
            }
            em += char_width(fonts, style.face, c);
            let end = i + c.len_utf8();
            if matches!(c, '-' | '/' | '–') && end < bytes.len() && bytes[end] != b' ' {
                wrap.place(&paragraph[start..end], new_word, em * style.size);
                (start, em, new_word) = (end, 0.0, false);
            }
        }
        if start < paragraph.len() {
            wrap.place(&paragraph[start..], new_word, em * style.size);
        }
        let line = wrap.line;
        lines.push(line);
    }
    lines
}

/// A paragraph being wrapped by [`wrap_words`]: the line so far and its width.
struct Wrap<'a> {
    fonts: &'a Fonts,
    style: Style,
    width: f32,
    space: f32,
    line: String,
    line_w: f32,
    lines: &'a mut Vec<String>,
}

impl Wrap<'_> {
    /// Adds `piece`, `w` points wide, to the line, or starts the next line with it; a
    /// piece that begins a word follows a space.
    fn place(&mut self, piece: &str, new_word: bool, w: f32) {
        let gap = if new_word && !self.line.is_empty() {
            self.space
        } else {
            0.0
        };
        if self.line_w + gap + w <= self.width {
            if gap > 0.0 {
                self.line.push(' ');
            }
            self.line.push_str(piece);
            self.line_w += gap + w;
            return;
        }
        if !self.line.is_empty() {
            self.lines.push(self.line.as_str().to_owned());
            self.line.clear();
        }
        if w <= self.width {
            self.line.push_str(piece);
            self.line_w = w;
        } else {
            let (fonts, style) = (self.fonts, self.style);
            let mut parts = wrap_chars(fonts, style, piece, self.width);
            let last = parts.pop().unwrap_or_default();
            self.lines.extend(parts.into_iter().map(|p| p.to_string()));
            self.line_w = measure(fonts, style.face, style.size, &last);
            self.line.push_str(&last);
        }
    }
}

/// A piece of prose in one style, for [`wrap_rich`].
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub style: Style,
    /// Struck through (Markdown `~~…~~`).
    pub strike: bool,
    pub text: String,
}

/// Word wrap for prose in mixed styles (Markdown emphasis, strong, code): breaks at
/// spaces and explicit newlines; a word wider than the line is broken between
/// characters. A word may change style inside (`**Sicherung**en`); the space before a
/// word takes the style of the text it stood in.
pub fn wrap_rich(fonts: &Fonts, spans: &[Span], width: f32) -> Vec<Vec<Span>> {
    let mut lines: Vec<Vec<Span>> = Vec::new();
    let mut line: Vec<Span> = Vec::new();
    let mut line_w = 0.0;
    let mut word: Vec<Span> = Vec::new();
    let mut space: Option<Span> = None;
    let width_of = |pieces: &[Span]| -> f32 {
        pieces
            .iter()
            .map(|p| measure(fonts, p.style.face, p.style.size, &p.text))
            .sum()
    };
    let push_piece = |pieces: &mut Vec<Span>, span: &Span, c: char| match pieces.last_mut() {
        Some(last) if last.style == span.style && last.strike == span.strike => last.text.push(c),
        _ => pieces.push(Span {
            style: span.style,
            strike: span.strike,
            text: c.to_string(),
        }),
    };
    // Places the finished word on the line, or starts a new line with it.
    let place = |lines: &mut Vec<Vec<Span>>,
                 line: &mut Vec<Span>,
                 line_w: &mut f32,
                 word: &mut Vec<Span>,
                 space: &mut Option<Span>| {
        if word.is_empty() {
            return;
        }
        let w = width_of(word);
        let gap = match (&*space, line.is_empty()) {
            (Some(s), false) => width_of(std::slice::from_ref(s)),
            _ => 0.0,
        };
        if *line_w + gap + w <= width {
            if let Some(s) = space.take().filter(|_| !line.is_empty()) {
                line.push(s);
            }
            *line_w += gap + w;
            line.append(word);
        } else {
            if !line.is_empty() {
                lines.push(std::mem::take(line));
            }
            *line_w = 0.0;
            if w <= width {
                *line_w = w;
                line.append(word);
            } else {
                for piece in word.drain(..) {
                    for c in piece.text.chars() {
                        let cw = measure(
                            fonts,
                            piece.style.face,
                            piece.style.size,
                            c.encode_utf8(&mut [0; 4]),
                        );
                        if !line.is_empty() && *line_w + cw > width {
                            lines.push(std::mem::take(line));
                            *line_w = 0.0;
                        }
                        push_piece(line, &piece, c);
                        *line_w += cw;
                    }
                }
            }
        }
        *space = None;
    };
    for span in spans {
        for c in span.text.chars() {
            match c {
                '\n' => {
                    place(&mut lines, &mut line, &mut line_w, &mut word, &mut space);
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                    space = None;
                }
                c if c.is_whitespace() => {
                    place(&mut lines, &mut line, &mut line_w, &mut word, &mut space);
                    if space.is_none() {
                        space = Some(Span {
                            style: span.style,
                            strike: span.strike,
                            text: " ".into(),
                        });
                    }
                }
                c => push_piece(&mut word, span, c),
            }
        }
    }
    place(&mut lines, &mut line, &mut line_w, &mut word, &mut space);
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Breaks `text` between characters only (never at spaces, never hyphenated): the way
/// secrets wrap, so that what is printed is exactly the secret.
pub fn wrap_chars(fonts: &Fonts, style: Style, text: &str, width: f32) -> Vec<Zeroizing<String>> {
    // Where the lines end is found first, then each line is copied into a string of
    // exactly its size: none grows and leaves a copy of a secret in freed memory, and
    // the memory used is that of the text, not of the text once per line.
    let mut lines = Vec::new();
    let mut start = 0;
    let mut line_w = 0.0;
    for (i, c) in text.char_indices() {
        let w = char_width(fonts, style.face, c) * style.size;
        if i > start && line_w + w > width {
            lines.push(exact_copy(&text[start..i]));
            start = i;
            line_w = 0.0;
        }
        line_w += w;
    }
    lines.push(exact_copy(&text[start..]));
    lines
}

/// `text` copied into a wiped-on-drop string allocated at exactly its size.
fn exact_copy(text: &str) -> Zeroizing<String> {
    let mut copy = Zeroizing::new(String::with_capacity(text.len()));
    copy.push_str(text);
    copy
}

/// A flow of rows onto pages.
pub struct Flow {
    pub geo: Geometry,
    pub pages: Vec<Vec<Item>>,
    /// Bookmarks: (title, zero-based page index).
    pub marks: Vec<(String, usize)>,
    /// Places in the flow whose page is asked for later (see [`Flow::anchor`]): the
    /// zero-based page index of each.
    anchors: Vec<usize>,
    /// Anchors that take the page of the next row placed (see [`Flow::anchor_next`]).
    pending_anchors: Vec<usize>,
    /// A heading just placed that must not end a page: if what follows it starts a new
    /// page, the heading moves along.
    held: Option<Held>,
    y: f32,
    /// When set, each page is packed as soon as it is final (see [`Flow::pack_pages`]);
    /// `pages` then keeps an empty list in its place.
    packed: Option<Pages>,
}

/// Where a held heading starts: its page, first item, top, and the marks and anchors
/// made with it.
struct Held {
    page: usize,
    first_item: usize,
    top: f32,
    first_mark: usize,
    first_anchor: usize,
    /// The heading is complete; the next row placed releases it.
    closed: bool,
}

impl Flow {
    pub fn new(geo: Geometry) -> Self {
        Flow {
            geo,
            pages: vec![Vec::new()],
            marks: Vec::new(),
            anchors: Vec::new(),
            pending_anchors: Vec::new(),
            held: None,
            y: geo.top,
            packed: None,
        }
    }

    /// Packs each page as soon as it is final (a long body's laid-out pages would
    /// otherwise be most of a dossier's memory); [`Flow::finish_packing`] packs the last
    /// and hands them over.
    pub fn pack_pages(&mut self) {
        self.packed = Some(Pages::default());
    }

    /// The pages packed so far and the rest, packed now; the flow keeps only their
    /// number. Without [`Flow::pack_pages`], all pages are packed here.
    pub fn finish_packing(&mut self) -> Pages {
        let mut packed = self.packed.take().unwrap_or_default();
        for page in &mut self.pages[packed.len()..] {
            packed.push(std::mem::take(page));
        }
        packed
    }

    /// Starts a heading: what is placed until [`Flow::end_heading`] moves to the next
    /// page together if the first row after it does not fit on this one.
    pub fn begin_heading(&mut self) {
        // A heading right after a heading: both move together.
        if let Some(h) = &mut self.held
            && h.closed
            && h.page == self.pages.len() - 1
        {
            h.closed = false;
            return;
        }
        self.held = Some(Held {
            page: self.page_index(),
            first_item: self.pages.last().map_or(0, Vec::len),
            top: self.y,
            first_mark: self.marks.len(),
            first_anchor: self.anchors.len(),
            closed: false,
        });
    }

    /// Ends a heading begun with [`Flow::begin_heading`]; it stays held until the next
    /// row is placed.
    pub fn end_heading(&mut self) {
        if let Some(h) = &mut self.held {
            h.closed = true;
        }
    }

    /// A place whose page is looked up later with [`Flow::anchor_page`]; made right
    /// after a heading, it follows the heading if that moves to the next page.
    pub fn anchor(&mut self) -> usize {
        self.anchors.push(self.page_index());
        self.anchors.len() - 1
    }

    /// An anchor on the page where the next row lands (a block that moves to the next
    /// page takes it along).
    pub fn anchor_next(&mut self) -> usize {
        let a = self.anchor();
        self.pending_anchors.push(a);
        a
    }

    pub fn anchor_page(&self, anchor: usize) -> usize {
        self.anchors.get(anchor).copied().unwrap_or(0)
    }

    pub fn page_index(&self) -> usize {
        self.pages.len() - 1
    }

    pub fn remaining(&self) -> f32 {
        self.y - self.geo.bottom
    }

    pub fn at_page_top(&self) -> bool {
        (self.y - self.geo.top).abs() < 0.01
    }

    pub fn new_page(&mut self) {
        self.turn_page();
        // Every page but the new one is final: a held heading moves only from the
        // page just ended.
        if let Some(packed) = &mut self.packed {
            let last = self.pages.len() - 1;
            for page in &mut self.pages[packed.len()..last] {
                packed.push(std::mem::take(page));
            }
        }
    }

    fn turn_page(&mut self) {
        let held = self.held.take().filter(|h| h.closed);
        let y_break = self.y;
        self.pages.push(Vec::new());
        self.y = self.geo.top;
        // A heading must not end a page: carry it, with its marks and anchors, to the
        // new one (unless it already stood at the top of its page).
        if let Some(h) = held {
            let last = self.pages.len() - 1;
            if h.page + 1 != last || (h.top - self.geo.top).abs() < 0.01 {
                return;
            }
            let moved: Vec<Item> = self.pages[h.page].drain(h.first_item..).collect();
            let dy = self.geo.top - h.top;
            for mut item in moved {
                item.shift(0.0, dy);
                self.pages[last].push(item);
            }
            self.y = self.geo.top - (h.top - y_break);
            for m in &mut self.marks[h.first_mark..] {
                m.1 = last;
            }
            for a in &mut self.anchors[h.first_anchor..] {
                *a = last;
            }
        }
    }

    pub fn space(&mut self, h: f32) {
        if !self.at_page_top() {
            self.y -= h.min(self.remaining().max(0.0));
        }
    }

    pub fn mark(&mut self, title: &str) {
        let page = self.page_index();
        self.marks.push((title.to_owned(), page));
    }

    /// Places one row, starting a new page when it does not fit. A row taller than a
    /// whole page is placed anyway (callers split such content into smaller rows).
    pub fn row(&mut self, row: Row) {
        if row.height > self.remaining() + 0.01 && !self.at_page_top() {
            self.new_page();
        }
        let here = self.page_index();
        for a in self.pending_anchors.drain(..) {
            self.anchors[a] = here;
        }
        let (dx, dy) = (self.geo.left, self.y);
        let page = self.pages.last_mut();
        if let Some(page) = page {
            page.reserve(row.items.len());
            for mut item in row.items {
                item.shift(dx, dy);
                page.push(item);
            }
        }
        self.y -= row.height;
        if self.held.as_ref().is_some_and(|h| h.closed) {
            self.held = None;
        }
    }

    /// Places rows together on one page if they fit on a page at all; otherwise row by
    /// row. `keep` says how many leading rows must at least share a page with the next.
    pub fn block(&mut self, rows: Vec<Row>) {
        let total: f32 = rows.iter().map(|r| r.height).sum();
        if total > self.remaining() && total <= self.geo.body_height() && !self.at_page_top() {
            self.new_page();
        }
        for row in rows {
            self.row(row);
        }
    }

    /// Like [`Flow::block`], but when the block has to run over a page break, each new
    /// page starts with `continued` (e.g. the entry's title), so no row is left without
    /// the context it belongs to.
    pub fn block_continued(&mut self, rows: Vec<Row>, continued: impl Fn() -> Row) {
        let total: f32 = rows.iter().map(|r| r.height).sum();
        if total <= self.geo.body_height() {
            self.block(rows);
            return;
        }
        for row in rows {
            if row.height > self.remaining() + 0.01 && !self.at_page_top() {
                self.new_page();
                self.row(continued());
            }
            self.row(row);
        }
    }

    /// Ensures `h` points are left on this page (for a heading and what follows it).
    pub fn keep(&mut self, h: f32) {
        if h > self.remaining() && !self.at_page_top() {
            self.new_page();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> Style {
        Style::new(Face::Mono, 10.0, BLACK)
    }

    #[test]
    fn rich_wrap_keeps_styles_text_and_width() {
        let fonts = Fonts::get();
        let plain = Style::new(Face::Sans, 10.0, BLACK);
        let bold = Style::new(Face::Bold, 10.0, BLACK);
        let slant = Style {
            oblique: true,
            ..plain
        };
        let span = |style, text: &str| Span {
            style,
            strike: false,
            text: text.into(),
        };
        let spans = [
            span(plain, "Die  "),
            span(bold, "Sicherung"),
            span(plain, "en laufen "),
            span(slant, "jede Nacht"),
            span(plain, " um 22 Uhr;\nsiehe "),
            span(plain, &"x".repeat(80)),
        ];
        let width = 140.0;
        let lines = wrap_rich(fonts, &spans, width);
        for line in &lines {
            let w: f32 = line
                .iter()
                .map(|p| measure(fonts, p.style.face, p.style.size, &p.text))
                .sum();
            assert!(w <= width + 0.01, "{line:?}");
        }
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|p| p.text.as_str()).collect())
            .collect();
        // Words keep their order, spaces collapse, the hard break is kept, and the
        // word wider than the line is broken between characters.
        assert_eq!(text[0], "Die Sicherungen laufen");
        assert!(text.iter().any(|l| l == "siehe"), "{text:?}");
        assert_eq!(text.concat().matches('x').count(), 80);
        let joined = text.join(" ");
        assert!(joined.contains("jede Nacht um 22 Uhr;"), "{joined}");
        // A word changing style inside keeps both styles, with no space between.
        assert_eq!(lines[0][2].text, "Sicherung");
        assert_eq!(lines[0][2].style, bold);
        assert_eq!(lines[0][3].text, "en");
        let slanted: String = lines
            .iter()
            .flatten()
            .filter(|p| p.style.oblique)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(slanted.replace(' ', ""), "jedeNacht");
        assert_eq!(wrap_rich(fonts, &[], width), vec![Vec::<Span>::new()]);
    }

    #[test]
    fn char_wrap_keeps_every_character_and_fits() {
        let fonts = Fonts::get();
        let secret = "  a b  c€ß|lI10O ".repeat(20);
        let width = 120.0;
        let lines = wrap_chars(fonts, style(), &secret, width);
        let joined: String = lines.iter().map(|l| l.as_str()).collect();
        assert_eq!(joined, secret);
        for l in &lines {
            assert!(measure(fonts, Face::Mono, 10.0, l) <= width + 0.001);
            // Allocated at its final size: never grown, never the whole text's size.
            assert_eq!(l.capacity(), l.len());
        }
        assert!(lines.len() > 5);
    }

    #[test]
    fn word_wrap_fits_and_keeps_words() {
        let fonts = Fonts::get();
        let style = Style::new(Face::Sans, 10.0, BLACK);
        let text = "Übergabe der Zugangsdaten an den Nachfolger, bitte sorgfältig aufbewahren. "
            .repeat(5)
            + &"x".repeat(200);
        let lines = wrap_words(fonts, style, &text, 200.0);
        for l in &lines {
            assert!(measure(fonts, Face::Sans, 10.0, l) <= 200.0 + 0.001, "{l}");
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        let back: String = lines.join(" ");
        assert_eq!(back.replace(' ', ""), words.concat());
        // Breaks after a hyphen rather than inside a word.
        let lines = wrap_words(fonts, style, "Wiederherstellungs-Codes", 130.0);
        assert_eq!(lines, ["Wiederherstellungs-", "Codes"]);
    }

    /// `wrap_words` as it was before its one-pass form (split into words, each into
    /// pieces, each measured): the oracle its lines must match exactly.
    fn reference_wrap_words(fonts: &Fonts, style: Style, text: &str, width: f32) -> Vec<String> {
        let space = measure(fonts, style.face, style.size, " ");
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            if !paragraph.starts_with(' ')
                && !paragraph.ends_with(' ')
                && !paragraph.contains("  ")
                && measure(fonts, style.face, style.size, paragraph) <= width
            {
                lines.push(paragraph.to_owned());
                continue;
            }
            let mut line = String::new();
            let mut line_w = 0.0;
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let mut pieces: Vec<&str> = Vec::new();
                let mut start = 0;
                for (i, c) in word.char_indices() {
                    if matches!(c, '-' | '/' | '–') && i + c.len_utf8() < word.len() {
                        pieces.push(&word[start..i + c.len_utf8()]);
                        start = i + c.len_utf8();
                    }
                }
                pieces.push(&word[start..]);
                for (n, piece) in pieces.into_iter().enumerate() {
                    let gap = if n == 0 && !line.is_empty() {
                        space
                    } else {
                        0.0
                    };
                    let w = measure(fonts, style.face, style.size, piece);
                    if line_w + gap + w <= width {
                        if gap > 0.0 {
                            line.push(' ');
                        }
                        line.push_str(piece);
                        line_w += gap + w;
                        continue;
                    }
                    if !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    if w <= width {
                        line.push_str(piece);
                        line_w = w;
                    } else {
                        let mut parts = wrap_chars(fonts, style, piece, width);
                        let last = parts.pop().unwrap_or_default();
                        lines.extend(parts.into_iter().map(|p| p.to_string()));
                        line_w = measure(fonts, style.face, style.size, &last);
                        line = last.to_string();
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    #[test]
    fn word_wrap_breaks_where_the_word_by_word_wrap_did() {
        let fonts = Fonts::get();
        let words = [
            "Zugang",
            "m365/admin",
            "Wiederherstellungs-Codes",
            "2020–2024",
            "-",
            "/",
            "–",
            "a-",
            "-b",
            "x/y/z",
            "Übergabe",
            "sorgfältig",
            "ab--cd",
            "😀",
            "i",
            "WWWWWWWW",
            "Kennwort-Tresor-Verwaltung/Notfall",
            "",
            " ",
        ];
        let mut rng = crate::testing::Xorshift(0x2545_f491_4f6c_dd1d);
        for i in 0..3000 {
            let mut text = String::new();
            for _ in 0..rng.next() % 40 {
                text.push_str(words[(rng.next() % words.len() as u64) as usize]);
                text.push_str(match rng.next() % 9 {
                    0 => "  ",
                    1 => "\n",
                    2 => "",
                    _ => " ",
                });
            }
            let style = Style::new(
                [Face::Sans, Face::Bold, Face::Mono][i % 3],
                8.5 + (i % 4) as f32,
                BLACK,
            );
            let width = 20.0 + (rng.next() % 400) as f32 * 0.75;
            assert_eq!(
                wrap_words(fonts, style, &text, width),
                reference_wrap_words(fonts, style, &text, width),
                "{text:?} at {width}"
            );
        }
    }

    #[test]
    fn unknown_characters_become_code_points() {
        let fonts = Fonts::get();
        let mut items = Vec::new();
        push_runs(&mut items, fonts, 0.0, 0.0, style(), "a中b");
        let texts: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["a", "[U+4E2D]", "b"]);
    }

    #[test]
    fn a_block_taller_than_a_page_repeats_its_header() {
        let geo = Geometry::new(Paper::A4);
        let mut flow = Flow::new(geo);
        let fonts = Fonts::get();
        let header = || {
            let mut r = Row::new(12.0);
            r.text(fonts, 0.0, 10.0, style(), "HEADER");
            r
        };
        let rows = (0..200).map(|_| Row::new(20.0)).collect();
        flow.block_continued(rows, header);
        assert!(flow.pages.len() >= 5);
        for page in &flow.pages[1..] {
            assert!(matches!(&page[0], Item::Text { text, .. } if text.as_str() == "HEADER"));
        }
    }

    #[test]
    fn blocks_move_to_the_next_page_and_stay_inside() {
        let geo = Geometry::new(Paper::A4);
        let mut flow = Flow::new(geo);
        for _ in 0..40 {
            let rows = (0..5).map(|_| Row::new(20.0)).collect();
            flow.block(rows);
        }
        // 100 pt blocks on a ~700 pt body: 7 per page, never split.
        assert_eq!(
            flow.pages.len(),
            40usize.div_ceil((geo.body_height() / 100.0) as usize)
        );
    }

    #[test]
    fn a_heading_never_ends_a_page_and_its_anchor_follows_it() {
        let geo = Geometry::new(Paper::A4);
        let fonts = Fonts::get();
        let mut flow = Flow::new(geo);
        // Fill the page to 150 pt above the bottom margin.
        let fill = geo.body_height() - 150.0;
        flow.row(Row::new(fill));
        let heading = |flow: &mut Flow, text: &str| {
            flow.begin_heading();
            let mut r = Row::new(20.0);
            r.text(fonts, 0.0, 14.0, style(), text);
            flow.row(r);
            flow.end_heading();
        };
        heading(&mut flow, "H1");
        heading(&mut flow, "H2");
        let anchor = flow.anchor();
        // A 200 pt block does not fit below them: all moves to the next page.
        flow.block((0..10).map(|_| Row::new(20.0)).collect());
        assert_eq!(flow.pages.len(), 2);
        assert!(flow.pages[0].is_empty(), "nothing left on the first page");
        let texts: Vec<&str> = flow.pages[1]
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["H1", "H2"]);
        assert_eq!(flow.anchor_page(anchor), 1);
        // The headings stand at the top of the new page, the block right below them.
        let top = flow.pages[1]
            .iter()
            .find_map(|i| match i {
                Item::Text { y, .. } => Some(*y),
                _ => None,
            })
            .unwrap();
        assert!(top < geo.top && top > geo.top - 20.0, "{top}");
        assert!((flow.remaining() - (geo.body_height() - 40.0 - 200.0)).abs() < 0.1);

        // A heading followed by something that fits stays, and is released.
        let mut flow = Flow::new(geo);
        heading(&mut flow, "H");
        let anchor = flow.anchor();
        flow.block(vec![Row::new(20.0)]);
        flow.new_page();
        assert_eq!(flow.anchor_page(anchor), 0);
        assert!(!flow.pages[0].is_empty());
    }
}
