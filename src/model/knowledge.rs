//! What a successor needs to know beside the credentials: the client's systems,
//! networks, vendors and their contracts, documents (procedures, overviews, the
//! first-hour plan) and the decision log.
//!
//! Links point one way, by id, so that renaming anything keeps them: a system lists
//! the entries that log into it (`entries`) and names its vendor (`vendor`); a vendor
//! lists its entries (`entries`, its portal login among them). Entries themselves know
//! nothing of systems and vendors, so an entry's JSON is unchanged.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Contact;
use crate::error::{Error, Result};

/// Declares a kebab-case string enum with `ALL`, `as_str`, `Display` and `FromStr`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        Error::Invalid(format!(
                            concat!("unknown ", $what, " {:?}; use one of: {}"),
                            s,
                            all.join(", ")
                        ))
                    })
            }
        }
    };
}

string_enum!(
    /// What kind of thing a system is.
    Category, "category", {
        Server => "server",
        Firewall => "firewall",
        Switch => "switch",
        AccessPoint => "access-point",
        Nas => "nas",
        Workstation => "workstation",
        Printer => "printer",
        PhoneSystem => "phone-system",
        CloudService => "cloud-service",
        InternetLine => "internet-line",
        Other => "other",
    }
);

string_enum!(
    /// How badly the client is hit when a system fails.
    Criticality, "criticality", {
        Critical => "critical",
        Important => "important",
        Normal => "normal",
    }
);

string_enum!(
    /// What a document is for.
    DocumentKind, "document kind", {
        Procedure => "procedure",
        Overview => "overview",
        Note => "note",
        FirstHourPlan => "first-hour-plan",
    }
);

string_enum!(
    /// Whether a decision still holds.
    DecisionStatus, "decision status", {
        Current => "current",
        Superseded => "superseded",
    }
);

fn category_other() -> Category {
    Category::Other
}

fn criticality_normal() -> Criticality {
    Criticality::Normal
}

fn status_current() -> DecisionStatus {
    DecisionStatus::Current
}

fn is_current(s: &DecisionStatus) -> bool {
    *s == DecisionStatus::Current
}

/// How a system is backed up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// How: the software and schedule ("Veeam, nightly, 30 versions").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Where the copies go ("NAS in the basement, weekly USB disk in the safe").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The last time a restore was tried and worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_restore_test: Option<NaiveDate>,
}

impl Backup {
    pub fn is_empty(&self) -> bool {
        self.method.is_none() && self.target.is_none() && self.last_restore_test.is_none()
    }
}

/// A piece of the client's IT: a server, a firewall, a cloud service, an internet line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    pub name: String,
    /// What it does for the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default = "category_other")]
    pub category: Category,
    /// Which site ("Zentrale Freiburg").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Where it physically is ("Serverraum, Rack 1, HE 12").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Operating system or firmware, with version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Its IP addresses; for an internet line, the static public addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// For an internet line: the line or contract id the provider knows it by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchased: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warranty_until: Option<NaiveDate>,
    #[serde(default = "criticality_normal")]
    pub criticality: Criticality,
    #[serde(default, skip_serializing_if = "Backup::is_empty")]
    pub backup: Backup,
    /// The vendor that supplies or supports it (an id in `vendors`); for an internet
    /// line, its provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Uuid>,
    /// The entries that log into it (ids in `entries`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

impl System {
    pub fn new(name: String) -> Self {
        System {
            id: Uuid::new_v4(),
            name,
            purpose: None,
            category: Category::Other,
            site: None,
            location: None,
            make: None,
            model: None,
            serial: None,
            os: None,
            hostname: None,
            ips: Vec::new(),
            mac: None,
            line_id: None,
            purchased: None,
            warranty_until: None,
            criticality: Criticality::Normal,
            backup: Backup::default(),
            vendor: None,
            entries: Vec::new(),
            notes: None,
            created: None,
            updated: None,
        }
    }

    pub fn validate(&self) -> Result<()> {
        validate_name("system", &self.name)?;
        for ip in &self.ips {
            ip.parse::<IpAddr>().map_err(|_| {
                Error::Invalid(format!(
                    "system {:?}: {ip:?} is not an IP address (e.g. 192.168.10.1 or 2001:db8::1)",
                    self.name
                ))
            })?;
        }
        if let (Some(bought), Some(until)) = (self.purchased, self.warranty_until)
            && until < bought
        {
            return Err(Error::Invalid(format!(
                "system {:?}: the warranty ends ({until}) before it was purchased ({bought})",
                self.name
            )));
        }
        Ok(())
    }
}

