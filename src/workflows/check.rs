//! The handover readiness check: everything that would leave a successor stuck.
//!
//! [`check`] is pure (no clock, no I/O, no store), so the CLI, offboarding and the
//! dossier's appendix all show exactly the same findings. The rules, their codes and
//! severities are documented in README.md (`handover check`); codes are stable.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

use crate::error::Result;
use crate::generate::MIN_PIN_LENGTH;
use crate::model::names::command;
use crate::model::rules::CANCELLATION_WARNING_DAYS;
use crate::model::{
    Acknowledgement, Charset, Client, Criticality, DocumentKind, Entry, Kind, Owner, SecretPart,
    System, Vendor, is_hidden_control,
};
use crate::workflows::Handover;
use crate::workflows::changes;

/// Expiry within this many days is a warning.
pub const EXPIRY_WARNING_DAYS: u64 = 90;
/// A secret not rotated for longer than this is a warning.
pub const ROTATION_MAX_DAYS: u64 = 365;
/// A restore test of a critical system older than this is a warning.
pub const RESTORE_TEST_MAX_MONTHS: u32 = 12;
/// Passwords shorter than this are very weak.
pub const WEAK_MIN_LENGTH: usize = 8;
/// Passwords of letters and digits only (`--charset alnum`) shorter than this are
/// very weak.
pub const WEAK_MIN_ALNUM_LENGTH: usize = 6;
/// Passwords shorter than this that use a single character class are very weak.
pub const WEAK_SINGLE_CLASS_LENGTH: usize = 12;

/// The most common passwords of public breach lists (compared case-insensitively),
/// plus their German favourites. A short list on purpose: its job is to catch the
/// worst, not to be a cracking dictionary.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890",
    "123456789",
    "12345678",
    "1q2w3e4r5t",
    "1qaz2wsx",
    "abc12345",
    "admin123",
    "administrator",
    "changeme",
    "changeme123",
    "default",
    "iloveyou",
    "letmein",
    "letmein123",
    "passwort",
    "passwort1",
    "passwort123",
    "password",
    "password1",
    "password123",
    "password1234",
    "p@ssw0rd",
    "p@ssword",
    "qwertz123",
    "qwerty123",
    "qwertyuiop",
    "qwertzuiop",
    "sommer2024",
    "sommer2025",
    "sommer2026",
    "summer2024",
    "summer2025",
    "summer2026",
    "trustno1",
    "welcome1",
    "welcome123",
    "willkommen",
    "willkommen1",
    "willkommen123",
    "winter2024",
    "winter2025",
    "winter2026",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// A successor would be stuck: offboarding refuses unless `--accept-blocking`.
    Blocking,
    /// Should be fixed, but a successor can take over.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocking => "blocking",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about; the kebab-case names are stable machine codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    NoSecret,
    LoginNoUsername,
    LoginNoLocation,
    MfaWithoutFallback,
    ProviderOwned,
    ProviderDomain,
    Expired,
    Expiring,
    NotRotated,
    ReusedPassword,
    WeakPassword,
    NoContact,
    NoOtherRecipient,
    UnknownRecipient,
    NoRecipients,
    OwnRecipientMissing,
    CriticalSystemNoCredential,
    CriticalSystemNoBackup,
    RestoreTestOld,
    VendorNoHotline,
    CancellationDeadline,
    WarrantyEnded,
    MfaNoLocation,
    NoFirstHourPlan,
    WifiNoSsid,
    KnownToPreviousProvider,
    DossierOutdated,
    BundleOutdated,
    MergeConflict,
    HiddenControl,
}

impl Code {
    pub const ALL: [Code; 30] = [
        Code::NoSecret,
        Code::LoginNoUsername,
        Code::LoginNoLocation,
        Code::MfaWithoutFallback,
        Code::ProviderOwned,
        Code::ProviderDomain,
        Code::Expired,
        Code::Expiring,
        Code::NotRotated,
        Code::ReusedPassword,
        Code::WeakPassword,
        Code::NoContact,
        Code::NoOtherRecipient,
        Code::UnknownRecipient,
        Code::NoRecipients,
        Code::OwnRecipientMissing,
        Code::CriticalSystemNoCredential,
        Code::CriticalSystemNoBackup,
        Code::RestoreTestOld,
        Code::VendorNoHotline,
        Code::CancellationDeadline,
        Code::WarrantyEnded,
        Code::MfaNoLocation,
        Code::NoFirstHourPlan,
        Code::WifiNoSsid,
        Code::KnownToPreviousProvider,
        Code::DossierOutdated,
        Code::BundleOutdated,
        Code::MergeConflict,
        Code::HiddenControl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::NoSecret => "no-secret",
            Code::LoginNoUsername => "login-no-username",
            Code::LoginNoLocation => "login-no-location",
            Code::MfaWithoutFallback => "mfa-without-fallback",
            Code::ProviderOwned => "provider-owned",
            Code::ProviderDomain => "provider-domain",
            Code::Expired => "expired",
            Code::Expiring => "expiring",
            Code::NotRotated => "not-rotated",
            Code::ReusedPassword => "reused-password",
            Code::WeakPassword => "weak-password",
            Code::NoContact => "no-contact",
            Code::NoOtherRecipient => "no-other-recipient",
            Code::UnknownRecipient => "unknown-recipient",
            Code::NoRecipients => "no-recipients",
            Code::OwnRecipientMissing => "own-recipient-missing",
            Code::CriticalSystemNoCredential => "critical-system-no-credential",
            Code::CriticalSystemNoBackup => "critical-system-no-backup",
            Code::RestoreTestOld => "restore-test-old",
            Code::VendorNoHotline => "vendor-no-hotline",
            Code::CancellationDeadline => "cancellation-deadline",
            Code::WarrantyEnded => "warranty-ended",
            Code::MfaNoLocation => "mfa-no-location",
            Code::NoFirstHourPlan => "no-first-hour-plan",
            Code::WifiNoSsid => "wifi-no-ssid",
            Code::KnownToPreviousProvider => "known-to-previous-provider",
            Code::DossierOutdated => "dossier-outdated",
            Code::BundleOutdated => "bundle-outdated",
            Code::MergeConflict => "merge-conflict",
            Code::HiddenControl => "hidden-control",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::NoSecret
            | Code::LoginNoUsername
            | Code::MfaWithoutFallback
            | Code::ProviderOwned
            | Code::ProviderDomain
            | Code::Expired
            | Code::NoContact
            | Code::NoRecipients
            | Code::OwnRecipientMissing
            | Code::CriticalSystemNoCredential => Severity::Blocking,
            Code::WifiNoSsid | Code::MergeConflict => Severity::Blocking,
            Code::LoginNoLocation
            | Code::Expiring
            | Code::NotRotated
            | Code::ReusedPassword
            | Code::WeakPassword
            | Code::NoOtherRecipient
            | Code::UnknownRecipient
            | Code::CriticalSystemNoBackup
            | Code::RestoreTestOld
            | Code::VendorNoHotline
            | Code::CancellationDeadline
            | Code::WarrantyEnded
            | Code::MfaNoLocation
            | Code::NoFirstHourPlan
            | Code::DossierOutdated
            | Code::BundleOutdated
            | Code::HiddenControl => Severity::Warning,
            // Blocking for the entries a takeover secures in the first hour: see
            // `previous_provider`. This is the severity of all the others.
            Code::KnownToPreviousProvider => Severity::Warning,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a successor would trip over, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    /// The entry's path; `None` for findings about the client as a whole.
    pub path: Option<String>,
    /// The name of the system a finding is about (`path` is then `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The name of the vendor a finding is about (`path` is then `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// A plain sentence: what is wrong and how to fix it. Never contains a secret.
    pub message: String,
}

/// What the check needs to know about the provider running it.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The provider's e-mail domains (`it-schaefer.de`); accounts on them, or on a
    /// subdomain, must be transferred.
    pub provider_domains: Vec<String>,
    /// The provider's own age recipients, to tell whether anyone else can open the vault.
    pub provider_recipients: Vec<String>,
    /// The age recipients of trusted teammates (from the store's signer list): known
    /// readers, like the provider and the client key.
    pub teammate_recipients: Vec<String>,
    /// Whether to compare the copies the client holds (the newest dossier and bundle)
    /// with the vault. Not while a new dossier or bundle is made, which replaces them:
    /// the comparison hashes the whole vault once more (a tenth of a dossier export).
    pub old_copies: bool,
}

