//! Size limits for every field a person or an importer fills (docs/FORMAT.md,
//! "Limits"). They keep one value from making a client unprintable or a vault
//! unwieldy, and are the same for the command line and every importer: they are
//! checked whenever a vault or bundle is written and on every imported record. A vault
//! written before them still opens, lists and prints; the next change must bring an
//! over-long value within its limit.

use super::{Client, Contact, Decision, Document, Entry, Network, System, Vendor};
use crate::error::{Error, Result};

/// A one-line value: a title, user name, URL, host, tag, field name, location…
pub const MAX_LINE_CHARS: usize = 1000;
/// A secret: a password, TOTP seed, recovery code or custom field value; also what
/// `--password-stdin` and the other stdin flags read at most.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;
/// Notes, an address, a decision's texts, a document's Markdown.
pub const MAX_TEXT_BYTES: usize = super::MAX_DOCUMENT_BYTES;
/// Entries of one client.
pub const MAX_ENTRIES: usize = 100_000;
/// Items of any other list: custom fields, tags, recovery codes, contacts, systems,
/// networks, vendors, documents, decisions, recipients, addresses of a system.
pub const MAX_ITEMS: usize = 10_000;

/// At most this many characters of a name are quoted in a refusal.
const QUOTED_CHARS: usize = 60;

/// `name` quoted for a message, shortened when long.
fn quote(name: &str) -> String {
    if name.chars().count() <= QUOTED_CHARS {
        format!("{name:?}")
    } else {
        let head: String = name.chars().take(QUOTED_CHARS).collect();
        format!("{head:?}…")
    }
}

fn too_long(field: &str, have: usize, unit: &str, max: usize) -> Error {
    Error::Invalid(format!(
        "{field} has {have} {unit}; at most {max} are allowed"
    ))
}

/// One line of text, counted in characters.
fn line(field: impl FnOnce() -> String, value: &str) -> Result<()> {
    // A string has at least as many bytes as characters: most are settled without
    // counting.
    if value.len() <= MAX_LINE_CHARS {
        return Ok(());
    }
    let n = value.chars().count();
    if n > MAX_LINE_CHARS {
        return Err(too_long(&field(), n, "characters", MAX_LINE_CHARS));
    }
    Ok(())
}

fn opt_line(field: impl FnOnce() -> String, value: &Option<String>) -> Result<()> {
    value.as_deref().map_or(Ok(()), |v| line(field, v))
}

fn bytes(field: impl FnOnce() -> String, value: &str, max: usize) -> Result<()> {
    if value.len() > max {
        return Err(too_long(&field(), value.len(), "bytes", max));
    }
    Ok(())
}

fn opt_text(field: impl FnOnce() -> String, value: &Option<String>) -> Result<()> {
    value
        .as_deref()
        .map_or(Ok(()), |v| bytes(field, v, MAX_TEXT_BYTES))
}

fn count(what: impl FnOnce() -> String, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::Invalid(format!(
            "there are {n} {}; at most {max} are allowed",
            what()
        )));
    }
    Ok(())
}

fn lines<'a>(
    field: impl Fn() -> String,
    values: impl ExactSizeIterator<Item = &'a String>,
) -> Result<()> {
    count(&field, values.len(), MAX_ITEMS)?;
    for v in values {
        line(|| format!("one of the {}", field()), v)?;
    }
    Ok(())
}

fn contacts(owner: &str, list: &[Contact]) -> Result<()> {
    count(|| format!("contacts of {owner}"), list.len(), MAX_ITEMS)?;
    for c in list {
        let of = |what: &str| format!("the {what} of a contact of {owner}");
        line(|| of("name"), &c.name)?;
        opt_line(|| of("role"), &c.role)?;
        opt_line(|| of("phone number"), &c.phone)?;
        opt_line(|| of("e-mail address"), &c.email)?;
    }
    Ok(())
}

