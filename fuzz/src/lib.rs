//! What the fuzz targets share.

use std::sync::OnceLock;

use handover::crypto::Identity;
use handover::formats::{self, ImportOptions};
use handover::model::Entry;

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

/// Imports `data` as `format`. Beyond not panicking: whatever an import returns must
/// be storable, that is, come back unchanged through our own JSON format.
pub fn import(format: &str, data: &[u8]) {
    let Ok(imported) = formats::import(format, data, "fuzz", &ImportOptions::default()) else {
        return;
    };
    let entries: Vec<&Entry> = imported.entries.iter().collect();
    let json = formats::json::export(&entries).expect("imported entries export as JSON");
    let back = formats::json::import(&json.bytes, "fuzz").expect("and that JSON imports");
    let values = |es: &[&Entry]| -> Vec<serde_json::Value> {
        es.iter().map(|e| serde_json::to_value(e).expect("to JSON value")).collect()
    };
    assert!(
        values(&entries) == values(&back.iter().collect::<Vec<_>>()),
        "{format}: imported entries change through a JSON round trip"
    );
}
