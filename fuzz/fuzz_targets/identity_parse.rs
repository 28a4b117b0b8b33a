#![no_main]

// An identity file's text (HANDOVER_IDENTITY, `--include-client-key`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = handover::keys::Identity::parse(text);
    }
});
