//! handover: per-client age-encrypted credential vaults, and everything a successor
//! IT provider needs to take a client over without gaps.
//!
//! Data flows one way, from the top of this map to the bottom; no module uses one
//! above it:
//! - `workflows`: the use cases (check, offboard, sign, ...), composed from the parts
//!   below. `Handover::open` is the one way into a store: it opens the store, unlocks
//!   the person's keys and establishes this machine's trust in it.
//! - `store` (where vaults live on disk: layout, locking, the signer list's files),
//!   `formats` (foreign import/export formats) and `dossier` (the PDF).
//! - `sync`: sharing a store over git: the three-way merge of a vault's copies and
//!   the `git` program (the store commits its writes through it).
//! - `vault`: the encrypted JSON codec; `paper`: a signed bundle as QR codes on data
//!   pages (chunks, parity, the page grid) and reading them back from scans.
//! - `keys`: who can open and who may write: age identities and recipients (the only
//!   user of `age`), SSH signatures (the only user of `ssh-key`), trust and pinning,
//!   and unlocking a person's keys with one passphrase prompt for both.
//! - `fsutil` (atomic, private file writes, capped reads, the lock), `totp`,
//!   `generate`, `fingerprint`.
//! - `model` (plain data and the domain rules: takeover order, deadlines), `error`,
//!   `prompt`, `process`.
//!
//! The command-line front end lives in the binary; this library never talks to a
//! terminal except through the [`prompt::Prompter`] trait.

pub mod dossier;
pub mod error;
pub mod fingerprint;
pub mod formats;
pub mod fsutil;
pub mod generate;
pub mod keys;
pub mod model;
pub mod paper;
pub mod process;
pub mod prompt;
pub mod store;
pub mod sync;
#[cfg(test)]
mod testing;
pub mod totp;
pub mod vault;
pub mod workflows;

pub use error::{Error, Result};
