//! The end-to-end tests, one binary with one module per area: each file under tests/
//! as its own binary linked the whole crate again, which on two cores took minutes.

mod common;

mod dossier;
mod formats_cli;
mod formats_keepassxc;
mod hardening_cli;
mod hardening_fs;
mod hardening_limits;
mod hardening_sign;
mod knowledge_cli;
mod known_answers;
mod paper;
mod prompts;
mod provider_cli;
mod reliability;
mod signed_vaults;
mod tables;
mod takeover;
mod vault_cli;
mod workflows_cli;
mod workflows_offboard;
