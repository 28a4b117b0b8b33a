//! Our own schema, with exactly the vault's key names: a JSON array of entries, or a
//! whole-client object `{"entries": [...], "systems": [...], "networks": [...],
//! "vendors": [...], "documents": [...], "decisions": [...]}` (every key optional).

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::{Error, Result, describe_json_error};
use crate::model::{Entry, Knowledge};

/// The whole-client object, its values still unparsed so that each record's error
/// can name it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientObject<'a> {
    #[serde(default, borrow)]
    entries: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    systems: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    networks: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    vendors: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    documents: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    decisions: Option<&'a serde_json::value::RawValue>,
}

/// Parses either form: an array of entries, or a whole-client object.
pub fn import_client(data: &[u8], source_name: &str) -> Result<(Vec<Entry>, Knowledge)> {
    let text = std::str::from_utf8(data).map_err(|e| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!(
            "it is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ),
    })?;
    if !text.trim_start().starts_with('{') {
        return Ok((import(data, source_name)?, Knowledge::default()));
    }
    let object: ClientObject = serde_json::from_str(text).map_err(|e| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!(
            "it is not a JSON array of entries nor a client object with entries, systems, networks, vendors, documents and decisions ({} at line {}, column {})",
            describe_json_error(&e),
            e.line(),
            e.column()
        ),
    })?;
    let entries = match object.entries {
        Some(raw) => import(raw.get().as_bytes(), source_name)?,
        None => Vec::new(),
    };
    let knowledge = Knowledge {
        systems: items(object.systems, "systems", source_name)?,
        networks: items(object.networks, "networks", source_name)?,
        vendors: items(object.vendors, "vendors", source_name)?,
        documents: items(object.documents, "documents", source_name)?,
        decisions: items(object.decisions, "decisions", source_name)?,
    };
    for (i, s) in knowledge.systems.iter().enumerate() {
        s.validate()
            .map_err(|e| item_error(source_name, "systems", i, e.to_string()))?;
    }
    for (i, n) in knowledge.networks.iter().enumerate() {
        n.validate()
            .map_err(|e| item_error(source_name, "networks", i, e.to_string()))?;
    }
    for (i, v) in knowledge.vendors.iter().enumerate() {
        v.validate()
            .map_err(|e| item_error(source_name, "vendors", i, e.to_string()))?;
    }
    for (i, d) in knowledge.documents.iter().enumerate() {
        d.validate()
            .map_err(|e| item_error(source_name, "documents", i, e.to_string()))?;
    }
    for (i, d) in knowledge.decisions.iter().enumerate() {
        d.validate()
            .map_err(|e| item_error(source_name, "decisions", i, e.to_string()))?;
    }
    Ok((entries, knowledge))
}

fn item_error(source_name: &str, key: &str, index: usize, reason: String) -> Error {
    Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!("{key}, item {}: {reason}", index + 1),
    }
}

/// One array of the client object, each item parsed on its own so that an error names
/// its key and number (and, like every import error, never quotes a value).
fn items<T: DeserializeOwned>(
    raw: Option<&serde_json::value::RawValue>,
    key: &str,
    source_name: &str,
) -> Result<Vec<T>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let list: Vec<&serde_json::value::RawValue> =
        serde_json::from_str(raw.get()).map_err(|_| Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: format!("{key:?} is not a JSON array"),
        })?;
    list.into_iter()
        .enumerate()
        .map(|(i, record)| {
            serde_json::from_str::<T>(record.get())
                .map_err(|e| item_error(source_name, key, i, describe_json_error(&e)))
        })
        .collect()
}

/// Parses a JSON array of entries. Records are parsed one by one so that an error can
/// name the record number; serde's own message is never shown because it may quote a
/// secret value.
pub fn import(data: &[u8], source_name: &str) -> Result<Vec<Entry>> {
    let text = std::str::from_utf8(data).map_err(|e| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!(
            "it is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ),
    })?;
    // First pass: the shape only, without materialising any value.
    let raw: Vec<&serde_json::value::RawValue> =
        serde_json::from_str(text).map_err(|e| Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: format!(
                "it is not a JSON array of entries ({} at line {}, column {})",
                describe_json_error(&e),
                e.line(),
                e.column()
            ),
        })?;
    let mut entries = Vec::with_capacity(raw.len());
    for (i, record) in raw.into_iter().enumerate() {
        let number = i + 1;
        let fail = |reason: String| Error::Import {
            source_name: source_name.to_owned(),
            record: number,
            reason,
        };
        // Refuse anything but an object early, with a message that quotes nothing.
        let _: std::collections::HashMap<String, IgnoredAny> =
            serde_json::from_str(record.get())
                .map_err(|_| fail("it is not a JSON object".to_owned()))?;
        let mut entry = Entry::deserialize(&mut serde_json::Deserializer::from_str(record.get()))
            .map_err(|e| fail(describe_json_error(&e)))?;
        if entry.title.trim().is_empty() {
            entry.title = crate::model::path_name(&entry.path).to_owned();
        }
        entry.validate().map_err(|e| fail(e.to_string()))?;
        entries.push(entry);
    }
    Ok(entries)
}

