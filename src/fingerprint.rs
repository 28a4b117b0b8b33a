//! The vault fingerprint: a short, readable hash of a client's canonical content, printed
//! on every dossier page so that a paper copy can be matched to a vault.
//!
//! Canonical content is the vault JSON (documented key names) without the bookkeeping
//! that changes when nothing a reader sees has changed: the `updated` timestamp, the
//! history and the record of printed dossiers. Entries are taken in id order, so a
//! reordering is not a change. The JSON is streamed into the hash: no plaintext copy.
//!
//! Two versions. Version 2 (printed since December 2026) hashes each entry once: the
//! canonical JSON with every entry replaced by its full digest, so that the entry
//! digests a dossier records and the fingerprint come from one pass over the entries
//! (version 1 hashed every entry's bytes twice: a fifth of a large dossier's cost).
//! Version 1 is what earlier dossiers carry; [`Fingerprints::matches`] knows both, so
//! that paper printed before still verifies.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{Client, Contact, Decision, Document, Entry, Network, System, Vendor};

/// The version the canonical content names. It is not the vault's format version: a
/// new vault format that adds only bookkeeping must not change the fingerprint of a
/// client printed before it (the paper the client holds must still verify). Both
/// fingerprint versions hash the same object (version 2 with digests for entries);
/// the hash's domain says which fingerprint it is.
const CANONICAL_VERSION: u64 = 1;

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
    entries: Entries<'a>,
    created: &'a chrono::DateTime<chrono::Utc>,
    // Absent when unset, as every field added after version 1, so that a client
    // without it keeps the fingerprint it had.
    #[serde(skip_serializing_if = "Option::is_none")]
    emergency_partner: &'a Option<String>,
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

/// The entries, in id order. Each entry's JSON goes into a hash of its own, and into
/// version 1's hash when that is wanted; version 2's hash gets the entry's digest in
/// its place (see [`TeeWriter`]).
struct Entries<'a> {
    list: Vec<&'a Entry>,
    tee: &'a RefCell<Tee>,
}

struct Tee {
    /// Version 2: the canonical JSON with each entry replaced by its digest.
    current: Sha256,
    /// Version 1: the canonical JSON as it is, when wanted.
    earlier: Option<Sha256>,
    /// The hash of the entry being written.
    entry: Option<Sha256>,
    /// Entry digests so far (as recorded: 16 characters).
    digests: BTreeMap<uuid::Uuid, String>,
}

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.list.len()))?;
        for entry in &self.list {
            seq.serialize_element(&TeeEntry {
                entry,
                tee: self.tee,
            })?;
        }
        seq.end()
    }
}

struct TeeEntry<'a> {
    entry: &'a Entry,
    tee: &'a RefCell<Tee>,
}

impl Serialize for TeeEntry<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The separator before the element is written already: what follows is the
        // entry's JSON exactly as `entry_digest` serialises it alone.
        {
            let mut hasher = Sha256::new();
            hasher.update(ENTRY_DOMAIN);
            self.tee.borrow_mut().entry = Some(hasher);
        }
        let result = self.entry.serialize(serializer);
        let mut tee = self.tee.borrow_mut();
        let digest: [u8; 32] = tee
            .entry
            .take()
            .map(|h| h.finalize().into())
            .unwrap_or_default();
        tee.current.update(b"\"");
        tee.current.update(crate::model::hex(&digest));
        tee.current.update(b"\"");
        tee.digests.insert(self.entry.id, base32(&digest, 16));
        result
    }
}

/// Writes the canonical JSON into the hashes: everything into version 1's, an entry's
/// bytes into the entry's hash, the rest into version 2's.
struct TeeWriter<'a>(&'a RefCell<Tee>);

