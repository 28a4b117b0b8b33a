//! `keepass-xml`: the KeePass 2 XML format, as KeePass 2 ("KeePass XML (2.x)") and
//! KeePassXC (`keepassxc-cli export --format xml`) write it and `keepassxc-cli import`
//! reads it.
//!
//! The reader streams: it keeps only the groups above the current entry and the entry
//! being read, never a document tree, refuses any DOCTYPE (so no entity can be
//! defined, let alone expanded) and caps the nesting depth.

use std::collections::{BTreeMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use quick_xml::events::Event;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::formats::csvutil::line_of;
use crate::formats::extras::{self, Native};
use crate::formats::infer::{self, Hint};
use crate::formats::keepassxc_csv::RECYCLE_BIN_NAMES;
use crate::formats::naming::{PathAllocator, derive_path};
use crate::formats::{Exported, Imported, split_tags, totp_value};
use crate::model::{Client, Entry, Field, Kind, Secret};

/// Deepest element nesting accepted. KeePass files nest about 6 levels plus one
/// per group level; nobody nests groups 100 deep.
pub const MAX_DEPTH: usize = 128;

/// Keys KeePass itself defines for every entry.
const STANDARD_KEYS: &[&str] = &["Title", "UserName", "Password", "URL", "Notes"];

#[derive(Default)]
struct GroupCtx {
    uuid: String,
    name: String,
}

/// One of an entry's strings (`Title`, `Password`, a custom field, …).
#[derive(Default)]
pub(crate) struct StringCtx {
    pub key: String,
    pub value: Zeroizing<String>,
    pub protect: bool,
}

/// One KeePass entry as read, before it becomes an entry: the XML reader fills it
/// from elements, the KDBX reader (`keepass_kdbx`) from the decrypted database, and
/// [`Mapper::entry`] maps both the same way.
#[derive(Default)]
pub(crate) struct EntryCtx {
    /// The element stack's length outside this `Entry`: it ends when the stack is
    /// back at this length (a hostile file may nest another `Entry` inside).
    pub depth: usize,
    pub record: usize,
    /// Where the entry starts in an XML file; 0 in a database, which has no lines.
    pub line: usize,
    /// The UUID as KeePass writes it in XML: base64 of its 16 bytes.
    pub uuid: String,
    pub strings: Vec<StringCtx>,
    /// `;`- or `,`-separated.
    pub tags: String,
    pub expires: bool,
    /// Times as in XML: ISO 8601, or base64 seconds (see `parse_keepass_time`).
    pub expiry_time: String,
    pub created: String,
    pub modified: String,
    /// How many older versions it has.
    pub history: usize,
    /// The names of attachments that were not imported.
    pub attachments: Vec<String>,
}

impl EntryCtx {
    /// The entry as error messages name it: by its line in an XML file, else by
    /// its title.
    fn place(&self) -> String {
        if self.line > 0 {
            return format!("entry starting on line {}", self.line);
        }
        let title = self.strings.iter().find(|s| s.key == "Title");
        format!("entry {:?}", title.map_or("", |t| t.value.as_str()))
    }
}

/// Turns KeePass entries into ours, placing them under their groups' names: one
/// mapping for the XML export and the database alike.
pub(crate) struct Mapper<'a> {
    source_name: &'a str,
    paths: PathAllocator,
    pub out: Imported,
}

/// What the leaf element being read feeds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leaf {
    None,
    RecycleBinUuid,
    GroupUuid,
    GroupName,
    EntryUuid,
    Key,
    Value,
    Tags,
    Expires,
    ExpiryTime,
    Created,
    Modified,
    BinaryKey,
}

pub fn import(data: &[u8], source_name: &str) -> Result<Imported> {
    let text = std::str::from_utf8(data).map_err(|e| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!(
            "it is not UTF-8 (invalid byte on line {})",
            line_of(data, e.valid_up_to())
        ),
    })?;
    Parser::new(text, source_name).run()
}

