//! Clients, entries, contacts and secrets as plain data: no I/O, no crypto.
//!
//! The serde representation of these types *is* the vault format documented in
//! `docs/FORMAT.md`; key names are part of the contract with our users.

mod conflict;
mod history;
mod knowledge;
pub mod limits;
pub mod names;
pub mod rules;
mod secret;
pub(crate) mod timestamp;

pub use conflict::MergeConflict;
pub use history::{Event, EventKind};
pub use knowledge::{
    Backup, Category, Contract, Criticality, Decision, DecisionStatus, Document, DocumentKind,
    Knowledge, MAX_DOCUMENT_BYTES, Network, System, Vendor, is_cidr, minus_notice,
    validate_document_name, validate_name,
};
pub use secret::{
    Charset, MAX_PREVIOUS_SECRETS, PreviousSecret, Secret, WipingBuffer, extend_wiping,
};

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// The vault format version this build writes and the newest it reads. Version 2
/// added the takeover and bundle records, the emergency partner, the earlier
/// providers who knew an entry's secrets, and keeps entry digests for the newest
/// dossier only (docs/FORMAT.md, "Format versions"); version 1 vaults are read as
/// they are and written as version 2.
pub const VAULT_FORMAT_VERSION: u64 = 2;

/// A validated client id: a slug that is safe as a file name on every platform.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(id: &str) -> Result<Self> {
        let reason = if id.is_empty() {
            Some("it is empty")
        } else if id.len() > Self::MAX_LEN {
            Some("it is longer than 64 characters")
        } else if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            Some("it contains a character other than a-z, 0-9 and '-'")
        } else if id.starts_with('-') {
            Some("it starts with '-'")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidClientId {
                id: id.to_owned(),
                reason,
            }),
            None => Ok(ClientId(id.to_owned())),
        }
    }

    /// The id a person means by `typed`: ids are lower case without accents, so
    /// `Bäckerei-Brandt` means `baeckerei-brandt`. For naming an existing client; a
    /// new one takes [`ClientId::parse`], which refuses anything but the id itself.
    pub fn typed(typed: &str) -> Result<Self> {
        Self::parse(typed).or_else(|e| Self::parse(&names::fold(typed)).map_err(|_| e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ClientId {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        ClientId::parse(&value)
    }
}

impl From<ClientId> for String {
    fn from(value: ClientId) -> Self {
        value.0
    }
}

/// How long a value may be when an error message quotes it: a rejected 10 KB name
/// would otherwise fill the screen.
const QUOTED_CHARS: usize = 60;

/// `value` cut after [`QUOTED_CHARS`] characters, with "…" when it was longer.
pub fn shorten(value: &str) -> String {
    match value.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// [`shorten`]ed and quoted as `{:?}` does, for error messages.
pub fn quote_short(value: &str) -> String {
    format!("{:?}", shorten(value))
}

/// Bidirectional controls (embeddings, overrides, isolates, marks): they reorder the
/// text around them on screen, and the PDF's fonts do not draw them at all.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that print as nothing: zero-width spaces and joiners, word joiners and
/// invisible operators, the byte-order mark, soft hyphen, Hangul and other fillers.
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// Characters that hide or reorder text without a trace on paper or screen: every
/// [`is_invisible`] one but the zero-width joiner and the variation selectors, which
/// belong to emoji sequences (`⚠️`) and hide nothing. The dossier prints them as their
/// code point and `check` warns of them (`hidden-control`).
pub fn is_hidden_control(c: char) -> bool {
    is_invisible(c) && !matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

/// Checks an entry path (`group/sub/name`). Paths are shown on paper and typed by
/// people, so control characters and empty or dot segments are refused.
pub fn validate_path(path: &str) -> Result<()> {
    let fail = |reason| {
        Err(Error::InvalidPath {
            path: shorten(path),
            reason,
        })
    };
    if path.is_empty() {
        return fail("it is empty");
    }
    // At least as many bytes as characters: a short path needs no count.
    if path.len() > 256 && path.chars().count() > 256 {
        return fail("it is longer than 256 characters");
    }
    if path.chars().any(char::is_control) {
        return fail("it contains a control character");
    }
    for segment in path.split('/') {
        if segment.is_empty() {
            return fail("it has an empty segment (leading, trailing or double '/')");
        }
        if segment == "." || segment == ".." {
            return fail("it has a '.' or '..' segment");
        }
        if segment.trim() != segment {
            return fail("a segment starts or ends with a space");
        }
    }
    Ok(())
}

/// Lower-case hexadecimal, as `sha256sum` prints a digest.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// The name part of a path: what follows the last '/'.
pub fn path_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Login,
    Server,
    Database,
    NetworkDevice,
    Wifi,
    Email,
    Domain,
    ApiKey,
    SshKey,
    Vpn,
    License,
    Certificate,
    Recovery,
    Note,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::Login,
        Kind::Server,
        Kind::Database,
        Kind::NetworkDevice,
        Kind::Wifi,
        Kind::Email,
        Kind::Domain,
        Kind::ApiKey,
        Kind::SshKey,
        Kind::Vpn,
        Kind::License,
        Kind::Certificate,
        Kind::Recovery,
        Kind::Note,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::Server => "server",
            Kind::Database => "database",
            Kind::NetworkDevice => "network-device",
            Kind::Wifi => "wifi",
            Kind::Email => "email",
            Kind::Domain => "domain",
            Kind::ApiKey => "api-key",
            Kind::SshKey => "ssh-key",
            Kind::Vpn => "vpn",
            Kind::License => "license",
            Kind::Certificate => "certificate",
            Kind::Recovery => "recovery",
            Kind::Note => "note",
            Kind::Other => "other",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                Error::Invalid(format!(
                    "unknown kind {s:?}; use one of: {}",
                    all.join(", ")
                ))
            })
    }
}

