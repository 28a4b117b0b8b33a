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
use serde::Serialize;

use crate::error::{Error, Result};
use crate::formats::bundle;
use crate::fsutil;
use crate::keys::Recipient;
use crate::model::rules::{takeover_order, takeover_rank};
use crate::model::{Client, ClientId, Entry, EventKind, Kind, Owner};
use crate::workflows::check::{CheckOptions, Finding, Severity, check, has_blocking};
use crate::workflows::{Handover, history};

/// Writes the final dossier for the handed-over client into the output directory and
/// returns the file it wrote. It gets the client as it will be handed over (recipients
/// already the successor's and the client's) and may record into it (a
/// `dossier-exported` event); that record then travels in the bundle and archive. It
/// runs while offboarding holds the store lock, so it must not write to the store.
pub type DossierHook<'a> = &'a mut dyn FnMut(&mut Client, &Path) -> Result<PathBuf>;

pub struct OffboardOptions<'a> {
    /// The successor provider's age recipient.
    pub successor: String,
    /// Where the bundle, rotation list and dossier go (created 0700 if missing).
    pub out_dir: PathBuf,
    /// Offboard despite blocking findings (the check's findings are still reported).
    pub accept_blocking: bool,
    /// Replace existing files in `out_dir`.
    pub force: bool,
    /// Keep an archive copy (encrypted to successor and client only) in the store.
    pub keep_archive: bool,
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
    pub archive: Option<PathBuf>,
    /// Who the handed-over vault is encrypted to.
    pub recipients: Vec<String>,
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

/// Hands client `id` over to `options.successor`; see the module documentation.
pub fn offboard(h: &Handover, id: &ClientId, options: OffboardOptions) -> Result<OffboardReport> {
    let successor = successor(h, &options.successor)?;
    // Held to the end: nobody may change the vault between what is handed over and
    // its removal.
    let lock = h.store.lock()?;
    let client = h.load(id)?;

    let findings = check(&client, &options.check, options.today);
    if has_blocking(&findings) && !options.accept_blocking {
        return Err(not_ready(id, &findings));
    }

    let dir = &options.out_dir;
    // Everything written from here on is taken back if a later step fails.
    let mut written = Written::default();
    let (bundle_file, rotation_file) = prepare_out_dir(dir, id, options.force, &mut written)?;

    let rotation = rotation_list(&client);
    let (mut handed, recipients) = handed_over_copy(&client, &successor)?;

    let dossier = match options.dossier {
        Some(hook) => Some(written.add(hook(&mut handed, dir)?)),
        None => None,
    };
    let detail = offboarded_detail(&successor, rotation.len(), &findings);
    handed.record(history::event(EventKind::Offboarded).with_detail(detail));
    handed.updated = Utc::now();

    super::signers::write_signed_output(
        h,
        &bundle_file,
        &bundle::write(&handed, &recipients)?,
        options.force,
    )?;
    written.add(bundle_file.clone());
    written.add(crate::store::sig_path(&bundle_file));
    fsutil::write_output(&rotation_file, &rotation_csv(&rotation)?, options.force)?;
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
        archive,
        recipients: handed.recipients,
    })
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

