//! Offboarding: the planned end of a contract. The client's vault is handed to a
//! successor provider and the client, and leaves this provider's store for good.
//!
//! The steps are ordered so that a failure at any point loses nothing: everything
//! for the successor is written to the output directory first, the archive (if kept)
//! next, and the vault is removed from the store last. If any step fails, the files
//! this run wrote are removed again and the vault stays; running the command again
//! simply starts over.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};

use crate::dossier::templates::{Template, Texts};
use crate::dossier::{Language, Successor};
use crate::error::{Error, Result};
use crate::formats::bundle;
use crate::fsutil;
use crate::keys::Recipient;
use crate::model::{Client, ClientId, EventKind, validate_name};
use crate::workflows::check::{CheckOptions, Finding, Severity, check, has_blocking};
use crate::workflows::rotation::{rotation_csv, rotation_list};
use crate::workflows::{Handover, history};

/// Writes the final dossier for the handed-over client into the output directory and
/// returns the file it wrote. It gets the client as it will be handed over (recipients
/// already the successor's and the client's) and the successor to name as the one to
/// call, and may record into the client (a dossier record and a `dossier-exported`
/// event); that record then travels in the bundle and archive. It runs while
/// offboarding holds the store lock, so it must not write to the store.
pub type DossierHook<'a> = &'a mut dyn FnMut(&mut Client, &Path, &Successor) -> Result<PathBuf>;

pub struct OffboardOptions<'a> {
    /// The successor provider's age recipient.
    pub successor: String,
    /// The successor's name, which the final dossier prints as the one to call.
    pub successor_name: String,
    /// How to reach the successor (phone, e-mail), printed beside its name.
    pub successor_contact: Option<String>,
    /// Where the bundle, rotation list and dossier go (created 0700 if missing).
    pub out_dir: PathBuf,
    /// Offboard despite blocking findings (the check's findings are still reported).
    pub accept_blocking: bool,
    /// Replace existing files in `out_dir`.
    pub force: bool,
    /// Keep an archive copy (encrypted to successor and client only) in the store.
    pub keep_archive: bool,
    /// The language of the rotation list (the dossier's), and wording overrides.
    pub lang: Language,
    pub template_dir: Option<PathBuf>,
    pub check: CheckOptions,
    pub today: NaiveDate,
    pub dossier: Option<DossierHook<'a>>,
}

pub struct OffboardReport {
    pub findings: Vec<Finding>,
    pub bundle: PathBuf,
    pub rotation_list: PathBuf,
    /// How many secrets the rotation list names.
    pub to_rotate: usize,
    pub dossier: Option<PathBuf>,
    /// The final dossier's fingerprint, as its record in the handed-over vault holds it.
    pub fingerprint: Option<String>,
    pub archive: Option<PathBuf>,
    /// Who the handed-over vault is encrypted to.
    pub recipients: Vec<String>,
}

/// What [`offboard`] would do, as [`plan`] finds it without changing anything.
pub struct OffboardPlan {
    pub client: ClientId,
    pub client_name: String,
    /// The successor's recipient, name and contact.
    pub successor: String,
    pub successor_name: String,
    pub successor_contact: Option<String>,
    /// Who can open the vault now, and who can open what is handed over.
    pub recipients_before: Vec<String>,
    pub recipients_after: Vec<String>,
    /// Everything the handover check finds, blocking and warnings.
    pub findings: Vec<Finding>,
    /// How many secrets the rotation list will name.
    pub to_rotate: usize,
    /// The files it writes into the output directory.
    pub writes: Vec<PathBuf>,
    /// Where the archive copy goes (`--keep-archive`), a directory of the store.
    pub archive_dir: Option<PathBuf>,
    /// What it removes from this store: the vault and its signature.
    pub removes: Vec<PathBuf>,
}

impl OffboardPlan {
    pub fn blocking(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
            .count()
    }

