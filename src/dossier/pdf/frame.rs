//! The document's frame around the pages we write: the catalog, the metadata, the page
//! tree, the resources every page shares (the fonts' subsets with their widths and
//! ToUnicode maps, the logo), and the ids of the pages and the outline to come.
//!
//! printpdf built this frame until issue 24: a document model, fonts parsed again and
//! a page thrown away, 2.1 M instructions of every dossier for a dozen objects. They are
//! written here as PDF 32000-1 describes them, with printpdf's values (widths, font
//! descriptors), so pages render exactly as before.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Object, ObjectId, Stream};

use super::super::fonts::{Face, Fonts, Header};
use super::super::packed::Pages;
use super::super::templates::Logo;
use super::Meta;
use super::content::font_name;
use super::encoding::{cmap_stream, to_unicode};
use super::objects::text_string;
use super::subset::{Glyphs, Subset, base_font, subset};
use crate::error::{Error, Result};

const CATALOG: ObjectId = (1, 0);
const INFO: ObjectId = (2, 0);
const PAGE_TREE: ObjectId = (3, 0);
const RESOURCES: ObjectId = (4, 0);

/// What the pages we write need of the frame: the page tree's root and the resources
/// every page shares; and the object ids of the pages, their content streams and the
/// outline, numbered after the frame's objects.
pub(super) struct Frame {
    pub(super) pages_node: ObjectId,
    pub(super) resources: ObjectId,
    first_new: u32,
    pages: u32,
    pub(super) outline_root: u32,
    pub(super) max_id: u32,
}

impl Frame {
    /// The ids of page `i`'s object and of its content stream.
    pub(super) fn page_ids(&self, i: usize) -> (u32, u32) {
        let page = self.first_new + 2 * (i as u32).min(self.pages.saturating_sub(1));
        (page, page + 1)
    }

    pub(super) fn outline_item(&self, i: usize) -> u32 {
        self.outline_root + 1 + i as u32
    }
}

/// The frame's objects for `pages` and `marks` bookmarks, and the new glyph id of each
/// character by face.
pub(super) fn document(
    pages: &Pages,
    marks: usize,
    meta: &Meta<'_>,
    logo: Option<&Logo>,
) -> Result<(lopdf::Document, Frame, BTreeMap<Face, Glyphs>)> {
    if pages.is_empty() {
        return Err(Error::Invalid(
            "internal error: a dossier without pages; please report it".into(),
        ));
    }
    let mut lo = lopdf::Document::with_version("1.3");
    lo.max_id = RESOURCES.0;
    let used = pages.used().by_face();
    let (fonts, glyphs) = embed_fonts(&mut lo, &used)?;
    drop(used);
    let mut resources = Dictionary::from_iter([("Font", Object::Dictionary(fonts))]);
    if let Some(logo) = logo {
        let image = lo.add_object(logo_image(logo));
        let xobjects = Dictionary::from_iter([("Logo", Object::Reference(image))]);
        resources.set("XObject", Object::Dictionary(xobjects));
    }
    let frame = frame_ids(lo.max_id, pages.len(), marks)?;
    lo.objects.insert(RESOURCES, Object::Dictionary(resources));
    lo.objects
        .insert(CATALOG, Object::Dictionary(catalog(&frame, marks)));
    lo.objects.insert(INFO, Object::Dictionary(info(meta)?));
    let kids = (0..pages.len())
        .map(|i| Object::Reference((frame.page_ids(i).0, 0)))
        .collect();
    let tree = Dictionary::from_iter([
        ("Type", Object::Name(b"Pages".to_vec())),
        ("Kids", Object::Array(kids)),
        ("Count", Object::Integer(i64::from(frame.pages))),
    ]);
    lo.objects.insert(PAGE_TREE, Object::Dictionary(tree));
    lo.trailer.set("Root", Object::Reference(CATALOG));
    lo.trailer.set("Info", Object::Reference(INFO));
    Ok((lo, frame, glyphs))
}

/// The ids after the frame's last object, `last`: two for each page (its object and its
/// content stream), then the outline's root and one for each bookmark.
fn frame_ids(last: u32, pages: usize, marks: usize) -> Result<Frame> {
    let too_many = || Error::Invalid("the dossier has too many pages for a PDF".into());
    let n = u32::try_from(pages).map_err(|_| too_many())?;
    let first_new = last + 1;
    let outline_root = n
        .checked_mul(2)
        .and_then(|p| p.checked_add(first_new))
        .ok_or_else(too_many)?;
    let max_id = u32::try_from(marks)
        .ok()
        .and_then(|m| outline_root.checked_add(m))
        .ok_or_else(too_many)?;
    Ok(Frame {
        pages_node: PAGE_TREE,
        resources: RESOURCES,
        first_new,
        pages: n,
        outline_root,
        max_id,
    })
}