/// A network segment at a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    pub name: String,
    /// The address range, e.g. `192.168.10.0/24`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// 1 to 4094.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Free text, e.g. `192.168.10.100–192.168.10.199`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_range: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

impl Network {
    pub fn new(name: String) -> Self {
        Network {
            id: Uuid::new_v4(),
            name,
            cidr: None,
            vlan: None,
            gateway: None,
            dhcp_range: None,
            dns: Vec::new(),
            site: None,
            notes: None,
            created: None,
            updated: None,
        }
    }

    pub fn validate(&self) -> Result<()> {
        validate_name("network", &self.name)?;
        let bad = |what: String| Err(Error::Invalid(format!("network {:?}: {what}", self.name)));
        if let Some(cidr) = &self.cidr
            && !is_cidr(cidr)
        {
            return bad(format!(
                "{cidr:?} is not an address range in CIDR notation (e.g. 192.168.10.0/24)"
            ));
        }
        if let Some(vlan) = self.vlan
            && !(1..=4094).contains(&vlan)
        {
            return bad(format!("VLAN {vlan} is not between 1 and 4094"));
        }
        for ip in self.gateway.iter().chain(&self.dns) {
            if ip.parse::<IpAddr>().is_err() {
                return bad(format!(
                    "{ip:?} is not an IP address (gateway and DNS servers are addresses)"
                ));
            }
        }
        Ok(())
    }
}

/// `address/prefix` with a prefix that fits the address family.
pub fn is_cidr(text: &str) -> bool {
    let Some((addr, prefix)) = text.split_once('/') else {
        return false;
    };
    let Ok(prefix) = prefix.parse::<u8>() else {
        return false;
    };
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => prefix <= 32,
        Ok(IpAddr::V6(_)) => prefix <= 128,
        Err(_) => false,
    }
}

/// A vendor's contract with the client, and when it can be cancelled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// The end of the current (or first) term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_end: Option<NaiveDate>,
    /// Unless cancelled in time, the contract renews by this many months at the end
    /// of each term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renews_months: Option<u32>,
    /// The notice period: months, then days, before the term end (either or both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_days: Option<u32>,
}

impl Contract {
    pub fn is_empty(&self) -> bool {
        *self == Contract::default()
    }

    /// The end of the term running on `today`: `term_end`, moved on by
    /// `renews_months` as often as needed for an auto-renewing contract whose
    /// recorded term has passed. `None` without a term end.
    pub fn current_term_end(&self, today: NaiveDate) -> Option<NaiveDate> {
        let first = self.term_end?;
        let Some(step) = self.renews_months.filter(|m| *m > 0) else {
            return Some(first);
        };
        let mut end = first;
        let mut n: u32 = 0;
        while end < today {
            n = n.checked_add(step)?;
            end = add_months_keeping_month_end(first, n)?;
        }
        Some(end)
    }

    /// The last day a cancellation can arrive for the term running on `today`: its
    /// end minus the notice period (see [`minus_notice`]). `None` without a term end.
    pub fn cancellation_deadline(&self, today: NaiveDate) -> Option<NaiveDate> {
        let end = self.current_term_end(today)?;
        minus_notice(
            end,
            self.notice_months.unwrap_or(0),
            self.notice_days.unwrap_or(0),
        )
    }
}

fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|next| next.month() != d.month())
}

fn last_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    first_next.pred_opt()
}

fn add_months_keeping_month_end(d: NaiveDate, months: u32) -> Option<NaiveDate> {
    let moved = d.checked_add_months(Months::new(months))?;
    if is_month_end(d) {
        last_of_month(moved.year(), moved.month())
    } else {
        Some(moved)
    }
}

/// `end` minus a notice of `months` and `days`. A term ending on the last day of a
/// month keeps to month ends ("three months to the end of June" is 31 March, as
/// German contracts and §188 BGB count it); any other day that does not exist in
/// the earlier month falls back to that month's last day (31 May − 3 months is
/// 28/29 February). The days are subtracted after the months.
pub fn minus_notice(end: NaiveDate, months: u32, days: u32) -> Option<NaiveDate> {
    let mut d = end.checked_sub_months(Months::new(months))?;
    if months > 0 && is_month_end(end) {
        d = last_of_month(d.year(), d.month())?;
    }
    d.checked_sub_days(chrono::Days::new(u64::from(days)))
}

