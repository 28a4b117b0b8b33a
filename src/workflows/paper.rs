//! Data pages: the bundle a dossier prints as QR codes, and `restore`, which reads it
//! back from scans of the pages and writes it as `export --format bundle` would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dossier::DataPages;
use crate::error::{Error, Result};
use crate::formats::bundle;
use crate::fsutil;
use crate::keys::Recipient;
use crate::model::Client;
use crate::paper::{self, Code, Found, Header, Kind, Shortfall, scan};

use super::Handover;

/// The largest scan file read: a 600-dpi colour PDF of many pages stays well under.
pub const MAX_SCAN_BYTES: u64 = 512 * 1024 * 1024;

/// The bundle the data pages of `client`'s dossier carry: its vault JSON, compressed,
/// encrypted to every recipient of the vault (the client key and you), and signed as
/// `export --format bundle` signs.
pub fn data_pages(h: &Handover, client: &Client) -> Result<DataPages> {
    let recipients = client
        .recipients
        .iter()
        .map(|r| Recipient::parse(r))
        .collect::<Result<Vec<_>>>()?;
    let bundle = bundle::write_compressed(client, &recipients)?;
    let signature = h
        .signing_key()?
        .sign(crate::keys::signing::BUNDLE_NAMESPACE, &bundle)?;
    Ok(DataPages { bundle, signature })
}

/// What one scanned page held, as `restore` reports it while it reads.
#[derive(Debug)]
pub struct PageReport {
    /// "scan.pdf, page 3" or "scan-03.png".
    pub name: String,
    /// The data codes' printing ids and labels read on it.
    pub codes: Vec<(String, String)>,
    /// Codes found but not read.
    pub unreadable: usize,
}

/// What `restore` did.
#[derive(Debug)]
pub struct Restored {
    pub header: Header,
    /// Data codes not read, recovered from parity (labels).
    pub recovered: Vec<String>,
    /// Codes not read at all (labels), covered by parity.
    pub unread: Vec<String>,
    /// Pages of other printings, left out.
    pub other_printings: Vec<String>,
    pub signature: PathBuf,
}

/// Reads the data pages in `scans` (PNG, JPEG, TIFF, or PDFs of scans, in any order,
/// with duplicates and unrelated pages), puts the bundle back together, and writes it
/// to `out` with its signature beside it (`out.sig`). Nothing is written unless the
/// bundle comes back whole and matches the hash its codes carry. `progress` hears of
/// each page as it is read.
pub fn restore(
    scans: &[PathBuf],
    out: &Path,
    force: bool,
    printing: Option<&str>,
    progress: &mut dyn FnMut(&PageReport),
) -> Result<Restored> {
    let sig_path = crate::store::sig_path(out);
    fsutil::refuse_existing(out, force)?;
    fsutil::refuse_existing(&sig_path, force)?;
    let mut printings: BTreeMap<String, (Header, Found, Vec<String>)> = BTreeMap::new();
    for file in scans {
        read_file(file, &mut printings, progress)?;
    }
    let (header, found, other_printings) = choose(printings, printing)?;
    let assembled = paper::assemble(&header, &found).map_err(|s| shortfall(&header, s))?;
    let unread = missing(&header, &found).iter().map(label).collect();
    let recovered = assembled
        .recovered
        .iter()
        .map(|i| label(&(Kind::Data, *i)))
        .collect();
    super::write_then(out, &assembled.bundle, force, || {
        fsutil::write_output(&sig_path, &assembled.signature, force)
    })?;
    Ok(Restored {
        header,
        recovered,
        unread,
        other_printings,
        signature: sig_path,
    })
}

