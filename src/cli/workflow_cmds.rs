//! The handover workflow commands: `log`, `check` and `offboard`.

use std::path::{Path, PathBuf};

use handover::dossier;
use handover::model::ClientId;
use handover::workflows::Handover;
use handover::workflows::check::{self, CheckOptions, Severity};
use handover::workflows::history;
use handover::workflows::offboard::{self, OffboardOptions};
use serde::Serialize;

use super::CliError;
use super::args::{CheckArgs, LogArgs, OffboardArgs};
use super::context::{Paths, client_id};
use super::dossier_cmds::dossier_options;
use super::term::{Out, safe};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

pub fn log(a: LogArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let (h, id, json) = (&paths.open()?, &client_id(&a.client)?, a.json);
    let events = history::log(h, id)?;
    if json {
        return out.json(&events);
    }
    if events.is_empty() {
        eprintln!("No history yet (the vault was created before handover kept one).");
    }
    for e in &events {
        let mut line = format!(
            "{}  {:<18}",
            e.at.format("%Y-%m-%d %H:%M UTC"),
            e.kind.as_str()
        );
        if let Some(path) = &e.path {
            line.push_str(&format!("  {}", safe(path, false)));
        }
        if !e.fields.is_empty() {
            line.push_str(&format!("  [{}]", safe(&e.fields.join(", "), false)));
        }
        if let Some(detail) = &e.detail {
            line.push_str(&format!("  {}", safe(detail, false)));
        }
        if let Some(fp) = &e.fingerprint {
            line.push_str(&format!("  fingerprint {}", safe(fp, false)));
        }
        out.line(line.trim_end())?;
    }
    Ok(())
}

#[derive(Serialize)]
struct CheckReport<'a> {
    client: &'a ClientId,
    ready: bool,
    blocking: usize,
    warnings: usize,
    findings: &'a [check::Finding],
}

pub fn check(a: CheckArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let (h, id, json) = (&paths.open()?, &client_id(&a.client)?, a.json);
    let domains = &a.provider_domain;
    let client = h.load(id)?;
    let options = CheckOptions::for_provider(h, domains)?;
    let findings = check::check(&client, &options, today());
    let blocking = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .count();
    let warnings = findings.len() - blocking;
    if json {
        out.json(&CheckReport {
            client: id,
            ready: blocking == 0,
            blocking,
            warnings,
            findings: &findings,
        })?;
    } else {
        for f in &findings {
            let path = match (&f.path, &f.system, &f.vendor) {
                (Some(p), _, _) => safe(p, false),
                (None, Some(s), _) => format!("(system {})", safe(s, false)),
                (None, None, Some(v)) => format!("(vendor {})", safe(v, false)),
                (None, None, None) => "(client)".into(),
            };
            out.line(&format!(
                "{:<8}  {:<20}  {}  {}",
                f.severity.as_str().to_uppercase(),
                f.code.as_str(),
                path,
                safe(&f.message, false)
            ))?;
        }
    }
    if blocking > 0 {
        return Err(CliError::Failed(format!(
            "client {} is not ready for a handover: {blocking} blocking finding(s), {warnings} warning(s)",
            id.as_str()
        )));
    }
    if !json {
        eprintln!(
            "Client {} is ready for a handover ({warnings} warning(s)).",
            id.as_str()
        );
    }
    Ok(())
}

/// The yes/no options of `offboard`.
struct OffboardFlags {
    accept_blocking: bool,
    force: bool,
    keep_archive: bool,
}

pub fn offboard(a: OffboardArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let OffboardArgs {
        client,
        successor,
        out: out_dir,
        accept_blocking,
        force,
        keep_archive,
        lang,
        template,
        include_client_key,
        provider_domain,
    } = a;
    let h = paths.open()?;
    let options = dossier_options(
        &h,
        lang,
        dossier::PaperSize::A4,
        template,
        include_client_key,
    )?;
    offboard_with(
        &h,
        &client_id(&client)?,
        successor,
        out_dir,
        OffboardFlags {
            accept_blocking,
            force,
            keep_archive,
        },
        options,
        &provider_domain,
        out,
    )
}

#[allow(clippy::too_many_arguments)]
fn offboard_with(
    h: &Handover,
    id: &ClientId,
    successor: String,
    out_dir: PathBuf,
    flags: OffboardFlags,
    dossier: handover::dossier::Options,
    domains: &[String],
    out: &mut Out,
) -> Result<(), CliError> {
    let check = CheckOptions::for_provider(h, domains)?;
    let mut hook = |client: &mut handover::model::Client, dir: &Path| {
        handover::workflows::dossier::offboard_hook(client, dir, &dossier, &check, flags.force)
    };
    let options = OffboardOptions {
        successor,
        out_dir,
        accept_blocking: flags.accept_blocking,
        force: flags.force,
        keep_archive: flags.keep_archive,
        check: check.clone(),
        today: today(),
        dossier: Some(&mut hook),
    };
    let report = offboard::offboard(h, id, options)?;
    let blocking = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .count();
    if blocking > 0 {
        eprintln!("Handed over despite {blocking} blocking finding(s) (--accept-blocking).");
    }
    out.line(&format!("bundle:        {}", report.bundle.display()))?;
    out.line(&format!(
        "rotation list: {} ({} secrets to rotate)",
        report.rotation_list.display(),
        report.to_rotate
    ))?;
    if let Some(d) = &report.dossier {
        out.line(&format!("dossier:       {}", d.display()))?;
    }
    if let Some(a) = &report.archive {
        out.line(&format!("archive:       {}", a.display()))?;
    }
    eprintln!(
        "Client {} is handed over and removed from your store; only {} can open its vault now. Give the bundle and rotation list to the successor: every secret on the list was known to you and must be changed.",
        id.as_str(),
        report.recipients.join(" and ")
    );
    Ok(())
}
