//! Laid-out pages to PDF bytes, written by hand: the frame (fonts, metadata, page
//! tree), then each page's object and content stream, straight from the laid-out items
//! into bytes and Flate-compressed, then the outline and the cross-reference table.
//! Going through a document model (printpdf's operations, lopdf's content encoder) cost
//! more than half of a dossier's rendering and held every page in memory several times
//! over, uncompressed. lopdf's object types describe the frame's objects.
//!
//! Reproducibility: the same input gives the same bytes. Every date comes from the
//! caller, and the trailer's `/ID` is a hash of the metadata and of the streams'
//! checksums.
//!
//! Its parts: [`frame`] builds the document's frame; [`subset`] cuts the fonts down to
//! the characters drawn; [`encoding`] gives a font its codes (one byte a glyph where it
//! can) and its ToUnicode map; [`content`] encodes a page's items as a content stream,
//! with the numbers of [`numbers`]; [`deflate`] compresses the streams; [`objects`]
//! serialises PDF objects as lopdf would; [`xref`] writes the cross-reference table and
//! computes the `/ID`. This file writes the file in order.

mod content;
#[doc(hidden)] // public only for the fuzz target `pdf_deflate`
pub mod deflate;
mod encoding;
mod frame;
mod numbers;
mod objects;
mod subset;
mod xref;

use std::collections::BTreeMap;
use std::io::Write;

use zeroize::{Zeroize, Zeroizing};

use super::fonts::Face;
use super::layout::Item;
use super::packed::Pages;
use super::templates::Logo;
use crate::error::Result;
use content::{content_bound, page_content};
use deflate::{Deflate, compress_streams};
use frame::Frame;
use numbers::{num, uint};
use objects::{Sink, needs_end_separator, needs_separator, reference, text_string, write_object};
use subset::Glyphs;
use xref::{IdHash, write_xref};

/// Document metadata. It is public, so it must never hold a secret: only the title,
/// the client's display name and the fingerprint go in.
pub struct Meta<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub producer: &'a str,
    pub unix_time: i64,
}

/// Writes the pages to `out`, unpacking one at a time. `marks` are bookmarks (title,
/// zero-based page).
pub fn write(
    pages: &Pages,
    marks: &[(String, usize)],
    size: (f32, f32),
    meta: &Meta<'_>,
    logo: Option<&Logo>,
    out: &mut dyn Write,
) -> Result<()> {
    let (mut lo, frame, glyphs) = frame::document(pages, marks.len(), meta, logo)?;
    let mut deflate = Deflate::new();
    // The fonts, their ToUnicode maps and the logo.
    compress_streams(&mut lo, &mut deflate)?;
    let mut w = Writer {
        sink: Sink {
            out,
            written: 0,
            buf: Zeroizing::new(Vec::with_capacity(64 * 1024)),
        },
        xref: Vec::with_capacity(lo.objects.len()),
        id: IdHash::new(meta),
        deflate,
        content: Zeroizing::new(Vec::new()),
    };
    w.frame_objects(&lo)?;
    let setup = PageSetup {
        size,
        logo: logo.map(|l| (l.width, l.height)),
        glyphs: &glyphs,
    };
    let mut items = Vec::new();
    let mut reader = pages.reader();
    for i in 0..pages.len() {
        let items = reader.page(i, &mut items)?;
        w.page(&frame, &setup, i, items)?;
    }
    drop(items);
    drop(reader);
    w.outline(&frame, marks, pages.len())?;
    w.trailer(&mut lo, &frame)?;
    for object in lo.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            stream.content.zeroize();
        }
    }
    Ok(())
}

/// What every page shares: its size, the logo's size in pixels and the glyph ids.
struct PageSetup<'a> {
    size: (f32, f32),
    logo: Option<(usize, usize)>,
    glyphs: &'a BTreeMap<Face, Glyphs>,
}

/// The file being written, object by object, in the layout lopdf's `save_to` gives
/// it. Each object is serialised into one buffer, written, and wiped: the compressed
/// page streams still encode the secrets.
struct Writer<'a> {
    sink: Sink<'a>,
    /// Each object's id, generation and offset.
    xref: Vec<(u32, u16, u64)>,
    id: IdHash,
    deflate: Deflate,
    /// The page content stream being encoded; wiped after each page.
    content: Zeroizing<Vec<u8>>,
}

