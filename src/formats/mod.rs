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
pub mod bundle;
pub mod csvutil;
pub mod extras;
pub mod ics;
pub mod infer;
pub mod json;
pub mod keepass_kdbx;
pub mod keepass_xml;
pub mod keepassxc_csv;
pub mod naming;
pub mod onepassword_csv;
pub mod spreadsheet;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Client, Entry, Knowledge};

/// Options that some importers take (column mapping for spreadsheets).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `(field, column)` pairs from `--map FIELD=COLUMN`.
    pub column_map: Vec<(String, String)>,
    /// The password and key file of a KeePass database (`kdbx`).
    pub kdbx: keepass_kdbx::KdbxKey,
}

/// What an importer read: the entries, and notes about anything it left out
/// (attachments, history versions, …), which never contain secret values.
#[derive(Default)]
pub struct Imported {
    pub entries: Vec<Entry>,
    pub warnings: Vec<String>,
    /// Systems, networks, vendors, documents and decisions: only a whole-client
    /// `json` import carries them.
    pub knowledge: Knowledge,
    /// The entries whose kind was inferred from what the file says, and why.
    pub inferred: Vec<infer::Inferred>,
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
    "kdbx",
];

/// The export formats this build writes, by their command-line name.
pub const EXPORT_FORMATS: &[&str] = &["json", "bitwarden-json", "keepass-xml", "csv"];

/// Most entries one import takes. Far above any real client; a hostile file of tiny
/// records must not keep the import busy for hours.
pub const MAX_IMPORT_ENTRIES: usize = 100_000;

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
    not_a_database(format, data, source_name)?;
    let imported = match format {
        "json" => {
            let (entries, knowledge) = json::import_client(data, source_name)?;
            Imported {
                entries,
                knowledge,
                ..Imported::default()
            }
        }
        "bitwarden-json" => bitwarden_json::import(data, source_name)?,
        "bitwarden-csv" => bitwarden_csv::import(data, source_name)?,
        "keepass-xml" => keepass_xml::import(data, source_name)?,
        "keepassxc-csv" => keepassxc_csv::import(data, source_name)?,
        "1password-csv" => onepassword_csv::import(data, source_name)?,
        "csv" => spreadsheet::import(data, source_name, options)?,
        "kdbx" => keepass_kdbx::import(data, source_name, &options.kdbx)?,
        other => {
            return Err(Error::Invalid(format!(
                "unknown import format {other:?}; use one of: {}, bundle",
                IMPORT_FORMATS.join(", ")
            )));
        }
    };
    if imported.entries.len() > MAX_IMPORT_ENTRIES {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: format!(
                "it holds {} entries, more than the {MAX_IMPORT_ENTRIES} one import takes; split it",
                imported.entries.len()
            ),
        });
    }
    for (i, e) in imported.entries.iter().enumerate() {
        e.validate()
            .and_then(|()| e.check_limits())
            .map_err(|err| Error::ImportFile {
                source_name: source_name.to_owned(),
                reason: format!(
                    "its entry {:?} (number {} in the file): {err}",
                    e.path,
                    i + 1
                ),
            })?;
    }
    Ok(imported)
}

/// Refuses a KeePass database given to an importer of exports (which would call it
/// "not UTF-8" or worse).
fn not_a_database(format: &str, data: &[u8], source_name: &str) -> Result<()> {
    if format == "kdbx" || !keepass_kdbx::is_kdbx(data) {
        return Ok(());
    }
    Err(Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!(
            "this is a KeePass database (.kdbx), not a {format} file: import it with --format kdbx"
        ),
    })
}

/// Writes `client`'s entries in `format` (`json`: the whole client, knowledge too).
pub fn export(format: &str, client: &Client) -> Result<Exported> {
    match format {
        "json" => json::export(client),
        "bitwarden-json" => bitwarden_json::export(client),
        "keepass-xml" => keepass_xml::export(client),
        "csv" => spreadsheet::export(client),
        other => Err(Error::Invalid(format!(
            "unknown export format {other:?}; use one of: {}, bundle",
            EXPORT_FORMATS.join(", ")
        ))),
    }
}

/// TOTP values are imported as [`crate::totp::uri`] normalises them.
pub(crate) use crate::totp::uri as totp_value;

