//! The v3 routes (`/api/v3/...`), what tcex 4 and 5 speak: groups (Incident) with TQL, `fields=`,
//! paging by `resultStart`/`resultLimit` with the `next` link, and nested tags, security labels
//! and attributes written in the same transaction as the group. Answers use the v3 envelopes
//! (`{"data": ..., "status": "Success"}`, errors `{"status": "Error", "message": ...}`).

mod bulk;
mod common;
mod deleted;
pub(crate) use deleted::type_name as deleted_type_name;
mod groups;
mod history;
mod indicators;
mod items;
mod meta;
mod params;
pub(crate) mod revert;

use super::Routes;
use super::doc::{Doc, Shape, get, options, post, shape};
use crate::AppState;
use crate::error::{ApiError, json_response};
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use threatdb_wire::v3;

fn group() -> Shape {
    shape::<v3::Group>()
}

fn indicator() -> Shape {
    shape::<v3::Indicator>()
}

/// The v3 routes, each method with its documentation (the OpenAPI document is built from
/// them, and the route × role × owner matrix enumerates their paths).
pub(super) fn table() -> Routes {
    use crate::api::doc::tags::{
        V3_CATALOGUES as CATALOGUES, V3_GROUPS as GROUPS, V3_INDICATORS as INDICATORS,
    };
    Routes::new()
        .route(
            "/api/v3/groups",
            get(groups::list, Doc::v3_list(GROUPS, "List groups (TQL, fields, paging by next links)", group()))
                .post(
                    groups::create,
                    Doc::v3_write(GROUPS, "Create a group with its nested tags, labels, attributes and associations (all or nothing)", StatusCode::CREATED, group(), shape::<v3::GroupBody>()),
                )
                .put(
                    bulk::update_groups,
                    Doc::v3_bulk(GROUPS, "Change the tags, labels or status of every incident a TQL selects", group(), Some(shape::<bulk::GroupsChange>())),
                )
                .delete(
                    bulk::delete_groups,
                    Doc::v3_bulk(GROUPS, "Delete every incident a TQL selects", group(), None),
                )
                .options(groups::options_groups, Doc::v3_field_map(GROUPS, "The fields of a group body")),
        )
        .route(
            "/api/v3/groups/fields",
            options(groups::options_fields, Doc::v3_options(GROUPS, "The names `fields=` takes on groups", shape::<v3::FieldInfo>())),
        )
        .route(
            "/api/v3/groups/tql",
            options(groups::options_tql, Doc::v3_options(GROUPS, "The TQL keywords of group lists", shape::<v3::TqlKeywordInfo>())),
        )
        .route(
            "/api/v3/groups/{id}",
            get(groups::get, Doc::v3_one(GROUPS, "Read a group", group()))
                .put(
                    groups::update,
                    Doc::v3_write(GROUPS, "Change a group and its nested collections (each with its mode)", StatusCode::OK, group(), shape::<v3::GroupBody>()),
                )
                .delete(groups::delete, Doc::v3_deleted(GROUPS, "Delete a group")),
        )
        .route(
            "/api/v3/groups/deleted",
            get(deleted::groups, Doc::v3_catalogue(GROUPS, "The deleted groups of an owner, kept for restoring (write rights there), newest deletion first (a threatdb extension)", shape::<v3::DeletedObject>(), true)),
        )
        .route(
            "/api/v3/groups/{id}/restore",
            post(deleted::restore_group, Doc::v3_entry(GROUPS, "Restore a deleted group with its id, fields, tags, labels, attributes and associations (a threatdb extension)", shape::<v3::Restored>(), false)),
        )
        .route(
            "/api/v3/indicators/deleted",
            get(deleted::indicators, Doc::v3_catalogue(INDICATORS, "The deleted indicators of an owner, kept for restoring (write rights there), newest deletion first (a threatdb extension)", shape::<v3::DeletedObject>(), true)),
        )
        .route(
            "/api/v3/indicators/{id}/restore",
            post(deleted::restore_indicator, Doc::v3_entry(INDICATORS, "Restore a deleted indicator with its id, rating, confidence, tags, labels, attributes and associations (a threatdb extension)", shape::<v3::Restored>(), false)),
        )
        .route(
            "/api/v3/groups/{id}/history",
            get(history::group, Doc::v3_history(GROUPS, "The changes recorded on a group, newest first (a threatdb extension)", shape::<v3::Change>())),
        )
        .route(
            "/api/v3/groups/{id}/history/revert",
            post(revert::revert_group, Doc::v3_action(GROUPS, "Undo one change of a group, or every change after a time (`to`); recorded as changes of their own; 409 when a later change touched the same field or value, unless overwrite", shape::<v3::Change>(), shape::<v3::Revert>())),
        )
        .route(
            "/api/v3/indicators/{id}/history/revert",
            post(revert::revert_indicator, Doc::v3_action(INDICATORS, "Undo one change of an indicator, or every change after a time (`to`); recorded as changes of their own; 409 when a later change touched the same value, unless overwrite", shape::<v3::Change>(), shape::<v3::Revert>())),
        )
        .route(
            "/api/v3/indicators/{id}/history",
            get(history::indicator, Doc::v3_history(INDICATORS, "The changes recorded on an indicator, newest first (a threatdb extension)", shape::<v3::Change>())),
        )
        .route(
            "/api/v3/indicators",
            get(indicators::list, Doc::v3_list(INDICATORS, "List indicators (TQL, fields, paging by next links)", indicator()))
                .post(
                    indicators::create,
                    Doc::v3_write(INDICATORS, "Create an indicator with its nested tags, labels, attributes and associated groups (all or nothing)", StatusCode::CREATED, indicator(), shape::<v3::IndicatorBody>()),
                )
                .put(
                    bulk::update_indicators,
                    Doc::v3_bulk(INDICATORS, "Change the tags or labels of every indicator a TQL selects", indicator(), Some(shape::<bulk::IndicatorsChange>())),
                )
                .delete(
                    bulk::delete_indicators,
                    Doc::v3_bulk(INDICATORS, "Delete every indicator a TQL selects", indicator(), None),
                )
                .options(indicators::options_indicators, Doc::v3_field_map(INDICATORS, "The fields of an indicator body")),
        )
        .route(
            "/api/v3/indicators/fields",
            options(indicators::options_fields, Doc::v3_options(INDICATORS, "The names `fields=` takes on indicators", shape::<v3::FieldInfo>())),
        )
        .route(
            "/api/v3/indicators/tql",
            options(indicators::options_tql, Doc::v3_options(INDICATORS, "The TQL keywords of indicator lists", shape::<v3::TqlKeywordInfo>())),
        )
        .route(
            "/api/v3/indicators/{id}",
            get(indicators::get, Doc::v3_one(INDICATORS, "Read an indicator", indicator()))
                .put(
                    indicators::update,
                    Doc::v3_write(INDICATORS, "Change an indicator and its nested collections (each with its mode)", StatusCode::OK, indicator(), shape::<v3::IndicatorBody>()),
                )
                .delete(indicators::delete, Doc::v3_deleted(INDICATORS, "Delete an indicator")),
        )
        .route("/api/v3/tags", get(meta::tags, Doc::v3_catalogue(CATALOGUES, "The owner's tags", shape::<v3::Tag>(), true)))
        .route(
            "/api/v3/securityLabels",
            get(meta::security_labels, Doc::v3_catalogue(CATALOGUES, "The security labels usable in the owner", shape::<v3::SecurityLabel>(), true)),
        )
        .route(
            "/api/v3/securityLabels/{id}",
            get(meta::security_label, Doc::v3_entry(CATALOGUES, "Read a security label", shape::<v3::SecurityLabel>(), true)),
        )
        .route(
            "/api/v3/security/owners",
            get(meta::owners, Doc::v3_catalogue(CATALOGUES, "The owners the caller is a member of, with its role", shape::<meta::OwnerInfo>(), false)),
        )
        .route(
            "/api/v3/security/owners/{id}",
            get(meta::owner, Doc::v3_entry(CATALOGUES, "Read one of the caller's owners", shape::<meta::OwnerInfo>(), false)),
        )
        .route(
            "/api/v3/attributeTypes",
            get(meta::attribute_types, Doc::v3_catalogue(CATALOGUES, "The attribute types", shape::<meta::AttributeTypeInfo>(), false)),
        )
        .route(
            "/api/v3/attributeTypes/{id}",
            get(meta::attribute_type, Doc::v3_entry(CATALOGUES, "Read an attribute type", shape::<meta::AttributeTypeInfo>(), false)),
        )
}

/// Every `/api/v3` route. Authentication is layered on by the caller, as for v2.
pub fn routes() -> Router<AppState> {
    table().router
}

/// The path of every `/api/v3` route, with its `{parameters}`.
pub fn paths() -> Vec<String> {
    table().paths
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
