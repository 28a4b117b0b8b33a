//! `csv`: any spreadsheet saved as CSV (import), and a spreadsheet for the client
//! (export). See docs/FORMAT.md for the column names, the detection rules and the
//! formula-injection rule.

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::formats::csvutil::{self, Encoding, Row, Table, normalize_header, row_error};
use crate::formats::infer::{self, Hint};
use crate::formats::naming::PathAllocator;
use crate::formats::{Exported, ImportOptions, Imported, parse_date, parse_time, split_tags};
use crate::model::{Client, Entry, Field, Kind, Secret};

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Path,
    Group,
    Title,
    Username,
    Password,
    Url,
    Host,
    Port,
    Notes,
    Totp,
    RecoveryCodes,
    Tags,
    Kind,
    Owner,
    ProviderKnows,
    Expires,
    Rotated,
    Id,
    Created,
    Updated,
    Field { name: String, secret: bool },
}

impl Role {
    fn is_secret(&self) -> bool {
        matches!(
            self,
            Role::Password | Role::Totp | Role::RecoveryCodes | Role::Field { secret: true, .. }
        )
    }
}

/// `--map` field names, and the headers each role is recognised by (compared without
/// case, spaces, `-`, `_` and `.`). The first name is what `export` writes.
const ROLES: &[(&str, &[&str])] = &[
    ("path", &["path", "pfad"]),
    (
        "group",
        &[
            "group",
            "gruppe",
            "folder",
            "ordner",
            "kategorie",
            "category",
            "bereich",
        ],
    ),
    (
        "title",
        &[
            "title",
            "titel",
            "name",
            "bezeichnung",
            "eintrag",
            "entry",
            "account",
            "konto",
            "dienst",
            "service",
            "system",
        ],
    ),
    (
        "username",
        &[
            "username",
            "user",
            "user name",
            "login",
            "login name",
            "benutzer",
            "benutzername",
            "anmeldename",
            "nutzer",
            "nutzername",
            "kennung",
        ],
    ),
    (
        "password",
        &[
            "password", "passwort", "kennwort", "pass", "pw", "pwd", "passwd",
        ],
    ),
    (
        "url",
        &[
            "url", "website", "webseite", "web", "link", "uri", "adresse", "address",
        ],
    ),
    (
        "host",
        &[
            "host",
            "hostname",
            "server",
            "ip",
            "ip address",
            "ip-adresse",
        ],
    ),
    ("port", &["port"]),
    (
        "notes",
        &[
            "notes",
            "note",
            "notiz",
            "notizen",
            "bemerkung",
            "bemerkungen",
            "kommentar",
            "comment",
            "comments",
            "beschreibung",
            "description",
            "hinweis",
            "hinweise",
            "info",
        ],
    ),
    ("totp", &["totp", "otp", "otpauth", "2fa", "mfa"]),
    (
        "recovery codes",
        &["recovery codes", "wiederherstellungscodes"],
    ),
    ("tags", &["tags", "schlagworte", "stichworte", "labels"]),
    ("kind", &["kind"]),
    ("owner", &["owner"]),
    ("provider knows", &["provider knows"]),
    (
        "expires",
        &["expires", "expiry", "ablaufdatum", "gültig bis", "läuft ab"],
    ),
    ("rotated", &["rotated"]),
    ("id", &["id"]),
    ("created", &["created"]),
    ("updated", &["updated"]),
];

fn role_named(name: &str) -> Option<Role> {
    Some(match normalize_header(name).as_str() {
        "path" => Role::Path,
        "group" => Role::Group,
        "title" => Role::Title,
        "username" => Role::Username,
        "password" => Role::Password,
        "url" => Role::Url,
        "host" => Role::Host,
        "port" => Role::Port,
        "notes" => Role::Notes,
        "totp" => Role::Totp,
        "recoverycodes" => Role::RecoveryCodes,
        "tags" => Role::Tags,
        "kind" => Role::Kind,
        "owner" => Role::Owner,
        "providerknows" => Role::ProviderKnows,
        "expires" => Role::Expires,
        "rotated" => Role::Rotated,
        "id" => Role::Id,
        "created" => Role::Created,
        "updated" => Role::Updated,
        _ => return None,
    })
}

