//! An incident's History tab (`GET /incidents/{id}/history`): every recorded change, newest
//! first, as a readable diff, with an Undo button on each change a writer can undo and a form
//! that puts the incident back as it was at a time (`POST /incidents/{id}/history/revert`,
//! the API's revert). And the deleted objects of an owner (`GET /deleted`), each with a
//! Restore button for its writers (`POST /deleted/{id}/restore`).

use super::error::WebError;
use super::forms::Posted;
use super::incident::parse_id;
use super::session::WebUser;
use super::views::{Nav, html, query_string, when};
use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use threatdb_core::history::{Family, HistoryEntry, HistoryQuery};
use threatdb_core::{Incident, Include, Owner, Paging, Role, Subject};

/// Changes on one page of the tab.
const PAGE_SIZE: u64 = 100;

/// One change as the tab shows it.
pub struct ChangeView {
    pub id: i64,
    pub when: String,
    pub user: String,
    pub via: String,
    /// What changed, in words (`status`, `tag`, `attribute Description`).
    pub what: String,
    /// The value before, struck out (empty: nothing before).
    pub old: String,
    /// The value after (empty: nothing after).
    pub new: String,
    /// A word for a change without values (`created`, `deleted`, `restored`).
    pub event: String,
    /// A writer may undo it here.
    pub undoable: bool,
}

