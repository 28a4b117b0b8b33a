//! Laid-out pages to PDF bytes: the only user of `printpdf`.
//!
//! printpdf builds the frame of the document: the embedded font subsets with their
//! widths and ToUnicode maps, the outline, the metadata and the page tree. The page
//! content streams we write ourselves, straight from the laid-out items into bytes and
//! Flate-compressed: going through printpdf's operations and lopdf's content encoder
//! cost more than half of a dossier's rendering and held every page in memory several
//! times over, uncompressed.
//!
//! Reproducibility: printpdf names resources and the trailer `/ID` with a
//! process-global counter, so the same input could give different bytes. We name the
//! fonts ourselves, set every date from the caller, and replace the `/ID` with a hash of
//! the metadata and of the streams' checksums before writing.

use printpdf::{FontId, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use flate2::{Compress, Compression, FlushCompress, Status};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::fonts::{Face, Fonts};
use super::layout::{Item, Rgb};
use crate::error::{Error, Result};

/// Document metadata. It is public, so it must never hold a secret: only the title,
/// the client's display name and the fingerprint go in.
pub struct Meta<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub producer: &'a str,
    pub unix_time: i64,
}

fn font_name(face: Face) -> &'static str {
    match face {
        Face::Sans => "F1",
        Face::Bold => "F2",
        Face::Mono => "F3",
    }
}

fn font_id(face: Face) -> FontId {
    FontId(font_name(face).to_owned())
}

