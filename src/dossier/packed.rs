//! Laid-out pages packed into bytes, from the moment each is final until the PDF writer
//! encodes it.
//!
//! The body's pages cannot be written as they are laid out: the front matter before
//! them prints their page numbers, the fonts before them must hold every character the
//! dossier draws, and each footer counts all pages. So they are kept, but packed: an
//! item as a few bytes and its text inline, one exact-size buffer a page, instead of a
//! 48-byte `Item` and a heap string each (a 50,000-entry dossier's pages took 220 MB
//! that way, more than everything else together). The characters each face draws are
//! gathered as pages are packed, for the font subsets. Packing and unpacking give back
//! exactly the items laid out, so the PDF is byte for byte what it was.

use std::collections::{BTreeMap, BTreeSet};

use zeroize::{Zeroize, Zeroizing};

use super::fonts::Face;
use super::layout::{Item, Rgb};
use crate::error::{Error, Result};

/// Code points gathered in a flat table: nearly all text is Latin (a tree insert per
/// character was 5% of a dossier).
const DENSE: usize = 0x800;

/// The characters each face draws.
pub struct UsedChars {
    seen: Vec<[bool; DENSE]>,
    rare: BTreeMap<Face, BTreeSet<char>>,
}

impl Default for UsedChars {
    fn default() -> Self {
        UsedChars {
            seen: vec![[false; DENSE]; Face::ALL.len()],
            rare: BTreeMap::new(),
        }
    }
}

impl UsedChars {
    fn add(&mut self, face: Face, text: &str) {
        let index = Face::ALL.iter().position(|f| *f == face).unwrap_or(0);
        // Nearly all text is ASCII: a byte a character, no decoding (this loop was 1.5%
        // of a dossier).
        if text.is_ascii() {
            let seen = &mut self.seen[index];
            for b in text.bytes() {
                seen[usize::from(b)] = true;
            }
            return;
        }
        for c in text.chars() {
            match self.seen[index].get_mut(c as usize) {
                Some(s) => *s = true,
                None => {
                    self.rare.entry(face).or_default().insert(c);
                }
            }
        }
    }

    fn add_items(&mut self, items: &[Item]) {
        for item in items {
            if let Item::Text { face, text, .. } = item {
                self.add(*face, text);
            }
        }
    }

    fn merge(&mut self, other: UsedChars) {
        for (mine, theirs) in self.seen.iter_mut().zip(&other.seen) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m |= *t;
            }
        }
        for (face, chars) in other.rare {
            self.rare.entry(face).or_default().extend(chars);
        }
    }

    /// By face, the characters drawn; a face that draws none is absent.
    pub fn by_face(&self) -> BTreeMap<Face, BTreeSet<char>> {
        let mut used = self.rare.clone();
        for (face, seen) in Face::ALL.iter().zip(&self.seen) {
            let mut chars = seen
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .filter_map(|(cp, _)| char::from_u32(cp as u32))
                .peekable();
            if chars.peek().is_some() {
                used.entry(*face).or_default().extend(chars);
            }
        }
        used
    }
}

type Chunk = Zeroizing<Box<[u8]>>;

/// Pages are kept as laid out until they take about this many bytes, which covers
/// dossiers of a few thousand entries: packing and unpacking would only cost them
/// time.
const ITEMS_MAX: usize = 8 << 20;

/// Beyond that, pages are packed; and once this many packed bytes are held, deflated
/// in batches (a 50,000-entry dossier's packed pages took 67 MB). Held loose, 8 MB
/// were part of that dossier's peak memory; 2 MB cost it 3% more time.
const LOOSE_MAX: usize = 2 << 20;

/// The packed bytes of the pages deflated together.
const BATCH: usize = 256 << 10;

/// Pages' own items: one page's, or a deflated batch of pages' (each a `u32` length
/// and its bytes).
enum Run {
    /// One page as laid out, with its header and footer once they are added.
    Items(Vec<Item>),
    Loose(Chunk),
    Deflated {
        pages: usize,
        /// The bytes before deflating, to inflate into a buffer of the right size.
        raw: usize,
        bytes: Zeroizing<Vec<u8>>,
    },
}

