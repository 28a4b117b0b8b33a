//! The vault codec: a client as UTF-8 JSON, encrypted with age to its recipients.
//!
//! Every buffer that holds decrypted JSON is a `Zeroizing` buffer, wiped on drop.

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::error::{Result, VaultProblem, describe_json_error};
use crate::keys::{self, Identity, Recipient};
use crate::model::{Client, VAULT_FORMAT_VERSION};

#[derive(Deserialize)]
struct VersionProbe {
    format_version: u64,
}

/// Decrypts and parses a vault, saying precisely what is wrong when it cannot.
pub fn decode(ciphertext: &[u8], identity: &Identity) -> Result<Client, VaultProblem> {
    let plain = keys::decrypt(ciphertext, identity)?;
    parse(&plain)
}

/// Parses vault JSON (already decrypted).
pub fn parse(plain: &[u8]) -> Result<Client, VaultProblem> {
    let text = std::str::from_utf8(plain).map_err(|_| VaultProblem::NotUtf8)?;
    // One pass over the JSON when it is well-formed (a vault of 10,000 entries is
    // megabytes); the version is checked before the schema's verdict all the same: a
    // newer vault may well not match ours, and "upgrade handover" is the useful message.
    let parsed = serde_json::from_str::<Client>(text);
    let version = match &parsed {
        Ok(client) => Some(client.format_version),
        Err(_) => serde_json::from_str::<VersionProbe>(text)
            .ok()
            .map(|p| p.format_version),
    };
    match version {
        Some(found) if found > VAULT_FORMAT_VERSION => {
            return Err(VaultProblem::NewerVersion {
                found,
                supported: VAULT_FORMAT_VERSION,
            });
        }
        Some(0) => {
            return Err(VaultProblem::Invalid(
                "format_version 0 is not a valid version".into(),
            ));
        }
        _ => {}
    }
    let client = parsed.map_err(|e| VaultProblem::Schema {
        line: e.line(),
        column: e.column(),
        detail: describe_json_error(&e),
    })?;
    client
        .validate()
        .map_err(|e| VaultProblem::Invalid(e.to_string()))?;
    Ok(client)
}

/// Serialises a client to its canonical JSON (pretty, stable key order).
pub fn to_json(client: &Client) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(4096 + client.entries.len() * 512));
    serde_json::to_writer_pretty(&mut *buf, client)
        .map_err(|e| crate::Error::Invalid(format!("cannot encode the vault: {e}")))?;
    buf.push(b'\n');
    Ok(buf)
}

/// Serialises and encrypts a client to its recipients.
pub fn encode(client: &Client) -> Result<Vec<u8>> {
    client.validate()?;
    client.check_limits()?;
    let recipients = client
        .recipients
        .iter()
        .map(|r| Recipient::parse(r))
        .collect::<Result<Vec<_>>>()?;
    if recipients.is_empty() {
        return Err(crate::Error::Recipients(
            "a vault needs at least one recipient".into(),
        ));
    }
    let json = to_json(client)?;
    keys::encrypt(&json, &recipients)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, Entry, Kind, Secret};

    fn sample(identity: &Identity) -> Client {
        let mut c = Client::new(
            ClientId::parse("acme").unwrap(),
            "Müller & Söhne GmbH".into(),
            vec![identity.recipient().to_string()],
            chrono::Utc::now(),
        );
        let mut e = Entry::new("fw/admin".into(), Kind::NetworkDevice);
        e.password = Some(Secret::from(" ß€\"\\\n "));
        c.entries.push(e);
        c
    }

    #[test]
    fn round_trip() {
        let id = Identity::generate();
        let c = sample(&id);
        let back = decode(&encode(&c).unwrap(), &id).unwrap();
        assert_eq!(back.name, c.name);
        assert_eq!(
            back.entries[0].password.as_ref().unwrap().expose(),
            " ß€\"\\\n "
        );
    }

    #[test]
    fn schema_and_version_problems() {
        assert_eq!(parse(&[0xff]).err().unwrap(), VaultProblem::NotUtf8);
        assert!(matches!(
            parse(br#"{"format_version": 7}"#).err().unwrap(),
            VaultProblem::NewerVersion { found: 7, .. }
        ));
        let err = parse(br#"{"format_version": 1, "id": "acme", "name": 5}"#)
            .err()
            .unwrap();
        assert!(matches!(err, VaultProblem::Schema { .. }), "{err:?}");
        let err = parse(br#"[1,2]"#).err().unwrap();
        assert!(matches!(err, VaultProblem::Schema { .. }), "{err:?}");
    }

    /// No input, however mangled, makes the decoder panic.
    #[test]
    fn garbage_never_panics() {
        let id = Identity::generate();
        let good = encode(&sample(&id)).unwrap();
        let json = to_json(&sample(&id)).unwrap();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut ct = good.clone();
            let mut plain = json.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() as usize) % ct.len();
                ct[i] = next() as u8;
                let j = (next() as usize) % plain.len();
                plain[j] = next() as u8;
            }
            let cut = (next() as usize) % (ct.len() + 1);
            let _ = decode(&ct, &id);
            let _ = decode(&ct[..cut], &id);
            let _ = parse(&plain);
            let _ = crate::formats::json::import(&plain, "fuzz");
        }
    }
}
