//! Turns parsed arguments into library calls and prints the results.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use handover::crypto::Identity;
use handover::dossier;
use handover::error::Error;
use handover::formats::{self, ImportOptions};
use handover::model::{ClientId, Contact, Entry, Field, Kind, SSID_FIELD, Secret, is_ssid_field};
use handover::prompt::Prompter;
use handover::signing::SigningKey;
use handover::store::{self, Store};
use handover::trust::{KeyFiles, Trust};
use handover::workflows::check::CheckOptions;
use handover::workflows::clients::{self, ClientPatch};
use handover::workflows::dossier::Verdict;
use handover::workflows::entries::{self, EntryPatch, OnConflict};
use handover::workflows::{self, Handover, signers};

use super::CliError;
use super::args::{
    Cli, ClientCommand, Command, ConflictArg, EntryArgs, LangArg, PaperArg, RecipientAction,
};
use super::knowledge_cmds;
use super::show;
use super::signers_cmds;
use super::term::{self, Out, RememberingPrompter, TerminalPrompter, safe};
use super::workflow_cmds;

/// Imports larger than this are refused before reading: no export is that big, and a
/// hostile file must not exhaust memory.
const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

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
    let result = dispatch(cli.command, &store_dir, &identity_file, &mut out);
    out.flush()?;
    result
}

fn default_dir(xdg: &str, fallback: &str) -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os(xdg).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(fallback)),
        None => Err(CliError::Usage(format!(
            "neither {xdg} nor HOME is set; pass --store and --identity"
        ))),
    }
}

pub fn open(store_dir: &Path, identity_file: &Path) -> Result<Handover, CliError> {
    let store = Store::open(store_dir)?;
    let (identity, signing) = load_keys(identity_file)?;
    let trust = Trust::establish(&store, &KeyFiles::beside(identity_file).pins)?;
    Ok(Handover::new(store, identity, signing, trust))
}

/// The identity and, if there is one, the signing key beside it (one passphrase
/// prompt for both when they share it).
pub fn load_keys(identity_file: &Path) -> Result<(Identity, Option<SigningKey>), CliError> {
    let prompter = RememberingPrompter::default();
    let identity = load_identity(identity_file, &prompter)?;
    let passphrase = prompter.remembered();
    let signing = signers::load_signing_key(
        &KeyFiles::beside(identity_file),
        passphrase.as_ref().map(|p| p.expose()),
        &TerminalPrompter,
    )?;
    Ok((identity, signing))
}

