//! `POST /v3/groups/{id}/history/revert` and `POST /v3/indicators/{id}/history/revert` (a
//! threatdb extension): one recorded change undone with the ordinary operations, so the undoing
//! is recorded as a change of its own.

use super::history::{Object, change, object};
use super::{V3Result, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::reply::JsonBody;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use threatdb_core::history::{HistoryEntry, HistoryQuery, attribute_value_field};
use threatdb_core::policy::{Access, Decision};
use threatdb_core::{
    Actor, AttributePatch, IncidentName, IncidentPatch, IncidentStatus, IndicatorScores, ItemPatch,
    NestedChanges, NewAttribute, StoreError, Subject, TagName, Target, format_timestamp,
    parse_timestamp,
};
use threatdb_wire::v3::{self, List};

async fn revert_on(
    state: AppState,
    auth: Result<Auth, ApiError>,
    what: Object,
    raw: String,
    query: Option<String>,
    body: Result<JsonBody<v3::Revert>, ApiError>,
) -> V3Result {
    let Auth(actor) = auth?;
    let JsonBody(body) = body?;
    let (on, owner, id, _) = object(&state, &actor, what, &raw, &query).await?;
    may_write(&actor, owner)?;
    let recorded = apply(&state, &actor, on, id, &body).await?;
    let answer = List::new(recorded.into_iter().map(self::change).collect());
    Ok(reply(StatusCode::OK, &answer))
}

/// The object a revert works on: what the store methods take, and its id.
struct On {
    subject: Subject,
    id: i64,
}

/// Undoes one change of `subject` (its id `id`), or every change after a time, as `body`
/// says: the API's revert and the web UI's. The changes the undoing recorded, newest first.
pub(crate) async fn apply(
    state: &AppState,
    actor: &Actor,
    subject: Subject,
    id: i64,
    body: &v3::Revert,
) -> ApiResult<Vec<HistoryEntry>> {
    revert(state, actor, &On { subject, id }, body).await
}

/// `POST /v3/groups/{id}/history/revert`: undoes one change of a group.
pub async fn revert_group(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    body: Result<JsonBody<v3::Revert>, ApiError>,
) -> V3Result {
    revert_on(state, auth, Object::Group, raw, query, body).await
}

/// `POST /v3/indicators/{id}/history/revert`: undoes one change of an indicator.
pub async fn revert_indicator(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    body: Result<JsonBody<v3::Revert>, ApiError>,
) -> V3Result {
    revert_on(state, auth, Object::Indicator, raw, query, body).await
}

/// A revert is a write: refused (403) to a reader before anything else is looked at.
fn may_write(actor: &Actor, owner: i64) -> ApiResult<()> {
    match threatdb_core::policy::decide(actor, owner, Access::Write) {
        Decision::Allow => Ok(()),
        Decision::Hidden => Err(ApiError::NotFound),
        Decision::Denied => Err(ApiError::Forbidden("Access Denied".into())),
    }
}

/// Undoes `body.change_id` on `on` (or, with `to`, every change after that time, newest
/// first) with the same operations a client would use, so the undoing is recorded as changes
/// of their own. One change is refused (409 naming it) when a later change touched the same
/// field or value and `overwrite` is not set. The changes it recorded, newest first.
async fn revert(
    state: &AppState,
    actor: &Actor,
    on: &On,
    body: &v3::Revert,
) -> ApiResult<Vec<HistoryEntry>> {
    let newest = HistoryQuery::all(threatdb_core::Paging { start: 0, limit: 1 });
    let before = state
        .store
        .history(actor, &on.subject, &newest)
        .await?
        .items
        .first()
        .map_or(0, |c| c.id);
    match (&body.to, body.change_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "give either changeId (one change) or to (a time), not both".into(),
            ));
        }
        (Some(to), None) => revert_to(state, actor, on, to).await?,
        (None, change_id) => revert_one(state, actor, on, change_id, body.overwrite).await?,
    }
    // What the undoing recorded: the changes after the newest one before it.
    let mut recorded = HistoryQuery::all(threatdb_core::Paging {
        start: 0,
        limit: threatdb_core::Paging::MAX_LIMIT,
    });
    recorded.after = Some(before);
    Ok(state
        .store
        .history(actor, &on.subject, &recorded)
        .await?
        .items)
}