/// Who owns an account. Provider-owned accounts must be transferred at handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    Client,
    Provider,
    ThirdParty,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Client => "client",
            Owner::Provider => "provider",
            Owner::ThirdParty => "third-party",
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Owner {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "client" => Ok(Owner::Client),
            "provider" => Ok(Owner::Provider),
            "third-party" => Ok(Owner::ThirdParty),
            _ => Err(Error::Invalid(format!(
                "unknown owner {s:?}; use client, provider or third-party"
            ))),
        }
    }
}

/// A custom field. Its value is held as a [`Secret`] even when `secret` is false, so that
/// it is wiped from memory either way; `secret` decides masking and printing.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    pub value: Secret,
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

fn yes() -> bool {
    true
}

/// One credential or piece of knowledge a successor needs.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    pub path: String,
    #[serde(default)]
    pub title: String,
    #[serde(default = "default_kind")]
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// What the device accepts in the password when it is not everything (`digits` for
    /// a PIN, `alnum`), as `--charset` said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_charset: Option<Charset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<Secret>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Where the physical thing behind it is: the hardware token, the phone with the
    /// authenticator, the smart card, the key ("Tresor Büro, Fach 2").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Conservative default: an entry the provider typed in or imported is one it knows.
    #[serde(default = "yes")]
    pub provider_knows: bool,
    /// Earlier providers (by name) who knew this entry's secrets when the client was
    /// taken over from them: they still do until the secrets are replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_to_previous: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "timestamp::option"
    )]
    pub created: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "timestamp::option"
    )]
    pub updated: Option<DateTime<Utc>>,
    /// The secrets this entry held before they were replaced, oldest first (at most
    /// [`MAX_PREVIOUS_SECRETS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous: Vec<PreviousSecret>,
}

fn default_kind() -> Kind {
    Kind::Other
}

