//! Laid-out pages to PDF bytes: the only user of `printpdf`.
//!
//! Reproducibility: printpdf names resources and the trailer `/ID` with a
//! process-global counter, so the same input could give different bytes. We name the
//! fonts ourselves, set every date from the caller, and replace the `/ID` with a hash of
//! the page content before writing.

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix, WindingOrder,
};
use std::collections::{BTreeMap, BTreeSet};

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

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.0) / 255.0,
        g: f32::from(c.1) / 255.0,
        b: f32::from(c.2) / 255.0,
        icc_profile: None,
    })
}

fn font_id(face: Face) -> FontId {
    FontId(
        match face {
            Face::Sans => "F1",
            Face::Bold => "F2",
            Face::Mono => "F3",
        }
        .to_owned(),
    )
}

fn point(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

fn page_ops(items: &[Item], logo_width: Option<usize>) -> Vec<Op> {
    let mut ops = Vec::with_capacity(items.len() * 3);
    // Graphics first, then all text in one text object: fewer state changes, and the
    // boxes behind secrets are painted before the secrets.
    for item in items {
        match item {
            Item::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                if let Some(f) = fill {
                    ops.push(Op::SetFillColor { col: color(*f) });
                }
                if let Some((s, width)) = stroke {
                    ops.push(Op::SetOutlineColor { col: color(*s) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                }
                let mode = match (fill, stroke) {
                    (Some(_), Some(_)) => PaintMode::FillStroke,
                    (None, Some(_)) => PaintMode::Stroke,
                    _ => PaintMode::Fill,
                };
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(*y),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(mode),
                        winding_order: Some(WindingOrder::NonZero),
                    },
                });
            }
            Item::Line {
                points,
                width,
                color: c,
            } => {
                ops.push(Op::SetOutlineColor { col: color(*c) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: points
                            .iter()
                            .map(|(x, y)| LinePoint {
                                p: point(*x, *y),
                                bezier: false,
                            })
                            .collect(),
                        is_closed: false,
                    },
                });
            }
            Item::Logo { x, y, w, .. } => {
                if let Some(px_width) = logo_width {
                    ops.push(Op::UseXobject {
                        id: printpdf::XObjectId("Logo".to_owned()),
                        transform: printpdf::XObjectTransform {
                            translate_x: Some(Pt(*x)),
                            translate_y: Some(Pt(*y)),
                            // The size follows from the pixel count and the resolution.
                            dpi: Some(px_width as f32 * 72.0 / *w),
                            ..Default::default()
                        },
                    });
                }
            }
            Item::Text { .. } => {}
        }
    }
    ops.push(Op::StartTextSection);
    let mut current: Option<(Face, f32)> = None;
    let mut current_color: Option<Rgb> = None;
    for item in items {
        if let Item::Text {
            x,
            y,
            face,
            size,
            color: c,
            text,
        } = item
        {
            if current != Some((*face, *size)) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(font_id(*face)),
                    size: Pt(*size),
                });
                current = Some((*face, *size));
            }
            if current_color != Some(*c) {
                ops.push(Op::SetFillColor { col: color(*c) });
                current_color = Some(*c);
            }
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(*x), Pt(*y)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            });
        }
    }
    ops.push(Op::EndTextSection);
    ops
}