/// Undoes one change (the newest when `change_id` is absent).
async fn revert_one(
    state: &AppState,
    actor: &Actor,
    on: &On,
    change_id: Option<i64>,
    overwrite: bool,
) -> ApiResult<()> {
    let mut one = HistoryQuery::all(threatdb_core::Paging { start: 0, limit: 1 });
    one.change = change_id;
    let change = state
        .store
        .history(actor, &on.subject, &one)
        .await?
        .items
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    if !overwrite {
        let mut same = HistoryQuery::all(threatdb_core::Paging {
            start: 0,
            limit: threatdb_core::Paging::MAX_LIMIT,
        });
        same.field = Some(change.field.clone());
        same.after = Some(change.id);
        let later = state.store.history(actor, &on.subject, &same).await?;
        if let Some(c) = later.items.iter().find(|c| touches_the_same(&change, c)) {
            return Err(ApiError::Conflict(format!(
                "change {} ({} on {}) came after change {}: revert it first, or send \"overwrite\": true",
                c.id,
                c.field,
                format_timestamp(c.at),
                change.id
            )));
        }
    }
    undo(state, actor, on, &change).await
}

/// Puts the object back as it was at `to`: every change after it undone, newest first. Every
/// one is checked before the first is undone, so a change that cannot be undone (the object
/// was created or restored after `to`) refuses the whole revert.
async fn revert_to(state: &AppState, actor: &Actor, on: &On, to: &str) -> ApiResult<()> {
    let to = parse_timestamp(to)
        .map_err(|e| ApiError::BadRequest(format!("to must be a date (ISO 8601): {e}")))?;
    let mut after = HistoryQuery::all(threatdb_core::Paging {
        start: 0,
        limit: threatdb_core::Paging::MAX_LIMIT,
    });
    // Times are whole seconds: a change in the second `to` names is part of that state.
    after.since = Some(to.saturating_add(time::Duration::seconds(1)));
    let later = state.store.history(actor, &on.subject, &after).await?;
    if later.total.unwrap_or(0) > threatdb_core::Paging::MAX_LIMIT {
        return Err(ApiError::BadRequest(format!(
            "more than {} changes were made after {}: revert to a later time first",
            threatdb_core::Paging::MAX_LIMIT,
            format_timestamp(to)
        )));
    }
    for c in &later.items {
        undoable(c, &on.subject)?;
    }
    for c in &later.items {
        undo(state, actor, on, c).await?;
    }
    Ok(())
}

/// Whether `later` changes what `change` changed: the same field for a single value, the same
/// tag, label or attribute value for a collection.
fn touches_the_same(change: &HistoryEntry, later: &HistoryEntry) -> bool {
    if !is_collection(&change.field) {
        return true;
    }
    let key = |v: &Option<String>| v.as_deref().map(str::to_lowercase);
    let mine = [key(&change.old), key(&change.new)];
    let theirs = [key(&later.old), key(&later.new)];
    mine.iter()
        .flatten()
        .any(|v| theirs.iter().flatten().any(|w| w == v))
}

fn is_collection(field: &str) -> bool {
    matches!(field, "tag" | "securityLabel" | "association") || field.starts_with("attribute:")
}