impl CheckOptions {
    /// The options for this provider: its identity's recipients, and its domains from
    /// `domains` plus the store's `config.json`.
    pub fn for_provider(h: &Handover, domains: &[String]) -> Result<CheckOptions> {
        let mut provider_domains = h.store.config()?.provider_domains;
        provider_domains.extend(domains.iter().cloned());
        Ok(CheckOptions {
            provider_domains,
            provider_recipients: h.own_recipients(),
            teammate_recipients: h.trust.recipients(),
            old_copies: true,
        })
    }
}

/// Whether any finding is blocking.
pub fn has_blocking(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Blocking)
}

/// What a sync could not decide (`sync::merge`): one message per open conflict.
fn merge_conflicts(client: &Client) -> Vec<String> {
    let id = client.id.as_str();
    client
        .open_conflicts()
        .map(|c| {
            let fields = c.fields.join(", ");
            match c.sibling.and_then(|s| record_name(client, s)) {
                Some(sibling) => format!(
                    "A sync found {} {:?} changed on both sides ({fields}): ours is in place, theirs is in {} {sibling:?}. Keep what is right in {:?} and remove {sibling:?}.",
                    c.record, c.name, c.record, c.name
                ),
                None => format!(
                    "A sync found the client's {fields} changed on both sides: ours is kept. Check it with `handover client show {id}`, correct it with `handover client edit {id}` if needed, then run `handover sync resolve {id}`."
                ),
            }
        })
        .collect()
}

/// A record's path, name or title, by id.
fn record_name(client: &Client, id: uuid::Uuid) -> Option<String> {
    let found = client.entries.iter().find(|e| e.id == id).map(|e| &e.path);
    let found = found.or_else(|| client.systems.iter().find(|s| s.id == id).map(|s| &s.name));
    let found = found.or_else(|| client.networks.iter().find(|n| n.id == id).map(|n| &n.name));
    let found = found.or_else(|| client.vendors.iter().find(|v| v.id == id).map(|v| &v.name));
    let found = found.or_else(|| {
        client
            .documents
            .iter()
            .find(|d| d.id == id)
            .map(|d| &d.path)
    });
    let found = found.or_else(|| {
        client
            .decisions
            .iter()
            .find(|d| d.id == id)
            .map(|d| &d.title)
    });
    found.cloned()
}

/// Checks `client` as of `today`, leaving out the warnings the provider acknowledged
/// (`check --ack`). Findings come client-level first, then by system and vendor name,
/// then by entry path, blocking before warnings within each.
pub fn check(client: &Client, options: &CheckOptions, today: NaiveDate) -> Vec<Finding> {
    check_with_acks(client, options, today).0
}

/// [`check`], and apart from its findings the acknowledged warnings with their
/// acknowledgement.
pub fn check_with_acks<'c>(
    client: &'c Client,
    options: &CheckOptions,
    today: NaiveDate,
) -> (Vec<Finding>, Vec<(Finding, &'c Acknowledgement)>) {
    let mut findings = Vec::new();
    let mut acked = Vec::new();
    for f in all_findings(client, options, today) {
        match acknowledgement_of(client, &f) {
            Some(ack) if f.severity == Severity::Warning => acked.push((f, ack)),
            _ => findings.push(f),
        }
    }
    (findings, acked)
}

/// What a finding is about: its entry path, system or vendor name; `None` for the
/// client as a whole.
pub fn target(f: &Finding) -> Option<&str> {
    f.path
        .as_deref()
        .or(f.system.as_deref())
        .or(f.vendor.as_deref())
}

/// The acknowledgement that covers `f`, if any.
pub fn acknowledgement_of<'c>(client: &'c Client, f: &Finding) -> Option<&'c Acknowledgement> {
    client
        .acknowledged
        .iter()
        .find(|a| a.code == f.code.as_str() && a.target.as_deref() == target(f))
}

fn all_findings(client: &Client, options: &CheckOptions, today: NaiveDate) -> Vec<Finding> {
    let id = client.id.as_str();
    let mut findings = Vec::new();
    let mut add = |code: Code, path: Option<&str>, message: String| {
        findings.push(Finding {
            severity: code.severity(),
            code,
            path: path.map(str::to_owned),
            system: None,
            vendor: None,
            message,
        });
    };
    if client.contacts.is_empty() {
        add(
            Code::NoContact,
            None,
            format!(
                "The client has no contact person: add one with {}.",
                command(&[
                    "client",
                    "edit",
                    id,
                    "--add-contact",
                    "NAME",
                    "--role",
                    "...",
                    "--phone",
                    "..."
                ])
            ),
        );
    }
    if !client.recipients.is_empty()
        && !client
            .recipients
            .iter()
            .any(|r| !options.provider_recipients.contains(r))
    {
        add(
            Code::NoOtherRecipient,
            None,
            format!(
                "Only you can open this vault: give the client its own key ({}) or add a recipient.",
                command(&["client", "key", id, "-o", "FILE"])
            ),
        );
    }
    if let Some((code, message)) = unwritable_recipients(client, options) {
        add(code, None, message);
    }
    // Who is "unknown" depends on who runs the check; without that (the offboarding
    // dossier), the rule says nothing.
    let recipients = if options.provider_recipients.is_empty() {
        &[][..]
    } else {
        &client.recipients[..]
    };
    for r in recipients {
        let known = options.provider_recipients.contains(r)
            || options.teammate_recipients.contains(r)
            || client.client_recipient.as_ref() == Some(r);
        if !known {
            add(
                Code::UnknownRecipient,
                None,
                format!(
                    "The vault is also encrypted to {r}, which is neither you, a trusted teammate (`handover signers`) nor the client key: whoever holds it can read every secret. If you do not know it, remove it with {} and rotate what it could read.",
                    command(&["recipients", id, "remove", r])
                ),
            );
        }
    }
    if let Some(message) = missing_first_hour_plan(client) {
        add(Code::NoFirstHourPlan, None, message);
    }
    for message in merge_conflicts(client) {
        add(Code::MergeConflict, None, message);
    }
    for message in hidden_in_records(client) {
        add(Code::HiddenControl, None, message);
    }
    if options.old_copies {
        for (code, message) in stale_copies(client) {
            add(code, None, message);
        }
    }
    let mut systems: Vec<&System> = client.systems.iter().collect();
    systems.sort_by(|a, b| a.name.cmp(&b.name));
    for system in systems {
        let mut mine = Vec::new();
        system_findings(id, system, today, &mut mine);
        mine.sort_by_key(|(code, _)| (code.severity(), *code));
        for (code, message) in mine {
            findings.push(Finding {
                severity: code.severity(),
                code,
                path: None,
                system: Some(system.name.clone()),
                vendor: None,
                message,
            });
        }
    }
    let mut vendors: Vec<&Vendor> = client.vendors.iter().collect();
    vendors.sort_by(|a, b| a.name.cmp(&b.name));
    for vendor in vendors {
        let mut mine = Vec::new();
        vendor_findings(vendor, today, &mut mine);
        for (code, message) in mine {
            findings.push(Finding {
                severity: code.severity(),
                code,
                path: None,
                system: None,
                vendor: Some(vendor.name.clone()),
                message,
            });
        }
    }
    let reused = reused_passwords(client);
    for entry in client.sorted_entries() {
        let mut mine = Vec::new();
        entry_findings(id, entry, options, today, &reused, &mut mine);
        let mut mine: Vec<(Severity, Code, String)> = mine
            .into_iter()
            .map(|(code, message)| (code.severity(), code, message))
            .collect();
        mine.extend(previous_provider(
            entry,
            client.linked_criticality(entry.id),
            client.id.as_str(),
        ));
        mine.sort_by_key(|(severity, code, _)| (*severity, *code));
        for (severity, code, message) in mine {
            findings.push(Finding {
                severity,
                code,
                path: Some(entry.path.clone()),
                system: None,
                vendor: None,
                message,
            });
        }
    }
    findings
}

