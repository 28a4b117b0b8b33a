//! PDF objects serialised as lopdf's writer does, and the sink they are written to.

use std::io::Write;

use zeroize::{Zeroize, Zeroizing};

use super::numbers::{hex, uint};
use crate::error::{Error, Result};

pub(super) fn reference(out: &mut Vec<u8>, (id, generation): lopdf::ObjectId) {
    uint(out, u64::from(id));
    out.push(b' ');
    uint(out, u64::from(generation));
    out.extend_from_slice(b" R");
}

/// A PDF text string: PDFDocEncoding when printable ASCII, else UTF-16BE with its byte
/// order mark.
pub(super) fn text_string(text: &str) -> lopdf::Object {
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        lopdf::Object::String(text.as_bytes().to_vec(), lopdf::StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
    }
}

/// Where the PDF goes, and how much of it went there.
pub(super) struct Sink<'a> {
    pub(super) out: &'a mut dyn Write,
    pub(super) written: u64,
    /// The object being serialised; wiped after each write.
    pub(super) buf: Zeroizing<Vec<u8>>,
}

impl Sink<'_> {
    pub(super) fn flush(&mut self) -> Result<()> {
        self.out
            .write_all(&self.buf)
            .map_err(|e| Error::io("cannot write the PDF", e))?;
        self.written += self.buf.len() as u64;
        // What lies beyond the length is wiped already (wiping the whole capacity after
        // every object cost 5% of a dossier).
        self.buf.as_mut_slice().zeroize();
        self.buf.clear();
        Ok(())
    }
}

pub(super) fn needs_separator(object: &lopdf::Object) -> bool {
    use lopdf::Object::*;
    matches!(
        object,
        Null | Boolean(_) | Integer(_) | Real(_) | Reference(_)
    )
}

pub(super) fn needs_end_separator(object: &lopdf::Object) -> bool {
    use lopdf::Object::*;
    matches!(
        object,
        Null | Boolean(_) | Integer(_) | Real(_) | Name(_) | Reference(_) | Stream(_)
    )
}

/// A PDF object as lopdf's writer serialises it (lopdf keeps its writer private).
pub(super) fn write_object(out: &mut Vec<u8>, object: &lopdf::Object) {
    use lopdf::Object::*;
    match object {
        Null => out.extend_from_slice(b"null"),
        Boolean(true) => out.extend_from_slice(b"true"),
        Boolean(false) => out.extend_from_slice(b"false"),
        Integer(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Real(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Name(name) => write_name(out, name),
        String(text, lopdf::StringFormat::Literal) => write_literal(out, text),
        String(text, lopdf::StringFormat::Hexadecimal) => {
            out.push(b'<');
            hex(out, text);
            out.push(b'>');
        }
        Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && needs_separator(item) {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Dictionary(dict) => write_dictionary(out, dict),
        Stream(stream) => {
            write_dictionary(out, &stream.dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Reference((id, generation)) => {
            out.extend_from_slice(format!("{id} {generation} R").as_bytes());
        }
    }
}

/// A literal string: backslashes, carriage returns and unbalanced parentheses are
/// escaped.
fn write_literal(out: &mut Vec<u8>, text: &[u8]) {
    let mut escape = Vec::new();
    let mut open = Vec::new();
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'(' => open.push(i),
            // The guard pops the matching '(' if there is one.
            b')' if open.pop().is_none() => escape.push(i),
            b'\\' | b'\r' => escape.push(i),
            _ => {}
        }
    }
    escape.extend(open);
    out.push(b'(');
    for (i, &b) in text.iter().enumerate() {
        if escape.contains(&i) {
            out.push(b'\\');
            out.push(if b == b'\r' { b'r' } else { b });
        } else {
            out.push(b);
        }
    }
    out.push(b')');
}

pub(super) fn write_dictionary(out: &mut Vec<u8>, dict: &lopdf::Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(out, key);
        if needs_separator(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

pub(super) fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            out.push(b'#');
            hex(out, &[b]);
        } else {
            out.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_serialised_as_lopdf_does() {
        use lopdf::Object::*;
        let mut dict = lopdf::Dictionary::new();
        dict.set(
            "Title",
            String(b"a(b)c)d\\e\rf(".to_vec(), lopdf::StringFormat::Literal),
        );
        dict.set(
            "ID",
            String(vec![0, 0xab], lopdf::StringFormat::Hexadecimal),
        );
        dict.set("N", Name(b"A B#".to_vec()));
        dict.set(
            "Kids",
            Array(vec![
                Reference((3, 0)),
                Integer(-2),
                Real(0.5),
                Boolean(true),
                Null,
            ]),
        );
        let mut out = Vec::new();
        write_object(&mut out, &Dictionary(dict));
        assert_eq!(
            std::string::String::from_utf8(out).unwrap(),
            "<</Title(a(b)c\\)d\\\\e\\rf\\()/ID<00AB>/N/A#20B#23/Kids[3 0 R -2 0.5 true null]>>"
        );
    }
}
