//! Our own schema, with exactly the vault's key names: a JSON array of entries, or a
//! whole-client object `{"entries": [...], "systems": [...], "networks": [...],
//! "vendors": [...], "documents": [...], "decisions": [...]}` (every key optional).
//! The export writes the whole-client object, so that links between items survive.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, describe_json_error};
use crate::model::{Client, Decision, Document, Entry, Knowledge, Network, System, Vendor};

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
    let text = utf8(data, source_name)?;
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
        systems: items(object.systems, "systems", source_name, System::validate)?,
        networks: items(object.networks, "networks", source_name, Network::validate)?,
        vendors: items(object.vendors, "vendors", source_name, Vendor::validate)?,
        documents: items(
            object.documents,
            "documents",
            source_name,
            Document::validate,
        )?,
        decisions: items(
            object.decisions,
            "decisions",
            source_name,
            Decision::validate,
        )?,
    };
    Ok((entries, knowledge))
}

fn utf8<'a>(data: &'a [u8], source_name: &str) -> Result<&'a str> {
    std::str::from_utf8(data).map_err(|e| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!(
            "it is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ),
    })
}

fn item_error(source_name: &str, key: &str, index: usize, reason: String) -> Error {
    Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!("{key}, item {}: {reason}", index + 1),
    }
}

/// One array of the client object, each item parsed and checked on its own so that an
/// error names its key and number (and, like every import error, never quotes a value).
fn items<T: DeserializeOwned>(
    raw: Option<&serde_json::value::RawValue>,
    key: &str,
    source_name: &str,
    validate: impl Fn(&T) -> Result<()>,
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
            let item = serde_json::from_str::<T>(record.get())
                .map_err(|e| item_error(source_name, key, i, describe_json_error(&e)))?;
            validate(&item).map_err(|e| item_error(source_name, key, i, e.to_string()))?;
            Ok(item)
        })
        .collect()
}

/// Parses a JSON array of entries. Records are parsed one by one so that an error can
/// name the record number; serde's own message is never shown because it may quote a
/// secret value.
pub fn import(data: &[u8], source_name: &str) -> Result<Vec<Entry>> {
    let text = utf8(data, source_name)?;
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

/// What [`export`] writes: the client object [`import_client`] reads, every key
/// present. Ids stay as in the vault, so that the links from systems and vendors to
/// entries, from systems to vendors and between decisions hold in the file.
#[derive(Serialize)]
struct ClientExport<'a> {
    entries: Vec<&'a Entry>,
    systems: &'a [System],
    networks: &'a [Network],
    vendors: &'a [Vendor],
    documents: &'a [Document],
    decisions: &'a [Decision],
}

/// Writes the client's entries and knowledge as a whole-client object in our schema:
/// exactly what [`import_client`] reads, so that nothing is lost.
pub fn export(client: &Client) -> Result<crate::formats::Exported> {
    let object = ClientExport {
        entries: client.sorted_entries(),
        systems: &client.systems,
        networks: &client.networks,
        vendors: &client.vendors,
        documents: &client.documents,
        decisions: &client.decisions,
    };
    Ok(crate::formats::Exported {
        bytes: pretty(&object)?,
        warnings: Vec::new(),
    })
}

/// `value` as pretty JSON and a final newline, in a buffer of exactly the right size:
/// measured first, so that no growing of the buffer leaves an unwiped copy of a secret.
fn pretty(value: &impl Serialize) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let failed = |e: serde_json::Error| {
        Error::Invalid(format!("cannot write JSON: {}", describe_json_error(&e)))
    };
    let mut size = Counter(0);
    serde_json::to_writer_pretty(&mut size, value).map_err(failed)?;
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(size.0 + 1));
    serde_json::to_writer_pretty(&mut *bytes, value).map_err(failed)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A writer that only counts.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn export_imports_back_exactly() {
        let whole = r#"{"entries":[{"path":"a/b","password":" p;\"ä\n","kind":"wifi","tags":["x"],"port":1,
                         "id":"6a1f6a8e-0d5e-4a43-9d0e-3a3e1c1f2b11"}],
            "vendors":[{"id":"22222222-2222-4222-8222-222222222222","name":"Systemhaus",
                        "contract":{"term_end":"2030-06-30","notice_months":3}}],
            "systems":[{"name":"Firewall","category":"firewall","criticality":"critical",
                        "vendor":"22222222-2222-4222-8222-222222222222",
                        "entries":["6a1f6a8e-0d5e-4a43-9d0e-3a3e1c1f2b11"]}],
            "networks":[{"name":"LAN","cidr":"10.0.0.0/8"}],
            "documents":[{"path":"erste-stunde","kind":"first-hour-plan","body":"Los"}],
            "decisions":[{"date":"2024-01-01","title":"Router"}]}"#;
        let (entries, k) = import_client(whole.as_bytes(), "t.json").unwrap();
        let mut client = crate::model::Client::new(
            crate::model::ClientId::parse("acme").unwrap(),
            "Acme".into(),
            vec![],
            chrono::Utc::now(),
        );
        client.entries = entries;
        client.systems = k.systems;
        client.networks = k.networks;
        client.vendors = k.vendors;
        client.documents = k.documents;
        client.decisions = k.decisions;
        let out = export(&client).unwrap();
        assert_eq!(out.bytes.len(), out.bytes.capacity(), "sized up front");
        let (back, k) = import_client(&out.bytes, "t.json").unwrap();
        assert_eq!(json(&back), json(&client.entries));
        assert_eq!(json(&k.systems), json(&client.systems));
        assert_eq!(json(&k.networks), json(&client.networks));
        assert_eq!(json(&k.vendors), json(&client.vendors));
        assert_eq!(json(&k.documents), json(&client.documents));
        assert_eq!(json(&k.decisions), json(&client.decisions));
        assert_eq!(k.systems[0].entries, vec![back[0].id]);
        assert_eq!(k.systems[0].vendor, Some(k.vendors[0].id));
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
