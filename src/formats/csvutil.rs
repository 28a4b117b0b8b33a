//! Shared CSV reading for every CSV-based importer: text encoding and separator
//! detection, and a table of cells with record and line numbers for error messages.

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Field, Secret};

/// How the bytes of a CSV file are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 only (password-manager exports always are); anything else is refused.
    Utf8,
    /// UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252 — what
    /// spreadsheet programs save.
    Detect,
}

/// Decodes `data`, dropping a byte-order mark. Returns the text and the name of the
/// encoding found.
pub fn decode(
    data: &[u8],
    encoding: Encoding,
    source_name: &str,
) -> Result<(Zeroizing<String>, &'static str)> {
    let fail = |reason: String| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason,
    };
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(data) {
        if enc == encoding_rs::UTF_8 {
            return utf8(&data[bom_len..], source_name).map(|t| (t, "UTF-8"));
        }
        if encoding == Encoding::Detect {
            let (text, had_errors) = enc.decode_without_bom_handling(&data[bom_len..]);
            if had_errors {
                return Err(fail(format!("it is not valid {} text", enc.name())));
            }
            return Ok((Zeroizing::new(text.into_owned()), enc.name()));
        }
    }
    match std::str::from_utf8(data) {
        Ok(text) => Ok((Zeroizing::new(text.to_owned()), "UTF-8")),
        Err(e) if encoding == Encoding::Utf8 => Err(fail(format!(
            "it is not UTF-8 (invalid byte on line {}); export it again from the password manager",
            line_of(data, e.valid_up_to())
        ))),
        Err(e) => {
            // Not UTF-8. If it nevertheless holds UTF-8 multi-byte sequences, it is a
            // damaged or mixed file, and guessing would corrupt every umlaut.
            if has_utf8_multibyte(data) {
                return Err(fail(format!(
                    "it mixes UTF-8 with another encoding (invalid UTF-8 byte on line {}); save it again as \"CSV UTF-8\"",
                    line_of(data, e.valid_up_to())
                )));
            }
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(data);
            Ok((Zeroizing::new(text.into_owned()), "Windows-1252"))
        }
    }
}

fn utf8(data: &[u8], source_name: &str) -> Result<Zeroizing<String>> {
    std::str::from_utf8(data)
        .map(|t| Zeroizing::new(t.to_owned()))
        .map_err(|e| Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: format!(
                "it starts with a UTF-8 byte-order mark but is not UTF-8 (invalid byte on line {})",
                line_of(data, e.valid_up_to())
            ),
        })
}

fn has_utf8_multibyte(data: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < data.len() {
        let b = data[i];
        let need = match b {
            0xC2..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF4 => 3,
            _ => 0,
        };
        if need > 0
            && i + need < data.len()
            && data[i + 1..=i + need]
                .iter()
                .all(|c| (0x80..0xC0).contains(c))
            && std::str::from_utf8(&data[i..=i + need]).is_ok()
        {
            return true;
        }
        i += 1;
    }
    false
}

/// The 1-based line number of byte `offset`.
pub fn line_of(data: &[u8], offset: usize) -> usize {
    data[..offset.min(data.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Picks `,`, `;` or tab: whichever occurs most often outside quotes on the first
/// line (the header). A single-column file gets `,`.
pub fn detect_separator(text: &str) -> u8 {
    let (mut comma, mut semi, mut tab) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => comma += 1,
            ';' if !quoted => semi += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > comma && tab > semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// One data row: its record number (1-based, the header not counted), the line it
/// starts on, and its cells padded to the header's width.
pub struct Row {
    pub record: usize,
    pub line: u64,
    pub cells: Vec<Zeroizing<String>>,
}

impl Row {
    pub fn get(&self, column: Option<usize>) -> Option<&str> {
        column
            .and_then(|c| self.cells.get(c))
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }
}

pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The index of the first header equal to one of `names`, ignoring case, spaces,
    /// `-` and `_`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            let want = normalize_header(name);
            self.headers
                .iter()
                .position(|h| normalize_header(h) == want)
        })
    }
}