/// Writes entries as a JSON array in our schema: exactly what [`import`] reads, so
/// nothing is lost.
pub fn export(entries: &[&Entry]) -> Result<crate::formats::Exported> {
    // Sized up front so that growing the buffer leaves no stray copies of secrets.
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(64 * 1024 + entries.len() * 4096));
    serde_json::to_writer_pretty(&mut *bytes, entries)
        .map_err(|e| Error::Invalid(format!("cannot write JSON: {}", describe_json_error(&e))))?;
    bytes.push(b'\n');
    Ok(crate::formats::Exported {
        bytes,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_imports_back_exactly() {
        let ok = r#"[{"path":"a/b","password":" p;\"ä\n","kind":"wifi","tags":["x"],"port":1}]"#;
        let entries = import(ok.as_bytes(), "t.json").unwrap();
        let refs: Vec<&Entry> = entries.iter().collect();
        let out = export(&refs).unwrap();
        let back = import(&out.bytes, "t.json").unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&entries).unwrap()
        );
    }

    #[test]
    fn reads_entries_and_names_bad_record() {
        let ok = r#"[{"path":"a/b","password":"p;\"ä\n"},{"path":"c","kind":"wifi"}]"#;
        let entries = import(ok.as_bytes(), "t.json").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].password.as_ref().unwrap().expose(), "p;\"ä\n");
        assert_eq!(entries[0].title, "b");

        let bad = r#"[{"path":"a"},{"path":"b","port":"secret-value"}]"#;
        let err = import(bad.as_bytes(), "t.json").err().unwrap().to_string();
        assert!(err.contains("record 2"), "{err}");
        assert!(!err.contains("secret-value"), "{err}");

        let bad_path = r#"[{"path":"../x"}]"#;
        let err = import(bad_path.as_bytes(), "t.json")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("record 1"), "{err}");
    }

    #[test]
    fn reads_a_whole_client_and_names_the_bad_item() {
        let ok = r#"{"entries":[{"path":"fw/admin","id":"6a1f6a8e-0d5e-4a43-9d0e-3a3e1c1f2b11"}],
            "systems":[{"name":"Firewall","category":"firewall","criticality":"critical",
                        "entries":["6a1f6a8e-0d5e-4a43-9d0e-3a3e1c1f2b11"]}],
            "documents":[{"path":"erste-stunde","kind":"first-hour-plan","body":"Los"}]}"#;
        let (entries, k) = import_client(ok.as_bytes(), "t.json").unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(k.systems[0].entries, vec![entries[0].id]);
        assert_eq!(k.documents[0].body, "Los");
        // The array form still works.
        let (entries, k) = import_client(br#"[{"path":"a"}]"#, "t").unwrap();
        assert_eq!((entries.len(), k.is_empty()), (1, true));
        for (bad, want) in [
            (r#"{"sytems":[]}"#, "unknown field `sytems`"),
            (
                r#"{"systems":[{"name":"a"},{"name":"b","category":"toaster"}]}"#,
                "systems, item 2",
            ),
            (
                r#"{"networks":[{"name":"LAN","cidr":"10.0.0.0/99"}]}"#,
                "networks, item 1",
            ),
            (r#"{"documents":{}}"#, "\"documents\" is not a JSON array"),
        ] {
            let err = import_client(bad.as_bytes(), "t")
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(want), "{bad}: {err}");
        }
    }

    #[test]
    fn refuses_non_array() {
        assert!(import(b"{}", "t").is_err());
        assert!(import(b"[1]", "t").is_err());
        assert!(import(&[0xff, 0xfe], "t").is_err());
    }
}
