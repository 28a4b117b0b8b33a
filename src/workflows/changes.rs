//! What changed in a vault since a dossier was printed, a bundle written or the client
//! taken over: the entries by path and the names of their changed fields, the systems,
//! networks, vendors, documents and decisions by name, and the parts of the client's
//! profile. Never a value.
//!
//! Entries are compared by digest where the record kept them (the newest dossier and
//! bundle, a takeover); field names, the other items and the profile come from the
//! history since the record's date, as do the entries of a record without digests.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::{Client, Event, EventKind};

/// What changed since a record, by name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Entries that are new, by path.
    pub added: Vec<String>,
    /// Entries that are gone, by their last path.
    pub removed: Vec<String>,
    /// Entries that changed, by path, with the names of the fields the history says
    /// changed (empty when it says nothing, e.g. after an import replaced one).
    pub modified: Vec<(String, Vec<String>)>,
    /// Systems, networks, vendors, documents and decisions that were added, changed or
    /// removed: (what, name, how), e.g. ("system", "Fileserver", "added").
    pub items: Vec<(&'static str, String, &'static str)>,
    /// The parts of the client's profile that changed ("contacts", "recipients", …).
    pub client: Vec<String>,
    /// Entries were imported since, and the record has no digests to tell which.
    pub imported_unknown: bool,
}

impl Changes {
    /// How many entries changed.
    pub fn entries(&self) -> usize {
        self.added.len() + self.removed.len() + self.modified.len()
    }
}

/// What changed in `client` since a record made at `at` that kept `then` (entry id →
/// digest; empty when it kept none); `now` are the client's digests today.
pub fn since(
    client: &Client,
    at: DateTime<Utc>,
    then: &BTreeMap<Uuid, String>,
    now: &BTreeMap<Uuid, String>,
) -> Changes {
    let events: Vec<&Event> = client.history.iter().filter(|e| e.at > at).collect();
    let fields = entry_fields(&events);
    let path_of = |id: &Uuid| -> String {
        client
            .entry_by_id(*id)
            .map(|e| e.path.clone())
            .or_else(|| last_path(&client.history, id))
            .unwrap_or_else(|| format!("(entry {id})"))
    };
    let mut changes = Changes::default();
    if then.is_empty() {
        entries_from_history(client, &events, &mut changes);
    } else {
        changes.added = now
            .keys()
            .filter(|k| !then.contains_key(k))
            .map(path_of)
            .collect();
        changes.removed = then
            .keys()
            .filter(|k| !now.contains_key(k))
            .map(path_of)
            .collect();
        changes.modified = now
            .iter()
            .filter(|(k, d)| then.get(k).is_some_and(|old| old != *d))
            .map(|(k, _)| (path_of(k), fields.get(k).cloned().unwrap_or_default()))
            .collect();
    }
    changes.added.sort();
    changes.removed.sort();
    changes.modified.sort();
    items_and_profile(&events, &mut changes);
    changes
}

impl Changes {
    /// Nothing at all changed (as far as the record and the history tell).
    pub fn is_empty(&self) -> bool {
        self.entries() == 0
            && self.items.is_empty()
            && self.client.is_empty()
            && !self.imported_unknown
    }

    /// The count of changed entries, for a sentence: "3 entries changed (1 added,
    /// 1 removed, 1 modified)", or what else changed when no entry did.
    pub fn count(&self) -> String {
        match self.entries() {
            0 => summary(self),
            n => format!(
                "{n} {} changed ({} added, {} removed, {} modified)",
                if n == 1 { "entry" } else { "entries" },
                self.added.len(),
                self.removed.len(),
                self.modified.len()
            ),
        }
    }

    /// One line per change, by name (paths, field names, item names: never a value),
    /// as `verify` lists them: "changed   m365/admin: password, rotated".
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = |what: &str, text: String| lines.push(format!("{what:<9} {text}"));
        for path in &self.added {
            line("added", path.clone());
        }
        for path in &self.removed {
            line("removed", path.clone());
        }
        for (path, fields) in &self.modified {
            match fields.is_empty() {
                true => line("changed", path.clone()),
                false => line("changed", format!("{path}: {}", fields.join(", "))),
            }
        }
        if self.imported_unknown {
            line(
                "imported",
                "entries (which ones, the record of that date does not tell)".into(),
            );
        }
        for (what, name, how) in &self.items {
            line(what, format!("{name} ({how})"));
        }
        if !self.client.is_empty() {
            line("client", self.client.join(", "));
        }
        lines
    }
}

