//! Whom this machine trusts to sign a store's vaults, and the newest vault revisions it
//! has seen.
//!
//! Trust starts on the machine, not in the store. Two records:
//!
//! - `<store>/signers.json` (+ `signers.json.sig`): the store's signer list, so that
//!   teammates sharing a store learn of each other. Each change raises its `version`
//!   and is signed by a key the previous list already trusted.
//! - the machine's pin file, beside the identity (`identity.trust.json`): for each
//!   store, the signer list this machine last accepted and the key its trust started
//!   from. A store-writer cannot extend it: a newer store list is taken over only when
//!   a key in the pinned list signed it; an older or unsigned one is refused.
//!
//! Per client, the highest vault `revision` this machine has read or written is kept
//! too, so that an older, validly signed vault put back is refused: one small file per
//! client (`identity.trust.revisions/<store>/<client>`), so that looking one up costs
//! the same with 3 clients as with 300. Pin files written before kept them in the pin
//! file (`revisions`); they are still read and moved to the files on first use.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::signing::{self, SignerKey, SigningKey};
use crate::model::ClientId;

const LIST_FORMAT: &str = "handover-signers";
const PIN_FORMAT: &str = "handover-trust";

/// A file's bytes and, if it has one, its signature file's bytes.
pub type SignedFile = (Vec<u8>, Option<Vec<u8>>);

/// What trust needs of a store: where it is and the signer list it holds. The store
/// implements it, so that trust decides whom to believe without reading a store itself.
pub trait SignerListHome {
    /// The store's directory; this machine pins each store under its canonical path.
    fn root(&self) -> &Path;
    /// Where the store's signer list is, as messages name it.
    fn signers_path(&self) -> PathBuf;
    /// The store's signer list and its signature, if the store has one.
    fn read_signers(&self) -> Result<Option<SignedFile>>;
}

/// One trusted signer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// A short name (`provider`, `anna`), the principal in `allowed_signers`.
    pub name: String,
    /// The public key, `ssh-ed25519 AAAA…`.
    pub key: String,
    /// The signer's own age recipient, so `check` knows it as a teammate's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    pub added: DateTime<Utc>,
}

/// `signers.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SignerList {
    pub format: String,
    pub format_version: u64,
    /// Raised by one on every change.
    pub version: u64,
    pub signers: Vec<Signer>,
}

impl SignerList {
    pub fn new(signers: Vec<Signer>) -> Self {
        SignerList {
            format: LIST_FORMAT.into(),
            format_version: 1,
            version: 1,
            signers,
        }
    }

    pub(crate) fn parse(bytes: &[u8], what: &str) -> Result<Self> {
        let list: SignerList = serde_json::from_slice(bytes).map_err(|e| {
            Error::Trust(format!(
                "{what} is not a valid signer list ({} at line {}); restore it from your backup",
                crate::error::describe_json_error(&e),
                e.line()
            ))
        })?;
        if list.format != LIST_FORMAT || list.format_version != 1 {
            return Err(Error::Trust(format!(
                "{what} is not a handover signer list of a version this handover knows"
            )));
        }
        for s in &list.signers {
            SignerKey::parse(&s.key).map_err(|e| {
                Error::Trust(format!("{what}: the key of signer {:?}: {e}", s.name))
            })?;
        }
        Ok(list)
    }

    pub(crate) fn keys(&self) -> Vec<SignerKey> {
        self.signers
            .iter()
            .filter_map(|s| SignerKey::parse(&s.key).ok())
            .collect()
    }

    /// The list as written to the store, and its signature by `signer`.
    pub fn signed_json(&self, signer: &SigningKey) -> Result<(Vec<u8>, Vec<u8>)> {
        let json = self.to_json()?;
        let sig = signer.sign(signing::SIGNERS_NAMESPACE, &json)?;
        Ok((json, sig))
    }

    fn to_json(&self) -> Result<Vec<u8>> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Invalid(format!("cannot encode the signer list: {e}")))?;
        json.push(b'\n');
        Ok(json)
    }

    /// The list in `ssh-keygen`'s `allowed_signers` format.
    pub fn allowed_signers(&self) -> String {
        let mut out = String::from(
            "# handover signers: use with `ssh-keygen -Y verify -f allowed_signers -I NAME -n handover`\n",
        );
        for s in &self.signers {
            out.push_str(&format!(
                "{} namespaces=\"{},{},{}\" {}\n",
                s.name,
                signing::NAMESPACE,
                signing::BUNDLE_NAMESPACE,
                signing::SIGNERS_NAMESPACE,
                s.key
            ));
        }
        out
    }
}