impl Run {
    fn pages(&self) -> usize {
        match self {
            Run::Items(_) | Run::Loose(_) => 1,
            Run::Deflated { pages, .. } => *pages,
        }
    }
}

/// Pages in order, packed, and the characters they draw.
pub struct Pages {
    runs: Vec<Run>,
    /// The runs from this one on are loose pages not deflated yet.
    open: usize,
    /// The bytes of those pages, and of all pages' own items.
    open_bytes: usize,
    held: usize,
    /// About the bytes the pages kept as laid out take.
    unpacked: usize,
    /// See [`find`].
    last: (usize, usize),
    /// Each page's later items (its header and footer), never deflated: they are added
    /// once every page is laid out.
    extra: Vec<Vec<Chunk>>,
    used: UsedChars,
    /// [`ITEMS_MAX`], [`LOOSE_MAX`] and [`BATCH`] (smaller in tests).
    limits: (usize, usize, usize),
}

impl Default for Pages {
    fn default() -> Self {
        Pages {
            runs: Vec::new(),
            open: 0,
            open_bytes: 0,
            held: 0,
            unpacked: 0,
            last: (0, 0),
            extra: Vec::new(),
            used: UsedChars::default(),
            limits: (ITEMS_MAX, LOOSE_MAX, BATCH),
        }
    }
}

impl Pages {
    pub fn len(&self) -> usize {
        self.extra.len()
    }

    pub fn is_empty(&self) -> bool {
        self.extra.is_empty()
    }

    pub fn used(&self) -> &UsedChars {
        &self.used
    }

    /// Adds a page of `items` (dropped here, their text wiped, if it is packed).
    pub fn push(&mut self, items: Vec<Item>) {
        self.extra.push(Vec::new());
        let size = unpacked_size(&items);
        if self.unpacked + size <= self.limits.0 {
            self.used.add_items(&items);
            self.unpacked += size;
            self.runs.push(Run::Items(items));
            self.open = self.runs.len();
            return;
        }
        let chunk = pack(&items, &mut self.used);
        drop(items);
        self.open_bytes += chunk.len();
        self.held += chunk.len();
        self.runs.push(Run::Loose(chunk));
        if self.held > self.limits.1 && self.open_bytes >= self.limits.2 {
            self.deflate_open();
        }
    }

    /// Deflates the loose pages at the end into one batch. Should deflating fail, they
    /// stay as they are: the batch only saves memory.
    fn deflate_open(&mut self) {
        let loose = &self.runs[self.open..];
        let mut raw = Zeroizing::new(Vec::with_capacity(self.open_bytes + 4 * loose.len()));
        for run in loose {
            if let Run::Loose(chunk) = run {
                raw.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
                raw.extend_from_slice(chunk);
            }
        }
        let pages = loose.len();
        if let Some(bytes) = deflate(&raw) {
            self.runs.truncate(self.open);
            self.runs.push(Run::Deflated {
                pages,
                raw: raw.len(),
                bytes,
            });
            self.open = self.runs.len();
            self.last = (0, 0);
        }
        self.open_bytes = 0;
    }

    /// Adds `items` after those of page `page` (the header and footer). Called for
    /// every page in order, so the run is found from the last one's.
    pub fn extend_page(&mut self, page: usize, items: Vec<Item>) {
        if let Some((i, _)) = find(&self.runs, page, &mut self.last)
            && let Run::Items(own) = &mut self.runs[i]
        {
            self.used.add_items(&items);
            own.extend(items);
            return;
        }
        let chunk = pack(&items, &mut self.used);
        if let Some(extra) = self.extra.get_mut(page) {
            extra.push(chunk);
        }
    }

    /// Moves `other`'s pages after these.
    pub fn append(&mut self, other: Pages) {
        let before = self.runs.len();
        self.runs.extend(other.runs);
        self.open = before + other.open;
        self.open_bytes = other.open_bytes;
        self.held += other.held;
        self.unpacked += other.unpacked;
        self.last = (0, 0);
        self.extra.extend(other.extra);
        self.used.merge(other.used);
    }

