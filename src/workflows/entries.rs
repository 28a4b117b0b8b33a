//! Adding, changing, moving, removing and importing entries.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};

use crate::error::{Error, Result};
use crate::model::{
    Charset, ClientId, Entry, EventKind, Field, Kind, Owner, Secret, path_name, validate_path,
};
use crate::workflows::Handover;
use crate::workflows::history;

/// Changes to an entry; `None` leaves a value as it is. Also used to build new entries.
#[derive(Default)]
pub struct EntryPatch {
    pub title: Option<String>,
    pub kind: Option<Kind>,
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// What the device accepts in the password (`--charset`); with a new password only.
    pub charset: Option<Charset>,
    pub totp: Option<Secret>,
    pub recovery_codes: Option<Vec<Secret>>,
    pub notes: Option<String>,
    /// Added, or replacing the field of the same name.
    pub set_fields: Vec<Field>,
    pub remove_fields: Vec<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub location: Option<String>,
    pub owner: Option<Owner>,
    pub provider_knows: Option<bool>,
    pub expires: Option<NaiveDate>,
    pub rotated: Option<NaiveDate>,
    /// Names of values to clear (see [`CLEARABLE`]).
    pub clear: Vec<String>,
}

pub const CLEARABLE: &[&str] = &[
    "url",
    "host",
    "port",
    "username",
    "password",
    "totp",
    "recovery_codes",
    "notes",
    "fields",
    "tags",
    "location",
    "owner",
    "expires",
    "rotated",
];

impl EntryPatch {
    /// Whether the patch sets a new password, TOTP seed, recovery codes or secret
    /// field (clearing one is not replacing it: whoever knew it may still use it).
    fn replaces_secret(&self) -> bool {
        self.password.as_ref().is_some_and(|p| !p.is_empty())
            || self.totp.as_ref().is_some_and(|p| !p.is_empty())
            || self.recovery_codes.as_ref().is_some_and(|c| !c.is_empty())
            || self
                .set_fields
                .iter()
                .any(|f| f.secret && !f.value.is_empty())
    }

    /// Applies the patch and returns the names of the values it changed (never the
    /// values themselves).
    pub fn apply(self, e: &mut Entry) -> Result<Vec<&'static str>> {
        let replaces_secret = self.replaces_secret();
        self.keep_replaced(e);
        let mut changed = Vec::new();
        for name in &self.clear {
            let hit = match name.as_str() {
                "url" => e.url.take().is_some(),
                "host" => e.host.take().is_some(),
                "port" => e.port.take().is_some(),
                "username" => e.username.take().is_some(),
                "password" => e.password.take().is_some(),
                "totp" => e.totp.take().is_some(),
                "recovery_codes" => !std::mem::take(&mut e.recovery_codes).is_empty(),
                "notes" => e.notes.take().is_some(),
                "fields" => !std::mem::take(&mut e.fields).is_empty(),
                "tags" => !std::mem::take(&mut e.tags).is_empty(),
                "location" => e.location.take().is_some(),
                "owner" => e.owner.take().is_some(),
                "expires" => e.expires.take().is_some(),
                "rotated" => e.rotated.take().is_some(),
                other => {
                    return Err(Error::Invalid(format!(
                        "cannot clear {other:?}; clearable values are: {}",
                        CLEARABLE.join(", ")
                    )));
                }
            };
            if hit {
                changed.push(CLEARABLE.iter().copied().find(|c| c == name).unwrap_or("?"));
            }
        }
        macro_rules! set {
            ($field:ident, $value:expr) => {
                if let Some(v) = $value {
                    e.$field = v;
                    changed.push(stringify!($field));
                }
            };
        }
        set!(title, self.title);
        set!(kind, self.kind);
        set!(url, self.url.map(Some));
        set!(host, self.host.map(Some));
        set!(port, self.port.map(Some));
        set!(username, self.username.map(Some));
        if let Some(new) = &self.password {
            let charset = password_charset(self.charset, e.password_charset, new)?;
            if charset != e.password_charset {
                e.password_charset = charset;
                changed.push("password_charset");
            }
        } else if self.charset.is_some() {
            return Err(Error::Invalid(
                "--charset goes with a new password (--generate, --password-stdin or the prompt); nothing was changed".into(),
            ));
        }
        set!(password, self.password.map(Some));
        set!(totp, self.totp.map(Some));
        set!(recovery_codes, self.recovery_codes);
        set!(notes, self.notes.map(Some));
        set!(
            location,
            self.location.filter(|l| !l.trim().is_empty()).map(Some)
        );
        set!(owner, self.owner.map(Some));
        set!(provider_knows, self.provider_knows);
        set!(expires, self.expires.map(Some));
        set!(rotated, self.rotated.map(Some));
        for name in self.remove_fields {
            let before = e.fields.len();
            e.fields.retain(|f| f.name != name);
            if e.fields.len() == before {
                return Err(Error::Invalid(format!(
                    "entry {:?} has no field named {name:?}",
                    e.path
                )));
            }
            changed.push("fields");
        }
        for (i, field) in self.set_fields.iter().enumerate() {
            if self.set_fields[..i].iter().any(|f| f.name == field.name) {
                return Err(Error::Invalid(format!(
                    "field {:?} is given twice (as --field and --secret-field, or twice as one of them); give it once; nothing was changed",
                    field.name
                )));
            }
        }
        for field in self.set_fields {
            if field.name.trim().is_empty() {
                return Err(Error::Invalid("a field needs a name (NAME=VALUE)".into()));
            }
            match e.fields.iter_mut().find(|f| f.name == field.name) {
                Some(existing) => {
                    if existing.secret && !field.secret {
                        return Err(secret_field_via_argv(&e.path, &field.name));
                    }
                    *existing = field
                }
                None => e.fields.push(field),
            }
            changed.push("fields");
        }
        for tag in self.remove_tags {
            e.tags.retain(|t| t != &tag);
            changed.push("tags");
        }
        for tag in self.add_tags {
            if tag.trim().is_empty() {
                return Err(Error::Invalid("a tag must not be empty".into()));
            }
            if !e.tags.contains(&tag) {
                e.tags.push(tag);
                changed.push("tags");
            }
        }
        if e.title.trim().is_empty() {
            e.title = path_name(&e.path).to_owned();
        }
        // A secret replaced is one an earlier provider no longer knows.
        if replaces_secret && !std::mem::take(&mut e.known_to_previous).is_empty() {
            changed.push("known_to_previous");
        }
        changed.sort_unstable();
        changed.dedup();
        Ok(changed)
    }
}

