//! File-system primitives that every writer in handover goes through: private
//! directories, and atomic, durable, private file writes.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::error::{Error, Result};

pub const TEMP_PREFIX: &str = ".tmp-";

/// Creates `dir` (and parents) and makes `dir` itself 0700 whatever the umask.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create directory {}", dir.display()), e))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::io(format!("cannot make {} private (0700)", dir.display()), e))
}

/// Replaces `path` with `bytes` so that a crash at any instant leaves either the old
/// or the new file: write a 0600 temp file beside it, fsync it, rename it over the
/// target, fsync the directory.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let (tmp, dir) = private_temp_beside(path, bytes)?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("cannot replace {}", path.display()), e.error))?;
    sync_dir(dir)
}

/// Like [`atomic_write`], but fails with `AlreadyExists` instead of replacing an
/// existing `path` (the check and the rename are one step: link(2) then unlink).
pub fn atomic_write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let (tmp, dir) = private_temp_beside(path, bytes)?;
    tmp.persist_noclobber(path)
        .map_err(|e| Error::io(format!("cannot create {}", path.display()), e.error))?;
    sync_dir(dir)
}

/// A fsynced 0600 temp file holding `bytes` in `path`'s directory, and that directory.
fn private_temp_beside<'a>(
    path: &'a Path,
    bytes: &[u8],
) -> Result<(tempfile::NamedTempFile, &'a Path)> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // tempfile creates the file 0600 with O_EXCL and a random name.
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| {
            Error::io(
                format!("cannot create a temporary file in {}", dir.display()),
                e,
            )
        })?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::io("cannot set permissions on a temporary file", e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    Ok((tmp, dir))
}

/// Writes a new file that must not exist yet (0600, fsynced), failing if it does.
pub fn create_new_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .and_then(|_| file.write_all(bytes))
        .and_then(|_| file.sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(dir)?;
    }
    Ok(())
}

pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(format!("cannot sync directory {}", dir.display()), e))
}

/// Refuses early (before any expensive work) to replace an existing `out` unless `force`.
pub fn refuse_existing(out: &Path, force: bool) -> Result<()> {
    if !force && out.symlink_metadata().is_ok() {
        return Err(Error::OutputExists(out.to_owned()));
    }
    Ok(())
}

/// Writes a file the user asked for (an export, a dossier, a key): 0600, atomically, into
/// a directory that must exist, and over an existing file only if `force` — without
/// `force`, a file that appears meanwhile is not clobbered either.
pub fn write_output(out: &Path, bytes: &[u8], force: bool) -> Result<()> {
    refuse_existing(out, force)?;
    if let Some(dir) = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
    {
        return Err(Error::Invalid(format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    if force {
        atomic_write(out, bytes)
    } else {
        atomic_write_new(out, bytes).map_err(|e| match e {
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
                Error::OutputExists(out.to_owned())
            }
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn atomic_write_is_private_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        atomic_write(&path, b"one").unwrap();
        atomic_write(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
        assert!(create_new_private(&path, b"x").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let err = atomic_write_new(&path, b"three").err().unwrap();
        assert!(
            matches!(err, Error::Io { ref source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists)
        );
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let new = dir.path().join("g");
        atomic_write_new(&new, b"four").unwrap();
        assert_eq!(fs::metadata(&new).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temp file left"
        );
    }
}
