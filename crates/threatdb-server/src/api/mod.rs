//! The v2 routes, one module per resource.

mod attributes;
mod incidents;
mod owners;
mod security_labels;
mod tags;
mod types;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::Router;
use axum::routing::get;

/// Every `/api/v2` route. Authentication is layered on by the caller.
pub fn routes() -> Router<AppState> {
    const INCIDENT: &str = "/api/v2/groups/incidents/{id}";
    Router::new()
        .route("/api/v2/groups", get(incidents::list_groups))
        .route(
            "/api/v2/groups/incidents",
            get(incidents::list).post(incidents::create),
        )
        .route(
            INCIDENT,
            get(incidents::get)
                .put(incidents::update)
                .delete(incidents::delete),
        )
        .route(
            &format!("{INCIDENT}/attributes"),
            get(attributes::list).post(attributes::create),
        )
        .route(
            &format!("{INCIDENT}/attributes/{{aid}}"),
            get(attributes::get)
                .put(attributes::update)
                .delete(attributes::delete),
        )
        .route(
            &format!("{INCIDENT}/attributes/{{aid}}/securityLabels"),
            get(attributes::labels),
        )
        .route(
            &format!("{INCIDENT}/attributes/{{aid}}/securityLabels/{{label}}"),
            get(attributes::get_label)
                .post(attributes::add_label)
                .delete(attributes::remove_label),
        )
        .route(&format!("{INCIDENT}/tags"), get(tags::of_incident))
        .route(
            &format!("{INCIDENT}/tags/{{name}}"),
            get(tags::get_on_incident)
                .post(tags::add)
                .delete(tags::remove),
        )
        .route(
            &format!("{INCIDENT}/securityLabels"),
            get(security_labels::of_incident),
        )
        .route(
            &format!("{INCIDENT}/securityLabels/{{label}}"),
            get(security_labels::get_on_incident)
                .post(security_labels::add)
                .delete(security_labels::remove),
        )
        .route("/api/v2/tags", get(tags::list))
        .route("/api/v2/tags/{name}", get(tags::get))
        .route(
            "/api/v2/tags/{name}/groups/incidents",
            get(incidents::by_tag),
        )
        .route("/api/v2/securityLabels", get(security_labels::list))
        .route("/api/v2/securityLabels/{label}", get(security_labels::get))
        .route(
            "/api/v2/securityLabels/{label}/groups/incidents",
            get(incidents::by_label),
        )
        .route("/api/v2/owners", get(owners::list))
        .route("/api/v2/owners/mine", get(owners::mine))
        .route("/api/v2/owners/{id}", get(owners::get))
        .route("/api/v2/whoami", get(owners::whoami))
        .route("/api/v2/types/attributeTypes", get(types::attribute_types))
        .route(
            "/api/v2/types/attributeTypes/{name}",
            get(types::attribute_type),
        )
        .route("/api/v2/types/indicatorTypes", get(types::indicator_types))
}

/// Parses an id from a path: anything but a 64-bit integer is a 404 (DECISIONS.md #16).
pub(crate) fn parse_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>().map_err(|_| ApiError::NotFound)
}
