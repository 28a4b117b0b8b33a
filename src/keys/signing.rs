//! The only user of `ssh-key`: the provider's signing key and SSH signatures.
//!
//! age does not authenticate who wrote a file: anyone holding a vault's *public*
//! recipient can encrypt a forged vault to it. So every vault and bundle handover
//! writes is signed, as OpenSSH signs files (`ssh-keygen -Y sign`, the SSHSIG format
//! git uses for commits), over the encrypted bytes: anyone can check a signature
//! without the decryption key, with the stock `ssh-keygen -Y verify`.
//!
//! The signing key is an Ed25519 key in OpenSSH's private key format, so that
//! `ssh-keygen` reads it too; it is passphrase-protected (bcrypt-pbkdf, as
//! `ssh-keygen -p` does) when the age identity is.

use std::fmt;

use signature::Verifier;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use zeroize::Zeroizing;

use crate::error::SignatureProblem;
use crate::prompt::Prompter;

/// The SSHSIG namespace of vault signatures (`ssh-keygen -n handover`), and of bundle
/// signatures made before bundles had their own.
pub const NAMESPACE: &str = "handover";
/// The namespace of bundle signatures, so that no vault signature stands in for a
/// bundle's and no bundle's for a vault's.
pub const BUNDLE_NAMESPACE: &str = "handover-bundle";
/// The namespace of the store's signer list, so that no vault signature can stand in
/// for it.
pub const SIGNERS_NAMESPACE: &str = "handover-signers";

const PEM_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const PEM_END: &str = "-----END SSH SIGNATURE-----";

/// The provider's private signing key. `ssh_key::PrivateKey` wipes itself on drop.
pub struct SigningKey(PrivateKey);

impl SigningKey {
    pub fn generate(comment: &str) -> Result<Self, String> {
        let mut key = PrivateKey::random(&mut rand::rngs::OsRng, Algorithm::Ed25519)
            .map_err(|e| format!("cannot generate a signing key: {e}"))?;
        key.set_comment(comment);
        Ok(SigningKey(key))
    }

    /// The key in OpenSSH's private key format, encrypted when `passphrase` is given.
    pub fn to_openssh(&self, passphrase: Option<&str>) -> Result<Zeroizing<String>, String> {
        let encrypted;
        let key = match passphrase {
            Some(p) => {
                encrypted = self
                    .0
                    .encrypt(&mut rand::rngs::OsRng, p)
                    .map_err(|e| format!("cannot encrypt the signing key: {e}"))?;
                &encrypted
            }
            None => &self.0,
        };
        key.to_openssh(LineEnding::LF)
            .map_err(|e| format!("cannot encode the signing key: {e}"))
    }

    /// Reads an OpenSSH private key file. `passphrase` is tried first when the key is
    /// encrypted (the identity's, so that one prompt unlocks both); the prompter is
    /// asked only if that fails. Errors never contain the key.
    pub fn from_openssh(
        text: &[u8],
        passphrase: Option<&str>,
        prompter: &dyn Prompter,
        display_name: &str,
    ) -> Result<Self, String> {
        let key = PrivateKey::from_openssh(text).map_err(|_| {
            "it is not an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----)".to_owned()
        })?;
        let key = if key.is_encrypted() {
            let first = passphrase.and_then(|p| key.decrypt(p).ok());
            match first {
                Some(k) => k,
                None => {
                    let p = prompter
                        .passphrase(&format!("Passphrase for signing key {display_name}: "))
                        .ok_or("it is passphrase-protected and no passphrase was given (run handover on a terminal)")?;
                    key.decrypt(p.expose())
                        .map_err(|_| "wrong passphrase".to_owned())?
                }
            }
        } else {
            key
        };
        if key.algorithm() != Algorithm::Ed25519 {
            return Err(format!(
                "it is a {} key; handover signs with Ed25519 keys only",
                key.algorithm()
            ));
        }
        Ok(SigningKey(key))
    }

    pub fn public(&self) -> SignerKey {
        SignerKey(PublicKey::new(self.0.public_key().key_data().clone(), ""))
    }

