//! The vault codec: a client as UTF-8 JSON, encrypted with age to its recipients.
//!
//! Every buffer that holds decrypted JSON is a `Zeroizing` buffer, wiped on drop.

use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::{Zeroize, Zeroizing};

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
    if let Some(one) = EntryScan::scan(plain, path) {
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

/// How much plaintext [`decode_entry_from`] decrypts at a time: one age chunk.
const PIECE: usize = 64 * 1024;

/// [`decode_entry`] of a vault read from `input`, decrypted and looked at a piece at a
/// time (see [`EntryScan`]): no buffer of the whole plaintext is filled, faulted in and
/// wiped, and each piece is looked at while it is in the cache. `Ok(None)` when the
/// vault is not binary age or not laid out as handover writes it, or the entry is not
/// found once: the caller then reads it whole ([`decode_entry`]), which says why.
pub fn decode_entry_from(
    mut input: impl std::io::BufRead,
    identity: &Identity,
    path: &str,
) -> Result<Option<OneEntry>, VaultProblem> {
    let head = input.fill_buf().map_err(|e| keys::stream_problem(&e))?;
    if !head.starts_with(b"age-encryption.org/") {
        return Ok(None);
    }
    let mut stream = keys::decrypt_stream(input, identity)?;
    let mut scan = EntryScan::new(path);
    let mut piece = Zeroizing::new(vec![0u8; PIECE]);
    loop {
        match std::io::Read::read(&mut stream, &mut piece) {
            Ok(0) => break,
            Ok(n) => scan.feed(&piece[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(keys::stream_problem(&e)),
        }
    }
    scan.finish().transpose()
}

/// Finds one entry in a vault's JSON fed to it in pieces, by its layout, without
/// parsing the rest. Handover writes vaults as serde_json's pretty JSON, two spaces a
/// level, in which no string spans lines; so every line says where it is: `  "key": …`
/// is a key at depth 1, `    {` opens and `    }` closes an object at depth 2, which is
/// an entry when the depth-1 key above is `entries`, and `      "path": "<path>"` is
/// that entry's path. The client's id, version and revision are depth-1 lines. Only
/// the entry being read and the line being read are kept (in wiped buffers).
struct EntryScan {
    /// `      "path": "<path>"`, the line of the entry asked for.
    path_line: Vec<u8>,
    /// The bytes fed and not yet let go: from the start of the entry being read, or
    /// of the line being read.
    buf: Zeroizing<Vec<u8>>,
    /// How many bytes of `buf` are whole lines already looked at.
    seen: usize,
    lines: Lines,
}

/// What the lines so far said.
#[derive(Default)]
struct Lines {
    count: usize,
    in_entries: bool,
    /// Where in the buffer the entry being read starts, and whether it is the one.
    entry: Option<usize>,
    matches: bool,
    found: Option<Zeroizing<Vec<u8>>>,
    version: Option<Vec<u8>>,
    id: Option<Vec<u8>>,
    revision: Option<Vec<u8>>,
    /// Not laid out as handover writes, or the path is there twice.
    unusual: bool,
}

impl EntryScan {
    fn new(path: &str) -> Self {
        let quoted = serde_json::to_string(path).unwrap_or_default();
        EntryScan {
            path_line: format!("      \"path\": {quoted}").into_bytes(),
            buf: Zeroizing::new(Vec::with_capacity(2 * PIECE)),
            seen: 0,
            lines: Lines::default(),
        }
    }

    /// [`EntryScan`] over a whole plaintext.
    fn scan(plain: &[u8], path: &str) -> Option<Result<OneEntry, VaultProblem>> {
        let mut scan = EntryScan::new(path);
        for piece in plain.chunks(PIECE) {
            scan.feed(piece);
        }
        scan.finish()
    }

    fn feed(&mut self, bytes: &[u8]) {
        if self.lines.unusual {
            return;
        }
        crate::model::extend_wiping(&mut self.buf, bytes);
        while let Some(len) = memchr::memchr(b'\n', &self.buf[self.seen..]) {
            let start = self.seen;
            self.seen += len + 1;
            self.lines
                .look_at(&self.buf, start, start + len, &self.path_line);
        }
        // Let go of what is no longer needed; what is kept is short.
        let keep = self.lines.entry.unwrap_or(self.seen);
        self.buf.drain(..keep);
        self.seen -= keep;
        self.lines.entry = self.lines.entry.map(|at| at - keep);
    }

    /// The entry, once everything is fed; `None` if it is not found once by its
    /// layout.
    fn finish(mut self) -> Option<Result<OneEntry, VaultProblem>> {
        if self.seen < self.buf.len() {
            let (start, end) = (self.seen, self.buf.len());
            self.lines.look_at(&self.buf, start, end, &self.path_line);
        }
        let lines = self.lines;
        if lines.unusual || lines.entry.is_some() {
            return None;
        }
        let version = serde_json::from_slice::<u64>(lines.version.as_deref()?).ok()?;
        let id = serde_json::from_slice::<ClientId>(lines.id.as_deref()?).ok()?;
        let revision = match lines.revision.as_deref() {
            Some(r) => serde_json::from_slice::<u64>(r).ok()?,
            None => 0,
        };
        if !(1..=VAULT_FORMAT_VERSION).contains(&version) {
            return None;
        }
        let entry = serde_json::from_slice::<Entry>(lines.found.as_deref()?).ok()?;
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
}

impl Lines {
    /// Looks at the line `buf[start..end]` (without its newline).
    fn look_at(&mut self, buf: &[u8], start: usize, end: usize, path_line: &[u8]) {
        let line = &buf[start..end];
        self.count += 1;
        if self.count == 1 {
            self.unusual |= line != b"{";
        } else if let Some(rest) = line.strip_prefix(b"      ") {
            // Most lines: an entry's fields, and deeper.
            if self.entry.is_some() && rest.starts_with(b"\"path\": ") {
                self.matches |= line.strip_suffix(b",").unwrap_or(line) == path_line;
            }
        } else if let Some(rest) = line.strip_prefix(b"    ") {
            self.depth2(rest, buf, start, end);
        } else if let Some(rest) = line.strip_prefix(b"  \"") {
            self.depth1(rest);
        }
    }

    /// A line at depth 2: an entry opens or closes.
    fn depth2(&mut self, rest: &[u8], buf: &[u8], start: usize, end: usize) {
        match (rest, self.entry) {
            (b"{", None) if self.in_entries => {
                self.entry = Some(start);
                self.matches = false;
            }
            (b"}" | b"},", Some(at)) => {
                if self.matches {
                    self.unusual |= self.found.is_some();
                    let mut entry = Zeroizing::new(Vec::new());
                    // Without the comma that follows all but the last entry.
                    let end = end - usize::from(rest == b"},");
                    crate::model::extend_wiping(&mut entry, &buf[at..end]);
                    self.found = Some(entry);
                }
                self.entry = None;
            }
            _ => {}
        }
    }

    /// A key at depth 1 (after its opening quote); keeps the values asked for.
    fn depth1(&mut self, rest: &[u8]) {
        let Some(len) = memchr::memchr(b'"', rest) else {
            self.unusual = true;
            return;
        };
        let (key, value) = (&rest[..len], &rest[len + 1..]);
        self.in_entries = key == b"entries";
        let slot = match key {
            b"format_version" => &mut self.version,
            b"id" => &mut self.id,
            b"revision" => &mut self.revision,
            _ => return,
        };
        let Some(value) = value.strip_prefix(b": ") else {
            self.unusual = true;
            return;
        };
        self.unusual |= slot.is_some();
        *slot = Some(value.strip_suffix(b",").unwrap_or(value).to_vec());
    }
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
    let mut buf = crate::model::WipingBuffer(Zeroizing::new(Vec::with_capacity(json_size(client))));
    write_json(client, &mut buf)
        .map_err(|e| crate::Error::Invalid(format!("cannot encode the vault: {e}")))?;
    Ok(buf.0)
}

/// A guess at the length of a client's JSON, to size buffers.
fn json_size(client: &Client) -> usize {
    4096 + client.entries.len() * 512
}

fn write_json(client: &Client, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, client)?;
    out.write_all(b"\n")
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
    // Straight into the encryption: the whole plaintext beside the client and the
    // ciphertext made the peak memory of a large vault's update.
    keys::encrypt_from(&recipients, json_size(client), |out| {
        let mut pieces = Pieces {
            out,
            buf: Zeroizing::new(Vec::with_capacity(GATHER)),
        };
        write_json(client, &mut pieces)?;
        pieces.write_out()
    })
}

/// How much JSON [`Pieces`] gathers before passing it on.
const GATHER: usize = 16 << 10;

/// Gathers the JSON's many small writes (a token each) into pieces for the encryption,
/// whose every write has a cost of its own (5 M instructions of a 1,000-entry
/// vault's). The buffer never grows, and is wiped after each piece and when dropped.
struct Pieces<'a> {
    out: &'a mut dyn std::io::Write,
    buf: Zeroizing<Vec<u8>>,
}

impl Pieces<'_> {
    fn write_out(&mut self) -> std::io::Result<()> {
        let result = self.out.write_all(&self.buf);
        self.buf.as_mut_slice().zeroize();
        self.buf.clear();
        result
    }
}

impl std::io::Write for Pieces<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + bytes.len() > GATHER {
            self.write_out()?;
        }
        if bytes.len() >= GATHER {
            self.out.write_all(bytes)?;
        } else {
            self.buf.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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

    /// The vault's encryption streams the JSON in pieces: what it encrypts is exactly
    /// `to_json`, also for a client whose JSON is many pieces long.
    #[test]
    fn encode_encrypts_exactly_the_json() {
        let id = Identity::generate();
        let mut c = sample(&id);
        for i in 0..300 {
            let mut e = Entry::new(format!("many/{i}"), Kind::Login);
            e.notes = Some("Notiz über Grüße – € ".repeat(i % 40));
            c.entries.push(e);
        }
        let json = to_json(&c).unwrap();
        assert!(json.len() > 4 * GATHER, "{} bytes", json.len());
        let plain = keys::decrypt(&encode(&c).unwrap(), &id).unwrap();
        assert_eq!(*plain, *json);
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

    /// The JSON outgrows the buffer first sized for it (notes far longer than the
    /// guess per entry): the wiping buffer's growth keeps every byte, in order.
    #[test]
    fn json_outgrowing_its_first_buffer_is_whole() {
        let id = Identity::generate();
        let mut c = sample(&id);
        for i in 0..40 {
            let mut e = Entry::new(format!("long/{i}"), Kind::Login);
            e.notes = Some("Notiz über Grüße – € ".repeat(50 + i));
            c.entries.push(e);
        }
        let mut plain = serde_json::to_vec_pretty(&c).unwrap();
        plain.push(b'\n');
        assert!(plain.len() > 4096 + c.entries.len() * 512);
        assert_eq!(*to_json(&c).unwrap(), plain);
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
        assert!(
            EntryScan::scan(&json, "a/x").is_some(),
            "found by its layout"
        );
        // Written by another JSON writer: escaped, on other lines.
        let text = String::from_utf8(json.to_vec()).unwrap();
        let escaped = text.replace("\"path\": \"a/ü\"", "\"path\":\n\"a/\\u00fc\"");
        assert_ne!(escaped, text);
        assert!(EntryScan::scan(escaped.as_bytes(), "a/ü").is_none());
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
        let one = EntryScan::scan(text.as_bytes(), "a").unwrap().unwrap();
        assert_eq!(one.entry.unwrap().kind, Kind::Server);
        assert_eq!((one.id.as_str(), one.revision), ("acme", 0));
        let newer = text.replace("\"format_version\": 2", "\"format_version\": 3");
        assert!(EntryScan::scan(newer.as_bytes(), "a").is_none());
        assert!(matches!(
            parse_entry(newer.as_bytes(), "a").err().unwrap(),
            VaultProblem::NewerVersion { found: 3, .. }
        ));
    }

    /// Fed in pieces of any size, as a vault is decrypted, the scan finds what it finds
    /// in one piece; a vault read from a file finds it too, and one in armor is left
    /// to the whole read.
    #[test]
    fn the_scan_finds_the_entry_in_pieces_of_any_size() {
        let id = Identity::generate();
        let mut c = sample(&id);
        for i in 0..40 {
            let mut e = Entry::new(format!("g/e-{i}"), Kind::Login);
            e.notes = Some(format!("line {i}\n    {{\n    }},\n  \"revision\": 9"));
            c.entries.push(e);
        }
        c.revision = 3;
        let json = to_json(&c).unwrap();
        for piece in [1, 2, 3, 7, 64, 1000, json.len()] {
            let mut scan = EntryScan::new("g/e-17");
            for bytes in json.chunks(piece) {
                scan.feed(bytes);
            }
            let one = scan.finish().unwrap().unwrap();
            assert_eq!(one.revision, 3);
            assert_eq!(
                one.entry.unwrap().id,
                c.entry("g/e-17").unwrap().id,
                "{piece}"
            );
        }
        let sealed = encode(&c).unwrap();
        let one = decode_entry_from(&sealed[..], &id, "g/e-39")
            .unwrap()
            .unwrap();
        assert_eq!(one.entry.unwrap().id, c.entry("g/e-39").unwrap().id);
        assert!(
            decode_entry_from(&sealed[..], &id, "g/none")
                .unwrap()
                .is_none()
        );
        let mut armored = Vec::new();
        let mut w =
            age::armor::ArmoredWriter::wrap_output(&mut armored, age::armor::Format::AsciiArmor)
                .unwrap();
        std::io::Write::write_all(&mut w, &sealed).unwrap();
        w.finish().unwrap();
        assert!(
            decode_entry_from(&armored[..], &id, "g/e-39")
                .unwrap()
                .is_none()
        );
        let other = Identity::generate();
        assert_eq!(
            decode_entry_from(&sealed[..], &other, "g/e-39")
                .err()
                .unwrap(),
            VaultProblem::WrongIdentity
        );
        // A cut file is refused in a stream as the whole read refuses it.
        let cut = &sealed[..sealed.len() - 10];
        assert_eq!(
            decode_entry_from(cut, &id, "g/e-39").err().unwrap(),
            decode(cut, &id).err().unwrap()
        );
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
        let mut rng = crate::testing::Xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..2000 {
            let mut ct = good.clone();
            let mut plain = json.to_vec();
            for _ in 0..(rng.next() % 4 + 1) {
                let i = (rng.next() as usize) % ct.len();
                ct[i] = rng.next() as u8;
                let j = (rng.next() as usize) % plain.len();
                plain[j] = rng.next() as u8;
            }
            let cut = (rng.next() as usize) % (ct.len() + 1);
            let _ = decode(&ct, &id);
            let _ = decode(&ct[..cut], &id);
            let _ = parse(&plain);
            let _ = crate::formats::json::import(&plain, "fuzz");
        }
    }
}
