//! The handover workflow commands: `log`, `check` and `offboard`.

use std::path::Path;

use handover::dossier;
use handover::model::{Client, ClientId};
use handover::workflows;
use handover::workflows::check::{self, CheckOptions, Severity};
use handover::workflows::history;
use handover::workflows::offboard::{self, OffboardOptions, OffboardPlan, OffboardReport};
use serde::Serialize;

use super::CliError;
use super::args::{CheckArgs, LogArgs, OffboardArgs};
use super::context::{Paths, client_id, today};
use super::dossier_cmds::dossier_options;
use super::term::{self, Out, safe};

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
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    acknowledged: Vec<AckedFinding<'a>>,
}

/// An acknowledged warning in `check --json`: the finding and why it is accepted.
#[derive(Serialize)]
struct AckedFinding<'a> {
    #[serde(flatten)]
    finding: &'a check::Finding,
    why: &'a str,
    acknowledged: chrono::DateTime<chrono::Utc>,
}

pub fn check(a: CheckArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let (h, id, json) = (&paths.open()?, &client_id(&a.client)?, a.json);
    let options = CheckOptions::for_provider(h, &a.provider_domain)?;
    if a.ack.is_some() || a.unack.is_some() {
        return acknowledge(h, id, &a, &options);
    }
    let client = h.load(id)?;
    let (findings, acked) = check::check_with_acks(&client, &options, today()?);
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
            acknowledged: acked
                .iter()
                .map(|(f, ack)| AckedFinding {
                    finding: f,
                    why: &ack.why,
                    acknowledged: ack.at,
                })
                .collect(),
        })?;
    } else {
        for f in &findings {
            out.line(&finding_line(f))?;
        }
        for (f, ack) in &acked {
            out.line(&format!(
                "{}  (acknowledged {}: {})",
                finding_line(f).replacen("WARNING ", "ACKED   ", 1),
                ack.at.format("%Y-%m-%d"),
                safe(&ack.why, false)
            ))?;
        }
    }
    let acked_note = match acked.len() {
        0 => String::new(),
        n => format!(", {n} acknowledged"),
    };
    if blocking > 0 {
        return Err(CliError::Failed(format!(
            "client {} is not ready for a handover: {blocking} blocking finding(s), {warnings} warning(s){acked_note}",
            id.as_str()
        )));
    }
    if !json {
        eprintln!(
            "Client {} is ready for a handover ({warnings} warning(s){acked_note}).",
            id.as_str()
        );
    }
    Ok(())
}

/// `check --ack` and `--unack`.
fn acknowledge(
    h: &workflows::Handover,
    id: &ClientId,
    a: &CheckArgs,
    options: &CheckOptions,
) -> Result<(), CliError> {
    // clap gives --ack and --unack one or two values.
    if let Some([code, target @ ..]) = a.ack.as_deref() {
        let why = a.why.as_deref().unwrap_or_default();
        let target = target.first().map(String::as_str);
        workflows::ack::acknowledge(h, id, code, target, why, options, today()?)?;
        eprintln!(
            "Acknowledged {}; `check` lists it and no longer counts it.",
            safe(&a.ack.as_deref().unwrap_or_default().join(" "), false)
        );
    }
    if let Some([code, target @ ..]) = a.unack.as_deref() {
        workflows::ack::unacknowledge(h, id, code, target.first().map(String::as_str))?;
        eprintln!(
            "Took back the acknowledgement of {}.",
            safe(&a.unack.as_deref().unwrap_or_default().join(" "), false)
        );
    }
    Ok(())
}

/// A finding as `check` prints it: severity, code, where, and what.
fn finding_line(f: &check::Finding) -> String {
    let path = match (&f.path, &f.system, &f.vendor) {
        (Some(p), _, _) => safe(p, false),
        (None, Some(s), _) => format!("(system {})", safe(s, false)),
        (None, None, Some(v)) => format!("(vendor {})", safe(v, false)),
        (None, None, None) => "(client)".into(),
    };
    format!(
        "{:<8}  {:<20}  {}  {}",
        f.severity.as_str().to_uppercase(),
        f.code.as_str(),
        path,
        safe(&f.message, false)
    )
}

