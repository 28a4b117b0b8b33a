//! The digital bundle: a client's complete vault JSON (the schema of docs/FORMAT.md,
//! every field, contacts and history included) as one age file, encrypted to chosen
//! recipients. The stock `age` tool opens it; handover restores it exactly.

use crate::error::{Error, Result};
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

/// Decrypts and parses a bundle with `identity`. `source_name` names it in errors.
pub fn read(data: &[u8], identity: &Identity, source_name: &str) -> Result<Client> {
    vault::decode(data, identity).map_err(|problem| Error::ImportFile {
        source_name: source_name.to_owned(),
        reason: format!("as a handover bundle, {problem}"),
    })
}

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
    }
}
