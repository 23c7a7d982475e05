//! One write of an incident with its nested collections (the v3 API's `POST` and `PUT
//! /v3/groups`): the incident's own fields plus changes to its tags, security labels and
//! attributes, applied by the store in one transaction, all or nothing.

use crate::{
    AttributePatch, IncidentPatch, IndicatorValue, ItemKind, ItemPatch, NewAttribute, NewIncident,
    NewItem, Owner, TagName,
};

/// How a nested collection changes (`"mode"` in a v3 body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetMode {
    /// Add what is not there yet (an attribute with an id: update it in place).
    #[default]
    Append,
    /// Remove what is named (absent items are no error).
    Delete,
    /// Exactly the given set afterwards.
    Replace,
}

/// One attribute of a nested change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeEdit {
    /// A new attribute.
    New(NewAttribute),
    /// An existing attribute of the incident, by id, with what changes in it (nothing for a
    /// delete, or to keep it in a replace).
    Existing {
        /// The attribute's id.
        id: i64,
        /// Its new value, default flag or source.
        patch: AttributePatch,
    },
}

/// Changes to an incident's nested collections; `None` leaves a collection as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NestedChanges {
    /// Tags by name.
    pub tags: Option<(SetMode, Vec<TagName>)>,
    /// Security labels by name (aliases resolve as everywhere).
    pub labels: Option<(SetMode, Vec<String>)>,
    /// Attributes.
    pub attributes: Option<(SetMode, Vec<AttributeEdit>)>,
    /// Associated groups by id (an incident or a group of another type: one id space). On an
    /// indicator, incidents only.
    pub groups: Option<(SetMode, Vec<i64>)>,
    /// Associated indicators (of an incident), by value in the incident's owner.
    pub indicators: Option<(SetMode, Vec<IndicatorValue>)>,
    /// An indicator's own rating and confidence.
    pub scores: IndicatorScores,
}

/// A change to an indicator's rating and confidence: `None` leaves one as it is, `Some(None)`
/// clears it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndicatorScores {
    /// The rating, 0 to 5 in hundredths.
    pub rating: Option<Option<u16>>,
    /// The confidence, 0 to 100.
    pub confidence: Option<Option<u8>>,
}

impl IndicatorScores {
    /// Reads a rating (0 to 5) and a confidence (0 to 100) as the API writes them: `None`
    /// leaves one as it is, `Some(None)` (a JSON `null`) clears it.
    pub fn parse(
        rating: Option<Option<f64>>,
        confidence: Option<Option<i64>>,
    ) -> Result<Self, crate::Invalid> {
        Ok(IndicatorScores {
            rating: rating
                .map(|r| r.map(crate::rating_hundredths).transpose())
                .transpose()?,
            confidence: confidence
                .map(|c| c.map(self::confidence).transpose())
                .transpose()?,
        })
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.rating.is_none() && self.confidence.is_none()
    }
}

/// A confidence as the API writes it, or why it is not one (0 to 100).
pub fn confidence(value: i64) -> Result<u8, crate::Invalid> {
    u8::try_from(value)
        .ok()
        .filter(|c| *c <= 100)
        .ok_or_else(|| crate::Invalid::new(format!("confidence {value} is not between 0 and 100")))
}

/// Which incident a write is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentTarget {
    /// A new incident in this owner.
    Create(Owner, NewIncident),
    /// An existing incident and what changes in its own fields.
    Update(i64, IncidentPatch),
}

/// Which indicator a write is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndicatorTarget {
    /// A new indicator with this value in this owner (one that exists already is a Conflict).
    Create(Owner, IndicatorValue),
    /// An existing indicator, by id.
    Existing(i64),
}

/// Which group of another type than Incident a write is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemTarget {
    /// A new group in this owner.
    Create(Owner, NewItem),
    /// An existing group of this kind, and what changes in its name and own fields.
    Update(ItemKind, i64, ItemPatch),
}
