//! Groups of the other types (`/v2/groups/{type}[/{id}]`), victims (`/v2/victims[/{id}]`) and
//! tasks (`/v2/tasks[/{id}]`): create, read, delete, and their incidents (the reverse look-ups
//! `.../{id}/groups/incidents`, with `owner=`, `filters=` and paging).

use super::{group_kind, parse_id};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply::{JsonBody, done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use threatdb_core::{IncidentName, ItemKind, ItemPatch, NewItem, Target};
use threatdb_wire::assoc::{ItemBody, ItemDto};

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

async fn create(
    state: &AppState,
    caller: &Caller,
    kind: ItemKind,
    body: ItemBody,
) -> ApiResult<Response> {
    let owner = &caller.owner;
    let ItemBody {
        name,
        fields: mut body,
    } = body;
    let name = match name {
        Some(s) => IncidentName::parse(&s)?,
        None => return Err(ApiError::BadRequest("name is required".into())),
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
    let item = state.store.create_item(&caller.actor, owner, new).await?;
    let dto = ItemDto::new(&item, true, false, &state.public_url);
    Ok(one(StatusCode::CREATED, kind.json_key(), dto))
}

async fn list(state: &AppState, caller: &Caller, kind: ItemKind) -> ApiResult<Response> {
    let owner = &caller.owner;
    let page = state
        .store
        .list_items(&caller.actor, owner, Some(kind), caller.params.paging()?)
        .await?;
    let dtos = page
        .items
        .iter()
        .map(|i| ItemDto::new(i, false, false, &state.public_url))
        .collect();
    Ok(many(kind.json_key(), page.total, dtos))
}

async fn get(state: &AppState, caller: &Caller, kind: ItemKind, id: &str) -> ApiResult<Response> {
    let item = state
        .store
        .get_item(&caller.actor, kind, parse_id(id)?)
        .await?;
    let dto = ItemDto::new(&item, true, false, &state.public_url);
    Ok(one(StatusCode::OK, kind.json_key(), dto))
}

/// `PUT`: only what the body carries changes; type-specific fields merge (`null` removes one).
async fn update(
    state: &AppState,
    caller: &Caller,
    kind: ItemKind,
    id: &str,
    body: ItemBody,
) -> ApiResult<Response> {
    let id = parse_id(id)?;
    let ItemBody {
        name,
        fields: mut body,
    } = body;
    let name = name.as_deref().map(IncidentName::parse).transpose()?;
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
    let item = state
        .store
        .update_item(&caller.actor, kind, id, patch)
        .await?;
    let dto = ItemDto::new(&item, true, false, &state.public_url);
    Ok(one(StatusCode::OK, kind.json_key(), dto))
}

async fn delete(
    state: &AppState,
    caller: &Caller,
    kind: ItemKind,
    id: &str,
) -> ApiResult<Response> {
    state
        .store
        .delete_item(&caller.actor, kind, parse_id(id)?)
        .await?;
    Ok(done(StatusCode::OK))
}

async fn incidents(
    state: &AppState,
    caller: &Caller,
    kind: ItemKind,
    id: &str,
) -> ApiResult<Response> {
    let target = Target::Item(kind, parse_id(id)?);
    super::reverse::incidents_of(state, caller, target).await
}

/// `POST`/`DELETE .../{id}/groups/incidents/{incident}`: the association seen from this side.
async fn link(
    state: &AppState,
    caller: &Caller,
    kind: ItemKind,
    id: &str,
    incident: &str,
    add: bool,
) -> ApiResult<Response> {
    let target = Target::Item(kind, parse_id(id)?);
    super::associations::link(state, caller, incident, target, add).await
}

/// `POST /v2/groups/{type}`.
pub async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    JsonBody(body): JsonBody<ItemBody>,
) -> ApiResult<Response> {
    create(&state, &caller, group_kind(&kind)?, body).await
}

/// `GET /v2/groups/{type}`: the owner's groups of the type, paginated.
pub async fn list_groups(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
) -> ApiResult<Response> {
    list(&state, &caller, group_kind(&kind)?).await
}

/// `GET /v2/groups/{type}/{id}`.
pub async fn get_group(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    get(&state, &caller, group_kind(&kind)?, &id).await
}

/// `PUT /v2/groups/{type}/{id}`.
pub async fn update_group(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ItemBody>,
) -> ApiResult<Response> {
    update(&state, &caller, group_kind(&kind)?, &id, body).await
}

/// `DELETE /v2/groups/{type}/{id}`: the group and its associations.
pub async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    delete(&state, &caller, group_kind(&kind)?, &id).await
}

/// `GET /v2/groups/{type}/{id}/groups/incidents`.
pub async fn group_incidents(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    incidents(&state, &caller, group_kind(&kind)?, &id).await
}

/// `POST /v2/groups/{type}/{id}/groups/incidents/{incident}`.
pub async fn group_link(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id, incident)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &caller, group_kind(&kind)?, &id, &incident, true).await
}

/// `DELETE /v2/groups/{type}/{id}/groups/incidents/{incident}`.
pub async fn group_unlink(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id, incident)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &caller, group_kind(&kind)?, &id, &incident, false).await
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
                caller: Caller,
                JsonBody(body): JsonBody<ItemBody>,
            ) -> ApiResult<Response> {
                super::create(&state, &caller, $kind, body).await
            }

            /// `GET /v2/{kind}`: the owner's, paginated.
            pub async fn list(
                State(state): State<AppState>,
                caller: Caller,
            ) -> ApiResult<Response> {
                super::list(&state, &caller, $kind).await
            }

            /// `GET /v2/{kind}/{id}`.
            pub async fn get(
                State(state): State<AppState>,
                caller: Caller,
                Path(id): Path<String>,
            ) -> ApiResult<Response> {
                super::get(&state, &caller, $kind, &id).await
            }

            /// `PUT /v2/{kind}/{id}`.
            pub async fn update(
                State(state): State<AppState>,
                caller: Caller,
                Path(id): Path<String>,
                JsonBody(body): JsonBody<ItemBody>,
            ) -> ApiResult<Response> {
                super::update(&state, &caller, $kind, &id, body).await
            }

            /// `DELETE /v2/{kind}/{id}`.
            pub async fn delete(
                State(state): State<AppState>,
                caller: Caller,
                Path(id): Path<String>,
            ) -> ApiResult<Response> {
                super::delete(&state, &caller, $kind, &id).await
            }

            /// `GET /v2/{kind}/{id}/groups/incidents`.
            pub async fn incidents(
                State(state): State<AppState>,
                caller: Caller,
                Path(id): Path<String>,
            ) -> ApiResult<Response> {
                super::incidents(&state, &caller, $kind, &id).await
            }

            /// `POST /v2/{kind}/{id}/groups/incidents/{incident}`.
            pub async fn link(
                State(state): State<AppState>,
                caller: Caller,
                Path((id, incident)): Path<(String, String)>,
            ) -> ApiResult<Response> {
                super::link(&state, &caller, $kind, &id, &incident, true).await
            }

            /// `DELETE /v2/{kind}/{id}/groups/incidents/{incident}`.
            pub async fn unlink(
                State(state): State<AppState>,
                caller: Caller,
                Path((id, incident)): Path<(String, String)>,
            ) -> ApiResult<Response> {
                super::link(&state, &caller, $kind, &id, &incident, false).await
            }
        }
    };
}

named_kind!(victims, ItemKind::Victim);
named_kind!(tasks, ItemKind::Task);