impl Entry {
    pub fn new(path: String, kind: Kind) -> Self {
        Entry {
            id: Uuid::new_v4(),
            title: path_name(&path).to_owned(),
            path,
            kind,
            url: None,
            host: None,
            port: None,
            username: None,
            password: None,
            password_charset: None,
            totp: None,
            recovery_codes: Vec::new(),
            notes: None,
            fields: Vec::new(),
            tags: Vec::new(),
            location: None,
            owner: None,
            provider_knows: true,
            known_to_previous: Vec::new(),
            expires: None,
            rotated: None,
            created: None,
            updated: None,
            previous: Vec::new(),
        }
    }

    /// Keeps `old`, the value of `part` that is being replaced or cleared, among the
    /// entry's previous secrets (dropping the oldest beyond [`MAX_PREVIOUS_SECRETS`]).
    /// An empty value, or one equal to its replacement `new`, is not kept.
    pub fn keep_previous(
        &mut self,
        part: String,
        old: Option<Secret>,
        new: Option<&Secret>,
        now: DateTime<Utc>,
    ) {
        let Some(old) = old.filter(|o| !o.is_empty() && Some(o) != new) else {
            return;
        };
        self.previous.push(PreviousSecret {
            part,
            value: old,
            replaced: now,
        });
        let excess = self.previous.len().saturating_sub(MAX_PREVIOUS_SECRETS);
        self.previous.drain(..excess);
    }

    /// Checks what serde cannot: the path, and that names are printable.
    pub fn validate(&self) -> Result<()> {
        validate_path(&self.path)?;
        for field in &self.fields {
            if field.name.trim().is_empty() {
                return Err(Error::Invalid(format!(
                    "entry {:?} has a custom field without a name",
                    self.path
                )));
            }
        }
        Ok(())
    }

    /// The title as shown to people: the path's name when no title was given.
    pub fn display_title(&self) -> &str {
        if self.title.is_empty() {
            path_name(&self.path)
        } else {
            &self.title
        }
    }

    /// Does this entry hold anything a successor could log in with?
    pub fn has_secret(&self) -> bool {
        self.secret_parts().next().is_some()
    }

    /// Every secret the entry holds, each of which must be replaced once someone who
    /// knew it leaves: the password, the TOTP seed, the recovery codes and each secret
    /// field (by name). An iterator, so that [`Entry::has_secret`], asked for every
    /// entry of every check and dossier, allocates nothing.
    pub fn secret_parts(&self) -> impl Iterator<Item = SecretPart<'_>> {
        let filled = |s: &Option<Secret>| s.as_ref().is_some_and(|p| !p.is_empty());
        [
            filled(&self.password).then_some(SecretPart::Password),
            filled(&self.totp).then_some(SecretPart::Totp),
            (!self.recovery_codes.is_empty()).then_some(SecretPart::RecoveryCodes),
        ]
        .into_iter()
        .flatten()
        .chain(
            self.fields
                .iter()
                .filter(|f| f.secret && !f.value.is_empty())
                .map(|f| SecretPart::Field(&f.name)),
        )
    }

    /// The network name of a Wi-Fi entry: its non-empty field named SSID (in any case).
    pub fn ssid(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| is_ssid_field(&f.name) && !f.value.expose().trim().is_empty())
            .map(|f| f.value.expose())
    }
}

/// One secret of an entry ([`Entry::secret_parts`]); a person who knew it can use it
/// until it is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretPart<'a> {
    Password,
    Totp,
    RecoveryCodes,
    /// A secret custom field, by its name.
    Field(&'a str),
}

/// A secret's name as `check` and the command line say it (the dossier and the
/// rotation list name it in their own language, from the templates).
impl fmt::Display for SecretPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretPart::Password => f.write_str("password"),
            SecretPart::Totp => f.write_str("TOTP seed"),
            SecretPart::RecoveryCodes => f.write_str("recovery codes"),
            SecretPart::Field(name) => write!(f, "field {name:?}"),
        }
    }
}

/// The field a Wi-Fi entry keeps its network name in (`add --ssid`, the demo).
pub const SSID_FIELD: &str = "SSID";

/// Whether a field name is the SSID field; imported files spell it in any case.
pub fn is_ssid_field(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case(SSID_FIELD)
}

