//! `handover dossier` (print the PDF) and `handover verify` (does the vault still
//! match a printed dossier?), and the options `dossier` and `offboard` share.

use std::path::PathBuf;

use handover::dossier;
use handover::workflows::changes::Changes;
use handover::workflows::check::CheckOptions;
use handover::workflows::dossier::Verdict;
use handover::workflows::{self, Handover};
use serde::Serialize;

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
        json,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    let (paper, paper_name) = match paper {
        PaperArg::A4 => (dossier::PaperSize::A4, "a4"),
        PaperArg::Letter => (dossier::PaperSize::Letter, "letter"),
    };
    let lang_name = match lang {
        LangArg::De => "de",
        LangArg::En => "en",
    };
    let mut options = dossier_options(&h, lang, paper, template, include_client_key)?;
    options.data_pages = data_pages;
    let check = CheckOptions::for_provider(&h, &provider_domain)?;
    let d = workflows::dossier::export(&h, &id, &options, &check, &output, force)?;
    if json {
        return out.json(&DossierReport {
            client: id.as_str(),
            file: &output.display().to_string(),
            pages: d.pages,
            fingerprint: &d.fingerprint,
            lang: lang_name,
            paper: paper_name,
            data_pages,
        });
    }
    eprintln!("Wrote {} ({} pages).", output.display(), d.pages);
    out.line(&format!("Fingerprint: {}", d.fingerprint))
}

/// What `dossier --json` prints.
#[derive(Serialize)]
struct DossierReport<'a> {
    client: &'a str,
    file: &'a str,
    pages: usize,
    fingerprint: &'a str,
    lang: &'a str,
    paper: &'a str,
    data_pages: bool,
}

/// What `verify --json` prints, for every verdict (the exit code stays as without
/// `--json`): `verdict` is `matches`, `changed`, `taken-over` or `unknown`.
#[derive(Serialize)]
struct VerifyReport<'a> {
    client: &'a str,
    fingerprint: &'a str,
    verdict: &'static str,
    /// When the dossier with this fingerprint was printed (`changed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    printed: Option<chrono::DateTime<chrono::Utc>>,
    /// Whom the client was taken over from, and when (`taken-over`).
    #[serde(skip_serializing_if = "Option::is_none")]
    taken_over_from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    taken_over: Option<chrono::DateTime<chrono::Utc>>,
    /// What changed since (`changed`, `taken-over`).
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<ChangesJson<'a>>,
}

/// [`Changes`] by name, as `verify --json` prints them: never a value.
#[derive(Serialize)]
struct ChangesJson<'a> {
    added: &'a [String],
    removed: &'a [String],
    modified: Vec<ModifiedJson<'a>>,
    items: Vec<ItemJson<'a>>,
    client: &'a [String],
    imported_unknown: bool,
}

#[derive(Serialize)]
struct ModifiedJson<'a> {
    path: &'a str,
    fields: &'a [String],
}

#[derive(Serialize)]
struct ItemJson<'a> {
    what: &'a str,
    name: &'a str,
    how: &'a str,
}

impl<'a> ChangesJson<'a> {
    fn new(c: &'a Changes) -> Self {
        ChangesJson {
            added: &c.added,
            removed: &c.removed,
            modified: c
                .modified
                .iter()
                .map(|(path, fields)| ModifiedJson { path, fields })
                .collect(),
            items: c
                .items
                .iter()
                .map(|(what, name, how)| ItemJson { what, name, how })
                .collect(),
            client: &c.client,
            imported_unknown: c.imported_unknown,
        }
    }
}

fn verify_report<'a>(id: &'a str, fingerprint: &'a str, verdict: &'a Verdict) -> VerifyReport<'a> {
    let mut r = VerifyReport {
        client: id,
        fingerprint,
        verdict: "matches",
        printed: None,
        taken_over_from: None,
        taken_over: None,
        changes: None,
    };
    match verdict {
        Verdict::Matches => {}
        Verdict::TakenOver { from, at, changes } => {
            r.verdict = "taken-over";
            r.taken_over_from = Some(from);
            r.taken_over = Some(*at);
            r.changes = Some(ChangesJson::new(changes));
        }
        Verdict::Changed { exported, changes } => {
            r.verdict = "changed";
            r.printed = Some(*exported);
            r.changes = Some(ChangesJson::new(changes));
        }
        Verdict::Unknown => r.verdict = "unknown",
    }
    r
}

pub fn verify(a: VerifyArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let VerifyArgs {
        client,
        fingerprint,
        json,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    let when = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let verdict = workflows::dossier::verify(&h, &id, &fingerprint)?;
    if json {
        out.json(&verify_report(id.as_str(), &fingerprint, &verdict))?;
    }
    match verdict {
        Verdict::Matches if !json => out.line(&format!(
            "The vault of {} still matches the dossier with fingerprint {}.",
            id.as_str(),
            safe(&fingerprint, false)
        )),
        Verdict::Matches => Ok(()),
        Verdict::TakenOver { from, at, changes } if !json => {
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
        Verdict::TakenOver { .. } => Ok(()),
        Verdict::Changed { exported, changes } => {
            if !json {
                out.line(&format!("Changed since the dossier of {}:", when(exported)))?;
                change_lines(&changes, out)?;
            }
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
