//! The store's optional plaintext settings, `<store>/config.json`:
//!
//! ```json
//! {"provider_domains": ["it-schaefer.de"],
//!  "provider": {"name": "IT-Service Schäfer", "address": "…", "contact": "…",
//!               "emergency_partner": "…"}}
//! ```
//! Nothing in it is secret; a missing file means defaults.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::Store;
use crate::fsutil;

pub const CONFIG: &str = "config.json";
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The provider's e-mail domains, for `handover check`'s `provider-domain` rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider_domains: Vec<String>,
    /// Who the provider is, for the dossier (a template's branding takes precedence).
    #[serde(default, skip_serializing_if = "ProviderProfile::is_empty")]
    pub provider: ProviderProfile,
}

/// The provider as the dossier names it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProviderProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Postal address; may span lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Phone, e-mail or web address, one per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Who takes over the provider's clients when it is unreachable (name, phone, the
    /// arrangement), for every client without one of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_partner: Option<String>,
}

impl ProviderProfile {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.address.is_none()
            && self.contact.is_none()
            && self.emergency_partner.is_none()
    }
}

impl Store {
    /// Sets the provider profile's given parts in `config.json` (an empty value clears
    /// one), keeping everything else.
    pub fn set_provider(&self, change: &ProviderProfile) -> Result<ProviderProfile> {
        let lock = self.lock()?;
        let mut config = self.config()?;
        for (slot, value) in [
            (&mut config.provider.name, &change.name),
            (&mut config.provider.address, &change.address),
            (&mut config.provider.contact, &change.contact),
            (
                &mut config.provider.emergency_partner,
                &change.emergency_partner,
            ),
        ] {
            if let Some(v) = value {
                *slot = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
            }
        }
        self.write_config(&config)?;
        drop(lock);
        Ok(config.provider)
    }

    /// Adds the e-mail domains `add` to the provider's and removes `remove` (all of
    /// them when `remove_all`); returns the domains now set. A domain is kept in lower
    /// case, once.
    pub fn set_provider_domains(
        &self,
        add: &[String],
        remove: &[String],
        remove_all: bool,
    ) -> Result<Vec<String>> {
        let lock = self.lock()?;
        let mut config = self.config()?;
        let mut domains = if remove_all {
            Vec::new()
        } else {
            std::mem::take(&mut config.provider_domains)
        };
        for domain in remove {
            let domain = domain.trim().to_lowercase();
            if !domains.contains(&domain) {
                return Err(Error::Invalid(format!(
                    "{domain:?} is not one of your domains; `handover config show` lists them; nothing was changed"
                )));
            }
            domains.retain(|d| *d != domain);
        }
        for domain in add {
            let domain = validate_domain(domain)?;
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        config.provider_domains = domains;
        self.write_config(&config)?;
        drop(lock);
        Ok(config.provider_domains)
    }

    fn write_config(&self, config: &StoreConfig) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(config)
            .map_err(|e| Error::Invalid(format!("cannot encode the store configuration: {e}")))?;
        json.push(b'\n');
        fsutil::atomic_write(&self.root().join(CONFIG), &json)
    }

    /// Reads `config.json`; defaults when it does not exist.
    pub fn config(&self) -> Result<StoreConfig> {
        let path = self.root().join(CONFIG);
        let bytes =
            match fsutil::read_regular_file(&path, MAX_CONFIG_BYTES, "the store configuration") {
                Ok(b) => b,
                Err(e) if fsutil::is_not_found(&e) => return Ok(StoreConfig::default()),
                Err(e) => return Err(e),
            };
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::Invalid(format!(
                "{} is not a valid store configuration ({} at line {}, column {}); it may hold {{\"provider_domains\": [\"example.com\"], \"provider\": {{\"name\": \"…\", \"address\": \"…\", \"contact\": \"…\", \"emergency_partner\": \"…\"}}}}",
                path.display(),
                crate::error::describe_json_error(&e),
                e.line(),
                e.column()
            ))
        })
    }
}

/// An e-mail domain as `check` compares it: lower case, with a dot, no `@` or spaces.
pub fn validate_domain(domain: &str) -> Result<String> {
    let domain = domain.trim().trim_start_matches('@').to_lowercase();
    let ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if !ok {
        return Err(Error::Invalid(format!(
            "{domain:?} is not an e-mail domain; give it as it follows the @, e.g. it-schaefer.de; nothing was changed"
        )));
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_valid_and_bad_config() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::init(&dir.path().join("s")).unwrap();
        assert!(store.config().unwrap().provider_domains.is_empty());
        std::fs::write(
            store.root().join(CONFIG),
            r#"{"provider_domains":["it-schaefer.de"]}"#,
        )
        .unwrap();
        assert_eq!(store.config().unwrap().provider_domains, ["it-schaefer.de"]);
        std::fs::write(store.root().join(CONFIG), r#"{"domains":[]}"#).unwrap();
        let err = store.config().err().unwrap().to_string();
        assert!(err.contains("unknown field `domains`"), "{err}");
    }
}