/// A client and everything handover knows about it: the plaintext of one vault file.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub format_version: u64,
    pub id: ClientId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Display titles for entry groups, by the first segment of the path
    /// (`"netz": "Netzwerk und Firewall"`), for the dossier's headings and contents.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group_titles: BTreeMap<String, String>,
    /// Where the client keeps the digital bundle (a place, not a secret), for the
    /// dossier's first pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_location: Option<String>,
    /// Where the client keeps its own key (the emergency sheet, a stick in the safe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_location: Option<String>,
    /// Who takes over when the provider is unreachable (name, phone, the arrangement),
    /// for this client; when absent the provider's own setting applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_partner: Option<String>,
    /// age recipients (`age1…`) the vault is encrypted to, the provider's included.
    pub recipients: Vec<String>,
    #[serde(default)]
    pub entries: Vec<Entry>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// Raised by one on every write, inside the signed vault, so that an older copy put
    /// back is recognised (see `trust`). Absent (0) in vaults from before signing.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
    /// The recipient of the client's own key (`handover client key`), also listed in
    /// `recipients`. Offboarding encrypts to it besides the successor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_recipient: Option<String>,
    /// Append-only: what happened to the client and its entries, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Event>,
    /// The dossiers printed from this vault, newest last (at most
    /// [`MAX_DOSSIER_RECORDS`]), so that `verify` can tell what changed since one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dossiers: Vec<DossierRecord>,
    /// The digital bundles written from this vault, newest last (at most
    /// [`MAX_DOSSIER_RECORDS`]), so that `check` can tell when the client's copy is stale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundles: Vec<BundleRecord>,
    /// Every time the client was taken over from another provider, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takeovers: Vec<TakeoverRecord>,
    /// The client's systems (see `model::knowledge` for how they link to entries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<System>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Network>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendors: Vec<Vendor>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    /// The decision log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    /// What a merge of two copies left for a person to decide (`sync`); absent
    /// when there is nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merge_conflicts: Vec<MergeConflict>,
    /// Warnings of `check` the provider accepted, with the reason (`check --ack`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledged: Vec<Acknowledgement>,
}

/// A warning of `check` that the provider knows of and accepts ("the warranty ended;
/// the server is replaced in spring"): `check` lists it with the reason and does not
/// count it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// The finding's code (`warranty-ended`).
    pub code: String,
    /// The entry path, system or vendor name the finding is about; absent for a
    /// finding about the client as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub why: String,
    #[serde(serialize_with = "timestamp::serialize")]
    pub at: DateTime<Utc>,
}

/// How many dossier records a vault keeps.
pub const MAX_DOSSIER_RECORDS: usize = 20;

/// One printed dossier: its fingerprint and, for the newest only, a digest of every
/// entry it showed (older records keep no digests, so that a vault does not grow with
/// every printing; what changed since one of them is read from the history).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DossierRecord {
    pub fingerprint: String,
    pub exported: DateTime<Utc>,
    pub lang: String,
    /// Entry id → digest of the entry as printed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entries: BTreeMap<Uuid, String>,
}

/// One digital bundle written from the vault: its fingerprint and, for the newest
/// only, a digest of every entry it held.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRecord {
    pub fingerprint: String,
    pub exported: DateTime<Utc>,
    /// Entry id → digest of the entry as written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entries: BTreeMap<Uuid, String>,
}

/// A takeover of the client from an earlier provider (`handover takeover`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakeoverRecord {
    #[serde(serialize_with = "timestamp::serialize")]
    pub at: DateTime<Utc>,
    /// The earlier provider's name as its signer list or the dossier called it.
    pub from: String,
    /// The SHA-256 fingerprint of the key that signed the bundle taken over.
    pub from_key: String,
    /// The vault fingerprint of the bundle as it was taken over, which the paper the
    /// client holds carries; `verify` still recognises it.
    pub fingerprint: String,
    /// Entry id → digest of the entry as taken over.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entries: BTreeMap<Uuid, String>,
}

