//! The library's error type. Every message says what went wrong and what to do about it,
//! and none of them ever contains a secret: parse errors name a position, never the text.

use std::fmt;
use std::io;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "invalid client id {id:?}: {reason}; use 1 to 64 lower-case letters, digits and '-', starting with a letter or digit (e.g. `mueller-gmbh`)"
    )]
    InvalidClientId { id: String, reason: &'static str },

    #[error(
        "invalid entry path {path:?}: {reason}; a path is groups and a name separated by '/', e.g. `m365/global-admin`"
    )]
    InvalidPath { path: String, reason: &'static str },

    #[error(
        "no handover store at {0}: run `handover init` first, or point --store / HANDOVER_STORE at your store"
    )]
    NoStore(PathBuf),

    #[error("{path} is not a handover store ({reason}); refusing to use it")]
    NotAStore { path: PathBuf, reason: String },

    #[error(
        "the store at {path} has format version {found}, but this handover only knows version {supported}: upgrade handover"
    )]
    StoreTooNew {
        path: PathBuf,
        found: u64,
        supported: u64,
    },

    /// `closest`: the existing ids most like it (see `model::names`).
    #[error(
        "client {id:?} does not exist{}; `handover client list` shows the clients in this store",
        crate::model::names::did_you_mean(closest)
    )]
    NoSuchClient { id: String, closest: Vec<String> },

    #[error("client {0:?} already exists; pick another id or edit the existing client")]
    ClientExists(String),

    /// `closest`: the entry paths most like it (see `model::names`).
    #[error(
        "client {client:?} has no entry {path:?}{}; `handover list {client}` shows its entries",
        crate::model::names::did_you_mean(closest)
    )]
    NoSuchEntry {
        client: String,
        path: String,
        closest: Vec<String>,
    },

    /// A system, network, vendor, document or decision that a client does not have;
    /// `command` is the kind's command (`doc` for documents), `closest` the names most
    /// like it (see `model::names`).
    #[error(
        "client {client:?} has no {what} {name:?}{}; `handover {command} list {client}` shows its {what}s",
        crate::model::names::did_you_mean(closest)
    )]
    NoSuchRecord {
        client: String,
        what: &'static str,
        command: &'static str,
        name: String,
        closest: Vec<String>,
    },

    #[error(
        "client {client:?} already has an entry {path:?}; choose another path or edit that entry"
    )]
    EntryExists { client: String, path: String },

    #[error("cannot open the vault of client {client:?} ({path}): {problem}")]
    Vault {
        client: String,
        path: PathBuf,
        problem: VaultProblem,
    },

    #[error("cannot use the identity file {path}: {problem}")]
    Identity { path: PathBuf, problem: String },

    /// `shown` is a safe hint (see `keys::Recipient::parse`), never the whole input.
    #[error(
        "invalid age recipient {shown}: {reason}; an age recipient looks like `age1…` (see `age-keygen -y`)"
    )]
    InvalidRecipient { shown: String, reason: String },

    #[error(
        "this is a secret key, not a recipient — never pass it on a command line; the recipient is its public key (age1…), e.g. `age-keygen -y FILE`. If you typed it into a shell, remove it from the shell history"
    )]
    SecretKeyAsRecipient,

    #[error("{0}")]
    Recipients(String),

    #[error("import from {source_name}, record {record}: {reason}; nothing was imported")]
    Import {
        source_name: String,
        record: usize,
        reason: String,
    },

    #[error("{source_name} cannot be imported: {reason}; nothing was imported")]
    ImportFile { source_name: String, reason: String },

    #[error("{0} already exists; choose another file or pass --force to replace it")]
    OutputExists(PathBuf),

    #[error("{0}")]
    Invalid(String),

    /// The store's signer list or this machine's pins cannot be trusted or used.
    #[error("{0}")]
    Trust(String),

    #[error(
        "refusing {what}: {problem}; nothing was read from it and nothing was changed. {advice}"
    )]
    Signature {
        what: String,
        problem: SignatureProblem,
        advice: String,
    },

    #[error(
        "refusing the vault of client {client:?}: it is revision {found}, but this machine has already seen revision {seen}, so an older copy was put back in its place; nothing was changed. Restore the newest vault (and its .sig) from your backup, or, if you put the old one back on purpose, run `handover sign --accept-rollback {client}`"
    )]
    Rollback {
        client: String,
        found: u64,
        seen: u64,
    },

    #[error("encryption failed: {0}")]
    Encrypt(String),

    #[error(
        "the store is busy: {} has held its lock {path} for {waited} s; wait for it to finish and try again{}",
        holder.map_or("another process".to_owned(), |pid| format!("another process (pid {pid}, as it recorded)")),
        holder.map_or(String::new(), |pid| format!(". If it seems to hang, check with `ps -p {pid} -o pid,args` that it is still handover before you end it: a pid can be reused"))
    )]
    Locked {
        path: PathBuf,
        holder: Option<u32>,
        waited: u64,
    },

    /// Running `git` on a synced store failed, or the repository is not as sync needs it.
    #[error("{0}")]
    Git(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl Error {
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Why a vault file could not be opened. Each case gets its own message, because
/// "which of these it is" decides what the user does next (restore a backup, use
/// another identity, upgrade handover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultProblem {
    Empty,
    NotAge,
    Truncated,
    Damaged,
    WrongIdentity,
    NotUtf8,
    Schema {
        line: usize,
        column: usize,
        detail: String,
    },
    NewerVersion {
        found: u64,
        supported: u64,
    },
    Invalid(String),
    /// The vault of one client holds another client's data: renamed or swapped.
    OtherClient {
        holds: String,
        expected: String,
    },
}

impl VaultProblem {
    /// Whether the file may have been put there to deceive (rather than damaged or
    /// not meant for this identity): `client list` then exits non-zero, as it does
    /// for a bad signature or an older revision.
    pub fn is_suspect(&self) -> bool {
        matches!(self, VaultProblem::OtherClient { .. })
    }
}

impl fmt::Display for VaultProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultProblem::Empty => {
                write!(f, "the file is empty (truncated); restore it from a backup")
            }
            VaultProblem::NotAge => write!(
                f,
                "the file is not an age-encrypted file (its header is missing or damaged); restore it from a backup"
            ),
            VaultProblem::Truncated => write!(
                f,
                "the file is truncated (its encrypted data ends too early); restore it from a backup"
            ),
            VaultProblem::Damaged => write!(
                f,
                "the file is damaged: its encrypted data fails the integrity check (flipped bits, or cut off in mid-block); restore it from a backup"
            ),
            VaultProblem::WrongIdentity => write!(
                f,
                "it is not encrypted to your identity; use the identity the vault was made for (--identity FILE)"
            ),
            VaultProblem::NotUtf8 => write!(
                f,
                "it decrypts, but its content is not UTF-8 JSON; it was not written by handover"
            ),
            VaultProblem::Schema {
                line,
                column,
                detail,
            } => write!(
                f,
                "it decrypts, but its JSON does not match the vault schema at line {line}, column {column} ({detail}); see docs/FORMAT.md"
            ),
            VaultProblem::NewerVersion { found, supported } => write!(
                f,
                "it has format version {found}, but this handover only reads up to version {supported}; upgrade handover"
            ),
            VaultProblem::Invalid(reason) => write!(f, "its content is invalid: {reason}"),
            VaultProblem::OtherClient { holds, expected } => write!(
                f,
                "its content is invalid: it holds client {holds:?}, not {expected:?} (was the file renamed or swapped?)"
            ),
        }
    }
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureProblem {
    /// There is no signature file.
    Missing,
    /// The signature file is not an SSH signature (cut short, or garbage).
    Malformed,
    /// A valid SSH signature, but made for another purpose.
    WrongNamespace(String),
    /// A well-formed signature that does not match these bytes.
    OtherBytes,
    /// It matches another client's vault: the signature files were swapped.
    Swapped(String),
    /// A valid signature by a key this machine does not trust.
    Untrusted { fingerprint: String },
}

