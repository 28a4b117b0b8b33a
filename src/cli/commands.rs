//! Turns parsed arguments into library calls: `run` finds the store and the identity,
//! `dispatch` routes each command to the module of its group. The helpers the command
//! modules share are in `context`.
//!
//! Where a command lives: `add`, `edit`, `show`, `list`, `remove`, `move`, `totp` and
//! `rotate` in `entry_cmds`; `client …` and `recipients` in `client_cmds`; `import`
//! and `export` in `import_export`; `dossier` and `verify` in `dossier_cmds`;
//! `system`, `network`, `vendor`, `doc` and `decision` in `system_cmds`,
//! `network_cmds`, `vendor_cmds`, `doc_cmds`, `decision_cmds`; `link` and `unlink` in
//! `knowledge_cmds`; `sign` and `signers` in `signers_cmds`; `log`, `check` and
//! `offboard` in `workflow_cmds`; `takeover` in `takeover_cmds`; `init`, `demo` and `generate` in `setup_cmds`; `restore` in `restore_cmds`;
//! `completions` and `man` in `completions`.

use super::CliError;
use super::args::{Cli, Command};
use super::context::{Paths, default_dir};
use super::term::Out;
use super::{
    client_cmds, completions, config_cmds, decision_cmds, doc_cmds, dossier_cmds, entry_cmds,
    import_export, knowledge_cmds, network_cmds, restore_cmds, setup_cmds, signers_cmds,
    status_cmds, sync_cmds, system_cmds, takeover_cmds, team_cmds, vendor_cmds, workflow_cmds,
};

pub fn run(cli: Cli) -> Result<(), CliError> {
    let store_dir = match cli.store.clone() {
        Some(dir) => dir,
        None => default_dir("XDG_DATA_HOME", ".local/share")?.join("handover"),
    };
    let identity_file = match cli.identity.clone() {
        Some(file) => file,
        None => default_dir("XDG_CONFIG_HOME", ".config")?
            .join("handover")
            .join("identity.txt"),
    };
    let mut out = Out::new();
    let paths = Paths {
        store_dir: &store_dir,
        identity_file: &identity_file,
    };
    let result = dispatch(cli.command, &paths, &mut out);
    out.flush()?;
    result
}

fn dispatch(command: Command, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    match command {
        Command::Init(a) => setup_cmds::init(a, paths, out),
        Command::Demo(a) => setup_cmds::demo(a, out),
        Command::Generate(a) => setup_cmds::generate(a, out),
        Command::Sign(a) => signers_cmds::sign(a, paths, out),
        Command::Signers { action } => {
            signers_cmds::signers_command(paths.store_dir, paths.identity_file, action, out)
        }
        Command::Client(cmd) => client_cmds::client(cmd, &paths.open()?, out),
        Command::Recipients(a) => client_cmds::recipients(a, paths, out),
        Command::Add(a) => entry_cmds::add(a, paths),
        Command::Edit(a) => entry_cmds::edit(a, paths),
        Command::Show(a) => entry_cmds::show(a, paths, out),
        Command::List(a) => entry_cmds::list(a, paths, out),
        Command::Remove(a) => entry_cmds::remove(a, paths),
        Command::Move(a) => entry_cmds::rename(a, paths),
        Command::Totp(a) => entry_cmds::totp(a, paths, out),
        Command::Rotate(a) => entry_cmds::rotate(a, paths, out),
        Command::Import(a) => import_export::import(a, paths, out),
        Command::Export(a) => import_export::export(a, paths, out),
        Command::Dossier(a) => dossier_cmds::dossier(a, paths, out),
        Command::Verify(a) => dossier_cmds::verify(a, paths, out),
        Command::Log(a) => workflow_cmds::log(a, paths, out),
        Command::Check(a) => workflow_cmds::check(a, paths, out),
        Command::Offboard(a) => workflow_cmds::offboard(a, paths, out),
        Command::Takeover(a) => takeover_cmds::takeover(a, paths, out),
        Command::System(cmd) => system_cmds::system(cmd, &paths.open()?, out),
        Command::Network(cmd) => network_cmds::network(cmd, &paths.open()?, out),
        Command::Vendor(cmd) => vendor_cmds::vendor(cmd, &paths.open()?, out),
        Command::Doc(cmd) => doc_cmds::doc(cmd, &paths.open()?, out),
        Command::Decision(cmd) => decision_cmds::decision(cmd, &paths.open()?, out),
        Command::Link(a) => {
            knowledge_cmds::link(&paths.open()?, &a.client, &a.path, a.target, true)
        }
        Command::Unlink(a) => {
            knowledge_cmds::link(&paths.open()?, &a.client, &a.path, a.target, false)
        }
        Command::Sync { action, json } => sync_cmds::sync(action, json, paths, out),
        Command::Team(action) => team_cmds::team(action, paths, out),
        Command::Textconv { file } => sync_cmds::textconv(&file, paths, out),
        Command::Restore(a) => restore_cmds::restore(a, out),
        Command::Config(cmd) => config_cmds::config(cmd, paths.store_dir, out),
        Command::Status(a) => status_cmds::status(a, paths, out),
        Command::Due(a) => status_cmds::due(a, paths, out),
        Command::Search(a) => status_cmds::search(a, paths, out),
        Command::Completions(a) => completions::completions(a, out),
        Command::Man(a) => completions::man(a, out),
    }
}