    /// Signs `msg` in `namespace`; returns the armored signature (`ssh-keygen -Y sign`'s
    /// `.sig` file). SHA-256, not ssh-keygen's default SHA-512: both are in the SSHSIG
    /// standard and `ssh-keygen -Y verify` takes either, and with the SHA extensions of
    /// current x86 CPUs SHA-256 hashes a large vault about 30 times cheaper (measured:
    /// 15.6 M instructions for SHA-512 over a 465 KB vault).
    ///
    /// The message is hashed here rather than by `ssh-key` (`SshSig::sign`), whose
    /// sha2 0.10 has a slower software fallback for CPUs without the SHA extensions
    /// than sha2 0.11's unrolled one (measured under valgrind: signing and verifying a
    /// 1,000-entry vault take about 7% fewer instructions); the signed data are built
    /// as `SshSig::sign` builds them, and a test checks the two give the same bytes.
    pub fn sign(&self, namespace: &str, msg: &[u8]) -> crate::Result<Vec<u8>> {
        let cannot = |e: &dyn fmt::Display| crate::Error::Invalid(format!("cannot sign: {e}"));
        if namespace.is_empty() {
            return Err(cannot(&ssh_key::Error::Namespace));
        }
        let digest = {
            use sha2::Digest;
            sha2::Sha256::digest(msg)
        };
        let data = signed_data(namespace, &[], HashAlg::Sha256, &digest);
        let sig = signature::Signer::try_sign(&self.0, &data)
            .map_err(|e| cannot(&e))
            .and_then(|signature| {
                let public = self.0.public_key().key_data().clone();
                SshSig::new(public, namespace, HashAlg::Sha256, signature)
                    .and_then(|s| s.to_pem(LineEnding::LF))
                    .map_err(|e| cannot(&e))
            })?;
        Ok(sig.into_bytes())
    }
}

/// A public signing key: who signed, and who is trusted to.
#[derive(Clone)]
pub struct SignerKey(PublicKey);

impl SignerKey {
    /// Parses an OpenSSH public key line (`ssh-ed25519 AAAA… [comment]`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let key = PublicKey::from_openssh(s.trim())
            .map_err(|_| "it is not an OpenSSH public key (ssh-ed25519 AAAA…)".to_owned())?;
        if key.algorithm() != Algorithm::Ed25519 {
            return Err(format!(
                "it is a {} key; handover trusts Ed25519 signing keys only",
                key.algorithm()
            ));
        }
        Ok(SignerKey(PublicKey::new(key.key_data().clone(), "")))
    }

    /// `ssh-ed25519 AAAA…`, without a comment.
    pub fn to_openssh(&self) -> String {
        // Encoding a valid Ed25519 key cannot fail.
        self.0.to_openssh().unwrap_or_default()
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint(HashAlg::Sha256).to_string()
    }
}

impl PartialEq for SignerKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.key_data() == other.0.key_data()
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignerKey({})", self.fingerprint())
    }
}

