//! Exporting a dossier, and checking a printed one against the vault.

use std::collections::BTreeMap;
use std::path::Path;

use crate::dossier::{self, ClientKey, Dossier, Gap, Options, Rendered};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

use crate::fingerprint::{entry_digest, fingerprints, normalise};
use crate::fsutil;
use crate::keys::Identity;
use crate::model::{Client, ClientId, DossierRecord, Event, MAX_DOSSIER_RECORDS};

use super::Handover;
use super::changes::{self, Changes};
use super::check::{self, CheckOptions, Severity};

/// The provider's signing key for the dossier's stock-tool check, under the name this
/// machine trusts it by (`provider` if it is not in the list).
pub fn stock_check(h: &Handover) -> Option<dossier::StockCheck> {
    let key = h.signing.as_ref()?.public();
    let principal = h.trust.name_of(&key).unwrap_or("provider").to_owned();
    Some(dossier::StockCheck {
        fingerprint: key.fingerprint(),
        allowed_signers_line: crate::keys::trust::allowed_signers_line(&principal, &key),
        principal,
    })
}

/// The client's key from an identity file (as `handover client key` wrote it), for the
/// dossier's emergency sheet.
pub fn read_client_key(file: &Path) -> Result<ClientKey> {
    let bytes = fsutil::read_regular_secret(
        file,
        crate::keys::identity::MAX_IDENTITY_BYTES,
        "the client key file",
    )?;
    let bad = |problem: String| Error::Identity {
        path: file.to_owned(),
        problem,
    };
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| bad("it is not an age identity file (not UTF-8 text)".into()))?;
    let identity = Identity::parse(text).map_err(bad)?;
    Ok(ClientKey {
        secret: identity.secret_key(),
        recipient: identity.recipient().to_string(),
    })
}

/// Renders `client`'s dossier with the findings of the handover check in its appendix.
pub fn render(client: &Client, options: &Options, check: &CheckOptions) -> Result<Dossier> {
    let gaps = gaps(client, options, check)?;
    dossier::render(client, options, &gaps)
}

/// [`render`] straight into `out`, page by page, with the data pages of `data`
/// when `options.data_pages` asks for them.
pub fn render_to(
    client: &Client,
    options: &Options,
    check: &CheckOptions,
    data: Option<&dossier::DataPages>,
    out: &mut dyn std::io::Write,
) -> Result<Rendered> {
    let gaps = gaps(client, options, check)?;
    dossier::render_to_with(client, options, &gaps, data, out)
}

fn gaps(client: &Client, options: &Options, check: &CheckOptions) -> Result<Vec<Gap>> {
    if let Some(key) = &options.client_key
        && client.client_recipient.as_deref() != Some(key.recipient.as_str())
    {
        // Printing a key that does not open the vault would mislead the client in
        // exactly the emergency the sheet is for.
        return Err(Error::Recipients(format!(
            "the key given with --include-client-key ({}) is not the client key of {:?}; `handover client show {}` names its recipient",
            key.recipient,
            client.id.as_str(),
            client.id.as_str()
        )));
    }
    // The paper being printed replaces the stale one; the emergency sheet prints the
    // bundle's date and fingerprint to compare with the cover's.
    let check = CheckOptions {
        old_copies: false,
        ..check.clone()
    };
    Ok(check::check(client, &check, options.as_of.date_naive())
        .into_iter()
        .map(|f| Gap {
            blocking: f.severity == Severity::Blocking,
            // A system or vendor finding is printed under its name, as an entry's
            // under its path.
            path: f.path.or(f.system).or(f.vendor),
            code: f.code.as_str().to_owned(),
        })
        .collect())
}

/// Notes in the vault that `dossier` was printed: the record `verify` and `check`
/// compare against, and a history event. Only the newest record keeps its entries'
/// digests: a vault must not grow with every printing (what changed since an older one
/// is read from the history).
pub fn record(
    client: &mut Client,
    dossier: &Rendered,
    options: &Options,
    entries: BTreeMap<uuid::Uuid, String>,
) {
    for older in &mut client.dossiers {
        older.entries.clear();
    }
    client.dossiers.push(DossierRecord {
        fingerprint: dossier.fingerprint.clone(),
        exported: options.as_of,
        lang: options.lang.code().to_owned(),
        entries,
    });
    let excess = client.dossiers.len().saturating_sub(MAX_DOSSIER_RECORDS);
    client.dossiers.drain(..excess);
    client.record(
        Event::dossier_exported(options.as_of, dossier.fingerprint.clone()).with_detail(format!(
            "{} pages, {}",
            dossier.pages,
            options.lang.code()
        )),
    );
}

