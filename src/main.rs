//! The `handover` binary: parses arguments, calls the library, prints, maps errors
//! to exit codes. All logic lives in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
