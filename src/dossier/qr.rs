//! QR codes for the dossier: `qrcode` encodes the data and draws each version's
//! function patterns; we place the data, pick the mask and pack the modules into bits.
//!
//! Why not `QrCode::new`: it scores the eight masks with a penalty implementation that
//! costs ~10 M instructions per code, 30% of a dossier's rendering. The same four
//! penalty rules of ISO/IEC 18004 (7.8.3) over a flat bitmap cost a few hundred
//! thousand, and every code still gets the mask the standard asks for.

use std::cell::RefCell;
use std::rc::Rc;

use qrcode::canvas::{Canvas, Module};
use qrcode::{Color, EcLevel, Version, bits, ec};
use zeroize::{Zeroize, Zeroizing};

/// Light modules on each side of a line in its bit-packed form: module `j` is bit
/// `j + PAD`. They stand in for the quiet zone, so that a finder-like pattern at the
/// edge of the code is found with the same shifts as one in the middle.
const PAD: usize = 4;

/// The format information of level M for masks 0 to 7 (ISO/IEC 18004 table C.1),
/// 15 bits, most significant first, placed at `FORMAT_MAIN` and `FORMAT_SIDE`.
const FORMAT_M: [u16; 8] = [
    0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0,
];
/// `(x, y)`; negative coordinates count from the right or bottom edge.
const FORMAT_MAIN: [(isize, isize); 15] = [
    (0, 8),
    (1, 8),
    (2, 8),
    (3, 8),
    (4, 8),
    (5, 8),
    (7, 8),
    (8, 8),
    (8, 7),
    (8, 5),
    (8, 4),
    (8, 3),
    (8, 2),
    (8, 1),
    (8, 0),
];
const FORMAT_SIDE: [(isize, isize); 15] = [
    (8, -1),
    (8, -2),
    (8, -3),
    (8, -4),
    (8, -5),
    (8, -6),
    (8, -7),
    (-8, 8),
    (-7, 8),
    (-6, 8),
    (-5, 8),
    (-4, 8),
    (-3, 8),
    (-2, 8),
    (-1, 8),
];

/// Whether mask `m` (0 to 7) inverts the data module at column `x`, row `y`.
const fn mask_bit(m: usize, x: usize, y: usize) -> bool {
    match m {
        0 => (x + y).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (x + y).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (x * y) % 2 + (x * y) % 3 == 0,
        6 => ((x * y) % 2 + (x * y) % 3).is_multiple_of(2),
        _ => ((x + y) % 2 + (x * y) % 3).is_multiple_of(2),
    }
}

/// Every mask repeats after 12 rows and 12 columns (periods 2, 3, 4 and 6).
const PERIOD: usize = 12;

/// One period of each mask along a line: `[m][k]` has bit `j` set where mask `m`
/// inverts module `j` of row `k` (`.0`) or of column `k` (`.1`). Worked out once, not
/// for every code and mask.
const MASK_PERIODS: [[(u16, u16); PERIOD]; 8] = {
    let mut table = [[(0u16, 0u16); PERIOD]; 8];
    let mut m = 0;
    while m < 8 {
        let mut k = 0;
        while k < PERIOD {
            let mut j = 0;
            while j < PERIOD {
                if mask_bit(m, j, k) {
                    table[m][k].0 |= 1 << j;
                }
                if mask_bit(m, k, j) {
                    table[m][k].1 |= 1 << j;
                }
                j += 1;
            }
            k += 1;
        }
        m += 1;
    }
    table
};

/// `period` repeated along a line of `n` modules (and a little beyond, which `free`
/// clears).
fn repeated<const W: usize>(period: u16, n: usize) -> Line<W> {
    let mut line = [0u64; W];
    for j in (0..n).step_by(PERIOD) {
        let p = j + PAD;
        let (w, b) = (p / 64, p % 64);
        line[w] |= u64::from(period) << b;
        if b + PERIOD > 64 && w + 1 < W {
            line[w + 1] |= u64::from(period) >> (64 - b);
        }
    }
    line
}

