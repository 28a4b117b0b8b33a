//! Command-line front end: clap definitions, turning arguments into library calls,
//! and exit codes. Nothing else in handover parses arguments.

mod args;
mod client_cmds;
mod commands;
mod completions;
mod config_cmds;
mod contact_args;
mod context;
mod decision_cmds;
mod doc_cmds;
mod dossier_cmds;
mod editor;
mod entry_cmds;
mod import_export;
mod kind;
mod knowledge_cmds;
mod network_cmds;
mod restore_cmds;
mod setup_cmds;
mod show;
mod signers_cmds;
mod status_cmds;
mod sync_cmds;
mod system_cmds;
mod takeover_cmds;
mod team_cmds;
mod term;
mod values;
mod vendor_cmds;
mod workflow_cmds;

use std::io;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Exit codes, as documented in `--help`.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Lib(#[from] handover::Error),
    /// Wrong use of the command line that clap cannot see (e.g. no terminal to prompt).
    #[error("{0}")]
    Usage(String),
    /// The command ran, and its answer is "no" (`check` found blocking gaps, `verify`
    /// found a changed vault): exit 1, without calling it an error.
    #[error("{0}")]
    Failed(String),
    #[error("cannot write output: {0}")]
    Io(#[from] io::Error),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::from(EXIT_OK),
        // A reader that stops early (`handover list x | head`) is not an error.
        Err(CliError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
        // Messages can quote names from imported data; they reach the terminal escaped.
        Err(CliError::Failed(message)) => {
            eprintln!("handover: {}", term::safe(&message, true));
            ExitCode::from(EXIT_ERROR)
        }
        Err(e) => {
            eprintln!("handover: error: {}", term::safe(&e.to_string(), true));
            ExitCode::from(match e {
                CliError::Usage(_) => EXIT_USAGE,
                _ => EXIT_ERROR,
            })
        }
    }
}
