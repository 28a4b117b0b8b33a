//! The only user of the `age` crate: identities, recipients, encryption, decryption.
//!
//! Identities are X25519 keys in the standard `age-keygen` file format, optionally
//! wrapped in a passphrase-encrypted age file (as `age -p` writes), so that the stock
//! `age` tool can use the same files.

use std::fmt;
use std::io::{Read, Write};
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::error::{Error, Result, VaultProblem};
use crate::prompt::Prompter;

/// Identity files larger than this are refused before reading: a real one is a few
/// hundred bytes per key.
pub const MAX_IDENTITY_BYTES: u64 = 1024 * 1024;

/// An age X25519 recipient (`age1…`).
#[derive(Clone)]
pub struct Recipient(age::x25519::Recipient);

impl Recipient {
    /// Parses an `age1…` recipient. The error never repeats the input: what was typed
    /// where a recipient belongs is sometimes a secret key, and an error message ends
    /// up on screens, in terminal scrollback and in CI logs.
    pub fn parse(s: &str) -> Result<Self> {
        let trimmed = s.trim();
        if looks_like_secret_key(trimmed) {
            return Err(Error::SecretKeyAsRecipient);
        }
        age::x25519::Recipient::from_str(trimmed)
            .map(Recipient)
            .map_err(|e| Error::InvalidRecipient {
                shown: recipient_hint(trimmed),
                reason: e.to_string(),
            })
    }
}

/// Whether `s` holds an age secret key or plugin identity anywhere (a whole identity
/// file pasted counts too), in any letter case: age's Bech32 accepts either case.
fn looks_like_secret_key(s: &str) -> bool {
    let upper = Zeroizing::new(s.to_ascii_uppercase());
    upper.contains("AGE-SECRET-KEY-") || upper.contains("AGE-PLUGIN-")
}

/// What an error may show of a recipient that does not parse: the start of an `age1…`
/// string (a recipient is public, and the start tells which argument was mistyped),
/// and of anything else only its length, since it could be any secret.
fn recipient_hint(s: &str) -> String {
    const SHOWN: usize = 8;
    let len = s.chars().count();
    if len == 0 {
        return "(an empty value)".into();
    }
    let is_age = s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("age1"));
    if !is_age {
        return format!("(a {len}-character value that does not start with age1)");
    }
    if len <= SHOWN {
        return format!("{s:?}");
    }
    let start: String = s.chars().take(SHOWN).collect();
    format!("{start:?}… ({len} characters)")
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({self})")
    }
}

impl PartialEq for Recipient {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

/// One secret key of an identity. Only X25519 keys (`age-keygen`) exist today; a
/// plugin or hardware identity joins as another variant. Decryption sees every key
/// only as an `age::Identity` (as rage reads `Vec<Box<dyn Identity>>`).
enum SecretKey {
    X25519(age::x25519::Identity),
}

impl SecretKey {
    fn as_age(&self) -> &dyn age::Identity {
        match self {
            SecretKey::X25519(key) => key,
        }
    }

    fn recipient(&self) -> Recipient {
        match self {
            SecretKey::X25519(key) => Recipient(key.to_public()),
        }
    }

    /// The key's line in an identity file (`AGE-SECRET-KEY-1…`).
    fn to_secret_line(&self) -> SecretString {
        match self {
            SecretKey::X25519(key) => key.to_string(),
        }
    }
}

/// The provider's (or a client's) secret key(s). The first key is the one whose
/// recipient handover adds to new vaults; all keys are tried when decrypting.
pub struct Identity {
    keys: Vec<SecretKey>,
    /// The keys' recipients, worked out once when first asked: each is a scalar
    /// multiplication, and a write asks more than once (a quarter of a million
    /// instructions each time).
    recipients: std::sync::OnceLock<Vec<Recipient>>,
}

impl Identity {
    fn of(keys: Vec<SecretKey>) -> Self {
        Identity {
            keys,
            recipients: std::sync::OnceLock::new(),
        }
    }

    pub fn generate() -> Self {
        Identity::of(vec![SecretKey::X25519(age::x25519::Identity::generate())])
    }

    fn all_recipients(&self) -> &[Recipient] {
        self.recipients
            .get_or_init(|| self.keys.iter().map(SecretKey::recipient).collect())
    }

    pub fn recipient(&self) -> Recipient {
        self.all_recipients()[0].clone()
    }

    pub fn recipients(&self) -> Vec<Recipient> {
        self.all_recipients().to_vec()
    }

    /// Every key as age sees it: what decryption tries.
    fn age_identities(&self) -> impl Iterator<Item = &dyn age::Identity> {
        self.keys.iter().map(SecretKey::as_age)
    }

