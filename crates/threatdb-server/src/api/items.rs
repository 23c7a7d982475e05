//! Groups of the other types (`/v2/groups/{type}[/{id}]`), victims (`/v2/victims[/{id}]`) and
//! tasks (`/v2/tasks[/{id}]`): create, read, delete, and their incidents (the reverse look-ups
//! `.../{id}/groups/incidents`, with `owner=`, `filters=` and paging).

use super::parse_id;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{JsonBody, done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use threatdb_core::{IncidentName, ItemKind, ItemPatch, NewItem, Target};
use threatdb_wire::assoc::ItemDto;

/// Keys of a body that are not type-specific fields.
const COMMON: &[&str] = &[
    "id",
    "name",
    "type",
    "owner",
    "ownerName",
    "dateAdded",
    "lastModified",
    "webLink",
];

/// The group type named in a URL (not incidents, which have their own routes).
pub(super) fn group_kind(raw: &str) -> ApiResult<ItemKind> {
    ItemKind::from_url(raw)
        .filter(|k| k.is_group())
        .ok_or(ApiError::NotFound)
}

async fn create(
    state: &AppState,
    auth: &Auth,
    params: &Params,
    kind: ItemKind,
    mut body: Map<String, Value>,
) -> ApiResult<Response> {
    let owner = params.owner(&auth.0)?;
    let name = match body.get("name") {
        Some(Value::String(s)) => IncidentName::parse(s)?,
        _ => return Err(ApiError::BadRequest("name is required".into())),
    };
    for field in kind.required_fields() {
        match body.get(*field) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "{field} is required for a {}",
                    kind.type_name()
                )));
            }
        }
    }
    body.retain(|k, _| !COMMON.contains(&k.as_str()));
    let fields = serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let new = NewItem { kind, name, fields };
    let item = state.store.create_item(&auth.0, owner, new).await?;
    let dto = ItemDto::new(&item, true, false, &state.public_url);
    Ok(one(StatusCode::CREATED, kind.json_key(), dto))
}

async fn list(
    state: &AppState,
    auth: &Auth,
    params: &Params,
    kind: ItemKind,
) -> ApiResult<Response> {
    let owner = params.owner(&auth.0)?;
    let page = state
        .store
        .list_items(&auth.0, owner, Some(kind), params.paging()?)
        .await?;
    let dtos = page
        .items
        .iter()
        .map(|i| ItemDto::new(i, false, false, &state.public_url))
        .collect();
    Ok(many(kind.json_key(), page.total, dtos))
}

async fn get(state: &AppState, auth: &Auth, kind: ItemKind, id: &str) -> ApiResult<Response> {
    let item = state.store.get_item(&auth.0, kind, parse_id(id)?).await?;
    let dto = ItemDto::new(&item, true, false, &state.public_url);
    Ok(one(StatusCode::OK, kind.json_key(), dto))
}

/// `PUT`: only what the body carries changes; type-specific fields merge (`null` removes one).
async fn update(
    state: &AppState,
    auth: &Auth,
    kind: ItemKind,
    id: &str,
    mut body: Map<String, Value>,
) -> ApiResult<Response> {
    let id = parse_id(id)?;
    let name = match body.get("name") {
        None => None,
        Some(Value::String(s)) => Some(IncidentName::parse(s)?),
        Some(_) => return Err(ApiError::BadRequest("name must be a string".into())),
    };
    for field in kind.required_fields() {
        match body.get(*field) {
            None => {}
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(_) => {
                return Err(ApiError::BadRequest(format!(
                    "{field} is required for a {}",
                    kind.type_name()
                )));
            }
        }
    }
    body.retain(|k, _| !COMMON.contains(&k.as_str()));
    let fields = if body.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.to_string()))?)
    };
    let patch = ItemPatch { name, fields };
    let item = state.store.update_item(&auth.0, kind, id, patch).await?;
    let dto = ItemDto::new(&item, true, false, &state.public_url);
    Ok(one(StatusCode::OK, kind.json_key(), dto))
}

async fn delete(state: &AppState, auth: &Auth, kind: ItemKind, id: &str) -> ApiResult<Response> {
    state
        .store
        .delete_item(&auth.0, kind, parse_id(id)?)
        .await?;
    Ok(done(StatusCode::OK))
}

async fn incidents(
    state: &AppState,
    auth: &Auth,
    params: &Params,
    kind: ItemKind,
    id: &str,
) -> ApiResult<Response> {
    let target = Target::Item(kind, parse_id(id)?);
    super::reverse::incidents_of(state, auth, params, target).await
}