/// A company the client buys from or is supported by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    pub name: String,
    /// What they provide ("Internet line", "Firewall support").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provides: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_url: Option<String>,
    /// Entries that belong to this vendor (ids in `entries`): the portal login and
    /// anything else issued by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Contract::is_empty")]
    pub contract: Contract,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

impl Vendor {
    pub fn new(name: String) -> Self {
        Vendor {
            id: Uuid::new_v4(),
            name,
            provides: None,
            customer_number: None,
            hotline: None,
            email: None,
            portal_url: None,
            entries: Vec::new(),
            contract: Contract::default(),
            contacts: Vec::new(),
            notes: None,
            created: None,
            updated: None,
        }
    }

    pub fn validate(&self) -> Result<()> {
        validate_name("vendor", &self.name)?;
        let c = &self.contract;
        if let (Some(start), Some(end)) = (c.start, c.term_end)
            && end < start
        {
            return Err(Error::Invalid(format!(
                "vendor {:?}: the contract's term ends ({end}) before it starts ({start})",
                self.name
            )));
        }
        if c.notice_months.is_some_and(|m| m > 120) || c.notice_days.is_some_and(|d| d > 3650) {
            return Err(Error::Invalid(format!(
                "vendor {:?}: a notice period of more than 10 years is not plausible",
                self.name
            )));
        }
        if let (Some(start), Some(end)) = (c.start, c.term_end)
            && let Some(deadline) = minus_notice(
                end,
                c.notice_months.unwrap_or(0),
                c.notice_days.unwrap_or(0),
            )
            && deadline < start
        {
            return Err(Error::Invalid(format!(
                "vendor {:?}: the notice period ends before the contract starts (term {start} to {end}, cancel by {deadline}); a notice period cannot be longer than the whole term: check the notice and the term's dates",
                self.name
            )));
        }
        if c.renews_months.is_some_and(|m| m == 0 || m > 120) {
            return Err(Error::Invalid(format!(
                "vendor {:?}: a contract renews by 1 to 120 months",
                self.name
            )));
        }
        for contact in &self.contacts {
            if contact.name.trim().is_empty() {
                return Err(Error::Invalid(format!(
                    "vendor {:?} has a contact without a name",
                    self.name
                )));
            }
        }
        Ok(())
    }
}

/// A Markdown page: a procedure, an overview, a note or the first-hour plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    /// Groups and name like an entry path: `procedures/backup-restore`.
    pub path: String,
    #[serde(default)]
    pub title: String,
    pub kind: DocumentKind,
    /// The page, in Markdown.
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

/// Longest document body: a long procedure is a few dozen KiB; this keeps a vault
/// from growing by accident (a binary piped into `doc add --stdin`).
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

impl Document {
    pub fn new(path: String, kind: DocumentKind) -> Self {
        Document {
            id: Uuid::new_v4(),
            title: super::path_name(&path).to_owned(),
            path,
            kind,
            body: String::new(),
            created: None,
            updated: None,
        }
    }

    pub fn display_title(&self) -> &str {
        if self.title.trim().is_empty() {
            super::path_name(&self.path)
        } else {
            &self.title
        }
    }

    pub fn validate(&self) -> Result<()> {
        validate_document_name(&self.path)?;
        if self.body.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::Invalid(format!(
                "document {:?} is larger than {} KiB; split it into several pages",
                self.path,
                MAX_DOCUMENT_BYTES / 1024
            )));
        }
        if self
            .body
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(Error::Invalid(format!(
                "document {:?} contains a control character; a document is Markdown text",
                self.path
            )));
        }
        Ok(())
    }
}

/// A document's name (`procedures/backup-restore`) has an entry path's form, but
/// messages call it what it is.
pub fn validate_document_name(path: &str) -> Result<()> {
    super::validate_path(path).map_err(|e| match e {
        Error::InvalidPath { path, reason } => Error::Invalid(format!(
            "invalid document name {path:?}: {reason}; a document's name is groups and a name separated by '/', e.g. `procedures/backup-restore`"
        )),
        other => other,
    })
}