impl Write for TeeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut tee = self.0.borrow_mut();
        let tee = &mut *tee;
        if let Some(earlier) = tee.earlier.as_mut() {
            earlier.update(buf);
        }
        match tee.entry.as_mut() {
            Some(entry) => entry.update(buf),
            None => tee.current.update(buf),
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const ENTRY_DOMAIN: &[u8] = b"handover-entry-v1\n";

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
/// e.g. `7K3Q-M9XD-…` (version 2).
pub fn fingerprint(client: &Client) -> String {
    compute(client, false).current
}

/// The fingerprint (version 2) and every entry's [`entry_digest`], from one pass.
pub fn fingerprint_and_digests(client: &Client) -> (String, BTreeMap<uuid::Uuid, String>) {
    let all = compute(client, false);
    (all.current, all.digests)
}

/// A client's fingerprints in every version handover has printed, and its entry
/// digests: for comparing with paper or records that may be older than version 2.
pub struct Fingerprints {
    /// Version 2, as printed now.
    pub current: String,
    /// Version 1, as printed before December 2026.
    pub earlier: String,
    pub digests: BTreeMap<uuid::Uuid, String>,
}

impl Fingerprints {
    /// Whether `printed` (as typed or recorded) is this client's fingerprint in
    /// either version.
    pub fn matches(&self, printed: &str) -> bool {
        let wanted = normalise(printed);
        normalise(&self.current) == wanted || normalise(&self.earlier) == wanted
    }
}

/// [`Fingerprints`] of `client`, from one pass (as version 1 alone cost).
pub fn fingerprints(client: &Client) -> Fingerprints {
    let all = compute(client, true);
    Fingerprints {
        current: all.current,
        earlier: all.earlier.unwrap_or_default(),
        digests: all.digests,
    }
}

struct Computed {
    current: String,
    earlier: Option<String>,
    digests: BTreeMap<uuid::Uuid, String>,
}

fn compute(client: &Client, earlier: bool) -> Computed {
    let mut entries: Vec<&Entry> = client.entries.iter().collect();
    entries.sort_by_key(|e| e.id);
    let start = |domain: &[u8]| {
        let mut hasher = Sha256::new();
        hasher.update(domain);
        hasher
    };
    let tee = RefCell::new(Tee {
        current: start(b"handover-fingerprint-v2\n"),
        earlier: earlier.then(|| start(b"handover-fingerprint-v1\n")),
        entry: None,
        digests: BTreeMap::new(),
    });
    let canonical = Canonical {
        format_version: CANONICAL_VERSION,
        id: client.id.as_str(),
        name: &client.name,
        legal_name: &client.legal_name,
        address: &client.address,
        contacts: &client.contacts,
        notes: &client.notes,
        recipients: &client.recipients,
        entries: Entries {
            list: entries,
            tee: &tee,
        },
        created: &client.created,
        emergency_partner: &client.emergency_partner,
        systems: by_id(&client.systems, |s| s.id),
        networks: by_id(&client.networks, |n| n.id),
        vendors: by_id(&client.vendors, |v| v.id),
        documents: by_id(&client.documents, |d| d.id),
        decisions: by_id(&client.decisions, |d| d.id),
    };
    // Serialising plain data into a sink that cannot fail cannot fail.
    let _ = serde_json::to_writer(TeeWriter(&tee), &canonical);
    drop(canonical);
    let tee = tee.into_inner();
    Computed {
        current: printed(tee.current),
        earlier: tee.earlier.map(printed),
        digests: tee.digests,
    }
}

/// The first 100 bits of a hash as printed: base32 in groups of four.
fn printed(hasher: Sha256) -> String {
    let digest: [u8; 32] = hasher.finalize().into();
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
    base32(&hash_json(ENTRY_DOMAIN, entry), 16)
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

    /// The canonical form as it was first written: a plain array of entries
    /// (`Entries` = `&Entry`), or in version 2 their digests (`String`).
    #[derive(Serialize)]
    struct Reference<'a, Entries> {
        format_version: u64,
        id: &'a str,
        name: &'a str,
        legal_name: &'a Option<String>,
        address: &'a Option<String>,
        contacts: &'a [Contact],
        notes: &'a Option<String>,
        recipients: &'a [String],
        entries: Vec<Entries>,
        created: &'a chrono::DateTime<chrono::Utc>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        systems: Vec<Knowledge<'a, System>>,
    }

    fn reference<E>(c: &Client, entries: Vec<E>) -> Reference<'_, E> {
        Reference {
            // The canonical form names version 1 whatever the vault's format.
            format_version: 1,
            id: c.id.as_str(),
            name: &c.name,
            legal_name: &c.legal_name,
            address: &c.address,
            contacts: &c.contacts,
            notes: &c.notes,
            recipients: &c.recipients,
            entries,
            created: &c.created,
            systems: by_id(&c.systems, |s| s.id),
        }
    }

    fn grouped(digest: [u8; 32]) -> String {
        let text = base32(&digest, 20);
        let groups: Vec<&str> = (0..5).map(|i| &text[4 * i..4 * i + 4]).collect();
        groups.join("-")
    }

    #[test]
    fn one_pass_gives_both_fingerprints_and_the_digests() {
        // Printed dossiers are verified against these values: the one-pass
        // computation must give exactly what serialising each form alone gives.
        let mut c = client();
        c.entries[0].notes = Some("Notiz mit \"Anführung\" und \\ und ünïcødé 🙂".into());
        c.entries[1].fields.push(crate::model::Field {
            name: "PIN".into(),
            value: Secret::from("1234"),
            secret: true,
        });
        c.systems.push(crate::model::System::new("NAS".into()));
        let mut sorted: Vec<&Entry> = c.entries.iter().collect();
        sorted.sort_by_key(|e| e.id);
        let v1 = grouped(hash_json(
            b"handover-fingerprint-v1\n",
            &reference(&c, sorted.clone()),
        ));
        let hexes: Vec<String> = sorted
            .iter()
            .map(|e| {
                let d = hash_json(ENTRY_DOMAIN, e);
                d.iter().map(|b| format!("{b:02x}")).collect()
            })
            .collect();
        let v2 = grouped(hash_json(
            b"handover-fingerprint-v2\n",
            &reference(&c, hexes),
        ));
        assert_ne!(v1, v2);
        let (fp, digests) = fingerprint_and_digests(&c);
        assert_eq!(fp, v2);
        assert_eq!(fingerprint(&c), fp);
        assert_eq!(digests.len(), 2);
        for e in &c.entries {
            assert_eq!(digests[&e.id], entry_digest(e));
        }
        let all = fingerprints(&c);
        assert_eq!(
            (all.current.as_str(), all.earlier.as_str()),
            (v2.as_str(), v1.as_str())
        );
        assert_eq!(all.digests, digests);
        assert!(all.matches(&v1) && all.matches(&v2.to_lowercase().replace('-', " ")));
        assert!(!all.matches("AAAA-AAAA-AAAA-AAAA-AAAA"));
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
