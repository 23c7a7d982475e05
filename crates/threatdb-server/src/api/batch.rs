//! ThreatConnect's Batch API (`/v2/batch...`): jobs that tcex's batch module creates with one
//! multipart upload (or, for Delete, with `POST /v2/batch` and then the file), polls, and asks
//! for their errors. The jobs run in the background ([`crate::batch`]).

use super::Routes;
use super::doc::{Doc, Query, get, post, shape, tags::BATCH};
use super::parse_id;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, json_response};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::batch::{BatchSettings, BatchState};
use threatdb_core::{Actor, Owner};
use threatdb_wire::batch as wire;

/// The Batch routes. Their handlers read their bodies within limits of their own (a file may be
/// `Limits::batch_file_bytes`).
pub(crate) fn table() -> Routes {
    let status = || shape::<wire::BatchStatusReply>();
    let notice = || shape::<wire::BatchNotice>();
    Routes::new()
        .route(
            "/api/v2/batch",
            post(
                create,
                Doc::own(
                    BATCH,
                    "Create a job from its settings alone; its file follows (tcex's Delete jobs)",
                    StatusCode::CREATED,
                    "Created: `{\"status\":\"Success\",\"data\":{\"batchId\":N}}`",
                    shape::<wire::BatchCreated>(),
                    false,
                )
                .body(shape::<wire::SettingsDoc>()),
            )
            .own_body_limits(),
        )
        .route(
            "/api/v2/batch/createAndUpload",
            post(
                create_and_upload,
                Doc::own(
                    BATCH,
                    "Create a job with its settings and its file, queued at once (tcex's Create jobs)",
                    StatusCode::CREATED,
                    "Created: the job's status",
                    status(),
                    false,
                )
                .body_as("multipart/form-data", shape::<wire::UploadDoc>())
                .invalid(notice()),
            )
            .own_body_limits(),
        )
        .route(
            "/api/v2/batch/tc-json",
            get(
                tc_json,
                Doc::own(
                    BATCH,
                    "An owner's groups and indicators as one Batch file, streamed (tc-json; a threatdb extension)",
                    StatusCode::OK,
                    "The Batch file: `{\"group\":[...],\"indicator\":[...]}`",
                    shape::<wire::TcJsonDoc>(),
                    false,
                )
                .query(Query::OWNER),
            ),
        )
        .route(
            "/api/v2/batch/{id}",
            get(
                status_of,
                Doc::own(
                    BATCH,
                    "Read a job's status and counts",
                    StatusCode::OK,
                    "The job's status",
                    status(),
                    false,
                ),
            )
            .post(
                upload,
                Doc::own(
                    BATCH,
                    "Give a Created job its file",
                    StatusCode::ACCEPTED,
                    "Queued: `{\"status\":\"Queued\"}`",
                    notice(),
                    false,
                )
                .body_as("application/octet-stream", shape::<FileDoc>())
                .invalid(notice()),
            )
            .own_body_limits(),
        )
        .route(
            "/api/v2/batch/{id}/errors",
            get(
                errors,
                Doc::own(
                    BATCH,
                    "Read a Completed job's error records (404 when it has none)",
                    StatusCode::OK,
                    "The error records, in the order they were made",
                    shape::<wire::BatchErrorDto>(),
                    true,
                )
                .invalid(notice()),
            ),
        )
}

/// The batch file, as the raw body of `POST /v2/batch/{id}`.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary, as = BatchFile)]
struct FileDoc(#[allow(dead_code)] Vec<u8>);

/// The most bytes a job's settings may take.
const SETTINGS_BYTES: usize = 64 * 1024;

fn too_large(limit: usize) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        wire::invalid_json(&format!(
            "File size greater than allowable limit of {limit}"
        )),
    )
}

/// The owner the settings name, among the caller's (an owner the caller is not a member of,
/// or one that does not exist, is refused alike: 403, so tcex does not send the upload again).
fn owner<'a>(actor: &'a Actor, name: &str) -> ApiResult<&'a Owner> {
    actor.resolve_owner(Some(name)).ok_or_else(|| {
        ApiError::Forbidden(format!(
            "You may not write batch jobs into owner '{name}' (or it does not exist)"
        ))
    })
}

fn settings(bytes: &[u8]) -> ApiResult<(BatchSettings, String)> {
    wire::settings(bytes).map_err(ApiError::BadRequest)
}

