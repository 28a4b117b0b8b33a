//! Password generation.
//!
//! Generated passwords end up on paper and are typed back in by people, so the
//! alphabet leaves out characters that are easily confused when printed or read
//! aloud (0/O, 1/l/I, `|`, quotes, backtick) and characters that keyboard layouts
//! disagree on (y/z on German keyboards).

use rand::Rng;
use rand::rngs::OsRng;

use crate::error::{Error, Result};
use crate::model::{Charset, Secret};

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwx";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWX";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#%+-=?@_*";
/// A PIN is typed on a keypad, where no digit is confused with another.
const ALL_DIGITS: &[u8] = b"0123456789";

pub const DEFAULT_LENGTH: usize = 24;
pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 1024;
/// The shortest PIN or letters-and-digits code: what cash registers, alarm panels and
/// phones accept.
pub const MIN_PIN_LENGTH: usize = 4;

/// The shortest length allowed for `charset`.
pub fn min_length(charset: Charset) -> usize {
    match charset {
        Charset::Full => MIN_LENGTH,
        Charset::Digits | Charset::Alnum => MIN_PIN_LENGTH,
    }
}

/// Generates a password of `len` characters with at least one of each class.
pub fn password(len: usize) -> Result<Secret> {
    generate(len, Charset::Full)
}

/// Generates a secret of `len` characters from `charset`, with at least one character
/// of each of its classes.
pub fn generate(len: usize, charset: Charset) -> Result<Secret> {
    let min = min_length(charset);
    if !(min..=MAX_LENGTH).contains(&len) {
        let pin = if charset == Charset::Full {
            format!(
                " (a PIN or a code without symbols can be shorter: --charset digits or alnum, from {MIN_PIN_LENGTH})"
            )
        } else {
            String::new()
        };
        return Err(Error::Invalid(format!(
            "password length {len} is out of range; use {min} to {MAX_LENGTH}{pin}"
        )));
    }
    let classes: &[&[u8]] = match charset {
        Charset::Full => &[LOWER, UPPER, DIGITS, SYMBOLS],
        Charset::Alnum => &[LOWER, UPPER, DIGITS],
        Charset::Digits => &[ALL_DIGITS],
    };
    let all: Vec<u8> = classes.concat();
    let mut rng = OsRng;
    loop {
        let candidate: String = (0..len)
            .map(|_| all[rng.gen_range(0..all.len())] as char)
            .collect();
        let secret = Secret::new(candidate);
        // Rejection sampling keeps the distribution uniform over acceptable passwords.
        if classes
            .iter()
            .all(|class| secret.expose().bytes().any(|b| class.contains(&b)))
        {
            return Ok(secret);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_classes() {
        for len in [8, 24, 100] {
            let p = password(len).unwrap();
            assert_eq!(p.expose().len(), len);
            assert!(p.expose().bytes().any(|b| b.is_ascii_digit()));
            assert!(!p.expose().contains(['0', 'O', '1', 'l', 'I', '|']));
        }
        assert!(password(7).is_err());
        assert!(password(1025).is_err());
        assert!(password(24).unwrap().expose() != password(24).unwrap().expose());
    }

    #[test]
    fn pins_and_codes_without_symbols() {
        for len in [4, 6, 30] {
            let pin = generate(len, Charset::Digits).unwrap();
            assert_eq!(pin.expose().len(), len);
            assert!(pin.expose().bytes().all(|b| b.is_ascii_digit()));
            let code = generate(len, Charset::Alnum).unwrap();
            assert!(code.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        assert!(generate(3, Charset::Digits).is_err());
        let Err(err) = generate(6, Charset::Full) else {
            panic!("a 6-character password is refused")
        };
        let err = err.to_string();
        assert!(err.contains("--charset digits"), "{err}");
    }
}
