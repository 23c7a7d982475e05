//! HMAC authentication: `Timestamp` and `Authorization: TC id:signature` over the raw request
//! target. On success the request carries the [`Actor`]; on failure a 401 with the message of
//! DECISIONS.md #2. Failed attempts are counted per access id and per client address (#13).

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use threatdb_core::Actor;
use threatdb_wire::signing;

/// How far the `Timestamp` may be from the server's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// The authenticated caller, for handlers.
#[derive(Clone, Debug)]
pub struct Auth(pub Arc<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .cloned()
            .ok_or(ApiError::Unauthorized("Unauthorized"))
    }
}

/// Counts failed authentications in fixed windows; past the limit a key is refused until its
/// window ends.
#[derive(Debug)]
pub struct FailureLimiter {
    window: Duration,
    limit: u32,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl FailureLimiter {
    /// At most `limit` failures per key per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        FailureLimiter {
            window,
            limit,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait if `key` is over its limit now.
    pub(crate) fn blocked(&self, key: &str) -> Option<u64> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let (start, n) = counts.get(key)?;
        let elapsed = start.elapsed();
        (*n >= self.limit && elapsed < self.window)
            .then(|| (self.window - elapsed).as_secs().max(1))
    }

    pub(crate) fn record(&self, key: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() > 100_000 {
            // Bounded memory under a flood of distinct keys: forget expired windows.
            let window = self.window;
            counts.retain(|_, (start, _)| start.elapsed() < window);
        }
        let entry = counts.entry(key.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}

/// The authentication middleware.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let signed = Signed::of(&request);
    match verify(&state, &signed, ip).await {
        Ok(actor) => {
            request.extensions_mut().insert(Auth(actor));
            next.run(request).await
        }
        Err(e) => e.into_response(),
    }
}

/// What the signature covers, copied out of the request.
struct Signed {
    authorization: Option<String>,
    timestamp: Option<String>,
    target: String,
    method: String,
}

impl Signed {
    fn of(request: &Request) -> Self {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Signed {
            authorization: header("authorization"),
            timestamp: header("timestamp"),
            target: request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
                .to_owned(),
            method: request.method().as_str().to_owned(),
        }
    }
}

async fn verify(state: &AppState, request: &Signed, ip: IpAddr) -> Result<Arc<Actor>, ApiError> {
    let ip_key = format!("ip:{ip}");
    if let Some(wait) = state.limiter.blocked(&ip_key) {
        return Err(ApiError::TooManyRequests(wait));
    }
    let fail = |key: Option<&str>, error: ApiError| {
        state.limiter.record(&ip_key);
        if let Some(id) = key {
            state.limiter.record(&format!("id:{id}"));
        }
        error
    };
    let Some((access_id, signature)) = request
        .authorization
        .as_deref()
        .and_then(signing::parse_authorization)
    else {
        return Err(fail(None, ApiError::Unauthorized("Unauthorized")));
    };
    if let Some(wait) = state.limiter.blocked(&format!("id:{access_id}")) {
        return Err(ApiError::TooManyRequests(wait));
    }
    let Some(timestamp) = request
        .timestamp
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
    else {
        return Err(fail(
            Some(access_id),
            ApiError::Unauthorized("Unauthorized"),
        ));
    };
    let now = threatdb_core::date::now().unix_timestamp();
    if (now - timestamp).abs() > MAX_SKEW_SECONDS {
        return Err(fail(
            Some(access_id),
            ApiError::Unauthorized("Timestamp out of acceptable time range"),
        ));
    }
    let Some((secret, actor)) = lookup(state, access_id).await? else {
        return Err(fail(
            Some(access_id),
            ApiError::Unauthorized("Access Denied"),
        ));
    };
    if !signing::verify(
        &secret,
        &request.target,
        &request.method,
        timestamp,
        signature,
    ) {
        return Err(fail(
            Some(access_id),
            ApiError::Unauthorized("Signature data did not match expected result"),
        ));
    }
    Ok(actor)
}

/// Caches, per access id, the opened secret and the actor for a few seconds, so a busy client
/// costs one database look-up per interval instead of one per request. A revoked key or changed
/// membership therefore takes effect within [`CREDENTIAL_TTL`] on every node.
pub struct CredentialCache {
    entries: Mutex<HashMap<String, Cached>>,
}

/// When a credential was cached, its opened secret, and its actor.
type Cached = (Instant, String, Arc<Actor>);

/// How long a cached credential is trusted.
pub const CREDENTIAL_TTL: Duration = Duration::from_secs(5);

impl CredentialCache {
    /// An empty cache.
    pub fn new() -> Self {
        CredentialCache {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, access_id: &str) -> Option<(String, Arc<Actor>)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (at, secret, actor) = entries.get(access_id)?;
        (at.elapsed() < CREDENTIAL_TTL).then(|| (secret.clone(), actor.clone()))
    }

    fn put(&self, access_id: &str, secret: String, actor: Arc<Actor>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= 10_000 {
            entries.retain(|_, (at, _, _)| at.elapsed() < CREDENTIAL_TTL);
        }
        entries.insert(access_id.to_string(), (Instant::now(), secret, actor));
    }
}

impl Default for CredentialCache {
    fn default() -> Self {
        Self::new()
    }
}

/// The secret and actor of an access id: from the cache, else from the store (then cached).
/// `None` for an unknown or disabled key, or a secret this master key cannot open.
async fn lookup(
    state: &AppState,
    access_id: &str,
) -> Result<Option<(String, Arc<Actor>)>, ApiError> {
    if let Some(hit) = state.cache.get(access_id) {
        return Ok(Some(hit));
    }
    let Some((credentials, actor)) = state.store.credentials(access_id).await? else {
        return Ok(None);
    };
    if credentials.disabled {
        return Ok(None);
    }
    let Some(secret) = state.keys.open(&credentials.sealed_secret) else {
        tracing::error!(
            access_id,
            "the API secret cannot be opened with this master key"
        );
        return Ok(None);
    };
    let actor = Arc::new(actor);
    state.cache.put(access_id, secret.clone(), actor.clone());
    Ok(Some((secret, actor)))
}