impl Client {
    pub fn new(id: ClientId, name: String, recipients: Vec<String>, now: DateTime<Utc>) -> Self {
        Client {
            format_version: VAULT_FORMAT_VERSION,
            id,
            name,
            legal_name: None,
            address: None,
            contacts: Vec::new(),
            notes: None,
            group_titles: BTreeMap::new(),
            bundle_location: None,
            client_key_location: None,
            emergency_partner: None,
            recipients,
            entries: Vec::new(),
            created: now,
            updated: now,
            revision: 0,
            dossiers: Vec::new(),
            bundles: Vec::new(),
            takeovers: Vec::new(),
            client_recipient: None,
            history: Vec::new(),
            systems: Vec::new(),
            networks: Vec::new(),
            vendors: Vec::new(),
            documents: Vec::new(),
            decisions: Vec::new(),
            merge_conflicts: Vec::new(),
            acknowledged: Vec::new(),
        }
    }

    /// Appends an event to the history.
    pub fn record(&mut self, event: Event) {
        self.history.push(event);
    }

    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }

    pub fn entry_mut(&mut self, path: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.path == path)
    }

    pub fn entry_index(&self, path: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.path == path)
    }

    /// The index of the entry a person means by `typed`: its exact path, or the one
    /// path that differs from it only in case and accents; else an error that offers
    /// the closest paths (see [`names::resolve`]).
    pub fn entry_named(&self, typed: &str) -> Result<usize> {
        let all: Vec<usize> = (0..self.entries.len()).collect();
        names::resolve(&all, typed, |&i| self.entries[i].path.as_str())
            .copied()
            .map_err(|closest| Error::NoSuchEntry {
                client: self.id.to_string(),
                path: typed.to_owned(),
                closest,
            })
    }

    /// The system a person means by `typed` (as [`Client::entry_named`] means entries).
    pub fn system_named(&self, typed: &str) -> Result<&System> {
        self.record_named(&self.systems, typed, |s| &s.name, ("system", "system"))
    }

    pub fn network_named(&self, typed: &str) -> Result<&Network> {
        self.record_named(&self.networks, typed, |n| &n.name, ("network", "network"))
    }

    pub fn vendor_named(&self, typed: &str) -> Result<&Vendor> {
        self.record_named(&self.vendors, typed, |v| &v.name, ("vendor", "vendor"))
    }

    /// A document by its path.
    pub fn document_named(&self, typed: &str) -> Result<&Document> {
        self.record_named(&self.documents, typed, |d| &d.path, ("document", "doc"))
    }

    /// A decision by its id or its title.
    pub fn decision_named(&self, typed: &str) -> Result<&Decision> {
        let by_id = uuid::Uuid::parse_str(typed).ok();
        match self.decisions.iter().find(|d| Some(d.id) == by_id) {
            Some(d) => Ok(d),
            None => self.record_named(
                &self.decisions,
                typed,
                |d| &d.title,
                ("decision", "decision"),
            ),
        }
    }

    /// One of `items` by its name, `(what, command)` for the error that names the
    /// closest ones and the command that lists them all.
    fn record_named<'a, T>(
        &self,
        items: &'a [T],
        typed: &str,
        name: impl Fn(&'a T) -> &'a String,
        (what, command): (&'static str, &'static str),
    ) -> Result<&'a T> {
        names::resolve(items, typed, |i| name(i).as_str()).map_err(|closest| Error::NoSuchRecord {
            client: self.id.to_string(),
            what,
            command,
            name: typed.to_owned(),
            closest,
        })
    }

    /// Checks the invariants a vault must keep: valid entries, unique paths and ids.
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::Invalid("the client has an empty name".into()));
        }
        // Sized once: growing them rehashed every entry several times.
        let mut paths = std::collections::HashSet::with_capacity(self.entries.len());
        let mut ids = std::collections::HashSet::with_capacity(self.entries.len());
        for entry in &self.entries {
            entry.validate()?;
            if !paths.insert(entry.path.as_str()) {
                return Err(Error::Invalid(format!(
                    "the path {:?} is used by two entries",
                    entry.path
                )));
            }
            if !ids.insert(entry.id) {
                return Err(Error::Invalid(format!(
                    "the entry id {} is used twice",
                    entry.id
                )));
            }
        }
        for (group, title) in &self.group_titles {
            validate_group_title(group, title)?;
        }
        knowledge::validate_all(
            &ids,
            &self.systems,
            &self.networks,
            &self.vendors,
            &self.documents,
            &self.decisions,
        )
    }

    pub fn system(&self, name: &str) -> Option<&System> {
        self.systems
            .iter()
            .find(|s| s.name == name)
            .or_else(|| self.systems.iter().find(|s| same_name(&s.name, name)))
    }

    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks
            .iter()
            .find(|n| n.name == name)
            .or_else(|| self.networks.iter().find(|n| same_name(&n.name, name)))
    }

    pub fn vendor(&self, name: &str) -> Option<&Vendor> {
        self.vendors
            .iter()
            .find(|v| v.name == name)
            .or_else(|| self.vendors.iter().find(|v| same_name(&v.name, name)))
    }

    pub fn vendor_by_id(&self, id: uuid::Uuid) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.id == id)
    }

    pub fn document(&self, path: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.path == path)
    }

    pub fn entry_by_id(&self, id: uuid::Uuid) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The systems an entry is linked to.
    pub fn systems_of(&self, entry: uuid::Uuid) -> Vec<&System> {
        self.systems
            .iter()
            .filter(|s| s.entries.contains(&entry))
            .collect()
    }

    /// The vendors an entry is linked to.
    pub fn vendors_of(&self, entry: uuid::Uuid) -> Vec<&Vendor> {
        self.vendors
            .iter()
            .filter(|v| v.entries.contains(&entry))
            .collect()
    }

    /// How critical the most critical system an entry logs into is (`None`: it is
    /// linked to none), for the order of a takeover (`rules::takeover_rank`).
    pub fn linked_criticality(&self, entry: uuid::Uuid) -> Option<Criticality> {
        self.systems
            .iter()
            .filter(|s| s.entries.contains(&entry))
            .map(|s| s.criticality)
            .min()
    }

    /// Drops every link to `entry` (when it is removed); returns the names of the
    /// systems and vendors that lost one.
    pub fn unlink_entry(&mut self, entry: uuid::Uuid) -> Vec<String> {
        let mut names = Vec::new();
        for s in &mut self.systems {
            if s.entries.contains(&entry) {
                s.entries.retain(|e| *e != entry);
                names.push(s.name.clone());
            }
        }
        for v in &mut self.vendors {
            if v.entries.contains(&entry) {
                v.entries.retain(|e| *e != entry);
                names.push(v.name.clone());
            }
        }
        names
    }

    /// The merge conflicts not yet resolved: the client's own fields until a person
    /// accepts ours (`sync resolve`), a record's until its sibling is removed.
    pub fn open_conflicts(&self) -> impl Iterator<Item = &MergeConflict> {
        self.merge_conflicts
            .iter()
            .filter(|c| c.sibling.is_none_or(|s| self.has_record(s)))
    }

    /// Whether any entry or knowledge record has this id.
    pub fn has_record(&self, id: uuid::Uuid) -> bool {
        self.entries.iter().any(|e| e.id == id)
            || self.systems.iter().any(|s| s.id == id)
            || self.networks.iter().any(|n| n.id == id)
            || self.vendors.iter().any(|v| v.id == id)
            || self.documents.iter().any(|d| d.id == id)
            || self.decisions.iter().any(|d| d.id == id)
    }

    /// Entries in a stable, readable order (by path), as lists and the dossier show them.
    pub fn sorted_entries(&self) -> Vec<&Entry> {
        let mut entries: Vec<&Entry> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        entries
    }
}

