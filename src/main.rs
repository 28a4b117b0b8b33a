//! The `handover` binary: parses arguments, calls the library, prints, maps errors
//! to exit codes. All logic lives in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Before anything reads an identity: a core dump must never carry a key.
    if let Err(e) = handover::process::harden_process() {
        eprintln!("handover: error: {e}");
        return ExitCode::from(cli::EXIT_ERROR);
    }
    handover::process::return_large_allocations();
    cli::main()
}
