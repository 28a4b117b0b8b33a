//! `sync init`, `sync`, `sync resolve`, and the hidden `textconv` that git runs.

use std::path::Path;

use handover::store::MAX_VAULT_BYTES;
use handover::sync::textconv;
use handover::workflows::merge_driver::{self, Driven};
use handover::workflows::sync::{self, GitSetup, Initialised, SyncReport};

use super::CliError;
use super::args::SyncAction;
use super::context::{Paths, client_id, load_keys};
use super::term::{Out, safe};

pub fn sync(
    action: Option<SyncAction>,
    json: bool,
    paths: &Paths,
    out: &mut Out,
) -> Result<(), CliError> {
    match action {
        None => {
            let mut h = paths.open()?;
            let report = sync::sync(&mut h)?;
            if json {
                print_warnings(&report);
                return out.json(&report_json(&report));
            }
            print_report(&report, out)
        }
        Some(SyncAction::Init { remote, json: j }) => {
            init(paths, remote.as_deref(), json || j, out)
        }
        Some(SyncAction::Resolve { client, json: j }) => {
            let h = paths.open()?;
            let id = client_id(&client)?;
            let left = sync::resolve(&h, &id)?;
            if json || j {
                return out.json(&serde_json::json!({
                    "client": id.as_str(),
                    "conflicts_left": left,
                }));
            }
            out.line(&format!(
                "Ours kept for {id}'s own fields; {left} record conflict(s) left (remove each sibling \"… (merge conflict)\" once you have kept what is right)."
            ))
        }
        Some(SyncAction::MergeDriver { ours, path, .. }) => merge_driver(&ours, &path, paths),
    }
}

/// Run by git, in the top of the work tree, for a vault or signature changed on both
/// sides. Exit 0 with the merge in `ours`, or 1 to leave git a conflict. A passphrase
/// is asked for on /dev/tty; with no terminal the driver fails at once, never waits.
fn merge_driver(ours: &Path, path: &str, paths: &Paths) -> Result<(), CliError> {
    let theirs = githead().ok_or_else(|| {
        CliError::Failed(format!(
            "{path}: git did not say which commit it merges (GITHEAD_…); vaults merge by hand only in `git merge` and `git pull --no-rebase`. Run `handover sync` to merge."
        ))
    })?;
    let store = std::env::current_dir()?;
    if merge_driver::take_made(&store, path, &theirs, ours)? {
        return Ok(());
    }
    let h = super::context::open(&store, paths.identity_file)?;
    match merge_driver::drive(&h, path, &theirs, ours)? {
        Driven::Merged => Ok(()),
        Driven::Refused(why) => Err(CliError::Failed(format!(
            "refused {why}; ours kept, so git stops with a conflict here: run `handover sync` to complete the merge"
        ))),
    }
}

/// The commit `git merge` names in its `GITHEAD_<commit>` variable (one per merged
/// head; a merge of several heads is not one the driver makes).
fn githead() -> Option<String> {
    let mut heads = std::env::vars_os().filter_map(|(k, _)| {
        k.to_str()?
            .strip_prefix("GITHEAD_")
            .filter(|c| c.len() >= 40 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned)
    });
    let first = heads.next()?;
    heads.next().is_none().then_some(first)
}

fn init(paths: &Paths, remote: Option<&str>, json: bool, out: &mut Out) -> Result<(), CliError> {
    let exe = std::env::current_exe()?;
    let program = format!(
        "{} --identity {}",
        shell_quote(&exe.to_string_lossy()),
        shell_quote(&absolute(paths.identity_file).to_string_lossy())
    );
    let setup = GitSetup {
        textconv: format!("{program} textconv"),
        merge_driver: format!("{program} sync merge-driver %O %A %B %P"),
    };
    let done = sync::init(paths.store_dir, remote, &setup)?;
    if json {
        let (how, pushed) = match done {
            Initialised::Cloned => ("cloned", false),
            Initialised::Created { pushed } => ("created", pushed),
        };
        return out.json(&serde_json::json!({
            "store": paths.store_dir.display().to_string(),
            "remote": remote,
            "how": how,
            "pushed": pushed,
        }));
    }
    match done {
        Initialised::Cloned => out.line(&format!(
            "Cloned into {}. Have a trusted signer add your key (`handover team add`), then run `handover signers pin` and `handover sync`.",
            paths.store_dir.display()
        )),
        Initialised::Created { pushed: true } => {
            out.line("The store is now a git repository, pushed to the remote.")
        }
        Initialised::Created { pushed: false } => out.line(
            "The store is now a git repository; add a remote (`git remote add origin URL`) and run `handover sync`.",
        ),
    }
}