/// Splits a signature file into its armored blocks (several while a vault is being
/// replaced; see `store::Store::write_vault`).
fn blocks(sig_file: &[u8]) -> Vec<&str> {
    let Ok(text) = std::str::from_utf8(sig_file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(PEM_BEGIN) {
        let Some(len) = rest[start..].find(PEM_END) else {
            break;
        };
        let end = start + len + PEM_END.len();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// Checks a signature file over `msg` in `namespace`, cryptographically only: returns
/// every key that made a valid signature. Whether to trust them is the caller's call.
pub fn verify(
    msg: &[u8],
    sig_file: Option<&[u8]>,
    namespace: &str,
) -> Result<Vec<SignerKey>, SignatureProblem> {
    verify_with(sig_file, namespace, |alg| digest(alg, msg))
}

/// [`verify`] with the message's digests computed beforehand, as it was read.
fn verify_with(
    sig_file: Option<&[u8]>,
    namespace: &str,
    digest: impl Fn(HashAlg) -> Option<Vec<u8>>,
) -> Result<Vec<SignerKey>, SignatureProblem> {
    let Some(sig_file) = sig_file else {
        return Err(SignatureProblem::Missing);
    };
    let mut problem = SignatureProblem::Malformed;
    let mut keys = Vec::new();
    for block in blocks(sig_file) {
        let Ok(sig) = SshSig::from_pem(block) else {
            continue;
        };
        if sig.namespace() != namespace {
            problem = SignatureProblem::WrongNamespace(sig.namespace().to_owned());
            continue;
        }
        let signed = digest(sig.hash_alg())
            .map(|d| signed_data(sig.namespace(), sig.reserved(), sig.hash_alg(), &d));
        match signed.map(|data| sig.public_key().verify(&data, sig.signature())) {
            Some(Ok(())) => keys.push(SignerKey(PublicKey::new(sig.public_key().clone(), ""))),
            _ => problem = SignatureProblem::OtherBytes,
        }
    }
    if keys.is_empty() {
        Err(problem)
    } else {
        Ok(keys)
    }
}

/// What an SSH signature signs (PROTOCOL.sshsig): the preamble, the namespace, the
/// reserved field, the hash algorithm's name and the message's digest, each but the
/// first as an SSH string. `ssh-key` builds it only from the whole message, and
/// `show` hashes the vault as it decrypts it, without holding it.
fn signed_data(namespace: &str, reserved: &[u8], alg: HashAlg, digest: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(128);
    data.extend_from_slice(b"SSHSIG");
    for field in [
        namespace.as_bytes(),
        reserved,
        alg.as_str().as_bytes(),
        digest,
    ] {
        // Fields are a namespace, a few reserved bytes, a name and a digest.
        data.extend_from_slice(&(field.len() as u32).to_be_bytes());
        data.extend_from_slice(field);
    }
    data
}

/// `msg`'s digest by `alg`, if it is one of the two SSHSIG defines, with sha2 0.11
/// (see [`SigningKey::sign`]).
fn digest(alg: HashAlg, msg: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest;
    match alg {
        HashAlg::Sha256 => Some(sha2::Sha256::digest(msg).to_vec()),
        HashAlg::Sha512 => Some(sha2::Sha512::digest(msg).to_vec()),
        _ => None,
    }
}

/// The digests of a message that the signatures of a signature file are over,
/// computed as the message is read (see [`Digesting`]).
pub struct MessageDigests {
    sha256: Option<sha2::Sha256>,
    sha512: Option<sha2::Sha512>,
}

impl MessageDigests {
    /// The digests that the signatures in `sig_file` need (handover signs with SHA-256;
    /// `ssh-keygen` with SHA-512).
    pub fn for_signatures(sig_file: &[u8]) -> Self {
        let algs: Vec<HashAlg> = blocks(sig_file)
            .into_iter()
            .filter_map(|b| SshSig::from_pem(b).ok().map(|s| s.hash_alg()))
            .collect();
        MessageDigests {
            sha256: algs.contains(&HashAlg::Sha256).then(sha2::Sha256::default),
            sha512: algs.contains(&HashAlg::Sha512).then(sha2::Sha512::default),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        use sha2::Digest;
        if let Some(h) = &mut self.sha256 {
            h.update(bytes);
        }
        if let Some(h) = &mut self.sha512 {
            h.update(bytes);
        }
    }

    /// [`verify_trusted`] over the message these digests were computed from.
    pub fn verify_trusted<'a>(
        self,
        sig_file: &[u8],
        namespace: &str,
        trusted: &'a [SignerKey],
    ) -> Result<&'a SignerKey, SignatureProblem> {
        use sha2::Digest;
        let sha256 = self.sha256.map(|h| h.finalize().to_vec());
        let sha512 = self.sha512.map(|h| h.finalize().to_vec());
        let keys = verify_with(Some(sig_file), namespace, |alg| match alg {
            HashAlg::Sha256 => sha256.clone(),
            HashAlg::Sha512 => sha512.clone(),
            _ => None,
        })?;
        first_trusted(&keys, trusted)
    }
}

/// A reader that hashes every byte read through it, and counts them.
pub struct Digesting<R> {
    inner: R,
    digests: MessageDigests,
    read: u64,
}

impl<R> Digesting<R> {
    pub fn new(inner: R, digests: MessageDigests) -> Self {
        Digesting {
            inner,
            digests,
            read: 0,
        }
    }

    /// The digests of everything read, and how many bytes that was.
    pub fn finish(self) -> (MessageDigests, u64) {
        (self.digests, self.read)
    }
}

impl<R: std::io::Read> std::io::Read for Digesting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digests.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// How many signatures a signature file holds.
pub fn count(sig_file: &[u8]) -> usize {
    blocks(sig_file).len()
}

/// The one signature in `sig_file` (a file with several, see `store::Store::write_vault`)
/// that a key in `trusted` made over `msg` in `namespace`, as a file of its own.
pub fn trusted_block(
    msg: &[u8],
    sig_file: &[u8],
    namespace: &str,
    trusted: &[SignerKey],
) -> Option<Vec<u8>> {
    blocks(sig_file).into_iter().find_map(|block| {
        let mut one = block.as_bytes().to_vec();
        one.push(b'\n');
        verify_trusted(msg, Some(&one), namespace, trusted)
            .ok()
            .map(|_| one)
    })
}

/// Like [`verify`], and one of the signing keys must be in `trusted`; returns it.
pub fn verify_trusted<'a>(
    msg: &[u8],
    sig_file: Option<&[u8]>,
    namespace: &str,
    trusted: &'a [SignerKey],
) -> Result<&'a SignerKey, SignatureProblem> {
    let keys = verify(msg, sig_file, namespace)?;
    first_trusted(&keys, trusted)
}

