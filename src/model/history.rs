//! The append-only history kept inside a vault: what happened to the client and its
//! entries, and when. Events name values (field names, paths), never their contents,
//! so the history can be shown and printed without revealing a secret.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Entry;

/// What kind of change an event records. The kebab-case names are part of the vault
/// format (docs/FORMAT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    ClientCreated,
    ClientChanged,
    EntryCreated,
    EntryChanged,
    EntryRotated,
    EntryRemoved,
    EntryMoved,
    EntriesImported,
    RecipientsChanged,
    ClientKeyCreated,
    BundleExported,
    DossierExported,
    Offboarded,
    TakenOver,
    SystemCreated,
    SystemChanged,
    SystemRemoved,
    NetworkCreated,
    NetworkChanged,
    NetworkRemoved,
    VendorCreated,
    VendorChanged,
    VendorRemoved,
    DocumentCreated,
    DocumentChanged,
    DocumentRemoved,
    DecisionCreated,
    DecisionChanged,
    DecisionRemoved,
    KnowledgeImported,
}

impl EventKind {
    pub const ALL: [EventKind; 30] = [
        EventKind::ClientCreated,
        EventKind::ClientChanged,
        EventKind::EntryCreated,
        EventKind::EntryChanged,
        EventKind::EntryRotated,
        EventKind::EntryRemoved,
        EventKind::EntryMoved,
        EventKind::EntriesImported,
        EventKind::RecipientsChanged,
        EventKind::ClientKeyCreated,
        EventKind::BundleExported,
        EventKind::DossierExported,
        EventKind::Offboarded,
        EventKind::TakenOver,
        EventKind::SystemCreated,
        EventKind::SystemChanged,
        EventKind::SystemRemoved,
        EventKind::NetworkCreated,
        EventKind::NetworkChanged,
        EventKind::NetworkRemoved,
        EventKind::VendorCreated,
        EventKind::VendorChanged,
        EventKind::VendorRemoved,
        EventKind::DocumentCreated,
        EventKind::DocumentChanged,
        EventKind::DocumentRemoved,
        EventKind::DecisionCreated,
        EventKind::DecisionChanged,
        EventKind::DecisionRemoved,
        EventKind::KnowledgeImported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ClientCreated => "client-created",
            EventKind::ClientChanged => "client-changed",
            EventKind::EntryCreated => "entry-created",
            EventKind::EntryChanged => "entry-changed",
            EventKind::EntryRotated => "entry-rotated",
            EventKind::EntryRemoved => "entry-removed",
            EventKind::EntryMoved => "entry-moved",
            EventKind::EntriesImported => "entries-imported",
            EventKind::RecipientsChanged => "recipients-changed",
            EventKind::ClientKeyCreated => "client-key-created",
            EventKind::BundleExported => "bundle-exported",
            EventKind::DossierExported => "dossier-exported",
            EventKind::Offboarded => "offboarded",
            EventKind::TakenOver => "taken-over",
            EventKind::SystemCreated => "system-created",
            EventKind::SystemChanged => "system-changed",
            EventKind::SystemRemoved => "system-removed",
            EventKind::NetworkCreated => "network-created",
            EventKind::NetworkChanged => "network-changed",
            EventKind::NetworkRemoved => "network-removed",
            EventKind::VendorCreated => "vendor-created",
            EventKind::VendorChanged => "vendor-changed",
            EventKind::VendorRemoved => "vendor-removed",
            EventKind::DocumentCreated => "document-created",
            EventKind::DocumentChanged => "document-changed",
            EventKind::DocumentRemoved => "document-removed",
            EventKind::DecisionCreated => "decision-created",
            EventKind::DecisionChanged => "decision-changed",
            EventKind::DecisionRemoved => "decision-removed",
            EventKind::KnowledgeImported => "knowledge-imported",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One history event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(serialize_with = "super::timestamp::serialize")]
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    /// The entry's path at the time of the event (its new path for a move); for a
    /// system, network or vendor its name, for a document its path, for a decision
    /// its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The entry's id, which survives moves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<Uuid>,
    /// The id of the system, network, vendor, document or decision the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Uuid>,
    /// Names of the values that changed, never the values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Free text without secrets (a recipient, a count, an old path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For `dossier-exported`: the fingerprint printed on the dossier; for
    /// `taken-over`: the fingerprint of the bundle as it was taken over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl Event {
    pub fn new(kind: EventKind, at: DateTime<Utc>) -> Self {
        Event {
            at,
            kind,
            path: None,
            entry: None,
            item: None,
            fields: Vec::new(),
            detail: None,
            fingerprint: None,
        }
    }

    /// An event about `entry`: records its path and id.
    pub fn for_entry(kind: EventKind, at: DateTime<Utc>, entry: &Entry) -> Self {
        let mut event = Event::new(kind, at);
        event.path = Some(entry.path.clone());
        event.entry = Some(entry.id);
        event
    }

    /// An event about a system, network, vendor, document or decision: its name
    /// (or path, or title) and id.
    pub fn for_item(kind: EventKind, at: DateTime<Utc>, name: &str, id: Uuid) -> Self {
        let mut event = Event::new(kind, at);
        event.path = Some(name.to_owned());
        event.item = Some(id);
        event
    }

    pub fn dossier_exported(at: DateTime<Utc>, fingerprint: impl Into<String>) -> Self {
        let mut event = Event::new(EventKind::DossierExported, at);
        event.fingerprint = Some(fingerprint.into());
        event
    }

    pub fn with_fields<S: AsRef<str>>(mut self, fields: &[S]) -> Self {
        self.fields = fields.iter().map(|f| f.as_ref().to_owned()).collect();
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn event_json_uses_documented_keys() {
        let entry = Entry::new("fw/admin".into(), Kind::NetworkDevice);
        let e = Event::for_entry(EventKind::EntryChanged, Utc::now(), &entry)
            .with_fields(&["password", "url"]);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "entry-changed");
        assert_eq!(v["path"], "fw/admin");
        assert_eq!(v["fields"][0], "password");
        assert!(v.get("detail").is_none());
        let back: Event = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
        let d = Event::dossier_exported(Utc::now(), "7K3Q-M9XD");
        assert_eq!(
            serde_json::to_value(&d).unwrap()["kind"],
            "dossier-exported"
        );
        assert!(
            serde_json::from_str::<Event>(r#"{"at":"2026-01-01T00:00:00Z","kind":"x"}"#).is_err()
        );
    }
}
