#![no_main]

// A digital bundle as `import --format bundle` reads it.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = handover::formats::bundle::read(data, handover_fuzz::identity(), "fuzz");
});
