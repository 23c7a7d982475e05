//! The JSON shapes of v2 resources, for both directions: the server writes them, the SDK reads them.
//! Field names and order follow the ThreatConnect docs; ids are integers; dates are
//! `YYYY-MM-DDTHH:MM:SSZ`.

use crate::paths::encode_segment;
use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use threatdb_core::{
    Attribute, AttributeType, IncidentDetails, Owner, SecurityLabel, Tag, format_timestamp,
};
use utoipa::ToSchema;

/// An owner: `{id, name, type}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OwnerDto {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// `Organization`, `Community` or `Source`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl From<&Owner> for OwnerDto {
    fn from(o: &Owner) -> Self {
        OwnerDto {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.as_str().to_string(),
        }
    }
}

/// An incident (or, with `type`, any group) as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IncidentDto {
    /// Its id (an integer).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// `Incident`, in `/v2/groups` lists only.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The owner, on single objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerDto>,
    /// The owner's name, in lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Who created it (with `includeAdditional`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// When it was added.
    #[schema(format = DateTime)]
    pub date_added: String,
    /// When it last changed.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub last_modified: String,
    /// The page showing it.
    #[serde(default)]
    pub web_link: String,
    /// Its external id (with `includeAdditional`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xid: Option<String>,
    /// When the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub event_date: Option<String>,
    /// Its status (with `includeAdditional`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Its attributes (with `includeAttributes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<Vec<AttributeDto>>,
    /// Its security labels (with `includes=labels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_label: Option<Vec<SecurityLabelDto>>,
    /// Its tags (with `includeTags`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Vec<TagDto>>,
}

/// How an incident is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View<'a> {
    /// A single object (nested `owner`) rather than a list item (`ownerName`).
    pub single: bool,
    /// In a `/v2/groups` list: add `"type":"Incident"`.
    pub with_type: bool,
    /// Show `status`, `createdBy`, `xid`.
    pub additional: bool,
    /// The public URL `webLink`s start with (no trailing slash).
    pub public_url: &'a str,
}

impl IncidentDto {
    /// Shows an incident with the metadata it was loaded with.
    pub fn new(d: &IncidentDetails, view: View<'_>) -> Self {
        let i = &d.incident;
        IncidentDto {
            id: i.id,
            name: i.name.clone(),
            kind: view.with_type.then(|| "Incident".to_string()),
            owner: view.single.then(|| OwnerDto::from(&i.owner)),
            owner_name: (!view.single).then(|| i.owner.name.clone()),
            created_by: view.additional.then(|| i.created_by.clone()),
            date_added: format_timestamp(i.date_added),
            last_modified: format_timestamp(i.last_modified),
            web_link: incident_link(view.public_url, i.id),
            xid: view.additional.then(|| i.xid.clone()),
            event_date: Some(format_timestamp(i.event_date)),
            status: view.additional.then(|| i.status.as_str().to_string()),
            attribute: d
                .attributes
                .as_ref()
                .map(|a| a.iter().map(AttributeDto::from).collect()),
            security_label: d
                .labels
                .as_ref()
                .map(|l| l.iter().map(SecurityLabelDto::from).collect()),
            tag: d
                .tags
                .as_ref()
                .map(|t| t.iter().map(|t| TagDto::new(t, view.public_url)).collect()),
        }
    }

    /// The owner's name, wherever the object carries it.
    pub fn owner_name(&self) -> Option<&str> {
        self.owner_name
            .as_deref()
            .or(self.owner.as_ref().map(|o| o.name.as_str()))
    }
}

/// The `webLink` of an incident.
pub fn incident_link(public_url: &str, id: i64) -> String {
    format!("{public_url}/incidents/{id}")
}

/// The `webLink` of a tag.
pub fn tag_link(public_url: &str, name: &str) -> String {
    format!("{public_url}/tags/{}", encode_segment(name))
}

/// An attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttributeDto {
    /// Its id.
    pub id: i64,
    /// Its type name.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its value.
    pub value: String,
    /// When it was added.
    #[schema(format = DateTime)]
    pub date_added: String,
    /// When it last changed.
    #[schema(format = DateTime)]
    pub last_modified: String,
    /// Shown at the top of the page.
    pub displayed: bool,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl From<&Attribute> for AttributeDto {
    fn from(a: &Attribute) -> Self {
        AttributeDto {
            id: a.id,
            kind: a.kind.clone(),
            value: a.value.clone(),
            date_added: format_timestamp(a.date_added),
            last_modified: format_timestamp(a.last_modified),
            displayed: a.displayed,
            source: a.source.clone(),
        }
    }
}