/// The `allowed_signers` line for one key that verifies vaults and bundles, as the
/// dossier prints it.
pub fn allowed_signers_line(principal: &str, key: &SignerKey) -> String {
    format!(
        "{principal} namespaces=\"{},{}\" {}",
        signing::NAMESPACE,
        signing::BUNDLE_NAMESPACE,
        key.to_openssh()
    )
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StorePin {
    /// The fingerprint of the key this machine's trust in the store started from.
    origin: String,
    pinned: DateTime<Utc>,
    signers: SignerList,
    /// Revisions seen, as pin files before the revision files kept them; moved to those
    /// files when the store is next opened ([`Trust::establish`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    revisions: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinFile {
    format: String,
    format_version: u64,
    stores: BTreeMap<String, StorePin>,
}

impl Default for PinFile {
    fn default() -> Self {
        PinFile {
            format: PIN_FORMAT.into(),
            format_version: 1,
            stores: BTreeMap::new(),
        }
    }
}

/// Pin files are small; a bigger file is not one.
const MAX_PIN_BYTES: u64 = 16 * 1024 * 1024;

fn read_pins(path: &Path) -> Result<PinFile> {
    let bytes = match crate::fsutil::read_small_file(path, MAX_PIN_BYTES)? {
        Some(b) => b,
        None => return Ok(PinFile::default()),
    };
    let pins: PinFile = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Trust(format!(
            "{} is not a valid handover pin file ({} at line {}); restore it from your backup",
            path.display(),
            crate::error::describe_json_error(&e),
            e.line()
        ))
    })?;
    if pins.format != PIN_FORMAT || pins.format_version != 1 {
        return Err(Error::Trust(format!(
            "{} is not a handover pin file of a version this handover knows",
            path.display()
        )));
    }
    Ok(pins)
}

/// Read-modify-write of the pin file under an exclusive lock on `<pins>.lock`, so
/// that concurrent commands never lose each other's updates.
fn update_pins<T>(path: &Path, change: impl FnOnce(&mut PinFile) -> Result<T>) -> Result<T> {
    // The store lock's rules: no symlinks followed, a bounded wait.
    let lock = fsutil::lock_exclusive(&pin_lock(path))?;
    write_pins(path, lock, change)
}

/// [`update_pins`] for what a reading command learns (a newer revision, a newer signer
/// list): reads never wait, so when another process holds the pin file's lock, nothing
/// is recorded (`None`); the next command records it.
fn update_pins_if_free(path: &Path, change: impl FnOnce(&mut PinFile) -> Result<()>) -> Result<()> {
    match fsutil::try_lock_exclusive(&pin_lock(path))? {
        Some(lock) => write_pins(path, lock, change),
        None => Ok(()),
    }
}

fn pin_lock(path: &Path) -> PathBuf {
    path.with_extension("json.lock")
}

fn write_pins<T>(
    path: &Path,
    _lock: fs::File,
    change: impl FnOnce(&mut PinFile) -> Result<T>,
) -> Result<T> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fsutil::remove_stale_temps(dir);
    }
    let mut pins = read_pins(path)?;
    let result = change(&mut pins)?;
    let mut json = serde_json::to_vec_pretty(&pins)
        .map_err(|e| Error::Invalid(format!("cannot encode the pin file: {e}")))?;
    json.push(b'\n');
    fsutil::atomic_write(path, &json)?;
    Ok(result)
}

/// How a store is named in the pin file: its canonical path.
fn store_key(store: &dyn SignerListHome) -> String {
    fs::canonicalize(store.root())
        .unwrap_or_else(|_| store.root().to_owned())
        .display()
        .to_string()
}

/// Where the revisions seen of one store's clients are kept: a directory per store
/// beside the pin file, named by a digest of the store's key (a path may be long and
/// hold any character).
fn revisions_dir(pins: &Path, store_key: &str) -> PathBuf {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(store_key.as_bytes());
    let name = crate::model::hex(&digest[..16]);
    pins.with_extension("revisions").join(name)
}

