//! Queries over incidents and the pages they return.

use crate::{IncidentStatus, Invalid, Owner, Target, Timestamp};

/// Which metadata to load with each incident.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Include {
    /// `status`, `createdBy`, `xid` (always loaded; only shown when asked).
    pub additional: bool,
    /// The incident's attributes.
    pub attributes: bool,
    /// The incident's tags.
    pub tags: bool,
    /// The incident's security labels.
    pub labels: bool,
}

/// A window into a list: `resultStart` and `resultLimit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Index of the first item (0-based).
    pub start: u64,
    /// How many items at most.
    pub limit: u64,
}

impl Paging {
    /// The largest page.
    pub const MAX_LIMIT: u64 = 10_000;
    /// The page size when none is asked for.
    pub const DEFAULT_LIMIT: u64 = 100;

    /// Checks `resultStart` ≥ 0 and 1 ≤ `resultLimit` ≤ 10,000.
    pub fn new(start: u64, limit: u64) -> Result<Self, Invalid> {
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(Invalid::new(format!(
                "resultLimit must be between 1 and {}, not {limit}",
                Self::MAX_LIMIT
            )));
        }
        if start > i64::MAX as u64 {
            return Err(Invalid::new("resultStart is too large"));
        }
        Ok(Paging { start, limit })
    }
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            start: 0,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// A query over one owner's incidents. Every condition is ANDed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentQuery {
    /// The owner searched.
    pub owner: Owner,
    /// Only incidents carrying this tag (by tag identity).
    pub tag: Option<String>,
    /// Only incidents carrying this security label (by label identity).
    pub label: Option<String>,
    /// Only incidents with exactly this name.
    pub name_eq: Option<String>,
    /// Only incidents whose name starts with this.
    pub name_prefix: Option<String>,
    /// Added strictly before.
    pub added_before: Option<Timestamp>,
    /// Added strictly after.
    pub added_after: Option<Timestamp>,
    /// Event strictly before.
    pub event_before: Option<Timestamp>,
    /// Event strictly after.
    pub event_after: Option<Timestamp>,
    /// Only incidents with this status.
    pub status: Option<IncidentStatus>,
    /// Only incidents whose name contains this text; ASCII letters match regardless of case,
    /// every other character exactly (`%` and `_` are plain characters, not wildcards).
    pub name_contains: Option<String>,
    /// Only incidents associated with this (an indicator is looked up in the query's owner).
    /// The store answers NotFound when the target is missing or hidden from the actor.
    pub associated: Option<Target>,
    /// The order of the list: by id, ascending, unless asked otherwise (the API's order).
    pub order: IncidentOrder,
    /// Metadata to load.
    pub include: Include,
    /// The window.
    pub paging: Paging,
}

impl IncidentQuery {
    /// All incidents of `owner`, first page.
    pub fn owner(owner: Owner) -> Self {
        IncidentQuery {
            owner,
            tag: None,
            label: None,
            name_eq: None,
            name_prefix: None,
            added_before: None,
            added_after: None,
            event_before: None,
            event_after: None,
            status: None,
            name_contains: None,
            associated: None,
            order: IncidentOrder::default(),
            include: Include::default(),
            paging: Paging::default(),
        }
    }
}

/// What a list of incidents is sorted by. Ties are broken by id, in the same direction, so
/// pages never overlap or skip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// Creation order (the API's order).
    #[default]
    Id,
    /// When the incident was added.
    DateAdded,
    /// When the event happened.
    EventDate,
    /// The name, ASCII letters compared regardless of case, other characters by code point.
    Name,
}

/// The order of a list of incidents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct IncidentOrder {
    /// The sort key.
    pub key: SortKey,
    /// Largest first.
    pub descending: bool,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// How many match in all; only computed for the first page (`resultStart=0`).
    pub total: Option<u64>,
    /// The items of this page.
    pub items: Vec<T>,
}