impl Table {
    /// The non-empty cells of `row` in columns not listed in `known`, as plain
    /// custom fields named by their headers (columns a format does not define).
    pub fn other_columns(&self, row: &Row, known: &[Option<usize>]) -> Vec<Field> {
        self.headers
            .iter()
            .enumerate()
            .filter(|(i, header)| !known.contains(&Some(*i)) && !header.is_empty())
            .filter_map(|(i, header)| {
                row.get(Some(i)).map(|v| Field {
                    name: header.clone(),
                    value: Secret::from(v),
                    secret: false,
                })
            })
            .collect()
    }
}

/// Header comparison key: lower case, without spaces, `-`, `_` and `.`.
pub fn normalize_header(h: &str) -> String {
    h.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a CSV file's writer guarantees about its rows. CSV has no end marker, so
/// these promises are all there is to tell a whole file from one that was cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// A row ended by a line break may leave out trailing empty cells (spreadsheet
    /// programs and hand-edited files do); it is padded. Without this, every row with
    /// fewer cells than the header is refused: a password manager writes every column.
    pub pad_short_rows: bool,
    /// The writer ends the file with a line break or a quoted cell, so a file ending
    /// in an unquoted cell (or a separator) was cut off: the last value may be
    /// incomplete and nothing else can tell.
    pub ends_with_break_or_quote: bool,
}

impl Layout {
    /// A password manager's export: every row complete, every line ended.
    pub const EXPORT: Layout = Layout {
        pad_short_rows: false,
        ends_with_break_or_quote: true,
    };
}

/// Reads a CSV text whose first record is the header. Rows longer than the header
/// are refused unless the extra cells are empty; shorter rows are refused or padded as
/// `layout` says, except the last one if the file ends inside it (a cut-off file);
/// rows whose cells are all empty are skipped (spreadsheets add them) but still counted.
pub fn read_table(text: &str, separator: u8, source_name: &str, layout: Layout) -> Result<Table> {
    let scan = scan_quotes(text, separator);
    if let Some(line) = scan.unclosed {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: format!(
                "a quoted cell starting on line {line} is never closed (is the file cut off?)"
            ),
        });
    }
    let ends_with_break = text.ends_with(['\n', '\r']);
    if layout.ends_with_break_or_quote && !ends_with_break && !scan.ends_with_quote {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: format!(
                "it ends on line {} inside an unquoted cell, without a line break: the file looks cut off, so its last value may be incomplete; export it again (if it is complete, end it with a line break)",
                line_of(text.as_bytes(), text.len())
            ),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let header_ok = reader
        .read_record(&mut record)
        .map_err(|e| csv_error(&e, source_name, 0))?;
    if !header_ok {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: "it is empty (no header row)".into(),
        });
    }
    let headers: Vec<String> = record.iter().map(|h| h.trim().to_owned()).collect();
    let mut rows = Vec::new();
    let mut number = 0;
    // The last record, if it has fewer cells than the header: (number, line, cells).
    let mut last_short = None;
    loop {
        number += 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&e, source_name, number)),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let blank = record.iter().all(|c| c.trim().is_empty());
        if record.len() > headers.len() && record.iter().skip(headers.len()).any(|c| !c.is_empty())
        {
            return Err(Error::Import {
                source_name: source_name.to_owned(),
                record: number,
                reason: format!(
                    "line {line} has {} cells but the header has {} columns (a missing quote or separator?)",
                    record.len(),
                    headers.len()
                ),
            });
        }
        last_short = (record.len() < headers.len()).then_some((number, line, record.len()));
        if last_short.is_some() && !layout.pad_short_rows && !blank {
            return Err(Error::Import {
                source_name: source_name.to_owned(),
                record: number,
                reason: format!(
                    "line {line} has {} cells but the header has {} columns (is the file cut off, or a separator missing?)",
                    record.len(),
                    headers.len()
                ),
            });
        }
        if blank {
            continue;
        }
        let mut cells: Vec<Zeroizing<String>> = record
            .iter()
            .take(headers.len())
            .map(|c| Zeroizing::new(c.to_owned()))
            .collect();
        cells.resize_with(headers.len(), || Zeroizing::new(String::new()));
        rows.push(Row {
            record: number,
            line,
            cells,
        });
    }
    // The csv crate's buffers held cell text; clear what we can reach.
    record.clear();
    if number == 1 && !ends_with_break {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: "it ends inside its header row, without a line break: it is cut off; export it again".into(),
        });
    }
    // A short last row that no line break ends is where the file was cut (right after
    // a closing quote or a separator): the rest of that row, and maybe more, is lost.
    if let Some((number, line, cells)) = last_short.filter(|_| !ends_with_break) {
        return Err(Error::Import {
            source_name: source_name.to_owned(),
            record: number,
            reason: format!(
                "the file ends on line {line} in the middle of this row ({cells} of the header's {} cells): it is cut off; export it again",
                headers.len()
            ),
        });
    }
    Ok(Table { headers, rows })
}

