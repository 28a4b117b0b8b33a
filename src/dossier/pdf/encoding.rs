//! A font's codes: what the bytes of a string in a content stream say. A face whose
//! subset has at most 256 glyphs (every Latin dossier) gets an embedded CMap that reads
//! each byte as the glyph id itself, in place of `Identity-H`, which reads two: half
//! the bytes of text a page writes and compresses. And the ToUnicode map that turns
//! codes back into text, for search, copying and `pdftotext`.

use std::collections::BTreeMap;

use super::numbers::hex;

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

/// The embedded CMap of one-byte codes, as a stream object.
pub(super) fn cmap_stream() -> lopdf::Stream {
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
    lopdf::Stream::new(dict, CMAP.to_vec())
}

/// The ToUnicode map (PDF 32000-1, 9.10.3) of a font whose codes are its glyph ids,
/// one byte or two: each code's character, `glyphs` giving it by glyph id.
pub(super) fn to_unicode<T>(glyphs: &BTreeMap<u16, (T, char)>, one_byte: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(512 + glyphs.len() * 16);
    out.extend_from_slice(
        b"/CIDInit /ProcSet findresource begin\n\
12 dict begin\n\
begincmap\n\
/CIDSystemInfo 3 dict dup begin\n\
/Registry (Adobe) def\n\
/Ordering (UCS) def\n\
/Supplement 0 def\n\
end def\n\
/CMapName /Adobe-Identity-UCS def\n\
/CMapType 2 def\n\
1 begincodespacerange\n",
    );
    out.extend_from_slice(if one_byte {
        b"<00> <FF>\n"
    } else {
        b"<0000> <FFFF>\n"
    });
    out.extend_from_slice(b"endcodespacerange\n");
    let entries: Vec<(u16, char)> = glyphs.iter().map(|(&gid, &(_, c))| (gid, c)).collect();
    // At most 100 mappings to a block, as the CMap format allows.
    for block in entries.chunks(100) {
        out.extend_from_slice(format!("{} beginbfchar\n", block.len()).as_bytes());
        for &(gid, c) in block {
            out.push(b'<');
            let code = gid.to_be_bytes();
            hex(&mut out, if one_byte { &code[1..] } else { &code });
            out.extend_from_slice(b"> <");
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                hex(&mut out, &unit.to_be_bytes());
            }
            out.extend_from_slice(b">\n");
        }
        out.extend_from_slice(b"endbfchar\n");
    }
    out.extend_from_slice(
        b"endcmap\n\
CMapName currentdict /CMap defineresource pop\n\
end\n\
end\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_to_unicode_map_gives_each_code_its_character_in_blocks_of_100() {
        let glyphs: BTreeMap<u16, ((), char)> =
            BTreeMap::from([(1, ((), 'A')), (2, ((), 'ß')), (0xFF, ((), '🙂'))]);
        let map = String::from_utf8(to_unicode(&glyphs, true)).unwrap();
        assert!(map.contains(
            "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n\
             3 beginbfchar\n<01> <0041>\n<02> <00DF>\n<FF> <D83DDE42>\nendbfchar\nendcmap\n"
        ));
        let map = String::from_utf8(to_unicode(&glyphs, false)).unwrap();
        assert!(map.contains("<0000> <FFFF>"));
        assert!(map.contains("<0001> <0041>\n<0002> <00DF>\n<00FF> <D83DDE42>\n"));
        let many: BTreeMap<u16, ((), char)> = (1..=250u16).map(|g| (g, ((), 'x'))).collect();
        let map = String::from_utf8(to_unicode(&many, false)).unwrap();
        let blocks: Vec<&str> = map.lines().filter(|l| l.ends_with("beginbfchar")).collect();
        assert_eq!(
            blocks,
            ["100 beginbfchar", "100 beginbfchar", "50 beginbfchar"]
        );
        assert_eq!(map.matches("endbfchar").count(), 3);
    }
}
