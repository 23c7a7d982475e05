//! Tags of groups of the other types (`/v2/groups/{type}/{id}/tags[/{name}]`) and of indicators
//! (`/v2/indicators/{type}/{value}/tags[/{name}]`), with the incident's rules: 201 whether or
//! not the tag was there, 404 removing one that is not.

use super::items::group_kind;
use super::{indicators, parse_id};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::tag::tag_key;
use threatdb_core::{TagName, Taggable};
use threatdb_wire::dto::TagDto;

pub(super) fn group(kind: &str, id: &str) -> ApiResult<Taggable> {
    Ok(Taggable::Item(group_kind(kind)?, parse_id(id)?))
}

pub(super) fn indicator(
    auth: &Auth,
    params: &Params,
    kind: &str,
    value: &str,
) -> ApiResult<Taggable> {
    let owner = params.owner(&auth.0)?.clone();
    Ok(Taggable::Indicator(owner, indicators::value(kind, value)?))
}

async fn list(state: &AppState, auth: &Auth, on: Taggable) -> ApiResult<Response> {
    let tags = state.store.tags_of(&auth.0, &on).await?;
    let dtos = tags
        .iter()
        .map(|t| TagDto::new(t, &state.public_url))
        .collect();
    Ok(many("tag", Some(tags.len() as u64), dtos))
}

async fn get(state: &AppState, auth: &Auth, on: Taggable, name: &str) -> ApiResult<Response> {
    let tags = state.store.tags_of(&auth.0, &on).await?;
    let key = tag_key(name);
    let tag = tags
        .iter()
        .find(|t| tag_key(&t.name) == key)
        .ok_or(ApiError::NotFound)?;
    Ok(one(
        StatusCode::OK,
        "tag",
        TagDto::new(tag, &state.public_url),
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
        let tag = TagName::parse(name)?;
        state.store.tag(&auth.0, &on, &tag).await?;
        Ok(done(StatusCode::CREATED))
    } else {
        state.store.untag(&auth.0, &on, name).await?;
        Ok(done(StatusCode::OK))
    }
}

/// `GET /v2/groups/{type}/{id}/tags`.
pub async fn group_tags(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    list(&state, &auth, group(&kind, &id)?).await
}

/// `GET /v2/groups/{type}/{id}/tags/{name}`.
pub async fn group_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    get(&state, &auth, group(&kind, &id)?, &name).await
}

/// `POST /v2/groups/{type}/{id}/tags/{name}`.
pub async fn add_group_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    set(&state, &auth, group(&kind, &id)?, &name, true).await
}

/// `DELETE /v2/groups/{type}/{id}/tags/{name}`.
pub async fn remove_group_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    set(&state, &auth, group(&kind, &id)?, &name, false).await
}

/// `GET /v2/indicators/{type}/{value}/tags` (the indicator in `owner=` or the default owner).
pub async fn indicator_tags(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    list(&state, &auth, on).await
}

/// `GET /v2/indicators/{type}/{value}/tags/{name}`.
pub async fn indicator_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, name)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    get(&state, &auth, on, &name).await
}

/// `POST /v2/indicators/{type}/{value}/tags/{name}`.
pub async fn add_indicator_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, name)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    set(&state, &auth, on, &name, true).await
}

/// `DELETE /v2/indicators/{type}/{value}/tags/{name}`.
pub async fn remove_indicator_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, value, name)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let on = indicator(&auth, &params, &kind, &value)?;
    set(&state, &auth, on, &name, false).await
}
