//! An owner's catalogue: its tags (`/v2/tags[/{name}]`) and the security labels usable in it
//! (`/v2/securityLabels[/{label}]`: the system ones and its own).

use super::subject::find_label;
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiResult;
use crate::reply::{many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_wire::dto::{SecurityLabelDto, TagDto};

/// `GET /v2/tags`: the owner's tags, paginated.
pub async fn tags(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let paging = caller.params.paging()?;
    let page = state
        .store
        .list_tags(&caller.actor, &caller.owner, paging)
        .await?;
    let dtos = page
        .items
        .iter()
        .map(|t| TagDto::new(t, &state.public_url))
        .collect();
    Ok(many("tag", page.total, dtos))
}

/// `GET /v2/tags/{name}`.
pub async fn tag(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let tag = state
        .store
        .get_tag(&caller.actor, &caller.owner, &name)
        .await?;
    Ok(one(
        StatusCode::OK,
        "tag",
        TagDto::new(&tag, &state.public_url),
    ))
}

/// `GET /v2/securityLabels`.
pub async fn labels(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let labels = state
        .store
        .list_labels(&caller.actor, &caller.owner)
        .await?;
    Ok(many(
        "securityLabel",
        Some(labels.len() as u64),
        labels.iter().map(SecurityLabelDto::from).collect(),
    ))
}

/// `GET /v2/securityLabels/{label}`.
pub async fn label(
    State(state): State<AppState>,
    caller: Caller,
    Path(label): Path<String>,
) -> ApiResult<Response> {
    let labels = state
        .store
        .list_labels(&caller.actor, &caller.owner)
        .await?;
    let label = find_label(&labels, &label)?;
    Ok(one(
        StatusCode::OK,
        "securityLabel",
        SecurityLabelDto::from(label),
    ))
}
