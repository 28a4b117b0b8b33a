//! File-system primitives that every writer and reader in handover goes through: private
//! directories, atomic, durable, private file writes, reads of files someone else may
//! control, and the lock that the store and the pin file share. Below `store` and `keys`,
//! which both go through it.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::fs::{DirBuilderExt, FileExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub const TEMP_PREFIX: &str = ".tmp-";
/// How many random characters follow [`TEMP_PREFIX`] in a temp file's name.
const TEMP_RANDOM_LEN: usize = 6;

/// Creates `dir` and every missing parent 0700, set explicitly after creating each one
/// so that no umask (not even 000) leaves a window or a wider mode. Directories that
/// already exist are left exactly as they are: they may be shared (a 1777 temp
/// directory) and are not handover's to change; [`shared_dir_warning`] says when one is
/// open to others.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    let mut missing = Vec::new();
    for ancestor in dir.ancestors().filter(|a| !a.as_os_str().is_empty()) {
        match fs::metadata(ancestor) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(Error::Invalid(format!(
                    "{} exists and is not a directory",
                    ancestor.display()
                )));
            }
            // Not a directory: a parent is a file, which the next round reports.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                missing.push(ancestor)
            }
            Err(e) => {
                return Err(Error::io(
                    format!("cannot inspect {}", ancestor.display()),
                    e,
                ));
            }
        }
    }
    for new in missing.into_iter().rev() {
        match DirBuilder::new().mode(0o700).create(new) {
            Ok(()) => fs::set_permissions(new, fs::Permissions::from_mode(0o700)).map_err(|e| {
                Error::io(format!("cannot make {} private (0700)", new.display()), e)
            })?,
            // Created meanwhile by someone else: not ours to chmod, but it must be a directory.
            Err(e) if e.kind() == ErrorKind::AlreadyExists && new.is_dir() => {}
            Err(e) => {
                return Err(Error::io(
                    format!("cannot create directory {}", new.display()),
                    e,
                ));
            }
        }
    }
    Ok(())
}

/// A warning when other users could replace what handover keeps in the existing
/// directory `dir`: it is writable by its group or by others, or one of its parents is
/// without the sticky bit (which stops others renaming entries they do not own).
/// `None` when nothing is amiss or `dir` does not exist.
pub fn shared_dir_warning(dir: &Path) -> Option<String> {
    let dir = fs::canonicalize(dir).ok()?;
    for (i, ancestor) in dir.ancestors().enumerate() {
        let mode = fs::metadata(ancestor).ok()?.mode();
        let sticky = mode & 0o1000 != 0;
        if mode & 0o022 != 0 && (i == 0 || !sticky) {
            return Some(format!(
                "{} (mode {:04o}) is writable by other users, who could replace or add files in {}; handover left its permissions as they are: keep your store and identity in a directory only you can write to",
                ancestor.display(),
                mode & 0o7777,
                dir.display()
            ));
        }
    }
    None
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
        .rand_bytes(TEMP_RANDOM_LEN)
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
    // Held until the file is closed (after the rename, or by the kernel when this
    // process dies): what [`remove_stale_temps`] tells a running writer's file by.
    tmp.as_file()
        .try_lock()
        .map_err(|e| Error::io("cannot lock a temporary file", io::Error::from(e)))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    Ok((tmp, dir))
}

/// Removes what killed writers left in `dir`: files named as [`private_temp_beside`]
/// names them (`.tmp-` and six letters or digits), regular, this user's, 0600, with one
/// link, that no running handover holds locked. A partial dossier holds passwords; a
/// kill must not leave it behind for longer than the next write. Best effort: a file
/// that cannot be inspected or removed is left alone.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temp_name(entry.file_name().as_encoded_bytes()) {
            let _ = remove_if_stale(&entry.path());
        }
    }
}

fn is_temp_name(name: &[u8]) -> bool {
    is_random_name(name, TEMP_PREFIX)
}

/// `prefix` and [`TEMP_RANDOM_LEN`] letters or digits, as `tempfile` names what it makes.
fn is_random_name(name: &[u8], prefix: &str) -> bool {
    name.strip_prefix(prefix.as_bytes()).is_some_and(|rest| {
        rest.len() == TEMP_RANDOM_LEN && rest.iter().all(u8::is_ascii_alphanumeric)
    })
}

/// A private (0700) directory `<root>/<prefix>XXXXXX` for plaintext that must not
/// outlive this process, and a lock on it held for as long as the returned `File` is
/// open: a later [`remove_stale_dirs`] leaves it alone while this process runs, and
/// wipes and removes it once a kill has left it behind.
pub fn private_work_dir(root: &Path, prefix: &str) -> Result<(tempfile::TempDir, File)> {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .rand_bytes(TEMP_RANDOM_LEN)
        .tempdir_in(root)
        .map_err(|e| {
            Error::io(
                format!("cannot create a private directory in {}", root.display()),
                e,
            )
        })?;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::io(format!("cannot make {} private", dir.path().display()), e))?;
    let held = File::open(dir.path())
        .and_then(|f| f.try_lock().map(|()| f).map_err(io::Error::from))
        .map_err(|e| Error::io(format!("cannot lock {}", dir.path().display()), e))?;
    Ok((dir, held))
}

