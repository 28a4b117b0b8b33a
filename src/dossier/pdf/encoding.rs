//! One byte a glyph: a face whose subset has at most 256 glyphs (every Latin dossier)
//! gets an embedded CMap that reads each byte of a string as the glyph id itself, in
//! place of printpdf's `Identity-H`, which reads two. Half the bytes of text a page
//! writes and compresses; the same glyphs, widths and text.

use std::collections::BTreeMap;

use super::super::fonts::Face;
use super::subset::{Glyphs, base_font};

/// The CMap: codes `<00>` to `<FF>`, each the CID (for our `CIDFontType2` fonts, the
/// glyph id: `/CIDToGIDMap /Identity`) of the same number. Its system is Adobe-Identity,
/// as the fonts' `/CIDSystemInfo` is (PDF 32000-1, 9.7.5.3).
const CMAP: &[u8] = b"%!PS-Adobe-3.0 Resource-CMap\n\
/CIDInit /ProcSet findresource begin\n\
12 dict begin\n\
begincmap\n\
/CIDSystemInfo 3 dict dup begin\n\
/Registry (Adobe) def\n\
/Ordering (Identity) def\n\
/Supplement 0 def\n\
end def\n\
/CMapName /Handover-Byte-H def\n\
/CMapType 1 def\n\
/WMode 0 def\n\
1 begincodespacerange\n\
<00> <FF>\n\
endcodespacerange\n\
1 begincidrange\n\
<00> <FF> 0\n\
endcidrange\n\
endcmap\n\
CMapName currentdict /CMap defineresource pop\n\
end\n\
end\n";

/// What printpdf writes as a ToUnicode map's code space: two-byte codes.
const TWO_BYTE_SPACE: &str = "begincodespacerange\n<0000> <FFFF>\nendcodespacerange";

/// Switches every face whose glyph ids all fit a byte to one-byte codes: its Type0
/// font's `/Encoding` becomes the embedded CMap, its ToUnicode map is rewritten for
/// one-byte codes, and its [`Glyphs`] say so to the content streams. A face whose
/// fonts or map are not as printpdf writes them keeps two-byte codes.
pub(super) fn one_byte_codes(lo: &mut lopdf::Document, glyphs: &mut BTreeMap<Face, Glyphs>) {
    let mut cmap = None;
    for (face, map) in glyphs.iter_mut() {
        if map.max_gid > 0xFF {
            continue;
        }
        let Some((font, to_unicode)) = type0_font(lo, base_font(*face)) else {
            continue;
        };
        let Some(one_byte) = to_unicode_one_byte(lo, to_unicode) else {
            continue;
        };
        if let Ok(lopdf::Object::Stream(stream)) = lo.get_object_mut(to_unicode) {
            stream.set_content(one_byte);
        }
        let cmap = *cmap.get_or_insert_with(|| lo.add_object(cmap_stream()));
        if let Ok(dict) = lo.get_dictionary_mut(font) {
            dict.set("Encoding", lopdf::Object::Reference(cmap));
            map.set_one_byte();
        }
    }
}

fn cmap_stream() -> lopdf::Stream {
    let system = lopdf::Dictionary::from_iter(vec![
        (
            "Registry",
            lopdf::Object::String(b"Adobe".to_vec(), lopdf::StringFormat::Literal),
        ),
        (
            "Ordering",
            lopdf::Object::String(b"Identity".to_vec(), lopdf::StringFormat::Literal),
        ),
        ("Supplement", lopdf::Object::Integer(0)),
    ]);
    let dict = lopdf::Dictionary::from_iter(vec![
        ("Type", lopdf::Object::Name(b"CMap".to_vec())),
        ("CMapName", lopdf::Object::Name(b"Handover-Byte-H".to_vec())),
        ("CIDSystemInfo", lopdf::Object::Dictionary(system)),
    ]);
    let mut stream = lopdf::Stream::new(dict, CMAP.to_vec());
    // 407 bytes, 127 more than compressed: not worth a compressor reset (zlib-rs clears
    // 128 KiB for each stream).
    stream.allows_compression = false;
    stream
}

