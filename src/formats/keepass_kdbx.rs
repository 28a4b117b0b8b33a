//! `kdbx`: a KeePass database itself (KDBX 3.1 and 4, as KeePass 2 and KeePassXC
//! write them), opened with its password and key file by the `keepass` crate and
//! mapped exactly as its XML export would be ([`keepass_xml::Mapper`]): the same
//! paths, fields, TOTP, tags, times, and the recycle bin left out.
//!
//! Attachments that are text (a configuration, a recovery sheet) are kept in the
//! entry's notes, each under a line naming it; other attachments are named in a
//! warning, as the XML import does, because handover keeps no files.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use keepass::db::{EntryRef, GroupRef};
use keepass::error::{DatabaseKeyError, DatabaseOpenError};
use keepass::{Database, DatabaseKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::formats::Imported;
use crate::formats::keepass_xml::{EntryCtx, Mapper, StringCtx};
use crate::formats::keepassxc_csv::RECYCLE_BIN_NAMES;
use crate::model::Secret;
use crate::model::limits::MAX_SECRET_BYTES;

/// What opens a database: its password, its key file's bytes, or both.
#[derive(Clone, Default)]
pub struct KdbxKey {
    pub password: Option<Secret>,
    pub key_file: Option<Zeroizing<Vec<u8>>>,
}

/// Never shows the key, only which parts there are.
impl fmt::Debug for KdbxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KdbxKey")
            .field("password", &self.password.is_some())
            .field("key_file", &self.key_file.is_some())
            .finish()
    }
}

/// The first bytes of every KeePass database (KeePass 1 and 2 alike).
const SIGNATURE: [u8; 4] = [0x03, 0xd9, 0xa2, 0x9a];

/// Whether `data` is a KeePass database rather than an export of one.
pub fn is_kdbx(data: &[u8]) -> bool {
    data.starts_with(&SIGNATURE)
}

/// Largest text attachment kept in the notes; bigger ones are named in a warning.
const MAX_TEXT_ATTACHMENT: usize = MAX_SECRET_BYTES / 4;

pub fn import(data: &[u8], source_name: &str, key: &KdbxKey) -> Result<Imported> {
    let file_error = |reason: String| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason,
    };
    if !is_kdbx(data) {
        return Err(file_error(
            "it is not a KeePass database (.kdbx); for an XML export use --format keepass-xml"
                .into(),
        ));
    }
    key_derivation_work(data).map_err(file_error)?;
    let db = open(data, key).map_err(file_error)?;
    let mut reader = Reader {
        mapper: Mapper::new(source_name),
        recycle_bin: db.meta.recyclebin_uuid,
        records: 0,
        skipped: 0,
    };
    let root = db.root();
    let mut groups = Vec::new();
    reader.group(&root, &mut groups)?;
    let skipped = reader.skipped;
    Ok(reader.mapper.finish(skipped))
}

/// Most AES-KDF rounds accepted (about 100 s here; KeePassXC's one second is some
/// 10 to 50 million).
const MAX_AES_ROUNDS: u64 = 1_000_000_000;
/// Most Argon2 memory accepted (KeePassXC offers up to 4 GiB), and most memory times
/// iterations (64 MiB, KeePassXC's default, 4,096 times: minutes).
const MAX_ARGON2_MEMORY: u64 = 4 << 30;
const MAX_ARGON2_WORK: u64 = 256 << 30;

/// Refuses a database whose header asks for more key-derivation work than any real
/// database does: that work is done before the key can be checked, so a hostile file
/// could otherwise keep the import busy for days or exhaust memory. A header that
/// cannot be read is left to the `keepass` crate to refuse.
fn key_derivation_work(data: &[u8]) -> std::result::Result<(), String> {
    let major = data.get(10).copied().unwrap_or(0);
    let mut rest = data.get(12..).unwrap_or_default();
    let mut params: Option<&[u8]> = None;
    let mut rounds = None;
    while let Some((&id, after)) = rest.split_first() {
        let (len, after) = if major >= 4 {
            let Some((len, after)) = after.split_first_chunk::<4>() else {
                break;
            };
            (u32::from_le_bytes(*len) as usize, after)
        } else {
            let Some((len, after)) = after.split_first_chunk::<2>() else {
                break;
            };
            (usize::from(u16::from_le_bytes(*len)), after)
        };
        let Some((value, after)) = after.split_at_checked(len) else {
            break;
        };
        match id {
            0 => break,
            6 => rounds = value.try_into().ok().map(u64::from_le_bytes),
            11 => params = Some(value),
            _ => {}
        }
        rest = after;
    }
    let get = |key: &str| params.and_then(|p| variant_u64(p, key));
    let too_much = |what: String| {
        Err(format!(
            "its key derivation asks for {what}, far more than KeePass or KeePassXC ever set; refused rather than spending hours or all memory on it"
        ))
    };
    if let Some(r) = rounds.or_else(|| get("R")).filter(|r| *r > MAX_AES_ROUNDS) {
        return too_much(format!("{r} AES rounds"));
    }
    let (memory, iterations) = (get("M").unwrap_or(0), get("I").unwrap_or(0));
    if memory > MAX_ARGON2_MEMORY || memory.saturating_mul(iterations) > MAX_ARGON2_WORK {
        return too_much(format!(
            "{} MiB of memory {iterations} times (Argon2)",
            memory >> 20
        ));
    }
    Ok(())
}

