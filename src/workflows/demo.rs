//! `handover demo DIR`: a store, an identity and a realistic fictional client, so a
//! new user sees the product in one step. Every name, password and key in it is made
//! up; none of it opens anything.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, Utc};

use crate::crypto::Identity;
use crate::dossier::{Language, Options, PaperSize};
use crate::error::{Error, Result};
use crate::model::{
    Client, ClientId, Contact, Entry, Event, EventKind, Field, Kind, Owner, Secret,
};
use crate::store::{Store, fsutil};

use super::Handover;

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
            crate::crypto::MAX_IDENTITY_BYTES,
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
    let h = super::signers::open_unattended(
        store,
        identity,
        &crate::trust::KeyFiles::beside(&identity_file),
    )?;
    let id = ClientId::parse(DEMO_CLIENT)?;
    let key_file = dir.join("client-key.txt");
    if !h.store.exists(&id) {
        h.create(&mut demo_client(&h, as_of)?)?;
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

fn entry(path: &str, title: &str, kind: Kind) -> Entry {
    let mut e = Entry::new(path.to_owned(), kind);
    e.title = title.to_owned();
    e
}

fn field(name: &str, value: &str, secret: bool) -> Field {
    Field {
        name: name.to_owned(),
        value: Secret::from(value),
        secret,
    }
}

/// A fictional Freiburg construction company and its IT.
fn demo_client(h: &Handover, now: DateTime<Utc>) -> Result<Client> {
    let id = ClientId::parse(DEMO_CLIENT)?;
    let mut c = Client::new(
        id,
        "Müller & Söhne Bau".into(),
        vec![h.identity.recipient().to_string()],
        now,
    );
    c.legal_name = Some("Müller & Söhne Bau GmbH".into());
    c.address = Some("Hauptstraße 5\n79104 Freiburg im Breisgau".into());
    c.notes = Some(
        "12 Arbeitsplätze, Büro und Bauhof. Serverraum im Keller (Schlüssel bei Frau Müller)."
            .into(),
    );
    c.contacts = vec![
        Contact {
            name: "Jutta Müller".into(),
            role: Some("Geschäftsführerin".into()),
            phone: Some("0761 555 02 00".into()),
            email: Some("j.mueller@mueller-bau.example".into()),
        },
        Contact {
            name: "Jürgen Weiß".into(),
            role: Some("Buchhaltung, Ansprechpartner IT".into()),
            phone: Some("0761 555 02 14".into()),
            email: Some("j.weiss@mueller-bau.example".into()),
        },
        Contact {
            name: "Telekom Geschäftskunden".into(),
            role: Some("Internetanbieter (Drittanbieter), Kundennummer 4711 0815".into()),
            phone: Some("0800 330 1300".into()),
            email: None,
        },
    ];
    let today = now.date_naive();
    let day = |n: u64| today.checked_add_days(Days::new(n)).unwrap_or(today);
    let ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    let mut entries = Vec::new();

    let mut e = entry(
        "m365/global-admin",
        "Microsoft 365 – globaler Administrator",
        Kind::Login,
    );
    e.url = Some("https://admin.microsoft.com".into());
    e.username = Some("admin@muellerbau.onmicrosoft.com".into());
    e.password = Some(Secret::from("Grün€-Bagger-Öl-7319"));
    e.totp = Some(Secret::from(
        "otpauth://totp/Microsoft:admin%40muellerbau.onmicrosoft.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Microsoft",
    ));
    e.recovery_codes = [
        "4821-0375",
        "9916-2248",
        "3057-7713",
        "6690-1842",
        "1174-5509",
    ]
    .into_iter()
    .map(Secret::from)
    .collect();
    e.owner = Some(Owner::Client);
    e.rotated = Some(ago(200));
    e.notes = Some("Nur für Verwaltung nutzen. Täglich arbeiten alle mit eigenen Konten.".into());
    e.tags = vec!["mfa".into(), "kritisch".into()];
    entries.push(e);

    let mut e = entry("m365/buchhaltung", "Postfach Buchhaltung", Kind::Email);
    e.url = Some("https://outlook.office.com".into());
    e.username = Some("buchhaltung@mueller-bau.example".into());
    e.password = Some(Secret::from("Rechnungsprüfung+2025ß"));
    e.owner = Some(Owner::Client);
    entries.push(e);

    let mut e = entry(
        "netzwerk/firewall",
        "Firewall Sophos XGS 116",
        Kind::NetworkDevice,
    );
    e.host = Some("192.168.10.1".into());
    e.port = Some(4444);
    e.username = Some("admin".into());
    e.password = Some(Secret::from("Ws8#q|lI1O0o-Zaun"));
    e.notes = Some("Konfigurationssicherung monatlich auf das NAS (\\\\nas\\it\\firewall).".into());
    e.rotated = Some(ago(500));
    entries.push(e);

    let mut e = entry("netzwerk/wlan-buero", "WLAN Büro", Kind::Wifi);
    e.password = Some(Secret::from(" Baustelle-Süd 2024 "));
    e.fields = vec![
        field("SSID", "MuellerBau-Büro", false),
        field("Verschlüsselung", "WPA3-Personal", false),
    ];
    e.provider_knows = true;
    entries.push(e);

    let mut e = entry("netzwerk/wlan-gaeste", "WLAN Gäste", Kind::Wifi);
    e.password = Some(Secret::from("Willkommen-bei-Müller"));
    e.fields = vec![field("SSID", "MuellerBau-Gast", false)];
    e.provider_knows = false;
    entries.push(e);

    let mut e = entry("server/nas", "NAS Synology DS923+", Kind::Server);
    e.host = Some("nas.mueller-bau.lan".into());
    e.port = Some(5001);
    e.url = Some("https://nas.mueller-bau.lan:5001".into());
    e.username = Some("it-admin".into());
    e.password = Some(Secret::from("Ablage§Keller&Backup=42"));
    e.fields = vec![field(
        "Backup-Ziel",
        "Hyper Backup → Synology C2, täglich 22:00",
        false,
    )];
    entries.push(e);

    let mut e = entry(
        "server/nas-ssh",
        "NAS SSH-Schlüssel (Wartung)",
        Kind::SshKey,
    );
    e.host = Some("nas.mueller-bau.lan".into());
    e.port = Some(22);
    e.username = Some("wartung".into());
    e.fields = vec![field("private key", DEMO_SSH_KEY, true)];
    e.notes = Some("Fiktiver Schlüssel für die Demo.".into());
    entries.push(e);

    let mut e = entry(
        "domain/registrar",
        "Domain mueller-bau.example (INWX)",
        Kind::Domain,
    );
    e.url = Some("https://www.inwx.de/de/customer/login".into());
    e.username = Some("muellerbau".into());
    e.password = Some(Secret::from("Dächer&Wände_2023"));
    e.expires = Some(day(45));
    e.owner = Some(Owner::Client);
    entries.push(e);

    let mut e = entry(
        "domain/zertifikat",
        "TLS-Zertifikat Webmail",
        Kind::Certificate,
    );
    e.expires = Some(day(75));
    e.fields = vec![
        field("Zertifikat", DEMO_CERT, false),
        field("private key", DEMO_CERT_KEY, true),
    ];
    entries.push(e);

    let mut e = entry(
        "software/datev-api",
        "DATEV Schnittstelle (API-Token)",
        Kind::ApiKey,
    );
    e.url = Some("https://apps.datev.de".into());
    e.password = Some(Secret::new(demo_token()));
    e.owner = Some(Owner::ThirdParty);
    entries.push(e);

    let mut e = entry(
        "software/office-lizenz",
        "Microsoft 365 Business Standard",
        Kind::License,
    );
    e.fields = vec![
        field("Lizenzen", "12 Plätze, jährliche Verlängerung", false),
        field("Vertragsnummer", "MS-4471-2290", false),
    ];
    e.expires = Some(day(300));
    e.provider_knows = false;
    e.notes = Some("Über Partnerportal des Dienstleisters bezogen.".into());
    entries.push(e);

    let mut e = entry(
        "dienstleister/fernwartung",
        "Fernwartung TeamViewer",
        Kind::Login,
    );
    e.url = Some("https://login.teamviewer.com".into());
    e.username = Some("service@it-schaefer.example".into());
    e.password = Some(Secret::from("Schäfer-Remote-Ü5"));
    e.owner = Some(Owner::Provider);
    entries.push(e);

    let mut e = entry("kamera/nvr", "Videorekorder Bauhof", Kind::Login);
    e.host = Some("192.168.10.30".into());
    e.username = Some("admin".into());
    e.notes = Some("Passwort liegt nur dem Hersteller-Service vor.".into());
    entries.push(e);

    let mut e = entry("notfall/ablauf", "Notfall: wer ruft wen an", Kind::Note);
    e.notes = Some(
        "1. Frau Müller informieren.\n2. Internetstörung: Telekom Geschäftskunden anrufen.\n3. Serverausfall: NAS prüfen, Backup liegt in der Synology C2 Cloud."
            .into(),
    );
    e.provider_knows = false;
    entries.push(e);

    c.record(Event::new(EventKind::ClientCreated, now));
    for e in &mut entries {
        e.created = Some(now);
        e.updated = Some(now);
        c.record(Event::for_entry(EventKind::EntryCreated, now, e));
    }
    c.entries = entries;
    Ok(c)
}

/// 300 characters, fixed so the demo is reproducible.
fn demo_token() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-_";
    let mut x: u32 = 0x2545_F491;
    (0..300)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            CHARS[(x as usize) % CHARS.len()] as char
        })
        .collect()
}

