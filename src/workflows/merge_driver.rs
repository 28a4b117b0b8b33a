//! The git merge driver: a technician who runs `git pull` by hand gets the merge
//! `handover sync` makes. `sync init` registers `handover sync merge-driver %O %A %B %P`
//! for `clients/*.age` and for `clients/*.age.sig`; git runs it once for each of the
//! two files of a client changed on both sides.
//!
//! A vault and its signature are two paths, and git merges them one after the other,
//! in an order it does not promise, each into a temp file of its own. So neither call
//! trusts the temp files: both read base, ours (`HEAD`) and theirs (the commit git
//! names in `GITHEAD_<id>`) from the repository, vault and signature together, as
//! `sync` does. The first call merges, seals the result with this machine's keys and
//! leaves the pair in `.git/handover-merge/`; each call writes its half and removes it,
//! so the second call writes the signature of exactly the vault the first wrote.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil;
use crate::model::ClientId;
use crate::sync::git::Repo;
use crate::sync::merge;
use crate::workflows::Handover;
use crate::workflows::sync::{vault_path, verified_at, verify_theirs};

/// Which of a client's two files git is merging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Vault,
    Signature,
}

impl Part {
    fn suffix(self) -> &'static str {
        match self {
            Part::Vault => "age",
            Part::Signature => "sig",
        }
    }
}

/// What the driver did with git's file.
#[derive(Debug, PartialEq, Eq)]
pub enum Driven {
    /// The merged file is in place: git records it.
    Merged,
    /// Theirs was refused (why); ours is left in place and git must stop with a
    /// conflict, which `handover sync` then completes.
    Refused(String),
}

/// A vault with its signature file, as the merge leaves them.
struct Pair {
    vault: Vec<u8>,
    signature: Vec<u8>,
}

