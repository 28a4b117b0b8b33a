//! `handover dossier` (print the PDF) and `handover verify` (does the vault still
//! match a printed dossier?), and the options `dossier` and `offboard` share.

use std::path::PathBuf;

use handover::dossier;
use handover::workflows::check::CheckOptions;
use handover::workflows::dossier::Verdict;
use handover::workflows::{self, Handover};

use super::CliError;
use super::args::{DossierArgs, LangArg, PaperArg, VerifyArgs};
use super::context::{Paths, as_of, client_id};
use super::term::{Out, safe};

pub fn dossier(a: DossierArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let DossierArgs {
        client,
        output,
        lang,
        paper,
        template,
        force,
        provider_domain,
        include_client_key,
        data_pages,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    let paper = match paper {
        PaperArg::A4 => dossier::PaperSize::A4,
        PaperArg::Letter => dossier::PaperSize::Letter,
    };
    let mut options = dossier_options(&h, lang, paper, template, include_client_key)?;
    options.data_pages = data_pages;
    let check = CheckOptions::for_provider(&h, &provider_domain)?;
    let d = workflows::dossier::export(&h, &id, &options, &check, &output, force)?;
    eprintln!("Wrote {} ({} pages).", output.display(), d.pages);
    out.line(&format!("Fingerprint: {}", d.fingerprint))
}

pub fn verify(a: VerifyArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let VerifyArgs {
        client,
        fingerprint,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    let when = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    match workflows::dossier::verify(&h, &id, &fingerprint)? {
        Verdict::Matches => out.line(&format!(
            "The vault of {} still matches the dossier with fingerprint {}.",
            id.as_str(),
            safe(&fingerprint, false)
        )),
        Verdict::TakenOver { from, at, changes } => {
            out.line(&format!(
                "Fingerprint {} is the state in which you took {} over from {} on {}.",
                safe(&fingerprint, false),
                id.as_str(),
                safe(&from, false),
                when(at)
            ))?;
            if changes.is_empty() {
                return out.line("Since then nothing has changed.");
            }
            out.line(&format!("Since then: {}:", changes.count()))?;
            change_lines(&changes, out)
        }
        Verdict::Changed { exported, changes } => {
            out.line(&format!("Changed since the dossier of {}:", when(exported)))?;
            change_lines(&changes, out)?;
            Err(CliError::Failed(format!(
                "the vault of {} has changed since the dossier of {}: {}; print a new dossier",
                id.as_str(),
                when(exported),
                changes.count()
            )))
        }
        Verdict::Unknown => Err(CliError::Failed(format!(
            "the vault of {} does not match fingerprint {}, and no dossier with that fingerprint was recorded in it, so what changed is unknown",
            id.as_str(),
            safe(&fingerprint, false)
        ))),
    }
}

/// What changed, one line each, by name only.
fn change_lines(
    changes: &handover::workflows::changes::Changes,
    out: &mut Out,
) -> Result<(), CliError> {
    for line in changes.lines() {
        out.line(&format!("  {}", safe(&line, false)))?;
    }
    Ok(())
}

/// The options `dossier` and `offboard` share, validated once.
pub(super) fn dossier_options(
    h: &Handover,
    lang: LangArg,
    paper: dossier::PaperSize,
    template: Option<PathBuf>,
    client_key: Option<PathBuf>,
) -> Result<dossier::Options, CliError> {
    Ok(dossier::Options {
        lang: lang.language(),
        paper,
        template_dir: template,
        as_of: as_of()?,
        client_key: client_key
            .as_deref()
            .map(workflows::dossier::read_client_key)
            .transpose()?,
        signing_key: h.signing.as_ref().map(|k| k.public().fingerprint()),
        provider: h.store.config()?.provider,
        handed_over_to: None,
        stock_check: workflows::dossier::stock_check(h),
        data_pages: false,
    })
}