/// A client described only by its entries has no first-hour plan to miss; one whose
/// systems, networks, vendors, documents or decisions are recorded should have one.
fn missing_first_hour_plan(client: &Client) -> Option<String> {
    let documents_its_it = !client.systems.is_empty()
        || !client.networks.is_empty()
        || !client.vendors.is_empty()
        || !client.documents.is_empty()
        || !client.decisions.is_empty();
    let has_plan = client
        .documents
        .iter()
        .any(|d| d.kind == DocumentKind::FirstHourPlan && !d.body.trim().is_empty());
    (documents_its_it && !has_plan).then(|| format!(
        "There is no first-hour plan: write what a successor does first (whom to call, what to check, where the keys are) with {}.",
        command(&["doc", "add", client.id.as_str(), "first-hour-plan", "--kind", "first-hour-plan"])
    ))
}

/// The newest printed dossier and the newest bundle, when the vault has changed since
/// they were made: the client's copies are stale. A client that never got either has
/// nothing stale (and nothing to say about it here).
fn stale_copies(client: &Client) -> Vec<(Code, String)> {
    let id = client.id.as_str();
    let mut out = Vec::new();
    let now = std::cell::OnceCell::new();
    // Both versions: the newest record may be older than fingerprint version 2.
    let current = || now.get_or_init(|| crate::fingerprint::fingerprints(client));
    if let Some(d) = client.dossiers.last()
        && !current().matches(&d.fingerprint)
    {
        let what = changes::summary(&changes::since(
            client,
            d.exported,
            &d.entries,
            &current().digests,
        ));
        out.push((
            Code::DossierOutdated,
            format!(
                "The vault has changed since the dossier printed on {} (fingerprint {}): {what}. The client's paper no longer matches it: print a new dossier ({}) and have the client replace the old one.",
                d.exported.format("%Y-%m-%d"),
                d.fingerprint,
                command(&["dossier", id, "-o", "FILE"])
            ),
        ));
    }
    if let Some(b) = client.bundles.last()
        && !current().matches(&b.fingerprint)
    {
        let what = changes::summary(&changes::since(
            client,
            b.exported,
            &b.entries,
            &current().digests,
        ));
        let kept = client
            .bundle_location
            .as_deref()
            .map(|place| format!(" (kept: {place:?})"))
            .unwrap_or_default();
        out.push((
            Code::BundleOutdated,
            format!(
                "The vault has changed since the bundle written on {} (fingerprint {}): {what}. The client's copy{kept} is stale: write a new one ({}) and have the client replace it.",
                b.exported.format("%Y-%m-%d"),
                b.fingerprint,
                command(&["export", id, "--format", "bundle", "-o", "FILE"])
            ),
        ));
    }
    out
}

fn system_findings(id: &str, s: &System, today: NaiveDate, out: &mut Vec<(Code, String)>) {
    if let Some(found) = hidden_controls([
        ("purpose", s.purpose.as_deref()),
        ("notes", s.notes.as_deref()),
    ]) {
        out.push((Code::HiddenControl, hidden_message(&found)));
    }
    if s.criticality == Criticality::Critical {
        if s.entries.is_empty() {
            out.push((
                Code::CriticalSystemNoCredential,
                format!(
                    "The critical system {:?} is linked to no credential entry: record how to log in and link it with {}.",
                    s.name,
                    command(&["link", id, "PATH", "--system", &s.name])
                ),
            ));
        }
        if s.backup.method.is_none() && s.backup.target.is_none() {
            out.push((
                Code::CriticalSystemNoBackup,
                format!(
                    "Nothing says how the critical system {:?} is backed up: record it with {}.",
                    s.name,
                    command(&[
                        "system",
                        "edit",
                        id,
                        &s.name,
                        "--backup-method",
                        "...",
                        "--backup-target",
                        "..."
                    ])
                ),
            ));
        }
        restore_test_finding(id, s, today, out);
    }
    if let Some(until) = s.warranty_until
        && until < today
    {
        out.push((
            Code::WarrantyEnded,
            format!(
                "The warranty of {:?} ended on {until}: extend it, plan a replacement, or tell the client that repairs are paid.",
                s.name
            ),
        ));
    }
}

/// A critical system whose restore was never tested, or not in the last
/// [`RESTORE_TEST_MAX_MONTHS`] months: a backup nobody has restored is a hope.
fn restore_test_finding(id: &str, s: &System, today: NaiveDate, out: &mut Vec<(Code, String)>) {
    let limit = today.checked_sub_months(Months::new(RESTORE_TEST_MAX_MONTHS));
    match s.backup.last_restore_test {
        None => out.push((
            Code::RestoreTestOld,
            format!(
                "No restore of the critical system {:?} has ever been tested: test one and record it with {}.",
                s.name,
                command(&["system", "edit", id, &s.name, "--restore-tested", "YYYY-MM-DD"])
            ),
        )),
        Some(tested) if limit.is_some_and(|limit| tested < limit) => out.push((
            Code::RestoreTestOld,
            format!(
                "The last restore test of the critical system {:?} was on {tested}, over {RESTORE_TEST_MAX_MONTHS} months ago: test a restore again.",
                s.name
            ),
        )),
        Some(_) => {}
    }
}

fn vendor_findings(v: &Vendor, today: NaiveDate, out: &mut Vec<(Code, String)>) {
    if let Some(found) = hidden_controls([("notes", v.notes.as_deref())]) {
        out.push((Code::HiddenControl, hidden_message(&found)));
    }
    if v.hotline.is_none() && v.customer_number.is_none() {
        out.push((
            Code::VendorNoHotline,
            format!(
                "For the vendor {:?} neither a hotline nor a customer number is recorded, so a successor cannot open a support case: add `--hotline` or `--customer-number`.",
                v.name
            ),
        ));
    }
    if let Some(deadline) = v.contract.cancellation_deadline(today) {
        let soon = today
            .checked_add_days(Days::new(CANCELLATION_WARNING_DAYS))
            .is_some_and(|limit| deadline <= limit);
        if deadline < today {
            let end = v.contract.current_term_end(today).unwrap_or(deadline);
            out.push((
                Code::CancellationDeadline,
                format!(
                    "The cancellation deadline of the contract with {:?} passed on {deadline}: it runs until {end} at least; record the new term end if it renewed.",
                    v.name
                ),
            ));
        } else if soon {
            out.push((
                Code::CancellationDeadline,
                format!(
                    "The contract with {:?} can only be cancelled until {deadline}, within {CANCELLATION_WARNING_DAYS} days: decide with the client whether to keep it.",
                    v.name
                ),
            ));
        }
    }
}