/// A revision file holds a decimal number and a newline; anything bigger is not one.
const MAX_REVISION_BYTES: u64 = 64;

/// The revision recorded in `path` (0 when there is none).
fn read_revision(path: &Path) -> Result<u64> {
    let Some(bytes) = fsutil::read_small_file(path, MAX_REVISION_BYTES)? else {
        return Ok(0);
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| text.strip_suffix('\n'))
        .and_then(|text| text.parse::<u64>().ok())
        .ok_or_else(|| {
            Error::Trust(format!(
                "{} is not a revision file handover wrote (a number and a newline); restore it from your backup, or delete it to accept any revision of that client again",
                path.display()
            ))
        })
}

/// Raises the revision in `path` to `rev` (never lowers it). Requires the pin lock.
fn raise_revision_file(path: &Path, rev: u64) -> Result<()> {
    if rev <= read_revision(path)? {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fsutil::ensure_private_dir(dir)?;
        fsutil::remove_stale_temps(dir);
    }
    fsutil::atomic_write(path, format!("{rev}\n").as_bytes())
}

/// Moves the revisions a pin file of before kept for the store `key` to the revision
/// files, under the pin lock and without waiting for it (the next command moves them
/// when it is held). Each file is written (raised) before the pin file forgets the
/// revision, so a kill at any point leaves the revision in one place or both, and a
/// lookup takes the higher of the two.
/// Returns the revisions left in the pin file: all of them when its lock is held, and
/// those that could not be moved (a name that is not a client id, a damaged file, which
/// [`Trust::saw_revision`] names).
fn move_revisions(pins_path: &Path, key: &str) -> Result<Option<BTreeMap<String, u64>>> {
    let dir = revisions_dir(pins_path, key);
    let mut left = None;
    update_pins_if_free(pins_path, |pins| {
        if let Some(pin) = pins.stores.get_mut(key) {
            pin.revisions.retain(|id, rev| {
                ClientId::parse(id).is_err() || raise_revision_file(&dir.join(id), *rev).is_err()
            });
            left = Some(pin.revisions.clone());
        }
        Ok(())
    })?;
    Ok(left)
}

/// The signers this machine trusts for one store.
#[derive(Debug, Clone)]
pub struct Trust {
    pins: PathBuf,
    store_key: String,
    /// This store's directory of revision files, worked out once ([`revisions_dir`]).
    revisions_dir: PathBuf,
    list: SignerList,
    keys: Vec<SignerKey>,
    origin: String,
    /// Revisions seen that a pin file of before still holds (see [`move_revisions`]).
    revisions: BTreeMap<String, u64>,
}

impl Trust {
    /// Works out whom to trust for `store`, from this machine's pin file; takes over a
    /// newer store signer list if (and only if) a pinned key signed it.
    pub fn establish(store: &dyn SignerListHome, pins_path: &Path) -> Result<Trust> {
        let key = store_key(store);
        let pins = read_pins(pins_path)?;
        let in_store = store.read_signers()?;
        let Some(pin) = pins.stores.get(&key) else {
            return Err(Error::Trust(match in_store {
                None => format!(
                    "the store at {} has no signed vaults yet (it was made before handover signed its vaults); run `handover sign` to review and sign them",
                    store.root().display()
                ),
                Some(_) => format!(
                    "this machine does not trust any signer of the store at {} yet; run `handover signers pin` to review its signers and pin them",
                    store.root().display()
                ),
            }));
        };
        let mut trust = Trust {
            pins: pins_path.to_owned(),
            revisions_dir: revisions_dir(pins_path, &key),
            store_key: key,
            keys: pin.signers.keys(),
            list: pin.signers.clone(),
            origin: pin.origin.clone(),
            revisions: pin.revisions.clone(),
        };
        if !trust.revisions.is_empty()
            && let Some(left) = move_revisions(pins_path, &trust.store_key)?
        {
            trust.revisions = left;
        }
        // A missing store list grants nothing: the pinned one stays in force.
        if let Some((bytes, sig)) = in_store {
            trust.take_store_list(store, &bytes, sig.as_deref())?;
        }
        Ok(trust)
    }

