//! Taking a client over from another provider (`handover takeover`): from the signed
//! bundle the old provider wrote to a client in your own store, in one step.
//!
//! Two cases: a bundle encrypted to you (the old provider offboarded the client to
//! you), and the client's own bundle, opened with the client's key from the emergency
//! sheet (the old provider is gone). Either way the bundle's signature is checked
//! before anything is decrypted, the bundle is compared with the printed dossier's
//! fingerprint, and the client is written encrypted to you and the client key only,
//! signed with your key, with the takeover in its records and history. Every secret
//! the old provider could read is marked as known to it until you replace it.
//!
//! [`plan`] reads, checks and prepares everything in memory and writes nothing, so
//! that the person can see what will happen and say yes; [`apply`] writes it. The
//! bundle's plaintext exists only in memory.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result, SignatureProblem, VaultProblem};
use crate::fingerprint::{Fingerprints, fingerprints, normalise};
use crate::formats::bundle;
use crate::fsutil;
use crate::keys::Identity;
use crate::model::{Client, ClientId, EventKind, TakeoverRecord};
use crate::prompt::Prompter;
use crate::workflows::{Handover, history, signers};

/// Bundles larger than this are refused before reading (as `import` does).
const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

/// What the person running the takeover gave besides the bundle.
#[derive(Default)]
pub struct TakeoverOptions {
    /// The client's key (the emergency case); `None`: the bundle is opened with your
    /// own identity (the old provider encrypted it to you).
    pub client_key: Option<Identity>,
    /// Where the client key was read from, for messages.
    pub client_key_file: Option<String>,
    /// Accept a signature by this key (`SHA256:…`, from the dossier's cover) although
    /// this machine does not trust it.
    pub expect_signer: Option<String>,
    /// The fingerprint printed on the client's dossier, to compare with the bundle.
    pub expect_fingerprint: Option<String>,
    /// Take the client over under this id instead of the bundle's.
    pub id: Option<ClientId>,
    /// The old provider's name, when the signer list does not know it.
    pub previous_name: Option<String>,
}

/// How the printed dossier compares with the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum PaperState {
    /// No fingerprint was given: compare [`Plan::fingerprint`] with the paper yourself.
    NotGiven,
    /// The paper shows exactly what the bundle holds.
    Matches,
    /// The paper was printed from an earlier state of this client: the bundle is newer.
    PaperOlder {
        #[serde(serialize_with = "crate::model::timestamp::serialize")]
        printed: DateTime<Utc>,
    },
    /// The bundle does not know the paper's fingerprint: the paper was printed after
    /// the bundle was written (the bundle is older and lacks what changed since), or
    /// it belongs to another client. Taking over needs an explicit yes.
    BundleOlder,
}

/// An entry whose secrets the old provider knows, for review.
#[derive(Debug, Clone, Serialize)]
pub struct KnownEntry {
    pub path: String,
    /// The secrets to replace: "password", "TOTP seed", "recovery codes", "field NAME".
    pub secrets: Vec<String>,
    /// 1 = first hour (critical), 2 = first day, 3 = first week.
    pub priority: u8,
}

/// Everything a takeover will do, prepared in memory; nothing is written yet.
#[derive(Serialize)]
pub struct Plan {
    /// The client as it will be written (with its takeover record and history).
    #[serde(skip)]
    client: Client,
    pub id: ClientId,
    pub name: String,
    /// The bundle's own client id, when the client is taken over under another.
    pub renamed_from: Option<ClientId>,
    /// The key that signed the bundle (`SHA256:…`).
    pub signer: String,
    /// The name this machine trusts the signer under, if it does.
    pub signer_trusted_as: Option<String>,
    /// The old provider's name as recorded (the trusted name, the given one, or the
    /// key's fingerprint).
    pub from: String,
    /// Whether the bundle was opened with the client's key (else with yours).
    pub opened_with_client_key: bool,
    /// The vault fingerprint of the bundle as received.
    pub fingerprint: String,
    /// When the bundle's client was last changed.
    #[serde(serialize_with = "crate::model::timestamp::serialize")]
    pub bundle_date: DateTime<Utc>,
    pub paper: PaperState,
    /// Recipients of the bundle that the taken-over vault will not be encrypted to.
    pub removed: Vec<String>,
    /// Who the taken-over vault is encrypted to: you first, then the client key.
    pub remaining: Vec<String>,
    /// Entries with secrets, which the old provider knows until they are replaced.
    pub known: Vec<KnownEntry>,
    pub entries: usize,
    pub systems: usize,
    pub networks: usize,
    pub vendors: usize,
    pub documents: usize,
    pub decisions: usize,
}

