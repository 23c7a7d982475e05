//! An incident's associations, from the incident's side: `.../groups[/{type}[/{id}]]`,
//! `.../indicators[/{type}[/{value}]]`, `.../victims[/{id}]`, `.../tasks[/{id}]`. Creating
//! one that exists succeeds and changes nothing (DECISIONS.md #10).

use super::{group_kind, indicator_kind, indicator_value, parse_id};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply::{done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use threatdb_core::{
    GroupFilter, IncidentDetails, ItemKind, LinkSet, Linked, Page, Paging, Target,
};
use threatdb_wire::assoc::{IndicatorDto, ItemDto};
use threatdb_wire::dto::{IncidentDto, View};

fn to_json(state: &AppState, linked: &Linked, with_type: bool) -> ApiResult<Value> {
    let v = match linked {
        Linked::Incident(i) => {
            let details = IncidentDetails {
                incident: i.clone(),
                attributes: None,
                tags: None,
                labels: None,
            };
            let view = View {
                single: false,
                with_type,
                additional: false,
                public_url: &state.public_url,
            };
            serde_json::to_value(IncidentDto::new(&details, view))
        }
        Linked::Item(item) => {
            serde_json::to_value(ItemDto::new(item, false, with_type, &state.public_url))
        }
        Linked::Indicator(ind) => {
            serde_json::to_value(IndicatorDto::new(ind, false, &state.public_url))
        }
    };
    v.map_err(|e| ApiError::Internal(e.to_string()))
}

fn page_json(
    state: &AppState,
    key: &'static str,
    page: &Page<Linked>,
    with_type: bool,
) -> ApiResult<Response> {
    let items = page
        .items
        .iter()
        .map(|l| to_json(state, l, with_type))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(many(key, page.total, items))
}

async fn list(
    state: &AppState,
    caller: &Caller,
    id: &str,
    set: LinkSet,
    key: &'static str,
    with_type: bool,
) -> ApiResult<Response> {
    let page = state
        .store
        .associations(&caller.actor, parse_id(id)?, set, caller.params.paging()?)
        .await?;
    page_json(state, key, &page, with_type)
}

/// One associated thing, by its id, or 404.
async fn find(
    state: &AppState,
    caller: &Caller,
    id: &str,
    set: LinkSet,
    key: &'static str,
    wanted: i64,
) -> ApiResult<Response> {
    let all = Paging::new(0, Paging::MAX_LIMIT)?;
    let page = state
        .store
        .associations(&caller.actor, parse_id(id)?, set, all)
        .await?;
    let found = page.items.iter().find(|l| match l {
        Linked::Incident(i) => i.id == wanted,
        Linked::Item(i) => i.id == wanted,
        Linked::Indicator(i) => i.id == wanted,
    });
    let found = found.ok_or(ApiError::NotFound)?;
    Ok(one(StatusCode::OK, key, to_json(state, found, false)?))
}

/// Adds (201, idempotent) or removes (200; 404 when absent) the association of incident `id`
/// with `target`, whichever side the path starts from.
pub(super) async fn link(
    state: &AppState,
    caller: &Caller,
    id: &str,
    target: Target,
    add: bool,
) -> ApiResult<Response> {
    let incident = parse_id(id)?;
    if add {
        state
            .store
            .associate(&caller.actor, incident, &target)
            .await?;
        Ok(done(StatusCode::CREATED))
    } else {
        state
            .store
            .disassociate(&caller.actor, incident, &target)
            .await?;
        Ok(done(StatusCode::OK))
    }
}

/// `GET .../groups`: every associated group, with its `type` (key `group`).
pub async fn groups(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    list(&state, &caller, &id, LinkSet::Groups(None), "group", true).await
}

/// `GET .../groups/{type}`. For `incidents` this is also the `add_incident_id` look-up, with
/// `owner=`, `filters=` and paging like any incident list.
pub async fn groups_of_type(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
) -> ApiResult<Response> {
    if kind == "incidents" {
        let target = Target::Incident(parse_id(&id)?);
        return super::reverse::incidents_of(&state, &caller, target).await;
    }
    let kind = group_kind(&kind)?;
    let set = LinkSet::Groups(Some(GroupFilter::Items(kind)));
    list(&state, &caller, &id, set, kind.json_key(), false).await
}

fn group_target(kind: &str, gid: &str) -> ApiResult<(Target, LinkSet, &'static str)> {
    let gid = parse_id(gid)?;
    if kind == "incidents" {
        let set = LinkSet::Groups(Some(GroupFilter::Incidents));
        return Ok((Target::Incident(gid), set, "incident"));
    }
    let kind = group_kind(kind)?;
    let set = LinkSet::Groups(Some(GroupFilter::Items(kind)));
    Ok((Target::Item(kind, gid), set, kind.json_key()))
}

/// `GET .../groups/{type}/{gid}`: the group if associated.
pub async fn group(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind, gid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let (target, set, key) = group_target(&kind, &gid)?;
    let wanted = match target {
        Target::Incident(g) | Target::Item(_, g) => g,
        Target::Indicator(_) => return Err(ApiError::NotFound),
    };
    find(&state, &caller, &id, set, key, wanted).await
}

/// `POST .../groups/{type}/{gid}`.
pub async fn add_group(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind, gid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &caller, &id, group_target(&kind, &gid)?.0, true).await
}

