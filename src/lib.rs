//! handover: per-client age-encrypted credential vaults, and everything a successor
//! IT provider needs to take a client over without gaps.
//!
//! Data flows one way: `workflows` (the use cases) compose `store` (files on disk),
//! `vault` (encrypted JSON codec), `keys` (identities, signatures, trust), `formats`
//! (foreign import/export formats) and `model` (plain data). The command-line front
//! end lives in the binary; this library never talks to a terminal except through
//! the [`prompt::Prompter`] trait.

pub mod dossier;
pub mod error;
pub mod fingerprint;
pub mod formats;
pub mod fsutil;
pub mod generate;
pub mod keys;
pub mod model;
pub mod process;
pub mod prompt;
pub mod store;
pub mod totp;
pub mod vault;
pub mod workflows;

pub use error::{Error, Result};
