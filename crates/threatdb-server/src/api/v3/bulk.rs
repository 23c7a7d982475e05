//! Bulk deletes and updates by TQL (`DELETE` and `PUT /api/v3/groups?tql=…`, the same on
//! `/api/v3/indicators`), as ThreatConnect's v3 offers bulk deletes, with `dryRun=true` (the
//! count and a sample of what would change, nothing changed).
//!
//! The rows are read in id order and changed in chunks of [`CHUNK`], one transaction each, with
//! the caller's write access checked on every row by the store. A request changes at most
//! [`MAX_PER_REQUEST`] rows and says whether more match (`more`). A delete continues when sent
//! again, since what was deleted no longer matches: the query is the journal (DECISIONS 59). An
//! update answers the last id it reached (`afterId`), and the same request with that `afterId`
//! continues after it; re-sending one that was cut off applies the same change again, which
//! changes nothing more (tags, labels and a status are set, not counted).

use super::common::{NestedBody, nested, params, query_of, tql_error, written};
use super::params::V3Params;
use super::{V3Result, groups, indicators, items, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::reply::JsonBody;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use threatdb_core::{
    Actor, Cmp, Cond, IncidentPatch, IncidentQuery, IndicatorFilter, IndicatorQuery, NestedChanges,
    Owner, Paging, Role,
};
use threatdb_wire::tql;
use threatdb_wire::v3::{GroupBody, IndicatorBody};

/// Rows changed per transaction.
pub const CHUNK: u64 = 500;
/// Rows changed per request at most; `more: true` says to send it again.
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

/// What a bulk request does to each row.
enum Action {
    Delete,
    Update(Box<(IncidentPatch, NestedChanges)>),
}

fn done(action: &Action, n: u64, more: bool, last: Option<i64>) -> axum::response::Response {
    let data = match action {
        Action::Delete => serde_json::json!({"deleted": n, "more": more}),
        Action::Update(_) => serde_json::json!({"updated": n, "more": more, "afterId": last}),
    };
    reply(
        StatusCode::OK,
        &serde_json::json!({"status": "Success", "data": data}),
    )
}

/// The incidents a bulk request's query selects, as a dry run's answer or as the rows to change.
async fn incidents_of(
    state: &AppState,
    actor: &Actor,
    p: &V3Params,
    dry: bool,
) -> ApiResult<Result<Rows, axum::response::Response>> {
    let (owner, typed) = target(actor, p, &tql::GROUPS, dry)?;
    if items::only_item_type(&typed).is_some() {
        return Err(ApiError::BadRequest(
            "a bulk change by TQL is served for incidents (change other groups by id)".into(),
        ));
    }
    let filter = tql::incident_filter(&typed, threatdb_core::date::now()).map_err(tql_error)?;
    let filter = groups::associated_targets(state, actor, owner, filter).await?;
    let mut q = IncidentQuery::owner(owner.clone());
    q.filter = filter;
    if dry {
        q.paging = Paging::new(0, SAMPLE)?;
        let page = state.store.list_incidents(actor, &q).await?;
        let sample = page
            .items
            .iter()
            .map(|d| groups::group(&state.public_url, d));
        return Ok(Err(dry_answer(page.total, sample.collect())));
    }
    Ok(Ok(Rows::Incidents(q)))
}

/// The indicators a bulk request's query selects, as a dry run's answer or the rows to change.
async fn indicators_of(
    state: &AppState,
    actor: &Actor,
    p: &V3Params,
    dry: bool,
) -> ApiResult<Result<Rows, axum::response::Response>> {
    let (owner, typed) = target(actor, p, &tql::INDICATORS, dry)?;
    let filter = tql::indicator_filter(&typed, threatdb_core::date::now()).map_err(tql_error)?;
    let mut q = IndicatorQuery::owner(owner.clone());
    q.filter = filter;
    if dry {
        q.paging = Paging::new(0, SAMPLE)?;
        q.count = true;
        let page = state.store.query_indicators(actor, &q).await?;
        let sample = page
            .items
            .iter()
            .map(|d| indicators::indicator(&state.public_url, d));
        return Ok(Err(dry_answer(page.total, sample.collect())));
    }
    Ok(Ok(Rows::Indicators(Box::new(q))))
}

/// `DELETE /api/v3/groups?tql=…[&dryRun=true]`: the incidents the query selects.
pub async fn delete_groups(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    match incidents_of(&state, &actor, &p, dry_run(&query)).await? {
        Ok(rows) => in_chunks(&state, &actor, rows, Action::Delete, None).await,
        Err(dry) => Ok(dry),
    }
}

/// `DELETE /api/v3/indicators?tql=…[&dryRun=true]`: the indicators the query selects.
pub async fn delete_indicators(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    match indicators_of(&state, &actor, &p, dry_run(&query)).await? {
        Ok(rows) => in_chunks(&state, &actor, rows, Action::Delete, None).await,
        Err(dry) => Ok(dry),
    }
}

/// Refuses a bulk update body that carries more than `tags`, `securityLabels` and (for
/// groups) `status`, or nothing to change.
fn bulk_changes(what: &str, others: &[(&str, bool)], nothing: bool) -> ApiResult<()> {
    if let Some((name, _)) = others.iter().find(|(_, given)| *given) {
        return Err(ApiError::BadRequest(format!(
            "a bulk update of {what} changes tags, securityLabels{} only, not {name}",
            if what == "groups" { " and status" } else { "" }
        )));
    }
    if nothing {
        return Err(ApiError::BadRequest(format!(
            "a bulk update of {what} needs tags, securityLabels{} to change",
            if what == "groups" { " or status" } else { "" }
        )));
    }
    Ok(())
}

/// `PUT /api/v3/groups?tql=…[&dryRun=true][&afterId=n]`: the same change of tags, labels
/// (each with its mode) and status to every incident the query selects.
pub async fn update_groups(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    body: Result<JsonBody<GroupBody>, ApiError>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let JsonBody(body) = body?;
    bulk_changes(
        "groups",
        &[
            ("type", body.kind.is_some()),
            ("name", body.name.is_some()),
            ("eventDate", body.event_date.is_some()),
            ("xid", body.xid.is_some()),
            ("attributes", body.attributes.is_some()),
            ("associatedGroups", body.associated_groups.is_some()),
            ("associatedIndicators", body.associated_indicators.is_some()),
        ],
        body.tags.is_none() && body.security_labels.is_none() && body.status.is_none(),
    )?;
    let status = groups::status_of(&body)?;
    let changes = nested_changes(&state, &actor, &body.tags, &body.security_labels).await?;
    let patch = IncidentPatch {
        name: None,
        event_date: None,
        status,
    };
    match incidents_of(&state, &actor, &p, dry_run(&query)).await? {
        Ok(rows) => {
            let after = p.after()?;
            in_chunks(
                &state,
                &actor,
                rows,
                Action::Update(Box::new((patch, changes))),
                after,
            )
            .await
        }
        Err(dry) => Ok(dry),
    }
}

/// `PUT /api/v3/indicators?tql=…[&dryRun=true][&afterId=n]`: the same change of tags and
/// labels (each with its mode) to every indicator the query selects.
pub async fn update_indicators(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    body: Result<JsonBody<IndicatorBody>, ApiError>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let JsonBody(body) = body?;
    bulk_changes(
        "indicators",
        &[
            ("type", body.kind.is_some()),
            ("attributes", body.attributes.is_some()),
            ("associatedGroups", body.associated_groups.is_some()),
            ("associatedIndicators", body.associated_indicators.is_some()),
        ],
        body.tags.is_none() && body.security_labels.is_none(),
    )?;
    let changes = nested_changes(&state, &actor, &body.tags, &body.security_labels).await?;
    match indicators_of(&state, &actor, &p, dry_run(&query)).await? {
        Ok(rows) => {
            let after = p.after()?;
            let patch = IncidentPatch::default();
            in_chunks(
                &state,
                &actor,
                rows,
                Action::Update(Box::new((patch, changes))),
                after,
            )
            .await
        }
        Err(dry) => Ok(dry),
    }
}

/// The tags and labels of a bulk update, read as a PUT's nested collections are.
async fn nested_changes(
    state: &AppState,
    actor: &Actor,
    tags: &Option<threatdb_wire::v3::Nested<threatdb_wire::v3::TagRef>>,
    labels: &Option<threatdb_wire::v3::Nested<threatdb_wire::v3::LabelRef>>,
) -> ApiResult<NestedChanges> {
    nested(
        state,
        actor,
        NestedBody {
            tags,
            labels,
            attributes: &None,
            groups: &None,
            indicators: &None,
        },
        false,
    )
    .await
}

/// What a bulk request changes.
enum Rows {
    Incidents(IncidentQuery),
    Indicators(Box<IndicatorQuery>),
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
                // Each chunk is a first page to the store: counting every remaining match for
                // it would be work thrown away, once per chunk.
                chunk.count = false;
                let page = state.store.list_incidents(actor, &chunk).await?;
                page.items.iter().map(|d| d.incident.id).collect()
            }
            Rows::Indicators(q) => {
                let mut chunk = IndicatorQuery::clone(q);
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

    /// Applies `action` to `ids` in one transaction; how many rows it changed.
    async fn apply(
        &self,
        state: &AppState,
        actor: &Actor,
        action: &Action,
        ids: Vec<i64>,
    ) -> ApiResult<u64> {
        Ok(match (self, action) {
            (Rows::Incidents(_), Action::Delete) => {
                state.store.delete_incidents(actor, ids).await?
            }
            (Rows::Indicators(_), Action::Delete) => {
                state.store.delete_indicators(actor, ids).await?
            }
            (Rows::Incidents(_), Action::Update(change)) => state
                .store
                .update_incidents(actor, ids, change.0.clone(), change.1.clone())
                .await
                .map_err(|e| written(e).0)?,
            (Rows::Indicators(_), Action::Update(change)) => state
                .store
                .update_indicators(actor, ids, change.1.clone())
                .await
                .map_err(|e| written(e).0)?,
        })
    }
}

/// Applies `action` to `rows` chunk by chunk, starting after `after`, at most
/// [`MAX_PER_REQUEST`] rows.
async fn in_chunks(
    state: &AppState,
    actor: &Actor,
    rows: Rows,
    action: Action,
    mut after: Option<i64>,
) -> V3Result {
    let mut changed = 0u64;
    loop {
        let ids = rows.next(state, actor, after).await?;
        let Some(last) = ids.last().copied() else {
            return Ok(done(&action, changed, false, after));
        };
        let n = u64::try_from(ids.len()).unwrap_or(u64::MAX);
        changed = changed.saturating_add(rows.apply(state, actor, &action, ids).await?);
        after = Some(last);
        if n < CHUNK {
            return Ok(done(&action, changed, false, after));
        }
        if changed >= MAX_PER_REQUEST {
            return Ok(done(&action, changed, true, after));
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

/// The body of `PUT /api/v3/groups?tql=…` as the OpenAPI document shows it: what a bulk update
/// changes (it is read as a group body, whose other fields are a 400 naming them).
#[derive(utoipa::ToSchema)]
#[schema(as = V3GroupsChange, rename_all = "camelCase")]
#[allow(dead_code)]
pub(super) struct GroupsChange {
    /// Tags to add (`mode` append, the default), remove (delete) or set (replace).
    tags: Option<threatdb_wire::v3::Nested<threatdb_wire::v3::TagRef>>,
    /// Security labels, with their `mode` as tags.
    security_labels: Option<threatdb_wire::v3::Nested<threatdb_wire::v3::LabelRef>>,
    /// The new status of every incident selected.
    status: Option<String>,
}

/// The body of `PUT /api/v3/indicators?tql=…` as the OpenAPI document shows it.
#[derive(utoipa::ToSchema)]
#[schema(as = V3IndicatorsChange, rename_all = "camelCase")]
#[allow(dead_code)]
pub(super) struct IndicatorsChange {
    /// Tags to add (`mode` append, the default), remove (delete) or set (replace).
    tags: Option<threatdb_wire::v3::Nested<threatdb_wire::v3::TagRef>>,
    /// Security labels, with their `mode` as tags.
    security_labels: Option<threatdb_wire::v3::Nested<threatdb_wire::v3::LabelRef>>,
}