/// The half of a merge that an earlier call of the driver already made, written into
/// `out`; needs no keys, so the second call of a pair asks for no passphrase.
/// Returns whether there was one.
pub fn take_made(store: &Path, path: &str, theirs: &str, out: &Path) -> Result<bool> {
    let (id, part) = parse_path(path)?;
    let Some(repo) = Repo::at(store) else {
        return Ok(false);
    };
    let (Some(ours), Some(theirs)) = (repo.rev("HEAD")?, repo.rev(theirs)?) else {
        return Ok(false);
    };
    match Cache::new(&repo, &ours, &theirs, &id)?.take(part)? {
        Some(bytes) => {
            fsutil::atomic_write(out, &bytes)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Merges `path` (git's `%P`) of the merge of `theirs` into `HEAD`, writing the result
/// into `out` (git's `%A`, which holds ours).
///
/// Nothing is recorded in this machine's pins: git may still abort the merge, and a
/// revision recorded for a vault that never lands would read as a rollback.
pub fn drive(h: &Handover, path: &str, theirs: &str, out: &Path) -> Result<Driven> {
    let (id, part) = parse_path(path)?;
    let repo = h.store.repo().ok_or_else(|| {
        Error::Git(format!(
            "{} is not a git repository; the merge driver runs only under `git merge`",
            h.store.root().display()
        ))
    })?;
    let ours = repo
        .rev("HEAD")?
        .ok_or_else(|| Error::Git("the repository has no commit to merge into".into()))?;
    let theirs = repo.rev(theirs)?.ok_or_else(|| {
        Error::Git(format!(
            "git names {theirs:?} as the commit it merges, and there is no such commit"
        ))
    })?;
    let cache = Cache::new(&repo, &ours, &theirs, &id)?;
    let pair = match cache.take(part)? {
        Some(bytes) => bytes,
        None => match decide(h, &repo, &id, &ours, &theirs)? {
            Ok(pair) => {
                cache.keep(&pair)?;
                cache.take(part)?.unwrap_or_default()
            }
            Err(why) => return Ok(Driven::Refused(format!("{}: {why}", vault_path(&id)))),
        },
    };
    fsutil::atomic_write(out, &pair)?;
    Ok(Driven::Merged)
}

/// `clients/<id>.age` or `clients/<id>.age.sig`.
fn parse_path(path: &str) -> Result<(ClientId, Part)> {
    let name = path.strip_prefix("clients/");
    let found = name
        .and_then(|n| n.strip_suffix(".age.sig").map(|id| (id, Part::Signature)))
        .or_else(|| name.and_then(|n| n.strip_suffix(".age").map(|id| (id, Part::Vault))));
    let Some((id, part)) = found else {
        return Err(Error::Invalid(format!(
            "the merge driver merges clients/<id>.age and clients/<id>.age.sig, not {path:?}; check .gitattributes"
        )));
    };
    Ok((ClientId::parse(id)?, part))
}

/// The merged vault and signature, or why theirs is refused: `sync`'s decision for
/// one client, with ours read from `HEAD` instead of the work tree.
fn decide(
    h: &Handover,
    repo: &Repo,
    id: &ClientId,
    ours: &str,
    theirs: &str,
) -> Result<std::result::Result<Pair, String>> {
    let path = vault_path(id);
    let sig_path = format!("{path}.sig");
    let base = repo.text(&["merge-base", ours, theirs]).ok();
    let base_bytes = match base.as_deref() {
        Some(b) => repo.show(b, &path)?,
        None => None,
    };
    let (Some(our_bytes), Some(their_bytes)) = (repo.show(ours, &path)?, repo.show(theirs, &path)?)
    else {
        return Ok(Err(
            "removed on one side and changed on the other; `handover sync` decides that".into(),
        ));
    };
    let our_sig = repo.show(ours, &sig_path)?.unwrap_or_default();
    if our_bytes == their_bytes || base_bytes.as_ref() == Some(&their_bytes) {
        return Ok(Ok(Pair {
            vault: our_bytes,
            signature: our_sig,
        }));
    }
    let their_sig = repo.show(theirs, &sig_path)?;
    let base_client = verified_at(h, repo, base.as_deref(), id);
    let ours_unchanged = base_bytes.as_ref() == Some(&our_bytes);
    let mut floor = base_client.as_ref().map_or(0, |b| b.revision + 1);
    if ours_unchanged {
        floor = floor.max(h.trust.seen_revision(id));
    }
    let their_client = match verify_theirs(h, id, &their_bytes, their_sig.as_deref(), floor) {
        Ok(c) => c,
        Err(why) => return Ok(Err(why)),
    };
    if ours_unchanged {
        return Ok(Ok(Pair {
            vault: their_bytes,
            signature: their_sig.unwrap_or_default(),
        }));
    }
    let our_client = verify_theirs(h, id, &our_bytes, Some(&our_sig), 0)
        .map_err(|why| Error::Git(format!("our own {path} at HEAD does not check out: {why}")))?;
    let merged = merge::merge(
        base_client.as_ref(),
        &our_client,
        &their_client,
        chrono::Utc::now(),
    )?;
    let mut client = merged.client;
    let events_from = client.history.len().saturating_sub(1);
    let sealed = h.seal(&mut client, events_from)?;
    Ok(Ok(Pair {
        vault: sealed.ciphertext,
        signature: sealed.signature,
    }))
}

/// Where the first of a client's two driver calls leaves the merged pair for the
/// second: `.git/handover-merge/<ours>-<theirs>-<id>.{age,sig}`. Ciphertext and
/// signature only, nothing secret; `sync` clears the folder.
struct Cache {
    stem: PathBuf,
}

impl Cache {
    fn new(repo: &Repo, ours: &str, theirs: &str, id: &ClientId) -> Result<Cache> {
        let dir = repo.merge_cache_dir()?;
        fsutil::ensure_private_dir(&dir)?;
        Ok(Cache {
            stem: dir.join(format!("{ours}-{theirs}-{id}")),
        })
    }

    fn file(&self, part: Part) -> PathBuf {
        self.stem.with_extension(part.suffix())
    }

    /// Both halves; the signature first, so that a vault half found is always whole.
    fn keep(&self, pair: &Pair) -> Result<()> {
        fsutil::atomic_write(&self.file(Part::Signature), &pair.signature)?;
        fsutil::atomic_write(&self.file(Part::Vault), &pair.vault)
    }

    /// A half left by the other call (or by [`Cache::keep`]), removed as it is read.
    fn take(&self, part: Part) -> Result<Option<Vec<u8>>> {
        let file = self.file(part);
        match std::fs::read(&file) {
            Ok(bytes) => {
                let _ = std::fs::remove_file(&file);
                Ok(Some(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("cannot read {}", file.display()), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_client_and_a_half() {
        let (id, part) = parse_path("clients/acme.age").unwrap();
        assert_eq!((id.as_str(), part), ("acme", Part::Vault));
        let (id, part) = parse_path("clients/acme.age.sig").unwrap();
        assert_eq!((id.as_str(), part), ("acme", Part::Signature));
        for bad in [
            "signers.json",
            "clients/acme.txt",
            "clients/../x.age",
            "acme.age",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }
}