/// A QR code's modules, row by row from the top, bit-packed (see `PAD`). They encode
/// the data (often a secret), so they are wiped on drop.
pub struct Modules {
    pub width: usize,
    words: usize,
    bits: Zeroizing<Vec<u64>>,
}

impl Modules {
    pub fn get(&self, col: usize, row: usize) -> bool {
        let p = col + PAD;
        (self.bits[row * self.words + p / 64] >> (p % 64)) & 1 == 1
    }

    /// The modules row by row from the top, eight to a byte with the leftmost in the
    /// high bit, a dark module a 1, each row padded to whole bytes: a 1-bit image of
    /// the code.
    pub fn packed_rows(&self) -> Zeroizing<Vec<u8>> {
        let n = self.width;
        let stride = n.div_ceil(8);
        let mut out = Zeroizing::new(vec![0u8; stride * n]);
        for (row, line) in self.bits.chunks_exact(self.words).enumerate() {
            // Eight modules at a time, least significant first: reversed into a byte.
            for (i, byte) in out[row * stride..(row + 1) * stride].iter_mut().enumerate() {
                let p = i * 8 + PAD;
                let (w, b) = (p / 64, p % 64);
                let mut eight = line[w] >> b;
                if b > 56 && w + 1 < line.len() {
                    eight |= line[w + 1] << (64 - b);
                }
                let beyond = (i * 8 + 8).saturating_sub(n);
                *byte = (eight as u8).reverse_bits() & (0xff << beyond);
            }
        }
        out
    }
}

/// `data` encoded at error correction level M: the version and the data and error
/// correction codewords. The codewords encode the data: the caller wipes them.
fn codewords(data: &[u8]) -> Option<(Version, Vec<u8>, Vec<u8>)> {
    let level = EcLevel::M;
    let bits = match std::str::from_utf8(data) {
        Ok(text) if !text.is_ascii() => utf8_bits(data, level)?,
        _ => bits::encode_auto(data, level).ok()?,
    };
    let version = bits.version();
    let mut raw = bits.into_bytes();
    let words = ec::construct_codewords(&raw, version, level).ok();
    raw.zeroize();
    let (data_words, ec_words) = words?;
    Some((version, data_words, ec_words))
}

/// `data` encoded at error correction level M and placed on a canvas with every
/// function pattern, before any mask; and the code's width in modules.
#[cfg(test)]
fn unmasked(data: &[u8]) -> Option<(Canvas, usize)> {
    let (version, mut data_words, mut ec_words) = codewords(data)?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data_words, &ec_words);
    data_words.zeroize();
    ec_words.zeroize();
    let width = usize::try_from(version.width()).ok()?;
    Some((canvas, width))
}

/// What every code of one version shares, bit-packed as the lines of [`best_mask`]
/// (`words` to a line): the dark modules of its function patterns, by row and by
/// column; the modules left for data, which the mask applies to (remainder ones
/// included), likewise; and the order data fills them in (ISO/IEC 18004 7.7.3, as
/// `Canvas::draw_data` does). Worked out from qrcode's canvas once per version, not
/// for every code: nothing in it depends on the data.
struct Frame {
    n: usize,
    words: usize,
    dark_rows: Vec<u64>,
    dark_cols: Vec<u64>,
    free_rows: Vec<u64>,
    free_cols: Vec<u64>,
    order: Vec<(u8, u8)>,
}

impl Frame {
    fn new(version: Version) -> Option<Frame> {
        let n = usize::try_from(version.width()).ok()?;
        let words = (n + 2 * PAD).div_ceil(64);
        let mut canvas = Canvas::new(version, EcLevel::M);
        canvas.draw_all_functional_patterns();
        let mut frame = Frame {
            n,
            words,
            dark_rows: vec![0; n * words],
            dark_cols: vec![0; n * words],
            free_rows: vec![0; n * words],
            free_cols: vec![0; n * words],
            order: Vec::new(),
        };
        let put = |lines: &mut [u64], line: usize, j: usize| {
            let p = j + PAD;
            lines[line * words + p / 64] |= 1 << (p % 64);
        };
        for y in 0..n {
            for x in 0..n {
                // Both fit i16: a code is at most 177 modules wide.
                match canvas.get(x as i16, y as i16) {
                    Module::Empty => {
                        put(&mut frame.free_rows, y, x);
                        put(&mut frame.free_cols, x, y);
                    }
                    Module::Masked(Color::Dark) | Module::Unmasked(Color::Dark) => {
                        put(&mut frame.dark_rows, y, x);
                        put(&mut frame.dark_cols, x, y);
                    }
                    _ => {}
                }
            }
        }
        frame.order = data_order(n, |x, y| canvas.get(x as i16, y as i16) == Module::Empty);
        Some(frame)
    }

