//! `handover restore`: a signed bundle back from scans of a dossier's data pages.

use handover::workflows::paper::{self, PageReport};

use super::CliError;
use super::args::RestoreArgs;
use super::term::{self, Out, safe};

pub fn restore(a: RestoreArgs, out: &mut Out) -> Result<(), CliError> {
    let RestoreArgs {
        scans,
        output,
        force,
        printing,
        json,
    } = a;
    let restored = paper::restore(&scans, &output, force, printing.as_deref(), &mut progress)?;
    let h = &restored.header;
    if json {
        return out.json(&RestoreReport {
            file: output.display().to_string(),
            signature: restored.signature.display().to_string(),
            printing: &h.printing,
            data_codes: h.data_count,
            parity_codes: h.parity_count,
            recovered: &restored.recovered,
            unread: &restored.unread,
            other_printings: &restored.other_printings,
        });
    }
    if !restored.other_printings.is_empty() {
        eprintln!(
            "Left out, of another printing: {}.",
            safe(&restored.other_printings.join(", "), false)
        );
    }
    if !restored.unread.is_empty() {
        eprintln!(
            "Not read: {}; parity made up for them.",
            restored.unread.join(", ")
        );
    }
    out.line(&format!(
        "Restored printing {} ({} data and {} parity codes) to {} and {}.",
        h.printing,
        h.data_count,
        h.parity_count,
        safe(&output.display().to_string(), false),
        safe(&restored.signature.display().to_string(), false)
    ))?;
    if !restored.recovered.is_empty() {
        out.line(&format!(
            "Recovered from parity: {}.",
            restored.recovered.join(", ")
        ))?;
    }
    out.line(&format!(
        "Next: handover takeover {} --client-key client-key.txt",
        term::shell_word(&output.display().to_string())
    ))
}

/// What `restore --json` prints: the files written and how the codes were read.
#[derive(serde::Serialize)]
struct RestoreReport<'a> {
    file: String,
    signature: String,
    printing: &'a str,
    data_codes: usize,
    parity_codes: usize,
    /// Data codes not read, made up from parity (labels as the pages print them).
    recovered: &'a [String],
    /// Codes not read at all, covered by parity.
    unread: &'a [String],
    /// Pages of other printings in the scans, left out.
    other_printings: &'a [String],
}

/// One line per page as it is read.
fn progress(page: &PageReport) {
    let name = safe(&page.name, false);
    let mut line = match page.codes.as_slice() {
        [] => format!("{name}: no data code"),
        [one] => format!("{name}: 1 code ({})", one.1),
        [first, .., last] => format!(
            "{name}: {} codes ({} … {})",
            page.codes.len(),
            first.1,
            last.1
        ),
    };
    let mut printings: Vec<&str> = page.codes.iter().map(|(p, _)| p.as_str()).collect();
    printings.dedup();
    if !printings.is_empty() {
        line.push_str(&format!(", printing {}", printings.join(", ")));
    }
    if page.unreadable > 0 {
        line.push_str(&format!(
            "; {} more found but not readable",
            page.unreadable
        ));
    }
    eprintln!("{line}");
}