    /// Reads the pages in order (or any order: a batch is inflated when a page in it
    /// is asked for).
    pub fn reader(&self) -> PageReader<'_> {
        PageReader {
            pages: self,
            batch: None,
            raw: Zeroizing::new(Vec::new()),
            offsets: Vec::new(),
            last: (0, 0),
        }
    }

    /// The items of page `page`, into `out`, a copy; see [`PageReader::page`].
    pub fn unpack(&self, page: usize, out: &mut Vec<Item>) -> Result<()> {
        let mut scratch = Vec::new();
        let copy = pack(
            self.reader().page(page, &mut scratch)?,
            &mut UsedChars::default(),
        );
        out.clear();
        let mut r = Reader(&copy);
        while !r.0.is_empty() {
            out.push(r.item().ok_or_else(corrupt)?);
        }
        Ok(())
    }
}

/// The run holding page `page`, and the page's place in it. `last` is the run and
/// first page of the previous answer: pages are asked for in order, so the search
/// starts there.
fn find(runs: &[Run], page: usize, last: &mut (usize, usize)) -> Option<(usize, usize)> {
    if page < last.1 {
        *last = (0, 0);
    }
    let (mut i, mut first) = *last;
    while let Some(run) = runs.get(i) {
        if page < first + run.pages() {
            *last = (i, first);
            return Some((i, page - first));
        }
        first += run.pages();
        i += 1;
    }
    None
}

/// About the memory `items` take as laid out: what packing them saves.
fn unpacked_size(items: &[Item]) -> usize {
    let texts: usize = items
        .iter()
        .map(|item| match item {
            Item::Text { text, .. } | Item::ActualText { text } => text.capacity() + 16,
            Item::Qr { rows, .. } => rows.capacity() + 16,
            Item::Line { points, .. } => 8 * points.capacity() + 16,
            _ => 0,
        })
        .sum();
    texts + std::mem::size_of_val(items)
}

/// Reads pages out of [`Pages`], keeping the last batch inflated.
pub struct PageReader<'a> {
    pages: &'a Pages,
    /// The run inflated into `raw`, and where its pages' bytes lie in it.
    batch: Option<usize>,
    raw: Zeroizing<Vec<u8>>,
    offsets: Vec<(usize, usize)>,
    /// See [`find`].
    last: (usize, usize),
}

impl<'a> PageReader<'a> {
    /// The items of page `page`: those kept as laid out, or the packed ones unpacked
    /// into `scratch` (replacing what it held). The texts of the items already in
    /// `scratch` are reused where they are long enough: an allocation, a copy and a
    /// wipe per text run were a tenth of the PDF writer's time.
    pub fn page<'s>(&mut self, page: usize, scratch: &'s mut Vec<Item>) -> Result<&'s [Item]>
    where
        'a: 's,
    {
        let pages: &'a Pages = self.pages;
        let extra = pages.extra.get(page).ok_or_else(corrupt)?;
        let (i, within) = find(&pages.runs, page, &mut self.last).ok_or_else(corrupt)?;
        let own: &[u8] = match &pages.runs[i] {
            Run::Items(items) => return Ok(items),
            Run::Loose(chunk) => chunk,
            Run::Deflated { raw, bytes, .. } => {
                if self.batch != Some(i) {
                    self.inflate(bytes, *raw)?;
                    self.batch = Some(i);
                }
                let (at, len) = *self.offsets.get(within).ok_or_else(corrupt)?;
                self.raw.get(at..at + len).ok_or_else(corrupt)?
            }
        };
        let out = scratch;
        let mut n = 0;
        for chunk in std::iter::once(own).chain(extra.iter().map(|c| &c[..])) {
            let mut r = Reader(chunk);
            while !r.0.is_empty() {
                match out.get_mut(n) {
                    Some(slot) => r.item_into(slot).ok_or_else(corrupt)?,
                    None => out.push(r.item().ok_or_else(corrupt)?),
                }
                n += 1;
            }
        }
        out.truncate(n);
        Ok(out)
    }

    fn inflate(&mut self, bytes: &[u8], raw: usize) -> Result<()> {
        self.batch = None;
        if self.raw.capacity() < raw {
            self.raw = Zeroizing::new(Vec::with_capacity(raw));
        }
        self.raw.as_mut_slice().zeroize();
        self.raw.clear();
        let mut inflater = flate2::Decompress::new(false);
        match inflater.decompress_vec(bytes, &mut self.raw, flate2::FlushDecompress::Finish) {
            Ok(flate2::Status::StreamEnd) if self.raw.len() == raw => {}
            _ => return Err(corrupt()),
        }
        self.offsets.clear();
        let mut r = Reader(&self.raw);
        let mut at = 0;
        while !r.0.is_empty() {
            let len = r.u32().ok_or_else(corrupt)? as usize;
            r.take(len).ok_or_else(corrupt)?;
            self.offsets.push((at + 4, len));
            at += 4 + len;
        }
        Ok(())
    }
}

