//! A page's laid-out items as a content stream: the operators written straight into
//! bytes, leaving out those that change nothing.

use std::collections::BTreeMap;

use zeroize::Zeroize;

use super::super::fonts::Face;
use super::super::layout::{Item, Rgb};
use super::numbers::{color, hex, hundredths, num, num_hundredths, uint};
use super::subset::Glyphs;

pub(super) fn font_name(face: Face) -> &'static str {
    match face {
        Face::Sans => "F1",
        Face::Bold => "F2",
        Face::Mono => "F3",
    }
}

/// An upper bound of what [`page_content`] writes for `items`.
pub(super) fn content_bound(items: &[Item]) -> usize {
    // The longest number `num` writes is 21 bytes; an operator line has at most six.
    const NUM: usize = 22;
    let mut bound = 64;
    for item in items {
        bound += match item {
            // A two-byte code a character, each byte escaped; a character is at least
            // one byte of UTF-8 (counting bytes, not characters, is a tenth the cost).
            Item::Text { text, .. } => 12 * NUM + 16 + 4 * text.len(),
            Item::Rect { .. } => 14 * NUM + 16,
            Item::Line { points, .. } => 6 * NUM + 16 + points.len() * (2 * NUM + 4),
            Item::Logo { .. } => 8 * NUM + 32,
            // Two hex digits a byte.
            Item::Qr { rows, .. } => 8 * NUM + 96 + 2 * rows.len(),
            // Up to two UTF-16 units, two bytes each, each byte escaped.
            Item::ActualText { text } => 40 + 8 * text.len(),
            Item::EndActualText { .. } => NUM + 24,
        };
    }
    bound
}

/// State of a content stream being written, to leave out operators that change nothing.
#[derive(Default)]
pub(super) struct State {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    width: Option<f32>,
    /// A path of filled rectangles not yet painted (QR codes: one fill for all).
    open_fill: bool,
}

impl State {
    pub(super) fn paint_pending(&mut self, out: &mut Vec<u8>) {
        if self.open_fill {
            out.extend_from_slice(b"f\n");
            self.open_fill = false;
        }
    }

    pub(super) fn fill(&mut self, c: Rgb, out: &mut Vec<u8>) {
        if self.fill != Some(c) {
            color(out, c, b"g\n", b"rg\n");
            self.fill = Some(c);
        }
    }

    pub(super) fn stroke(&mut self, c: Rgb, width: f32, out: &mut Vec<u8>) {
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
pub(super) fn page_content(
    items: &[Item],
    logo: Option<(usize, usize)>,
    glyphs: &BTreeMap<Face, Glyphs>,
    out: &mut Vec<u8>,
) {
    let mut state = State::default();
    for item in items {
        graphic(&mut state, item, logo, out);
    }
    state.paint_pending(out);
    out.extend_from_slice(b"BT\n");
    let mut text = Text {
        current: None,
        // `BT` starts at the page's origin.
        line: Some((0, 0)),
    };
    for item in items {
        match item {
            Item::Text { .. } => text.show(&mut state, item, glyphs, out),
            Item::ActualText { text } => actual_text(out, text),
            Item::EndActualText { report_size } => text.end_actual_text(*report_size, out),
            _ => {}
        }
    }
    out.extend_from_slice(b"ET\n");
}

/// Draws `item` if it is a graphic; text waits for the text object.
fn graphic(state: &mut State, item: &Item, logo: Option<(usize, usize)>, out: &mut Vec<u8>) {
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
        } => line(state, points, *c, *width, out),
        Item::Logo { x, y, w, .. } => {
            state.paint_pending(out);
            if let Some(pixels) = logo {
                logo_image(pixels, *x, *y, *w, out);
            }
        }
        Item::Qr {
            x,
            y,
            module,
            width,
            rows,
        } => qr(state, (*x, *y), *module, *width, rows, out),
        Item::Text { .. } | Item::ActualText { .. } | Item::EndActualText { .. } => {}
    }
}