impl Entry {
    /// Checks every field against its limit (module `limits`).
    pub fn check_limits(&self) -> Result<()> {
        // Messages are made only for a refusal: this runs for every entry on every
        // write, and a vault of a thousand entries paid ~3 M instructions for quoting
        // names and formatting texts that were then dropped.
        let name = || quote(&self.path);
        let of = |what: &str| format!("the {what} of entry {}", name());
        line(|| of("path"), &self.path)?;
        line(|| of("title"), &self.title)?;
        opt_line(|| of("URL"), &self.url)?;
        opt_line(|| of("host"), &self.host)?;
        opt_line(|| of("user name"), &self.username)?;
        opt_line(|| of("location"), &self.location)?;
        lines(|| format!("tags of entry {}", name()), self.tags.iter())?;
        lines(
            || format!("earlier providers of entry {}", name()),
            self.known_to_previous.iter(),
        )?;
        let secret = |what: &dyn Fn() -> String, s: &super::Secret| {
            bytes(what, s.expose(), MAX_SECRET_BYTES)
        };
        if let Some(p) = &self.password {
            secret(&|| of("password"), p)?;
        }
        if let Some(t) = &self.totp {
            secret(&|| of("TOTP secret"), t)?;
        }
        count(
            || format!("recovery codes of entry {}", name()),
            self.recovery_codes.len(),
            MAX_ITEMS,
        )?;
        for code in &self.recovery_codes {
            secret(&|| format!("a recovery code of entry {}", name()), code)?;
        }
        count(
            || format!("custom fields of entry {}", name()),
            self.fields.len(),
            MAX_ITEMS,
        )?;
        for f in &self.fields {
            line(
                || format!("the name of a custom field of entry {}", name()),
                &f.name,
            )?;
            secret(
                &|| format!("the field {} of entry {}", quote(&f.name), name()),
                &f.value,
            )?;
        }
        opt_text(|| of("notes"), &self.notes)
    }
}

impl System {
    fn check_limits(&self) -> Result<()> {
        let name = quote(&self.name);
        let of = |what: &str| format!("the {what} of system {name}");
        line(|| of("name"), &self.name)?;
        for (what, v) in [
            ("purpose", &self.purpose),
            ("site", &self.site),
            ("location", &self.location),
            ("make", &self.make),
            ("model", &self.model),
            ("serial number", &self.serial),
            ("operating system", &self.os),
            ("host name", &self.hostname),
            ("MAC address", &self.mac),
            ("line id", &self.line_id),
            ("backup method", &self.backup.method),
            ("backup target", &self.backup.target),
        ] {
            opt_line(|| of(what), v)?;
        }
        lines(|| format!("IP addresses of system {name}"), self.ips.iter())?;
        count(
            || format!("entries linked to {name}"),
            self.entries.len(),
            MAX_ENTRIES,
        )?;
        opt_text(|| of("notes"), &self.notes)
    }
}

impl Network {
    fn check_limits(&self) -> Result<()> {
        let name = quote(&self.name);
        let of = |what: &str| format!("the {what} of network {name}");
        line(|| of("name"), &self.name)?;
        for (what, v) in [
            ("address range", &self.cidr),
            ("gateway", &self.gateway),
            ("DHCP range", &self.dhcp_range),
            ("site", &self.site),
        ] {
            opt_line(|| of(what), v)?;
        }
        lines(|| format!("DNS servers of network {name}"), self.dns.iter())?;
        opt_text(|| of("notes"), &self.notes)
    }
}

impl Vendor {
    fn check_limits(&self) -> Result<()> {
        let name = quote(&self.name);
        let of = |what: &str| format!("the {what} of vendor {name}");
        line(|| of("name"), &self.name)?;
        for (what, v) in [
            ("service", &self.provides),
            ("customer number", &self.customer_number),
            ("hotline", &self.hotline),
            ("e-mail address", &self.email),
            ("portal URL", &self.portal_url),
            ("contract number", &self.contract.number),
        ] {
            opt_line(|| of(what), v)?;
        }
        count(
            || format!("entries linked to {name}"),
            self.entries.len(),
            MAX_ENTRIES,
        )?;
        contacts(&format!("vendor {name}"), &self.contacts)?;
        opt_text(|| of("notes"), &self.notes)
    }
}

