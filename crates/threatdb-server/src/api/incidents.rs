//! `/v2/groups/incidents[/{id}]` and the reverse look-ups by tag and label.

use super::parse_id;
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::reply::{JsonBody, done, many, one};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{
    Cond, IncidentDetails, IncidentName, IncidentPatch, IncidentQuery, IncidentStatus, NewIncident,
    Page, parse_timestamp,
};
use threatdb_wire::dto::{IncidentBody, IncidentDto, View};

const MAX_XID_CHARS: usize = 100;

pub(super) fn listed(
    state: &AppState,
    key: &'static str,
    with_type: bool,
    params: &Params,
    page: Page<IncidentDetails>,
) -> Response {
    let view = View {
        single: false,
        with_type,
        additional: params.include.additional,
        public_url: &state.public_url,
    };
    many(
        key,
        page.total,
        page.items
            .iter()
            .map(|d| IncidentDto::new(d, view))
            .collect(),
    )
}

pub(super) async fn run_list(
    state: &AppState,
    caller: &Caller,
    refine: impl FnOnce(&mut IncidentQuery),
) -> ApiResult<Page<IncidentDetails>> {
    let owner = &caller.owner;
    let mut query = caller.params.incident_query(owner)?;
    refine(&mut query);
    Ok(state.store.list_incidents(&caller.actor, &query).await?)
}

/// `GET /v2/groups/incidents`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let page = run_list(&state, &caller, |_| {}).await?;
    Ok(listed(&state, "incident", false, &caller.params, page))
}

/// `GET /v2/tags/{name}/groups/incidents`.
pub async fn by_tag(
    State(state): State<AppState>,
    caller: Caller,
    Path(tag): Path<String>,
) -> ApiResult<Response> {
    let page = run_list(&state, &caller, |q| {
        q.and(Cond::Tag(tag));
    })
    .await?;
    Ok(listed(&state, "incident", false, &caller.params, page))
}

/// `GET /v2/securityLabels/{label}/groups/incidents`.
pub async fn by_label(
    State(state): State<AppState>,
    caller: Caller,
    Path(label): Path<String>,
) -> ApiResult<Response> {
    let page = run_list(&state, &caller, |q| {
        q.and(Cond::Label(label));
    })
    .await?;
    Ok(listed(&state, "incident", false, &caller.params, page))
}

fn single(
    state: &AppState,
    status: StatusCode,
    params: &Params,
    details: &IncidentDetails,
) -> Response {
    let view = View {
        single: true,
        with_type: false,
        additional: params.include.additional,
        public_url: &state.public_url,
    };
    one(status, "incident", IncidentDto::new(details, view))
}

fn bare(incident: threatdb_core::Incident) -> IncidentDetails {
    IncidentDetails {
        incident,
        attributes: None,
        tags: None,
        labels: None,
    }
}

/// `POST /v2/groups/incidents`: name and eventDate required (DECISIONS.md #1), status optional.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<IncidentBody>,
) -> ApiResult<Response> {
    let owner = &caller.owner;
    let name = IncidentName::parse(
        body.name
            .as_deref()
            .ok_or_else(|| ApiError::BadRequest("name is required".into()))?,
    )?;
    let event_date = match body.event_date.as_deref() {
        None => {
            return Err(ApiError::BadRequest(
                "eventDate is required for an Incident".into(),
            ));
        }
        Some(raw) => parse_timestamp(raw).map_err(|e| {
            ApiError::BadRequest(format!("eventDate is required for an Incident: {e}"))
        })?,
    };
    let status = body
        .status
        .as_deref()
        .map(IncidentStatus::parse)
        .transpose()?
        .unwrap_or(IncidentStatus::New);
    let xid = body
        .xid
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty());
    if xid
        .as_ref()
        .is_some_and(|x| x.chars().count() > MAX_XID_CHARS)
    {
        return Err(ApiError::BadRequest(format!(
            "xid must be at most {MAX_XID_CHARS} characters"
        )));
    }
    let incident = state
        .store
        .create_incident(
            &caller.actor,
            owner,
            NewIncident {
                name,
                event_date,
                status,
                xid,
            },
        )
        .await?;
    Ok(single(
        &state,
        StatusCode::CREATED,
        &caller.params,
        &bare(incident),
    ))
}

/// `GET /v2/groups/incidents/{id}`.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let details = state
        .store
        .get_incident(&caller.actor, parse_id(&id)?, caller.params.include)
        .await?;
    Ok(single(&state, StatusCode::OK, &caller.params, &details))
}

/// `PUT /v2/groups/incidents/{id}`: changes only the fields the body carries.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<IncidentBody>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let patch = IncidentPatch {
        name: body.name.as_deref().map(IncidentName::parse).transpose()?,
        event_date: body
            .event_date
            .as_deref()
            .map(parse_timestamp)
            .transpose()?,
        status: body
            .status
            .as_deref()
            .map(IncidentStatus::parse)
            .transpose()?,
    };
    let incident = state
        .store
        .update_incident(&caller.actor, id, patch)
        .await?;
    Ok(single(
        &state,
        StatusCode::OK,
        &caller.params,
        &bare(incident),
    ))
}

/// `DELETE /v2/groups/incidents/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state
        .store
        .delete_incident(&caller.actor, parse_id(&id)?)
        .await?;
    Ok(done(StatusCode::OK))
}
