//! `.../securityLabels[/{label}]` of any subject: the label must exist (400 otherwise,
//! DECISIONS.md #7); adding is idempotent, removing one that is not there is a 404.

use super::{On, find_label};
use crate::AppState;
use crate::error::ApiResult;
use crate::reply::{done, many, one};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_wire::dto::SecurityLabelDto;

/// `GET .../securityLabels`.
pub async fn list(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let labels = state.store.labels_of(&on.caller.actor, &on.subject).await?;
    Ok(many(
        "securityLabel",
        Some(labels.len() as u64),
        labels.iter().map(SecurityLabelDto::from).collect(),
    ))
}

/// `GET .../securityLabels/{label}`: the label if the subject carries it.
pub async fn get(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let labels = state.store.labels_of(&on.caller.actor, &on.subject).await?;
    let label = find_label(&labels, on.param("label")?)?;
    Ok(one(
        StatusCode::OK,
        "securityLabel",
        SecurityLabelDto::from(label),
    ))
}

/// `POST .../securityLabels/{label}`.
pub async fn add(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let label = on.param("label")?;
    state
        .store
        .label(&on.caller.actor, &on.subject, label)
        .await?;
    Ok(done(StatusCode::CREATED))
}

/// `DELETE .../securityLabels/{label}`.
pub async fn remove(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let label = on.param("label")?;
    state
        .store
        .unlabel(&on.caller.actor, &on.subject, label)
        .await?;
    Ok(done(StatusCode::OK))
}