/// What [`scan_quotes`] found.
struct QuoteScan {
    /// The line of a quoted cell that is still open at the end of the text. The csv
    /// crate silently ends such a cell, which would import a truncated file as whole.
    unclosed: Option<usize>,
    /// The text's last character closes a quoted cell.
    ends_with_quote: bool,
}

fn scan_quotes(text: &str, separator: u8) -> QuoteScan {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let sep = separator as char;
    let mut state = State::FieldStart;
    let mut line = 1;
    let mut opened_on = 1;
    for c in text.chars() {
        state = match (state, c) {
            (State::FieldStart, '"') => {
                opened_on = line;
                State::Quoted
            }
            (State::Quoted, '"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, '"') => State::Quoted,
            (_, c) if c == sep || c == '\n' || c == '\r' => State::FieldStart,
            _ => State::Unquoted,
        };
        if c == '\n' {
            line += 1;
        }
    }
    QuoteScan {
        unclosed: (state == State::Quoted).then_some(opened_on),
        ends_with_quote: state == State::QuoteInQuoted,
    }
}

fn csv_error(e: &csv::Error, source_name: &str, record: usize) -> Error {
    // csv's own messages can quote data; only the position is reported.
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let reason = format!("it is not readable CSV near line {line}");
    if record == 0 {
        Error::ImportFile {
            source_name: source_name.to_owned(),
            reason,
        }
    } else {
        Error::Import {
            source_name: source_name.to_owned(),
            record,
            reason,
        }
    }
}

/// The standard import error for one CSV row.
pub fn row_error(source_name: &str, row: &Row, reason: impl Into<String>) -> Error {
    Error::Import {
        source_name: source_name.to_owned(),
        record: row.record,
        reason: format!("line {}: {}", row.line, reason.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAD: Layout = Layout {
        pad_short_rows: true,
        ends_with_break_or_quote: true,
    };

    #[test]
    fn encodings() {
        let (t, e) = decode(b"\xef\xbb\xbfa;\xc3\xa4", Encoding::Detect, "t").unwrap();
        assert_eq!((t.as_str(), e), ("a;ä", "UTF-8"));
        let (t, e) = decode(b"a;R\xf6-ter", Encoding::Detect, "t").unwrap();
        assert_eq!((t.as_str(), e), ("a;Rö-ter", "Windows-1252"));
        let (t, _) = decode(b"\x80", Encoding::Detect, "t").unwrap();
        assert_eq!(t.as_str(), "€");
        assert!(decode(b"a;R\xf6-ter", Encoding::Utf8, "t").is_err());
        // UTF-8 umlaut plus a stray Latin-1 byte: refused rather than guessed.
        let err = decode(b"\xc3\xa4\n\xf6", Encoding::Detect, "t")
            .err()
            .unwrap();
        assert!(err.to_string().contains("line 2"), "{err}");
        let (t, _) = decode(b"\xff\xfea\x00;\x00", Encoding::Detect, "t").unwrap();
        assert_eq!(t.as_str(), "a;");
    }

    #[test]
    fn separators() {
        assert_eq!(detect_separator("a;b;c\n1,2;3"), b';');
        assert_eq!(detect_separator("a,b\n"), b',');
        assert_eq!(detect_separator("a\tb\tc"), b'\t');
        assert_eq!(detect_separator("\"a;b;c\",d\n"), b',');
        assert_eq!(detect_separator("single"), b',');
    }

    #[test]
    fn table_rows() {
        let t = read_table("a,b\r\n1,\"x\r\ny\"\r\n,\r\n\"q\"\"\",\r\n", b',', "t", PAD).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells[1].as_str(), "x\r\ny");
        assert_eq!(t.rows[1].record, 3);
        assert_eq!(t.rows[1].cells[0].as_str(), "q\"");
        let err = read_table("a,b\n1,2\n1,2,secret\n", b',', "t", PAD)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("record 2") && !err.contains("secret"), "{err}");
        assert_eq!(t.column(&["B"]), Some(1));
        let err = read_table("a,b\n1,\"x\n\n", b',', "t", PAD)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("never closed"),
            "{err}"
        );
        assert!(read_table("a,b\n1,x\"y\n\"\"\"\",\"\"\n", b',', "t", PAD).is_ok());
    }

    fn err(text: &str, layout: Layout) -> String {
        match read_table(text, b',', "t", layout) {
            Ok(t) => panic!("{text:?} was read as {} rows", t.rows.len()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn short_rows_are_refused_unless_the_layout_pads_them() {
        let text = "a,b,c\n1,2\n\"x\",\"y\",\"z\"\n";
        let e = err(text, Layout::EXPORT);
        assert!(
            e.contains("record 1") && e.contains("line 2") && e.contains("2 cells"),
            "{e}"
        );
        let t = read_table(text, b',', "t", PAD).unwrap();
        assert_eq!(t.rows[0].cells[2].as_str(), "");
        // A blank row (spreadsheets add them) is skipped even when it is short.
        assert_eq!(
            read_table("a,b,c\n,\n1,2,3\n", b',', "t", Layout::EXPORT)
                .unwrap()
                .rows
                .len(),
            1
        );
    }

    #[test]
    fn a_file_cut_inside_a_row_is_refused() {
        // Cut right after a closing quote: every quote is closed, the row is short.
        for layout in [Layout::EXPORT, PAD] {
            let e = err("a,b,c\n\"1\",\"2\",\"3\"\n\"4\",\"sec\"", layout);
            assert!(
                e.contains("record 2") && e.contains("cut off") && !e.contains("sec"),
                "{e}"
            );
            // Cut after a separator, the row's first cells empty: still not skipped.
            let e = err("a,b,c\n\"1\",\"2\",\"3\"\n,", layout);
            assert!(e.contains("cut off"), "{e}");
        }
        // Cut inside an unquoted cell (or after a separator) of a full-width row.
        let e = err("a,b\n1,secr", PAD);
        assert!(
            e.contains("line 2") && e.contains("cut off") && !e.contains("secr"),
            "{e}"
        );
        assert!(err("a,b\n1,2\n3,", Layout::EXPORT).contains("unquoted cell"));
        // Whole files: ended by a line break, or by a quoted cell.
        for text in ["a,b\n1,2\n", "a,b\r\n1,2\r", "a,b\n1,\"2\""] {
            assert!(read_table(text, b',', "t", PAD).is_ok(), "{text:?}");
        }
        // Even a lone header: it may be the first bytes of a longer one.
        assert!(err("a,b", PAD).contains("cut off"));
        assert!(err("\"a\",\"b\"", Layout::EXPORT).contains("header row"));
        assert!(read_table("\"a\",\"b\"\n", b',', "t", Layout::EXPORT).is_ok());
        // A layout without the end promise takes the unquoted end as it is.
        let loose = Layout {
            ends_with_break_or_quote: false,
            ..Layout::EXPORT
        };
        assert!(read_table("a,b\n1,2", b',', "t", loose).is_ok());
        assert!(err("a,b\n1", loose).contains("cut off"));
    }
}
