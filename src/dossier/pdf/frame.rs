//! The frame printpdf builds: the embedded font subsets with their widths and
//! ToUnicode maps, the logo, the metadata and the page tree, from which its one page
//! is taken out for the pages we write ourselves.

use std::collections::{BTreeMap, BTreeSet};

use printpdf::{FontId, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem};
use zeroize::Zeroize;

use super::super::fonts::{Face, Fonts};
use super::super::layout::MM;
use super::super::packed::Pages;
use super::super::templates::Logo;
use super::Meta;
use super::content::font_name;
use super::encoding::one_byte_codes;
use super::subset::{Glyphs, subset};
use crate::error::{Error, Result};

pub(super) fn font_id(face: Face) -> FontId {
    FontId(font_name(face).to_owned())
}

/// printpdf's document for `pages`, as lopdf objects: the logo, the fonts' subsets and
/// the metadata, on one page whose content shows every character the pages draw (so
/// that printpdf writes the fonts' widths and ToUnicode maps for them) and is dropped
/// by [`Frame::take`]. Also the new glyph id of each character, by face.
pub(super) fn document(
    pages: &Pages,
    size: (f32, f32),
    meta: &Meta<'_>,
    logo: Option<&Logo>,
) -> Result<(lopdf::Document, BTreeMap<Face, Glyphs>)> {
    let mut doc = PdfDocument::new(meta.title);
    if let Some(logo) = logo {
        add_logo(&mut doc, logo);
    }
    let used = pages.used().by_face();
    let (glyphs, inventory) = embed_fonts(&mut doc, &used)?;
    drop(used);
    set_metadata(&mut doc, meta)?;

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
        printpdf::Mm(size.0 / MM),
        printpdf::Mm(size.1 / MM),
        inventory,
    )];

    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
    wipe(&mut doc);
    drop(doc);
    let mut glyphs = glyphs;
    one_byte_codes(&mut lo, &mut glyphs);
    Ok((lo, glyphs))
}

fn add_logo(doc: &mut PdfDocument, logo: &Logo) {
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

/// Adds each face's subset to the document's fonts. printpdf writes a font's widths
/// and ToUnicode map for the characters the pages show: the returned operations, the
/// first page's content (replaced later), show them all, once.
fn embed_fonts(
    doc: &mut PdfDocument,
    used: &BTreeMap<Face, BTreeSet<char>>,
) -> Result<(BTreeMap<Face, Glyphs>, Vec<Op>)> {
    let fonts = Fonts::get();
    let mut glyphs: BTreeMap<Face, Glyphs> = BTreeMap::new();
    let mut inventory = vec![Op::StartTextSection];
    for (face, chars) in used {
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
    Ok((glyphs, inventory))
}

/// Every date from the caller, none from the clock.
fn set_metadata(doc: &mut PdfDocument, meta: &Meta<'_>) -> Result<()> {
    let time = printpdf::OffsetDateTime::from_unix_timestamp(meta.unix_time)
        .map_err(|_| Error::Invalid("the dossier date is out of range".into()))?;
    let info = &mut doc.metadata.info;
    info.creation_date = time;
    info.modification_date = time;
    info.metadata_date = time;
    info.subject = meta.subject.to_owned();
    info.producer = meta.producer.to_owned();
    info.creator = meta.producer.to_owned();
    Ok(())
}

/// What printpdf's document leaves for the pages we write: the page tree's root and
/// the resources every page shares; and the object ids of the pages, their content
/// streams and the outline, numbered after printpdf's objects.
pub(super) struct Frame {
    pub(super) pages_node: lopdf::ObjectId,
    pub(super) resources: lopdf::ObjectId,
    first_new: u32,
    pages: u32,
    pub(super) outline_root: u32,
    pub(super) max_id: u32,
}

impl Frame {
    /// Takes printpdf's one page out of `lo` and sets up the page tree and the catalog
    /// for `pages` pages and `marks` bookmarks.
    pub(super) fn take(lo: &mut lopdf::Document, pages: usize, marks: usize) -> Result<Frame> {
        let (pages_node, resources) = remove_template_page(lo)?;
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
        frame.link(lo, marks > 0)?;
        Ok(frame)
    }

    /// Points the page tree at the pages to come, and the catalog at the outline when
    /// there is one.
    fn link(&self, lo: &mut lopdf::Document, outline: bool) -> Result<()> {
        let kids = (0..self.pages as usize)
            .map(|i| lopdf::Object::Reference((self.page_ids(i).0, 0)))
            .collect();
        let tree = lo
            .get_dictionary_mut(self.pages_node)
            .map_err(|_| internal("page tree"))?;
        tree.set("Kids", lopdf::Object::Array(kids));
        tree.set("Count", i64::from(self.pages));
        let catalog = lo
            .trailer
            .get(b"Root")
            .and_then(lopdf::Object::as_reference)
            .map_err(|_| internal("catalog"))?;
        let catalog = lo
            .get_dictionary_mut(catalog)
            .map_err(|_| internal("catalog"))?;
        if outline {
            catalog.set("Outlines", lopdf::Object::Reference((self.outline_root, 0)));
            catalog.set("PageMode", lopdf::Object::Name(b"UseOutlines".to_vec()));
        } else {
            catalog.remove(b"Outlines");
            catalog.remove(b"PageMode");
        }
        Ok(())
    }

    /// The ids of page `i`'s object and of its content stream.
    pub(super) fn page_ids(&self, i: usize) -> (u32, u32) {
        let page = self.first_new + 2 * (i as u32).min(self.pages.saturating_sub(1));
        (page, page + 1)
    }

    pub(super) fn outline_item(&self, i: usize) -> u32 {
        self.outline_root + 1 + i as u32
    }
}

/// Overwrites the text the document model still holds (the characters of the first
/// page's inventory).
pub(super) fn wipe(doc: &mut PdfDocument) {
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

fn internal(what: &str) -> Error {
    Error::Invalid(format!(
        "internal error: the PDF frame has no {what}; please report it"
    ))
}

/// Removes printpdf's page and its content stream (wiped) from `lo`; what is left of
/// it is the page tree's root and the resources every page shares.
fn remove_template_page(lo: &mut lopdf::Document) -> Result<(lopdf::ObjectId, lopdf::ObjectId)> {
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
    Ok((pages_node, resources))
}
