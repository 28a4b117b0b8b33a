//! What kind an imported entry is, from what its source says: the one place every
//! importer (and every exporter, to know when it must write `handover.kind`) asks.
//!
//! The evidence, strongest first: the source's own specific type (Bitwarden's card,
//! identity or SSH key, 1Password's category); the entry's content (a private key or a
//! certificate in PEM or OpenSSH form); its fields (an SSID field makes a Wi-Fi); the
//! names of its groups or folders, innermost first, and its tags, in German and
//! English ("WLAN", "Router", "Server", "Domains", "Zertifikate", "SSH", …); a few
//! unmistakable words of its title; the source's generic type (login, secure note);
//! and last what it holds (something to log in with: a login; only notes: a note).
//! Only words matched whole count, so "Mailchimp" is no mail account.
//!
//! An entry's current kind is never read: the answer depends only on what the file
//! says, so that an exporter can ask what an importer will conclude.

use crate::model::{Entry, Kind, is_ssid_field};

/// What the source itself says an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Nothing: KeePass and plain spreadsheets have no item types.
    None,
    /// A generic type that other evidence may refine (a Bitwarden login or secure
    /// note, a 1Password login), by its name in the source.
    Generic(Kind, &'static str),
    /// A type that says what the item is (a Bitwarden SSH key, a 1Password server),
    /// by its name in the source.
    Specific(Kind, &'static str),
}

/// An inferred kind and why, in words for the import summary ("group WLAN").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    pub kind: Kind,
    /// `None` when nothing but the entry's contents spoke (a login because it has a
    /// password): not worth listing.
    pub why: Option<String>,
}

/// Sets the kind of an imported entry, unless the file named it (`given`: a
/// `handover.kind` field or a kind column), and notes in `out` what was inferred and
/// why. Call it once the entry is complete and placed.
pub fn apply(e: &mut Entry, hint: Hint, given: bool, out: &mut Vec<Inferred>) {
    if given {
        return;
    }
    let i = kind(e, hint);
    e.kind = i.kind;
    if let Some(why) = i.why {
        out.push(Inferred {
            path: e.path.clone(),
            kind: i.kind,
            why,
        });
    }
}

/// One entry whose kind an import inferred from what its source says, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    pub path: String,
    pub kind: Kind,
    pub why: String,
}

/// Words in group, folder and tag names, lower case, and the kind they stand for.
const GROUP_WORDS: &[(&str, Kind)] = &[
    ("wlan", Kind::Wifi),
    ("wifi", Kind::Wifi),
    ("wireless", Kind::Wifi),
    ("funknetz", Kind::Wifi),
    ("router", Kind::NetworkDevice),
    ("firewall", Kind::NetworkDevice),
    ("firewalls", Kind::NetworkDevice),
    ("switch", Kind::NetworkDevice),
    ("switches", Kind::NetworkDevice),
    ("fritzbox", Kind::NetworkDevice),
    ("netzwerkgeräte", Kind::NetworkDevice),
    ("accesspoint", Kind::NetworkDevice),
    ("accesspoints", Kind::NetworkDevice),
    ("server", Kind::Server),
    ("servers", Kind::Server),
    ("domain", Kind::Domain),
    ("domains", Kind::Domain),
    ("domäne", Kind::Domain),
    ("domänen", Kind::Domain),
    ("dns", Kind::Domain),
    ("registrar", Kind::Domain),
    ("zertifikat", Kind::Certificate),
    ("zertifikate", Kind::Certificate),
    ("certificate", Kind::Certificate),
    ("certificates", Kind::Certificate),
    ("ssl", Kind::Certificate),
    ("tls", Kind::Certificate),
    ("ssh", Kind::SshKey),
    ("vpn", Kind::Vpn),
    ("email", Kind::Email),
    ("mail", Kind::Email),
    ("postfach", Kind::Email),
    ("postfächer", Kind::Email),
    ("mailbox", Kind::Email),
    ("mailboxes", Kind::Email),
    ("datenbank", Kind::Database),
    ("datenbanken", Kind::Database),
    ("database", Kind::Database),
    ("databases", Kind::Database),
    ("lizenz", Kind::License),
    ("lizenzen", Kind::License),
    ("license", Kind::License),
    ("licenses", Kind::License),
    ("licence", Kind::License),
    ("licences", Kind::License),
    ("api", Kind::ApiKey),
    ("apikeys", Kind::ApiKey),
    ("token", Kind::ApiKey),
    ("tokens", Kind::ApiKey),
    ("wiederherstellung", Kind::Recovery),
    ("wiederherstellungscodes", Kind::Recovery),
    ("recovery", Kind::Recovery),
];

