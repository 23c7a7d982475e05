//! The shapes shared by v3 objects: nested collections (`{"data": [...]}`), the user of
//! `createdBy`, tags, security labels and attributes as responses show them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A nested collection in a response: `{"data": [...]}`. Present only when asked for with
/// `fields=`; an empty requested collection is `{"data": []}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DataList<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

impl<T> DataList<T> {
    /// A collection of `data`.
    pub fn new(data: Vec<T>) -> Self {
        DataList { data }
    }
}

impl<T> Default for DataList<T> {
    fn default() -> Self {
        DataList { data: Vec::new() }
    }
}

/// `{"data": [<a reference to the schema named>]}`: an association list in the OpenAPI document,
/// by reference (groups and indicators list each other, so inlining them would never end).
fn data_of(name: &str) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder};
    ObjectBuilder::new()
        .property(
            "data",
            ArrayBuilder::new().items(utoipa::openapi::Ref::from_schema_name(name)),
        )
        .required("data")
        .build()
}

/// The schema of `associatedGroups`.
pub(crate) fn associated_groups() -> utoipa::openapi::Object {
    data_of("V3Group")
}

/// The schema of `associatedIndicators`.
pub(crate) fn associated_indicators() -> utoipa::openapi::Object {
    data_of("V3Indicator")
}

/// A user, as `createdBy` shows it: `{"id", "userName", "owner"}` and, when known, names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3User)]
pub struct User {
    /// The user's id.
    pub id: i64,
    /// The login or API access id.
    pub user_name: String,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Pseudonym.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    /// The name of the user's organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A tag applied to an object: `{"id", "name", "lastUsed"}` (ATT&CK tags add `techniqueId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Tag)]
pub struct Tag {
    /// The tag's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its description, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it was last applied (`YYYY-MM-DDTHH:MM:SSZ`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<String>,
    /// The ATT&CK technique of an ATT&CK tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique_id: Option<String>,
}

/// A security label applied to an object or an attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3SecurityLabel)]
pub struct SecurityLabel {
    /// The label's id.
    pub id: i64,
    /// Its name (`TLP:GREEN`).
    pub name: String,
    /// Its colour, six hex digits without `#` (`33FF00`).
    #[serde(default)]
    pub color: String,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// The owner defining it (`System` for the TLP labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When it was defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
}

/// An attribute of a group or an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Attribute)]
pub struct Attribute {
    /// The attribute's id.
    pub id: i64,
    /// Its type's name (`Description`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its value.
    pub value: String,
    /// Whether it is the default attribute of its type on the object.
    #[serde(default)]
    pub default: bool,
    /// Whether it is pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    /// Where the information came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When it was added.
    pub date_added: String,
    /// When it last changed.
    pub last_modified: String,
    /// Who added it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<User>,
    /// The labels applied to the attribute itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_labels: Option<DataList<SecurityLabel>>,
}

/// One recorded change of a group or an indicator (a threatdb extension:
/// `GET /v3/groups/{id}/history`, `GET /v3/indicators/{id}/history`), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Change)]
pub struct Change {
    /// The change's id: later changes have higher ids.
    pub id: i64,
    /// What changed: `name`, `eventDate`, `status`, `fields`, `rating`, `confidence`, `tag`,
    /// `securityLabel`, `association`, `attribute:<type>` (and `attribute:<type>:source`,
    /// `attribute:<type>:securityLabel`), `created`, `deleted`, `restored`, `purged`.
    pub field: String,
    /// The value before (absent for something added; the object's last state, as JSON, for
    /// `deleted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    /// The value after (absent for something removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
    /// Who made it: the API user's name.
    pub user: String,
    /// The API user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// Through what: `v2`, `v3`, `web`, `taxii`, `batch` or `local`.
    pub via: String,
    /// The request's id (`X-Request-Id`), when a request made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When (`YYYY-MM-DDTHH:MM:SSZ`).
    pub date: String,
}

/// What `POST /v3/groups/{id}/history/revert` (and the indicator's) takes: the change to undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = V3Revert)]
pub struct Revert {
    /// The id of the change to undo (from the object's history); absent (and no `to`): the
    /// newest change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<i64>,
    /// Instead of one change: put the object back as it was at this time (ISO 8601), undoing
    /// every change made after it, newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Undo it even when a later change touched the same field or value (default: refused
    /// with 409 naming that change).
    #[serde(default)]
    pub overwrite: bool,
}

/// A deleted object kept for restoring (a threatdb extension: `GET /v3/groups/deleted`,
/// `GET /v3/indicators/deleted`), newest deletion first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3DeletedObject)]
pub struct DeletedObject {
    /// Its id: `POST /v3/groups/{id}/restore` (or the indicator's) gives it back with it.
    pub id: i64,
    /// Its type (`Incident`, `Adversary`, `Host`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name, or an indicator's summary.
    pub name: String,
    /// Its owner.
    pub owner_name: String,
    /// When it was deleted (`YYYY-MM-DDTHH:MM:SSZ`).
    pub date_deleted: String,
    /// Who deleted it.
    pub deleted_by: String,
}

/// What `POST /v3/groups/{id}/restore` (or the indicator's) put back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Restored)]
pub struct Restored {
    /// The object's id (the one it had).
    pub id: i64,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// What of its last state could not be put back, each with its reason (an association
    /// whose other end is gone, a security label no longer defined).
    pub skipped: Vec<String>,
}
