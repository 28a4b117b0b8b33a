//! `handover status` and `handover due`: what a provider looks at across clients.

use handover::fsutil;
use handover::workflows;
use handover::workflows::check::CheckOptions;
use handover::workflows::status::{self, ClientStatus, Deadline, Unreadable};
use serde::Serialize;

use super::CliError;
use super::args::{DueArgs, SearchArgs, StatusArgs};
use super::context::{Paths, as_of, client_id, today};
use super::term::{Out, safe};

#[derive(Serialize)]
struct StatusReport<'a> {
    as_of: chrono::NaiveDate,
    within_days: u64,
    clients: &'a [ClientStatus],
    unreadable: &'a [Unreadable],
    total: Total,
}

#[derive(Serialize)]
struct Total {
    clients: usize,
    entries: usize,
    blocking: usize,
    warnings: usize,
    dossiers_outdated: usize,
    never_printed: usize,
    due: usize,
}

fn total(rows: &[ClientStatus]) -> Total {
    Total {
        clients: rows.len(),
        entries: rows.iter().map(|r| r.entries).sum(),
        blocking: rows.iter().map(|r| r.blocking).sum(),
        warnings: rows.iter().map(|r| r.warnings).sum(),
        dossiers_outdated: rows.iter().filter(|r| r.dossier_outdated).count(),
        never_printed: rows.iter().filter(|r| r.last_dossier.is_none()).count(),
        due: rows.iter().map(|r| r.due).sum(),
    }
}

pub fn status(a: StatusArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let h = paths.open()?;
    let today = today()?;
    let options = CheckOptions::for_provider(&h, &[])?;
    let (rows, unreadable) = status::status(&h, &options, today, a.within)?;
    let t = total(&rows);
    if a.json {
        out.json(&StatusReport {
            as_of: today,
            within_days: a.within,
            clients: &rows,
            unreadable: &unreadable,
            total: t,
        })?;
        return unreadable_result(&unreadable);
    }
    out.line(&format!(
        "{:<24} {:>7} {:>8} {:>8}  {:<20}  NEXT DEADLINE (within {} days)",
        "CLIENT", "ENTRIES", "BLOCKING", "WARNINGS", "LAST DOSSIER", a.within
    ))?;
    for r in &rows {
        out.line(status_line(r).trim_end())?;
    }
    out.line(&format!(
        "total: {} client(s), {} entries, {} blocking, {} warning(s), {} outdated dossier(s), {} never printed, {} deadline(s) within {} days",
        t.clients, t.entries, t.blocking, t.warnings, t.dossiers_outdated, t.never_printed, t.due, a.within
    ))?;
    unreadable_result(&unreadable)
}

fn status_line(r: &ClientStatus) -> String {
    let dossier = match (r.last_dossier, r.dossier_outdated) {
        (None, _) => "never printed".to_owned(),
        (Some(d), true) => format!("{} outdated", d.format("%Y-%m-%d")),
        (Some(d), false) => d.format("%Y-%m-%d").to_string(),
    };
    let next = match &r.next_deadline {
        None => "-".to_owned(),
        Some(d) if r.due > 1 => format!("{} (+{} more)", deadline_text(d), r.due - 1),
        Some(d) => deadline_text(d),
    };
    format!(
        "{:<24} {:>7} {:>8} {:>8}  {:<20}  {}",
        r.client.as_str(),
        r.entries,
        r.blocking,
        r.warnings,
        dossier,
        next
    )
}

fn deadline_text(d: &Deadline) -> String {
    format!("{} {} {}", d.date, d.kind.as_str(), safe(&d.what, false))
}

/// Vaults that could not be opened are listed on stderr; the others were shown, but
/// the answer is incomplete: exit 1.
fn unreadable_result(unreadable: &[Unreadable]) -> Result<(), CliError> {
    for u in unreadable {
        eprintln!("{}: {}", u.client.as_str(), safe(&u.error, false));
    }
    if unreadable.is_empty() {
        return Ok(());
    }
    Err(CliError::Failed(format!(
        "{} vault(s) could not be opened (see above) and are missing from the list",
        unreadable.len()
    )))
}

#[derive(Serialize)]
struct DueReport<'a> {
    as_of: chrono::NaiveDate,
    within_days: u64,
    deadlines: &'a [Deadline],
    unreadable: &'a [Unreadable],
}

pub fn due(a: DueArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let h = paths.open()?;
    let now = as_of()?;
    let today = now.date_naive();
    let (deadlines, unreadable) = status::due(&h, today, a.within)?;
    if let Some(file) = &a.ics {
        fsutil::atomic_write(file, status::calendar(&deadlines, now).as_bytes())?;
        eprintln!(
            "Wrote {} deadline(s) to {} (iCalendar).",
            deadlines.len(),
            file.display()
        );
    }
    if a.json {
        out.json(&DueReport {
            as_of: today,
            within_days: a.within,
            deadlines: &deadlines,
            unreadable: &unreadable,
        })?;
        return unreadable_result(&unreadable);
    }
    if deadlines.is_empty() {
        eprintln!("Nothing comes due within {} days.", a.within);
    } else {
        out.line(&format!(
            "{:<10}  {:<24} {:<12}  WHAT",
            "DATE", "CLIENT", "KIND"
        ))?;
    }
    for d in &deadlines {
        out.line(&format!(
            "{:<10}  {:<24} {:<12}  {}",
            d.date.to_string(),
            d.client.as_str(),
            d.kind.as_str(),
            safe(&d.what, false)
        ))?;
    }
    unreadable_result(&unreadable)
}

pub fn search(a: SearchArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    if a.term.trim().is_empty() {
        return Err(CliError::Usage(
            "the search term is empty; give a word to look for".into(),
        ));
    }
    let h = paths.open()?;
    let only = a.client.as_deref().map(client_id).transpose()?;
    let (hits, unreadable) = workflows::search::search(&h, &a.term, only.as_ref())?;
    if a.json {
        out.json(&hits)?;
        return unreadable_result(&unreadable);
    }
    if hits.is_empty() {
        eprintln!("Nothing found for {:?}.", a.term);
    }
    for hit in &hits {
        out.line(&format!(
            "{:<24} {:<9} {}  ({})",
            hit.client.as_str(),
            hit.record,
            safe(&hit.name, false),
            safe(&hit.matched.join(", "), false)
        ))?;
    }
    unreadable_result(&unreadable)
}