fn load_identity(path: &Path, prompter: &dyn Prompter) -> Result<Identity, CliError> {
    let bytes = match store::fsutil::read_regular_secret(
        path,
        handover::crypto::MAX_IDENTITY_BYTES,
        "the identity file",
    ) {
        Ok(b) => b,
        Err(e) if store::fsutil::is_not_found(&e) => {
            return Err(Error::Identity {
                path: path.to_owned(),
                problem:
                    "it does not exist; run `handover init` to create one, or pass --identity FILE"
                        .into(),
            }
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    Identity::from_file_bytes(&bytes, prompter, &path.display().to_string()).map_err(|problem| {
        Error::Identity {
            path: path.to_owned(),
            problem,
        }
        .into()
    })
}

fn client_id(id: &str) -> Result<ClientId, CliError> {
    Ok(ClientId::parse(id)?)
}

fn dispatch(
    command: Command,
    store_dir: &Path,
    identity_file: &Path,
    out: &mut Out,
) -> Result<(), CliError> {
    match command {
        Command::Init {
            passphrase,
            provider_name,
            provider_address,
            provider_contact,
        } => init(
            store_dir,
            identity_file,
            passphrase,
            &handover::store::config::ProviderProfile {
                name: provider_name,
                address: provider_address,
                contact: provider_contact,
            },
            out,
        ),
        Command::Sign {
            yes,
            accept_rollback,
        } => signers_cmds::sign(store_dir, identity_file, yes, accept_rollback),
        Command::Signers { action } => {
            signers_cmds::signers_command(store_dir, identity_file, action, out)
        }
        Command::Dossier {
            client,
            output,
            lang,
            paper,
            template,
            force,
            provider_domain,
            include_client_key,
        } => {
            let id = client_id(&client)?;
            let h = open(store_dir, identity_file)?;
            let paper = match paper {
                PaperArg::A4 => dossier::PaperSize::A4,
                PaperArg::Letter => dossier::PaperSize::Letter,
            };
            let options = dossier_options(&h, lang, paper, template, include_client_key)?;
            let check = CheckOptions::for_provider(&h, &provider_domain)?;
            let d = workflows::dossier::export(&h, &id, &options, &check, &output, force)?;
            eprintln!("Wrote {} ({} pages).", output.display(), d.pages);
            out.line(&format!("Fingerprint: {}", d.fingerprint))
        }
        Command::Verify {
            client,
            fingerprint,
        } => {
            let id = client_id(&client)?;
            let h = open(store_dir, identity_file)?;
            match workflows::dossier::verify(&h, &id, &fingerprint)? {
                Verdict::Matches => out.line(&format!(
                    "The vault of {} still matches the dossier with fingerprint {}.",
                    id.as_str(),
                    safe(&fingerprint, false)
                )),
                Verdict::Changed {
                    exported,
                    added,
                    removed,
                    modified,
                    client_changed,
                } => {
                    let what = if client_changed {
                        "no entry changed, but the client's profile, contacts, recipients, systems, networks, vendors, documents or decisions did"
                            .to_owned()
                    } else {
                        format!(
                            "{} entries changed ({added} added, {removed} removed, {modified} modified)",
                            added + removed + modified
                        )
                    };
                    Err(CliError::Failed(format!(
                        "the vault of {} has changed since the dossier of {}: {what}; print a new dossier",
                        id.as_str(),
                        exported.format("%Y-%m-%d %H:%M UTC")
                    )))
                }
                Verdict::Unknown => Err(CliError::Failed(format!(
                    "the vault of {} does not match fingerprint {}, and no dossier with that fingerprint was recorded in it, so what changed is unknown",
                    id.as_str(),
                    safe(&fingerprint, false)
                ))),
            }
        }
        Command::Demo { dir } => {
            let r = workflows::demo::run(&dir, as_of()?)?;
            for note in &r.notes {
                eprintln!("warning: {}", safe(note, false));
            }
            for d in &r.dossiers {
                out.line(&d.display().to_string())?;
            }
            // The hint names the binary that is running: after `cargo run` handover is
            // usually not on PATH yet, and the hint must work when pasted as printed.
            let program = std::env::current_exe().map_or_else(
                |_| "handover".to_owned(),
                |p| shell_word(&p.to_string_lossy()),
            );
            eprintln!(
                "Demo client {:?} in store {} (identity {}); fingerprint {}.\nTry: {program} --store {} --identity {} list {}",
                workflows::demo::DEMO_CLIENT,
                r.store.display(),
                r.identity.display(),
                r.fingerprint,
                shell_word(&r.store.to_string_lossy()),
                shell_word(&r.identity.to_string_lossy()),
                workflows::demo::DEMO_CLIENT,
            );
            Ok(())
        }
        Command::Generate { length } => {
            let password = handover::generate::password(length)?;
            out.line(password.expose())
        }
        Command::Client(cmd) => client_command(cmd, &open(store_dir, identity_file)?, out),
        Command::Add {
            client,
            path,
            entry,
            no_password,
        } => {
            let id = client_id(&client)?;
            let h = open(store_dir, identity_file)?;
            // Fail on a missing client before asking for any secret.
            h.load(&id)?;
            let ask_password = !no_password
                && !entry.password_stdin
                && entry.generate.is_none()
                && term::stdin_is_terminal();
            let ask = if ask_password { Ask::Once } else { Ask::No };
            let patch = entry_patch(entry, ask, None)?;
            let added = entries::add(&h, &id, &path, patch)?;
            eprintln!(
                "Added {} to client {}.",
                safe(&added.path, false),
                id.as_str()
            );
            Ok(())
        }
        Command::Edit {
            client,
            path,
            entry,
            password,
            clear,
            remove_field,
            remove_tag,
        } => {
            let id = client_id(&client)?;
            let h = open(store_dir, identity_file)?;
            let client = h.load(&id)?;
            let Some(existing) = client.entry(&path) else {
                return Err(Error::NoSuchEntry {
                    client: id.to_string(),
                    path,
                }
                .into());
            };
            // Refuse before asking for any secret; `entries::edit` refuses too.
            for spec in &entry.field {
                let name = spec.split_once('=').map_or(spec.as_str(), |(n, _)| n);
                if !remove_field.iter().any(|r| r == name)
                    && existing.fields.iter().any(|f| f.secret && f.name == name)
                {
                    return Err(entries::secret_field_via_argv(&path, name).into());
                }
            }
            let ask = if password { Ask::Confirmed } else { Ask::No };
            let mut patch = entry_patch(entry, ask, Some(existing))?;
            patch.clear = clear;
            patch.remove_fields = remove_field;
            patch.remove_tags = remove_tag;
            let changed = entries::edit(&h, &id, &path, patch)?;
            if changed.is_empty() {
                eprintln!("Nothing changed.");
            } else {
                eprintln!("Changed {}: {}.", safe(&path, false), changed.join(", "));
            }
            Ok(())
        }
        Command::Show {
            client,
            path,
            reveal,
            json,
        } => {
            let id = client_id(&client)?;
            let c = open(store_dir, identity_file)?.load(&id)?;
            let entry = c.entry(&path).ok_or_else(|| Error::NoSuchEntry {
                client: id.to_string(),
                path: path.clone(),
            })?;
            show::entry(entry, reveal, json, out)
        }
        Command::List { client, json } => {
            let id = client_id(&client)?;
            let c = open(store_dir, identity_file)?.load(&id)?;
            show::entry_list(&c, json, out)
        }
        Command::Remove { client, path } => {
            let id = client_id(&client)?;
            entries::remove(&open(store_dir, identity_file)?, &id, &path)?;
            eprintln!(
                "Removed {} from client {}.",
                safe(&path, false),
                id.as_str()
            );
            Ok(())
        }
        Command::Move { client, from, to } => {
            let id = client_id(&client)?;
            entries::rename(&open(store_dir, identity_file)?, &id, &from, &to)?;
            eprintln!("Moved {} to {}.", safe(&from, false), safe(&to, false));
            Ok(())
        }
        Command::Totp { client, path } => {
            let id = client_id(&client)?;
            let c = open(store_dir, identity_file)?.load(&id)?;
            let entry = c.entry(&path).ok_or_else(|| Error::NoSuchEntry {
                client: id.to_string(),
                path: path.clone(),
            })?;
            let totp = entry.totp.as_ref().ok_or_else(|| {
                Error::Invalid(format!(
                    "entry {path:?} has no TOTP secret; add one with `handover edit {client} {path} --totp`"
                ))
            })?;
            let now = chrono::Utc::now().timestamp().max(0) as u64;
            let (code, remaining) = handover::totp::code_at(totp, now)?;
            out.line(&code)?;
            eprintln!("(valid for {remaining} more seconds)");
            Ok(())
        }
        Command::Recipients { client, action } => {
            let id = client_id(&client)?;
            let h = open(store_dir, identity_file)?;
            match action {
                None => {
                    let c = h.load(&id)?;
                    let own = h.identity.recipient().to_string();
                    for r in &c.recipients {
                        let note = if r == &own {
                            "  (you)"
                        } else if c.client_recipient.as_ref() == Some(r) {
                            "  (client key)"
                        } else {
                            ""
                        };
                        out.line(&format!("{}{note}", safe(r, false)))?;
                    }
                }
                Some(RecipientAction::Add { recipient }) => {
                    if clients::add_recipient(&h, &id, &recipient)? {
                        eprintln!("Added the recipient; the vault is re-encrypted.");
                    } else {
                        eprintln!("That recipient was already there; nothing changed.");
                    }
                }
                Some(RecipientAction::Remove { recipient }) => {
                    clients::remove_recipient(&h, &id, &recipient)?;
                    eprintln!(
                        "Removed the recipient; the vault is re-encrypted. Anything that key could read before may still be in copies it made: rotate those secrets."
                    );
                }
            }
            Ok(())
        }
        Command::Log { client, json } => workflow_cmds::log(
            &open(store_dir, identity_file)?,
            &client_id(&client)?,
            json,
            out,
        ),
        Command::Check {
            client,
            json,
            provider_domain,
        } => workflow_cmds::check(
            &open(store_dir, identity_file)?,
            &client_id(&client)?,
            json,
            &provider_domain,
            out,
        ),
        Command::Rotate {
            client,
            path,
            password_stdin,
            generate,
            mark,
        } => workflow_cmds::rotate(
            &open(store_dir, identity_file)?,
            &client_id(&client)?,
            &path,
            password_stdin,
            generate,
            mark,
        ),
        Command::Offboard {
            client,
            successor,
            out: out_dir,
            accept_blocking,
            force,
            keep_archive,
            lang,
            template,
            include_client_key,
            provider_domain,
        } => {
            let h = open(store_dir, identity_file)?;
            let options = dossier_options(
                &h,
                lang,
                dossier::PaperSize::A4,
                template,
                include_client_key,
            )?;
            workflow_cmds::offboard(
                &h,
                &client_id(&client)?,
                successor,
                out_dir,
                workflow_cmds::OffboardFlags {
                    accept_blocking,
                    force,
                    keep_archive,
                },
                options,
                &provider_domain,
                out,
            )
        }
        Command::Import {
            client,
            file,
            format,
            dry_run,
            on_conflict,
            map,
            expect_signer,
            allow_unsigned,
        } if format == "bundle" => {
            let _ = map;
            workflow_cmds::import_bundle(
                &open(store_dir, identity_file)?,
                &client_id(&client)?,
                &file,
                on_conflict,
                dry_run,
                handover::workflows::bundle::SignatureCheck {
                    expect_signer,
                    allow_unsigned,
                },
            )
        }
        Command::Import {
            client,
            file,
            format,
            dry_run,
            on_conflict,
            map,
            expect_signer,
            allow_unsigned,
        } => {
            if expect_signer.is_some() || allow_unsigned {
                return Err(CliError::Usage(
                    "--expect-signer and --allow-unsigned are for --format bundle".into(),
                ));
            }
            import(
                &open(store_dir, identity_file)?,
                &client,
                &file,
                &format,
                dry_run,
                on_conflict,
                map,
                out,
            )
        }
        Command::System(cmd) => knowledge_cmds::system(cmd, &open(store_dir, identity_file)?, out),
        Command::Network(cmd) => {
            knowledge_cmds::network(cmd, &open(store_dir, identity_file)?, out)
        }
        Command::Vendor(cmd) => knowledge_cmds::vendor(cmd, &open(store_dir, identity_file)?, out),
        Command::Doc(cmd) => knowledge_cmds::doc(cmd, &open(store_dir, identity_file)?, out),
        Command::Decision(cmd) => {
            knowledge_cmds::decision(cmd, &open(store_dir, identity_file)?, out)
        }
        Command::Link {
            client,
            path,
            target,
        } => knowledge_cmds::link(
            &open(store_dir, identity_file)?,
            &client,
            &path,
            target,
            true,
        ),
        Command::Unlink {
            client,
            path,
            target,
        } => knowledge_cmds::link(
            &open(store_dir, identity_file)?,
            &client,
            &path,
            target,
            false,
        ),
        Command::Export {
            client,
            format,
            output,
            force,
            recipient,
        } => {
            if format != "bundle" && !formats::EXPORT_FORMATS.contains(&format.as_str()) {
                return Err(unknown_format("export", &format, formats::EXPORT_FORMATS));
            }
            let id = client_id(&client)?;
            let h = open(store_dir, identity_file)?;
            if format == "bundle" {
                return workflow_cmds::export(&h, &id, &format, &output, &recipient, force);
            }
            if !recipient.is_empty() {
                return Err(CliError::Usage(format!(
                    "--recipient is for --format bundle; a {format} export is not encrypted"
                )));
            }
            let report = handover::workflows::export::export(&h, &id, &format, &output, force)?;
            for w in &report.warnings {
                eprintln!("warning: {}", safe(w, false));
            }
            eprintln!(
                "Exported {} entries of client {} to {} ({format}). It holds every secret in plain text: delete it once it is imported.",
                report.entries,
                id.as_str(),
                safe(&output.display().to_string(), false)
            );
            Ok(())
        }
    }
}

fn init(
    store_dir: &Path,
    identity_file: &Path,
    passphrase: bool,
    provider: &handover::store::config::ProviderProfile,
    out: &mut Out,
) -> Result<(), CliError> {
    let (store, created) = Store::init(store_dir)?;
    eprintln!(
        "Store: {} ({})",
        store_dir.display(),
        if created { "created" } else { "already there" }
    );
    if !provider.is_empty() {
        let now = store.set_provider(provider)?;
        eprintln!(
            "Provider, as the dossier names it: {}",
            now.name
                .as_deref()
                .map(|n| safe(n, false))
                .unwrap_or_else(|| "(no name)".into())
        );
    } else if store.config()?.provider.name.is_none() {
        eprintln!(
            "Tip: `handover init --provider-name \"Your Company\"` puts your name on every dossier."
        );
    }
    // The identity's passphrase, kept to protect the signing key the same way.
    let mut identity_pass = None;
    let identity = if identity_file.exists() {
        let prompter = RememberingPrompter::default();
        let identity = load_identity(identity_file, &prompter)?;
        identity_pass = prompter.remembered();
        eprintln!(
            "Identity: {} (existing, used as is)",
            identity_file.display()
        );
        identity
    } else {
        let identity = Identity::generate();
        let now = chrono::Utc::now();
        let bytes = if passphrase {
            let pass =
                term::prompt_new_secret("Passphrase for the new identity: ", "the passphrase")?;
            if pass.is_empty() {
                return Err(CliError::Usage(
                    "an empty passphrase protects nothing; run without --passphrase for an unprotected identity".into(),
                ));
            }
            let bytes = zeroize::Zeroizing::new(identity.to_encrypted_file(now, pass.expose())?);
            identity_pass = Some(pass);
            bytes
        } else {
            zeroize::Zeroizing::new(identity.to_file_contents(now).as_bytes().to_vec())
        };
        if let Some(dir) = identity_file.parent().filter(|d| !d.as_os_str().is_empty()) {
            store::ensure_private_dir(dir)?;
        }
        store::create_new_private(identity_file, &bytes)?;
        eprintln!(
            "Identity: {} (created{}; back it up: without it your vaults cannot be opened)",
            identity_file.display(),
            if passphrase {
                ", passphrase-protected"
            } else {
                ""
            }
        );
        identity
    };
    // Directories that existed are left alone (they may be shared); say when others could
    // swap what handover keeps in them.
    let mut warnings: Vec<String> = Vec::new();
    let identity_dir = identity_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for dir in [store_dir, identity_dir] {
        if let Some(w) = store::fsutil::shared_dir_warning(dir)
            && !warnings.contains(&w)
        {
            eprintln!("warning: {}", safe(&w, false));
            warnings.push(w);
        }
    }
    let files = KeyFiles::beside(identity_file);
    let (key, key_created) = signers::ensure_signing_key(
        &files,
        identity_pass.as_ref().map(|p| p.expose()),
        &TerminalPrompter,
    )?;
    eprintln!(
        "Signing key: {} ({}{}); fingerprint {}",
        files.signing_key.display(),
        if key_created { "created" } else { "existing" },
        if key_created && identity_pass.is_some() {
            ", protected with the identity's passphrase"
        } else {
            ""
        },
        key.public().fingerprint()
    );
    match Trust::establish(&store, &files.pins) {
        Ok(_) => {}
        Err(_)
            if created || (store.read_signers()?.is_none() && store.client_ids()?.is_empty()) =>
        {
            signers::start_trust(&store, &files, &key, &identity.recipient().to_string())?;
            eprintln!("Trusted signer of this store: your signing key (pinned on this machine).");
        }
        Err(e) => eprintln!("Note: {e}"),
    }
    eprintln!("Your age recipient (public key):");
    out.line(&identity.recipient().to_string())
}

fn client_command(cmd: ClientCommand, h: &Handover, out: &mut Out) -> Result<(), CliError> {
    match cmd {
        ClientCommand::New {
            id,
            name,
            recipient,
            profile,
        } => {
            let id = client_id(&id)?;
            clients::create(h, &id, &name, &recipient)?;
            if profile.legal_name.is_some() || profile.address.is_some() || profile.notes.is_some()
            {
                clients::edit(
                    h,
                    &id,
                    ClientPatch {
                        legal_name: profile.legal_name,
                        address: profile.address,
                        notes: profile.notes,
                        ..ClientPatch::default()
                    },
                )?;
            }
            eprintln!("Created client {} ({}).", id.as_str(), safe(&name, false));
            Ok(())
        }
        ClientCommand::List { json } => {
            let rows = clients::list(h)?;
            show::client_list(&rows, json, out)?;
            // Listed so the user sees them all, but a refused vault is not "fine".
            let refused = rows
                .iter()
                .filter(|(_, r)| matches!(r, Err(Error::Signature { .. } | Error::Rollback { .. })))
                .count();
            if refused > 0 {
                return Err(CliError::Failed(format!(
                    "{refused} vault(s) were refused: their signature or revision cannot be trusted (see above)"
                )));
            }
            Ok(())
        }
        ClientCommand::Show { id, json } => {
            let c = h.load(&client_id(&id)?)?;
            show::client(&c, &h.identity.recipient().to_string(), json, out)
        }
        ClientCommand::Edit {
            id,
            name,
            profile,
            add_contact,
            role,
            phone,
            email,
            remove_contact,
            group_title,
            remove_group_title,
            bundle_location,
            key_location,
        } => {
            let id = client_id(&id)?;
            let group_titles = group_title
                .iter()
                .map(|g| match g.split_once('=') {
                    Some((group, title)) => Ok((group.trim().to_owned(), title.to_owned())),
                    None => Err(CliError::Usage(format!(
                        "--group-title {g:?}: write GROUP=TITLE, e.g. --group-title \"netz=Netzwerk und Firewall\""
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let patch = ClientPatch {
                bundle_location,
                client_key_location: key_location,
                group_titles,
                remove_group_titles: remove_group_title,
                name,
                legal_name: profile.legal_name,
                address: profile.address,
                notes: profile.notes,
                add_contact: add_contact.map(|name| Contact {
                    name,
                    role,
                    phone,
                    email,
                }),
                remove_contact,
            };
            clients::edit(h, &id, patch)?;
            eprintln!("Updated client {}.", id.as_str());
            Ok(())
        }
        ClientCommand::Key { id, output, force } => {
            workflow_cmds::client_key(h, &client_id(&id)?, &output, force, out)
        }
        ClientCommand::Remove { id, yes } => {
            let id = client_id(&id)?;
            let c = h.load(&id)?;
            if !yes
                && !term::confirm(&format!(
                    "Permanently delete client {} ({}) and its {} entries?",
                    id.as_str(),
                    safe(&c.name, false),
                    c.entries.len()
                ))
            {
                return Err(CliError::Usage(
                    "not confirmed; nothing was deleted (pass --yes to skip the question)".into(),
                ));
            }
            clients::remove(h, &id)?;
            eprintln!("Deleted client {}.", id.as_str());
            Ok(())
        }
    }
}

/// A date option, in the forms an imported spreadsheet may use (one parser for both).
fn parse_date(value: &str, what: &str) -> Result<NaiveDate, CliError> {
    formats::parse_date(value).ok_or_else(|| {
        CliError::Usage(format!(
            "--{what} {value:?} is not a date; use {}",
            formats::DATE_FORMS
        ))
    })
}

/// Whether to ask for a password on the terminal.
enum Ask {
    No,
    /// Once, then a second time to confirm unless the answer was empty (no password,
    /// for `add`).
    Once,
    /// Twice, both must match (for changing a password).
    Confirmed,
}

/// Builds a patch from the shared entry options, asking for secrets as needed, the
/// password first. `existing` is the entry being edited (`None` for `add`).
fn entry_patch(a: EntryArgs, ask: Ask, existing: Option<&Entry>) -> Result<EntryPatch, CliError> {
    let mut patch = EntryPatch {
        title: a.title,
        kind: a.kind.as_deref().map(str::parse).transpose()?,
        url: a.url,
        host: a.host,
        port: a.port,
        username: a.username,
        notes: a.note,
        add_tags: a.tag,
        location: a.location,
        owner: a.owner.as_deref().map(str::parse).transpose()?,
        provider_knows: a.provider_knows,
        expires: a
            .expires
            .as_deref()
            .map(|d| parse_date(d, "expires"))
            .transpose()?,
        rotated: a
            .rotated
            .as_deref()
            .map(|d| parse_date(d, "rotated"))
            .transpose()?,
        ..EntryPatch::default()
    };
    let secret_names: Vec<&String> = a
        .secret_field
        .iter()
        .chain(a.secret_field_stdin.as_ref())
        .collect();
    for spec in a.field {
        let Some((name, value)) = spec.split_once('=') else {
            return Err(CliError::Usage(format!(
                "--field {spec:?} needs the form NAME=VALUE (use --secret-field NAME for secrets)"
            )));
        };
        if secret_names.iter().any(|s| *s == name) {
            return Err(CliError::Usage(format!(
                "field {name:?} is given both as --field (plain, its value on the command line) and as a secret field; give it only as --secret-field {name:?}; nothing was changed"
            )));
        }
        patch.set_fields.push(Field {
            name: name.to_owned(),
            value: Secret::from(value),
            secret: false,
        });
    }
    if let Some(ssid) = a.ssid {
        ssid_field(&mut patch, ssid, existing)?;
    }
    if let Some(name) = a.secret_field_stdin {
        let value = term::read_stdin_secret()?;
        if value.is_empty() {
            return Err(CliError::Usage(format!(
                "stdin holds no value for the secret field {name:?}; nothing was changed"
            )));
        }
        patch.set_fields.push(Field {
            name,
            value,
            secret: true,
        });
    }
    if a.password_stdin {
        patch.password = Some(term::read_stdin_secret()?);
    } else if let Some(len) = a.generate {
        patch.password = Some(handover::generate::password(len)?);
    } else {
        match ask {
            Ask::No => {}
            Ask::Once => {
                let pw = term::prompt_secret("Password (empty for none): ", "the password")?;
                // A typo in a password nobody else knows yet would be stored silently;
                // "no password" needs no second answer.
                if !pw.is_empty() {
                    term::confirm_secret(&pw, "the password")?;
                    patch.password = Some(pw);
                }
            }
            Ask::Confirmed => {
                patch.password = Some(term::prompt_new_secret("New password: ", "the password")?);
            }
        }
    }
    if a.totp {
        patch.totp = Some(term::prompt_secret(
            "TOTP secret (otpauth:// URI or base32): ",
            "the TOTP secret",
        )?);
    }
    if a.recovery_codes {
        let codes = term::prompt_secret("Recovery codes (comma-separated): ", "recovery codes")?;
        patch.recovery_codes = Some(
            codes
                .expose()
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(Secret::from)
                .collect(),
        );
    }
    for name in a.secret_field {
        let value = term::prompt_secret(
            &format!("{}: ", safe(&name, false)),
            &format!("field {name:?}"),
        )?;
        patch.set_fields.push(Field {
            name,
            value,
            secret: true,
        });
    }
    Ok(patch)
}

/// `s` as one word for a POSIX shell: as is when that is safe, else single-quoted.
fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:,=@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The refusal of an unknown `--format` of `import` or `export` (`known` does not list
/// `bundle`, which both take): the closest known name, if one is close, and for a PDF
/// the command that writes one.
fn unknown_format(command: &str, format: &str, known: &[&str]) -> CliError {
    let all: Vec<&str> = known.iter().copied().chain(["bundle"]).collect();
    let mut message = format!("unknown {command} format {format:?}");
    let wanted = format.trim().to_lowercase();
    if command == "export" && (wanted == "pdf" || wanted == "dossier") {
        message
            .push_str("; the printable PDF is the dossier: `handover dossier CLIENT -o FILE.pdf`");
    } else if let Some(close) = closest(&wanted, &all) {
        message.push_str(&format!("; did you mean --format {close}?"));
    }
    message.push_str(&format!("; the {command} formats are: {}", all.join(", ")));
    CliError::Usage(message)
}

/// The candidate most similar to `input`, if any is similar enough to be a likely typo.
/// The measure (Jaro) and threshold are those of clap's own "did you mean", so that a
/// mistyped `--format` value is caught like a mistyped option name.
fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro(input, c), *c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `--ssid NAME`: the plain field `SSID` (the name the importers and the dossier
/// look for), on a wifi entry only; `add --ssid` without `--kind` makes one.
fn ssid_field(
    patch: &mut EntryPatch,
    ssid: String,
    existing: Option<&Entry>,
) -> Result<(), CliError> {
    if ssid.trim().is_empty() {
        return Err(CliError::Usage(
            "--ssid needs the network's name; nothing was changed".into(),
        ));
    }
    match patch.kind.or(existing.map(|e| e.kind)) {
        None => patch.kind = Some(Kind::Wifi),
        Some(Kind::Wifi) => {}
        Some(kind) => {
            return Err(CliError::Usage(format!(
                "--ssid is for wifi entries, and this is a {kind} entry; add --kind wifi if it is a Wi-Fi network; nothing was changed"
            )));
        }
    }
    // Keep the spelling of an SSID field the entry already has (`ssid`, `Ssid`), so
    // that it is replaced rather than doubled.
    let name = existing
        .and_then(|e| e.fields.iter().find(|f| is_ssid_field(&f.name)))
        .map_or_else(|| SSID_FIELD.to_owned(), |f| f.name.clone());
    if patch.set_fields.iter().any(|f| is_ssid_field(&f.name)) {
        return Err(CliError::Usage(
            "the SSID is given both as --ssid and as --field; give it once; nothing was changed"
                .into(),
        ));
    }
    patch.set_fields.push(Field {
        name,
        value: Secret::from(ssid.as_str()),
        secret: false,
    });
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn import(
    h: &Handover,
    client: &str,
    file: &Path,
    format: &str,
    dry_run: bool,
    on_conflict: ConflictArg,
    map: Vec<String>,
    out: &mut Out,
) -> Result<(), CliError> {
    if !formats::IMPORT_FORMATS.contains(&format) {
        return Err(unknown_format("import", format, formats::IMPORT_FORMATS));
    }
    let id = client_id(client)?;
    h.load(&id)?;
    let mut options = ImportOptions::default();
    for spec in map {
        let Some((field, column)) = spec.split_once('=') else {
            return Err(CliError::Usage(format!(
                "--map {spec:?} needs the form FIELD=COLUMN"
            )));
        };
        options
            .column_map
            .push((field.trim().to_owned(), column.trim().to_owned()));
    }
    let (data, source_name) = read_import_input(file)?;
    let parsing = term::Progress::spinner(data.len() as u64, "Checking every record");
    let parsed = formats::import(format, &data, &source_name, &options);
    parsing.finish();
    let parsed = parsed?;
    let on_conflict = match on_conflict {
        ConflictArg::Fail => OnConflict::Fail,
        ConflictArg::Skip => OnConflict::Skip,
        ConflictArg::Replace => OnConflict::Replace,
        ConflictArg::Rename => OnConflict::Rename,
    };
    for w in &parsed.warnings {
        eprintln!("warning: {}", safe(w, false));
    }
    let writing = term::Progress::spinner(data.len() as u64, "Writing the vault");
    let result = if parsed.knowledge.is_empty() {
        entries::import_from(h, &id, parsed.entries, on_conflict, dry_run, Some(format))
            .map(|r| (r, None))
    } else {
        handover::workflows::knowledge::import_client(
            h,
            &id,
            parsed.entries,
            parsed.knowledge,
            on_conflict,
            dry_run,
            Some(format),
        )
        .map(|(r, k)| (r, Some(k)))
    };
    writing.finish();
    let (report, knowledge) = result?;
    let verb = if dry_run { "would be " } else { "" };
    if let Some(k) = &knowledge {
        for name in &k.added {
            out.line(&format!("{verb}added: {}", safe(name, false)))?;
        }
        for name in &k.replaced {
            out.line(&format!("{verb}replaced: {}", safe(name, false)))?;
        }
        for name in &k.skipped {
            out.line(&format!("{verb}skipped (exists): {}", safe(name, false)))?;
        }
        eprintln!(
            "Systems, networks, vendors, documents and decisions: {} added, {} replaced, {} skipped.",
            k.added.len(),
            k.replaced.len(),
            k.skipped.len()
        );
    }
    for p in &report.added {
        out.line(&format!("{verb}added: {}", safe(p, false)))?;
    }
    for p in &report.replaced {
        out.line(&format!("{verb}replaced: {}", safe(p, false)))?;
    }
    for p in &report.skipped {
        out.line(&format!("{verb}skipped (exists): {}", safe(p, false)))?;
    }
    for (from, to) in &report.renamed {
        out.line(&format!(
            "{verb}added as {} ({} exists)",
            safe(to, false),
            safe(from, false)
        ))?;
    }
    eprintln!(
        "{}{} added, {} replaced, {} skipped, {} renamed.",
        if dry_run {
            "Dry run, nothing changed: "
        } else {
            "Imported: "
        },
        report.added.len(),
        report.replaced.len(),
        report.skipped.len(),
        report.renamed.len()
    );
    Ok(())
}

pub(super) fn read_import_input(
    file: &Path,
) -> Result<(zeroize::Zeroizing<Vec<u8>>, String), CliError> {
    let (reader, name, size): (Box<dyn std::io::Read>, String, Option<u64>) =
        if file.as_os_str() == "-" {
            (Box::new(std::io::stdin().lock()), "stdin".into(), None)
        } else {
            let name = file.display().to_string();
            let (f, size) = store::fsutil::open_regular(file, "the import file")?;
            let size = Some(size);
            if size.is_some_and(|s| s > MAX_IMPORT_BYTES) {
                return Err(too_big(&name));
            }
            (Box::new(f), name, size)
        };
    let progress = term::Progress::bytes("Reading", size);
    let data = read_capped(reader, size, &progress)
        .map_err(|e| Error::io(format!("cannot read {name}"), e))?;
    progress.finish();
    match data {
        Some(data) => Ok((data, name)),
        None => Err(too_big(&name)),
    }
}

/// Reads at most [`MAX_IMPORT_BYTES`] (`None` beyond). The buffer is sized up front when
/// the size is known, and grown by hand otherwise, so that no copy of the plaintext is
/// ever left behind unwiped by a reallocation.
fn read_capped(
    mut reader: impl std::io::Read,
    size: Option<u64>,
    progress: &term::Progress,
) -> std::io::Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    let mut data = zeroize::Zeroizing::new(Vec::with_capacity(
        size.unwrap_or(64 * 1024).min(MAX_IMPORT_BYTES) as usize + 1,
    ));
    let mut chunk = zeroize::Zeroizing::new(vec![0u8; 1024 * 1024]);
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if (data.len() + n) as u64 > MAX_IMPORT_BYTES {
            return Ok(None);
        }
        if data.len() + n > data.capacity() {
            let mut bigger = zeroize::Zeroizing::new(Vec::with_capacity(
                (data.capacity() * 2).max(data.len() + n),
            ));
            bigger.extend_from_slice(&data);
            data = bigger;
        }
        data.extend_from_slice(&chunk[..n]);
        progress.set(data.len() as u64);
    }
    Ok(Some(data))
}

fn too_big(name: &str) -> CliError {
    Error::ImportFile {
        source_name: name.to_owned(),
        reason: format!("it is larger than {} MiB", MAX_IMPORT_BYTES / 1024 / 1024),
    }
    .into()
}

/// The options `dossier` and `offboard` share, validated once.
fn dossier_options(
    h: &Handover,
    lang: LangArg,
    paper: dossier::PaperSize,
    template: Option<PathBuf>,
    client_key: Option<PathBuf>,
) -> Result<dossier::Options, CliError> {
    Ok(dossier::Options {
        lang: lang.language(),
        paper,
        template_dir: template,
        as_of: as_of()?,
        client_key: client_key
            .as_deref()
            .map(workflows::dossier::read_client_key)
            .transpose()?,
        signing_key: h.signing.as_ref().map(|k| k.public().fingerprint()),
        provider: h.store.config()?.provider,
    })
}

/// The dossier's date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
fn as_of() -> Result<chrono::DateTime<chrono::Utc>, CliError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "SOURCE_DATE_EPOCH={v:?} is not a Unix time in seconds"
                ))
            }),
        Err(_) => Ok(chrono::Utc::now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_format_names() {
        let export: Vec<&str> = formats::EXPORT_FORMATS
            .iter()
            .copied()
            .chain(["bundle"])
            .collect();
        let import: Vec<&str> = formats::IMPORT_FORMATS
            .iter()
            .copied()
            .chain(["bundle"])
            .collect();
        assert_eq!(closest("keepas-xml", &export), Some("keepass-xml"));
        assert_eq!(closest("keepassxc-xml", &export), Some("keepass-xml"));
        assert_eq!(closest("keepasxc-csv", &import), Some("keepassxc-csv"));
        assert_eq!(closest("1password", &import), Some("1password-csv"));
        assert_eq!(closest("jsn", &import), Some("json"));
        assert_eq!(closest("bundel", &import), Some("bundle"));
        // Nothing close: no guess.
        assert_eq!(closest("pdf", &export), None);
        assert_eq!(closest("lastpass", &import), None);
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            shell_word("/work/target/release/handover"),
            "/work/target/release/handover"
        );
        assert_eq!(shell_word("./demo/store"), "./demo/store");
        assert_eq!(shell_word("/tmp/mein demo"), "'/tmp/mein demo'");
        assert_eq!(shell_word("/tmp/it's"), "'/tmp/it'\\''s'");
        assert_eq!(shell_word("/tmp/$HOME"), "'/tmp/$HOME'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn unknown_format_messages() {
        let text = |e: CliError| e.to_string();
        let m = text(unknown_format("export", "PDF", formats::EXPORT_FORMATS));
        assert!(m.contains("`handover dossier CLIENT -o FILE.pdf`"), "{m}");
        assert!(!m.contains("did you mean"), "{m}");
        let m = text(unknown_format(
            "import",
            "KeePas-XML",
            formats::IMPORT_FORMATS,
        ));
        assert!(m.contains("did you mean --format keepass-xml?"), "{m}");
        assert!(m.ends_with("1password-csv, csv, bundle"), "{m}");
    }
}
