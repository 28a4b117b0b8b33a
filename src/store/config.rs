//! The store's optional plaintext settings, `<store>/config.json`:
//!
//! ```json
//! {"provider_domains": ["it-schaefer.de"]}
//! ```
//! Nothing in it is secret; a missing file means defaults.

use serde::Deserialize;

use crate::error::{Error, Result};

use super::{Store, fsutil};

pub const CONFIG: &str = "config.json";
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The provider's e-mail domains, for `handover check`'s `provider-domain` rule.
    #[serde(default)]
    pub provider_domains: Vec<String>,
}

impl Store {
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
                "{} is not a valid store configuration ({} at line {}, column {}); it may hold only {{\"provider_domains\": [\"example.com\"]}}",
                path.display(),
                crate::error::describe_json_error(&e),
                e.line(),
                e.column()
            ))
        })
    }
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