struct Parser<'a> {
    text: &'a str,
    source_name: &'a str,
    stack: Vec<String>,
    /// Where each element on `stack` starts (byte offset), for the cut-off message.
    opened_at: Vec<usize>,
    groups: Vec<GroupCtx>,
    entry: Option<EntryCtx>,
    string: Option<StringCtx>,
    leaf: Leaf,
    buf: Zeroizing<String>,
    recycle_bin: String,
    records: usize,
    skipped: usize,
    mapper: Mapper<'a>,
    saw_root: bool,
    /// Incremental line counting: the line number at byte `counted_to`.
    counted_to: usize,
    line: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, source_name: &'a str) -> Self {
        Parser {
            text,
            source_name,
            stack: Vec::new(),
            opened_at: Vec::new(),
            groups: Vec::new(),
            entry: None,
            string: None,
            leaf: Leaf::None,
            buf: Zeroizing::new(String::new()),
            recycle_bin: String::new(),
            records: 0,
            skipped: 0,
            mapper: Mapper::new(source_name),
            saw_root: false,
            counted_to: 0,
            line: 1,
        }
    }

    /// The line of byte `pos`, counting only the bytes since the last call (entries
    /// come in file order, so the whole file is counted once).
    fn line_at(&mut self, pos: usize) -> usize {
        let bytes = self.text.as_bytes();
        let pos = pos.min(bytes.len());
        if pos < self.counted_to {
            return line_of(bytes, pos);
        }
        self.line += bytes[self.counted_to..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted_to = pos;
        self.line
    }

    fn file_error(&self, reason: String) -> Error {
        Error::ImportFile {
            source_name: self.source_name.to_owned(),
            reason,
        }
    }

    fn record_error(&self, reason: String) -> Error {
        match &self.entry {
            Some(e) => Error::Import {
                source_name: self.source_name.to_owned(),
                record: e.record,
                reason: format!("{}: {reason}", e.place()),
            },
            None => self.file_error(reason),
        }
    }

    fn run(mut self) -> Result<Imported> {
        let mut reader = quick_xml::Reader::from_str(self.text);
        reader.config_mut().expand_empty_elements = true;
        reader.config_mut().check_end_names = true;
        loop {
            let pos = reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(_) => {
                    let at = reader.error_position() as usize;
                    return Err(self.record_error(format!(
                        "it is not well-formed XML (near line {})",
                        line_of(self.text.as_bytes(), at)
                    )));
                }
            };
            match event {
                Event::DocType(_) => {
                    return Err(self.file_error(
                        "it contains a DOCTYPE (a DTD), which KeePass never writes and which could define entity bombs; refused".into(),
                    ));
                }
                Event::Start(start) => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(self.file_error(format!(
                            "its elements nest deeper than {MAX_DEPTH} levels (near line {})",
                            line_of(self.text.as_bytes(), pos)
                        )));
                    }
                    let name = start.name().as_ref().to_owned();
                    let mut protect = false;
                    let mut encrypted = false;
                    for attr in start.attributes().flatten() {
                        let value = attr.value.as_ref();
                        match attr.key.as_ref() {
                            "ProtectInMemory" => protect = value.eq_ignore_ascii_case("true"),
                            "Protected" => encrypted = value.eq_ignore_ascii_case("true"),
                            _ => {}
                        }
                    }
                    self.start(name, protect, encrypted, pos)?;
                }
                Event::End(_) => self.end()?,
                // Text is taken raw, without XML's CR/LF normalisation: KeePassXC
                // writes a CR inside a value literally and reads it back literally,
                // and a password must come in exactly as it was.
                Event::Text(t) => {
                    if self.leaf != Leaf::None {
                        self.buf.push_str(&t);
                    }
                }
                Event::CData(t) => {
                    if self.leaf != Leaf::None {
                        self.buf.push_str(&t);
                    }
                }
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => match &*r {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            _ => {
                                return Err(self.record_error(format!(
                                    "it uses an undefined entity (near line {})",
                                    line_of(self.text.as_bytes(), pos)
                                )));
                            }
                        },
                        Err(_) => {
                            return Err(self.record_error(format!(
                                "it has an invalid character reference (near line {})",
                                line_of(self.text.as_bytes(), pos)
                            )));
                        }
                    };
                    if self.leaf != Leaf::None {
                        self.buf.push(c);
                    }
                }
                Event::Eof => {
                    self.check_closed()?;
                    break;
                }
                Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
        if !self.saw_root {
            return Err(self.file_error(
                "it is not a KeePass XML export (no KeePassFile/Root element)".into(),
            ));
        }
        Ok(self.mapper.finish(self.skipped))
    }

    /// Refuses a document that ends with elements still open. quick-xml reports such
    /// an end as a plain end of file, and everything read up to there would otherwise
    /// be imported as if it were the whole export.
    fn check_closed(&self) -> Result<()> {
        let Some(&outermost) = self.opened_at.first() else {
            return Ok(());
        };
        let bytes = self.text.as_bytes();
        Err(self.record_error(format!(
            "it ends on line {} while {} still open (the outermost opened on line {}): the file is cut off; export it again",
            line_of(bytes, bytes.len()),
            match self.opened_at.len() {
                1 => "1 element is".to_owned(),
                n => format!("{n} elements are"),
            },
            line_of(bytes, outermost)
        )))
    }

    fn parent(&self, back: usize) -> Option<&str> {
        self.stack
            .len()
            .checked_sub(back + 1)
            .map(|i| self.stack[i].as_str())
    }

    fn in_history(&self) -> bool {
        self.stack.iter().any(|s| s == "History")
    }

    fn start(&mut self, name: String, protect: bool, encrypted: bool, pos: usize) -> Result<()> {
        let parent = self.parent(0).unwrap_or("").to_owned();
        let parent = parent.as_str();
        self.leaf = Leaf::None;
        self.buf.clear();
        match (parent, name.as_str()) {
            ("KeePassFile", "Root") if self.stack.len() == 1 => self.saw_root = true,
            ("Meta", "RecycleBinUUID") => self.leaf = Leaf::RecycleBinUuid,
            ("Root" | "Group", "Group") if self.entry.is_none() => {
                self.groups.push(GroupCtx::default())
            }
            ("Group", "UUID") if self.entry.is_none() => self.leaf = Leaf::GroupUuid,
            ("Group", "Name") if self.entry.is_none() => self.leaf = Leaf::GroupName,
            ("Group", "Entry") if self.entry.is_none() && !self.groups.is_empty() => {
                self.records += 1;
                let line = self.line_at(pos);
                self.entry = Some(EntryCtx {
                    depth: self.stack.len(),
                    record: self.records,
                    line,
                    ..EntryCtx::default()
                });
            }
            ("History", "Entry") => {
                if let Some(e) = &mut self.entry {
                    e.history += 1;
                }
            }
            _ if self.entry.is_some() && !self.in_history() => {
                self.start_in_entry(parent, &name, protect, encrypted)?;
            }
            _ => {}
        }
        self.stack.push(name);
        self.opened_at.push(pos);
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        let name = self.stack.pop().unwrap_or_default();
        self.opened_at.pop();
        let value = std::mem::take(&mut *self.buf);
        let value = Zeroizing::new(value);
        let leaf = std::mem::replace(&mut self.leaf, Leaf::None);
        self.store_leaf(leaf, value);
        let parent = self.parent(0).unwrap_or("");
        match (parent, name.as_str()) {
            ("Entry", "String") if !self.in_history() => {
                if let (Some(s), Some(e)) = (self.string.take(), &mut self.entry) {
                    e.strings.push(s);
                }
            }
            ("Group", "Entry")
                if self
                    .entry
                    .as_ref()
                    .is_some_and(|e| e.depth == self.stack.len()) =>
            {
                if let Some(e) = self.entry.take() {
                    self.finish_entry(e)?;
                }
            }
            ("Root" | "Group", "Group") if self.entry.is_none() => {
                self.groups.pop();
            }
            _ => {}
        }
        Ok(())
    }

    /// An element opened inside an entry (not in its history): which leaf it is, and a
    /// new string for `<String>`.
    fn start_in_entry(
        &mut self,
        parent: &str,
        name: &str,
        protect: bool,
        encrypted: bool,
    ) -> Result<()> {
        let grand = self.parent(1).unwrap_or("");
        self.leaf = match (grand, parent, name) {
            (_, "Entry", "UUID") => Leaf::EntryUuid,
            (_, "Entry", "Tags") => Leaf::Tags,
            (_, "String", "Key") => Leaf::Key,
            (_, "String", "Value") => {
                if encrypted {
                    return Err(self.record_error(
                        "a value is encrypted (Protected=\"True\", as inside a .kdbx file); export the database as XML from KeePass or keepassxc-cli, which writes plain values".into(),
                    ));
                }
                if let Some(s) = &mut self.string {
                    s.protect = protect;
                }
                Leaf::Value
            }
            ("Entry", "Times", "Expires") => Leaf::Expires,
            ("Entry", "Times", "ExpiryTime") => Leaf::ExpiryTime,
            ("Entry", "Times", "CreationTime") => Leaf::Created,
            ("Entry", "Times", "LastModificationTime") => Leaf::Modified,
            (_, "Binary", "Key") => Leaf::BinaryKey,
            _ => Leaf::None,
        };
        if parent == "Entry" && name == "String" {
            self.string = Some(StringCtx::default());
        }
        Ok(())
    }

    /// Keeps the text of the leaf element that just closed where it belongs.
    fn store_leaf(&mut self, leaf: Leaf, value: Zeroizing<String>) {
        match leaf {
            Leaf::RecycleBinUuid => self.recycle_bin = value.trim().to_owned(),
            Leaf::GroupUuid => {
                if let Some(g) = self.groups.last_mut() {
                    g.uuid = value.trim().to_owned();
                }
            }
            Leaf::GroupName => {
                if let Some(g) = self.groups.last_mut() {
                    g.name = value.to_string();
                }
            }
            Leaf::Key => {
                if let Some(s) = &mut self.string {
                    s.key = value.to_string();
                }
            }
            Leaf::Value => {
                if let Some(s) = &mut self.string {
                    s.value = value;
                }
            }
            Leaf::None => {}
            other => {
                if let Some(e) = &mut self.entry {
                    let v = value.trim().to_owned();
                    match other {
                        Leaf::EntryUuid => e.uuid = v,
                        Leaf::Tags => e.tags = v,
                        Leaf::Expires => e.expires = v.eq_ignore_ascii_case("true"),
                        Leaf::ExpiryTime => e.expiry_time = v,
                        Leaf::Created => e.created = v,
                        Leaf::Modified => e.modified = v,
                        Leaf::BinaryKey => e.attachments.push(v),
                        _ => {}
                    }
                }
            }
        }
    }

    fn in_recycle_bin(&self) -> bool {
        self.groups.iter().enumerate().skip(1).any(|(i, g)| {
            (!self.recycle_bin.is_empty()
                && self.recycle_bin != "AAAAAAAAAAAAAAAAAAAAAA=="
                && g.uuid == self.recycle_bin)
                || (i == 1 && RECYCLE_BIN_NAMES.contains(&g.name.as_str()))
        })
    }

    fn finish_entry(&mut self, ctx: EntryCtx) -> Result<()> {
        if self.in_recycle_bin() {
            self.skipped += 1;
            return Ok(());
        }
        let groups: Vec<&str> = self
            .groups
            .iter()
            .skip(1)
            .map(|g| g.name.as_str())
            .collect();
        self.mapper.entry(ctx, &groups)
    }
}