impl Writer<'_> {
    /// The header and the frame's objects.
    fn frame_objects(&mut self, lo: &lopdf::Document) -> Result<()> {
        let buf = &mut self.sink.buf;
        buf.extend_from_slice(b"%PDF-");
        buf.extend_from_slice(lo.version.as_bytes());
        buf.extend_from_slice(b"\n%");
        buf.extend_from_slice(&lo.binary_mark);
        buf.push(b'\n');
        self.sink.flush()?;
        for (&(id, generation), object) in &lo.objects {
            self.xref.push((id, generation, self.sink.written));
            let buf = &mut self.sink.buf;
            buf.extend_from_slice(format!("{id} {generation} obj\n").as_bytes());
            if let lopdf::Object::Stream(stream) = object {
                let flate = stream
                    .dict
                    .get(b"Filter")
                    .and_then(lopdf::Object::as_name)
                    .is_ok_and(|f| f == b"FlateDecode");
                self.id.stream(id, &stream.content, flate);
            }
            if needs_separator(object) {
                buf.push(b' ');
            }
            write_object(buf, object);
            if needs_end_separator(object) {
                buf.push(b' ');
            }
            buf.extend_from_slice(b"\nendobj\n");
            self.sink.flush()?;
        }
        Ok(())
    }

    /// Page `i`: its page object, then its content stream, encoded from the laid-out
    /// items, compressed and written at once.
    fn page(
        &mut self,
        frame: &Frame,
        setup: &PageSetup<'_>,
        i: usize,
        items: &[Item],
    ) -> Result<()> {
        let (page_id, content_id) = frame.page_ids(i);
        self.xref.push((page_id, 0, self.sink.written));
        let buf = &mut self.sink.buf;
        uint(buf, u64::from(page_id));
        buf.extend_from_slice(b" 0 obj\n<</Type/Page/Parent ");
        reference(buf, frame.pages_node);
        buf.extend_from_slice(b"/MediaBox[0 0 ");
        num(buf, setup.size.0);
        num(buf, setup.size.1);
        buf.extend_from_slice(b"]/Resources ");
        reference(buf, frame.resources);
        buf.extend_from_slice(b"/Contents ");
        reference(buf, (content_id, 0));
        buf.extend_from_slice(b">>\nendobj\n");
        self.sink.flush()?;

        // Sized up front, so that writing never reallocates and leaves an unwiped
        // copy of the secrets behind.
        // What lies beyond the length was never written or is wiped already.
        let bound = content_bound(items);
        if self.content.capacity() < bound {
            self.content = Zeroizing::new(Vec::with_capacity(bound));
        }
        page_content(items, setup.logo, setup.glyphs, &mut self.content);
        let compressed = self.deflate.compress(&self.content)?;
        self.content.as_mut_slice().zeroize();
        self.content.clear();
        self.id.stream(content_id, compressed, true);
        self.xref.push((content_id, 0, self.sink.written));
        // Grown before the stream goes in, so that growing never leaves a copy of it
        // in freed memory.
        let buf = &mut self.sink.buf;
        buf.reserve(compressed.len() + 128);
        uint(buf, u64::from(content_id));
        buf.extend_from_slice(b" 0 obj\n<</Length ");
        uint(buf, compressed.len() as u64);
        buf.extend_from_slice(b"/Filter/FlateDecode>>stream\n");
        buf.extend_from_slice(compressed);
        buf.extend_from_slice(b"\nendstream\nendobj\n");
        self.deflate.wipe();
        self.sink.flush()
    }

    /// The outline: one item per bookmark, in order, each opening its page.
    fn outline(&mut self, frame: &Frame, marks: &[(String, usize)], pages: usize) -> Result<()> {
        if marks.is_empty() {
            return Ok(());
        }
        let root = frame.outline_root;
        self.xref.push((root, 0, self.sink.written));
        let (first, last) = (frame.outline_item(0), frame.outline_item(marks.len() - 1));
        self.sink.buf.extend_from_slice(
            format!(
                "{root} 0 obj\n<</Type/Outlines/First {first} 0 R/Last {last} 0 R/Count {}>>\nendobj\n",
                marks.len()
            )
            .as_bytes(),
        );
        self.sink.flush()?;
        for (i, (title, page)) in marks.iter().enumerate() {
            let id = frame.outline_item(i);
            self.xref.push((id, 0, self.sink.written));
            let buf = &mut self.sink.buf;
            uint(buf, u64::from(id));
            buf.extend_from_slice(b" 0 obj\n<</Title");
            write_object(buf, &text_string(title));
            buf.extend_from_slice(b"/Parent ");
            reference(buf, (root, 0));
            if i > 0 {
                buf.extend_from_slice(b"/Prev ");
                reference(buf, (frame.outline_item(i - 1), 0));
            }
            if i + 1 < marks.len() {
                buf.extend_from_slice(b"/Next ");
                reference(buf, (frame.outline_item(i + 1), 0));
            }
            buf.extend_from_slice(b"/Dest[");
            let (target, _) = frame.page_ids((*page).min(pages - 1));
            reference(buf, (target, 0));
            buf.extend_from_slice(b"/Fit]>>\nendobj\n");
            self.sink.flush()?;
        }
        Ok(())
    }

    /// The cross-reference table and the trailer, with the `/ID` of what was written.
    fn trailer(mut self, lo: &mut lopdf::Document, frame: &Frame) -> Result<()> {
        let id = self.id.finish();
        lo.trailer
            .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
        lo.max_id = frame.max_id;
        lo.trailer.set("Size", i64::from(lo.max_id) + 1);
        let xref_start = self.sink.written;
        let buf = &mut self.sink.buf;
        write_xref(buf, &self.xref, lo.max_id);
        buf.extend_from_slice(b"trailer\n");
        write_object(
            buf,
            &lopdf::Object::Dictionary(std::mem::take(&mut lo.trailer)),
        );
        buf.extend_from_slice(format!("\nstartxref\n{xref_start}\n%%EOF").as_bytes());
        self.sink.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::Rgb;
    use super::*;

    fn id_of(text: &str, unix_time: i64) -> (Vec<u8>, lopdf::Object) {
        let mut pages = Pages::default();
        pages.push(vec![Item::Text {
            x: 50.0,
            y: 700.0,
            face: Face::Mono,
            size: 10.0,
            color: Rgb(0, 0, 0),
            oblique: false,
            text: Zeroizing::new(text.into()),
        }]);
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

    /// A page of `lines` in the sans face, as a PDF.
    fn pdf_of(lines: &[String]) -> Vec<u8> {
        let mut pages = Pages::default();
        pages.push(
            lines
                .iter()
                .enumerate()
                .map(|(i, line)| Item::Text {
                    x: 40.0,
                    y: 800.0 - 12.0 * i as f32,
                    face: Face::Sans,
                    size: 8.0,
                    color: Rgb(0, 0, 0),
                    oblique: false,
                    text: Zeroizing::new(line.clone()),
                })
                .collect(),
        );
        let meta = Meta {
            title: "Dossier",
            subject: "Client",
            producer: "handover test",
            unix_time: 1_767_225_600,
        };
        let mut pdf = Vec::new();
        write(&pages, &[], (595.28, 841.89), &meta, None, &mut pdf).unwrap();
        pdf
    }

    #[test]
    fn faces_of_up_to_256_glyphs_get_one_byte_codes_and_read_back_as_their_text() {
        let fonts = super::super::fonts::Fonts::get();
        // Latin, Greek and Cyrillic: more than 256 glyphs of one face.
        let many: Vec<char> = ('\u{21}'..'\u{7F}')
            .chain('\u{A1}'..'\u{17F}')
            .chain('\u{391}'..'\u{3CA}')
            .chain('\u{410}'..'\u{450}')
            .filter(|c| fonts.has(Face::Sans, *c))
            .collect();
        assert!(many.len() > 300, "{}", many.len());
        let few = vec!["Zugang für Müller (Büro): \\server\\(a)b 100 €".to_owned()];
        let many: Vec<String> = many.chunks(40).map(|c| c.iter().collect()).collect();
        for (lines, one_byte) in [(few, true), (many, false)] {
            let pdf = pdf_of(&lines);
            let doc = lopdf::Document::load_mem(&pdf).unwrap();
            let encodings: Vec<&lopdf::Object> = doc
                .objects
                .values()
                .filter_map(|o| o.as_dict().ok())
                .filter(|d| {
                    d.get(b"Subtype")
                        .and_then(lopdf::Object::as_name)
                        .is_ok_and(|n| n == b"Type0")
                })
                .map(|d| d.get(b"Encoding").unwrap())
                .collect();
            assert_eq!(encodings.len(), 1);
            assert_eq!(
                matches!(encodings[0], lopdf::Object::Reference(_)),
                one_byte,
                "{:?}",
                encodings[0]
            );
            // poppler reads the same text back, in either encoding.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.pdf");
            std::fs::write(&path, &pdf).unwrap();
            let out = std::process::Command::new("pdftotext")
                .args(["-layout", path.to_str().unwrap(), "-"])
                .output()
                .expect("run pdftotext");
            let text = String::from_utf8(out.stdout).unwrap();
            let read: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(read, lines.iter().map(String::as_str).collect::<Vec<_>>());
        }
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
}