impl Document {
    fn check_limits(&self) -> Result<()> {
        let name = quote(&self.path);
        let of = |what: &str| format!("the {what} of document {name}");
        line(|| of("path"), &self.path)?;
        line(|| of("title"), &self.title)?;
        bytes(|| of("text"), &self.body, MAX_TEXT_BYTES)
    }
}

impl Decision {
    fn check_limits(&self) -> Result<()> {
        let name = quote(&self.title);
        let of = |what: &str| format!("the {what} of decision {name}");
        line(|| of("title"), &self.title)?;
        opt_line(|| of("decider"), &self.decided_by)?;
        opt_text(|| of("decision"), &self.decision)?;
        opt_text(|| of("reasons"), &self.why)?;
        opt_text(|| of("alternatives"), &self.alternatives)
    }
}

impl Client {
    /// Checks every field of the client and of everything it holds against its limit
    /// (module `limits`); the refusal names the field and the limit.
    pub fn check_limits(&self) -> Result<()> {
        let of = |what: &str| format!("the {what} of the client");
        line(|| of("name"), &self.name)?;
        opt_line(|| of("legal name"), &self.legal_name)?;
        opt_text(|| of("address"), &self.address)?;
        opt_text(|| of("notes"), &self.notes)?;
        opt_line(|| of("bundle location"), &self.bundle_location)?;
        opt_line(|| of("client key location"), &self.client_key_location)?;
        opt_line(|| of("emergency partner"), &self.emergency_partner)?;
        lines(|| "recipients of the client".into(), self.recipients.iter())?;
        contacts("the client", &self.contacts)?;
        count(
            || "entries in the client".into(),
            self.entries.len(),
            MAX_ENTRIES,
        )?;
        for e in &self.entries {
            e.check_limits()?;
        }
        let n = |what: &'static str| move || format!("{what} in the client");
        count(n("systems"), self.systems.len(), MAX_ITEMS)?;
        count(n("networks"), self.networks.len(), MAX_ITEMS)?;
        count(n("vendors"), self.vendors.len(), MAX_ITEMS)?;
        count(n("documents"), self.documents.len(), MAX_ITEMS)?;
        count(n("decisions"), self.decisions.len(), MAX_ITEMS)?;
        self.systems.iter().try_for_each(System::check_limits)?;
        self.networks.iter().try_for_each(Network::check_limits)?;
        self.vendors.iter().try_for_each(Vendor::check_limits)?;
        self.documents.iter().try_for_each(Document::check_limits)?;
        self.decisions.iter().try_for_each(Decision::check_limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Secret};

    #[test]
    fn refusals_name_the_field_and_the_limit() {
        let mut e = Entry::new("m365/admin".into(), Kind::Login);
        e.title = "T".repeat(1001);
        assert_eq!(
            e.check_limits().unwrap_err().to_string(),
            "the title of entry \"m365/admin\" has 1001 characters; at most 1000 are allowed"
        );
        e.title = "ü".repeat(1000);
        e.check_limits().unwrap();
        e.password = Some(Secret::new("x".repeat(MAX_SECRET_BYTES + 1)));
        let err = e.check_limits().unwrap_err().to_string();
        assert!(
            err.ends_with(
                "the password of entry \"m365/admin\" has 65537 bytes; at most 65536 are allowed"
            ),
            "{err}"
        );
        e.password = None;
        e.tags = vec![String::new(); MAX_ITEMS + 1];
        let err = e.check_limits().unwrap_err().to_string();
        assert!(
            err.ends_with(
                "there are 10001 tags of entry \"m365/admin\"; at most 10000 are allowed"
            ),
            "{err}"
        );
        assert_eq!(quote(&"a".repeat(100)), format!("{:?}…", "a".repeat(60)));
    }
}