fn catalog(frame: &Frame, marks: usize) -> Dictionary {
    let mut catalog = Dictionary::from_iter([
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("Pages", Object::Reference(PAGE_TREE)),
        ("PageLayout", Object::Name(b"OneColumn".to_vec())),
    ]);
    if marks > 0 {
        catalog.set("Outlines", Object::Reference((frame.outline_root, 0)));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    catalog
}

/// The document information: every date from the caller, none from the clock.
fn info(meta: &Meta<'_>) -> Result<Dictionary> {
    let time = chrono::DateTime::from_timestamp(meta.unix_time, 0)
        .ok_or_else(|| Error::Invalid("the dossier date is out of range".into()))?;
    let date = time.format("D:%Y%m%d%H%M%S+00'00'").to_string();
    let date = || Object::String(date.clone().into_bytes(), lopdf::StringFormat::Literal);
    Ok(Dictionary::from_iter([
        ("Title", text_string(meta.title)),
        ("Subject", text_string(meta.subject)),
        ("Creator", text_string(meta.producer)),
        ("Producer", text_string(meta.producer)),
        ("CreationDate", date()),
        ("ModDate", date()),
        ("Trapped", Object::Name(b"False".to_vec())),
    ]))
}

fn logo_image(logo: &Logo) -> Stream {
    let dict = Dictionary::from_iter([
        ("Type", Object::Name(b"XObject".to_vec())),
        ("Subtype", Object::Name(b"Image".to_vec())),
        ("Width", Object::Integer(logo.width as i64)),
        ("Height", Object::Integer(logo.height as i64)),
        ("BitsPerComponent", Object::Integer(8)),
        ("ColorSpace", Object::Name(b"DeviceRGB".to_vec())),
        ("Interpolate", Object::Boolean(false)),
    ]);
    Stream::new(dict, logo.rgb.clone())
}

/// Each face's subset as a font, and the font resources naming them. A face of at most
/// 256 glyphs gets one-byte codes (see [`super::encoding`]).
fn embed_fonts(
    lo: &mut lopdf::Document,
    used: &BTreeMap<Face, BTreeSet<char>>,
) -> Result<(Dictionary, BTreeMap<Face, Glyphs>)> {
    let fonts = Fonts::get();
    let mut resources = Dictionary::new();
    let mut glyphs = BTreeMap::new();
    let mut byte_cmap = None;
    for (&face, chars) in used {
        let (subset, mut map) = subset(fonts, face, chars)?;
        let one_byte = map.max_gid <= 0xFF;
        let encoding = if one_byte {
            map.set_one_byte();
            Object::Reference(*byte_cmap.get_or_insert_with(|| lo.add_object(cmap_stream())))
        } else {
            Object::Name(b"Identity-H".to_vec())
        };
        let font = add_font(lo, face, &fonts.header(face), subset, one_byte, encoding);
        resources.set(font_name(face), Object::Reference(font));
        glyphs.insert(face, map);
    }
    Ok((resources, glyphs))
}

/// A face's subset as a Type 0 font with a TrueType descendant (PDF 32000-1, 9.7):
/// its program, descriptor, widths and ToUnicode map.
fn add_font(
    lo: &mut lopdf::Document,
    face: Face,
    header: &Header,
    subset: Subset,
    one_byte: bool,
    encoding: Object,
) -> ObjectId {
    let name = || Object::Name(base_font(face).as_bytes().to_vec());
    let to_unicode = to_unicode(&subset.glyphs, one_byte);
    let widths = widths(&subset);
    let length = Object::Integer(subset.program.len() as i64);
    let program = Stream::new(Dictionary::from_iter([("Length1", length)]), subset.program);
    let mut descriptor = descriptor(header);
    descriptor.set("FontName", name());
    descriptor.set("FontFile2", Object::Reference(lo.add_object(program)));
    let system = Dictionary::from_iter([
        ("Registry", Object::string_literal("Adobe")),
        ("Ordering", Object::string_literal("Identity")),
        ("Supplement", Object::Integer(0)),
    ]);
    let descendant = Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
        ("BaseFont", name()),
        ("CIDSystemInfo", Object::Dictionary(system)),
        ("W", Object::Array(widths)),
        ("DW", Object::Integer(1000)),
        (
            "FontDescriptor",
            Object::Reference(lo.add_object(descriptor)),
        ),
        ("CIDToGIDMap", Object::Name(b"Identity".to_vec())),
    ]);
    let to_unicode = lo.add_object(Stream::new(Dictionary::new(), to_unicode));
    lo.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type0".to_vec())),
        ("BaseFont", name()),
        ("Encoding", encoding),
        ("ToUnicode", Object::Reference(to_unicode)),
        (
            "DescendantFonts",
            Object::Array(vec![Object::Dictionary(descendant)]),
        ),
    ]))
}

