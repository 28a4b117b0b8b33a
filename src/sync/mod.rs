//! Sharing a store over git: the entry-wise three-way merge of a vault's copies
//! (`merge`) and running the `git` program (`git`). Below `workflows`, which composes
//! them with the keys into `sync`; `store` commits its own writes through `git`.

pub mod git;
pub mod merge;
pub mod textconv;
