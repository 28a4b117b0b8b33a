//! QR codes for the dossier: `qrcode` encodes, we pick the mask and cut the modules
//! into rectangles.
//!
//! Why not `QrCode::new`: it scores the eight masks with a penalty implementation that
//! costs ~10 M instructions per code, 30% of a dossier's rendering. The same four
//! penalty rules of ISO/IEC 18004 (7.8.3) over a flat bitmap cost a few hundred
//! thousand, and every code still gets the mask the standard asks for.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{EcLevel, bits, ec};
use zeroize::{Zeroize, Zeroizing};

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

/// A QR code's modules, row by row from the top, `true` for dark. They encode the
/// data (often a secret), so they are wiped on drop.
pub struct Modules {
    pub width: usize,
    pub dark: Zeroizing<Vec<bool>>,
}

impl Modules {
    pub fn get(&self, col: usize, row: usize) -> bool {
        self.dark[row * self.width + col]
    }

    /// The dark modules as rectangles `(col, row, width, height)` in modules: runs
    /// along each row, merged with the same run in the rows below. Far fewer shapes
    /// than one per module, with edges on module boundaries only.
    pub fn rects(&self) -> Vec<(usize, usize, usize, usize)> {
        let n = self.width;
        let mut done: Vec<(usize, usize, usize, usize)> = Vec::new();
        // Runs still growing downwards, as indices into `done`, by start column.
        let mut open: Vec<Option<usize>> = vec![None; n];
        for row in 0..n {
            let mut next_open: Vec<Option<usize>> = vec![None; n];
            let mut c = 0;
            while c < n {
                if !self.get(c, row) {
                    c += 1;
                    continue;
                }
                let start = c;
                while c < n && self.get(c, row) {
                    c += 1;
                }
                let width = c - start;
                match open[start] {
                    Some(i) if done[i].2 == width && done[i].1 + done[i].3 == row => {
                        done[i].3 += 1;
                        next_open[start] = Some(i);
                    }
                    _ => {
                        done.push((start, row, width, 1));
                        next_open[start] = Some(done.len() - 1);
                    }
                }
            }
            open = next_open;
        }
        done
    }
}

/// Encodes `data` at error correction level M, the mask chosen by the standard's
/// penalty score. `None` if the data does not fit a QR code.
pub fn encode(data: &[u8]) -> Option<Modules> {
    let level = EcLevel::M;
    let bits = bits::encode_auto(data, level).ok()?;
    let version = bits.version();
    let mut raw = bits.into_bytes();
    let (mut data_words, mut ec_words) = ec::construct_codewords(&raw, version, level).ok()?;
    raw.zeroize();
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data_words, &ec_words);
    data_words.zeroize();
    ec_words.zeroize();
    let width = usize::try_from(version.width()).ok()?;
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
        let score = penalty(width, &dark);
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, dark));
        }
    }
    best.map(|(_, dark)| Modules { width, dark })
}

/// The penalty score of ISO/IEC 18004:2015 7.8.3.1: long runs, 2×2 blocks, finder-like
/// patterns, and imbalance of dark and light. Rows and columns are scanned as byte
/// lines with a sliding 11-module window, which is what makes it cheap.
fn penalty(n: usize, dark: &[bool]) -> u32 {
    let rows: Zeroizing<Vec<u8>> = Zeroizing::new(dark.iter().map(|d| u8::from(*d)).collect());
    let mut cols: Zeroizing<Vec<u8>> = Zeroizing::new(vec![0; n * n]);
    for r in 0..n {
        for c in 0..n {
            cols[c * n + r] = rows[r * n + c];
        }
    }
    let mut score = 0u32;
    for line in rows.chunks_exact(n).chain(cols.chunks_exact(n)) {
        score += line_penalty(line);
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
fn line_penalty(line: &[u8]) -> u32 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_cover_exactly_the_dark_modules() {
        let code = encode(b"otpauth://totp/Firma:u1?secret=JBSWY3DPEHPK3PXP&issuer=Firma").unwrap();
        let n = code.width;
        let mut painted = vec![0u8; n * n];
        for (c, r, w, h) in code.rects() {
            for row in r..r + h {
                for col in c..c + w {
                    painted[row * n + col] += 1;
                }
            }
        }
        for r in 0..n {
            for c in 0..n {
                assert_eq!(painted[r * n + c], u8::from(code.get(c, r)), "({c}, {r})");
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
