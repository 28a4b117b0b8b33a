//! Long texts (documents, decision reasons) from a file, stdin or `$EDITOR`.
//!
//! The editor works on a copy in a private directory (0700, under `$XDG_RUNTIME_DIR`
//! when set, which is a per-user tmpfs on most systems, else the system temp dir)
//! in a private file (0600), as gopass does; afterwards the file is overwritten and
//! removed, and the directory with it. An edit that was killed leaves its directory
//! (`handover-edit-XXXXXX`) behind: the next edit wipes and removes it.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use handover::error::Error;
use handover::model::MAX_DOCUMENT_BYTES;

use super::CliError;

/// Reads a text from `file`, or from stdin when `file` is `-`.
pub fn read_text(file: &Path, what: &str) -> Result<String, CliError> {
    let bytes = if file.as_os_str() == "-" {
        read_stdin(what)?
    } else {
        handover::fsutil::read_regular_file(
            file,
            MAX_DOCUMENT_BYTES as u64,
            &format!("the {what} file"),
        )?
    };
    utf8(bytes, &format!("{what} from {}", file.display()))
}

/// All of stdin, at most the size of a document.
pub fn read_stdin(what: &str) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("cannot read the {what} from stdin"), e))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(too_big(what));
    }
    Ok(bytes)
}

fn too_big(what: &str) -> CliError {
    Error::Invalid(format!(
        "the {what} is larger than {} KiB; nothing was changed",
        MAX_DOCUMENT_BYTES / 1024
    ))
    .into()
}

fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, CliError> {
    String::from_utf8(bytes).map_err(|e| {
        Error::Invalid(format!(
            "the {what} is not UTF-8 text (invalid byte at offset {}); nothing was changed",
            e.utf8_error().valid_up_to()
        ))
        .into()
    })
}

const EDIT_DIR_PREFIX: &str = "handover-edit-";

/// Where the private editing directory goes.
fn edit_root() -> PathBuf {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && d.is_dir())
        .unwrap_or_else(std::env::temp_dir)
}

/// Opens `initial` in `$EDITOR` and returns the edited text.
pub fn edit(initial: &str, what: &str) -> Result<String, CliError> {
    let editor = std::env::var("EDITOR")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "$EDITOR is not set; set it (e.g. EDITOR=nano) or give the {what} with --file FILE or --stdin; nothing was changed"
            ))
        })?;
    let root = edit_root();
    handover::fsutil::remove_stale_dirs(&root, EDIT_DIR_PREFIX);
    // `_held` keeps the next edit from removing this directory while the editor runs.
    let (dir, _held) = handover::fsutil::private_work_dir(&root, EDIT_DIR_PREFIX)?;
    let file = dir.path().join("text.md");
    let result = run_editor(&editor, &file, initial, what);
    let wiped = wipe(&file);
    let text = result?;
    wiped?;
    dir.close()
        .map_err(|e| Error::io("cannot remove the editor's directory", e))?;
    Ok(text)
}

fn run_editor(editor: &str, file: &Path, initial: &str, what: &str) -> Result<String, CliError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .map_err(|e| Error::io(format!("cannot create {}", file.display()), e))?;
    f.write_all(initial.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", file.display()), e))?;
    drop(f);
    // Through the shell, as git runs its editor, so that `EDITOR="code --wait"` works.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg("editor")
        .arg(file)
        .status()
        .map_err(|e| Error::io(format!("cannot start the editor {editor:?}"), e))?;
    if !status.success() {
        return Err(CliError::Failed(format!(
            "the editor {editor:?} failed ({status}); nothing was changed"
        )));
    }
    let bytes = handover::fsutil::read_regular_file(
        file,
        MAX_DOCUMENT_BYTES as u64,
        &format!("the edited {what}"),
    )?;
    utf8(bytes, &format!("edited {what}"))
}

/// Overwrites the file with zeros, then removes it. (Editors may have left backup
/// or swap files beside it; the directory is removed with them.)
fn wipe(file: &Path) -> Result<(), CliError> {
    let Ok(meta) = fs::symlink_metadata(file) else {
        return Ok(());
    };
    if meta.is_file() {
        let zeros = vec![0u8; meta.len() as usize];
        if let Ok(mut f) = OpenOptions::new().write(true).open(file) {
            let _ = f.write_all(&zeros).and_then(|()| f.sync_all());
        }
    }
    fs::remove_file(file)
        .map_err(|e| Error::io(format!("cannot remove {}", file.display()), e).into())
}
