//! API filters: each one request, its path and whether it takes `owner=` and pages.

use threatdb_wire::paths::encode_segment;

/// One request-making filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiFilter {
    /// `GET /v2/groups/incidents/{id}?owner=` (not paginated).
    Id(i64),
    /// `GET /v2/groups/{branch}/{id}/groups/incidents` (no owner).
    Group { branch: &'static str, id: i64 },
    /// `GET /v2/indicators/{branch}/{value}/groups/incidents?owner=`.
    Indicator { branch: &'static str, value: String },
    /// `GET /v2/securityLabels/{label}/groups/incidents?owner=`.
    SecurityLabel(String),
    /// `GET /v2/tags/{tag}/groups/incidents?owner=`.
    Tag(String),
    /// `GET /v2/tasks/{id}/groups/incidents?owner=`.
    Task(i64),
    /// `GET /v2/victims/{id}/groups/incidents` (no owner).
    Victim(i64),
}

/// What a filter request looks like before owner, paging and `filters=` are added.
pub(crate) struct FilterRequest {
    pub path: String,
    pub owner_allowed: bool,
    pub paginated: bool,
}

impl ApiFilter {
    /// The path of this filter's request, and whether it takes `owner=` and pages.
    pub(crate) fn request(&self) -> FilterRequest {
        let (path, owner_allowed, paginated) = match self {
            ApiFilter::Id(id) => (format!("/v2/groups/incidents/{id}"), true, false),
            ApiFilter::Group { branch, id } => (
                format!("/v2/groups/{branch}/{id}/groups/incidents"),
                false,
                true,
            ),
            ApiFilter::Indicator { branch, value } => (
                format!(
                    "/v2/indicators/{branch}/{}/groups/incidents",
                    encode_segment(value)
                ),
                true,
                true,
            ),
            ApiFilter::SecurityLabel(l) => (
                format!("/v2/securityLabels/{}/groups/incidents", encode_segment(l)),
                true,
                true,
            ),
            ApiFilter::Tag(t) => (
                format!("/v2/tags/{}/groups/incidents", encode_segment(t)),
                true,
                true,
            ),
            ApiFilter::Task(id) => (format!("/v2/tasks/{id}/groups/incidents"), true, true),
            ApiFilter::Victim(id) => (format!("/v2/victims/{id}/groups/incidents"), false, true),
        };
        FilterRequest {
            path,
            owner_allowed,
            paginated,
        }
    }

    pub(super) fn describe(&self) -> String {
        match self {
            ApiFilter::Id(id) => format!("api filter by id {id}"),
            ApiFilter::Group { branch, id } => {
                format!("api filter by {} id {id}", branch.trim_end_matches('s'))
            }
            ApiFilter::Indicator { value, .. } => format!("api filter by indicator \"{value}\""),
            ApiFilter::SecurityLabel(l) => format!("api filter by security label \"{l}\""),
            ApiFilter::Tag(t) => format!("api filter by tag \"{t}\""),
            ApiFilter::Task(id) => format!("api filter by task id {id}"),
            ApiFilter::Victim(id) => format!("api filter by victim id {id}"),
        }
    }
}
