//! The three-way merge of two copies of one client's vault: base (what both started
//! from), ours and theirs. Pure: no I/O, no keys; the caller decrypts and re-seals.
//!
//! Records (entries, systems, networks, vendors, documents, decisions) are matched by
//! id and merged value by value, on the vault's own JSON form, so that every field a
//! record has, or will have, is merged the same way:
//! - a value changed on one side is taken; values changed on different sides combine;
//! - the same value changed differently on both sides keeps ours in place and theirs
//!   in a sibling record named "… (merge conflict)", listed in `merge_conflicts`;
//! - a record removed on one side and changed on the other is kept, changed;
//! - histories and the dossier, bundle and takeover records are unions;
//! - a recipient removed on either side is removed (removal wins).
//!
//! The JSON copies hold secrets, so every string in them is wiped when they are
//! dropped ([`Plain`]).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroize;

use crate::error::{Error, Result};
use crate::model::{Client, MAX_DOSSIER_RECORDS, MergeConflict};

/// The record lists merged by id, with the key that names a record to people and the
/// name `merge_conflicts` gives the kind.
const RECORDS: [(&str, &str, &str); 6] = [
    ("entries", "path", "entry"),
    ("systems", "name", "system"),
    ("networks", "name", "network"),
    ("vendors", "name", "vendor"),
    ("documents", "path", "document"),
    ("decisions", "title", "decision"),
];

/// Lists kept as the union of both sides, in time order, by their time key.
const UNIONS: [(&str, &str); 4] = [
    ("history", "at"),
    ("dossiers", "exported"),
    ("bundles", "exported"),
    ("takeovers", "at"),
];

/// What a sibling record's name gets, so that a person sees both versions side by side.
pub const CONFLICT_SUFFIX: &str = " (merge conflict)";

/// The result of a merge, and what a person should be told about it.
pub struct Merged {
    pub client: Client,
    /// The conflicts this merge found (also recorded in `client.merge_conflicts`).
    pub conflicts: Vec<MergeConflict>,
    /// Recipients that one side added: the vault is now readable by them too.
    pub recipients_added: Vec<String>,
    /// Recipients that one side removed (removal wins).
    pub recipients_removed: Vec<String>,
}

/// A vault as JSON, its strings wiped on drop.
struct Plain(Value);

impl Drop for Plain {
    fn drop(&mut self) {
        wipe_value(&mut self.0);
    }
}

/// Wipes every string of a vault's JSON form, which holds its secrets.
pub fn wipe_value(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(wipe_value),
        Value::Object(o) => o.values_mut().for_each(wipe_value),
        _ => {}
    }
}

fn plain(client: &Client) -> Result<Plain> {
    serde_json::to_value(client)
        .map(Plain)
        .map_err(|e| Error::Invalid(format!("cannot encode the vault for merging: {e}")))
}

/// Merges `ours` and `theirs`, two copies of a client's vault changed since `base`
/// (`None` when the client was created on both sides). The result's revision is the
/// higher of the two; writing it raises it by one.
pub fn merge(
    base: Option<&Client>,
    ours: &Client,
    theirs: &Client,
    now: DateTime<Utc>,
) -> Result<Merged> {
    let b = match base {
        Some(base) => plain(base)?,
        None => Plain(Value::Object(Map::new())),
    };
    let (o, t) = (plain(ours)?, plain(theirs)?);
    let (Some(bm), Some(om), Some(tm)) = (b.0.as_object(), o.0.as_object(), t.0.as_object()) else {
        return Err(Error::Invalid("a vault is not a JSON object".into()));
    };
    let mut state = State {
        now,
        conflicts: Vec::new(),
    };
    let mut out = Map::new();
    for key in union_keys(bm, om, tm) {
        let (bv, ov, tv) = (bm.get(&key), om.get(&key), tm.get(&key));
        if let Some(v) = state.merge_key(&key, bv, ov, tv) {
            out.insert(key, v);
        }
    }
    let mut result = Plain(Value::Object(out));
    let value = std::mem::take(&mut result.0);
    let mut client: Client = serde_json::from_value(value)
        .map_err(|e| Error::Invalid(format!("the merged vault does not parse: {e}")))?;
    client.revision = ours.revision.max(theirs.revision);
    client.updated = ours.updated.max(theirs.updated);
    let (recipients_added, recipients_removed) = merge_recipients(
        &mut client,
        base.map_or(&[], |b| &b.recipients),
        ours,
        theirs,
    );
    repair_links(&mut client);
    client
        .merge_conflicts
        .extend(state.conflicts.iter().cloned());
    client.validate()?;
    Ok(Merged {
        client,
        conflicts: state.conflicts,
        recipients_added,
        recipients_removed,
    })
}