/// A vault that opens for reading but that handover refuses to write: it lists no
/// recipients, or none of yours (it was made or re-encrypted elsewhere). Every change,
/// and recording a dossier, fails on it; re-encrypting it to its list would lock you
/// out. Without `provider_recipients` (the offboarding dossier, made for the
/// successor) only an empty list is a finding.
fn unwritable_recipients(client: &Client, options: &CheckOptions) -> Option<(Code, String)> {
    let add_yourself = match options.provider_recipients.first() {
        Some(own) => command(&["recipients", client.id.as_str(), "add", own]),
        None => format!(
            "{} (yours: `age-keygen -y IDENTITY_FILE`)",
            command(&["recipients", client.id.as_str(), "add", "RECIPIENT"])
        ),
    };
    if client.recipients.is_empty() {
        return Some((
            Code::NoRecipients,
            format!(
                "The vault lists no recipients: you can read it, but handover refuses to change it or to record a dossier, since re-encrypted to nobody it could never be opened again. Add your recipient with {add_yourself}."
            ),
        ));
    }
    let own = &options.provider_recipients;
    if !own.is_empty() && !client.recipients.iter().any(|r| own.contains(r)) {
        return Some((
            Code::OwnRecipientMissing,
            format!(
                "Your identity is not among the vault's recipients: you can read it, but handover refuses to change it or to record a dossier, since re-encrypted to its recipients you could not open it again. Add yourself with {add_yourself}."
            ),
        ));
    }
    None
}

fn entry_findings(
    id: &str,
    e: &Entry,
    options: &CheckOptions,
    today: NaiveDate,
    reused: &BTreeMap<&str, Vec<&str>>,
    out: &mut Vec<(Code, String)>,
) {
    if let Some(found) = hidden_in_entry(e) {
        out.push((Code::HiddenControl, hidden_message(&found)));
    }
    if e.kind != Kind::Note && !e.has_secret() {
        out.push((
            Code::NoSecret,
            format!(
                "The entry holds no password, key or secret field: add the secret ({}) or make it a note (`--kind note`).",
                command(&["edit", id, &e.path, "--password"])
            ),
        ));
    }
    if e.kind == Kind::Login {
        if e.username.as_deref().is_none_or(|u| u.trim().is_empty()) {
            out.push((
                Code::LoginNoUsername,
                "The login has no username: add it with `--username`.".into(),
            ));
        }
        if e.url.is_none() && e.host.is_none() {
            out.push((
                Code::LoginNoLocation,
                "The login says nowhere where to log in: add `--url` or `--host`.".into(),
            ));
        }
    }
    // A TOTP secret in the vault is the second factor itself; otherwise it is a thing
    // (token, phone, smart card) somewhere, and a successor must find it.
    let mfa = e.totp.is_none() && mentions_mfa(e);
    if mfa && e.location.as_deref().is_none_or(|l| l.trim().is_empty()) {
        out.push((
            Code::MfaNoLocation,
            "The entry says it uses MFA/2FA, but not where the second factor is (token, phone, smart card): record it with `--location`.".into(),
        ));
    }
    // Like a login's username: without the network's name, nobody knows which
    // network the password opens, and the dossier can print no join code.
    if e.kind == Kind::Wifi && e.ssid().is_none() {
        out.push((
            Code::WifiNoSsid,
            format!(
                "The Wi-Fi entry does not name its network (SSID): add it with {}.",
                command(&["edit", id, &e.path, "--ssid", "NAME"])
            ),
        ));
    }
    if mfa && e.recovery_codes.is_empty() {
        out.push((
            Code::MfaWithoutFallback,
            "The entry says it uses MFA/2FA, but holds neither a TOTP secret nor recovery codes: add one (`--totp`, `--recovery-codes`) or note who holds the second factor and transfer it.".into(),
        ));
    }
    if e.owner == Some(Owner::Provider) {
        out.push((
            Code::ProviderOwned,
            "The account is owned by the provider: transfer it to the client (or replace it) and set `--owner client`.".into(),
        ));
    }
    if let Some(address) = provider_address(e, &options.provider_domains) {
        out.push((
            Code::ProviderDomain,
            format!(
                "The account uses an address on the provider's domain ({address}): move it to a client address before the handover."
            ),
        ));
    }
    if let Some(expires) = e.expires {
        if expires < today {
            out.push((
                Code::Expired,
                format!("It expired on {expires}: renew it, or remove the entry if it is no longer used."),
            ));
        } else if today
            .checked_add_days(Days::new(EXPIRY_WARNING_DAYS))
            .is_some_and(|limit| expires <= limit)
        {
            out.push((
                Code::Expiring,
                format!("It expires on {expires}, within {EXPIRY_WARNING_DAYS} days: renew it or tell the client who does."),
            ));
        }
    }
    if e.password.as_ref().is_some_and(|p| !p.is_empty()) {
        let last = e.rotated.or(e.created.map(|c| c.date_naive()));
        if let Some(last) = last
            && today
                .checked_sub_days(Days::new(ROTATION_MAX_DAYS))
                .is_some_and(|limit| last < limit)
        {
            out.push((
                Code::NotRotated,
                format!(
                    "The password was last set on {last}, over a year ago: rotate it ({}).",
                    command(&["rotate", id, &e.path, "--generate"])
                ),
            ));
        }
        if let Some(others) = reused.get(e.path.as_str()) {
            out.push((
                Code::ReusedPassword,
                format!(
                    "The same password is used by {}: give each account its own password.",
                    others.join(", ")
                ),
            ));
        }
        if e.kind != Kind::SshKey
            && e.kind != Kind::Certificate
            && let Some(message) = e
                .password
                .as_ref()
                .and_then(|p| weak_password(p.expose(), e.password_charset, &[id, &e.path]))
        {
            out.push((Code::WeakPassword, message));
        }
    }
}

/// The entry's non-secret texts that hold a hidden control (secrets are not named:
/// the dossier prints theirs visibly too).
fn hidden_in_entry(e: &Entry) -> Option<String> {
    let fields = e.fields.iter().filter(|f| !f.secret);
    let mut texts = vec![
        ("title", Some(e.title.as_str())),
        ("username", e.username.as_deref()),
        ("URL", e.url.as_deref()),
        ("host", e.host.as_deref()),
        ("notes", e.notes.as_deref()),
        ("location", e.location.as_deref()),
    ];
    texts.extend(e.tags.iter().map(|t| ("a tag", Some(t.as_str()))));
    texts.extend(
        fields
            .clone()
            .map(|f| ("a field name", Some(f.name.as_str()))),
    );
    texts.extend(fields.map(|f| ("a field value", Some(f.value.expose()))));
    hidden_controls(texts)
}

/// Documents, decisions and networks with a hidden control, named in the message
/// (systems and vendors have findings of their own).
fn hidden_in_records(client: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for d in &client.documents {
        if let Some(found) = hidden_controls([
            ("title", Some(d.title.as_str())),
            ("text", Some(d.body.as_str())),
        ]) {
            out.push(format!("Document {:?}: {}", d.path, hidden_message(&found)));
        }
    }
    for d in &client.decisions {
        let texts = [
            ("decision", d.decision.as_deref()),
            ("why", d.why.as_deref()),
            ("alternatives", d.alternatives.as_deref()),
            ("decided by", d.decided_by.as_deref()),
        ];
        if let Some(found) = hidden_controls(texts) {
            out.push(format!(
                "Decision {:?}: {}",
                d.title,
                hidden_message(&found)
            ));
        }
    }
    for n in &client.networks {
        if let Some(found) = hidden_controls([("notes", n.notes.as_deref())]) {
            out.push(format!("Network {:?}: {}", n.name, hidden_message(&found)));
        }
    }
    out
}

