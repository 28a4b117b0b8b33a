//! Foreign and own file formats. Each format reads or writes plain model data; none of
//! them touches the store. Importers are all-or-nothing: they return every entry or an
//! error naming the record number (never its content).

pub mod bundle;
pub mod json;

use crate::error::{Error, Result};
use crate::model::Entry;

/// Options that some importers take (column mapping for spreadsheets).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `(field, column)` pairs from `--map FIELD=COLUMN`.
    pub column_map: Vec<(String, String)>,
}

/// The import formats this build understands, by their command-line name.
pub const IMPORT_FORMATS: &[&str] = &["json"];

/// Parses `data` in `format` into entries, validating every record.
///
/// `source_name` names the input in error messages (a file name, or "stdin").
pub fn import(
    format: &str,
    data: &[u8],
    source_name: &str,
    options: &ImportOptions,
) -> Result<Vec<Entry>> {
    let _ = options;
    match format {
        "json" => json::import(data, source_name),
        other => Err(Error::Invalid(format!(
            "unknown import format {other:?}; use one of: {}",
            IMPORT_FORMATS.join(", ")
        ))),
    }
}
