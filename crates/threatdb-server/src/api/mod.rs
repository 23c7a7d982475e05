//! The v2 routes, one module per resource.

mod all_groups;
mod associations;
mod attributes;
mod incidents;
mod indicators;
mod item_attributes;
mod item_labels;
mod item_tags;
mod items;
mod owners;
mod reverse;
mod security_labels;
mod tags;
mod types;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::Router;
use axum::routing::{get, post};

/// Every `/api/v2` route. Authentication is layered on by the caller.
pub fn routes() -> Router<AppState> {
    const INCIDENT: &str = "/api/v2/groups/incidents/{id}";
    Router::new()
        .route("/api/v2/groups", get(all_groups::list))
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
        .merge(association_routes())
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

/// Groups of the other types, indicators, victims, tasks and the associations, both ways.
fn association_routes() -> Router<AppState> {
    use associations as a;
    const INCIDENT: &str = "/api/v2/groups/incidents/{id}";
    const GROUP: &str = "/api/v2/groups/{type}/{id}";
    const INDICATOR: &str = "/api/v2/indicators/{type}/{value}";
    Router::new()
        .route(&format!("{INCIDENT}/groups"), get(a::groups))
        .route(
            &format!("{INCIDENT}/groups/{{type}}"),
            get(a::groups_of_type),
        )
        .route(
            &format!("{INCIDENT}/groups/{{type}}/{{gid}}"),
            get(a::group).post(a::add_group).delete(a::remove_group),
        )
        .route(&format!("{INCIDENT}/indicators"), get(a::indicators_all))
        .route(
            &format!("{INCIDENT}/indicators/{{type}}"),
            get(a::indicators_of_type),
        )
        .route(
            &format!("{INCIDENT}/indicators/{{type}}/{{value}}"),
            post(a::add_indicator).delete(a::remove_indicator),
        )
        .route(&format!("{INCIDENT}/victims"), get(a::victims::list))
        .route(
            &format!("{INCIDENT}/victims/{{vid}}"),
            get(a::victims::get)
                .post(a::victims::add)
                .delete(a::victims::remove),
        )
        .route(&format!("{INCIDENT}/tasks"), get(a::tasks::list))
        .route(
            &format!("{INCIDENT}/tasks/{{vid}}"),
            get(a::tasks::get)
                .post(a::tasks::add)
                .delete(a::tasks::remove),
        )
        .route(
            "/api/v2/groups/{type}",
            get(items::list_groups).post(items::create_group),
        )
        .route(
            GROUP,
            get(items::get_group)
                .put(items::update_group)
                .delete(items::delete_group),
        )
        .route(
            &format!("{GROUP}/groups/incidents"),
            get(items::group_incidents),
        )
        .route(
            &format!("{GROUP}/groups/incidents/{{incident}}"),
            post(items::group_link).delete(items::group_unlink),
        )
        .route(&format!("{GROUP}/tags"), get(item_tags::group_tags))
        .route(
            &format!("{GROUP}/tags/{{name}}"),
            get(item_tags::group_tag)
                .post(item_tags::add_group_tag)
                .delete(item_tags::remove_group_tag),
        )
        .route(&format!("{INDICATOR}/tags"), get(item_tags::indicator_tags))
        .route(
            &format!("{INDICATOR}/tags/{{name}}"),
            get(item_tags::indicator_tag)
                .post(item_tags::add_indicator_tag)
                .delete(item_tags::remove_indicator_tag),
        )
        .route(
            &format!("{GROUP}/securityLabels"),
            get(item_labels::group_labels),
        )
        .route(
            &format!("{GROUP}/securityLabels/{{name}}"),
            get(item_labels::group_label)
                .post(item_labels::add_group_label)
                .delete(item_labels::remove_group_label),
        )
        .route(
            &format!("{INDICATOR}/securityLabels"),
            get(item_labels::indicator_labels),
        )
        .route(
            &format!("{INDICATOR}/securityLabels/{{name}}"),
            get(item_labels::indicator_label)
                .post(item_labels::add_indicator_label)
                .delete(item_labels::remove_indicator_label),
        )
        .route(
            &format!("{GROUP}/attributes"),
            get(item_attributes::group_list).post(item_attributes::group_create),
        )
        .route(
            &format!("{GROUP}/attributes/{{aid}}"),
            get(item_attributes::group_get)
                .put(item_attributes::group_update)
                .delete(item_attributes::group_delete),
        )
        .route(
            &format!("{INDICATOR}/attributes"),
            get(item_attributes::indicator_list).post(item_attributes::indicator_create),
        )
        .route(
            &format!("{INDICATOR}/attributes/{{aid}}"),
            get(item_attributes::indicator_get)
                .put(item_attributes::indicator_update)
                .delete(item_attributes::indicator_delete),
        )
        .route("/api/v2/indicators", get(indicators::list_all))
        .route(
            "/api/v2/indicators/{type}",
            get(indicators::list).post(indicators::create),
        )
        .route(INDICATOR, get(indicators::get).delete(indicators::delete))
        .route(
            &format!("{INDICATOR}/groups/incidents"),
            get(indicators::incidents),
        )
        .route(
            &format!("{INDICATOR}/groups/incidents/{{incident}}"),
            post(indicators::associate).delete(indicators::disassociate),
        )
        .route(
            "/api/v2/victims",
            get(items::victims::list).post(items::victims::create),
        )
        .route(
            "/api/v2/victims/{id}",
            get(items::victims::get)
                .put(items::victims::update)
                .delete(items::victims::delete),
        )
        .route(
            "/api/v2/victims/{id}/groups/incidents",
            get(items::victims::incidents),
        )
        .route(
            "/api/v2/victims/{id}/groups/incidents/{incident}",
            post(items::victims::link).delete(items::victims::unlink),
        )
        .route(
            "/api/v2/tasks",
            get(items::tasks::list).post(items::tasks::create),
        )
        .route(
            "/api/v2/tasks/{id}",
            get(items::tasks::get)
                .put(items::tasks::update)
                .delete(items::tasks::delete),
        )
        .route(
            "/api/v2/tasks/{id}/groups/incidents",
            get(items::tasks::incidents),
        )
        .route(
            "/api/v2/tasks/{id}/groups/incidents/{incident}",
            post(items::tasks::link).delete(items::tasks::unlink),
        )
}

/// Parses an id from a path: anything but a 64-bit integer is a 404 (DECISIONS.md #16).
pub(crate) fn parse_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>().map_err(|_| ApiError::NotFound)
}
