//! Every client at a glance (`handover status`) and every deadline across clients
//! (`handover due`). Each vault is decrypted once; the findings are `check`'s, and
//! the deadlines are the ones `check` warns about, computed in [`deadlines`] only.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::formats::ics::{self, AllDayEvent};
use crate::model::{Client, ClientId, Kind};
use crate::workflows::Handover;
use crate::workflows::check::{self, CheckOptions, Code, Severity};

/// What comes due on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineKind {
    /// The last day a vendor's contract can be cancelled before it renews.
    Cancellation,
    /// A system's warranty ends.
    Warranty,
    /// A certificate entry expires.
    Certificate,
    /// Any other entry expires (a licence, a domain, an account).
    Expiry,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Cancellation => "cancellation",
            DeadlineKind::Warranty => "warranty",
            DeadlineKind::Certificate => "certificate",
            DeadlineKind::Expiry => "expiry",
        }
    }

    /// For a person: what ends or must be done on the date.
    pub fn label(self) -> &'static str {
        match self {
            DeadlineKind::Cancellation => "last day to cancel the contract with",
            DeadlineKind::Warranty => "warranty ends of",
            DeadlineKind::Certificate => "certificate expires:",
            DeadlineKind::Expiry => "expires:",
        }
    }
}

/// One date something comes due for a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub date: NaiveDate,
    pub client: ClientId,
    pub kind: DeadlineKind,
    /// The vendor, system or entry path it is about.
    pub what: String,
}

/// The client's deadlines from `today` to `today + within` days, by date: contract
/// cancellation deadlines (of the term running on `today`, as `check` computes
/// them), warranty ends and entry expiry. What has passed is `check`'s business
/// (expired, warranty-ended), not a deadline any more.
pub fn deadlines(client: &Client, today: NaiveDate, within: u64) -> Vec<Deadline> {
    let limit = today
        .checked_add_days(Days::new(within))
        .unwrap_or(NaiveDate::MAX);
    let mut out = Vec::new();
    let mut add = |date: NaiveDate, kind: DeadlineKind, what: &str| {
        if today <= date && date <= limit {
            out.push(Deadline {
                date,
                client: client.id.clone(),
                kind,
                what: what.to_owned(),
            });
        }
    };
    for v in &client.vendors {
        if let Some(d) = v.contract.cancellation_deadline(today) {
            add(d, DeadlineKind::Cancellation, &v.name);
        }
    }
    for s in &client.systems {
        if let Some(d) = s.warranty_until {
            add(d, DeadlineKind::Warranty, &s.name);
        }
    }
    for e in &client.entries {
        if let Some(d) = e.expires {
            let kind = if e.kind == Kind::Certificate {
                DeadlineKind::Certificate
            } else {
                DeadlineKind::Expiry
            };
            add(d, kind, &e.path);
        }
    }
    out.sort_by(|a, b| (a.date, a.kind, &a.what).cmp(&(b.date, b.kind, &b.what)));
    out
}

/// The deadlines as an iCalendar file: one all-day event each, its UID made of the
/// client, kind, subject and date, so that importing a newer file updates events.
pub fn calendar(deadlines: &[Deadline], now: DateTime<Utc>) -> String {
    let events: Vec<AllDayEvent> = deadlines
        .iter()
        .map(|d| {
            let subject = format!("{}/{}/{}", d.client.as_str(), d.kind.as_str(), d.what);
            AllDayEvent {
                uid: format!(
                    "{}-{}@handover",
                    d.date.format("%Y%m%d"),
                    short_hash(&subject)
                ),
                date: d.date,
                summary: format!("{}: {} {}", d.client.as_str(), d.kind.label(), d.what),
                description: format!(
                    "handover due: {} of {} for client {}",
                    d.kind.label(),
                    d.what,
                    d.client.as_str()
                ),
            }
        })
        .collect();
    ics::calendar(&events, now)
}

/// 16 hex digits of SHA-256: a UID part that is stable and carries no text.
fn short_hash(s: &str) -> String {
    use sha2::Digest;
    crate::model::hex(&sha2::Sha256::digest(s.as_bytes())[..8])
}

/// One client's line in `handover status`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientStatus {
    pub client: ClientId,
    pub name: String,
    pub entries: usize,
    /// Open findings of `check`; acknowledged warnings are not counted.
    pub blocking: usize,
    pub warnings: usize,
    /// When the newest dossier was printed; `None` if none ever was.
    pub last_dossier: Option<DateTime<Utc>>,
    /// The vault has changed since that dossier (`check`'s `dossier-outdated`).
    pub dossier_outdated: bool,
    /// The first deadline within the window.
    pub next_deadline: Option<Deadline>,
    /// How many deadlines fall within the window.
    pub due: usize,
}