/// Removes the directories [`private_work_dir`] made under `root` with `prefix` that a
/// killed process left behind: this user's, 0700, not locked by a running process.
/// The files in them are overwritten with zeros first. Best effort, as
/// [`remove_stale_temps`].
pub fn remove_stale_dirs(root: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        if is_random_name(entry.file_name().as_encoded_bytes(), prefix) {
            let _ = remove_dir_if_stale(&entry.path());
        }
    }
}

fn remove_dir_if_stale(dir: &Path) -> io::Result<()> {
    let held = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY)
        .open(dir)?;
    let meta = held.metadata()?;
    let ours = meta.is_dir() && meta.uid() == own_uid() && meta.mode() & 0o7777 == 0o700;
    if !ours || held.try_lock().is_err() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)?.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            zero_file(&entry.path());
        }
    }
    fs::remove_dir_all(dir)
}

/// Overwrites a regular file's bytes with zeros (best effort: the data may survive on
/// disk elsewhere, but not in the file itself).
pub fn zero_file(path: &Path) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if !meta.is_file() {
        return;
    }
    if let Ok(f) = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        let zeros = vec![0u8; 64 * 1024];
        let mut at = 0;
        while at < meta.len() {
            let n = (meta.len() - at).min(zeros.len() as u64) as usize;
            if f.write_all_at(&zeros[..n], at).is_err() {
                return;
            }
            at += n as u64;
        }
        let _ = f.sync_all();
    }
}

fn own_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

fn remove_if_stale(path: &Path) -> io::Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    let ours = meta.is_file()
        && meta.uid() == own_uid()
        && meta.mode() & 0o7777 == 0o600
        && meta.nlink() == 1;
    if !ours || file.try_lock().is_err() {
        return Ok(());
    }
    // Still the same file under that name: a writer may have renamed it into place
    // (and let go of it) since it was opened.
    let now = fs::symlink_metadata(path)?;
    if (now.dev(), now.ino()) == (meta.dev(), meta.ino()) {
        fs::remove_file(path)?;
    }
    Ok(())
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
    let mut tmp = output_temp(out, force)?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io(format!("cannot write {}", out.display()), e))?;
    persist_output(tmp, out, force)
}

/// The first half of [`write_output`], for output written piece by piece: a 0600 temp
/// file beside `out` (removed again when dropped), after the same checks. What an
/// earlier, killed run left there is removed first.
pub fn output_temp(out: &Path, force: bool) -> Result<tempfile::NamedTempFile> {
    refuse_existing(out, force)?;
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    remove_stale_temps(dir);
    Ok(private_temp_beside(out, &[])?.0)
}

/// The second half of [`write_output`]: fsyncs `tmp` and renames it to `out`.
pub fn persist_output(tmp: tempfile::NamedTempFile, out: &Path, force: bool) -> Result<()> {
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(format!("cannot write {}", out.display()), e))?;
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if force {
        tmp.persist(out)
            .map_err(|e| Error::io(format!("cannot replace {}", out.display()), e.error))?;
    } else {
        tmp.persist_noclobber(out).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists(out.to_owned())
            } else {
                Error::io(format!("cannot create {}", out.display()), e.error)
            }
        })?;
    }
    sync_dir(dir)
}

/// Opens a file handover reads but someone else may have put there, refusing anything
/// that is not a regular file once symlinks are followed (checked on the opened file, so
/// it cannot be swapped after the check): a FIFO would block forever and a device such as
/// `/dev/zero` never ends. `O_NONBLOCK` lets the open of a FIFO return at once; it is
/// cleared again before the file is read. Returns the file and its size.
pub fn open_regular(path: &Path, what: &str) -> Result<(File, u64)> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::io(format!("cannot open {what} {}", path.display()), e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(format!("cannot inspect {what} {}", path.display()), e))?;
    if !meta.is_file() {
        return Err(not_regular(path, what, &meta));
    }
    clear_nonblocking(&file)
        .map_err(|e| Error::io(format!("cannot read {what} {}", path.display()), e))?;
    Ok((file, meta.len()))
}

fn not_regular(path: &Path, what: &str, meta: &fs::Metadata) -> Error {
    let t = meta.file_type();
    let kind = if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    Error::Invalid(format!(
        "{what} {} is {kind}, not a regular file; refusing to read it: replace it with the real file",
        path.display()
    ))
}