    /// The first secret key as `age-keygen` prints it (`AGE-SECRET-KEY-1…`), for the
    /// dossier's emergency sheet.
    pub fn secret_key(&self) -> Zeroizing<String> {
        Zeroizing::new(self.keys[0].to_secret_line().expose_secret().to_owned())
    }

    /// The identity in `age-keygen`'s file format.
    pub fn to_file_contents(&self, created: DateTime<Utc>) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::new());
        for key in &self.keys {
            out.push_str(&format!(
                "# created: {}\n# public key: {}\n",
                created.format("%Y-%m-%dT%H:%M:%SZ"),
                key.recipient()
            ));
            out.push_str(key.to_secret_line().expose_secret());
            out.push('\n');
        }
        out
    }

    /// The identity file encrypted with a passphrase, armored, exactly as
    /// `age-keygen | age -p -a` would write it.
    pub fn to_encrypted_file(&self, created: DateTime<Utc>, passphrase: &str) -> Result<Vec<u8>> {
        let plain = self.to_file_contents(created);
        let encryptor =
            age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_owned()));
        let mut out = Vec::new();
        let armor =
            age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
                .map_err(|e| Error::Encrypt(e.to_string()))?;
        let mut writer = encryptor
            .wrap_output(armor)
            .map_err(|e| Error::Encrypt(e.to_string()))?;
        writer
            .write_all(plain.as_bytes())
            .and_then(|_| writer.finish())
            .and_then(|armor| armor.finish())
            .map_err(|e| Error::Encrypt(e.to_string()))?;
        Ok(out)
    }

    /// Parses an identity file's text. Errors name a line number, never the line.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with("AGE-PLUGIN-") {
                return Err(format!(
                    "line {} is an age plugin identity, which handover does not support; use an X25519 identity from `age-keygen`",
                    i + 1
                ));
            }
            match age::x25519::Identity::from_str(line) {
                Ok(key) => keys.push(SecretKey::X25519(key)),
                Err(_) => {
                    return Err(format!(
                        "line {} is not an age secret key (AGE-SECRET-KEY-1…)",
                        i + 1
                    ));
                }
            }
        }
        if keys.is_empty() {
            return Err("it contains no age secret key (AGE-SECRET-KEY-1…)".into());
        }
        Ok(Identity::of(keys))
    }

    /// Reads an identity file, asking for its passphrase if it is encrypted.
    pub fn from_file_bytes(
        bytes: &[u8],
        prompter: &dyn Prompter,
        display_name: &str,
    ) -> std::result::Result<Self, String> {
        if is_age_file(bytes) {
            let reader = age::armor::ArmoredReader::new(bytes);
            let decryptor = age::Decryptor::new(reader).map_err(|e| {
                format!("it looks like an encrypted identity but cannot be read: {e}")
            })?;
            if !decryptor.is_scrypt() {
                return Err("it is an age file encrypted to a key, not to a passphrase; handover needs an identity file (age-keygen) or a passphrase-encrypted one (age -p)".into());
            }
            let passphrase = prompter
                .passphrase(&format!("Passphrase for identity {display_name}: "))
                .ok_or("it is passphrase-protected and no passphrase was given (run handover on a terminal)")?;
            let mut scrypt =
                age::scrypt::Identity::new(SecretString::from(passphrase.expose().to_owned()));
            // Allow the work factors `age -p` uses, but bound it so a hostile file
            // cannot make us spin for hours.
            scrypt.set_max_work_factor(22);
            let mut stream = decryptor
                .decrypt(std::iter::once(&scrypt as &dyn age::Identity))
                .map_err(|e| match e {
                    age::DecryptError::DecryptionFailed
                    | age::DecryptError::KeyDecryptionFailed => "wrong passphrase".to_owned(),
                    other => format!("cannot decrypt it: {other}"),
                })?;
            let mut plain = Zeroizing::new(Vec::new());
            stream
                .read_to_end(&mut plain)
                .map_err(|e| format!("cannot decrypt it: {e}"))?;
            let text = std::str::from_utf8(&plain).map_err(|_| "its content is not UTF-8 text")?;
            Identity::parse(text)
        } else {
            let text = std::str::from_utf8(bytes).map_err(|_| "it is not a text file")?;
            Identity::parse(text)
        }
    }
}

