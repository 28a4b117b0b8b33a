//! The bundled fonts and their metrics. Only the faces in `templates/fonts/` are ever
//! used: a dossier must look the same on every machine, and must never depend on what a
//! system happens to have installed.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};

use skrifa::charmap::Charmap;
use skrifa::raw::TableProvider;
use skrifa::raw::tables::hmtx::Hmtx;
use skrifa::{FontRef, GlyphId, MetadataProvider};

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

/// What the layout and the PDF need of one face, read straight from its tables:
/// glyph ids and advance widths by character, and the few header values a PDF font
/// descriptor names. A character is looked up in the face's `cmap` when first asked
/// for: reading all of its 5,000-odd mappings up front was a twelfth of a 50-entry
/// dossier, paid by every process, for the hundred or so characters a dossier sets.
struct FaceMetrics {
    charmap: Charmap<'static>,
    hmtx: Hmtx<'static>,
    glyph_count: u16,
    upem: f32,
    /// Advance widths (em) of the first `DENSE` code points as looked up so far, as
    /// f32 bits (nearly all text is Latin, and the layout asks for a width per
    /// character it sets): [`UNKNOWN`] not yet, a NaN where the face has no glyph.
    /// Atomic, because the fonts are shared by the whole process; a race looks a
    /// character up twice, to the same values.
    widths: Box<[AtomicU32]>,
    /// Glyph ids of the first `DENSE` code points (0: none), set before their width.
    gids: Box<[AtomicU16]>,
    header: Header,
}

/// The width of a code point not yet looked up: a NaN, so that the layout's hot path
/// is one test for widths of either kind of miss.
const UNKNOWN: u32 = u32::MAX;
/// The width of a code point the face has no glyph for.
const ABSENT: u32 = 0x7FC0_0000;

/// The values of a face's `head`, `hhea` and `OS/2` tables a PDF font descriptor uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub units_per_em: u16,
    pub ascent: i16,
    pub descent: i16,
    pub bbox: (i16, i16, i16, i16),
    pub caret_slope_rise: i16,
    pub caret_slope_run: i16,
    /// OS/2 usWeightClass, 0 when the table is absent.
    pub weight_class: u16,
}

const DENSE: u32 = 0x3000;

impl FaceMetrics {
    fn new(bytes: &'static [u8]) -> Option<Self> {
        let font = FontRef::new(bytes).ok()?;
        let head = font.head().ok()?;
        let hhea = font.hhea().ok()?;
        let header = Header {
            units_per_em: head.units_per_em(),
            ascent: hhea.ascender().to_i16(),
            descent: hhea.descender().to_i16(),
            bbox: (head.x_min(), head.y_min(), head.x_max(), head.y_max()),
            caret_slope_rise: hhea.caret_slope_rise(),
            caret_slope_run: hhea.caret_slope_run(),
            weight_class: font.os2().map(|os2| os2.us_weight_class()).unwrap_or(0),
        };
        Some(FaceMetrics {
            charmap: font.charmap(),
            hmtx: font.hmtx().ok()?,
            glyph_count: font.maxp().ok()?.num_glyphs(),
            upem: f32::from(header.units_per_em.max(1)),
            widths: (0..DENSE).map(|_| AtomicU32::new(UNKNOWN)).collect(),
            gids: (0..DENSE).map(|_| AtomicU16::new(0)).collect(),
            header,
        })
    }

    /// The glyph id and advance width (em) of `cp` as the `cmap` maps it; `None` for
    /// .notdef (the box we promise never to print) and for the controls that would
    /// hide or reorder text unseen: as characters no face has, the layout prints them
    /// as their code points.
    fn look_up(&self, cp: u32) -> Option<(u16, f32)> {
        let gid = u16::try_from(self.charmap.map(cp)?.to_u32()).ok()?;
        if gid == 0 || char::from_u32(cp).is_none_or(crate::model::is_hidden_control) {
            return None;
        }
        Some((gid, f32::from(self.advance_units(gid)) / self.upem))
    }

    /// The width bits of `cp` (below `DENSE`), looked up if they were not yet.
    #[cold]
    fn dense_bits(&self, cp: u32) -> u32 {
        let slot = &self.widths[cp as usize];
        let bits = slot.load(Ordering::Acquire);
        if bits != UNKNOWN {
            return bits;
        }
        let (gid, bits) = self
            .look_up(cp)
            .map_or((0, ABSENT), |(gid, w)| (gid, w.to_bits()));
        self.gids[cp as usize].store(gid, Ordering::Relaxed);
        slot.store(bits, Ordering::Release);
        bits
    }

    #[inline(always)]
    fn width(&self, c: char) -> Option<f32> {
        let cp = c as u32;
        if cp < DENSE {
            let w = f32::from_bits(self.widths[cp as usize].load(Ordering::Relaxed));
            if !w.is_nan() {
                return Some(w);
            }
            let w = f32::from_bits(self.dense_bits(cp));
            (!w.is_nan()).then_some(w)
        } else {
            self.look_up(cp).map(|(_, w)| w)
        }
    }

    fn glyph(&self, c: char) -> Option<u16> {
        let cp = c as u32;
        if cp < DENSE {
            self.dense_bits(cp);
            let gid = self.gids[cp as usize].load(Ordering::Relaxed);
            (gid != 0).then_some(gid)
        } else {
            self.look_up(cp).map(|(gid, _)| gid)
        }
    }