/// A one-line count for `check`: "3 entries changed", or what else did.
pub fn summary(changes: &Changes) -> String {
    match changes.entries() {
        0 => "no entry changed, but the client's profile, contacts, recipients, systems, networks, vendors, documents or decisions did".into(),
        1 => "1 entry changed".into(),
        n => format!("{n} entries changed"),
    }
}

/// The entries of a record without digests, as the history tells them: created since
/// (and still there), removed since (and there before), and changed.
fn entries_from_history(client: &Client, events: &[&Event], changes: &mut Changes) {
    let fields = entry_fields(events);
    let mut created = BTreeSet::new();
    let mut removed: BTreeMap<Uuid, String> = BTreeMap::new();
    for e in events {
        let Some(id) = e.entry else {
            if e.kind == EventKind::EntriesImported {
                changes.imported_unknown = true;
            }
            continue;
        };
        match e.kind {
            EventKind::EntryCreated => {
                created.insert(id);
            }
            // One created and removed again since is no change.
            EventKind::EntryRemoved if !created.remove(&id) => {
                removed.insert(id, e.path.clone().unwrap_or_else(|| id.to_string()));
            }
            _ => {}
        }
    }
    for entry in client.sorted_entries() {
        if created.contains(&entry.id) {
            changes.added.push(entry.path.clone());
        } else if let Some(names) = fields.get(&entry.id) {
            changes.modified.push((entry.path.clone(), names.clone()));
        }
    }
    changes.removed = removed.into_values().collect();
}

/// The names of the fields each entry's events since changed, in first-seen order; a
/// move names "path".
fn entry_fields(events: &[&Event]) -> BTreeMap<Uuid, Vec<String>> {
    let mut out: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for e in events {
        let Some(id) = e.entry else { continue };
        let names: Vec<String> = match e.kind {
            EventKind::EntryChanged | EventKind::EntryRotated => e.fields.clone(),
            EventKind::EntryMoved => vec!["path".into()],
            _ => continue,
        };
        let list = out.entry(id).or_default();
        for name in names {
            if !list.contains(&name) {
                list.push(name);
            }
        }
    }
    out
}

/// An entry's last path in the history (for one that is gone).
fn last_path(history: &[Event], id: &Uuid) -> Option<String> {
    history
        .iter()
        .rev()
        .find(|e| e.entry.as_ref() == Some(id) && e.path.is_some())
        .and_then(|e| e.path.clone())
}

/// The systems, networks, vendors, documents and decisions, and the parts of the
/// profile, that the events name.
fn items_and_profile(events: &[&Event], changes: &mut Changes) {
    // (what, name) → how: added (and perhaps changed since), changed, or removed; one
    // added and removed again since is no change.
    let mut items: BTreeMap<(&'static str, String), &'static str> = BTreeMap::new();
    let mut client = Vec::new();
    let mut note = |name: &str| {
        if !client.iter().any(|c| c == name) {
            client.push(name.to_owned());
        }
    };
    for e in events {
        use EventKind as K;
        let (what, how) = match e.kind {
            K::SystemCreated => ("system", "added"),
            K::SystemChanged => ("system", "changed"),
            K::SystemRemoved => ("system", "removed"),
            K::NetworkCreated => ("network", "added"),
            K::NetworkChanged => ("network", "changed"),
            K::NetworkRemoved => ("network", "removed"),
            K::VendorCreated => ("vendor", "added"),
            K::VendorChanged => ("vendor", "changed"),
            K::VendorRemoved => ("vendor", "removed"),
            K::DocumentCreated => ("document", "added"),
            K::DocumentChanged => ("document", "changed"),
            K::DocumentRemoved => ("document", "removed"),
            K::DecisionCreated => ("decision", "added"),
            K::DecisionChanged => ("decision", "changed"),
            K::DecisionRemoved => ("decision", "removed"),
            K::ClientChanged => {
                e.fields.iter().for_each(|f| note(f));
                continue;
            }
            K::RecipientsChanged | K::ClientKeyCreated => {
                note("recipients");
                continue;
            }
            K::KnowledgeImported => {
                note("knowledge (imported)");
                continue;
            }
            _ => continue,
        };
        let Some(name) = &e.path else { continue };
        let key = (what, name.clone());
        match (items.get(&key).copied(), how) {
            (Some("added"), "removed") => {
                items.remove(&key);
            }
            (Some("added"), _) => {}
            _ => {
                items.insert(key, how);
            }
        }
    }
    changes.items = items
        .into_iter()
        .map(|((what, name), how)| (what, name, how))
        .collect();
    changes.client = client;
}
