//! What the command modules share: where the store and the identity are, opening the
//! store with the person's keys through the library's one entry point, and parsing the
//! values (client ids, dates, `SOURCE_DATE_EPOCH`) that several commands take.

use std::path::{Path, PathBuf};

use handover::keys::signing::SigningKey;
use handover::keys::{self, Identity, KeyFiles};
use handover::model::ClientId;
use handover::workflows::Handover;

use super::CliError;
use super::term::TerminalPrompter;

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

pub(super) fn default_dir(xdg: &str, fallback: &str) -> Result<PathBuf, CliError> {
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
    let files = KeyFiles::beside(identity_file);
    Ok(Handover::open(store_dir, &files, &TerminalPrompter)?)
}

/// The identity and, if there is one, the signing key beside it (one passphrase
/// prompt for both when they share it).
pub fn load_keys(identity_file: &Path) -> Result<(Identity, Option<SigningKey>), CliError> {
    let keys = keys::unlock(&KeyFiles::beside(identity_file), &TerminalPrompter)?;
    Ok((keys.identity, keys.signing))
}

/// An existing client's id as typed (any case; see [`ClientId::typed`]).
pub(super) fn client_id(id: &str) -> Result<ClientId, CliError> {
    Ok(ClientId::typed(id)?)
}

/// "Today" for every decision by date (`check`'s expiry and deadlines, `status`, `due`,
/// vendor terms, the date `rotate` records): the day of [`as_of`], so that
/// `SOURCE_DATE_EPOCH` moves them all together and no command has a clock of its own.
pub(super) fn today() -> Result<chrono::NaiveDate, CliError> {
    Ok(as_of()?.date_naive())
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