    /// Checks the store's signer list against the pinned one: the same list, or a newer
    /// one signed by a key the pinned list trusts, which is then taken over. An older
    /// list, or one changed without raising its version, is refused.
    fn take_store_list(
        &mut self,
        store: &dyn SignerListHome,
        bytes: &[u8],
        sig: Option<&[u8]>,
    ) -> Result<()> {
        let what = store.signers_path().display().to_string();
        let list = SignerList::parse(bytes, &what)?;
        if list.version < self.list.version {
            return Err(Error::Trust(format!(
                "{what} is version {}, older than version {} this machine has already accepted: an old signer list was put back; restore the newest from your backup",
                list.version, self.list.version
            )));
        }
        if list.version == self.list.version && list != self.list {
            return Err(Error::Trust(format!(
                "{what} was changed without raising its version, so not by handover: restore it from your backup"
            )));
        }
        if list.version > self.list.version {
            signing::verify_trusted(
                bytes,
                sig,
                signing::SIGNERS_NAMESPACE,
                &self.keys,
            )
            .map_err(|problem| {
                Error::Trust(format!(
                    "refusing the changed signer list {what}: {problem}; only a signer this machine already trusts can change it. Restore it from your backup, or if a teammate changed it, have them check it"
                ))
            })?;
            self.adopt(list)?;
        }
        Ok(())
    }

    /// Pins `list` as this machine's trust for `store`, starting from `origin`.
    pub fn pin(
        store: &dyn SignerListHome,
        pins_path: &Path,
        list: SignerList,
        origin: &SignerKey,
    ) -> Result<Trust> {
        let key = store_key(store);
        let mut pin = StorePin {
            origin: origin.fingerprint(),
            pinned: Utc::now(),
            signers: list.clone(),
            revisions: BTreeMap::new(),
        };
        // Re-pinning keeps the revisions seen: they are facts about the vaults.
        let revisions = update_pins(pins_path, |pins| {
            if let Some(old) = pins.stores.get(&key) {
                pin.revisions = old.revisions.clone();
            }
            let revisions = pin.revisions.clone();
            pins.stores.insert(key.clone(), pin);
            Ok(revisions)
        })?;
        Ok(Trust {
            pins: pins_path.to_owned(),
            revisions_dir: revisions_dir(pins_path, &key),
            store_key: key,
            keys: list.keys(),
            list,
            origin: origin.fingerprint(),
            revisions,
        })
    }

    /// Takes over `list`, a newer signer list a pinned key signed. Found while opening
    /// the store, for reading commands too, so the pin file is not waited for.
    fn adopt(&mut self, list: SignerList) -> Result<()> {
        let key = self.store_key.clone();
        let saved = list.clone();
        update_pins_if_free(&self.pins, |pins| {
            if let Some(pin) = pins.stores.get_mut(&key)
                && pin.signers.version < saved.version
            {
                pin.signers = saved;
            }
            Ok(())
        })?;
        self.keys = list.keys();
        self.list = list;
        Ok(())
    }

    pub fn keys(&self) -> &[SignerKey] {
        &self.keys
    }

    /// This machine's pin file.
    pub fn pins_path(&self) -> &Path {
        &self.pins
    }

    pub fn list(&self) -> &SignerList {
        &self.list
    }

    /// The fingerprint of the key this machine's trust in the store started from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The name under which `key` is trusted.
    pub fn name_of(&self, key: &SignerKey) -> Option<&str> {
        self.list
            .signers
            .iter()
            .find(|s| SignerKey::parse(&s.key).ok().as_ref() == Some(key))
            .map(|s| s.name.as_str())
    }

    /// The age recipients of trusted signers (teammates).
    pub fn recipients(&self) -> Vec<String> {
        self.list
            .signers
            .iter()
            .filter_map(|s| s.recipient.clone())
            .collect()
    }

    /// The highest revision of `id` this machine has seen (0: none). One small file is
    /// read, whatever the number of clients. A revision file that cannot be read counts
    /// as none here; recording a revision ([`Trust::saw_revision`]) then says what is
    /// wrong with it.
    pub fn seen_revision(&self, id: &ClientId) -> u64 {
        let legacy = self.revisions.get(id.as_str()).copied().unwrap_or(0);
        legacy.max(read_revision(&self.revision_path(id)).unwrap_or(0))
    }

