//! The answers of `OPTIONS /v3/{endpoint}/tql` and `OPTIONS /v3/{endpoint}/fields`
//! (tc-v3-wire.md §9), built from the keyword tables and the `fields=` names.

use super::envelope::List;
use super::fields::Object;
use crate::tql::Table;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One keyword of `OPTIONS .../tql`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3TqlKeyword)]
pub struct TqlKeywordInfo {
    /// The keyword (`dateAdded`).
    pub keyword: String,
    /// Its display name (`Date Added`).
    pub name: String,
    /// Its type: `Integer`, `String`, `StringLower`, `Date`, `Boolean` or `Sub Query`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it means.
    pub description: String,
    /// Always false: threatdb does not group results.
    pub groupable: bool,
    /// Always true.
    pub targetable: bool,
}

/// One name of `OPTIONS .../fields`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Field)]
pub struct FieldInfo {
    /// The name `fields=` takes.
    pub name: String,
    /// What it adds.
    pub description: String,
    /// Always false: nested collections come only when asked for.
    pub included_by_default: bool,
}

/// The keywords and sub-queries of `table`, with their count.
pub fn tql_keywords(table: &'static Table) -> List<TqlKeywordInfo> {
    let plain = table.keywords.iter().map(|k| TqlKeywordInfo {
        keyword: k.name.to_string(),
        name: k.label.to_string(),
        kind: k.ty.wire_name().to_string(),
        description: k.description.to_string(),
        groupable: false,
        targetable: true,
    });
    let subs = table.subqueries.iter().map(|s| TqlKeywordInfo {
        keyword: s.name.to_string(),
        name: s.label.to_string(),
        kind: "Sub Query".to_string(),
        description: s.description.to_string(),
        groupable: false,
        targetable: true,
    });
    counted(plain.chain(subs).collect())
}

/// The `fields=` names of `object`, with their count.
pub fn field_infos(object: Object) -> List<FieldInfo> {
    counted(
        object
            .fields()
            .iter()
            .map(|f| FieldInfo {
                name: f.as_str().to_string(),
                description: f.description(object.noun()),
                included_by_default: false,
            })
            .collect(),
    )
}

fn counted<T>(data: Vec<T>) -> List<T> {
    let mut list = List::new(data);
    list.count = u64::try_from(list.data.len()).ok();
    list
}