impl<'a> Mapper<'a> {
    pub(crate) fn new(source_name: &'a str) -> Self {
        Mapper {
            source_name,
            paths: PathAllocator::default(),
            out: Imported::default(),
        }
    }

    /// What was imported, with a warning for the `skipped` entries of the recycle bin.
    pub(crate) fn finish(mut self, skipped: usize) -> Imported {
        if skipped > 0 {
            self.out.warnings.push(format!(
                "{skipped} entries in the recycle bin were not imported"
            ));
        }
        self.out
    }

    /// Maps one KeePass entry filed under `groups` (below the root, outermost first).
    pub(crate) fn entry(&mut self, ctx: EntryCtx, groups: &[&str]) -> Result<()> {
        let record = ctx.record;
        let place = ctx.place();
        let fail = |reason: String| Error::Import {
            source_name: self.source_name.to_owned(),
            record,
            reason: format!("{place}: {reason}"),
        };
        let mut e = Entry::new("x".into(), Kind::Login);
        let mut title = String::new();
        let mut wanted_path = None;
        let mut kind_given = false;
        let mut time_otp: BTreeMap<String, Zeroizing<String>> = BTreeMap::new();
        for s in ctx.strings {
            let v = s.value;
            match s.key.as_str() {
                "Title" => title = v.to_string(),
                "UserName" => e.username = Some(v.to_string()).filter(|x| !x.is_empty()),
                "Password" => e.password = Some(Secret::from(v)).filter(|x| !x.is_empty()),
                "URL" => e.url = Some(v.to_string()).filter(|x| !x.is_empty()),
                "Notes" => e.notes = Some(v.to_string()).filter(|x| !x.is_empty()),
                "otp" if !v.is_empty() => e.totp = Some(Secret::from(v)),
                k if k.starts_with("TimeOtp-") || k == "TOTP Seed" || k == "TOTP Settings" => {
                    time_otp.insert(k.to_owned(), v);
                }
                k => {
                    let value = Secret::from(v);
                    if k == extras::KIND {
                        kind_given = true;
                    }
                    if !extras::apply(&mut e, k, &value, &mut wanted_path).map_err(fail)? {
                        e.fields.push(Field {
                            name: if k.trim().is_empty() {
                                "field".into()
                            } else {
                                k.to_owned()
                            },
                            value,
                            secret: s.protect,
                        });
                    }
                }
            }
        }
        if e.totp.is_none() {
            e.totp = legacy_totp(&time_otp, &title);
        } else {
            for (k, v) in time_otp {
                e.fields.push(Field {
                    name: k,
                    value: Secret::from(v),
                    secret: true,
                });
            }
        }
        if !ctx.uuid.is_empty()
            && let Ok(bytes) = BASE64.decode(&ctx.uuid)
            && let Ok(bytes) = <[u8; 16]>::try_from(bytes.as_slice())
        {
            e.id = uuid::Uuid::from_bytes(bytes);
        }
        for t in split_tags(&ctx.tags) {
            if !e.tags.contains(&t) {
                e.tags.push(t);
            }
        }
        if ctx.expires {
            let t = parse_keepass_time(&ctx.expiry_time)
                .ok_or_else(|| fail("its expiry time is not a time".into()))?;
            e.expires = Some(t.date_naive());
        }
        e.created = parse_keepass_time(&ctx.created);
        e.updated = parse_keepass_time(&ctx.modified);
        self.paths
            .place(&mut e, groups, title, wanted_path.as_deref());
        // Named by the path the entry now has, which the user can `show`, not by its
        // position in the file.
        if ctx.history > 0 {
            self.out.warnings.push(format!(
                "{:?}: {} older versions (history) were not imported",
                e.path, ctx.history
            ));
        }
        for a in &ctx.attachments {
            self.out.warnings.push(format!(
                "{:?}: the attachment {a:?} was not imported (handover keeps no files); copy it by hand",
                e.path
            ));
        }
        infer::apply(&mut e, Hint::None, kind_given, &mut self.out.inferred);
        self.out.entries.push(e);
        Ok(())
    }
}

