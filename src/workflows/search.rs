//! `handover search`: find records across clients by their non-secret text. A secret
//! value (password, TOTP, recovery codes, secret fields) is never compared and never
//! returned; a hit names the record and the part that matched, not the text.

use serde::Serialize;

use crate::error::Result;
use crate::model::{Client, ClientId};
use crate::workflows::Handover;
use crate::workflows::status::{Unreadable, for_each_client};

/// One record that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub client: ClientId,
    /// entry, system, network, vendor, document or decision.
    pub record: &'static str,
    /// The entry path or document path, or the record's name or title.
    pub name: String,
    /// Which parts matched (`username`, `notes`, `field "VLAN"`, ...).
    pub matched: Vec<String>,
}

pub use crate::model::names::fold;

/// The records of `client` whose non-secret text contains `term` (folded).
pub fn search_client(client: &Client, term: &str) -> Vec<Hit> {
    let needle = fold(term);
    let mut hits = Vec::new();
    let mut consider = |record: &'static str, name: &str, parts: Vec<(String, &str)>| {
        let matched: Vec<String> = parts
            .into_iter()
            .filter(|(_, text)| fold(text).contains(&needle))
            .map(|(part, _)| part)
            .collect();
        if !matched.is_empty() {
            hits.push(Hit {
                client: client.id.clone(),
                record,
                name: name.to_owned(),
                matched,
            });
        }
    };
    for e in &client.entries {
        let mut parts: Vec<(String, &str)> =
            vec![("path".into(), &e.path), ("title".into(), &e.title)];
        let optional = [
            ("username", &e.username),
            ("url", &e.url),
            ("host", &e.host),
            ("notes", &e.notes),
            ("location", &e.location),
        ];
        for (part, v) in optional {
            if let Some(v) = v {
                parts.push((part.into(), v));
            }
        }
        for t in &e.tags {
            parts.push(("tag".into(), t));
        }
        for f in &e.fields {
            parts.push((format!("field name {:?}", f.name), &f.name));
            // Only a field marked not secret is compared by its value.
            if !f.secret {
                parts.push((format!("field {:?}", f.name), f.value.expose()));
            }
        }
        consider("entry", &e.path, parts);
    }
    let knowledge = [
        ("system", json_records(&client.systems, |s| s.name.clone())),
        (
            "network",
            json_records(&client.networks, |n| n.name.clone()),
        ),
        ("vendor", json_records(&client.vendors, |v| v.name.clone())),
        (
            "document",
            json_records(&client.documents, |d| d.path.clone()),
        ),
        (
            "decision",
            json_records(&client.decisions, |d| d.title.clone()),
        ),
    ];
    for (record, records) in knowledge {
        for (name, texts) in records {
            let parts = texts.iter().map(|(k, v)| (k.clone(), v.as_str())).collect();
            consider(record, &name, parts);
        }
    }
    hits
}

/// The string values of records that hold no secrets (systems, networks, vendors,
/// documents, decisions), each with the name of the field it is in.
fn json_records<T: Serialize>(
    records: &[T],
    name: impl Fn(&T) -> String,
) -> Vec<(String, Vec<(String, String)>)> {
    records
        .iter()
        .map(|r| {
            let mut texts = Vec::new();
            if let Ok(v) = serde_json::to_value(r) {
                strings("", &v, &mut texts);
            }
            (name(r), texts)
        })
        .collect()
}

fn strings(key: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((key.to_owned(), s.clone())),
        serde_json::Value::Array(items) => items.iter().for_each(|i| strings(key, i, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k != "id" && !k.ends_with("_id") && k != "entries" {
                    strings(k, v, out);
                }
            }
        }
        _ => {}
    }
}

/// Every hit across the store, or in `only` one client.
pub fn search(
    h: &Handover,
    term: &str,
    only: Option<&ClientId>,
) -> Result<(Vec<Hit>, Vec<Unreadable>)> {
    if let Some(id) = only {
        return Ok((search_client(&h.load(id)?, term), Vec::new()));
    }
    let mut hits = Vec::new();
    let mut unreadable = Vec::new();
    for_each_client(h, &mut unreadable, |c| hits.extend(search_client(c, term)))?;
    Ok((hits, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Kind, Secret};

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Gäste-WLAN"), "gaeste-wlan");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("GÄSTE"), fold("gaeste"));
        assert_eq!(fold("Café"), "cafe");
    }

    #[test]
    fn never_matches_a_secret_value() {
        let id = ClientId::parse("acme").unwrap();
        let mut c = Client::new(id, "Acme".into(), vec![], chrono::Utc::now());
        let mut e = Entry::new("WLAN/Gäste".into(), Kind::Login);
        e.password = Some(Secret::new("strasse-geheim".to_owned()));
        c.entries.push(e);
        assert!(search_client(&c, "strasse").is_empty());
        let hits = search_client(&c, "gaeste");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].matched, vec!["path".to_owned(), "title".to_owned()]);
    }
}