/// `notes (U+202E); title (U+200B)`: each text that holds a [`is_hidden_control`]
/// character, with the first three distinct ones; `None` if no text holds one.
fn hidden_controls<'a>(
    texts: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for (label, text) in texts {
        let mut codes: Vec<u32> = Vec::new();
        for c in text.unwrap_or("").chars().filter(|c| is_hidden_control(*c)) {
            if codes.len() < 3 && !codes.contains(&(c as u32)) {
                codes.push(c as u32);
            }
        }
        // Nearly every text has none: its label is not written out for nothing.
        if codes.is_empty() {
            continue;
        }
        let codes: Vec<String> = codes.iter().map(|c| format!("U+{c:04X}")).collect();
        let this = format!("{label} ({})", codes.join(", "));
        if !found.contains(&this) {
            found.push(this);
        }
    }
    (!found.is_empty()).then(|| found.join("; "))
}

fn hidden_message(found: &str) -> String {
    format!(
        "Hidden characters in the {found}: invisible on screen, some reorder the text around them (U+202E shows `fdp.exe` as `exe.pdf`); the dossier prints each as its code point, e.g. [U+202E]. Remove them unless they belong there."
    )
}

/// `known-to-previous-provider`: an entry whose secrets an earlier provider knew when
/// the client was taken over from it, and still knows until they are replaced.
/// Blocking for what a takeover secures in the first hour (`model::rules`).
fn previous_provider(
    e: &Entry,
    criticality: Option<crate::model::Criticality>,
    client: &str,
) -> Option<(Severity, Code, String)> {
    if e.known_to_previous.is_empty() {
        return None;
    }
    let parts: Vec<SecretPart> = e.secret_parts().collect();
    if parts.is_empty() {
        return None;
    }
    let (priority, _, _) = crate::model::rules::takeover_rank(e, criticality);
    let severity = if priority == 1 {
        Severity::Blocking
    } else {
        Severity::Warning
    };
    let names: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    let who = e.known_to_previous.join(" and ");
    let first = if priority == 1 {
        " in the first hour"
    } else {
        ""
    };
    let count = match names.len() {
        1 => "1 secret".to_owned(),
        n => format!("{n} secrets"),
    };
    // Only the password has a command of its own; the other secrets are set anew
    // with `edit`, and `rotate --mark` records a change made on the system itself.
    let mut how = Vec::new();
    if parts.contains(&SecretPart::Password) {
        how.push(format!(
            "{} for the password",
            command(&["rotate", client, &e.path, "--generate"])
        ));
    }
    if parts.iter().any(|p| *p != SecretPart::Password) {
        let rest = if how.is_empty() { "them" } else { "the rest" };
        how.push(format!(
            "{} for {rest}",
            command(&["edit", client, &e.path])
        ));
    }
    Some((
        severity,
        Code::KnownToPreviousProvider,
        format!(
            "The previous provider {who} still knows {count} of this entry ({}): replace them{first} ({}; {} once changed on the system itself).",
            names.join(", "),
            how.join(", "),
            command(&["rotate", client, &e.path, "--mark"])
        ),
    ))
}

/// For each path whose password another entry also uses: the other paths.
fn reused_passwords(client: &Client) -> BTreeMap<&str, Vec<&str>> {
    let mut by_password: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in client.sorted_entries() {
        if let Some(p) = e.password.as_ref().filter(|p| !p.is_empty()) {
            by_password.entry(p.expose()).or_default().push(&e.path);
        }
    }
    let mut reused = BTreeMap::new();
    for paths in by_password.into_values().filter(|p| p.len() > 1) {
        for &path in &paths {
            let others: Vec<&str> = paths.iter().copied().filter(|p| *p != path).collect();
            reused.insert(path, others);
        }
    }
    reused
}

/// `weak-password`'s message, if the password is weak for what the device accepts: a
/// PIN (`--charset digits`) by the rules for PINs, a code without symbols from
/// [`WEAK_MIN_ALNUM_LENGTH`], anything else by [`is_very_weak`].
fn weak_password(password: &str, charset: Option<Charset>, entry: &[&str; 2]) -> Option<String> {
    let rotate = |flags: &[&str]| {
        let words: Vec<&str> = ["rotate", entry[0], entry[1]]
            .iter()
            .chain(flags)
            .copied()
            .collect();
        command(&words)
    };
    match charset {
        Some(Charset::Digits) => is_weak_pin(password).then(|| format!(
            "The PIN is weak (shorter than {MIN_PIN_LENGTH} digits, one digit repeated, a run such as 1234 or 9876, or a very common PIN): rotate it ({}, or as many digits as the device allows).",
            rotate(&["--generate", "6", "--charset", "digits"])
        )),
        Some(Charset::Alnum) => {
            weak_from(password, WEAK_MIN_ALNUM_LENGTH).then(|| format!(
                "The password is very weak for letters and digits (shorter than {WEAK_MIN_ALNUM_LENGTH} characters, a very common password, or a single kind of character and shorter than {WEAK_SINGLE_CLASS_LENGTH}): rotate it ({}, or as long as the device allows).",
                rotate(&["--generate", "12", "--charset", "alnum"])
            ))
        }
        Some(Charset::Full) | None => is_very_weak(password).then(|| format!(
            "The password is very weak (shorter than {WEAK_MIN_LENGTH} characters, a very common password, or a single kind of character and shorter than {WEAK_SINGLE_CLASS_LENGTH}): rotate it ({}; a device that takes only digits or no symbols: --charset digits or alnum).",
            rotate(&["--generate"])
        )),
    }
}

/// The rule for a PIN: at least [`MIN_PIN_LENGTH`] digits, not one digit repeated, not
/// a run up or down (1234, 9876), not one of the most common PINs. A device that
/// allows no more than six digits cannot do better, so such a PIN is not weak.
pub fn is_weak_pin(pin: &str) -> bool {
    const COMMON_PINS: &[&str] = &[
        "1212", "1004", "2000", "6969", "2580", "1122", "0852", "123123", "112233", "121212",
        "131313", "696969",
    ];
    let digits: Vec<u32> = pin.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < MIN_PIN_LENGTH || digits.len() != pin.chars().count() {
        return true;
    }
    let steps: Vec<i64> = digits
        .windows(2)
        .map(|w| i64::from(w[1]) - i64::from(w[0]))
        .collect();
    let run = steps.iter().all(|s| *s == steps[0]) && steps[0].abs() <= 1;
    run || COMMON_PINS.contains(&pin)
}

/// The rule behind `weak-password`, documented in the README.
pub fn is_very_weak(password: &str) -> bool {
    weak_from(password, WEAK_MIN_LENGTH)
}

/// [`is_very_weak`] with the shortest length allowed as `min_len`.
fn weak_from(password: &str, min_len: usize) -> bool {
    let len = password.chars().count();
    if len < min_len {
        return true;
    }
    if is_common(password) {
        return true;
    }
    len < WEAK_SINGLE_CLASS_LENGTH && {
        let classes = [
            password.chars().any(|c| c.is_lowercase()),
            password.chars().any(|c| c.is_uppercase()),
            password.chars().any(|c| c.is_numeric()),
            password.chars().any(|c| !c.is_alphanumeric()),
        ];
        classes.iter().filter(|c| **c).count() <= 1
    }
}

/// The length of the longest of [`COMMON_PASSWORDS`] (ASCII: bytes are characters).
const COMMON_MAX_LEN: usize = {
    let (mut i, mut max) = (0, 0);
    while i < COMMON_PASSWORDS.len() {
        if COMMON_PASSWORDS[i].len() > max {
            max = COMMON_PASSWORDS[i].len();
        }
        i += 1;
    }
    max
};

