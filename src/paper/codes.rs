//! One QR code's text: a short header and a chunk in base32, all in QR's alphanumeric
//! set (`0-9 A-Z $%*+-./:` and space), so that a code holds ~10 % more than base64 in
//! byte mode and every reader returns it unchanged.
//!
//! `HO1:D:ABCDEFGH:0007/0048+0016:00012345+0298:12+03:<base32>`
//! - `HO1`: the code format, version 1.
//! - `D` (a data code: a plain chunk of the payload) or `P` (a parity code).
//! - the printing: the first 8 base32 characters of the payload's SHA-256.
//! - the index (from 1, among the data or among the parity codes), the number of data
//!   codes, the number of parity codes.
//! - the bundle's length and the signature's length in bytes (the payload is the bundle
//!   followed by its signature).
//! - how many codes stand on each data page and on the first (`12+03`), so that a
//!   restore can name the page of a missing code.
//! - the chunk, base32 (RFC 4648, no padding: every chunk is a multiple of 5 bytes).

use std::fmt;

/// The bytes a code carries. A multiple of 5 (base32 without padding) and of 2 (the
/// Reed–Solomon shards' rule). 870 bytes are 1392 base32 characters, 1436 with the
/// header: a version-25 code at level M holds 1451 alphanumeric characters.
pub const CHUNK: usize = 870;

/// The leading field of every code.
pub const MAGIC: &str = "HO1";

/// Whether a code carries a piece of the payload or parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Data,
    Parity,
}

impl Kind {
    pub fn letter(self) -> char {
        match self {
            Kind::Data => 'D',
            Kind::Parity => 'P',
        }
    }
}

/// What every code of one printing has in common.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// 8 base32 characters of the payload's SHA-256.
    pub printing: String,
    pub data_count: usize,
    pub parity_count: usize,
    pub bundle_len: usize,
    pub signature_len: usize,
    /// Codes on each data page, and on the first (which also holds the recipe).
    pub per_page: usize,
    pub first_page: usize,
}

/// One decoded code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub header: Header,
    pub kind: Kind,
    /// From 1.
    pub index: usize,
    pub chunk: Vec<u8>,
}

impl Code {
    /// "D 0007/0048": what the label under the code says.
    pub fn label(&self) -> String {
        let of = match self.kind {
            Kind::Data => self.header.data_count,
            Kind::Parity => self.header.parity_count,
        };
        format!("{} {:04}/{:04}", self.kind.letter(), self.index, of)
    }

    /// The code's text.
    pub fn text(&self) -> String {
        let h = &self.header;
        format!(
            "{MAGIC}:{}:{}:{:04}/{:04}+{:04}:{:08}+{:04}:{:02}+{:02}:{}",
            self.kind.letter(),
            h.printing,
            self.index,
            h.data_count,
            h.parity_count,
            h.bundle_len,
            h.signature_len,
            h.per_page,
            h.first_page,
            base32_encode(&self.chunk)
        )
    }

    /// Reads a code's text; `None` for anything that is not a code of this format
    /// (another QR code on a scanned page is not an error).
    pub fn parse(text: &str) -> Option<Code> {
        let mut fields = text.trim_end().split(':');
        if fields.next()? != MAGIC {
            return None;
        }
        let kind = match fields.next()? {
            "D" => Kind::Data,
            "P" => Kind::Parity,
            _ => return None,
        };
        let printing = fields.next()?;
        if printing.len() != 8 || !printing.bytes().all(|b| ALPHABET.contains(&b)) {
            return None;
        }
        let (index, rest) = fields.next()?.split_once('/')?;
        let (data_count, parity_count) = rest.split_once('+')?;
        let (bundle_len, signature_len) = fields.next()?.split_once('+')?;
        let (per_page, first_page) = fields.next()?.split_once('+')?;
        let chunk = base32_decode(fields.next()?)?;
        if fields.next().is_some() {
            return None;
        }
        let num = |s: &str| s.parse::<usize>().ok();
        let code = Code {
            header: Header {
                printing: printing.to_owned(),
                data_count: num(data_count)?,
                parity_count: num(parity_count)?,
                bundle_len: num(bundle_len)?,
                signature_len: num(signature_len)?,
                per_page: num(per_page)?,
                first_page: num(first_page)?,
            },
            kind,
            index: num(index)?,
            chunk,
        };
        code.is_consistent().then_some(code)
    }

    /// The header's numbers agree with each other and with the chunk.
    fn is_consistent(&self) -> bool {
        let h = &self.header;
        let payload = h.bundle_len + h.signature_len;
        let of = match self.kind {
            Kind::Data => h.data_count,
            Kind::Parity => h.parity_count,
        };
        h.data_count == payload.div_ceil(CHUNK)
            && h.parity_count >= 1
            && (1..=of).contains(&self.index)
            && h.per_page >= 1
            && self.chunk.len() <= CHUNK
            && !self.chunk.is_empty()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 of `bytes`, whose length is a multiple of 5 (no padding).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() / 5 * 8);
    for group in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..group.len()].copy_from_slice(group);
        let v = buf.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let chars = (group.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(ALPHABET[((v >> (35 - 5 * i)) & 31) as usize] as char);
        }
    }
    out
}

/// The inverse of [`base32_encode`], for whole groups of 8 characters only.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(8) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 8 * 5);
    for group in text.as_bytes().chunks(8) {
        let mut v = 0u64;
        for c in group {
            let d = ALPHABET.iter().position(|a| a == c)?;
            v = v << 5 | d as u64;
        }
        out.extend_from_slice(&v.to_be_bytes()[3..]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(kind: Kind, index: usize) -> Code {
        Code {
            header: Header {
                printing: "ABCDEFGH".into(),
                data_count: 2,
                parity_count: 12,
                bundle_len: 1000,
                signature_len: 300,
                per_page: 12,
                first_page: 3,
            },
            kind,
            index,
            chunk: vec![7; 430],
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32_encode(b"fooba"), "MZXW6YTB");
        assert_eq!(base32_decode("MZXW6YTB").unwrap(), b"fooba");
        assert_eq!(base32_decode("MZXW6YT"), None);
        assert_eq!(base32_decode("MZXW6YT1"), None);
    }

    #[test]
    fn text_round_trips_and_fits_a_version_25_code() {
        let c = code(Kind::Parity, 3);
        let text = c.text();
        assert!(text.starts_with("HO1:P:ABCDEFGH:0003/0002+0012:00001000+0300:12+03:"));
        assert_eq!(Code::parse(&text), Some(c.clone()));
        assert_eq!(c.label(), "P 0003/0012");
        let full = Code {
            chunk: vec![0xff; CHUNK],
            ..c
        };
        assert!(full.text().len() <= 1451, "{}", full.text().len());
    }

    #[test]
    fn anything_else_is_not_a_code() {
        let good = code(Kind::Data, 2).text();
        for bad in [
            "WIFI:T:WPA;S:x;;".to_owned(),
            good.replacen("HO1", "HO2", 1),
            good.replacen(":0002/", ":0003/", 1),
            good.replacen("+0300:", "+9300:", 1),
            format!("{good}:X"),
            good[..good.len() - 1].to_owned(),
        ] {
            assert_eq!(Code::parse(&bad), None, "{bad}");
        }
    }
}
