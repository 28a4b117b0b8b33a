//! What the fuzz targets share.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use handover::formats::{self, ImportOptions, Imported};
use handover::keys::Identity;
use handover::keys::signing;
use handover::keys::trust::{SignedFile, SignerList, SignerListHome};
use handover::model::{Client, ClientId, Entry};

/// A key for fuzzing only, public on purpose: `seed.sh` encrypts the seed vault and
/// bundle to its recipient so that the decoders get past decryption.
pub const FUZZ_IDENTITY: &str =
    "AGE-SECRET-KEY-1RQJ0EZ9YSEXXYTFR39GAXWDEYLSHUJZMH2PD8AGMJNHDE6HA23QS6V99UZ";

/// Its recipient, for `seed.sh` and `age -r`.
pub const FUZZ_RECIPIENT: &str = "age16nq022zl45n8uuxx8w6kl7n259ld2yfj7tjwvy0vgkj2k5wdyvesj49ar6";

pub fn identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| Identity::parse(FUZZ_IDENTITY).expect("the fuzz identity parses"))
}

/// The entries as JSON values, without the ids that formats lacking them draw afresh.
fn without_ids(entries: &[Entry]) -> Vec<serde_json::Value> {
    entries
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).expect("an entry is JSON");
            if let Some(o) = v.as_object_mut() {
                o.remove("id");
            }
            v
        })
        .collect()
}

/// A fixed moment, so that a run is repeatable.
pub fn as_of() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("a valid timestamp")
}

/// A small client, as the vault of a first import would be.
pub fn client() -> Client {
    let id = ClientId::parse("fuzz").expect("a valid client id");
    let recipients = vec![FUZZ_RECIPIENT.to_owned()];
    Client::new(id, "Fuzz GmbH".into(), recipients, as_of())
}

fn json_values<T: serde::Serialize>(items: &[T]) -> Vec<serde_json::Value> {
    items
        .iter()
        .map(|i| serde_json::to_value(i).expect("to JSON value"))
        .collect()
}

/// Whatever an import returns comes back unchanged through our whole-client JSON.
fn round_trip(format: &str, imported: &Imported) {
    let mut client = client();
    client.entries = imported.entries.clone();
    let k = &imported.knowledge;
    client.systems = k.systems.clone();
    client.networks = k.networks.clone();
    client.vendors = k.vendors.clone();
    client.documents = k.documents.clone();
    client.decisions = k.decisions.clone();
    let json = formats::json::export(&client).expect("imported entries export as JSON");
    let (entries, back) =
        formats::json::import_client(&json.bytes, "fuzz").expect("and that JSON imports");
    let same = |what: &str, a: Vec<serde_json::Value>, b: Vec<serde_json::Value>| {
        assert!(
            a == b,
            "{format}: imported {what} change through a JSON round trip"
        );
    };
    same(
        "entries",
        json_values(&client.sorted_entries()),
        json_values(&entries),
    );
    same(
        "systems",
        json_values(&k.systems),
        json_values(&back.systems),
    );
    same(
        "networks",
        json_values(&k.networks),
        json_values(&back.networks),
    );
    same(
        "vendors",
        json_values(&k.vendors),
        json_values(&back.vendors),
    );
    same(
        "documents",
        json_values(&k.documents),
        json_values(&back.documents),
    );
    same(
        "decisions",
        json_values(&k.decisions),
        json_values(&back.decisions),
    );
}

/// Imports `data` as `format`. Beyond not panicking:
/// - whatever an import returns is storable: it comes back unchanged through our JSON;
/// - an import is all or nothing: the file cut short (at a point the input's last byte
///   picks) is refused, or gives the same entries — in CSV, which has no end marker,
///   the same first entries (Bitwarden's CSV: all but the last, see bitwarden_csv).
pub fn import(format: &str, data: &[u8]) {
    let mut options = ImportOptions::default();
    // A KeePass database opens with this password (the seeds' databases use it).
    options.kdbx.password = Some(handover::model::Secret::from("fuzz"));
    let Ok(whole) = formats::import(format, data, "fuzz", &options) else {
        return;
    };
    round_trip(format, &whole);
    let Some(&last) = data.last() else { return };
    let cut = usize::from(last) * data.len() / 256;
    let Ok(part) = formats::import(format, &data[..cut], "fuzz", &options) else {
        return;
    };
    let (part, whole) = (without_ids(&part.entries), without_ids(&whole.entries));
    if !format.ends_with("csv") {
        assert!(
            part == whole,
            "{format}: cut at {cut}, it imports other entries"
        );
        return;
    }
    assert!(
        part.len() <= whole.len(),
        "{format}: cut at {cut}, more entries"
    );
    let same = match format {
        "bitwarden-csv" => part.len().saturating_sub(1),
        _ => part.len(),
    };
    assert!(
        part[..same] == whole[..same],
        "{format}: cut at {cut}, it imports the first entries differently"
    );
}

/// The signer list the trust targets start from (version 1, one signer: the public
/// half of `fuzz-signing-key`, a key for fuzzing only, public on purpose). `seed.sh`
/// signs a newer version with that key, so that the target reaches the takeover of a
/// signed list.
pub const PINNED_SIGNERS: &str = include_str!("../signers.json");

/// Where the trust targets' store is. It does not exist, so that the pin file names it
/// by exactly this path; the seeds do.
pub const STORE_ROOT: &str = "/nonexistent/handover-fuzz-store";

/// The message `seed.sh` signs for `ssh_signature` (`printf 'handover fuzz\n'`).
pub const SIGNED_MESSAGE: &[u8] = b"handover fuzz\n";

/// A store that holds nothing but a signer list (and its signature), for
/// `Trust::establish`.
pub struct SignersOnly(pub Option<SignedFile>);

impl SignerListHome for SignersOnly {
    fn root(&self) -> &Path {
        Path::new(STORE_ROOT)
    }
    fn signers_path(&self) -> PathBuf {
        Path::new(STORE_ROOT).join("signers.json")
    }
    fn read_signers(&self) -> handover::Result<Option<SignedFile>> {
        Ok(self.0.clone())
    }
}

/// This process's pin file (`<pid>.trust.json` in `handover-fuzz` under the temp dir),
/// holding `bytes`. Written afresh on every run, since taking over a signed list
/// updates it.
pub fn pin_file(bytes: &[u8]) -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join("handover-fuzz");
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir.join(format!("{}.trust.json", std::process::id()))
    });
    std::fs::write(path, bytes).expect("the pin file is written");
    path.clone()
}

/// A pin file that trusts [`PINNED_SIGNERS`] for the store at [`STORE_ROOT`].
pub fn pinned() -> (SignerList, Vec<u8>) {
    let list: SignerList = serde_json::from_str(PINNED_SIGNERS).expect("signers.json parses");
    let pins = serde_json::json!({
        "format": "handover-trust",
        "format_version": 1,
        "stores": {
            STORE_ROOT: {
                "origin": signing::SignerKey::parse(&list.signers[0].key)
                    .expect("the fuzz key parses")
                    .fingerprint(),
                "pinned": as_of(),
                "signers": list,
            }
        }
    });
    (list, serde_json::to_vec_pretty(&pins).expect("pins encode"))
}

/// Splits `data` at the first armored SSH signature: the signed file and its `.sig`
/// (none when `data` holds no signature).
pub fn split_signature(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    const BEGIN: &[u8] = b"-----BEGIN SSH SIGNATURE-----";
    match data.windows(BEGIN.len()).position(|w| w == BEGIN) {
        Some(at) => (&data[..at], Some(&data[at..])),
        None => (data, None),
    }
}
