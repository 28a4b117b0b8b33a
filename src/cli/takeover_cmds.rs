//! `handover takeover BUNDLE`: a client from another provider's signed bundle into your
//! own store. It shows what it will do, asks for a yes on a terminal (`--yes` for
//! scripts), and writes nothing with `--dry-run`.

use serde::Serialize;

use handover::workflows::Handover;
use handover::workflows::takeover::{self, PaperState, Plan, TakeoverOptions};

use super::CliError;
use super::args::TakeoverArgs;
use super::context::{Paths, client_id};
use super::term::{self, Out, TerminalPrompter, safe};

/// What `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    plan: &'a Plan,
    dry_run: bool,
    written: bool,
}

pub fn takeover(a: TakeoverArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    if a.bundle.as_os_str() == "-" {
        return Err(CliError::Usage(
            "a bundle is read from a file, not stdin: its signature BUNDLE.sig is read beside it"
                .into(),
        ));
    }
    let id = a.client.as_deref().map(client_id).transpose()?;
    let h = paths.open()?;
    let client_key = match &a.client_key {
        Some(file) => Some(takeover::read_client_key(file, &TerminalPrompter)?),
        None => None,
    };
    let options = TakeoverOptions {
        client_key,
        client_key_file: a.client_key.as_ref().map(|f| f.display().to_string()),
        expect_signer: a.expect_signer,
        expect_fingerprint: a.expect_fingerprint,
        id,
        previous_name: a.previous_provider,
    };
    let plan = takeover::plan(&h, &a.bundle, &options)?;
    print_plan(&h, &plan, &a.bundle.display().to_string());
    if a.dry_run {
        eprintln!("Dry run: nothing was written.");
        return report(out, a.json, &plan, true, false);
    }
    if !a.yes {
        confirm(&plan)?;
    }
    let (id, known) = (&plan.id, plan.known.len());
    takeover::apply(&h, &plan)?;
    report(out, a.json, &plan, false, true)?;
    eprintln!(
        "Took over client {id}: it is in your store now, encrypted to you and the client key and signed with your key."
    );
    if known > 0 {
        eprintln!(
            "Next: replace the secrets the old provider knows, first hour first (`handover check {id}` lists them; `handover rotate {id} PATH --generate`), then print a new dossier (`handover dossier {id} -o FILE.pdf`)."
        );
    }
    Ok(())
}

fn report(
    out: &mut Out,
    json: bool,
    plan: &Plan,
    dry_run: bool,
    written: bool,
) -> Result<(), CliError> {
    if json {
        out.json(&Report {
            plan,
            dry_run,
            written,
        })?;
    }
    Ok(())
}

/// Asks for a yes on the terminal; without one, refuses (a bundle older than the
/// paper with its own message).
fn confirm(plan: &Plan) -> Result<(), CliError> {
    if !term::stdin_is_terminal() {
        return Err(CliError::Failed(if plan.bundle_older() {
            "the bundle is older than the dossier you hold (see the warning above); ask the client for a newer bundle, or pass --yes to take this one over anyway; nothing was written".into()
        } else {
            "a takeover needs a yes, and there is no terminal to ask on: review what it will do (above, or with --dry-run) and pass --yes; nothing was written".into()
        }));
    }
    let question = if plan.bundle_older() {
        format!(
            "The bundle is OLDER than the dossier you hold. Take client {} over from it anyway?",
            plan.id
        )
    } else {
        format!("Take client {} over?", plan.id)
    };
    if term::confirm(&question) {
        Ok(())
    } else {
        Err(CliError::Failed(
            "not confirmed; nothing was written (pass --yes to skip the question)".into(),
        ))
    }
}