/// Whether the password, lower-cased, is one of [`COMMON_PASSWORDS`] (all lower-case
/// ASCII). An ASCII password is compared in place: no copy of the secret is made.
fn is_common(password: &str) -> bool {
    // Every character lower-cases to one or more: a password longer than the longest
    // common one is none of them (most are, and are not copied).
    if password.chars().count() > COMMON_MAX_LEN {
        return false;
    }
    if password.is_ascii() {
        return COMMON_PASSWORDS
            .iter()
            .any(|common| common.eq_ignore_ascii_case(password));
    }
    // A copy of a secret: wiped when dropped, like the original.
    let lower = zeroize::Zeroizing::new(password.to_lowercase());
    COMMON_PASSWORDS.contains(&lower.as_str())
}

/// Whether `text` holds `needle` (lower-case ASCII) in any mix of cases.
fn has_ascii_ignore_case(text: &str, needle: &[u8]) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether the notes or tags say the account has a second factor.
fn mentions_mfa(e: &Entry) -> bool {
    let says = |text: &str| {
        // Every word and phrase below has "fa" or "otp" in it: most notes have neither,
        // and are let go without a lower-cased copy. No character but ASCII ones
        // lower-cases to these letters, so looking for them in either case is enough.
        if !has_ascii_ignore_case(text, b"fa") && !has_ascii_ignore_case(text, b"otp") {
            return false;
        }
        let lower = text.to_lowercase();
        let words = lower.split(|c: char| !c.is_alphanumeric());
        let mut word_hit = false;
        for w in words {
            if matches!(w, "mfa" | "2fa" | "totp" | "otp") {
                word_hit = true;
            }
        }
        word_hit
            || [
                "two-factor",
                "two factor",
                "multi-factor",
                "multi factor",
                "zwei-faktor",
                "zweifaktor",
                "2-faktor",
                "2-factor",
            ]
            .iter()
            .any(|phrase| lower.contains(phrase))
    };
    e.notes.as_deref().is_some_and(says) || e.tags.iter().any(|t| says(t))
}