    fn line<const W: usize>(lines: &[u64], i: usize) -> Line<W> {
        std::array::from_fn(|w| lines[i * W + w])
    }
}

/// The free modules in the order data fills them: two-module columns from the right,
/// up and down in turn, the vertical timing pattern's column skipped (qrcode's
/// `DataModuleIter`).
fn data_order(n: usize, free: impl Fn(usize, usize) -> bool) -> Vec<(u8, u8)> {
    const TIMING: isize = 6;
    let w = n as isize;
    let (mut x, mut y) = (w - 1, w - 1);
    let mut order = Vec::new();
    loop {
        let col = if x <= TIMING { x + 1 } else { x };
        if col <= 0 {
            return order;
        }
        if free(x as usize, y as usize) {
            // Both fit u8: a code is at most 177 modules wide.
            order.push((x as u8, y as u8));
        }
        match (w - col) % 4 {
            2 if y > 0 => {
                y -= 1;
                x += 1;
            }
            0 if y < w - 1 => {
                y += 1;
                x += 1;
            }
            0 | 2 if x == TIMING + 1 => x -= 2,
            _ => x -= 1,
        }
    }
}

/// The frame of `version`, made on first use.
fn frame(version: Version) -> Option<Rc<Frame>> {
    thread_local! {
        static FRAMES: RefCell<Vec<(Version, Rc<Frame>)>> = const { RefCell::new(Vec::new()) };
    }
    FRAMES.with(|frames| {
        if let Some((_, f)) = frames.borrow().iter().find(|(v, _)| *v == version) {
            return Some(f.clone());
        }
        let f = Rc::new(Frame::new(version)?);
        frames.borrow_mut().push((version, f.clone()));
        Some(f)
    })
}

/// UTF-8 text with characters beyond ASCII, behind the ECI designator for UTF-8 (26),
/// in the smallest version that holds it. Without it readers take the bytes for
/// ISO 8859-1 or guess (zbarimg read "Brandt-Gäste" as "Brandt-G瓣ste"), and a phone
/// joins no network of that name.
fn utf8_bits(data: &[u8], level: EcLevel) -> Option<bits::Bits> {
    const ECI_UTF8: u32 = 26;
    for v in 1..=40 {
        let mut bits = bits::Bits::new(qrcode::Version::Normal(v));
        // Too long for this version's length fields or capacity: the next one.
        let fits = bits.push_eci_designator(ECI_UTF8).is_ok()
            && bits.push_optimal_data(data).is_ok()
            && bits.push_terminator(level).is_ok();
        if fits {
            return Some(bits);
        }
        bits.into_bytes().zeroize();
    }
    None
}

/// Encodes `data` at error correction level M, the mask chosen by the standard's
/// penalty score. `None` if the data does not fit a QR code.
pub fn encode(data: &[u8]) -> Option<Modules> {
    let (version, mut data_words, mut ec_words) = codewords(data)?;
    let frame = frame(version);
    // Versions 1 to 10 fit one word per line, 11 to 25 two, 26 to 40 three.
    let code = frame.and_then(|f| match f.words {
        1 => Some(best_mask::<1>(&f, &data_words, &ec_words)),
        2 => Some(best_mask::<2>(&f, &data_words, &ec_words)),
        3 => Some(best_mask::<3>(&f, &data_words, &ec_words)),
        _ => None,
    });
    data_words.zeroize();
    ec_words.zeroize();
    code
}

type Line<const W: usize> = [u64; W];

fn set<const W: usize>(line: &mut Line<W>, j: usize) {
    let p = j + PAD;
    line[p / 64] |= 1 << (p % 64);
}

