//! Exporting a client's entries to a file in another tool's format.

use std::path::Path;

use crate::error::{Error, Result};
use crate::formats;
use crate::fsutil;
use crate::model::ClientId;
use crate::workflows::Handover;

/// What an export wrote, and what the format could not hold (never secret values).
#[derive(Debug)]
pub struct ExportReport {
    pub entries: usize,
    pub warnings: Vec<String>,
}

/// Writes `id`'s entries in `format` to `out`: 0600, atomically (a crash leaves no
/// half-written file), and only over an existing file if `force`.
pub fn export(
    h: &Handover,
    id: &ClientId,
    format: &str,
    out: &Path,
    force: bool,
) -> Result<ExportReport> {
    if !formats::EXPORT_FORMATS.contains(&format) {
        return Err(Error::Invalid(format!(
            "unknown export format {format:?}; use one of: {}",
            formats::EXPORT_FORMATS.join(", ")
        )));
    }
    fsutil::refuse_existing(out, force)?;
    let client = h.load(id)?;
    let exported = formats::export(format, &client)?;
    fsutil::write_output(out, &exported.bytes, force)?;
    Ok(ExportReport {
        entries: client.entries.len(),
        warnings: exported.warnings,
    })
}
