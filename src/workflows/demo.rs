//! `handover demo DIR`: a store, an identity and a realistic fictional client, so a
//! new user sees the product in one step. Every name, password and key in it is made
//! up; none of it opens anything.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, Months, Utc};

use crate::dossier::{Language, Options, PaperSize};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::Identity;
use crate::model::{
    Backup, Category, Client, ClientId, Contact, Contract, Criticality, Decision, DecisionStatus,
    Document, DocumentKind, Entry, Event, EventKind, Field, Kind, Network, Owner, Secret, System,
    Vendor,
};
use crate::store::Store;

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
    e.location = Some(
        "Ersatz-YubiKey im Tresor Büro, Fach 2; Authenticator auf dem Firmenhandy von Frau Müller"
            .into(),
    );
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
    demo_knowledge(&mut c, now)?;
    Ok(c)
}

/// The Müller company's IT beside its keys: two sites, their systems and networks,
/// vendors with contracts, the backup-restore procedure, the first-hour plan and why
/// things are as they are.
fn demo_knowledge(c: &mut Client, now: DateTime<Utc>) -> Result<()> {
    let today = now.date_naive();
    let day = |n: u64| today.checked_add_days(Days::new(n)).unwrap_or(today);
    let ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    let months_ago = |n: u32| today.checked_sub_months(Months::new(n)).unwrap_or(today);
    let entry_id = |path: &str| {
        c.entry(path)
            .map(|e| e.id)
            .ok_or_else(|| Error::Invalid(format!("demo entry {path} missing")))
    };
    const BUERO: &str = "Büro Hauptstraße 5, Freiburg";
    const BAUHOF: &str = "Bauhof Gewerbestraße 22, Hochdorf";

    let mut vendors = Vec::new();
    let mut v = Vendor::new("Telekom Deutschland GmbH".into());
    v.provides = Some("Internetanschlüsse Büro und Bauhof, Telefonie".into());
    v.customer_number = Some("4711 0815".into());
    v.hotline = Some("0800 330 1300".into());
    v.portal_url = Some("https://geschaeftskunden.telekom.de/kundencenter".into());
    v.contract = Contract {
        number: Some("DLC-2021-558812".into()),
        start: Some(months_ago(42)),
        term_end: Some(months_ago(18)),
        renews_months: Some(12),
        notice_months: Some(1),
        ..Contract::default()
    };
    let telekom = v.id;
    vendors.push(v);

    let mut v = Vendor::new("Systemhaus Breisgau GmbH".into());
    v.provides = Some("Sophos-Lizenz und Hersteller-Support der Firewall".into());
    v.customer_number = Some("K-20931".into());
    v.hotline = Some("0761 555 88 00".into());
    v.email = Some("support@systemhaus-breisgau.example".into());
    v.contract = Contract {
        number: Some("SOPHOS-XGS-116-3J".into()),
        start: Some(months_ago(34)),
        term_end: Some(day(60)),
        notice_months: Some(1),
        ..Contract::default()
    };
    v.contacts = vec![Contact {
        name: "Markus Kern".into(),
        role: Some("Vertrieb".into()),
        phone: Some("0761 555 88 12".into()),
        email: None,
    }];
    let systemhaus = v.id;
    vendors.push(v);

    let mut v = Vendor::new("Synology GmbH".into());
    v.provides = Some("NAS-Garantie und C2-Cloud-Speicher für die Sicherung".into());
    v.customer_number = Some("SYN-DE-771204".into());
    v.portal_url = Some("https://c2.synology.com".into());
    v.contract = Contract {
        number: Some("C2-Storage-1TB-Business".into()),
        start: Some(months_ago(20)),
        term_end: Some(months_ago(8)),
        renews_months: Some(12),
        notice_days: Some(14),
        ..Contract::default()
    };
    v.entries = vec![entry_id("server/nas")?];
    let synology = v.id;
    vendors.push(v);

    let mut v = Vendor::new("Konica Minolta Business Solutions".into());
    v.provides = Some("Leasing und Wartung des Multifunktionsdruckers".into());
    v.customer_number = Some("KM-0098123".into());
    v.hotline = Some("0800 100 19 80".into());
    v.contract = Contract {
        number: Some("LV-2022-4410".into()),
        start: Some(months_ago(30)),
        term_end: Some(day(900)),
        notice_months: Some(6),
        ..Contract::default()
    };
    let konica = v.id;
    vendors.push(v);

    let mut systems = Vec::new();
    let mut s = System::new("Firewall Büro".into());
    s.purpose = Some("Trennt das Büronetz vom Internet, VPN für Homeoffice und Bauhof".into());
    s.category = Category::Firewall;
    s.site = Some(BUERO.into());
    s.location = Some("Serverraum Keller, Rack 1, HE 10".into());
    s.make = Some("Sophos".into());
    s.model = Some("XGS 116".into());
    s.serial = Some("X1160A7K2M9".into());
    s.os = Some("SFOS 20.0".into());
    s.hostname = Some("fw-buero".into());
    s.ips = vec!["192.168.10.1".into()];
    s.purchased = Some(months_ago(34));
    s.warranty_until = Some(day(60));
    s.criticality = Criticality::Critical;
    s.backup = Backup {
        method: Some("Konfigurationssicherung monatlich, automatisch".into()),
        target: Some("NAS, Freigabe \\\\nas\\it\\firewall".into()),
        last_restore_test: Some(ago(150)),
    };
    s.vendor = Some(systemhaus);
    s.entries = vec![entry_id("netzwerk/firewall")?];
    systems.push(s);

    let mut s = System::new("NAS".into());
    s.purpose = Some("Dateiablage (Projekte, Buchhaltung) und Ziel der Sicherungen".into());
    s.category = Category::Nas;
    s.site = Some(BUERO.into());
    s.location = Some("Serverraum Keller, Rack 1, HE 4–5".into());
    s.make = Some("Synology".into());
    s.model = Some("DS923+".into());
    s.serial = Some("2290QWR81734".into());
    s.os = Some("DSM 7.2".into());
    s.hostname = Some("nas.mueller-bau.lan".into());
    s.ips = vec!["192.168.10.5".into()];
    s.purchased = Some(months_ago(20));
    s.warranty_until = Some(day(400));
    s.criticality = Criticality::Critical;
    s.backup = Backup {
        method: Some("Hyper Backup täglich 22:00, 30 Versionen".into()),
        target: Some("Synology C2 (Frankfurt) und wöchentlich USB-Platte im Tresor".into()),
        last_restore_test: Some(ago(90)),
    };
    s.vendor = Some(synology);
    s.entries = vec![entry_id("server/nas")?, entry_id("server/nas-ssh")?];
    systems.push(s);

    let mut s = System::new("Microsoft 365".into());
    s.purpose = Some("E-Mail, Kalender, Teams und OneDrive für 12 Mitarbeiter".into());
    s.category = Category::CloudService;
    s.criticality = Criticality::Critical;
    s.backup = Backup {
        method: Some("Aufbewahrungsrichtlinie 1 Jahr, keine separate Sicherung".into()),
        target: None,
        last_restore_test: None,
    };
    s.entries = vec![
        entry_id("m365/global-admin")?,
        entry_id("m365/buchhaltung")?,
    ];
    systems.push(s);

    let mut s = System::new("Switch Büro".into());
    s.purpose =
        Some("Verteilt das Büronetz auf die Arbeitsplätze, PoE für die Access Points".into());
    s.category = Category::Switch;
    s.site = Some(BUERO.into());
    s.location = Some("Serverraum Keller, Rack 1, HE 8".into());
    s.make = Some("HPE Aruba".into());
    s.model = Some("Instant On 1930 24G PoE".into());
    s.ips = vec!["192.168.10.2".into()];
    s.criticality = Criticality::Important;
    systems.push(s);

    let mut s = System::new("WLAN Access Point Büro".into());
    s.purpose = Some("WLAN Büro und Gäste-WLAN".into());
    s.category = Category::AccessPoint;
    s.site = Some(BUERO.into());
    s.location = Some("Flur 1. OG, Decke".into());
    s.make = Some("Ubiquiti".into());
    s.model = Some("U6 Pro".into());
    s.ips = vec!["192.168.10.3".into()];
    s.entries = vec![
        entry_id("netzwerk/wlan-buero")?,
        entry_id("netzwerk/wlan-gaeste")?,
    ];
    systems.push(s);

    let mut s = System::new("Drucker Büro".into());
    s.purpose = Some("Drucken, Scannen in die NAS-Freigabe \"Scans\"".into());
    s.category = Category::Printer;
    s.site = Some(BUERO.into());
    s.location = Some("Empfang".into());
    s.make = Some("Konica Minolta".into());
    s.model = Some("bizhub C300i".into());
    s.ips = vec!["192.168.10.20".into()];
    s.vendor = Some(konica);
    systems.push(s);

    let mut s = System::new("Internetanschluss Büro".into());
    s.purpose = Some("Glasfaser 250/100 Mbit/s mit festen IP-Adressen".into());
    s.category = Category::InternetLine;
    s.site = Some(BUERO.into());
    s.location = Some("Hausanschluss Keller, Glasfaser-Modem neben Rack 1".into());
    s.line_id = Some("DEU.DTAG.F4K2-88120".into());
    s.ips = vec!["203.0.113.10".into(), "203.0.113.11".into()];
    s.criticality = Criticality::Important;
    s.vendor = Some(telekom);
    systems.push(s);

    let mut s = System::new("LTE-Router Bauhof".into());
    s.purpose = Some("Internet und VPN zum Büro für den Bauhof".into());
    s.category = Category::InternetLine;
    s.site = Some(BAUHOF.into());
    s.location = Some("Werkstatt, Schaltschrank links".into());
    s.make = Some("AVM".into());
    s.model = Some("FRITZ!Box 6850 LTE".into());
    s.ips = vec!["192.168.30.1".into()];
    s.vendor = Some(telekom);
    systems.push(s);

    let mut s = System::new("Videorekorder Bauhof".into());
    s.purpose = Some("Zeichnet die vier Kameras auf dem Bauhof auf (7 Tage)".into());
    s.category = Category::Other;
    s.site = Some(BAUHOF.into());
    s.location = Some("Werkstatt, Schaltschrank rechts".into());
    s.make = Some("Hikvision".into());
    s.model = Some("DS-7604NI".into());
    s.ips = vec!["192.168.30.30".into()];
    s.purchased = Some(months_ago(40));
    s.warranty_until = Some(months_ago(4));
    s.entries = vec![entry_id("kamera/nvr")?];
    systems.push(s);

    let mut networks = Vec::new();
    let mut n = Network::new("Büro-LAN".into());
    n.cidr = Some("192.168.10.0/24".into());
    n.vlan = Some(10);
    n.gateway = Some("192.168.10.1".into());
    n.dhcp_range = Some("192.168.10.100–192.168.10.199".into());
    n.dns = vec!["192.168.10.1".into()];
    n.site = Some(BUERO.into());
    n.notes = Some("Server und Drucker mit festen Adressen unter .100".into());
    networks.push(n);
    let mut n = Network::new("Gäste-WLAN".into());
    n.cidr = Some("192.168.20.0/24".into());
    n.vlan = Some(20);
    n.gateway = Some("192.168.20.1".into());
    n.dhcp_range = Some("192.168.20.10–192.168.20.250".into());
    n.dns = vec!["9.9.9.9".into()];
    n.site = Some(BUERO.into());
    n.notes = Some("Nur Internet, kein Zugriff auf das Büro-LAN (Firewall-Regel 12)".into());
    networks.push(n);
    let mut n = Network::new("Bauhof".into());
    n.cidr = Some("192.168.30.0/24".into());
    n.gateway = Some("192.168.30.1".into());
    n.dhcp_range = Some("192.168.30.100–192.168.30.150".into());
    n.site = Some(BAUHOF.into());
    n.notes = Some("Per Site-to-Site-VPN mit dem Büro verbunden".into());
    networks.push(n);

    let mut documents = Vec::new();
    let mut d = Document::new("erste-stunde".into(), DocumentKind::FirstHourPlan);
    d.title = "Die erste Stunde".into();
    d.body = DEMO_FIRST_HOUR.into();
    documents.push(d);
    let mut d = Document::new(
        "ablaeufe/backup-wiederherstellen".into(),
        DocumentKind::Procedure,
    );
    d.title = "Dateien aus der Sicherung wiederherstellen".into();
    d.body = DEMO_RESTORE.into();
    documents.push(d);
    let mut d = Document::new("uebersicht/netzwerk".into(), DocumentKind::Overview);
    d.title = "Netzwerk im Überblick".into();
    d.body = DEMO_NETWORK.into();
    documents.push(d);

    let mut decisions = Vec::new();
    let mut usb = Decision::new(
        "Sicherung auf wechselnde USB-Platten".into(),
        months_ago(60),
    );
    usb.decision = Some(
        "Das NAS sichert nachts auf zwei USB-Platten, die wöchentlich getauscht werden.".into(),
    );
    usb.why = Some("Günstig und ohne laufende Kosten.".into());
    usb.decided_by = Some("Jutta Müller, IT-Service Schäfer".into());
    let mut c2 = Decision::new(
        "Backup-Ziel: Synology C2 zusätzlich zur USB-Platte".into(),
        months_ago(20),
    );
    c2.decision = Some("Das NAS sichert täglich in die Synology C2 Cloud (Rechenzentrum Frankfurt); die USB-Platte bleibt als zweite Kopie im Tresor.".into());
    c2.why = Some("Zweimal wurde die Platte nicht getauscht, und ein Brand oder Einbruch im Keller hätte Original und Sicherung zugleich getroffen. C2 liegt außer Haus, ist mit dem NAS-Hersteller integriert (keine zusätzliche Software) und in Deutschland gehostet (DSGVO).".into());
    c2.alternatives = Some("- **Backblaze B2**: günstiger, aber Rechenzentrum außerhalb der EU wählbar und mehr Einrichtung.\n- **Zweites NAS auf dem Bauhof**: teurer in der Anschaffung, VPN-Leitung zu langsam für die erste Sicherung.".into());
    c2.decided_by = Some("Jutta Müller, IT-Service Schäfer".into());
    usb.status = DecisionStatus::Superseded;
    usb.superseded_by = Some(c2.id);
    let mut fw = Decision::new("Firewall: Sophos XGS statt Fritzbox".into(), months_ago(34));
    fw.decision = Some("Eine Sophos XGS 116 ersetzt die Fritzbox als Firewall im Büro.".into());
    fw.why = Some("Der Bauhof braucht ein stabiles Site-to-Site-VPN, das Gäste-WLAN muss vom Büronetz getrennt sein, und die Versicherung verlangt eine Firewall mit Virenschutz am Übergang. Der Systemhaus-Partner bietet Hersteller-Support mit Vor-Ort-Tausch.".into());
    fw.alternatives = Some("- **Fritzbox behalten**: kein VLAN-Routing, VPN brach mehrmals pro Woche ab.\n- **OPNsense auf eigener Hardware**: keine Lizenzkosten, aber kein Hersteller-Support, und nur der jetzige Dienstleister kennt es.".into());
    fw.decided_by = Some("Jutta Müller".into());
    let mut m365 = Decision::new(
        "Microsoft 365 statt eigenem Exchange-Server".into(),
        months_ago(48),
    );
    m365.decision = Some(
        "E-Mail und Dateien der Mitarbeiter liegen in Microsoft 365 Business Standard.".into(),
    );
    m365.why = Some("Der alte Exchange-Server 2013 war ohne Sicherheitsupdates; ein neuer Server mit Lizenzen hätte mehr gekostet als fünf Jahre Microsoft 365, und die Bauleiter brauchen E-Mail auf dem Handy ohne VPN.".into());
    m365.alternatives = Some("- **Exchange 2019 im Haus**: Anschaffung und Pflege teurer, Ausfall trifft alle.\n- **Hosting beim Webhoster**: kein Teams, keine gemeinsamen Kalender.".into());
    m365.decided_by = Some("Jutta Müller".into());
    decisions.extend([usb, c2, fw, m365]);

    for s in &mut systems {
        s.created = Some(now);
        s.updated = Some(now);
        c.record(Event::for_item(
            EventKind::SystemCreated,
            now,
            &s.name,
            s.id,
        ));
    }
    for n in &mut networks {
        n.created = Some(now);
        n.updated = Some(now);
        c.record(Event::for_item(
            EventKind::NetworkCreated,
            now,
            &n.name,
            n.id,
        ));
    }
    for v in &mut vendors {
        v.created = Some(now);
        v.updated = Some(now);
        c.record(Event::for_item(
            EventKind::VendorCreated,
            now,
            &v.name,
            v.id,
        ));
    }
    for d in &mut documents {
        d.created = Some(now);
        d.updated = Some(now);
        c.record(Event::for_item(
            EventKind::DocumentCreated,
            now,
            &d.path,
            d.id,
        ));
    }
    for d in &mut decisions {
        d.created = Some(now);
        d.updated = Some(now);
        c.record(Event::for_item(
            EventKind::DecisionCreated,
            now,
            &d.title,
            d.id,
        ));
    }
    c.systems = systems;
    c.networks = networks;
    c.vendors = vendors;
    c.documents = documents;
    c.decisions = decisions;
    c.validate()
}

