//! Security labels of an incident (`.../securityLabels[/{label}]`) and of an owner
//! (`/v2/securityLabels[/{label}]`).

use super::parse_id;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{SecurityLabel, label_key};
use threatdb_wire::dto::SecurityLabelDto;

fn find<'a>(labels: &'a [SecurityLabel], name: &str) -> ApiResult<&'a SecurityLabel> {
    let key = label_key(name);
    labels
        .iter()
        .find(|l| label_key(&l.name) == key)
        .ok_or(ApiError::NotFound)
}

fn listed(labels: &[SecurityLabel]) -> Response {
    many(
        "securityLabel",
        Some(labels.len() as u64),
        labels.iter().map(SecurityLabelDto::from).collect(),
    )
}

/// `GET .../securityLabels`.
pub async fn of_incident(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    Ok(listed(
        &state.store.incident_labels(&auth.0, parse_id(&id)?).await?,
    ))
}

/// `GET .../securityLabels/{label}`: the label if the incident carries it.
pub async fn get_on_incident(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, label)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let found = state.store.incident_labels(&auth.0, parse_id(&id)?).await?;
    Ok(one(
        StatusCode::OK,
        "securityLabel",
        SecurityLabelDto::from(find(&found, &label)?),
    ))
}

/// `POST .../securityLabels/{label}`: the label must exist (400 otherwise, DECISIONS.md #7).
pub async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, label)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    state
        .store
        .add_incident_label(&auth.0, parse_id(&id)?, &label)
        .await?;
    Ok(done(StatusCode::CREATED))
}

/// `DELETE .../securityLabels/{label}`.
pub async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, label)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    state
        .store
        .remove_incident_label(&auth.0, parse_id(&id)?, &label)
        .await?;
    Ok(done(StatusCode::OK))
}

/// `GET /v2/securityLabels`: the system labels and the owner's own.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> ApiResult<Response> {
    let owner = params.owner(&auth.0)?;
    Ok(listed(&state.store.list_labels(&auth.0, owner).await?))
}

/// `GET /v2/securityLabels/{label}`.
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(label): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let owner = params.owner(&auth.0)?;
    let found = state.store.list_labels(&auth.0, owner).await?;
    Ok(one(
        StatusCode::OK,
        "securityLabel",
        SecurityLabelDto::from(find(&found, &label)?),
    ))
}
