//! Flate compression of the PDF's streams, with no copy of a secret left behind.
//!
//! Our own zlib encoder, in the manner of zlib's quickest level (zlib-ng's and zlib-rs's
//! `deflate_quick`): one block with the fixed Huffman codes of RFC 1951, and matches
//! found through one candidate per hash of four bytes. We wrote it because a PDF needs
//! one zlib stream per page, and zlib-rs clears its 128 KiB hash table before every
//! stream (issue 24: 42 M instructions of a 1,000-entry dossier, more than the
//! compression itself). Our table holds positions in a coordinate that runs on from
//! stream to stream, so an entry left by an earlier stream reads as empty and nothing
//! needs clearing. It reads the input where it lies: zlib-rs copied every stream, page
//! contents with their secrets, into its window; ours keeps no copy of any byte, only
//! positions.

use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

/// Bits of the hash of four bytes: 16, like zlib-rs's quick deflate (a table of 2^16
/// positions, 256 KiB, allocated zeroed once per dossier).
const HASH_BITS: u32 = 16;
const HASH_SIZE: usize = 1 << HASH_BITS;
/// The farthest back a deflate match may reach.
const WINDOW: usize = 32 * 1024;
/// The shortest match we look for: four bytes, what the hash covers. (Deflate allows
/// three, but a three-byte match with a far distance costs more bits than the literals.)
const MIN_MATCH: usize = 4;
/// The longest match deflate can say.
const MAX_MATCH: usize = 258;

/// One hash table and one output buffer for every stream of a dossier.
pub struct Deflate {
    /// For each hash of four bytes, the position where they last began, counted in a
    /// coordinate that starts each stream at `base`: a value below `base` was left by an
    /// earlier stream and means "no candidate". Positions only, never bytes.
    head: Box<[u32; HASH_SIZE]>,
    /// Where the next stream starts in the running coordinate: beyond every position in
    /// `head`. Starts at 1, so that the zeros of a new table read as empty.
    base: u32,
    /// Zeros but for the last stream compressed, which [`Deflate::wipe`] (and the drop)
    /// zeroes again: written by index, it must be as long as the longest output.
    out: Zeroizing<Vec<u8>>,
    /// The length of the last stream compressed.
    len: usize,
}

impl Deflate {
    // Public only for the fuzz target; a Default would say nothing more.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Deflate::starting_at(1)
    }

    /// A compressor whose next stream starts at `base` (tests force the wrap-around of the
    /// running coordinate with it).
    fn starting_at(base: u32) -> Self {
        // Allocated zeroed (calloc: fresh pages, no clearing by us) rather than built as
        // an array on the stack and copied.
        let head = vec![0u32; HASH_SIZE].into_boxed_slice();
        let head: Box<[u32; HASH_SIZE]> = match head.try_into() {
            Ok(head) => head,
            Err(_) => unreachable!("the table has HASH_SIZE entries"),
        };
        Deflate {
            head,
            base: base.max(1),
            out: Zeroizing::new(Vec::new()),
            len: 0,
        }
    }

    /// `data` as a zlib stream (RFC 1950).
    pub fn compress(&mut self, data: &[u8]) -> Result<&[u8]> {
        self.wipe();
        let base = self.claim(data.len())?;
        // Worst case 9 bits a byte (literals 144-255), plus header, block header and end,
        // checksum and the 4 bytes the bit writer may store past its last full byte.
        let bound = data.len() + data.len() / 8 + 32;
        if self.out.len() < bound {
            self.out = Zeroizing::new(vec![0; bound]);
        }
        let mut bits = Bits {
            out: &mut self.out,
            at: 2,
            acc: 0,
            n: 0,
        };
        // CMF: deflate with a 32 KiB window; FLG: fastest level, check bits (0x7801 is
        // divisible by 31).
        bits.out[..2].copy_from_slice(&[0x78, 0x01]);
        // BFINAL = 1, BTYPE = 01 (fixed Huffman codes).
        bits.put(0b011, 3);
        lz77(data, &mut self.head, base, &mut bits);
        // End of block: literal/length code 256, seven zero bits.
        bits.put(0, 7);
        bits.align();
        // zlib-rs's Adler-32 (built anyway, for flate2) uses SIMD where the processor
        // has it: adler2's cost 1 M more instructions at 50 entries, 11 M at 1,000.
        bits.bytes(&zlib_rs::adler32::adler32(1, data).to_be_bytes());
        self.len = bits.at;
        Ok(&self.out[..self.len])
    }

    /// The base of a stream of `len` bytes, moving the running coordinate past it. The
    /// table is cleared only when the coordinate would leave `u32`: once in 4 GiB of
    /// streams.
    fn claim(&mut self, len: usize) -> Result<u32> {
        let end = |base: u32| {
            u32::try_from(len)
                .ok()
                .and_then(|len| base.checked_add(len))
        };
        if end(self.base).is_none() {
            self.head.fill(0);
            self.base = 1;
        }
        let base = self.base;
        self.base = end(base).ok_or_else(|| {
            Error::Invalid(format!(
                "cannot compress a PDF stream of {len} bytes: streams of 4 GiB or more are \
                 not supported; please report it"
            ))
        })?;
        Ok(base)
    }

    pub fn wipe(&mut self) {
        let len = self.len.min(self.out.len());
        self.out[..len].zeroize();
        self.len = 0;
    }
}