impl ChangeView {
    /// A change as the pages show it; `undo_on`: the object a writer may undo it on (its Undo
    /// shown where the API's revert can undo it).
    pub fn of(c: &HistoryEntry, undo_on: Option<&Subject>) -> Self {
        let field = c.field.as_str();
        let what = match field {
            "securityLabel" => "security label".to_string(),
            "eventDate" => "event date".to_string(),
            f if f.starts_with("attribute:") => {
                let rest = f.trim_start_matches("attribute:");
                if let Some(kind) = rest.strip_suffix(":source") {
                    format!("source of the {kind} attribute")
                } else if let Some(kind) = rest.strip_suffix(":securityLabel") {
                    format!("security label of the {kind} attribute")
                } else {
                    format!("attribute {rest}")
                }
            }
            f => f.to_string(),
        };
        let event = match field {
            "created" => format!("created as “{}”", c.new.clone().unwrap_or_default()),
            "deleted" | "restored" | "purged" => field.to_string(),
            _ => String::new(),
        };
        let (old, new) = if event.is_empty() {
            (
                c.old.clone().unwrap_or_default(),
                c.new.clone().unwrap_or_default(),
            )
        } else {
            (String::new(), String::new())
        };
        let undoable = undo_on.is_some_and(|on| crate::api::v3::revert::undoable(c, on).is_ok());
        ChangeView {
            id: c.id,
            when: when(c.at),
            user: c.user.clone(),
            via: c.via.clone(),
            what,
            old,
            new,
            event,
            undoable,
        }
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    nav: Option<Nav>,
    i: Incident,
    list_href: String,
    changes: Vec<ChangeView>,
    total: u64,
    older_href: Option<String>,
    newer_href: Option<String>,
    can_write: bool,
    error: Option<String>,
    /// A refused undo of this change that overwriting would do.
    overwrite: Option<i64>,
    notice: Option<String>,
    to: String,
}

/// Renders the tab at `start`, with the message of a refused revert.
async fn render(
    state: &AppState,
    user: &WebUser,
    id: i64,
    start: u64,
    refused: Option<(String, Option<i64>)>,
    notice: Option<String>,
    to: String,
) -> Result<Response, WebError> {
    let i = state
        .store
        .get_incident(&user.actor, id, Include::default())
        .await?
        .incident;
    let can_write = user.actor.role_in(i.owner.id) >= Some(Role::Write);
    let q = HistoryQuery::all(Paging::new(start, PAGE_SIZE)?);
    let found = state
        .store
        .history(&user.actor, &Subject::Incident(id), &q)
        .await?;
    let shown = u64::try_from(found.items.len()).unwrap_or(u64::MAX);
    let total = found.total.unwrap_or(start.saturating_add(shown));
    let page_href = |s: u64| {
        format!(
            "/incidents/{id}/history?{}",
            query_string(&[("start", &s.to_string())])
        )
    };
    let older = shown == PAGE_SIZE && found.total.is_none_or(|t| start.saturating_add(shown) < t);
    let (error, overwrite) = match refused {
        Some((m, o)) => (Some(m), o),
        None => (None, None),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = HistoryPage {
        nav: user.nav(),
        list_href: format!("/incidents?{}", query_string(&[("owner", &i.owner.name)])),
        changes: found
            .items
            .iter()
            .map(|c| ChangeView::of(c, can_write.then_some(&Subject::Incident(id))))
            .collect(),
        total,
        older_href: older.then(|| page_href(start.saturating_add(PAGE_SIZE))),
        newer_href: (start > 0).then(|| page_href(start.saturating_sub(PAGE_SIZE))),
        can_write,
        error,
        overwrite,
        notice,
        to,
        i,
    };
    Ok(html(status, &page))
}

/// `GET /incidents/{id}/history`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let form = super::forms::Form::parse(raw.as_deref().unwrap_or("").as_bytes());
    let start = form
        .get("start")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let notice = form
        .get("reverted")
        .and_then(|n| n.parse::<u64>().ok())
        .map(|n| match n {
            0 => "Nothing to undo: the incident was already as asked.".to_string(),
            1 => "Undone: the undoing is recorded as the newest change.".to_string(),
            n => format!("Undone: {n} changes recorded, newest first."),
        });
    render(
        &state,
        &user,
        parse_id(&id)?,
        start,
        None,
        notice,
        String::new(),
    )
    .await
}

/// `POST /incidents/{id}/history/revert`: `change` (one change, `overwrite` to undo it over a
/// later one) or `to` (a time).
pub async fn revert(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    // A revert is a write: refused to a reader before anything is looked at.
    let owner = state
        .store
        .get_incident(&posted.user.actor, id, Include::default())
        .await?
        .incident
        .owner;
    if posted.user.actor.role_in(owner.id) < Some(Role::Write) {
        return Err(threatdb_core::StoreError::Forbidden.into());
    }
    let f = &posted.form;
    let to = f.text("to").trim().to_string();
    let change_id =
        match f.get("change") {
            Some(c) => Some(c.parse::<i64>().map_err(|_| {
                WebError::BadRequest("That is not a change of this incident.".into())
            })?),
            None => None,
        };
    if change_id.is_none() && to.is_empty() {
        let message =
            "Give the time to put the incident back to (for example 2026-12-01T09:00:00Z).";
        return render(
            &state,
            &posted.user,
            id,
            0,
            Some((message.into(), None)),
            None,
            to,
        )
        .await;
    }
    let body = threatdb_wire::v3::Revert {
        change_id,
        to: (!to.is_empty() && change_id.is_none()).then(|| to.clone()),
        overwrite: f.get("overwrite").is_some(),
    };
    let actor = &posted.user.actor;
    match crate::api::v3::revert::apply(&state, actor, Subject::Incident(id), id, &body).await {
        Ok(recorded) => {
            let q = query_string(&[("reverted", &recorded.len().to_string())]);
            Ok(Redirect::to(&format!("/incidents/{id}/history?{q}")).into_response())
        }
        Err(ApiError::Conflict(m)) => {
            render(&state, &posted.user, id, 0, Some((m, change_id)), None, to).await
        }
        Err(ApiError::BadRequest(m)) => {
            render(&state, &posted.user, id, 0, Some((m, None)), None, to).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A deleted object as the page lists it.
pub struct DeletedView {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub when: String,
    pub by: String,
    pub family: &'static str,
}

#[derive(Template)]
#[template(path = "deleted.html")]
struct DeletedPage {
    nav: Option<Nav>,
    owner: String,
    owners: Vec<String>,
    /// Groups, then indicators.
    sections: Vec<(&'static str, Vec<DeletedView>)>,
    notice: Option<String>,
    /// The restored incident's page.
    incident_href: Option<String>,
    /// What of the restored object could not be put back.
    left: Vec<String>,
}

/// The owners the user may write to (whose deleted objects it may restore).
fn writable(user: &WebUser) -> Vec<&Owner> {
    user.actor
        .memberships
        .iter()
        .filter(|m| m.role >= Role::Write)
        .map(|m| &m.owner)
        .collect()
}

/// `GET /deleted?owner=NAME`: an owner's deleted groups and indicators, newest first.
pub async fn deleted(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let form = super::forms::Form::parse(raw.as_deref().unwrap_or("").as_bytes());
    let owners = writable(&user);
    let asked = form.get("owner").map(str::trim).filter(|o| !o.is_empty());
    let owner = match asked {
        Some(name) => owners
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
            .copied()
            .ok_or(WebError::NotFound)?,
        None => {
            let default = &user.actor.default_owner;
            owners
                .iter()
                .find(|o| o.id == default.id)
                .or(owners.first())
                .copied()
                .ok_or_else(|| {
                    WebError::Forbidden(
                        "Deleted objects are restored by writers: you write to no owner.".into(),
                    )
                })?
        }
    };
    let page = Paging::new(0, 500)?;
    let view = |family: Family| {
        let state = &state;
        let user = &user;
        async move {
            let found = state
                .store
                .deleted(&user.actor, owner, family, page)
                .await?;
            Ok::<_, WebError>(
                found
                    .items
                    .into_iter()
                    .map(|d| DeletedView {
                        id: d.id,
                        kind: crate::api::v3::deleted_type_name(&d.type_name),
                        name: d.name,
                        when: when(d.deleted_at),
                        by: d.deleted_by,
                        family: family.as_str(),
                    })
                    .collect::<Vec<_>>(),
            )
        }
    };
    let groups = view(Family::Groups).await?;
    let indicators = view(Family::Indicators).await?;
    let restored = form.get("restored").and_then(|d| d.parse::<i64>().ok());
    let notice = restored.map(|id| match form.get("kind") {
        Some("incident") => format!("Incident {id} was restored."),
        Some("indicator") => format!("Indicator {id} was restored."),
        _ => format!("Group {id} was restored."),
    });
    let incident_href = match (restored, form.get("kind")) {
        (Some(id), Some("incident")) => Some(format!("/incidents/{id}")),
        _ => None,
    };
    let left: Vec<String> = form
        .get("left")
        .map(|l| l.lines().take(5).map(str::to_owned).collect())
        .unwrap_or_default();
    let page = DeletedPage {
        nav: user.nav(),
        owner: owner.name.clone(),
        owners: owners.iter().map(|o| o.name.clone()).collect(),
        sections: vec![("Groups", groups), ("Indicators", indicators)],
        notice,
        incident_href,
        left,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /deleted/{id}/restore` (`family`: `group` or `indicator`, `owner`: the list's): restores
/// it, then shows the list with what was restored and what of it could not be.
pub async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let family = match posted.form.text("family") {
        "indicator" => Family::Indicators,
        _ => Family::Groups,
    };
    let restored = state.store.restore(&posted.user.actor, family, id).await?;
    let kind = match &restored.subject {
        Subject::Incident(_) => "incident",
        Subject::Item(..) => "group",
        Subject::Indicator(..) => "indicator",
    };
    // What was left out, in short: the redirect's URL stays small.
    let left: Vec<String> = restored
        .skipped
        .iter()
        .take(5)
        .map(|s| s.chars().take(200).collect())
        .collect();
    let q = query_string(&[
        ("owner", posted.form.text("owner")),
        ("restored", &id.to_string()),
        ("kind", kind),
        ("left", &left.join("\n")),
    ]);
    Ok(Redirect::to(&format!("/deleted?{q}")).into_response())
}
