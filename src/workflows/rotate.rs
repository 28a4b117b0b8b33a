//! Rotating an entry's password, or recording a rotation done elsewhere.

use chrono::{NaiveDate, Utc};

use crate::error::{Error, Result};
use crate::model::{Charset, ClientId, EventKind, Secret};
use crate::workflows::{Handover, entries, history};

/// How the entry was rotated.
pub enum Rotation {
    /// The provider set this new password (typed or generated), so it knows it; with
    /// what the device accepts (`--charset`), if that was said.
    NewPassword(Secret, Option<Charset>),
    /// Someone else (the client, a successor) rotated it outside handover: only the
    /// date is recorded, and the provider no longer knows the secret.
    Marked,
}

/// Rotates the entry at `path` as of `today` and records it in the history.
pub fn rotate(
    h: &Handover,
    id: &ClientId,
    path: &str,
    rotation: Rotation,
    today: NaiveDate,
) -> Result<()> {
    h.update(id, |client| {
        let index = client.entry_named(path)?;
        let entry = &mut client.entries[index];
        let (fields, detail): (&[&str], &str) = match rotation {
            Rotation::NewPassword(password, charset) => {
                if password.is_empty() {
                    return Err(Error::Invalid(
                        "the new password is empty; nothing was changed".into(),
                    ));
                }
                entry.password_charset =
                    entries::password_charset(charset, entry.password_charset, &password)?;
                let old = entry.password.take();
                entry.keep_previous("password".into(), old, Some(&password), Utc::now());
                entry.password = Some(password);
                entry.provider_knows = true;
                (
                    &["password", "provider_knows", "rotated"],
                    "new password set with handover",
                )
            }
            Rotation::Marked => {
                entry.provider_knows = false;
                (
                    &["provider_knows", "rotated"],
                    "rotated elsewhere; the provider does not know the new secret",
                )
            }
        };
        // Whoever knew the old secret, an earlier provider included, no longer does.
        let mut fields = fields.to_vec();
        if !std::mem::take(&mut entry.known_to_previous).is_empty() {
            fields.push("known_to_previous");
            fields.sort_unstable();
        }
        entry.rotated = Some(today);
        entry.updated = Some(Utc::now());
        let event = history::entry_event(EventKind::EntryRotated, entry)
            .with_fields(&fields)
            .with_detail(detail);
        client.record(event);
        Ok(())
    })
}
