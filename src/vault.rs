//! The vault codec: a client as UTF-8 JSON, encrypted with age to its recipients.
//!
//! Every buffer that holds decrypted JSON is a `Zeroizing` buffer, wiped on drop.

use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::error::{Result, VaultProblem, describe_json_error};
use crate::keys::{self, Identity, Recipient};
use crate::model::{Client, ClientId, Entry, VAULT_FORMAT_VERSION};

#[derive(Deserialize)]
struct VersionProbe {
    format_version: u64,
}

/// Decrypts and parses a vault, saying precisely what is wrong when it cannot.
pub fn decode(ciphertext: &[u8], identity: &Identity) -> Result<Client, VaultProblem> {
    let plain = keys::decrypt(ciphertext, identity)?;
    parse(&plain)
}

/// Parses vault JSON (already decrypted).
pub fn parse(plain: &[u8]) -> Result<Client, VaultProblem> {
    let text = std::str::from_utf8(plain).map_err(|_| VaultProblem::NotUtf8)?;
    // One pass over the JSON when it is well-formed (a vault of 10,000 entries is
    // megabytes); the version is checked before the schema's verdict all the same: a
    // newer vault may well not match ours, and "upgrade handover" is the useful message.
    let parsed = serde_json::from_str::<Client>(text);
    let version = match &parsed {
        Ok(client) => Some(client.format_version),
        Err(_) => serde_json::from_str::<VersionProbe>(text)
            .ok()
            .map(|p| p.format_version),
    };
    match version {
        Some(found) if found > VAULT_FORMAT_VERSION => {
            return Err(VaultProblem::NewerVersion {
                found,
                supported: VAULT_FORMAT_VERSION,
            });
        }
        Some(0) => {
            return Err(VaultProblem::Invalid(
                "format_version 0 is not a valid version".into(),
            ));
        }
        _ => {}
    }
    let client = parsed.map_err(|e| VaultProblem::Schema {
        line: e.line(),
        column: e.column(),
        detail: describe_json_error(&e),
    })?;
    client
        .validate()
        .map_err(|e| VaultProblem::Invalid(e.to_string()))?;
    Ok(client)
}

/// What reading one entry needs of a vault: whose it is, its revision, and the entry.
pub struct OneEntry {
    pub id: ClientId,
    pub revision: u64,
    pub entry: Option<Entry>,
}

/// A vault's outline: the entries stay unparsed JSON, everything else but the fields
/// named here is skipped.
#[derive(Deserialize)]
struct Outline<'a> {
    format_version: u64,
    id: ClientId,
    #[serde(default)]
    revision: u64,
    #[serde(default, borrow)]
    entries: Vec<&'a RawValue>,
}

/// The entry at `path`, as `{"path": ...}` alone parses it.
#[derive(Deserialize)]
struct PathOnly<'a> {
    #[serde(borrow)]
    path: std::borrow::Cow<'a, str>,
}

/// Decrypts a vault and parses only the entry at `path` (and the client's id and
/// revision): `show` of one entry of a vault of 10,000 would otherwise spend most of
/// its time building the 9,999 others. The whole file is still decrypted, so it is
/// authenticated (and its signature was checked before); the other entries and fields
/// are only checked to be well-formed JSON, which every other command's full parse
/// checks. A vault whose outline does not parse is parsed in full, for the precise
/// error.
pub fn decode_entry(
    ciphertext: &[u8],
    identity: &Identity,
    path: &str,
) -> Result<OneEntry, VaultProblem> {
    let plain = keys::decrypt(ciphertext, identity)?;
    parse_entry(&plain, path)
}