/// KeePass 2.47+ (`TimeOtp-Secret-Base32`, …) and old KeePassXC (`TOTP Seed`,
/// `TOTP Settings` = "period;digits") TOTP fields as an otpauth URI.
fn legacy_totp(f: &BTreeMap<String, Zeroizing<String>>, title: &str) -> Option<Secret> {
    let get = |k: &str| f.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if let Some(secret) = get("TimeOtp-Secret-Base32") {
        let base = totp_value(secret, title);
        let mut uri = Zeroizing::new(base.expose().to_owned());
        if let Some(d) = get("TimeOtp-Length").filter(|d| d.parse::<u8>().is_ok()) {
            uri.push_str(&format!("&digits={d}"));
        }
        if let Some(p) = get("TimeOtp-Period").filter(|p| p.parse::<u32>().is_ok()) {
            uri.push_str(&format!("&period={p}"));
        }
        if let Some(a) = get("TimeOtp-Algorithm") {
            let algo = a.replace("HMAC-", "");
            if ["SHA-1", "SHA-256", "SHA-512", "SHA1", "SHA256", "SHA512"].contains(&algo.as_str())
            {
                uri.push_str(&format!("&algorithm={}", algo.replace('-', "")));
            }
        }
        return Some(Secret::from(uri));
    }
    let seed = get("TOTP Seed")?;
    let base = totp_value(seed, title);
    let mut uri = Zeroizing::new(base.expose().to_owned());
    if let Some((period, digits)) = get("TOTP Settings").and_then(|s| s.split_once(';')) {
        if period.parse::<u32>().is_ok() {
            uri.push_str(&format!("&period={period}"));
        }
        if digits.parse::<u8>().is_ok() {
            uri.push_str(&format!("&digits={digits}"));
        }
    }
    Some(Secret::from(uri))
}

