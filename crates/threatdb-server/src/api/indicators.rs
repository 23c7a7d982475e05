//! Indicators (`/v2/indicators/{type}[/{value}]`): create, read, delete; their incidents
//! (`.../groups/incidents`) and the indicator-side association path the legacy SDK uses.

use super::incidents::{listed, run_list};
use super::{indicator_kind, indicator_value};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply::{JsonBody, done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{Cond, IndicatorKind, IndicatorValue, Target};
use threatdb_wire::assoc::{IndicatorBody, IndicatorDto, indicator_body_keys};

async fn list_of(
    state: &AppState,
    caller: &Caller,
    kind: Option<IndicatorKind>,
) -> ApiResult<Response> {
    let owner = &caller.owner;
    let page = state
        .store
        .list_indicators(&caller.actor, owner, kind, caller.params.paging()?)
        .await?;
    let dtos = page
        .items
        .iter()
        .map(|i| IndicatorDto::new(i, false, &state.public_url))
        .collect();
    let key = kind.map_or("indicator", IndicatorDto::key);
    Ok(many(key, page.total, dtos))
}

/// `GET /v2/indicators`: the owner's indicators of every type, paginated.
pub async fn list_all(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    list_of(&state, &caller, None).await
}

/// `GET /v2/indicators/{type}`: the owner's indicators of the type, paginated.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind_raw): Path<String>,
) -> ApiResult<Response> {
    list_of(&state, &caller, Some(indicator_kind(&kind_raw)?)).await
}

/// `POST /v2/indicators/{type}`: the value under the type's key (`hostName`, `ip`, ...).
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind_raw): Path<String>,
    JsonBody(body): JsonBody<IndicatorBody>,
) -> ApiResult<Response> {
    let owner = &caller.owner;
    let kind = indicator_kind(&kind_raw)?;
    let keys = indicator_body_keys(kind);
    let raw = body
        .value(kind)
        .ok_or_else(|| ApiError::BadRequest(format!("{} is required", keys.join(" or "))))?;
    let value = IndicatorValue::parse(kind, raw)?;
    let scores =
        threatdb_core::IndicatorScores::parse(body.rating.map(Some), body.confidence.map(Some))?;
    let ind = if scores.is_empty() {
        state
            .store
            .create_indicator(&caller.actor, owner, &value)
            .await?
    } else {
        let target = threatdb_core::IndicatorTarget::Create(owner.clone(), value);
        let changes = threatdb_core::NestedChanges {
            scores,
            ..Default::default()
        };
        state
            .store
            .write_indicator(&caller.actor, target, changes)
            .await?
    };
    let dto = IndicatorDto::new(&ind, true, &state.public_url);
    Ok(one(StatusCode::CREATED, IndicatorDto::key(kind), dto))
}

/// `GET /v2/indicators/{type}/{value}` (in `owner=` or the default owner).
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind_raw, raw)): Path<(String, String)>,
) -> ApiResult<Response> {
    let owner = &caller.owner;
    let value = indicator_value(&kind_raw, &raw)?;
    let ind = state
        .store
        .get_indicator(&caller.actor, owner, &value)
        .await?;
    let dto = IndicatorDto::new(&ind, true, &state.public_url);
    Ok(one(StatusCode::OK, IndicatorDto::key(ind.kind), dto))
}

/// `DELETE /v2/indicators/{type}/{value}`: the indicator and its associations.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind_raw, raw)): Path<(String, String)>,
) -> ApiResult<Response> {
    let owner = &caller.owner;
    let value = indicator_value(&kind_raw, &raw)?;
    state
        .store
        .delete_indicator(&caller.actor, owner, &value)
        .await?;
    Ok(done(StatusCode::OK))
}

/// `GET /v2/indicators/{type}/{value}/groups/incidents`: the owner's incidents associated with
/// its indicator of this value.
pub async fn incidents(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind_raw, raw)): Path<(String, String)>,
) -> ApiResult<Response> {
    let target = Target::Indicator(indicator_value(&kind_raw, &raw)?);
    let page = run_list(&state, &caller, |q| {
        q.and(Cond::Associated(target));
    })
    .await?;
    Ok(listed(&state, "incident", false, &caller.params, page))
}

async fn link(
    state: &AppState,
    caller: &Caller,
    (kind_raw, raw, incident): (String, String, String),
    add: bool,
) -> ApiResult<Response> {
    let target = Target::Indicator(indicator_value(&kind_raw, &raw)?);
    super::associations::link(state, caller, &incident, target, add).await
}

/// `POST /v2/indicators/{type}/{value}/groups/incidents/{id}` (201, idempotent).
pub async fn associate(
    State(state): State<AppState>,
    caller: Caller,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &caller, path, true).await
}

/// `DELETE /v2/indicators/{type}/{value}/groups/incidents/{id}`.
pub async fn disassociate(
    State(state): State<AppState>,
    caller: Caller,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &caller, path, false).await
}