/// Bit `p` of the result is bit `p + k` of `x` (the module `k` further right or down).
fn shr<const W: usize>(x: &Line<W>, k: u32) -> Line<W> {
    std::array::from_fn(|i| {
        let high = if i + 1 < W { x[i + 1] << (64 - k) } else { 0 };
        (x[i] >> k) | high
    })
}

/// Bit `p` of the result is bit `p - k` of `x`.
fn shl<const W: usize>(x: &Line<W>, k: u32) -> Line<W> {
    let (words, k) = ((k / 64) as usize, k % 64);
    std::array::from_fn(|i| {
        let Some(src) = i.checked_sub(words) else {
            return 0;
        };
        let low = if src > 0 && k > 0 {
            x[src - 1] >> (64 - k)
        } else {
            0
        };
        (x[src] << k) | low
    })
}

fn and<const W: usize>(a: &Line<W>, b: &Line<W>) -> Line<W> {
    std::array::from_fn(|i| a[i] & b[i])
}

fn not<const W: usize>(a: &Line<W>) -> Line<W> {
    std::array::from_fn(|i| !a[i])
}

/// Bit `p` set where modules `p` and `p + 1` are of one colour.
fn same<const W: usize>(a: &Line<W>, b: &Line<W>) -> Line<W> {
    std::array::from_fn(|i| !(a[i] ^ b[i]))
}

fn ones<const W: usize>(x: &Line<W>) -> u32 {
    x.iter().map(|w| w.count_ones()).sum()
}

/// Applies the eight masks to the unmasked code on `canvas`, keeps the one with the
/// lowest penalty (the first of equals, as the standard's order). The canvas is read
/// once; each mask is then a few word operations per row and column, in buffers
/// reused from mask to mask.
fn best_mask<const W: usize>(frame: &Frame, data: &[u8], ec: &[u8]) -> Modules {
    let n = frame.n;
    let zero = [0u64; W];
    // The code before masking, as rows and as columns (for the column rules): the
    // function patterns, and the data and error correction bits, most significant
    // first, in the frame's order (bits beyond it are not placed, as in qrcode).
    let mut base_rows: Zeroizing<Vec<Line<W>>> =
        Zeroizing::new((0..n).map(|i| Frame::line(&frame.dark_rows, i)).collect());
    let mut base_cols: Zeroizing<Vec<Line<W>>> =
        Zeroizing::new((0..n).map(|i| Frame::line(&frame.dark_cols, i)).collect());
    let bits = data
        .iter()
        .chain(ec)
        .flat_map(|b| (0..8).rev().map(move |j| (b >> j) & 1 == 1));
    for (&(x, y), dark) in frame.order.iter().zip(bits) {
        if dark {
            set(&mut base_rows[usize::from(y)], usize::from(x));
            set(&mut base_cols[usize::from(x)], usize::from(y));
        }
    }
    // Where the mask applies.
    let free_rows: Vec<Line<W>> = (0..n).map(|i| Frame::line(&frame.free_rows, i)).collect();
    let free_cols: Vec<Line<W>> = (0..n).map(|i| Frame::line(&frame.free_cols, i)).collect();
    let wrap = |v: isize| {
        if v < 0 {
            (v + n as isize) as usize
        } else {
            v as usize
        }
    };
    // Modules `PAD..PAD + n - 1`: those with a right-hand (or lower) neighbour.
    let mut pairs = zero;
    for j in 0..n - 1 {
        set(&mut pairs, j);
    }
    let mut rows: Zeroizing<Vec<Line<W>>> = Zeroizing::new(vec![zero; n]);
    let mut cols: Zeroizing<Vec<Line<W>>> = Zeroizing::new(vec![zero; n]);
    let mut best_rows: Zeroizing<Vec<Line<W>>> = Zeroizing::new(vec![zero; n]);
    let mut best_score = u32::MAX;
    let mut row_pattern = [zero; PERIOD];
    let mut col_pattern = [zero; PERIOD];
    for (format, periods) in FORMAT_M.into_iter().zip(&MASK_PERIODS) {
        for (k, (row, col)) in periods.iter().enumerate() {
            row_pattern[k] = repeated(*row, n);
            col_pattern[k] = repeated(*col, n);
        }
        for (i, (line, (base, free))) in rows
            .iter_mut()
            .zip(base_rows.iter().zip(&free_rows))
            .enumerate()
        {
            let pattern = &row_pattern[i % PERIOD];
            *line = std::array::from_fn(|w| base[w] ^ (pattern[w] & free[w]));
        }
        for (i, (line, (base, free))) in cols
            .iter_mut()
            .zip(base_cols.iter().zip(&free_cols))
            .enumerate()
        {
            let pattern = &col_pattern[i % PERIOD];
            *line = std::array::from_fn(|w| base[w] ^ (pattern[w] & free[w]));
        }
        // The format modules were reserved light and are never masked.
        for k in 0..15 {
            if (format >> (14 - k)) & 1 == 1 {
                for (x, y) in [FORMAT_MAIN[k], FORMAT_SIDE[k]] {
                    let (x, y) = (wrap(x), wrap(y));
                    set(&mut rows[y], x);
                    set(&mut cols[x], y);
                }
            }
        }
        let score = penalty(n, &rows, &cols, &pairs, best_score);
        if score < best_score {
            best_score = score;
            best_rows.copy_from_slice(&rows);
        }
    }
    let mut bits = Zeroizing::new(Vec::with_capacity(n * W));
    for row in best_rows.iter() {
        bits.extend_from_slice(row);
    }
    Modules {
        width: n,
        words: W,
        bits,
    }
}