impl Plan {
    /// Whether the takeover needs an explicit yes beyond the usual one (the bundle
    /// is older than the paper).
    pub fn bundle_older(&self) -> bool {
        self.paper == PaperState::BundleOlder
    }
}

/// Reads the client's key (an age identity file, as `handover client key` wrote it;
/// a passphrase-protected one asks `prompter`). The file is only read.
pub fn read_client_key(file: &Path, prompter: &dyn Prompter) -> Result<Identity> {
    let bad = |problem: String| Error::Identity {
        path: file.to_owned(),
        problem,
    };
    let bytes = fsutil::read_regular_secret(
        file,
        crate::keys::identity::MAX_IDENTITY_BYTES,
        "the client key file",
    )
    .map_err(|e| {
        if fsutil::is_not_found(&e) {
            bad("it does not exist; give the file with the client's key (AGE-SECRET-KEY-1…, from the emergency sheet)".into())
        } else {
            e
        }
    })?;
    Identity::from_file_bytes(&bytes, prompter, &file.display().to_string()).map_err(bad)
}

/// Reads and checks the bundle `file` (its signature `FILE.sig` beside it) and
/// prepares the takeover; writes nothing. See the module documentation.
pub fn plan(h: &Handover, file: &Path, options: &TakeoverOptions) -> Result<Plan> {
    let expected_fp = options
        .expect_fingerprint
        .as_deref()
        .map(checked_fingerprint)
        .transpose()?;
    let data = fsutil::read_regular_file(file, MAX_BUNDLE_BYTES, "the bundle")?;
    let (signer, signer_trusted_as) = check_signature(h, file, &data, options)?;
    let received = open_bundle(h, file, &data, options)?;
    let id = options.id.clone().unwrap_or_else(|| received.id.clone());
    refuse_existing(h, &id)?;
    let from = previous_name(options, signer_trusted_as.as_deref(), &signer)?;
    let fingerprints = fingerprints(&received);
    let fingerprint = paper_fingerprint(&received, &fingerprints, expected_fp.as_deref());
    let paper = match &expected_fp {
        None => PaperState::NotGiven,
        Some(wanted) => compare_paper(&received, &fingerprints, wanted),
    };
    let digests = fingerprints.digests;
    let (remaining, removed) = recipients_after(h, &received, options);
    let bundle_date = received.updated;
    let renamed_from = (received.id != id).then(|| received.id.clone());
    let mut client = received;
    client.id = id.clone();
    client.recipients = remaining.clone();
    let known = mark_known(&mut client, &from);
    record(
        &mut client,
        TakeoverRecord {
            at: Utc::now(),
            from: from.clone(),
            from_key: signer.clone(),
            fingerprint: fingerprint.clone(),
            entries: digests,
        },
        &removed,
        known.len(),
    );
    Ok(Plan {
        id,
        name: client.name.clone(),
        renamed_from,
        signer,
        signer_trusted_as,
        from,
        opened_with_client_key: options.client_key.is_some(),
        fingerprint,
        bundle_date,
        paper,
        removed,
        remaining,
        known,
        entries: client.entries.len(),
        systems: client.systems.len(),
        networks: client.networks.len(),
        vendors: client.vendors.len(),
        documents: client.documents.len(),
        decisions: client.decisions.len(),
        client,
    })
}

/// Writes the planned client into the store, encrypted and signed as every vault is.
/// Refuses (writing nothing) if a client of that id appeared since the plan.
pub fn apply(h: &Handover, plan: &Plan) -> Result<Client> {
    let mut client = plan.client.clone();
    let lock = h.store.lock()?;
    refuse_existing(h, &client.id)?;
    // A client of this id removed earlier must not make this one look like an old copy.
    h.trust.forget_revision(&client.id)?;
    client.updated = Utc::now();
    h.write(&lock, &mut client)?;
    Ok(client)
}