    /// The refusal [`offboard`] gives for blocking findings, unless they are accepted.
    pub fn refusal(&self, accept_blocking: bool) -> Option<Error> {
        (self.blocking() > 0 && !accept_blocking).then(|| not_ready(&self.client, &self.findings))
    }
}

/// The file names offboarding writes into the output directory.
pub fn bundle_path(dir: &Path, id: &ClientId) -> PathBuf {
    dir.join(format!("{id}-bundle.age"))
}

pub fn rotation_list_path(dir: &Path, id: &ClientId) -> PathBuf {
    dir.join(format!("{id}-rotation.csv"))
}

/// Where the dossier hook should write (the hook decides; this is the convention).
pub fn dossier_path(dir: &Path, id: &ClientId) -> PathBuf {
    dir.join(format!("{id}-dossier.pdf"))
}

/// What [`offboard`] would do with these options, and every refusal it would give
/// before writing anything except blocking findings (see [`OffboardPlan::refusal`]).
/// Changes nothing.
pub fn plan(h: &Handover, id: &ClientId, options: &OffboardOptions) -> Result<OffboardPlan> {
    let successor = successor(h, &options.successor)?;
    validate_successor(
        &options.successor_name,
        options.successor_contact.as_deref(),
    )?;
    rotation_texts(options)?;
    let client = h.load(id)?;
    let findings = open_findings(&client, options);
    let dir = &options.out_dir;
    check_out_dir(dir)?;
    let mut writes = out_files(dir, id, options.dossier.is_some());
    refuse_existing(&writes, options.force)?;
    writes.sort();
    let (handed, _) = handed_over_copy(&client, &successor)?;
    Ok(OffboardPlan {
        client: id.clone(),
        client_name: client.name.clone(),
        successor,
        successor_name: options.successor_name.clone(),
        successor_contact: options.successor_contact.clone(),
        recipients_before: client.recipients.clone(),
        recipients_after: handed.recipients,
        findings,
        to_rotate: rotation_list(&client).len(),
        writes,
        archive_dir: options.keep_archive.then(|| h.store.archive_dir()),
        removes: vec![h.store.vault_path(id), h.store.signature_path(id)],
    })
}

/// Hands client `id` over to `options.successor`; see the module documentation.
pub fn offboard(h: &Handover, id: &ClientId, options: OffboardOptions) -> Result<OffboardReport> {
    let successor = successor(h, &options.successor)?;
    validate_successor(
        &options.successor_name,
        options.successor_contact.as_deref(),
    )?;
    let texts = rotation_texts(&options)?;
    // Held to the end: nobody may change the vault between what is handed over and
    // its removal.
    let lock = h.store.lock()?;
    let client = h.load(id)?;

    let findings = open_findings(&client, &options);
    if has_blocking(&findings) && !options.accept_blocking {
        return Err(not_ready(id, &findings));
    }

    let dir = &options.out_dir;
    check_out_dir(dir)?;
    refuse_existing(
        &out_files(dir, id, options.dossier.is_some()),
        options.force,
    )?;
    // Everything written from here on is taken back if a later step fails.
    let mut written = Written::default();
    if !dir.exists() {
        fsutil::ensure_private_dir(dir)?;
        written.dir = Some(dir.to_owned());
    }
    let (bundle_file, rotation_file) = (bundle_path(dir, id), rotation_list_path(dir, id));

    let rotation = rotation_list(&client);
    let (mut handed, recipients) = handed_over_copy(&client, &successor)?;

    let named = Successor {
        name: options.successor_name.clone(),
        contact: options.successor_contact.clone(),
        bundle: bundle_file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
    };
    let before = handed.dossiers.len();
    let dossier = match options.dossier {
        Some(hook) => Some(written.add(hook(&mut handed, dir, &named)?)),
        None => None,
    };
    let fingerprint = (handed.dossiers.len() > before)
        .then(|| handed.dossiers.last().map(|r| r.fingerprint.clone()))
        .flatten();
    let detail = offboarded_detail(&named, &successor, rotation.len(), &findings);
    handed.record(history::event(EventKind::Offboarded).with_detail(detail));
    handed.updated = Utc::now();
    // The bundle records itself: bookkeeping is not part of the fingerprint, so the
    // record names the fingerprint of exactly what the bundle holds.
    let (printed, digests) = crate::fingerprint::fingerprint_and_digests(&handed);
    let at = handed.updated;
    super::bundle::record(&mut handed, printed, digests, at);

    super::signers::write_signed_output(
        h,
        &bundle_file,
        &bundle::write(&handed, &recipients)?,
        options.force,
    )?;
    written.add(bundle_file.clone());
    written.add(crate::store::sig_path(&bundle_file));
    fsutil::write_output(
        &rotation_file,
        &rotation_csv(&rotation, &texts)?,
        options.force,
    )?;
    written.add(rotation_file.clone());

    let archive = options
        .keep_archive
        .then(|| write_archive(h, id, &handed, &mut written))
        .transpose()?;

    h.store.remove_vault(&lock, id)?;
    written.keep();
    h.trust.forget_revision(id)?;
    Ok(OffboardReport {
        findings,
        bundle: bundle_file,
        rotation_list: rotation_file,
        to_rotate: rotation.len(),
        dossier,
        fingerprint,
        archive,
        recipients: handed.recipients,
    })
}

