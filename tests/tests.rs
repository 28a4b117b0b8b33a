//! The end-to-end tests, one binary with one module per area: each file under tests/
//! as its own binary linked the whole crate again, which on two cores took minutes.

mod common;

mod cli_conventions;
mod cli_names;
mod deadlines;
mod dossier;
mod formats_cli;
mod formats_kdbx;
mod formats_keepassxc;
mod formats_kinds;
mod hardening_cli;
mod hardening_fs;
mod hardening_hidden;
mod hardening_leftovers;
mod hardening_limits;
mod hardening_sign;
mod hardening_smaller;
mod hardening_stock;
mod json_rest;
mod knowledge_cli;
mod known_answers;
mod page_images;
mod paper;
mod paper_restore;
mod prompts;
mod provider_cli;
mod provider_day;
mod provider_day_more;
mod provider_overview;
mod reliability;
mod signed_vaults;
mod sync;
mod tables;
mod takeover;
mod team;
mod vault_cli;
mod wording;
mod workflows_cli;
mod workflows_offboard;