/// Names are looked up as people say them: case does not matter (as in validation,
/// which refuses two names that differ only in case).
fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// A group title names the first segment of entry paths (`netz`), and is one line of
/// text.
pub fn validate_group_title(group: &str, title: &str) -> Result<()> {
    if group.is_empty() || group.contains('/') || group.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "{group:?} is not a group: a group is the first part of entry paths, without '/' (e.g. `netz` for `netz/firewall`)"
        )));
    }
    if title.trim().is_empty() || title.chars().any(char::is_control) || title.chars().count() > 120
    {
        return Err(Error::Invalid(format!(
            "the title for group {group:?} must be one line of 1 to 120 characters"
        )));
    }
    Ok(())
}

/// The title a group of entries gets when the client has not named it: well-known
/// abbreviations as they are written, anything else capitalised, `-` and `_` as spaces.
pub fn default_group_title(group: &str) -> String {
    const KNOWN: [(&str, &str); 14] = [
        ("m365", "Microsoft 365"),
        ("o365", "Office 365"),
        ("wlan", "WLAN"),
        ("wifi", "Wi-Fi"),
        ("vpn", "VPN"),
        ("dns", "DNS"),
        ("nas", "NAS"),
        ("ssh", "SSH"),
        ("api", "API"),
        ("erp", "ERP"),
        ("crm", "CRM"),
        ("usv", "USV"),
        ("ups", "UPS"),
        ("it", "IT"),
    ];
    if let Some((_, title)) = KNOWN.iter().find(|(k, _)| k.eq_ignore_ascii_case(group)) {
        return (*title).to_owned();
    }
    let spaced = group.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_sha256sums_form() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn a_client_id_typed_as_people_write_it() {
        let id = |s| ClientId::typed(s).map(|c| c.to_string());
        assert_eq!(id("baeckerei-brandt").unwrap(), "baeckerei-brandt");
        assert_eq!(id("Bäckerei-Brandt").unwrap(), "baeckerei-brandt");
        assert_eq!(id("ACME").unwrap(), "acme");
        assert!(
            ClientId::parse("ACME").is_err(),
            "a new id is taken as written"
        );
        let err = id("Bäckerei Brandt").unwrap_err().to_string();
        assert!(
            err.contains("\"Bäckerei Brandt\""),
            "names what was typed: {err}"
        );
    }

    #[test]
    fn client_ids() {
        for ok in ["a", "mueller-gmbh", "0", "a-b-c", &"a".repeat(64)] {
            assert!(ClientId::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "../x",
            "/abs",
            "a\0b",
            "Mueller",
            ".",
            "..",
            ".hidden",
            "-a",
            "a b",
            "a_b",
            "ä",
            &"a".repeat(65),
        ] {
            assert!(ClientId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn paths() {
        for ok in ["m365/global-admin", "a", "Büro/WLAN Gäste", "x/y/z"] {
            validate_path(ok).unwrap();
        }
        for bad in ["", "/a", "a/", "a//b", "a/../b", ".", "a\nb", " a", "a /b"] {
            assert!(validate_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(path_name("a/b/c"), "c");
        assert_eq!(path_name("c"), "c");
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert!("router".parse::<Kind>().is_err());
    }

    #[test]
    fn entry_json_uses_documented_keys() {
        let mut e = Entry::new("fw/admin".into(), Kind::NetworkDevice);
        e.password = Some(Secret::from("x"));
        e.port = Some(443);
        e.expires = NaiveDate::from_ymd_opt(2027, 1, 31);
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        let obj = v.as_object().unwrap();
        for key in [
            "id",
            "path",
            "title",
            "kind",
            "port",
            "password",
            "provider_knows",
            "expires",
        ] {
            assert!(obj.contains_key(key), "{key}");
        }
        assert_eq!(obj["kind"], "network-device");
        assert_eq!(obj["expires"], "2027-01-31");
    }

    #[test]
    fn unknown_entry_key_is_refused() {
        let r: std::result::Result<Entry, _> =
            serde_json::from_str(r#"{"path":"a","passwort":"x"}"#);
        assert!(r.is_err());
    }
}