/// [`decode_entry`] of decrypted JSON.
pub fn parse_entry(plain: &[u8], path: &str) -> Result<OneEntry, VaultProblem> {
    if let Some(one) = pretty_entry(plain, path) {
        return one;
    }
    let text = std::str::from_utf8(plain).map_err(|_| VaultProblem::NotUtf8)?;
    let outline = match serde_json::from_str::<Outline>(text) {
        Ok(o) if (1..=VAULT_FORMAT_VERSION).contains(&o.format_version) => o,
        // parse() says precisely what is wrong (and must then refuse).
        _ => return parse(plain).map(|client| one_of(client, path)),
    };
    let schema = |e: serde_json::Error| VaultProblem::Schema {
        line: e.line(),
        column: e.column(),
        detail: describe_json_error(&e),
    };
    let raw = find_entry(&outline.entries, path).map_err(schema)?;
    let entry = match raw {
        Some(raw) => Some(serde_json::from_str::<Entry>(raw.get()).map_err(schema)?),
        None => None,
    };
    if let Some(entry) = &entry {
        entry
            .validate()
            .map_err(|e| VaultProblem::Invalid(e.to_string()))?;
    }
    Ok(OneEntry {
        id: outline.id,
        revision: outline.revision,
        entry,
    })
}

/// The entry at `path` found by its layout, without parsing the rest. Handover writes
/// vaults as serde_json's pretty JSON, two spaces a level, in which no string spans
/// lines; so a line of N spaces and a quote is a key at depth N/2, `    {` opens an
/// object at depth 2, and the entry at `path` is the one such object around the line
/// `      "path": "<path>"` whose depth-1 key is `entries`. The client's id, version
/// and revision are depth-1 lines. A text search finds all of that in a fraction of the
/// time a parse takes. `None` when the text is not laid out so (written by another
/// tool), or the path is not found once: the caller then parses the outline.
fn pretty_entry(plain: &[u8], path: &str) -> Option<Result<OneEntry, VaultProblem>> {
    if !plain.starts_with(b"{\n  \"") {
        return None;
    }
    let needle = format!("\n      \"path\": {}", serde_json::to_string(path).ok()?);
    let mut found = memchr::memmem::find_iter(plain, needle.as_bytes()).filter_map(|at| {
        let after = *plain.get(at + needle.len())?;
        let entry = (after == b',' || after == b'\n').then(|| depth2_object(plain, at))??;
        (depth1_key(plain, entry.start)? == b"entries").then_some(entry)
    });
    let range = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let json = std::str::from_utf8(&plain[range]).ok()?;
    let entry = serde_json::from_str::<Entry>(json).ok()?;
    let version = top_level(plain, "format_version")?;
    let (version, id, revision) = (
        serde_json::from_slice::<u64>(version).ok()?,
        serde_json::from_slice::<ClientId>(top_level(plain, "id")?).ok()?,
        match top_level(plain, "revision") {
            Some(r) => serde_json::from_slice::<u64>(r).ok()?,
            None => 0,
        },
    );
    if !(1..=VAULT_FORMAT_VERSION).contains(&version) {
        return None;
    }
    Some(
        entry
            .validate()
            .map_err(|e| VaultProblem::Invalid(e.to_string()))
            .map(|()| OneEntry {
                id,
                revision,
                entry: Some(entry),
            }),
    )
}

/// The object at depth 2 (`    {` ... `    }`) around the byte at `at`.
fn depth2_object(plain: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
    let start = memchr::memmem::rfind(&plain[..at], b"\n    {\n")? + 5;
    let end = at + memchr::memmem::find(&plain[at..], b"\n    }")? + 6;
    Some(start..end)
}

/// The name of the depth-1 key whose value holds the byte at `at`.
fn depth1_key(plain: &[u8], at: usize) -> Option<&[u8]> {
    let line = memchr::memmem::rfind(&plain[..at], b"\n  \"")? + 4;
    let len = memchr::memchr(b'"', &plain[line..])?;
    Some(&plain[line..line + len])
}

/// The value of the depth-1 key `key`, as JSON text (a number or a string).
fn top_level<'a>(plain: &'a [u8], key: &str) -> Option<&'a [u8]> {
    let needle = format!("\n  \"{key}\": ");
    // A depth-1 key is there once; the revision is written after the entries.
    let at = match key {
        "revision" => memchr::memmem::rfind(plain, needle.as_bytes()),
        _ => memchr::memmem::find(plain, needle.as_bytes()),
    };
    let start = at? + needle.len();
    let end = start + memchr::memchr(b'\n', &plain[start..])?;
    let value = &plain[start..end];
    Some(value.strip_suffix(b",").unwrap_or(value))
}