struct State {
    now: DateTime<Utc>,
    conflicts: Vec<MergeConflict>,
}

impl State {
    fn merge_key(
        &mut self,
        key: &str,
        b: Option<&Value>,
        o: Option<&Value>,
        t: Option<&Value>,
    ) -> Option<Value> {
        if let Some((_, name_key, kind)) = RECORDS.iter().find(|(k, _, _)| *k == key) {
            let merged = self.merge_records(kind, name_key, b, o, t);
            return Some(Value::Array(merged));
        }
        if let Some((_, at)) = UNIONS.iter().find(|(k, _)| *k == key) {
            return Some(Value::Array(union(key, at, o, t)));
        }
        if key == "merge_conflicts" {
            return Some(Value::Array(union(key, "at", o, t)));
        }
        match three_way(b, o, t) {
            Pick::Same(v) => v.cloned(),
            Pick::Conflict => {
                self.client_conflict(key, t);
                o.cloned()
            }
        }
    }

    fn client_conflict(&mut self, key: &str, theirs: Option<&Value>) {
        // Revisions, times and recipients are merged on the typed client afterwards.
        if matches!(key, "revision" | "updated" | "created" | "recipients") {
            return;
        }
        let value = theirs
            .map(Value::to_string)
            .unwrap_or_else(|| "null".into());
        match self.conflicts.iter_mut().find(|c| c.record == "client") {
            Some(c) => {
                c.fields.push(key.to_owned());
                c.theirs.push((key.to_owned(), value));
            }
            None => self.conflicts.push(MergeConflict {
                record: "client".into(),
                id: None,
                sibling: None,
                name: String::new(),
                fields: vec![key.to_owned()],
                theirs: vec![(key.to_owned(), value)],
                at: self.now,
            }),
        }
    }

    fn merge_records(
        &mut self,
        kind: &str,
        name_key: &str,
        b: Option<&Value>,
        o: Option<&Value>,
        t: Option<&Value>,
    ) -> Vec<Value> {
        let (b, o, t) = (by_id(b), by_id(o), by_id(t));
        let known: HashSet<&str> = o.iter().map(|(id, _)| *id).collect();
        let mut out: Vec<Value> = Vec::new();
        let mut order: Vec<&str> = o.iter().map(|(id, _)| *id).collect();
        order.extend(
            t.iter()
                .map(|(id, _)| *id)
                .filter(|id| !o.iter().any(|(i, _)| i == id)),
        );
        for id in order {
            let (bv, ov, tv) = (find(&b, id), find(&o, id), find(&t, id));
            match (ov, tv) {
                (Some(ov), Some(tv)) => self.both(kind, name_key, bv, (ov, tv), &known, &mut out),
                (Some(one), None) | (None, Some(one)) => {
                    // Absent on the other side: new here, or removed there. A removal
                    // wins only over a record this side left as it was.
                    if bv != Some(one) {
                        out.push(one.clone());
                    }
                }
                (None, None) => {}
            }
        }
        dedupe_names(&mut out, name_key);
        out
    }

