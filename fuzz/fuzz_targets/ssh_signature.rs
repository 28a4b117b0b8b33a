#![no_main]

use handover::keys::signing::{self, NAMESPACE, SIGNERS_NAMESPACE};

// A signature file (`<vault>.age.sig`, a bundle's `.sig`, `signers.json.sig`) over a
// fixed message, in both namespaces: never panics, and a key it names as having
// signed is one the signature verifies under.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let msg = handover_fuzz::SIGNED_MESSAGE;
    for namespace in [NAMESPACE, SIGNERS_NAMESPACE] {
        let Ok(keys) = signing::verify(msg, Some(data), namespace) else {
            continue;
        };
        assert!(!keys.is_empty(), "a verified signature without a key");
        assert!(signing::verify_trusted(msg, Some(data), namespace, &keys).is_ok());
        assert!(signing::verify(b"other bytes", Some(data), namespace).is_err());
    }
});
