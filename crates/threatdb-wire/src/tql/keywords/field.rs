//! What keywords refer to, across all tables.

/// What a keyword refers to, shared by all tables (`Id` is the group's id in
/// [`GROUPS`](super::GROUPS), the tag's in [`TAGS`](super::TAGS)). A compiler matches on the
/// table's [`TableKind`](super::TableKind) and this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `id`: the object's id.
    Id,
    /// `summary`: the name (groups, tags, labels) or value (indicators), case-insensitive.
    Summary,
    /// `name`: a tag's or label's name.
    Name,
    /// `typeName`: the group, indicator or attribute type's name.
    TypeName,
    /// `type`: the numeric id of the type.
    TypeId,
    /// `ownerName`: the owner's name.
    OwnerName,
    /// `owner`: the owner's id.
    OwnerId,
    /// `dateAdded`.
    DateAdded,
    /// `lastModified`.
    LastModified,
    /// `eventDate` (Incident).
    EventDate,
    /// `status` (Incident).
    Status,
    /// `xid`: the external id.
    Xid,
    /// `tag`: a tag applied (multi-valued).
    Tag,
    /// `securityLabel`: a label applied (multi-valued).
    SecurityLabel,
    /// `isGroup`: always true for groups.
    IsGroup,
    /// `associatedGroup`: the id of an associated group (multi-valued).
    AssociatedGroup,
    /// `associatedIndicator`: the id of an associated indicator (multi-valued).
    AssociatedIndicator,
    /// `value1`: an indicator's first value.
    Value1,
    /// `value2`: an indicator's second value.
    Value2,
    /// `value3`: an indicator's third value.
    Value3,
    /// `rating`: an indicator's threat rating.
    Rating,
    /// `confidence`: an indicator's confidence.
    Confidence,
    /// `indicatorActive`.
    Active,
    /// `firstSeen`.
    FirstSeen,
    /// `lastSeen`.
    LastSeen,
    /// `color`: a label's colour.
    Color,
    /// `description`: a label's description.
    Description,
    /// `text`: an attribute's value.
    Text,
    /// `default`: whether an attribute is its type's default.
    Default,
    /// `displayed`: whether an attribute is displayed.
    Displayed,
    /// `source`: an attribute's source.
    Source,
}
