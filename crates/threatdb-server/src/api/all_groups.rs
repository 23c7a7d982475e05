//! `GET /v2/groups`: every group of the owner with its `type`: its incidents (id order), then
//! its groups of the other types (id order), paged as one list. `filters=` applies to incidents
//! only, so a filtered list holds incidents only.

use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply::many;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use threatdb_core::Paging;
use threatdb_wire::assoc::ItemDto;
use threatdb_wire::dto::{IncidentDto, View};

fn json(v: impl serde::Serialize) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /v2/groups`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let owner = &caller.owner;
    let paging = caller.params.paging()?;
    let query = caller.params.incident_query(owner)?;
    let incidents = state.store.list_incidents(&caller.actor, &query).await?;
    let view = View {
        single: false,
        with_type: true,
        additional: caller.params.include.additional,
        public_url: &state.public_url,
    };
    let mut out = incidents
        .items
        .iter()
        .map(|d| json(IncidentDto::new(d, view)))
        .collect::<ApiResult<Vec<_>>>()?;
    let n = out.len() as u64;
    if !caller.params.filters.is_empty() || (n == paging.limit && paging.start > 0) {
        return Ok(many("group", incidents.total, out));
    }
    // How many incidents there are: known on a first page or from a short page.
    let incident_total = match incidents.total {
        Some(t) => t,
        None if n > 0 => paging.start.saturating_add(n),
        None => {
            let mut q = query.clone();
            q.paging = Paging::new(0, 1)?;
            let counted = state.store.list_incidents(&caller.actor, &q).await?;
            counted.total.unwrap_or(0)
        }
    };
    let room = paging.limit.saturating_sub(n);
    let start = paging
        .start
        .saturating_add(n)
        .saturating_sub(incident_total);
    let items = state
        .store
        .list_items(&caller.actor, owner, None, Paging::new(start, room.max(1))?)
        .await?;
    for item in items.items.iter().take(room as usize) {
        out.push(json(ItemDto::new(item, false, true, &state.public_url))?);
    }
    let total =
        (paging.start == 0).then(|| incident_total.saturating_add(items.total.unwrap_or(0)));
    Ok(many("group", total, out))
}