/// The penalty score of ISO/IEC 18004:2015 7.8.3.1: long runs, 2×2 blocks, finder-like
/// patterns, and imbalance of dark and light, over bit-packed rows and columns. Every
/// rule only adds: once the sum reaches `limit` (the best mask's so far) this mask has
/// lost, and the sum so far is returned.
fn penalty<const W: usize>(
    n: usize,
    rows: &[Line<W>],
    cols: &[Line<W>],
    pairs: &Line<W>,
    limit: u32,
) -> u32 {
    // Rule 4: 10 points for every 5% away from half dark.
    let dark_count: usize = rows.iter().map(|r| ones(r) as usize).sum();
    let percent = dark_count * 100 / (n * n).max(1);
    let mut score = (percent.abs_diff(50) / 5) as u32 * 10;
    // Rule 2: every 2×2 block of one colour.
    for ab in rows.windows(2) {
        let (a, b) = (&ab[0], &ab[1]);
        let vertical = same(a, b);
        let block = and(
            &and(&vertical, &shr(&vertical, 1)),
            &and(&same(a, &shr(a, 1)), pairs),
        );
        score += 3 * ones(&block);
    }
    for line in rows.iter().chain(cols) {
        if score >= limit {
            return score;
        }
        score += line_penalty(line, pairs);
    }
    score
}