/// Reads every page of `file` into `printings` (by printing id: its header, its codes,
/// and the pages they were on).
fn read_file(
    file: &Path,
    printings: &mut BTreeMap<String, (Header, Found, Vec<String>)>,
    progress: &mut dyn FnMut(&PageReport),
) -> Result<()> {
    let name = file.display().to_string();
    let bytes = fsutil::read_regular_file(file, MAX_SCAN_BYTES, "the scan")?;
    let pages = scan::pages(&name, &bytes).map_err(|reason| {
        Error::Invalid(format!(
            "cannot read the scan {name}: {reason}; nothing was written"
        ))
    })?;
    for page in pages {
        let read = scan::decode_page(&page.image);
        let mut report = PageReport {
            name: page.name.clone(),
            codes: Vec::new(),
            unreadable: read.unreadable,
        };
        for code in read.texts.iter().filter_map(|t| Code::parse(t)) {
            let id = code.header.printing.clone();
            report.codes.push((id.clone(), code.label()));
            let entry = printings
                .entry(id)
                .or_insert_with(|| (code.header.clone(), Found::new(), Vec::new()));
            if entry.0 != code.header {
                // Same id, other numbers: a damaged or forged code; never mixed in.
                continue;
            }
            if !entry.2.contains(&page.name) {
                entry.2.push(page.name.clone());
            }
            entry.1.insert((code.kind, code.index), code.chunk);
        }
        progress(&report);
    }
    Ok(())
}

/// The printing to restore: the one asked for, or the only one, or the only one that
/// is complete; and the pages of the others, named.
fn choose(
    mut printings: BTreeMap<String, (Header, Found, Vec<String>)>,
    asked: Option<&str>,
) -> Result<(Header, Found, Vec<String>)> {
    let id = match asked {
        Some(id) => id.to_owned(),
        None => {
            let complete: Vec<&String> = printings
                .iter()
                .filter(|(_, (h, f, _))| paper::assemble(h, f).is_ok())
                .map(|(id, _)| id)
                .collect();
            match (printings.len(), complete.as_slice()) {
                (0, _) => return Err(Error::Invalid(
                    "no data page of a handover dossier was found in the scans (no QR code starting HO1:); scan the data pages at the end of the dossier at 300 dpi; nothing was written".into(),
                )),
                (1, _) => printings.keys().next().cloned().unwrap_or_default(),
                (_, [one]) => (*one).clone(),
                _ => return Err(Error::Invalid(format!(
                    "the scans hold data pages of {} printings: {}; scan only the pages of one printing, or choose one with --printing ID; nothing was written",
                    printings.len(),
                    describe(&printings)
                ))),
            }
        }
    };
    let Some((header, found, _)) = printings.remove(&id) else {
        return Err(Error::Invalid(format!(
            "no data page of printing {id} is among the scans (found: {}); nothing was written",
            describe(&printings)
        )));
    };
    let others = printings
        .into_values()
        .flat_map(|(_, _, pages)| pages)
        .collect();
    Ok((header, found, others))
}

fn describe(printings: &BTreeMap<String, (Header, Found, Vec<String>)>) -> String {
    printings
        .iter()
        .map(|(id, (_, _, pages))| format!("{id} on {}", pages.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn missing(header: &Header, found: &Found) -> Vec<(Kind, usize)> {
    (1..=header.data_count)
        .map(|i| (Kind::Data, i))
        .chain((1..=header.parity_count).map(|i| (Kind::Parity, i)))
        .filter(|k| !found.contains_key(k))
        .collect()
}

fn label((kind, index): &(Kind, usize)) -> String {
    format!("{} {index:04}", kind.letter())
}

/// The error when the codes read do not make up the bundle: which pages to scan again.
fn shortfall(header: &Header, s: Shortfall) -> Error {
    match s {
        Shortfall::Missing { missing, more } => {
            let mut pages: Vec<usize> = missing
                .iter()
                .map(|(k, i)| header.page_of(*k, *i))
                .collect();
            pages.dedup();
            let pages: Vec<String> = pages.iter().map(usize::to_string).collect();
            Error::Invalid(format!(
                "cannot restore printing {}: {} of its {} codes were not read ({}), {more} more than parity can make up; scan data pages {} of {} again (clean, flat, 300 dpi) and run restore with all scans; nothing was written",
                header.printing,
                missing.len(),
                header.data_count + header.parity_count,
                missing.iter().map(label).collect::<Vec<_>>().join(", "),
                pages.join(", "),
                header.page_count()
            ))
        }
        Shortfall::Mismatch => Error::Invalid(format!(
            "the codes of printing {} do not make up the bundle they describe (its hash differs): a code was misread or the pages were tampered with; scan the pages again; nothing was written",
            header.printing
        )),
    }
}
