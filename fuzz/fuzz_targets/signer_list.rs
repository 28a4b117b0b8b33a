#![no_main]

use handover::keys::signing::{self, SignerKey};
use handover::keys::trust::Trust;

// A store's `signers.json`, followed by its `.sig` if the input holds an armored SSH
// signature, read against a pin file that trusts `signers.json` of this directory
// (version 1). Never panics, and a list other than the pinned one is taken over only
// when a pinned key signed it.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (pinned, pin_bytes) = handover_fuzz::pinned();
    let pins = handover_fuzz::pin_file(&pin_bytes);
    let (list, sig) = handover_fuzz::split_signature(data);
    let store = handover_fuzz::SignersOnly(Some((list.to_vec(), sig.map(<[u8]>::to_vec))));
    let Ok(trust) = Trust::establish(&store, &pins) else {
        return;
    };
    if *trust.list() == pinned {
        return;
    }
    assert!(
        trust.list().version > pinned.version,
        "an older list taken over"
    );
    let keys: Vec<SignerKey> = pinned
        .signers
        .iter()
        .map(|s| SignerKey::parse(&s.key).expect("a pinned key parses"))
        .collect();
    assert!(
        signing::verify_trusted(list, sig, signing::SIGNERS_NAMESPACE, &keys).is_ok(),
        "a list not signed by a pinned key taken over"
    );
});