/// `raw` deflated (raw deflate, level 1), into a buffer sized for the worst case so
/// that it never grows.
fn deflate(raw: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let bound = raw.len() + raw.len() / 1000 + raw.len() / 64 + 64;
    let mut out = Zeroizing::new(Vec::with_capacity(bound));
    let mut zlib = flate2::Compress::new(flate2::Compression::new(1), false);
    match zlib.compress_vec(raw, &mut out, flate2::FlushCompress::Finish) {
        Ok(flate2::Status::StreamEnd) => {}
        _ => return None,
    }
    // Shrunk into an exact-size buffer: batches are held until the PDF is written.
    let mut exact = Zeroizing::new(Vec::with_capacity(out.len()));
    exact.extend_from_slice(&out);
    Some(exact)
}

/// `text` holding `s` only. Never grown in place: growing would leave a copy of the
/// old text in freed memory, so a text too short is replaced (and wiped on drop).
fn refill(text: &mut Zeroizing<String>, s: &str) {
    if text.capacity() < s.len() {
        *text = Zeroizing::new(String::with_capacity(s.len()));
    }
    text.clear();
    text.push_str(s);
}

fn corrupt() -> Error {
    Error::Invalid(
        "internal error: a packed dossier page does not read back; please report it".into(),
    )
}

const TEXT: u8 = 0;
const RECT: u8 = 1;
const LOGO: u8 = 2;
const QR: u8 = 3;
const LINE: u8 = 4;
const ACTUAL: u8 = 5;
const END_ACTUAL: u8 = 6;

/// `items` in an exact-size buffer (sized first, so that nothing is reallocated and
/// no unwiped copy of a secret is left behind); their characters go into `used`.
fn pack(items: &[Item], used: &mut UsedChars) -> Zeroizing<Box<[u8]>> {
    let mut out = Zeroizing::new(Vec::with_capacity(items.iter().map(packed_len).sum()));
    for item in items {
        if let Item::Text { face, text, .. } = item {
            used.add(*face, text);
        }
        write(&mut out, item);
    }
    Zeroizing::new(std::mem::take(&mut *out).into_boxed_slice())
}

fn packed_len(item: &Item) -> usize {
    match item {
        Item::Text { text, .. } => 1 + 12 + 1 + 3 + 1 + 4 + text.len(),
        Item::Rect { .. } => 1 + 16 + 4 + 8,
        Item::Logo { .. } => 1 + 16,
        Item::Qr { rows, .. } => 1 + 12 + 4 + 4 + rows.len(),
        Item::Line { points, .. } => 1 + 4 + 3 + 4 + 8 * points.len(),
        Item::ActualText { text } => 1 + 4 + text.len(),
        Item::EndActualText { .. } => 1 + 5,
    }
}

fn f32s(out: &mut Vec<u8>, values: &[f32]) {
    for v in values {
        out.extend_from_slice(&v.to_bits().to_le_bytes());
    }
}

