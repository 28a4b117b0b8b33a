//! The rotation list of an offboarding: one line per secret the old provider knew and
//! the successor must replace (every password, TOTP seed, set of recovery codes and
//! secret field), in the order of a takeover, with why it matters. Never a value.
//!
//! The list itself ([`rotation_list`]) is plain data: the reason is a code chosen from
//! the entry's kind and what it is linked to (`model::knowledge`: the system it logs
//! into, the vendor it belongs to); [`rotation_csv`] puts it into words in the
//! dossier's language.

use std::net::IpAddr;

use crate::dossier::templates::{Texts, fill};
use crate::error::{Error, Result};
use crate::model::rules::{entry_rank, takeover_order, takeover_rank};
use crate::model::{Category, Client, Entry, Kind, Owner, SecretPart, System};

/// What a secret on the list gives access to, and so why it must be replaced. Its
/// [`Reason::code`] names the sentence in the template's `rotation_reasons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Domain,
    Identity,
    Recovery,
    /// A linked system whose reach is unknown.
    System,
    SystemInternal,
    SystemOutside,
    Firewall,
    InternetLine,
    CloudService,
    Vendor,
    Vpn,
    NetworkDevice,
    RemoteAccess,
    Wifi,
    Email,
    Server,
    ServerInternal,
    Database,
    SshKey,
    ApiKey,
    Certificate,
    Admin,
    Login,
    License,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 25] = [
        Reason::Domain,
        Reason::Identity,
        Reason::Recovery,
        Reason::System,
        Reason::SystemInternal,
        Reason::SystemOutside,
        Reason::Firewall,
        Reason::InternetLine,
        Reason::CloudService,
        Reason::Vendor,
        Reason::Vpn,
        Reason::NetworkDevice,
        Reason::RemoteAccess,
        Reason::Wifi,
        Reason::Email,
        Reason::Server,
        Reason::ServerInternal,
        Reason::Database,
        Reason::SshKey,
        Reason::ApiKey,
        Reason::Certificate,
        Reason::Admin,
        Reason::Login,
        Reason::License,
        Reason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::Domain => "domain",
            Reason::Identity => "identity",
            Reason::Recovery => "recovery",
            Reason::System => "system",
            Reason::SystemInternal => "system-internal",
            Reason::SystemOutside => "system-outside",
            Reason::Firewall => "firewall",
            Reason::InternetLine => "internet-line",
            Reason::CloudService => "cloud-service",
            Reason::Vendor => "vendor",
            Reason::Vpn => "vpn",
            Reason::NetworkDevice => "network-device",
            Reason::RemoteAccess => "remote-access",
            Reason::Wifi => "wifi",
            Reason::Email => "email",
            Reason::Server => "server",
            Reason::ServerInternal => "server-internal",
            Reason::Database => "database",
            Reason::SshKey => "ssh-key",
            Reason::ApiKey => "api-key",
            Reason::Certificate => "certificate",
            Reason::Admin => "admin",
            Reason::Login => "login",
            Reason::License => "license",
            Reason::Other => "other",
        }
    }
}

/// Which secret of an entry to replace (an owned [`SecretPart`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToReplace {
    Password,
    Totp,
    RecoveryCodes,
    /// A secret field, by name.
    Field(String),
}

impl From<SecretPart<'_>> for ToReplace {
    fn from(part: SecretPart<'_>) -> Self {
        match part {
            SecretPart::Password => ToReplace::Password,
            SecretPart::Totp => ToReplace::Totp,
            SecretPart::RecoveryCodes => ToReplace::RecoveryCodes,
            SecretPart::Field(name) => ToReplace::Field(name.to_owned()),
        }
    }
}

/// One secret the old provider could read, and so must be replaced by the successor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationItem {
    /// 1 = first hour, 2 = first day, 3 = first week (`model::rules::takeover_rank`).
    pub priority: u8,
    pub path: String,
    pub title: String,
    pub kind: Kind,
    pub secret: ToReplace,
    /// The system the entry logs into: its name and category.
    pub system: Option<(String, Category)>,
    /// The vendor the entry belongs to.
    pub vendor: Option<String>,
    /// The URL, else `host[:port]`.
    pub location: Option<String>,
    pub username: Option<String>,
    pub owner: Option<Owner>,
    pub reason: Reason,
}