/// The glyphs' widths in thousandths of an em, truncated, as `[first [w w …] …]` for each
/// run of consecutive glyph ids.
fn widths(subset: &Subset) -> Vec<Object> {
    let upm = f32::from(subset.units_per_em.max(1));
    let mut out = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut next = None;
    for (&gid, &(advance, _)) in &subset.glyphs {
        if next != Some(gid) && !run.is_empty() {
            out.push(Object::Array(std::mem::take(&mut run)));
        }
        if run.is_empty() {
            out.push(Object::Integer(i64::from(gid)));
        }
        run.push(Object::Integer((f32::from(advance) * 1000.0 / upm) as i64));
        next = gid.checked_add(1);
    }
    if !run.is_empty() {
        out.push(Object::Array(run));
    }
    out
}

/// A face's descriptor (PDF 32000-1, 9.8) but its name and program: metrics in
/// thousandths of an em, the slant from the caret, the stem width estimated from the
/// weight as PDF producers do (88 at 400, 166 at 700). The cap height is the ascent:
/// only a reader substituting the font uses it, and the font is embedded.
fn descriptor(h: &Header) -> Dictionary {
    let scale = 1000.0 / f32::from(h.units_per_em.max(1));
    let scaled = |v: i16| Object::Integer((f32::from(v) * scale).round() as i64);
    let italic_angle = if h.caret_slope_rise == 0 {
        0
    } else {
        let run = f32::from(h.caret_slope_run);
        (-run.atan2(f32::from(h.caret_slope_rise)).to_degrees()).round() as i64
    };
    // Non-symbolic (Latin characters), and italic when slanted (Table 123).
    let flags = 1 << 5 | if italic_angle != 0 { 1 << 6 } else { 0 };
    let stem_v = match h.weight_class {
        0 => 80,
        w => 50 + (f32::from(w) / 65.0).powi(2).round() as i64,
    };
    let (x_min, y_min, x_max, y_max) = h.bbox;
    Dictionary::from_iter([
        ("Type", Object::Name(b"FontDescriptor".to_vec())),
        ("Ascent", scaled(h.ascent)),
        ("Descent", scaled(h.descent)),
        ("CapHeight", scaled(h.ascent)),
        ("ItalicAngle", Object::Integer(italic_angle)),
        ("Flags", Object::Integer(flags)),
        ("StemV", Object::Integer(stem_v)),
        (
            "FontBBox",
            Object::Array(vec![
                scaled(x_min),
                scaled(y_min),
                scaled(x_max),
                scaled(y_max),
            ]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subset_of(glyphs: &[(u16, u16)]) -> Subset {
        Subset {
            program: Vec::new(),
            units_per_em: 2048,
            glyphs: glyphs.iter().map(|&(g, a)| (g, (a, 'x'))).collect(),
        }
    }

    #[test]
    fn widths_come_in_runs_of_consecutive_glyphs_truncated_to_thousandths() {
        let w = widths(&subset_of(&[
            (1, 1303),
            (2, 2048),
            (3, 1),
            (7, 1233),
            (9, 0),
        ]));
        let int = Object::Integer;
        assert_eq!(
            w,
            vec![
                int(1),
                Object::Array(vec![int(636), int(1000), int(0)]),
                int(7),
                Object::Array(vec![int(602)]),
                int(9),
                Object::Array(vec![int(0)]),
            ]
        );
        assert!(widths(&subset_of(&[])).is_empty());
    }

    #[test]
    fn the_descriptor_of_an_upright_regular_face_and_of_a_bold_slanted_one() {
        let regular = Header {
            units_per_em: 2048,
            ascent: 1901,
            descent: -483,
            bbox: (-2090, -948, 3673, 2524),
            caret_slope_rise: 1,
            caret_slope_run: 0,
            weight_class: 400,
        };
        let d = descriptor(&regular);
        let get = |d: &Dictionary, k: &[u8]| d.get(k).unwrap().clone();
        assert_eq!(get(&d, b"Ascent"), Object::Integer(928));
        assert_eq!(get(&d, b"Descent"), Object::Integer(-236));
        assert_eq!(get(&d, b"CapHeight"), Object::Integer(928));
        assert_eq!(get(&d, b"StemV"), Object::Integer(88));
        assert_eq!(get(&d, b"Flags"), Object::Integer(32));
        assert_eq!(get(&d, b"ItalicAngle"), Object::Integer(0));
        assert_eq!(
            get(&d, b"FontBBox"),
            Object::Array([-1021, -463, 1793, 1232].map(Object::Integer).to_vec())
        );
        let slanted = Header {
            caret_slope_rise: 2048,
            caret_slope_run: 410,
            weight_class: 700,
            ..regular
        };
        let d = descriptor(&slanted);
        assert_eq!(get(&d, b"ItalicAngle"), Object::Integer(-11));
        assert_eq!(get(&d, b"Flags"), Object::Integer(96));
        assert_eq!(get(&d, b"StemV"), Object::Integer(166));
        assert_eq!(
            get(
                &descriptor(&Header {
                    weight_class: 0,
                    ..regular
                }),
                b"StemV"
            ),
            Object::Integer(80)
        );
    }
}
