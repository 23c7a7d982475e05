//! threatdb's HTTP server: the ThreatConnect REST API v2 for incidents under `/api/v2`, with HMAC
//! authentication, one authorization policy (enforced by the store on loaded rows) and
//! ThreatConnect's envelopes and content type on every answer; and the web UI (sign-in, incident
//! pages) beside it, under the same policy.

// Request data passes through this crate: no arithmetic that can overflow, no indexing or
// string slicing that can panic (checked forms, `get`, `split_once` instead).
#![deny(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::string_slice
)]
#![cfg_attr(
    test,
    allow(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]

mod api;
pub mod audit;
pub mod auth;
pub mod batch;
pub mod caller;
pub mod error;
pub mod limits;
pub mod net;
mod panics;
pub mod params;
pub mod passwords;
pub mod provision;
pub mod reply;
pub mod request_id;
pub mod retention;
pub mod secrets;
pub mod taxii;
pub mod tc_json;
pub mod telemetry;
mod web;

use crate::error::{ApiError, json_response};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use threatdb_core::Store;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

pub use limits::Limits;
pub use net::tls::{TlsError, TlsFiles};
pub use net::{serve, serve_app, serve_with_tls};
pub use secrets::MasterKey;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Batch uploads read at once: with the file limit, what uploads may hold in memory.
pub const BATCH_UPLOADS: usize = 2;

/// Everything a request needs, behind one reference count: axum clones the state for every
/// extractor and middleware of every request, and one atomic increment is cheaper than one per
/// field (measured on GET by id: the field-by-field clone and drop were 2.3 % of the server's
/// time). No process-global state: several servers can run in one process.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Opens sealed API secrets.
    pub keys: MasterKey,
    /// The URL `webLink`s start with, without a trailing slash.
    pub public_url: Arc<str>,
    /// What clients are allowed.
    pub limits: Arc<Limits>,
    /// Counts failed authentications and sign-in attempts.
    pub limiter: Arc<auth::FailureLimiter>,
    /// Recently verified credentials.
    pub cache: Arc<auth::CredentialCache>,
    /// Signatures of recent writes, when replays are refused.
    pub replays: Option<Arc<auth::ReplayGuard>>,
    /// Runs password hashes a few at a time.
    pub passwords: Arc<passwords::PasswordGate>,
    /// Batch uploads read at once (each may hold up to `limits.batch_file_bytes`).
    pub batch_uploads: Arc<tokio::sync::Semaphore>,
    /// Tells the batch runner that a job is waiting.
    pub batch_wake: Arc<tokio::sync::Notify>,
    /// Writes the audit log.
    pub audit: audit::AuditLog,
}

impl AppState {
    /// A state with the default [`Limits`].
    pub fn new(store: Arc<dyn Store>, keys: MasterKey, public_url: &str) -> Self {
        Self::with_limits(store, keys, public_url, Limits::default())
    }

    /// A state enforcing `limits`.
    pub fn with_limits(
        store: Arc<dyn Store>,
        keys: MasterKey,
        public_url: &str,
        limits: Limits,
    ) -> Self {
        let skew = Duration::from_secs(auth::MAX_SKEW_SECONDS.unsigned_abs());
        AppState(Arc::new(Shared {
            audit: audit::AuditLog::new(store.clone()),
            store,
            keys,
            public_url: public_url.trim_end_matches('/').into(),
            limiter: Arc::new(auth::FailureLimiter::new(limits.auth_failures_per_minute)),
            cache: Arc::new(auth::CredentialCache::new()),
            // A timestamp is accepted up to the skew either side of now: twice that covers it.
            replays: limits
                .reject_replays
                .then(|| Arc::new(auth::ReplayGuard::new(skew.saturating_mul(2)))),
            passwords: Arc::new(passwords::PasswordGate::new(
                limits.password_hashes,
                limits.password_queue,
            )),
            batch_uploads: Arc::new(tokio::sync::Semaphore::new(BATCH_UPLOADS)),
            batch_wake: Arc::new(tokio::sync::Notify::new()),
            limits: Arc::new(limits),
        }))
    }
}

