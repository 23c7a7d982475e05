//! Prometheus metrics and the health endpoints.
//!
//! Metrics are recorded through the `metrics` facade (here, in the stores, in the SQLite
//! writer) and rendered by `metrics-exporter-prometheus` on a listener of their own
//! (`threatdb serve --metrics-addr`), never on the public one. Off by default: until
//! [`install`] runs, no recorder exists, every record is a no-op and the request middleware
//! ([`track`]) does nothing at all. The recorder is process-global (the `metrics` facade has one
//! global slot): [`install`] sets it once per process, and later calls get the same handle, so
//! several servers in one process (the tests) share one set of series.
//!
//! Labels are bounded: a request is labelled by its route *template* (axum's [`MatchedPath`],
//! `/api/v2/groups/incidents/{id}`), never its raw path; a path no route matches is
//! `route="unmatched"`; methods outside the standard ones are `method="other"`.

use crate::error::json_response;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use threatdb_core::{Store, StoreError};

/// Counter of answered requests: `method`, `route` (template), `status`.
pub const HTTP_REQUESTS: &str = "threatdb_http_requests_total";
/// Histogram of the time to answer (until the response head is ready): `method`, `route`.
pub const HTTP_DURATION: &str = "threatdb_http_request_duration_seconds";
/// Counter of failed authentications: `reason` (see [`AuthFailure`]).
pub const AUTH_FAILURES: &str = "threatdb_auth_failures_total";
/// Gauge, always 1: `version`.
pub const BUILD_INFO: &str = "threatdb_build_info";
/// The `route` of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// Buckets of every `…_seconds` histogram: 100 µs to 10 s.
const SECONDS_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];
/// Buckets of every `…_size` histogram (the SQLite writer's group sizes, at most 512).
const SIZE_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
/// How often recorded histogram samples are folded into their buckets when nobody scrapes
/// (a scrape folds them too): keeps memory bounded.
const UPKEEP_EVERY: Duration = Duration::from_millis(100);

static RECORDER: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// The installed recorder's handle: renders the exposition text.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Installs the Prometheus recorder as the process's metrics recorder (once; later calls
/// return the same handle), starts its upkeep thread and sets `threatdb_build_info`. Fails
/// when another recorder was installed first. Call it before the store opens: the hot paths
/// look their handles up once, and a handle taken before the recorder exists stays a no-op.
pub fn install() -> Result<Metrics, String> {
    let installed = RECORDER.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(SECONDS_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_size".into()), SIZE_BUCKETS))
            .map_err(|e| e.to_string())?;
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder)
            .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("threatdb-metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            })
            .map_err(|e| format!("cannot start the metrics upkeep thread: {e}"))?;
        describe();
        metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        // Every reason from the start, at 0, so a rate over any of them is defined.
        for reason in AuthFailure::ALL {
            metrics::counter!(AUTH_FAILURES, "reason" => reason.as_str()).increment(0);
        }
        Ok(handle)
    });
    installed.clone().map(|handle| Metrics { handle })
}

/// Whether [`install`] has installed the recorder (the request middleware does nothing until
/// then).
pub fn enabled() -> bool {
    RECORDER.get().is_some_and(Result::is_ok)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request (until the response head), by method and route template"
    );
    describe_counter!(
        AUTH_FAILURES,
        "Failed authentications (API and web sign-in), by reason"
    );
    describe_gauge!(BUILD_INFO, "Always 1; the version of this threatdb");
}

impl Metrics {
    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Why an authentication failed: the `reason` label of `threatdb_auth_failures_total`. A
/// failure answered 429 (past the failure limit) is counted as [`AuthFailure::RateLimited`]
/// instead of its cause, so each failed request is counted once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// An `Authorization` header that is neither `TC id:signature` nor `TC-Token token`, or a
    /// token of an impossible length.
    Malformed,
    /// No `Timestamp` header, or not a number.
    BadTimestamp,
    /// A `Timestamp` outside the allowed clock skew.
    ExpiredTimestamp,
    /// An access id that does not exist (or whose secret this master key cannot open).
    UnknownKey,
    /// The user is disabled, or its HMAC key revoked.
    Disabled,
    /// The signature does not match.
    BadSignature,
    /// A write's signature sent again (`--reject-replays`).
    Replay,
    /// An API token that does not exist.
    UnknownToken,
    /// A revoked API token.
    RevokedToken,
    /// An expired API token.
    ExpiredToken,
    /// A wrong web login name or password.
    WebPassword,
    /// Past the failure limit: answered 429.
    RateLimited,
}