/// KeePass times: ISO 8601 in XML exports, or (KDBX 4 inner XML) base64 of
/// little-endian seconds since 0001-01-01.
fn parse_keepass_time(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if v.is_empty() {
        return None;
    }
    if let Some(t) = crate::formats::parse_time(v) {
        return Some(t);
    }
    let bytes = BASE64.decode(v).ok()?;
    let secs = i64::from_le_bytes(<[u8; 8]>::try_from(bytes.as_slice()).ok()?);
    // Seconds from 0001-01-01 to 1970-01-01.
    let unix = secs.checked_sub(62_135_596_800)?;
    chrono::DateTime::from_timestamp(unix, 0)
}

// ---------------------------------------------------------------- export

#[derive(Default)]
struct GroupNode<'a> {
    entries: Vec<&'a Entry>,
    children: BTreeMap<&'a str, GroupNode<'a>>,
}

/// Characters XML 1.0 cannot carry at all, even as character references.
fn xml_can_hold(s: &str) -> bool {
    !s.chars().any(|c| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
    })
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // A literal CR would be turned into LF by any XML parser.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn b64_uuid(id: uuid::Uuid) -> String {
    BASE64.encode(id.as_bytes())
}

struct Writer {
    out: Zeroizing<String>,
    warnings: Vec<String>,
}

