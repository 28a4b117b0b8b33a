//! A string that holds a secret: wiped from memory on drop, never printed by `{:?}`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, Zeroizing};

use super::timestamp;

/// Appends `bytes` to a buffer that holds secrets. When the buffer must grow, the
/// bytes move to a larger allocation (at least double) and the old one is wiped as it
/// is freed; `Vec`'s own growth would leave a copy behind in freed memory.
pub fn extend_wiping(buf: &mut Zeroizing<Vec<u8>>, bytes: &[u8]) {
    let needed = buf.len() + bytes.len();
    if needed > buf.capacity() {
        let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(2 * buf.capacity())));
        bigger.extend_from_slice(buf);
        *buf = bigger;
    }
    buf.extend_from_slice(bytes);
}

/// A writer into a buffer that holds secrets (a vault's JSON, a PDF), growing it with
/// [`extend_wiping`] so that no copy is left behind in freed memory.
pub struct WipingBuffer(pub Zeroizing<Vec<u8>>);

impl std::io::Write for WipingBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        extend_wiping(&mut self.0, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A secret value (password, TOTP URI, recovery code, secret field).
///
/// Deliberately has no `Debug` or `Display`: a secret only leaves this type through
/// [`Secret::expose`], so every place that reveals one is greppable.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl From<Zeroizing<String>> for Secret {
    fn from(value: Zeroizing<String>) -> Self {
        // Copying out of the Zeroizing wrapper leaves it to wipe its own buffer on drop.
        Secret(value.as_str().to_owned())
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// What characters a device accepts in a password: `--charset`, kept on the entry
/// (absent for `full`), so that `check` judges a cash register's six-digit PIN as a
/// PIN rather than calling it a weak password for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Charset {
    /// 0-9 only: a PIN.
    Digits,
    /// Letters and digits, no symbols.
    Alnum,
    /// Letters, digits and symbols.
    Full,
}

impl Charset {
    pub const ALL: &'static [Charset] = &[Charset::Digits, Charset::Alnum, Charset::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Digits => "digits",
            Charset::Alnum => "alnum",
            Charset::Full => "full",
        }
    }

    /// Whether every character of `value` is one this charset allows.
    pub fn allows(self, value: &str) -> bool {
        match self {
            Charset::Digits => value.chars().all(|c| c.is_ascii_digit()),
            Charset::Alnum => value.chars().all(|c| c.is_alphanumeric()),
            Charset::Full => true,
        }
    }
}

/// How many replaced secrets an entry keeps ([`PreviousSecret`]).
pub const MAX_PREVIOUS_SECRETS: usize = 5;

/// A secret an entry held before `rotate` or `edit` replaced (or cleared) it, kept so
/// that a change that failed on the device itself can be undone: the newest
/// [`MAX_PREVIOUS_SECRETS`] of an entry, inside the encrypted vault only (never in the
/// dossier or in history events).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousSecret {
    /// Which secret it was: `password`, `totp`, or `field:NAME` for a secret field.
    pub part: String,
    pub value: Secret,
    /// When it was replaced.
    #[serde(serialize_with = "timestamp::serialize")]
    pub replaced: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_plain_string() {
        let s = Secret::from("pä$$ wört€");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"pä$$ wört€\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "pä$$ wört€");
    }
}