impl fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureProblem::Missing => f.write_str("it has no signature"),
            SignatureProblem::Malformed => {
                f.write_str("its signature file is damaged or cut short (not an SSH signature)")
            }
            // keys::signing::BUNDLE_NAMESPACE (errors import nothing from above them).
            SignatureProblem::WrongNamespace(ns) if ns == "handover-bundle" => {
                write!(
                    f,
                    "its signature is a bundle's (namespace {ns:?}), not a vault's: a bundle was put in place of the vault"
                )
            }
            SignatureProblem::WrongNamespace(ns) => write!(
                f,
                "its signature was made for {ns:?}, not for a handover file"
            ),
            SignatureProblem::OtherBytes => f.write_str(
                "its signature was made over other bytes: the file was changed after it was signed",
            ),
            SignatureProblem::Swapped(other) => write!(
                f,
                "its signature belongs to the vault of client {other:?}: the signature files were swapped"
            ),
            SignatureProblem::Untrusted { fingerprint } => write!(
                f,
                "it was signed by {fingerprint}, a key this machine does not trust"
            ),
        }
    }
}

/// Describes a serde_json error without quoting the input: serde's own messages embed
/// offending values ("invalid type: string \"hunter2\""), and those may be secrets.
pub fn describe_json_error(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let msg = err.to_string();
    match err.classify() {
        Category::Syntax => "malformed JSON".to_owned(),
        Category::Eof => "the JSON ends too early".to_owned(),
        Category::Io => "read error".to_owned(),
        Category::Data => {
            // Messages about a key name are safe and useful; values never are.
            for safe in ["missing field `", "unknown field `", "duplicate field `"] {
                if let Some(rest) = msg.strip_prefix(safe)
                    && let Some(end) = rest.find('`')
                {
                    let name = &rest[..end];
                    if name.len() <= 64
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        return format!("{safe}{name}`");
                    }
                }
            }
            "a value has the wrong type or is not allowed".to_owned()
        }
    }
}
