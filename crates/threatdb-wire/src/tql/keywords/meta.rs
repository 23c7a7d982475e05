//! The keywords of the metadata endpoints, which are also what the sub-queries `hasTag(...)`,
//! `hasSecurityLabel(...)` and `hasAttribute(...)` search: `/v3/tags`, `/v3/securityLabels`,
//! `/v3/groupAttributes`, `/v3/indicatorAttributes`.
//!
//! tcex lists an object's tags, labels and attributes through these endpoints with a
//! sub-query naming the parent, e.g. `GET /v3/tags?tql=hasGroup(id = 12)` or
//! `GET /v3/securityLabels?tql=hasIndicator(summary = "1.2.3.4")`, hence their `hasGroup` and
//! `hasIndicator`.

use super::{Field as F, Keyword as K, Related, Table, TableKind, ValueType as T, sub};
use super::{GROUPS, INDICATORS};

/// `/v3/tags`, and inside `hasTag(...)`. A tag's `name` compares case-sensitively (as in
/// ThreatConnect); `summary` is the case-insensitive tag name.
#[rustfmt::skip]
pub static TAGS: Table = Table {
    kind: TableKind::Tags,
    endpoint: "tags",
    keywords: &[
        K::new("id", "ID", F::Id, T::Integer, "The ID of the tag"),
        K::new("name", "Name", F::Name, T::String, "The name of the tag (case-sensitive)").exact_case(),
        K::new("summary", "Summary", F::Summary, T::StringLower, "The name of the tag (case-insensitive)"),
        K::new("ownerName", "Owner Name", F::OwnerName, T::String, "The name of the owner of the tag"),
        K::new("owner", "Owner ID", F::OwnerId, T::Integer, "The ID of the owner of the tag"),
    ],
    subqueries: &[
        sub("hasGroup", "Has Group", Related::Groups, &GROUPS, "A nested query for groups the tag is applied to"),
        sub("hasIndicator", "Has Indicator", Related::Indicators, &INDICATORS, "A nested query for indicators the tag is applied to"),
    ],
    hints: &[("tag", "name")],
    unsupported: &[
        "associatedCase", "associatedGroup", "associatedIndicator", "associatedVictim",
        "caseId", "description", "financialRisk", "financialRiskScore", "financialRiskValue",
        "hasCase", "hasVictim", "lastUsed", "securityCoverage", "techniqueId",
    ],
};

/// `/v3/securityLabels`, and inside `hasSecurityLabel(...)`.
#[rustfmt::skip]
pub static SECURITY_LABELS: Table = Table {
    kind: TableKind::SecurityLabels,
    endpoint: "securityLabels",
    keywords: &[
        K::new("id", "ID", F::Id, T::Integer, "The ID of the security label"),
        K::new("name", "Name", F::Name, T::String, "The name of the security label"),
        K::new("summary", "Summary", F::Summary, T::StringLower, "The name of the security label"),
        K::new("color", "Color", F::Color, T::String, "The color of the security label (hex, e.g. FFC000)"),
        K::new("description", "Description", F::Description, T::String, "The description of the security label"),
        K::new("dateAdded", "Date Added", F::DateAdded, T::Date, "The date the security label was added"),
        K::new("ownerName", "Owner Name", F::OwnerName, T::String, "The name of the owner of the security label"),
    ],
    subqueries: &[
        sub("hasGroup", "Has Group", Related::Groups, &GROUPS, "A nested query for groups the label is applied to"),
        sub("hasIndicator", "Has Indicator", Related::Indicators, &INDICATORS, "A nested query for indicators the label is applied to"),
    ],
    hints: &[("label", "name")],
    unsupported: &[
        "hasGroupAttribute", "hasIndicatorAttribute", "hasVictim", "hasVictimAttribute",
        "owner", "victimId",
    ],
};

/// `/v3/groupAttributes`, and `hasAttribute(...)` on groups.
#[rustfmt::skip]
pub static GROUP_ATTRIBUTES: Table = Table {
    kind: TableKind::GroupAttributes,
    endpoint: "groupAttributes",
    keywords: ATTRIBUTE_KEYWORDS,
    subqueries: &[
        sub("hasSecurityLabel", "Has Security Label", Related::SecurityLabels, &SECURITY_LABELS, "A nested query for security labels applied to the attribute"),
        sub("hasGroup", "Has Group", Related::Groups, &GROUPS, "A nested query for the group the attribute belongs to"),
    ],
    unsupported: ATTRIBUTE_UNSUPPORTED,
    hints: &[("value", "text"), ("attributeType", "typeName")],
};

/// `/v3/indicatorAttributes`, and `hasAttribute(...)` on indicators.
#[rustfmt::skip]
pub static INDICATOR_ATTRIBUTES: Table = Table {
    kind: TableKind::IndicatorAttributes,
    endpoint: "indicatorAttributes",
    keywords: ATTRIBUTE_KEYWORDS,
    subqueries: &[
        sub("hasSecurityLabel", "Has Security Label", Related::SecurityLabels, &SECURITY_LABELS, "A nested query for security labels applied to the attribute"),
        sub("hasIndicator", "Has Indicator", Related::Indicators, &INDICATORS, "A nested query for the indicator the attribute belongs to"),
    ],
    unsupported: ATTRIBUTE_UNSUPPORTED,
    hints: &[("value", "text"), ("attributeType", "typeName")],
};

#[rustfmt::skip]
const ATTRIBUTE_KEYWORDS: &[K] = &[
    K::new("id", "ID", F::Id, T::Integer, "The ID of the attribute"),
    K::new("typeName", "Type Name", F::TypeName, T::String, "The name of the attribute type (Description, Source, ...)"),
    K::new("type", "Type", F::TypeId, T::Integer, "The ID of the attribute type"),
    K::new("text", "Text", F::Text, T::String, "The value of the attribute"),
    K::new("default", "Default", F::Default, T::Boolean, "Whether the attribute is the default of its type"),
    K::new("displayed", "Displayed", F::Displayed, T::Boolean, "Whether the attribute is displayed"),
    K::new("source", "Source", F::Source, T::String, "The source of the attribute").nullable(),
    K::new("dateAdded", "Date Added", F::DateAdded, T::Date, "The date the attribute was added"),
    K::new("lastModified", "Last Modified", F::LastModified, T::Date, "The date the attribute was last modified"),
];

const ATTRIBUTE_UNSUPPORTED: &[&str] = &[
    "associable",
    "dateVal",
    "groupId",
    "indicatorId",
    "intVal",
    "maxSize",
    "owner",
    "ownerName",
    "pinned",
    "shortText",
    "user",
];
