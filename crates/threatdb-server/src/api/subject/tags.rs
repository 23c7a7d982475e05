//! `.../tags[/{name}]` of any subject: 201 whether or not the tag was there (DECISIONS.md #6),
//! 404 removing one that is not.

use super::On;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::reply::{done, many, one};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::TagName;
use threatdb_core::tag::tag_key;
use threatdb_wire::dto::TagDto;

/// `GET .../tags`.
pub async fn list(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let tags = state.store.tags_of(&on.caller.actor, &on.subject).await?;
    let dtos = tags
        .iter()
        .map(|t| TagDto::new(t, &state.public_url))
        .collect();
    Ok(many("tag", Some(tags.len() as u64), dtos))
}

/// `GET .../tags/{name}`: the tag if the subject carries it.
pub async fn get(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let tags = state.store.tags_of(&on.caller.actor, &on.subject).await?;
    let key = tag_key(on.param("name")?);
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

/// `POST .../tags/{name}`.
pub async fn add(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let tag = TagName::parse(on.param("name")?)?;
    state.store.tag(&on.caller.actor, &on.subject, &tag).await?;
    Ok(done(StatusCode::CREATED))
}

/// `DELETE .../tags/{name}`.
pub async fn remove(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let name = on.param("name")?;
    state
        .store
        .untag(&on.caller.actor, &on.subject, name)
        .await?;
    Ok(done(StatusCode::OK))
}
