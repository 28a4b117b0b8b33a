//! `handover completions SHELL` and `handover man`: the shell completion scripts and
//! the manual pages, both generated from the clap grammar in `args`, so that they
//! never fall behind the commands.

use std::path::Path;

use clap::CommandFactory;

use super::CliError;
use super::args::{Cli, CompletionsArgs, ManArgs, ShellArg};
use super::term::Out;

pub fn completions(a: CompletionsArgs, out: &mut Out) -> Result<(), CliError> {
    let shell = match a.shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
    };
    let mut cmd = grammar();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "handover", &mut script);
    print_text(script, out)
}

pub fn man(a: ManArgs, out: &mut Out) -> Result<(), CliError> {
    let root = grammar();
    if let Some(dir) = a.dir {
        let written = write_pages(&root, &dir)?;
        eprintln!("Wrote {written} manual pages to {}.", dir.display());
        return Ok(());
    }
    let mut page = root;
    for name in &a.command {
        page = subcommand(&page, name)?;
    }
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff)?;
    print_text(roff, out)
}

/// The grammar, built (so that subcommands carry their full names, `handover-client-new`)
/// and without clap's `help` subcommands, which would otherwise get pages of their own.
fn grammar() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The subcommand `name` of `parent`, or an error listing the ones there are.
fn subcommand(parent: &clap::Command, name: &str) -> Result<clap::Command, CliError> {
    let visible = || parent.get_subcommands().filter(|c| !c.is_hide_set());
    if let Some(found) = visible().find(|c| c.get_name() == name) {
        return Ok(found.clone());
    }
    let parent_name = parent.get_bin_name().unwrap_or(parent.get_name());
    let names: Vec<&str> = visible().map(|c| c.get_name()).collect();
    Err(CliError::Usage(if names.is_empty() {
        format!("`{parent_name}` has no subcommands, so there is no page for {name:?}")
    } else {
        format!(
            "`{parent_name}` has no command {name:?}; its commands are: {}",
            names.join(", ")
        )
    }))
}

/// Writes the page of `cmd` and of every visible subcommand below it into `dir`;
/// returns how many.
fn write_pages(cmd: &clap::Command, dir: &Path) -> Result<usize, CliError> {
    let man = clap_mangen::Man::new(cmd.clone());
    let file = dir.join(man.get_filename());
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    std::fs::write(&file, roff)
        .map_err(|e| handover::Error::io(format!("cannot write {}", file.display()), e))?;
    let mut written = 1;
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        written += write_pages(sub, dir)?;
    }
    Ok(written)
}

/// Generated text (always UTF-8: it is made from our own help texts) on stdout.
fn print_text(bytes: Vec<u8>, out: &mut Out) -> Result<(), CliError> {
    let text = String::from_utf8(bytes).map_err(|e| CliError::Io(std::io::Error::other(e)))?;
    out.line(text.trim_end_matches('\n'))
}
