//! Unlocking a person's keys: the age identity and the signing key beside it, with one
//! passphrase prompt for both when they share it (as `handover init` makes them). Asks
//! through a [`Prompter`], never a terminal, and returns library errors.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::identity::{Identity, MAX_IDENTITY_BYTES};
use crate::keys::signing::SigningKey;
use crate::model::Secret;
use crate::prompt::Prompter;

/// Signing key files are small; a bigger file is not one.
const MAX_SIGNING_KEY_BYTES: u64 = 64 * 1024;

/// A person's key files: the identity, and the files that live beside it: the
/// signing key (private and public) and the pin file.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    pub identity: PathBuf,
    pub signing_key: PathBuf,
    pub signing_pub: PathBuf,
    pub pins: PathBuf,
}

impl KeyFiles {
    /// `identity.txt` → `identity.signing-key`, `identity.signing-key.pub`,
    /// `identity.trust.json`.
    pub fn beside(identity: &Path) -> KeyFiles {
        KeyFiles {
            identity: identity.to_owned(),
            signing_key: identity.with_extension("signing-key"),
            signing_pub: identity.with_extension("signing-key.pub"),
            pins: identity.with_extension("trust.json"),
        }
    }
}

/// A person's unlocked keys: the identity and, if there is one, the signing key.
pub struct Keys {
    pub identity: Identity,
    pub signing: Option<SigningKey>,
}

/// Unlocks the identity and the signing key beside it; a passphrase given for the
/// identity is tried on the signing key before `prompter` is asked again.
pub fn unlock(files: &KeyFiles, prompter: &dyn Prompter) -> Result<Keys> {
    let (identity, passphrase) = unlock_identity(&files.identity, prompter)?;
    let signing = read_signing_key(files, passphrase.as_ref().map(|p| p.expose()), prompter)?;
    Ok(Keys { identity, signing })
}

/// Reads the identity file at `path`, asking `prompter` for its passphrase if it is
/// encrypted; returns the identity and the passphrase that opened it (wiped on drop),
/// so that the signing key needs no second prompt.
pub fn unlock_identity(path: &Path, prompter: &dyn Prompter) -> Result<(Identity, Option<Secret>)> {
    let remembering = Remembering {
        inner: prompter,
        last: RefCell::new(None),
    };
    let identity = read_identity(path, &remembering)?;
    Ok((identity, remembering.last.into_inner()))
}

fn read_identity(path: &Path, prompter: &dyn Prompter) -> Result<Identity> {
    let bytes = match fsutil::read_regular_secret(path, MAX_IDENTITY_BYTES, "the identity file") {
        Ok(b) => b,
        Err(e) if fsutil::is_not_found(&e) => {
            return Err(Error::Identity {
                path: path.to_owned(),
                problem:
                    "it does not exist; run `handover init` to create one, or pass --identity FILE"
                        .into(),
            });
        }
        Err(e) => return Err(e),
    };
    Identity::from_file_bytes(&bytes, prompter, &path.display().to_string()).map_err(|problem| {
        Error::Identity {
            path: path.to_owned(),
            problem,
        }
    })
}

/// Reads the signing key beside an identity, if there is one. `passphrase` is the
/// identity's (tried first, so one prompt unlocks both).
pub fn read_signing_key(
    files: &KeyFiles,
    passphrase: Option<&str>,
    prompter: &dyn Prompter,
) -> Result<Option<SigningKey>> {
    let path = &files.signing_key;
    let bytes = match fsutil::read_regular_secret(path, MAX_SIGNING_KEY_BYTES, "the signing key") {
        Ok(b) => b,
        Err(e) if fsutil::is_not_found(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    SigningKey::from_openssh(&bytes, passphrase, prompter, &path.display().to_string())
        .map(Some)
        .map_err(|problem| {
            Error::Trust(format!(
                "cannot use the signing key {}: {problem}",
                path.display()
            ))
        })
}

/// A prompter that remembers the passphrase it was given, so that the signing key,
/// protected by the same passphrase as the identity, needs no second prompt. The
/// passphrase is a [`Secret`], wiped when dropped.
struct Remembering<'a> {
    inner: &'a dyn Prompter,
    last: RefCell<Option<Secret>>,
}

impl Prompter for Remembering<'_> {
    fn passphrase(&self, prompt: &str) -> Option<Secret> {
        let answer = self.inner.passphrase(prompt);
        if let Some(a) = &answer {
            *self.last.borrow_mut() = Some(a.clone());
        }
        answer
    }
}
