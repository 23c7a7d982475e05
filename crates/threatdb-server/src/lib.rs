//! threatdb's HTTP server: the ThreatConnect REST API v2 for incidents under `/api/v2`, with HMAC
//! authentication, one authorization policy (enforced by the store on loaded rows) and
//! ThreatConnect's envelopes and content type on every answer; and the web UI (sign-in, incident
//! pages) beside it, under the same policy.

mod api;
pub mod auth;
pub mod error;
pub mod params;
pub mod passwords;
pub mod provision;
pub mod reply;
pub mod secrets;
mod web;

use crate::error::{ApiError, json_response};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use threatdb_core::Store;
use tokio::net::TcpListener;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

pub use secrets::MasterKey;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Everything a request needs; cheap to clone. No process-global state: several servers can run
/// in one process.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Opens sealed API secrets.
    pub keys: MasterKey,
    /// The URL `webLink`s start with, without a trailing slash.
    pub public_url: Arc<str>,
    /// Counts failed authentications.
    pub limiter: Arc<auth::FailureLimiter>,
    /// Recently verified credentials.
    pub cache: Arc<auth::CredentialCache>,
}

impl AppState {
    /// A state with the default limits: 20 failed authentications per minute per access id or
    /// client address.
    pub fn new(store: Arc<dyn Store>, keys: MasterKey, public_url: &str) -> Self {
        AppState {
            store,
            keys,
            public_url: public_url.trim_end_matches('/').into(),
            limiter: Arc::new(auth::FailureLimiter::new(20, Duration::from_secs(60))),
            cache: Arc::new(auth::CredentialCache::new()),
        }
    }
}

/// The whole application: `/api/v2/...` behind authentication, `/healthz` open.
pub fn router(state: AppState) -> Router {
    let api = api::routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::authenticate,
    ));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api)
        .merge(web::routes())
        .fallback(no_route)
        .layer(middleware::from_fn(envelope_errors))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` completes, then finishes the requests
/// in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, br#"{"status":"Success"}"#.to_vec())
}

/// A path no route matches: the API's failure envelope, or the web UI's 404 page for a browser
/// asking for a page outside `/api`.
async fn no_route(request: Request) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api") && web::wants_html(request.headers()) {
        return web::not_found();
    }
    ApiError::NoRoute(format!("{} {}", request.method(), path)).into_response()
}

/// Gives error responses that did not come from our handlers (axum's own rejections, 405s) the
/// failure envelope and the JSON content type.
async fn envelope_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE)
        == Some(&HeaderValue::from_static(threatdb_wire::CONTENT_TYPE_JSON));
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
    let mut fixed = json_response(status, threatdb_wire::envelope::failure_json(&message));
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fixed.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fixed.into_response()
}
