//! A list of an owner's indicators (the v3 API's `GET /v3/indicators`): the conditions that
//! every database serves from an index (type, value, id, tag, dates), in id order, and one indicator
//! with what hangs off it.

use crate::{
    Attribute, Include, Indicator, IndicatorKind, IndicatorValue, Owner, Paging, SecurityLabel,
    Tag, Timestamp,
};

/// A window of time, bounds excluded (`None`: unbounded on that side).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Later than this.
    pub after: Option<Timestamp>,
    /// Earlier than this.
    pub before: Option<Timestamp>,
}

impl Window {
    /// Both windows at once.
    pub fn and(self, other: Window) -> Window {
        Window {
            after: self.after.max(other.after),
            before: match (self.before, other.before) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    /// Whether no whole second lies inside (times are kept to the second).
    pub fn is_empty(&self) -> bool {
        match (self.after, self.before) {
            (Some(a), Some(b)) => a
                .checked_add(time::Duration::seconds(1))
                .is_none_or(|a1| a1 >= b),
            _ => false,
        }
    }
}

/// Inclusive bounds on a whole number (`None`: unbounded on that side).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// At least this.
    pub min: Option<i64>,
    /// At most this.
    pub max: Option<i64>,
}

impl Span {
    /// Both spans at once.
    pub fn and(self, other: Span) -> Span {
        Span {
            min: self.min.max(other.min),
            max: match (self.max, other.max) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    /// Whether no number lies inside.
    pub fn is_empty(&self) -> bool {
        matches!((self.min, self.max), (Some(a), Some(b)) if a > b)
    }

    /// Whether either side is bounded (a condition at all: an indicator without the value
    /// matches no bounded span).
    pub fn is_bounded(&self) -> bool {
        self.min.is_some() || self.max.is_some()
    }
}

/// What selects indicators; every condition present must hold (`None`: no condition).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorFilter {
    /// One of these types.
    pub kinds: Option<Vec<IndicatorKind>>,
    /// One of these values (each with its type, normalised as stored).
    pub values: Option<Vec<IndicatorValue>>,
    /// One of these ids.
    pub ids: Option<Vec<i64>>,
    /// An id greater than this.
    pub id_above: Option<i64>,
    /// An id less than this.
    pub id_below: Option<i64>,
    /// Tagged with one of these tags (by name, regardless of case).
    pub tags: Option<Vec<String>>,
    /// Added within this window.
    pub added: Window,
    /// Last changed within this window.
    pub modified: Window,
    /// Has an attribute as each of these says.
    pub attributes: Vec<crate::AttributeCond>,
    /// A rating within these bounds, in hundredths (an unrated indicator matches no bounds).
    pub rating: Span,
    /// A confidence within these bounds (an indicator without one matches no bounds).
    pub confidence: Span,
}

impl IndicatorFilter {
    /// Whether no indicator can match (an empty list of types, values, ids or tags, or an
    /// empty id range).
    pub fn is_empty(&self) -> bool {
        let empty = |v: Option<usize>| v == Some(0);
        empty(self.kinds.as_ref().map(Vec::len))
            || empty(self.values.as_ref().map(Vec::len))
            || empty(self.ids.as_ref().map(Vec::len))
            || empty(self.tags.as_ref().map(Vec::len))
            || matches!((self.id_above, self.id_below), (Some(a), Some(b)) if a >= b.saturating_sub(1))
            || self.added.is_empty()
            || self.modified.is_empty()
            || self.rating.is_empty()
            || self.confidence.is_empty()
    }

    /// Both this and `other` (lists intersect, ranges narrow). Two tag conditions cannot be
    /// combined into one list, so the second is refused by the caller before this point.
    pub fn and(mut self, other: IndicatorFilter) -> Self {
        fn both<T: PartialEq>(a: Option<Vec<T>>, b: Option<Vec<T>>) -> Option<Vec<T>> {
            match (a, b) {
                (Some(a), Some(b)) => Some(a.into_iter().filter(|x| b.contains(x)).collect()),
                (a, None) => a,
                (None, b) => b,
            }
        }
        self.kinds = both(self.kinds, other.kinds);
        self.values = both(self.values, other.values);
        self.ids = both(self.ids, other.ids);
        self.tags = both(self.tags, other.tags);
        self.id_above = self.id_above.max(other.id_above);
        self.added = self.added.and(other.added);
        self.modified = self.modified.and(other.modified);
        self.rating = self.rating.and(other.rating);
        self.confidence = self.confidence.and(other.confidence);
        self.attributes.extend(other.attributes);
        self.id_below = match (self.id_below, other.id_below) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self
    }
}

/// A page of an owner's indicators, in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorQuery {
    /// Whose indicators.
    pub owner: Owner,
    /// Which of them.
    pub filter: IndicatorFilter,
    /// Which page.
    pub paging: Paging,
    /// What to load with each.
    pub include: Include,
    /// Whether to count every match (first page only).
    pub count: bool,
}

impl IndicatorQuery {
    /// Every indicator of `owner`, first page, nothing loaded with them.
    pub fn owner(owner: Owner) -> Self {
        IndicatorQuery {
            owner,
            filter: IndicatorFilter::default(),
            paging: Paging::default(),
            include: Include::default(),
            count: false,
        }
    }
}

/// An indicator with what was asked to be loaded with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorDetails {
    /// The indicator itself.
    pub indicator: Indicator,
    /// Its attributes, when asked for.
    pub attributes: Option<Vec<Attribute>>,
    /// Its tags, when asked for.
    pub tags: Option<Vec<Tag>>,
    /// Its security labels, when asked for.
    pub labels: Option<Vec<SecurityLabel>>,
}

impl From<Indicator> for IndicatorDetails {
    /// The indicator alone, nothing included.
    fn from(indicator: Indicator) -> Self {
        IndicatorDetails {
            indicator,
            attributes: None,
            tags: None,
            labels: None,
        }
    }
}

/// A group of another type than Incident with what was asked to be loaded with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDetails {
    /// The group itself.
    pub item: crate::Item,
    /// Its attributes, when asked for.
    pub attributes: Option<Vec<Attribute>>,
    /// Its tags, when asked for.
    pub tags: Option<Vec<Tag>>,
    /// Its security labels, when asked for.
    pub labels: Option<Vec<SecurityLabel>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_intersects_and_narrows() {
        let a = IndicatorFilter {
            kinds: Some(vec![IndicatorKind::Host, IndicatorKind::Address]),
            id_above: Some(5),
            ..Default::default()
        };
        let b = IndicatorFilter {
            kinds: Some(vec![IndicatorKind::Host]),
            id_above: Some(3),
            id_below: Some(9),
            ..Default::default()
        };
        let both = a.and(b);
        assert_eq!(both.kinds, Some(vec![IndicatorKind::Host]));
        assert_eq!((both.id_above, both.id_below), (Some(5), Some(9)));
        assert!(!both.is_empty());
        let none = both.and(IndicatorFilter {
            kinds: Some(vec![IndicatorKind::File]),
            ..Default::default()
        });
        assert!(none.is_empty());
        let range = IndicatorFilter {
            id_above: Some(4),
            id_below: Some(5),
            ..Default::default()
        };
        assert!(range.is_empty());
    }
}
