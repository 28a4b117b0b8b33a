//! Our own schema: a JSON array of entries with exactly the vault's key names.

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::{Error, Result, describe_json_error};
use crate::model::Entry;

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
    fn refuses_non_array() {
        assert!(import(b"{}", "t").is_err());
        assert!(import(b"[1]", "t").is_err());
        assert!(import(&[0xff, 0xfe], "t").is_err());
    }
}