fn rgb(out: &mut Vec<u8>, c: Rgb) {
    out.extend_from_slice(&[c.0, c.1, c.2]);
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    // Texts and QR codes are far below 4 GiB (a value is limited long before).
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

fn write(out: &mut Vec<u8>, item: &Item) {
    match item {
        Item::Text {
            x,
            y,
            face,
            size,
            color,
            oblique,
            text,
        } => {
            out.push(TEXT);
            f32s(out, &[*x, *y, *size]);
            out.push(*face as u8);
            rgb(out, *color);
            out.push(u8::from(*oblique));
            bytes(out, text.as_bytes());
        }
        Item::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            out.push(RECT);
            f32s(out, &[*x, *y, *w, *h]);
            out.push(u8::from(fill.is_some()));
            rgb(out, fill.unwrap_or(Rgb(0, 0, 0)));
            out.push(u8::from(stroke.is_some()));
            let (c, width) = stroke.unwrap_or((Rgb(0, 0, 0), 0.0));
            rgb(out, c);
            f32s(out, &[width]);
        }
        Item::Logo { x, y, w, h } => {
            out.push(LOGO);
            f32s(out, &[*x, *y, *w, *h]);
        }
        Item::Qr {
            x,
            y,
            module,
            width,
            rows,
        } => {
            out.push(QR);
            f32s(out, &[*x, *y, *module]);
            out.extend_from_slice(&(*width as u32).to_le_bytes());
            bytes(out, rows);
        }
        Item::Line {
            points,
            width,
            color,
        } => {
            out.push(LINE);
            f32s(out, &[*width]);
            rgb(out, *color);
            out.extend_from_slice(&(points.len() as u32).to_le_bytes());
            for (px, py) in points {
                f32s(out, &[*px, *py]);
            }
        }
        Item::ActualText { text } => {
            out.push(ACTUAL);
            bytes(out, text.as_bytes());
        }
        Item::EndActualText { report_size } => {
            out.push(END_ACTUAL);
            out.push(u8::from(report_size.is_some()));
            f32s(out, &[report_size.unwrap_or(0.0)]);
        }
    }
}

