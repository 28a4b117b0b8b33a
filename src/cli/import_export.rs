//! `handover import` and `handover export`: entries (and, in json, a whole client's
//! knowledge) from and to other tools' files, and the encrypted bundle of a whole vault.

use std::path::Path;

use handover::error::Error;
use handover::formats::keepass_kdbx::KdbxKey;
use handover::formats::{self, ImportOptions};
use handover::fsutil;
use handover::model::ClientId;
use handover::workflows::Handover;
use handover::workflows::bundle;
use handover::workflows::entries::{self, ImportReport, OnConflict};
use handover::workflows::knowledge::KnowledgeReport;

use serde::Serialize;

use super::CliError;
use super::args::{ConflictArg, ExportArgs, ImportArgs};
use super::context::{Paths, client_id};
use super::term::{self, Out, safe};

/// Imports larger than this are refused before reading: no export is that big, and a
/// hostile file must not exhaust memory.
const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

pub fn import(a: ImportArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let ImportArgs {
        client,
        file,
        format,
        dry_run,
        on_conflict,
        map,
        expect_signer,
        allow_unsigned,
        password_stdin,
        key_file,
        json,
    } = a;
    let kdbx = if format == "kdbx" {
        // A missing client fails before the database password is asked for.
        let h = paths.open()?;
        h.load(&client_id(&client)?)?;
        kdbx_key(&file, password_stdin, key_file.as_deref())?
    } else if password_stdin || key_file.is_some() {
        return Err(CliError::Usage(
            "--password-stdin and --key-file are for --format kdbx (a KeePass database)".into(),
        ));
    } else {
        KdbxKey::default()
    };
    if format == "bundle" {
        let _ = map;
        return import_bundle(
            &paths.open()?,
            &client_id(&client)?,
            &file,
            on_conflict,
            dry_run,
            bundle::SignatureCheck {
                expect_signer,
                allow_unsigned,
            },
            json.then_some(out),
        );
    }
    if expect_signer.is_some() || allow_unsigned {
        return Err(CliError::Usage(
            "--expect-signer and --allow-unsigned are for --format bundle".into(),
        ));
    }
    let mut options = column_map(map)?;
    options.kdbx = kdbx;
    import_file(
        &paths.open()?,
        &client,
        &file,
        &format,
        dry_run,
        on_conflict,
        options,
        (out, json),
    )
}

/// The password (from stdin, or asked for on the terminal) and key file that open a
/// KeePass database. A key file alone is enough when there is no terminal to ask on.
fn kdbx_key(
    file: &Path,
    password_stdin: bool,
    key_file: Option<&Path>,
) -> Result<KdbxKey, CliError> {
    if password_stdin && file == Path::new("-") {
        return Err(CliError::Usage(
            "--password-stdin reads the password from stdin, so the database must be a file, not -"
                .into(),
        ));
    }
    let key_file = match key_file {
        Some(path) => {
            let (data, _) = read_import_input(path)?;
            Some(data)
        }
        None => None,
    };
    let password = if password_stdin {
        Some(term::read_stdin_secret("--password-stdin")?)
    } else if term::stdin_is_terminal() {
        let prompt = format!(
            "Password of the KeePass database {}{}: ",
            safe(&file.display().to_string(), false),
            if key_file.is_some() {
                " (Enter for none)"
            } else {
                ""
            }
        );
        Some(term::prompt_secret(&prompt, "the database password")?)
    } else if key_file.is_none() {
        return Err(CliError::Usage(
            "a KeePass database needs its password: there is no terminal to ask on, so give it with --password-stdin (or use --key-file alone for a database without a password)".into(),
        ));
    } else {
        None
    };
    Ok(KdbxKey { password, key_file })
}