/// Renders the dossier of `id` to `out` (0600, atomically; an existing file is kept
/// unless `force`) and records the export in the vault. All or nothing: a dossier the
/// vault does not record could never be verified, so the vault's new version is
/// checked and encoded before the file is written, and should writing the vault still
/// fail, the file is taken back.
pub fn export(
    h: &Handover,
    id: &ClientId,
    options: &Options,
    check: &CheckOptions,
    out: &Path,
    force: bool,
) -> Result<Rendered> {
    fsutil::refuse_existing(out, force)?;
    let (pending, (dossier, tmp)) = h.prepare_update(id, |client| {
        // The same refusal the write would give, before the (slow) rendering.
        h.ensure_still_readable(client)?;
        // Written beside `out` as it is rendered (0600, removed on failure), and
        // renamed into place only once the vault's new version is ready.
        let mut tmp = fsutil::output_temp(out, force)?;
        // The bundle of the client as printed, before this printing is recorded.
        let data = match options.data_pages {
            true => Some(super::paper::data_pages(h, client)?),
            false => None,
        };
        let mut dossier = render_to(client, options, check, data.as_ref(), tmp.as_file_mut())?;
        drop(data);
        // The layout is freed; what the vault's re-encryption allocates next need not
        // come on top of it.
        crate::process::release_freed_memory();
        let entries = std::mem::take(&mut dossier.entry_digests);
        record(client, &dossier, options, entries);
        Ok((dossier, tmp))
    })?;
    super::persist_then(out, tmp, force, || pending.commit())?;
    Ok(dossier)
}

/// Where and how `offboard` prints the final dossier.
pub struct FinalPaper<'a> {
    pub dir: &'a Path,
    /// Named as the one to call (`Options::handed_over_to`).
    pub successor: &'a dossier::Successor,
    pub check: &'a CheckOptions,
    pub force: bool,
    /// Data pages, signed with this provider's key: the handed-over client as a bundle
    /// to its new recipients, so that the paper alone restores it.
    pub data_pages: Option<&'a Handover>,
}

/// Renders the final dossier during offboarding, into `paper.dir`, recording it in the
/// handed-over client (which the bundle and archive then carry). It names the
/// successor as the one to call (`Options::handed_over_to`, which it sets).
pub fn offboard_hook(
    client: &mut Client,
    options: &mut Options,
    paper: FinalPaper<'_>,
) -> Result<std::path::PathBuf> {
    options.handed_over_to = Some(paper.successor.clone());
    options.data_pages = paper.data_pages.is_some();
    let options = &*options;
    let out = super::offboard::dossier_path(paper.dir, &client.id);
    // The handed-over vault is closed to you on purpose: check it as its new readers
    // get it, not by whether you can still open it.
    let check = CheckOptions {
        provider_recipients: Vec::new(),
        ..paper.check.clone()
    };
    // The bundle of the client as handed over, before this printing is recorded: the
    // same as `export` prints, to the successor's and the client's recipients.
    let data = paper
        .data_pages
        .map(|h| super::paper::data_pages(h, client))
        .transpose()?;
    let mut tmp = fsutil::output_temp(&out, paper.force)?;
    let mut dossier = render_to(client, options, &check, data.as_ref(), tmp.as_file_mut())?;
    fsutil::persist_output(tmp, &out, paper.force)?;
    let entries = std::mem::take(&mut dossier.entry_digests);
    record(client, &dossier, options, entries);
    Ok(out)
}

pub fn digests(client: &Client) -> BTreeMap<uuid::Uuid, String> {
    client
        .entries
        .iter()
        .map(|e| (e.id, entry_digest(e)))
        .collect()
}

/// What `verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Matches,
    /// The fingerprint is the one the client had when it was taken over from `from`
    /// at `at` (the paper the earlier provider printed); `changes` happened since.
    TakenOver {
        from: String,
        at: DateTime<Utc>,
        changes: Changes,
    },
    /// The vault changed since the recorded dossier with that fingerprint.
    Changed {
        exported: DateTime<Utc>,
        changes: Changes,
    },
    /// No dossier with this fingerprint was recorded: what changed is unknown.
    Unknown,
}