fn absolute(p: &Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_owned())
}

/// Quotes a word for the shell git runs its drivers with.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn print_report(r: &SyncReport, out: &mut Out) -> Result<(), CliError> {
    let ids = |v: &[handover::model::ClientId]| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for lock in &r.stale_locks {
        eprintln!(
            "Removed {}, left by a git that was killed (nobody had touched it for seconds).",
            lock.display()
        );
    }
    if !r.taken.is_empty() {
        out.line(&format!("Taken from the others: {}", ids(&r.taken)))?;
    }
    if !r.merged.is_empty() {
        out.line(&format!("Merged entry by entry: {}", ids(&r.merged)))?;
    }
    if !r.removed.is_empty() {
        out.line(&format!("Removed by the others: {}", ids(&r.removed)))?;
    }
    if r.signers_changed {
        out.line("The store's trusted signers changed (`handover signers` lists them).")?;
    }
    for (id, recipient) in &r.recipients_added {
        out.line(&format!(
            "{id}: the vault is now also encrypted to {recipient} (added by a trusted teammate)"
        ))?;
    }
    print_warnings(r);
    out.line(if r.pushed {
        "Pushed."
    } else {
        "Nothing pushed."
    })
}

/// What a sync could not decide or refused: on stderr, with or without `--json`.
fn print_warnings(r: &SyncReport) {
    for (id, c) in &r.conflicts {
        eprintln!(
            "{id}: {} {:?} was changed on both sides ({}): ours is in place, theirs beside it; `handover check {id}` says what to do.",
            c.record,
            safe(&c.name, false),
            c.fields.join(", ")
        );
    }
    for (file, why) in &r.refused {
        eprintln!(
            "Refused {file} from the others: {}; your copy was kept.",
            safe(why, false)
        );
    }
}

/// What `sync --json` prints. Names of records and fields only, never a value.
fn report_json(r: &SyncReport) -> serde_json::Value {
    serde_json::json!({
        "taken": r.taken,
        "merged": r.merged,
        "removed": r.removed,
        "signers_changed": r.signers_changed,
        "recipients_added": r.recipients_added.iter()
            .map(|(id, recipient)| serde_json::json!({"client": id, "recipient": recipient}))
            .collect::<Vec<_>>(),
        "conflicts": r.conflicts.iter()
            .map(|(id, c)| serde_json::json!({
                "client": id, "record": c.record, "name": c.name, "fields": c.fields,
            }))
            .collect::<Vec<_>>(),
        "refused": r.refused.iter()
            .map(|(file, why)| serde_json::json!({"file": file, "why": why}))
            .collect::<Vec<_>>(),
        "pushed": r.pushed,
        "stale_locks": r.stale_locks.iter().map(|l| l.display().to_string()).collect::<Vec<_>>(),
    })
}

/// What `git diff` shows of a vault. Never fails a diff: a file that cannot be read
/// here (another store's, a forgery) is described as such.
pub fn textconv(file: &Path, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let bytes = handover::fsutil::read_regular_file(file, MAX_VAULT_BYTES, "the vault")?;
    let (identity, _) = load_keys(paths.identity_file)?;
    match handover::vault::decode(&bytes, &identity) {
        Ok(client) => {
            let key = sync::textconv_key(&identity);
            let text = textconv::describe(&client, &key)?;
            out.line(text.trim_end())
        }
        Err(problem) => out.line(&format!(
            "(a vault this identity cannot read: {})",
            safe(&problem.to_string(), false)
        )),
    }
}