impl EntryPatch {
    /// Keeps the secrets this patch replaces or clears among the entry's previous ones,
    /// so that a change that fails on the device itself can be undone.
    fn keep_replaced(&self, e: &mut Entry) {
        let now = Utc::now();
        let clears = |name: &str| self.clear.iter().any(|c| c == name);
        if self.password.is_some() || clears("password") {
            let old = e.password.clone();
            e.keep_previous("password".into(), old, self.password.as_ref(), now);
        }
        if self.totp.is_some() || clears("totp") {
            let old = e.totp.clone();
            e.keep_previous("totp".into(), old, self.totp.as_ref(), now);
        }
        let old_fields: Vec<Field> = e.fields.iter().filter(|f| f.secret).cloned().collect();
        for old in old_fields {
            let new = self.set_fields.iter().find(|f| f.name == old.name);
            let removed = clears("fields") || self.remove_fields.contains(&old.name);
            if new.is_some() || removed {
                let part = format!("field:{}", old.name);
                e.keep_previous(part, Some(old.value), new.map(|f| &f.value), now);
            }
        }
    }
}

/// The charset to keep with a new password: the one given (which the password must
/// fit), else the entry's old one if the new password still fits it (a PIN replaced
/// by a PIN); `full` is not kept, it is what no charset means.
pub fn password_charset(
    given: Option<Charset>,
    old: Option<Charset>,
    new: &Secret,
) -> Result<Option<Charset>> {
    if let Some(charset) = given
        && !charset.allows(new.expose())
    {
        return Err(Error::Invalid(format!(
            "the new password has characters that --charset {} does not allow; nothing was changed",
            charset.as_str()
        )));
    }
    let charset = given.or(old.filter(|c| c.allows(new.expose())));
    Ok(charset.filter(|c| *c != Charset::Full))
}

/// The refusal of `--field NAME=VALUE` for a field that is secret: it would turn the
/// field into a plain one (shown unmasked, printed in the clear), with a value that came
/// through the command line. Removing the field first (`--remove-field`) is the
/// deliberate way to make it plain.
pub fn secret_field_via_argv(path: &str, name: &str) -> Error {
    Error::Invalid(format!(
        "field {name:?} of entry {path:?} is secret, and --field would make it a plain field with a value from the command line (which other users can see in the process list, and the shell keeps in its history); use --secret-field {name:?} to ask for it on the terminal, or --secret-field-stdin {name:?} to read it from stdin; nothing was changed (if the value you typed is the real secret, change it)"
    ))
}

