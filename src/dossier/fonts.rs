//! The bundled fonts and their metrics. Only the faces in `templates/fonts/` are ever
//! used: a dossier must look the same on every machine, and must never depend on what a
//! system happens to have installed.

use std::collections::HashMap;
use std::sync::OnceLock;

use printpdf::ParsedFont;

/// The three bundled faces. Secrets are always set in `Mono` (DejaVu Sans Mono: dotted
/// zero, serifed I, tailed l, so 0/O and 1/l/I/| cannot be confused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Face {
    Sans,
    Bold,
    Mono,
}

impl Face {
    pub const ALL: [Face; 3] = [Face::Sans, Face::Bold, Face::Mono];

    /// Where to look when this face lacks a character: another bundled face, before
    /// giving up and printing the code point.
    fn fallbacks(self) -> [Face; 2] {
        match self {
            Face::Sans => [Face::Mono, Face::Bold],
            Face::Bold => [Face::Sans, Face::Mono],
            Face::Mono => [Face::Sans, Face::Bold],
        }
    }

    pub(crate) fn bytes(self) -> &'static [u8] {
        match self {
            Face::Sans => include_bytes!("../../templates/fonts/DejaVuSans.ttf"),
            Face::Bold => include_bytes!("../../templates/fonts/DejaVuSans-Bold.ttf"),
            Face::Mono => include_bytes!("../../templates/fonts/DejaVuSansMono.ttf"),
        }
    }
}

/// Advance widths of one face, in em units.
struct FaceMetrics {
    /// Widths of the first `DENSE` code points, `NaN` where the face has no glyph:
    /// nearly all text is Latin, so a flat table keeps layout cheap.
    dense: Vec<f32>,
    sparse: HashMap<u32, f32>,
}

const DENSE: u32 = 0x3000;

impl FaceMetrics {
    fn new(font: &ParsedFont) -> Self {
        let upem = f32::from(font.units_per_em.max(1));
        let mut dense = vec![f32::NAN; DENSE as usize];
        let mut sparse = HashMap::new();
        for (&cp, &gid) in &font.codepoint_to_glyph {
            // A mapping to glyph 0 is .notdef: the box we promise never to print.
            if gid == 0 {
                continue;
            }
            let w = f32::from(font.get_glyph_width(gid).unwrap_or(0)) / upem;
            if cp < DENSE {
                dense[cp as usize] = w;
            } else {
                sparse.insert(cp, w);
            }
        }
        FaceMetrics { dense, sparse }
    }

    fn width(&self, c: char) -> Option<f32> {
        let cp = c as u32;
        if cp < DENSE {
            let w = self.dense[cp as usize];
            (!w.is_nan()).then_some(w)
        } else {
            self.sparse.get(&cp).copied()
        }
    }
}

/// The parsed bundled fonts, loaded once per process.
pub struct Fonts {
    parsed: [ParsedFont; 3],
    metrics: [FaceMetrics; 3],
}

fn index(face: Face) -> usize {
    match face {
        Face::Sans => 0,
        Face::Bold => 1,
        Face::Mono => 2,
    }
}

impl Fonts {
    /// The bundled fonts. They are compiled in, so failing to parse them is a build
    /// defect, caught by the tests, not a user error.
    pub fn get() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| {
            let parse = |face: Face| {
                ParsedFont::from_bytes(face.bytes(), 0, &mut Vec::new())
                    .unwrap_or_else(|| panic!("bundled font {face:?} does not parse"))
            };
            let parsed = [parse(Face::Sans), parse(Face::Bold), parse(Face::Mono)];
            let metrics = [
                FaceMetrics::new(&parsed[0]),
                FaceMetrics::new(&parsed[1]),
                FaceMetrics::new(&parsed[2]),
            ];
            Fonts { parsed, metrics }
        })
    }

    pub fn parsed(&self, face: Face) -> &ParsedFont {
        &self.parsed[index(face)]
    }

    /// The face that draws `c`, preferring `wanted`; `None` if no bundled face has it.
    pub fn face_for(&self, wanted: Face, c: char) -> Option<Face> {
        if self.metrics[index(wanted)].width(c).is_some() {
            return Some(wanted);
        }
        wanted
            .fallbacks()
            .into_iter()
            .find(|f| self.metrics[index(*f)].width(c).is_some())
    }

    /// Advance of `c` in `face` in em units (0 if the face lacks it).
    pub fn advance(&self, face: Face, c: char) -> f32 {
        self.metrics[index(face)].width(c).unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_faces_cover_german_and_fall_back() {
        let fonts = Fonts::get();
        for c in "ÄÖÜäöüß€„“‚‘–—…0Oo1lI|".chars() {
            for face in Face::ALL {
                assert_eq!(fonts.face_for(face, c), Some(face), "{c} in {face:?}");
            }
        }
        // A monospace face: every ASCII glyph has the same advance.
        let w = fonts.advance(Face::Mono, 'i');
        assert!(w > 0.3 && (fonts.advance(Face::Mono, 'W') - w).abs() < 1e-6);
        // CJK is in none of them: the caller must print the code point.
        assert_eq!(fonts.face_for(Face::Sans, '中'), None);
    }
}
