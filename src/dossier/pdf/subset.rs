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
            // No glyph: .notdef (layout never lets that happen).
            self.sparse.get(&cp).copied().unwrap_or(0)
        }
    }
}

/// A face cut down to the characters a dossier draws: the font program, and for each
/// new glyph id its advance (font units) and the character it shows, for the font's
/// widths and ToUnicode map.
pub(super) struct Subset {
    pub(super) program: Vec<u8>,
    pub(super) units_per_em: u16,
    /// By new glyph id, ascending: its advance and its character. Where characters
    /// share a glyph, the lowest (a reader copying the text gets that one).
    pub(super) glyphs: BTreeMap<u16, (u16, char)>,
}

/// The glyphs of `face` that `used` needs, as a font of its own, and the new glyph id
/// of each character. The set of characters is a property of the dossier, not a
/// secret, but it is derived from secrets and dropped with the document.
pub(super) fn subset(fonts: &Fonts, face: Face, used: &BTreeSet<char>) -> Result<(Subset, Glyphs)> {
    let (remapper, by_gid, glyphs) = remap(fonts, face, used);
    let program = subsetter::subset(face.bytes(), 0, &remapper)
        .map_err(|e| Error::Invalid(format!("cannot subset the bundled font {face:?}: {e:?}")))?;
    let subset = Subset {
        program,
        units_per_em: fonts.header(face).units_per_em,
        glyphs: by_gid,
    };
    Ok((subset, glyphs))
}

/// The subset's glyph ids: the remapper that makes them, each new id's advance and
/// character, and the new id of each character for the content streams.
fn remap(
    fonts: &Fonts,
    face: Face,
    used: &BTreeSet<char>,
) -> (subsetter::GlyphRemapper, BTreeMap<u16, (u16, char)>, Glyphs) {
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut by_gid = BTreeMap::new();
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
            by_gid
                .entry(new)
                .or_insert_with(|| (fonts.glyph_advance(face, gid), *c));
            if (*c as u32) < DENSE {
                glyphs.dense[*c as usize] = new;
            } else {
                glyphs.sparse.insert(*c as u32, new);
            }
        }
    }
    (remapper, by_gid, glyphs)
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