/// Adds a new entry at `path`, built from `patch`.
pub fn add(h: &Handover, id: &ClientId, path: &str, patch: EntryPatch) -> Result<Entry> {
    validate_path(path)?;
    let mut entry = Entry::new(path.to_owned(), Kind::Login);
    let set = patch.apply(&mut entry)?;
    let now = Utc::now();
    entry.created = Some(now);
    entry.updated = Some(now);
    entry.validate()?;
    h.update(id, |client| {
        if client.entry(path).is_some() {
            return Err(Error::EntryExists {
                client: id.to_string(),
                path: path.to_owned(),
            });
        }
        client.record(history::entry_event(EventKind::EntryCreated, &entry).with_fields(&set));
        client.entries.push(entry.clone());
        Ok(entry)
    })
}

/// Changes an entry; returns the names of the changed values.
pub fn edit(
    h: &Handover,
    id: &ClientId,
    path: &str,
    patch: EntryPatch,
) -> Result<Vec<&'static str>> {
    h.update(id, |client| {
        let index = client.entry_named(path)?;
        let entry = &mut client.entries[index];
        let changed = patch.apply(entry)?;
        entry.validate()?;
        if !changed.is_empty() {
            entry.updated = Some(Utc::now());
            let event = history::entry_event(EventKind::EntryChanged, entry).with_fields(&changed);
            client.record(event);
        }
        Ok(changed)
    })
}

/// What [`set_kind_under`] did: each changed entry with its former kind, and the
/// entries under the folder that already were of the kind.
#[derive(Debug, Default)]
pub struct KindChange {
    pub changed: Vec<(String, Kind)>,
    pub unchanged: Vec<String>,
}

/// Sets the kind of every entry at or under the folder `prefix` (`Netzwerk/` or
/// `Netzwerk`: `Netzwerk/WLAN` and `Netzwerk/Router/admin`, not `Netzwerke/x`), all in
/// one write, with one history event per changed entry. Refuses a folder that holds
/// no entry, naming it, so that a typo changes nothing silently.
pub fn set_kind_under(h: &Handover, id: &ClientId, prefix: &str, kind: Kind) -> Result<KindChange> {
    let folder = prefix.trim_end_matches('/');
    if folder.is_empty() {
        return Err(Error::Invalid(
            "--prefix needs a folder, e.g. --prefix Netzwerk/".into(),
        ));
    }
    let under = |path: &str| {
        path == folder
            || path
                .strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    h.update(id, |client| {
        let mut report = KindChange::default();
        let now = Utc::now();
        let mut events = Vec::new();
        for e in client.entries.iter_mut().filter(|e| under(&e.path)) {
            if e.kind == kind {
                report.unchanged.push(e.path.clone());
                continue;
            }
            let old = e.kind;
            report.changed.push((e.path.clone(), old));
            e.kind = kind;
            e.updated = Some(now);
            events.push(
                history::entry_event(EventKind::EntryChanged, e)
                    .with_fields(&["kind"])
                    .with_detail(format!("kind {old} -> {kind}, with every entry under {folder}/")),
            );
        }
        if report.changed.is_empty() && report.unchanged.is_empty() {
            return Err(Error::Invalid(format!(
                "client {id} has no entry at or under {folder}/ (paths are case-sensitive; `handover list {id}` shows them); nothing changed"
            )));
        }
        for event in events {
            client.record(event);
        }
        Ok(report)
    })
}

pub fn remove(h: &Handover, id: &ClientId, path: &str) -> Result<()> {
    h.update(id, |client| {
        let index = client.entry_named(path)?;
        let removed = client.entries.remove(index);
        let unlinked = client.unlink_entry(removed.id);
        let mut event = history::entry_event(EventKind::EntryRemoved, &removed);
        if !unlinked.is_empty() {
            event = event.with_detail(format!("unlinked from {}", unlinked.join(", ")));
        }
        client.record(event);
        Ok(())
    })
}

/// Renames an entry's path; its id stays, so history and references follow it.
pub fn rename(h: &Handover, id: &ClientId, from: &str, to: &str) -> Result<()> {
    validate_path(to)?;
    h.update(id, |client| {
        if client.entry(to).is_some() {
            return Err(Error::EntryExists {
                client: id.to_string(),
                path: to.to_owned(),
            });
        }
        let index = client.entry_named(from)?;
        let entry = &mut client.entries[index];
        let from = std::mem::take(&mut entry.path);
        let old_default_title = entry.title == path_name(&from);
        entry.path = to.to_owned();
        if old_default_title {
            entry.title = path_name(to).to_owned();
        }
        entry.updated = Some(Utc::now());
        let event =
            history::entry_event(EventKind::EntryMoved, entry).with_detail(format!("from {from}"));
        client.record(event);
        Ok(())
    })
}

/// What to do when an imported entry's path is already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnConflict {
    /// Refuse the whole import, naming the path.
    #[default]
    Fail,
    Skip,
    Replace,
    /// Import under a free path: `name (2)`, `name (3)`, …
    Rename,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub replaced: Vec<String>,
    pub skipped: Vec<String>,
    /// `(wanted path, path used)`
    pub renamed: Vec<(String, String)>,
}