impl Writer {
    fn line(&mut self, depth: usize, s: &str) {
        for _ in 0..depth {
            self.out.push('\t');
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn element(&mut self, depth: usize, name: &str, value: &str) {
        for _ in 0..depth {
            self.out.push('\t');
        }
        self.out.push_str(&format!("<{name}>"));
        escape_into(&mut self.out, value);
        self.out.push_str(&format!("</{name}>\n"));
    }

    fn string(&mut self, depth: usize, path: &str, key: &str, value: &str, protect: bool) {
        if !xml_can_hold(value) {
            self.warnings.push(format!(
                "{path}: the value of {key:?} contains a control character that XML cannot hold; it is not exported"
            ));
            return;
        }
        self.line(depth, "<String>");
        self.element(depth + 1, "Key", key);
        for _ in 0..=depth {
            self.out.push('\t');
        }
        self.out.push_str(if protect {
            "<Value ProtectInMemory=\"True\">"
        } else {
            "<Value>"
        });
        escape_into(&mut self.out, value);
        self.out.push_str("</Value>\n");
        self.line(depth, "</String>");
    }

    fn group(&mut self, depth: usize, name: &str, node: &GroupNode) {
        self.line(depth, "<Group>");
        self.element(depth + 1, "UUID", &b64_uuid(uuid::Uuid::new_v4()));
        self.element(depth + 1, "Name", name);
        for e in &node.entries {
            self.entry(depth + 1, e);
        }
        for (child, sub) in &node.children {
            self.group(depth + 1, child, sub);
        }
        self.line(depth, "</Group>");
    }

    fn entry(&mut self, depth: usize, e: &Entry) {
        let d = depth + 1;
        self.line(depth, "<Entry>");
        self.element(d, "UUID", &b64_uuid(e.id));
        let mut tags = Vec::new();
        for t in &e.tags {
            if t.contains([';', ',']) || !xml_can_hold(t) {
                self.warnings.push(format!(
                    "{}: the tag {t:?} contains ';', ',' or a control character, which KeePass tags cannot hold; it is not exported",
                    e.path
                ));
            } else {
                tags.push(t.as_str());
            }
        }
        if !tags.is_empty() {
            self.element(d, "Tags", &tags.join(";"));
        }
        self.line(d, "<Times>");
        if let Some(t) = e.created {
            self.element(d + 1, "CreationTime", &time(t));
        }
        if let Some(t) = e.updated {
            self.element(d + 1, "LastModificationTime", &time(t));
        }
        if let Some(date) = e.expires {
            // Noon UTC shows the same date in every time zone.
            self.element(d + 1, "ExpiryTime", &format!("{date}T12:00:00Z"));
            self.element(d + 1, "Expires", "True");
        } else {
            self.element(d + 1, "Expires", "False");
        }
        self.line(d, "</Times>");
        let path = e.path.clone();
        let mut used: HashSet<String> = STANDARD_KEYS.iter().map(|k| (*k).to_owned()).collect();
        self.string(d, &path, "Title", &e.title, false);
        self.string(
            d,
            &path,
            "UserName",
            e.username.as_deref().unwrap_or(""),
            false,
        );
        let password = e.password.as_ref().map(Secret::expose).unwrap_or("");
        self.string(d, &path, "Password", password, true);
        self.string(d, &path, "URL", e.url.as_deref().unwrap_or(""), false);
        self.string(d, &path, "Notes", e.notes.as_deref().unwrap_or(""), false);
        if let Some(totp) = &e.totp {
            used.insert("otp".into());
            let uri = totp_value(totp.expose(), &e.title);
            self.string(d, &path, "otp", uri.expose(), true);
        }
        let groups: Vec<&str> = e.path.split('/').collect();
        let derived = derive_path(&groups[..groups.len() - 1], &e.title);
        let native = Native {
            tags: true,
            expires: true,
            default_kind: infer::kind(e, Hint::None).kind,
        };
        let extra = extras::extra_fields(e, &derived, &native);
        let all = e
            .fields
            .iter()
            .map(|f| (f.name.as_str(), &f.value, f.secret))
            .chain(extra.iter().map(|x| (x.name.as_str(), &x.value, x.secret)));
        for (name, value, secret) in all {
            let mut key = name.to_owned();
            let mut n = 2;
            while used.contains(&key) {
                key = format!("{name} ({n})");
                n += 1;
            }
            if key != name {
                self.warnings.push(format!(
                    "{path}: KeePass needs unique field names, so the field {name:?} is exported as {key:?}"
                ));
            }
            used.insert(key.clone());
            self.string(d, &path, &key, value.expose(), secret);
        }
        self.line(depth, "</Entry>");
    }
}

pub fn export(client: &Client) -> Result<Exported> {
    let entries = client.sorted_entries();
    let mut root = GroupNode::default();
    for e in &entries {
        let segments: Vec<&str> = e.path.split('/').collect();
        let mut node = &mut root;
        for g in &segments[..segments.len() - 1] {
            node = node.children.entry(g).or_default();
        }
        node.entries.push(e);
    }
    let estimate: usize = entries
        .iter()
        .map(|e| {
            1024 + e.password.as_ref().map_or(0, |p| p.expose().len() * 6)
                + e.notes.as_ref().map_or(0, |n| n.len() * 6)
                + e.fields
                    .iter()
                    .map(|f| 128 + f.value.expose().len() * 6)
                    .sum::<usize>()
                + e.recovery_codes
                    .iter()
                    .map(|c| 128 + c.expose().len() * 6)
                    .sum::<usize>()
        })
        .sum();
    let mut w = Writer {
        out: Zeroizing::new(String::with_capacity(4096 + estimate)),
        warnings: Vec::new(),
    };
    w.line(
        0,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
    );
    w.line(0, "<KeePassFile>");
    w.line(1, "<Meta>");
    w.element(2, "Generator", "handover");
    w.element(2, "DatabaseName", &client.name);
    w.element(2, "RecycleBinEnabled", "True");
    w.element(2, "RecycleBinUUID", "AAAAAAAAAAAAAAAAAAAAAA==");
    w.line(1, "</Meta>");
    w.line(1, "<Root>");
    w.group(2, &client.name, &root);
    w.line(2, "<DeletedObjects/>");
    w.line(1, "</Root>");
    w.line(0, "</KeePassFile>");
    // into_bytes moves the buffer: no unwiped copy is left behind.
    let bytes = Zeroizing::new(std::mem::take(&mut *w.out).into_bytes());
    Ok(Exported {
        bytes,
        warnings: w.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keepassxc-2.7.4.xml"
        ))
        .unwrap()
    }

    #[test]
    fn reads_the_real_export() {
        let got = import(&fixture(), "t").unwrap();
        let e = &got.entries;
        let paths: Vec<&str> = e.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["DNS Provider", "Server/Drucker Büro", "Server/Linux/srv1"]
        );
        assert_eq!(e[0].password.as_ref().unwrap().expose(), "DNS;Zone,Edit");
        assert_eq!(e[1].password.as_ref().unwrap().expose(), "Drücker_2019");
        assert_eq!(e[2].username.as_deref(), Some("root"));
        assert_eq!(
            e[2].notes.as_deref(),
            Some("Debian 12\nBackup nachts 02:00, \"restic\"")
        );
        assert_eq!(e[2].url.as_deref(), Some("ssh://srv1.example.org:22"));
        assert!(e[0].created.is_some());
        assert!(got.warnings.is_empty());
    }