/// Writes the pages. `marks` are bookmarks (title, zero-based page).
pub fn write(
    pages: &[Vec<Item>],
    marks: &[(String, usize)],
    size: (f32, f32),
    meta: &Meta<'_>,
    logo: Option<&super::templates::Logo>,
) -> Result<Zeroizing<Vec<u8>>> {
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
    let mut used: BTreeMap<Face, BTreeSet<char>> = BTreeMap::new();
    for item in pages.iter().flatten() {
        if let Item::Text { face, text, .. } = item {
            used.entry(*face).or_default().extend(text.chars());
        }
    }
    for (face, chars) in &used {
        doc.resources.fonts.map.insert(
            font_id(*face),
            printpdf::PdfFont::new(subset(fonts, *face, chars)?),
        );
    }
    for (i, (title, page)) in marks.iter().enumerate() {
        // Bookmark ids sort in document order (printpdf orders by page, then name).
        doc.bookmarks.map.insert(
            printpdf::PageAnnotId(format!("B{i:05}")),
            printpdf::PageAnnotation {
                name: title.clone(),
                page: page + 1,
            },
        );
    }
    let time = printpdf::OffsetDateTime::from_unix_timestamp(meta.unix_time)
        .map_err(|_| Error::Invalid("the dossier date is out of range".into()))?;
    let info = &mut doc.metadata.info;
    info.creation_date = time;
    info.modification_date = time;
    info.metadata_date = time;
    info.subject = meta.subject.to_owned();
    info.producer = meta.producer.to_owned();
    info.creator = meta.producer.to_owned();

    let mut pdf_pages: Vec<PdfPage> = pages
        .iter()
        .map(|items| {
            PdfPage::new(
                printpdf::Mm(size.0 / super::layout::MM),
                printpdf::Mm(size.1 / super::layout::MM),
                page_ops(items, logo.map(|l| l.width)),
            )
        })
        .collect();
    // Exact page size in points (the Mm round trip loses a little).
    for p in &mut pdf_pages {
        p.media_box = Rect::from_wh(Pt(size.0), Pt(size.1));
        p.trim_box = p.media_box.clone();
        p.crop_box = p.media_box.clone();
    }
    doc.pages = pdf_pages;

    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
    wipe(&mut doc);

    // A stable /ID: hash of everything but the ID itself.
    let mut hasher = Sha256::new();
    for (id, object) in &lo.objects {
        hasher.update(id.0.to_le_bytes());
        if let Ok(stream) = object.as_stream() {
            hasher.update(&stream.content);
        }
    }
    let digest = hasher.finalize();
    let id = lopdf::Object::String(digest[..16].to_vec(), lopdf::StringFormat::Hexadecimal);
    lo.trailer
        .set("ID", lopdf::Object::Array(vec![id.clone(), id]));

    // The compressed page streams still encode the secrets: the output buffer is wiped
    // on drop, and sized up front so that growing it leaves no unwiped copy behind.
    let estimate: usize = lo
        .objects
        .values()
        .map(|o| o.as_stream().map_or(256, |s| s.content.len() + 256))
        .sum();
    let mut out = Zeroizing::new(Vec::with_capacity(estimate + 64 * 1024));
    lo.save_to(&mut *out)
        .map_err(|e| Error::Invalid(format!("cannot serialise the PDF: {e}")))?;
    // Page content streams held the secrets in plain text.
    for object in lo.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            stream.content.zeroize();
        }
    }
    Ok(out)
}

/// The glyphs of `face` that `used` needs, as a font of its own. printpdf embeds whole
/// fonts unless built with its HTML layout engine, which we do not want: a dossier
/// would carry 1.8 MB of fonts. The set of characters is a property of the dossier,
/// not a secret, but it is derived from secrets and dropped with the document.
fn subset(fonts: &Fonts, face: Face, used: &BTreeSet<char>) -> Result<printpdf::ParsedFont> {
    let full = fonts.parsed(face);
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut cmap = BTreeMap::new();
    let mut widths = BTreeMap::new();
    for c in used {
        if let Some(gid) = full.lookup_glyph_index(*c as u32) {
            let new = remapper.remap(gid);
            cmap.insert(*c as u32, new);
            widths.insert(new, full.get_glyph_width(gid).unwrap_or(0));
        }
    }
    let bytes = subsetter::subset(face.bytes(), 0, &remapper)
        .map_err(|e| Error::Invalid(format!("cannot subset the bundled font {face:?}: {e:?}")))?;
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
        full.units_per_em,
        full.font_metrics.clone(),
    );
    parsed.pdf_font_metrics = full.pdf_font_metrics.clone();
    parsed.font_type = full.font_type;
    Ok(parsed)
}

/// Overwrites the text the document model still holds.
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