pub fn export(a: ExportArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let ExportArgs {
        client,
        format,
        output,
        force,
        recipient,
        json,
    } = a;
    let id = client_id(&client)?;
    let h = paths.open()?;
    if format == "bundle" {
        let used = bundle::export(&h, &id, &recipient, &output, force)?;
        if json {
            return out.json(&ExportJson {
                client: id.as_str(),
                format: &format,
                file: &output.display().to_string(),
                entries: None,
                warnings: &[],
                recipients: &used,
            });
        }
        return export_bundle(&id, &output, &used);
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
    if json {
        return out.json(&ExportJson {
            client: id.as_str(),
            format: &format,
            file: &output.display().to_string(),
            entries: Some(report.entries),
            warnings: &report.warnings,
            recipients: &[],
        });
    }
    let knowledge = if format == "json" {
        " with its systems, networks, vendors, documents and decisions"
    } else {
        ""
    };
    eprintln!(
        "Exported {} entries of client {}{knowledge} to {} ({format}). It holds every secret in plain text: delete it once it is imported.",
        report.entries,
        id.as_str(),
        safe(&output.display().to_string(), false)
    );
    Ok(())
}

/// What `export --json` prints: the file written, never a value in it.
#[derive(Serialize)]
struct ExportJson<'a> {
    client: &'a str,
    format: &'a str,
    file: &'a str,
    /// How many entries the file holds (not for a bundle, which holds the whole vault).
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<usize>,
    /// What the format cannot hold.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    warnings: &'a [String],
    /// Whom a bundle is encrypted to.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    recipients: &'a [String],
}

fn export_bundle(id: &ClientId, output: &Path, used: &[String]) -> Result<(), CliError> {
    eprintln!(
        "Wrote the bundle of {} to {}, encrypted to: {}",
        id.as_str(),
        output.display(),
        used.join(", ")
    );
    Ok(())
}

fn import_bundle(
    h: &Handover,
    id: &ClientId,
    file: &Path,
    on_conflict: ConflictArg,
    dry_run: bool,
    check: bundle::SignatureCheck,
    json: Option<&mut Out>,
) -> Result<(), CliError> {
    let replace = bundle_replaces(on_conflict, dry_run, file)?;
    let (data, source_name) = read_import_input(file)?;
    let restored = bundle::import(h, id, file, &data, replace, &check)?;
    match json {
        Some(out) => {
            if restored.signed_by.is_none() {
                eprintln!(
                    "Warning: the bundle has no signature; nobody can tell who made it (--allow-unsigned)."
                );
            }
            out.json(&restore_json(h, id, &restored))
        }
        None => {
            report_restore(h, id, &restored, &source_name);
            Ok(())
        }
    }
}

/// What `import --format bundle --json` prints.
#[derive(Serialize)]
struct RestoreJson<'a> {
    client: &'a str,
    format: &'static str,
    name: &'a str,
    replaced: bool,
    /// `{fingerprint, name}` of the signing key (`name` when you trust it); null for an
    /// unsigned bundle.
    signed_by: Option<SignerJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    renamed_from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    added_recipient: Option<&'a str>,
    entries: usize,
    contacts: usize,
    history_events: usize,
    /// Who else the restored vault is encrypted to.
    other_recipients: Vec<&'a str>,
}