fn line(state: &mut State, points: &[(f32, f32)], c: Rgb, width: f32, out: &mut Vec<u8>) {
    state.paint_pending(out);
    if let Some(((x, y), rest)) = points.split_first() {
        state.stroke(c, width, out);
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

/// The logo, whose pixels are `px_w` × `px_h`: its width fills the box; its height
/// keeps the aspect ratio.
fn logo_image((px_w, px_h): (usize, usize), x: f32, y: f32, w: f32, out: &mut Vec<u8>) {
    let h = px_h as f32 * w / px_w.max(1) as f32;
    out.extend_from_slice(b"q\n");
    for v in [w, 0.0, 0.0, h, x, y] {
        num(out, v);
    }
    out.extend_from_slice(b"cm\n/Logo Do\nQ\n");
}

fn qr(
    state: &mut State,
    (x, y): (f32, f32),
    module: f32,
    width: usize,
    rows: &[u8],
    out: &mut Vec<u8>,
) {
    state.paint_pending(out);
    // Pure black, whatever the text's colour: scanners want contrast.
    state.fill(Rgb(0, 0, 0), out);
    let side = module * width as f32;
    out.extend_from_slice(b"q\n");
    for v in [side, 0.0, 0.0, side, x, y] {
        num(out, v);
    }
    // An image mask paints its 1 bits (`/D [1 0]`) in the fill colour.
    // ASCIIHex, so that no byte of the image can read as its end (`EI`).
    out.extend_from_slice(b"cm\nBI /W ");
    uint(out, width as u64);
    out.extend_from_slice(b" /H ");
    uint(out, width as u64);
    out.extend_from_slice(b" /IM true /BPC 1 /D [1 0] /F /AHx ID\n");
    hex(out, rows);
    out.extend_from_slice(b">\nEI\nQ\n");
}

/// The text object's state: the font and size in effect, and where the text line
/// matrix puts the origin, in hundredths of a point, unless a slant is in it: the
/// next line moves from there (`Td`, half the bytes of `Tm`).
struct Text {
    current: Option<(Face, f32)>,
    line: Option<(i64, i64)>,
}

impl Text {
    /// Shows `item`, an [`Item::Text`].
    fn show(
        &mut self,
        state: &mut State,
        item: &Item,
        glyphs: &BTreeMap<Face, Glyphs>,
        out: &mut Vec<u8>,
    ) {
        let Item::Text {
            x,
            y,
            face,
            size,
            color: c,
            oblique,
            text,
        } = item
        else {
            return;
        };
        if self.current != Some((*face, *size)) {
            set_font(out, *face, *size);
            self.current = Some((*face, *size));
        }
        state.fill(*c, out);
        self.move_to((hundredths(*x), hundredths(*y)), *oblique, out);
        if let Some(map) = glyphs.get(face).filter(|map| map.one_byte) {
            one_byte_string(out, text, map);
        } else if let Some(map) = glyphs.get(face) {
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
    }

    /// Moves to `at` and opens the string to show there.
    fn move_to(&mut self, at: (i64, i64), oblique: bool, out: &mut Vec<u8>) {
        match self.line {
            Some((lx, ly)) if !oblique => {
                num_hundredths(out, at.0 - lx);
                num_hundredths(out, at.1 - ly);
                out.extend_from_slice(b"Td\n(");
                self.line = Some(at);
            }
            _ => {
                // A shear of about 12°, as renderers slant a face that has no italic.
                out.extend_from_slice(if oblique { b"1 0 0.21 1 " } else { b"1 0 0 1 " });
                num_hundredths(out, at.0);
                num_hundredths(out, at.1);
                out.extend_from_slice(b"Tm\n(");
                self.line = (!oblique).then_some(at);
            }
        }
    }

    /// Closes a marked-content span. poppler gives a span's text the font size in
    /// effect when the span ends, and takes a new size only at the next text-showing
    /// operator: an empty string, which shows nothing.
    fn end_actual_text(&mut self, report_size: Option<f32>, out: &mut Vec<u8>) {
        if let (Some(size), Some((face, _))) = (report_size, self.current) {
            set_font(out, face, size);
            out.extend_from_slice(b"()Tj\n");
            self.current = Some((face, size));
        }
        out.extend_from_slice(b"EMC\n");
    }
}

/// `text` in a one-byte face: a glyph id a byte, escaped where a literal string needs
/// it. Written into room made at the end of `out` (zeros, at most two bytes a
/// character) and cut to what was written: a push a glyph was a third of writing a
/// page. What is cut was never written: nothing of the text lies beyond the length.
fn one_byte_string(out: &mut Vec<u8>, text: &str, map: &Glyphs) {
    let start = out.len();
    out.resize(start + 2 * text.len(), 0);
    let room = &mut out[start..];
    let mut n = 0;
    let mut i = 0;
    while let Some(&b) = text.as_bytes().get(i) {
        let code = if b < 0x80 {
            i += 1;
            map.ascii[usize::from(b)]
        } else {
            let Some(ch) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            i += ch.len_utf8();
            // The glyph ids of a one-byte face all fit in a byte.
            u8::try_from(map.get(ch)).unwrap_or(0)
        };
        // A character takes one byte of the text or more, and two of the room at most.
        n = put_escaped(room, n, code);
    }
    out.truncate(start + n);
}

/// Puts `byte` at `room[n]`, escaped if [`ESCAPED`] says so, and returns where the
/// next byte goes. The caller made room for two bytes for each.
#[inline(always)]
fn put_escaped(room: &mut [u8], n: usize, byte: u8) -> usize {
    if ESCAPED[usize::from(byte)] {
        room[n] = b'\\';
        room[n + 1] = match byte {
            b'\r' => b'r',
            b'\n' => b'n',
            other => other,
        };
        n + 2
    } else {
        room[n] = byte;
        n + 1
    }
}

fn set_font(out: &mut Vec<u8>, face: Face, size: f32) {
    out.push(b'/');
    out.extend_from_slice(font_name(face).as_bytes());
    out.push(b' ');
    num(out, size);
    out.extend_from_slice(b"Tf\n");
}

/// Opens a marked-content span whose text, for copying and extraction, is `text`: a
/// text string, in PDFDocEncoding when it is printable ASCII (one byte a character) and
/// otherwise in UTF-16BE with its byte order mark, so that any character goes in.
pub(super) fn actual_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"/Span <</ActualText (");
    let start = out.len();
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        // Room for each byte escaped, cut to what was written, as in `one_byte_string`.
        out.resize(start + 2 * text.len(), 0);
        let room = &mut out[start..];
        let mut n = 0;
        for byte in text.bytes() {
            n = put_escaped(room, n, byte);
        }
        out.truncate(start + n);
    } else {
        // A character is one to four bytes of UTF-8 and two or four of UTF-16: room
        // for eight bytes a byte of the text, each escaped, and the byte order mark.
        out.resize(start + 2 + 8 * text.len(), 0);
        let room = &mut out[start..];
        room[..2].copy_from_slice(b"\xFE\xFF");
        let mut n = 2;
        let mut units = [0u16; 2];
        for ch in text.chars() {
            for unit in ch.encode_utf16(&mut units) {
                let [high, low] = unit.to_be_bytes();
                n = put_escaped(room, n, high);
                n = put_escaped(room, n, low);
            }
        }
        units.zeroize();
        out.truncate(start + n);
    }
    out.extend_from_slice(b")>> BDC\n");
}