/// Imports entries all-or-nothing. With `dry_run`, reports without writing.
pub fn import(
    h: &Handover,
    id: &ClientId,
    entries: Vec<Entry>,
    on_conflict: OnConflict,
    dry_run: bool,
) -> Result<ImportReport> {
    import_from(h, id, entries, on_conflict, dry_run, None)
}

/// [`import`], naming the source format in the history (`format` is the command-line
/// format name, e.g. `json`).
pub fn import_from(
    h: &Handover,
    id: &ClientId,
    entries: Vec<Entry>,
    on_conflict: OnConflict,
    dry_run: bool,
    format: Option<&str>,
) -> Result<ImportReport> {
    let plan = |client: &mut crate::model::Client| -> Result<ImportReport> {
        Ok(import_into(client, entries, on_conflict, format)?.0)
    };
    if dry_run {
        let mut client = h.load(id)?;
        plan(&mut client)
    } else {
        h.update(id, plan)
    }
}

/// The heart of [`import_from`], on a loaded client: returns the report and, for each
/// imported entry's id, the id of the entry it became (or the existing entry that was
/// skipped or replaced), so that links in a whole-client import can follow.
pub(crate) fn import_into(
    client: &mut crate::model::Client,
    entries: Vec<Entry>,
    on_conflict: OnConflict,
    format: Option<&str>,
) -> Result<(ImportReport, HashMap<uuid::Uuid, uuid::Uuid>)> {
    let now = Utc::now();
    let mut ids_map: HashMap<uuid::Uuid, uuid::Uuid> = HashMap::new();
    let mut report = ImportReport::default();
    // Indexes of paths and ids: imports of tens of thousands of entries must not
    // search the whole vault once per entry.
    let mut paths: HashMap<String, usize> = client
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.clone(), i))
        .collect();
    let mut ids: HashSet<uuid::Uuid> = client.entries.iter().map(|e| e.id).collect();
    for mut entry in entries {
        entry.validate().map_err(|e| {
            Error::Invalid(format!(
                "the entry {:?} cannot be imported: {e}; nothing was imported",
                entry.path
            ))
        })?;
        entry.created.get_or_insert(now);
        entry.updated.get_or_insert(now);
        let file_id = entry.id;
        if ids.contains(&entry.id) {
            // Ids must stay unique; an entry imported twice gets a fresh one.
            entry.id = uuid::Uuid::new_v4();
        }
        match paths.get(&entry.path).copied() {
            None => {
                report.added.push(entry.path.clone());
                paths.insert(entry.path.clone(), client.entries.len());
                ids.insert(entry.id);
                ids_map.insert(file_id, entry.id);
                client.entries.push(entry);
            }
            Some(index) => match on_conflict {
                OnConflict::Fail => {
                    return Err(Error::Invalid(format!(
                        "the entry {:?} is already in the vault; nothing was imported. Choose what happens to entries already there with --on-conflict skip, replace or rename",
                        entry.path
                    )));
                }
                OnConflict::Skip => {
                    report.skipped.push(entry.path.clone());
                    ids_map.insert(file_id, client.entries[index].id);
                }
                OnConflict::Replace => {
                    report.replaced.push(entry.path.clone());
                    entry.id = client.entries[index].id;
                    ids_map.insert(file_id, entry.id);
                    client.entries[index] = entry;
                }
                OnConflict::Rename => {
                    let wanted = entry.path.clone();
                    let mut n = 2;
                    while paths.contains_key(&format!("{wanted} ({n})")) {
                        n += 1;
                    }
                    entry.path = format!("{wanted} ({n})");
                    validate_path(&entry.path)?;
                    report.renamed.push((wanted, entry.path.clone()));
                    paths.insert(entry.path.clone(), client.entries.len());
                    ids.insert(entry.id);
                    ids_map.insert(file_id, entry.id);
                    client.entries.push(entry);
                }
            },
        }
    }
    let imported = report.added.len() + report.replaced.len() + report.renamed.len();
    if imported > 0 {
        let mut detail = format!(
            "{imported} entries ({} added, {} replaced, {} renamed, {} skipped)",
            report.added.len(),
            report.replaced.len(),
            report.renamed.len(),
            report.skipped.len()
        );
        if let Some(format) = format {
            detail.push_str(&format!(" from {format}"));
        }
        client.record(history::event(EventKind::EntriesImported).with_detail(detail));
    }
    Ok((report, ids_map))
}
