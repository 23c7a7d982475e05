//! `GET /incidents/new` and `POST /incidents`: the create form, checked by the same parsers and
//! with the same messages as the API's `POST /v2/groups/incidents`.

use super::error::WebError;
use super::forms::{Form, Posted};
use super::list::resolve_owner;
use super::session::WebUser;
use super::views::{Nav, date, html};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use threatdb_core::{IncidentName, IncidentStatus, NewIncident, Role, parse_timestamp};

#[derive(Template)]
#[template(path = "new_incident.html")]
struct NewPage {
    nav: Option<Nav>,
    owners: Vec<String>,
    owner: String,
    name: String,
    event_date: String,
    status: String,
    statuses: Vec<String>,
    errors: Vec<String>,
}

fn writable_owners(user: &WebUser) -> Vec<String> {
    user.actor
        .memberships
        .iter()
        .filter(|m| m.role >= Role::Write)
        .map(|m| m.owner.name.clone())
        .collect()
}

fn render(user: &WebUser, form: &Form, errors: Vec<String>) -> Response {
    let owner = match form.text("owner") {
        "" => user.actor.default_owner.name.clone(),
        o => o.to_string(),
    };
    let page = NewPage {
        nav: user.nav(),
        owners: writable_owners(user),
        owner,
        name: form.text("name").to_string(),
        event_date: match form.get("eventDate") {
            Some(d) => d.to_string(),
            None => date(threatdb_core::date::now()),
        },
        status: match form.text("status") {
            "" => "New".to_string(),
            s => s.to_string(),
        },
        statuses: IncidentStatus::ALL.iter().map(|s| s.to_string()).collect(),
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    html(status, &page)
}

/// `GET /incidents/new` (`?owner=` preselects an owner).
pub async fn form(user: WebUser, RawQuery(raw): RawQuery) -> Response {
    let query = Form::parse(raw.as_deref().unwrap_or("").as_bytes());
    if writable_owners(&user).is_empty() {
        return WebError::Forbidden(
            "Your roles allow reading only: you cannot create incidents.".into(),
        )
        .into_response();
    }
    render(&user, &query, vec![])
}

/// `POST /incidents`: name and event date required, status optional (`New`).
pub async fn submit(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, form } = posted;
    let mut errors = Vec::new();
    let owner = resolve_owner(&user, form.text("owner"));
    let name = IncidentName::parse(form.text("name"));
    let event_date = match form.text("eventDate").trim() {
        "" => Err("eventDate is required for an Incident".to_string()),
        raw => {
            parse_timestamp(raw).map_err(|e| format!("eventDate is required for an Incident: {e}"))
        }
    };
    let status = match form.text("status").trim() {
        "" => Ok(IncidentStatus::New),
        s => IncidentStatus::parse(s),
    };
    if let Err(WebError::Forbidden(m)) = &owner {
        errors.push(m.clone());
    }
    if let Err(e) = &name {
        errors.push(e.0.clone());
    }
    if let Err(e) = &event_date {
        errors.push(e.clone());
    }
    if let Err(e) = &status {
        errors.push(e.0.clone());
    }
    let (Ok(owner), Ok(name), Ok(event_date), Ok(status)) = (owner, name, event_date, status)
    else {
        return Ok(render(&user, &form, errors));
    };
    let created = state
        .store
        .create_incident(
            &user.actor,
            owner,
            NewIncident {
                name,
                event_date,
                status,
                xid: None,
            },
        )
        .await;
    match created {
        Ok(incident) => Ok(Redirect::to(&format!("/incidents/{}", incident.id)).into_response()),
        Err(threatdb_core::StoreError::Invalid(m)) => Ok(render(&user, &form, vec![m])),
        Err(threatdb_core::StoreError::Forbidden) => Ok(render(
            &user,
            &form,
            vec![format!(
                "Your role in '{}' does not allow creating incidents.",
                owner.name
            )],
        )),
        Err(e) => Err(e.into()),
    }
}
