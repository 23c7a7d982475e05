//! The JSON shapes of the things incidents associate with: groups of the other types, victims,
//! tasks (all "items" in the store) and indicators.

use crate::dto::OwnerDto;
use crate::paths::encode_segment;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use threatdb_core::{Indicator, IndicatorKind, Item, format_timestamp};
use utoipa::ToSchema;

/// A group of another type, a victim or a task, as the API shows it. The type-specific fields
/// (`fileName`, `subject`, ...) follow the common ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemDto {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its `type` (`Adversary`), in group lists.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The owner, on single objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerDto>,
    /// The owner's name, in lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
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
    /// The type-specific fields.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl ItemDto {
    /// Shows an item: a single object (nested `owner`) or a list item (`ownerName`), with its
    /// `type` when asked.
    pub fn new(item: &Item, single: bool, with_type: bool, public_url: &str) -> Self {
        let fields = serde_json::from_str::<Map<String, Value>>(&item.fields).unwrap_or_default();
        ItemDto {
            id: item.id,
            name: item.name.clone(),
            kind: with_type.then(|| item.kind.type_name().to_string()),
            owner: single.then(|| OwnerDto::from(&item.owner)),
            owner_name: (!single).then(|| item.owner.name.clone()),
            date_added: format_timestamp(item.date_added),
            last_modified: format_timestamp(item.last_modified),
            web_link: format!("{public_url}/{}/{}", item.kind.url_name(), item.id),
            fields,
        }
    }
}

/// The body of a group (of a type other than incident), victim or task POST or PUT: its `name`
/// and its type-specific fields (`fileName`, `subject`, ...), which are stored as given. The
/// common fields of [`ItemDto`] (`id`, `owner`, `dateAdded`, ...) are ignored; on PUT a field set
/// to `null` is removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemBody {
    /// The name (required on POST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The type-specific fields.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// The body of an indicator POST: the value under its type's key (`ip`, `address`,
/// `md5`/`sha1`/`sha256`, `hostName`, `text`) or under `summary`, and its `rating` and
/// `confidence`. Other fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorBody {
    /// An Address's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// An EmailAddress's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A File's MD5 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// A File's SHA-1 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    /// A File's SHA-256 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// A Host's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// A URL's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The value, for any type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Threat rating, 0 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// Confidence, 0 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<i64>,
}

impl IndicatorBody {
    /// The value given for an indicator of `kind`: the first of [`indicator_body_keys`] present.
    pub fn value(&self, kind: IndicatorKind) -> Option<&str> {
        indicator_body_keys(kind).iter().find_map(|k| self.get(k))
    }

    fn get(&self, key: &str) -> Option<&str> {
        let field = match key {
            "ip" => &self.ip,
            "address" => &self.address,
            "md5" => &self.md5,
            "sha1" => &self.sha1,
            "sha256" => &self.sha256,
            "hostName" => &self.host_name,
            "text" => &self.text,
            "summary" => &self.summary,
            _ => return None,
        };
        field.as_deref()
    }
}

/// The JSON key holding an indicator's value: `ip`, `address`, `md5`/`sha1`/`sha256`,
/// `hostName`, `text`.
pub fn indicator_value_key(kind: IndicatorKind, value: &str) -> &'static str {
    match kind {
        IndicatorKind::Address => "ip",
        IndicatorKind::EmailAddress => "address",
        IndicatorKind::File => match value.len() {
            32 => "md5",
            40 => "sha1",
            _ => "sha256",
        },
        IndicatorKind::Host => "hostName",
        IndicatorKind::Url => "text",
    }
}

/// The keys a create body may carry the value under, for each type.
pub fn indicator_body_keys(kind: IndicatorKind) -> &'static [&'static str] {
    match kind {
        IndicatorKind::Address => &["ip", "summary"],
        IndicatorKind::EmailAddress => &["address", "summary"],
        IndicatorKind::File => &["md5", "sha1", "sha256", "summary"],
        IndicatorKind::Host => &["hostName", "summary"],
        IndicatorKind::Url => &["text", "summary"],
    }
}

/// An indicator as the API shows it: common fields, `summary`, and the value under its type's
/// key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorDto {
    /// Its id.
    pub id: i64,
    /// Its `type` (`Host`), in lists.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The owner, on single objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerDto>,
    /// The owner's name, in lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
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
    /// The value.
    #[serde(default)]
    pub summary: String,
    /// Threat rating, 0 to 5, when one was set (a batch job sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// Confidence, 0 to 100, when one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<i64>,
    /// The value under its type's key (`hostName`, ...).
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl IndicatorDto {
    /// Shows an indicator: single (nested `owner`) or in a list (`ownerName`, `type`).
    pub fn new(ind: &Indicator, single: bool, public_url: &str) -> Self {
        let mut fields = Map::new();
        fields.insert(
            indicator_value_key(ind.kind, &ind.value).to_string(),
            Value::String(ind.value.clone()),
        );
        IndicatorDto {
            id: ind.id,
            kind: (!single).then(|| ind.kind.type_name().to_string()),
            owner: single.then(|| OwnerDto::from(&ind.owner)),
            owner_name: (!single).then(|| ind.owner.name.clone()),
            date_added: format_timestamp(ind.date_added),
            last_modified: format_timestamp(ind.last_modified),
            web_link: format!(
                "{public_url}/indicators/{}/{}",
                ind.kind.url_name(),
                encode_segment(&ind.value)
            ),
            summary: ind.value.clone(),
            rating: ind.rating.map(threatdb_core::rating_number),
            confidence: ind.confidence.map(i64::from),
            fields,
        }
    }

    /// The JSON key of one indicator of this type (`host`, `emailAddress`, `url`).
    pub fn key(kind: IndicatorKind) -> &'static str {
        match kind {
            IndicatorKind::Address => "address",
            IndicatorKind::EmailAddress => "emailAddress",
            IndicatorKind::File => "file",
            IndicatorKind::Host => "host",
            IndicatorKind::Url => "url",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatdb_core::{Owner, OwnerKind, date::from_unix};

    #[test]
    fn item_kinds_are_the_spec_group_types() {
        use threatdb_core::ItemKind;
        for g in crate::paths::GROUP_TYPES {
            if g.branch == "incidents" {
                assert_eq!(ItemKind::from_url(g.branch), None);
                continue;
            }
            let kind = ItemKind::from_url(g.branch).unwrap();
            assert!(kind.is_group());
            assert_eq!((kind.type_name(), kind.json_key()), (g.name, g.key));
        }
        let groups = ItemKind::ALL.iter().filter(|k| k.is_group()).count();
        assert_eq!(groups, crate::paths::GROUP_TYPES.len() - 1);
    }

    #[test]
    fn indicator_shapes() {
        let ind = Indicator {
            id: 7,
            kind: IndicatorKind::File,
            owner: Owner {
                id: 1,
                name: "Org".into(),
                kind: OwnerKind::Organization,
            },
            value: "a".repeat(40),
            date_added: from_unix(0),
            last_modified: from_unix(0),
            rating: None,
            confidence: None,
            stix_id: None,
        };
        let json = serde_json::to_value(IndicatorDto::new(&ind, false, "https://x")).unwrap();
        assert_eq!(json["sha1"], "a".repeat(40));
        assert_eq!(json["type"], "File");
        assert_eq!(json["ownerName"], "Org");
        let back: IndicatorDto = serde_json::from_value(json).unwrap();
        assert_eq!(back.summary, "a".repeat(40));
    }
}
