//! The library never talks to a person directly: whatever needs one (a passphrase)
//! goes through this trait. The binary implements it with a terminal prompt; tests
//! implement it with canned answers.

use crate::model::Secret;

pub trait Prompter {
    /// Asks for a passphrase without echo. `None` means the user could not or did not
    /// answer (no terminal, Ctrl-D).
    fn passphrase(&self, prompt: &str) -> Option<Secret>;
}

/// A prompter for contexts with nobody to ask: every request is declined.
pub struct NoPrompt;

impl Prompter for NoPrompt {
    fn passphrase(&self, _prompt: &str) -> Option<Secret> {
        None
    }
}
