//! `bitwarden-json`: Bitwarden's unencrypted JSON export (also written by Vaultwarden
//! and read by KeePassXC and 1Password). Items are parsed one by one so that an error
//! names the item's number; serde's messages are never shown (they quote values).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::error::{Error, Result, describe_json_error};
use crate::formats::extras::{self, Native};
use crate::formats::infer::{self, Hint};
use crate::formats::naming::{PathAllocator, derive_path};
use crate::formats::{Exported, Imported, parse_time, totp_value};
use crate::model::{Client, Entry, Field, Kind, Secret};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportIn<'a> {
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    password_protected: bool,
    #[serde(default)]
    folders: Option<Vec<Folder>>,
    #[serde(default)]
    collections: Option<Vec<Folder>>,
    #[serde(borrow)]
    items: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize, Serialize)]
struct Folder {
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemIn {
    id: Option<String>,
    folder_id: Option<String>,
    collection_ids: Option<Vec<String>>,
    #[serde(rename = "type")]
    kind: u8,
    name: Option<String>,
    notes: Option<String>,
    favorite: Option<bool>,
    fields: Option<Vec<FieldIn>>,
    login: Option<LoginIn>,
    card: Option<BTreeMap<String, Option<Secret>>>,
    identity: Option<BTreeMap<String, Option<Secret>>>,
    ssh_key: Option<BTreeMap<String, Option<Secret>>>,
    password_history: Option<Vec<HistoryIn>>,
    creation_date: Option<String>,
    revision_date: Option<String>,
}

#[derive(Deserialize)]
struct FieldIn {
    name: Option<String>,
    value: Option<Secret>,
    #[serde(rename = "type")]
    kind: u8,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginIn {
    uris: Option<Vec<UriIn>>,
    username: Option<String>,
    password: Option<Secret>,
    totp: Option<Secret>,
    fido2_credentials: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Deserialize)]
struct UriIn {
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HistoryIn {
    last_used_date: Option<String>,
    password: Option<Secret>,
}

/// Card and identity values that are secrets.
const SECRET_KEYS: &[&str] = &[
    "number",
    "code",
    "ssn",
    "passportNumber",
    "licenseNumber",
    "privateKey",
];

pub fn import(data: &[u8], source_name: &str) -> Result<Imported> {
    let file_error = |reason: String| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason,
    };
    let text = std::str::from_utf8(data).map_err(|e| {
        file_error(format!(
            "it is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let export: ExportIn = serde_json::from_str(text).map_err(|e| {
        file_error(format!(
            "it is not a Bitwarden JSON export ({} at line {}, column {})",
            describe_json_error(&e),
            e.line(),
            e.column()
        ))
    })?;
    if export.encrypted || export.password_protected {
        return Err(file_error(
            "it is an encrypted Bitwarden export; export the vault again choosing the file format \"JSON\" (not \"JSON (Encrypted)\")".into(),
        ));
    }
    let Some(items) = export.items else {
        return Err(file_error(
            "it has no \"items\" list, so it is not a Bitwarden JSON export".into(),
        ));
    };
    let folders = folder_names(export.folders, export.collections);
    let mut paths = PathAllocator::default();
    let mut out = Imported::default();
    for (i, raw) in items.into_iter().enumerate() {
        let record = i + 1;
        let fail = |reason: String| Error::Import {
            source_name: source_name.to_owned(),
            record,
            reason,
        };
        let item = ItemIn::deserialize(&mut serde_json::Deserializer::from_str(raw.get()))
            .map_err(|e| {
                fail(format!(
                    "it is not a Bitwarden item ({})",
                    describe_json_error(&e)
                ))
            })?;
        let entry = entry_from_item(item, &folders, &mut paths, &mut out).map_err(fail)?;
        out.entries.push(entry);
    }
    Ok(out)
}

fn entry_from_item(
    item: ItemIn,
    folders: &HashMap<String, String>,
    paths: &mut PathAllocator,
    out: &mut Imported,
) -> std::result::Result<Entry, String> {
    let title = item.name.unwrap_or_default();
    let mut e = Entry::new("x".into(), Kind::Login);
    let hint = type_hint(item.kind).ok_or_else(|| {
        format!(
            "its type {} is not one Bitwarden defines (1 to 5)",
            item.kind
        )
    })?;
    let kind_given = item
        .fields
        .iter()
        .flatten()
        .any(|f| f.name.as_deref() == Some(extras::KIND));
    if let Some(id) = item.id.as_deref().and_then(|id| id.parse().ok()) {
        e.id = id;
    }
    e.notes = item.notes.filter(|n| !n.is_empty());
    e.created = item.creation_date.as_deref().and_then(parse_time);
    e.updated = item.revision_date.as_deref().and_then(parse_time);
    if item.favorite == Some(true) {
        e.tags.push("favorite".into());
    }
    if let Some(login) = item.login {
        apply_login(&mut e, login, &title, &mut out.warnings);
    }
    for map in [item.card, item.identity] {
        push_card_fields(&mut e, map.into_iter().flatten());
    }
    for (key, value) in item.ssh_key.into_iter().flatten() {
        match (key.as_str(), value) {
            ("privateKey", Some(v)) if !v.is_empty() => e.password = Some(v),
            (_, Some(v)) if !v.is_empty() => e.fields.push(Field {
                name: key,
                value: v,
                secret: false,
            }),
            _ => {}
        }
    }
    let wanted_path = apply_custom_fields(&mut e, item.fields.into_iter().flatten())?;
    push_password_history(&mut e, item.password_history.into_iter().flatten());
    let folder = item
        .folder_id
        .as_ref()
        .or(item.collection_ids.as_ref().and_then(|c| c.first()))
        .and_then(|id| folders.get(id));
    let groups: Vec<&str> = folder.map(|f| f.split('/').collect()).unwrap_or_default();
    paths.place(&mut e, &groups, title, wanted_path.as_deref());
    infer::apply(&mut e, hint, kind_given, &mut out.inferred);
    Ok(e)
}

/// What Bitwarden's item type says: a login or a secure note may turn out to be
/// something more telling; a card, an identity and an SSH key are what they say.
fn type_hint(kind: u8) -> Option<Hint> {
    Some(match kind {
        1 => Hint::Generic(Kind::Login, "Bitwarden login"),
        2 => Hint::Generic(Kind::Note, "Bitwarden secure note"),
        3 => Hint::Specific(Kind::Other, "Bitwarden type card"),
        4 => Hint::Specific(Kind::Other, "Bitwarden type identity"),
        5 => Hint::Specific(Kind::SshKey, "Bitwarden type SSH key"),
        _ => return None,
    })
}

/// The item's custom fields: handover's own (see `extras`) set what they name, the
/// others become fields; returns the path an `extras` field asked for.
fn apply_custom_fields(
    e: &mut Entry,
    fields: impl Iterator<Item = FieldIn>,
) -> std::result::Result<Option<String>, String> {
    let mut wanted_path = None;
    for f in fields {
        let name = f.name.unwrap_or_default();
        let value = f.value.unwrap_or_default();
        if f.kind == 3 {
            // A linked field only points at another value of the item.
            continue;
        }
        if extras::apply(e, &name, &value, &mut wanted_path)? {
            continue;
        }
        e.fields.push(Field {
            name: if name.trim().is_empty() {
                "field".into()
            } else {
                name
            },
            value,
            secret: f.kind == 1,
        });
    }
    Ok(wanted_path)
}

/// Folder and collection names by id (a folder's name wins over a collection's).
fn folder_names(
    folders: Option<Vec<Folder>>,
    collections: Option<Vec<Folder>>,
) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = HashMap::new();
    for f in folders
        .into_iter()
        .flatten()
        .chain(collections.into_iter().flatten())
    {
        if let (Some(id), Some(name)) = (f.id, f.name) {
            names.entry(id).or_insert(name);
        }
    }
    names
}

fn apply_login(e: &mut Entry, login: LoginIn, title: &str, warnings: &mut Vec<String>) {
    e.username = login.username.filter(|u| !u.is_empty());
    e.password = login.password.filter(|p| !p.is_empty());
    e.totp = login
        .totp
        .filter(|t| !t.is_empty())
        .map(|t| totp_value(t.expose(), title));
    let uris: Vec<String> = login
        .uris
        .into_iter()
        .flatten()
        .filter_map(|u| u.uri)
        .filter(|u| !u.is_empty())
        .collect();
    for (n, uri) in uris.into_iter().enumerate() {
        if n == 0 {
            e.url = Some(uri);
        } else {
            e.fields.push(Field {
                name: format!("url {}", n + 1),
                value: Secret::new(uri),
                secret: false,
            });
        }
    }
    if login.fido2_credentials.is_some_and(|f| !f.is_empty()) {
        warnings.push(format!(
            "{title:?}: its passkey (FIDO2 credential) cannot be imported; register a new passkey or keep the Bitwarden account"
        ));
    }
}

/// A card's or an identity's values as fields, the ones in SECRET_KEYS secret.
fn push_card_fields(e: &mut Entry, values: impl Iterator<Item = (String, Option<Secret>)>) {
    for (key, value) in values {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            e.fields.push(Field {
                secret: SECRET_KEYS.contains(&key.as_str()),
                name: key,
                value,
            });
        }
    }
}

/// Old passwords, in the order Bitwarden lists them, as secret fields
/// `password history N (date last used)`.
fn push_password_history(e: &mut Entry, history: impl Iterator<Item = HistoryIn>) {
    for (n, h) in history.enumerate() {
        let Some(password) = h.password else { continue };
        let date = h
            .last_used_date
            .as_deref()
            .and_then(parse_time)
            .map(|t| format!(" ({})", t.date_naive()))
            .unwrap_or_default();
        e.fields.push(Field {
            name: format!("password history {}{date}", n + 1),
            value: password,
            secret: true,
        });
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportOut<'a> {
    encrypted: bool,
    folders: Vec<Folder>,
    items: Vec<ItemOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemOut<'a> {
    id: String,
    organization_id: Option<()>,
    folder_id: Option<String>,
    #[serde(rename = "type")]
    kind: u8,
    reprompt: u8,
    name: &'a str,
    notes: Option<&'a str>,
    favorite: bool,
    fields: Vec<FieldOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    login: Option<LoginOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secure_note: Option<SecureNote>,
    password_history: Option<()>,
    creation_date: Option<String>,
    revision_date: Option<String>,
    deleted_date: Option<()>,
    collection_ids: Option<()>,
}

#[derive(Serialize)]
struct FieldOut {
    name: String,
    value: Secret,
    #[serde(rename = "type")]
    kind: u8,
    #[serde(rename = "linkedId")]
    linked_id: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginOut<'a> {
    uris: Vec<UriOut<'a>>,
    username: Option<&'a str>,
    password: Option<&'a Secret>,
    totp: Option<&'a Secret>,
    fido2_credentials: Vec<()>,
}

#[derive(Serialize)]
struct UriOut<'a> {
    #[serde(rename = "match")]
    match_: Option<()>,
    uri: &'a str,
}

#[derive(Serialize)]
struct SecureNote {
    #[serde(rename = "type")]
    kind: u8,
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

pub fn export(client: &Client) -> Result<Exported> {
    let entries = client.sorted_entries();
    let mut folders: Vec<Folder> = Vec::new();
    let mut items = Vec::with_capacity(entries.len());
    for e in &entries {
        let groups: Vec<&str> = e.path.split('/').collect();
        let groups = &groups[..groups.len() - 1];
        let folder_id = if groups.is_empty() {
            None
        } else {
            let name = groups.join("/");
            let index = match folders
                .iter()
                .position(|f| f.name.as_deref() == Some(&name))
            {
                Some(i) => i,
                None => {
                    folders.push(Folder {
                        id: Some(
                            uuid::Uuid::from_u128(
                                0x4a1d_0000_0000_4000_8000_0000_0000_0000
                                    | (folders.len() as u128 + 1),
                            )
                            .to_string(),
                        ),
                        name: Some(name),
                    });
                    folders.len() - 1
                }
            };
            folders[index].id.clone()
        };
        let is_note = e.kind == Kind::Note
            && e.username.is_none()
            && e.password.is_none()
            && e.url.is_none()
            && e.totp.is_none();
        let hint = type_hint(if is_note { 2 } else { 1 }).unwrap_or(Hint::None);
        let native = Native {
            tags: false,
            expires: false,
            default_kind: infer::kind(e, hint).kind,
        };
        let mut fields: Vec<FieldOut> = e
            .fields
            .iter()
            .map(|f| FieldOut {
                name: f.name.clone(),
                value: f.value.clone(),
                kind: u8::from(f.secret),
                linked_id: None,
            })
            .collect();
        for x in extras::extra_fields(e, &derive_path(groups, &e.title), &native) {
            fields.push(FieldOut {
                name: x.name,
                value: x.value,
                kind: u8::from(x.secret),
                linked_id: None,
            });
        }
        items.push(ItemOut {
            id: e.id.to_string(),
            organization_id: None,
            folder_id,
            kind: if is_note { 2 } else { 1 },
            reprompt: 0,
            name: &e.title,
            notes: e.notes.as_deref(),
            favorite: false,
            fields,
            login: (!is_note).then(|| LoginOut {
                uris: e
                    .url
                    .as_deref()
                    .map(|u| {
                        vec![UriOut {
                            match_: None,
                            uri: u,
                        }]
                    })
                    .unwrap_or_default(),
                username: e.username.as_deref(),
                password: e.password.as_ref(),
                totp: e.totp.as_ref(),
                fido2_credentials: Vec::new(),
            }),
            secure_note: is_note.then_some(SecureNote { kind: 0 }),
            password_history: None,
            creation_date: time(e.created),
            revision_date: time(e.updated),
            deleted_date: None,
            collection_ids: None,
        });
    }
    let out = ExportOut {
        encrypted: false,
        folders,
        items,
    };
    let mut bytes = Zeroizing::new(Vec::with_capacity(64 * 1024 + entries.len() * 4096));
    serde_json::to_writer_pretty(&mut *bytes, &out)
        .map_err(|e| Error::Invalid(format!("cannot write JSON: {}", describe_json_error(&e))))?;
    bytes.push(b'\n');
    Ok(Exported {
        bytes,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/bitwarden-unencrypted.json"
        ))
        .unwrap()
    }

