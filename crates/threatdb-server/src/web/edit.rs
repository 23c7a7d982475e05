//! The incident page's changes: details (name, status, event date), tags, security labels and
//! attributes. Each is a POST with the session's CSRF token, parsed by the API's own parsers;
//! a refused change shows the page again with the message and what was typed.

use super::error::WebError;
use super::forms::Posted;
use super::incident::{Drafts, parse_id, render};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use threatdb_core::{
    IncidentName, IncidentPatch, IncidentStatus, NewAttribute, StoreError, Subject, TagName,
    parse_timestamp,
};

type Outcome = Result<Response, WebError>;

/// After a change: back to the page (at `anchor`), or the page with the message if the input
/// was refused. Other failures (not found, not allowed) are their own pages.
async fn finish<T>(
    state: &AppState,
    posted: &Posted,
    id: i64,
    anchor: &str,
    result: Result<T, WebError>,
) -> Outcome {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}#{anchor}")).into_response()),
        Err(WebError::BadRequest(message)) => {
            render(
                state,
                &posted.user,
                id,
                Some(message),
                Drafts::from_form(&posted.form),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

fn store<T>(r: Result<T, StoreError>) -> Result<T, WebError> {
    r.map_err(WebError::from)
}

/// `POST /incidents/{id}/edit`: name, status and event date (fields left out do not change).
pub async fn details(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Outcome {
    let id = parse_id(&id)?;
    let f = &posted.form;
    let patch = (|| -> Result<IncidentPatch, WebError> {
        Ok(IncidentPatch {
            name: f.get("name").map(IncidentName::parse).transpose()?,
            status: f.get("status").map(IncidentStatus::parse).transpose()?,
            event_date: f
                .get("eventDate")
                .map(|d| {
                    parse_timestamp(d).map_err(|e| {
                        WebError::BadRequest(format!("eventDate is required for an Incident: {e}"))
                    })
                })
                .transpose()?,
        })
    })();
    let result = match patch {
        Ok(patch) => store(
            state
                .store
                .update_incident(&posted.user.actor, id, patch)
                .await,
        ),
        Err(e) => Err(e),
    };
    finish(&state, &posted, id, "details", result).await
}

/// `POST /incidents/{id}/tags`.
pub async fn add_tag(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Outcome {
    let id = parse_id(&id)?;
    let result = match TagName::parse(posted.form.text("tag")) {
        Ok(tag) => store(
            state
                .store
                .tag(&posted.user.actor, &Subject::Incident(id), &tag)
                .await,
        ),
        Err(e) => Err(e.into()),
    };
    finish(&state, &posted, id, "tags", result).await
}

/// `POST /incidents/{id}/tags/remove`.
pub async fn remove_tag(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Outcome {
    let id = parse_id(&id)?;
    let result = state
        .store
        .untag(
            &posted.user.actor,
            &Subject::Incident(id),
            posted.form.text("tag"),
        )
        .await;
    finish(&state, &posted, id, "tags", gone_is_fine(result)).await
}

/// `POST /incidents/{id}/labels`.
pub async fn add_label(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Outcome {
    let id = parse_id(&id)?;
    let label = posted.form.text("label");
    let result = if label.trim().is_empty() {
        Err(WebError::BadRequest(
            "Choose a security label to add.".into(),
        ))
    } else {
        store(
            state
                .store
                .label(&posted.user.actor, &Subject::Incident(id), label)
                .await,
        )
    };
    finish(&state, &posted, id, "labels", result).await
}

/// `POST /incidents/{id}/labels/remove`.
pub async fn remove_label(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Outcome {
    let id = parse_id(&id)?;
    let result = state
        .store
        .unlabel(
            &posted.user.actor,
            &Subject::Incident(id),
            posted.form.text("label"),
        )
        .await;
    finish(&state, &posted, id, "labels", gone_is_fine(result)).await
}

/// `POST /incidents/{id}/attributes`: type, value, `displayed` (a checkbox) and source.
pub async fn add_attribute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Outcome {
    let id = parse_id(&id)?;
    let f = &posted.form;
    let source = Some(f.text("source").trim().to_string()).filter(|s| !s.is_empty());
    let new = NewAttribute::parse(
        f.text("type"),
        f.text("value"),
        f.get("displayed").is_some(),
        source,
    );
    let result = match new {
        Ok(new) => store(
            state
                .store
                .add_attribute(&posted.user.actor, &Subject::Incident(id), new)
                .await,
        ),
        Err(e) => Err(e.into()),
    };
    finish(&state, &posted, id, "attributes", result).await
}

/// `POST /incidents/{id}/attributes/{aid}/delete`.
pub async fn delete_attribute(
    State(state): State<AppState>,
    Path((id, aid)): Path<(String, String)>,
    posted: Posted,
) -> Outcome {
    let id = parse_id(&id)?;
    let aid = parse_id(&aid)?;
    let result = state
        .store
        .delete_attribute(&posted.user.actor, &Subject::Incident(id), aid)
        .await;
    finish(&state, &posted, id, "attributes", gone_is_fine(result)).await
}

/// Removing what is already gone (a second click, another tab) is not worth an error page, as
/// long as the incident itself is still visible: the page shows the current state.
fn gone_is_fine(r: Result<(), StoreError>) -> Result<(), WebError> {
    match r {
        Err(StoreError::NotFound) => Ok(()),
        other => store(other),
    }
}
