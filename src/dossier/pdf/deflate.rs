//! Flate compression of the PDF's streams, with no copy of a secret left behind.

use zeroize::{Zeroize, Zeroizing};
use zlib_rs::{DeflateConfig, DeflateFlush, Status};

use crate::error::{Error, Result};

/// One zlib compressor and one output buffer for every stream of a dossier.
pub(super) struct Deflate {
    zlib: zlib_rs::Deflate,
    /// Zeros but for the last stream compressed, which [`Deflate::wipe`] (and the drop)
    /// zeroes again: handed to zlib whole, it need not be filled again for each stream.
    out: Zeroizing<Vec<u8>>,
    /// The length of the last stream compressed.
    len: usize,
    /// Nothing compressed yet: a new compressor is reset already (a reset clears a
    /// 128 KiB table).
    fresh: bool,
}

impl Deflate {
    pub(super) fn new() -> Self {
        // Level 1 (zlib-rs's quick deflate, static Huffman codes). Measured with the
        // compact content streams: at 1,000 entries level 2 made the PDF 0.62 MB instead
        // of 0.77 MB for 79 M more instructions (10% of the export), at 50 entries
        // 91 KB instead of 108 KB for 8 M more; level 6 costs more again.
        // Memory level 1: quick deflate does not use the symbol buffer that the level
        // sizes, which zlib clears for every stream (48 KiB at level 8, 16 M
        // instructions of a 1,000-entry dossier); its output is the same.
        let config = DeflateConfig {
            level: 1,
            mem_level: 1,
            ..DeflateConfig::default()
        };
        Deflate {
            zlib: zlib_rs::Deflate::new_with_config(config),
            out: Zeroizing::new(Vec::new()),
            len: 0,
            fresh: true,
        }
    }

    /// `data` as a zlib stream.
    pub(super) fn compress(&mut self, data: &[u8]) -> Result<&[u8]> {
        self.wipe();
        if !std::mem::replace(&mut self.fresh, false) {
            self.zlib.reset();
        }
        let bound = data.len() + data.len() / 1000 + data.len() / 64 + 64;
        if self.out.len() < bound {
            self.out = Zeroizing::new(vec![0; bound]);
        }
        match self
            .zlib
            .compress(data, &mut self.out, DeflateFlush::Finish)
        {
            Ok(Status::StreamEnd) => {
                self.len = usize::try_from(self.zlib.total_out()).unwrap_or(usize::MAX);
                Ok(&self.out[..self.len.min(self.out.len())])
            }
            other => Err(Error::Invalid(format!(
                "internal error: cannot compress a PDF stream ({other:?}); please report it"
            ))),
        }
    }

    pub(super) fn wipe(&mut self) {
        let len = self.len.min(self.out.len());
        self.out[..len].zeroize();
        self.len = 0;
    }
}

/// Streams smaller than this stay uncompressed: they would gain a few hundred bytes,
/// and each compression first clears zlib's 128 KiB match table (the ToUnicode maps of
/// the three fonts: 0.5 M instructions of every dossier for 1.9 KB of PDF).
const SMALL_STREAM: usize = 4 << 10;

/// Compresses the streams printpdf left uncompressed (the fonts; not their small
/// ToUnicode maps), where that makes them smaller.
pub(super) fn compress_streams(lo: &mut lopdf::Document, deflate: &mut Deflate) -> Result<()> {
    for object in lo.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
            && stream.content.len() >= SMALL_STREAM
        {
            let compressed = deflate.compress(&stream.content)?.to_vec();
            if compressed.len() < stream.content.len() {
                stream.content.zeroize();
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }
    Ok(())
}
