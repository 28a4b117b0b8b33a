//! `handover demo DIR`: a store, an identity and a realistic fictional client, so a
//! new user sees the product in one step. Every name, password and key in it is made
//! up; none of it opens anything.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::dossier::{Language, Options, PaperSize};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::Identity;
use crate::model::{Client, ClientId, Contact, Entry, Event, EventKind};
use crate::store::Store;
use crate::workflows::Handover;

pub const DEMO_CLIENT: &str = "mueller-bau";

pub struct DemoResult {
    pub store: PathBuf,
    pub identity: PathBuf,
    pub dossiers: Vec<PathBuf>,
    pub fingerprint: String,
    /// Warnings for the user (a demo directory that others can write to).
    pub notes: Vec<String>,
}

/// Creates (or reuses) the demo store in `dir` and writes `dossier-de.pdf` and
/// `dossier-en.pdf` there.
pub fn run(dir: &Path, as_of: DateTime<Utc>) -> Result<DemoResult> {
    fsutil::ensure_private_dir(dir)?;
    let notes = fsutil::shared_dir_warning(dir).into_iter().collect();
    let store_dir = dir.join("store");
    let identity_file = dir.join("identity.txt");
    let (store, _) = Store::init(&store_dir)?;
    let identity = if identity_file.exists() {
        let bytes = fsutil::read_regular_secret(
            &identity_file,
            crate::keys::identity::MAX_IDENTITY_BYTES,
            "the identity file",
        )?;
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::Identity {
            path: identity_file.clone(),
            problem: "it is not a plain age identity file".into(),
        })?;
        Identity::parse(text).map_err(|problem| Error::Identity {
            path: identity_file.clone(),
            problem,
        })?
    } else {
        let identity = Identity::generate();
        fsutil::create_new_private(&identity_file, identity.to_file_contents(as_of).as_bytes())?;
        identity
    };
    let h = Handover::open_unattended(
        store,
        identity,
        &crate::keys::KeyFiles::beside(&identity_file),
    )?;
    let id = ClientId::parse(DEMO_CLIENT)?;
    let key_file = dir.join("client-key.txt");
    if !h.store.exists(&id) {
        h.create(&mut demo_client(h.identity.recipient().to_string(), as_of)?)?;
        super::client_key::create(&h, &id, &key_file, true)?;
    }
    let template = dir.join("template");
    fsutil::ensure_private_dir(&template)?;
    fsutil::atomic_write(
        &template.join("branding.json"),
        r##"{
  "provider_name": "IT-Service Schäfer e. K.",
  "provider_address": "Lindenstraße 12\n79098 Freiburg im Breisgau",
  "provider_contact": "Telefon 0761 555 01 23\nsupport@it-schaefer.example",
  "emergency_partner": "Systemhaus Kaiserstuhl GmbH, Herr Brandt, Telefon 0761 555 77 00\nVertretungsvertrag: übernimmt die Betreuung, wenn IT-Service Schäfer nicht erreichbar ist",
  "accent_color": "#1f4e79",
  "logo": "logo.png"
}
"##
        .as_bytes(),
    )?;
    fsutil::atomic_write(&template.join("logo.png"), &demo_logo()?)?;
    let mut dossiers = Vec::new();
    let mut fingerprint = String::new();
    for lang in [Language::De, Language::En] {
        let out = dir.join(format!("dossier-{}.pdf", lang.code()));
        let options = Options {
            lang,
            paper: PaperSize::A4,
            template_dir: Some(template.clone()),
            as_of,
            client_key: match key_file.exists() {
                true => Some(super::dossier::read_client_key(&key_file)?),
                false => None,
            },
            signing_key: h.signing.as_ref().map(|k| k.public().fingerprint()),
            provider: h.store.config()?.provider,
            handed_over_to: None,
            stock_check: super::dossier::stock_check(&h),
            data_pages: false,
        };
        let check =
            super::check::CheckOptions::for_provider(&h, &["it-schaefer.example".to_owned()])?;
        fingerprint = super::dossier::export(&h, &id, &options, &check, &out, true)?.fingerprint;
        dossiers.push(out);
    }
    Ok(DemoResult {
        store: store_dir,
        identity: identity_file,
        dossiers,
        fingerprint,
        notes,
    })
}

