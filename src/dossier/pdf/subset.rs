//! The fonts cut down to the characters a dossier draws, and each character's new
//! glyph id.

use std::collections::{BTreeMap, BTreeSet};

use super::super::fonts::{Face, Fonts};
use crate::error::{Error, Result};

/// The new glyph ids of a face's subset, by character.
pub(super) struct Glyphs {
    /// Code points below `DENSE`: nearly all text is Latin.
    pub(super) dense: Vec<u16>,
    pub(super) sparse: BTreeMap<u32, u16>,
    /// The highest glyph id of the subset.
    pub(super) max_gid: u16,
    /// Whether strings give each glyph id in one byte rather than two (see
    /// [`super::encoding`]).
    pub(super) one_byte: bool,
    /// For one-byte codes, the code of each ASCII character, looked up without a
    /// bounds check: nearly every glyph a dossier shows.
    pub(super) ascii: [u8; 128],
}

pub(super) const DENSE: u32 = 0x800;

impl Glyphs {
    /// Switches to one-byte codes; every glyph id must fit in a byte.
    pub(super) fn set_one_byte(&mut self) {
        self.one_byte = true;
        self.ascii = std::array::from_fn(|b| u8::try_from(self.dense[b]).unwrap_or(0));
    }

    pub(super) fn get(&self, c: char) -> u16 {
        let cp = c as u32;
        if cp < DENSE {
            self.dense[cp as usize]
        } else {
            // No glyph: .notdef, as printpdf would write (layout never lets that happen).
            self.sparse.get(&cp).copied().unwrap_or(0)
        }
    }
}

/// The glyphs of `face` that `used` needs, as a font of its own, and the new glyph id
/// of each character. printpdf embeds whole fonts unless built with its HTML layout
/// engine, which we do not want: a dossier would carry 1.8 MB of fonts. The set of
/// characters is a property of the dossier, not a secret, but it is derived from
/// secrets and dropped with the document.
pub(super) fn subset(
    fonts: &Fonts,
    face: Face,
    used: &BTreeSet<char>,
) -> Result<(printpdf::ParsedFont, Glyphs)> {
    let (remapper, cmap, widths, glyphs) = remap(fonts, face, used);
    let bytes = subsetter::subset(face.bytes(), 0, &remapper)
        .map_err(|e| Error::Invalid(format!("cannot subset the bundled font {face:?}: {e:?}")))?;
    Ok((parsed_font(fonts, face, bytes, cmap, widths), glyphs))
}

/// The subset's glyph ids: the remapper that makes them, the font's character map and
/// widths by new id, and the new id of each character for the content streams.
fn remap(
    fonts: &Fonts,
    face: Face,
    used: &BTreeSet<char>,
) -> (
    subsetter::GlyphRemapper,
    BTreeMap<u32, u16>,
    BTreeMap<u16, u16>,
    Glyphs,
) {
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut cmap = BTreeMap::new();
    let mut widths = BTreeMap::new();
    let mut glyphs = Glyphs {
        dense: vec![0; DENSE as usize],
        sparse: BTreeMap::new(),
        max_gid: 0,
        one_byte: false,
        ascii: [0; 128],
    };
    for c in used {
        if let Some(gid) = fonts.glyph(face, *c) {
            let new = remapper.remap(gid);
            glyphs.max_gid = glyphs.max_gid.max(new);
            cmap.insert(*c as u32, new);
            widths.insert(new, fonts.glyph_advance(face, gid));
            if (*c as u32) < DENSE {
                glyphs.dense[*c as usize] = new;
            } else {
                glyphs.sparse.insert(*c as u32, new);
            }
        }
    }
    (remapper, cmap, widths, glyphs)
}

/// The name of `face`'s subset. The six-letter tag marks a subset, as the PDF
/// specification asks (9.6.4).
pub(super) fn base_font(face: Face) -> &'static str {
    match face {
        Face::Sans => "HOVAAA+DejaVuSans",
        Face::Bold => "HOVAAB+DejaVuSans-Bold",
        Face::Mono => "HOVAAC+DejaVuSansMono",
    }
}

/// The subset's bytes as printpdf's font, with the bundled face's metrics.
fn parsed_font(
    fonts: &Fonts,
    face: Face,
    bytes: Vec<u8>,
    cmap: BTreeMap<u32, u16>,
    widths: BTreeMap<u16, u16>,
) -> printpdf::ParsedFont {
    let header = fonts.header(face);
    let mut parsed = printpdf::ParsedFont::with_glyph_data(
        bytes,
        0,
        Some(base_font(face).to_owned()),
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
    parsed
}
