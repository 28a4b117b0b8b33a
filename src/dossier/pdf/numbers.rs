//! Numbers and colours as content streams write them, by hand: `core::fmt` was a fifth
//! of the cost of a dossier.

use super::super::layout::Rgb;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `bytes` as upper-case hex digits, as PDF hex strings and CMaps write them.
pub(super) fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
    }
}

/// `v` to two decimals and a space: positions to 1/100 pt, far below what a printer
/// or a screen resolves. Written by hand because `core::fmt` was a fifth of the cost
/// of a dossier.
pub(super) fn num(out: &mut Vec<u8>, v: f32) {
    num_hundredths(out, hundredths(v));
}

/// `v` in hundredths of a point, as `num` writes it.
pub(super) fn hundredths(v: f32) -> i64 {
    if v.is_finite() {
        // Rounded half away from zero, as `f64::round` does, without its libm call (a
        // page has thousands): an f32 times 100 is exact in an f64, and so is adding a
        // half to it, so truncating the sum rounds.
        let scaled = f64::from(v) * 100.0;
        let magnitude = (scaled.abs() + 0.5) as i64;
        if scaled < 0.0 { -magnitude } else { magnitude }
    } else {
        0
    }
}

/// A number given in hundredths, as `num` writes it: no trailing zeros of the
/// decimals, no point without them.
pub(super) fn num_hundredths(out: &mut Vec<u8>, scaled: i64) {
    // Composed right to left in a buffer, two digits a step, and appended at once: a
    // page has thousands.
    let mut buf = [0u8; 32];
    let mut i = buf.len() - 1;
    buf[i] = b' ';
    let abs = scaled.unsigned_abs();
    let frac = (abs % 100) as usize;
    if frac != 0 {
        let [tens, ones] = PAIRS[frac];
        if ones == b'0' {
            i -= 2;
            buf[i..i + 2].copy_from_slice(&[b'.', tens]);
        } else {
            i -= 3;
            buf[i..i + 3].copy_from_slice(&[b'.', tens, ones]);
        }
    }
    let mut v = abs / 100;
    while v >= 100 {
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[(v % 100) as usize]);
        v /= 100;
    }
    if v >= 10 {
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[v as usize]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    if scaled < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    out.extend_from_slice(&buf[i..]);
}

/// `00` to `99`.
const PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};

pub(super) fn uint(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// An 8-bit colour and the operator that sets it: a grey as one DeviceGray component
/// and `gray_op`, any other as three DeviceRGB components and `rgb_op` (0 to 1, three
/// decimals).
pub(super) fn color(out: &mut Vec<u8>, c: Rgb, gray_op: &[u8], rgb_op: &[u8]) {
    let grey = c.0 == c.1 && c.1 == c.2;
    let components: &[u8] = if grey { &[c.0] } else { &[c.0, c.1, c.2] };
    for &v in components {
        let (bytes, len) = &COMPONENTS[usize::from(v)];
        out.extend_from_slice(&bytes[..usize::from(*len)]);
    }
    out.extend_from_slice(if grey { gray_op } else { rgb_op });
}

/// Each 8-bit colour component as [`color`] writes it, with its space: computed once,
/// at compile time, rather than for each of a dossier's ten thousand colour changes.
const COMPONENTS: [([u8; 6], u8); 256] = {
    let mut table = [([0u8; 6], 0u8); 256];
    let mut v = 0;
    while v < 256 {
        let t = (v as u32 * 1000 + 127) / 255;
        table[v] = match t {
            0 => ([b'0', b' ', 0, 0, 0, 0], 2),
            1000 => ([b'1', b' ', 0, 0, 0, 0], 2),
            t => {
                let mut digits = [
                    b'0',
                    b'.',
                    b'0' + (t / 100) as u8,
                    b'0' + (t / 10 % 10) as u8,
                    b'0' + (t % 10) as u8,
                    0,
                ];
                let mut len = 5;
                while digits[len - 1] == b'0' {
                    len -= 1;
                }
                digits[len] = b' ';
                (digits, len as u8 + 1)
            }
        };
        v += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(values: &[f32]) -> String {
        let mut out = Vec::new();
        for v in values {
            num(&mut out, *v);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_written_to_two_decimals() {
        assert_eq!(
            nums(&[0.0, 1.0, -1.5, 12.346, 0.004, -0.004, 595.28, 0.1, f32::NAN]),
            "0 1 -1.5 12.35 0 0 595.28 0.1 0 "
        );
    }

    #[test]
    fn hundredths_round_half_away_from_zero_as_f64_round_does() {
        let values = (-100_000..100_000)
            .map(|i| i as f32 / 1000.0)
            .chain((0..2000).map(|i| i as f32 * 0.005 + 0.0025))
            .chain([
                0.125, -0.125, 0.005, -0.005, 1e-30, -1e-30, 123_456.78, 1e15,
            ]);
        for v in values {
            let expected = (f64::from(v) * 100.0).round() as i64;
            assert_eq!(hundredths(v), expected, "{v}");
        }
    }

    #[test]
    fn numbers_are_what_the_formatter_writes() {
        // The reference: Rust's formatting of the same value, trailing zeros cut.
        let reference = |scaled: i64| {
            let s = format!("{:.2}", scaled as f64 / 100.0);
            let s = s.trim_end_matches('0').trim_end_matches('.');
            let s = if s == "-0" { "0" } else { s };
            format!("{s} ")
        };
        let values = (-100_000..100_000)
            .chain((0..63).map(|k| 1i64 << k))
            .chain((0..63).map(|k| -(1i64 << k)))
            .chain([i64::MAX, i64::MIN + 1, 99_999_999, 100_000_001]);
        for v in values {
            let mut out = Vec::new();
            num_hundredths(&mut out, v);
            let expected = if v.unsigned_abs() < 1 << 50 {
                reference(v)
            } else {
                // Beyond f64's exact integers: the digits by integer arithmetic.
                let (sign, abs) = (if v < 0 { "-" } else { "" }, v.unsigned_abs());
                let frac = format!(".{:02}", abs % 100);
                let frac = frac.trim_end_matches('0').trim_end_matches('.');
                format!("{sign}{}{frac} ", abs / 100)
            };
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{v}");
        }
    }

    #[test]
    fn every_component_is_written_to_three_decimals_without_trailing_zeros() {
        for v in 0..=255u8 {
            let mut out = Vec::new();
            color(&mut out, Rgb(v, v, v), b"g", b"rg");
            let t = f64::from(u32::from(v) * 1000 + 127) / 255.0;
            let reference = format!("{:.3}", (t.floor()) / 1000.0);
            let reference = reference.trim_end_matches('0').trim_end_matches('.');
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("{reference} g"),
                "{v}"
            );
        }
    }

    #[test]
    fn colours_are_written_to_three_decimals_and_greys_as_one_component() {
        let mut out = Vec::new();
        color(&mut out, Rgb(0, 255, 128), b"g\n", b"rg\n");
        color(&mut out, Rgb(51, 1, 254), b"G\n", b"RG\n");
        color(&mut out, Rgb(26, 26, 26), b"g\n", b"rg\n");
        color(&mut out, Rgb(0, 0, 0), b"G\n", b"RG\n");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 1 0.502 rg\n0.2 0.004 0.996 RG\n0.102 g\n0 G\n"
        );
    }
}