fn is_age_file(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

/// Encrypts `plaintext` to every recipient. At least one recipient is required.
pub fn encrypt(plaintext: &[u8], recipients: &[Recipient]) -> Result<Vec<u8>> {
    encrypt_from(recipients, plaintext.len(), |w| w.write_all(plaintext))
}

/// Encrypts what `write` writes to every recipient, chunk by chunk as it comes: the
/// plaintext is never held whole (age holds one 64 KiB chunk of it at a time).
/// `size` is the plaintext's expected length, to size the ciphertext's buffer.
pub fn encrypt_from(
    recipients: &[Recipient],
    size: usize,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Vec<u8>> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| &r.0 as &dyn age::Recipient))
            .map_err(|e| Error::Encrypt(e.to_string()))?;
    // age adds a 16-byte tag to every 64 KiB chunk; a header of a few hundred bytes
    // per recipient. Sized right, a large vault is not copied into a doubled buffer.
    let tags = (size / 65_536 + 1) * 16;
    let mut out = Vec::with_capacity(size + tags + 512 + recipients.len() * 256);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    write(&mut writer)
        .and_then(|_| writer.finish())
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    Ok(out)
}

/// Decrypts an age file, telling apart the ways in which it can fail.
pub fn decrypt(
    ciphertext: &[u8],
    identity: &Identity,
) -> std::result::Result<Zeroizing<Vec<u8>>, VaultProblem> {
    if ciphertext.is_empty() {
        return Err(VaultProblem::Empty);
    }
    if !is_age_file(ciphertext) {
        return Err(VaultProblem::NotAge);
    }
    // Vaults are binary; the armor reader would copy every byte once more.
    if ciphertext.starts_with(b"age-encryption.org/") {
        decrypt_from(ciphertext, ciphertext.len(), identity)
    } else {
        let reader = age::armor::ArmoredReader::new(ciphertext);
        decrypt_from(reader, ciphertext.len(), identity)
    }
}

/// The plaintext is shorter than the `size` bytes of ciphertext: a buffer of that
/// capacity never grows, so no reallocation leaves an unwiped copy behind. The header
/// is parsed from the buffer in place: through `Read`, age reads it a line at a time
/// and parses it again after each (192 times for a vault with one recipient).
fn decrypt_from<R: std::io::BufRead>(
    reader: R,
    size: usize,
    identity: &Identity,
) -> std::result::Result<Zeroizing<Vec<u8>>, VaultProblem> {
    let decryptor = age::Decryptor::new_buffered(reader).map_err(header_problem)?;
    let mut stream = payload(decryptor, identity)?;
    let mut plain = Zeroizing::new(Vec::with_capacity(size));
    match stream.read_to_end(&mut plain) {
        Ok(_) => Ok(plain),
        Err(e) => Err(stream_problem(&e)),
    }
}

/// The plaintext of a binary age file as it is read from `input`, for a reader that
/// looks at each piece once and keeps little of it (`show` of one entry): no buffer of
/// the whole plaintext, so nothing of that size to fill, fault in and wipe. Read
/// errors of the stream say what is wrong through [`stream_problem`].
pub fn decrypt_stream<R: std::io::BufRead>(
    input: R,
    identity: &Identity,
) -> std::result::Result<age::stream::StreamReader<R>, VaultProblem> {
    let decryptor = age::Decryptor::new_buffered(input).map_err(header_problem)?;
    payload(decryptor, identity)
}

/// What a read error of a decrypting stream means for the vault.
pub fn stream_problem(e: &std::io::Error) -> VaultProblem {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => VaultProblem::Truncated,
        _ => VaultProblem::Damaged,
    }
}

fn header_problem(e: age::DecryptError) -> VaultProblem {
    match e {
        age::DecryptError::Io(ref io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            VaultProblem::Truncated
        }
        age::DecryptError::InvalidMac => VaultProblem::Damaged,
        _ => VaultProblem::NotAge,
    }
}

