#![no_main]

// Decrypted vault JSON, as read from every vault file.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(client) = handover::vault::parse(data) {
        // A vault that parses is a valid one, and writes back as it was read.
        let json = handover::vault::to_json(&client).expect("a parsed vault encodes");
        let again = handover::vault::parse(&json).expect("its own JSON parses");
        assert!(*handover::vault::to_json(&again).expect("encodes") == *json);
    }
});
