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
    } = a;
    let restored = paper::restore(&scans, &output, force, printing.as_deref(), &mut progress)?;
    let h = &restored.header;
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
