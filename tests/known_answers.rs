//! Known answers: files that a released version of handover wrote, with their keys and
//! expected plaintext. A client files its bundle and dossier for years, so every later
//! version must still open, verify and fingerprint them exactly (as rage keeps its
//! test vectors). `tests/kat/v1/` was written by the last build of vault format 1,
//! `tests/kat/v2/` by `scripts/make-kat.sh v2` (format 2).

use std::path::{Path, PathBuf};

use handover::fingerprint::{fingerprint, fingerprints};
use handover::formats::bundle;
use handover::keys::Identity;
use handover::keys::signing::{
    BUNDLE_NAMESPACE, NAMESPACE, SIGNERS_NAMESPACE, SignerKey, verify_trusted,
};
use handover::keys::trust::{SignedFile, SignerListHome, Trust};
use handover::model::{ClientId, VAULT_FORMAT_VERSION};
use handover::vault;

fn kat(version: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/kat")
        .join(version)
        .join(file)
}

fn read(version: &str, file: &str) -> Vec<u8> {
    std::fs::read(kat(version, file)).unwrap()
}

fn identity(version: &str, file: &str) -> Identity {
    Identity::parse(std::str::from_utf8(&read(version, file)).unwrap()).unwrap()
}

fn signer(version: &str) -> SignerKey {
    let text = String::from_utf8(read(version, "identity.signing-key.pub")).unwrap();
    SignerKey::parse(text.trim()).unwrap()
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn a_version_1_vault_decrypts_to_its_plaintext_and_keeps_its_fingerprint() {
    let ciphertext = read("v1", "acme.age");
    let plain = handover::keys::decrypt(&ciphertext, &identity("v1", "identity.txt")).unwrap();
    assert_eq!(&plain[..], &read("v1", "acme.json")[..]);

    let client = vault::parse(&plain).unwrap();
    assert_eq!(client.format_version, 1);
    assert_eq!(client.id.as_str(), "acme");
    assert_eq!(client.name, "Bäckerei Brandt GmbH");
    let wifi = client.entry("netz/wlan").unwrap();
    assert_eq!(
        wifi.password.as_ref().unwrap().expose(),
        "Grüße-€-ß-pässwörd"
    );
    assert_eq!(wifi.ssid(), Some("Brandt-Gäste"));
    assert_eq!(client.dossiers.len(), 1);
    // The paper printed under format 1 (fingerprint version 1) still verifies.
    let printed = String::from_utf8(read("v1", "fingerprint.txt")).unwrap();
    let all = fingerprints(&client);
    assert_eq!(all.earlier, printed.trim());
    assert!(all.matches(printed.trim()));
    assert_eq!(client.dossiers[0].fingerprint, printed.trim());
    // What is printed now: fingerprint version 2, pinned.
    let now = String::from_utf8(read("v1", "fingerprint-v2.txt")).unwrap();
    assert_eq!(fingerprint(&client), now.trim());
}

#[test]
fn a_version_1_vault_is_written_back_as_the_current_format_with_nothing_lost() {
    let plain =
        handover::keys::decrypt(&read("v1", "acme.age"), &identity("v1", "identity.txt")).unwrap();
    let mut client = vault::parse(&plain).unwrap();
    client.format_version = VAULT_FORMAT_VERSION;
    let written = vault::to_json(&client).unwrap();
    let mut before = json(&plain);
    let after = json(&written);
    before["format_version"] = VAULT_FORMAT_VERSION.into();
    assert_eq!(before, after, "migration must keep every value");
    let reread = vault::parse(&written).unwrap();
    assert_eq!(fingerprint(&reread), fingerprint(&client));
}

#[test]
fn a_version_1_vault_signature_verifies_against_its_signer() {
    let key = signer("v1");
    let trusted = [key];
    let found = verify_trusted(
        &read("v1", "acme.age"),
        Some(&read("v1", "acme.age.sig")),
        NAMESPACE,
        &trusted,
    )
    .unwrap();
    assert_eq!(
        found.fingerprint(),
        "SHA256:CkZkXI+XJVXvR5iToX5D5bft3yx1zIMKSniefkHKGto"
    );
    // One changed byte of the vault, and the signature no longer holds.
    let mut tampered = read("v1", "acme.age");
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(
        verify_trusted(
            &tampered,
            Some(&read("v1", "acme.age.sig")),
            NAMESPACE,
            &trusted
        )
        .is_err()
    );
}

#[test]
fn a_version_1_signer_list_verifies() {
    let trusted = [signer("v1")];
    verify_trusted(
        &read("v1", "signers.json"),
        Some(&read("v1", "signers.json.sig")),
        SIGNERS_NAMESPACE,
        &trusted,
    )
    .unwrap();
    let list = json(&read("v1", "signers.json"));
    assert_eq!(list["signers"][0]["name"], "provider");
}

#[test]
fn a_version_1_bundle_opens_with_the_client_key_and_verifies() {
    let bytes = read("v1", "bundle.age");
    let trusted = [signer("v1")];
    verify_trusted(
        &bytes,
        Some(&read("v1", "bundle.age.sig")),
        NAMESPACE,
        &trusted,
    )
    .unwrap();
    let client = bundle::read(&bytes, &identity("v1", "client-key.txt"), "bundle.age").unwrap();
    assert_eq!(client.id.as_str(), "acme");
    assert_eq!(client.entries.len(), 2);
    let plain = handover::keys::decrypt(&bytes, &identity("v1", "client-key.txt")).unwrap();
    assert_eq!(json(&plain), json(&read("v1", "bundle.json")));
    // The provider's own identity is not a recipient of the client's bundle.
    assert!(handover::keys::decrypt(&bytes, &identity("v1", "identity.txt")).is_err());
}

#[test]
fn the_stock_tools_read_the_version_1_files() {
    crate::common::require_tool("age");
    crate::common::require_tool("ssh-keygen");
    let out = std::process::Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(kat("v1", "identity.txt"))
        .arg(kat("v1", "acme.age"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, read("v1", "acme.json"));
    let out = std::process::Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(kat("v1", "allowed_signers"))
        .args(["-I", "provider", "-n", "handover", "-s"])
        .arg(kat("v1", "acme.age.sig"))
        .stdin(std::fs::File::open(kat("v1", "acme.age")).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// Vault format 2: tests/kat/v2/, written by scripts/make-kat.sh v2 (a store with a
// client, two entries, a system, a decision, a dossier and a bundle recorded). One test
// per file kind.

const V2_SIGNER: &str = "SHA256:pybkCS2A+2SM+HvEiOFxDwgakO6jAKJ8CAkWC8EpdcY";

#[test]
fn a_version_2_vault_decrypts_to_its_plaintext_and_keeps_its_fingerprint() {
    let plain =
        handover::keys::decrypt(&read("v2", "acme.age"), &identity("v2", "identity.txt")).unwrap();
    assert_eq!(&plain[..], &read("v2", "acme.json")[..]);
    let client = vault::parse(&plain).unwrap();
    assert_eq!(client.format_version, 2);
    assert_eq!(client.id.as_str(), "acme");
    assert_eq!(client.name, "Bäckerei Brandt GmbH");
    assert_eq!(client.revision, 8);
    let wifi = client.entry("netz/wlan").unwrap();
    assert_eq!(
        wifi.password.as_ref().unwrap().expose(),
        "Grüße-€-ß-pässwörd"
    );
    assert_eq!(wifi.ssid(), Some("Brandt-Gäste"));
    assert_eq!(client.systems[0].name, "NAS Büro");
    assert_eq!(client.decisions[0].title, "Sicherung auf NAS");
    // Printed with fingerprint version 1 (before December 2026): still verifies.
    let printed = String::from_utf8(read("v2", "fingerprint.txt")).unwrap();
    let all = fingerprints(&client);
    assert_eq!(all.earlier, printed.trim());
    assert!(all.matches(printed.trim()));
    assert_eq!(client.dossiers[0].fingerprint, printed.trim());
    let now = String::from_utf8(read("v2", "fingerprint-v2.txt")).unwrap();
    assert_eq!(fingerprint(&client), now.trim());
    // Written back by this build: the same JSON.
    assert_eq!(json(&vault::to_json(&client).unwrap()), json(&plain));
}

#[test]
fn a_version_2_vault_signature_verifies_with_handover_and_the_stock_tool() {
    let trusted = [signer("v2")];
    let found = verify_trusted(
        &read("v2", "acme.age"),
        Some(&read("v2", "acme.age.sig")),
        NAMESPACE,
        &trusted,
    )
    .unwrap();
    assert_eq!(found.fingerprint(), V2_SIGNER);
    crate::common::require_tool("ssh-keygen");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(kat("v2", "allowed_signers"))
        .args(["-I", "provider", "-n", "handover", "-s"])
        .arg(kat("v2", "acme.age.sig"))
        .stdin(std::fs::File::open(kat("v2", "acme.age")).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(V2_SIGNER));
}

#[test]
fn a_version_2_bundle_verifies_in_its_namespace_and_opens_with_the_client_key() {
    let bytes = read("v2", "bundle.age");
    let trusted = [signer("v2")];
    let sig = read("v2", "bundle.age.sig");
    verify_trusted(&bytes, Some(&sig), BUNDLE_NAMESPACE, &trusted).unwrap();
    assert!(
        verify_trusted(&bytes, Some(&sig), NAMESPACE, &trusted).is_err(),
        "a bundle is never taken for a vault"
    );
    let client = bundle::read(&bytes, &identity("v2", "client-key.txt"), "bundle.age").unwrap();
    assert_eq!(client.id.as_str(), "acme");
    assert_eq!(client.entries.len(), 2);
    let plain = handover::keys::decrypt(&bytes, &identity("v2", "client-key.txt")).unwrap();
    assert_eq!(&plain[..], &read("v2", "bundle.json")[..]);
    assert!(handover::keys::decrypt(&bytes, &identity("v2", "identity.txt")).is_err());
}

#[test]
fn a_version_2_signer_list_verifies() {
    let trusted = [signer("v2")];
    verify_trusted(
        &read("v2", "signers.json"),
        Some(&read("v2", "signers.json.sig")),
        SIGNERS_NAMESPACE,
        &trusted,
    )
    .unwrap();
    let list = json(&read("v2", "signers.json"));
    assert_eq!(list["version"], 1);
    assert_eq!(list["signers"][0]["name"], "provider");
}

/// The store the version-2 pin file was written for, as trust sees a store: its path
/// (which no longer exists, so it is used as written) and its signer list.
struct KatStore(PathBuf);

impl SignerListHome for KatStore {
    fn root(&self) -> &Path {
        &self.0
    }
    fn signers_path(&self) -> PathBuf {
        self.0.join("signers.json")
    }
    fn read_signers(&self) -> handover::Result<Option<SignedFile>> {
        Ok(Some((
            read("v2", "signers.json"),
            Some(read("v2", "signers.json.sig")),
        )))
    }
}

#[test]
fn a_version_2_pin_file_gives_the_pinned_signer_and_revision_and_moves_the_revisions() {
    let path = String::from_utf8(read("v2", "store-path.txt")).unwrap();
    let store = KatStore(PathBuf::from(path.trim()));
    assert!(!store.0.exists());
    // Trust reads the pin file; a copy, as establishing trust may write to it.
    let dir = tempfile::tempdir().unwrap();
    let pins = dir.path().join("identity.trust.json");
    std::fs::write(&pins, read("v2", "identity.trust.json")).unwrap();
    let trust = Trust::establish(&store, &pins).unwrap();
    assert_eq!(trust.origin(), V2_SIGNER);
    assert_eq!(trust.keys(), [signer("v2")]);
    let acme = ClientId::parse("acme").unwrap();
    assert_eq!(trust.seen_revision(&acme), 8);
    // The revisions it kept are moved to one file per client, and only they leave it.
    let mut moved = json(&read("v2", "identity.trust.json"));
    for (_, pin) in moved["stores"].as_object_mut().unwrap() {
        assert_eq!(pin["revisions"], serde_json::json!({"acme": 8}));
        pin.as_object_mut().unwrap().remove("revisions");
    }
    assert_eq!(json(&std::fs::read(&pins).unwrap()), moved);
    let stores: Vec<_> = std::fs::read_dir(dir.path().join("identity.trust.revisions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(stores.len(), 1);
    assert_eq!(std::fs::read(stores[0].join("acme")).unwrap(), b"8\n");
    assert_eq!(
        Trust::establish(&store, &pins)
            .unwrap()
            .seen_revision(&acme),
        8
    );
}
