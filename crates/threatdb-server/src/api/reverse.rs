//! Reverse look-ups (`.../{id}/groups/incidents`): the incidents associated with a group,
//! victim, task or indicator. With `owner=`, that owner's incidents. Without it, the incidents
//! of every owner the caller can read, in id order: the legacy SDK sends no owner for most of
//! these filters and then keeps the results of the owner it asked about (tc-v2-wire.md §7.3).

use super::incidents::{listed, run_list};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use axum::response::Response;
use threatdb_core::{Cond, Page, Paging, StoreError, Target};

/// Answers a reverse look-up of `target`.
pub(super) async fn incidents_of(
    state: &AppState,
    caller: &Caller,
    target: Target,
) -> ApiResult<Response> {
    if caller.params.owner.is_some() {
        let page = run_list(state, caller, |q| {
            q.and(Cond::Associated(target));
        })
        .await?;
        return Ok(listed(state, "incident", false, &caller.params, page));
    }
    let paging = caller.params.paging()?;
    // Each owner's first start+limit incidents hold the merged window; read in pages of at
    // most the largest page.
    let want = paging.start.saturating_add(paging.limit);
    let mut items = Vec::new();
    let mut total = 0;
    let mut found = false;
    'owners: for m in &caller.actor.memberships {
        let mut at = 0;
        while at < want {
            let chunk = want.saturating_sub(at).min(Paging::MAX_LIMIT);
            let mut q = caller.params.incident_query(&m.owner)?;
            q.paging = Paging::new(at, chunk)?;
            q.and(Cond::Associated(target.clone()));
            let page = match state.store.list_incidents(&caller.actor, &q).await {
                Ok(page) => page,
                // An indicator value some owners do not have.
                Err(StoreError::NotFound) => continue 'owners,
                Err(e) => return Err(e.into()),
            };
            found = true;
            total = page.total.unwrap_or(0).saturating_add(total);
            let n = page.items.len() as u64;
            items.extend(page.items);
            if n < chunk {
                break;
            }
            at = at.saturating_add(n);
        }
    }
    if !found {
        return Err(ApiError::NotFound);
    }
    items.sort_by_key(|d| d.incident.id);
    let items = items
        .into_iter()
        .skip(paging.start as usize)
        .take(paging.limit as usize)
        .collect();
    let page = Page {
        total: (paging.start == 0).then_some(total),
        items,
    };
    Ok(listed(state, "incident", false, &caller.params, page))
}