fn clear_nonblocking(file: &File) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function borrows, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reads a regular file of at most `cap` bytes (see [`open_regular`]). `what` names it in
/// errors ("the vault", "the template file"). A missing file is an [`Error::Io`] whose
/// source is `NotFound` (see [`is_not_found`]).
pub fn read_regular_file(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>> {
    read_regular_secret(path, cap, what).map(|mut bytes| std::mem::take(&mut *bytes))
}

/// [`read_regular_file`] for files that hold secrets (identities, keys): no copy of the
/// content is left unwiped in memory.
pub fn read_regular_secret(path: &Path, cap: u64, what: &str) -> Result<Zeroizing<Vec<u8>>> {
    let (file, size) = open_regular(path, what)?;
    let too_big = || {
        Error::Invalid(format!(
            "{what} {} is larger than {}; it is not what handover expects there",
            path.display(),
            human_size(cap)
        ))
    };
    if size > cap {
        return Err(too_big());
    }
    read_capped(file, size, cap)
        .map_err(|e| Error::io(format!("cannot read {what} {}", path.display()), e))?
        .ok_or_else(too_big)
}

/// Reads at most `cap` bytes (`None` beyond), counting the bytes actually read: a size
/// from `fstat` can lie (files in /proc say 0) or change while the file is read. The
/// buffer grows by hand, so that no reallocation leaves an unwiped copy behind.
pub fn read_capped(
    reader: impl Read,
    size_hint: u64,
    cap: u64,
) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut data = Zeroizing::new(Vec::with_capacity(
        usize::try_from(size_hint.min(cap)).unwrap_or(0) + 1,
    ));
    let mut limited = reader.take(cap.saturating_add(1));
    // No bigger than the file is said to be: a 64 KiB chunk, zeroed and wiped for a
    // key file of a few hundred bytes, was most of the cost of reading one.
    let chunk_len = usize::try_from(size_hint.min(cap).saturating_add(1))
        .unwrap_or(usize::MAX)
        .clamp(512, 64 * 1024);
    let mut chunk = Zeroizing::new(vec![0u8; chunk_len]);
    loop {
        let n = match limited.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if (data.len() + n) as u64 > cap {
            return Ok(None);
        }
        crate::model::extend_wiping(&mut data, &chunk[..n]);
    }
    Ok(Some(data))
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / 1024 / 1024)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// Whether `err` says that a file does not exist.
pub fn is_not_found(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == ErrorKind::NotFound)
}

/// Reads a small file, `None` if it does not exist; refuses anything but a regular
/// file, and one larger than `cap` bytes (see [`read_regular_file`]).
pub fn read_small_file(path: &Path, cap: u64) -> Result<Option<Vec<u8>>> {
    match read_regular_file(path, cap, "the file") {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// How long [`lock_exclusive`] waits for another writer unless `HANDOVER_LOCK_TIMEOUT`
/// (seconds) says otherwise.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);
pub const LOCK_TIMEOUT_VAR: &str = "HANDOVER_LOCK_TIMEOUT";

/// Opens (creating it 0600 if needed) the lock file `path` and takes an exclusive lock
/// on it, then records this process's id in it so that a waiting process can name the
/// holder. A symlink at `path` is refused rather than followed (it could make handover
/// create a file anywhere), and so is anything but a regular file. Gives up after the
/// lock timeout, so a hung writer cannot block every other command forever.
pub fn lock_exclusive(path: &Path) -> Result<File> {
    let timeout = lock_timeout()?;
    let file = open_lock_file(path)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", path.display()), e));
            }
        }
        if start.elapsed() >= timeout {
            return Err(Error::Locked {
                path: path.to_owned(),
                holder: lock_holder(&file).filter(|pid| is_running(*pid)),
                waited: timeout.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    record_holder(&file);
    Ok(file)
}

/// [`lock_exclusive`] without waiting: `None` while another process holds the lock.
/// For readers, which never wait (README), when they can tidy up what a killed writer
/// left.
pub fn try_lock_exclusive(path: &Path) -> Result<Option<File>> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => {
            record_holder(&file);
            Ok(Some(file))
        }
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => {
            Err(Error::io(format!("cannot lock {}", path.display()), e))
        }
    }
}

/// Best effort: the pid only makes a later waiter's message more helpful.
fn record_holder(file: &File) {
    let pid = format!("{}\n", std::process::id());
    let _ = file
        .set_len(0)
        .and_then(|_| file.write_all_at(pid.as_bytes(), 0));
}

/// Whether a process `pid` exists (it may be another program that got the pid of a
/// holder that has ended: messages never tell the user to end it).
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; no signal is sent.
    pid > 0
        && (unsafe { libc::kill(pid, 0) } == 0
            || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
}

/// Opens (creating it 0600) a lock file, refusing a symlink or anything not regular.
fn open_lock_file(path: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            let hint = if e.raw_os_error() == Some(libc::ELOOP) {
                " (it is a symbolic link, which handover does not follow: remove it)"
            } else {
                ""
            };
            Error::io(
                format!("cannot open the lock file {}{hint}", path.display()),
                e,
            )
        })?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(format!("cannot inspect {}", path.display()), e))?;
    if !meta.is_file() {
        return Err(not_regular(path, "the lock file", &meta));
    }
    Ok(file)
}