const DEMO_SSH_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoAAAAJhGZm9y
ZGVtb29ubHlub3RhcmVhbGtleW5vdGFyZWFsa2V5bm90YXJlYWxrZXlub3RhcmVhbGtleQ
AAAAtzc2gtZWQyNTUxOQAAACDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDem
oAAAAEBmaWt0aXZlciBTY2hsw7xzc2VsIGbDvHIgZGllIERlbW8sIMO2ZmZuZXQgbmljaH
RzLgAAAA93YXJ0dW5nQG5hcy1kZW1vAQIDBAUGBw==
-----END OPENSSH PRIVATE KEY-----";

const DEMO_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUZmlrdGl2ZXMgWmVydGlmaWthdDAKBggqhkjOPQQDAjAo
MSYwJAYDVQQDDB13ZWJtYWlsLm11ZWxsZXItYmF1LmV4YW1wbGUwHhcNMjYwMTAx
MDAwMDAwWhcNMjcwMTAxMDAwMDAwWjAoMSYwJAYDVQQDDB13ZWJtYWlsLm11ZWxs
ZXItYmF1LmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARmaWt0aXZl
-----END CERTIFICATE-----";

const DEMO_CERT_KEY: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIGZpa3RpdmVyIFNjaGzDvHNzZWwsIMO2ZmZuZXQgbmljaHRzLqAKBggq
hkjOPQMBB6FEA0IABGZpa3RpdmUgRGVtby1EYXRlbiBmw7xyIGhhbmRvdmVyLg==
-----END EC PRIVATE KEY-----";