/// `DELETE .../groups/{type}/{gid}`.
pub async fn remove_group(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind, gid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    link(&state, &caller, &id, group_target(&kind, &gid)?.0, false).await
}

/// `GET .../indicators` (key `indicator`).
pub async fn indicators_all(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    list(
        &state,
        &caller,
        &id,
        LinkSet::Indicators(None),
        "indicator",
        true,
    )
    .await
}

/// `GET .../indicators/{type}`.
pub async fn indicators_of_type(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
) -> ApiResult<Response> {
    let kind = indicator_kind(&kind)?;
    let set = LinkSet::Indicators(Some(kind));
    list(&state, &caller, &id, set, IndicatorDto::key(kind), true).await
}

/// `POST .../indicators/{type}/{value}` (the group-side path).
pub async fn add_indicator(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind, value)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let target = Target::Indicator(indicator_value(&kind, &value)?);
    link(&state, &caller, &id, target, true).await
}

/// `DELETE .../indicators/{type}/{value}`.
pub async fn remove_indicator(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, kind, value)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let target = Target::Indicator(indicator_value(&kind, &value)?);
    link(&state, &caller, &id, target, false).await
}

/// Victim and task associations of an incident, one module per kind.
macro_rules! named_links {
    ($module:ident, $kind:expr, $set:expr, $key:literal) => {
        /// List, get, add and remove for one kind.
        pub mod $module {
            use super::*;

            /// `GET .../{kind}`.
            pub async fn list(
                State(state): State<AppState>,
                caller: Caller,
                Path(id): Path<String>,
            ) -> ApiResult<Response> {
                super::list(&state, &caller, &id, $set, $key, false).await
            }

            /// `GET .../{kind}/{vid}`: the item if associated.
            pub async fn get(
                State(state): State<AppState>,
                caller: Caller,
                Path((id, vid)): Path<(String, String)>,
            ) -> ApiResult<Response> {
                find(&state, &caller, &id, $set, $key, parse_id(&vid)?).await
            }

            /// `POST .../{kind}/{vid}`.
            pub async fn add(
                State(state): State<AppState>,
                caller: Caller,
                Path((id, vid)): Path<(String, String)>,
            ) -> ApiResult<Response> {
                let target = Target::Item($kind, parse_id(&vid)?);
                link(&state, &caller, &id, target, true).await
            }

            /// `DELETE .../{kind}/{vid}`.
            pub async fn remove(
                State(state): State<AppState>,
                caller: Caller,
                Path((id, vid)): Path<(String, String)>,
            ) -> ApiResult<Response> {
                let target = Target::Item($kind, parse_id(&vid)?);
                link(&state, &caller, &id, target, false).await
            }
        }
    };
}

named_links!(victims, ItemKind::Victim, LinkSet::Victims, "victim");
named_links!(tasks, ItemKind::Task, LinkSet::Tasks, "task");
