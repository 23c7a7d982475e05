//! Importing objects from outside (a STIX bundle, a TAXII envelope): each object with the
//! dates it carries and its external id, written in one owner under the importer's rights;
//! what already exists is updated when the incoming copy is newer and left alone otherwise,
//! so importing the same objects twice changes nothing.

use std::sync::Arc;

use crate::{
    IncidentName, IncidentStatus, IndicatorValue, ItemKind, NewAttribute, TagName, Timestamp,
};

/// One object to import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportObject {
    /// Its external id (a STIX id): kept as the group's xid, so it is found again.
    pub external_id: String,
    /// The natural key its external id derives from (threatdb's own exports name a group's
    /// xid, and its id derives from it in the owner it goes to: the importer checked), kept as
    /// the xid instead of the external id, so the object keeps its xid across servers.
    pub key: Option<String>,
    /// When it was created (kept as dateAdded).
    pub created: Timestamp,
    /// When it was last changed (kept as lastModified; decides whether an update happens).
    pub modified: Timestamp,
    /// What it is.
    pub what: ImportWhat,
    /// Its tags.
    pub tags: Vec<TagName>,
    /// Its security labels, by name.
    pub labels: Vec<String>,
    /// Its attributes, in the order they are to be numbered.
    pub attributes: Vec<ImportAttribute>,
}

/// An attribute with its dates and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportAttribute {
    /// Type, value, displayed, source.
    pub attribute: NewAttribute,
    /// When it was added.
    pub date_added: Timestamp,
    /// When it was last changed.
    pub last_modified: Timestamp,
    /// Its security labels, by name.
    pub labels: Vec<String>,
}

/// What an imported object is.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportWhat {
    /// An incident.
    Incident {
        /// Its name.
        name: IncidentName,
        /// When the event happened.
        event_date: Timestamp,
        /// Its status.
        status: IncidentStatus,
        /// Who created it (kept as `createdBy`), when the source says.
        created_by: Option<String>,
    },
    /// A group of another type.
    Item {
        /// Its kind.
        kind: ItemKind,
        /// Its name.
        name: IncidentName,
        /// Its type-specific fields, a JSON object.
        fields: String,
    },
    /// An indicator (found by owner and value; it has no xid).
    Indicator {
        /// Its value, normalised.
        value: IndicatorValue,
        /// Its rating in hundredths (0 to 500).
        rating: Option<u16>,
        /// Its confidence (0 to 100).
        confidence: Option<u8>,
    },
    /// A security label of the owner (an owner's marking-definition); needs the admin role.
    Label {
        /// Its name.
        name: String,
        /// Its description.
        description: String,
    },
}

/// A stored object the import found for an incoming one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    /// An incident.
    Incident(i64),
    /// An item of a kind.
    Item(ItemKind, i64),
    /// An indicator, by id and value.
    Indicator(i64, IndicatorValue),
    /// A security label.
    Label(i64),
}

/// What happened to one imported object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// It was new.
    Created,
    /// It existed, older: updated.
    Updated,
    /// It existed with the same modification time: nothing changed.
    Unchanged,
    /// It existed and is newer here: nothing changed (reported).
    Older,
}

/// A stored group without an xid offered as "the same" as an incoming one of that owner, kind
/// and name: the importer derives the external id it would be exported with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The local object.
    pub local: Local,
    /// Its owner's name.
    pub owner: String,
}

/// Whether a stored candidate is the incoming object with this external id.
pub type SameObject = Arc<dyn Fn(&Candidate, &str) -> bool + Send + Sync>;

/// One association to import: an incident and what it is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLink {
    /// The incident.
    pub incident: i64,
    /// The other end.
    pub target: crate::Target,
}

/// The outcome of one object: what happened and the local object, or why it was refused.
pub type ImportOutcome = Result<(Imported, Local), String>;
