//! `GET /v3/groups/{id}/history` and `GET /v3/indicators/{id}/history` (a threatdb extension):
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
use threatdb_core::{IndicatorValue, StoreError, Subject, format_timestamp, parse_timestamp};
use threatdb_wire::v3::{self, List};

/// The query of a history page.
struct Asked {
    owner: Option<String>,
    query: HistoryQuery,
    count: bool,
    filters: Vec<(&'static str, String)>,
}

fn asked(raw: Option<&str>) -> ApiResult<Asked> {
    let (mut start, mut limit) = (None, None);
    let mut q = HistoryQuery::all(threatdb_core::Paging {
        start: 0,
        limit: threatdb_core::Paging::DEFAULT_LIMIT,
    });
    let mut count = false;
    let mut owner = None;
    let mut filters = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let time = |name: &str| {
            parse_timestamp(&value)
                .map_err(|e| ApiError::BadRequest(format!("{name} must be a date (ISO 8601): {e}")))
        };
        match key.as_ref() {
            "resultStart" => start = Some(value.into_owned()),
            "resultLimit" => limit = Some(value.into_owned()),
            "count" => count = value.eq_ignore_ascii_case("true"),
            "owner" => owner = Some(value.into_owned()),
            "since" => {
                q.since = Some(time("since")?);
                filters.push(("since", value.into_owned()));
            }
            "until" => {
                q.until = Some(time("until")?);
                filters.push(("until", value.into_owned()));
            }
            "field" => {
                q.field = Some(value.to_string());
                filters.push(("field", value.into_owned()));
            }
            "user" => {
                q.user = Some(value.to_string());
                filters.push(("user", value.into_owned()));
            }
            _ => {}
        }
    }
    q.paging = crate::params::paging(&start, &limit)?;
    Ok(Asked {
        owner,
        query: q,
        count,
        filters,
    })
}

fn change(e: HistoryEntry) -> v3::Change {
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
    actor: &threatdb_core::Actor,
    on: &Subject,
    endpoint: &str,
    asked: Asked,
) -> V3Result {
    let found = state.store.history(actor, on, &asked.query).await?;
    let paging = asked.query.paging;
    let shown = u64::try_from(found.items.len()).unwrap_or(u64::MAX);
    let mut answer = List::new(found.items.into_iter().map(change).collect());
    if asked.count && paging.start == 0 {
        answer.count = found.total;
    }
    let link_to = |start: u64| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(owner) = &asked.owner {
            q.append_pair("owner", owner);
        }
        for (k, v) in &asked.filters {
            q.append_pair(k, v);
        }
        if asked.count {
            q.append_pair("count", "true");
        }
        q.append_pair("resultLimit", &paging.limit.to_string());
        q.append_pair("resultStart", &start.to_string());
        link(&state.public_url, endpoint, &q.finish())
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

/// `GET /v3/groups/{id}/history`: an incident's, or another group's.
pub async fn group(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let asked = asked(query.as_deref())?;
    let id = super::groups::resolve(&state, &actor, &params(&query), &raw).await?;
    let endpoint = format!("groups/{id}/history");
    let on = match state
        .store
        .get_incident(&actor, id, threatdb_core::Include::default())
        .await
    {
        Ok(_) => Subject::Incident(id),
        Err(StoreError::NotFound) => {
            let item = state.store.find_item(&actor, id).await?;
            Subject::Item(item.kind, id)
        }
        Err(e) => return Err(e.into()),
    };
    page(&state, &actor, &on, &endpoint, asked).await
}

/// `GET /v3/indicators/{id}/history`.
pub async fn indicator(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let asked = asked(query.as_deref())?;
    let id = super::indicators::resolve(&state, &actor, &params(&query), &raw).await?;
    let found = state.store.indicator_by_id(&actor, id).await?;
    let value = IndicatorValue::parse(found.kind, &found.value)?;
    let on = Subject::Indicator(found.owner, value);
    page(
        &state,
        &actor,
        &on,
        &format!("indicators/{id}/history"),
        asked,
    )
    .await
}
