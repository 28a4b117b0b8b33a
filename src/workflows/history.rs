//! Recording and reading the vault's history. Every workflow that changes a vault
//! stamps its events here, so there is one clock and one way to build an event.

use chrono::Utc;

use crate::error::Result;
use crate::model::{ClientId, Entry, Event, EventKind};
use crate::workflows::Handover;

/// A client-level event, stamped now.
pub fn event(kind: EventKind) -> Event {
    Event::new(kind, Utc::now())
}

/// An event about `entry` (its path and id), stamped now.
pub fn entry_event(kind: EventKind, entry: &Entry) -> Event {
    Event::for_entry(kind, Utc::now(), entry)
}

/// The client's history, oldest first.
pub fn log(h: &Handover, id: &ClientId) -> Result<Vec<Event>> {
    Ok(h.load(id)?.history)
}
