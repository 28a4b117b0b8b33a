//! Data pages: a signed bundle as QR codes on paper, and back.
//!
//! The payload (the bundle's bytes followed by its signature's) is cut into chunks of
//! [`codes::CHUNK`] bytes, one per data code, plus Reed–Solomon parity codes
//! ([`parity`]), so that any one page or about 30 % of the codes may be lost. Data codes
//! are plain chunks: with all of them read, stock tools alone restore the bundle
//! (docs/FORMAT.md, "Data pages"). [`scan`] finds the codes on scanned pages.
//!
//! This module knows nothing of vaults or PDFs: the dossier draws the codes it makes,
//! and the restore workflow feeds it what a scan holds.

pub mod binarize;
pub mod codes;
pub mod deskew;
pub mod layout;
pub mod parity;
pub mod raster;
pub mod sample;
pub mod scan;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

pub use codes::{Code, Header, Kind};

/// The most data codes a printing may have (the index has four digits): 8.7 MB.
pub const MAX_DATA_CODES: usize = 9999;

/// A bundle and its signature, cut into codes.
pub struct Printing {
    pub header: Header,
    /// The payload's SHA-256, hex: printed on every data page.
    pub sha256: String,
    /// The data codes, then the parity codes, in the order they are printed.
    pub codes: Vec<Code>,
}

impl Printing {
    /// Cuts `bundle` and `signature` into codes for pages of `per_page` codes, the
    /// first holding `first_page`.
    pub fn new(
        bundle: &[u8],
        signature: &[u8],
        per_page: usize,
        first_page: usize,
    ) -> Result<Printing, String> {
        let payload = [bundle, signature].concat();
        let chunks: Vec<&[u8]> = payload.chunks(codes::CHUNK).collect();
        if chunks.len() > MAX_DATA_CODES || signature.len() > 9999 || per_page > 99 {
            return Err(format!(
                "the bundle is too large for data pages ({} bytes; at most {} fit)",
                payload.len(),
                MAX_DATA_CODES * codes::CHUNK
            ));
        }
        let parity_count = parity_count(chunks.len(), per_page.max(1), first_page);
        let parity = parity::encode(&chunks, parity_count)?;
        let sha = Sha256::digest(&payload);
        let header = Header {
            printing: printing_id(&sha),
            data_count: chunks.len(),
            parity_count,
            bundle_len: bundle.len(),
            signature_len: signature.len(),
            per_page: per_page.max(1),
            first_page,
        };
        let code = |kind, i: usize, chunk: &[u8]| {
            let mut chunk = chunk.to_vec();
            // Whole groups of five bytes: base32 without padding, which QR's
            // alphanumeric set could not hold. The lengths in the header trim it.
            chunk.resize(chunk.len().div_ceil(5) * 5, 0);
            Code {
                header: header.clone(),
                kind,
                index: i + 1,
                chunk,
            }
        };
        let mut all: Vec<Code> = chunks
            .iter()
            .enumerate()
            .map(|(i, c)| code(Kind::Data, i, c))
            .collect();
        all.extend(
            parity
                .iter()
                .enumerate()
                .map(|(i, c)| code(Kind::Parity, i, c)),
        );
        Ok(Printing {
            sha256: crate::model::hex(&sha),
            header,
            codes: all,
        })
    }
}

/// Parity enough for ~30 % of the codes and, when there is more than one page, for
/// the fullest page.
fn parity_count(data: usize, per_page: usize, first_page: usize) -> usize {
    let mut p = parity::parity_count(data, 1);
    loop {
        let pages = pages(data + p, per_page, first_page);
        let fullest = pages.iter().map(|r| r.len()).max().unwrap_or(0);
        if pages.len() <= 1 || fullest <= p {
            return p;
        }
        p = fullest;
    }
}

/// Which codes (by position in [`Printing::codes`]) stand on each data page.
pub fn pages(total: usize, per_page: usize, first_page: usize) -> Vec<std::ops::Range<usize>> {
    let first = first_page.min(total);
    let mut out = Vec::with_capacity(total / per_page.max(1) + 2);
    out.push(0..first);
    let mut at = first;
    while at < total {
        let end = (at + per_page.max(1)).min(total);
        out.push(at..end);
        at = end;
    }
    out
}

impl Header {
    /// The data page (from 1) a code stands on.
    pub fn page_of(&self, kind: Kind, index: usize) -> usize {
        let position = match kind {
            Kind::Data => index - 1,
            Kind::Parity => self.data_count + index - 1,
        };
        let total = self.data_count + self.parity_count;
        pages(total, self.per_page, self.first_page)
            .iter()
            .position(|r| r.contains(&position))
            .map_or(0, |p| p + 1)
    }

    /// How many data pages the printing has.
    pub fn page_count(&self) -> usize {
        pages(
            self.data_count + self.parity_count,
            self.per_page,
            self.first_page,
        )
        .len()
    }
}

/// The printing id the codes of `bundle` and `signature` carry.
pub fn printing_id_of(bundle: &[u8], signature: &[u8]) -> String {
    let mut sha = Sha256::new();
    sha.update(bundle);
    sha.update(signature);
    printing_id(&sha.finalize())
}

/// The SHA-256 of the payload, hex.
pub fn sha256_of(bundle: &[u8], signature: &[u8]) -> String {
    let mut sha = Sha256::new();
    sha.update(bundle);
    sha.update(signature);
    crate::model::hex(&sha.finalize())
}

