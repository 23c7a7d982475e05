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
use threatdb_core::history::{HistoryEntry, HistoryQuery};
use threatdb_core::policy::{Access, Decision};
use threatdb_core::{
    Actor, AttributePatch, IncidentName, IncidentPatch, IncidentStatus, IndicatorKind,
    IndicatorValue, ItemKind, ItemPatch, NewAttribute, StoreError, Subject, TagName, Target,
    format_timestamp, parse_timestamp,
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
    let (on, owner, _) = object(&state, &actor, what, &raw, &query).await?;
    may_write(&actor, owner)?;
    revert(&state, &actor, &on, &body).await
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

/// Undoes `body.change_id` on `on` with the same operations a client would use (so the undoing
/// is recorded as a change of its own), unless a later change touched the same field or value
/// and `overwrite` is not set (409 naming it). Answers with the change it recorded.
async fn revert(state: &AppState, actor: &Actor, on: &Subject, body: &v3::Revert) -> V3Result {
    let first = threatdb_core::Paging { start: 0, limit: 1 };
    let mut one = HistoryQuery::all(first);
    one.change = body.change_id;
    let change = state
        .store
        .history(actor, on, &one)
        .await?
        .items
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    if !body.overwrite {
        let mut same = HistoryQuery::all(threatdb_core::Paging {
            start: 0,
            limit: threatdb_core::Paging::MAX_LIMIT,
        });
        same.field = Some(change.field.clone());
        let later = state.store.history(actor, on, &same).await?;
        if let Some(c) = later
            .items
            .iter()
            .filter(|c| c.id > change.id)
            .find(|c| touches_the_same(&change, c))
        {
            return Err(ApiError::Conflict(format!(
                "change {} ({} on {}) came after change {}: revert it first, or send \"overwrite\": true",
                c.id,
                c.field,
                format_timestamp(c.at),
                change.id
            ))
            .into());
        }
    }
    undo(state, actor, on, &change).await?;
    let newest = state
        .store
        .history(actor, on, &HistoryQuery::all(first))
        .await?;
    let answer = List::new(newest.items.into_iter().map(self::change).collect());
    Ok(reply(StatusCode::OK, &answer))
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
async fn undo(state: &AppState, actor: &Actor, on: &Subject, c: &HistoryEntry) -> ApiResult<()> {
    let store = state.store.as_ref();
    let cannot = || {
        ApiError::BadRequest(format!(
            "a change of '{}' cannot be reverted here{}",
            c.field,
            match c.field.as_str() {
                "created" => ": delete the object instead",
                "deleted" => ": a deleted object cannot be restored yet",
                _ => "",
            }
        ))
    };
    let (old, new) = (c.old.as_deref(), c.new.as_deref());
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
            let target = target_of(old.or(new).ok_or_else(cannot)?).ok_or_else(cannot)?;
            match (old, new) {
                (None, Some(_)) => gone_is_fine(store.disassociate(actor, *id, &target).await)?,
                (Some(_), None) => store.associate(actor, *id, &target).await?,
                _ => return Err(cannot()),
            }
        }
        (field, _) if field.starts_with("attribute:") && !field.ends_with(":source") => {
            let kind = field.trim_start_matches("attribute:");
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

/// Something already undone (removed since) counts as undone.
fn gone_is_fine(r: Result<(), StoreError>) -> ApiResult<()> {
    match r {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// An association's other end as the history names it (`incident 12`, `adversary 7`,
/// `host evil.example`).
fn target_of(text: &str) -> Option<Target> {
    let (kind, rest) = text.split_once(' ')?;
    if kind == "incident" {
        return rest.parse().ok().map(Target::Incident);
    }
    if let Some(item) = ItemKind::ALL.into_iter().find(|k| k.url_name() == kind) {
        return rest.parse().ok().map(|id| Target::Item(item, id));
    }
    let indicator = IndicatorKind::ALL
        .into_iter()
        .find(|k| k.url_name() == kind)?;
    IndicatorValue::parse(indicator, rest)
        .ok()
        .map(Target::Indicator)
}