/// The title words that are unmistakable on their own: a title "Domain Admin" is an
/// Active Directory account, but "WLAN Gäste" is a Wi-Fi wherever it is filed.
const TITLE_KINDS: &[Kind] = &[Kind::Wifi, Kind::NetworkDevice, Kind::Vpn];

/// The kind of `e` with the source's `hint`; its groups are its path's folders (an
/// importer has placed it by then, see `naming`).
pub fn kind(e: &Entry, hint: Hint) -> Inference {
    let groups: Vec<&str> = e.path.split('/').collect();
    let groups = &groups[..groups.len().saturating_sub(1)];
    let said = |kind, why: String| Inference {
        kind,
        why: Some(why),
    };
    if let Hint::Specific(kind, name) = hint {
        return said(kind, name.to_owned());
    }
    if let Some((kind, why)) = by_content(e) {
        return said(kind, why);
    }
    if e.fields.iter().any(|f| is_ssid_field(&f.name)) {
        return said(Kind::Wifi, "an SSID field".to_owned());
    }
    let named = groups
        .iter()
        .rev()
        .map(|g| ("group", *g))
        .chain(e.tags.iter().map(|t| ("tag", t.as_str())))
        .find_map(|(what, name)| word_kind(name, |_| true).map(|k| (k, what, name)));
    if let Some((kind, what, name)) = named {
        return said(refine(kind, e), format!("{what} {name}"));
    }
    if let Some(kind) = word_kind(&e.title, |k| TITLE_KINDS.contains(&k)) {
        return said(refine(kind, e), format!("title {}", e.title));
    }
    if let Hint::Generic(kind, _) = hint {
        return Inference { kind, why: None };
    }
    Inference {
        kind: by_holdings(e),
        why: None,
    }
}

/// A Wi-Fi group also holds the access point's or router's own login: with a
/// username it is the device, not the network (a Wi-Fi key has no user name).
fn refine(kind: Kind, e: &Entry) -> Kind {
    if kind == Kind::Wifi && e.username.as_deref().is_some_and(|u| !u.trim().is_empty()) {
        Kind::NetworkDevice
    } else {
        kind
    }
}

/// A private key or certificate in the password, the notes or a field.
fn by_content(e: &Entry) -> Option<(Kind, String)> {
    let mut texts = e
        .password
        .iter()
        .map(|p| ("the password", p.expose()))
        .chain(e.notes.iter().map(|n| ("the notes", n.as_str())))
        .chain(e.fields.iter().map(|f| ("a field", f.value.expose())));
    texts.find_map(|(place, text)| {
        if text.contains("-----BEGIN CERTIFICATE-----") {
            Some((Kind::Certificate, format!("a certificate in {place}")))
        } else if is_private_key(text) {
            Some((Kind::SshKey, format!("a private key in {place}")))
        } else {
            None
        }
    })
}

/// An OpenSSH or PEM private key (`-----BEGIN OPENSSH PRIVATE KEY-----`,
/// `-----BEGIN RSA PRIVATE KEY-----`, `-----BEGIN PRIVATE KEY-----`, …) or a PuTTY key.
fn is_private_key(text: &str) -> bool {
    text.starts_with("PuTTY-User-Key-File-")
        || text.match_indices("-----BEGIN ").any(|(i, _)| {
            let rest = &text[i + "-----BEGIN ".len()..];
            rest.split_once("-----")
                .is_some_and(|(label, _)| label.len() <= 40 && label.ends_with("PRIVATE KEY"))
        })
}

/// The kind the first matching word of `name` stands for, among those `allowed`.
/// Words are split at spaces and punctuation; a hyphenated word also counts joined
/// ("Wi-Fi" is "wifi", "E-Mail" is "email") and by its parts ("WLAN-Zugänge").
fn word_kind(name: &str, allowed: impl Fn(Kind) -> bool) -> Option<Kind> {
    let lower = name.to_lowercase();
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '!'))
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            let joined: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            std::iter::once(joined).chain(
                w.split(['-', '!'])
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            )
        })
        .find_map(|w| {
            GROUP_WORDS
                .iter()
                .find(|(word, kind)| *word == w && allowed(*kind))
                .map(|(_, kind)| *kind)
        })
}

