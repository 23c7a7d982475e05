//! `GET /v3/groups/deleted`, `GET /v3/indicators/deleted` and `POST /v3/groups/{id}/restore`,
//! `POST /v3/indicators/{id}/restore` (a threatdb extension): the deleted objects of an owner
//! (`owner=`, else the caller's organization) that someone with write rights there may
//! restore, newest deletion first, and the restore itself,
//! which gives the object back with its id, fields, tags, labels, attributes and associations.
//! Both are writes' business: a reader of the owner sees no list and is refused a restore.

use super::common::{PageState, owner_named, page_links, params};
use super::{V3Result, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use threatdb_core::history::{Deleted, Family};
use threatdb_core::{IndicatorKind, ItemKind, Subject, format_timestamp};
use threatdb_wire::v3::{self, List, Single};

/// A type as v3 names it (`Incident`, `Adversary`, `Host`), from its URL name.
pub fn type_name(url_name: &str) -> String {
    if url_name == "incident" {
        return "Incident".into();
    }
    if let Some(k) = ItemKind::from_url(url_name) {
        return k.type_name().into();
    }
    IndicatorKind::from_url(url_name)
        .map_or_else(|| url_name.to_string(), |k| k.type_name().to_string())
}

fn shown(d: Deleted) -> v3::DeletedObject {
    v3::DeletedObject {
        id: d.id,
        kind: type_name(&d.type_name),
        name: d.name,
        owner_name: d.owner,
        date_deleted: format_timestamp(d.deleted_at),
        deleted_by: d.deleted_by,
    }
}

async fn list(
    state: AppState,
    auth: Result<Auth, ApiError>,
    family: Family,
    query: Option<String>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let paging = p.paging()?;
    let owner = owner_named(&actor, p.owner.as_deref())?;
    let found = state.store.deleted(&actor, owner, family, paging).await?;
    let shown_rows = u64::try_from(found.items.len()).unwrap_or(u64::MAX);
    let mut answer = List::new(found.items.into_iter().map(shown).collect());
    let endpoint = format!("{}s/deleted", family.as_str());
    let page = PageState {
        paging,
        shown: shown_rows,
        total: found.total,
        after: None,
        last: None,
    };
    page_links(&mut answer, &state.public_url, &endpoint, &p, page);
    Ok(reply(StatusCode::OK, &answer))
}

/// `GET /v3/groups/deleted`.
pub async fn groups(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    list(state, auth, Family::Groups, query).await
}

/// `GET /v3/indicators/deleted`.
pub async fn indicators(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    list(state, auth, Family::Indicators, query).await
}

fn id_of(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        ApiError::BadRequest("a deleted object is named by its id, a whole number".into())
    })
}

async fn restore(
    state: AppState,
    auth: Result<Auth, ApiError>,
    family: Family,
    raw: String,
) -> V3Result {
    let Auth(actor) = auth?;
    let id = id_of(&raw)?;
    let restored = state.store.restore(&actor, family, id).await?;
    let kind = match &restored.subject {
        Subject::Incident(_) => "Incident".to_string(),
        Subject::Item(kind, _) => kind.type_name().to_string(),
        Subject::Indicator(_, value) => value.kind().type_name().to_string(),
    };
    let answer = v3::Restored {
        id,
        kind,
        skipped: restored.skipped,
    };
    Ok(reply(StatusCode::OK, &Single::read(answer)))
}

/// `POST /v3/groups/{id}/restore`.
pub async fn restore_group(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
) -> V3Result {
    restore(state, auth, Family::Groups, raw).await
}

/// `POST /v3/indicators/{id}/restore`.
pub async fn restore_indicator(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    Path(raw): Path<String>,
) -> V3Result {
    restore(state, auth, Family::Indicators, raw).await
}