pub fn offboard(a: OffboardArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let h = paths.open()?;
    let id = client_id(&a.client)?;
    let mut dossier = dossier_options(
        &h,
        a.lang,
        dossier::PaperSize::A4,
        a.template.clone(),
        a.include_client_key,
    )?;
    let check = CheckOptions::for_provider(&h, &a.provider_domain)?;
    let force = a.force;
    let signer = a.data_pages.then_some(&h);
    let mut hook = |client: &mut Client, dir: &Path, successor: &dossier::Successor| {
        let paper = workflows::dossier::FinalPaper {
            dir,
            successor,
            check: &check,
            force,
            data_pages: signer,
        };
        workflows::dossier::offboard_hook(client, &mut dossier, paper)
    };
    let options = OffboardOptions {
        successor: a.successor,
        successor_name: a.successor_name,
        successor_contact: a.successor_contact,
        out_dir: a.out,
        accept_blocking: a.accept_blocking,
        force,
        keep_archive: a.keep_archive,
        lang: a.lang.language(),
        template_dir: a.template,
        check: check.clone(),
        today: today()?,
        dossier: Some(&mut hook),
    };
    let plan = offboard::plan(&h, &id, &options)?;
    print_plan(&plan);
    if let Some(refusal) = plan.refusal(options.accept_blocking) {
        if a.json {
            out.json(&offboard_json(&plan, a.dry_run, None))?;
        }
        return Err(refusal.into());
    }
    if a.dry_run {
        eprintln!("Dry run: nothing was written or removed.");
        if a.json {
            return out.json(&offboard_json(&plan, true, None));
        }
        return Ok(());
    }
    confirm_offboard(&plan, a.yes)?;
    let report = offboard::offboard(&h, &id, options)?;
    if a.json {
        return out.json(&offboard_json(&plan, false, Some(&report)));
    }
    print_report(&id, &report, out)
}

/// What `offboard --json` prints: the plan, and what was written (null on a dry run
/// or a refusal).
#[derive(Serialize)]
struct OffboardJson<'a> {
    client: &'a str,
    dry_run: bool,
    plan: PlanJson<'a>,
    written: Option<WrittenJson<'a>>,
}

#[derive(Serialize)]
struct PlanJson<'a> {
    client_name: &'a str,
    successor: &'a str,
    successor_name: &'a str,
    successor_contact: Option<&'a str>,
    recipients_before: &'a [String],
    recipients_after: &'a [String],
    writes: Vec<String>,
    archive_dir: Option<String>,
    removes: Vec<String>,
    to_rotate: usize,
    blocking: usize,
    findings: &'a [check::Finding],
}

#[derive(Serialize)]
struct WrittenJson<'a> {
    bundle: String,
    rotation_list: String,
    to_rotate: usize,
    dossier: Option<String>,
    fingerprint: Option<&'a str>,
    archive: Option<String>,
    recipients: &'a [String],
}

fn offboard_json<'a>(
    plan: &'a OffboardPlan,
    dry_run: bool,
    report: Option<&'a OffboardReport>,
) -> OffboardJson<'a> {
    let shown = |p: &Path| p.display().to_string();
    OffboardJson {
        client: plan.client.as_str(),
        dry_run,
        plan: PlanJson {
            client_name: &plan.client_name,
            successor: &plan.successor,
            successor_name: &plan.successor_name,
            successor_contact: plan.successor_contact.as_deref(),
            recipients_before: &plan.recipients_before,
            recipients_after: &plan.recipients_after,
            writes: plan.writes.iter().map(|p| shown(p)).collect(),
            archive_dir: plan.archive_dir.as_deref().map(shown),
            removes: plan.removes.iter().map(|p| shown(p)).collect(),
            to_rotate: plan.to_rotate,
            blocking: plan.blocking(),
            findings: &plan.findings,
        },
        written: report.map(|r| WrittenJson {
            bundle: shown(&r.bundle),
            rotation_list: shown(&r.rotation_list),
            to_rotate: r.to_rotate,
            dossier: r.dossier.as_deref().map(shown),
            fingerprint: r.fingerprint.as_deref(),
            archive: r.archive.as_deref().map(shown),
            recipients: &r.recipients,
        }),
    }
}