    fn revision_path(&self, id: &ClientId) -> PathBuf {
        self.revisions_dir.join(id.as_str())
    }

    /// Records that revision `rev` of `id` was written (or read, with
    /// [`Trust::saw_revision_reading`]); never lowers.
    pub fn saw_revision(&self, id: &ClientId, rev: u64) -> Result<()> {
        if rev <= self.seen_revision(id) {
            return Ok(());
        }
        let _lock = fsutil::lock_exclusive(&pin_lock(&self.pins))?;
        // What a pin file's writer killed there left; writers clean up beside them.
        if let Some(dir) = self.pins.parent().filter(|d| !d.as_os_str().is_empty()) {
            fsutil::remove_stale_temps(dir);
        }
        raise_revision_file(&self.revision_path(id), rev)
    }

    /// [`Trust::saw_revision`] for many vaults in one write of the pin file (a
    /// command that rewrites every vault, where one fsynced file per client would cost
    /// seconds): they go where pin files of before kept revisions, which every lookup
    /// still reads, and the next command to open the store moves them to the revision
    /// files ([`move_revisions`]).
    pub fn saw_revisions(&self, revisions: &[(ClientId, u64)]) -> Result<()> {
        let key = self.store_key.clone();
        let raised: Vec<(String, u64)> = revisions
            .iter()
            .filter(|(id, rev)| *rev > self.seen_revision(id))
            .map(|(id, rev)| (id.to_string(), *rev))
            .collect();
        if raised.is_empty() {
            return Ok(());
        }
        update_pins(&self.pins, move |pins| {
            if let Some(pin) = pins.stores.get_mut(&key) {
                for (id, rev) in raised {
                    let seen = pin.revisions.entry(id).or_insert(0);
                    *seen = (*seen).max(rev);
                }
            }
            Ok(())
        })
    }

    /// [`Trust::saw_revision`] for a vault that was read: never waits for the pin
    /// file's lock (the README promises that reads never wait); when it is held, the
    /// revision is recorded by the next command that reads or writes the vault.
    pub fn saw_revision_reading(&self, id: &ClientId, rev: u64) -> Result<()> {
        if rev <= self.seen_revision(id) {
            return Ok(());
        }
        match fsutil::try_lock_exclusive(&pin_lock(&self.pins))? {
            Some(_lock) => raise_revision_file(&self.revision_path(id), rev),
            None => Ok(()),
        }
    }

