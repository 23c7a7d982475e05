//! `GET /v3/groups/{id}/history` and `GET /v3/indicators/{id}/history` (a threatdb extension;
//! reverting one change is `revert.rs`):
//! the changes recorded on a group or an indicator, newest first, paged by `resultStart` /
//! `resultLimit`, filtered by `since`, `until`, `field` and `user`. Whoever may read the object
//! reads its history; another owner's is a 404, as the object is.

use super::common::{link, params};
use super::{V3Result, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use threatdb_core::history::{HistoryEntry, HistoryQuery};
use threatdb_core::{
    Actor, Include, IndicatorValue, StoreError, Subject, format_timestamp, parse_timestamp,
};
use threatdb_wire::v3::{self, List};

/// What a history page asks for beyond what every v3 list takes (`owner`, paging, `count`):
/// the filters, read into the store's query and kept for the `next`/`prev` links.
struct Asked {
    p: super::params::V3Params,
    query: HistoryQuery,
    filters: Vec<(&'static str, String)>,
}

fn asked(raw: &Option<String>) -> ApiResult<Asked> {
    let p = params(raw);
    let mut q = HistoryQuery::all(p.paging()?);
    let mut filters = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        let time = |name: &str| {
            parse_timestamp(&value)
                .map_err(|e| ApiError::BadRequest(format!("{name} must be a date (ISO 8601): {e}")))
        };
        let name = match key.as_ref() {
            "since" => {
                q.since = Some(time("since")?);
                "since"
            }
            "until" => {
                q.until = Some(time("until")?);
                "until"
            }
            "field" => {
                q.field = Some(value.to_string());
                "field"
            }
            "user" => {
                q.user = Some(value.to_string());
                "user"
            }
            _ => continue,
        };
        filters.push((name, value.into_owned()));
    }
    Ok(Asked {
        p,
        query: q,
        filters,
    })
}

pub(super) fn change(e: HistoryEntry) -> v3::Change {
    v3::Change {
        id: e.id,
        field: e.field,
        old_value: e.old,
        new_value: e.new,
        user: e.user,
        user_id: e.user_id,
        via: e.via,
        request_id: e.request_id,
        date: format_timestamp(e.at),
    }
}

/// The page of `on`'s history the request asks for, with its links.
async fn page(
    state: &AppState,
    actor: &Actor,
    on: &Subject,
    endpoint: &str,
    asked: Asked,
) -> V3Result {
    let found = state.store.history(actor, on, &asked.query).await?;
    let paging = asked.query.paging;
    let shown = u64::try_from(found.items.len()).unwrap_or(u64::MAX);
    let mut answer = List::new(found.items.into_iter().map(change).collect());
    if asked.p.count && paging.start == 0 {
        answer.count = found.total;
    }
    let link_to = |start: u64| {
        let mut q = asked.p.next_query(start, paging.limit, None);
        for (k, v) in &asked.filters {
            q.push('&');
            q.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .append_pair(k, v)
                    .finish(),
            );
        }
        link(&state.public_url, endpoint, &q)
    };
    let more = match found.total {
        Some(total) => paging.start.saturating_add(shown) < total,
        None => shown == paging.limit,
    };
    if more {
        answer.next = Some(link_to(paging.start.saturating_add(paging.limit)));
    }
    if paging.start > 0 {
        answer.prev = Some(link_to(paging.start.saturating_sub(paging.limit)));
    }
    Ok(reply(StatusCode::OK, &answer))
}

/// What a history route is under.
#[derive(Clone, Copy)]
pub(super) enum Object {
    Group,
    Indicator,
}

/// The object `{raw}` names under `object` (as the object's own route reads it), with its
/// owner's id, its id and the endpoint of its history.
pub(super) async fn object(
    state: &AppState,
    actor: &Actor,
    object: Object,
    raw: &str,
    query: &Option<String>,
) -> ApiResult<(Subject, i64, i64, String)> {
    let p = params(query);
    match object {
        Object::Group => {
            let id = super::groups::resolve(state, actor, &p, raw).await?;
            let (on, owner) = group_and_owner(state, actor, id).await?;
            Ok((on, owner, id, format!("groups/{id}/history")))
        }
        Object::Indicator => {
            let id = super::indicators::resolve(state, actor, &p, raw).await?;
            let found = state.store.indicator_by_id(actor, id).await?;
            let owner = found.owner.id;
            let value = IndicatorValue::parse(found.kind, &found.value)?;
            let on = Subject::Indicator(found.owner, value);
            Ok((on, owner, id, format!("indicators/{id}/history")))
        }
    }
}

async fn read(
    state: AppState,
    auth: Result<Auth, ApiError>,
    what: Object,
    raw: String,
    query: Option<String>,
) -> V3Result {
    let Auth(actor) = auth?;
    let asked = asked(&query)?;
    let (on, _, _, endpoint) = object(&state, &actor, what, &raw, &query).await?;
    page(&state, &actor, &on, &endpoint, asked).await
}

/// `GET /v3/groups/{id}/history`: an incident's, or another group's.
pub async fn group(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> V3Result {
    read(state, auth, Object::Group, raw, query).await
}

/// `GET /v3/indicators/{id}/history`.
pub async fn indicator(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> V3Result {
    read(state, auth, Object::Indicator, raw, query).await
}

/// The subject of group `id` and its owner's id.
async fn group_and_owner(state: &AppState, actor: &Actor, id: i64) -> ApiResult<(Subject, i64)> {
    match state
        .store
        .get_incident(actor, id, Include::default())
        .await
    {
        Ok(d) => Ok((Subject::Incident(id), d.incident.owner.id)),
        Err(StoreError::NotFound) => {
            let item = state.store.find_item(actor, id).await?;
            Ok((Subject::Item(item.kind, id), item.owner.id))
        }
        Err(e) => Err(e.into()),
    }
}
