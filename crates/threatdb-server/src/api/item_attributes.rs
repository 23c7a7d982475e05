//! Attributes of groups of the other types (`/v2/groups/{type}/{id}/attributes[/{aid}]`) and of
//! indicators (`/v2/indicators/{type}/{value}/attributes[/{aid}]`), with the incident's bodies
//! and rules.

use super::item_tags::{group, indicator};
use super::parse_id;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{JsonBody, done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{AttributePatch, NewAttribute, Taggable};
use threatdb_wire::dto::{AttributeBody, AttributeDto};

async fn list(state: &AppState, auth: &Auth, on: Taggable) -> ApiResult<Response> {
    let found = state.store.attributes_on(&auth.0, &on).await?;
    let dtos = found.iter().map(AttributeDto::from).collect();
    Ok(many("attribute", Some(found.len() as u64), dtos))
}

async fn get(state: &AppState, auth: &Auth, on: Taggable, aid: &str) -> ApiResult<Response> {
    let aid = parse_id(aid)?;
    let found = state.store.attributes_on(&auth.0, &on).await?;
    let attribute = found
        .iter()
        .find(|a| a.id == aid)
        .ok_or(ApiError::NotFound)?;
    Ok(one(
        StatusCode::OK,
        "attribute",
        AttributeDto::from(attribute),
    ))
}

async fn create(
    state: &AppState,
    auth: &Auth,
    on: Taggable,
    body: AttributeBody,
) -> ApiResult<Response> {
    let kind = body.kind.ok_or_else(|| {
        ApiError::BadRequest("type is required: the attribute type's name, e.g. Description".into())
    })?;
    let value = body
        .value
        .ok_or_else(|| ApiError::BadRequest("value is required".into()))?;
    let new = NewAttribute::parse(&kind, &value, body.displayed.unwrap_or(false), body.source)?;
    let attribute = state.store.add_attribute_on(&auth.0, &on, new).await?;
    Ok(one(
        StatusCode::CREATED,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

async fn update(
    state: &AppState,
    auth: &Auth,
    on: Taggable,
    aid: &str,
    body: AttributeBody,
) -> ApiResult<Response> {
    let aid = parse_id(aid)?;
    let patch = AttributePatch::parse(body.value, body.displayed, body.source)?;
    let attribute = state
        .store
        .update_attribute_on(&auth.0, &on, aid, patch)
        .await?;
    Ok(one(
        StatusCode::OK,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

async fn delete(state: &AppState, auth: &Auth, on: Taggable, aid: &str) -> ApiResult<Response> {
    let aid = parse_id(aid)?;
    state.store.delete_attribute_on(&auth.0, &on, aid).await?;
    Ok(done(StatusCode::OK))
}

/// `GET /v2/groups/{type}/{id}/attributes`.
pub async fn group_list(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    list(&state, &auth, group(&kind, &id)?).await
}

/// `POST /v2/groups/{type}/{id}/attributes`.
pub async fn group_create(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    create(&state, &auth, group(&kind, &id)?, body).await
}

/// `GET /v2/groups/{type}/{id}/attributes/{aid}`.
pub async fn group_get(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, aid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    get(&state, &auth, group(&kind, &id)?, &aid).await
}

/// `PUT /v2/groups/{type}/{id}/attributes/{aid}`.
pub async fn group_update(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, aid)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    update(&state, &auth, group(&kind, &id)?, &aid, body).await
}

/// `DELETE /v2/groups/{type}/{id}/attributes/{aid}`.
pub async fn group_delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, aid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    delete(&state, &auth, group(&kind, &id)?, &aid).await
}

/// `GET /v2/indicators/{type}/{value}/attributes`.
pub async fn indicator_list(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    list(&state, &auth, indicator(&auth, &params, &kind, &value)?).await
}

/// `POST /v2/indicators/{type}/{value}/attributes`.
pub async fn indicator_create(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value)): Path<(String, String)>,
    params: Params,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    create(&state, &auth, on, body).await
}

/// `GET /v2/indicators/{type}/{value}/attributes/{aid}`.
pub async fn indicator_get(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, aid)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    get(&state, &auth, on, &aid).await
}

/// `PUT /v2/indicators/{type}/{value}/attributes/{aid}`.
pub async fn indicator_update(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, aid)): Path<(String, String, String)>,
    params: Params,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    update(&state, &auth, on, &aid, body).await
}

/// `DELETE /v2/indicators/{type}/{value}/attributes/{aid}`.
pub async fn indicator_delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, aid)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    delete(&state, &auth, on, &aid).await
}