/// The fictional provider's logo: a blue roof over three bars, drawn here so the demo
/// needs no asset and shows how branding looks.
fn demo_logo() -> Result<Vec<u8>> {
    let (w, h) = (300u32, 120u32);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (xf, yf) = (x as f32, y as f32);
            // Roof: a triangle from (10,60) to (110,10) to (210,60), 14 px thick.
            let roof = (yf - (60.0 - (xf - 10.0) * 0.5)).abs() < 7.0 && x <= 110
                || (yf - (10.0 + (xf - 110.0) * 0.5)).abs() < 7.0 && (110..=210).contains(&x);
            let bar =
                (40..=180).contains(&x) && [72u32, 88, 104].iter().any(|b| y.abs_diff(*b) < 5);
            let c: [u8; 4] = if roof {
                [0x1f, 0x4e, 0x79, 255]
            } else if bar {
                [0x5b, 0x9b, 0xd5, 255]
            } else {
                [255, 255, 255, 0]
            };
            rgba.extend_from_slice(&c);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| Error::Invalid(format!("cannot encode the demo logo: {e}")))?;
    writer
        .write_image_data(&rgba)
        .map_err(|e| Error::Invalid(format!("cannot encode the demo logo: {e}")))?;
    writer
        .finish()
        .map_err(|e| Error::Invalid(format!("cannot encode the demo logo: {e}")))?;
    Ok(out)
}