/// Writes the pages to `out`. `marks` are bookmarks (title, zero-based page).
pub fn write(
    pages: &[Vec<Item>],
    marks: &[(String, usize)],
    size: (f32, f32),
    meta: &Meta<'_>,
    logo: Option<&super::templates::Logo>,
    out: &mut dyn Write,
) -> Result<()> {
    let fonts = Fonts::get();
    let mut doc = PdfDocument::new(meta.title);
    if let Some(logo) = logo {
        doc.resources.xobjects.map.insert(
            printpdf::XObjectId("Logo".to_owned()),
            printpdf::XObject::Image(printpdf::RawImage {
                pixels: printpdf::RawImageData::U8(logo.rgb.clone()),
                width: logo.width,
                height: logo.height,
                data_format: printpdf::RawImageFormat::RGB8,
                tag: Vec::new(),
            }),
        );
    }
    // The characters each face draws, gathered in one pass over the pages.
    // A flat table for the common code points: a tree insert per character was 5% of
    // a dossier.
    let mut seen = vec![[false; DENSE as usize]; Face::ALL.len()];
    let mut used: BTreeMap<Face, BTreeSet<char>> = BTreeMap::new();
    for item in pages.iter().flatten() {
        if let Item::Text { face, text, .. } = item {
            let index = Face::ALL.iter().position(|f| f == face).unwrap_or(0);
            let mut rare = Vec::new();
            for c in text.chars() {
                match seen[index].get_mut(c as usize) {
                    Some(s) => *s = true,
                    None => rare.push(c),
                }
            }
            if !rare.is_empty() {
                used.entry(*face).or_default().extend(rare);
            }
        }
    }
    for (face, seen) in Face::ALL.iter().zip(&seen) {
        let chars = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .filter_map(|(cp, _)| char::from_u32(cp as u32));
        let mut chars = chars.peekable();
        if chars.peek().is_some() {
            used.entry(*face).or_default().extend(chars);
        }
    }
    let mut glyphs: BTreeMap<Face, Glyphs> = BTreeMap::new();
    // printpdf writes a font's widths and ToUnicode map for the characters the pages
    // show: the first page shows them all, once, in a content stream that is replaced
    // below.
    let mut inventory = vec![Op::StartTextSection];
    for (face, chars) in &used {
        let (font, map) = subset(fonts, *face, chars)?;
        doc.resources
            .fonts
            .map
            .insert(font_id(*face), printpdf::PdfFont::new(font));
        glyphs.insert(*face, map);
        inventory.push(Op::SetFont {
            font: PdfFontHandle::External(font_id(*face)),
            size: Pt(1.0),
        });
        inventory.push(Op::ShowText {
            items: vec![TextItem::Text(chars.iter().collect())],
        });
    }
    inventory.push(Op::EndTextSection);
    drop(used);
    let time = printpdf::OffsetDateTime::from_unix_timestamp(meta.unix_time)
        .map_err(|_| Error::Invalid("the dossier date is out of range".into()))?;
    let info = &mut doc.metadata.info;
    info.creation_date = time;
    info.modification_date = time;
    info.metadata_date = time;
    info.subject = meta.subject.to_owned();
    info.producer = meta.producer.to_owned();
    info.creator = meta.producer.to_owned();

    // printpdf makes one page, whose content shows every character (for the fonts'
    // widths and ToUnicode maps) and is dropped; the pages and the outline we write
    // ourselves, sharing that page's resources. A page object, resources dictionary
    // and content stream per page in printpdf's model held a 50,000-entry dossier's
    // pages in memory several times over.
    if pages.is_empty() {
        return Err(Error::Invalid(
            "internal error: a dossier without pages; please report it".into(),
        ));
    }
    doc.pages = vec![PdfPage::new(
        printpdf::Mm(size.0 / super::layout::MM),
        printpdf::Mm(size.1 / super::layout::MM),
        inventory,
    )];

    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
    wipe(&mut doc);
    drop(doc);

    let frame = Frame::take(&mut lo, pages.len(), marks.len())?;
    let mut deflate = Deflate::new();
    // The fonts, their ToUnicode maps and anything else printpdf left uncompressed.
    for object in lo.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
        {
            let compressed = deflate.compress(&stream.content)?.to_vec();
            if compressed.len() < stream.content.len() {
                stream.content.zeroize();
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }

    // A stable /ID that changes with anything the dossier shows: a hash of the
    // metadata (title, subject with the vault fingerprint, date) and of each stream's
    // length and Adler-32 checksum of its uncompressed content, which zlib computed
    // anyway and wrote as the stream's last four bytes. Hashing every stream's bytes
    // instead cost 3% of a dossier.
    let mut hasher = Sha256::new();
    hasher.update(b"handover dossier /ID 2\0");
    for part in [meta.title, meta.subject, meta.producer] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.update(meta.unix_time.to_le_bytes());
    let mut hash_stream = |id: u32, content: &[u8], flate: bool| {
        hasher.update(id.to_le_bytes());
        hasher.update((content.len() as u64).to_le_bytes());
        if flate {
            hasher.update(&content[content.len().saturating_sub(4)..]);
        } else {
            hasher.update(content);
        }
    };

    // The file, object by object, in the layout lopdf's `save_to` gives it. Each
    // object is serialised into one buffer, written, and wiped: the compressed page
    // streams still encode the secrets.
    let mut w = Sink {
        out,
        written: 0,
        buf: Zeroizing::new(Vec::with_capacity(64 * 1024)),
    };
    w.buf.extend_from_slice(b"%PDF-");
    w.buf.extend_from_slice(lo.version.as_bytes());
    w.buf.extend_from_slice(b"\n%");
    w.buf.extend_from_slice(&lo.binary_mark);
    w.buf.push(b'\n');
    w.flush()?;
    let logo_size = logo.map(|l| (l.width, l.height));
    let mut xref: Vec<(u32, u16, u64)> = Vec::with_capacity(lo.objects.len());
    for (&(id, generation), object) in &lo.objects {
        xref.push((id, generation, w.written));
        w.buf
            .extend_from_slice(format!("{id} {generation} obj\n").as_bytes());
        if let lopdf::Object::Stream(stream) = object {
            let flate = stream
                .dict
                .get(b"Filter")
                .and_then(lopdf::Object::as_name)
                .is_ok_and(|f| f == b"FlateDecode");
            hash_stream(id, &stream.content, flate);
        }
        if needs_separator(object) {
            w.buf.push(b' ');
        }
        write_object(&mut w.buf, object);
        if needs_end_separator(object) {
            w.buf.push(b' ');
        }
        w.buf.extend_from_slice(b"\nendobj\n");
        w.flush()?;
    }

    // The pages: each page object, then its content stream, encoded from the laid-out
    // items, compressed and written at once.
    let mut content: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::new());
    for (i, items) in pages.iter().enumerate() {
        let (page_id, content_id) = frame.page_ids(i);
        xref.push((page_id, 0, w.written));
        uint(&mut w.buf, u64::from(page_id));
        w.buf.extend_from_slice(b" 0 obj\n<</Type/Page/Parent ");
        reference(&mut w.buf, frame.pages_node);
        w.buf.extend_from_slice(b"/MediaBox[0 0 ");
        num(&mut w.buf, size.0);
        num(&mut w.buf, size.1);
        w.buf.extend_from_slice(b"]/Resources ");
        reference(&mut w.buf, frame.resources);
        w.buf.extend_from_slice(b"/Contents ");
        reference(&mut w.buf, (content_id, 0));
        w.buf.extend_from_slice(b">>\nendobj\n");
        w.flush()?;

        // Sized up front, so that writing never reallocates and leaves an unwiped
        // copy of the secrets behind.
        // What lies beyond the length was never written or is wiped already.
        let bound = content_bound(items);
        if content.capacity() < bound {
            content = Zeroizing::new(Vec::with_capacity(bound));
        }
        page_content(items, logo_size, &glyphs, &mut content);
        let compressed = deflate.compress(&content)?;
        content.as_mut_slice().zeroize();
        content.clear();
        hash_stream(content_id, compressed, true);
        xref.push((content_id, 0, w.written));
        // Grown before the stream goes in, so that growing never leaves a copy of it
        // in freed memory.
        w.buf.reserve(compressed.len() + 128);
        uint(&mut w.buf, u64::from(content_id));
        w.buf.extend_from_slice(b" 0 obj\n<</Length ");
        uint(&mut w.buf, compressed.len() as u64);
        w.buf.extend_from_slice(b"/Filter/FlateDecode>>stream\n");
        w.buf.extend_from_slice(compressed);
        w.buf.extend_from_slice(b"\nendstream\nendobj\n");
        deflate.wipe();
        w.flush()?;
    }

    // The outline: one item per bookmark, in order, each opening its page.
    if !marks.is_empty() {
        let root = frame.outline_root;
        xref.push((root, 0, w.written));
        let (first, last) = (frame.outline_item(0), frame.outline_item(marks.len() - 1));
        w.buf.extend_from_slice(
            format!(
                "{root} 0 obj\n<</Type/Outlines/First {first} 0 R/Last {last} 0 R/Count {}>>\nendobj\n",
                marks.len()
            )
            .as_bytes(),
        );
        w.flush()?;
        for (i, (title, page)) in marks.iter().enumerate() {
            let id = frame.outline_item(i);
            xref.push((id, 0, w.written));
            uint(&mut w.buf, u64::from(id));
            w.buf.extend_from_slice(b" 0 obj\n<</Title");
            write_object(&mut w.buf, &text_string(title));
            w.buf.extend_from_slice(b"/Parent ");
            reference(&mut w.buf, (root, 0));
            if i > 0 {
                w.buf.extend_from_slice(b"/Prev ");
                reference(&mut w.buf, (frame.outline_item(i - 1), 0));
            }
            if i + 1 < marks.len() {
                w.buf.extend_from_slice(b"/Next ");
                reference(&mut w.buf, (frame.outline_item(i + 1), 0));
            }
            w.buf.extend_from_slice(b"/Dest[");
            let (target, _) = frame.page_ids((*page).min(pages.len() - 1));
            reference(&mut w.buf, (target, 0));
            w.buf.extend_from_slice(b"/Fit]>>\nendobj\n");
            w.flush()?;
        }
    }

    let digest = hasher.finalize();
    let id = lopdf::Object::String(digest[..16].to_vec(), lopdf::StringFormat::Hexadecimal);
    lo.trailer
        .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
    lo.max_id = frame.max_id;
    lo.trailer.set("Size", i64::from(lo.max_id) + 1);
    let xref_start = w.written;
    write_xref(&mut w.buf, &xref, lo.max_id);
    w.buf.extend_from_slice(b"trailer\n");
    write_object(
        &mut w.buf,
        &lopdf::Object::Dictionary(std::mem::take(&mut lo.trailer)),
    );
    w.buf
        .extend_from_slice(format!("\nstartxref\n{xref_start}\n%%EOF").as_bytes());
    w.flush()?;
    for object in lo.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            stream.content.zeroize();
        }
    }
    Ok(())
}