    /// A passkey cannot come along: the warning names the item, not its place.
    #[test]
    fn a_passkey_warning_names_the_item() {
        let data = r#"{"items":[{"type":1,"name":"Bank Müller","login":{"username":"u","password":"p","fido2Credentials":[{"credentialId":"x"}]}}]}"#;
        let imported = import(data.as_bytes(), "export.json").unwrap();
        assert_eq!(
            imported.warnings,
            vec!["\"Bank Müller\": its passkey (FIDO2 credential) cannot be imported; register a new passkey or keep the Bitwarden account".to_owned()]
        );
    }

    #[test]
    fn reads_the_sample() {
        let got = import(&fixture(), "t").unwrap().entries;
        assert_eq!(got.len(), 2);
        let e = &got[0];
        assert_eq!(e.path, "Praxis Dr. Weber/Praxissoftware");
        assert_eq!(e.kind, Kind::Login);
        assert_eq!(e.password.as_ref().unwrap().expose(), "Pr@xis-Wëber-1");
        assert_eq!(e.url.as_deref(), Some("https://praxis.example.com"));
        assert_eq!(
            e.totp.as_ref().unwrap().expose(),
            "otpauth://totp/Praxis:weber?secret=MFRGGZDFMZTWQ2LK&issuer=Praxis"
        );
        let f: Vec<(&str, &str, bool)> = e
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.expose(), f.secret))
            .collect();
        assert_eq!(
            f,
            [
                ("Kundennummer", "K-99812", false),
                ("Support-PIN", "4711", true)
            ]
        );
        assert_eq!(e.id.to_string(), "7c1d2e3f-2222-4000-8000-000000000011");
        assert_eq!(got[1].kind, Kind::Note);
        assert_eq!(got[1].path, "Alarmanlage Code");
        assert_eq!(got[1].notes.as_deref(), Some("Code: 1234#\nNur im Notfall"));
    }

    #[test]
    fn history_cards_bare_totp_and_refusals() {
        let data = r#"{"encrypted":false,"folders":[],"items":[
          {"type":1,"name":"a","login":{"uris":[{"uri":"https://1"},{"uri":"https://2"}],
            "password":"new","totp":"jbsw y3dp"},
           "passwordHistory":[{"lastUsedDate":"2024-01-02T03:04:05.000Z","password":"old"}]},
          {"type":3,"name":"a","card":{"cardholderName":"X","number":"4111","code":"123","brand":null}}
        ]}"#;
        let got = import(data.as_bytes(), "t").unwrap().entries;
        assert_eq!(got[0].fields[0].name, "url 2");
        let h = &got[0].fields[1];
        assert_eq!(
            (h.name.as_str(), h.value.expose(), h.secret),
            ("password history 1 (2024-01-02)", "old", true)
        );
        assert_eq!(
            got[0].totp.as_ref().unwrap().expose(),
            "otpauth://totp/a?secret=JBSWY3DP"
        );
        assert_eq!(got[1].path, "a (2)");
        assert!(got[1].fields.iter().any(|f| f.name == "number" && f.secret));
        assert!(
            got[1]
                .fields
                .iter()
                .any(|f| f.name == "cardholderName" && !f.secret)
        );

        let err = import(br#"{"encrypted":true,"items":[]}"#, "t")
            .err()
            .unwrap();
        assert!(err.to_string().contains("encrypted"), "{err}");
        let bad = r#"{"items":[{"type":1,"name":"ok"},{"type":1,"login":{"password":7}}]}"#;
        let err = import(bad.as_bytes(), "t").err().unwrap().to_string();
        assert!(err.contains("record 2"), "{err}");
        assert!(import(b"[]", "t").is_err());
    }
}