/// Rules 1 and 3 along one row or column.
fn line_penalty<const W: usize>(x: &Line<W>, pairs: &Line<W>) -> u32 {
    // Rule 1: a run of 5 + k modules of one colour costs 3 + k, which is one point
    // for each of its 1 + k windows of five plus two for the run.
    let equal = and(&same(x, &shr(x, 1)), pairs);
    let five = and(
        &and(&equal, &shr(&equal, 1)),
        &and(&shr(&equal, 2), &shr(&equal, 3)),
    );
    let starts = and(&five, &not(&shl(&five, 1)));
    let mut score = ones(&five) + 2 * ones(&starts);
    // Rule 3: 1:1:3:1:1 dark-light-dark-light-dark with four light modules before or
    // after it, each side counted (the quiet zone counts as light).
    let light = not(x);
    let finder = and(
        &and(&and(x, &shr(&light, 1)), &and(&shr(x, 2), &shr(x, 3))),
        &and(&and(&shr(x, 4), &shr(&light, 5)), &shr(x, 6)),
    );
    if finder.iter().any(|w| *w != 0) {
        let four = and(
            &and(&light, &shr(&light, 1)),
            &and(&shr(&light, 2), &shr(&light, 3)),
        );
        score += 40 * (ones(&and(&finder, &shr(&four, 7))) + ones(&and(&finder, &shl(&four, 4))));
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::canvas::MaskPattern;

    const MASKS: [MaskPattern; 8] = [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ];

    /// The implementation before the bit-packed one (canvas copied per mask, byte lines):
    /// the oracle the new one must match module for module.
    fn reference_encode(data: &[u8]) -> Option<(usize, Zeroizing<Vec<bool>>)> {
        let (canvas, width) = unmasked(data)?;
        let mut best: Option<(u32, Zeroizing<Vec<bool>>)> = None;
        for mask in MASKS {
            let mut masked = canvas.clone();
            masked.apply_mask(mask);
            let dark: Zeroizing<Vec<bool>> = Zeroizing::new(
                masked
                    .into_colors()
                    .into_iter()
                    .map(|c| c == qrcode::Color::Dark)
                    .collect(),
            );
            let score = reference_penalty(width, &dark);
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, dark));
            }
        }
        best.map(|(_, dark)| (width, dark))
    }

    /// The penalty score of ISO/IEC 18004:2015 7.8.3.1: long runs, 2×2 blocks, finder-like
    /// patterns, and imbalance of dark and light. Rows and columns are scanned as byte
    /// lines with a sliding 11-module window, which is what makes it cheap.
    fn reference_penalty(n: usize, dark: &[bool]) -> u32 {
        let rows: Zeroizing<Vec<u8>> = Zeroizing::new(dark.iter().map(|d| u8::from(*d)).collect());
        let mut cols: Zeroizing<Vec<u8>> = Zeroizing::new(vec![0; n * n]);
        for r in 0..n {
            for c in 0..n {
                cols[c * n + r] = rows[r * n + c];
            }
        }
        let mut score = 0u32;
        for line in rows.chunks_exact(n).chain(cols.chunks_exact(n)) {
            score += reference_line_penalty(line);
        }
        // Rule 2: every 2×2 block of one colour.
        for r in 0..n.saturating_sub(1) {
            let (a, b) = (&rows[r * n..(r + 1) * n], &rows[(r + 1) * n..(r + 2) * n]);
            for c in 0..n - 1 {
                let sum = a[c] + a[c + 1] + b[c] + b[c + 1];
                if sum == 0 || sum == 4 {
                    score += 3;
                }
            }
        }
        // Rule 4: 10 points for every 5% away from half dark.
        let dark_count = rows.iter().filter(|d| **d == 1).count();
        let percent = dark_count * 100 / rows.len().max(1);
        score + (percent.abs_diff(50) / 5) as u32 * 10
    }

    /// Rules 1 and 3 along one row or column.
    fn reference_line_penalty(line: &[u8]) -> u32 {
        // 1:1:3:1:1 dark-light-dark-light-dark with four light modules on one side (the
        // quiet zone counts as light).
        const AFTER: u16 = 0b101_1101_0000;
        const BEFORE: u16 = 0b000_0101_1101;
        let mut score = 0u32;
        let mut run = 0u32;
        let mut prev = 2u8;
        let mut window = 0u16;
        for &m in line {
            if m == prev {
                run += 1;
            } else {
                if run >= 5 {
                    score += 3 + (run - 5);
                }
                run = 1;
                prev = m;
            }
            window = ((window << 1) | u16::from(m)) & 0x7ff;
            if window == AFTER || window == BEFORE {
                score += 40;
            }
        }
        if run >= 5 {
            score += 3 + (run - 5);
        }
        // The quiet zone after the line.
        for _ in 0..4 {
            window = (window << 1) & 0x7ff;
            if window == AFTER {
                score += 40;
            }
        }
        score
    }

    /// Inputs of every mode and of lengths from a few bytes to a version 40 code.
    fn varied_inputs() -> Vec<Vec<u8>> {
        let mut inputs = Vec::new();
        let mut rng = crate::testing::Xorshift(0x2545_f491_4f6c_dd1d);
        for i in 0..300usize {
            let len = match i % 6 {
                0 => 1 + i % 40,
                1 | 2 => 60 + i % 80,
                3 => 140 + i * 3 % 400,
                4 => 500 + i * 7 % 1300,
                _ => 1 + (rng.next() % 2300) as usize,
            };
            let data: Vec<u8> = match i % 4 {
                // Binary.
                0 => (0..len).map(|_| rng.next() as u8).collect(),
                // Digits (numeric mode).
                1 => (0..len).map(|_| b'0' + (rng.next() % 10) as u8).collect(),
                // Upper case and digits (alphanumeric mode), mixed with lower case.
                2 => (0..len)
                    .map(|k| {
                        let set: &[u8] = if k % 50 < 30 {
                            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
                        } else {
                            b"abcdefghijklmnopqrstuvwxyz:/?&="
                        };
                        set[rng.next() as usize % set.len()]
                    })
                    .collect(),
                // otpauth URIs as the dossier prints them.
                _ => {
                    let secret: String = (0..len.min(200))
                        .map(|_| {
                            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(rng.next() % 32) as usize] as char
                        })
                        .collect();
                    format!("otpauth://totp/Firma:u{i}?secret={secret}&issuer=Firma").into_bytes()
                }
            };
            inputs.push(data);
        }
        inputs
    }

    #[test]
    fn modules_are_those_of_the_canvas_implementation_for_varied_inputs() {
        let mut widths = std::collections::BTreeSet::new();
        for data in varied_inputs() {
            let Some((width, dark)) = reference_encode(&data) else {
                assert!(encode(&data).is_none(), "{} bytes", data.len());
                continue;
            };
            let code = encode(&data).unwrap();
            assert_eq!(code.width, width);
            widths.insert(width);
            for r in 0..width {
                for c in 0..width {
                    assert_eq!(
                        code.get(c, r),
                        dark[r * width + c],
                        "{} bytes, ({c}, {r})",
                        data.len()
                    );
                }
            }
        }
        // One, two and three words per line are all exercised.
        assert!(widths.iter().any(|w| *w + 2 * PAD <= 64), "{widths:?}");
        assert!(
            widths.iter().any(|w| (65..=128).contains(&(*w + 2 * PAD))),
            "{widths:?}"
        );
        assert!(widths.iter().any(|w| *w + 2 * PAD > 128), "{widths:?}");
    }

    #[test]
    fn modules_are_qrcodes_own_with_the_chosen_mask() {
        // Whatever mask the penalty picks, the code is one of the eight qrcode itself
        // draws for the data; where qrcode's (non-standard) scorer picks the same
        // mask, it is exactly `QrCode::with_error_correction_level`'s code.
        let mut same_as_qrcode = 0;
        let inputs = varied_inputs();
        for data in inputs.iter().filter(|d| d.len() < 300) {
            let code = encode(data).unwrap();
            let reference = qrcode::QrCode::with_error_correction_level(data, EcLevel::M).unwrap();
            assert_eq!(reference.width(), code.width);
            let n = code.width;
            let ours: Vec<bool> = (0..n * n).map(|i| code.get(i % n, i / n)).collect();
            let theirs: Vec<bool> = reference
                .to_colors()
                .iter()
                .map(|c| *c == Color::Dark)
                .collect();
            if ours == theirs {
                same_as_qrcode += 1;
                continue;
            }
            let bits = bits::encode_auto(data, EcLevel::M).unwrap();
            let version = bits.version();
            let (d, e) = ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).unwrap();
            let mut canvas = Canvas::new(version, EcLevel::M);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&d, &e);
            let found = MASKS.iter().any(|mask| {
                let mut masked = canvas.clone();
                masked.apply_mask(*mask);
                let theirs: Vec<bool> = masked
                    .into_colors()
                    .into_iter()
                    .map(|c| c == Color::Dark)
                    .collect();
                theirs == ours
            });
            assert!(
                found,
                "{} bytes: not one of qrcode's masked codes",
                data.len()
            );
        }
        assert!(same_as_qrcode > 0);
    }

    #[test]
    fn bit_packed_line_penalty_is_the_byte_lines_one() {
        let mut rng = crate::testing::Xorshift(0x9e37_79b9_7f4a_7c15);
        for i in 0..2000usize {
            let seed = rng.next();
            let n = 21 + (i % 40) * 4;
            let bytes: Vec<u8> = (0..n)
                .map(|k| {
                    // Mostly sparse or mostly dense lines, so runs and finder-like
                    // patterns are frequent.
                    let bit = (seed.rotate_left(k as u32 * 7 % 64) >> (k % 3)) & 1;
                    if i % 3 == 0 {
                        u8::from(bit == 1 && k % 5 != 0)
                    } else {
                        bit as u8
                    }
                })
                .collect();
            let mut line = [0u64; 3];
            let mut pairs = [0u64; 3];
            for (j, b) in bytes.iter().enumerate() {
                if *b == 1 {
                    set(&mut line, j);
                }
                if j + 1 < n {
                    set(&mut pairs, j);
                }
            }
            assert_eq!(
                line_penalty(&line, &pairs),
                reference_line_penalty(&bytes),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn packed_rows_hold_exactly_the_dark_modules() {
        let code = encode(b"otpauth://totp/Firma:u1?secret=JBSWY3DPEHPK3PXP&issuer=Firma").unwrap();
        let n = code.width;
        let stride = n.div_ceil(8);
        let rows = code.packed_rows();
        assert_eq!(rows.len(), stride * n);
        for r in 0..n {
            for c in 0..stride * 8 {
                let bit = rows[r * stride + c / 8] >> (7 - c % 8) & 1 == 1;
                // Padding bits past the last column stay light.
                assert_eq!(bit, c < n && code.get(c, r), "({c}, {r})");
            }
        }
    }

    #[test]
    fn modules_match_qrcode_for_the_same_mask_choice() {
        // Whatever mask we pick, the function patterns and size are qrcode's: a
        // 33-character URI is a version 3 code at level M (29 modules).
        let code = encode(b"otpauth://totp/x?secret=JBSWY3DP").unwrap();
        assert_eq!(code.width, 29);
        let reference = qrcode::QrCode::with_error_correction_level(
            b"otpauth://totp/x?secret=JBSWY3DP",
            EcLevel::M,
        )
        .unwrap();
        assert_eq!(reference.width(), 29);
        // The top-left finder pattern is the same in both.
        for r in 0..7 {
            for c in 0..7 {
                assert_eq!(
                    code.get(c, r),
                    reference[(c, r)] == qrcode::Color::Dark,
                    "({c}, {r})"
                );
            }
        }
    }

    #[test]
    fn line_penalties_follow_the_standard() {
        // A run of seven: 3 + 2.
        let line_penalty = |modules: &[u8]| {
            let (mut line, mut pairs) = ([0u64; 1], [0u64; 1]);
            for (j, m) in modules.iter().enumerate() {
                if *m == 1 {
                    set(&mut line, j);
                }
                if j + 1 < modules.len() {
                    set(&mut pairs, j);
                }
            }
            line_penalty(&line, &pairs)
        };
        assert_eq!(line_penalty(&[1, 1, 1, 1, 1, 1, 1, 0, 1, 0]), 5);
        // A finder-like pattern with light modules after it, and before it too (the
        // quiet zone is light): counted once for each side. Then one at the line's end.
        assert_eq!(line_penalty(&[1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1]), 80);
        assert_eq!(line_penalty(&[0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1]), 40);
        assert_eq!(line_penalty(&[1, 0, 1, 0]), 0);
    }

    #[test]
    fn too_much_data_is_none() {
        assert!(encode(&[b'x'; 4000]).is_none());
    }
}

#[cfg(test)]
mod bench {
    /// Not a test: the workload for measuring `encode` and `packed_rows` under callgrind
    /// (`valgrind --tool=callgrind target/release/deps/handover-* --ignored qr_bench`).
    #[test]
    #[ignore]
    fn qr_bench() {
        let mut total = 0;
        for i in 0..100 {
            let secret: String = (0..32)
                .map(|k| b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(i * 7 + k * 13) % 32] as char)
                .collect();
            let uri = format!(
                "otpauth://totp/Firma%20GmbH:benutzer{i}%40firma.example?secret={secret}&issuer=Firma"
            );
            let code = super::encode(uri.as_bytes()).unwrap();
            total += code.packed_rows().len();
        }
        assert!(total > 0);
    }
}