/// The plan, on stderr: who signed, what it holds, how it compares with the paper,
/// who can read it afterwards, and what the old provider knows.
fn print_plan(h: &Handover, plan: &Plan, bundle: &str) {
    eprintln!("Bundle {}:", safe(bundle, false));
    match &plan.signer_trusted_as {
        Some(name) => eprintln!(
            "  signed by {} ({}), whom you trust",
            plan.signer,
            safe(name, false)
        ),
        None => eprintln!(
            "  signed by {}, the key you named with --expect-signer",
            plan.signer
        ),
    }
    eprintln!(
        "  opened with {}",
        if plan.opened_with_client_key {
            "the client's key"
        } else {
            "your identity"
        }
    );
    eprintln!(
        "  client {} ({}): {} entries, {} systems, {} networks, {} vendors, {} documents, {} decisions",
        plan.renamed_from.as_ref().unwrap_or(&plan.id),
        safe(&plan.name, false),
        plan.entries,
        plan.systems,
        plan.networks,
        plan.vendors,
        plan.documents,
        plan.decisions
    );
    eprintln!(
        "  fingerprint {}, last changed {}",
        plan.fingerprint,
        plan.bundle_date.format("%Y-%m-%d %H:%M UTC")
    );
    print_paper(plan);
    print_changes(h, plan);
    print_known(plan);
}

fn print_paper(plan: &Plan) {
    match &plan.paper {
        PaperState::NotGiven => eprintln!(
            "Compare the fingerprint and date with the dossier the client holds (printed on every page), or pass --expect-fingerprint."
        ),
        PaperState::Matches => eprintln!(
            "The bundle matches the dossier you hold (fingerprint {}).",
            plan.fingerprint
        ),
        PaperState::PaperOlder { printed } => eprintln!(
            "The dossier you hold was printed on {} from an earlier state of this client: the bundle is newer and holds what changed since. Trust the bundle, not the paper.",
            printed.format("%Y-%m-%d")
        ),
        PaperState::BundleOlder => eprintln!(
            "Warning: the bundle does not know the fingerprint of the dossier you hold: the dossier was printed after the bundle was written, so the bundle is OLDER and lacks what changed since (or the dossier is another client's). Ask the client for a newer bundle; take this one over only if there is none."
        ),
    }
}

fn print_changes(h: &Handover, plan: &Plan) {
    let verb = "Will write";
    match &plan.renamed_from {
        Some(old) => eprintln!(
            "{verb} client {} (in the bundle: {old}) to your store:",
            plan.id
        ),
        None => eprintln!("{verb} client {} to your store:", plan.id),
    }
    let roles: Vec<String> = plan
        .remaining
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i == 0 {
                format!("{r} (you)")
            } else {
                format!("{r} (client key)")
            }
        })
        .collect();
    eprintln!("  encrypted to {}", roles.join(", "));
    if plan.removed.is_empty() {
        eprintln!("  no recipient of the bundle is removed");
    } else {
        eprintln!(
            "  removed (the old provider and everyone else it had given access): {}",
            plan.removed.join(", ")
        );
    }
    match h.signing.as_ref() {
        Some(key) => eprintln!("  signed with your key {}", key.public().fingerprint()),
        None => eprintln!("  signed with your key (you have none yet: run `handover init`)"),
    }
    if plan.from == plan.signer {
        eprintln!(
            "  recorded: taken over from the provider with signing key {} (name it with --previous-provider NAME, as the dossier's cover does)",
            plan.signer
        );
    } else {
        eprintln!(
            "  recorded: taken over from {} (signing key {})",
            safe(&plan.from, false),
            plan.signer
        );
    }
}

fn print_known(plan: &Plan) {
    if plan.known.is_empty() {
        return;
    }
    eprintln!(
        "{} knows the secrets of {} entries until you replace them:",
        safe(&plan.from, false),
        plan.known.len()
    );
    for k in &plan.known {
        let when = match k.priority {
            1 => "first hour",
            2 => "first day",
            _ => "first week",
        };
        eprintln!(
            "  [{when}] {}: {}",
            safe(&k.path, false),
            safe(&k.secrets.join(", "), false)
        );
    }
}