/// What printpdf's document leaves for the pages we write: the page tree's root and
/// the resources every page shares; and the object ids of the pages, their content
/// streams and the outline, numbered after printpdf's objects.
struct Frame {
    pages_node: lopdf::ObjectId,
    resources: lopdf::ObjectId,
    first_new: u32,
    pages: u32,
    outline_root: u32,
    max_id: u32,
}

impl Frame {
    /// Takes printpdf's one page out of `lo` and sets up the page tree and the catalog
    /// for `pages` pages and `marks` bookmarks.
    fn take(lo: &mut lopdf::Document, pages: usize, marks: usize) -> Result<Frame> {
        let internal = |what: &str| {
            Error::Invalid(format!(
                "internal error: the PDF frame has no {what}; please report it"
            ))
        };
        let template = lo
            .get_pages()
            .into_values()
            .next()
            .ok_or_else(|| internal("page"))?;
        let page = lo
            .get_dictionary(template)
            .map_err(|_| internal("page dictionary"))?
            .clone();
        let pages_node = page
            .get(b"Parent")
            .and_then(lopdf::Object::as_reference)
            .map_err(|_| internal("page tree"))?;
        let resources = match page.get(b"Resources").map_err(|_| internal("resources"))? {
            lopdf::Object::Reference(id) => *id,
            other => lo.add_object(other.clone()),
        };
        if let Ok(contents) = page.get(b"Contents").and_then(lopdf::Object::as_reference)
            && let Some(lopdf::Object::Stream(mut stream)) = lo.objects.remove(&contents)
        {
            stream.content.zeroize();
        }
        lo.objects.remove(&template);
        let too_many = || Error::Invalid("the dossier has too many pages for a PDF".into());
        let n = u32::try_from(pages).map_err(|_| too_many())?;
        let first_new = lo.max_id + 1;
        let outline_root = n
            .checked_mul(2)
            .and_then(|p| p.checked_add(first_new))
            .ok_or_else(too_many)?;
        let max_id = u32::try_from(marks)
            .ok()
            .and_then(|m| outline_root.checked_add(m))
            .ok_or_else(too_many)?;
        let frame = Frame {
            pages_node,
            resources,
            first_new,
            pages: n,
            outline_root,
            max_id,
        };
        let kids = (0..pages)
            .map(|i| lopdf::Object::Reference((frame.page_ids(i).0, 0)))
            .collect();
        let tree = lo
            .get_dictionary_mut(pages_node)
            .map_err(|_| internal("page tree"))?;
        tree.set("Kids", lopdf::Object::Array(kids));
        tree.set("Count", i64::from(n));
        let catalog = lo
            .trailer
            .get(b"Root")
            .and_then(lopdf::Object::as_reference)
            .map_err(|_| internal("catalog"))?;
        let catalog = lo
            .get_dictionary_mut(catalog)
            .map_err(|_| internal("catalog"))?;
        if marks > 0 {
            catalog.set("Outlines", lopdf::Object::Reference((outline_root, 0)));
            catalog.set("PageMode", lopdf::Object::Name(b"UseOutlines".to_vec()));
        } else {
            catalog.remove(b"Outlines");
            catalog.remove(b"PageMode");
        }
        Ok(frame)
    }

    /// The ids of page `i`'s object and of its content stream.
    fn page_ids(&self, i: usize) -> (u32, u32) {
        let page = self.first_new + 2 * (i as u32).min(self.pages.saturating_sub(1));
        (page, page + 1)
    }

    fn outline_item(&self, i: usize) -> u32 {
        self.outline_root + 1 + i as u32
    }
}

fn reference(out: &mut Vec<u8>, (id, generation): lopdf::ObjectId) {
    uint(out, u64::from(id));
    out.push(b' ');
    uint(out, u64::from(generation));
    out.extend_from_slice(b" R");
}

/// A PDF text string: PDFDocEncoding when printable ASCII, else UTF-16BE with its byte
/// order mark.
fn text_string(text: &str) -> lopdf::Object {
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        lopdf::Object::String(text.as_bytes().to_vec(), lopdf::StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
    }
}

/// Where the PDF goes, and how much of it went there.
struct Sink<'a> {
    out: &'a mut dyn Write,
    written: u64,
    /// The object being serialised; wiped after each write.
    buf: Zeroizing<Vec<u8>>,
}

impl Sink<'_> {
    fn flush(&mut self) -> Result<()> {
        self.out
            .write_all(&self.buf)
            .map_err(|e| Error::io("cannot write the PDF", e))?;
        self.written += self.buf.len() as u64;
        // What lies beyond the length is wiped already (wiping the whole capacity after
        // every object cost 5% of a dossier).
        self.buf.as_mut_slice().zeroize();
        self.buf.clear();
        Ok(())
    }
}

/// The cross-reference table, as lopdf writes it: one section per run of ids.
fn write_xref(out: &mut Vec<u8>, objects: &[(u32, u16, u64)], max_id: u32) {
    use lopdf::xref::{XrefEntry, XrefSection};
    let by_id: BTreeMap<u32, (u16, u64)> = objects
        .iter()
        .map(|&(id, g, offset)| (id, (g, offset)))
        .collect();
    out.extend_from_slice(b"xref\n");
    let mut section = XrefSection::new(0);
    section.add_unusable_free_entry();
    for id in 1..=max_id {
        if section.is_empty() {
            section = XrefSection::new(id);
        }
        match by_id.get(&id) {
            Some(&(generation, offset)) => section.add_entry(XrefEntry::Normal {
                offset: u32::try_from(offset).unwrap_or(u32::MAX),
                generation,
            }),
            None => {
                if !section.is_empty() {
                    // Writing into a Vec cannot fail.
                    let _ = section.write_xref_section(out);
                    section = XrefSection::new(id);
                }
            }
        }
    }
    if !section.is_empty() {
        let _ = section.write_xref_section(out);
    }
}

