//! HMAC authentication: `Timestamp` and `Authorization: TC id:signature` over the raw request
//! target. On success the request carries the [`Actor`]; on failure a 401 with the message of
//! DECISIONS.md #2. Failures are counted per (client address, access id) and per client
//! address (#13); a correctly signed request is never refused because of them.

mod cache;
pub mod limiter;
pub mod replay;

pub use cache::{CREDENTIAL_TTL, CredentialCache};
pub use limiter::FailureLimiter;
pub use replay::ReplayGuard;

use crate::AppState;
use crate::error::ApiError;
use crate::net::ClientAddr;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use limiter::{principal_key, retry_after};
use std::net::IpAddr;
use std::sync::Arc;
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

/// The authentication middleware.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = ClientAddr::of(request.extensions());
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
    // Every failure is counted; past the limit it is answered 429 instead of 401. Success is
    // never checked against the limiter: someone else's failures cannot lock a rightful
    // client out, and HMAC cannot be guessed however many tries are allowed.
    let fail = |principal: Option<&str>, error: ApiError| match state.limiter.hit(ip, principal) {
        Ok(()) => error,
        Err(wait) => ApiError::TooManyRequests(retry_after(wait)),
    };
    let Some((access_id, signature)) = request
        .authorization
        .as_deref()
        .and_then(signing::parse_authorization)
    else {
        return Err(fail(None, ApiError::Unauthorized("Unauthorized")));
    };
    // An implausible access id (too long, odd characters) cannot exist: it is neither looked up
    // nor kept as a limiter key.
    let principal = principal_key(access_id);
    let principal = principal.as_deref();
    let Some(timestamp) = request
        .timestamp
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
    else {
        return Err(fail(principal, ApiError::Unauthorized("Unauthorized")));
    };
    let now = threatdb_core::date::now().unix_timestamp();
    if now.abs_diff(timestamp) > MAX_SKEW_SECONDS.unsigned_abs() {
        return Err(fail(
            principal,
            ApiError::Unauthorized("Timestamp out of acceptable time range"),
        ));
    }
    let found = match principal {
        Some(_) => lookup(state, access_id).await?,
        None => None,
    };
    let Some((secret, actor)) = found else {
        return Err(fail(principal, ApiError::Unauthorized("Access Denied")));
    };
    if !signing::verify(
        &secret,
        &request.target,
        &request.method,
        timestamp,
        signature,
    ) {
        return Err(fail(
            principal,
            ApiError::Unauthorized("Signature data did not match expected result"),
        ));
    }
    if let Some(replays) = &state.replays {
        let write = request.method != Method::GET.as_str() && request.method != "HEAD";
        if write && !replays.first_use(signature) {
            return Err(fail(
                principal,
                ApiError::Unauthorized(
                    "This signature was already used: sign every request anew (replays are refused)",
                ),
            ));
        }
    }
    Ok(actor)
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