const FIELD_PREFIX: &str = "field: ";
const SECRET_FIELD_PREFIX: &str = "secret field: ";

/// Header words that make an unrecognised column a secret field rather than a plain one.
const SECRET_WORDS: &[&str] = &[
    "pin",
    "puk",
    "secret",
    "geheim",
    "key",
    "schlüssel",
    "token",
    "passwort",
    "password",
    "kennwort",
    "passphrase",
    "code",
];

fn field_role(header: &str) -> Role {
    if let Some(name) = header.strip_prefix(SECRET_FIELD_PREFIX) {
        return Role::Field {
            name: name.to_owned(),
            secret: true,
        };
    }
    if let Some(name) = header.strip_prefix(FIELD_PREFIX) {
        return Role::Field {
            name: name.to_owned(),
            secret: false,
        };
    }
    let lower = header.to_lowercase();
    Role::Field {
        name: header.to_owned(),
        secret: SECRET_WORDS.iter().any(|w| lower.contains(w)),
    }
}

fn assign_roles(table: &Table, options: &ImportOptions) -> Result<Vec<Option<Role>>> {
    let mut roles: Vec<Option<Role>> = vec![None; table.headers.len()];
    let known_fields = || {
        let mut names: Vec<&str> = ROLES.iter().map(|(n, _)| *n).collect();
        names.push("field:NAME");
        names.push("secret:NAME");
        names.join(", ")
    };
    for (field, column) in &options.column_map {
        let role = if let Some(name) = field.strip_prefix("field:") {
            Role::Field {
                name: name.trim().to_owned(),
                secret: false,
            }
        } else if let Some(name) = field.strip_prefix("secret:") {
            Role::Field {
                name: name.trim().to_owned(),
                secret: true,
            }
        } else {
            role_named(field).ok_or_else(|| {
                Error::Invalid(format!(
                    "--map {field}={column}: unknown field {field:?}; use one of: {}",
                    known_fields()
                ))
            })?
        };
        let index = table
            .column(&[column.as_str()])
            .or_else(|| {
                column
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=table.headers.len()).contains(n))
                    .map(|n| n - 1)
            })
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "--map {field}={column}: the file has no column {column:?}; its columns are: {}",
                    table
                        .headers
                        .iter()
                        .map(|h| format!("{h:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        if !matches!(role, Role::Field { .. }) && roles.iter().any(|r| r.as_ref() == Some(&role)) {
            return Err(Error::Invalid(format!(
                "--map {field}=…: {field} is mapped twice"
            )));
        }
        roles[index] = Some(role);
    }
    // Auto-detection for the columns --map left, in the order of ROLES.
    for (name, aliases) in ROLES {
        let Some(role) = role_named(name) else {
            continue;
        };
        if roles.iter().any(|r| r.as_ref() == Some(&role)) {
            continue;
        }
        if let Some(i) = (0..table.headers.len()).find(|&i| {
            roles[i].is_none()
                && aliases
                    .iter()
                    .any(|a| normalize_header(a) == normalize_header(&table.headers[i]))
        }) {
            roles[i] = Some(role);
        }
    }
    for (i, header) in table.headers.iter().enumerate() {
        if roles[i].is_none() && !header.trim().is_empty() {
            roles[i] = Some(field_role(header));
        }
    }
    Ok(roles)
}

