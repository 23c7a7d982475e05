//! The v2 routes, one module per resource.

mod all_groups;
mod associations;
mod catalogue;
mod incidents;
mod indicators;
mod items;
mod owners;
mod reverse;
mod subject;
mod types;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::Router;
use axum::routing::{MethodRouter, get, post};

/// A router that remembers its paths, so tests can enumerate every route (a route added
/// without its place in the authorization matrix cannot pass unnoticed).
pub(crate) struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    fn new() -> Self {
        Routes {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// Adds a route, as [`Router::route`].
    pub(crate) fn route(mut self, path: &str, handlers: MethodRouter<AppState>) -> Self {
        self.paths.push(path.to_string());
        self.router = self.router.route(path, handlers);
        self
    }
}

/// Every `/api/v2` route. Authentication is layered on by the caller.
pub fn routes() -> Router<AppState> {
    table().router
}

/// The path of every `/api/v2` route, with its `{parameters}`.
pub fn paths() -> Vec<String> {
    table().paths
}

fn table() -> Routes {
    const INCIDENT: &str = "/api/v2/groups/incidents/{id}";
    let router = Routes::new()
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
        .route("/api/v2/tags", get(catalogue::tags))
        .route("/api/v2/tags/{name}", get(catalogue::tag))
        .route(
            "/api/v2/tags/{name}/groups/incidents",
            get(incidents::by_tag),
        )
        .route("/api/v2/securityLabels", get(catalogue::labels))
        .route("/api/v2/securityLabels/{label}", get(catalogue::label))
        .route(
            "/api/v2/securityLabels/{label}/groups/incidents",
            get(incidents::by_label),
        );
    let router = association_routes(router)
        .route("/api/v2/owners", get(owners::list))
        .route("/api/v2/owners/mine", get(owners::mine))
        .route("/api/v2/owners/{id}", get(owners::get))
        .route("/api/v2/whoami", get(owners::whoami))
        .route("/api/v2/types/attributeTypes", get(types::attribute_types))
        .route(
            "/api/v2/types/attributeTypes/{name}",
            get(types::attribute_type),
        )
        .route("/api/v2/types/indicatorTypes", get(types::indicator_types));
    subject::mount(router)
}

/// Groups of the other types, indicators, victims, tasks and the associations, both ways.
fn association_routes(router: Routes) -> Routes {
    use associations as a;
    const INCIDENT: &str = "/api/v2/groups/incidents/{id}";
    const GROUP: &str = "/api/v2/groups/{type}/{id}";
    const INDICATOR: &str = "/api/v2/indicators/{type}/{value}";
    router
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

/// The group type named in a URL (not incidents, which have their own routes).
pub(crate) fn group_kind(raw: &str) -> ApiResult<threatdb_core::ItemKind> {
    threatdb_core::ItemKind::from_url(raw)
        .filter(|k| k.is_group())
        .ok_or(ApiError::NotFound)
}

/// The indicator type named in a URL.
pub(crate) fn indicator_kind(raw: &str) -> ApiResult<threatdb_core::IndicatorKind> {
    threatdb_core::IndicatorKind::from_url(raw).ok_or(ApiError::NotFound)
}

/// The indicator a path names: an invalid value names nothing (404).
pub(crate) fn indicator_value(
    kind_raw: &str,
    raw: &str,
) -> ApiResult<threatdb_core::IndicatorValue> {
    threatdb_core::IndicatorValue::parse(indicator_kind(kind_raw)?, raw)
        .map_err(|_| ApiError::NotFound)
}
