//! What `git diff` and `git log -p` show of a vault (`handover textconv`, registered
//! as the diff driver's `textconv`): one line per record with its path or name and the
//! names of the values it holds, each with a short keyed digest, so that a diff shows
//! which values changed, never a value. The digest is keyed with this machine's
//! identity: whoever can compute it could decrypt the vault anyway.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::Client;

/// The lists of records shown, with the key that names each record.
const LISTS: [(&str, &str, &str); 6] = [
    ("entries", "path", "entry"),
    ("systems", "name", "system"),
    ("networks", "name", "network"),
    ("vendors", "name", "vendor"),
    ("documents", "path", "document"),
    ("decisions", "title", "decision"),
];

/// The text shown for a vault. `key` keys the digests.
pub fn describe(client: &Client, key: &[u8]) -> Result<String> {
    let mut value = serde_json::to_value(client)
        .map_err(|e| Error::Invalid(format!("cannot encode the vault: {e}")))?;
    let mut out = format!(
        "client {} {:?} revision {}\n",
        client.id, client.name, client.revision
    );
    for r in &client.recipients {
        out.push_str(&format!("recipient {r}\n"));
    }
    if let Some(map) = value.as_object() {
        let own: Vec<String> = map
            .iter()
            .filter(|(k, _)| !is_list(k) && !matches!(k.as_str(), "recipients" | "history"))
            .map(|(k, v)| field(key, "client", k, v))
            .collect();
        out.push_str(&format!("client values: {}\n", own.join(" ")));
        for (list, name_key, what) in LISTS {
            for record in map
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push_str(&record_line(key, what, name_key, record));
            }
        }
        out.push_str(&format!(
            "history: {} events\n",
            map.get("history")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        ));
    }
    crate::sync::merge::wipe_value(&mut value);
    Ok(out)
}

fn is_list(key: &str) -> bool {
    LISTS.iter().any(|(l, _, _)| *l == key)
        || matches!(
            key,
            "dossiers" | "bundles" | "takeovers" | "merge_conflicts"
        )
}

fn record_line(key: &[u8], what: &str, name_key: &str, record: &Value) -> String {
    let name = record.get(name_key).and_then(Value::as_str).unwrap_or("?");
    let id = record.get("id").and_then(Value::as_str).unwrap_or("");
    let fields: Vec<String> = record
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "id" && k.as_str() != name_key)
        .map(|(k, v)| field(key, id, k, v))
        .collect();
    format!("{what} {name:?}: {}\n", fields.join(" "))
}

/// `name=digest`: eight hex digits of SHA-256 over the key, the record and the value.
fn field(key: &[u8], record: &str, name: &str, value: &Value) -> String {
    let mut h = Sha256::new();
    h.update(key);
    h.update(record.as_bytes());
    h.update([0]);
    h.update(name.as_bytes());
    h.update([0]);
    let mut text = value.to_string();
    h.update(text.as_bytes());
    zeroize::Zeroize::zeroize(&mut text);
    let digest = h.finalize();
    let hex = crate::model::hex(&digest[..4]);
    format!("{name}={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Entry, Kind, Secret};

    #[test]
    fn names_records_and_values_never_a_value() {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "ACME".into(),
            vec!["age1x".into()],
            chrono::DateTime::from_timestamp(0, 0).unwrap(),
        );
        let mut e = Entry::new("m365/admin".into(), Kind::Login);
        e.password = Some(Secret::from("hunter2-secret"));
        c.entries.push(e);
        let before = describe(&c, b"k").unwrap();
        assert!(!before.contains("hunter2"), "{before}");
        assert!(before.contains("entry \"m365/admin\": "), "{before}");
        assert!(before.contains(" password="), "{before}");
        c.entries[0].password = Some(Secret::from("other"));
        let after = describe(&c, b"k").unwrap();
        let line = |t: &str| {
            t.lines()
                .find(|l| l.starts_with("entry"))
                .unwrap()
                .to_owned()
        };
        assert_ne!(line(&before), line(&after), "a changed value shows");
        let other_key = describe(&c, b"other key").unwrap();
        assert_ne!(line(&after), line(&other_key), "digests are keyed");
    }
}