/// A tag: `{name, webLink}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagDto {
    /// Its name.
    pub name: String,
    /// Its page.
    pub web_link: String,
}

impl TagDto {
    /// Shows a tag.
    pub fn new(t: &Tag, public_url: &str) -> Self {
        TagDto {
            name: t.name.clone(),
            web_link: tag_link(public_url, &t.name),
        }
    }
}

/// A security label: `{name, description, dateAdded, color}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecurityLabelDto {
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// When it was defined.
    #[schema(format = DateTime)]
    pub date_added: String,
    /// Its colour (`RRGGBB`).
    #[serde(default)]
    pub color: String,
}

impl From<&SecurityLabel> for SecurityLabelDto {
    fn from(l: &SecurityLabel) -> Self {
        SecurityLabelDto {
            name: l.name.clone(),
            description: l.description.clone(),
            date_added: format_timestamp(l.date_added),
            color: l.color.clone(),
        }
    }
}

/// An attribute type of `/v2/types/attributeTypes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttributeTypeDto {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Error shown for a bad value.
    pub error_message: String,
    /// Longest value.
    pub max_size: usize,
    /// Markdown allowed.
    pub allow_markdown: bool,
}

impl From<&AttributeType> for AttributeTypeDto {
    fn from(t: &AttributeType) -> Self {
        AttributeTypeDto {
            id: t.id,
            name: t.name.to_string(),
            description: t.description.to_string(),
            error_message: format!(
                "Please enter a valid {} of at most {} characters.",
                t.name, t.max_length
            ),
            max_size: t.max_length,
            allow_markdown: t.max_length > 500,
        }
    }
}

/// The body of an incident POST or PUT. Unknown fields are ignored, as ThreatConnect does; a
/// `null` counts as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IncidentBody {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The event date (ISO-8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_date: Option<String>,
    /// The status (one of the nine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = status_schema)]
    pub status: Option<String>,
    /// An external id (create only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xid: Option<String>,
}

/// The body of an attribute POST or PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttributeBody {
    /// The type name (POST only).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Shown at the top: a JSON bool or the strings `"true"`/`"false"` (the legacy SDK sends strings).
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(schema_with = lenient_bool_schema)]
    pub displayed: Option<bool>,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The schema of `displayed` in a body: what [`lenient_bool`] reads.
fn lenient_bool_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Boolean))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["true", "false"])),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into()
}

/// The schema of an incident `status` in a body: one of the nine, by name.
fn status_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(
            threatdb_core::IncidentStatus::ALL.map(threatdb_core::IncidentStatus::as_str),
        ))
        .build()
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> de::Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("true, false, \"true\" or \"false\"")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// The `data` of an envelope: one collection under its key, with `resultCount` on first pages.
/// Serialises as `{"resultCount": n, "<key>": value}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Data<T> {
    /// The collection key (`incident`, `tag`, ...).
    pub key: &'static str,
    /// `resultCount`, when given.
    pub result_count: Option<u64>,
    /// The object or list.
    pub value: T,
}

impl<T: Serialize> Serialize for Data<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(if self.result_count.is_some() { 2 } else { 1 }))?;
        if let Some(n) = self.result_count {
            map.serialize_entry("resultCount", &n)?;
        }
        map.serialize_entry(self.key, &self.value)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displayed_accepts_bools_and_strings() {
        for (json, want) in [
            (
                r#"{"type":"Description","value":"x","displayed":"true"}"#,
                Some(true),
            ),
            (
                r#"{"type":"Description","value":"x","displayed":false}"#,
                Some(false),
            ),
            (
                r#"{"type":"Description","value":"x","displayed":null}"#,
                None,
            ),
            (r#"{"type":"Description","value":"x"}"#, None),
        ] {
            let b: AttributeBody = serde_json::from_str(json).expect(json);
            assert_eq!(b.displayed, want, "{json}");
        }
        assert!(serde_json::from_str::<AttributeBody>(r#"{"displayed":"maybe"}"#).is_err());
    }

    #[test]
    fn data_puts_the_count_first() {
        let d = Data {
            key: "tag",
            result_count: Some(0),
            value: Vec::<TagDto>::new(),
        };
        assert_eq!(
            serde_json::to_string(&d).expect("json"),
            r#"{"resultCount":0,"tag":[]}"#
        );
    }
}