/// An unsigned number in a KDBX 4 variant dictionary (the KDF parameters), by key.
fn variant_u64(dict: &[u8], wanted: &str) -> Option<u64> {
    let mut rest = dict.get(2..)?;
    loop {
        let (&kind, after) = rest.split_first()?;
        if kind == 0 {
            return None;
        }
        let (len, after) = after.split_first_chunk::<4>()?;
        let (key, after) = after.split_at_checked(u32::from_le_bytes(*len) as usize)?;
        let (len, after) = after.split_first_chunk::<4>()?;
        let (value, after) = after.split_at_checked(u32::from_le_bytes(*len) as usize)?;
        if key == wanted.as_bytes() {
            return match value.len() {
                4 => value.try_into().ok().map(u32::from_le_bytes).map(u64::from),
                8 => value.try_into().ok().map(u64::from_le_bytes),
                _ => None,
            };
        }
        rest = after;
    }
}

/// Decrypts the database, or says in words what is wrong.
fn open(data: &[u8], key: &KdbxKey) -> std::result::Result<Database, String> {
    let mut db_key = DatabaseKey::new();
    if let Some(p) = key.password.as_ref().filter(|p| !p.is_empty()) {
        db_key = db_key.with_password(p.expose());
    }
    if let Some(file) = &key.key_file {
        db_key = db_key
            .with_keyfile(&mut file.as_slice())
            .map_err(|e| format!("its key file cannot be read ({e})"))?;
    }
    if db_key.is_empty() {
        return Err("it needs its password or key file (--key-file), and neither was given".into());
    }
    // The crate parses what it has not yet authenticated (the header); a bug there
    // must be an error naming the file, not a crash.
    let opened =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Database::parse(data, db_key)))
            .map_err(|_| {
                "it could not be read (the KeePass reader failed on it); is it damaged? Open it in KeePassXC to check"
                    .to_owned()
            })?;
    opened.map_err(|e| match e {
        DatabaseOpenError::Key(DatabaseKeyError::IncorrectKey) => {
            "the password or the key file is wrong (or a key file is missing: --key-file)".to_owned()
        }
        // KDBX 3.1 has no check of the key before decrypting: a wrong key shows as
        // a decryption that fails.
        DatabaseOpenError::Cryptography(_) => {
            "it cannot be decrypted: the password or the key file is wrong (or a key file is missing: --key-file), or the file is damaged".to_owned()
        }
        DatabaseOpenError::Key(e) => format!("its key cannot be used ({e})"),
        DatabaseOpenError::UnsupportedVersion | DatabaseOpenError::VersionParse(_) => {
            "it is a KeePass database of a version handover cannot read (KDBX 3.1 and 4 are read); save it with KeePassXC or KeePass 2 again".to_owned()
        }
        DatabaseOpenError::UnexpectedEof | DatabaseOpenError::Io(_) => {
            "it ends too early: the file is cut off; copy it again".to_owned()
        }
        other => format!("it cannot be decrypted or read ({other}); is it damaged?"),
    })
}

struct Reader<'a> {
    mapper: Mapper<'a>,
    recycle_bin: Option<uuid::Uuid>,
    records: usize,
    skipped: usize,
}

