//! An owner's objects in the order they last changed: what a TAXII collection serves (each
//! object's `date_added` is its last change) and what an incremental export reads. Pages are
//! keyset pages after a [`ChangeKey`], so a page costs the same at any depth and a walk that
//! runs while objects are written neither repeats nor skips one that existed when it began
//! (a changed object moves to the end, where the walk meets it again).

use crate::{IncidentDetails, IndicatorDetails, ItemDetails, ItemKind, Owner, SecurityLabel};
use crate::{Invalid, Timestamp};

/// The three tables an owner's objects live in, in the order ties on the change time are
/// broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangedKind {
    /// Incidents.
    Incident,
    /// Groups of other types, victims and tasks.
    Item,
    /// Indicators.
    Indicator,
}

/// A position in the change order: (last change, kind, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChangeKey {
    /// When the object last changed.
    pub modified: Timestamp,
    /// Its table.
    pub kind: ChangedKind,
    /// Its id in that table.
    pub id: i64,
}

/// Which objects to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeQuery {
    /// Whose objects.
    pub owner: Owner,
    /// Strictly after this position (`None`: from the start).
    pub after: Option<ChangeKey>,
    /// Incidents too.
    pub incidents: bool,
    /// Items of these kinds (empty: none).
    pub items: Vec<ItemKind>,
    /// Indicators too.
    pub indicators: bool,
    /// At most this many (1 to [`ChangeQuery::MAX_LIMIT`]).
    pub limit: u64,
    /// Only objects whose STIX look-up key ([`crate::stix_id::key`]) is one of these (at most
    /// [`ChangeQuery::MAX_LIMIT`]); the caller compares the whole ids of what they find.
    pub stix_keys: Option<Vec<i64>>,
}

impl ChangeKey {
    /// The position a walk of everything changed at or after `since` starts after: the last
    /// position of the second before it.
    pub fn before(since: Timestamp) -> Result<ChangeKey, Invalid> {
        Ok(ChangeKey {
            modified: crate::shift(since, time::Duration::seconds(-1), "since")?,
            kind: ChangedKind::Indicator,
            id: i64::MAX,
        })
    }
}

impl ChangeQuery {
    /// The largest page.
    pub const MAX_LIMIT: u64 = 1000;

    /// Checks the limit.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.limit == 0 || self.limit > Self::MAX_LIMIT {
            return Err(Invalid::new(format!(
                "a page of changes holds 1 to {} objects",
                Self::MAX_LIMIT
            )));
        }
        if self
            .stix_keys
            .as_ref()
            .is_some_and(|k| k.len() > Self::MAX_LIMIT as usize)
        {
            return Err(Invalid::new(format!(
                "at most {} STIX ids are looked up at once",
                Self::MAX_LIMIT
            )));
        }
        Ok(())
    }
}

/// One object read in change order, with its attributes, tags and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// An incident.
    Incident(IncidentDetails),
    /// An item.
    Item(ItemDetails),
    /// An indicator.
    Indicator(IndicatorDetails),
}

/// A [`Changed`] object with the security labels of each of its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The object.
    pub object: Changed,
    /// Its attributes' labels, by attribute id (attributes without labels are absent).
    pub attribute_labels: Vec<(i64, Vec<SecurityLabel>)>,
    /// An incident's associations that the actor can read (incidents, items, indicators), in
    /// (kind, id) order; a report's incidents (those of its owner associated with it), by id;
    /// empty for other items and for indicators.
    pub links: Vec<crate::Linked>,
}

impl Change {
    /// Where the object stands in the change order.
    pub fn key(&self) -> ChangeKey {
        let (modified, kind, id) = match &self.object {
            Changed::Incident(d) => (
                d.incident.last_modified,
                ChangedKind::Incident,
                d.incident.id,
            ),
            Changed::Item(d) => (d.item.last_modified, ChangedKind::Item, d.item.id),
            Changed::Indicator(d) => (
                d.indicator.last_modified,
                ChangedKind::Indicator,
                d.indicator.id,
            ),
        };
        ChangeKey { modified, kind, id }
    }

    /// The labels of one attribute.
    pub fn labels_of(&self, attribute: i64) -> &[SecurityLabel] {
        self.attribute_labels
            .iter()
            .find(|(id, _)| *id == attribute)
            .map(|(_, l)| l.as_slice())
            .unwrap_or_default()
    }
}
