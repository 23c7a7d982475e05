//! Security labels of groups of the other types (`/v2/groups/{type}/{id}/securityLabels[/{l}]`)
//! and of indicators (`/v2/indicators/{type}/{value}/securityLabels[/{l}]`), with the incident's
//! rules: 201 whether or not the label was there, 404 removing one that is not.

use super::item_tags::{group, indicator};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{Taggable, label_key};
use threatdb_wire::dto::SecurityLabelDto;

async fn list(state: &AppState, auth: &Auth, on: Taggable) -> ApiResult<Response> {
    let labels = state.store.labels_of(&auth.0, &on).await?;
    let dtos = labels.iter().map(SecurityLabelDto::from).collect();
    Ok(many("securityLabel", Some(labels.len() as u64), dtos))
}

async fn get(state: &AppState, auth: &Auth, on: Taggable, name: &str) -> ApiResult<Response> {
    let labels = state.store.labels_of(&auth.0, &on).await?;
    let key = label_key(name);
    let label = labels
        .iter()
        .find(|l| label_key(&l.name) == key)
        .ok_or(ApiError::NotFound)?;
    Ok(one(
        StatusCode::OK,
        "securityLabel",
        SecurityLabelDto::from(label),
    ))
}

async fn set(
    state: &AppState,
    auth: &Auth,
    on: Taggable,
    name: &str,
    add: bool,
) -> ApiResult<Response> {
    if add {
        state.store.label(&auth.0, &on, name).await?;
        Ok(done(StatusCode::CREATED))
    } else {
        state.store.unlabel(&auth.0, &on, name).await?;
        Ok(done(StatusCode::OK))
    }
}

/// `GET /v2/groups/{type}/{id}/securityLabels`.
pub async fn group_labels(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    list(&state, &auth, group(&kind, &id)?).await
}

/// `GET /v2/groups/{type}/{id}/securityLabels/{label}`.
pub async fn group_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    get(&state, &auth, group(&kind, &id)?, &name).await
}

/// `POST /v2/groups/{type}/{id}/securityLabels/{label}`.
pub async fn add_group_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    set(&state, &auth, group(&kind, &id)?, &name, true).await
}

/// `DELETE /v2/groups/{type}/{id}/securityLabels/{label}`.
pub async fn remove_group_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    set(&state, &auth, group(&kind, &id)?, &name, false).await
}

/// `GET /v2/indicators/{type}/{value}/securityLabels`.
pub async fn indicator_labels(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    list(&state, &auth, on).await
}

/// `GET /v2/indicators/{type}/{value}/securityLabels/{label}`.
pub async fn indicator_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, name)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    get(&state, &auth, on, &name).await
}

/// `POST /v2/indicators/{type}/{value}/securityLabels/{label}`.
pub async fn add_indicator_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, name)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    set(&state, &auth, on, &name, true).await
}

/// `DELETE /v2/indicators/{type}/{value}/securityLabels/{label}`.
pub async fn remove_indicator_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, name)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    set(&state, &auth, on, &name, false).await
}