/// What offboarding will do, and the open findings of the check, before it asks.
fn print_plan(plan: &OffboardPlan) {
    let name = |s: &str| safe(s, false);
    eprintln!(
        "Offboarding {} ({}):",
        plan.client.as_str(),
        name(&plan.client_name)
    );
    let contact = plan
        .successor_contact
        .as_deref()
        .map(|c| format!(", {}", name(&c.lines().collect::<Vec<_>>().join(", "))))
        .unwrap_or_default();
    eprintln!(
        "  successor:         {}{contact}",
        name(&plan.successor_name)
    );
    eprintln!("                     {}", plan.successor);
    eprintln!("  can open it now:   {}", plan.recipients_before.join(", "));
    eprintln!(
        "  can open it after: {} (not you)",
        plan.recipients_after.join(", ")
    );
    for (i, file) in plan.writes.iter().enumerate() {
        let label = if i == 0 { "writes:" } else { "" };
        eprintln!("  {label:<18} {}", file.display());
    }
    if let Some(dir) = &plan.archive_dir {
        eprintln!("  archive copy in:   {}", dir.display());
    }
    for (i, file) in plan.removes.iter().enumerate() {
        let label = if i == 0 { "removes:" } else { "" };
        eprintln!("  {label:<18} {}", file.display());
    }
    eprintln!(
        "  rotation list:     {} secret(s) the successor must replace",
        plan.to_rotate
    );
    if plan.findings.is_empty() {
        eprintln!("The handover check finds nothing open.");
        return;
    }
    eprintln!(
        "Open findings of the handover check ({} blocking, {} warning(s)):",
        plan.blocking(),
        plan.findings.len() - plan.blocking()
    );
    for f in &plan.findings {
        eprintln!("  {}", finding_line(f));
    }
}

/// Asks for a yes on a terminal, unless `--yes`; refuses without a terminal.
fn confirm_offboard(plan: &OffboardPlan, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !term::stdin_is_terminal() {
        return Err(CliError::Usage(format!(
            "offboarding removes {} from your store for good, so it asks for a yes on a terminal, and there is none; pass --yes to hand over without asking (--dry-run shows what happens); nothing was changed",
            plan.client.as_str()
        )));
    }
    let question = format!(
        "Hand {} over to {} and remove it from your store? This cannot be undone.",
        plan.client.as_str(),
        safe(&plan.successor_name, false)
    );
    if !term::confirm(&question) {
        return Err(CliError::Failed(
            "not confirmed; nothing was changed (pass --yes to skip the question)".into(),
        ));
    }
    Ok(())
}

fn print_report(id: &ClientId, report: &OffboardReport, out: &mut Out) -> Result<(), CliError> {
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
    if let Some(fp) = &report.fingerprint {
        out.line(&format!("fingerprint:   {fp}"))?;
    }
    if let Some(a) = &report.archive {
        out.line(&format!("archive:       {}", a.display()))?;
    }
    eprintln!(
        "Client {} is handed over and removed from your store; only {} can open its vault now. Give the bundle and rotation list to the successor: every secret on the list was known to you and must be changed.",
        id.as_str(),
        report.recipients.join(" and ")
    );
    if report.fingerprint.is_some() {
        eprintln!(
            "The final dossier carries the fingerprint above: the successor compares it with `handover verify` after importing the bundle."
        );
    }
    Ok(())
}