/// The rotation list's wording: the dossier's language, with its overrides.
fn rotation_texts(options: &OffboardOptions) -> Result<Texts> {
    Ok(Template::load(options.lang, options.template_dir.as_deref())?.texts)
}

/// The successor's name (required: the final dossier names it as the one to call)
/// and contact.
fn validate_successor(name: &str, contact: Option<&str>) -> Result<()> {
    validate_name("successor", name).map_err(|e| {
        Error::Invalid(format!(
            "{e}; give the name of the provider who takes the client over, as the final dossier prints it"
        ))
    })?;
    if let Some(contact) = contact {
        let problem = if contact.trim().is_empty() {
            "it is empty"
        } else if contact.chars().count() > 500 {
            "it is longer than 500 characters"
        } else if contact.chars().any(|c| c.is_control() && c != '\n') {
            "it contains a control character"
        } else {
            return Ok(());
        };
        return Err(Error::Invalid(format!(
            "invalid successor contact: {problem}; give a phone number, e-mail or address, one per line"
        )));
    }
    Ok(())
}

/// The successor's recipient, which must not be one of your own.
fn successor(h: &Handover, given: &str) -> Result<String> {
    let successor = Recipient::parse(given)?.to_string();
    if h.own_recipients().contains(&successor) {
        return Err(Error::Recipients(
            "the successor is your own identity; offboarding hands the client to another provider's recipient (`age-keygen -y` of their identity)".into(),
        ));
    }
    Ok(successor)
}

/// What `check` finds that still matters at a handover: not the warnings about the
/// copies the client holds (the printed dossier, the bundle), which offboarding
/// replaces with new ones.
fn open_findings(client: &Client, options: &OffboardOptions) -> Vec<Finding> {
    let check_options = CheckOptions {
        old_copies: false,
        ..options.check.clone()
    };
    check(client, &check_options, options.today)
}

/// The refusal of a handover with blocking findings, naming them.
fn not_ready(id: &ClientId, findings: &[Finding]) -> Error {
    let codes: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .map(|f| match &f.path {
            Some(p) => format!("{} ({p})", f.code),
            None => f.code.to_string(),
        })
        .collect();
    Error::Invalid(format!(
        "client {:?} is not ready for a handover: {} blocking finding(s): {}; run `handover check {}` and fix them, or pass --accept-blocking to hand over anyway; nothing was changed",
        id.as_str(),
        codes.len(),
        codes.join(", "),
        id.as_str()
    ))
}

/// Refuses an output directory that is something else.
fn check_out_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    Ok(())
}