/// Every secret of every entry the provider knows (`provider_knows`), entries in the
/// order of a takeover ([`takeover_order`]), an entry's secrets in the order of
/// [`Entry::secret_parts`].
pub fn rotation_list(client: &Client) -> Vec<RotationItem> {
    let mut known: Vec<&Entry> = client
        .entries
        .iter()
        .filter(|e| e.provider_knows && e.has_secret())
        .collect();
    known.sort_by_cached_key(|e| takeover_order(e, client.linked_criticality(e.id)));
    let mut items = Vec::new();
    for e in known {
        let system = client.systems.iter().find(|s| s.entries.contains(&e.id));
        let vendor = client.vendors.iter().find(|v| v.entries.contains(&e.id));
        let reason = reason(e, system, vendor.is_some());
        let location = e.url.clone().or_else(|| {
            e.host.as_ref().map(|h| match e.port {
                Some(p) => format!("{h}:{p}"),
                None => h.clone(),
            })
        });
        for part in e.secret_parts() {
            items.push(RotationItem {
                priority: takeover_rank(e, client.linked_criticality(e.id)).0,
                path: e.path.clone(),
                title: e.title.clone(),
                kind: e.kind,
                secret: part.into(),
                system: system.map(|s| (s.name.clone(), s.category)),
                vendor: vendor.map(|v| v.name.clone()),
                location: location.clone(),
                username: e.username.clone(),
                owner: e.owner,
                reason,
            });
        }
    }
    items
}

/// Why `e` matters: the domain and the accounts that can reset all others first
/// (whatever they are linked to), then the system it logs into, then its kind, then
/// the vendor it belongs to, then what its name says.
pub fn reason(e: &Entry, system: Option<&System>, has_vendor: bool) -> Reason {
    match entry_rank(e) {
        (1, 0, _) => return Reason::Domain,
        (1, 1, _) if e.kind == Kind::Recovery => return Reason::Recovery,
        (1, 1, _) => return Reason::Identity,
        _ => {}
    }
    if let Some(s) = system {
        return system_reason(s, e);
    }
    match e.kind {
        Kind::Vpn => Reason::Vpn,
        Kind::NetworkDevice => Reason::NetworkDevice,
        Kind::Wifi => Reason::Wifi,
        Kind::Email => Reason::Email,
        Kind::Server if reach(e.host.iter().map(String::as_str)) == Some(true) => {
            Reason::ServerInternal
        }
        Kind::Server => Reason::Server,
        Kind::Database => Reason::Database,
        Kind::SshKey => Reason::SshKey,
        Kind::ApiKey => Reason::ApiKey,
        Kind::Certificate => Reason::Certificate,
        Kind::License => Reason::License,
        Kind::Domain => Reason::Domain,
        Kind::Recovery => Reason::Recovery,
        Kind::Login | Kind::Other | Kind::Note => generic_reason(e, has_vendor),
    }
}

/// A login or other entry of no telling kind: by its vendor, else by what its name says.
fn generic_reason(e: &Entry, has_vendor: bool) -> Reason {
    if has_vendor {
        return Reason::Vendor;
    }
    match entry_rank(e) {
        (1, 2, _) => Reason::RemoteAccess,
        (1, 3, _) => Reason::Email,
        (2, 1, _) => Reason::Admin,
        _ if e.kind == Kind::Login => Reason::Login,
        _ => Reason::Other,
    }
}

/// A linked system: by its category, and for the others by whether it is reached on
/// the internal network or from the internet (from its and the entry's addresses).
fn system_reason(s: &System, e: &Entry) -> Reason {
    match s.category {
        Category::Firewall => Reason::Firewall,
        Category::InternetLine => Reason::InternetLine,
        Category::CloudService => Reason::CloudService,
        _ => {
            let addresses = s
                .ips
                .iter()
                .chain(&s.hostname)
                .chain(&e.host)
                .map(String::as_str);
            match reach(addresses) {
                Some(true) => Reason::SystemInternal,
                Some(false) => Reason::SystemOutside,
                None => Reason::System,
            }
        }
    }
}

/// Whether these addresses are on the internal network (`Some(true)`), any of them on
/// the internet (`Some(false)`), or unknown.
fn reach<'a>(addresses: impl Iterator<Item = &'a str>) -> Option<bool> {
    let mut internal = None;
    for address in addresses {
        match is_internal(address) {
            Some(false) => return Some(false),
            Some(true) => internal = Some(true),
            None => {}
        }
    }
    internal
}

/// A private, loopback or link-local address, or a host name without a domain or in a
/// local one, is internal; a public address is not; other names are unknown.
fn is_internal(host: &str) -> Option<bool> {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(match ip {
            IpAddr::V4(v) => v.is_private() || v.is_loopback() || v.is_link_local(),
            IpAddr::V6(v) => {
                let first = v.segments()[0];
                v.is_loopback() || first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80
            }
        });
    }
    let name = host.to_lowercase();
    let local = [".local", ".lan", ".intern", ".internal", ".home.arpa"];
    (!name.is_empty() && (!name.contains('.') || local.iter().any(|l| name.ends_with(l))))
        .then_some(true)
}