    /// As `hmtx` says (and printpdf read it): glyphs past the last long metric share its
    /// advance.
    fn advance_units(&self, gid: u16) -> u16 {
        match self.glyph_count.checked_sub(1) {
            Some(last) => self.hmtx.advance(GlyphId::from(gid.min(last))).unwrap_or(0),
            None => 0,
        }
    }
}

/// The bundled fonts' metrics, read once per process.
pub struct Fonts {
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
    /// The bundled fonts. They are compiled in, so failing to read them is a build
    /// defect, caught by the tests, not a user error.
    pub fn get() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| {
            let read = |face: Face| {
                FaceMetrics::new(face.bytes())
                    .unwrap_or_else(|| panic!("bundled font {face:?} does not parse"))
            };
            Fonts {
                metrics: [read(Face::Sans), read(Face::Bold), read(Face::Mono)],
            }
        })
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

    /// Advance of `c` in em units as the layout sets it: in `face`, or else in the
    /// face [`Fonts::face_for`] falls back to; `None` if no bundled face has it.
    #[inline(always)]
    pub fn set_advance(&self, face: Face, c: char) -> Option<f32> {
        // One table lookup for nearly every character, where `face_for` and then
        // `advance` took two (a tenth of a dossier's instructions).
        match self.metrics[index(face)].width(c) {
            Some(w) => Some(w),
            None => self.fallback_advance(face, c),
        }
    }

    #[cold]
    fn fallback_advance(&self, face: Face, c: char) -> Option<f32> {
        face.fallbacks()
            .into_iter()
            .find_map(|f| self.metrics[index(f)].width(c))
    }

    /// Whether `face` itself has `c`.
    #[inline(always)]
    pub fn has(&self, face: Face, c: char) -> bool {
        self.metrics[index(face)].width(c).is_some()
    }

    /// Advance of `c` in `face` in em units (0 if the face lacks it).
    pub fn advance(&self, face: Face, c: char) -> f32 {
        self.metrics[index(face)].width(c).unwrap_or(0.0)
    }

    /// The glyph id of `c` in `face`, `None` if the face lacks it.
    pub fn glyph(&self, face: Face, c: char) -> Option<u16> {
        self.metrics[index(face)].glyph(c)
    }

    /// The advance of glyph `gid` of `face` in font units.
    pub fn glyph_advance(&self, face: Face, gid: u16) -> u16 {
        self.metrics[index(face)].advance_units(gid)
    }

    pub fn header(&self, face: Face) -> Header {
        self.metrics[index(face)].header
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

    #[test]
    fn hidden_controls_are_in_no_face_but_emoji_joiners_are_not_refused() {
        let fonts = Fonts::get();
        for c in ['\u{202E}', '\u{2066}', '\u{200B}', '\u{FEFF}', '\u{00AD}'] {
            for face in Face::ALL {
                assert_eq!(fonts.face_for(face, c), None, "U+{:04X}", c as u32);
            }
        }
        assert!(!crate::model::is_hidden_control('\u{200D}'));
        assert!(!crate::model::is_hidden_control('\u{FE0F}'));
    }

    #[test]
    fn the_set_advance_is_the_fallback_faces_advance() {
        // The one-lookup path agrees with `face_for` then `advance` for every code
        // point the faces map and then some (up to U+FFFF and a few beyond).
        let fonts = Fonts::get();
        let chars = (0..0x1_0000u32)
            .chain([0x1F600, 0x1F642, 0x10FFFF])
            .filter_map(char::from_u32);
        for c in chars {
            for face in Face::ALL {
                let slow = fonts.face_for(face, c).map(|f| fonts.advance(f, c));
                let fast = fonts.set_advance(face, c);
                assert_eq!(
                    fast.map(f32::to_bits),
                    slow.map(f32::to_bits),
                    "{face:?} {c:?}"
                );
            }
        }
    }

    /// The bundled faces' character map, advances and descriptor values, pinned. They
    /// were checked against an independent parser (printpdf's, while handover used
    /// it: every mapped character's glyph and advance, and the header) when pinned, so
    /// a change of font file or of how we read it shows here.
    #[test]
    fn metrics_are_the_pinned_known_answers() {
        use sha2::Digest;
        let fonts = Fonts::get();
        let mut pinned = Vec::new();
        for face in Face::ALL {
            let mut listing = sha2::Sha256::new();
            let mut mapped = 0;
            for c in (0..=0x10ffff).filter_map(char::from_u32) {
                if let Some(gid) = fonts.glyph(face, c) {
                    let advance = fonts.glyph_advance(face, gid);
                    listing.update(format!("{:X} {gid} {advance}\n", c as u32).as_bytes());
                    mapped += 1;
                }
            }
            let digest = crate::model::hex(&listing.finalize()[..8]);
            pinned.push(format!(
                "{face:?} {mapped} {digest} {:?}",
                fonts.header(face)
            ));
        }
        let header = |bbox, weight_class| {
            format!(
                "{:?}",
                Header {
                    units_per_em: 2048,
                    ascent: 1901,
                    descent: -483,
                    bbox,
                    caret_slope_rise: 1,
                    caret_slope_run: 0,
                    weight_class,
                }
            )
        };
        assert_eq!(
            pinned,
            [
                format!(
                    "Sans 5901 448cc69fa19f8629 {}",
                    header((-2090, -948, 3673, 2524), 400)
                ),
                format!(
                    "Bold 5881 5e2250c3d29cb378 {}",
                    header((-2190, -850, 4045, 2407), 700)
                ),
                format!(
                    "Mono 3320 1869789880fca8db {}",
                    header((-1144, -767, 1470, 2106), 400)
                ),
            ]
        );
    }
}
