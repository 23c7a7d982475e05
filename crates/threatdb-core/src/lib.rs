//! The domain of threatdb: incidents and what hangs off them, owners and the people (API users)
//! acting in them, the one authorization policy, and the [`Store`] trait both database backends
//! implement. No I/O lives here: every type parses its input at the boundary and is valid after.
#![warn(missing_docs)]
// The workspace denies unwrap outside tests; tests may unwrap.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod association;
pub mod attribute;
pub mod bulk;
pub mod date;
pub mod incident;
pub mod indicator;
pub mod label;
pub mod owner;
pub mod policy;
pub mod query;
pub mod store;
pub mod tag;
pub mod web;

pub use association::{
    BulkLinks, GroupFilter, Indicator, IndicatorValue, Item, ItemKind, ItemPatch, LinkSet, Linked,
    NewItem, Taggable, Target,
};
pub use attribute::{Attribute, AttributePatch, AttributeType, NewAttribute};
pub use bulk::{BulkLoad, SeedIncident};
pub use date::{Timestamp, format_timestamp, parse_timestamp};
pub use incident::{
    Incident, IncidentDetails, IncidentName, IncidentPatch, IncidentStatus, NewIncident,
};
pub use indicator::IndicatorKind;
pub use label::{SecurityLabel, label_key};
pub use owner::{Actor, Membership, Owner, OwnerKind, Role, validate_owner_name};
pub use query::{IncidentOrder, IncidentQuery, Include, Page, Paging, SortKey};
pub use store::{AdminStore, ApiCredentials, NewApiUser, Store, StoreError, StoreResult};
pub use tag::{Tag, TagName};
pub use web::{NewWebLogin, WebLogin};

/// Why a value from outside could not be turned into a domain value. The message says what to fix
/// and is shown to the client as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Invalid(message.into())
    }
}

/// Refuses text with NUL characters: no database text column can hold them faithfully.
pub fn reject_nul(what: &str, text: &str) -> Result<(), Invalid> {
    if text.contains('\0') {
        return Err(Invalid::new(format!(
            "{what} must not contain NUL characters"
        )));
    }
    Ok(())
}
