//! `handover init` (store, identity and signing key), `handover demo` and
//! `handover generate`.

use std::path::Path;

use handover::fsutil;
use handover::keys::trust::Trust;
use handover::keys::{self, Identity, KeyFiles};
use handover::model::Secret;
use handover::store::Store;
use handover::store::config::ProviderProfile;
use handover::workflows::{self, signers};

use super::CliError;
use super::args::{DemoArgs, GenerateArgs, InitArgs};
use super::context::{Paths, as_of};
use super::term::{self, Out, TerminalPrompter, safe, shell_word};

pub fn init(a: InitArgs, paths: &Paths, out: &mut Out) -> Result<(), CliError> {
    let (store_dir, identity_file, passphrase) =
        (paths.store_dir, paths.identity_file, a.passphrase);
    let provider = &ProviderProfile {
        name: a.provider_name,
        address: a.provider_address,
        contact: a.provider_contact,
        emergency_partner: a.emergency_partner,
    };
    let (store, created) = Store::init(store_dir)?;
    eprintln!(
        "Store: {} ({})",
        store_dir.display(),
        if created { "created" } else { "already there" }
    );
    set_provider(&store, provider)?;
    // The identity's passphrase, kept to protect the signing key the same way.
    let (identity, identity_pass, identity_created) = init_identity(identity_file, passphrase)?;
    warn_shared_dirs(store_dir, identity_file);
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
    let trust_started = start_trust(&store, created, &files, &key, &identity)?;
    let recipient = identity.recipient().to_string();
    if a.json {
        return out.json(&InitReport {
            store: store_dir.display().to_string(),
            store_created: created,
            identity: identity_file.display().to_string(),
            identity_created,
            passphrase: identity_pass.is_some(),
            signing_key: files.signing_key.display().to_string(),
            signing_key_created: key_created,
            signing_fingerprint: key.public().fingerprint(),
            trust_started,
            recipient,
            provider_name: store.config()?.provider.name,
        });
    }
    eprintln!("Your age recipient (public key):");
    out.line(&recipient)
}

/// Starts a new (or empty, unsigned) store's signer list with your key; says whether
/// it did.
fn start_trust(
    store: &Store,
    created: bool,
    files: &KeyFiles,
    key: &handover::keys::signing::SigningKey,
    identity: &Identity,
) -> Result<bool, CliError> {
    match Trust::establish(store, &files.pins) {
        Ok(_) => Ok(false),
        Err(_)
            if created || (store.read_signers()?.is_none() && store.client_ids()?.is_empty()) =>
        {
            signers::start_trust(store, files, key, &identity.recipient().to_string())?;
            eprintln!("Trusted signer of this store: your signing key (pinned on this machine).");
            Ok(true)
        }
        Err(e) => {
            eprintln!("Note: {e}");
            Ok(false)
        }
    }
}

/// What `init --json` prints: where everything is and what this run created. Never
/// a key, only the public recipient and the signing key's fingerprint.
#[derive(serde::Serialize)]
struct InitReport {
    store: String,
    store_created: bool,
    identity: String,
    identity_created: bool,
    /// Whether the identity is protected with a passphrase.
    passphrase: bool,
    signing_key: String,
    signing_key_created: bool,
    signing_fingerprint: String,
    /// This run started the store's signer list with your key.
    trust_started: bool,
    recipient: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_name: Option<String>,
}

pub fn demo(a: DemoArgs, out: &mut Out) -> Result<(), CliError> {
    let dir = a.dir;
    let r = workflows::demo::run(&dir, as_of()?)?;
    for note in &r.notes {
        eprintln!("warning: {}", safe(note, false));
    }
    if a.json {
        return out.json(&serde_json::json!({
            "client": workflows::demo::DEMO_CLIENT,
            "store": r.store.display().to_string(),
            "identity": r.identity.display().to_string(),
            "dossiers": r.dossiers.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
            "fingerprint": r.fingerprint,
        }));
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

pub fn generate(a: GenerateArgs, out: &mut Out) -> Result<(), CliError> {
    let password = handover::generate::generate(a.length, a.charset)?;
    out.line(password.expose())
}

/// Records the provider's name, address and contact for the dossier, or suggests it.
fn set_provider(store: &Store, provider: &ProviderProfile) -> Result<(), CliError> {
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
    Ok(())
}

/// The identity in `identity_file`, or a new one written there, with its passphrase
/// (kept to protect the signing key the same way) and whether it was created.
fn init_identity(
    identity_file: &Path,
    passphrase: bool,
) -> Result<(Identity, Option<Secret>, bool), CliError> {
    let mut identity_pass = None;
    if identity_file.exists() {
        let identity;
        (identity, identity_pass) = keys::unlock_identity(identity_file, &TerminalPrompter)?;
        eprintln!(
            "Identity: {} (existing, used as is)",
            identity_file.display()
        );
        return Ok((identity, identity_pass, false));
    }
    let identity = Identity::generate();
    let now = chrono::Utc::now();
    let bytes = if passphrase {
        let pass = term::prompt_new_secret("Passphrase for the new identity: ", "the passphrase")?;
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
        fsutil::ensure_private_dir(dir)?;
    }
    fsutil::create_new_private(identity_file, &bytes)?;
    eprintln!(
        "Identity: {} (created{}; back it up: without it your vaults cannot be opened)",
        identity_file.display(),
        if passphrase {
            ", passphrase-protected"
        } else {
            ""
        }
    );
    Ok((identity, identity_pass, true))
}

/// Directories that existed are left alone (they may be shared); says when others
/// could swap what handover keeps in them.
fn warn_shared_dirs(store_dir: &Path, identity_file: &Path) {
    let mut warnings: Vec<String> = Vec::new();
    let identity_dir = identity_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for dir in [store_dir, identity_dir] {
        if let Some(w) = fsutil::shared_dir_warning(dir)
            && !warnings.contains(&w)
        {
            eprintln!("warning: {}", safe(&w, false));
            warnings.push(w);
        }
    }
}