/// The files offboarding writes into `dir`: the bundle, its signature, the rotation
/// list, and the dossier if one is written.
fn out_files(dir: &Path, id: &ClientId, dossier: bool) -> Vec<PathBuf> {
    let bundle = bundle_path(dir, id);
    let mut files = vec![
        crate::store::sig_path(&bundle),
        bundle,
        rotation_list_path(dir, id),
    ];
    if dossier {
        files.push(dossier_path(dir, id));
    }
    files
}

/// Refuses to replace any of `files` without `force`.
fn refuse_existing(files: &[PathBuf], force: bool) -> Result<()> {
    for file in files {
        if !force && file.exists() {
            return Err(Error::Invalid(format!(
                "{} already exists; pass --force to replace it, or choose another --out directory; nothing was changed",
                file.display()
            )));
        }
    }
    Ok(())
}

/// The client as handed over: encrypted to the successor and, if it has one, the
/// client's own key; with those recipients parsed.
fn handed_over_copy(client: &Client, successor: &str) -> Result<(Client, Vec<Recipient>)> {
    let mut handed = client.clone();
    handed.recipients = vec![successor.to_owned()];
    if let Some(key) = &client.client_recipient
        && key != successor
    {
        handed.recipients.push(key.clone());
    }
    let recipients = handed
        .recipients
        .iter()
        .map(|r| Recipient::parse(r))
        .collect::<Result<Vec<_>>>()?;
    Ok((handed, recipients))
}

/// The history event's detail: to whom (by name, contact and recipient), how many
/// secrets to rotate, and blocking findings accepted.
fn offboarded_detail(
    named: &Successor,
    recipient: &str,
    to_rotate: usize,
    findings: &[Finding],
) -> String {
    let blocking = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .count();
    let mut detail = format!("handed over to {} ({recipient})", named.name);
    if let Some(contact) = &named.contact {
        let one_line: Vec<&str> = contact
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        detail.push_str(&format!("; contact: {}", one_line.join(", ")));
    }
    detail.push_str(&format!("; {to_rotate} secret(s) on the rotation list"));
    if blocking > 0 {
        detail.push_str(&format!(
            "; handed over despite {blocking} blocking finding(s) (accepted)"
        ));
    }
    detail
}

/// Keeps a signed copy of the handed-over vault in the store's archive; returns it.
fn write_archive(
    h: &Handover,
    id: &ClientId,
    handed: &Client,
    written: &mut Written,
) -> Result<PathBuf> {
    // Deliberately not through `Handover::update`/`create`, whose check refuses a
    // vault this identity cannot open: here that is the point.
    let ciphertext = crate::vault::encode(handed)?;
    let archive_dir = h.store.archive_dir();
    fsutil::ensure_private_dir(&archive_dir)?;
    let file = archive_dir.join(format!(
        "{id}-{}.age",
        handed.updated.format("%Y%m%dT%H%M%SZ")
    ));
    let sig = h
        .signing_key()?
        .sign(crate::keys::signing::NAMESPACE, &ciphertext)?;
    let sig_file = crate::store::sig_path(&file);
    fsutil::atomic_write_new(&sig_file, &sig)?;
    written.add(sig_file);
    fsutil::atomic_write_new(&file, &ciphertext)?;
    Ok(written.add(file))
}

/// The files (and the output directory, if it was created) an offboarding run has
/// written, removed again when dropped before [`Written::keep`]: a run that fails
/// leaves the client in the store and nothing that looks like a finished handover.
#[derive(Default)]
struct Written {
    files: Vec<PathBuf>,
    dir: Option<PathBuf>,
}

impl Written {
    fn add(&mut self, file: PathBuf) -> PathBuf {
        self.files.push(file.clone());
        file
    }

    fn keep(mut self) {
        self.files.clear();
        self.dir = None;
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
        if let Some(dir) = &self.dir {
            // Only if empty: never anything the user put there.
            let _ = std::fs::remove_dir(dir);
        }
    }
}
