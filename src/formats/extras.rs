//! Entry values that Bitwarden and KeePass have no slot for (kind, host, port,
//! recovery codes, owner, …) travel as custom fields named `handover.*`, so that an
//! export imports back into handover unchanged. Any other tool shows them as ordinary
//! custom fields.

use chrono::NaiveDate;

use crate::model::{Entry, Kind, Secret};

pub const PATH: &str = "handover.path";
pub const KIND: &str = "handover.kind";
pub const HOST: &str = "handover.host";
pub const PORT: &str = "handover.port";
pub const RECOVERY_CODE: &str = "handover.recovery_code";
pub const TAG: &str = "handover.tag";
pub const OWNER: &str = "handover.owner";
pub const PROVIDER_KNOWS: &str = "handover.provider_knows";
pub const EXPIRES: &str = "handover.expires";
pub const ROTATED: &str = "handover.rotated";

/// One custom field to write: name, value, secret.
pub struct ExtraField {
    pub name: String,
    pub value: Secret,
    pub secret: bool,
}

fn plain(name: &str, value: String) -> ExtraField {
    ExtraField {
        name: name.to_owned(),
        value: Secret::new(value),
        secret: false,
    }
}

/// Which values the target format holds natively (and so need no `handover.*` field).
pub struct Native {
    pub tags: bool,
    pub expires: bool,
    /// The kind an importer assumes for this item when no `handover.kind` is present.
    pub default_kind: Kind,
}

/// The `handover.*` fields for `e`. `derived_path` is the path an importer would
/// build from the exported groups and title; `handover.path` is written only if it
/// differs from the entry's path.
pub fn extra_fields(e: &Entry, derived_path: &str, native: &Native) -> Vec<ExtraField> {
    let mut out = Vec::new();
    if derived_path != e.path {
        out.push(plain(PATH, e.path.clone()));
    }
    if e.kind != native.default_kind {
        out.push(plain(KIND, e.kind.as_str().to_owned()));
    }
    if let Some(host) = &e.host {
        out.push(plain(HOST, host.clone()));
    }
    if let Some(port) = e.port {
        out.push(plain(PORT, port.to_string()));
    }
    // Numbered names, because KeePass needs unique keys.
    for (i, code) in e.recovery_codes.iter().enumerate() {
        out.push(ExtraField {
            name: format!("{RECOVERY_CODE}.{}", i + 1),
            value: code.clone(),
            secret: true,
        });
    }
    if !native.tags {
        for (i, tag) in e.tags.iter().enumerate() {
            out.push(plain(&format!("{TAG}.{}", i + 1), tag.clone()));
        }
    }
    if let Some(owner) = e.owner {
        out.push(plain(OWNER, owner.as_str().to_owned()));
    }
    if !e.provider_knows {
        out.push(plain(PROVIDER_KNOWS, "false".to_owned()));
    }
    if !native.expires
        && let Some(d) = e.expires
    {
        out.push(plain(EXPIRES, d.to_string()));
    }
    if let Some(d) = e.rotated {
        out.push(plain(ROTATED, d.to_string()));
    }
    out
}

/// Applies a `handover.*` field to `e`. Returns `Ok(false)` if `name` is not one of
/// ours (the caller keeps it as a custom field), `Err(reason)` if its value is invalid.
/// A `handover.path` value is returned through `path` for the caller to allocate.
pub fn apply(
    e: &mut Entry,
    name: &str,
    value: &Secret,
    path: &mut Option<String>,
) -> Result<bool, String> {
    let Some(key) = name.strip_prefix("handover.") else {
        return Ok(false);
    };
    let v = value.expose();
    let bad = |what: &str| Err(format!("its {name} field is not {what}"));
    let numbered = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|n| n.strip_prefix('.'))
            .is_some_and(|n| n.parse::<u32>().is_ok())
    };
    match key {
        "path" => *path = Some(v.to_owned()),
        "kind" => match v.parse::<Kind>() {
            Ok(k) => e.kind = k,
            Err(_) => return bad("a handover kind"),
        },
        "host" => e.host = Some(v.to_owned()),
        "port" => match v.parse::<u16>() {
            Ok(p) => e.port = Some(p),
            Err(_) => return bad("a port number (0-65535)"),
        },
        "owner" => match v.parse() {
            Ok(o) => e.owner = Some(o),
            Err(_) => return bad("client, provider or third-party"),
        },
        "provider_knows" => match v {
            "true" => e.provider_knows = true,
            "false" => e.provider_knows = false,
            _ => return bad("true or false"),
        },
        "expires" => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => e.expires = Some(d),
            Err(_) => return bad("a date (YYYY-MM-DD)"),
        },
        "rotated" => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => e.rotated = Some(d),
            Err(_) => return bad("a date (YYYY-MM-DD)"),
        },
        _ if numbered("recovery_code") => e.recovery_codes.push(value.clone()),
        _ if numbered("tag") => {
            if !v.trim().is_empty() && !e.tags.iter().any(|t| t == v) {
                e.tags.push(v.to_owned());
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Owner;

    #[test]
    fn extras_round_trip() {
        let mut e = Entry::new("a/b".into(), Kind::Server);
        e.host = Some("10.0.0.1".into());
        e.port = Some(22);
        e.recovery_codes = vec![Secret::from("c1"), Secret::from("c2")];
        e.tags = vec!["x".into(), "y z".into()];
        e.owner = Some(Owner::Provider);
        e.provider_knows = false;
        e.expires = NaiveDate::from_ymd_opt(2027, 2, 3);
        e.rotated = NaiveDate::from_ymd_opt(2025, 1, 1);
        let native = Native {
            tags: false,
            expires: false,
            default_kind: Kind::Login,
        };
        let fields = extra_fields(&e, "other/b", &native);
        let mut back = Entry::new("x".into(), Kind::Login);
        let mut path = None;
        for f in &fields {
            assert!(
                apply(&mut back, &f.name, &f.value, &mut path).unwrap(),
                "{}",
                f.name
            );
        }
        assert_eq!(path.as_deref(), Some("a/b"));
        back.path = "a/b".into();
        back.title = e.title.clone();
        assert_eq!(
            serde_json::to_value(&back)
                .unwrap()
                .as_object()
                .unwrap()
                .len(),
            serde_json::to_value(&e).unwrap().as_object().unwrap().len()
        );
        assert_eq!(back.host, e.host);
        assert_eq!(back.tags, e.tags);
        assert_eq!(back.recovery_codes.len(), 2);
        let mut p = None;
        assert!(apply(&mut back, "handover.port", &Secret::from("x"), &mut p).is_err());
        assert!(!apply(&mut back, "Kundennummer", &Secret::from("x"), &mut p).unwrap());
        assert!(!apply(&mut back, "handover.other", &Secret::from("x"), &mut p).unwrap());
    }
}
