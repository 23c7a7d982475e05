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

/// How a text field is compared. Comparisons are byte-exact and case-sensitive except
/// `Contains`, where ASCII letters match regardless of case and every other character exactly
/// (`%` and `_` are plain characters, never wildcards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextMatch {
    /// Equal.
    Equals,
    /// Starts with.
    StartsWith,
    /// Contains (ASCII letters case-insensitively).
    Contains,
    /// Equal, ASCII letters case-insensitively (TQL's `summary =`).
    EqualsFolded,
    /// Starts with, ASCII letters case-insensitively (TQL's `STARTSWITH`).
    StartsWithFolded,
    /// Ends with, ASCII letters case-insensitively (TQL's `ENDSWITH`). Served through the
    /// trigram index only when ANDed with `Contains` of the same text (as TQL compiles it).
    EndsWithFolded,
}

/// How an ordered value (a date) is compared with the one given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// Strictly before / less.
    Lt,
    /// Strictly after / greater.
    Gt,
}

/// One condition on an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// The name, compared as said.
    Name(TextMatch, String),
    /// The status.
    Status(IncidentStatus),
    /// Carries this tag (by tag identity, in the query's owner).
    Tag(String),
    /// Carries this security label (by label identity: the owner's own or a system label).
    Label(String),
    /// Added before or after.
    DateAdded(Cmp, Timestamp),
    /// Its event before or after.
    EventDate(Cmp, Timestamp),
    /// Last changed before or after.
    LastModified(Cmp, Timestamp),
    /// This id.
    Id(i64),
    /// An id below or above.
    IdRange(Cmp, i64),
    /// This external id (exact).
    Xid(String),
    /// Associated with this (an indicator is looked up in the query's owner). The store answers
    /// NotFound when the target is missing or hidden from the actor.
    Associated(Target),
    /// Has an attribute with every property given.
    Attribute(AttributeCond),
}

/// What `hasAttribute(...)` asks of one of an incident's attributes: every part given holds
/// for the same attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeCond {
    /// Its type, by its canonical name (`Description`, ...: see `ATTRIBUTE_TYPES`).
    pub type_name: Option<String>,
    /// Its value.
    pub text: Option<AttributeText>,
}

/// How an attribute's value is matched: ASCII letters regardless of case, as every TQL string
/// comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeText {
    /// The whole value.
    Is(String),
    /// A part of it.
    Contains(String),
}

/// A filter: conditions combined with AND, OR and NOT. `Filter::all()` (an empty AND) matches
/// everything. The v2 `filters=` parameter, the web UI's list form and TQL all compile to it,
/// and one renderer per store turns it into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// One condition.
    Cond(Cond),
    /// Every part holds (empty: always).
    And(Vec<Filter>),
    /// Some part holds (empty: never).
    Or(Vec<Filter>),
    /// The part does not hold.
    Not(Box<Filter>),
}

impl Filter {
    /// Matches everything.
    pub fn all() -> Self {
        Filter::And(Vec::new())
    }

    /// Whether this is the always-true filter.
    pub fn is_all(&self) -> bool {
        matches!(self, Filter::And(parts) if parts.is_empty())
    }

    /// This filter and `cond` (flattening into a top-level AND).
    pub fn and(self, cond: Cond) -> Self {
        match self {
            Filter::And(mut parts) => {
                parts.push(Filter::Cond(cond));
                Filter::And(parts)
            }
            other => Filter::And(vec![other, Filter::Cond(cond)]),
        }
    }

    /// The conditions ANDed at the top level, if the filter is nothing but such an AND (or one
    /// condition); `None` when OR or NOT appear at the top.
    pub fn conjunction(&self) -> Option<Vec<&Cond>> {
        match self {
            Filter::Cond(c) => Some(vec![c]),
            Filter::And(parts) => {
                let mut out = Vec::with_capacity(parts.len());
                for p in parts {
                    out.extend(p.conjunction()?);
                }
                Some(out)
            }
            Filter::Or(_) | Filter::Not(_) => None,
        }
    }

    /// Every condition anywhere in the tree.
    pub fn conditions(&self) -> Vec<&Cond> {
        let mut out = Vec::new();
        self.visit(&mut |c| out.push(c));
        out
    }

    fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Cond)) {
        match self {
            Filter::Cond(c) => f(c),
            Filter::And(parts) | Filter::Or(parts) => parts.iter().for_each(|p| p.visit(f)),
            Filter::Not(part) => part.visit(f),
        }
    }
}

/// A query over one owner's incidents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentQuery {
    /// The owner searched.
    pub owner: Owner,
    /// Which incidents.
    pub filter: Filter,
    /// The order of the list: by id, ascending, unless asked otherwise (the API's order).
    pub order: IncidentOrder,
    /// Metadata to load.
    pub include: Include,
    /// The window.
    pub paging: Paging,
    /// Whether a first page counts every match (v2's `resultCount`, v3's `count=true`). Without
    /// it a filtered list counts at most what choosing its plan needs (10,000), and its first
    /// page has a total only where a counter gives one for free (the owner's, a label's).
    pub count: bool,
}

impl IncidentQuery {
    /// All incidents of `owner`, first page.
    pub fn owner(owner: Owner) -> Self {
        IncidentQuery {
            owner,
            filter: Filter::all(),
            order: IncidentOrder::default(),
            include: Include::default(),
            paging: Paging::default(),
            count: true,
        }
    }

    /// Adds a condition, ANDed with the others.
    pub fn and(&mut self, cond: Cond) -> &mut Self {
        self.filter = std::mem::replace(&mut self.filter, Filter::all()).and(cond);
        self
    }

    /// The query with one more condition.
    pub fn with(mut self, cond: Cond) -> Self {
        self.and(cond);
        self
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

/// One statement a query runs, with the plan the database chose for it (`explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    /// The statement (placeholders, no values).
    pub statement: String,
    /// The plan, one line per step, as the database describes it.
    pub plan: Vec<String>,
}
