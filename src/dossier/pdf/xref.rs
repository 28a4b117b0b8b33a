//! The cross-reference table, and the `/ID` the trailer carries.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::Meta;
use super::numbers::uint;

/// The cross-reference table, as lopdf writes it: one section per run of ids, each
/// entry its 20 bytes (by hand: `core::fmt` cost a thousand instructions an entry).
pub(super) fn write_xref(out: &mut Vec<u8>, objects: &[(u32, u16, u64)], max_id: u32) {
    let by_id: BTreeMap<u32, (u16, u64)> = objects
        .iter()
        .map(|&(id, g, offset)| (id, (g, offset)))
        .collect();
    out.extend_from_slice(b"xref\n");
    // The sections: (first id, entries); the first also holds id 0, the free list's
    // head, written before its entries.
    let mut sections: Vec<(u32, Vec<(u16, u64)>)> = vec![(0, Vec::new())];
    for id in 1..=max_id {
        if let Some(&entry) = by_id.get(&id) {
            match sections.last_mut() {
                Some((first, entries))
                    if *first + entries.len() as u32 + u32::from(*first == 0) == id =>
                {
                    entries.push(entry);
                }
                _ => sections.push((id, vec![entry])),
            }
        }
    }
    for (first, entries) in &sections {
        uint(out, u64::from(*first));
        out.push(b' ');
        uint(out, (entries.len() + usize::from(*first == 0)) as u64);
        out.push(b'\n');
        if *first == 0 {
            out.extend_from_slice(b"0000000000 65535 f \n");
        }
        for &(generation, offset) in entries {
            let offset = u32::try_from(offset).unwrap_or(u32::MAX);
            padded(out, u64::from(offset), 10);
            out.push(b' ');
            padded(out, u64::from(generation), 5);
            out.extend_from_slice(b" n \n");
        }
    }
}

/// `v` in `width` digits, zeros in front (more digits if it needs them).
fn padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut rest = v;
    loop {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i.min(digits.len() - width)..]);
}

/// A stable /ID that changes with anything the dossier shows: a hash of the metadata
/// (title, subject with the vault fingerprint, date) and of each stream's length and
/// Adler-32 checksum of its uncompressed content, which zlib computed anyway and wrote
/// as the stream's last four bytes. Hashing every stream's bytes instead cost 3% of a
/// dossier.
pub(super) struct IdHash(Sha256);

impl IdHash {
    pub(super) fn new(meta: &Meta<'_>) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"handover dossier /ID 2\0");
        for part in [meta.title, meta.subject, meta.producer] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(meta.unix_time.to_le_bytes());
        IdHash(hasher)
    }

    /// Adds stream `id`; `flate`: `content` is a zlib stream, whose checksum stands
    /// for it.
    pub(super) fn stream(&mut self, id: u32, content: &[u8], flate: bool) {
        self.0.update(id.to_le_bytes());
        self.0.update((content.len() as u64).to_le_bytes());
        if flate {
            self.0.update(&content[content.len().saturating_sub(4)..]);
        } else {
            self.0.update(content);
        }
    }

    /// The `/ID` string: the hash's first 16 bytes.
    pub(super) fn finish(self) -> lopdf::Object {
        let digest = self.0.finalize();
        lopdf::Object::String(digest[..16].to_vec(), lopdf::StringFormat::Hexadecimal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_what_lopdf_writes() {
        // Ids 1 to 3, 5 and 7 (4 and 6 are not written), one of generation 2.
        let objects = [
            (3, 0, 1_234_567_890),
            (1, 0, 15),
            (2, 2, 4_000_000_000),
            (5, 0, 99_999),
            (7, 0, 8_000_000_000),
        ];
        let mut ours = Vec::new();
        write_xref(&mut ours, &objects, 7);
        let mut theirs = b"xref\n".to_vec();
        let mut section = lopdf::xref::XrefSection::new(0);
        section.add_unusable_free_entry();
        let normal = |offset: u64, generation| lopdf::xref::XrefEntry::Normal {
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
            generation,
        };
        for (id, generation, offset) in [(1, 0, 15), (2, 2, 4_000_000_000), (3, 0, 1_234_567_890)] {
            let _ = id;
            section.add_entry(normal(offset, generation));
        }
        section.write_xref_section(&mut theirs).unwrap();
        for (id, offset) in [(5, 99_999), (7, 8_000_000_000)] {
            let mut section = lopdf::xref::XrefSection::new(id);
            section.add_entry(normal(offset, 0));
            section.write_xref_section(&mut theirs).unwrap();
        }
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }
}