/// The kind of an entry whose source says nothing about it: a login if it has
/// anything to log in with, a note if it only has notes, else other.
pub(crate) fn by_holdings(e: &Entry) -> Kind {
    if e.password.is_some() || e.username.is_some() || e.url.is_some() || e.totp.is_some() {
        Kind::Login
    } else if e.notes.is_some() {
        Kind::Note
    } else {
        Kind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Secret};

    fn entry(title: &str) -> Entry {
        let mut e = Entry::new(title.to_owned(), Kind::Other);
        e.title = title.into();
        e.password = Some(Secret::from("pw"));
        e
    }

    fn inferred(e: &Entry, groups: &[&str], hint: Hint) -> (Kind, String) {
        let mut e = e.clone();
        e.path = groups
            .iter()
            .chain([&e.title.as_str()])
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        let i = kind(&e, hint);
        (i.kind, i.why.unwrap_or_default())
    }

    #[test]
    fn group_names_in_german_and_english() {
        let e = entry("Brandt-Gäste");
        for (group, want) in [
            ("WLAN", Kind::Wifi),
            ("Wi-Fi", Kind::Wifi),
            ("WiFi-Netze", Kind::Wifi),
            ("Router", Kind::NetworkDevice),
            ("Fritz!Box", Kind::NetworkDevice),
            ("Firewall", Kind::NetworkDevice),
            ("Server", Kind::Server),
            ("Domains", Kind::Domain),
            ("Domänen", Kind::Domain),
            ("Zertifikate", Kind::Certificate),
            ("SSH", Kind::SshKey),
            ("E-Mail-Postfächer", Kind::Email),
            ("VPN Zugänge", Kind::Vpn),
            ("Lizenzen", Kind::License),
        ] {
            let (k, why) = inferred(&e, &["Brandt", group], Hint::None);
            assert_eq!(k, want, "{group}");
            assert_eq!(why, format!("group {group}"));
        }
        // The innermost group decides; words inside other words do not count.
        assert_eq!(inferred(&e, &["Server", "WLAN"], Hint::None).0, Kind::Wifi);
        for group in ["Mailchimp", "Netzwerk", "Büro", "Serverraum-Schlüssel"] {
            assert_eq!(
                inferred(&e, &[group], Hint::None),
                (Kind::Login, String::new())
            );
        }
    }

    #[test]
    fn the_sources_type_fields_content_and_title() {
        let mut e = entry("Laptop");
        assert_eq!(
            inferred(
                &e,
                &["WLAN"],
                Hint::Specific(Kind::Other, "Bitwarden type card")
            ),
            (Kind::Other, "Bitwarden type card".into())
        );
        e.fields.push(Field {
            name: "ssid".into(),
            value: Secret::from("Brandt-Gäste"),
            secret: false,
        });
        assert_eq!(
            inferred(&e, &["Server"], Hint::None),
            (Kind::Wifi, "an SSID field".into())
        );
        let mut key = entry("root@web01");
        key.password = Some(Secret::from(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n",
        ));
        assert_eq!(
            inferred(&key, &["Domains"], Hint::Generic(Kind::Login, "login")),
            (Kind::SshKey, "a private key in the password".into())
        );
        let mut cert = entry("shop.example.de");
        cert.password = None;
        cert.notes = Some("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n".into());
        assert_eq!(
            inferred(&cert, &[], Hint::Generic(Kind::Note, "secure note")),
            (Kind::Certificate, "a certificate in the notes".into())
        );
        assert_eq!(
            inferred(&entry("WLAN Gäste"), &["Büro"], Hint::None),
            (Kind::Wifi, "title WLAN Gäste".into())
        );
        assert_eq!(
            inferred(&entry("Domain Admin"), &[], Hint::None).0,
            Kind::Login
        );
        let mut note = entry("Alarmanlage");
        note.password = None;
        note.notes = Some("Code 1234".into());
        assert_eq!(inferred(&note, &[], Hint::None).0, Kind::Note);
        let mut tagged = entry("Kasse");
        tagged.tags = vec!["Router".into()];
        assert_eq!(
            inferred(&tagged, &[], Hint::None),
            (Kind::NetworkDevice, "tag Router".into())
        );
    }

    #[test]
    fn a_login_in_a_wifi_group_is_the_access_point() {
        let mut e = entry("UniFi Controller");
        e.username = Some("admin".into());
        assert_eq!(
            inferred(&e, &["WLAN"], Hint::None),
            (Kind::NetworkDevice, "group WLAN".into())
        );
    }
}