/// The first address (username or a non-secret custom field such as a recovery
/// e-mail) on one of the provider's domains.
fn provider_address(e: &Entry, domains: &[String]) -> Option<String> {
    let candidates = e.username.iter().map(String::as_str).chain(
        e.fields
            .iter()
            .filter(|f| !f.secret)
            .map(|f| f.value.expose()),
    );
    for candidate in candidates {
        let Some((_, domain)) = candidate.trim().rsplit_once('@') else {
            continue;
        };
        let domain = domain.to_lowercase();
        if domains.iter().any(|d| {
            let d = d.trim().trim_start_matches('@').to_lowercase();
            !d.is_empty() && (domain == d || domain.ends_with(&format!(".{d}")))
        }) {
            return Some(candidate.trim().to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Contact, Field, Secret};
    use chrono::{TimeZone, Utc};

    const ME: &str = "age1provider";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn client(entries: Vec<Entry>) -> Client {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Acme".into(),
            vec![ME.into(), "age1client".into()],
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        );
        c.client_recipient = Some("age1client".into());
        c.contacts.push(Contact {
            name: "Jutta".into(),
            ..Contact::default()
        });
        c.entries = entries;
        c
    }

    fn options() -> CheckOptions {
        CheckOptions {
            provider_domains: vec!["it-schaefer.de".into()],
            provider_recipients: vec![ME.into()],
            teammate_recipients: vec!["age1anna".into()],
            old_copies: true,
        }
    }

    /// A login a successor can use: no findings.
    fn good(path: &str, password: &str) -> Entry {
        let mut e = Entry::new(path.into(), Kind::Login);
        e.username = Some("admin@acme.example".into());
        e.url = Some("https://acme.example".into());
        e.password = Some(Secret::from(password));
        e.rotated = Some(today());
        e
    }

    fn codes(c: &Client) -> Vec<(Option<String>, Code)> {
        check(c, &options(), today())
            .into_iter()
            .map(|f| (f.path, f.code))
            .collect()
    }

    fn only(e: Entry) -> Vec<Code> {
        codes(&client(vec![e]))
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    #[test]
    fn a_complete_client_has_no_findings() {
        let c = client(vec![good("a", "Xq7#kP2m-Lw9z"), good("b", "Zt4!nR8v-Hc3y")]);
        assert_eq!(codes(&c), vec![]);
        assert!(!has_blocking(&check(&c, &options(), today())));
    }

    #[test]
    fn no_secret_unless_note() {
        let mut e = good("a", "x");
        e.password = None;
        assert_eq!(only(e.clone()), vec![Code::NoSecret]);
        e.kind = Kind::Note;
        assert_eq!(only(e.clone()), vec![]);
        e.kind = Kind::Vpn;
        e.fields.push(Field {
            name: "psk".into(),
            value: Secret::from("Xq7#kP2m-Lw9z"),
            secret: true,
        });
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn login_needs_username_and_location() {
        let mut e = good("a", "Xq7#kP2m-Lw9z");
        e.username = Some(" ".into());
        e.url = None;
        assert_eq!(
            only(e.clone()),
            vec![Code::LoginNoUsername, Code::LoginNoLocation]
        );
        e.host = Some("10.0.0.1".into());
        assert_eq!(only(e.clone()), vec![Code::LoginNoUsername]);
        // Other kinds do not need a username.
        e.kind = Kind::Server;
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn wifi_needs_its_ssid() {
        let mut e = good("wlan/buero", "Xq7#kP2m-Lw9z");
        e.kind = Kind::Wifi;
        e.username = None;
        e.url = None;
        assert_eq!(only(e.clone()), vec![Code::WifiNoSsid]);
        assert_eq!(Code::WifiNoSsid.severity(), Severity::Blocking);
        let field = |name: &str, value: &str, secret| Field {
            name: name.into(),
            value: Secret::from(value),
            secret,
        };
        // An empty SSID or another field does not name the network.
        e.fields = vec![field("SSID", " ", false), field("Netz", "Büro", false)];
        assert_eq!(only(e.clone()), vec![Code::WifiNoSsid]);
        // Imported files spell the field in any case; a secret one counts too.
        e.fields = vec![field("ssid", "Büro", false)];
        assert_eq!(only(e.clone()), vec![]);
        e.fields = vec![field("SSID", "Büro", true)];
        assert_eq!(only(e.clone()), vec![]);
        // Other kinds need no SSID.
        e.kind = Kind::Vpn;
        e.fields.clear();
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn mfa_needs_totp_or_recovery_codes() {
        let mut e = good("a", "Xq7#kP2m-Lw9z");
        e.location = Some("Tresor Büro".into());
        e.notes = Some("Anmeldung mit 2FA über das Handy von Frau Müller".into());
        assert_eq!(only(e.clone()), vec![Code::MfaWithoutFallback]);
        e.notes = None;
        e.tags = vec!["MFA".into()];
        assert_eq!(only(e.clone()), vec![Code::MfaWithoutFallback]);
        e.recovery_codes = vec![Secret::from("1234-5678")];
        assert_eq!(only(e.clone()), vec![]);
        e.recovery_codes.clear();
        e.totp = Some(Secret::from("JBSWY3DPEHPK3PXP"));
        assert_eq!(only(e.clone()), vec![]);
        // "comfa" or "informatik" are not MFA.
        let mut e = good("b", "Xq7#kP2m-Lw9z");
        e.notes = Some("Comfast router, Informatik".into());
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn provider_accounts_and_domains() {
        let mut e = good("a", "Xq7#kP2m-Lw9z");
        e.owner = Some(Owner::Provider);
        assert_eq!(only(e.clone()), vec![Code::ProviderOwned]);
        e.owner = Some(Owner::Client);
        e.username = Some("support@IT-Schaefer.de".into());
        assert_eq!(only(e.clone()), vec![Code::ProviderDomain]);
        e.username = Some("admin@mail.it-schaefer.de".into());
        assert_eq!(only(e.clone()), vec![Code::ProviderDomain]);
        e.username = Some("admin@not-it-schaefer.de".into());
        assert_eq!(only(e.clone()), vec![]);
        e.fields.push(Field {
            name: "Recovery e-mail".into(),
            value: Secret::from("notfall@it-schaefer.de"),
            secret: false,
        });
        let f = check(&client(vec![e]), &options(), today());
        assert_eq!(f[0].code, Code::ProviderDomain);
        assert!(f[0].message.contains("notfall@it-schaefer.de"));
        assert_eq!(f[0].severity, Severity::Blocking);
    }

    #[test]
    fn expiry() {
        let mut e = good("a", "Xq7#kP2m-Lw9z");
        e.kind = Kind::Domain;
        e.expires = NaiveDate::from_ymd_opt(2026, 11, 22);
        assert_eq!(only(e.clone()), vec![Code::Expired]);
        e.expires = Some(today());
        assert_eq!(only(e.clone()), vec![Code::Expiring]);
        e.expires = NaiveDate::from_ymd_opt(2027, 2, 21);
        assert_eq!(only(e.clone()), vec![Code::Expiring]);
        e.expires = NaiveDate::from_ymd_opt(2027, 2, 22);
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn rotation_age() {
        let mut e = good("a", "Xq7#kP2m-Lw9z");
        e.rotated = NaiveDate::from_ymd_opt(2025, 11, 23);
        assert_eq!(only(e.clone()), vec![]);
        e.rotated = NaiveDate::from_ymd_opt(2025, 11, 22);
        assert_eq!(only(e.clone()), vec![Code::NotRotated]);
        // Without a rotation date, the creation date counts.
        e.rotated = None;
        e.created = Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(only(e.clone()), vec![Code::NotRotated]);
        e.created = None;
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn reuse_names_the_other_entries_never_the_password() {
        let c = client(vec![
            good("b", "Xq7#kP2m-Lw9z"),
            good("a", "Xq7#kP2m-Lw9z"),
            good("c", "Zt4!nR8v-Hc3y"),
        ]);
        let f = check(&c, &options(), today());
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].path.as_deref(), Some("a"));
        assert_eq!(f[0].code, Code::ReusedPassword);
        assert!(f[0].message.contains(" b"));
        assert!(f.iter().all(|f| !f.message.contains("Xq7")));
    }

    #[test]
    fn pin_rule() {
        for weak in [
            "123", "1234", "0000", "9876", "111111", "1212", "12a4", "123456",
        ] {
            assert!(is_weak_pin(weak), "{weak:?}");
        }
        for ok in ["4817", "730215", "9402"] {
            assert!(!is_weak_pin(ok), "{ok:?}");
        }
        assert!(weak_password("730215", Some(Charset::Digits), &["acme", "a"]).is_none());
        assert!(weak_password("730215", None, &["acme", "a"]).is_some());
        assert!(weak_password("k7Qm2x", Some(Charset::Alnum), &["acme", "a"]).is_none());
        assert!(weak_password("k7Qm", Some(Charset::Alnum), &["acme", "a"]).is_some());
    }

    #[test]
    fn common_passwords_match_in_any_case() {
        // The ASCII comparison in `is_common` holds only for a lower-case ASCII list.
        assert!(
            COMMON_PASSWORDS
                .iter()
                .all(|p| p.is_ascii() && p.to_lowercase() == *p)
        );
        assert!(is_common("AdministRATOR"));
        assert!(is_common("administrator"));
        assert!(!is_common("administrators"));
        assert!(!is_common("ädministrator"));
        // The same answer as looking the lower-cased copy up, for the longest ones too.
        for p in COMMON_PASSWORDS {
            for variant in [p.to_uppercase(), format!("{p}x"), format!("Ä{p}")] {
                let lower = variant.to_lowercase();
                assert_eq!(
                    is_common(&variant),
                    COMMON_PASSWORDS.contains(&lower.as_str()),
                    "{variant:?}"
                );
            }
        }
        assert!(COMMON_PASSWORDS.iter().any(|p| p.len() == COMMON_MAX_LEN));
    }

    #[test]
    fn very_weak_rule() {
        for weak in [
            "",
            "Ab1!xyz",
            "Passwort123",
            "P@ssw0rd",
            "abcdefghijk",
            "12345678901",
        ] {
            assert!(is_very_weak(weak), "{weak:?}");
        }
        for ok in [
            "abcdefghijkl",
            "Summer-Bagger7",
            "Ab1!xyzw",
            "grünerbaggeröl",
        ] {
            assert!(!is_very_weak(ok), "{ok:?}");
        }
        let mut e = good("a", "hunter2");
        assert_eq!(only(e.clone()), vec![Code::WeakPassword]);
        // An SSH key in the password slot is not a password.
        e.kind = Kind::SshKey;
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn client_level_findings_come_first() {
        let mut c = client(vec![good("a", "hunter2")]);
        c.contacts.clear();
        c.recipients = vec![ME.into()];
        let f = check(&c, &options(), today());
        let got: Vec<(Option<&str>, Code, Severity)> = f
            .iter()
            .map(|f| (f.path.as_deref(), f.code, f.severity))
            .collect();
        assert_eq!(
            got,
            vec![
                (None, Code::NoContact, Severity::Blocking),
                (None, Code::NoOtherRecipient, Severity::Warning),
                (Some("a"), Code::WeakPassword, Severity::Warning),
            ]
        );
        assert!(has_blocking(&f));
    }

    #[test]
    fn a_vault_without_recipients_or_without_you_is_blocking() {
        let mut c = client(vec![]);
        c.recipients.clear();
        let f = check(&c, &options(), today());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, Code::NoRecipients);
        assert_eq!(f[0].severity, Severity::Blocking);
        assert!(
            f[0].message
                .contains("handover recipients acme add age1provider")
        );
        c.recipients = vec!["age1client".into()];
        let f = check(&c, &options(), today());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, Code::OwnRecipientMissing);
        assert!(has_blocking(&f));
        // Not knowing who runs the check (the offboarding dossier), only an empty
        // list is a finding.
        let handed = CheckOptions::default();
        assert_eq!(check(&c, &handed, today()), vec![]);
        c.recipients.clear();
        let f = check(&c, &handed, today());
        assert_eq!(f[0].code, Code::NoRecipients);
        assert!(f[0].message.contains("age-keygen -y"));
    }

    #[test]
    fn a_recipient_nobody_knows_is_named() {
        let mut c = client(vec![good("a", "Kx9#mP2$vL7qR4tZ")]);
        c.recipients.push("age1anna".into());
        assert_eq!(check(&c, &options(), today()), vec![]);
        c.recipients.push("age1stranger".into());
        let f = check(&c, &options(), today());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, Code::UnknownRecipient);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("age1stranger"), "{}", f[0].message);
        // Not knowing who runs the check (the offboarding dossier), nobody is unknown.
        assert_eq!(check(&c, &CheckOptions::default(), today()), vec![]);
    }

    fn knowledge_codes(c: &Client) -> Vec<(Option<String>, Option<String>, Code)> {
        check(c, &options(), today())
            .into_iter()
            .map(|f| (f.system, f.vendor, f.code))
            .collect()
    }

    fn plan() -> crate::model::Document {
        let mut d = crate::model::Document::new("erste-stunde".into(), DocumentKind::FirstHourPlan);
        d.body = "1. Frau Müller anrufen".into();
        d
    }

    #[test]
    fn critical_systems_need_a_login_a_backup_and_a_recent_restore_test() {
        let login = good("fw/admin", "Xq7#kP2m-Lw9z");
        let mut c = client(vec![login.clone()]);
        c.documents.push(plan());
        let mut fw = System::new("Firewall".into());
        fw.criticality = Criticality::Critical;
        c.systems.push(fw.clone());
        let fw_name = Some("Firewall".to_owned());
        assert_eq!(
            knowledge_codes(&c),
            vec![
                (fw_name.clone(), None, Code::CriticalSystemNoCredential),
                (fw_name.clone(), None, Code::CriticalSystemNoBackup),
                (fw_name.clone(), None, Code::RestoreTestOld),
            ]
        );
        assert!(has_blocking(&check(&c, &options(), today())));
        fw.entries.push(login.id);
        fw.backup.method = Some("Konfigurations-Export nachts".into());
        fw.backup.last_restore_test = NaiveDate::from_ymd_opt(2025, 11, 23);
        c.systems[0] = fw.clone();
        assert_eq!(knowledge_codes(&c), vec![]);
        // Twelve months and a day is too old.
        fw.backup.last_restore_test = NaiveDate::from_ymd_opt(2025, 11, 22);
        c.systems[0] = fw.clone();
        let f = check(&c, &options(), today());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, Code::RestoreTestOld);
        assert!(f[0].message.contains("2025-11-22"), "{}", f[0].message);
        // A normal system needs none of it.
        fw.criticality = Criticality::Normal;
        fw.entries.clear();
        fw.backup = crate::model::Backup::default();
        c.systems[0] = fw;
        assert_eq!(knowledge_codes(&c), vec![]);
    }

    #[test]
    fn warranty_vendors_and_contracts() {
        let mut c = client(vec![]);
        c.documents.push(plan());
        let mut nas = System::new("NAS".into());
        nas.warranty_until = NaiveDate::from_ymd_opt(2026, 11, 22);
        c.systems.push(nas.clone());
        assert_eq!(
            knowledge_codes(&c),
            vec![(Some("NAS".into()), None, Code::WarrantyEnded)]
        );
        nas.warranty_until = Some(today());
        c.systems[0] = nas;
        assert_eq!(knowledge_codes(&c), vec![]);

        let mut v = Vendor::new("Telekom".into());
        c.vendors.push(v.clone());
        let telekom = Some("Telekom".to_owned());
        assert_eq!(
            knowledge_codes(&c),
            vec![(None, telekom.clone(), Code::VendorNoHotline)]
        );
        v.hotline = Some("0800 330 1000".into());
        // Term end 2027-03-31, three months' notice: deadline 2026-12-31, in 38 days.
        v.contract.term_end = NaiveDate::from_ymd_opt(2027, 3, 31);
        v.contract.notice_months = Some(3);
        c.vendors[0] = v.clone();
        let f = check(&c, &options(), today());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, Code::CancellationDeadline);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("2026-12-31"), "{}", f[0].message);
        // Past, without renewal.
        v.contract.term_end = NaiveDate::from_ymd_opt(2027, 1, 31);
        c.vendors[0] = v.clone();
        let f = check(&c, &options(), today());
        assert!(
            f[0].message.contains("passed on 2026-10-31"),
            "{}",
            f[0].message
        );
        // Renewing by a year: the next deadline is far off.
        v.contract.term_end = NaiveDate::from_ymd_opt(2025, 6, 30);
        v.contract.renews_months = Some(12);
        c.vendors[0] = v.clone();
        assert_eq!(knowledge_codes(&c), vec![]);
        // 91 days ahead is fine, 90 is not.
        v.contract = crate::model::Contract {
            term_end: today().checked_add_days(Days::new(91)),
            ..Default::default()
        };
        c.vendors[0] = v.clone();
        assert_eq!(knowledge_codes(&c), vec![]);
        v.contract.term_end = today().checked_add_days(Days::new(90));
        c.vendors[0] = v;
        assert_eq!(
            knowledge_codes(&c),
            vec![(None, telekom, Code::CancellationDeadline)]
        );
    }

    #[test]
    fn mfa_needs_the_place_of_the_second_factor() {
        let mut e = good("a", "Xq7#kP2m-Lw9z");
        e.tags = vec!["2FA".into()];
        e.recovery_codes = vec![Secret::from("1234-5678")];
        assert_eq!(only(e.clone()), vec![Code::MfaNoLocation]);
        e.location = Some("YubiKey im Tresor, Fach 2".into());
        assert_eq!(only(e.clone()), vec![]);
        // A TOTP secret in the vault is the second factor itself.
        e.location = None;
        e.totp = Some(Secret::from("JBSWY3DPEHPK3PXP"));
        assert_eq!(only(e), vec![]);
    }

    #[test]
    fn first_hour_plan_only_once_the_it_is_documented() {
        let mut c = client(vec![]);
        assert_eq!(knowledge_codes(&c), vec![]);
        c.networks.push(crate::model::Network::new("LAN".into()));
        assert_eq!(
            knowledge_codes(&c),
            vec![(None, None, Code::NoFirstHourPlan)]
        );
        // An empty plan is no plan.
        let mut p = plan();
        p.body = " \n".into();
        c.documents.push(p);
        assert_eq!(
            knowledge_codes(&c),
            vec![(None, None, Code::NoFirstHourPlan)]
        );
        c.documents[0] = plan();
        assert_eq!(knowledge_codes(&c), vec![]);
    }

    #[test]
    fn findings_serialise_with_stable_codes() {
        let mut c = client(vec![]);
        c.contacts.clear();
        let v = serde_json::to_value(check(&c, &options(), today())).unwrap();
        assert_eq!(v[0]["code"], "no-contact");
        assert_eq!(v[0]["severity"], "blocking");
        assert_eq!(v[0]["path"], serde_json::Value::Null);
    }

    #[test]
    fn a_merge_conflict_blocks_until_its_sibling_is_removed() {
        let mut c = client(vec![]);
        let ours = Entry::new("fw/root".into(), Kind::Other);
        let mut theirs = Entry::new("fw/root (merge conflict)".into(), Kind::Other);
        theirs.notes = Some("n".into());
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        c.merge_conflicts.push(crate::model::MergeConflict {
            record: "entry".into(),
            id: Some(ours.id),
            sibling: Some(theirs.id),
            name: "fw/root".into(),
            fields: vec!["password".into()],
            theirs: Vec::new(),
            at,
        });
        c.entries.push(ours);
        c.entries.push(theirs);
        let found: Vec<Finding> = check(&c, &options(), today())
            .into_iter()
            .filter(|f| f.code == Code::MergeConflict)
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Blocking);
        assert_eq!(
            found[0].message,
            "A sync found entry \"fw/root\" changed on both sides (password): ours is in place, theirs is in entry \"fw/root (merge conflict)\". Keep what is right in \"fw/root\" and remove \"fw/root (merge conflict)\"."
        );
        c.entries.retain(|e| e.path == "fw/root");
        assert!(
            !codes(&c)
                .iter()
                .any(|(_, code)| *code == Code::MergeConflict)
        );
    }

    #[test]
    fn a_dossier_printed_with_fingerprint_version_1_is_current_until_the_vault_changes() {
        let mut c = client(vec![Entry::new("m365/admin".into(), Kind::Login)]);
        let all = crate::fingerprint::fingerprints(&c);
        c.dossiers.push(crate::model::DossierRecord {
            fingerprint: all.earlier.clone(),
            exported: Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
            lang: "de".into(),
            entries: all.digests.clone(),
        });
        assert!(stale_copies(&c).is_empty());
        c.entries[0].username = Some("admin@acme.example".into());
        let stale = stale_copies(&c);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].0, Code::DossierOutdated);
        assert!(stale[0].1.contains(&all.earlier), "{}", stale[0].1);
    }
}