/// Removes the `'` that [`escape_formula`] put before a non-secret cell.
fn unescape_formula(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if needs_formula_escape(rest) => rest,
        _ => value,
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR), or one
/// that already starts with the `'` escape in front of such a cell.
fn needs_formula_escape(value: &str) -> bool {
    let mut rest = value;
    while let Some(r) = rest.strip_prefix('\'') {
        rest = r;
    }
    matches!(
        rest.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

fn escape_formula(value: &str) -> std::borrow::Cow<'_, str> {
    if needs_formula_escape(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Tags in a cell: one per line (as `export` writes them), else split at `,`/`;`.
fn split_list(value: &str) -> Vec<String> {
    if !value.contains('\n') {
        return split_tags(value);
    }
    let mut tags: Vec<String> = Vec::new();
    for t in value.split('\n').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|x| x == t) {
            tags.push(t.to_owned());
        }
    }
    tags
}

pub fn import(data: &[u8], source_name: &str, options: &ImportOptions) -> Result<Imported> {
    let (text, _) = csvutil::decode(data, Encoding::Detect, source_name)?;
    let separator = csvutil::detect_separator(&text);
    // Spreadsheet programs end every row with a line break, but may leave out a row's
    // trailing empty cells (and so do people editing a file by hand).
    let layout = csvutil::Layout {
        pad_short_rows: true,
        ends_with_break_or_quote: true,
    };
    let table = csvutil::read_table(&text, separator, source_name, layout)?;
    let roles = assign_roles(&table, options)?;
    // Our own export (it has a `path` column) escapes formulas in non-secret cells.
    let own_layout = table.headers.iter().any(|h| h == "path");
    if !roles.iter().any(|r| {
        matches!(
            r,
            Some(Role::Title | Role::Path | Role::Username | Role::Password | Role::Url)
        )
    }) {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: "no column looks like a title, user name, password or URL; name the columns with --map FIELD=COLUMN (e.g. --map title=Gerät --map password=PW)".into(),
        });
    }
    let mut paths = PathAllocator::default();
    let mut out = Imported::default();
    out.entries.reserve(table.rows.len());
    for row in &table.rows {
        let (mut e, kind) = entry_from_row(row, &roles, own_layout, &mut paths, source_name)?;
        match kind {
            Some(kind) => e.kind = kind,
            None => infer::apply(&mut e, Hint::None, false, &mut out.inferred),
        }
        out.entries.push(e);
    }
    Ok(out)
}

fn entry_from_row(
    row: &Row,
    roles: &[Option<Role>],
    own_layout: bool,
    paths: &mut PathAllocator,
    source_name: &str,
) -> Result<(Entry, Option<Kind>)> {
    let mut e = Entry::new("x".into(), Kind::Other);
    let mut kind = None;
    let mut wanted_path = None;
    let mut groups = String::new();
    let mut title = None;
    let fail = |what: &str| row_error(source_name, row, what);
    for (i, role) in roles.iter().enumerate() {
        let Some(role) = role else { continue };
        let raw = row.cells[i].as_str();
        if raw.is_empty() {
            continue;
        }
        let v = if own_layout && !role.is_secret() {
            unescape_formula(raw)
        } else {
            raw
        };
        let column = || format!("the {:?} column", row_header(roles, i));
        match role {
            Role::Path => wanted_path = Some(v.to_owned()),
            Role::Group => groups = v.to_owned(),
            Role::Title => title = Some(v.to_owned()),
            Role::Username => e.username = Some(v.to_owned()),
            Role::Password => e.password = Some(Secret::from(v)),
            Role::Url => e.url = Some(v.to_owned()),
            Role::Host => e.host = Some(v.to_owned()),
            Role::Port => {
                e.port =
                    Some(v.trim().parse().map_err(|_| {
                        fail(&format!("{} is not a port number (0-65535)", column()))
                    })?)
            }
            Role::Notes => e.notes = Some(v.to_owned()),
            Role::Totp => e.totp = Some(crate::formats::totp_value(v, "handover")),
            Role::RecoveryCodes => {
                e.recovery_codes = v
                    .split('\n')
                    .map(|c| c.trim_end_matches('\r'))
                    .filter(|c| !c.is_empty())
                    .map(Secret::from)
                    .collect()
            }
            Role::Tags => e.tags = split_list(v),
            Role::Kind => {
                kind = Some(v.trim().parse::<Kind>().map_err(|_| {
                    fail(&format!(
                        "{} does not hold a handover kind (login, server, wifi, …)",
                        column()
                    ))
                })?)
            }
            Role::Owner => {
                e.owner = Some(v.trim().parse().map_err(|_| {
                    fail(&format!(
                        "{} is not client, provider or third-party",
                        column()
                    ))
                })?)
            }
            Role::ProviderKnows => {
                e.provider_knows = match v.trim().to_lowercase().as_str() {
                    "true" | "yes" | "ja" | "1" => true,
                    "false" | "no" | "nein" | "0" => false,
                    _ => return Err(fail(&format!("{} is not true or false", column()))),
                }
            }
            Role::Expires | Role::Rotated => {
                let d = parse_date(v).ok_or_else(|| {
                    fail(&format!(
                        "{} is not a date ({})",
                        column(),
                        super::DATE_FORMS
                    ))
                })?;
                if *role == Role::Expires {
                    e.expires = Some(d);
                } else {
                    e.rotated = Some(d);
                }
            }
            Role::Id => {
                e.id = v
                    .trim()
                    .parse()
                    .map_err(|_| fail(&format!("{} is not a UUID", column())))?
            }
            Role::Created | Role::Updated => {
                let t = parse_time(v)
                    .ok_or_else(|| fail(&format!("{} is not an RFC 3339 time", column())))?;
                if *role == Role::Created {
                    e.created = Some(t);
                } else {
                    e.updated = Some(t);
                }
            }
            Role::Field { name, secret } => e.fields.push(Field {
                name: name.clone(),
                value: Secret::from(v),
                secret: *secret,
            }),
        }
    }
    let title = title
        .or_else(|| {
            wanted_path
                .as_deref()
                .map(|p| crate::model::path_name(p).to_owned())
        })
        .or_else(|| e.username.clone())
        .or_else(|| e.host.clone())
        .or_else(|| e.url.clone())
        .unwrap_or_else(|| format!("entry {}", row.record));
    let group_list: Vec<&str> = groups
        .split(['/', '\\'])
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .collect();
    paths.place(&mut e, &group_list, title, wanted_path.as_deref());
    Ok((e, kind))
}

