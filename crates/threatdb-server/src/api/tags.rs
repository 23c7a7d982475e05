//! Tags of an incident (`.../tags[/{name}]`) and of an owner (`/v2/tags[/{name}]`).

use super::parse_id;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::TagName;
use threatdb_core::tag::tag_key;
use threatdb_wire::dto::TagDto;

/// `GET .../tags`.
pub async fn of_incident(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let found = state.store.incident_tags(&auth.0, parse_id(&id)?).await?;
    let dtos = found
        .iter()
        .map(|t| TagDto::new(t, &state.public_url))
        .collect();
    Ok(many("tag", Some(found.len() as u64), dtos))
}

/// `GET .../tags/{name}`: the tag if the incident carries it.
pub async fn get_on_incident(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let found = state.store.incident_tags(&auth.0, parse_id(&id)?).await?;
    let key = tag_key(&name);
    let tag = found
        .iter()
        .find(|t| tag_key(&t.name) == key)
        .ok_or(ApiError::NotFound)?;
    Ok(one(
        StatusCode::OK,
        "tag",
        TagDto::new(tag, &state.public_url),
    ))
}

/// `POST .../tags/{name}`: 201 whether or not the incident already had it (DECISIONS.md #6).
pub async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let id = parse_id(&id)?;
    let tag = TagName::parse(&name)?;
    state.store.add_incident_tag(&auth.0, id, &tag).await?;
    Ok(done(StatusCode::CREATED))
}

/// `DELETE .../tags/{name}`.
pub async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    state
        .store
        .remove_incident_tag(&auth.0, parse_id(&id)?, &name)
        .await?;
    Ok(done(StatusCode::OK))
}

/// `GET /v2/tags`: the owner's tags, paginated.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> ApiResult<Response> {
    let owner = params.owner(&auth.0)?;
    let page = state
        .store
        .list_tags(&auth.0, owner, params.paging()?)
        .await?;
    let dtos = page
        .items
        .iter()
        .map(|t| TagDto::new(t, &state.public_url))
        .collect();
    Ok(many("tag", page.total, dtos))
}

/// `GET /v2/tags/{name}`.
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let owner = params.owner(&auth.0)?;
    let tag = state.store.get_tag(&auth.0, owner, &name).await?;
    Ok(one(
        StatusCode::OK,
        "tag",
        TagDto::new(&tag, &state.public_url),
    ))
}
