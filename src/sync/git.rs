//! Running the `git` program on a store that is a git repository. We shell out, as
//! gopass does: `git2` needs libgit2 and OpenSSL, and `gix` cannot push; the person's
//! own git brings their remotes, credentials and SSH agent with it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

/// A store that is a git repository (its work tree is the store's directory).
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

/// What git printed when it failed, shortened for a message.
fn stderr_of(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let text = text.trim();
    let mut short: String = text.chars().take(600).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

impl Repo {
    /// The repository whose work tree is `root`, if `root` is one.
    pub fn at(root: &Path) -> Option<Repo> {
        root.join(".git").exists().then(|| Repo {
            root: root.to_owned(),
        })
    }

    /// `root` as a repository, whether or not it is one yet (for `git init`, `clone`).
    pub fn new_at(root: &Path) -> Repo {
        Repo {
            root: root.to_owned(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.arg("-C").arg(&self.root).args(args).stdin(Stdio::null());
        c
    }

    /// Runs git; its output whatever the exit status.
    pub fn output(&self, args: &[&str]) -> Result<Output> {
        self.command(args).output().map_err(|e| {
            Error::io(
                "cannot run `git` (is it installed and on PATH? sync needs it)".to_string(),
                e,
            )
        })
    }

    /// Runs git and returns its standard output, or an error naming the command and
    /// what git said.
    pub fn run(&self, args: &[&str]) -> Result<Vec<u8>> {
        let out = self.output(args)?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(Error::Git(format!(
                "`git {}` failed in {}: {}",
                args.join(" "),
                self.root.display(),
                stderr_of(&out)
            )))
        }
    }

    /// [`Repo::run`], its output as trimmed text.
    pub fn text(&self, args: &[&str]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.run(args)?).trim().to_owned())
    }

    /// Whether git exits 0 (for questions such as `merge-base --is-ancestor`).
    pub fn yes(&self, args: &[&str]) -> Result<bool> {
        Ok(self.output(args)?.status.success())
    }

    /// A commit id, or `None` if `rev` names nothing.
    pub fn rev(&self, rev: &str) -> Result<Option<String>> {
        let out = self.output(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()))
    }

    /// A file's bytes at a commit, or `None` if it has no such file.
    pub fn show(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let out = self.output(&["cat-file", "blob", &format!("{commit}:{path}")])?;
        Ok(out.status.success().then_some(out.stdout))
    }

    /// The paths that differ between two commits.
    pub fn changed(&self, from: &str, to: &str) -> Result<Vec<String>> {
        let out = self.run(&["diff", "--name-only", "--no-renames", "-z", from, to, "--"])?;
        Ok(out
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect())
    }

    /// Stages everything and commits it with `message`; returns whether there was
    /// anything to commit. Never while a merge is in progress (a `sync` killed after
    /// git's merge began): that commit would conclude the merge with our files alone,
    /// recording the other side's changes as merged while dropping them. The write
    /// stays uncommitted, and the next `handover sync` completes the merge with it.
    pub fn commit_all(&self, message: &str) -> Result<bool> {
        if self.rev("MERGE_HEAD")?.is_some() {
            return Ok(false);
        }
        self.run(&["add", "-A", "--", "."])?;
        if self.yes(&["diff", "--cached", "--quiet"])? {
            return Ok(false);
        }
        self.run(&["commit", "-q", "--no-verify", "-m", message])?;
        Ok(true)
    }

    /// The repository's `.git` directory.
    pub fn git_dir(&self) -> Result<PathBuf> {
        Ok(PathBuf::from(
            self.text(&["rev-parse", "--absolute-git-dir"])?,
        ))
    }

    /// Where the merge driver leaves a merged vault and signature for its second call
    /// (`.git/handover-merge`; see `workflows::merge_driver`).
    pub fn merge_cache_dir(&self) -> Result<PathBuf> {
        Ok(self.git_dir()?.join("handover-merge"))
    }

    /// Removes the lock files (`index.lock`, `refs/…/*.lock`, …) that a git killed
    /// mid-command leaves behind, which stop every later git command. A lock is stale
    /// once nothing has touched it for [`STALE_LOCK`]: a git command on a store takes
    /// far less. The caller holds the store's lock, so no handover runs git meanwhile;
    /// a fresh lock (someone's own git at work) is waited for, then left to git's error.
    pub fn clear_stale_locks(&self) -> Result<Vec<PathBuf>> {
        Ok(clear_stale_locks_in(&self.git_dir()?))
    }

    /// The git directory of the remote at `url` when it is a repository on this
    /// machine's disks (a path or a `file://` URL: a bare repository on a shared
    /// drive), where a push killed with its receiving git leaves lock files too. None
    /// for a network remote, whose server cleans up after itself.
    pub fn local_remote_dir(&self, url: &str) -> Option<PathBuf> {
        let path = match url.strip_prefix("file://") {
            Some(path) => path,
            // `host:path` (scp-like) and `scheme://…` are network remotes.
            None if url.contains("://") || url.split('/').next()?.contains(':') => return None,
            None => url,
        };
        let dir = self.root().join(path);
        if dir.join("HEAD").is_file() && dir.join("refs").is_dir() {
            Some(dir)
        } else {
            let git = dir.join(".git");
            git.join("HEAD").is_file().then_some(git)
        }
    }
}

/// Removes the stale lock files in `git_dir` (see [`Repo::clear_stale_locks`]).
pub fn clear_stale_locks_in(git_dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let waited = std::time::Instant::now();
    loop {
        let mut locks = Vec::new();
        find_locks(git_dir, 0, &mut locks);
        let fresh = locks.into_iter().filter(|lock| {
            let age = std::fs::symlink_metadata(lock)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok());
            if age.is_some_and(|a| a >= STALE_LOCK) && std::fs::remove_file(lock).is_ok() {
                removed.push(lock.clone());
                return false;
            }
            true
        });
        if fresh.count() == 0 || waited.elapsed() > STALE_LOCK * 2 {
            return removed;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// How long a git lock file must have been left alone to count as left by a killed git.
const STALE_LOCK: std::time::Duration = std::time::Duration::from_secs(3);

/// The `*.lock` files in the git directory itself and under `refs/`, where git's
/// commands take theirs (not in `objects/`, which a sync never locks).
fn find_locks(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        if kind.is_dir() && (depth > 0 || name == "refs") && depth < 8 {
            find_locks(&path, depth + 1, out);
        } else if kind.is_file() && name.to_string_lossy().ends_with(".lock") {
            out.push(path);
        }
    }
}