/// The Type0 font named `base_font` and its ToUnicode stream, if it has `Identity-H`
/// codes and a `CIDToGIDMap` of `Identity` (or none) in its descendant.
fn type0_font(lo: &lopdf::Document, base_font: &str) -> Option<(lopdf::ObjectId, lopdf::ObjectId)> {
    lo.objects.iter().find_map(|(&id, object)| {
        let dict = object.as_dict().ok()?;
        let is = |key: &[u8], value: &[u8]| {
            dict.get(key)
                .and_then(lopdf::Object::as_name)
                .is_ok_and(|n| n == value)
        };
        if !(is(b"Subtype", b"Type0")
            && is(b"BaseFont", base_font.as_bytes())
            && is(b"Encoding", b"Identity-H"))
        {
            return None;
        }
        let descendant = dict
            .get(b"DescendantFonts")
            .ok()?
            .as_array()
            .ok()?
            .first()?;
        let descendant = match descendant {
            lopdf::Object::Reference(r) => lo.get_dictionary(*r).ok()?,
            other => other.as_dict().ok()?,
        };
        let identity = match descendant.get(b"CIDToGIDMap") {
            Ok(map) => map.as_name().is_ok_and(|n| n == b"Identity"),
            Err(_) => true,
        };
        let type2 = descendant
            .get(b"Subtype")
            .and_then(lopdf::Object::as_name)
            .is_ok_and(|n| n == b"CIDFontType2");
        let to_unicode = dict.get(b"ToUnicode").ok()?.as_reference().ok()?;
        (identity && type2).then_some((id, to_unicode))
    })
}

/// printpdf's ToUnicode map with one-byte codes: its code space `<00> <FF>` and every
/// `<00XX>` code as `<XX>`. `None` unless the map is uncompressed, has printpdf's
/// two-byte code space and only codes below 256.
fn to_unicode_one_byte(lo: &lopdf::Document, id: lopdf::ObjectId) -> Option<Vec<u8>> {
    let stream = lo.get_object(id).ok()?.as_stream().ok()?;
    if stream.dict.get(b"Filter").is_ok() {
        return None;
    }
    let text = std::str::from_utf8(&stream.content).ok()?;
    let (head, body) = text.split_once(TWO_BYTE_SPACE)?;
    let mut out = String::with_capacity(text.len());
    out.push_str(head);
    out.push_str("begincodespacerange\n<00> <FF>\nendcodespacerange");
    for line in body.split_inclusive('\n') {
        match line.strip_prefix('<') {
            Some(rest) if rest.as_bytes().get(4) == Some(&b'>') => {
                let low = rest.strip_prefix("00")?;
                out.push('<');
                out.push_str(low);
            }
            _ => out.push_str(line),
        }
    }
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_to_unicode_map_gets_one_byte_codes_or_is_left_alone() {
        let map = "/CIDInit begin\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\
                   2 beginbfchar\n<0001> <0041>\n<00FF> <D83DDE42>\nendbfchar\nendcmap\n";
        let mut lo = lopdf::Document::with_version("1.7");
        let id = lo.add_object(lopdf::Stream::new(
            lopdf::Dictionary::new(),
            map.as_bytes().to_vec(),
        ));
        assert_eq!(
            String::from_utf8(to_unicode_one_byte(&lo, id).unwrap()).unwrap(),
            "/CIDInit begin\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n\
             2 beginbfchar\n<01> <0041>\n<FF> <D83DDE42>\nendbfchar\nendcmap\n"
        );
        // A code of 256 or more, or another code space: no one-byte codes.
        let high = map.replace("<00FF>", "<0100>");
        let other = map.replace("<0000> <FFFF>", "<00> <FF>");
        for text in [high, other] {
            let id = lo.add_object(lopdf::Stream::new(
                lopdf::Dictionary::new(),
                text.into_bytes(),
            ));
            assert_eq!(to_unicode_one_byte(&lo, id), None);
        }
    }
}