/// Tags from a `;`- or `,`-separated list (KeePass, KeePassXC, 1Password), trimmed,
/// without empty ones or repeats.
pub(crate) fn split_tags(list: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in list
        .split([';', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if !tags.iter().any(|x| x == t) {
            tags.push(t.to_owned());
        }
    }
    tags
}

/// The date forms [`parse_date`] accepts, for error messages.
pub const DATE_FORMS: &str = "YYYY-MM-DD or DD.MM.YYYY, e.g. 2026-12-31 or 31.12.2026";

/// Parses a date as `YYYY-MM-DD`, `DD.MM.YYYY`, or the date part of an RFC 3339 time.
/// The one date parser for imported files and the command line alike.
pub fn parse_date(value: &str) -> Option<chrono::NaiveDate> {
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
    use crate::model::Secret;
    use crate::model::{Field, Kind};

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

    fn t(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        Some(s.parse().unwrap())
    }

    /// A client with every value an entry can hold, and the characters that break
    /// careless writers: quotes, separators, CR/LF, leading formula characters, Unicode.
    pub(crate) fn sample_client() -> Client {
        use crate::model::{ClientId, Owner};
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Müller & Söhne <GmbH>".into(),
            vec![],
            chrono::Utc::now(),
        );
        let mut e = Entry::new("m365/global-admin".into(), Kind::Login);
        e.title = "Global Admin".into();
        e.url = Some("https://admin.microsoft.com/?a=1&b=2".into());
        e.username = Some("admin@müller.de".into());
        e.password = Some(Secret::from("=1+1;,\"\t'\r\n ä€ <&> "));
        e.totp = Some(Secret::from(
            "otpauth://totp/ACME:admin?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
        ));
        e.recovery_codes = vec![Secret::from("-abc-1"), Secret::from("def 2")];
        e.notes = Some("Zeile 1\n\"zitiert\", ; und\r\nZeile 3".into());
        e.fields = vec![
            Field {
                name: "Kundennummer".into(),
                value: Secret::from("+49 89 1234"),
                secret: false,
            },
            Field {
                name: "PIN".into(),
                value: Secret::from("@0815"),
                secret: true,
            },
        ];
        e.tags = vec!["m365".into(), "Büro 2".into()];
        e.owner = Some(Owner::Provider);
        e.provider_knows = false;
        e.expires = chrono::NaiveDate::from_ymd_opt(2027, 1, 31);
        e.rotated = chrono::NaiveDate::from_ymd_opt(2025, 6, 1);
        e.created = t("2024-01-02T03:04:05Z");
        e.updated = t("2025-02-03T04:05:06Z");
        c.entries.push(e);
        let mut e = Entry::new("server/backup/ssh".into(), Kind::SshKey);
        e.host = Some("10.0.0.5".into());
        e.port = Some(22);
        e.username = Some("root".into());
        e.password = Some(Secret::from(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n",
        ));
        c.entries.push(e);
        let mut e = Entry::new("notes/alarm".into(), Kind::Note);
        e.notes = Some("Code 1234#\nNur im Notfall".into());
        c.entries.push(e);
        let mut e = Entry::new("wifi/Büro Gäste".into(), Kind::Wifi);
        e.password = Some(Secret::from("  spaces both ends  "));
        c.entries.push(e);
        c.entries.push(Entry::new("lonely".into(), Kind::Other));
        let mut e = Entry::new("x/y-z".into(), Kind::License);
        e.title = "y/z".into();
        e.password = Some(Secret::from("ABCD-EFGH"));
        c.entries.push(e);
        c.validate().unwrap();
        c
    }

    fn comparable(entries: &[Entry]) -> Vec<serde_json::Value> {
        let mut v: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect();
        v.sort_by_key(|e| e["path"].as_str().unwrap().to_owned());
        v
    }

    #[test]
    fn every_export_imports_back_to_the_same_entries() {
        let client = sample_client();
        for format in EXPORT_FORMATS {
            let out = export(format, &client).unwrap();
            let back = import(format, &out.bytes, "t", &ImportOptions::default())
                .unwrap_or_else(|e| panic!("{format}: {e}"));
            let want = comparable(&client.entries);
            let got = comparable(&back.entries);
            for (w, g) in want.iter().zip(&got) {
                assert_eq!(w, g, "{format}");
            }
            assert_eq!(want.len(), got.len(), "{format}");
        }
    }

    #[test]
    fn what_a_format_cannot_hold_is_warned_about() {
        let mut client = sample_client();
        client.entries[4].fields.push(Field {
            name: "Password".into(),
            value: Secret::from("x"),
            secret: true,
        });
        client.entries[4].tags.push("a;b".into());
        client.entries[3].notes = Some("bell \u{7}".into());
        let out = export("keepass-xml", &client).unwrap();
        let w = out.warnings.join("\n");
        assert!(
            w.contains("lonely") && w.contains("unique field names"),
            "{w}"
        );
        assert!(w.contains("\"a;b\""), "{w}");
        assert!(
            w.contains("wifi/Büro Gäste") && w.contains("control character"),
            "{w}"
        );
        let csv = export("csv", &client).unwrap().warnings.join("\n");
        assert!(
            csv.contains("m365/global-admin") && csv.contains("Text"),
            "{csv}"
        );
        assert!(
            !csv.contains("@0815") && !w.contains("=1+1"),
            "no secret in warnings"
        );
    }

    /// No input, however mangled, makes an importer panic.
    #[test]
    fn mangled_input_never_panics() {
        let client = sample_client();
        let mut seeds: Vec<Vec<u8>> = EXPORT_FORMATS
            .iter()
            .map(|f| export(f, &client).unwrap().bytes.to_vec())
            .collect();
        for name in [
            "keepassxc-2.7.4.csv",
            "keepassxc-2.7.4.xml",
            "bitwarden-unencrypted.json",
            "1password.csv",
            "excel-de-cp1252.csv",
        ] {
            let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            seeds.push(std::fs::read(path).unwrap());
        }
        let mut rng = crate::testing::Xorshift(0x9e37_79b9_7f4a_7c15);
        let options = ImportOptions::default();
        for round in 0..150 {
            for data in &seeds {
                let mut d = data.clone();
                for _ in 0..(rng.next() % 6 + 1) {
                    if d.is_empty() {
                        break;
                    }
                    let i = (rng.next() as usize) % d.len();
                    match rng.next() % 4 {
                        0 => d[i] = rng.next() as u8,
                        1 => {
                            let special = b"\"<>&;,\n\r/=\\{}[]";
                            d[i] = special[(rng.next() as usize) % special.len()];
                        }
                        2 => {
                            d.remove(i);
                        }
                        _ => d.insert(i, rng.next() as u8),
                    }
                }
                let cut = (rng.next() as usize) % (d.len() + 1);
                let input = if round % 3 == 0 { &d[..cut] } else { &d[..] };
                for format in IMPORT_FORMATS {
                    let _ = import(format, input, "fuzz", &options);
                }
            }
        }
    }

    /// The entries as comparable values, without the ids formats that have none get
    /// afresh on every import.
    fn without_ids(entries: &[Entry]) -> Vec<serde_json::Value> {
        entries
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap();
                v.as_object_mut().unwrap().remove("id");
                v
            })
            .collect()
    }

    /// A file cut off anywhere is refused, or imports exactly what the whole file
    /// does (the cut fell into trailing white space). CSV alone has no end marker: a
    /// file cut right at a line end is a shorter but whole CSV file, and imports the
    /// rows before the cut exactly; a cut anywhere else in a CSV file is refused.
    /// (Bitwarden's CSV, which ends without a line break and quotes only where needed,
    /// has a further blind spot: a cut inside its last cell. See bitwarden_csv.)
    #[test]
    fn a_file_cut_off_anywhere_is_refused_never_imported_in_part() {
        let client = sample_client();
        let mut files: Vec<(String, Vec<u8>)> = EXPORT_FORMATS
            .iter()
            .map(|f| ((*f).to_owned(), export(f, &client).unwrap().bytes.to_vec()))
            .collect();
        for (format, name) in [
            ("keepass-xml", "keepassxc-2.7.4.xml"),
            ("keepassxc-csv", "keepassxc-2.7.4.csv"),
            ("bitwarden-json", "bitwarden-unencrypted.json"),
            ("1password-csv", "1password.csv"),
            ("csv", "excel-de-cp1252.csv"),
        ] {
            let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            files.push((format.to_owned(), std::fs::read(path).unwrap()));
        }
        let options = ImportOptions::default();
        for (format, data) in &files {
            let whole = import(format, data, "t", &options).unwrap();
            let want = without_ids(&whole.entries);
            assert!(!want.is_empty(), "{format}");
            // Secrets of the whole file: no error message may show even their start.
            let secrets: Vec<String> = whole
                .entries
                .iter()
                .filter_map(|e| e.password.as_ref())
                .map(|p| p.expose().chars().take(5).collect::<String>())
                .filter(|p| p.chars().count() >= 5)
                .collect();
            let csv = format.ends_with("csv");
            let mut refused = 0;
            for cut in 0..data.len() {
                match import(format, &data[..cut], "t", &options) {
                    Err(e) => {
                        refused += 1;
                        let e = e.to_string();
                        for s in &secrets {
                            assert!(!e.contains(s.as_str()), "{format} cut at {cut}: {e}");
                        }
                    }
                    Ok(got) => {
                        let got = without_ids(&got.entries);
                        let rest_is_space = data[cut..].iter().all(u8::is_ascii_whitespace);
                        if rest_is_space {
                            assert_eq!(got, want, "{format} cut at {cut}");
                        } else {
                            assert!(
                                csv && (matches!(data[cut - 1], b'\n' | b'\r')
                                    || matches!(data[cut], b'\n' | b'\r')),
                                "{format} cut at {cut} imported {} of {} entries",
                                got.len(),
                                want.len()
                            );
                            assert_eq!(got, want[..got.len()], "{format} cut at {cut}");
                        }
                    }
                }
            }
            assert!(refused > data.len() / 2, "{format}: {refused} refused");
        }
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
            // An empty client exports, and the file imports back as no entries.
            let out = export(f, &client).unwrap();
            let back = import(f, &out.bytes, "t", &ImportOptions::default()).unwrap();
            assert!(back.entries.is_empty() && out.warnings.is_empty(), "{f}");
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