/// Compresses the frame's streams (the fonts, their ToUnicode maps, the one-byte CMap
/// and the logo), where that makes them smaller. Small ones too: with no table to clear per
/// stream, compressing the three ToUnicode maps (4.2 KB) saves 1.7 KB of PDF and 0.1 M
/// instructions (less to hash and write than it costs to compress).
pub(super) fn compress_streams(lo: &mut lopdf::Document, deflate: &mut Deflate) -> Result<()> {
    for object in lo.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
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

/// Literals and matches of `data` into `bits`, finding matches as zlib's quick deflate
/// does: the last position with the same hash of four bytes is the one candidate, and
/// the positions inside a match are not entered in the table.
fn lz77(data: &[u8], head: &mut [u32; HASH_SIZE], base: u32, bits: &mut Bits<'_>) {
    let mut i = 0;
    // `claim` made room for the whole stream: base + i stays within u32, and i within
    // usize, so the arithmetic below wraps nowhere (and skips the overflow checks).
    while let Some(&four) = data.get(i..).and_then(<[u8]>::first_chunk::<4>) {
        let here = u32::from_le_bytes(four);
        let slot = &mut head[hash(here)];
        let candidate = *slot;
        *slot = base.wrapping_add(i as u32);
        if candidate >= base {
            // An earlier position of this stream, so 1 <= distance <= i.
            let from = candidate.wrapping_sub(base) as usize;
            let distance = i.wrapping_sub(from);
            if distance <= WINDOW && read32(data, from) == Some(here) {
                let len = match_len(data, from, i);
                bits.put_match(len, distance);
                i = i.wrapping_add(len);
                continue;
            }
        }
        bits.put_literal(here as u8);
        i = i.wrapping_add(1);
    }
    for &byte in data.get(i..).unwrap_or_default() {
        bits.put_literal(byte);
    }
}

/// Zlib's multiplicative hash of four bytes, to `HASH_BITS` bits.
#[inline(always)]
fn hash(four: u32) -> usize {
    (four.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

#[inline(always)]
fn read32(data: &[u8], at: usize) -> Option<u32> {
    let four = data.get(at..)?.first_chunk::<4>()?;
    Some(u32::from_le_bytes(*four))
}

/// How many bytes from `at` repeat those from `from` (an earlier position whose first
/// four bytes match), up to the longest match and the end of the data.
#[inline(always)]
fn match_len(data: &[u8], from: usize, at: usize) -> usize {
    let max = (data.len() - at).min(MAX_MATCH);
    let (here, there) = (&data[at..at + max], &data[from..from + max]);
    let mut len = MIN_MATCH;
    while len + 8 <= max {
        let word = |s: &[u8]| u64::from_le_bytes(s[len..len + 8].try_into().unwrap_or([0; 8]));
        let diff = word(here) ^ word(there);
        if diff != 0 {
            return len + (diff.trailing_zeros() / 8) as usize;
        }
        len += 8;
    }
    while len < max && here[len] == there[len] {
        len += 1;
    }
    len
}

/// Bits written least significant first, as deflate wants, through a 64-bit
/// accumulator that holds fewer than 32 bits between calls.
struct Bits<'a> {
    out: &'a mut [u8],
    /// The next byte of `out` to write.
    at: usize,
    acc: u64,
    /// How many bits of `acc` are pending: below 32.
    n: u32,
}

impl Bits<'_> {
    /// Appends the `n` low bits of `bits`; `n` is at most 32.
    #[inline(always)]
    fn put(&mut self, bits: u32, n: u32) {
        // n stays below 64: no overflow checks needed (they cost instructions here).
        self.acc |= u64::from(bits).wrapping_shl(self.n);
        self.n = self.n.wrapping_add(n);
        if self.n >= 32 {
            self.out[self.at..self.at + 4].copy_from_slice(&(self.acc as u32).to_le_bytes());
            self.at = self.at.wrapping_add(4);
            self.acc >>= 32;
            self.n = self.n.wrapping_sub(32);
        }
    }

    #[inline(always)]
    fn put_literal(&mut self, byte: u8) {
        let code = LITERALS[usize::from(byte)];
        self.put(u32::from(code.bits), u32::from(code.len));
    }

    /// A length (4-258) and a distance (1-32768) as one write of at most 31 bits.
    #[inline(always)]
    fn put_match(&mut self, len: usize, distance: usize) {
        // len - 3 is below 256.
        let length = LENGTHS[usize::from(len.wrapping_sub(3) as u8)];
        let (dist, dist_len) = distance_code(distance as u32);
        let len_bits = u32::from(length.len);
        self.put(
            u32::from(length.bits) | dist << len_bits,
            len_bits + dist_len,
        );
    }

    /// Pads the last byte with zeros and writes what is pending.
    fn align(&mut self) {
        while self.n > 0 {
            self.out[self.at] = self.acc as u8;
            self.at += 1;
            self.acc >>= 8;
            self.n = self.n.saturating_sub(8);
        }
    }

    /// Whole bytes, after [`Bits::align`].
    fn bytes(&mut self, bytes: &[u8]) {
        self.out[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }
}

/// A fixed Huffman code with what follows it, bit-reversed for least-significant-first
/// output: `len` bits of `bits`.
#[derive(Clone, Copy)]
struct Code {
    bits: u16,
    len: u8,
}

/// The code of each literal byte (RFC 1951 3.2.6: 0-143 eight bits from 0x30, 144-255
/// nine bits from 0x190).
static LITERALS: [Code; 256] = literals();
/// The code and extra bits of each match length, from 3 to 258.
static LENGTHS: [Code; 256] = lengths();

const fn literals() -> [Code; 256] {
    let mut table = [Code { bits: 0, len: 0 }; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = if byte < 144 {
            reversed(0x30 + byte as u32, 8)
        } else {
            reversed(0x190 + (byte as u32 - 144), 9)
        };
        byte += 1;
    }
    table
}

const fn lengths() -> [Code; 256] {
    // Codes 257-285: the first length of each and its number of extra bits.
    const FIRST: [u32; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const EXTRA: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    let mut table = [Code { bits: 0, len: 0 }; 256];
    let mut code = 0;
    while code < 29 {
        // 256-279 are seven bits from 0, 280-287 eight bits from 0xc0.
        let symbol = 257 + code as u32;
        let huffman = if symbol < 280 {
            reversed(symbol - 256, 7)
        } else {
            reversed(0xc0 + symbol - 280, 8)
        };
        let last = if code == 28 { 258 } else { FIRST[code + 1] - 1 };
        let mut len = FIRST[code];
        while len <= last {
            let extra = (len - FIRST[code]) << huffman.len;
            table[(len - 3) as usize] = Code {
                bits: huffman.bits | extra as u16,
                len: huffman.len + EXTRA[code] as u8,
            };
            len += 1;
        }
        code += 1;
    }
    table
}

/// The five-bit distance code with its extra bits, and their number of bits: codes 0-3
/// are distances 1-4; above, each power of two is split in two codes.
#[inline(always)]
fn distance_code(distance: u32) -> (u32, u32) {
    let d = distance.wrapping_sub(1);
    if d < 4 {
        return (u32::from(REVERSED5[d as usize]), 5);
    }
    let top = 31 - d.leading_zeros();
    let extra_len = top - 1;
    let code = 2 * top + ((d >> extra_len) & 1);
    let extra = d & ((1 << extra_len) - 1);
    (
        u32::from(REVERSED5[code as usize & 31]) | extra << 5,
        5 + extra_len,
    )
}

/// The five-bit distance codes, bit-reversed.
static REVERSED5: [u8; 32] = {
    let mut table = [0; 32];
    let mut code = 0;
    while code < 32 {
        table[code] = reversed(code as u32, 5).bits as u8;
        code += 1;
    }
    table
};

/// `code`'s `len` low bits in reverse order: Huffman codes go most significant bit first
/// into a stream written least significant first.
const fn reversed(code: u32, len: u8) -> Code {
    let mut bits = 0;
    let mut i = 0;
    while i < len {
        bits |= ((code >> i) & 1) << (len - 1 - i);
        i += 1;
    }
    Code {
        bits: bits as u16,
        len,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::testing::Xorshift;

    /// `compressed` inflated by zlib-rs (through flate2), which checks the header, every
    /// code and distance, and the Adler-32 checksum.
    fn inflate(compressed: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut decoder = flate2::read::ZlibDecoder::new(compressed);
        if let Err(e) = decoder.read_to_end(&mut out) {
            panic!("not a valid zlib stream: {e}");
        }
        assert_eq!(
            decoder.total_in(),
            compressed.len() as u64,
            "trailing bytes"
        );
        out
    }

    fn round_trip(deflate: &mut Deflate, data: &[u8]) -> usize {
        let len = match deflate.compress(data) {
            Ok(compressed) => {
                assert_eq!(inflate(compressed), data, "{} bytes", data.len());
                compressed.len()
            }
            Err(e) => panic!("{e}"),
        };
        deflate.wipe();
        len
    }

    const TEXT: &str = "Zugangsdaten für die Übergabe: Benutzer »admin«, Passwort \
        siehe Tresor. Größe der Festplatte: 2 TB; Straße 12, 80331 München. \
        BT /F1 9 Tf 1 0 0 1 56.7 742.3 Tm (Kennwort) Tj ET\n";

    #[test]
    fn short_inputs_round_trip() {
        let mut deflate = Deflate::new();
        for data in [
            &b""[..],
            b"a",
            b"ab",
            b"abc",
            b"abca",
            b"abcab",
            b"aaaaa",
            b"\xff",
        ] {
            round_trip(&mut deflate, data);
        }
        // Known answer: the empty stream is header, an empty fixed block and Adler-32 1.
        assert_eq!(
            Deflate::new().compress(b"").ok(),
            Some(&[0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..])
        );
    }

    #[test]
    fn long_runs_use_the_longest_matches() {
        let mut deflate = Deflate::new();
        let run = vec![b'x'; 100_000];
        let len = round_trip(&mut deflate, &run);
        // 388 matches of 258 bytes, about 16 bits each.
        assert!(len < 1_000, "{len} bytes");
        for len in [257, 258, 259, 260, 261, 262, 515, 516, 517] {
            round_trip(&mut deflate, &vec![0; len]);
        }
    }

    #[test]
    fn every_length_and_distance_round_trips() {
        let mut random = Xorshift(7);
        let mut deflate = Deflate::new();
        for len in 4..=MAX_MATCH + 2 {
            let unit = random.bytes(len);
            let mut data = unit.clone();
            data.extend_from_slice(&random.bytes(3));
            data.extend_from_slice(&unit);
            round_trip(&mut deflate, &data);
        }
        for distance in (1..=WINDOW + 2).step_by(97).chain([WINDOW - 1, WINDOW]) {
            let mut data = random.bytes(distance);
            data.extend_from_within(..distance.min(300));
            round_trip(&mut deflate, &data);
        }
    }

    #[test]
    fn repeats_beyond_the_window_are_literals() {
        let mut random = Xorshift(11);
        let mut deflate = Deflate::new();
        // Random bytes gain nothing from being literals: within the window their repeat
        // is one match, beyond it it costs as much as the first time.
        let unique = random.bytes(WINDOW + 1);
        let at = |distance: usize| {
            let mut data = unique[..distance].to_vec();
            data.extend_from_slice(&unique[..1_000]);
            data
        };
        let within = round_trip(&mut deflate, &at(WINDOW));
        let beyond = round_trip(&mut deflate, &at(WINDOW + 1));
        assert!(beyond > within + 900, "{within} {beyond}");
    }

    #[test]
    fn random_bytes_stay_valid() {
        let mut random = Xorshift(3);
        let mut deflate = Deflate::new();
        for len in [100, 4_096, 70_000, 300_000] {
            let data = random.bytes(len);
            let compressed = round_trip(&mut deflate, &data);
            assert!(compressed <= len + len / 8 + 32);
        }
    }

    #[test]
    fn text_compresses() {
        let mut deflate = Deflate::new();
        let text = TEXT.repeat(50);
        let len = round_trip(&mut deflate, text.as_bytes());
        assert!(len < text.len() / 10, "{len} of {}", text.len());
    }

    #[test]
    fn streams_in_a_row_never_reach_into_earlier_ones() {
        let mut deflate = Deflate::new();
        let text = TEXT.repeat(20);
        // The same data again: each bucket holds a position of the earlier stream, which
        // must read as empty (a match into it would not decode).
        let first = round_trip(&mut deflate, text.as_bytes());
        assert_eq!(round_trip(&mut deflate, text.as_bytes()), first);
        for len in [0, 1, 5, 100, text.len()] {
            round_trip(&mut deflate, &text.as_bytes()[..len]);
        }
        // The coordinate moved on by each stream's length.
        assert_eq!(deflate.base as usize, 1 + 3 * text.len() + 106);
        // And the output of the same data is the same from a fresh compressor.
        assert_eq!(round_trip(&mut Deflate::new(), text.as_bytes()), first);
    }

    #[test]
    fn the_running_coordinate_wraps_around() {
        let text = TEXT.repeat(20);
        let data = text.as_bytes();
        let fresh = match Deflate::new().compress(data) {
            Ok(compressed) => compressed.to_vec(),
            Err(e) => panic!("{e}"),
        };
        // Room for the stream up to the last position, then none: the table is cleared
        // and the coordinate starts over, and the output is that of a fresh compressor.
        let mut deflate = Deflate::starting_at(u32::MAX - data.len() as u32 - 10);
        round_trip(&mut deflate, data);
        assert_eq!(deflate.base, u32::MAX - 10);
        assert_eq!(deflate.compress(data).ok(), Some(&fresh[..]));
        assert_eq!(deflate.base as usize, 1 + data.len());
        round_trip(&mut deflate, data);
        // A stream that fits exactly.
        let mut deflate = Deflate::starting_at(u32::MAX - data.len() as u32);
        round_trip(&mut deflate, data);
        assert_eq!(deflate.base, u32::MAX);
        round_trip(&mut deflate, b"");
        round_trip(&mut deflate, b"x");
        assert_eq!(deflate.base, 2);
    }

    #[test]
    fn a_stream_of_4_gib_is_refused() {
        // claim() is where the length is checked, before any byte is read.
        let mut deflate = Deflate::starting_at(1_000);
        match deflate.claim(u32::MAX as usize) {
            Err(e) => assert_eq!(
                e.to_string(),
                "cannot compress a PDF stream of 4294967295 bytes: streams of 4 GiB or more \
                 are not supported; please report it"
            ),
            Ok(base) => panic!("claimed at {base}"),
        }
        // The table was cleared for the attempt; the next stream starts afresh.
        assert_eq!(deflate.base, 1);
        assert_eq!(deflate.claim(u32::MAX as usize - 1).ok(), Some(1));
        assert_eq!(deflate.base, u32::MAX);
    }

    #[test]
    fn random_mixes_round_trip_through_one_compressor() {
        let mut random = Xorshift(0x2024_1207);
        let mut deflate = Deflate::new();
        for _ in 0..300 {
            let mut data = Vec::new();
            let target = random.below(20_000);
            while data.len() < target {
                match random.below(4) {
                    0 => {
                        let len = random.below(50);
                        data.extend(random.bytes(len));
                    }
                    1 => data.extend(vec![random.next() as u8; random.below(600)]),
                    2 => {
                        let start = random.below(TEXT.len());
                        data.extend_from_slice(&TEXT.as_bytes()[start..]);
                    }
                    _ if !data.is_empty() => {
                        // A copy of earlier data, near or far.
                        let from = random.below(data.len());
                        let len = random.below(400).min(data.len() - from);
                        data.extend_from_within(from..from + len);
                    }
                    _ => {}
                }
            }
            round_trip(&mut deflate, &data);
        }
    }

    #[test]
    fn the_fixed_codes_are_rfc_1951s() {
        // Literal 0 is 00110000, 143 is 10111111, 144 is 110010000, 255 is 111111111;
        // sent most significant bit first, stored reversed.
        let bits = |c: Code| {
            (
                u32::from(c.bits).reverse_bits() >> (32 - u32::from(c.len)),
                c.len,
            )
        };
        assert_eq!(bits(LITERALS[0]), (0b0011_0000, 8));
        assert_eq!(bits(LITERALS[143]), (0b1011_1111, 8));
        assert_eq!(bits(LITERALS[144]), (0b1_1001_0000, 9));
        assert_eq!(bits(LITERALS[255]), (0b1_1111_1111, 9));
        // Length 3 is code 257 (0000001), 258 is code 285 (11000101), no extra bits; 11
        // is code 265 (0001001) with extra bit 0, 12 the same with 1 (stored after it).
        assert_eq!(bits(LENGTHS[0]), (0b000_0001, 7));
        assert_eq!(bits(LENGTHS[255]), (0b1100_0101, 8));
        assert_eq!((LENGTHS[8].bits, LENGTHS[8].len), (0b100_1000, 8));
        assert_eq!((LENGTHS[9].bits, LENGTHS[9].len), (0b1100_1000, 8));
        // Length 227 is code 284 (11000100) with five extra bits 0, 257 the same with 30.
        assert_eq!(LENGTHS[224].len, 13);
        assert_eq!(LENGTHS[254].bits >> 8, 30);
        // Distance 1 is code 0; 5 and 6 code 4 with one extra bit; 32768 code 29 with
        // thirteen extra bits, all ones.
        assert_eq!(distance_code(1), (0, 5));
        assert_eq!(distance_code(5), (0b00100, 6));
        assert_eq!(distance_code(6), (0b100100, 6));
        assert_eq!(distance_code(32_768), (0b10111 | 0x1fff << 5, 18));
    }
}
