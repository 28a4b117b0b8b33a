//! Who can open and who may write: age identities and recipients (`identity`, the
//! only user of the `age` crate), SSH signatures (`signing`, the only user of
//! `ssh-key`), whom this machine trusts to sign a store (`trust`), and unlocking a
//! person's keys with one passphrase prompt for both (`unlock`).

pub mod identity;
pub mod signing;
pub mod trust;
pub mod unlock;

pub use identity::{
    Identity, Recipient, decrypt, decrypt_stream, encrypt, encrypt_from, stream_problem,
};
pub use unlock::{KeyFiles, Keys, unlock, unlock_identity};