fn checked_fingerprint(printed: &str) -> Result<String> {
    let wanted = normalise(printed);
    if wanted.len() != 20 {
        return Err(Error::Invalid(format!(
            "--expect-fingerprint {printed:?} is not a fingerprint: it has 20 characters in groups of four, like 7K3Q-M9XD-4TGB-WZ2H-0PNE (the dossier prints it on every page); nothing was written"
        )));
    }
    Ok(wanted)
}

/// The bundle's signature: intact, and by a key this machine trusts or the one named
/// with `--expect-signer`. Returns the key's fingerprint and its trusted name.
fn check_signature(
    h: &Handover,
    file: &Path,
    data: &[u8],
    options: &TakeoverOptions,
) -> Result<(String, Option<String>)> {
    let shown = file.display();
    let identity = options.client_key.as_ref().unwrap_or(&h.identity);
    let (key, name) = match signers::verify_file(Some(&h.trust), identity, file, data) {
        Ok(found) => found,
        Err(Error::Signature {
            problem: SignatureProblem::Missing,
            ..
        }) => {
            return Err(Error::Invalid(format!(
                "{shown} has no signature ({shown}.sig is missing beside it), so nobody can tell who made it; copy the .sig file from the same stick or folder, or ask the old provider for it; nothing was written"
            )));
        }
        Err(e) => return Err(e),
    };
    let fp = key.fingerprint();
    match options.expect_signer.as_deref().map(str::trim) {
        Some(expected) if expected != fp => Err(Error::Invalid(format!(
            "{shown} is signed by {fp}, not by {expected} as --expect-signer says: either the fingerprint was mistyped (compare it with the dossier's cover once more) or the bundle was not made by the provider whose dossier you hold; nothing was written"
        ))),
        None if name.is_none() => Err(Error::Invalid(format!(
            "{shown} is signed by {fp}, a key this machine does not trust; compare it with the signing-key fingerprint on the cover of the client's dossier, and if they match, run the takeover again with --expect-signer {fp}; nothing was written"
        ))),
        _ => Ok((fp, name)),
    }
}

/// Decrypts the bundle with the client key or, without one, your identity.
fn open_bundle(
    h: &Handover,
    file: &Path,
    data: &[u8],
    options: &TakeoverOptions,
) -> Result<Client> {
    let shown = file.display().to_string();
    let identity = options.client_key.as_ref().unwrap_or(&h.identity);
    let error = match bundle::read(data, identity, &shown) {
        Ok(client) => return Ok(client),
        Err(e) => e,
    };
    // Only a wrong key gets the takeover's own advice; damage keeps the bundle's.
    if !matches!(
        crate::vault::decode(data, identity),
        Err(VaultProblem::WrongIdentity)
    ) {
        return Err(error);
    }
    Err(Error::Invalid(match &options.client_key_file {
        Some(key) => format!(
            "{shown} does not open with the client key {key}: the bundle is not encrypted to it; check that the key is this client's (the emergency sheet of the same dossier) and the bundle the client's newest; nothing was written"
        ),
        None => format!(
            "{shown} is not encrypted to your identity; if it is the client's own bundle, open it with the client's key from the emergency sheet: --client-key FILE; nothing was written"
        ),
    }))
}

fn refuse_existing(h: &Handover, id: &ClientId) -> Result<()> {
    if h.store.exists(id) {
        return Err(Error::Invalid(format!(
            "client {:?} already exists in this store; take the bundle over under another id with --client NEW-ID; nothing was written",
            id.as_str()
        )));
    }
    Ok(())
}

/// The old provider's name: the one given, the one this machine trusts its key under,
/// or else the key's fingerprint.
fn previous_name(
    options: &TakeoverOptions,
    trusted_as: Option<&str>,
    signer: &str,
) -> Result<String> {
    if let Some(name) = &options.previous_name {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 200 {
            return Err(Error::Invalid(
                "--previous-provider needs a name of 1 to 200 printable characters; nothing was written".into(),
            ));
        }
        return Ok(name.to_owned());
    }
    Ok(trusted_as.unwrap_or(signer).to_owned())
}