/// `POST`/`DELETE .../{id}/groups/incidents/{incident}`: the association seen from this side.
async fn link(
    state: &AppState,
    auth: &Auth,
    kind: ItemKind,
    id: &str,
    incident: &str,
    add: bool,
) -> ApiResult<Response> {
    let target = Target::Item(kind, parse_id(id)?);
    let incident = parse_id(incident)?;
    if add {
        state.store.associate(&auth.0, incident, &target).await?;
        Ok(done(StatusCode::CREATED))
    } else {
        state.store.disassociate(&auth.0, incident, &target).await?;
        Ok(done(StatusCode::OK))
    }
}

/// `POST /v2/groups/{type}`.
pub async fn create_group(
    State(state): State<AppState>,
    auth: Auth,
    Path(kind): Path<String>,
    params: Params,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    create(&state, &auth, &params, group_kind(&kind)?, body).await
}

/// `GET /v2/groups/{type}`: the owner's groups of the type, paginated.
pub async fn list_groups(
    State(state): State<AppState>,
    auth: Auth,
    Path(kind): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    list(&state, &auth, &params, group_kind(&kind)?).await
}

/// `GET /v2/groups/{type}/{id}`.
pub async fn get_group(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    get(&state, &auth, group_kind(&kind)?, &id).await
}

/// `PUT /v2/groups/{type}/{id}`.
pub async fn update_group(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    update(&state, &auth, group_kind(&kind)?, &id, body).await
}

/// `DELETE /v2/groups/{type}/{id}`: the group and its associations.
pub async fn delete_group(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    delete(&state, &auth, group_kind(&kind)?, &id).await
}

/// `GET /v2/groups/{type}/{id}/groups/incidents`.
pub async fn group_incidents(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    incidents(&state, &auth, &params, group_kind(&kind)?, &id).await
}

/// `POST /v2/groups/{type}/{id}/groups/incidents/{incident}`.
pub async fn group_link(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, incident)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &auth, group_kind(&kind)?, &id, &incident, true).await
}

/// `DELETE /v2/groups/{type}/{id}/groups/incidents/{incident}`.
pub async fn group_unlink(
    State(state): State<AppState>,
    auth: Auth,
    Path((kind, id, incident)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &auth, group_kind(&kind)?, &id, &incident, false).await
}

/// Handlers for `/v2/victims` or `/v2/tasks`, one module per kind.
macro_rules! named_kind {
    ($module:ident, $kind:expr) => {
        /// Create, read, delete and the reverse look-up for one kind.
        pub mod $module {
            use super::*;

            /// `POST /v2/{kind}`.
            pub async fn create(
                State(state): State<AppState>,
                auth: Auth,
                params: Params,
                JsonBody(body): JsonBody<Map<String, Value>>,
            ) -> ApiResult<Response> {
                super::create(&state, &auth, &params, $kind, body).await
            }

            /// `GET /v2/{kind}`: the owner's, paginated.
            pub async fn list(
                State(state): State<AppState>,
                auth: Auth,
                params: Params,
            ) -> ApiResult<Response> {
                super::list(&state, &auth, &params, $kind).await
            }

            /// `GET /v2/{kind}/{id}`.
            pub async fn get(
                State(state): State<AppState>,
                auth: Auth,
                Path(id): Path<String>,
            ) -> ApiResult<Response> {
                super::get(&state, &auth, $kind, &id).await
            }

            /// `PUT /v2/{kind}/{id}`.
            pub async fn update(
                State(state): State<AppState>,
                auth: Auth,
                Path(id): Path<String>,
                JsonBody(body): JsonBody<Map<String, Value>>,
            ) -> ApiResult<Response> {
                super::update(&state, &auth, $kind, &id, body).await
            }

            /// `DELETE /v2/{kind}/{id}`.
            pub async fn delete(
                State(state): State<AppState>,
                auth: Auth,
                Path(id): Path<String>,
            ) -> ApiResult<Response> {
                super::delete(&state, &auth, $kind, &id).await
            }

            /// `GET /v2/{kind}/{id}/groups/incidents`.
            pub async fn incidents(
                State(state): State<AppState>,
                auth: Auth,
                Path(id): Path<String>,
                params: Params,
            ) -> ApiResult<Response> {
                super::incidents(&state, &auth, &params, $kind, &id).await
            }

            /// `POST /v2/{kind}/{id}/groups/incidents/{incident}`.
            pub async fn link(
                State(state): State<AppState>,
                auth: Auth,
                Path((id, incident)): Path<(String, String)>,
            ) -> ApiResult<Response> {
                super::link(&state, &auth, $kind, &id, &incident, true).await
            }

            /// `DELETE /v2/{kind}/{id}/groups/incidents/{incident}`.
            pub async fn unlink(
                State(state): State<AppState>,
                auth: Auth,
                Path((id, incident)): Path<(String, String)>,
            ) -> ApiResult<Response> {
                super::link(&state, &auth, $kind, &id, &incident, false).await
            }
        }
    };
}

named_kind!(victims, ItemKind::Victim);
named_kind!(tasks, ItemKind::Task);
