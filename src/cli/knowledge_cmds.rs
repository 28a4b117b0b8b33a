//! What the knowledge commands share (`system_cmds`, `network_cmds`, `vendor_cmds`,
//! `doc_cmds`, `decision_cmds`: the client's IT beside its credentials), and
//! `handover link|unlink`. `--json` prints the items with the vault's key names
//! (docs/FORMAT.md).

use handover::model::Client;
use handover::workflows::Handover;
use handover::workflows::knowledge::{self, LinkTarget};

use super::CliError;
use super::args::LinkArgs;
use super::context::client_id;
use super::term::{Out, safe};

/// One `label value` line, when there is a value.
pub(super) fn row(out: &mut Out, label: &str, value: Option<&str>) -> Result<(), CliError> {
    match value {
        Some(v) => out.line(&format!("{label:<18} {}", safe(v, false))),
        None => Ok(()),
    }
}

pub(super) fn entry_paths(client: &Client, ids: &[uuid::Uuid]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            client
                .entry_by_id(*id)
                .map_or_else(|| id.to_string(), |e| e.path.clone())
        })
        .collect()
}

pub fn link(
    h: &Handover,
    client: &str,
    path: &str,
    target: LinkArgs,
    linking: bool,
) -> Result<(), CliError> {
    let id = client_id(client)?;
    let target = match (target.system, target.vendor) {
        (Some(s), _) => LinkTarget::System(s),
        (None, Some(v)) => LinkTarget::Vendor(v),
        (None, None) => {
            return Err(CliError::Usage(
                "say what to link to: --system NAME or --vendor NAME".into(),
            ));
        }
    };
    let (kind, name) = match &target {
        LinkTarget::System(n) => ("system", n),
        LinkTarget::Vendor(n) => ("vendor", n),
    };
    let done = knowledge::link(h, &id, path, &target, linking)?;
    let (path, name) = (safe(path, false), safe(name, false));
    match (done, linking) {
        (true, true) => eprintln!("Linked {path} to {kind} {name}."),
        (true, false) => eprintln!("Unlinked {path} from {kind} {name}."),
        (false, true) => eprintln!("{path} was already linked to {kind} {name}; nothing changed."),
        (false, false) => eprintln!("{path} was not linked to {kind} {name}; nothing changed."),
    }
    Ok(())
}
