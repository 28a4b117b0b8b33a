//! The command-line grammar.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use handover::model::{Category, Charset, Criticality, DocumentKind, Kind};
use handover::workflows::{entries, knowledge};

use super::values::{DateParser, FormatParser, OneOf, one_of};

const AFTER_HELP: &str = "\
Secrets are never taken from arguments or environment variables: they are asked for
on the terminal without echo, or read from stdin with --password-stdin or
--secret-field-stdin NAME.

Exit codes: 0 success, 1 error (nothing was changed), 2 usage error.";

#[derive(Parser, Debug)]
#[command(
    name = "handover",
    version,
    about = "Per-client encrypted credential vaults and complete handover dossiers for IT providers",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Store directory [default: $XDG_DATA_HOME/handover or ~/.local/share/handover]
    #[arg(long, global = true, env = "HANDOVER_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// Your age identity file [default: $XDG_CONFIG_HOME/handover/identity.txt]
    #[arg(long, global = true, env = "HANDOVER_IDENTITY", value_name = "FILE")]
    pub identity: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// `defer`: each subcommand's arguments are defined only when it runs (or help,
/// completions or man pages ask for them), not all of them for every command (1.1 M
/// instructions, a fortieth of a dossier).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Create the store and, if missing, your age identity; print your recipient
    Init(InitArgs),
    /// Create, list, show, edit and remove clients
    #[command(subcommand)]
    Client(ClientCommand),
    /// Review and sign a store's unsigned vaults (stores from before signed vaults)
    Sign(SignArgs),
    /// List, add, remove or pin the keys trusted to sign this store's vaults
    Signers {
        #[command(subcommand)]
        action: Option<SignersAction>,
    },
    /// Add an entry (a credential or a note) to a client
    Add(AddArgs),
    /// Show one entry (secrets masked unless --reveal)
    Show(ShowArgs),
    /// List a client's entries (never shows secrets)
    List(ListArgs),
    /// Change an entry
    Edit(EditArgs),
    /// Remove an entry
    Remove(RemoveArgs),
    /// Move (rename) an entry to another path
    Move(MoveArgs),
    /// Print a new random password
    Generate(GenerateArgs),
    /// Print the current TOTP code of an entry
    Totp(TotpArgs),
    /// List, add or remove the age recipients a client's vault is encrypted to
    Recipients(RecipientsArgs),
    /// Write the printable handover dossier (PDF) of a client
    Dossier(DossierArgs),
    /// Say whether the vault still matches a printed dossier (exit 0) or has changed (exit 1)
    Verify(VerifyArgs),
    /// Create a demo store with a fictional client in DIR and write its dossiers there
    Demo(DemoArgs),
    /// Show a client's history (what changed when; never secret values)
    Log(LogArgs),
    /// Report everything that would leave a successor stuck (exit 1 if anything is blocking)
    Check(CheckArgs),
    /// Set a new password for an entry and record the rotation
    Rotate(RotateArgs),
    /// Hand a client over to a successor provider and remove it from your store
    Offboard(OffboardArgs),
    /// Take a client over from another provider: its signed bundle into your store
    Takeover(TakeoverArgs),
    /// Import entries into a client (all or nothing)
    Import(ImportArgs),
    /// Export a client's entries to a file (secrets in plain text: keep it safe)
    Export(ExportArgs),
    /// Add, change, list, show and remove a client's systems (servers, firewalls, lines…)
    #[command(subcommand)]
    System(SystemCommand),
    /// Add, change, list, show and remove a client's networks
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Add, change, list, show and remove a client's vendors and their contracts
    #[command(subcommand)]
    Vendor(VendorCommand),
    /// Add, change, list, show and remove a client's documents (Markdown pages)
    #[command(subcommand)]
    Doc(DocCommand),
    /// Record, change, list, show and remove a client's decisions (the decision log)
    #[command(subcommand)]
    Decision(DecisionCommand),
    /// Link an entry to the system it logs into or the vendor it belongs to
    Link(LinkCmdArgs),
    /// Undo `handover link`
    Unlink(LinkCmdArgs),
    /// Restore a client's signed bundle from scans of its dossier's data pages
    Restore(RestoreArgs),
    /// Share the store over git: pull, merge entry by entry, push (`sync init` first)
    Sync {
        #[command(subcommand)]
        action: Option<SyncAction>,
        /// Print what the sync took, merged, refused and pushed as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Add, remove or list the team members who share this store
    #[command(subcommand)]
    Team(TeamAction),
    /// Print a vault for `git diff` (names and digests of values, never a value)
    #[command(hide = true)]
    Textconv {
        /// The vault file git hands over
        file: PathBuf,
    },
    /// Show and change the store's settings (your e-mail domains, your name and
    /// address for the dossier)
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Every client at a glance: findings, dossier, next deadline; what needs
    /// attention first
    Status(StatusArgs),
    /// Every deadline across clients by date (contracts, warranties, expiry)
    Due(DueArgs),
    /// Find entries, systems, networks, vendors, documents and decisions by their
    /// text, across clients or in one; never in secret values
    Search(SearchArgs),
    /// Print a shell completion script (bash, zsh or fish) on stdout
    Completions(CompletionsArgs),
    /// Print the manual page (roff) on stdout: handover's, or a command's
    Man(ManArgs),
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write the script for
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// The shells `handover completions` writes scripts for.
#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `client new` [default: handover's own]
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write every page (handover.1, handover-add.1, …) into DIR instead
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// What to look for (any case; "gaeste" finds "Gäste", "strasse" "Straße")
    pub term: String,
    /// Search only this client
    pub client: Option<String>,
    /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Count deadlines within this many days
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub within: u64,
    /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct DueArgs {
    /// List deadlines within this many days
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub within: u64,
    /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
    #[arg(long)]
    pub json: bool,
    /// Also write them as an iCalendar file (all-day events) for your calendar;
    /// replaces FILE
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum TeamAction {
    /// Trust a teammate's signing key and re-encrypt every vault to them
    Add {
        /// A short name (letters, digits, - _ . @), e.g. anna
        name: String,
        /// Their age recipient (`age1…`, what their `handover init` printed)
        #[arg(long, value_name = "AGE_RECIPIENT")]
        recipient: String,
        /// Their public signing key, `ssh-ed25519 AAAA…`, or the file holding it
        #[arg(long, value_name = "KEY|FILE")]
        signing_key: String,
        /// Print the new member and the vaults encrypted to them as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Re-encrypt every vault without a member and write what they could read
    Remove {
        /// The member's name, as `handover signers list` shows it
        name: String,
        /// Where to write one rotation list per client they could read
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The language of the rotation lists
        #[arg(long, value_enum, default_value_t = LangArg::De)]
        lang: LangArg,
        /// Print the vaults re-encrypted and the rotation lists as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// The members: names, key fingerprints, recipients, since when
    List {
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum SyncAction {
    /// Make the store a git repository, or clone REMOTE into an empty store
    Init {
        /// The shared repository (a path or URL `git` understands)
        remote: Option<String>,
        /// Print what was done as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Accept ours for a client's own fields that a sync found changed on both sides
    Resolve {
        /// The client id
        client: String,
        /// Print what is left as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// What git runs to merge a vault or its signature (`%O %A %B %P`); the store is
    /// the directory git runs it in
    #[command(hide = true)]
    MergeDriver {
        /// The common ancestor's file (unused: the driver reads the commits)
        base: PathBuf,
        /// Ours; the merged file is written here
        ours: PathBuf,
        /// Theirs (unused: the driver reads the commits)
        theirs: PathBuf,
        /// The path in the repository
        path: String,
    },
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum ConfigCommand {
    /// Print the settings
    Show {
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Set a setting; provider-domain adds one of your e-mail domains
    Set {
        /// Which setting
        #[arg(value_enum)]
        key: ConfigKey,
        /// Its new value
        value: String,
    },
    /// Clear a setting; with a VALUE, remove that one of your domains
    Unset {
        /// Which setting
        #[arg(value_enum)]
        key: ConfigKey,
        /// For provider-domain: the one domain to remove (all of them without it)
        value: Option<String>,
    },
}

/// The settings `handover config` changes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKey {
    /// Your e-mail domain: accounts on it must be transferred (check's provider-domain)
    ProviderDomain,
    /// Your company's name, as the dossier prints it
    ProviderName,
    /// Your company's postal address, as the dossier prints it
    ProviderAddress,
    /// Phone, e-mail or web address
    ProviderContact,
    /// Who takes over your clients when you are unreachable
    EmergencyPartner,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Protect a newly created identity with a passphrase (asked on the terminal)
    #[arg(long)]
    pub passphrase: bool,
    /// Your company's name, as the dossier's cover and profile print it (kept in
    /// the store's config.json; run init again to change it)
    #[arg(long, value_name = "NAME")]
    pub provider_name: Option<String>,
    /// Your postal address, for the dossier (may span lines)
    #[arg(long, value_name = "ADDRESS")]
    pub provider_address: Option<String>,
    /// Phone, e-mail or web address, one per line, for the dossier
    #[arg(long, value_name = "CONTACT")]
    pub provider_contact: Option<String>,
    /// Who takes over your clients if you are unreachable (name, phone, the
    /// arrangement), printed on every dossier's first pages; a client's own
    /// (`client edit --emergency-partner`) takes precedence; "" clears it
    #[arg(long, value_name = "TEXT")]
    pub emergency_partner: Option<String>,
    /// Print what was found or created as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// Sign without asking (what is signed is still printed)
    #[arg(long)]
    pub yes: bool,
    /// Take CLIENT's vault back although this machine has seen a newer one (after
    /// restoring a backup on purpose)
    #[arg(long, value_name = "CLIENT")]
    pub accept_rollback: Option<String>,
    /// Print what was found and signed as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// Groups and name, e.g. m365/global-admin
    pub path: String,
    #[command(flatten)]
    pub entry: EntryArgs,
    /// Do not ask for a password on the terminal
    #[arg(long, conflicts_with_all = ["password_stdin", "generate"])]
    pub no_password: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The entry's path, e.g. m365/global-admin (`handover list` shows them)
    pub path: String,
    /// Print secrets in clear text
    #[arg(long)]
    pub reveal: bool,
    /// Also show the previous secrets that rotate and edit kept (the last five)
    #[arg(long)]
    pub history: bool,
    /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The entry to change (or `--prefix FOLDER` for many)
    #[arg(required_unless_present = "prefix")]
    pub path: Option<String>,
    /// Change every entry at or under FOLDER (only `--kind`), e.g. `--prefix Netzwerk/ --kind wifi`
    #[arg(
        long,
        value_name = "FOLDER",
        conflicts_with = "path",
        requires = "kind"
    )]
    pub prefix: Option<String>,
    #[command(flatten)]
    pub entry: EntryArgs,
    /// Ask for a new password on the terminal
    #[arg(long, conflicts_with_all = ["password_stdin", "generate"])]
    pub password: bool,
    /// Clear a value
    #[arg(long, value_name = "NAME", value_parser = one_of(entries::CLEARABLE))]
    pub clear: Vec<String>,
    /// Remove a custom field
    #[arg(long, value_name = "NAME")]
    pub remove_field: Vec<String>,
    /// Remove a tag
    #[arg(long, value_name = "TAG")]
    pub remove_tag: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The entry's path, e.g. m365/global-admin (`handover list` shows them)
    pub path: String,
}

#[derive(Args, Debug)]
pub struct MoveArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The entry's path now
    pub from: String,
    /// Its new path
    pub to: String,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Length (8 to 1024; from 4 with --charset digits or alnum)
    #[arg(default_value_t = handover::generate::DEFAULT_LENGTH)]
    pub length: usize,
    /// digits (a PIN), alnum (letters and digits) or full
    #[arg(long, value_parser = OneOf::<Charset>::new(), default_value = "full")]
    pub charset: Charset,
}

#[derive(Args, Debug)]
pub struct TotpArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The entry's path, e.g. m365/global-admin (`handover list` shows them)
    pub path: String,
}

#[derive(Args, Debug)]
pub struct RecipientsArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// Print the recipients (after the change) as JSON on stdout
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub action: Option<RecipientAction>,
}

#[derive(Args, Debug)]
pub struct DossierArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The PDF file to write
    #[arg(short, long, value_name = "FILE.pdf")]
    pub output: PathBuf,
    /// The dossier's language
    #[arg(long, value_enum, default_value_t = LangArg::De)]
    pub lang: LangArg,
    /// The paper size it is printed on
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    pub paper: PaperArg,
    /// Directory with wording overrides (de.json, en.json) and branding.json
    #[arg(long, value_name = "DIR")]
    pub template: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
    /// Your e-mail domain, for the check printed in the appendix (as for `handover check`)
    #[arg(long, value_name = "DOMAIN")]
    pub provider_domain: Vec<String>,
    /// Add an emergency sheet with the client's own key (the file `handover client key` wrote)
    #[arg(long, value_name = "KEY_FILE")]
    pub include_client_key: Option<PathBuf>,
    /// Append data pages: the client's signed bundle as QR codes, for `handover restore`
    #[arg(long)]
    pub data_pages: bool,
    /// Print what was written (file, pages, fingerprint) as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The fingerprint printed on the dossier, e.g. 7K3Q-M9XD-4TGB-WZ2H-0PNE
    pub fingerprint: String,
    /// Print the verdict and what changed as JSON on stdout (exit codes as without)
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to make the demo's store, keys and dossiers (run again to re-render)
    pub dir: PathBuf,
    /// Print the demo's store, identity, dossiers and fingerprint as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
    #[arg(long)]
    pub json: bool,
    /// Your e-mail domain; accounts on it must be transferred (repeatable; adds to
    /// provider_domains in <store>/config.json)
    #[arg(long, value_name = "DOMAIN")]
    pub provider_domain: Vec<String>,
    /// Acknowledge a warning (CODE, and the entry path, system or vendor name as check
    /// prints it): listed with the reason, no longer counted; needs --why
    #[arg(long, value_names = ["CODE", "PATH"], num_args = 1..=2, requires = "why", conflicts_with = "unack")]
    pub ack: Option<Vec<String>>,
    /// Why the warning is accepted (with --ack)
    #[arg(long, value_name = "TEXT", requires = "ack")]
    pub why: Option<String>,
    /// Take an acknowledgement back
    #[arg(long, value_names = ["CODE", "PATH"], num_args = 1..=2)]
    pub unack: Option<Vec<String>>,
}

#[derive(Args, Debug)]
pub struct RotateArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The entry's path, e.g. m365/global-admin (`handover list` shows them)
    pub path: String,
    /// Read the new password from stdin (all of it, one trailing newline removed; at most
    /// 64 KiB)
    #[arg(long, conflicts_with_all = ["generate", "mark"])]
    pub password_stdin: bool,
    /// Generate a new random password of LEN characters [default: 24]
    #[arg(long, value_name = "LEN", num_args = 0..=1, default_missing_value = "24", conflicts_with = "mark")]
    pub generate: Option<usize>,
    /// What the device accepts in the password: digits (a PIN, from 4), alnum
    /// (letters and digits, from 4) or full (from 8); with --generate, what to generate
    #[arg(long, conflicts_with = "mark", value_parser = OneOf::<Charset>::new())]
    pub charset: Option<Charset>,
    /// Only record that it was rotated elsewhere (you no longer know the secret)
    #[arg(long)]
    pub mark: bool,
    /// Print what was recorded as JSON on stdout (never the password)
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct OffboardArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The successor provider's age recipient
    #[arg(long, value_name = "AGE_RECIPIENT")]
    pub successor: String,
    /// The successor's name: the final dossier names it as the one to call
    #[arg(long, value_name = "NAME")]
    pub successor_name: String,
    /// How to reach the successor (phone, e-mail; one per line), printed beside its name
    #[arg(long, value_name = "TEXT")]
    pub successor_contact: Option<String>,
    /// Hand over without asking (what will happen is still printed)
    #[arg(long)]
    pub yes: bool,
    /// Show what would happen, and write and remove nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Directory for the bundle, the rotation list and the dossier
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Hand over despite blocking findings of the check
    #[arg(long)]
    pub accept_blocking: bool,
    /// Replace existing files in DIR
    #[arg(long)]
    pub force: bool,
    /// Keep an archive copy (which only the successor and the client can open) in <store>/archive/
    #[arg(long)]
    pub keep_archive: bool,
    /// Language of the final dossier and the rotation list
    #[arg(long, value_enum, default_value_t = LangArg::De)]
    pub lang: LangArg,
    /// Directory with wording overrides and branding for the final dossier and the rotation list
    #[arg(long, value_name = "DIR")]
    pub template: Option<PathBuf>,
    /// Add an emergency sheet with the client's own key to the final dossier
    #[arg(long, value_name = "KEY_FILE")]
    pub include_client_key: Option<PathBuf>,
    /// Your e-mail domain, for the check (as for `handover check`)
    #[arg(long, value_name = "DOMAIN")]
    pub provider_domain: Vec<String>,
    /// Print the plan and what was written as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Add data pages to the final dossier: the handed-over bundle as QR codes, which
    /// `handover restore` reads back from a scan of the paper
    #[arg(long)]
    pub data_pages: bool,
}

#[derive(Args, Debug)]
pub struct TakeoverArgs {
    /// The bundle (its signature BUNDLE.sig is read beside it)
    pub bundle: PathBuf,
    /// Open the client's own bundle with the client's key (the emergency sheet's
    /// AGE-SECRET-KEY-1… in a file); without it the bundle must be encrypted to you
    #[arg(long, value_name = "FILE")]
    pub client_key: Option<PathBuf>,
    /// Accept a signature by this key although you do not trust it: the signing-key
    /// fingerprint on the dossier's cover
    #[arg(long, value_name = "SHA256:…")]
    pub expect_signer: Option<String>,
    /// The fingerprint printed on the client's dossier, to compare with the bundle
    #[arg(long, value_name = "XXXX-XXXX-XXXX-XXXX-XXXX")]
    pub expect_fingerprint: Option<String>,
    /// Take the client over under this id instead of the bundle's
    #[arg(long, value_name = "ID")]
    pub client: Option<String>,
    /// The old provider's name, as the dossier's cover prints it [default: the name
    /// you trust its key under, else its key's fingerprint]
    #[arg(long, value_name = "NAME")]
    pub previous_provider: Option<String>,
    /// Show what would happen and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Take over without asking (what happens is still printed)
    #[arg(long)]
    pub yes: bool,
    /// Print the plan and the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The file to import, or - for stdin
    pub file: PathBuf,
    /// The other tool's format, or bundle (a vault written by `export --format bundle`)
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::IMPORT)]
    pub format: String,
    /// Show what would be imported without changing the vault
    #[arg(long)]
    pub dry_run: bool,
    /// What to do with an entry whose path already exists
    #[arg(long, value_enum, default_value_t = ConflictArg::Fail)]
    pub on_conflict: ConflictArg,
    /// Spreadsheet column for a field, e.g. --map password=Kennwort (--format csv)
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// --format bundle: accept a signature by this key (SHA256:…, as printed on
    /// the dossier's cover) although you do not trust it
    #[arg(long, value_name = "FINGERPRINT")]
    pub expect_signer: Option<String>,
    /// --format bundle: restore a bundle that has no signature (made before
    /// handover signed its bundles)
    #[arg(long)]
    pub allow_unsigned: bool,
    /// --format kdbx: read the database's password from stdin (else it is asked for)
    #[arg(long)]
    pub password_stdin: bool,
    /// --format kdbx: the database's key file
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Print what was (or would be) imported as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The other tool's format, or bundle (the complete vault, age-encrypted to
    /// --recipient)
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::EXPORT)]
    pub format: String,
    /// The file to write (0600); an existing file is kept unless --force
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
    /// --format bundle: encrypt to this age recipient (repeatable) [default: the
    /// vault's recipients except yours]
    #[arg(long, value_name = "AGE_RECIPIENT")]
    pub recipient: Vec<String>,
    /// Print what was written as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LinkCmdArgs {
    /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
    pub client: String,
    /// The entry's path
    pub path: String,
    #[command(flatten)]
    pub target: LinkArgs,
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct LinkArgs {
    /// The system's name
    #[arg(long, value_name = "NAME")]
    pub system: Option<String>,
    /// The vendor's name
    #[arg(long, value_name = "NAME")]
    pub vendor: Option<String>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum SystemCommand {
    /// Add a system
    Add {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The system's name
        name: String,
        #[command(flatten)]
        system: SystemArgs,
    },
    /// Change a system
    Edit {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The system's name
        name: String,
        /// Rename it
        #[arg(long = "name", value_name = "NEW_NAME")]
        new_name: Option<String>,
        #[command(flatten)]
        system: SystemArgs,
        /// Clear a value
        #[arg(long, value_name = "NAME", value_parser = one_of(knowledge::SYSTEM_CLEARABLE))]
        clear: Vec<String>,
    },
    /// List a client's systems
    List {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Show one system with its linked entries and vendor
    Show {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The system's name
        name: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Remove a system
    Remove {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The system's name
        name: String,
    },
}

#[derive(Args, Debug, Default)]
pub struct SystemArgs {
    /// What it does for the client
    #[arg(long)]
    pub purpose: Option<String>,
    /// What kind of system it is
    #[arg(long, value_parser = OneOf::<Category>::new())]
    pub category: Option<Category>,
    /// The site, e.g. "Zentrale Freiburg"
    #[arg(long)]
    pub site: Option<String>,
    /// Where it physically is, e.g. "Serverraum, Rack 1"
    #[arg(long, value_name = "TEXT")]
    pub location: Option<String>,
    /// The manufacturer, e.g. Synology
    #[arg(long)]
    pub make: Option<String>,
    /// The model, e.g. DS923+
    #[arg(long)]
    pub model: Option<String>,
    /// The serial number (for warranty claims and the vendor's hotline)
    #[arg(long)]
    pub serial: Option<String>,
    /// Operating system or firmware, with version
    #[arg(long)]
    pub os: Option<String>,
    /// Its host name on the network
    #[arg(long)]
    pub hostname: Option<String>,
    /// An IP address (repeatable; replaces the list); for an internet line, a static IP
    #[arg(long, value_name = "IP")]
    pub ip: Vec<String>,
    /// Its MAC address
    #[arg(long)]
    pub mac: Option<String>,
    /// For an internet line: the line or contract id
    #[arg(long, value_name = "ID")]
    pub line_id: Option<String>,
    /// Purchase date (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "DATE", value_parser = DateParser)]
    pub purchased: Option<NaiveDate>,
    /// End of the warranty (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "DATE", value_parser = DateParser)]
    pub warranty_until: Option<NaiveDate>,
    /// How much the client depends on it
    #[arg(long, value_parser = OneOf::<Criticality>::new())]
    pub criticality: Option<Criticality>,
    /// How it is backed up
    #[arg(long, value_name = "TEXT")]
    pub backup_method: Option<String>,
    /// Where the backups go
    #[arg(long, value_name = "TEXT")]
    pub backup_target: Option<String>,
    /// Date of the last successful restore test (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "DATE", value_parser = DateParser)]
    pub restore_tested: Option<NaiveDate>,
    /// Its vendor (by name; see `handover vendor`)
    #[arg(long, value_name = "NAME")]
    pub vendor: Option<String>,
    /// Notes for whoever looks after it (printed in the dossier)
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum NetworkCommand {
    /// Add a network
    Add {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The network's name
        name: String,
        #[command(flatten)]
        network: NetworkArgs,
    },
    /// Change a network
    Edit {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The network's name
        name: String,
        /// Rename it
        #[arg(long = "name", value_name = "NEW_NAME")]
        new_name: Option<String>,
        #[command(flatten)]
        network: NetworkArgs,
        /// Clear a value
        #[arg(long, value_name = "NAME", value_parser = one_of(knowledge::NETWORK_CLEARABLE))]
        clear: Vec<String>,
    },
    /// List a client's networks
    List {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Show one network
    Show {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The network's name
        name: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Remove a network
    Remove {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The network's name
        name: String,
    },
}

#[derive(Args, Debug, Default)]
pub struct NetworkArgs {
    /// The address range, e.g. 192.168.10.0/24
    #[arg(long)]
    pub cidr: Option<String>,
    /// VLAN id (1 to 4094)
    #[arg(long)]
    pub vlan: Option<u16>,
    /// The gateway's address, e.g. 192.168.10.1
    #[arg(long, value_name = "IP")]
    pub gateway: Option<String>,
    /// e.g. "192.168.10.100-192.168.10.199"
    #[arg(long, value_name = "RANGE")]
    pub dhcp_range: Option<String>,
    /// A DNS server (repeatable; replaces the list)
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// The site, e.g. "Zentrale Freiburg"
    #[arg(long)]
    pub site: Option<String>,
    /// Notes for whoever looks after it (printed in the dossier)
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum VendorCommand {
    /// Add a vendor
    Add {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The vendor's name
        name: String,
        #[command(flatten)]
        vendor: VendorArgs,
    },
    /// Change a vendor or its contract
    Edit {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The vendor's name
        name: String,
        /// Rename it
        #[arg(long = "name", value_name = "NEW_NAME")]
        new_name: Option<String>,
        #[command(flatten)]
        vendor: VendorArgs,
        /// Remove the contact with this name
        #[arg(long, value_name = "NAME")]
        remove_contact: Option<String>,
        /// Clear a value
        #[arg(long, value_name = "NAME", value_parser = one_of(knowledge::VENDOR_CLEARABLE))]
        clear: Vec<String>,
    },
    /// List a client's vendors with their cancellation deadlines
    List {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Show one vendor and its contract
    Show {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The vendor's name
        name: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Remove a vendor
    Remove {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The vendor's name
        name: String,
    },
}

#[derive(Args, Debug, Default)]
pub struct VendorArgs {
    /// What they provide
    #[arg(long, value_name = "TEXT")]
    pub provides: Option<String>,
    /// The client's customer number with this vendor
    #[arg(long, value_name = "NUMBER")]
    pub customer_number: Option<String>,
    /// The support hotline's phone number
    #[arg(long, value_name = "PHONE")]
    pub hotline: Option<String>,
    /// The support e-mail address
    #[arg(long)]
    pub email: Option<String>,
    /// The customer portal's address
    #[arg(long, value_name = "URL")]
    pub portal_url: Option<String>,
    /// The contract number
    #[arg(long, value_name = "NUMBER")]
    pub contract_number: Option<String>,
    /// Contract start (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "DATE", value_parser = DateParser)]
    pub contract_start: Option<NaiveDate>,
    /// End of the current term (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "DATE", value_parser = DateParser)]
    pub term_end: Option<NaiveDate>,
    /// The contract renews by this many months unless cancelled
    #[arg(long, value_name = "MONTHS")]
    pub renews_months: Option<u32>,
    /// Notice period in months (before the term end)
    #[arg(long, value_name = "MONTHS")]
    pub notice_months: Option<u32>,
    /// Notice period in days (after the months, if both)
    #[arg(long, value_name = "DAYS")]
    pub notice_days: Option<u32>,
    /// Add a contact person with this name (see --contact-role, --contact-phone, --contact-email)
    #[arg(long, value_name = "NAME")]
    pub contact: Option<String>,
    /// The contact person's role, e.g. Vertrieb
    #[arg(long, requires = "contact", value_name = "ROLE")]
    pub contact_role: Option<String>,
    /// The contact person's phone number
    #[arg(long, requires = "contact", value_name = "PHONE")]
    pub contact_phone: Option<String>,
    /// The contact person's e-mail address
    #[arg(long, requires = "contact", value_name = "EMAIL")]
    pub contact_email: Option<String>,
    /// Notes on the vendor or the contract (printed in the dossier)
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum DocCommand {
    /// Add a document; its Markdown comes from --file or --stdin, or, on a
    /// terminal with neither, from $EDITOR
    Add {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// Groups and name, e.g. procedures/backup-restore
        path: String,
        /// What kind of document it is
        #[arg(long, value_parser = OneOf::<DocumentKind>::new())]
        kind: DocumentKind,
        /// The title printed in the dossier (default: the path's last part)
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
    },
    /// Change a document; with no option, opens it in $EDITOR
    Edit {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The document's path, e.g. procedures/backup-restore
        path: String,
        /// What kind of document it is
        #[arg(long, value_parser = OneOf::<DocumentKind>::new())]
        kind: Option<DocumentKind>,
        /// The title printed in the dossier (default: the path's last part)
        #[arg(long)]
        title: Option<String>,
        /// Move it to another path
        #[arg(long, value_name = "PATH")]
        move_to: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        /// Open the text in $EDITOR (the default when nothing else is given)
        #[arg(long, conflicts_with_all = ["file", "stdin"])]
        editor: bool,
    },
    /// List a client's documents
    List {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Print a document's Markdown
    Show {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The document's path, e.g. procedures/backup-restore
        path: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Remove a document
    Remove {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The document's path, e.g. procedures/backup-restore
        path: String,
    },
}

#[derive(Args, Debug, Default)]
pub struct BodyArgs {
    /// Read the Markdown from FILE
    #[arg(long, value_name = "FILE", conflicts_with = "stdin")]
    pub file: Option<PathBuf>,
    /// Read the Markdown from stdin
    #[arg(long)]
    pub stdin: bool,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum DecisionCommand {
    /// Record a decision
    Add {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// A short title, e.g. "Firewall: Sophos statt Fritzbox"
        title: String,
        /// When it was decided (YYYY-MM-DD or DD.MM.YYYY)
        #[arg(long, value_name = "DATE", value_parser = DateParser)]
        date: NaiveDate,
        #[command(flatten)]
        text: DecisionArgs,
        /// This decision replaces an earlier one (by title), which is marked superseded
        #[arg(long, value_name = "TITLE")]
        supersedes: Option<String>,
    },
    /// Change a decision; --editor why|alternatives|decision opens that text in $EDITOR
    Edit {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The decision's title
        title: String,
        /// A new title
        #[arg(long = "title", value_name = "NEW_TITLE")]
        new_title: Option<String>,
        /// When it was decided (YYYY-MM-DD or DD.MM.YYYY)
        #[arg(long, value_name = "DATE", value_parser = DateParser)]
        date: Option<NaiveDate>,
        #[command(flatten)]
        text: DecisionArgs,
        /// Mark it superseded by another decision (by title)
        #[arg(long, value_name = "TITLE", conflicts_with = "current")]
        superseded_by: Option<String>,
        /// Mark it current again
        #[arg(long)]
        current: bool,
        /// Edit one text in $EDITOR: why, alternatives or decision
        #[arg(long, value_name = "TEXT")]
        editor: Option<String>,
        /// Clear a value
        #[arg(long, value_name = "NAME", value_parser = one_of(knowledge::DECISION_CLEARABLE))]
        clear: Vec<String>,
    },
    /// List the decision log, oldest first
    List {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Show one decision
    Show {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The decision's title
        title: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Remove a decision
    Remove {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        client: String,
        /// The decision's title
        title: String,
    },
}

#[derive(Args, Debug, Default)]
pub struct DecisionArgs {
    /// What was decided
    #[arg(long, value_name = "TEXT")]
    pub decision: Option<String>,
    /// Why (Markdown)
    #[arg(long, value_name = "TEXT", conflicts_with = "why_file")]
    pub why: Option<String>,
    /// Read the reasons from FILE (- for stdin)
    #[arg(long, value_name = "FILE")]
    pub why_file: Option<PathBuf>,
    /// The alternatives considered (Markdown)
    #[arg(long, value_name = "TEXT", conflicts_with = "alternatives_file")]
    pub alternatives: Option<String>,
    /// Read the alternatives from FILE (- for stdin)
    #[arg(long, value_name = "FILE")]
    pub alternatives_file: Option<PathBuf>,
    /// Who decided
    #[arg(long, value_name = "NAME")]
    pub decided_by: Option<String>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum SignersAction {
    /// The trusted signers of this store
    List {
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Trust a teammate's signing key (their `identity.signing-key.pub`)
    Add {
        /// A short name, the principal in allowed_signers (e.g. anna)
        name: String,
        /// The public key, `ssh-ed25519 AAAA…`, or a file holding it
        #[arg(long, value_name = "KEY|FILE")]
        key: String,
        /// The teammate's age recipient, so that `check` knows it
        #[arg(long, value_name = "AGE_RECIPIENT")]
        recipient: Option<String>,
        /// Print the signer now trusted as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Stop trusting a signer
    Remove {
        /// The signer's name, as `handover signers list` shows it
        name: String,
        /// Print the signer no longer trusted as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// On a new machine: review the store's signers and pin them as trusted here
    Pin {
        /// Pin without asking (what is pinned is still printed)
        #[arg(long)]
        yes: bool,
        /// Print the pinned signer list as JSON on stdout
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum RecipientAction {
    /// Add a recipient and re-encrypt the vault
    Add {
        /// An age recipient, `age1…`
        recipient: String,
    },
    /// Remove a recipient and re-encrypt the vault
    Remove {
        /// An age recipient, `age1…`
        recipient: String,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum ConflictArg {
    Fail,
    Skip,
    Replace,
    Rename,
}

// Parsed once per run: the size of the largest variant (`edit`'s options) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum ClientCommand {
    /// Create a client with an empty vault
    New {
        /// The new client's id: a-z, 0-9 and '-', e.g. mueller-gmbh
        id: String,
        /// The client's name as people know it, e.g. "Müller & Söhne GmbH"
        #[arg(long)]
        name: String,
        /// Extra age recipient (a technician, the client's own key); repeatable
        #[arg(long, value_name = "AGE_RECIPIENT")]
        recipient: Vec<String>,
        #[command(flatten)]
        profile: ProfileArgs,
    },
    /// List all clients
    List {
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Show a client's profile, contacts and recipients
    Show {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        id: String,
        /// Print it as JSON on stdout (fields: docs/FORMAT.md, "JSON output")
        #[arg(long)]
        json: bool,
    },
    /// Change a client's profile or contacts
    Edit {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        id: String,
        /// The client's name as people know it, e.g. "Müller & Söhne GmbH"
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        profile: ProfileArgs,
        #[command(flatten)]
        add_contacts: super::contact_args::NewContacts,
        /// Remove the contact with this name
        #[arg(long, value_name = "NAME")]
        remove_contact: Option<String>,
        /// The dossier title of a group of entries, e.g. --group-title
        /// "netz=Netzwerk und Firewall" (repeatable)
        #[arg(long, value_name = "GROUP=TITLE")]
        group_title: Vec<String>,
        /// Go back to the default title of a group (repeatable)
        #[arg(long, value_name = "GROUP")]
        remove_group_title: Vec<String>,
        /// Where the client keeps the digital bundle, e.g. "USB-Stick im Tresor, Büro 2"
        /// (printed on the dossier's first pages; "" clears it)
        #[arg(long, value_name = "PLACE")]
        bundle_location: Option<String>,
        /// Where the client keeps its own key (the emergency sheet)
        #[arg(long, value_name = "PLACE")]
        key_location: Option<String>,
        /// Who takes over this client if you are unreachable (name, phone, the
        /// arrangement), instead of the store's (`init --emergency-partner`); "" clears it
        #[arg(long, value_name = "TEXT")]
        emergency_partner: Option<String>,
    },
    /// Generate the client's own age key, write it to FILE and add it to the vault
    Key {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        id: String,
        /// The secret key file to write (0600); hand it to the client
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace FILE if it exists, and replace an existing client key
        #[arg(long)]
        force: bool,
        /// Print the file and the key's recipient as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Delete a client's vault permanently
    Remove {
        /// The client's id, e.g. mueller-gmbh (`handover client list` shows them)
        id: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Args, Debug, Default)]
pub struct ProfileArgs {
    /// The registered name with its legal form, if it differs (printed on the dossier)
    #[arg(long)]
    pub legal_name: Option<String>,
    /// The postal address (printed on the dossier)
    #[arg(long)]
    pub address: Option<String>,
    /// Notes on the client (printed on the dossier)
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct EntryArgs {
    /// A title for people (default: the path's last part)
    #[arg(long)]
    pub title: Option<String>,
    /// What kind of entry it is
    #[arg(long, value_parser = OneOf::<Kind>::new())]
    pub kind: Option<Kind>,
    /// The address to log in at, e.g. https://admin.microsoft.com
    #[arg(long)]
    pub url: Option<String>,
    /// The host name or IP address to connect to
    #[arg(long)]
    pub host: Option<String>,
    /// The port to connect to
    #[arg(long)]
    pub port: Option<u16>,
    /// The user name to log in with
    #[arg(long)]
    pub username: Option<String>,
    /// Read the password from stdin (all of it, one trailing newline removed; at most 64
    /// KiB)
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// Generate a random password of LEN characters [default: 24]
    #[arg(long, value_name = "LEN", num_args = 0..=1, default_missing_value = "24")]
    pub generate: Option<usize>,
    /// What the device accepts in the password: digits (a PIN, from 4), alnum
    /// (letters and digits, from 4) or full (from 8); with --generate, what to generate
    #[arg(long, value_parser = OneOf::<Charset>::new())]
    pub charset: Option<Charset>,
    /// Ask for the TOTP secret (otpauth:// URI or base32) on the terminal
    #[arg(long)]
    pub totp: bool,
    /// Ask for recovery codes (comma-separated) on the terminal
    #[arg(long)]
    pub recovery_codes: bool,
    /// A note for the successor (printed in the dossier)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// A plain custom field; repeatable
    #[arg(long, value_name = "NAME=VALUE")]
    pub field: Vec<String>,
    /// The network name of a wifi entry (stored as the plain field SSID); without
    /// --kind, `add` makes a wifi entry
    #[arg(long, value_name = "NAME")]
    pub ssid: Option<String>,
    /// A secret custom field, asked for on the terminal; repeatable
    #[arg(long, value_name = "NAME")]
    pub secret_field: Vec<String>,
    /// A secret custom field read from stdin (all of it, one trailing newline removed; at
    /// most 64 KiB)
    #[arg(long, value_name = "NAME", conflicts_with = "password_stdin")]
    pub secret_field_stdin: Option<String>,
    /// A tag (repeatable; listed in the dossier's index)
    #[arg(long)]
    pub tag: Vec<String>,
    /// Where the physical second factor, token, smart card or key is
    #[arg(long, value_name = "TEXT")]
    pub location: Option<String>,
    /// client, provider or third-party
    #[arg(long)]
    pub owner: Option<String>,
    /// Whether the provider knows this secret (true/false)
    #[arg(long, value_name = "BOOL")]
    pub provider_knows: Option<bool>,
    /// Expiry date (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "DATE", value_parser = DateParser)]
    pub expires: Option<NaiveDate>,
    /// Date of the last rotation (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "DATE", value_parser = DateParser)]
    pub rotated: Option<NaiveDate>,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum LangArg {
    /// German
    De,
    /// English
    En,
}

impl LangArg {
    pub fn language(self) -> handover::dossier::Language {
        match self {
            LangArg::De => handover::dossier::Language::De,
            LangArg::En => handover::dossier::Language::En,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum PaperArg {
    /// A4, 210 × 297 mm
    A4,
    /// US Letter, 8.5 × 11 in
    Letter,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// Scans of the data pages: PNG, JPEG, TIFF, or PDF files of scans, in any order
    #[arg(required = true, value_name = "SCAN")]
    pub scans: Vec<PathBuf>,
    /// The bundle to write (its signature goes beside it, FILE.sig)
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace FILE and FILE.sig if they exist
    #[arg(long)]
    pub force: bool,
    /// When the scans hold pages of several printings: the one to restore (the
    /// printing id in each data page's heading)
    #[arg(long, value_name = "ID")]
    pub printing: Option<String>,
    /// Print what was restored as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every command says what it is: `--help` and the man pages
    /// are generated from these texts, and a bare `<CLIENT>` or `--notes <NOTES>`
    /// leaves the reader guessing.
    #[test]
    fn every_argument_has_a_help_text() {
        fn walk(cmd: &clap::Command, name: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id != "help" && id != "version" && arg.get_help().is_none() {
                    missing.push(format!("{name} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{name} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "handover", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }
}
