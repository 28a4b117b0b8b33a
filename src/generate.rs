//! Password generation.
//!
//! Generated passwords end up on paper and are typed back in by people, so the
//! alphabet leaves out characters that are easily confused when printed or read
//! aloud (0/O, 1/l/I, `|`, quotes, backtick) and characters that keyboard layouts
//! disagree on (y/z on German keyboards).

use rand::Rng;
use rand::rngs::OsRng;

use crate::error::{Error, Result};
use crate::model::Secret;

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwx";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWX";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#%+-=?@_*";

pub const DEFAULT_LENGTH: usize = 24;
pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 1024;

/// Generates a password of `len` characters with at least one of each class.
pub fn password(len: usize) -> Result<Secret> {
    if !(MIN_LENGTH..=MAX_LENGTH).contains(&len) {
        return Err(Error::Invalid(format!(
            "password length {len} is out of range; use {MIN_LENGTH} to {MAX_LENGTH}"
        )));
    }
    let classes = [LOWER, UPPER, DIGITS, SYMBOLS];
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
}