/// The first 40 bits of a SHA-256, as 8 base32 characters.
fn printing_id(sha: &[u8]) -> String {
    codes::base32_encode(&sha[..5])
}

/// The codes of one printing read so far, by kind and index.
pub type Found = BTreeMap<(Kind, usize), Vec<u8>>;

/// A payload put back together.
#[derive(Debug)]
pub struct Assembled {
    pub bundle: Vec<u8>,
    pub signature: Vec<u8>,
    /// Data codes that were not read and were recovered from parity.
    pub recovered: Vec<usize>,
}

/// Why a printing could not be put back together.
#[derive(Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// Too few codes: `missing` codes unread (kind, index), of which at least `more`
    /// must still be read.
    Missing {
        missing: Vec<(Kind, usize)>,
        more: usize,
    },
    /// The codes read do not make up the payload they name: its hash differs.
    Mismatch,
}

/// Puts the payload of `header`'s printing back together from the codes `found`.
pub fn assemble(header: &Header, found: &Found) -> Result<Assembled, Shortfall> {
    let data_count = header.data_count;
    let mut data: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut parity: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    for ((kind, index), chunk) in found {
        match kind {
            Kind::Data => data.insert(index - 1, chunk.clone()),
            Kind::Parity => parity.insert(index - 1, chunk.clone()),
        };
    }
    let missing_data: Vec<usize> = (0..data_count).filter(|i| !data.contains_key(i)).collect();
    let mut recovered = Vec::new();
    if !missing_data.is_empty() {
        let have = data.len() + parity.len();
        if have < data_count {
            let missing = (1..=data_count)
                .map(|i| (Kind::Data, i))
                .chain((1..=header.parity_count).map(|i| (Kind::Parity, i)))
                .filter(|k| !found.contains_key(k))
                .collect();
            return Err(Shortfall::Missing {
                missing,
                more: data_count - have,
            });
        }
        let back = parity::recover(data_count, header.parity_count, &data, &parity)
            .map_err(|_| Shortfall::Mismatch)?;
        for (i, chunk) in back {
            recovered.push(i + 1);
            data.insert(i, chunk);
        }
    }
    let mut payload: Vec<u8> = Vec::with_capacity(data_count * codes::CHUNK);
    for chunk in data.values() {
        let take = chunk.len().min(codes::CHUNK);
        payload.extend_from_slice(&chunk[..take]);
        payload.resize(payload.len().div_ceil(codes::CHUNK) * codes::CHUNK, 0);
    }
    let total = header.bundle_len + header.signature_len;
    if payload.len() < total {
        return Err(Shortfall::Mismatch);
    }
    payload.truncate(total);
    if printing_id(&Sha256::digest(&payload)) != header.printing {
        return Err(Shortfall::Mismatch);
    }
    let signature = payload.split_off(header.bundle_len);
    Ok(Assembled {
        bundle: payload,
        signature,
        recovered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(p: &Printing, skip: &[usize]) -> Found {
        p.codes
            .iter()
            .enumerate()
            .filter(|(i, _)| !skip.contains(i))
            .map(|(_, c)| ((c.kind, c.index), c.chunk.clone()))
            .collect()
    }

    #[test]
    fn a_printing_survives_the_loss_of_any_one_page() {
        let bundle: Vec<u8> = (0..40_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let sig = b"-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n";
        let p = Printing::new(&bundle, sig, 12, 3).unwrap();
        assert_eq!(p.header.data_count, 47);
        assert_eq!(p.header.parity_count, 15);
        let whole = assemble(&p.header, &found(&p, &[])).unwrap();
        assert_eq!(
            (whole.bundle.as_slice(), whole.signature.as_slice()),
            (&bundle[..], &sig[..])
        );
        for page in pages(p.codes.len(), 12, 3) {
            let lost: Vec<usize> = page.collect();
            let back = assemble(&p.header, &found(&p, &lost)).unwrap();
            assert_eq!(back.bundle, bundle);
            assert_eq!(back.signature, sig);
        }
        assert_eq!(p.header.page_of(Kind::Data, 1), 1);
        assert_eq!(p.header.page_of(Kind::Data, 4), 2);
        assert_eq!(p.header.page_of(Kind::Parity, 15), 6);
        assert_eq!(p.header.page_count(), 6);
    }

    #[test]
    fn too_many_losses_name_what_is_missing() {
        let p = Printing::new(&[1u8; 5000], b"sig", 12, 3).unwrap();
        let (d, q) = (p.header.data_count, p.header.parity_count);
        // Six data codes, and parity for a whole page of twelve.
        assert_eq!((d, q), (6, 12));
        let lost: Vec<usize> = (0..13).collect();
        match assemble(&p.header, &found(&p, &lost)) {
            Err(Shortfall::Missing { missing, more }) => {
                assert_eq!(more, 1);
                assert_eq!(missing.len(), 13);
                assert_eq!(missing[6], (Kind::Parity, 1));
            }
            other => panic!("{other:?}"),
        }
        let mut bad = found(&p, &[]);
        bad.insert((Kind::Data, 1), vec![0; 870]);
        assert_eq!(assemble(&p.header, &bad).err(), Some(Shortfall::Mismatch));
    }
}