/// The columns of the rotation list, in order; their headers come from the template's
/// `rotation_columns` (by these names).
pub const COLUMNS: [&str; 11] = [
    "priority", "path", "title", "kind", "secret", "system", "location", "username", "owner",
    "when", "reason",
];

/// The rotation list as CSV (UTF-8, a header row) in the language of `t`. Cells that a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) get a
/// leading `'`.
pub fn rotation_csv(items: &[RotationItem], t: &Texts) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::Invalid(format!("cannot write the rotation list: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(
        COLUMNS
            .iter()
            .map(|c| defuse(t.rotation_columns.get(*c).map_or(c, String::as_str))),
    )
    .map_err(fail)?;
    for item in items {
        w.write_record(cells(item, t).iter().map(|c| defuse(c)))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Invalid(format!("cannot write the rotation list: {e}")))
}

/// One line's cells, in the order of [`COLUMNS`].
fn cells(item: &RotationItem, t: &Texts) -> [String; 11] {
    let word = |map: &std::collections::BTreeMap<String, String>, key: &str| {
        map.get(key).cloned().unwrap_or_else(|| key.to_owned())
    };
    let when = match item.priority {
        1 => &t.plan_hour,
        2 => &t.plan_day,
        _ => &t.plan_week,
    };
    [
        item.priority.to_string(),
        item.path.clone(),
        item.title.clone(),
        word(&t.kinds, item.kind.as_str()),
        secret_name(item, t),
        item.system
            .as_ref()
            .map(|s| s.0.clone())
            .unwrap_or_default(),
        item.location.clone().unwrap_or_default(),
        item.username.clone().unwrap_or_default(),
        item.owner
            .map(|o| word(&t.owners, &o.to_string()))
            .unwrap_or_default(),
        when.clone(),
        reason_text(item, t),
    ]
}

/// What to replace, in words: the password as the dossier calls an entry's secret
/// (a Wi-Fi key, a private key), the others from `rotation_secrets`.
fn secret_name(item: &RotationItem, t: &Texts) -> String {
    let part = |key: &str| {
        t.rotation_secrets
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    };
    match &item.secret {
        ToReplace::Password => t
            .secret_labels
            .get(item.kind.as_str())
            .unwrap_or(&t.password)
            .clone(),
        ToReplace::Totp => part("totp"),
        ToReplace::RecoveryCodes => part("recovery-codes"),
        ToReplace::Field(name) => fill(&part("field"), &[("name", name)]),
    }
}

/// Why, in words, with the system's or vendor's name; and that a provider-owned
/// account must be transferred.
fn reason_text(item: &RotationItem, t: &Texts) -> String {
    let sentence = |code: &str| {
        t.rotation_reasons
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    };
    let (system, category) = match &item.system {
        Some((name, category)) => (
            name.as_str(),
            t.categories
                .get(category.as_str())
                .map_or(category.as_str(), String::as_str),
        ),
        None => ("", ""),
    };
    let mut reason = fill(
        &sentence(item.reason.code()),
        &[
            ("system", system),
            ("category", category),
            ("vendor", item.vendor.as_deref().unwrap_or("")),
        ],
    );
    if item.owner == Some(Owner::Provider) {
        reason.push_str(". ");
        reason.push_str(&sentence("provider-owned"));
    }
    reason
}

fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::templates::{Lang, Template};
    use crate::model::{ClientId, Field, Secret};
    use chrono::Utc;

    fn entry(path: &str, kind: Kind) -> Entry {
        let mut e = Entry::new(path.into(), kind);
        e.password = Some(Secret::from("Xq7#kP2m-Lw9z"));
        e
    }

    fn client(entries: Vec<Entry>) -> Client {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Acme".into(),
            vec![],
            Utc::now(),
        );
        c.entries = entries;
        c
    }

    fn texts(lang: Lang) -> Texts {
        Template::load(lang, None).unwrap().texts
    }

    #[test]
    fn the_templates_name_every_reason_column_and_secret() {
        for lang in [Lang::De, Lang::En] {
            let t = texts(lang);
            for r in Reason::ALL {
                assert!(t.rotation_reasons.contains_key(r.code()), "{lang:?} {r:?}");
            }
            assert!(t.rotation_reasons.contains_key("provider-owned"));
            for c in COLUMNS {
                assert!(t.rotation_columns.contains_key(c), "{lang:?} {c}");
            }
            for s in ["totp", "recovery-codes", "field"] {
                assert!(t.rotation_secrets.contains_key(s), "{lang:?} {s}");
            }
        }
    }

    #[test]
    fn rotation_list_order_and_content() {
        let mut unknown = entry("a/unknown", Kind::Domain);
        unknown.provider_knows = false;
        let mut note = Entry::new("b/note".into(), Kind::Note);
        note.notes = Some("no secret".into());
        let mut owned = entry("z/provider-owned", Kind::Login);
        owned.owner = Some(Owner::Provider);
        owned.url = Some("https://x.example".into());
        let mut fw = entry("fw", Kind::NetworkDevice);
        fw.host = Some("10.0.0.1".into());
        fw.port = Some(4444);
        let c = client(vec![
            entry("licence", Kind::License),
            entry("m365/global-admin", Kind::Login),
            entry("nas", Kind::Server),
            unknown,
            note,
            owned,
            fw,
            entry("=cmd", Kind::Other),
        ]);
        let list = rotation_list(&c);
        let got: Vec<(u8, &str)> = list.iter().map(|i| (i.priority, i.path.as_str())).collect();
        // The takeover order: identity provider admins before the firewall; servers
        // before other logins.
        assert_eq!(
            got,
            vec![
                (1, "m365/global-admin"),
                (1, "fw"),
                (2, "nas"),
                (2, "z/provider-owned"),
                (3, "=cmd"),
                (3, "licence"),
            ]
        );
        assert_eq!(list[1].location.as_deref(), Some("10.0.0.1:4444"));
        let csv = String::from_utf8(rotation_csv(&list, &texts(Lang::En)).unwrap()).unwrap();
        assert!(
            csv.starts_with(
                "Priority,Path,Title,Kind,Replace,System,Location,Username,Owner,When,Reason\n"
            ),
            "{csv}"
        );
        assert!(csv.contains("\n3,'=cmd,'=cmd,Other,Password,"), "{csv}");
        assert!(
            csv.contains("The account belongs to the previous provider: transfer it"),
            "{csv}"
        );
        assert!(!csv.contains("Xq7"));
    }

    #[test]
    fn every_secret_of_an_entry_is_a_line_of_its_own() {
        let mut admin = entry("m365/admin", Kind::Login);
        admin.totp = Some(Secret::from("JBSWY3DPEHPK3PXP"));
        admin.recovery_codes = vec![Secret::from("4821-0375")];
        admin.fields = vec![
            Field {
                name: "PIN".into(),
                value: Secret::from("0815"),
                secret: true,
            },
            Field {
                name: "Tenant".into(),
                value: Secret::from("acme"),
                secret: false,
            },
        ];
        let list = rotation_list(&client(vec![admin]));
        let parts: Vec<&ToReplace> = list.iter().map(|i| &i.secret).collect();
        assert_eq!(
            parts,
            [
                &ToReplace::Password,
                &ToReplace::Totp,
                &ToReplace::RecoveryCodes,
                &ToReplace::Field("PIN".into())
            ]
        );
        let csv = String::from_utf8(rotation_csv(&list, &texts(Lang::De)).unwrap()).unwrap();
        for line in [
            "Passwort",
            "TOTP-Schlüssel (zweiter Faktor): neu einrichten",
            "Wiederherstellungscodes: neu erzeugen",
            "Geheimes Feld „PIN“",
        ] {
            assert!(csv.contains(line), "{line}: {csv}");
        }
        for secret in ["JBSWY", "4821", "0815"] {
            assert!(!csv.contains(secret), "{csv}");
        }
    }

    #[test]
    fn reasons_come_from_the_kind_and_the_linked_system() {
        let mut rdp = entry("server/dc01-rdp", Kind::Server);
        rdp.host = Some("192.168.10.5".into());
        let mut dc = System::new("dc01".into());
        dc.category = Category::Server;
        dc.ips = vec!["192.168.10.5".into()];
        let mut public = System::new("web".into());
        public.ips = vec!["203.0.113.7".into()];
        let mut fw = System::new("Sophos".into());
        fw.category = Category::Firewall;
        let wifi = entry("wlan/buero", Kind::Wifi);
        let registrar = entry("web/registrar", Kind::Domain);
        let login = entry("crm", Kind::Login);
        let teamviewer = entry("tools/teamviewer", Kind::Login);
        assert_eq!(reason(&rdp, Some(&dc), false), Reason::SystemInternal);
        assert_eq!(reason(&rdp, None, false), Reason::ServerInternal);
        assert_eq!(reason(&login, Some(&public), false), Reason::SystemOutside);
        assert_eq!(reason(&login, Some(&fw), false), Reason::Firewall);
        assert_eq!(reason(&login, None, true), Reason::Vendor);
        assert_eq!(reason(&login, None, false), Reason::Login);
        assert_eq!(reason(&teamviewer, None, false), Reason::RemoteAccess);
        assert_eq!(reason(&wifi, None, false), Reason::Wifi);
        assert_eq!(reason(&registrar, Some(&dc), true), Reason::Domain);
    }
}
