//! The domain of threatdb: incidents and what hangs off them, owners and the people (API users)
//! acting in them, the one authorization policy, and the [`Store`] trait both database backends
//! implement. No I/O lives here: every type parses its input at the boundary and is valid after.

// Request data passes through this crate: no arithmetic that can overflow, no indexing or
// string slicing that can panic (checked forms, `get`, `split_once` instead).
#![deny(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::string_slice
)]
#![cfg_attr(
    test,
    allow(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]
#![warn(missing_docs)]
// The workspace denies unwrap outside tests; tests may unwrap.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod association;
pub mod attribute;
pub mod audit;
pub mod batch;
pub mod bulk;
pub mod changes;
pub mod context;
pub mod credential;
pub mod dashboard;
pub mod date;
pub mod history;
pub mod import;
pub mod incident;
pub mod indicator;
pub mod indicator_query;
pub mod label;
pub mod nested;
pub mod owner;
pub mod policy;
pub mod query;
pub mod search;
pub mod stix_id;
pub mod store;
pub mod tag;
pub mod web;

pub use association::{
    BulkLinks, GroupFilter, Indicator, IndicatorValue, Item, ItemKind, ItemPatch, LinkSet, Linked,
    NewItem, Subject, Target, rating_hundredths, rating_number,
};
pub use attribute::{ATTRIBUTE_TYPES, Attribute, AttributePatch, AttributeType, NewAttribute};
pub use bulk::{BulkLoad, SeedIncident};
pub use changes::{Change, ChangeKey, ChangeQuery, Changed, ChangedKind};
pub use credential::{ApiToken, ApiUserInfo, NewApiToken, TokenCredentials};
pub use date::{Timestamp, format_timestamp, parse_timestamp, shift};
pub use import::{
    Candidate, ImportAttribute, ImportLink, ImportObject, ImportOutcome, ImportWhat, Imported,
    Local, SameObject,
};
pub use incident::{
    Incident, IncidentDetails, IncidentName, IncidentPatch, IncidentStatus, NewIncident,
};
pub use indicator::IndicatorKind;
pub use indicator_query::{
    IndicatorDetails, IndicatorFilter, IndicatorQuery, ItemDetails, Span, Window,
};
pub use label::{SecurityLabel, label_key, parse_label_name};
pub use nested::{
    AttributeEdit, IncidentTarget, IndicatorScores, IndicatorTarget, ItemTarget, NestedChanges,
    SetMode, confidence,
};
pub use owner::{Actor, Membership, Owner, OwnerKind, Role, validate_owner_name};
pub use query::{
    AttributeCond, AttributeText, Cmp, Cond, Filter, IncidentOrder, IncidentQuery, Include, Page,
    Paging, PlanStep, SortKey, TextMatch,
};
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

/// Refuses text with control characters (Unicode category Cc: U+0000 to U+001F, U+007F to
/// U+009F) in a one-line value (tags, labels, indicator values, owner names). NUL cannot be
/// stored faithfully by every database, and the others (ANSI escapes, carriage returns, bells)
/// reach terminals and logs: they are refused with a message rather than stored (DECISIONS in
/// docs/DECISIONS.md).
pub fn reject_control(what: &str, text: &str) -> Result<(), Invalid> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(Invalid::new(format!(
            "{what} must not contain control characters (found U+{:04X})",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// Like [`reject_control`] for free text (group names, attribute values): tab, line feed and carriage
/// return are allowed, every other control character is refused.
pub fn reject_control_in_text(what: &str, text: &str) -> Result<(), Invalid> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(Invalid::new(format!(
            "{what} must not contain control characters other than tab and line breaks (found U+{:04X})",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused() {
        for bad in [
            "a\0b",
            "\u{1b}[31mred",
            "bell\u{7}",
            "cr\r",
            "nl\n",
            "c1\u{85}",
            "del\u{7f}",
        ] {
            assert!(reject_control("name", bad).is_err(), "{bad:?}");
        }
        assert!(reject_control("name", "caf\u{e9} \u{202e}rtl \u{200b}").is_ok());
        assert!(reject_control_in_text("value", "line\nbreak\r\n\ttab").is_ok());
        assert!(reject_control_in_text("value", "esc\u{1b}[0m").is_err());
        assert!(reject_control_in_text("value", "nul\0").is_err());
    }
}