fn payload<R: Read>(
    decryptor: age::Decryptor<R>,
    identity: &Identity,
) -> std::result::Result<age::stream::StreamReader<R>, VaultProblem> {
    if decryptor.is_scrypt() {
        return Err(VaultProblem::WrongIdentity);
    }
    decryptor
        .decrypt(identity.age_identities())
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => VaultProblem::WrongIdentity,
            age::DecryptError::Io(ref io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                VaultProblem::Truncated
            }
            _ => VaultProblem::Damaged,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Secret;

    struct Canned(&'static str);
    impl Prompter for Canned {
        fn passphrase(&self, _: &str) -> Option<Secret> {
            Some(Secret::from(self.0))
        }
    }

    #[test]
    fn round_trip_and_identity_file() {
        let id = Identity::generate();
        let text = id.to_file_contents(Utc::now());
        let parsed = Identity::parse(&text).unwrap();
        assert_eq!(parsed.recipient(), id.recipient());
        let ct = encrypt("grüße €".as_bytes(), &[id.recipient()]).unwrap();
        assert_eq!(&decrypt(&ct, &parsed).unwrap()[..], "grüße €".as_bytes());
        let other = Identity::generate();
        assert_eq!(
            decrypt(&ct, &other).err().unwrap(),
            VaultProblem::WrongIdentity
        );
    }

    #[test]
    fn damage_is_classified() {
        let id = Identity::generate();
        let ct = encrypt(&vec![b'x'; 200_000], &[id.recipient()]).unwrap();
        assert_eq!(decrypt(&[], &id).err().unwrap(), VaultProblem::Empty);
        assert_eq!(
            decrypt(b"{\"a\":1}", &id).err().unwrap(),
            VaultProblem::NotAge
        );
        // Cut inside the header, or at a chunk boundary (64 KiB + 16 bytes per chunk),
        // truncation is certain; cut mid-chunk it is indistinguishable from damage.
        assert_eq!(
            decrypt(&ct[..60], &id).err().unwrap(),
            VaultProblem::Truncated
        );
        let header_len = ct.len() - (200_000 + 4 * 16) - 16;
        let boundary = header_len + 16 + 65_536 + 16;
        assert_eq!(
            decrypt(&ct[..boundary], &id).err().unwrap(),
            VaultProblem::Truncated
        );
        assert_eq!(
            decrypt(&ct[..ct.len() - 70_000], &id).err().unwrap(),
            VaultProblem::Damaged
        );
        let mut flipped = ct.clone();
        let n = flipped.len() - 100;
        flipped[n] ^= 0x04;
        assert_eq!(decrypt(&flipped, &id).err().unwrap(), VaultProblem::Damaged);
    }

    #[test]
    fn passphrase_identity() {
        let id = Identity::generate();
        let file = id.to_encrypted_file(Utc::now(), "Paßwort €").unwrap();
        assert!(file.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
        let back = Identity::from_file_bytes(&file, &Canned("Paßwort €"), "x").unwrap();
        assert_eq!(back.recipient(), id.recipient());
        let err = Identity::from_file_bytes(&file, &Canned("wrong"), "x")
            .err()
            .unwrap();
        assert!(err.contains("wrong passphrase"), "{err}");
        let err = Identity::from_file_bytes(&file, &crate::prompt::NoPrompt, "x")
            .err()
            .unwrap();
        assert!(err.contains("passphrase"), "{err}");
    }

    #[test]
    fn identity_errors_name_lines_not_content() {
        let err = Identity::parse("# c\nAGE-SECRET-KEY-1NOTREALLYAKEY\n")
            .err()
            .unwrap();
        assert!(err.contains("line 2"));
        assert!(!err.contains("NOTREALLY"));
        assert!(Identity::parse("# only comments\n").is_err());
        assert!(Recipient::parse("age1nope").is_err());
    }

    #[test]
    fn a_secret_key_given_as_recipient_is_named_never_echoed() {
        let key = Identity::generate().secret_key();
        let lower = key.to_lowercase();
        let pasted_file = format!("# created: x\n{}", key.as_str());
        for input in [
            key.as_str(),
            lower.as_str(),
            pasted_file.as_str(),
            "  AGE-PLUGIN-YUBIKEY-1QQQQQQ",
        ] {
            let err = Recipient::parse(input).err().unwrap();
            assert!(matches!(err, Error::SecretKeyAsRecipient), "{err}");
            let msg = format!("{err} {err:?}");
            assert!(msg.contains("secret key, not a recipient"), "{msg}");
            assert!(msg.contains("age-keygen -y"), "{msg}");
            assert!(!msg.to_uppercase().contains(&key[15..]), "{msg}");
        }
    }

    #[test]
    fn an_unparsable_recipient_is_shown_by_a_safe_prefix_only() {
        let typo = format!("{}x", Identity::generate().recipient());
        let msg = Recipient::parse(&typo).err().unwrap().to_string();
        assert!(msg.contains(&format!("{:?}…", &typo[..8])), "{msg}");
        assert!(!msg.contains(&typo[8..]), "{msg}");
        let msg = Recipient::parse("hunter2-is-my-password").err().unwrap();
        let msg = format!("{msg} {msg:?}");
        assert!(msg.contains("22-character value"), "{msg}");
        assert!(!msg.contains("hunter"), "{msg}");
        let msg = Recipient::parse("age1\u{1b}[2J").err().unwrap().to_string();
        assert!(!msg.contains('\u{1b}'), "{msg}");
        assert!(
            Recipient::parse("")
                .err()
                .unwrap()
                .to_string()
                .contains("empty")
        );
    }
}
