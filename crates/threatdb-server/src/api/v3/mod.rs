//! The v3 routes (`/api/v3/...`), what tcex 4 and 5 speak: groups (Incident) with TQL, `fields=`,
//! paging by `resultStart`/`resultLimit` with the `next` link, and nested tags, security labels
//! and attributes written in the same transaction as the group. Answers use the v3 envelopes
//! (`{"data": ..., "status": "Success"}`, errors `{"status": "Error", "message": ...}`).

mod bulk;
mod common;
mod groups;
mod indicators;
mod items;
mod meta;
mod params;

use crate::AppState;
use crate::error::{ApiError, json_response};
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, options};
use serde::Serialize;

/// A router that remembers its paths, so the route × role × owner matrix enumerates every v3
/// route (one added without its place there cannot pass unnoticed).
struct Table {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Table {
    fn route(mut self, path: &'static str, methods: MethodRouter<AppState>) -> Self {
        self.paths.push(path);
        self.router = self.router.route(path, methods);
        self
    }
}

fn table() -> Table {
    Table {
        router: Router::new(),
        paths: Vec::new(),
    }
    .route(
        "/api/v3/groups",
        get(groups::list)
            .post(groups::create)
            .put(bulk::update_groups)
            .delete(bulk::delete_groups)
            .options(groups::options_groups),
    )
    .route("/api/v3/groups/fields", options(groups::options_fields))
    .route("/api/v3/groups/tql", options(groups::options_tql))
    .route(
        "/api/v3/groups/{id}",
        get(groups::get).put(groups::update).delete(groups::delete),
    )
    .route(
        "/api/v3/indicators",
        get(indicators::list)
            .post(indicators::create)
            .put(bulk::update_indicators)
            .delete(bulk::delete_indicators)
            .options(indicators::options_indicators),
    )
    .route(
        "/api/v3/indicators/fields",
        options(indicators::options_fields),
    )
    .route("/api/v3/indicators/tql", options(indicators::options_tql))
    .route(
        "/api/v3/indicators/{id}",
        get(indicators::get)
            .put(indicators::update)
            .delete(indicators::delete),
    )
    .route("/api/v3/tags", get(meta::tags))
    .route("/api/v3/securityLabels", get(meta::security_labels))
    .route("/api/v3/securityLabels/{id}", get(meta::security_label))
    .route("/api/v3/security/owners", get(meta::owners))
    .route("/api/v3/security/owners/{id}", get(meta::owner))
    .route("/api/v3/attributeTypes", get(meta::attribute_types))
    .route("/api/v3/attributeTypes/{id}", get(meta::attribute_type))
}

/// Every `/api/v3` route. Authentication is layered on by the caller, as for v2.
pub fn routes() -> Router<AppState> {
    table().router
}

/// The path of every `/api/v3` route, with its `{parameters}`.
pub fn paths() -> Vec<String> {
    table().paths.into_iter().map(str::to_string).collect()
}

/// A v3 failure: the status of the v2 error it wraps, the v3 error envelope.
#[derive(Debug)]
pub struct V3Error(pub ApiError);

impl<E: Into<ApiError>> From<E> for V3Error {
    fn from(e: E) -> Self {
        V3Error(e.into())
    }
}

impl IntoResponse for V3Error {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // Logged by the v2 path (never shown); the client gets the v3 envelope.
            drop(self.0.into_response());
            return json_response(
                status,
                threatdb_wire::v3::error_json("Internal server error"),
            );
        }
        json_response(status, threatdb_wire::v3::error_json(&self.0.message()))
    }
}

/// A handler's result.
pub type V3Result = Result<Response, V3Error>;

/// `value` as JSON with `status`.
fn reply<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_response(status, body),
        Err(e) => V3Error(ApiError::Internal(format!("v3 answer: {e}"))).into_response(),
    }
}
