#![no_main]

use handover::keys::trust::Trust;

// This machine's pin file (`identity.trust.json`), as every command that opens a
// store reads it. The store at `STORE_ROOT` holds no signer list, so whatever the pin
// file says is all there is to trust.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let pins = handover_fuzz::pin_file(data);
    let Ok(trust) = Trust::establish(&handover_fuzz::SignersOnly(None), &pins) else {
        return;
    };
    // An accepted pin file holds a usable signer list.
    let _ = (trust.recipients(), trust.origin());
    for key in trust.keys() {
        assert!(trust.name_of(key).is_some(), "a trusted key without a name");
    }
    // A store without a signer list changes nothing on this machine.
    assert!(std::fs::read(&pins).expect("the pin file is still there") == data);
});