/// One entry of the decision log: what was decided, why, and what else was weighed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    pub date: NaiveDate,
    pub title: String,
    /// What was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Why (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The alternatives considered and why not (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default = "status_current", skip_serializing_if = "is_current")]
    pub status: DecisionStatus,
    /// For a superseded decision: the decision (id) that replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

impl Decision {
    pub fn new(title: String, date: NaiveDate) -> Self {
        Decision {
            id: Uuid::new_v4(),
            date,
            title,
            decision: None,
            why: None,
            alternatives: None,
            decided_by: None,
            status: DecisionStatus::Current,
            superseded_by: None,
            created: None,
            updated: None,
        }
    }

    pub fn validate(&self) -> Result<()> {
        validate_name("decision", &self.title)?;
        match (self.status, self.superseded_by) {
            (DecisionStatus::Current, Some(_)) => Err(Error::Invalid(format!(
                "decision {:?} is current but names a decision that superseded it; set its status to superseded or drop superseded_by",
                self.title
            ))),
            (_, Some(other)) if other == self.id => Err(Error::Invalid(format!(
                "decision {:?} cannot supersede itself",
                self.title
            ))),
            _ => Ok(()),
        }
    }
}

/// A name people type and read: not empty, no control characters, no outer spaces,
/// something visible in it, and no bidirectional controls (U+202E would print the rest
/// of a line reversed, or be dropped silently by a font without it).
pub fn validate_name(what: &str, name: &str) -> Result<()> {
    let reason = if name.trim().is_empty() {
        "it is empty".to_owned()
    } else if name.chars().count() > 200 {
        "it is longer than 200 characters".to_owned()
    } else if name.chars().any(char::is_control) {
        "it contains a control character".to_owned()
    } else if name.trim() != name {
        "it starts or ends with a space".to_owned()
    } else if let Some(c) = name.chars().find(|c| super::is_bidi_control(*c)) {
        format!(
            "it contains the bidirectional control U+{:04X}, which changes the order the text around it is shown in",
            c as u32
        )
    } else if name
        .chars()
        .all(|c| c.is_whitespace() || super::is_invisible(c))
    {
        "it has no visible character (only spaces or invisible ones such as U+200B)".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::Invalid(format!(
        "invalid {what} name {}: {reason}",
        super::quote_short(name)
    )))
}

/// Checks the knowledge part of a client: each item valid, names and paths unique
/// (case-insensitively for names, as people say them), ids unique, and every link
/// pointing at something that exists.
pub fn validate_all(
    entry_ids: &HashSet<Uuid>,
    systems: &[System],
    networks: &[Network],
    vendors: &[Vendor],
    documents: &[Document],
    decisions: &[Decision],
) -> Result<()> {
    let mut ids: HashSet<Uuid> = HashSet::new();
    let mut unique_id = |what: &str, id: Uuid| {
        if ids.insert(id) {
            Ok(())
        } else {
            Err(Error::Invalid(format!(
                "the id {id} is used twice (by a {what} and another item)"
            )))
        }
    };
    fn unique_names<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<()> {
        let mut seen = HashSet::new();
        for name in names {
            if !seen.insert(name.to_lowercase()) {
                return Err(Error::Invalid(format!(
                    "two {what}s are called {name:?}; give each its own name"
                )));
            }
        }
        Ok(())
    }
    let vendor_ids: HashSet<Uuid> = vendors.iter().map(|v| v.id).collect();
    for s in systems {
        s.validate()?;
        unique_id("system", s.id)?;
        if let Some(v) = s.vendor
            && !vendor_ids.contains(&v)
        {
            return Err(Error::Invalid(format!(
                "system {:?} names a vendor ({v}) that does not exist",
                s.name
            )));
        }
        linked_entries("system", &s.name, &s.entries, entry_ids)?;
    }
    unique_names("system", systems.iter().map(|s| s.name.as_str()))?;
    for n in networks {
        n.validate()?;
        unique_id("network", n.id)?;
    }
    unique_names("network", networks.iter().map(|n| n.name.as_str()))?;
    for v in vendors {
        v.validate()?;
        unique_id("vendor", v.id)?;
        linked_entries("vendor", &v.name, &v.entries, entry_ids)?;
    }
    unique_names("vendor", vendors.iter().map(|v| v.name.as_str()))?;
    let mut paths = HashSet::new();
    for d in documents {
        d.validate()?;
        unique_id("document", d.id)?;
        if !paths.insert(d.path.as_str()) {
            return Err(Error::Invalid(format!(
                "the path {:?} is used by two documents",
                d.path
            )));
        }
    }
    unique_names("decision", decisions.iter().map(|d| d.title.as_str()))?;
    let decision_ids: HashSet<Uuid> = decisions.iter().map(|d| d.id).collect();
    for d in decisions {
        d.validate()?;
        unique_id("decision", d.id)?;
        if let Some(other) = d.superseded_by
            && !decision_ids.contains(&other)
        {
            return Err(Error::Invalid(format!(
                "decision {:?} is superseded by a decision ({other}) that does not exist",
                d.title
            )));
        }
    }
    no_supersession_circle(decisions)
}