#[derive(Serialize)]
struct SignerJson {
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

fn restore_json<'a>(h: &Handover, id: &'a ClientId, r: &'a bundle::Restored) -> RestoreJson<'a> {
    let own = h.own_recipients();
    RestoreJson {
        client: id.as_str(),
        format: "bundle",
        name: &r.client.name,
        replaced: r.replaced,
        signed_by: r.signed_by.as_ref().map(|(key, name)| SignerJson {
            fingerprint: key.fingerprint().to_string(),
            name: name.clone(),
        }),
        renamed_from: r.renamed_from.as_ref().map(|old| old.as_str()),
        added_recipient: r.added_recipient.as_deref(),
        entries: r.client.entries.len(),
        contacts: r.client.contacts.len(),
        history_events: r.client.history.len(),
        other_recipients: r
            .client
            .recipients
            .iter()
            .filter(|r| !own.contains(r))
            .map(|r| r.as_str())
            .collect(),
    }
}

/// Whether a bundle import may replace an existing client; refuses what a bundle
/// cannot do (skip, rename, dry run, stdin).
fn bundle_replaces(on_conflict: ConflictArg, dry_run: bool, file: &Path) -> Result<bool, CliError> {
    let replace = match on_conflict {
        ConflictArg::Fail => false,
        ConflictArg::Replace => true,
        ConflictArg::Skip | ConflictArg::Rename => {
            return Err(CliError::Usage(
                "a bundle restores a whole client: use --on-conflict fail (the default) or replace"
                    .into(),
            ));
        }
    };
    if dry_run {
        return Err(CliError::Usage(
            "--dry-run is not supported for bundles; restore under a new id to look first".into(),
        ));
    }
    if file == Path::new("-") {
        return Err(CliError::Usage(
            "a bundle is read from a file, not stdin: its signature FILE.sig is read beside it"
                .into(),
        ));
    }
    Ok(replace)
}

/// What a restored bundle was: who signed it, what was restored, who else can read it.
fn report_restore(h: &Handover, id: &ClientId, restored: &bundle::Restored, source_name: &str) {
    let c = &restored.client;
    match &restored.signed_by {
        Some((key, Some(name))) => eprintln!(
            "The bundle is signed by {} ({}), whom you trust.",
            safe(name, false),
            key.fingerprint()
        ),
        Some((key, None)) => eprintln!(
            "The bundle is signed by {}, the key you named with --expect-signer.",
            key.fingerprint()
        ),
        None => eprintln!(
            "Warning: the bundle has no signature; nobody can tell who made it (--allow-unsigned)."
        ),
    }
    if let Some(r) = &restored.added_recipient {
        eprintln!(
            "Added your recipient {r} to the restored vault, so that it opens for you (recorded in its history)."
        );
    }
    eprintln!(
        "{} client {} ({}) from {source_name}: {} entries, {} contacts, {} history events.",
        if restored.replaced {
            "Replaced"
        } else {
            "Restored"
        },
        id.as_str(),
        safe(&c.name, false),
        c.entries.len(),
        c.contacts.len(),
        c.history.len()
    );
    if let Some(old) = &restored.renamed_from {
        eprintln!(
            "The bundle's client id was {}; it is now {}.",
            old.as_str(),
            id.as_str()
        );
    }
    let own = h.own_recipients();
    let others: Vec<&String> = c.recipients.iter().filter(|r| !own.contains(r)).collect();
    if !others.is_empty() {
        eprintln!(
            "The vault is also encrypted to: {}. Remove any that should no longer read it with `handover recipients {} remove R`.",
            others
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            id.as_str()
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn import_file(
    h: &Handover,
    client: &str,
    file: &Path,
    format: &str,
    dry_run: bool,
    on_conflict: ConflictArg,
    options: ImportOptions,
    (out, json): (&mut Out, bool),
) -> Result<(), CliError> {
    let id = client_id(client)?;
    // Fail on a missing client before reading the file; the update reuses it.
    h.peek(&id, |_| Ok::<(), handover::Error>(()))?;
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
    if !json {
        print_inferred(&id, &parsed.inferred);
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
    if json {
        return out.json(&ImportJson {
            client: id.as_str(),
            format,
            dry_run,
            added: &report.added,
            replaced: &report.replaced,
            skipped: &report.skipped,
            renamed: report
                .renamed
                .iter()
                .map(|(from, to)| Renamed { from, to })
                .collect(),
            inferred: parsed
                .inferred
                .iter()
                .map(|i| InferredJson {
                    path: &i.path,
                    kind: i.kind.as_str(),
                    why: &i.why,
                })
                .collect(),
            warnings: &parsed.warnings,
            knowledge: knowledge.as_ref().map(|k| KnowledgeJson {
                added: &k.added,
                replaced: &k.replaced,
                skipped: &k.skipped,
            }),
        });
    }
    print_import(out, dry_run, &report, knowledge.as_ref())
}

/// What `import --json` prints: names, never a value.
#[derive(Serialize)]
struct ImportJson<'a> {
    client: &'a str,
    format: &'a str,
    dry_run: bool,
    added: &'a [String],
    replaced: &'a [String],
    skipped: &'a [String],
    renamed: Vec<Renamed<'a>>,
    inferred: Vec<InferredJson<'a>>,
    warnings: &'a [String],
    /// Systems, networks, vendors, documents and decisions (`--format json` of a
    /// whole client), by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    knowledge: Option<KnowledgeJson<'a>>,
}

#[derive(Serialize)]
struct Renamed<'a> {
    from: &'a str,
    to: &'a str,
}

#[derive(Serialize)]
struct InferredJson<'a> {
    path: &'a str,
    kind: &'a str,
    why: &'a str,
}

#[derive(Serialize)]
struct KnowledgeJson<'a> {
    added: &'a [String],
    replaced: &'a [String],
    skipped: &'a [String],
}

/// The kinds the import read from the file, and why, so that a wrong guess is seen
/// and fixed before anyone relies on it.
fn print_inferred(id: &ClientId, inferred: &[formats::infer::Inferred]) {
    if inferred.is_empty() {
        return;
    }
    eprintln!(
        "Kinds taken from what the file says ({} {}; change them with `handover edit {} PATH --kind KIND`, or many at once with `--prefix`):",
        inferred.len(),
        if inferred.len() == 1 {
            "entry"
        } else {
            "entries"
        },
        id.as_str()
    );
    for i in inferred {
        eprintln!(
            "  {} \u{2192} {} ({})",
            safe(&i.path, false),
            i.kind,
            safe(&i.why, false)
        );
    }
}

/// `--map FIELD=COLUMN`, repeated: the spreadsheet's columns for handover's fields.
fn column_map(map: Vec<String>) -> Result<ImportOptions, CliError> {
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
    Ok(options)
}

/// What the import did (or, with --dry-run, would do): one line a name on stdout,
/// the counts on stderr.
fn print_import(
    out: &mut Out,
    dry_run: bool,
    report: &ImportReport,
    knowledge: Option<&KnowledgeReport>,
) -> Result<(), CliError> {
    let verb = if dry_run { "would be " } else { "" };
    if let Some(k) = knowledge {
        names(out, verb, &k.added, &k.replaced, &k.skipped)?;
        eprintln!(
            "Systems, networks, vendors, documents and decisions: {} added, {} replaced, {} skipped.",
            k.added.len(),
            k.replaced.len(),
            k.skipped.len()
        );
    }
    names(out, verb, &report.added, &report.replaced, &report.skipped)?;
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

/// One line a name, saying what the import did (or would do) with it.
fn names(
    out: &mut Out,
    verb: &str,
    added: &[String],
    replaced: &[String],
    skipped: &[String],
) -> Result<(), CliError> {
    for (what, list) in [
        ("added", added),
        ("replaced", replaced),
        ("skipped (exists)", skipped),
    ] {
        for name in list {
            out.line(&format!("{verb}{what}: {}", safe(name, false)))?;
        }
    }
    Ok(())
}

fn read_import_input(file: &Path) -> Result<(zeroize::Zeroizing<Vec<u8>>, String), CliError> {
    let (reader, name, size): (Box<dyn std::io::Read>, String, Option<u64>) =
        if file.as_os_str() == "-" {
            (Box::new(std::io::stdin().lock()), "stdin".into(), None)
        } else {
            let name = file.display().to_string();
            let (f, size) = fsutil::open_regular(file, "the import file")?;
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
        handover::model::extend_wiping(&mut data, &chunk[..n]);
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
