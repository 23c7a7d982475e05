//! History: every change to an incident, a group or an indicator and to what hangs off it
//! (tags, security labels, attributes), field by field, recorded by the store in the same
//! transaction as the change, with who made it, through what and for which request.

use crate::{Paging, Timestamp};

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Its id: later changes have higher ids.
    pub id: i64,
    /// What changed: `name`, `eventDate`, `status`, `fields`, `rating`, `confidence`, `tag`,
    /// `securityLabel`, `association`, `attribute:<type>` (its value),
    /// `attribute:<type>:source`, `attribute:<type>:securityLabel`, `created`, `deleted`,
    /// `restored` or `purged`.
    pub field: String,
    /// The value before (none for something added or created; the object's last state, as
    /// JSON, for `deleted`).
    pub old: Option<String>,
    /// The value after (none for something removed or deleted).
    pub new: Option<String>,
    /// The API user who made it, when there was one.
    pub user_id: Option<i64>,
    /// Their name (`createdBy`), or the operator's for a change made on the data directory.
    pub user: String,
    /// Through what: `v2`, `v3`, `web`, `taxii`, `batch`, or `local` for a process working on
    /// the data directory itself.
    pub via: String,
    /// The request's id, when a request made it.
    pub request_id: Option<String>,
    /// When (whole seconds).
    pub at: Timestamp,
}

/// Which changes of an object a reader wants, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Changes at or after this time.
    pub since: Option<Timestamp>,
    /// Changes at or before this time.
    pub until: Option<Timestamp>,
    /// Changes of this field only.
    pub field: Option<String>,
    /// Changes by this user only (their name).
    pub user: Option<String>,
    /// This change only (by its id).
    pub change: Option<i64>,
    /// Changes recorded after this one (a higher id) only.
    pub after: Option<i64>,
    /// The page.
    pub paging: Paging,
}

impl HistoryQuery {
    /// Every change, the first page.
    pub fn all(paging: Paging) -> Self {
        HistoryQuery {
            since: None,
            until: None,
            field: None,
            user: None,
            change: None,
            after: None,
            paging,
        }
    }
}

/// The attribute type of a change of an attribute's value (`attribute:<type>`); `None` for any
/// other field, an attribute's source (`attribute:<type>:source`) and its security labels
/// (`attribute:<type>:securityLabel`) included.
pub fn attribute_value_field(field: &str) -> Option<&str> {
    let kind = field.strip_prefix("attribute:")?;
    (!kind.ends_with(":source") && !kind.ends_with(":securityLabel")).then_some(kind)
}

/// Who the history and the audit log say purged a deleted object (through `sweep`).
pub const SWEEPER: &str = "retention";

/// The two lists of deleted objects a client reads: groups (incidents and every other group
/// type, victims and tasks) and indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Incidents and items.
    Groups,
    /// Indicators.
    Indicators,
}

impl Family {
    /// Its name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Groups => "group",
            Family::Indicators => "indicator",
        }
    }
}

/// A deleted object, kept (with its last state) until the retention sweep purges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    /// Its id (a restore gives it back).
    pub id: i64,
    /// Its type: `incident`, an item's or an indicator's URL name (`adversary`, `host`).
    pub type_name: String,
    /// Its name, or an indicator's value.
    pub name: String,
    /// Its owner's name.
    pub owner: String,
    /// When it was deleted.
    pub deleted_at: Timestamp,
    /// Who deleted it.
    pub deleted_by: String,
}

/// What a restore put back: the object, and what of its last state it could not (an
/// association whose other end is gone, a label no longer defined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The object, by what a store method takes.
    pub subject: crate::Subject,
    /// What was left out, each with its reason.
    pub skipped: Vec<String>,
}