/// The first of `keys` (valid signers, at least one) that is in `trusted`.
fn first_trusted<'a>(
    keys: &[SignerKey],
    trusted: &'a [SignerKey],
) -> Result<&'a SignerKey, SignatureProblem> {
    for key in keys {
        if let Some(t) = trusted.iter().find(|t| *t == key) {
            return Ok(t);
        }
    }
    Err(SignatureProblem::Untrusted {
        fingerprint: keys[0].fingerprint(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_refusals() {
        let key = SigningKey::generate("t").unwrap();
        let other = SigningKey::generate("o").unwrap();
        let msg = b"age-encryption.org/v1 ...";
        let sig = key.sign(NAMESPACE, msg).unwrap();
        let trusted = [key.public()];
        assert_eq!(
            verify_trusted(msg, Some(&sig), NAMESPACE, &trusted).unwrap(),
            &key.public()
        );
        assert_eq!(
            verify_trusted(b"other", Some(&sig), NAMESPACE, &trusted).err(),
            Some(SignatureProblem::OtherBytes)
        );
        assert_eq!(
            verify_trusted(msg, None, NAMESPACE, &trusted).err(),
            Some(SignatureProblem::Missing)
        );
        assert_eq!(
            verify_trusted(msg, Some(&sig[..sig.len() / 2]), NAMESPACE, &trusted).err(),
            Some(SignatureProblem::Malformed)
        );
        assert_eq!(
            verify_trusted(msg, Some(&sig), SIGNERS_NAMESPACE, &trusted).err(),
            Some(SignatureProblem::WrongNamespace("handover".into()))
        );
        let forged = other.sign(NAMESPACE, msg).unwrap();
        assert_eq!(
            verify_trusted(msg, Some(&forged), NAMESPACE, &trusted).err(),
            Some(SignatureProblem::Untrusted {
                fingerprint: other.public().fingerprint()
            })
        );
        // Two blocks side by side (mid-replacement): either may be the valid one.
        let mut both = forged.clone();
        both.extend_from_slice(&sig);
        assert!(verify_trusted(msg, Some(&both), NAMESPACE, &trusted).is_ok());
    }

    /// The signed data built from a digest is ssh-key's, and a digest computed while
    /// reading verifies what the whole message verifies, for SHA-256 (ours) and SHA-512
    /// (`ssh-keygen`'s), in pieces of any size.
    #[test]
    fn digests_read_verify_as_the_whole_message_does() {
        use std::io::Read;
        let key = SigningKey::generate("t").unwrap();
        let other = SigningKey::generate("o").unwrap();
        let msg: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let sha512 = key.0.sign(NAMESPACE, HashAlg::Sha512, &msg).unwrap();
        for alg in [HashAlg::Sha256, HashAlg::Sha512] {
            let ours = digest(alg, &msg).unwrap();
            assert_eq!(ours, alg.digest(&msg));
            assert_eq!(
                signed_data(NAMESPACE, &[], alg, &ours),
                SshSig::signed_data(NAMESPACE, alg, &msg).unwrap()
            );
        }
        // Our own hashing signs exactly what `SshSig::sign` signs (Ed25519 is
        // deterministic, so the files are the same bytes), and refuses what it refuses.
        let theirs = key.0.sign(NAMESPACE, HashAlg::Sha256, &msg).unwrap();
        assert_eq!(
            key.sign(NAMESPACE, &msg).unwrap(),
            theirs.to_pem(LineEnding::LF).unwrap().into_bytes()
        );
        assert_eq!(
            key.sign("", &msg).unwrap_err().to_string(),
            format!("cannot sign: {}", ssh_key::Error::Namespace)
        );
        let files = [
            key.sign(NAMESPACE, &msg).unwrap(),
            sha512.to_pem(LineEnding::LF).unwrap().into_bytes(),
            other.sign(NAMESPACE, &msg).unwrap(),
            key.sign(NAMESPACE, b"other bytes").unwrap(),
            key.sign(BUNDLE_NAMESPACE, &msg).unwrap(),
            b"not a signature".to_vec(),
        ];
        let trusted = [key.public()];
        for file in &files {
            let whole = verify_trusted(&msg, Some(file), NAMESPACE, &trusted);
            for piece in [1usize, 1000, 65_536, 1 << 20] {
                let mut reader = Digesting::new(&msg[..], MessageDigests::for_signatures(file));
                let mut buf = vec![0u8; piece];
                while reader.read(&mut buf).unwrap() > 0 {}
                let (digests, read) = reader.finish();
                assert_eq!(read, msg.len() as u64);
                assert_eq!(digests.verify_trusted(file, NAMESPACE, &trusted), whole);
            }
        }
    }

    #[test]
    fn key_files_round_trip_with_and_without_passphrase() {
        let key = SigningKey::generate("t").unwrap();
        let plain = key.to_openssh(None).unwrap();
        let back = SigningKey::from_openssh(plain.as_bytes(), None, &crate::prompt::NoPrompt, "k")
            .unwrap();
        assert_eq!(back.public(), key.public());
        let locked = key.to_openssh(Some("Paßwort €")).unwrap();
        let back = SigningKey::from_openssh(
            locked.as_bytes(),
            Some("Paßwort €"),
            &crate::prompt::NoPrompt,
            "k",
        )
        .unwrap();
        assert_eq!(back.public(), key.public());
        let err = SigningKey::from_openssh(
            locked.as_bytes(),
            Some("wrong"),
            &crate::prompt::NoPrompt,
            "k",
        )
        .err()
        .unwrap();
        assert!(err.contains("passphrase"), "{err}");
        let public = SignerKey::parse(&key.public().to_openssh()).unwrap();
        assert_eq!(public, key.public());
        assert!(public.fingerprint().starts_with("SHA256:"));
        assert!(SignerKey::parse("ssh-ed25519 nope").is_err());
    }

    #[test]
    fn a_bundle_signature_in_place_of_a_vault_is_named_so() {
        let problem = SignatureProblem::WrongNamespace(BUNDLE_NAMESPACE.into());
        assert!(
            problem
                .to_string()
                .contains("a bundle was put in place of the vault")
        );
    }
}