    const HEAD: &str = "<KeePassFile><Meta><RecycleBinUUID>cmVjeWNsZWJpbnJlY3ljbGU=</RecycleBinUUID></Meta><Root><Group><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><Name>Root</Name>";

    fn entry(title: &str, extra: &str) -> String {
        format!(
            "<Entry><UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID><String><Key>Title</Key><Value>{title}</Value></String>{extra}</Entry>"
        )
    }

    #[test]
    fn recycle_bin_custom_fields_totp_expiry() {
        let xml = format!(
            "{HEAD}{}{}<Group><UUID>cmVjeWNsZWJpbnJlY3ljbGU=</UUID><Name>Trash</Name>{}</Group>\
             <Group><UUID>x</UUID><Name>Papierkorb</Name>{}</Group></Group></Root></KeePassFile>",
            entry(
                "a/b",
                "<String><Key>PIN</Key><Value ProtectInMemory=\"True\"> 12&amp;&#13;\r\n3 </Value></String>\
                 <String><Key>Raum</Key><Value>K&#252;che</Value></String>\
                 <String><Key>TimeOtp-Secret-Base32</Key><Value>JBSWY3DPEHPK3PXP</Value></String>\
                 <String><Key>TimeOtp-Length</Key><Value>8</Value></String>\
                 <Tags>x;y</Tags><Times><ExpiryTime>2027-01-31T12:00:00Z</ExpiryTime><Expires>True</Expires></Times>\
                 <Binary><Key>id_rsa</Key><Value Ref=\"0\"/></Binary>\
                 <History><Entry><String><Key>Password</Key><Value>old</Value></String></Entry></History>"
            ),
            entry("a/b", ""),
            entry("deleted", ""),
            entry("deleted too", ""),
        );
        let got = import(xml.as_bytes(), "t").unwrap();
        let e = &got.entries;
        assert_eq!(
            e.len(),
            2,
            "the recycle bin (by UUID and by name) is skipped"
        );
        assert_eq!(e[0].path, "a-b");
        assert_eq!(e[0].title, "a/b");
        assert_eq!(e[1].path, "a-b (2)");
        let pin = &e[0].fields[0];
        assert_eq!(
            (pin.name.as_str(), pin.value.expose(), pin.secret),
            ("PIN", " 12&\r\r\n3 ", true)
        );
        assert_eq!(e[0].fields[1].value.expose(), "Küche");
        assert!(!e[0].fields[1].secret);
        assert_eq!(
            e[0].totp.as_ref().unwrap().expose(),
            "otpauth://totp/a_b?secret=JBSWY3DPEHPK3PXP&digits=8"
        );
        assert_eq!(e[0].tags, ["x", "y"]);
        assert_eq!(e[0].expires, chrono::NaiveDate::from_ymd_opt(2027, 1, 31));
        assert!(
            e[0].password.is_none(),
            "history passwords are not the password"
        );
        assert_eq!(got.warnings.len(), 3, "{:?}", got.warnings);
    }

