//! Post-filters: client-side tests of what the requests returned, and how they compare.

use threatdb_core::{Timestamp, parse_timestamp};

/// How a post-filter compares an incident's value with the filter's: the Python SDK's
/// `FilterOperator` (`EQ`, `NE`, `GT`, `GE`, `LT`, `LE`). `Gt` keeps incidents whose value is
/// greater than the filter's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FilterOperator {
    /// Equal (the default in Python).
    #[default]
    Eq,
    /// Not equal.
    Ne,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
}

impl FilterOperator {
    fn holds<T: PartialOrd + ?Sized>(self, value: &T, filter: &T) -> bool {
        match self {
            FilterOperator::Eq => value == filter,
            FilterOperator::Ne => value != filter,
            FilterOperator::Gt => value > filter,
            FilterOperator::Ge => value >= filter,
            FilterOperator::Lt => value < filter,
            FilterOperator::Le => value <= filter,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            FilterOperator::Eq => "==",
            FilterOperator::Ne => "!=",
            FilterOperator::Gt => ">",
            FilterOperator::Ge => ">=",
            FilterOperator::Lt => "<",
            FilterOperator::Le => "<=",
        }
    }
}

/// A client-side filter applied to what the requests returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PostFilter {
    Name(String, FilterOperator),
    DateAdded(Timestamp, String, FilterOperator),
    FileType(String, FilterOperator),
}

impl PostFilter {
    /// Whether an incident with this name and `dateAdded` passes.
    pub(crate) fn keeps(&self, name: &str, date_added: &str) -> bool {
        match self {
            PostFilter::Name(v, op) => op.holds(name, v.as_str()),
            PostFilter::DateAdded(t, _, op) => parse_timestamp(date_added)
                .map(|added| op.holds(&added, t))
                .unwrap_or(false),
            // Incidents have no file type: this filter keeps everything, as in Python.
            PostFilter::FileType(..) => true,
        }
    }

    pub(super) fn describe(&self) -> String {
        match self {
            PostFilter::Name(v, op) => format!("post filter by name {} \"{v}\"", op.symbol()),
            PostFilter::DateAdded(_, v, op) => {
                format!("post filter by date added {} \"{v}\"", op.symbol())
            }
            PostFilter::FileType(v, op) => {
                format!("post filter by file type {} \"{v}\"", op.symbol())
            }
        }
    }
}
