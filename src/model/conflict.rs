//! What a merge of two copies of a vault could not decide (see `sync::merge`): the
//! same value changed on both sides. Ours stays in place; theirs is kept in a sibling
//! record beside it, until a person looks at both and removes the one not wanted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One record (or the client itself) changed the same way-incompatibly on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeConflict {
    /// `entry`, `system`, `network`, `vendor`, `document`, `decision` or `client`.
    pub record: String,
    /// Our record, kept in place (absent for the client's own fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The sibling record that holds their version; the conflict is resolved once it
    /// is removed (absent for the client's own fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sibling: Option<Uuid>,
    /// How the record is called (its path, name or title), for messages.
    pub name: String,
    /// The names of the values changed on both sides, never the values.
    pub fields: Vec<String>,
    /// For the client's own fields (no secrets among them): their values, as JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub theirs: Vec<(String, String)>,
    #[serde(serialize_with = "super::timestamp::serialize")]
    pub at: DateTime<Utc>,
}