    #[test]
    fn an_entry_nested_in_an_entry_does_not_end_it_early() {
        let xml = format!(
            "{HEAD}<Entry><Group><Entry><String><Key>Title</Key><Value>inner</Value></String></Entry></Group>\
             <String><Key>Title</Key><Value>outer</Value></String>\
             <String><Key>Password</Key><Value>pw</Value></String></Entry></Group></Root></KeePassFile>"
        );
        let got = import(xml.as_bytes(), "t").unwrap().entries;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, "outer");
        assert_eq!(got[0].password.as_ref().unwrap().expose(), "pw");
    }

    #[test]
    fn hostile_files_are_refused() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><KeePassFile><Root/></KeePassFile>";
        let err = import(bomb.as_bytes(), "t").err().unwrap().to_string();
        assert!(err.contains("DOCTYPE"), "{err}");
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let err = import(deep.as_bytes(), "t").err().unwrap().to_string();
        assert!(err.contains("nest deeper"), "{err}");
        let undefined = format!("{HEAD}{}</Group></Root></KeePassFile>", entry("&lol;", ""));
        let err = import(undefined.as_bytes(), "t").err().unwrap().to_string();
        assert!(err.contains("record 1") && err.contains("entity"), "{err}");
        let encrypted = format!(
            "{HEAD}{}</Group></Root></KeePassFile>",
            entry(
                "x",
                "<String><Key>Password</Key><Value Protected=\"True\">c2VjcmV0</Value></String>"
            )
        );
        let err = import(encrypted.as_bytes(), "t").err().unwrap().to_string();
        assert!(
            err.contains("record 1") && !err.contains("c2VjcmV0"),
            "{err}"
        );
        assert!(import(b"<a></b>", "t").is_err());
        assert!(import(b"<html/>", "t").is_err());
        assert!(import(b"\xff", "t").is_err());
    }

    #[test]
    fn a_document_cut_off_is_refused() {
        // From issue #13: this imported entry "a" and dropped "b" without a word.
        let cut = "<KeePassFile><Root><Group><Name>r</Name>\
            <Entry><String><Key>Title</Key><Value>a</Value></String></Entry>\n\
            <Entry><String><Key>Title</Key><Value>b</Value></String>\
            <String><Key>Password</Key><Value>sec";
        let err = import(cut.as_bytes(), "t").err().unwrap().to_string();
        assert!(
            err.contains("record 2")
                && err.contains("entry starting on line 2")
                && err.contains("ends on line 2")
                && err.contains("6 elements are still open")
                && err.contains("cut off")
                && !err.contains("sec"),
            "{err}"
        );
        // Cut outside any entry: the document is still open.
        let whole = String::from_utf8(fixture()).unwrap();
        let at = whole.find("</Meta>").unwrap() + "</Meta>".len();
        let err = import(&whole.as_bytes()[..at], "t")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("t cannot be imported") && err.contains("opened on line 2"),
            "{err}"
        );
        // Only the closing tag missing.
        let cut = whole.trim_end().strip_suffix("</KeePassFile>").unwrap();
        let err = import(cut.as_bytes(), "t").err().unwrap().to_string();
        assert!(err.contains("1 element is still open"), "{err}");
    }
}