/// The path of every API route (`/api/v2/...`, with `{parameters}`), for tests that must cover
/// every route.
pub fn api_paths() -> Vec<String> {
    api::paths()
}

/// The path of every v3 route (`/api/v3/...`), with its `{parameters}`.
pub fn v3_paths() -> Vec<String> {
    api::v3::paths()
}

/// The OpenAPI 3.1 document of the v2 and v3 APIs (every route of [`api_paths`] and
/// [`v3_paths`]), as served at
/// `GET /api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::openapi()
}

/// [`openapi`] as JSON, built once.
pub fn openapi_json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        openapi().to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document failed to serialise");
            String::from("{}")
        })
    });
    JSON.as_str()
}

async fn openapi_document() -> Response {
    json_response(StatusCode::OK, openapi_json().as_bytes().to_vec())
}

/// The whole application: `/api/v2/...` behind authentication, `/healthz`, `/readyz` and
/// `/api/openapi.json` open; every answer carries the request's `X-Request-Id`. Every request
/// is counted and timed by its route template when metrics are on ([`telemetry::track`]).
pub fn router(state: AppState) -> Router {
    let api = api::routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::authenticate,
    ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/openapi.json", get(openapi_document))
        .merge(api)
        .merge(taxii::routes(state.clone()))
        .merge(web::routes(state.clone()))
        .fallback(no_route)
        .layer(middleware::from_fn(envelope_errors))
        .layer(middleware::from_fn(panics::catch_panics))
        // Outside the panic layer, so a panic's 500 is counted; a layer of the Router, so it
        // runs after routing and sees the route template.
        .layer(middleware::from_fn(telemetry::track))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http().make_span_with(request_id::span::<axum::body::Body>))
        .layer(middleware::from_fn(request_id::assign))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
        .with_state(state)
}

/// `/healthz`: the process is alive (nothing else is checked).
async fn healthz() -> Response {
    json_response(StatusCode::OK, br#"{"status":"Success"}"#.to_vec())
}

/// `/readyz`: the store answers and its schema is current (else 503).
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    telemetry::readiness(state.store.as_ref()).await
}

/// A path no route matches: the API's failure envelope, or the web UI's 404 page for a browser
/// asking for a page outside `/api`.
async fn no_route(request: Request) -> Response {
    let path = request.uri().path();
    if taxii::serves(path) {
        return taxii::not_found().await.into_response();
    }
    if !path.starts_with("/api") && web::wants_html(request.headers()) {
        return web::not_found();
    }
    ApiError::NoRoute(format!("{} {}", request.method(), path)).into_response()
}

/// Gives error responses that did not come from our handlers (axum's own rejections, 405s) the
/// failure envelope and the JSON content type.
async fn envelope_errors(request: Request, next: Next) -> Response {
    let is_taxii = taxii::serves(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE)
        == Some(&HeaderValue::from_static(threatdb_wire::CONTENT_TYPE_JSON))
        || response.headers().get(header::CONTENT_TYPE)
            == Some(&HeaderValue::from_static(taxii::MEDIA_TYPE));
    // The web UI's pages (its error pages included) are HTML and stay so.
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json || is_html {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => "This method is not allowed on this path".to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "The request body is larger than the 1 MiB limit".to_string()
        }
        s if s.is_server_error() => "Internal server error".to_string(),
        _ if text.is_empty() => status
            .canonical_reason()
            .unwrap_or("Bad request")
            .to_string(),
        _ => text,
    };
    let mut fixed = if is_taxii {
        // TAXII clients read TAXII error objects, whatever went wrong.
        taxii::TaxiiError::new(status, "Request refused", message).into_response()
    } else {
        json_response(status, threatdb_wire::envelope::failure_json(&message)).into_response()
    };
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fixed.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fixed
}
