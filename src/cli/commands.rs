//! Turns parsed arguments into library calls: `dispatch` routes each command to the
//! module of its group, and the helpers here are shared by all of them.
//!
//! Where a command lives: `add`, `edit`, `show`, `list`, `remove`, `move`, `totp` and
//! `rotate` in `entry_cmds`; `client …` and `recipients` in `client_cmds`; `import`
//! and `export` in `import_export`; `dossier` and `verify` in `dossier_cmds`;
//! `system`, `network`, `vendor`, `doc` and `decision` in `system_cmds`,
//! `network_cmds`, `vendor_cmds`, `doc_cmds`, `decision_cmds`; `link` and `unlink` in
//! `knowledge_cmds`; `sign` and `signers` in `signers_cmds`; `log`, `check` and
//! `offboard` in `workflow_cmds`; `init`, `demo` and `generate` in `setup_cmds`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use handover::formats;
use handover::keys::KeyFiles;
use handover::keys::signing::SigningKey;
use handover::keys::trust::Trust;
use handover::keys::{self, Identity};
use handover::model::ClientId;
use handover::store::Store;
use handover::workflows::Handover;

use super::CliError;
use super::args::{Cli, Command};
use super::term::{Out, TerminalPrompter};
use super::{
    client_cmds, decision_cmds, doc_cmds, dossier_cmds, entry_cmds, import_export, knowledge_cmds,
    network_cmds, setup_cmds, signers_cmds, system_cmds, vendor_cmds, workflow_cmds,
};

/// Where the store and the identity are. Commands open them only when they get to it,
/// so that a bad argument is refused before a passphrase is asked for.
pub struct Paths<'a> {
    pub store_dir: &'a Path,
    pub identity_file: &'a Path,
}

impl Paths<'_> {
    pub fn open(&self) -> Result<Handover, CliError> {
        open(self.store_dir, self.identity_file)
    }
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let store_dir = match cli.store.clone() {
        Some(dir) => dir,
        None => default_dir("XDG_DATA_HOME", ".local/share")?.join("handover"),
    };
    let identity_file = match cli.identity.clone() {
        Some(file) => file,
        None => default_dir("XDG_CONFIG_HOME", ".config")?
            .join("handover")
            .join("identity.txt"),
    };
    let mut out = Out::new();
    let paths = Paths {
        store_dir: &store_dir,
        identity_file: &identity_file,
    };
    let result = dispatch(cli.command, &paths, &mut out);
    out.flush()?;
    result
}

fn default_dir(xdg: &str, fallback: &str) -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os(xdg).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(fallback)),
        None => Err(CliError::Usage(format!(
            "neither {xdg} nor HOME is set; pass --store and --identity"
        ))),
    }
}

pub fn open(store_dir: &Path, identity_file: &Path) -> Result<Handover, CliError> {
    let store = Store::open(store_dir)?;
    let (identity, signing) = load_keys(identity_file)?;
    let trust = Trust::establish(&store, &KeyFiles::beside(identity_file).pins)?;
    Ok(Handover::new(store, identity, signing, trust))
}

/// The identity and, if there is one, the signing key beside it (one passphrase
/// prompt for both when they share it).
pub fn load_keys(identity_file: &Path) -> Result<(Identity, Option<SigningKey>), CliError> {
    let keys = keys::unlock(&KeyFiles::beside(identity_file), &TerminalPrompter)?;
    Ok((keys.identity, keys.signing))
}

pub(super) fn client_id(id: &str) -> Result<ClientId, CliError> {
    Ok(ClientId::parse(id)?)
}

fn dispatch(command: Command, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    match command {
        Command::Init(a) => setup_cmds::init(a, paths, out),
        Command::Demo(a) => setup_cmds::demo(a, out),
        Command::Generate(a) => setup_cmds::generate(a, out),
        Command::Sign(a) => signers_cmds::sign(
            paths.store_dir,
            paths.identity_file,
            a.yes,
            a.accept_rollback,
        ),
        Command::Signers { action } => {
            signers_cmds::signers_command(paths.store_dir, paths.identity_file, action, out)
        }
        Command::Client(cmd) => client_cmds::client(cmd, &paths.open()?, out),
        Command::Recipients(a) => client_cmds::recipients(a, paths, out),
        Command::Add(a) => entry_cmds::add(a, paths),
        Command::Edit(a) => entry_cmds::edit(a, paths),
        Command::Show(a) => entry_cmds::show(a, paths, out),
        Command::List(a) => entry_cmds::list(a, paths, out),
        Command::Remove(a) => entry_cmds::remove(a, paths),
        Command::Move(a) => entry_cmds::rename(a, paths),
        Command::Totp(a) => entry_cmds::totp(a, paths, out),
        Command::Rotate(a) => entry_cmds::rotate(a, paths),
        Command::Import(a) => import_export::import(a, paths, out),
        Command::Export(a) => import_export::export(a, paths),
        Command::Dossier(a) => dossier_cmds::dossier(a, paths, out),
        Command::Verify(a) => dossier_cmds::verify(a, paths, out),
        Command::Log(a) => workflow_cmds::log(a, paths, out),
        Command::Check(a) => workflow_cmds::check(a, paths, out),
        Command::Offboard(a) => workflow_cmds::offboard(a, paths, out),
        Command::System(cmd) => system_cmds::system(cmd, &paths.open()?, out),
        Command::Network(cmd) => network_cmds::network(cmd, &paths.open()?, out),
        Command::Vendor(cmd) => vendor_cmds::vendor(cmd, &paths.open()?, out),
        Command::Doc(cmd) => doc_cmds::doc(cmd, &paths.open()?, out),
        Command::Decision(cmd) => decision_cmds::decision(cmd, &paths.open()?, out),
        Command::Link(a) => {
            knowledge_cmds::link(&paths.open()?, &a.client, &a.path, a.target, true)
        }
        Command::Unlink(a) => {
            knowledge_cmds::link(&paths.open()?, &a.client, &a.path, a.target, false)
        }
    }
}

/// A date option (`--expires`, `--term-end`, `--date`, …) in either form a person may
/// type, `2026-12-31` or `31.12.2026`: the one parser for every date on the command
/// line, and the one imported spreadsheets use.
pub(super) fn date_option(value: Option<&str>, flag: &str) -> Result<Option<NaiveDate>, CliError> {
    value
        .map(|v| {
            formats::parse_date(v).ok_or_else(|| {
                CliError::Usage(format!(
                    "--{flag} {v:?} is not a date; use {}; nothing was changed",
                    formats::DATE_FORMS
                ))
            })
        })
        .transpose()
}

/// The dossier's date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub(super) fn as_of() -> Result<chrono::DateTime<chrono::Utc>, CliError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "SOURCE_DATE_EPOCH={v:?} is not a Unix time in seconds"
                ))
            }),
        Err(_) => Ok(chrono::Utc::now()),
    }
}
