//! The signing commands: `sign` (review and sign a store's unsigned vaults, or take an
//! older vault back) and `signers` (list, add, remove, pin trusted signing keys).

use std::path::Path;

use handover::keys::KeyFiles;
use handover::keys::trust::Signer;
use handover::model::ClientId;
use handover::store::Store;
use handover::workflows::signers::{self, RecipientRole, SignPlan};

use super::CliError;
use serde::Serialize;

use super::args::{SignArgs, SignersAction};
use super::context::{Paths, load_keys, open};
use super::term::{self, Out, safe};

pub fn sign(a: SignArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let (store_dir, identity_file, yes, json) =
        (paths.store_dir, paths.identity_file, a.yes, a.json);
    if let Some(client) = a.accept_rollback {
        return take_back(paths, &client, yes, json.then_some(out));
    }
    let store = Store::open(store_dir)?;
    let (identity, key) = load_keys(identity_file)?;
    let files = KeyFiles::beside(identity_file);
    let Some(key) = key else {
        return Err(CliError::Failed(format!(
            "there is no signing key at {}; run `handover init` to create one, then `handover sign` again",
            files.signing_key.display()
        )));
    };
    let plan = signers::plan_sign(&store, &identity, &files, &key)?;
    if plan.starts_trust {
        eprintln!(
            "This store has no trusted signers yet. Signing starts its signer list with your signing key {}.",
            key.public().fingerprint()
        );
    }
    for (id, reason) in &plan.refused {
        eprintln!("Not signing {}: {}", id.as_str(), safe(reason, false));
    }
    let mut signed = 0;
    if plan.unsigned.is_empty() {
        eprintln!(
            "No unsigned vaults ({} already signed by a trusted key).",
            plan.signed
        );
        if plan.starts_trust {
            signers::apply_sign(&store, &identity, &files, &key, &plan)?;
        }
    } else {
        print_unsigned(&plan);
        if !yes && !term::confirm(&format!("Sign these {} vault(s)?", plan.unsigned.len())) {
            return Err(CliError::Failed(
                "not confirmed; nothing was signed (pass --yes to skip the question)".into(),
            ));
        }
        signed = signers::apply_sign(&store, &identity, &files, &key, &plan)?;
        eprintln!(
            "Signed {signed} vault(s) with {}.",
            key.public().fingerprint()
        );
    }
    if json {
        out.json(&sign_report(&plan, signed, &key.public().fingerprint()))?;
    }
    refused(&plan)
}

/// What `sign --json` prints: what was found, and what was signed.
#[derive(Serialize)]
struct SignReport<'a> {
    /// The key that signed (`SHA256:…`).
    signing_fingerprint: &'a str,
    starts_trust: bool,
    /// Vaults already signed by a trusted key.
    already_signed: usize,
    /// The unsigned vaults found (signed now unless refused or not confirmed).
    unsigned: Vec<UnsignedJson<'a>>,
    /// How many were signed.
    signed: usize,
    refused: Vec<RefusedJson<'a>>,
}

#[derive(Serialize)]
struct UnsignedJson<'a> {
    client: &'a str,
    name: &'a str,
    entries: usize,
    recipients: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct RefusedJson<'a> {
    client: &'a str,
    reason: &'a str,
}

fn sign_report<'a>(plan: &'a SignPlan, signed: usize, fingerprint: &'a str) -> SignReport<'a> {
    let unsigned = plan
        .unsigned
        .iter()
        .map(|r| {
            UnsignedJson {
            client: r.id.as_str(),
            name: &r.name,
            entries: r.entries,
            recipients: r
                .recipients
                .iter()
                .map(|(recipient, role)| {
                    serde_json::json!({"recipient": recipient, "role": role_name(*role)})
                })
                .collect(),
        }
        })
        .collect();
    let refused = plan
        .refused
        .iter()
        .map(|(id, reason)| RefusedJson {
            client: id.as_str(),
            reason,
        })
        .collect();
    SignReport {
        signing_fingerprint: fingerprint,
        starts_trust: plan.starts_trust,
        already_signed: plan.signed,
        unsigned,
        signed,
        refused,
    }
}

