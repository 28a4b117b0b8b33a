//! Domain rules that both the checks and the dossier apply: the order in which a
//! takeover secures a client's accounts, and how far ahead a contract's cancellation
//! deadline is a warning. Plain functions of the data, no I/O.

use super::{Criticality, Entry, Kind, Owner};

/// A cancellation deadline within this many days is a warning.
pub const CANCELLATION_WARNING_DAYS: u64 = 90;

/// How urgent taking over an entry is, and why, in the order a takeover needs: first the
/// domain and DNS (whoever holds them holds the mail and the web), then the identity
/// provider and its global admins, then the firewall and remote access, then mail; then
/// servers and everything else with access; the rest last. Returns (priority 1 = first
/// hour, 2 = first day, 3 = first week; rank within the priority; reason). The
/// offboarding rotation list and the dossier's takeover plan both use it.
///
/// `system` is the criticality of the most critical system the entry logs into
/// (`Client::linked_criticality`): the login of a system the client cannot work
/// without is secured in the first hour, beside remote access, whatever its name
/// says; one of an important system on the first day.
pub fn takeover_rank(e: &Entry, system: Option<Criticality>) -> (u8, u8, &'static str) {
    let own = entry_rank(e);
    let by_system = match system {
        Some(Criticality::Critical) => (1, 2, "it logs into a system marked critical"),
        Some(Criticality::Important) => (2, 0, "it logs into a system marked important"),
        Some(Criticality::Normal) | None => return own,
    };
    if (by_system.0, by_system.1) < (own.0, own.1) {
        by_system
    } else {
        own
    }
}

/// [`takeover_rank`] by what the entry itself says, without the systems it logs into.
pub fn entry_rank(e: &Entry) -> (u8, u8, &'static str) {
    // One buffer, lower-cased as it is filled: a lower-cased copy of each part, then
    // their join, cost a thousand-entry dossier 3 M instructions.
    let parts = [
        Some(e.path.as_str()),
        Some(e.title.as_str()),
        e.username.as_deref(),
        e.url.as_deref(),
        e.host.as_deref(),
    ];
    let mut text = String::with_capacity(parts.iter().flatten().map(|p| p.len() + 1).sum());
    for (i, part) in parts.into_iter().flatten().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        if part.is_ascii() {
            text.extend(part.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            text.push_str(&part.to_lowercase());
        }
    }
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    let admin = has(&["admin"]);
    if e.kind == Kind::Domain || has(&["dns", "domain", "registrar", "domäne"]) {
        return (1, 0, "the domain and DNS decide where mail and web go");
    }
    let identity = has(&[
        "m365",
        "microsoft",
        "azure",
        "entra",
        "office365",
        "google",
        "workspace",
        "okta",
        "active directory",
        "identity",
    ]);
    if e.kind == Kind::Recovery || (identity && (admin || e.totp.is_some())) {
        return (1, 1, "it can reset or take over every other account");
    }
    if matches!(e.kind, Kind::Vpn | Kind::NetworkDevice)
        || has(&[
            "firewall",
            "vpn",
            "remote",
            "rdp",
            "teamviewer",
            "anydesk",
            "fernwartung",
        ])
    {
        return (1, 2, "it gives access from outside");
    }
    if e.kind == Kind::Email || has(&["mail"]) {
        return (1, 3, "it can reset other accounts by mail");
    }
    if matches!(
        e.kind,
        Kind::SshKey | Kind::ApiKey | Kind::Server | Kind::Database
    ) {
        return (2, 0, "it gives access to servers or data");
    }
    if admin || e.totp.is_some() || !e.recovery_codes.is_empty() {
        return (2, 1, "it is an administrator or second-factor account");
    }
    match e.kind {
        Kind::Login | Kind::Certificate | Kind::Wifi => {
            (2, 2, "it gives access to systems or data")
        }
        _ => (3, 0, "rotate when convenient"),
    }
}

/// The order of a takeover: by [`takeover_rank`], accounts held by the old provider
/// before others, then by path.
pub fn takeover_order(e: &Entry, system: Option<Criticality>) -> (u8, u8, bool, String) {
    let (priority, rank, _) = takeover_rank(e, system);
    (
        priority,
        rank,
        e.owner != Some(Owner::Provider),
        e.path.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bakery of issue 20: the router's login, filed as a plain login, logs into a
    /// system marked critical and must come before the Telekom portal, on day one.
    #[test]
    fn the_login_of_a_critical_system_is_secured_in_the_first_hour() {
        let mut router = Entry::new("Netzwerk/Kasse-Router".into(), Kind::Login);
        router.username = Some("admin".into());
        let mut portal = Entry::new("Telekom/Kundencenter".into(), Kind::Login);
        portal.username = Some("brandt".into());
        assert_eq!(takeover_rank(&router, None).0, 2);
        let critical = Some(Criticality::Critical);
        assert_eq!(
            takeover_rank(&router, critical),
            (1, 2, "it logs into a system marked critical")
        );
        assert!(takeover_order(&router, critical) < takeover_order(&portal, None));
        assert_eq!(
            takeover_rank(&router, Some(Criticality::Important)),
            (2, 0, "it logs into a system marked important")
        );
        assert_eq!(
            takeover_rank(&router, Some(Criticality::Normal)),
            takeover_rank(&router, None)
        );
        // A system never makes an entry later than its own kind or name does.
        let domain = Entry::new("Domains/brandt.de".into(), Kind::Domain);
        assert_eq!(takeover_rank(&domain, critical), entry_rank(&domain));
        assert_eq!(
            takeover_rank(&domain, Some(Criticality::Important)),
            entry_rank(&domain)
        );
    }
}
