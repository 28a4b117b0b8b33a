//! `handover config`: the store's settings, so that nobody edits config.json by hand.

use std::path::Path;

use handover::store::Store;
use handover::store::config::ProviderProfile;

use super::CliError;
use super::args::{ConfigCommand, ConfigKey};
use super::term::{Out, safe};

pub fn config(cmd: ConfigCommand, store_dir: &Path, out: &mut Out) -> Result<(), CliError> {
    let store = Store::open(store_dir)?;
    match cmd {
        ConfigCommand::Show { json } => show(&store, json, out),
        ConfigCommand::Set { key, value } => {
            if value.trim().is_empty() {
                return Err(CliError::Usage(
                    "the value is empty; `handover config unset` clears a setting; nothing was changed".into(),
                ));
            }
            set(&store, key, Some(value))
        }
        ConfigCommand::Unset { key, value } => {
            if key == ConfigKey::ProviderDomain {
                let remove: Vec<String> = value.into_iter().collect();
                let now = store.set_provider_domains(&[], &remove, remove.is_empty())?;
                eprintln!("Your domains: {}.", list(&now));
                return Ok(());
            }
            if value.is_some() {
                return Err(CliError::Usage(
                    "only provider-domain takes a value to unset; nothing was changed".into(),
                ));
            }
            set(&store, key, None)
        }
    }
}

fn set(store: &Store, key: ConfigKey, value: Option<String>) -> Result<(), CliError> {
    // An empty value clears a part of the profile (`Store::set_provider`).
    let value = value.unwrap_or_default();
    let mut change = ProviderProfile::default();
    let slot = match key {
        ConfigKey::ProviderDomain => {
            let now = store.set_provider_domains(&[value], &[], false)?;
            eprintln!("Your domains: {}.", list(&now));
            return Ok(());
        }
        ConfigKey::ProviderName => &mut change.name,
        ConfigKey::ProviderAddress => &mut change.address,
        ConfigKey::ProviderContact => &mut change.contact,
        ConfigKey::EmergencyPartner => &mut change.emergency_partner,
    };
    *slot = Some(value);
    store.set_provider(&change)?;
    eprintln!("Saved.");
    Ok(())
}

fn show(store: &Store, json: bool, out: &mut Out) -> Result<(), CliError> {
    let config = store.config()?;
    if json {
        return out.json(&config);
    }
    let p = &config.provider;
    let value = |v: &Option<String>| v.as_deref().map_or("(not set)".into(), |v| safe(v, true));
    out.line(&format!(
        "provider-domain    {}",
        list(&config.provider_domains)
    ))?;
    out.line(&format!("provider-name      {}", value(&p.name)))?;
    out.line(&format!("provider-address   {}", value(&p.address)))?;
    out.line(&format!("provider-contact   {}", value(&p.contact)))?;
    out.line(&format!(
        "emergency-partner  {}",
        value(&p.emergency_partner)
    ))
}

fn list(domains: &[String]) -> String {
    if domains.is_empty() {
        "(none)".into()
    } else {
        safe(&domains.join(", "), false)
    }
}