    fn both(
        &mut self,
        kind: &str,
        name_key: &str,
        b: Option<&Value>,
        (o, t): (&Value, &Value),
        known: &HashSet<&str>,
        out: &mut Vec<Value>,
    ) {
        if o == t {
            out.push(o.clone());
            return;
        }
        let (merged, fields) = merge_record(b, o, t);
        out.push(merged);
        if fields.is_empty() {
            return;
        }
        let sibling_id = sibling_id(o, t);
        // Merging the same two again (a sync resumed after a crash) finds the sibling
        // it made, in ours or already in the result, and adds no second one.
        if known.contains(sibling_id.as_str())
            || out.iter().any(|r| record_id(r) == Some(&sibling_id))
        {
            return;
        }
        let name = o
            .get(name_key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut sibling = t.clone();
        if let Value::Object(m) = &mut sibling {
            m.insert("id".into(), Value::String(sibling_id.clone()));
            m.insert(
                name_key.into(),
                Value::String(format!("{name}{CONFLICT_SUFFIX}")),
            );
        }
        self.conflicts.push(MergeConflict {
            record: kind.into(),
            id: record_id(o).and_then(|s| Uuid::parse_str(s).ok()),
            sibling: Uuid::parse_str(&sibling_id).ok(),
            name,
            fields,
            theirs: Vec::new(),
            at: self.now,
        });
        out.push(sibling);
    }
}

enum Pick<'a> {
    Same(Option<&'a Value>),
    Conflict,
}

/// One value, three ways: equal on both sides, or changed on one only, or conflicting.
fn three_way<'a>(b: Option<&'a Value>, o: Option<&'a Value>, t: Option<&'a Value>) -> Pick<'a> {
    if o == t || t == b {
        Pick::Same(o)
    } else if o == b {
        Pick::Same(t)
    } else {
        Pick::Conflict
    }
}

/// Merges one record present on both sides value by value; returns it and the names
/// of the values changed differently on both sides (ours kept).
fn merge_record(b: Option<&Value>, o: &Value, t: &Value) -> (Value, Vec<String>) {
    let empty = Map::new();
    let bm = b.and_then(Value::as_object).unwrap_or(&empty);
    let (Some(om), Some(tm)) = (o.as_object(), t.as_object()) else {
        return (o.clone(), Vec::new());
    };
    let mut out = Map::new();
    let mut fields = Vec::new();
    for key in union_keys(bm, om, tm) {
        let (bv, ov, tv) = (bm.get(&key), om.get(&key), tm.get(&key));
        let picked = match (key.as_str(), three_way(bv, ov, tv)) {
            ("updated", _) => later(ov, tv),
            ("created", _) => ov.or(tv),
            (_, Pick::Same(v)) => v,
            (_, Pick::Conflict) => {
                fields.push(key.clone());
                ov
            }
        };
        if let Some(v) = picked {
            out.insert(key, v.clone());
        }
    }
    (Value::Object(out), fields)
}

/// The later of two RFC 3339 times (they sort as text when both are UTC).
fn later<'a>(a: Option<&'a Value>, b: Option<&'a Value>) -> Option<&'a Value> {
    match (a.and_then(Value::as_str), b.and_then(Value::as_str)) {
        (Some(x), Some(y)) if y > x => b,
        (None, Some(_)) => b,
        _ => a,
    }
}

/// The sibling's id is derived from both versions, so that it is the same each time
/// the same two are merged.
fn sibling_id(o: &Value, t: &Value) -> String {
    let mut h = Sha256::new();
    h.update(record_id(o).unwrap_or("").as_bytes());
    let mut theirs = t.to_string();
    h.update(theirs.as_bytes());
    theirs.zeroize();
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn record_id(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

fn by_id(list: Option<&Value>) -> Vec<(&str, &Value)> {
    list.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|r| Some((record_id(r)?, r))).collect())
        .unwrap_or_default()
}

fn find<'a>(list: &[(&str, &'a Value)], id: &str) -> Option<&'a Value> {
    list.iter().find(|(i, _)| *i == id).map(|(_, v)| *v)
}