    /// Forgets `id`'s revision: the client was removed here (or an older copy is taken
    /// back on purpose), so a new vault under that id starts afresh.
    pub fn forget_revision(&self, id: &ClientId) -> Result<()> {
        let key = self.store_key.clone();
        let path = self.revision_path(id);
        update_pins(&self.pins, |pins| {
            if let Some(pin) = pins.stores.get_mut(&key) {
                pin.revisions.remove(id.as_str());
            }
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(Error::io(format!("cannot remove {}", path.display()), e))
                }
                _ => Ok(()),
            }
        })
    }

    /// Changes the store's signer list: raises its version, has `write` sign it with
    /// `signer` (which must be trusted) and write it to the store, and takes it over here.
    pub fn change_signers(
        &mut self,
        signer: &SigningKey,
        change: impl FnOnce(&mut Vec<Signer>) -> Result<()>,
        write: impl FnOnce(&SignerList) -> Result<()>,
    ) -> Result<()> {
        if !self.keys.contains(&signer.public()) {
            return Err(Error::Trust(format!(
                "your signing key {} is not one of this store's trusted signers, so it cannot change them; ask a trusted signer to",
                signer.public().fingerprint()
            )));
        }
        let mut list = self.list.clone();
        change(&mut list.signers)?;
        if list.signers.is_empty() {
            return Err(Error::Trust(
                "a store needs at least one trusted signer".into(),
            ));
        }
        list.version += 1;
        write(&list)?;
        self.adopt(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store as trust sees it: a directory without a signer list.
    struct Home(PathBuf);

    impl SignerListHome for Home {
        fn root(&self) -> &Path {
            &self.0
        }
        fn signers_path(&self) -> PathBuf {
            self.0.join("signers.json")
        }
        fn read_signers(&self) -> Result<Option<SignedFile>> {
            Ok(None)
        }
    }

    fn pinned() -> (tempfile::TempDir, Home, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let home = Home(dir.path().join("store"));
        fs::create_dir(&home.0).unwrap();
        let pins = dir.path().join("id.trust.json");
        let me = SigningKey::generate("me").unwrap();
        let signer = Signer {
            name: "me".into(),
            key: me.public().to_openssh(),
            recipient: None,
            added: Utc::now(),
        };
        Trust::pin(&home, &pins, SignerList::new(vec![signer]), &me.public()).unwrap();
        (dir, home, pins)
    }

    /// The revisions the pin file keeps, as pin files of before kept them.
    fn in_pin_file(pins: &Path) -> BTreeMap<String, u64> {
        let file = read_pins(pins).unwrap();
        file.stores.values().next().unwrap().revisions.clone()
    }

    #[test]
    fn revisions_of_a_pin_file_of_before_move_to_one_file_per_client() {
        let (_dir, home, pins) = pinned();
        let [acme, beta] = ["acme", "beta"].map(|c| ClientId::parse(c).unwrap());
        update_pins(&pins, |file| {
            for pin in file.stores.values_mut() {
                pin.revisions = [("acme", 7), ("beta", 3), ("../x", 9)]
                    .map(|(c, r)| (c.to_owned(), r))
                    .into();
            }
            Ok(())
        })
        .unwrap();
        // What a move killed half-way leaves: a file written, the pin file unchanged;
        // here acme's file is ahead of the pin file and beta's behind it.
        let dir = revisions_dir(&pins, &store_key(&home));
        raise_revision_file(&dir.join("acme"), 9).unwrap();
        raise_revision_file(&dir.join("beta"), 2).unwrap();

        // While another process holds the pin lock, nothing moves; lookups see both.
        let held = fsutil::lock_exclusive(&pin_lock(&pins)).unwrap();
        let t = Trust::establish(&home, &pins).unwrap();
        assert_eq!((t.seen_revision(&acme), t.seen_revision(&beta)), (9, 3));
        assert_eq!(in_pin_file(&pins).len(), 3);
        drop(held);

        let t = Trust::establish(&home, &pins).unwrap();
        assert_eq!((t.seen_revision(&acme), t.seen_revision(&beta)), (9, 3));
        assert_eq!(fs::read(dir.join("beta")).unwrap(), b"3\n");
        // A name that is not a client id was never a vault's, and is not a file name.
        assert_eq!(in_pin_file(&pins), [("../x".to_owned(), 9)].into());
        let t = Trust::establish(&home, &pins).unwrap();
        assert_eq!((t.seen_revision(&acme), t.seen_revision(&beta)), (9, 3));

        t.forget_revision(&acme).unwrap();
        assert!(!dir.join("acme").exists());
        let t = Trust::establish(&home, &pins).unwrap();
        assert_eq!((t.seen_revision(&acme), t.seen_revision(&beta)), (0, 3));
        t.saw_revision_reading(&acme, 4).unwrap();
        assert_eq!(fs::read(dir.join("acme")).unwrap(), b"4\n");
    }

    #[test]
    fn a_damaged_revision_file_is_named_when_a_revision_is_recorded() {
        let (_dir, home, pins) = pinned();
        let acme = ClientId::parse("acme").unwrap();
        let t = Trust::establish(&home, &pins).unwrap();
        t.saw_revision(&acme, 5).unwrap();
        let file = revisions_dir(&pins, &store_key(&home)).join("acme");
        for junk in [&b"12"[..], b"x\n", b"-1\n", &[b'9'; 100]] {
            fs::write(&file, junk).unwrap();
            let err = t.saw_revision(&acme, 6).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{} is", file.display()))
                    && (err.contains("not a revision file handover wrote (a number and a newline); restore it from your backup, or delete it")
                        || err.contains("larger than")),
                "{err}"
            );
            assert_eq!(fs::read(&file).unwrap(), junk, "left as it was");
        }
        fs::remove_file(&file).unwrap();
        t.saw_revision(&acme, 6).unwrap();
        assert_eq!(t.seen_revision(&acme), 6);
    }
}
