//! The cross-reference table, and the `/ID` the trailer carries.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::Meta;

/// The cross-reference table, as lopdf writes it: one section per run of ids.
pub(super) fn write_xref(out: &mut Vec<u8>, objects: &[(u32, u16, u64)], max_id: u32) {
    use lopdf::xref::{XrefEntry, XrefSection};
    let by_id: BTreeMap<u32, (u16, u64)> = objects
        .iter()
        .map(|&(id, g, offset)| (id, (g, offset)))
        .collect();
    out.extend_from_slice(b"xref\n");
    let mut section = XrefSection::new(0);
    section.add_unusable_free_entry();
    for id in 1..=max_id {
        if section.is_empty() {
            section = XrefSection::new(id);
        }
        match by_id.get(&id) {
            Some(&(generation, offset)) => section.add_entry(XrefEntry::Normal {
                offset: u32::try_from(offset).unwrap_or(u32::MAX),
                generation,
            }),
            None => {
                if !section.is_empty() {
                    // Writing into a Vec cannot fail.
                    let _ = section.write_xref_section(out);
                    section = XrefSection::new(id);
                }
            }
        }
    }
    if !section.is_empty() {
        let _ = section.write_xref_section(out);
    }
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
