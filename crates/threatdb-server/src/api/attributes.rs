//! `/v2/groups/incidents/{id}/attributes[/{aid}[/securityLabels[/{label}]]]`.

use super::parse_id;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{JsonBody, done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{AttributePatch, NewAttribute, label_key};
use threatdb_wire::dto::{AttributeBody, AttributeDto, SecurityLabelDto};

/// `GET .../attributes`.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let found = state.store.list_attributes(&auth.0, parse_id(&id)?).await?;
    Ok(many(
        "attribute",
        Some(found.len() as u64),
        found.iter().map(AttributeDto::from).collect(),
    ))
}

/// `POST .../attributes` with `{"type", "value"[, "displayed"][, "source"]}`.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let id = parse_id(&id)?;
    let kind = body.kind.ok_or_else(|| {
        ApiError::BadRequest("type is required: the attribute type's name, e.g. Description".into())
    })?;
    let value = body
        .value
        .ok_or_else(|| ApiError::BadRequest("value is required".into()))?;
    let new = NewAttribute::parse(&kind, &value, body.displayed.unwrap_or(false), body.source)?;
    let attribute = state.store.add_attribute(&auth.0, id, new).await?;
    Ok(one(
        StatusCode::CREATED,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

/// `GET .../attributes/{aid}`.
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let attribute = state
        .store
        .get_attribute(&auth.0, parse_id(&id)?, parse_id(&aid)?)
        .await?;
    Ok(one(
        StatusCode::OK,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

/// `PUT .../attributes/{aid}` with `{"value"[, "displayed"][, "source"]}`.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(String, String)>,
    params: Params,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let (id, aid) = (parse_id(&id)?, parse_id(&aid)?);
    let patch = AttributePatch::parse(body.value, body.displayed, body.source)?;
    let attribute = state
        .store
        .update_attribute(&auth.0, id, aid, patch)
        .await?;
    Ok(one(
        StatusCode::OK,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

/// `DELETE .../attributes/{aid}`.
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    state
        .store
        .delete_attribute(&auth.0, parse_id(&id)?, parse_id(&aid)?)
        .await?;
    Ok(done(StatusCode::OK))
}

/// `GET .../attributes/{aid}/securityLabels`.
pub async fn labels(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let found = state
        .store
        .attribute_labels(&auth.0, parse_id(&id)?, parse_id(&aid)?)
        .await?;
    Ok(many(
        "securityLabel",
        Some(found.len() as u64),
        found.iter().map(SecurityLabelDto::from).collect(),
    ))
}

/// `GET .../attributes/{aid}/securityLabels/{label}`.
pub async fn get_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid, label)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let found = state
        .store
        .attribute_labels(&auth.0, parse_id(&id)?, parse_id(&aid)?)
        .await?;
    let key = label_key(&label);
    let label = found
        .iter()
        .find(|l| label_key(&l.name) == key)
        .ok_or(ApiError::NotFound)?;
    Ok(one(
        StatusCode::OK,
        "securityLabel",
        SecurityLabelDto::from(label),
    ))
}

/// `POST .../attributes/{aid}/securityLabels/{label}`.
pub async fn add_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid, label)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    state
        .store
        .add_attribute_label(&auth.0, parse_id(&id)?, parse_id(&aid)?, &label)
        .await?;
    Ok(done(StatusCode::CREATED))
}

/// `DELETE .../attributes/{aid}/securityLabels/{label}`.
pub async fn remove_label(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid, label)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    state
        .store
        .remove_attribute_label(&auth.0, parse_id(&id)?, parse_id(&aid)?, &label)
        .await?;
    Ok(done(StatusCode::OK))
}