/// `POST /v2/batch/createAndUpload`: the `config` and `content` parts; 201 with the job's
/// status, the job queued.
async fn create_and_upload(
    State(state): State<AppState>,
    auth: Auth,
    request: Request,
) -> ApiResult<Response> {
    let limit = state.limits.batch_file_bytes;
    let _slot = state.batch_uploads.acquire().await;
    // The parts' headers and the config part come on top of the file.
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(
        body,
        limit.saturating_add(1 << 20),
    ));
    let mut multipart = Multipart::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|e| ApiError::BadRequest(format!("The upload is not multipart/form-data: {e}")))?;
    let (mut config, mut content) = (None, None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(too_large(limit)),
            Err(e) => {
                return Err(ApiError::BadRequest(format!(
                    "The upload is malformed: {e}"
                )));
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(too_large(limit)),
            Err(e) => {
                return Err(ApiError::BadRequest(format!(
                    "The upload is malformed: {e}"
                )));
            }
        };
        match name.as_str() {
            "config" => config = Some(bytes),
            "content" => content = Some(bytes),
            _ => {}
        }
    }
    let config =
        config.ok_or_else(|| ApiError::BadRequest("The upload has no config part".into()))?;
    let content =
        content.ok_or_else(|| ApiError::BadRequest("The upload has no content part".into()))?;
    if content.len() > limit {
        return Ok(too_large(limit));
    }
    let (settings, owner_name) = settings(&config)?;
    let owner = owner(&auth.0, &owner_name)?;
    check_json(&content)?;
    let status = state
        .store
        .create_batch(&auth.0, owner, settings, Some(Vec::from(content)))
        .await?;
    state.batch_wake.notify_one();
    Ok(json_response(
        StatusCode::CREATED,
        wire::status_json(&status),
    ))
}

/// A batch file must at least be JSON (its items are checked one by one as they are written).
fn check_json(content: &Bytes) -> ApiResult<()> {
    serde_json::from_slice::<serde::de::IgnoredAny>(content)
        .map(|_| ())
        .map_err(|e| ApiError::BadRequest(format!("The batch file is not valid JSON: {e}")))
}

/// `POST /v2/batch`: a job made from its settings alone; 201 `{"data":{"batchId":N}}`.
async fn create(State(state): State<AppState>, auth: Auth, body: Body) -> ApiResult<Response> {
    let body = axum::body::to_bytes(body, SETTINGS_BYTES)
        .await
        .map_err(|_| ApiError::BadRequest("The job settings are larger than 64 KiB".into()))?;
    let (settings, owner_name) = settings(&body)?;
    let owner = owner(&auth.0, &owner_name)?;
    let status = state
        .store
        .create_batch(&auth.0, owner, settings, None)
        .await?;
    Ok(json_response(
        StatusCode::CREATED,
        wire::created_json(status.id),
    ))
}

/// `POST /v2/batch/{id}`: the file of a Created job; 202 `{"status":"Queued"}`.
async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let limit = state.limits.batch_file_bytes;
    let _slot = state.batch_uploads.acquire().await;
    let Ok(file) = axum::body::to_bytes(body, limit).await else {
        return Ok(too_large(limit));
    };
    match state.store.upload_batch(&auth.0, id, Vec::from(file)).await {
        Ok(_) => {
            state.batch_wake.notify_one();
            Ok(json_response(StatusCode::ACCEPTED, wire::queued_json()))
        }
        Err(threatdb_core::StoreError::Conflict(why)) => Ok(json_response(
            StatusCode::BAD_REQUEST,
            wire::invalid_json(&why),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /v2/batch/{id}`: the job's status and counts.
async fn status_of(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let status = state.store.batch_status(&auth.0, id).await?;
    Ok(json_response(StatusCode::OK, wire::status_json(&status)))
}

/// `GET /v2/batch/tc-json[?owner=NAME]`: the owner's groups and indicators as the Batch file
/// `threatdb export --format tc-json` writes, streamed a store page at a time with the caller's
/// rights. The first page is read before the answer starts, so a refusal is a status code; a
/// store failure later ends the stream early (the file is then not valid JSON).
async fn tc_json(
    State(state): State<AppState>,
    caller: crate::caller::Caller,
    request: axum::http::request::Parts,
) -> ApiResult<Response> {
    let facts = crate::audit::RequestFacts::of(
        &request.extensions,
        &request.headers,
        &request.method,
        &request.uri,
    );
    let mut record = facts.record(Some(&caller.actor), "export", "200");
    record.target = threatdb_core::audit::cut(&format!("tc-json of owner {}", caller.owner.name));
    state.audit.record(record).await;
    let mut file = crate::tc_json::TcJson::new(
        state.store.clone(),
        caller.actor.clone(),
        caller.owner.clone(),
        None,
    )?;
    let mut head = Vec::new();
    for _ in 0..2 {
        if let Some(piece) = file.next().await? {
            head.extend_from_slice(&piece);
        }
    }
    let first =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) });
    let rest = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        match file.next().await {
            Ok(Some(piece)) => Some((Ok(Bytes::from(piece)), Some(file))),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
        }
    });
    use futures_util::StreamExt;
    Response::builder()
        .status(StatusCode::OK)
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(first.chain(rest)))
        .map_err(|e| ApiError::from(threatdb_core::StoreError::backend(e)))
}

/// `GET /v2/batch/{id}/errors`: the error records of a Completed job (404 when it has none).
async fn errors(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let status = state.store.batch_status(&auth.0, id).await?;
    if status.state != BatchState::Completed {
        return Ok(json_response(
            StatusCode::BAD_REQUEST,
            wire::invalid_json(&format!("Batch still in {} state", status.state.as_str())),
        ));
    }
    let errors = state.store.batch_errors(&auth.0, id).await?;
    if errors.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(json_response(StatusCode::OK, wire::errors_json(&errors)))
}