impl AuthFailure {
    /// Every reason.
    pub const ALL: [AuthFailure; 13] = [
        AuthFailure::Missing,
        AuthFailure::Malformed,
        AuthFailure::BadTimestamp,
        AuthFailure::ExpiredTimestamp,
        AuthFailure::UnknownKey,
        AuthFailure::Disabled,
        AuthFailure::BadSignature,
        AuthFailure::Replay,
        AuthFailure::UnknownToken,
        AuthFailure::RevokedToken,
        AuthFailure::ExpiredToken,
        AuthFailure::WebPassword,
        AuthFailure::RateLimited,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthFailure::Missing => "missing",
            AuthFailure::Malformed => "malformed",
            AuthFailure::BadTimestamp => "bad_timestamp",
            AuthFailure::ExpiredTimestamp => "expired_timestamp",
            AuthFailure::UnknownKey => "unknown_key",
            AuthFailure::Disabled => "disabled",
            AuthFailure::BadSignature => "bad_signature",
            AuthFailure::Replay => "replay",
            AuthFailure::UnknownToken => "unknown_token",
            AuthFailure::RevokedToken => "revoked_token",
            AuthFailure::ExpiredToken => "expired_token",
            AuthFailure::WebPassword => "web_password",
            AuthFailure::RateLimited => "rate_limited",
        }
    }

    /// Counts one failure.
    pub fn record(self) {
        metrics::counter!(AUTH_FAILURES, "reason" => self.as_str()).increment(1);
    }
}

/// The request middleware: counts and times every request by method, route template and
/// status. Added with `Router::layer`, so it runs inside routing, where [`MatchedPath`] is
/// known.
pub async fn track(request: Request, next: Next) -> Response {
    if !enabled() {
        return next.run(request).await;
    }
    let method = method_label(request.method());
    // The template is an `Arc<str>` inside axum: cloning it allocates nothing.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let start = Instant::now();
    let response = next.run(request).await;
    let elapsed = start.elapsed();
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    record_request(route, method, response.status().as_u16(), elapsed);
    response
}

/// A bounded method label: the standard methods by name, anything else `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// By route, then (method, status): the request counter and the duration histogram (the same
/// histogram for every status of a method).
type Handles =
    HashMap<Box<str>, HashMap<(&'static str, u16), (metrics::Counter, metrics::Histogram)>>;

thread_local! {
    /// The handles of the series this thread has recorded, kept: a request then costs two
    /// look-ups in small maps and two atomic records, not a registry look-up with its labels
    /// built (and allocated) anew, nor a lock. Bounded, as routes, methods and status codes
    /// are (and the runtime's threads).
    static HANDLES: RefCell<Handles> = RefCell::new(HashMap::new());
}

fn record_request(route: &str, method: &'static str, status: u16, elapsed: Duration) {
    HANDLES.with(|handles| {
        let mut handles = handles.borrow_mut();
        let by_route = match handles.get_mut(route) {
            Some(found) => found,
            None => handles.entry(route.into()).or_default(),
        };
        let (count, duration) = by_route.entry((method, status)).or_insert_with(|| {
            let route = metrics::SharedString::from(route.to_owned());
            (
                metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status.to_string()),
                metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route),
            )
        });
        count.increment(1);
        duration.record(elapsed);
    });
}

/// `/readyz`: 200 `{"status":"Success"}` when the store answers and its schema is current,
/// else 503 with the failure envelope (the cause in general terms; the details in the log).
pub async fn readiness(store: &dyn Store) -> Response {
    match store.ready().await {
        Ok(()) => json_response(StatusCode::OK, br#"{"status":"Success"}"#.to_vec()),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            let message = match e {
                StoreError::Backend(_) => "Not ready: the database cannot be reached",
                _ => "Not ready: the database schema is not the one this threatdb expects",
            };
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                threatdb_wire::envelope::failure_json(message),
            )
        }
    }
}

/// Something to sample into gauges right before each scrape (the PostgreSQL pool, say).
pub type Sampler = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
struct ScrapeState {
    metrics: Metrics,
    store: Arc<dyn Store>,
    samplers: Arc<[Sampler]>,
}

/// The metrics listener's application: `GET /metrics` (the Prometheus text format), and
/// `/readyz` and `/healthz` as on the main listener.
pub fn router(metrics: Metrics, store: Arc<dyn Store>, samplers: Vec<Sampler>) -> Router {
    let state = ScrapeState {
        metrics,
        store,
        samplers: samplers.into(),
    };
    Router::new()
        .route("/metrics", get(scrape))
        .route(
            "/readyz",
            get(|State(s): State<ScrapeState>| async move { readiness(s.store.as_ref()).await }),
        )
        .route("/healthz", get(crate::healthz))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found: try /metrics\n") })
        .with_state(state)
}

async fn scrape(State(state): State<ScrapeState>) -> Response {
    for sample in state.samplers.iter() {
        sample();
    }
    let text = state.metrics.render();
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_bounded() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"BREW").unwrap_or(Method::GET);
        assert_eq!(method_label(&odd), "other");
    }
}
