#![no_main]

use std::io::Read;

use handover::dossier::pdf::deflate::Deflate;

// The dossier's zlib encoder: the input, cut into streams at the bytes 0xff, goes
// through one compressor (as a dossier's pages do, so that each stream's matches must
// stay inside it), and each stream inflates back to itself with zlib-rs, which checks
// every code, every distance and the Adler-32.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut deflate = Deflate::new();
    for stream in data.split(|&b| b == 0xff) {
        let compressed = deflate.compress(stream).expect("a stream under 4 GiB compresses");
        let mut inflated = Vec::new();
        let mut decoder = flate2::read::ZlibDecoder::new(compressed);
        decoder.read_to_end(&mut inflated).expect("a valid zlib stream");
        assert_eq!(decoder.total_in(), compressed.len() as u64, "no trailing bytes");
        assert_eq!(inflated, stream, "the stream back");
        deflate.wipe();
    }
});