/// Reads back what [`write`] wrote; `None` if the bytes end early or hold what it
/// never writes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_bits(self.u32()?))
    }

    fn rgb(&mut self) -> Option<Rgb> {
        let c = self.take(3)?;
        Some(Rgb(c[0], c[1], c[2]))
    }

    fn flag(&mut self) -> Option<bool> {
        Some(self.u8()? != 0)
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn text(&mut self) -> Option<Zeroizing<String>> {
        let mut text = Zeroizing::new(String::new());
        refill(&mut text, self.str()?);
        Some(text)
    }

    /// Reads the next item into `slot`, reusing its text if both are texts.
    fn item_into(&mut self, slot: &mut Item) -> Option<()> {
        match (self.0.first(), &mut *slot) {
            (
                Some(&TEXT),
                Item::Text {
                    x,
                    y,
                    face,
                    size,
                    color,
                    oblique,
                    text,
                },
            ) => {
                self.u8()?;
                (*x, *y, *size) = (self.f32()?, self.f32()?, self.f32()?);
                *face = *Face::ALL.get(usize::from(self.u8()?))?;
                *color = self.rgb()?;
                *oblique = self.flag()?;
                refill(text, self.str()?);
            }
            (Some(&ACTUAL), Item::ActualText { text }) => {
                self.u8()?;
                refill(text, self.str()?);
            }
            _ => *slot = self.item()?,
        }
        Some(())
    }

    fn item(&mut self) -> Option<Item> {
        Some(match self.u8()? {
            TEXT => Item::Text {
                x: self.f32()?,
                y: self.f32()?,
                size: self.f32()?,
                face: *Face::ALL.get(usize::from(self.u8()?))?,
                color: self.rgb()?,
                oblique: self.flag()?,
                text: self.text()?,
            },
            RECT => {
                let (x, y, w, h) = (self.f32()?, self.f32()?, self.f32()?, self.f32()?);
                let (has_fill, fill) = (self.flag()?, self.rgb()?);
                let (has_stroke, stroke, width) = (self.flag()?, self.rgb()?, self.f32()?);
                Item::Rect {
                    x,
                    y,
                    w,
                    h,
                    fill: has_fill.then_some(fill),
                    stroke: has_stroke.then_some((stroke, width)),
                }
            }
            LOGO => Item::Logo {
                x: self.f32()?,
                y: self.f32()?,
                w: self.f32()?,
                h: self.f32()?,
            },
            QR => {
                let (x, y, module) = (self.f32()?, self.f32()?, self.f32()?);
                let width = self.u32()? as usize;
                let n = self.u32()? as usize;
                Item::Qr {
                    x,
                    y,
                    module,
                    width,
                    rows: Zeroizing::new(self.take(n)?.to_vec()),
                }
            }
            LINE => {
                let (width, color) = (self.f32()?, self.rgb()?);
                let n = self.u32()? as usize;
                let mut points = Vec::with_capacity(n.min(self.0.len() / 8));
                for _ in 0..n {
                    points.push((self.f32()?, self.f32()?));
                }
                Item::Line {
                    points,
                    width,
                    color,
                }
            }
            ACTUAL => Item::ActualText { text: self.text()? },
            END_ACTUAL => {
                let (has, size) = (self.flag()?, self.f32()?);
                Item::EndActualText {
                    report_size: has.then_some(size),
                }
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Item> {
        vec![
            Item::Text {
                x: 1.5,
                y: -0.1,
                face: Face::Mono,
                size: 9.25,
                color: Rgb(1, 2, 3),
                oblique: true,
                text: Zeroizing::new("pässwört 🙂".into()),
            },
            Item::Rect {
                x: 0.0,
                y: 1.0,
                w: 2.0,
                h: 3.0,
                fill: Some(Rgb(4, 5, 6)),
                stroke: None,
            },
            Item::Rect {
                x: 0.0,
                y: 1.0,
                w: 2.0,
                h: 3.0,
                fill: None,
                stroke: Some((Rgb(7, 8, 9), 0.4)),
            },
            Item::Logo {
                x: 1.0,
                y: 2.0,
                w: 3.0,
                h: 4.0,
            },
            Item::Qr {
                x: 1.0,
                y: 2.0,
                module: 0.7,
                width: 21,
                rows: Zeroizing::new(vec![0xff, 0, 0x81]),
            },
            Item::Line {
                points: vec![(0.0, 1.0), (f32::MIN_POSITIVE, -3.5)],
                width: 0.5,
                color: Rgb(9, 9, 9),
            },
            Item::ActualText {
                text: Zeroizing::new(String::new()),
            },
            Item::EndActualText {
                report_size: Some(8.0),
            },
            Item::EndActualText { report_size: None },
        ]
    }

    /// Items as text, bit for bit (`Item` has no `PartialEq`; `{:?}` of an `f32` is
    /// exact).
    fn show(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Item::Text {
                    x,
                    y,
                    face,
                    size,
                    color,
                    oblique,
                    text,
                } => format!(
                    "T {x:?} {y:?} {face:?} {size:?} {color:?} {oblique} {:?}",
                    text.as_str()
                ),
                Item::Rect {
                    x,
                    y,
                    w,
                    h,
                    fill,
                    stroke,
                } => format!("R {x:?} {y:?} {w:?} {h:?} {fill:?} {stroke:?}"),
                Item::Logo { x, y, w, h } => format!("L {x:?} {y:?} {w:?} {h:?}"),
                Item::Qr {
                    x,
                    y,
                    module,
                    width,
                    rows,
                } => format!("Q {x:?} {y:?} {module:?} {width} {:?}", rows.as_slice()),
                Item::Line {
                    points,
                    width,
                    color,
                } => format!("P {points:?} {width:?} {color:?}"),
                Item::ActualText { text } => format!("A {:?}", text.as_str()),
                Item::EndActualText { report_size } => format!("E {report_size:?}"),
            })
            .collect()
    }

    #[test]
    fn pages_read_back_as_laid_out_with_their_characters() {
        let mut pages = Pages::default();
        pages.push(sample());
        pages.push(Vec::new());
        let mut more = Pages::default();
        more.push(vec![sample().remove(0)]);
        pages.append(more);
        pages.extend_page(1, sample().split_off(5));
        assert_eq!(pages.len(), 3);
        let mut out = Vec::new();
        pages.unpack(0, &mut out).unwrap();
        assert_eq!(show(&out), show(&sample()));
        pages.unpack(1, &mut out).unwrap();
        assert_eq!(show(&out), show(&sample()[5..]));
        pages.unpack(2, &mut out).unwrap();
        assert_eq!(show(&out), show(&sample()[..1]));
        assert!(pages.unpack(3, &mut out).is_err());
        // Into items of other kinds and shorter texts than before, and back.
        let mut short = Pages::default();
        short.push(vec![Item::ActualText {
            text: Zeroizing::new("ä".into()),
        }]);
        short.push(sample().split_off(1));
        short.push(sample());
        let actual = || {
            vec![Item::ActualText {
                text: Zeroizing::new("ä".into()),
            }]
        };
        for (page, want) in [
            (2, sample()),
            (0, actual()),
            (2, sample()),
            (1, sample().split_off(1)),
            (2, sample()),
        ] {
            short.unpack(page, &mut out).unwrap();
            assert_eq!(show(&out), show(&want), "page {page}");
        }
        let used = pages.used().by_face();
        assert_eq!(used.keys().copied().collect::<Vec<_>>(), [Face::Mono]);
        let chars: String = used[&Face::Mono].iter().collect();
        assert_eq!(chars, " prstwäö🙂");
    }

    #[test]
    fn bytes_that_were_not_written_by_pack_are_an_error_not_a_panic() {
        let mut used = UsedChars::default();
        let whole = pack(&sample(), &mut used);
        for cut in 0..whole.len() {
            let pages = loose(&whole[..cut]);
            let mut out = Vec::new();
            // A cut at an item's end reads back the items before it; any other is an
            // error.
            if pages.unpack(0, &mut out).is_ok() {
                assert!(out.len() < sample().len(), "cut at {cut}");
            }
        }
        assert!(loose(&[99]).unpack(0, &mut Vec::new()).is_err());
    }

    /// One page of the bytes given.
    fn loose(bytes: &[u8]) -> Pages {
        Pages {
            runs: vec![Run::Loose(Zeroizing::new(bytes.into()))],
            extra: vec![Vec::new()],
            ..Pages::default()
        }
    }

    /// A page of its own number as text, and a line, so that each page is told apart.
    fn numbered(i: usize) -> Vec<Item> {
        let mut items = sample();
        items.push(Item::Text {
            x: i as f32,
            y: 0.0,
            face: Face::Sans,
            size: 9.0,
            color: Rgb(0, 0, 0),
            oblique: false,
            text: Zeroizing::new(format!("page {i}")),
        });
        items
    }

    #[test]
    fn pages_beyond_the_loose_limit_are_deflated_in_batches_and_read_back_in_any_order() {
        // One page kept as laid out, then batches of pages, the last page still loose.
        let one = pack(&numbered(0), &mut UsedChars::default()).len();
        let mut pages = Pages {
            limits: (unpacked_size(&numbered(1)), 3 * one, 2 * one),
            ..Pages::default()
        };
        let mut front = Pages::default();
        front.push(numbered(0));
        for i in 1..=20 {
            pages.push(numbered(i));
        }
        let batches = pages
            .runs
            .iter()
            .filter(|r| matches!(r, Run::Deflated { .. }))
            .count();
        assert!(batches >= 5, "{batches} batches");
        assert!(matches!(pages.runs[0], Run::Items(_)));
        assert!(matches!(pages.runs.last(), Some(Run::Loose(_))));
        front.append(pages);
        front.extend_page(1, vec![sample().remove(0)]);
        front.extend_page(7, vec![sample().remove(0)]);
        assert_eq!(front.len(), 21);
        let mut reader = front.reader();
        let mut out = Vec::new();
        for i in (0..21).chain([3, 17, 0, 20, 7, 1]) {
            let items = reader.page(i, &mut out).unwrap();
            let mut want = numbered(i);
            if i == 7 || i == 1 {
                want.push(sample().remove(0));
            }
            assert_eq!(show(items), show(&want), "page {i}");
        }
        assert!(reader.page(21, &mut out).is_err());
    }
}
