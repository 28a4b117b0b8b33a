//! The handover workflow commands: log, check, rotate, client key, bundle export and
//! import, offboard. Kept apart from the vault commands in `commands.rs`.

use std::path::{Path, PathBuf};

use handover::model::{ClientId, Secret};
use handover::workflows::Handover;
use handover::workflows::check::{self, CheckOptions, Severity};
use handover::workflows::offboard::{self, OffboardOptions};
use handover::workflows::rotate::{self, Rotation};
use handover::workflows::{bundle, client_key, history};
use serde::Serialize;

use super::CliError;
use super::args::ConflictArg;
use super::term::{self, Out, safe};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

pub fn log(h: &Handover, id: &ClientId, json: bool, out: &mut Out) -> Result<(), CliError> {
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

pub fn check(
    h: &Handover,
    id: &ClientId,
    json: bool,
    domains: &[String],
    out: &mut Out,
) -> Result<(), CliError> {
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

pub fn rotate(
    h: &Handover,
    id: &ClientId,
    path: &str,
    password_stdin: bool,
    generate: Option<usize>,
    mark: bool,
) -> Result<(), CliError> {
    // Fail on a missing client or entry before asking for any secret.
    if h.load(id)?.entry(path).is_none() {
        return Err(handover::Error::NoSuchEntry {
            client: id.to_string(),
            path: path.to_owned(),
        }
        .into());
    }
    let rotation = if mark {
        Rotation::Marked
    } else if password_stdin {
        Rotation::NewPassword(term::read_stdin_secret()?)
    } else if let Some(len) = generate {
        Rotation::NewPassword(handover::generate::password(len)?)
    } else {
        let password: Secret = term::prompt_new_secret("New password: ", "the password")?;
        Rotation::NewPassword(password)
    };
    rotate::rotate(h, id, path, rotation, today())?;
    if mark {
        eprintln!(
            "Recorded that {} was rotated elsewhere; you are no longer marked as knowing it.",
            safe(path, false)
        );
    } else if generate.is_some() {
        eprintln!(
            "Rotated {}: a new password is set (see it with `handover show {} {} --reveal`); change it on the system itself too.",
            safe(path, false),
            id.as_str(),
            safe(path, false)
        );
    } else {
        eprintln!("Rotated {}.", safe(path, false));
    }
    Ok(())
}

pub fn client_key(
    h: &Handover,
    id: &ClientId,
    output: &Path,
    force: bool,
    out: &mut Out,
) -> Result<(), CliError> {
    let recipient = client_key::create(h, id, output, force)?;
    eprintln!(
        "Wrote the client's secret key to {} and added its recipient; the vault is re-encrypted. Hand the file to the client and delete your copy.",
        output.display()
    );
    out.line(&recipient)
}

pub fn export(
    h: &Handover,
    id: &ClientId,
    format: &str,
    output: &Path,
    recipients: &[String],
    force: bool,
) -> Result<(), CliError> {
    if format != "bundle" {
        return Err(CliError::Usage(format!(
            "unknown export format {format:?}; use: bundle"
        )));
    }
    let used = bundle::export(h, id, recipients, output, force)?;
    eprintln!(
        "Wrote the bundle of {} to {}, encrypted to: {}",
        id.as_str(),
        output.display(),
        used.join(", ")
    );
    Ok(())
}

pub fn import_bundle(
    h: &Handover,
    id: &ClientId,
    file: &Path,
    on_conflict: ConflictArg,
    dry_run: bool,
    check: bundle::SignatureCheck,
) -> Result<(), CliError> {
    let replace = match on_conflict {
        ConflictArg::Fail => false,
        ConflictArg::Replace => true,
        ConflictArg::Skip | ConflictArg::Rename => {
            return Err(CliError::Usage(
                "a bundle restores a whole client: use --on-conflict fail (the default) or replace"
                    .into(),
            ));
        }
    };
    if dry_run {
        return Err(CliError::Usage(
            "--dry-run is not supported for bundles; restore under a new id to look first".into(),
        ));
    }
    if file == Path::new("-") {
        return Err(CliError::Usage(
            "a bundle is read from a file, not stdin: its signature FILE.sig is read beside it"
                .into(),
        ));
    }
    let (data, source_name) = super::commands::read_import_input(file)?;
    let restored = bundle::import(h, id, file, &data, replace, &check)?;
    let c = &restored.client;
    match &restored.signed_by {
        Some((key, Some(name))) => eprintln!(
            "The bundle is signed by {} ({}), whom you trust.",
            safe(name, false),
            key.fingerprint()
        ),
        Some((key, None)) => eprintln!(
            "The bundle is signed by {}, the key you named with --expect-signer.",
            key.fingerprint()
        ),
        None => eprintln!(
            "Warning: the bundle has no signature; nobody can tell who made it (--allow-unsigned)."
        ),
    }
    if let Some(r) = &restored.added_recipient {
        eprintln!(
            "Added your recipient {r} to the restored vault, so that it opens for you (recorded in its history)."
        );
    }
    eprintln!(
        "{} client {} ({}) from {source_name}: {} entries, {} contacts, {} history events.",
        if restored.replaced {
            "Replaced"
        } else {
            "Restored"
        },
        id.as_str(),
        safe(&c.name, false),
        c.entries.len(),
        c.contacts.len(),
        c.history.len()
    );
    if let Some(old) = &restored.renamed_from {
        eprintln!(
            "The bundle's client id was {}; it is now {}.",
            old.as_str(),
            id.as_str()
        );
    }
    let own = h.own_recipients();
    let others: Vec<&String> = c.recipients.iter().filter(|r| !own.contains(r)).collect();
    if !others.is_empty() {
        eprintln!(
            "The vault is also encrypted to: {}. Remove any that should no longer read it with `handover recipients {} remove R`.",
            others
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            id.as_str()
        );
    }
    Ok(())
}

/// The yes/no options of `offboard`.
pub struct OffboardFlags {
    pub accept_blocking: bool,
    pub force: bool,
    pub keep_archive: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn offboard(
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
