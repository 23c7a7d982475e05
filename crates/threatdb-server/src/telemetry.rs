//! Prometheus metrics and the health endpoints.
//!
//! Metrics are `prometheus-client` series: statics here (requests, authentication failures), in
//! the stores (each `Store` method's time) and in the SQLite writer (group sizes, queue depth),
//! gathered into one registry by [`install`] and rendered in the Prometheus text format on a
//! listener of their own (`threatdb serve --metrics-addr`), never on the public one. Off by
//! default: until [`install`] runs, the request middleware ([`track`]) and the store's timing do
//! nothing at all. The series are process-global, so several servers in one process (the tests)
//! share them.
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
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
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

/// Buckets of the request histogram: 100 µs to 10 s, as the store's
/// (`threatdb_store::health::SECONDS_BUCKETS`, a crate this one does not depend on).
const SECONDS_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

type Label = (&'static str, Cow<'static, str>);
type OneLabel = [(&'static str, &'static str); 1];

static REQUESTS: LazyLock<Family<[Label; 3], Counter>> = LazyLock::new(Family::default);
type DurationFamily = Family<[Label; 2], Histogram, fn() -> Histogram>;

static DURATIONS: LazyLock<DurationFamily> =
    LazyLock::new(|| Family::new_with_constructor(|| Histogram::new(SECONDS_BUCKETS)));
static AUTH: LazyLock<Family<OneLabel, Counter>> = LazyLock::new(Family::default);
static BUILD: LazyLock<Family<OneLabel, Gauge>> = LazyLock::new(Family::default);
static REFUSED: LazyLock<Family<OneLabel, Counter>> = LazyLock::new(Family::default);
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Registers its series in a registry.
pub type Registration = fn(&mut Registry);

/// The registry of every series, rendered at each scrape.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Gathers the server's series and those that `others` register (the store's) into one
/// registry, sets `threatdb_build_info`, and switches request tracking on.
pub fn install(others: &[Registration]) -> Metrics {
    let mut registry = Registry::default();
    registry.register(
        "threatdb_http_requests",
        "HTTP requests answered, by method, route template and status",
        REQUESTS.clone(),
    );
    registry.register_with_unit(
        "threatdb_http_request_duration",
        "Time to answer an HTTP request (until the response head), by method and route template",
        Unit::Seconds,
        DURATIONS.clone(),
    );
    // Every reason from the start, at 0, so a rate over any of them is defined.
    for reason in AuthFailure::ALL {
        drop(AUTH.get_or_create(&[("reason", reason.as_str())]));
    }
    registry.register(
        "threatdb_auth_failures",
        "Failed authentications (API and web sign-in), by reason",
        AUTH.clone(),
    );
    for reason in ["full", "address_full"] {
        drop(REFUSED.get_or_create(&[("reason", reason)]));
    }
    registry.register(
        "threatdb_connections_refused",
        "Connections refused at accept, past the total cap (full) or the per-address cap (address_full)",
        REFUSED.clone(),
    );
    BUILD
        .get_or_create(&[("version", env!("CARGO_PKG_VERSION"))])
        .set(1);
    registry.register(
        BUILD_INFO,
        "Always 1; the version of this threatdb",
        BUILD.clone(),
    );
    for register in others {
        register(&mut registry);
    }
    ENABLED.store(true, Ordering::Relaxed);
    Metrics {
        registry: Arc::new(registry),
    }
}

/// Counts a connection refused at accept (`reason`: `full` or `address_full`); such a
/// connection never reaches the router, so the request counters cannot see it.
pub fn connection_refused(reason: &'static str) {
    REFUSED.get_or_create(&[("reason", reason)]).inc();
}

/// Whether [`install`] has run (the request middleware does nothing until then).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

impl Metrics {
    /// The Prometheus text exposition (version 0.0.4) of every series.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
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
        AUTH.get_or_create(&[("reason", self.as_str())]).inc();
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
type Handles = HashMap<Box<str>, HashMap<(&'static str, u16), (Counter, Histogram)>>;

thread_local! {
    /// The handles of the series this thread has recorded, kept: a request then costs two
    /// look-ups in small maps and two records, not a family look-up with its labels built (and
    /// allocated) anew under a lock. Bounded, as routes, methods and status codes
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
            let route: Cow<'static, str> = Cow::Owned(route.to_owned());
            let method = ("method", Cow::Borrowed(method));
            (
                REQUESTS.get_or_create_owned(&[
                    method.clone(),
                    ("route", route.clone()),
                    ("status", Cow::Owned(status.to_string())),
                ]),
                DURATIONS.get_or_create_owned(&[method, ("route", route)]),
            )
        });
        count.inc();
        duration.observe(elapsed.as_secs_f64());
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
    let text = match state.metrics.render() {
        Ok(text) => text,
        Err(e) => {
            tracing::error!(error = %e, "cannot render the metrics");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot render the metrics\n",
            )
                .into_response();
        }
    };
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(prometheus_text::CONTENT_TYPE),
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