/// Whether the vault of `id` still matches the dossier that printed `printed`, and if
/// not, what changed since it (by name, never a value).
pub fn verify(h: &Handover, id: &ClientId, printed: &str) -> Result<Verdict> {
    verdict(&h.load(id)?, printed)
}

/// [`verify`] on a client in hand.
pub fn verdict(client: &Client, printed: &str) -> Result<Verdict> {
    let wanted = normalise(printed);
    if wanted.len() != 20 {
        return Err(Error::Invalid(format!(
            "{printed:?} is not a fingerprint: it has 20 characters in groups of four, like 7K3Q-M9XD-4TGB-WZ2H-0PNE"
        )));
    }
    // Paper printed before fingerprint version 2 carries version 1.
    let current = fingerprints(client);
    if current.matches(printed) {
        return Ok(Verdict::Matches);
    }
    let now = &current.digests;
    // Before the dossier records: the earlier provider's dossiers came along with the
    // client, but "this is what you took over" says more than "changed since".
    if let Some(t) = client
        .takeovers
        .iter()
        .rev()
        .find(|t| normalise(&t.fingerprint) == wanted)
    {
        return Ok(Verdict::TakenOver {
            from: t.from.clone(),
            at: t.at,
            changes: changes::since(client, t.at, &t.entries, now),
        });
    }
    match client
        .dossiers
        .iter()
        .rev()
        .find(|r| normalise(&r.fingerprint) == wanted)
    {
        Some(record) => Ok(Verdict::Changed {
            exported: record.exported,
            changes: changes::since(client, record.exported, &record.entries, now),
        }),
        None => Ok(Verdict::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::fingerprint_and_digests;
    use crate::model::{Entry, EventKind, Kind, Secret, TakeoverRecord};
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap()
    }

    /// A client as taken over on the 2nd, changed on the 3rd.
    fn taken_over() -> (Client, String) {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Acme".into(),
            vec!["age1old".into()],
            at(1),
        );
        let mut e = Entry::new("m365/admin".into(), Kind::Login);
        e.password = Some(Secret::from("old"));
        c.entries.push(e);
        c.entries
            .push(Entry::new("fw/admin".into(), Kind::NetworkDevice));
        let (fingerprint, entries) = fingerprint_and_digests(&c);
        c.takeovers.push(TakeoverRecord {
            at: at(2),
            from: "IT-Service Schäfer".into(),
            from_key: "SHA256:abc".into(),
            fingerprint: fingerprint.clone(),
            entries,
        });
        // The takeover re-encrypts the vault to the successor.
        c.recipients = vec!["age1new".into()];
        (c, fingerprint)
    }

    #[test]
    fn verify_recognises_the_state_taken_over() {
        let (mut c, printed) = taken_over();
        assert_eq!(
            verdict(&c, &printed).unwrap(),
            Verdict::TakenOver {
                from: "IT-Service Schäfer".into(),
                at: at(2),
                changes: Changes::default(),
            }
        );
        c.entries[0].password = Some(Secret::from("new"));
        let id = c.entries[0].id;
        let mut event = Event::new(EventKind::EntryRotated, at(3)).with_fields(&["password"]);
        event.entry = Some(id);
        event.path = Some("m365/admin".into());
        c.record(event);
        let Verdict::TakenOver { changes, .. } = verdict(&c, &printed).unwrap() else {
            panic!("not recognised as the state taken over");
        };
        assert_eq!(
            changes.count(),
            "1 entry changed (0 added, 0 removed, 1 modified)"
        );
        assert_eq!(changes.lines(), ["changed   m365/admin: password"]);
        // The earlier provider's own dossier record of the same state does not hide it.
        c.dossiers.push(DossierRecord {
            fingerprint: printed.clone(),
            exported: at(1),
            lang: "de".into(),
            entries: BTreeMap::new(),
        });
        assert!(matches!(
            verdict(&c, &printed).unwrap(),
            Verdict::TakenOver { .. }
        ));
        assert_eq!(
            verdict(&c, "7K3Q-M9XD-4TGB-WZ2H-0PNE").unwrap(),
            Verdict::Unknown
        );
    }
}
