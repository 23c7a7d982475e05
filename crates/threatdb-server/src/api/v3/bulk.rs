//! Bulk deletes by TQL (`DELETE /api/v3/groups?tql=…`, `DELETE /api/v3/indicators?tql=…`), as
//! ThreatConnect's v3 offers them, with `dryRun=true` (the count and a sample of what would be
//! deleted, nothing changed).
//!
//! The rows are read in id order and deleted in chunks of [`CHUNK`], one transaction each, with
//! the caller's write access checked on every row by the store. A request deletes at most
//! [`MAX_PER_REQUEST`] rows and says whether more match (`more`): sending it again continues,
//! and so does re-sending one that was cut off (a crash, a timeout), since what was deleted no
//! longer matches. The query is the journal (DECISIONS 59).

use super::common::{params, query_of, tql_error};
use super::params::V3Params;
use super::{V3Result, groups, indicators, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use threatdb_core::{
    Actor, Cmp, Cond, IncidentQuery, IndicatorFilter, IndicatorQuery, Owner, Paging, Role,
};
use threatdb_wire::tql;

/// Rows deleted per transaction.
pub const CHUNK: u64 = 500;
/// Rows deleted per request at most; `more: true` says to send it again.
pub const MAX_PER_REQUEST: u64 = 10_000;
/// Rows shown by a dry run.
const SAMPLE: u64 = 10;

fn dry_run(query: &Option<String>) -> bool {
    form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .any(|(k, v)| k == "dryRun" && v.trim().eq_ignore_ascii_case("true"))
}

/// The owner and the query a bulk delete needs (a condition besides `ownerName`); a delete
/// (not a dry run) needs write access.
fn target<'a>(
    actor: &'a Actor,
    p: &V3Params,
    table: &'static tql::Table,
    dry: bool,
) -> ApiResult<(&'a Owner, tql::TypedExpr)> {
    if p.tql.is_none() {
        return Err(ApiError::BadRequest(
            "a bulk delete needs tql= naming what to delete (DELETE /v3/groups/{id} deletes one)"
                .into(),
        ));
    }
    let (owner, typed) = query_of(actor, p, table)?;
    let Some(typed) = typed else {
        return Err(ApiError::BadRequest(
            "a bulk delete needs a condition besides ownerName (it would delete everything the \
             owner holds)"
                .into(),
        ));
    };
    if !dry && !matches!(actor.role_in(owner.id), Some(Role::Write | Role::Admin)) {
        return Err(ApiError::Forbidden("Access Denied".into()));
    }
    Ok((owner, typed))
}

fn done(deleted: u64, more: bool) -> axum::response::Response {
    reply(
        StatusCode::OK,
        &serde_json::json!({
            "status": "Success",
            "data": {"deleted": deleted, "more": more},
        }),
    )
}

/// `DELETE /api/v3/groups?tql=…[&dryRun=true]`: the incidents the query selects.
pub async fn delete_groups(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let dry = dry_run(&query);
    let (owner, typed) = target(&actor, &p, &tql::GROUPS, dry)?;
    if groups::only_item_type(&typed).is_some() {
        return Err(ApiError::BadRequest(
            "a bulk delete by TQL is served for incidents (delete other groups by id)".into(),
        )
        .into());
    }
    let filter = tql::incident_filter(&typed, threatdb_core::date::now()).map_err(tql_error)?;
    let filter = groups::associated_targets(&state, &actor, owner, filter).await?;
    let mut q = IncidentQuery::owner(owner.clone());
    q.filter = filter;
    if dry {
        q.paging = Paging::new(0, SAMPLE)?;
        let page = state.store.list_incidents(&actor, &q).await?;
        let sample = page
            .items
            .iter()
            .map(|d| groups::group(&state.public_url, d));
        return Ok(dry_answer(page.total, sample.collect()));
    }
    in_chunks(&state, &actor, Rows::Incidents(q)).await
}

/// `DELETE /api/v3/indicators?tql=…[&dryRun=true]`: the indicators the query selects.
pub async fn delete_indicators(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let dry = dry_run(&query);
    let (owner, typed) = target(&actor, &p, &tql::INDICATORS, dry)?;
    let filter = tql::indicator_filter(&typed, threatdb_core::date::now()).map_err(tql_error)?;
    let mut q = IndicatorQuery::owner(owner.clone());
    q.filter = filter;
    if dry {
        q.paging = Paging::new(0, SAMPLE)?;
        q.count = true;
        let page = state.store.query_indicators(&actor, &q).await?;
        let sample = page
            .items
            .iter()
            .map(|d| indicators::indicator(&state.public_url, d));
        return Ok(dry_answer(page.total, sample.collect()));
    }
    in_chunks(&state, &actor, Rows::Indicators(q)).await
}

/// What a bulk delete deletes.
enum Rows {
    Incidents(IncidentQuery),
    Indicators(IndicatorQuery),
}

impl Rows {
    /// The ids of the next chunk: the first [`CHUNK`] matches after `after`, in id order.
    async fn next(
        &self,
        state: &AppState,
        actor: &Actor,
        after: Option<i64>,
    ) -> ApiResult<Vec<i64>> {
        Ok(match self {
            Rows::Incidents(q) => {
                let mut chunk = q.clone();
                if let Some(last) = after {
                    chunk.and(Cond::IdRange(Cmp::Gt, last));
                }
                chunk.paging = Paging::new(0, CHUNK)?;
                let page = state.store.list_incidents(actor, &chunk).await?;
                page.items.iter().map(|d| d.incident.id).collect()
            }
            Rows::Indicators(q) => {
                let mut chunk = q.clone();
                if let Some(last) = after {
                    chunk.filter = chunk.filter.and(IndicatorFilter {
                        id_above: Some(last),
                        ..IndicatorFilter::default()
                    });
                }
                chunk.paging = Paging::new(0, CHUNK)?;
                chunk.count = false;
                let page = state.store.query_indicators(actor, &chunk).await?;
                page.items.iter().map(|d| d.indicator.id).collect()
            }
        })
    }

    /// Deletes `ids` in one transaction; how many were.
    async fn delete(&self, state: &AppState, actor: &Actor, ids: Vec<i64>) -> ApiResult<u64> {
        Ok(match self {
            Rows::Incidents(_) => state.store.delete_incidents(actor, ids).await?,
            Rows::Indicators(_) => state.store.delete_indicators(actor, ids).await?,
        })
    }
}

/// Deletes `rows` chunk by chunk, at most [`MAX_PER_REQUEST`].
async fn in_chunks(state: &AppState, actor: &Actor, rows: Rows) -> V3Result {
    let mut deleted = 0u64;
    let mut after: Option<i64> = None;
    loop {
        let ids = rows.next(state, actor, after).await?;
        let Some(last) = ids.last().copied() else {
            return Ok(done(deleted, false));
        };
        let n = u64::try_from(ids.len()).unwrap_or(u64::MAX);
        deleted = deleted.saturating_add(rows.delete(state, actor, ids).await?);
        after = Some(last);
        if n < CHUNK {
            return Ok(done(deleted, false));
        }
        if deleted >= MAX_PER_REQUEST {
            return Ok(done(deleted, true));
        }
    }
}

/// A dry run's answer: the number of matches and the first few.
fn dry_answer<T: serde::Serialize>(count: Option<u64>, sample: Vec<T>) -> axum::response::Response {
    reply(
        StatusCode::OK,
        &serde_json::json!({
            "status": "Success",
            "data": {"dryRun": true, "count": count, "sample": sample},
        }),
    )
}