/// The unparsed entry at `path`. Handover writes `"path": "<path>"` on one line, so a
/// text search finds the candidates; entries written otherwise are compared one by one.
fn find_entry<'a>(
    entries: &[&'a RawValue],
    path: &str,
) -> serde_json::Result<Option<&'a RawValue>> {
    let is_at =
        |raw: &RawValue| serde_json::from_str::<PathOnly>(raw.get()).map(|p| p.path == path);
    let needle = format!("\"path\": {}", serde_json::to_string(path)?);
    for raw in entries {
        if raw.get().contains(&needle) && is_at(raw)? {
            return Ok(Some(raw));
        }
    }
    for raw in entries {
        if is_at(raw)? {
            return Ok(Some(raw));
        }
    }
    Ok(None)
}

fn one_of(client: Client, path: &str) -> OneEntry {
    let Client {
        id,
        revision,
        mut entries,
        ..
    } = client;
    let entry = entries
        .iter()
        .position(|e| e.path == path)
        .map(|i| entries.swap_remove(i));
    OneEntry {
        id,
        revision,
        entry,
    }
}

/// Serialises a client to its canonical JSON (pretty, stable key order).
pub fn to_json(client: &Client) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(4096 + client.entries.len() * 512));
    serde_json::to_writer_pretty(&mut *buf, client)
        .map_err(|e| crate::Error::Invalid(format!("cannot encode the vault: {e}")))?;
    buf.push(b'\n');
    Ok(buf)
}