fn row_header(roles: &[Option<Role>], i: usize) -> String {
    match &roles[i] {
        Some(Role::Field { name, .. }) => name.clone(),
        Some(role) => ROLES
            .iter()
            .map(|(name, _)| *name)
            .find(|name| role_named(name).as_ref() == Some(role))
            .unwrap_or("")
            .to_owned(),
        None => String::new(),
    }
}

/// The fixed columns `export` writes, in order; custom fields follow as
/// `field: NAME` / `secret field: NAME`.
const EXPORT_COLUMNS: &[&str] = &[
    "path",
    "title",
    "kind",
    "username",
    "password",
    "url",
    "host",
    "port",
    "totp",
    "recovery codes",
    "notes",
    "tags",
    "owner",
    "provider knows",
    "expires",
    "rotated",
    "id",
    "created",
    "updated",
];
const SECRET_COLUMNS: &[&str] = &["password", "totp", "recovery codes"];

pub fn export(client: &Client) -> Result<Exported> {
    let entries = client.sorted_entries();
    let mut warnings = Vec::new();
    // One column per distinct (field name, secret), in order of first appearance.
    let mut field_columns: Vec<(String, bool)> = Vec::new();
    for e in &entries {
        for f in &e.fields {
            let key = (f.name.clone(), f.secret);
            if !field_columns.contains(&key) {
                field_columns.push(key);
            }
        }
    }
    let mut header: Vec<String> = EXPORT_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let mut secret: Vec<bool> = EXPORT_COLUMNS
        .iter()
        .map(|c| SECRET_COLUMNS.contains(c))
        .collect();
    for (name, is_secret) in &field_columns {
        let prefix = if *is_secret {
            SECRET_FIELD_PREFIX
        } else {
            FIELD_PREFIX
        };
        header.push(format!("{prefix}{name}"));
        secret.push(*is_secret);
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(64 * 1024 + entries.len() * 2048));
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut *bytes);
        let io = |e: csv::Error| Error::Invalid(format!("cannot write CSV: {e}"));
        // A UTF-8 BOM makes Excel read the file as UTF-8.
        w.write_field("\u{feff}path").map_err(io)?;
        for h in &header[1..] {
            w.write_field(escape_formula(h).as_ref()).map_err(io)?;
        }
        w.write_record(None::<&[u8]>).map_err(io)?;
        for e in &entries {
            let mut row: Vec<Zeroizing<String>> = vec![
                Zeroizing::new(e.path.clone()),
                Zeroizing::new(e.title.clone()),
                Zeroizing::new(e.kind.as_str().to_owned()),
                Zeroizing::new(e.username.clone().unwrap_or_default()),
                Zeroizing::new(
                    e.password
                        .as_ref()
                        .map(|p| p.expose().to_owned())
                        .unwrap_or_default(),
                ),
                Zeroizing::new(e.url.clone().unwrap_or_default()),
                Zeroizing::new(e.host.clone().unwrap_or_default()),
                Zeroizing::new(e.port.map(|p| p.to_string()).unwrap_or_default()),
                Zeroizing::new(
                    e.totp
                        .as_ref()
                        .map(|p| p.expose().to_owned())
                        .unwrap_or_default(),
                ),
                Zeroizing::new(
                    e.recovery_codes
                        .iter()
                        .map(|c| c.expose())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Zeroizing::new(e.notes.clone().unwrap_or_default()),
                Zeroizing::new(e.tags.join("\n")),
                Zeroizing::new(e.owner.map(|o| o.as_str().to_owned()).unwrap_or_default()),
                Zeroizing::new(e.provider_knows.to_string()),
                Zeroizing::new(e.expires.map(|d| d.to_string()).unwrap_or_default()),
                Zeroizing::new(e.rotated.map(|d| d.to_string()).unwrap_or_default()),
                Zeroizing::new(e.id.to_string()),
                Zeroizing::new(e.created.map(|t| t.to_rfc3339()).unwrap_or_default()),
                Zeroizing::new(e.updated.map(|t| t.to_rfc3339()).unwrap_or_default()),
            ];
            if e.recovery_codes
                .iter()
                .any(|c| c.expose().contains('\n') || c.is_empty())
            {
                warnings.push(format!(
                    "{}: a recovery code is empty or contains a line break; the CSV cell (one code per line) cannot hold it exactly",
                    e.path
                ));
            }
            if e.tags.iter().any(|t| t.contains(['\n', ',', ';'])) {
                warnings.push(format!(
                    "{}: a tag contains a line break, ',' or ';'; it may be split when the CSV is imported",
                    e.path
                ));
            }
            for (name, is_secret) in &field_columns {
                let mut matching = e
                    .fields
                    .iter()
                    .filter(|f| &f.name == name && f.secret == *is_secret);
                row.push(Zeroizing::new(
                    matching
                        .next()
                        .map(|f| f.value.expose().to_owned())
                        .unwrap_or_default(),
                ));
                if matching.next().is_some() {
                    warnings.push(format!(
                        "{}: has several fields named {name:?}; the CSV has one column per name, so only the first is exported",
                        e.path
                    ));
                }
            }
            for (i, cell) in row.iter().enumerate() {
                if secret[i] {
                    if needs_formula_escape(cell) {
                        warnings.push(format!(
                            "{}: the {:?} value starts with =, +, -, @ or a tab; it is written unchanged, so open the CSV with that column set to Text (see docs/FORMAT.md)",
                            e.path, header[i]
                        ));
                    }
                    w.write_field(cell.as_bytes()).map_err(io)?;
                } else {
                    w.write_field(escape_formula(cell).as_bytes()).map_err(io)?;
                }
            }
            w.write_record(None::<&[u8]>).map_err(io)?;
        }
        w.flush().map_err(|e| Error::io("cannot write CSV", e))?;
    }
    Ok(Exported { bytes, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(map: &[(&str, &str)]) -> ImportOptions {
        ImportOptions {
            column_map: map
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..ImportOptions::default()
        }
    }

    #[test]
    fn german_excel_file() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/excel-de-cp1252.csv"
        ))
        .unwrap();
        let got = import(&data, "t", &ImportOptions::default())
            .unwrap()
            .entries;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].path, "Router");
        assert_eq!(got[0].username.as_deref(), Some("admin"));
        assert_eq!(got[0].password.as_ref().unwrap().expose(), "Rö-ter");
        assert_eq!(got[0].url.as_deref(), Some("http://192.168.178.1"));
        assert_eq!(got[0].notes.as_deref(), Some("Keller"));
        assert_eq!(got[1].password.as_ref().unwrap().expose(), "a;b");
        assert_eq!(got[1].notes.as_deref(), Some("zwei\r\nZeilen"));
        assert_eq!(got[1].kind, Kind::Login);
    }

    #[test]
    fn mapping_and_unknown_columns() {
        let data = "Gerät\tZugang\tGeheimzahl\tStandort\nFW\tadmin\t1234\tKeller\nFW\troot\t9\t\n";
        let got = import(
            data.as_bytes(),
            "t",
            &opts(&[("title", "Gerät"), ("username", "zugang")]),
        )
        .unwrap()
        .entries;
        assert_eq!(got[0].path, "FW");
        assert_eq!(got[1].path, "FW (2)");
        assert_eq!(got[0].username.as_deref(), Some("admin"));
        let pin = &got[0].fields[0];
        assert_eq!((pin.name.as_str(), pin.secret), ("Geheimzahl", true));
        assert_eq!(got[0].fields[1].name, "Standort");
        assert!(import(data.as_bytes(), "t", &opts(&[("nope", "Gerät")])).is_err());
        assert!(import(data.as_bytes(), "t", &opts(&[("title", "Nope")])).is_err());
        let got = import(
            data.as_bytes(),
            "t",
            &opts(&[("title", "1"), ("secret:PIN", "3")]),
        )
        .unwrap()
        .entries;
        assert!(got[0].fields.iter().any(|f| f.name == "PIN" && f.secret));
        // No recognisable column at all.
        let err = import(b"a;b\n1;2\n", "t", &ImportOptions::default())
            .err()
            .unwrap();
        assert!(err.to_string().contains("--map"), "{err}");
    }

    #[test]
    fn german_and_english_headers_are_detected() {
        let data = "\u{feff}Titel;Benutzername;Kennwort;Webseite;Bemerkung;Ordner;Ablaufdatum\n\
                    NAS;admin;\"x;\"\"y\"\"\";https://nas;\"a\nb\";Server/Keller;31.12.2026\n";
        let e = &import(data.as_bytes(), "t", &ImportOptions::default())
            .unwrap()
            .entries[0];
        assert_eq!(e.path, "Server/Keller/NAS");
        assert_eq!(e.username.as_deref(), Some("admin"));
        assert_eq!(e.password.as_ref().unwrap().expose(), "x;\"y\"");
        assert_eq!(e.url.as_deref(), Some("https://nas"));
        assert_eq!(e.notes.as_deref(), Some("a\nb"));
        assert_eq!(e.expires, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
        assert!(e.fields.is_empty());
        let data = "Name,User,Password,Notes,PIN\nmail,u,p,n,1234\n";
        let e = &import(data.as_bytes(), "t", &ImportOptions::default())
            .unwrap()
            .entries[0];
        assert_eq!((e.title.as_str(), e.notes.as_deref()), ("mail", Some("n")));
        assert!(e.fields[0].secret, "a PIN column is a secret field");
    }

    #[test]
    fn bad_cells_name_the_record() {
        let data = "title,port\nok,22\nbad,secret-port\n";
        let err = import(data.as_bytes(), "t", &ImportOptions::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("record 2") && err.contains("line 3"), "{err}");
        assert!(!err.contains("secret-port"), "{err}");
    }

    #[test]
    fn formula_escape_is_reversible() {
        for v in [
            "=1+1", "+49 89", "-x", "@a", "'", "'=", "''=x", "'a", "a", "", "\tq", "'\t",
        ] {
            let escaped = escape_formula(v);
            assert_eq!(unescape_formula(&escaped), v, "{v:?}");
            assert!(!matches!(
                escaped.chars().next(),
                Some('=' | '+' | '-' | '@' | '\t')
            ));
        }
    }
}