/// Makes the output directory if needed (recorded in `written`) and returns where the
/// bundle and the rotation list go, refusing to replace them without `force`.
fn prepare_out_dir(
    dir: &Path,
    id: &ClientId,
    force: bool,
    written: &mut Written,
) -> Result<(PathBuf, PathBuf)> {
    if !dir.exists() {
        fsutil::ensure_private_dir(dir)?;
        written.dir = Some(dir.to_owned());
    } else if !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    let bundle_file = bundle_path(dir, id);
    let rotation_file = rotation_list_path(dir, id);
    for file in [
        &bundle_file,
        &crate::store::sig_path(&bundle_file),
        &rotation_file,
    ] {
        if !force && file.exists() {
            return Err(Error::Invalid(format!(
                "{} already exists; pass --force to replace it, or choose another --out directory; nothing was changed",
                file.display()
            )));
        }
    }
    Ok((bundle_file, rotation_file))
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

/// The history event's detail: to whom, how many secrets to rotate, and blocking
/// findings accepted.
fn offboarded_detail(successor: &str, to_rotate: usize, findings: &[Finding]) -> String {
    let blocking = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .count();
    let mut detail =
        format!("handed over to {successor}; {to_rotate} secret(s) on the rotation list");
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

/// One secret the old provider could read, and so must be changed by the successor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RotationItem {
    /// 1 = first, 3 = last; see [`priority`].
    pub priority: u8,
    pub path: String,
    pub title: String,
    pub kind: Kind,
    /// The URL, else `host[:port]`.
    pub location: Option<String>,
    pub username: Option<String>,
    pub owner: Option<Owner>,
    /// Why it is on the list and why at this priority, in a sentence.
    pub reason: String,
}

/// Every entry with a secret the provider knows (`provider_knows`), in the order of a
/// takeover ([`takeover_order`]). Never holds a secret value.
pub fn rotation_list(client: &Client) -> Vec<RotationItem> {
    let mut known: Vec<&Entry> = client
        .entries
        .iter()
        .filter(|e| e.provider_knows && e.has_secret())
        .collect();
    known.sort_by_cached_key(|e| takeover_order(e));
    known
        .into_iter()
        .map(|e| {
            let (priority, why) = priority(e);
            let location = e.url.clone().or_else(|| {
                e.host.as_ref().map(|h| match e.port {
                    Some(p) => format!("{h}:{p}"),
                    None => h.clone(),
                })
            });
            let mut reason = format!("the old provider knew it; {why}");
            if e.owner == Some(Owner::Provider) {
                reason.push_str("; the account is owned by the old provider: transfer it");
            }
            RotationItem {
                priority,
                path: e.path.clone(),
                title: e.title.clone(),
                kind: e.kind,
                location,
                username: e.username.clone(),
                owner: e.owner,
                reason,
            }
        })
        .collect()
}

/// How urgent rotating an entry is, and why (see [`takeover_rank`]).
pub fn priority(e: &Entry) -> (u8, &'static str) {
    let (priority, _, why) = takeover_rank(e);
    (priority, why)
}

/// The rotation list as CSV (UTF-8, header row). Cells that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`) get a leading `'`.
pub fn rotation_csv(items: &[RotationItem]) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::Invalid(format!("cannot write the rotation list: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "priority", "path", "title", "kind", "location", "username", "owner", "reason",
    ])
    .map_err(fail)?;
    for item in items {
        let cells = [
            item.priority.to_string(),
            item.path.clone(),
            item.title.clone(),
            item.kind.to_string(),
            item.location.clone().unwrap_or_default(),
            item.username.clone().unwrap_or_default(),
            item.owner.map(|o| o.to_string()).unwrap_or_default(),
            item.reason.clone(),
        ];
        w.write_record(cells.iter().map(|c| defuse(c)))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Invalid(format!("cannot write the rotation list: {e}")))
}

fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Secret;

    fn entry(path: &str, kind: Kind) -> Entry {
        let mut e = Entry::new(path.into(), kind);
        e.password = Some(Secret::from("Xq7#kP2m-Lw9z"));
        e
    }

    #[test]
    fn rotation_list_order_and_content() {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Acme".into(),
            vec![],
            Utc::now(),
        );
        let mut unknown = entry("a/unknown", Kind::Domain);
        unknown.provider_knows = false;
        let mut note = Entry::new("b/note".into(), Kind::Note);
        note.notes = Some("no secret".into());
        let mut owned = entry("z/provider-owned", Kind::Login);
        owned.owner = Some(Owner::Provider);
        owned.url = Some("https://x.example".into());
        let mut fw = entry("fw", Kind::NetworkDevice);
        fw.host = Some("10.0.0.1".into());
        fw.port = Some(4444);
        c.entries = vec![
            entry("licence", Kind::License),
            entry("m365/global-admin", Kind::Login),
            entry("nas", Kind::Server),
            unknown,
            note,
            owned,
            fw,
            entry("=cmd", Kind::Other),
        ];
        let list = rotation_list(&c);
        let got: Vec<(u8, &str)> = list.iter().map(|i| (i.priority, i.path.as_str())).collect();
        // The takeover order: identity provider admins before the firewall; servers
        // before other logins.
        assert_eq!(
            got,
            vec![
                (1, "m365/global-admin"),
                (1, "fw"),
                (2, "nas"),
                (2, "z/provider-owned"),
                (3, "=cmd"),
                (3, "licence"),
            ]
        );
        assert_eq!(list[1].location.as_deref(), Some("10.0.0.1:4444"));
        assert!(list[3].reason.contains("transfer"));
        let csv = String::from_utf8(rotation_csv(&list).unwrap()).unwrap();
        assert!(csv.starts_with("priority,path,title,kind,location,username,owner,reason\n"));
        assert!(csv.contains("\n3,'=cmd,'=cmd,other,"), "{csv}");
        assert!(!csv.contains("Xq7"));
    }
}
