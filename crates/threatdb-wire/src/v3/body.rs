//! What clients send: the nested collections of POST and PUT bodies with their `mode`, and
//! the items inside them (tc-v3-wire.md §4 "Create", §7).
//!
//! Unknown keys are ignored everywhere (tcex resends fetched items with read-only keys such as
//! `color`, `lastUsed` or `dateAdded`); read-only fields of the object itself are ignored the
//! same way.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// How a nested collection of a PUT changes the stored one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, ToSchema)]
#[schema(as = V3Mode, rename_all = "lowercase")]
pub enum Mode {
    /// Add the items (the default when `mode` is absent).
    #[default]
    Append,
    /// Remove the items (by `id`, or by `name` for tags and labels).
    Delete,
    /// Make the collection exactly the items.
    Replace,
}

impl Mode {
    /// The wire spelling (`append`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Append => "append",
            Mode::Delete => "delete",
            Mode::Replace => "replace",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Mode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads `append`, `delete` or `replace` in any case; anything else is an error naming them.
impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.trim().to_ascii_lowercase().as_str() {
            "append" => Ok(Mode::Append),
            "delete" => Ok(Mode::Delete),
            "replace" => Ok(Mode::Replace),
            _ => Err(de::Error::custom(format!(
                "mode '{s}' is not valid: use append, delete or replace"
            ))),
        }
    }
}

/// A nested collection in a request: `{"data": [...], "mode": "append"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Nested<T> {
    /// The items (none when absent).
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// What to do with them (append when absent; accepted and ignored on POST).
    #[serde(default)]
    pub mode: Mode,
}

impl<T> Nested<T> {
    /// `items` with `mode`.
    pub fn new(mode: Mode, data: Vec<T>) -> Self {
        Nested { data, mode }
    }
}

/// A tag in a request: by `name`, or by the `id` of an existing tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = V3TagRef)]
pub struct TagRef {
    /// The id of an existing tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The tag's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A security label in a request: by `name` (a known label) or `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = V3LabelRef)]
pub struct LabelRef {
    /// The label's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The label's name (`TLP:GREEN`; the aliases of DECISIONS #7 resolve too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An attribute in a request. Without `id`: a new attribute (`type` and `value` required).
/// With `id`: that attribute, whose `value`/`default` a PUT in append or replace mode updates
/// in place, and which delete mode removes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3AttributeItem)]
pub struct AttributeItem {
    /// The id of an existing attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The attribute type's name (`Description`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether it is the default attribute of its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Whether it is pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    /// Where the information came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Labels for the attribute itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_labels: Option<Nested<LabelRef>>,
}

/// For a field that may be absent (`None`: leave it), `null` (`Some(None)`: clear it) or a
/// value (`Some(Some(v))`). Use with `#[serde(default, deserialize_with = "nullable")]`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
