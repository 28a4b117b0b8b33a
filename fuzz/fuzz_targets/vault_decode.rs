#![no_main]

// A vault file: age decryption with a fixed identity, then the JSON.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = handover::vault::decode(data, handover_fuzz::identity());
});
