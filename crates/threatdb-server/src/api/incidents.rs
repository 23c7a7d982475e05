//! `/v2/groups/incidents[/{id}]` and the reverse look-ups by tag and label.

use super::parse_id;
use crate::AppState;
use crate::auth::Auth;
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
    auth: &Auth,
    params: &Params,
    refine: impl FnOnce(&mut IncidentQuery),
) -> ApiResult<Page<IncidentDetails>> {
    let owner = params.owner(&auth.0)?;
    let mut query = params.incident_query(owner)?;
    refine(&mut query);
    Ok(state.store.list_incidents(&auth.0, &query).await?)
}

/// `GET /v2/groups/incidents`.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> ApiResult<Response> {
    let page = run_list(&state, &auth, &params, |_| {}).await?;
    Ok(listed(&state, "incident", false, &params, page))
}

/// `GET /v2/tags/{name}/groups/incidents`.
pub async fn by_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path(tag): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let page = run_list(&state, &auth, &params, |q| {
        q.and(Cond::Tag(tag));
    })
    .await?;
    Ok(listed(&state, "incident", false, &params, page))
}

/// `GET /v2/securityLabels/{label}/groups/incidents`.
pub async fn by_label(
    State(state): State<AppState>,
    auth: Auth,
    Path(label): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let page = run_list(&state, &auth, &params, |q| {
        q.and(Cond::Label(label));
    })
    .await?;
    Ok(listed(&state, "incident", false, &params, page))
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
    auth: Auth,
    params: Params,
    JsonBody(body): JsonBody<IncidentBody>,
) -> ApiResult<Response> {
    let owner = params.owner(&auth.0)?;
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
            &auth.0,
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
        &params,
        &bare(incident),
    ))
}

/// `GET /v2/groups/incidents/{id}`.
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    let details = state
        .store
        .get_incident(&auth.0, parse_id(&id)?, params.include)
        .await?;
    Ok(single(&state, StatusCode::OK, &params, &details))
}

/// `PUT /v2/groups/incidents/{id}`: changes only the fields the body carries.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
    JsonBody(body): JsonBody<IncidentBody>,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
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
    let incident = state.store.update_incident(&auth.0, id, patch).await?;
    Ok(single(&state, StatusCode::OK, &params, &bare(incident)))
}

/// `DELETE /v2/groups/incidents/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.owner(&auth.0)?;
    state.store.delete_incident(&auth.0, parse_id(&id)?).await?;
    Ok(done(StatusCode::OK))
}