fn lock_timeout() -> Result<Duration> {
    match std::env::var(LOCK_TIMEOUT_VAR) {
        Err(_) => Ok(DEFAULT_LOCK_TIMEOUT),
        Ok(v) => v.trim().parse::<u64>().map(Duration::from_secs).map_err(|_| {
            Error::Invalid(format!(
                "{LOCK_TIMEOUT_VAR}={v:?} is not a number of seconds; unset it to wait the default {} s",
                DEFAULT_LOCK_TIMEOUT.as_secs()
            ))
        }),
    }
}

/// The pid the lock's holder wrote into the lock file, if any.
fn lock_holder(file: &File) -> Option<u32> {
    let mut buf = [0u8; 16];
    let n = file.read_at(&mut buf, 0).ok()?;
    std::str::from_utf8(&buf[..n]).ok()?.trim().parse().ok()
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

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    #[test]
    fn private_dirs_are_created_0700_and_existing_ones_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
        let deep = shared.join("a/b/c");
        ensure_private_dir(&deep).unwrap();
        assert_eq!(fs::metadata(&shared).unwrap().mode() & 0o7777, 0o1777);
        for d in ["a", "a/b", "a/b/c"] {
            assert_eq!(
                fs::metadata(shared.join(d)).unwrap().mode() & 0o7777,
                0o700,
                "{d}"
            );
        }
        ensure_private_dir(&deep).unwrap();
        let warning = shared_dir_warning(&shared).unwrap();
        assert!(warning.contains("mode 1777"), "{warning}");
        // Sticky and not ours: the private directory inside it is safe.
        assert_eq!(shared_dir_warning(&deep), None);
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
        let warning = shared_dir_warning(&deep).unwrap();
        assert!(warning.contains("mode 0777"), "{warning}");
        fs::write(dir.path().join("file"), "x").unwrap();
        let err = ensure_private_dir(&dir.path().join("file/sub")).unwrap_err();
        assert!(err.to_string().contains("not a directory"), "{err}");
    }

    #[test]
    fn only_regular_files_are_read_and_reads_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let err = read_regular_file(&fifo, 100, "the vault").unwrap_err();
        assert!(err.to_string().contains("named pipe (FIFO)"), "{err}");
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read_regular_file(&zero, 100, "the vault").unwrap_err();
        assert!(err.to_string().contains("is a device"), "{err}");
        let err = read_regular_secret(dir.path(), 100, "the identity file").unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
        // /proc files are regular but say they are empty: the cap counts bytes read.
        let err = read_regular_file(Path::new("/proc/self/status"), 16, "x").unwrap_err();
        assert!(err.to_string().contains("larger than 1 KiB"), "{err}");
        let file = dir.path().join("f");
        fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_regular_file(&file, 10, "x").unwrap(), b"0123456789");
        assert!(read_regular_file(&file, 9, "x").is_err());
        let missing = read_regular_file(&dir.path().join("none"), 9, "x").unwrap_err();
        assert!(is_not_found(&missing));
        // Growing past the cap while being read is caught too.
        let data = read_capped(io::repeat(7), 0, 1000).unwrap();
        assert!(data.is_none());
        // A file longer than it was said to be (the chunk is sized by the hint) is read
        // whole, in order.
        let long: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for hint in [0, 10, 100_000] {
            let data = read_capped(&long[..], hint, 1 << 20).unwrap().unwrap();
            assert_eq!(*data, long, "hint {hint}");
        }
    }

    #[test]
    fn the_lock_file_is_never_followed_and_records_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("lock");
        let target = dir.path().join("target");
        std::os::unix::fs::symlink(&target, &lock).unwrap();
        let err = lock_exclusive(&lock).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(!target.exists());
        fs::remove_file(&lock).unwrap();
        mkfifo(&lock);
        let err = lock_exclusive(&lock).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        fs::remove_file(&lock).unwrap();
        let held = lock_exclusive(&lock).unwrap();
        assert_eq!(
            fs::read_to_string(&lock).unwrap(),
            format!("{}\n", std::process::id())
        );
        assert_eq!(lock_holder(&held), Some(std::process::id()));
        assert_eq!(fs::metadata(&lock).unwrap().mode() & 0o777, 0o600);
    }
}
