//! Who can open and who may write: age identities and recipients (`identity`, the
//! only user of the `age` crate), SSH signatures (`signing`, the only user of
//! `ssh-key`), and whom this machine trusts to sign a store (`trust`).

pub mod identity;
pub mod signing;
pub mod trust;

pub use identity::{Identity, Recipient, decrypt, encrypt};
