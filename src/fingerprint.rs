//! The vault fingerprint: a short, readable hash of a client's canonical content, printed
//! on every dossier page so that a paper copy can be matched to a vault.
//!
//! Canonical content is the vault JSON (documented key names) without the bookkeeping
//! that changes when nothing a reader sees has changed: the `updated` timestamp, the
//! history and the record of printed dossiers. Entries are taken in id order, so a
//! reordering is not a change. The JSON is streamed into the hash: no plaintext copy.

use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{Client, Contact, Decision, Document, Entry, Network, System, Vendor};

#[derive(Serialize)]
struct Canonical<'a> {
    format_version: u64,
    id: &'a str,
    name: &'a str,
    legal_name: &'a Option<String>,
    address: &'a Option<String>,
    contacts: &'a [Contact],
    notes: &'a Option<String>,
    recipients: &'a [String],
    entries: Vec<&'a Entry>,
    created: &'a chrono::DateTime<chrono::Utc>,
    // Absent when empty, so that the fingerprint of a vault without any of them is
    // the one it had before they existed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    systems: Vec<Knowledge<'a, System>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    networks: Vec<Knowledge<'a, Network>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vendors: Vec<Knowledge<'a, Vendor>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    documents: Vec<Knowledge<'a, Document>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decisions: Vec<Knowledge<'a, Decision>>,
}

/// A system, network, vendor, document or decision without its `updated` stamp
/// (bookkeeping: saving an unchanged item must not change the fingerprint).
struct Knowledge<'a, T>(&'a T);

impl<T: Serialize> Serialize for Knowledge<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut value = serde_json::to_value(self.0).map_err(S::Error::custom)?;
        if let Some(map) = value.as_object_mut() {
            map.remove("updated");
        }
        value.serialize(serializer)
    }
}

/// Items in id order, so that a reordering is not a change.
fn by_id<'a, T>(items: &'a [T], id: impl Fn(&T) -> uuid::Uuid) -> Vec<Knowledge<'a, T>> {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort_by_key(|item| id(item));
    sorted.into_iter().map(Knowledge).collect()
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hash_json<T: Serialize>(domain: &[u8], value: &T) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(domain);
    // Serialising plain data into a sink that cannot fail cannot fail.
    let _ = serde_json::to_writer(HashWriter(&mut hasher), value);
    hasher.finalize().into()
}

/// Crockford's base32 alphabet: no I, L, O or U, so nothing is misread on paper.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn base32(bytes: &[u8], chars: usize) -> String {
    let mut out = String::with_capacity(chars);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && out.len() < chars {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    out
}

/// The fingerprint as printed: 20 base32 characters (100 bits) in groups of four,
/// e.g. `7K3Q-M9XD-…`.
pub fn fingerprint(client: &Client) -> String {
    let mut entries: Vec<&Entry> = client.entries.iter().collect();
    entries.sort_by_key(|e| e.id);
    let canonical = Canonical {
        format_version: client.format_version,
        id: client.id.as_str(),
        name: &client.name,
        legal_name: &client.legal_name,
        address: &client.address,
        contacts: &client.contacts,
        notes: &client.notes,
        recipients: &client.recipients,
        entries,
        created: &client.created,
        systems: by_id(&client.systems, |s| s.id),
        networks: by_id(&client.networks, |n| n.id),
        vendors: by_id(&client.vendors, |v| v.id),
        documents: by_id(&client.documents, |d| d.id),
        decisions: by_id(&client.decisions, |d| d.id),
    };
    let digest = hash_json(b"handover-fingerprint-v1\n", &canonical);
    let text = base32(&digest, 20);
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A short digest of one entry, kept with each dossier export so that `verify` can say
/// how many entries changed since a printed edition.
pub fn entry_digest(entry: &Entry) -> String {
    base32(&hash_json(b"handover-entry-v1\n", entry), 16)
}

/// Normalises a fingerprint as a person may type it: case, spaces and dashes ignored,
/// and the look-alikes Crockford allows (O→0, I/L→1).
pub fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Kind, Secret};

    fn client() -> Client {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut c = Client::new(ClientId::parse("c").unwrap(), "C".into(), vec![], now);
        for p in ["a", "b"] {
            let mut e = Entry::new(p.into(), Kind::Login);
            e.password = Some(Secret::from("pw"));
            c.entries.push(e);
        }
        c
    }

    #[test]
    fn stable_readable_and_sensitive() {
        let mut c = client();
        let fp = fingerprint(&c);
        assert_eq!(fp.len(), 24);
        assert_eq!(fp.matches('-').count(), 4);
        assert!(
            fp.chars()
                .all(|ch| ch == '-' || ALPHABET.contains(&(ch as u8)))
        );
        // Bookkeeping and order do not change it.
        c.updated = chrono::Utc::now();
        c.entries.reverse();
        assert_eq!(fingerprint(&c), fp);
        // Any secret does.
        c.entries[0].password = Some(Secret::from("pw2"));
        assert_ne!(fingerprint(&c), fp);
        let fp = fingerprint(&c);
        // Knowledge counts, its order and its `updated` stamp do not.
        let mut fw = crate::model::System::new("Firewall".into());
        c.systems.push(fw.clone());
        let with_system = fingerprint(&c);
        assert_ne!(with_system, fp);
        fw.updated = Some(chrono::Utc::now());
        c.systems[0] = fw.clone();
        assert_eq!(fingerprint(&c), with_system);
        c.systems.insert(0, crate::model::System::new("NAS".into()));
        let two = fingerprint(&c);
        c.systems.reverse();
        assert_eq!(fingerprint(&c), two);
        c.systems[0].location = Some("Keller".into());
        assert_ne!(fingerprint(&c), two);
        let mut doc =
            crate::model::Document::new("p/restore".into(), crate::model::DocumentKind::Procedure);
        let before = fingerprint(&c);
        c.documents.push(doc.clone());
        let with_doc = fingerprint(&c);
        assert_ne!(with_doc, before);
        doc.body = "1. NAS öffnen".into();
        c.documents[0] = doc;
        assert_ne!(fingerprint(&c), with_doc);
        assert_eq!(
            normalise(&fp.to_lowercase().replace('-', " ")),
            normalise(&fp)
        );
    }

    #[test]
    fn base32_known_answer() {
        // 0xFF 0x00 → 11111 11100 00000 0…
        assert_eq!(base32(&[0xff, 0x00], 3), "ZW0");
    }
}
