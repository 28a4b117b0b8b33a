//! Foreign and own file formats. Each format reads or writes plain model data; none of
//! them touches the store. Importers are all-or-nothing: they return every entry or an
//! error naming the record number (never its content). Exporters return the file's
//! bytes and a warning for everything the format cannot hold.
//!
//! To add a format: a file here with `import(data, source_name, options)` and/or
//! `export(client)`, a name in [`IMPORT_FORMATS`] / [`EXPORT_FORMATS`], and an arm in
//! [`import`] / [`export`].

pub mod bitwarden_csv;
pub mod bitwarden_json;
pub mod csvutil;
pub mod extras;
pub mod json;
pub mod keepass_xml;
pub mod keepassxc_csv;
pub mod naming;
pub mod onepassword_csv;
pub mod spreadsheet;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Client, Entry, Kind, Secret};

/// Options that some importers take (column mapping for spreadsheets).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `(field, column)` pairs from `--map FIELD=COLUMN`.
    pub column_map: Vec<(String, String)>,
}

/// What an importer read: the entries, and notes about anything it left out
/// (attachments, history versions, …), which never contain secret values.
#[derive(Default)]
pub struct Imported {
    pub entries: Vec<Entry>,
    pub warnings: Vec<String>,
}

/// An exported file's bytes (wiped on drop) and the values the format could not
/// hold, one warning each, naming entry and value but never the value itself.
pub struct Exported {
    pub bytes: Zeroizing<Vec<u8>>,
    pub warnings: Vec<String>,
}

/// The import formats this build understands, by their command-line name.
pub const IMPORT_FORMATS: &[&str] = &[
    "json",
    "bitwarden-json",
    "bitwarden-csv",
    "keepass-xml",
    "keepassxc-csv",
    "1password-csv",
    "csv",
];

/// The export formats this build writes, by their command-line name.
pub const EXPORT_FORMATS: &[&str] = &["json", "bitwarden-json", "keepass-xml", "csv"];

/// Parses `data` in `format` into entries, validating every record.
///
/// `source_name` names the input in error messages (a file name, or "stdin").
pub fn import(
    format: &str,
    data: &[u8],
    source_name: &str,
    options: &ImportOptions,
) -> Result<Imported> {
    if format != "csv" && !options.column_map.is_empty() {
        return Err(Error::Invalid(format!(
            "--map only applies to --format csv, not {format}"
        )));
    }
    let imported = match format {
        "json" => Imported {
            entries: json::import(data, source_name)?,
            warnings: Vec::new(),
        },
        "bitwarden-json" => bitwarden_json::import(data, source_name)?,
        "bitwarden-csv" => bitwarden_csv::import(data, source_name)?,
        "keepass-xml" => keepass_xml::import(data, source_name)?,
        "keepassxc-csv" => keepassxc_csv::import(data, source_name)?,
        "1password-csv" => onepassword_csv::import(data, source_name)?,
        "csv" => spreadsheet::import(data, source_name, options)?,
        other => {
            return Err(Error::Invalid(format!(
                "unknown import format {other:?}; use one of: {}",
                IMPORT_FORMATS.join(", ")
            )));
        }
    };
    for (i, e) in imported.entries.iter().enumerate() {
        e.validate().map_err(|err| Error::Import {
            source_name: source_name.to_owned(),
            record: i + 1,
            reason: err.to_string(),
        })?;
    }
    Ok(imported)
}

/// Writes `client`'s entries in `format`.
pub fn export(format: &str, client: &Client) -> Result<Exported> {
    match format {
        "json" => json::export(&client.sorted_entries()),
        "bitwarden-json" => bitwarden_json::export(client),
        "keepass-xml" => keepass_xml::export(client),
        "csv" => spreadsheet::export(client),
        other => Err(Error::Invalid(format!(
            "unknown export format {other:?}; use one of: {}",
            EXPORT_FORMATS.join(", ")
        ))),
    }
}

/// The kind of an imported entry whose format does not say: a login if it has
/// anything to log in with, a note if it only has notes, else other.
pub(crate) fn infer_kind(e: &Entry) -> Kind {
    if e.password.is_some() || e.username.is_some() || e.url.is_some() || e.totp.is_some() {
        Kind::Login
    } else if e.notes.is_some() {
        Kind::Note
    } else {
        Kind::Other
    }
}

/// A TOTP value as imported: an `otpauth://` URI is kept exactly; a bare base32
/// secret (spaces allowed) becomes `otpauth://totp/<label>?secret=<SECRET>`.
pub(crate) fn totp_value(value: &str, label: &str) -> Secret {
    let trimmed = value.trim();
    if trimmed.starts_with("otpauth://") || trimmed.is_empty() {
        return Secret::from(value);
    }
    let cleaned: Zeroizing<String> = Zeroizing::new(
        trimmed
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect(),
    );
    if !cleaned.chars().all(|c| c.is_ascii_alphanumeric() || c == '=') {
        // Not base32 either: kept as it is, `handover totp` will say it is unusable.
        return Secret::from(value);
    }
    let label: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-._~".contains(c) { c } else { '_' })
        .collect();
    let label = if label.is_empty() { "handover".to_owned() } else { label };
    Secret::from(Zeroizing::new(format!(
        "otpauth://totp/{label}?secret={}",
        cleaned.trim_end_matches('=')
    )))
}

/// Parses a date as `YYYY-MM-DD`, `DD.MM.YYYY`, or the date part of an RFC 3339 time.
pub(crate) fn parse_date(value: &str) -> Option<chrono::NaiveDate> {
    let v = value.trim();
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(v, "%d.%m.%Y"))
        .ok()
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(v)
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc).date_naive())
        })
}

/// Parses an RFC 3339 time into UTC.
pub(crate) fn parse_time(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_values() {
        let uri = "otpauth://totp/x?secret=ABC";
        assert_eq!(totp_value(uri, "t").expose(), uri);
        assert_eq!(
            totp_value("jbsw y3dp ehpk 3pxp", "My Bank").expose(),
            "otpauth://totp/My_Bank?secret=JBSWY3DPEHPK3PXP"
        );
        let code = crate::totp::code_at(&totp_value("JBSWY3DPEHPK3PXP", "a/b"), 59);
        assert!(code.is_ok());
    }

    #[test]
    fn dates() {
        let d = chrono::NaiveDate::from_ymd_opt(2027, 1, 31);
        assert_eq!(parse_date("2027-01-31"), d);
        assert_eq!(parse_date("31.01.2027"), d);
        assert_eq!(parse_date("2027-01-31T12:00:00Z"), d);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn every_listed_format_dispatches() {
        let client = Client::new(
            crate::model::ClientId::parse("c").unwrap(),
            "C".into(),
            vec![],
            chrono::Utc::now(),
        );
        for f in EXPORT_FORMATS {
            export(f, &client).unwrap();
        }
        for f in IMPORT_FORMATS {
            // Empty input is refused by every importer, but never as an unknown format.
            if let Err(e) = import(f, b"", "t", &ImportOptions::default()) {
                assert!(!e.to_string().contains("unknown import format"), "{f}: {e}");
            }
        }
        assert!(export("nope", &client).is_err());
    }
}