fn needs_separator(object: &lopdf::Object) -> bool {
    use lopdf::Object::*;
    matches!(
        object,
        Null | Boolean(_) | Integer(_) | Real(_) | Reference(_)
    )
}

fn needs_end_separator(object: &lopdf::Object) -> bool {
    use lopdf::Object::*;
    matches!(
        object,
        Null | Boolean(_) | Integer(_) | Real(_) | Name(_) | Reference(_) | Stream(_)
    )
}

/// A PDF object as lopdf's writer serialises it (lopdf keeps its writer private).
fn write_object(out: &mut Vec<u8>, object: &lopdf::Object) {
    use lopdf::Object::*;
    match object {
        Null => out.extend_from_slice(b"null"),
        Boolean(true) => out.extend_from_slice(b"true"),
        Boolean(false) => out.extend_from_slice(b"false"),
        Integer(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Real(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Name(name) => write_name(out, name),
        String(text, lopdf::StringFormat::Literal) => {
            // Backslashes, carriage returns and unbalanced parentheses are escaped.
            let mut escape = Vec::new();
            let mut open = Vec::new();
            for (i, &b) in text.iter().enumerate() {
                match b {
                    b'(' => open.push(i),
                    // The guard pops the matching '(' if there is one.
                    b')' if open.pop().is_none() => escape.push(i),
                    b'\\' | b'\r' => escape.push(i),
                    _ => {}
                }
            }
            escape.extend(open);
            out.push(b'(');
            for (i, &b) in text.iter().enumerate() {
                if escape.contains(&i) {
                    out.push(b'\\');
                    out.push(if b == b'\r' { b'r' } else { b });
                } else {
                    out.push(b);
                }
            }
            out.push(b')');
        }
        String(text, lopdf::StringFormat::Hexadecimal) => {
            out.push(b'<');
            for &b in text {
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            out.push(b'>');
        }
        Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && needs_separator(item) {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Dictionary(dict) => write_dictionary(out, dict),
        Stream(stream) => {
            write_dictionary(out, &stream.dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Reference((id, generation)) => {
            out.extend_from_slice(format!("{id} {generation} R").as_bytes());
        }
    }
}

fn write_dictionary(out: &mut Vec<u8>, dict: &lopdf::Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(out, key);
        if needs_separator(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            out.push(b'#');
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        } else {
            out.push(b);
        }
    }
}

/// One zlib compressor and one output buffer for every stream of a dossier.
struct Deflate {
    zlib: Compress,
    /// The last stream compressed; wiped by [`Deflate::wipe`] and on drop.
    out: Zeroizing<Vec<u8>>,
}

impl Deflate {
    fn new() -> Self {
        // Level 1 (zlib-rs's quick deflate, static Huffman codes). Measured with the
        // compact content streams: at 1,000 entries level 2 made the PDF 0.62 MB instead
        // of 0.77 MB for 79 M more instructions (10% of the export), at 50 entries
        // 91 KB instead of 108 KB for 8 M more; level 6 costs more again.
        Deflate {
            zlib: Compress::new(Compression::new(1), true),
            out: Zeroizing::new(Vec::new()),
        }
    }

    /// `data` as a zlib stream. The buffer is reallocated only to zlib's worst-case
    /// size for `data`, wiping the old one, so no copy is left in freed memory.
    fn compress(&mut self, data: &[u8]) -> Result<&[u8]> {
        self.zlib.reset();
        let bound = data.len() + data.len() / 1000 + data.len() / 64 + 64;
        self.wipe();
        if self.out.capacity() < bound {
            self.out = Zeroizing::new(Vec::with_capacity(bound));
        }
        match self
            .zlib
            .compress_vec(data, &mut self.out, FlushCompress::Finish)
        {
            Ok(Status::StreamEnd) => Ok(&self.out),
            other => Err(Error::Invalid(format!(
                "internal error: cannot compress a PDF stream ({other:?}); please report it"
            ))),
        }
    }

    fn wipe(&mut self) {
        self.out.as_mut_slice().zeroize();
        self.out.clear();
    }
}

/// The new glyph ids of a face's subset, by character.
struct Glyphs {
    /// Code points below `DENSE`: nearly all text is Latin.
    dense: Vec<u16>,
    sparse: BTreeMap<u32, u16>,
}

const DENSE: u32 = 0x800;

impl Glyphs {
    fn get(&self, c: char) -> u16 {
        let cp = c as u32;
        if cp < DENSE {
            self.dense[cp as usize]
        } else {
            // No glyph: .notdef, as printpdf would write (layout never lets that happen).
            self.sparse.get(&cp).copied().unwrap_or(0)
        }
    }
}

/// An upper bound of what [`page_content`] writes for `items`.
fn content_bound(items: &[Item]) -> usize {
    // The longest number `num` writes is 21 bytes; an operator line has at most six.
    const NUM: usize = 22;
    let mut bound = 64;
    for item in items {
        bound += match item {
            // A two-byte code a character, each byte escaped.
            Item::Text { text, .. } => 12 * NUM + 16 + 4 * text.chars().count(),
            Item::Rect { .. } => 14 * NUM + 16,
            Item::Line { points, .. } => 6 * NUM + 16 + points.len() * (2 * NUM + 4),
            Item::Logo { .. } => 8 * NUM + 32,
            // Two hex digits a byte.
            Item::Qr { rows, .. } => 8 * NUM + 96 + 2 * rows.len(),
            // Up to two UTF-16 units, two bytes each, each byte escaped.
            Item::ActualText { text } => 40 + 8 * text.chars().count(),
            Item::EndActualText { .. } => NUM + 24,
        };
    }
    bound
}

/// State of a content stream being written, to leave out operators that change nothing.
#[derive(Default)]
struct State {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    width: Option<f32>,
    /// A path of filled rectangles not yet painted (QR codes: one fill for all).
    open_fill: bool,
}

impl State {
    fn paint_pending(&mut self, out: &mut Vec<u8>) {
        if self.open_fill {
            out.extend_from_slice(b"f\n");
            self.open_fill = false;
        }
    }

    fn fill(&mut self, c: Rgb, out: &mut Vec<u8>) {
        if self.fill != Some(c) {
            color(out, c, b"g\n", b"rg\n");
            self.fill = Some(c);
        }
    }

    fn stroke(&mut self, c: Rgb, width: f32, out: &mut Vec<u8>) {
        if self.stroke != Some(c) {
            color(out, c, b"G\n", b"RG\n");
            self.stroke = Some(c);
        }
        if self.width != Some(width) {
            num(out, width);
            out.extend_from_slice(b"w\n");
            self.width = Some(width);
        }
    }
}

/// A page's content stream. Graphics first, then all text in one text object: fewer
/// state changes, and the boxes behind secrets are painted before the secrets.
fn page_content(
    items: &[Item],
    logo: Option<(usize, usize)>,
    glyphs: &BTreeMap<Face, Glyphs>,
    out: &mut Vec<u8>,
) {
    let mut state = State::default();
    for item in items {
        match item {
            Item::Rect {
                x,
                y,
                w,
                h,
                fill: Some(f),
                stroke: None,
            } => {
                if state.open_fill && state.fill != Some(*f) {
                    state.paint_pending(out);
                }
                state.fill(*f, out);
                rect(out, *x, *y, *w, *h);
                state.open_fill = true;
            }
            Item::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                state.paint_pending(out);
                if let Some(f) = fill {
                    state.fill(*f, out);
                }
                if let Some((s, width)) = stroke {
                    state.stroke(*s, *width, out);
                }
                rect(out, *x, *y, *w, *h);
                out.extend_from_slice(match (fill, stroke) {
                    (Some(_), Some(_)) => b"B\n",
                    (None, Some(_)) => b"S\n",
                    _ => b"f\n",
                });
            }
            Item::Line {
                points,
                width,
                color: c,
            } => {
                state.paint_pending(out);
                if let Some(((x, y), rest)) = points.split_first() {
                    state.stroke(*c, *width, out);
                    num(out, *x);
                    num(out, *y);
                    out.extend_from_slice(b"m\n");
                    for (x, y) in rest {
                        num(out, *x);
                        num(out, *y);
                        out.extend_from_slice(b"l\n");
                    }
                    out.extend_from_slice(b"S\n");
                }
            }
            Item::Logo { x, y, w, .. } => {
                state.paint_pending(out);
                if let Some((px_w, px_h)) = logo {
                    // The logo's width fills the box; its height keeps the aspect ratio.
                    let h = px_h as f32 * *w / px_w.max(1) as f32;
                    out.extend_from_slice(b"q\n");
                    for v in [*w, 0.0, 0.0, h, *x, *y] {
                        num(out, v);
                    }
                    out.extend_from_slice(b"cm\n/Logo Do\nQ\n");
                }
            }
            Item::Qr {
                x,
                y,
                module,
                width,
                rows,
            } => {
                state.paint_pending(out);
                // Pure black, whatever the text's colour: scanners want contrast.
                state.fill(Rgb(0, 0, 0), out);
                let side = module * *width as f32;
                out.extend_from_slice(b"q\n");
                for v in [side, 0.0, 0.0, side, *x, *y] {
                    num(out, v);
                }
                // An image mask paints its 1 bits (`/D [1 0]`) in the fill colour.
                // ASCIIHex, so that no byte of the image can read as its end (`EI`).
                out.extend_from_slice(b"cm\nBI /W ");
                uint(out, *width as u64);
                out.extend_from_slice(b" /H ");
                uint(out, *width as u64);
                out.extend_from_slice(b" /IM true /BPC 1 /D [1 0] /F /AHx ID\n");
                for byte in rows.iter() {
                    out.extend_from_slice(&[
                        HEX[usize::from(byte >> 4)],
                        HEX[usize::from(byte & 15)],
                    ]);
                }
                out.extend_from_slice(b">\nEI\nQ\n");
            }
            Item::Text { .. } | Item::ActualText { .. } | Item::EndActualText { .. } => {}
        }
    }
    state.paint_pending(out);
    out.extend_from_slice(b"BT\n");
    let mut current: Option<(Face, f32)> = None;
    // Where the text line matrix puts the origin, in hundredths of a point, unless a
    // slant is in it: the next line moves from there (`Td`, half the bytes of `Tm`).
    // `BT` starts at the page's origin.
    let mut line: Option<(i64, i64)> = Some((0, 0));
    for item in items {
        if let Item::Text {
            x,
            y,
            face,
            size,
            color: c,
            oblique,
            text,
        } = item
        {
            if current != Some((*face, *size)) {
                out.push(b'/');
                out.extend_from_slice(font_name(*face).as_bytes());
                out.push(b' ');
                num(out, *size);
                out.extend_from_slice(b"Tf\n");
                current = Some((*face, *size));
            }
            state.fill(*c, out);
            let at = (hundredths(*x), hundredths(*y));
            match line {
                Some((lx, ly)) if !*oblique => {
                    num_hundredths(out, at.0 - lx);
                    num_hundredths(out, at.1 - ly);
                    out.extend_from_slice(b"Td\n(");
                    line = Some(at);
                }
                _ => {
                    // A shear of about 12°, as renderers slant a face that has no italic.
                    out.extend_from_slice(if *oblique {
                        b"1 0 0.21 1 "
                    } else {
                        b"1 0 0 1 "
                    });
                    num_hundredths(out, at.0);
                    num_hundredths(out, at.1);
                    out.extend_from_slice(b"Tm\n(");
                    line = (!*oblique).then_some(at);
                }
            }
            if let Some(map) = glyphs.get(face) {
                for ch in text.chars() {
                    let code = map.get(ch).to_be_bytes();
                    if ESCAPED[usize::from(code[0])] || ESCAPED[usize::from(code[1])] {
                        literal_byte(out, code[0]);
                        literal_byte(out, code[1]);
                    } else {
                        out.extend_from_slice(&code);
                    }
                }
            }
            out.extend_from_slice(b")Tj\n");
        } else if let Item::ActualText { text } = item {
            actual_text(out, text);
        } else if let Item::EndActualText { report_size } = item {
            // poppler gives a span's text the font size in effect when the span ends,
            // and takes a new size only at the next text-showing operator: an empty
            // string, which shows nothing.
            if let (Some(size), Some((face, _))) = (report_size, current) {
                out.push(b'/');
                out.extend_from_slice(font_name(face).as_bytes());
                out.push(b' ');
                num(out, *size);
                out.extend_from_slice(b"Tf\n()Tj\n");
                current = Some((face, *size));
            }
            out.extend_from_slice(b"EMC\n");
        }
    }
    out.extend_from_slice(b"ET\n");
}

/// Opens a marked-content span whose text, for copying and extraction, is `text`: a
/// text string, in PDFDocEncoding when it is printable ASCII (one byte a character) and
/// otherwise in UTF-16BE with its byte order mark, so that any character goes in.
fn actual_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"/Span <</ActualText (");
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        for byte in text.bytes() {
            literal_byte(out, byte);
        }
    } else {
        out.extend_from_slice(b"\xFE\xFF");
        let mut units = [0u16; 2];
        for ch in text.chars() {
            for unit in ch.encode_utf16(&mut units) {
                for byte in unit.to_be_bytes() {
                    literal_byte(out, byte);
                }
            }
        }
        units.zeroize();
    }
    out.extend_from_slice(b")>> BDC\n");
}

/// The bytes [`literal_byte`] escapes, as a table: glyph codes go through it by the
/// million.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    table[b'(' as usize] = true;
    table[b')' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

/// One byte of a literal string: the delimiters and the escape character escaped, and
/// line ends too (a raw CR would be read as LF).
fn literal_byte(out: &mut Vec<u8>, byte: u8) {
    match byte {
        b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', byte]),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\n' => out.extend_from_slice(b"\\n"),
        _ => out.push(byte),
    }
}

fn rect(out: &mut Vec<u8>, x: f32, y: f32, w: f32, h: f32) {
    for v in [x, y, w, h] {
        num(out, v);
    }
    out.extend_from_slice(b"re\n");
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `v` to two decimals and a space: positions to 1/100 pt, far below what a printer
/// or a screen resolves. Written by hand because `core::fmt` was a fifth of the cost
/// of a dossier.
fn num(out: &mut Vec<u8>, v: f32) {
    num_hundredths(out, hundredths(v));
}

/// `v` in hundredths of a point, as `num` writes it.
fn hundredths(v: f32) -> i64 {
    if v.is_finite() {
        (f64::from(v) * 100.0).round() as i64
    } else {
        0
    }
}

/// A number given in hundredths, as `num` writes it.
fn num_hundredths(out: &mut Vec<u8>, scaled: i64) {
    // Composed right to left in a buffer and appended at once: a page has thousands.
    let mut buf = [0u8; 32];
    let mut i = buf.len() - 1;
    buf[i] = b' ';
    let abs = scaled.unsigned_abs();
    let frac = (abs % 100) as u8;
    if frac != 0 {
        if !frac.is_multiple_of(10) {
            i -= 1;
            buf[i] = b'0' + frac % 10;
        }
        i -= 1;
        buf[i] = b'0' + frac / 10;
        i -= 1;
        buf[i] = b'.';
    }
    let mut v = abs / 100;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if scaled < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    out.extend_from_slice(&buf[i..]);
}

fn uint(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// An 8-bit colour and the operator that sets it: a grey as one DeviceGray component
/// and `gray_op`, any other as three DeviceRGB components and `rgb_op` (0 to 1, three
/// decimals).
fn color(out: &mut Vec<u8>, c: Rgb, gray_op: &[u8], rgb_op: &[u8]) {
    let grey = c.0 == c.1 && c.1 == c.2;
    let components: &[u8] = if grey { &[c.0] } else { &[c.0, c.1, c.2] };
    for &v in components {
        let thousandths = (u32::from(v) * 1000 + 127) / 255;
        match thousandths {
            0 => out.extend_from_slice(b"0 "),
            1000 => out.extend_from_slice(b"1 "),
            t => {
                let digits = [
                    b'0',
                    b'.',
                    b'0' + (t / 100) as u8,
                    b'0' + (t / 10 % 10) as u8,
                    b'0' + (t % 10) as u8,
                ];
                let mut len = digits.len();
                while digits[len - 1] == b'0' {
                    len -= 1;
                }
                out.extend_from_slice(&digits[..len]);
                out.push(b' ');
            }
        }
    }
    out.extend_from_slice(if grey { gray_op } else { rgb_op });
}

/// The glyphs of `face` that `used` needs, as a font of its own, and the new glyph id
/// of each character. printpdf embeds whole fonts unless built with its HTML layout
/// engine, which we do not want: a dossier would carry 1.8 MB of fonts. The set of
/// characters is a property of the dossier, not a secret, but it is derived from
/// secrets and dropped with the document.
fn subset(
    fonts: &Fonts,
    face: Face,
    used: &BTreeSet<char>,
) -> Result<(printpdf::ParsedFont, Glyphs)> {
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut cmap = BTreeMap::new();
    let mut widths = BTreeMap::new();
    let mut glyphs = Glyphs {
        dense: vec![0; DENSE as usize],
        sparse: BTreeMap::new(),
    };
    for c in used {
        if let Some(gid) = fonts.glyph(face, *c) {
            let new = remapper.remap(gid);
            cmap.insert(*c as u32, new);
            widths.insert(new, fonts.glyph_advance(face, gid));
            if (*c as u32) < DENSE {
                glyphs.dense[*c as usize] = new;
            } else {
                glyphs.sparse.insert(*c as u32, new);
            }
        }
    }
    let bytes = subsetter::subset(face.bytes(), 0, &remapper)
        .map_err(|e| Error::Invalid(format!("cannot subset the bundled font {face:?}: {e:?}")))?;
    let header = fonts.header(face);
    let mut parsed = printpdf::ParsedFont::with_glyph_data(
        bytes,
        0,
        // The six-letter tag marks a subset, as the PDF specification asks (9.6.4).
        Some(
            match face {
                Face::Sans => "HOVAAA+DejaVuSans",
                Face::Bold => "HOVAAB+DejaVuSans-Bold",
                Face::Mono => "HOVAAC+DejaVuSansMono",
            }
            .to_owned(),
        ),
        cmap,
        widths,
        header.units_per_em,
        printpdf::FontMetrics {
            ascent: header.ascent,
            descent: header.descent,
        },
    );
    let (x_min, y_min, x_max, y_max) = header.bbox;
    parsed.pdf_font_metrics = printpdf::PdfFontMetricsStub {
        units_per_em: header.units_per_em,
        x_min,
        y_min,
        x_max,
        y_max,
        caret_slope_rise: header.caret_slope_rise,
        caret_slope_run: header.caret_slope_run,
        us_weight_class: header.weight_class,
    };
    // The bundled faces are TrueType (glyf) fonts, which `with_glyph_data` assumes.
    Ok((parsed, glyphs))
}

/// Overwrites the text the document model still holds (the characters of the first
/// page's inventory).
fn wipe(doc: &mut PdfDocument) {
    for page in &mut doc.pages {
        for op in &mut page.ops {
            if let Op::ShowText { items } = op {
                for item in items {
                    if let TextItem::Text(s) = item {
                        s.zeroize();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(values: &[f32]) -> String {
        let mut out = Vec::new();
        for v in values {
            num(&mut out, *v);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_written_to_two_decimals() {
        assert_eq!(
            nums(&[0.0, 1.0, -1.5, 12.346, 0.004, -0.004, 595.28, 0.1, f32::NAN]),
            "0 1 -1.5 12.35 0 0 595.28 0.1 0 "
        );
    }

    #[test]
    fn colours_are_written_to_three_decimals_and_greys_as_one_component() {
        let mut out = Vec::new();
        color(&mut out, Rgb(0, 255, 128), b"g\n", b"rg\n");
        color(&mut out, Rgb(51, 1, 254), b"G\n", b"RG\n");
        color(&mut out, Rgb(26, 26, 26), b"g\n", b"rg\n");
        color(&mut out, Rgb(0, 0, 0), b"G\n", b"RG\n");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 1 0.502 rg\n0.2 0.004 0.996 RG\n0.102 g\n0 G\n"
        );
    }

    #[test]
    fn filled_rectangles_of_one_colour_are_one_path_and_one_fill() {
        let black = Rgb(0, 0, 0);
        let r = |x: f32| Item::Rect {
            x,
            y: 1.0,
            w: 2.0,
            h: 3.0,
            fill: Some(black),
            stroke: None,
        };
        let mut out = Vec::new();
        page_content(&[r(1.0), r(2.0), r(3.0)], None, &BTreeMap::new(), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 g\n1 1 2 3 re\n2 1 2 3 re\n3 1 2 3 re\nf\nBT\nET\n"
        );
    }

    #[test]
    fn an_actual_text_span_encloses_its_runs_and_reports_its_size_before_it_ends() {
        let text = |t: &str| Item::Text {
            x: 1.0,
            y: 2.0,
            face: Face::Mono,
            size: 8.5,
            color: Rgb(0, 0, 0),
            oblique: false,
            text: Zeroizing::new(t.into()),
        };
        let items = [
            Item::ActualText {
                text: Zeroizing::new("a-€🙂".into()),
            },
            text("a-"),
            Item::EndActualText {
                report_size: Some(6.8),
            },
            Item::ActualText {
                text: Zeroizing::new(String::new()),
            },
            text("b"),
            Item::EndActualText { report_size: None },
            text("c"),
        ];
        let mut out = Vec::new();
        page_content(&items, None, &BTreeMap::new(), &mut out);
        // The first span's text is not ASCII: UTF-16BE with its byte order mark, the
        // emoji as a surrogate pair, in a literal string. The empty one is empty.
        assert_eq!(
            out.as_slice(),
            b"BT\n\
             /Span <</ActualText (\xFE\xFF\0a\0-\x20\xAC\xD8=\xDEB)>> BDC\n\
             /F3 8.5 Tf\n0 g\n1 2 Td\n()Tj\n/F3 6.8 Tf\n()Tj\nEMC\n\
             /Span <</ActualText ()>> BDC\n\
             /F3 8.5 Tf\n0 0 Td\n()Tj\nEMC\n\
             0 0 Td\n()Tj\nET\n"
        );
    }

    #[test]
    fn strings_escape_their_delimiters_and_lines_move_by_offsets() {
        let mut glyphs = BTreeMap::new();
        // Glyph ids whose bytes are a parenthesis, a backslash, CR and LF.
        let mut dense = vec![0u16; DENSE as usize];
        dense[usize::from(b'a')] = u16::from_be_bytes([b'(', b')']);
        dense[usize::from(b'b')] = u16::from_be_bytes([b'\\', b'\r']);
        dense[usize::from(b'c')] = u16::from_be_bytes([b'\n', b'x']);
        glyphs.insert(
            Face::Sans,
            Glyphs {
                dense,
                sparse: BTreeMap::new(),
            },
        );
        let text = |x: f32, y: f32, oblique: bool, t: &str| Item::Text {
            x,
            y,
            face: Face::Sans,
            size: 10.0,
            color: Rgb(0, 0, 0),
            oblique,
            text: Zeroizing::new(t.into()),
        };
        let items = [
            Item::ActualText {
                text: Zeroizing::new("p(a)s\\w".into()),
            },
            text(50.0, 700.0, false, "abc"),
            Item::EndActualText { report_size: None },
            text(60.5, 687.25, false, "a"),
            text(70.0, 600.0, true, "a"),
            text(50.0, 590.0, false, "a"),
            text(50.0, 580.0, false, "a"),
        ];
        let mut out = Vec::new();
        page_content(&items, None, &glyphs, &mut out);
        assert_eq!(
            out.as_slice(),
            b"BT\n/Span <</ActualText (p\\(a\\)s\\\\w)>> BDC\n\
              /F1 10 Tf\n0 g\n50 700 Td\n(\\(\\)\\\\\\r\\nx)Tj\nEMC\n\
              10.5 -12.75 Td\n(\\(\\))Tj\n\
              1 0 0.21 1 70 600 Tm\n(\\(\\))Tj\n\
              1 0 0 1 50 590 Tm\n(\\(\\))Tj\n\
              0 -10 Td\n(\\(\\))Tj\nET\n"
        );
        // What a reader makes of it: lopdf's content parser gets the same strings back.
        let content = lopdf::content::Content::decode(&out).unwrap();
        let shown: Vec<Vec<u8>> = content
            .operations
            .iter()
            .filter(|op| op.operator == "Tj")
            .map(|op| op.operands[0].as_str().unwrap().to_vec())
            .collect();
        assert_eq!(shown[0], b"()\\\r\nx");
        assert_eq!(shown.len(), 5);
    }

    #[test]
    fn a_qr_code_is_one_image_mask_of_its_modules() {
        let items = [Item::Qr {
            x: 10.0,
            y: 20.0,
            module: 2.0,
            width: 9,
            rows: Zeroizing::new(vec![
                0xFF, 0x80, 0x00, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ]),
        }];
        let mut out = Vec::new();
        page_content(&items, None, &BTreeMap::new(), &mut out);
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "0 g\nq\n18 0 0 18 10 20 cm\nBI /W 9 /H 9 /IM true /BPC 1 /D [1 0] /F /AHx ID\n\
             FF8000000100000000000000000000000000>\nEI\nQ\nBT\nET\n"
        );
        assert!(out.len() <= content_bound(&items));
    }

    #[test]
    fn the_bound_holds_for_extreme_values() {
        let items = vec![
            Item::Rect {
                x: -1e30,
                y: 1e30,
                w: f32::MAX,
                h: f32::MIN,
                fill: Some(Rgb(1, 2, 3)),
                stroke: Some((Rgb(4, 5, 6), 1e20)),
            },
            Item::Line {
                points: vec![(-1e30, -1e30); 5],
                width: -1e30,
                color: Rgb(7, 8, 9),
            },
            Item::Logo {
                x: -1e30,
                y: -1e30,
                w: -1e30,
                h: 0.0,
            },
            Item::ActualText {
                text: Zeroizing::new("ä€中🙂x".into()),
            },
            Item::Text {
                x: -1e30,
                y: -1e30,
                face: Face::Mono,
                size: -1e30,
                color: Rgb(10, 11, 12),
                oblique: true,
                text: Zeroizing::new("ä€中🙂x".into()),
            },
            Item::EndActualText {
                report_size: Some(-1e30),
            },
        ];
        let mut out = Vec::new();
        page_content(&items, Some((1, usize::MAX)), &BTreeMap::new(), &mut out);
        assert!(
            out.len() <= content_bound(&items),
            "{} > {}",
            out.len(),
            content_bound(&items)
        );
    }

    fn id_of(text: &str, unix_time: i64) -> (Vec<u8>, lopdf::Object) {
        let pages = vec![vec![Item::Text {
            x: 50.0,
            y: 700.0,
            face: Face::Mono,
            size: 10.0,
            color: Rgb(0, 0, 0),
            oblique: false,
            text: Zeroizing::new(text.into()),
        }]];
        let meta = Meta {
            title: "Dossier",
            subject: "Client — 7K3Q-M9XD-4TGB-WZ2H-0PNE",
            producer: "handover test",
            unix_time,
        };
        let mut pdf = Vec::new();
        write(&pages, &[], (595.28, 841.89), &meta, None, &mut pdf).unwrap();
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        let id = doc.trailer.get(b"ID").unwrap().clone();
        (pdf, id)
    }

    #[test]
    fn the_id_is_stable_and_follows_what_is_printed() {
        let (first, id) = id_of("secret-1", 1_767_225_600);
        let (again, same) = id_of("secret-1", 1_767_225_600);
        assert_eq!(first, again, "same input, different bytes");
        assert_eq!(id, same);
        // One character of the page differs (same length, same glyphs): another /ID.
        assert_ne!(id_of("secret-2", 1_767_225_600).1, id);
        assert_ne!(id_of("secret-1", 1_767_225_601).1, id);
    }

    #[test]
    fn objects_are_serialised_as_lopdf_does() {
        use lopdf::Object::*;
        let mut dict = lopdf::Dictionary::new();
        dict.set(
            "Title",
            String(b"a(b)c)d\\e\rf(".to_vec(), lopdf::StringFormat::Literal),
        );
        dict.set(
            "ID",
            String(vec![0, 0xab], lopdf::StringFormat::Hexadecimal),
        );
        dict.set("N", Name(b"A B#".to_vec()));
        dict.set(
            "Kids",
            Array(vec![
                Reference((3, 0)),
                Integer(-2),
                Real(0.5),
                Boolean(true),
                Null,
            ]),
        );
        let mut out = Vec::new();
        write_object(&mut out, &Dictionary(dict));
        assert_eq!(
            std::string::String::from_utf8(out).unwrap(),
            "<</Title(a(b)c\\)d\\\\e\\rf\\()/ID<00AB>/N/A#20B#23/Kids[3 0 R -2 0.5 true null]>>"
        );
    }
}