/// Applies the inverse of `change`.
async fn undo(state: &AppState, actor: &Actor, on: &On, c: &HistoryEntry) -> ApiResult<()> {
    let store = state.store.as_ref();
    let cannot = || cannot(c);
    let (old, new) = (c.old.as_deref(), c.new.as_deref());
    let (subject, id) = (&on.subject, on.id);
    let on = subject;
    match (c.field.as_str(), on) {
        ("name" | "eventDate" | "status", Subject::Incident(id)) => {
            let old = old.ok_or_else(cannot)?;
            let mut patch = IncidentPatch::default();
            match c.field.as_str() {
                "name" => patch.name = Some(IncidentName::parse(old)?),
                "eventDate" => patch.event_date = Some(parse_timestamp(old).map_err(|_| cannot())?),
                _ => patch.status = Some(IncidentStatus::parse(old)?),
            }
            store.update_incident(actor, *id, patch).await?;
        }
        ("name", Subject::Item(kind, id)) => {
            let patch = ItemPatch {
                name: Some(IncidentName::parse(old.ok_or_else(cannot)?)?),
                fields: None,
            };
            store.update_item(actor, *kind, *id, patch).await?;
        }
        ("fields", Subject::Item(kind, id)) => {
            let patch = ItemPatch {
                name: None,
                fields: Some(fields_back(old.ok_or_else(cannot)?, new).ok_or_else(cannot)?),
            };
            store.update_item(actor, *kind, *id, patch).await?;
        }
        ("rating" | "confidence", Subject::Indicator(..)) => {
            let scores = if c.field == "rating" {
                let old = old.map(str::parse::<f64>).transpose();
                IndicatorScores::parse(Some(old.map_err(|_| cannot())?), None)?
            } else {
                let old = old.map(str::parse::<i64>).transpose();
                IndicatorScores::parse(None, Some(old.map_err(|_| cannot())?))?
            };
            let nested = NestedChanges {
                scores,
                ..NestedChanges::default()
            };
            store.update_indicators(actor, vec![id], nested).await?;
        }
        ("tag", _) => match (old, new) {
            (None, Some(t)) => gone_is_fine(store.untag(actor, on, t).await)?,
            (Some(t), None) => store.tag(actor, on, &TagName::parse(t)?).await?,
            _ => return Err(cannot()),
        },
        ("securityLabel", _) => match (old, new) {
            (None, Some(l)) => gone_is_fine(store.unlabel(actor, on, l).await)?,
            (Some(l), None) => store.label(actor, on, l).await?,
            _ => return Err(cannot()),
        },
        ("association", Subject::Incident(id)) => {
            let target =
                Target::from_described(old.or(new).ok_or_else(cannot)?).ok_or_else(cannot)?;
            match (old, new) {
                (None, Some(_)) => gone_is_fine(store.disassociate(actor, *id, &target).await)?,
                (Some(_), None) => store.associate(actor, *id, &target).await?,
                _ => return Err(cannot()),
            }
        }
        (field, _) if attribute_value_field(field).is_some() => {
            let kind = attribute_value_field(field).unwrap_or_default();
            let find = |value: &str| {
                let value = value.to_string();
                async move {
                    let all = store.attributes_of(actor, on).await?;
                    ApiResult::Ok(
                        all.into_iter()
                            .find(|a| a.kind.eq_ignore_ascii_case(kind) && a.value == value),
                    )
                }
            };
            match (old, new) {
                (None, Some(v)) => {
                    if let Some(a) = find(v).await? {
                        store.delete_attribute(actor, on, a.id).await?;
                    }
                }
                (Some(o), Some(n)) => {
                    let a = find(n).await?.ok_or_else(|| {
                        ApiError::Conflict(format!(
                            "the {kind} attribute no longer has the value this change gave it"
                        ))
                    })?;
                    let patch = AttributePatch::parse(Some(o.to_string()), None, None)?;
                    store.update_attribute(actor, on, a.id, patch).await?;
                }
                (Some(o), None) => {
                    let new = NewAttribute::parse(kind, o, false, None)?;
                    store.add_attribute(actor, on, new).await?;
                }
                (None, None) => return Err(cannot()),
            }
        }
        _ => return Err(cannot()),
    }
    Ok(())
}

/// Why a change cannot be undone (400).
fn cannot(c: &HistoryEntry) -> ApiError {
    ApiError::BadRequest(format!(
        "change {} (of '{}') cannot be reverted{}",
        c.id,
        c.field,
        match c.field.as_str() {
            "created" | "restored" =>
                ": the object did not exist before it; delete the object instead",
            "deleted" | "purged" => ": restore the deleted object instead",
            _ => "",
        }
    ))
}

/// Whether [`undo`] knows how to undo `c` on `on` (checked for every change of a revert to a
/// time before any is undone).
pub(crate) fn undoable(c: &HistoryEntry, on: &Subject) -> ApiResult<()> {
    let field = c.field.as_str();
    let known = match on {
        Subject::Incident(_) => matches!(field, "name" | "eventDate" | "status" | "association"),
        Subject::Item(..) => matches!(field, "name" | "fields"),
        Subject::Indicator(..) => matches!(field, "rating" | "confidence"),
    } || matches!(field, "tag" | "securityLabel")
        || attribute_value_field(field).is_some();
    if known { Ok(()) } else { Err(cannot(c)) }
}

/// The merge patch that puts an item's fields back from `new` to `old` (both JSON objects): the
/// old object, with a `null` for each field only the new one has.
fn fields_back(old: &str, new: Option<&str>) -> Option<String> {
    let mut back: serde_json::Map<String, serde_json::Value> = serde_json::from_str(old).ok()?;
    if let Some(new) = new {
        let new: serde_json::Map<String, serde_json::Value> = serde_json::from_str(new).ok()?;
        for key in new.keys() {
            if !back.contains_key(key) {
                back.insert(key.clone(), serde_json::Value::Null);
            }
        }
    }
    Some(serde_json::Value::Object(back).to_string())
}

/// Something already undone (removed since) counts as undone.
fn gone_is_fine(r: Result<(), StoreError>) -> ApiResult<()> {
    match r {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