/// The demo client's data, shipped inside the binary so the demo needs no files: each
/// item as the vault's own JSON holds it, except that dates are relative to the day
/// the demo is created ("in 45 days", "200 days ago", "34 months ago"), so the demo
/// never ages, and that items name each other (entries by path, vendors by name,
/// decisions by title) where the vault holds ids, which are new in every demo.
const DEMO_DATA: &str = include_str!("../../templates/demo/client.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoData {
    client: DemoClient,
    entries: Vec<Value>,
    vendors: Vec<Value>,
    systems: Vec<Value>,
    networks: Vec<Value>,
    documents: Vec<Value>,
    decisions: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoClient {
    name: String,
    legal_name: String,
    address: String,
    notes: String,
    contacts: Vec<Contact>,
}

/// The fields that hold a date, written relative to today in the demo data.
const DATE_KEYS: [&str; 8] = [
    "expires",
    "rotated",
    "start",
    "term_end",
    "purchased",
    "warranty_until",
    "last_restore_test",
    "date",
];

/// The ids of the items others refer to, by the name the demo data uses for them.
struct Names {
    entries: HashMap<String, Uuid>,
    vendors: HashMap<String, Uuid>,
    decisions: HashMap<String, Uuid>,
}

/// A fictional Freiburg construction company and its IT: its keys, and beside them its
/// two sites, their systems and networks, vendors with contracts, the backup-restore
/// procedure, the first-hour plan and why things are as they are.
fn demo_client(recipient: String, now: DateTime<Utc>) -> Result<Client> {
    let mut data: DemoData = serde_json::from_str(DEMO_DATA).map_err(broken)?;
    let names = Names {
        entries: assign_ids(&mut data.entries, "path"),
        vendors: assign_ids(&mut data.vendors, "name"),
        decisions: assign_ids(&mut data.decisions, "title"),
    };
    let today = now.date_naive();
    let id = ClientId::parse(DEMO_CLIENT)?;
    let mut c = Client::new(id, data.client.name, vec![recipient], now);
    c.legal_name = Some(data.client.legal_name);
    c.address = Some(data.client.address);
    c.notes = Some(data.client.notes);
    c.contacts = data.client.contacts;
    c.record(Event::new(EventKind::ClientCreated, now));
    let mut entries: Vec<Entry> = items(data.entries, today, &names)?;
    for e in &mut entries {
        e.created = Some(now);
        e.updated = Some(now);
        c.record(Event::for_entry(EventKind::EntryCreated, now, e));
    }
    c.entries = entries;
    c.systems = items(data.systems, today, &names)?;
    c.networks = items(data.networks, today, &names)?;
    c.vendors = items(data.vendors, today, &names)?;
    c.documents = items(data.documents, today, &names)?;
    c.decisions = items(data.decisions, today, &names)?;
    record_knowledge(&mut c, now);
    c.validate()?;
    Ok(c)
}

/// Stamps the systems, networks, vendors, documents and decisions as created now and
/// records their creation, in that order.
fn record_knowledge(c: &mut Client, now: DateTime<Utc>) {
    let mut events = Vec::new();
    for s in &mut c.systems {
        (s.created, s.updated) = (Some(now), Some(now));
        events.push(Event::for_item(
            EventKind::SystemCreated,
            now,
            &s.name,
            s.id,
        ));
    }
    for n in &mut c.networks {
        (n.created, n.updated) = (Some(now), Some(now));
        events.push(Event::for_item(
            EventKind::NetworkCreated,
            now,
            &n.name,
            n.id,
        ));
    }
    for v in &mut c.vendors {
        (v.created, v.updated) = (Some(now), Some(now));
        events.push(Event::for_item(
            EventKind::VendorCreated,
            now,
            &v.name,
            v.id,
        ));
    }
    for d in &mut c.documents {
        (d.created, d.updated) = (Some(now), Some(now));
        events.push(Event::for_item(
            EventKind::DocumentCreated,
            now,
            &d.path,
            d.id,
        ));
    }
    for d in &mut c.decisions {
        (d.created, d.updated) = (Some(now), Some(now));
        events.push(Event::for_item(
            EventKind::DecisionCreated,
            now,
            &d.title,
            d.id,
        ));
    }
    for event in events {
        c.record(event);
    }
}

/// Gives each item a new id before it is read, so that others can refer to it by its
/// `key` (its path, name or title).
fn assign_ids(items: &mut [Value], key: &str) -> HashMap<String, Uuid> {
    let mut ids = HashMap::new();
    for item in items {
        let id = Uuid::new_v4();
        let name = item.get(key).and_then(Value::as_str).map(str::to_owned);
        if let (Some(name), Some(fields)) = (name, item.as_object_mut()) {
            fields.insert("id".into(), Value::String(id.to_string()));
            ids.insert(name, id);
        }
    }
    ids
}

fn items<T: DeserializeOwned>(
    values: Vec<Value>,
    today: NaiveDate,
    names: &Names,
) -> Result<Vec<T>> {
    values
        .into_iter()
        .map(|mut value| {
            resolve(&mut value, today, names)?;
            serde_json::from_value(value).map_err(broken)
        })
        .collect()
}

/// Turns the demo data's relative dates and names into the dates and ids the model
/// reads.
fn resolve(value: &mut Value, today: NaiveDate, names: &Names) -> Result<()> {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                match (key.as_str(), &mut *field) {
                    (key, Value::String(text)) if DATE_KEYS.contains(&key) => {
                        let date = relative_date(text, today)
                            .ok_or_else(|| broken(format!("{key}: {text:?} is not a date")))?;
                        *field = Value::String(date.to_string());
                    }
                    ("vendor", Value::String(name)) => *field = id_of(&names.vendors, name)?,
                    ("superseded_by", Value::String(title)) => {
                        *field = id_of(&names.decisions, title)?;
                    }
                    ("entries", Value::Array(paths)) => {
                        for path in paths {
                            if let Value::String(text) = path {
                                *path = id_of(&names.entries, text)?;
                            }
                        }
                    }
                    (_, field) => resolve(field, today, names)?,
                }
            }
        }
        Value::Array(values) => {
            for value in values {
                resolve(value, today, names)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn id_of(ids: &HashMap<String, Uuid>, name: &str) -> Result<Value> {
    ids.get(name)
        .map(|id| Value::String(id.to_string()))
        .ok_or_else(|| broken(format!("nothing is called {name:?}")))
}

/// "in 45 days", "200 days ago", "34 months ago": a date that far from `today`
/// (`today` itself past the calendar's end).
fn relative_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let words: Vec<&str> = text.split(' ').collect();
    let (count, unit, ahead) = match words[..] {
        ["in", count, unit] => (count, unit, true),
        [count, unit, "ago"] => (count, unit, false),
        _ => return None,
    };
    let count: u32 = count.parse().ok()?;
    let date = match (unit, ahead) {
        ("days", true) => today.checked_add_days(Days::new(count.into())),
        ("days", false) => today.checked_sub_days(Days::new(count.into())),
        ("months", true) => today.checked_add_months(Months::new(count)),
        ("months", false) => today.checked_sub_months(Months::new(count)),
        _ => return None,
    };
    Some(date.unwrap_or(today))
}

/// The demo data ships inside the binary, so a problem with it is a bug in handover;
/// the unit test below reads it.
fn broken(problem: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("the demo data is broken: {problem}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_data_reads_into_a_valid_client() {
        let now = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let c = demo_client("age1demo".into(), now).unwrap();
        assert_eq!(c.entries.len(), 14);
        assert_eq!(c.systems.len(), 9);
        assert_eq!(c.networks.len(), 3);
        assert_eq!(c.vendors.len(), 4);
        assert_eq!(c.documents.len(), 3);
        assert_eq!(c.decisions.len(), 4);
        let today = now.date_naive();
        assert_eq!(
            relative_date("34 months ago", today),
            today.checked_sub_months(Months::new(34))
        );
        assert_eq!(
            relative_date("in 60 days", today),
            today.checked_add_days(Days::new(60))
        );
        assert_eq!(relative_date("60 days", today), None);
    }
}