impl Reader<'_> {
    /// A group's entries, then its subgroups, in the order of the file (as its XML
    /// export lists them); `names` are the groups below the root down to `group`.
    fn group(&mut self, group: &GroupRef<'_>, names: &mut Vec<String>) -> Result<()> {
        for entry in group.entries() {
            self.records += 1;
            let ctx = self.entry_ctx(&entry);
            let groups: Vec<&str> = names.iter().map(String::as_str).collect();
            self.mapper.entry(ctx, &groups)?;
        }
        for sub in group.groups() {
            if self.is_recycle_bin(&sub, names.len()) {
                self.skipped += count_entries(&sub);
                continue;
            }
            names.push(sub.name.clone());
            self.group(&sub, names)?;
            names.pop();
        }
        Ok(())
    }

    /// The recycle bin: the group the database names as such, or (as in the XML
    /// import) a top-level group with its usual name.
    fn is_recycle_bin(&self, group: &GroupRef<'_>, depth: usize) -> bool {
        self.recycle_bin
            .is_some_and(|id| !id.is_nil() && group.id().uuid() == id)
            || (depth == 0 && RECYCLE_BIN_NAMES.contains(&group.name.as_str()))
    }

    fn entry_ctx(&mut self, entry: &EntryRef<'_>) -> EntryCtx {
        let mut strings: Vec<StringCtx> = entry
            .fields
            .iter()
            .map(|(key, value)| StringCtx {
                key: key.clone(),
                value: Zeroizing::new(value.get().clone()),
                protect: value.is_protected(),
            })
            .collect();
        // KeePassXC writes an entry's strings sorted by key (UTF-16 order); the
        // database keeps them unordered. Sorted, custom fields come in as the XML
        // export of the same database brings them.
        strings.sort_by(|a, b| a.key.encode_utf16().cmp(b.key.encode_utf16()));
        let mut attachments = Vec::new();
        let mut texts = Vec::new();
        let mut named: Vec<(&str, Vec<u8>)> = entry
            .attachments_named()
            .map(|(name, a)| (name, a.data.get().clone()))
            .collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        for (name, data) in named {
            let data = Zeroizing::new(data);
            match std::str::from_utf8(&data) {
                Ok(text) if data.len() <= MAX_TEXT_ATTACHMENT && !text.contains('\0') => {
                    texts.push(format!("--- Attachment {name} ---\n{text}"));
                }
                _ => attachments.push(name.to_owned()),
            }
        }
        if !texts.is_empty() {
            append_notes(&mut strings, &texts);
        }
        let times = &entry.times;
        let time = |t: Option<chrono::NaiveDateTime>| {
            t.map(|t| t.and_utc().to_rfc3339()).unwrap_or_default()
        };
        EntryCtx {
            record: self.records,
            uuid: BASE64.encode(entry.id().uuid().as_bytes()),
            strings,
            tags: entry.tags.join(";"),
            expires: times.expires == Some(true),
            expiry_time: time(Some(times.expiry)),
            created: time(times.creation),
            modified: time(times.last_modification),
            history: entry.history.as_ref().map_or(0, |h| h.get_entries().len()),
            attachments,
            ..EntryCtx::default()
        }
    }
}

/// Adds the text attachments to the entry's notes, after what is there.
fn append_notes(strings: &mut Vec<StringCtx>, texts: &[String]) {
    let index = match strings.iter().position(|s| s.key == "Notes") {
        Some(i) => i,
        None => {
            strings.push(StringCtx {
                key: "Notes".into(),
                ..StringCtx::default()
            });
            strings.len() - 1
        }
    };
    let notes = &mut strings[index].value;
    for text in texts {
        if !notes.is_empty() {
            notes.push_str("\n\n");
        }
        notes.push_str(text);
    }
}

/// Entries in a group and its subgroups (those a skipped recycle bin held).
fn count_entries(group: &GroupRef<'_>) -> usize {
    group.entries().count() + group.groups().map(|g| count_entries(&g)).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A KDBX 4 header with KDF parameters `(key, u64 value)`.
    fn kdbx4_header(params: &[(&str, u64)]) -> Vec<u8> {
        let mut dict = vec![0x00, 0x01];
        for (key, value) in params {
            dict.push(0x05);
            dict.extend((key.len() as u32).to_le_bytes());
            dict.extend(key.as_bytes());
            dict.extend(8u32.to_le_bytes());
            dict.extend(value.to_le_bytes());
        }
        dict.push(0);
        let mut h = SIGNATURE.to_vec();
        h.extend([0x67, 0xfb, 0x4b, 0xb5, 0x00, 0x00, 0x04, 0x00]);
        h.push(2);
        h.extend(16u32.to_le_bytes());
        h.extend([0u8; 16]);
        h.push(11);
        h.extend((dict.len() as u32).to_le_bytes());
        h.extend(dict);
        h.push(0);
        h.extend(4u32.to_le_bytes());
        h.extend(b"\r\n\r\n");
        h
    }

    #[test]
    fn key_derivation_beyond_any_real_database_is_refused_before_it_starts() {
        let ok = kdbx4_header(&[("M", 64 << 20), ("I", 10)]);
        assert_eq!(key_derivation_work(&ok), Ok(()));
        assert_eq!(
            key_derivation_work(&kdbx4_header(&[("R", 60_000_000)])),
            Ok(())
        );
        let e = key_derivation_work(&kdbx4_header(&[("M", 1 << 50), ("I", 1)])).unwrap_err();
        assert!(
            e.starts_with("its key derivation asks for 1073741824 MiB of memory 1 times (Argon2)"),
            "{e}"
        );
        assert!(key_derivation_work(&kdbx4_header(&[("M", 1 << 30), ("I", 1000)])).is_err());
        let e = key_derivation_work(&kdbx4_header(&[("R", u64::MAX)])).unwrap_err();
        assert!(e.contains("18446744073709551615 AES rounds"), "{e}");
        // A KDBX 3.1 header: TransformRounds is field 6, lengths are 16-bit.
        let mut v3 = SIGNATURE.to_vec();
        v3.extend([0x67, 0xfb, 0x4b, 0xb5, 0x01, 0x00, 0x03, 0x00, 6, 8, 0]);
        v3.extend(u64::MAX.to_le_bytes());
        v3.extend([0, 0, 0]);
        assert!(key_derivation_work(&v3).is_err());
        // Anything shorter or garbled is left to the crate, never a panic here.
        for cut in 0..ok.len() {
            let _ = key_derivation_work(&ok[..cut]);
        }
    }
}