const DEMO_FIRST_HOUR: &str = "# Die erste Stunde

Was ein Nachfolger zuerst tut, in dieser Reihenfolge:

1. **Frau Müller anrufen** (0761 555 02 00) und sich vorstellen; sie hat den Schlüssel
   zum Serverraum und zum Tresor.
2. **Zugänge prüfen**: mit dem Konto `m365/global-admin` bei Microsoft 365 anmelden. Der
   zweite Faktor ist im Tresor (siehe Eintrag).
3. **Sicherung prüfen**: im NAS unter *Hyper Backup* muss die letzte Sicherung von heute
   Nacht grün sein.
4. **Firewall-Support**: der Vertrag mit dem Systemhaus läuft bald aus, Kündigungsfrist
   beachten (siehe Lieferanten).
5. **Fernwartung des alten Dienstleisters** (`dienstleister/fernwartung`) sperren.

| Was | Wo |
|---|---|
| Serverraum-Schlüssel | Frau Müller |
| Tresor-Code | versiegelter Umschlag bei Herrn Weiß |
";

const DEMO_RESTORE: &str = "# Dateien aus der Sicherung wiederherstellen

Gilt für die Ablage auf dem NAS (`nas.mueller-bau.lan`).

## Einzelne Dateien

1. Im Browser `https://nas.mueller-bau.lan:5001` öffnen, mit `server/nas` anmelden.
2. **Hyper Backup Explorer** öffnen, Aufgabe *C2-taeglich* wählen.
3. Datum wählen, Datei markieren, **Kopieren nach** → Freigabe `Wiederhergestellt`.

## Das ganze NAS (nach Totalausfall)

1. Ersatzgerät DS923+ mit DSM 7.2 einrichten.
2. *Hyper Backup* installieren, **Wiederherstellen → Daten** wählen, Ziel Synology C2,
   Anmeldung mit dem C2-Konto (Lieferant *Synology GmbH*).
3. Dauer: etwa 14 Stunden für 1 TB über die Glasfaser.

> Nach jedem Test das Datum beim System *NAS* eintragen:
> `handover system edit mueller-bau NAS --restore-tested JJJJ-MM-TT`
";

const DEMO_NETWORK: &str = "# Netzwerk im Überblick

- **Büro**: Glasfaser der Telekom → Sophos-Firewall → Switch → Arbeitsplätze, Drucker, NAS.
  - VLAN 10 Büro-LAN, VLAN 20 Gäste-WLAN (nur Internet).
- **Bauhof**: LTE-Router, per Site-to-Site-VPN mit der Firewall im Büro verbunden.

Feste Adressen: Firewall `.1`, Switch `.2`, Access Point `.3`, NAS `.5`, Drucker `.20`.
";

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