/// The bytes a literal string escapes (the delimiters, the escape character, line
/// ends), as a table: glyph codes go through it by the million.
pub(super) const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    table[b'(' as usize] = true;
    table[b')' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

/// One byte of a literal string: the delimiters and the escape character escaped, and
/// line ends too (a raw CR would be read as LF), by [`put_escaped`]'s rules.
fn literal_byte(out: &mut Vec<u8>, byte: u8) {
    let mut room = [0u8; 2];
    let n = put_escaped(&mut room, 0, byte);
    out.extend_from_slice(&room[..n]);
}

pub(super) fn rect(out: &mut Vec<u8>, x: f32, y: f32, w: f32, h: f32) {
    for v in [x, y, w, h] {
        num(out, v);
    }
    out.extend_from_slice(b"re\n");
}

#[cfg(test)]
mod tests {
    use super::super::subset::DENSE;
    use super::*;
    use zeroize::Zeroizing;

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
                max_gid: 0xFFFF,
                one_byte: false,
                ascii: [0; 128],
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
    fn a_one_byte_face_writes_a_byte_a_glyph_escaped() {
        let mut dense = vec![0u16; DENSE as usize];
        dense[usize::from(b'a')] = u16::from(b'(');
        dense[usize::from(b'b')] = u16::from(b'A');
        dense[usize::from(b'c')] = u16::from(b'\r');
        dense[usize::from(b'\n')] = u16::from(b'\n');
        dense[0xE4] = u16::from(b')');
        let mut map = Glyphs {
            dense,
            sparse: BTreeMap::new(),
            max_gid: u16::from(b'A'),
            one_byte: false,
            ascii: [0; 128],
        };
        map.set_one_byte();
        let mut glyphs = BTreeMap::new();
        glyphs.insert(Face::Mono, map);
        let items = [Item::Text {
            x: 1.0,
            y: 2.0,
            face: Face::Mono,
            size: 9.0,
            color: Rgb(0, 0, 0),
            oblique: false,
            text: Zeroizing::new("abcbä\n€🙂".into()),
        }];
        let mut out = Vec::new();
        page_content(&items, None, &glyphs, &mut out);
        // ä is not ASCII; € and 🙂 have no glyph here (.notdef, which layout never lets
        // through).
        assert_eq!(
            out.as_slice(),
            b"BT\n/F3 9 Tf\n0 g\n1 2 Td\n(\\(A\\rA\\)\\n\0\0)Tj\nET\n"
        );
        assert!(out.len() <= content_bound(&items));
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
}