/// A recipient's role as the JSON reports name it.
pub(super) fn role_name(role: RecipientRole) -> &'static str {
    match role {
        RecipientRole::You => "you",
        RecipientRole::ClientKey => "client-key",
        RecipientRole::Teammate => "teammate",
        RecipientRole::Unknown => "unknown",
    }
}

/// `sign --accept-rollback CLIENT`: takes an older vault back as the newest.
fn take_back(
    paths: &Paths,
    client: &str,
    yes: bool,
    json: Option<&mut Out>,
) -> Result<(), CliError> {
    let id = ClientId::typed(client)?;
    let h = paths.open()?;
    if !yes
        && !term::confirm(&format!(
            "Take the vault of {} back as its newest version, although this machine has seen a newer one?",
            id.as_str()
        ))
    {
        return Err(CliError::Failed(
            "not confirmed; nothing was changed (pass --yes to skip the question)".into(),
        ));
    }
    let revision = signers::accept_rollback(&h, &id)?;
    if let Some(out) = json {
        return out.json(&serde_json::json!({"client": id.as_str(), "revision": revision}));
    }
    eprintln!(
        "Revision {revision} of {} is now the newest this machine knows.",
        id.as_str()
    );
    Ok(())
}

/// The unsigned vaults, with who each is encrypted to, and a warning for unknown
/// recipients.
fn print_unsigned(plan: &SignPlan) {
    eprintln!("These vaults have no signature and would be signed as they are:");
    let mut unknown = 0;
    for r in &plan.unsigned {
        eprintln!(
            "  {}  {}  ({} entries)",
            r.id.as_str(),
            safe(&r.name, false),
            r.entries
        );
        for (recipient, role) in &r.recipients {
            let note = match role {
                RecipientRole::You => "you",
                RecipientRole::ClientKey => "client key",
                RecipientRole::Teammate => "trusted teammate",
                RecipientRole::Unknown => {
                    unknown += 1;
                    "UNKNOWN: not you, not the client key, not a trusted teammate"
                }
            };
            eprintln!("      encrypted to {}  ({note})", safe(recipient, false));
        }
    }
    if unknown > 0 {
        eprintln!(
            "Warning: {unknown} recipient(s) are unknown. Whoever holds them can read that vault; remove any you do not recognise (`handover recipients CLIENT remove R`) after signing."
        );
    }
}

/// The end of `sign`: an error when some vaults were refused.
fn refused(plan: &SignPlan) -> Result<(), CliError> {
    if plan.refused.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} vault(s) were not signed",
            plan.refused.len()
        )))
    }
}

pub fn signers_command(
    store_dir: &Path,
    identity_file: &Path,
    action: Option<SignersAction>,
    out: &mut Out,
) -> Result<(), CliError> {
    match action.unwrap_or(SignersAction::List { json: false }) {
        SignersAction::Pin { yes, json } => pin(store_dir, identity_file, yes, json.then_some(out)),
        SignersAction::List { json } => list(store_dir, identity_file, json, out),
        SignersAction::Add {
            name,
            key,
            recipient,
            json,
        } => {
            let mut h = open(store_dir, identity_file)?;
            let key = read_key_arg(&key)?;
            let s = signers::add(&mut h, &name, &key, recipient.as_deref())?;
            if json {
                return out.json(&SignerJson::new(&s));
            }
            eprintln!(
                "Now trusting {} ({}) to sign this store's vaults; the signer list is signed with your key.",
                safe(&s.name, false),
                fingerprint(&s)
            );
            Ok(())
        }
        SignersAction::Remove { name, json } => {
            let mut h = open(store_dir, identity_file)?;
            let s = signers::remove(&mut h, &name)?;
            if json {
                return out.json(&SignerJson::new(&s));
            }
            eprintln!(
                "No longer trusting {}. Vaults it signed are refused until a trusted signer writes them again.",
                safe(&s.name, false)
            );
            Ok(())
        }
    }
}

