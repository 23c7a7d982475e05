//! The bodies of `POST`/`PUT /v3/groups` and `/v3/indicators`. Every field is optional here;
//! what a create requires (`type` and `name` for a group, `type` and the value for an
//! indicator) is the server's check, so it can answer with a precise 400. The same shapes are
//! the items of `associatedGroups` / `associatedIndicators`: `{"id": 12}` names an existing
//! object, an item without `id` creates one in the same owner.

use super::body::{AttributeItem, LabelRef, Nested, TagRef, nullable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"data": [<a reference to the body named>], "mode": ...}` in the OpenAPI document: by
/// reference, since group and indicator bodies hold each other.
fn nested_of(name: &str) -> utoipa::openapi::Object {
    use utoipa::PartialSchema;
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder};
    ObjectBuilder::new()
        .property(
            "data",
            ArrayBuilder::new().items(utoipa::openapi::Ref::from_schema_name(name)),
        )
        .property("mode", super::body::Mode::schema())
        .build()
}

fn nested_groups() -> utoipa::openapi::Object {
    nested_of("V3GroupBody")
}

fn nested_indicators() -> utoipa::openapi::Object {
    nested_of("V3IndicatorBody")
}

/// A group in a request. Fields marked "nullable" distinguish absent (`None`: unchanged) from
/// `null` (`Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3GroupBody)]
pub struct GroupBody {
    /// An existing group (inside `associatedGroups`; ignored at the top level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The group type (`Incident`); required on create, must match on update.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The name; required on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The owner to create in, by id (POST only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<i64>,
    /// The owner to create in, by name (POST only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// The external id, unique per owner (POST only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xid: Option<String>,
    /// Incident, Event: when it happened. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_date: Option<Option<String>>,
    /// Incident, Event, Task: the status. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<Option<String>>,
    /// Event: its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// When first seen. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_seen: Option<Option<String>>,
    /// When last seen. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_seen: Option<Option<String>>,
    /// When created elsewhere. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_date_added: Option<Option<String>>,
    /// When it expires elsewhere. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_date_expires: Option<Option<String>>,
    /// When modified elsewhere. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_last_modified: Option<Option<String>>,
    /// Document, Report, Signature: the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Document: whether the file is malware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malware: Option<bool>,
    /// Document: the password of a malware archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Report: when published. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub publish_date: Option<Option<String>>,
    /// Signature: the language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    /// Signature: the signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_text: Option<String>,
    /// Email: `From:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Email: the subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Email: the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Email: the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Task: when due. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<Option<String>>,
    /// Task: when to remind. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub reminder_date: Option<Option<String>>,
    /// Task: when to escalate. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub escalation_date: Option<Option<String>>,
    /// Tags to apply, remove or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Nested<TagRef>>,
    /// Security labels to apply, remove or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_labels: Option<Nested<LabelRef>>,
    /// Attributes to add, update, remove or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Nested<AttributeItem>>,
    /// Groups to associate, dissociate or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = nested_groups)]
    pub associated_groups: Option<Nested<GroupBody>>,
    /// Indicators to associate, dissociate or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = nested_indicators)]
    pub associated_indicators: Option<Nested<IndicatorBody>>,
}

/// An indicator in a request. The value goes in the field of its type (`ip`, `address`,
/// `hostName`, `text`, `md5`/`sha1`/`sha256`), or `value1`..`value3` for the others.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3IndicatorBody)]
pub struct IndicatorBody {
    /// An existing indicator (inside `associatedIndicators`; ignored at the top level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The indicator type (`Host`); required on create.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The owner to create in, by id (POST only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<i64>,
    /// The owner to create in, by name (POST only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Address: the IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// EmailAddress: the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Host: the host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// URL: the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// File: MD5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// File: SHA1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    /// File: SHA256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// File: size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// Other types: the first value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value1: Option<String>,
    /// Other types: the second value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value2: Option<String>,
    /// Other types: the third value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value3: Option<String>,
    /// Threat rating, 0 to 5. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub rating: Option<Option<f64>>,
    /// Confidence, 0 to 100. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub confidence: Option<Option<i64>>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether `active` is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_locked: Option<bool>,
    /// Whether only the owner's members may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_flag: Option<bool>,
    /// Host: DNS resolution tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_active: Option<bool>,
    /// Host: WHOIS tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whois_active: Option<bool>,
    /// When first seen. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_seen: Option<Option<String>>,
    /// When last seen. Nullable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_seen: Option<Option<String>>,
    /// Tags to apply, remove or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Nested<TagRef>>,
    /// Security labels to apply, remove or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_labels: Option<Nested<LabelRef>>,
    /// Attributes to add, update, remove or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Nested<AttributeItem>>,
    /// Groups to associate, dissociate or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = nested_groups)]
    pub associated_groups: Option<Nested<GroupBody>>,
    /// Indicators to associate, dissociate or set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = nested_indicators)]
    pub associated_indicators: Option<Nested<IndicatorBody>>,
}