/// Following `superseded_by` from any decision must end at one that is not superseded:
/// in a circle, none of them would be the current one.
fn no_supersession_circle(decisions: &[Decision]) -> Result<()> {
    let by_id: HashMap<Uuid, &Decision> = decisions.iter().map(|d| (d.id, d)).collect();
    // Decisions known to lead to a current one: each is walked once.
    let mut settled: HashSet<Uuid> = HashSet::new();
    for start in decisions {
        let mut walked = HashSet::new();
        let mut at = start;
        while !settled.contains(&at.id) {
            if !walked.insert(at.id) {
                return Err(Error::Invalid(format!(
                    "decision {} is superseded in a circle (each decision in it is superseded by another one in it), so none of them is current; make the newest one current",
                    super::quote_short(&start.title)
                )));
            }
            match at.superseded_by.and_then(|id| by_id.get(&id)) {
                Some(next) => at = next,
                None => break,
            }
        }
        settled.extend(walked);
    }
    Ok(())
}

fn linked_entries(
    what: &str,
    name: &str,
    linked: &[Uuid],
    entry_ids: &HashSet<Uuid>,
) -> Result<()> {
    let mut seen = HashSet::new();
    for id in linked {
        if !entry_ids.contains(id) {
            return Err(Error::Invalid(format!(
                "{what} {name:?} is linked to an entry ({id}) that does not exist"
            )));
        }
        if !seen.insert(id) {
            return Err(Error::Invalid(format!(
                "{what} {name:?} is linked to the entry {id} twice"
            )));
        }
    }
    Ok(())
}

/// Systems, networks, vendors, documents and decisions read from a whole-client
/// import (see `formats::json`).
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub systems: Vec<System>,
    pub networks: Vec<Network>,
    pub vendors: Vec<Vendor>,
    pub documents: Vec<Document>,
    pub decisions: Vec<Decision>,
}

impl Knowledge {
    pub fn is_empty(&self) -> bool {
        self.systems.is_empty()
            && self.networks.is_empty()
            && self.vendors.is_empty()
            && self.documents.is_empty()
            && self.decisions.is_empty()
    }