/// The bundle's fingerprint in the version the client's paper carries: version 1 when
/// the paper given, or else the newest dossier the bundle records, was printed with it
/// from this very state (by handover before fingerprint version 2); else version 2.
/// It is shown to compare with the paper and kept in the takeover record, where
/// `verify` of that paper finds it.
fn paper_fingerprint(
    received: &Client,
    fingerprints: &Fingerprints,
    wanted: Option<&str>,
) -> String {
    let earlier = normalise(&fingerprints.earlier);
    let on_paper = match wanted {
        Some(wanted) => wanted == earlier,
        None => received
            .dossiers
            .last()
            .is_some_and(|d| normalise(&d.fingerprint) == earlier),
    };
    if on_paper {
        fingerprints.earlier.clone()
    } else {
        fingerprints.current.clone()
    }
}

/// Where the paper's fingerprint stands against the bundle: the bundle's state, one
/// it recorded as printed or taken over earlier (the paper is older), or unknown.
fn compare_paper(received: &Client, fingerprints: &Fingerprints, wanted: &str) -> PaperState {
    if fingerprints.matches(wanted) {
        return PaperState::Matches;
    }
    let printed = received
        .dossiers
        .iter()
        .filter(|r| normalise(&r.fingerprint) == wanted)
        .map(|r| r.exported)
        .chain(
            received
                .takeovers
                .iter()
                .filter(|t| normalise(&t.fingerprint) == wanted)
                .map(|t| t.at),
        )
        .max();
    match printed {
        Some(printed) => PaperState::PaperOlder { printed },
        None => PaperState::BundleOlder,
    }
}

/// The recipients after the takeover (you, then the client key and the key the
/// bundle was opened with) and the bundle's recipients that go.
fn recipients_after(
    h: &Handover,
    received: &Client,
    options: &TakeoverOptions,
) -> (Vec<String>, Vec<String>) {
    let mut remaining = vec![h.identity.recipient().to_string()];
    let client_keys = received.client_recipient.iter().cloned().chain(
        options
            .client_key
            .as_ref()
            .map(|k| k.recipient().to_string()),
    );
    for r in client_keys {
        if !remaining.contains(&r) {
            remaining.push(r);
        }
    }
    let removed = received
        .recipients
        .iter()
        .filter(|r| !remaining.contains(r))
        .cloned()
        .collect();
    (remaining, removed)
}

/// Marks every entry with a secret as known to `from` (and to you); returns them in
/// the order of a takeover.
fn mark_known(client: &mut Client, from: &str) -> Vec<KnownEntry> {
    let mut known = Vec::new();
    let criticalities: Vec<_> = client
        .entries
        .iter()
        .map(|e| client.linked_criticality(e.id))
        .collect();
    for (e, criticality) in client.entries.iter_mut().zip(criticalities) {
        let secrets: Vec<String> = e.secret_parts().map(|p| p.to_string()).collect();
        if secrets.is_empty() {
            continue;
        }
        if !e.known_to_previous.iter().any(|p| p == from) {
            e.known_to_previous.push(from.to_owned());
        }
        e.provider_knows = true;
        known.push((
            crate::model::rules::takeover_order(e, criticality),
            KnownEntry {
                path: e.path.clone(),
                secrets,
                priority: crate::model::rules::takeover_rank(e, criticality).0,
            },
        ));
    }
    known.sort_by(|a, b| a.0.cmp(&b.0));
    known.into_iter().map(|(_, k)| k).collect()
}

/// The takeover record and its history events.
fn record(client: &mut Client, takeover: TakeoverRecord, removed: &[String], known: usize) {
    let mut event = history::event(EventKind::TakenOver).with_detail(format!(
        "taken over from {} (signing key {}); {known} entries with secrets it knows until they are replaced",
        takeover.from, takeover.from_key
    ));
    event.fingerprint = Some(takeover.fingerprint.clone());
    if !removed.is_empty() {
        client.record(
            history::event(EventKind::RecipientsChanged)
                .with_detail(format!("removed {} (takeover)", removed.join(", "))),
        );
    }
    client.record(event);
    client.takeovers.push(takeover);
}
