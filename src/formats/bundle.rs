//! The digital bundle: a client's complete vault JSON (the schema of docs/FORMAT.md,
//! every field, contacts and history included) as one age file, encrypted to chosen
//! recipients. The stock `age` tool opens it; handover restores it exactly.
//!
//! The bundle on a dossier's data pages holds the same JSON gzip-compressed (a third
//! of the codes to print and scan): `age -d … | gunzip` opens it, and [`read`] takes
//! either, telling them apart by gzip's magic bytes (JSON starts with `{`).

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use zeroize::Zeroizing;

use crate::error::{Error, Result, VaultProblem};
use crate::keys::{Identity, Recipient};
use crate::model::Client;
use crate::vault;

/// Encrypts `client`'s vault JSON to `recipients` (at least one).
pub fn write(client: &Client, recipients: &[Recipient]) -> Result<Vec<u8>> {
    if recipients.is_empty() {
        return Err(Error::Recipients(
            "a bundle needs at least one recipient".into(),
        ));
    }
    client.validate()?;
    client.check_limits()?;
    let json = vault::to_json(client)?;
    crate::keys::encrypt(&json, recipients)
}

/// As [`write`], with the JSON gzip-compressed before it is encrypted.
pub fn write_compressed(client: &Client, recipients: &[Recipient]) -> Result<Vec<u8>> {
    if recipients.is_empty() {
        return Err(Error::Recipients(
            "a bundle needs at least one recipient".into(),
        ));
    }
    client.validate()?;
    client.check_limits()?;
    let json = vault::to_json(client)?;
    // Sized for the worst case up front, so that no copy of the JSON is left behind
    // in a freed buffer when the output grows.
    let mut packed = Zeroizing::new(Vec::with_capacity(json.len() + json.len() / 100 + 1024));
    let mut gz = GzEncoder::new(&mut *packed, Compression::best());
    gz.write_all(&json)
        .and_then(|()| gz.try_finish())
        .map_err(|e| Error::Encrypt(format!("cannot compress the bundle: {e}")))?;
    drop(gz);
    crate::keys::encrypt(&packed, recipients)
}

/// Decrypts and parses a bundle (plain or compressed JSON) with `identity`.
/// `source_name` names it in errors.
pub fn read(data: &[u8], identity: &Identity, source_name: &str) -> Result<Client> {
    let problem = |problem: VaultProblem| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!("as a handover bundle, {problem}"),
    };
    let plain = crate::keys::decrypt(data, identity).map_err(problem)?;
    if plain.starts_with(&GZIP_MAGIC) {
        return vault::parse(&gunzip(&plain).map_err(problem)?).map_err(problem);
    }
    vault::parse(&plain).map_err(problem)
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The decompressed JSON, no larger than a vault may be.
fn gunzip(packed: &[u8]) -> std::result::Result<Zeroizing<Vec<u8>>, VaultProblem> {
    let mut reader = GzDecoder::new(packed);
    let mut out = Zeroizing::new(Vec::with_capacity(packed.len() * 4));
    let mut buf = Zeroizing::new([0u8; 16 * 1024]);
    loop {
        let n = reader
            .read(&mut buf[..])
            .map_err(|e| VaultProblem::Invalid(format!("its compressed JSON is damaged ({e})")))?;
        if n == 0 {
            return Ok(out);
        }
        if out.len() + n > MAX_JSON_BYTES {
            return Err(VaultProblem::Invalid(
                "its compressed JSON unpacks to more than a vault may hold".into(),
            ));
        }
        crate::model::extend_wiping(&mut out, &buf[..n]);
    }
}

/// As `store::MAX_VAULT_BYTES`.
const MAX_JSON_BYTES: usize = 512 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Entry, Kind, Secret};

    #[test]
    fn round_trip_is_exact_and_only_for_its_recipients() {
        let provider = Identity::generate();
        let successor = Identity::generate();
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Acme".into(),
            vec![provider.recipient().to_string()],
            chrono::Utc::now(),
        );
        let mut e = Entry::new("fw/admin".into(), Kind::NetworkDevice);
        e.password = Some(Secret::from(" ß€\n "));
        c.entries.push(e);
        let bytes = write(&c, &[successor.recipient()]).unwrap();
        let back = read(&bytes, &successor, "b.age").unwrap();
        assert_eq!(
            *vault::to_json(&back).unwrap(),
            *vault::to_json(&c).unwrap()
        );
        let err = read(&bytes, &provider, "b.age").err().unwrap().to_string();
        assert!(
            err.contains("b.age") && err.contains("not encrypted to your identity"),
            "{err}"
        );
        assert!(write(&c, &[]).is_err());
        let packed = write_compressed(&c, &[successor.recipient()]).unwrap();
        assert!(packed.len() < bytes.len());
        let back = read(&packed, &successor, "b.age").unwrap();
        assert_eq!(
            *vault::to_json(&back).unwrap(),
            *vault::to_json(&c).unwrap()
        );
        let bomb = crate::keys::encrypt(&[0x1f, 0x8b, 0, 1], &[successor.recipient()]).unwrap();
        let err = read(&bomb, &successor, "b.age").err().unwrap().to_string();
        assert!(err.contains("compressed JSON is damaged"), "{err}");
    }
}