    pub fn count(&self) -> usize {
        self.systems.len()
            + self.networks.len()
            + self.vendors.len()
            + self.documents.len()
            + self.decisions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn notice_periods_and_month_ends() {
        // Three months to the end of June: 31 March, not 30 March.
        assert_eq!(minus_notice(d(2026, 6, 30), 3, 0), Some(d(2026, 3, 31)));
        // 31 May minus three months: the end of February, leap year or not.
        assert_eq!(minus_notice(d(2026, 5, 31), 3, 0), Some(d(2026, 2, 28)));
        assert_eq!(minus_notice(d(2024, 5, 31), 3, 0), Some(d(2024, 2, 29)));
        // The end of February counts as a month end too.
        assert_eq!(minus_notice(d(2026, 2, 28), 1, 0), Some(d(2026, 1, 31)));
        // Mid-month stays on its day; a missing day falls back to the month's last.
        assert_eq!(minus_notice(d(2026, 3, 15), 1, 0), Some(d(2026, 2, 15)));
        assert_eq!(minus_notice(d(2026, 3, 30), 1, 0), Some(d(2026, 2, 28)));
        // Across a year, and with days.
        assert_eq!(minus_notice(d(2027, 1, 31), 3, 0), Some(d(2026, 10, 31)));
        assert_eq!(minus_notice(d(2026, 12, 31), 0, 14), Some(d(2026, 12, 17)));
        assert_eq!(minus_notice(d(2026, 12, 31), 1, 1), Some(d(2026, 11, 29)));
        assert_eq!(minus_notice(d(2026, 3, 1), 0, 0), Some(d(2026, 3, 1)));
    }

    #[test]
    fn renewing_contracts_move_on() {
        let c = Contract {
            term_end: Some(d(2025, 6, 30)),
            renews_months: Some(12),
            notice_months: Some(3),
            ..Contract::default()
        };
        // The recorded term is over: the renewed one counts.
        assert_eq!(c.current_term_end(d(2026, 1, 10)), Some(d(2026, 6, 30)));
        assert_eq!(
            c.cancellation_deadline(d(2026, 1, 10)),
            Some(d(2026, 3, 31))
        );
        // On the term end itself it is still that term.
        assert_eq!(c.current_term_end(d(2026, 6, 30)), Some(d(2026, 6, 30)));
        assert_eq!(c.current_term_end(d(2026, 7, 1)), Some(d(2027, 6, 30)));
        // Month ends survive February on the way.
        let feb = Contract {
            term_end: Some(d(2026, 1, 31)),
            renews_months: Some(1),
            ..Contract::default()
        };
        assert_eq!(feb.current_term_end(d(2026, 2, 15)), Some(d(2026, 2, 28)));
        assert_eq!(feb.current_term_end(d(2026, 3, 15)), Some(d(2026, 3, 31)));
        // A contract that does not renew keeps its end, even when past.
        let fixed = Contract {
            term_end: Some(d(2025, 6, 30)),
            notice_days: Some(30),
            ..Contract::default()
        };
        assert_eq!(
            fixed.cancellation_deadline(d(2026, 1, 1)),
            Some(d(2025, 5, 31))
        );
        assert_eq!(
            Contract::default().cancellation_deadline(d(2026, 1, 1)),
            None
        );
    }

    #[test]
    fn enums_are_kebab_case_strings() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), *c);
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert_eq!(Category::AccessPoint.as_str(), "access-point");
        assert_eq!(DocumentKind::FirstHourPlan.as_str(), "first-hour-plan");
        let err = "router".parse::<Category>().err().unwrap().to_string();
        assert!(err.contains("internet-line"), "{err}");
    }

    #[test]
    fn absent_values_are_omitted_and_unknown_keys_refused() {
        let s = System::new("fw".into());
        let v = serde_json::to_value(&s).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["category", "criticality", "id", "name"]);
        assert!(serde_json::from_str::<System>(r#"{"name":"x","colour":"red"}"#).is_err());
        assert!(serde_json::from_str::<Vendor>(r#"{"name":"x","contract":{"ende":"x"}}"#).is_err());
        let dec: Decision = serde_json::from_str(r#"{"date":"2026-01-02","title":"t"}"#).unwrap();
        assert_eq!(dec.status, DecisionStatus::Current);
        assert!(serde_json::to_value(&dec).unwrap().get("status").is_none());
    }

    #[test]
    fn validation_names_the_problem() {
        let mut n = Network::new("LAN".into());
        n.cidr = Some("192.168.10.0/24".into());
        n.vlan = Some(10);
        n.dns = vec!["192.168.10.1".into()];
        n.validate().unwrap();
        for bad in ["192.168.10.0", "192.168.10.0/33", "lan/24", "::1/129"] {
            n.cidr = Some(bad.into());
            assert!(n.validate().is_err(), "{bad}");
        }
        n.cidr = Some("2001:db8::/48".into());
        n.vlan = Some(4095);
        assert!(n.validate().unwrap_err().to_string().contains("4094"));

        let mut s = System::new("NAS".into());
        s.ips = vec!["10.0.0.300".into()];
        assert!(s.validate().unwrap_err().to_string().contains("10.0.0.300"));
        s.ips.clear();
        s.purchased = Some(d(2024, 1, 1));
        s.warranty_until = Some(d(2023, 1, 1));
        assert!(s.validate().is_err());
        assert!(validate_name("system", " x").is_err());
        assert!(validate_name("system", "a\u{1b}b").is_err());

        let mut dec = Decision::new("t".into(), d(2026, 1, 1));
        dec.superseded_by = Some(Uuid::new_v4());
        assert!(dec.validate().is_err());
        dec.status = DecisionStatus::Superseded;
        dec.superseded_by = Some(dec.id);
        assert!(dec.validate().is_err());
    }

    #[test]
    fn links_must_point_at_something() {
        let entry = Uuid::new_v4();
        let entries: HashSet<Uuid> = [entry].into();
        let vendor = Vendor::new("Telekom".into());
        let mut s = System::new("Router".into());
        s.vendor = Some(vendor.id);
        s.entries = vec![entry];
        let vendors = vec![vendor.clone()];
        validate_all(&entries, &[s.clone()], &[], &vendors, &[], &[]).unwrap();
        let err = validate_all(&HashSet::new(), &[s.clone()], &[], &vendors, &[], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("entry"), "{err}");
        let err = validate_all(&entries, &[s.clone()], &[], &[], &[], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("vendor"), "{err}");
        let mut twin = System::new("router".into());
        twin.id = Uuid::new_v4();
        let err = validate_all(&entries, &[s, twin], &[], &[vendor], &[], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("two systems"), "{err}");
        let a = Document::new("p/a".into(), DocumentKind::Note);
        let b = Document::new("p/a".into(), DocumentKind::Procedure);
        assert!(validate_all(&entries, &[], &[], &[], &[a, b], &[]).is_err());
        let mut old = Decision::new("old".into(), d(2024, 1, 1));
        old.status = DecisionStatus::Superseded;
        old.superseded_by = Some(Uuid::new_v4());
        assert!(validate_all(&entries, &[], &[], &[], &[], &[old]).is_err());
    }

    #[test]
    fn decisions_cannot_supersede_each_other_in_a_circle() {
        let mut a = Decision::new("a".into(), d(2024, 1, 1));
        let mut b = Decision::new("b".into(), d(2025, 1, 1));
        let c = Decision::new("c".into(), d(2026, 1, 1));
        a.status = DecisionStatus::Superseded;
        b.status = DecisionStatus::Superseded;
        a.superseded_by = Some(b.id);
        b.superseded_by = Some(c.id);
        let none = HashSet::new();
        validate_all(
            &none,
            &[],
            &[],
            &[],
            &[],
            &[a.clone(), b.clone(), c.clone()],
        )
        .unwrap();
        b.superseded_by = Some(a.id);
        let err = validate_all(&none, &[], &[], &[], &[], &[c, a, b])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "decision \"a\" is superseded in a circle (each decision in it is superseded by another one in it), so none of them is current; make the newest one current"
        );
    }

    #[test]
    fn invisible_and_reordering_names_are_refused_and_long_ones_quoted_short() {
        for name in ["\u{200B}", "\u{200B}\u{FEFF} \u{2060}", "\u{00AD}"] {
            let err = validate_name("system", name).unwrap_err().to_string();
            assert!(
                err.ends_with(
                    "it has no visible character (only spaces or invisible ones such as U+200B)"
                ),
                "{err}"
            );
        }
        let err = validate_name("system", "NAS\u{202E}gpj.exe")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bidirectional control U+202E"), "{err}");
        validate_name("system", "Zwölf\u{200D}Büro").unwrap();
        let long = "x".repeat(10_000);
        let err = validate_name("system", &long).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "invalid system name \"{}…\": it is longer than 200 characters",
                "x".repeat(60)
            )
        );
        let err = crate::model::validate_path(&format!("a/{long}"))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 300, "{err}");
    }

    #[test]
    fn a_notice_period_longer_than_the_term_is_refused() {
        let mut v = Vendor::new("Telekom".into());
        v.contract.start = Some(d(2026, 1, 1));
        v.contract.term_end = Some(d(2026, 12, 31));
        v.contract.notice_months = Some(3);
        v.validate().unwrap();
        v.contract.notice_months = Some(120);
        let err = v.validate().unwrap_err().to_string();
        assert_eq!(
            err,
            "vendor \"Telekom\": the notice period ends before the contract starts (term 2026-01-01 to 2026-12-31, cancel by 2016-12-31); a notice period cannot be longer than the whole term: check the notice and the term's dates"
        );
    }

    #[test]
    fn a_document_name_is_not_called_an_entry_path() {
        let doc = Document::new("../../etc/x".into(), DocumentKind::Note);
        let err = doc.validate().unwrap_err().to_string();
        assert!(
            err.starts_with("invalid document name \"../../etc/x\": it has a '.' or '..' segment"),
            "{err}"
        );
        assert!(!err.contains("entry"), "{err}");
    }
}
