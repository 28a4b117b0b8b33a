//! What the fuzz targets share.

use std::sync::OnceLock;

use handover::keys::Identity;
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

/// Imports `data` as `format`. Beyond not panicking:
/// - whatever an import returns is storable: it comes back unchanged through our JSON;
/// - an import is all or nothing: the file cut short (at a point the input's last byte
///   picks) is refused, or gives the same entries — in CSV, which has no end marker,
///   the same first entries (Bitwarden's CSV: all but the last, see bitwarden_csv).
pub fn import(format: &str, data: &[u8]) {
    let options = ImportOptions::default();
    let Ok(whole) = formats::import(format, data, "fuzz", &options) else {
        return;
    };
    let entries: Vec<&Entry> = whole.entries.iter().collect();
    let json = formats::json::export(&entries).expect("imported entries export as JSON");
    let back = formats::json::import(&json.bytes, "fuzz").expect("and that JSON imports");
    let values = |es: &[&Entry]| -> Vec<serde_json::Value> {
        es.iter()
            .map(|e| serde_json::to_value(e).expect("to JSON value"))
            .collect()
    };
    assert!(
        values(&entries) == values(&back.iter().collect::<Vec<_>>()),
        "{format}: imported entries change through a JSON round trip"
    );
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