fn union_keys(
    b: &Map<String, Value>,
    o: &Map<String, Value>,
    t: &Map<String, Value>,
) -> Vec<String> {
    let mut keys: Vec<String> = o.keys().cloned().collect();
    for k in t.keys().chain(b.keys()) {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    keys
}

/// Two records created on different sides under one name (or path): the later one
/// is renamed, as a sibling would be, so that neither is lost.
fn dedupe_names(records: &mut [Value], name_key: &str) {
    let mut seen = HashSet::new();
    for r in records.iter_mut() {
        let Some(name) = r.get(name_key).and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        let mut candidate = name.clone();
        let mut n = 1;
        while !seen.insert(candidate.to_lowercase()) {
            n += 1;
            candidate = match n {
                2 => format!("{name}{CONFLICT_SUFFIX}"),
                _ => format!("{name}{CONFLICT_SUFFIX} {n}"),
            };
        }
        if candidate != name
            && let Value::Object(m) = r
        {
            m.insert(name_key.into(), Value::String(candidate));
        }
    }
}

/// The union of a list of records in time order, each once.
fn union(key: &str, at: &str, o: Option<&Value>, t: Option<&Value>) -> Vec<Value> {
    let mut out: Vec<Value> = o.and_then(Value::as_array).cloned().unwrap_or_default();
    for r in t.and_then(Value::as_array).into_iter().flatten() {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    out.sort_by(|a, b| {
        let time = |v: &Value| v.get(at).and_then(Value::as_str).unwrap_or("").to_owned();
        time(a).cmp(&time(b))
    });
    if matches!(key, "dossiers" | "bundles") {
        keep_newest(&mut out);
    }
    out
}

/// Dossier and bundle records: at most [`MAX_DOSSIER_RECORDS`], entry digests on the
/// newest only, as every write keeps them.
fn keep_newest(records: &mut Vec<Value>) {
    if records.len() > MAX_DOSSIER_RECORDS {
        records.drain(..records.len() - MAX_DOSSIER_RECORDS);
    }
    let last = records.len().saturating_sub(1);
    for r in &mut records[..last] {
        if let Value::Object(m) = r {
            m.remove("entries");
        }
    }
}

/// Recipients as sets: one removed on either side is removed, one added on either side
/// is added. Returns (added, removed) relative to ours.
fn merge_recipients(
    client: &mut Client,
    base: &[String],
    ours: &Client,
    theirs: &Client,
) -> (Vec<String>, Vec<String>) {
    let removed: Vec<String> = base
        .iter()
        .filter(|r| !ours.recipients.contains(r) || !theirs.recipients.contains(r))
        .cloned()
        .collect();
    let mut merged: Vec<String> = Vec::new();
    for r in ours.recipients.iter().chain(&theirs.recipients) {
        if !removed.contains(r) && !merged.contains(r) {
            merged.push(r.clone());
        }
    }
    let added = merged
        .iter()
        .filter(|r| !ours.recipients.contains(r))
        .cloned()
        .collect();
    let removed_here = ours
        .recipients
        .iter()
        .filter(|r| !merged.contains(r))
        .cloned()
        .collect();
    client.recipients = merged;
    if let Some(cr) = &client.client_recipient
        && !client.recipients.contains(cr)
    {
        client.client_recipient = None;
    }
    (added, removed_here)
}

/// Links to records removed on the other side are dropped, as removing them does.
fn repair_links(client: &mut Client) {
    let entries: HashSet<Uuid> = client.entries.iter().map(|e| e.id).collect();
    let vendors: HashSet<Uuid> = client.vendors.iter().map(|v| v.id).collect();
    let decisions: BTreeMap<Uuid, ()> = client.decisions.iter().map(|d| (d.id, ())).collect();
    for s in &mut client.systems {
        s.entries.retain(|e| entries.contains(e));
        if s.vendor.is_some_and(|v| !vendors.contains(&v)) {
            s.vendor = None;
        }
    }
    for v in &mut client.vendors {
        v.entries.retain(|e| entries.contains(e));
    }
    for d in &mut client.decisions {
        if d.superseded_by.is_some_and(|s| !decisions.contains_key(&s)) {
            d.superseded_by = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Entry, Event, EventKind, Kind, Secret, System};

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    fn base() -> Client {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "ACME".into(),
            vec!["age1a".into(), "age1b".into()],
            t(0),
        );
        for p in ["a", "b", "c"] {
            let mut e = Entry::new(p.into(), Kind::Login);
            e.password = Some(Secret::from(format!("pw-{p}").as_str()));
            e.username = Some(format!("user-{p}"));
            c.entries.push(e);
        }
        let mut s = System::new("fw".into());
        s.entries.push(c.entries[0].id);
        c.systems.push(s);
        c.revision = 3;
        c
    }

    fn entry<'a>(c: &'a Client, path: &str) -> &'a Entry {
        c.entry(path).unwrap_or_else(|| panic!("no entry {path}"))
    }

    fn pw(c: &Client, path: &str) -> String {
        entry(c, path)
            .password
            .as_ref()
            .unwrap()
            .expose()
            .to_owned()
    }

    fn run(b: &Client, o: &Client, th: &Client) -> Merged {
        merge(Some(b), o, th, t(100)).unwrap()
    }

    #[test]
    fn changes_to_different_entries_combine() {
        let b = base();
        let (mut o, mut th) = (b.clone(), b.clone());
        o.entry_mut("a").unwrap().password = Some(Secret::from("new-a"));
        th.entry_mut("b").unwrap().password = Some(Secret::from("new-b"));
        o.revision = 4;
        th.revision = 5;
        let m = run(&b, &o, &th);
        assert_eq!(pw(&m.client, "a"), "new-a");
        assert_eq!(pw(&m.client, "b"), "new-b");
        assert_eq!(pw(&m.client, "c"), "pw-c");
        assert!(m.conflicts.is_empty());
        assert_eq!(m.client.revision, 5, "the higher; writing raises it");
    }

    #[test]
    fn different_fields_of_one_entry_combine() {
        let b = base();
        let (mut o, mut th) = (b.clone(), b.clone());
        o.entry_mut("a").unwrap().password = Some(Secret::from("new-a"));
        th.entry_mut("a").unwrap().username = Some("root".into());
        th.entry_mut("a").unwrap().notes = Some("by them".into());
        let m = run(&b, &o, &th);
        let a = entry(&m.client, "a");
        assert_eq!(pw(&m.client, "a"), "new-a");
        assert_eq!(a.username.as_deref(), Some("root"));
        assert_eq!(a.notes.as_deref(), Some("by them"));
        assert_eq!(m.client.entries.len(), 3);
        assert!(m.client.merge_conflicts.is_empty());
    }

    #[test]
    fn the_same_field_changed_on_both_sides_keeps_both() {
        let b = base();
        let (mut o, mut th) = (b.clone(), b.clone());
        o.entry_mut("a").unwrap().password = Some(Secret::from("ours"));
        th.entry_mut("a").unwrap().password = Some(Secret::from("theirs"));
        th.entry_mut("a").unwrap().notes = Some("n".into());
        let m = run(&b, &o, &th);
        assert_eq!(pw(&m.client, "a"), "ours");
        assert_eq!(entry(&m.client, "a").notes.as_deref(), Some("n"));
        let sibling = entry(&m.client, "a (merge conflict)");
        assert_eq!(sibling.password.as_ref().unwrap().expose(), "theirs");
        assert_ne!(sibling.id, entry(&m.client, "a").id);
        assert_eq!(m.conflicts.len(), 1);
        let c = &m.client.merge_conflicts[0];
        assert_eq!(
            (c.record.as_str(), c.name.as_str(), c.fields.clone()),
            ("entry", "a", vec!["password".to_owned()])
        );
        assert_eq!(c.sibling, Some(sibling.id));
        assert_eq!(m.client.open_conflicts().count(), 1);

        // Merging the result with theirs again (a resumed sync) adds no second sibling.
        let again = run(&b, &m.client, &th);
        assert_eq!(again.client.entries.len(), 4, "{:?}", paths(&again.client));
        assert_eq!(again.client.merge_conflicts.len(), 1);

        // Removing the sibling resolves the conflict.
        let mut resolved = m.client.clone();
        resolved.entries.retain(|e| e.path != "a (merge conflict)");
        assert_eq!(resolved.open_conflicts().count(), 0);
    }

    fn paths(c: &Client) -> Vec<&str> {
        c.entries.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn delete_against_edit_keeps_the_edited_record() {
        let b = base();
        let (mut o, mut th) = (b.clone(), b.clone());
        o.entries.retain(|e| e.path != "a" && e.path != "c");
        o.unlink_entry(b.entries[0].id);
        th.entry_mut("a").unwrap().password = Some(Secret::from("edited"));
        let m = run(&b, &o, &th);
        assert_eq!(pw(&m.client, "a"), "edited", "edited on one side: kept");
        assert!(
            m.client.entry("c").is_none(),
            "removed and not edited: gone"
        );
        assert_eq!(paths(&m.client), ["b", "a"]);
        // Both directions give the same set.
        let m2 = run(&b, &th, &o);
        assert_eq!(pw(&m2.client, "a"), "edited");
        assert!(m2.client.entry("c").is_none());
    }

    #[test]
    fn records_created_on_both_sides_are_all_kept() {
        let b = base();
        let (mut o, mut th) = (b.clone(), b.clone());
        o.entries.push(Entry::new("new".into(), Kind::Note));
        th.entries.push(Entry::new("new".into(), Kind::Note));
        th.entries.push(Entry::new("other".into(), Kind::Note));
        th.systems.push(System::new("FW".into()));
        let m = run(&b, &o, &th);
        assert_eq!(
            paths(&m.client),
            ["a", "b", "c", "new", "new (merge conflict)", "other"]
        );
        let names: Vec<&str> = m.client.systems.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["fw", "FW (merge conflict)"]);
    }

    #[test]
    fn a_client_created_on_both_sides_merges_without_a_base() {
        let b = base();
        let mut th = b.clone();
        for e in &mut th.entries {
            e.id = Uuid::new_v4();
        }
        th.systems.clear();
        th.name = "ACME GmbH".into();
        let m = merge(None, &b, &th, t(100)).unwrap();
        assert_eq!(m.client.entries.len(), 6);
        assert_eq!(m.client.name, "ACME", "ours in place");
        let c = &m.client.merge_conflicts[0];
        assert_eq!(c.record, "client");
        assert_eq!(c.fields, ["name"]);
        assert_eq!(c.theirs, [("name".to_owned(), "\"ACME GmbH\"".to_owned())]);
    }

    #[test]
    fn histories_are_unions_in_time_order() {
        let mut b = base();
        b.record(Event::new(EventKind::ClientCreated, t(1)));
        let (mut o, mut th) = (b.clone(), b.clone());
        o.record(Event::new(EventKind::EntryChanged, t(3)));
        th.record(Event::new(EventKind::EntryCreated, t(2)));
        th.record(Event::new(EventKind::EntryRemoved, t(4)));
        let m = run(&b, &o, &th);
        let kinds: Vec<EventKind> = m.client.history.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::ClientCreated,
                EventKind::EntryCreated,
                EventKind::EntryChanged,
                EventKind::EntryRemoved
            ]
        );
    }

    #[test]
    fn a_removed_recipient_stays_removed_and_additions_are_reported() {
        let b = base();
        let (mut o, mut th) = (b.clone(), b.clone());
        o.recipients.retain(|r| r != "age1b");
        th.recipients.push("age1c".into());
        let m = run(&b, &o, &th);
        assert_eq!(m.client.recipients, ["age1a", "age1c"]);
        assert_eq!(m.recipients_added, ["age1c"]);
        assert!(m.recipients_removed.is_empty());
        let m = run(&b, &th, &o);
        assert_eq!(m.client.recipients, ["age1a", "age1c"]);
        assert_eq!(m.recipients_removed, ["age1b"]);
    }

    #[test]
    fn links_to_records_removed_on_the_other_side_are_dropped() {
        let b = base();
        let (mut o, mut th) = (b.clone(), b.clone());
        // They removed entry a (and its link); we changed the system in another way.
        th.entries.retain(|e| e.path != "a");
        th.unlink_entry(b.entries[0].id);
        o.systems[0].notes = Some("rack 2".into());
        let m = run(&b, &o, &th);
        assert!(m.client.entry("a").is_none());
        assert!(m.client.systems[0].entries.is_empty());
        assert_eq!(m.client.systems[0].notes.as_deref(), Some("rack 2"));
    }

    #[test]
    fn unchanged_sides_give_the_other_side() {
        let b = base();
        let mut th = b.clone();
        th.entry_mut("c").unwrap().title = "Cee".into();
        let m = run(&b, &b, &th);
        assert_eq!(entry(&m.client, "c").title, "Cee");
        let m = run(&b, &th, &b);
        assert_eq!(entry(&m.client, "c").title, "Cee");
    }
}
