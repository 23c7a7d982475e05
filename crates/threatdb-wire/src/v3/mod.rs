//! The ThreatConnect REST API v3 as it crosses the wire (what tcex 4 and 5 speak): the JSON of
//! groups ([`Group`], every type) and indicators ([`Indicator`]), their tags, security labels
//! and attributes, the nested collections (`{"data": [...]}` in responses,
//! `{"data": [...], "mode": "append"}` in requests), the envelopes ([`Single`], [`List`],
//! [`Message`]), the request bodies ([`GroupBody`], [`IndicatorBody`]), the `fields=` names
//! ([`Fields`]) and the `OPTIONS` answers ([`tql_keywords`], [`field_infos`]). The query
//! language of `tql=` lives in [`crate::tql`].
//!
//! Dates are strings `YYYY-MM-DDTHH:MM:SSZ` in responses; in requests any form the API accepts
//! (the server parses them). Ids are JSON integers. `upVoteCount` and `downVoteCount` are
//! strings (`"0"`), as ThreatConnect writes them.

mod body;
mod body_objects;
mod envelope;
mod fields;
mod group;
mod group_kinds;
mod indicator;
mod meta;
mod options;

#[cfg(test)]
mod tests;

pub use body::{AttributeItem, LabelRef, Mode, Nested, TagRef};
pub use body_objects::{GroupBody, IndicatorBody};
pub use envelope::{List, Message, Single, Status, error_json};
pub use fields::{FieldName, Fields, Object};
pub use group::{
    DocumentFields, EventFields, Group, GroupDetails, GroupType, IncidentFields, ReportFields,
};
pub use group_kinds::{EmailFields, SignatureFields, TaskFields};
pub use indicator::{Indicator, IndicatorDetails};
pub use meta::{
    Attribute, Change, DataList, DeletedObject, Restored, Revert, SecurityLabel, Tag, User,
};
pub use options::{FieldInfo, TqlKeywordInfo, field_infos, tql_keywords};
