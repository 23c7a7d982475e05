//! `.../attributes[/{aid}[/securityLabels[/{label}]]]` of any subject, with the v2 bodies:
//! `{"type", "value"[, "displayed"][, "source"]}` to create, any of `value`, `displayed`,
//! `source` to update; values are checked against their type.

use super::{On, find_label};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::reply::{JsonBody, done, many, one};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{AttributePatch, NewAttribute};
use threatdb_wire::dto::{AttributeBody, AttributeDto, SecurityLabelDto};

/// `GET .../attributes`.
pub async fn list(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let found = state
        .store
        .attributes_of(&on.caller.actor, &on.subject)
        .await?;
    Ok(many(
        "attribute",
        Some(found.len() as u64),
        found.iter().map(AttributeDto::from).collect(),
    ))
}

/// `POST .../attributes`.
pub async fn create(
    State(state): State<AppState>,
    on: On,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    let kind = body.kind.ok_or_else(|| {
        ApiError::BadRequest("type is required: the attribute type's name, e.g. Description".into())
    })?;
    let value = body
        .value
        .ok_or_else(|| ApiError::BadRequest("value is required".into()))?;
    let new = NewAttribute::parse(&kind, &value, body.displayed.unwrap_or(false), body.source)?;
    let attribute = state
        .store
        .add_attribute(&on.caller.actor, &on.subject, new)
        .await?;
    Ok(one(
        StatusCode::CREATED,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

/// `GET .../attributes/{aid}`.
pub async fn get(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let attribute = state
        .store
        .attribute_of(&on.caller.actor, &on.subject, on.attribute()?)
        .await?;
    Ok(one(
        StatusCode::OK,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

/// `PUT .../attributes/{aid}`.
pub async fn update(
    State(state): State<AppState>,
    on: On,
    JsonBody(body): JsonBody<AttributeBody>,
) -> ApiResult<Response> {
    let aid = on.attribute()?;
    let patch = AttributePatch::parse(body.value, body.displayed, body.source)?;
    let attribute = state
        .store
        .update_attribute(&on.caller.actor, &on.subject, aid, patch)
        .await?;
    Ok(one(
        StatusCode::OK,
        "attribute",
        AttributeDto::from(&attribute),
    ))
}

/// `DELETE .../attributes/{aid}`.
pub async fn delete(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let aid = on.attribute()?;
    state
        .store
        .delete_attribute(&on.caller.actor, &on.subject, aid)
        .await?;
    Ok(done(StatusCode::OK))
}

/// `GET .../attributes/{aid}/securityLabels`.
pub async fn labels(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let found = state
        .store
        .attribute_labels(&on.caller.actor, &on.subject, on.attribute()?)
        .await?;
    Ok(many(
        "securityLabel",
        Some(found.len() as u64),
        found.iter().map(SecurityLabelDto::from).collect(),
    ))
}

/// `GET .../attributes/{aid}/securityLabels/{label}`.
pub async fn get_label(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let found = state
        .store
        .attribute_labels(&on.caller.actor, &on.subject, on.attribute()?)
        .await?;
    let label = find_label(&found, on.param("label")?)?;
    Ok(one(
        StatusCode::OK,
        "securityLabel",
        SecurityLabelDto::from(label),
    ))
}

/// `POST .../attributes/{aid}/securityLabels/{label}`.
pub async fn add_label(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let (aid, label) = (on.attribute()?, on.param("label")?);
    state
        .store
        .label_attribute(&on.caller.actor, &on.subject, aid, label)
        .await?;
    Ok(done(StatusCode::CREATED))
}

/// `DELETE .../attributes/{aid}/securityLabels/{label}`.
pub async fn remove_label(State(state): State<AppState>, on: On) -> ApiResult<Response> {
    let (aid, label) = (on.attribute()?, on.param("label")?);
    state
        .store
        .unlabel_attribute(&on.caller.actor, &on.subject, aid, label)
        .await?;
    Ok(done(StatusCode::OK))
}