/// Serialises and encrypts a client to its recipients.
pub fn encode(client: &Client) -> Result<Vec<u8>> {
    client.validate()?;
    client.check_limits()?;
    let recipients = client
        .recipients
        .iter()
        .map(|r| Recipient::parse(r))
        .collect::<Result<Vec<_>>>()?;
    if recipients.is_empty() {
        return Err(crate::Error::Recipients(
            "a vault needs at least one recipient".into(),
        ));
    }
    let json = to_json(client)?;
    keys::encrypt(&json, &recipients)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Entry, Kind, Secret};

    fn sample(identity: &Identity) -> Client {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Müller & Söhne GmbH".into(),
            vec![identity.recipient().to_string()],
            chrono::Utc::now(),
        );
        let mut e = Entry::new("fw/admin".into(), Kind::NetworkDevice);
        e.password = Some(Secret::from(" ß€\"\\\n "));
        c.entries.push(e);
        c
    }

    #[test]
    fn round_trip() {
        let id = Identity::generate();
        let c = sample(&id);
        let back = decode(&encode(&c).unwrap(), &id).unwrap();
        assert_eq!(back.name, c.name);
        assert_eq!(
            back.entries[0].password.as_ref().unwrap().expose(),
            " ß€\"\\\n "
        );
    }

    #[test]
    fn schema_and_version_problems() {
        assert_eq!(parse(&[0xff]).err().unwrap(), VaultProblem::NotUtf8);
        assert!(matches!(
            parse(br#"{"format_version": 7}"#).err().unwrap(),
            VaultProblem::NewerVersion { found: 7, .. }
        ));
        let err = parse(br#"{"format_version": 1, "id": "acme", "name": 5}"#)
            .err()
            .unwrap();
        assert!(matches!(err, VaultProblem::Schema { .. }), "{err:?}");
        let err = parse(br#"[1,2]"#).err().unwrap();
        assert!(matches!(err, VaultProblem::Schema { .. }), "{err:?}");
    }

    /// `show` parses one entry; it is the entry the full parse finds, wherever it is
    /// and however its path is escaped, and the vault's errors are the full parse's.
    #[test]
    fn one_entry_is_the_entry_the_full_parse_finds() {
        let id = Identity::generate();
        let mut c = sample(&id);
        for path in ["a/ü", "a/x", "b/\"path\": \"a/x\""] {
            let mut e = Entry::new(path.into(), Kind::Login);
            e.notes = Some(format!("\"path\": \"fw/admin\" {path}"));
            c.entries.push(e);
        }
        c.revision = 7;
        let json = to_json(&c).unwrap();
        for path in ["fw/admin", "a/ü", "a/x", "b/\"path\": \"a/x\""] {
            let one = parse_entry(&json, path).unwrap();
            let entry = one.entry.unwrap();
            assert_eq!((one.id.as_str(), one.revision), ("acme", 7));
            assert_eq!(entry.id, c.entry(path).unwrap().id, "{path}");
            assert_eq!(entry.notes, c.entry(path).unwrap().notes);
        }
        assert!(parse_entry(&json, "a").unwrap().entry.is_none());
        assert!(pretty_entry(&json, "a/x").is_some(), "found by its layout");
        // Written by another JSON writer: escaped, on other lines.
        let text = String::from_utf8(json.to_vec()).unwrap();
        let escaped = text.replace("\"path\": \"a/ü\"", "\"path\":\n\"a/\\u00fc\"");
        assert_ne!(escaped, text);
        assert!(pretty_entry(escaped.as_bytes(), "a/ü").is_none());
        let one = parse_entry(escaped.as_bytes(), "a/ü").unwrap();
        assert_eq!(one.entry.unwrap().id, c.entry("a/ü").unwrap().id);
        let round = decode_entry(&encode(&c).unwrap(), &id, "fw/admin").unwrap();
        assert_eq!(
            round.entry.unwrap().password.unwrap().expose(),
            " ß€\"\\\n "
        );
    }

    /// The layout search takes the entry under `entries`, not an object with a `path`
    /// elsewhere, and reads a missing revision as 0.
    #[test]
    fn the_layout_search_takes_only_entries() {
        let text = concat!(
            "{\n  \"format_version\": 2,\n  \"id\": \"acme\",\n  \"history\": [\n    {\n",
            "      \"path\": \"a\",\n      \"kind\": \"wifi\"\n    }\n  ],\n  \"entries\": [\n",
            "    {\n      \"id\": \"67e55044-10b1-426f-9247-bb680e5fe0c8\",\n      \"path\": \"a\",\n",
            "      \"kind\": \"server\"\n    }\n  ]\n}\n"
        );
        let one = pretty_entry(text.as_bytes(), "a").unwrap().unwrap();
        assert_eq!(one.entry.unwrap().kind, Kind::Server);
        assert_eq!((one.id.as_str(), one.revision), ("acme", 0));
        let newer = text.replace("\"format_version\": 2", "\"format_version\": 3");
        assert!(pretty_entry(newer.as_bytes(), "a").is_none());
        assert!(matches!(
            parse_entry(newer.as_bytes(), "a").err().unwrap(),
            VaultProblem::NewerVersion { found: 3, .. }
        ));
    }

    #[test]
    fn one_entry_of_a_bad_vault_is_refused_as_the_full_parse_refuses() {
        assert_eq!(
            parse_entry(&[0xff], "a").err().unwrap(),
            VaultProblem::NotUtf8
        );
        assert!(matches!(
            parse_entry(br#"{"format_version": 7, "id": "acme"}"#, "a")
                .err()
                .unwrap(),
            VaultProblem::NewerVersion { found: 7, .. }
        ));
        let err = parse_entry(br#"{"format_version": 1, "id": 5, "entries": []}"#, "a")
            .err()
            .unwrap();
        assert!(matches!(err, VaultProblem::Schema { .. }), "{err:?}");
        let err = parse_entry(br#"{"format_version": 1, "id": "acme", "entries": [}"#, "a")
            .err()
            .unwrap();
        assert!(matches!(err, VaultProblem::Schema { .. }), "{err:?}");
        // The entry asked for is checked like the full parse checks it.
        let bad = br#"{"format_version": 2, "id": "acme", "entries": [{"path": "a", "kind": 5}]}"#;
        let err = parse_entry(bad, "a").err().unwrap();
        assert!(matches!(err, VaultProblem::Schema { .. }), "{err:?}");
    }

    /// No input, however mangled, makes the decoder panic.
    #[test]
    fn garbage_never_panics() {
        let id = Identity::generate();
        let good = encode(&sample(&id)).unwrap();
        let json = to_json(&sample(&id)).unwrap();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut ct = good.clone();
            let mut plain = json.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() as usize) % ct.len();
                ct[i] = next() as u8;
                let j = (next() as usize) % plain.len();
                plain[j] = next() as u8;
            }
            let cut = (next() as usize) % (ct.len() + 1);
            let _ = decode(&ct, &id);
            let _ = decode(&ct[..cut], &id);
            let _ = parse(&plain);
            let _ = crate::formats::json::import(&plain, "fuzz");
        }
    }
}