impl ClientStatus {
    /// What needs attention first sorts first: blocking findings, then an outdated
    /// dossier, then the nearest deadline, then warnings.
    fn urgency(&self) -> (bool, bool, NaiveDate, std::cmp::Reverse<usize>, &str) {
        (
            self.blocking == 0,
            !self.dossier_outdated,
            self.next_deadline
                .as_ref()
                .map_or(NaiveDate::MAX, |d| d.date),
            std::cmp::Reverse(self.warnings),
            self.client.as_str(),
        )
    }
}

/// One client's status as of `today`, from its loaded vault.
pub fn client_status(
    client: &Client,
    options: &CheckOptions,
    today: NaiveDate,
    within: u64,
) -> ClientStatus {
    let findings = check::check(client, options, today);
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let due = deadlines(client, today, within);
    ClientStatus {
        client: client.id.clone(),
        name: client.name.clone(),
        entries: client.entries.len(),
        blocking: count(Severity::Blocking),
        warnings: count(Severity::Warning),
        last_dossier: client.dossiers.last().map(|d| d.exported),
        dossier_outdated: findings.iter().any(|f| f.code == Code::DossierOutdated),
        due: due.len(),
        next_deadline: due.into_iter().next(),
    }
}

/// A client whose vault could not be opened, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub client: ClientId,
    pub error: String,
}

/// Every client's status, what needs attention first; vaults that cannot be opened
/// are reported beside, not fatal.
pub fn status(
    h: &Handover,
    options: &CheckOptions,
    today: NaiveDate,
    within: u64,
) -> Result<(Vec<ClientStatus>, Vec<Unreadable>)> {
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for_each_client(h, &mut unreadable, |c| {
        rows.push(client_status(c, options, today, within))
    })?;
    rows.sort_by(|a, b| a.urgency().cmp(&b.urgency()));
    Ok((rows, unreadable))
}

/// Every deadline of every client within the window, by date.
pub fn due(
    h: &Handover,
    today: NaiveDate,
    within: u64,
) -> Result<(Vec<Deadline>, Vec<Unreadable>)> {
    let mut all = Vec::new();
    let mut unreadable = Vec::new();
    for_each_client(h, &mut unreadable, |c| {
        all.extend(deadlines(c, today, within))
    })?;
    all.sort_by(|a, b| {
        (a.date, &a.client, a.kind, &a.what).cmp(&(b.date, &b.client, b.kind, &b.what))
    });
    Ok((all, unreadable))
}

/// Loads each client once and hands it to `each`.
pub(crate) fn for_each_client(
    h: &Handover,
    unreadable: &mut Vec<Unreadable>,
    mut each: impl FnMut(&Client),
) -> Result<()> {
    for id in h.store.client_ids()? {
        match h.load(&id) {
            Ok(client) => each(&client),
            Err(e) => unreadable.push(Unreadable {
                client: id,
                error: e.to_string(),
            }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, System, Vendor};

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_within_the_window_by_date_and_nothing_passed() {
        let id = ClientId::parse("acme").unwrap();
        let mut c = Client::new(id, "Acme".into(), vec![], Utc::now());
        let mut cert = Entry::new("Web/TLS".into(), Kind::Certificate);
        cert.expires = Some(day("2026-03-01"));
        let mut licence = Entry::new("Lizenz/Office".into(), Kind::Login);
        licence.expires = Some(day("2026-01-20"));
        let mut old = Entry::new("Alt".into(), Kind::Login);
        old.expires = Some(day("2025-12-31"));
        let mut far = Entry::new("Fern".into(), Kind::Login);
        far.expires = Some(day("2027-01-01"));
        c.entries = vec![cert, licence, old, far];
        let mut nas = System::new("NAS".into());
        nas.warranty_until = Some(day("2026-02-01"));
        c.systems = vec![nas];
        let mut telekom = Vendor::new("Telekom".into());
        telekom.contract.term_end = Some(day("2026-03-31"));
        telekom.contract.notice_months = Some(1);
        c.vendors = vec![telekom];
        let got: Vec<(String, &str, String)> = deadlines(&c, day("2026-01-01"), 90)
            .into_iter()
            .map(|d| (d.date.to_string(), d.kind.as_str(), d.what))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2026-01-20".into(), "expiry", "Lizenz/Office".into()),
                ("2026-02-01".into(), "warranty", "NAS".into()),
                ("2026-02-28".into(), "cancellation", "Telekom".into()),
                ("2026-03-01".into(), "certificate", "Web/TLS".into()),
            ]
        );
    }
}