/// A signer as `signers add|remove|pin --json` print it: as in `signers.json`, with
/// the key's fingerprint.
#[derive(Serialize)]
struct SignerJson<'a> {
    #[serde(flatten)]
    signer: &'a Signer,
    fingerprint: String,
}

impl<'a> SignerJson<'a> {
    fn new(signer: &'a Signer) -> Self {
        SignerJson {
            signer,
            fingerprint: fingerprint(signer),
        }
    }
}

fn fingerprint(s: &Signer) -> String {
    handover::keys::signing::SignerKey::parse(&s.key)
        .map(|k| k.fingerprint())
        .unwrap_or_default()
}

/// `signers list`: the trusted signers, marking your own key.
fn list(store_dir: &Path, identity_file: &Path, json: bool, out: &mut Out) -> Result<(), CliError> {
    let h = open(store_dir, identity_file)?;
    let list = h.trust.list();
    if json {
        return out.json(list);
    }
    let own = h.signing.as_ref().map(|k| k.public());
    for s in &list.signers {
        let key = handover::keys::signing::SignerKey::parse(&s.key).ok();
        let fp = key.as_ref().map(|k| k.fingerprint()).unwrap_or_default();
        let you = if key.is_some() && key == own {
            "  (you)"
        } else {
            ""
        };
        out.line(&format!(
            "{}  {fp}{you}{}",
            safe(&s.name, false),
            s.recipient
                .as_deref()
                .map(|r| format!("  {}", safe(r, false)))
                .unwrap_or_default()
        ))?;
    }
    eprintln!(
        "Signer list version {}; this machine's trust started from {}.",
        list.version,
        h.trust.origin()
    );
    Ok(())
}

/// `--key` takes the key itself or a file holding it (`identity.signing-key.pub`).
pub(super) fn read_key_arg(arg: &str) -> Result<String, CliError> {
    if arg.trim_start().starts_with("ssh-") {
        return Ok(arg.to_owned());
    }
    let path = Path::new(arg);
    let bytes = handover::fsutil::read_small_file(path, 16 * 1024)?.ok_or_else(|| {
        CliError::Usage(format!(
            "--key {arg:?} is neither a public key (ssh-ed25519 AAAA…) nor an existing file"
        ))
    })?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::Usage(format!("{} is not a text file", path.display())))
}

fn pin(
    store_dir: &Path,
    identity_file: &Path,
    yes: bool,
    json: Option<&mut Out>,
) -> Result<(), CliError> {
    let store = Store::open(store_dir)?;
    let (_, key) = load_keys(identity_file)?;
    let files = KeyFiles::beside(identity_file);
    let review = signers::plan_pin(&store, key.as_ref())?;
    eprintln!(
        "The store's signer list (version {}), signed by {}:",
        review.list.version,
        review.signed_by.fingerprint()
    );
    for s in &review.list.signers {
        eprintln!("  {}  {}", safe(&s.name, false), fingerprint(s));
    }
    eprintln!(
        "Compare these fingerprints with the signers themselves (or the dossier's cover) before you trust them."
    );
    if !review.includes_you {
        eprintln!(
            "Your own signing key is not among them: you can read this store, but a trusted signer must add you (`handover signers add NAME --key YOUR.signing-key.pub`) before you can write it."
        );
    }
    if !yes && !term::confirm("Trust these signers on this machine?") {
        return Err(CliError::Failed(
            "not confirmed; nothing was pinned (pass --yes to skip the question)".into(),
        ));
    }
    let report = json.map(|out| {
        let value = serde_json::json!({
            "version": review.list.version,
            "signed_by": review.signed_by.fingerprint(),
            "includes_you": review.includes_you,
            "signers": review.list.signers.iter().map(SignerJson::new).collect::<Vec<_>>(),
        });
        (out, value)
    });
    signers::apply_pin(&store, &files, review)?;
    eprintln!("Pinned on this machine.");
    match report {
        Some((out, value)) => out.json(&value),
        None => Ok(()),
    }
}
