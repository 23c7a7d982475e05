//! Authentication: HMAC (`Timestamp` and `Authorization: TC id:signature` over the raw request
//! target) or an API token (`Authorization: TC-Token <token>`, as tcex sends it). On success
//! the request carries the [`Actor`]; on failure a 401 with the message of DECISIONS.md #2.
//! Failures are counted per (client address, access id) and per client address (#13); a token
//! failure per client address only (a token is no bounded principal, #36); a correctly signed
//! request or a valid token is never refused because of them.

mod cache;
pub mod limiter;
pub mod replay;

pub use cache::{CREDENTIAL_TTL, CredentialCache};
pub use limiter::FailureLimiter;
pub use replay::ReplayGuard;

use crate::AppState;
use crate::error::ApiError;
use crate::net::ClientAddr;
use crate::telemetry::AuthFailure;
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

/// Whether a request's `timestamp` is within [`MAX_SKEW_SECONDS`] of `now`, either way.
fn in_skew_window(now: i64, timestamp: i64) -> bool {
    now.abs_diff(timestamp) <= MAX_SKEW_SECONDS.unsigned_abs()
}

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
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let ip = ClientAddr::of(request.extensions());
    let signed = Signed::of(&request);
    let verified = verify(&state, &signed, ip).await;
    audited(&state, request, next, verified, IntoResponse::into_response).await
}

/// Runs an authenticated request, recording it in the audit log when it writes (with its
/// outcome), or the failed authentication (a rate-limited one is only counted).
pub(crate) async fn audited(
    state: &AppState,
    mut request: Request,
    next: Next,
    verified: Result<Arc<Actor>, ApiError>,
    refuse: impl FnOnce(ApiError) -> Response,
) -> Response {
    // A read that authenticated is not recorded: it pays for nothing here.
    if crate::audit::reads(request.method())
        && let Ok(actor) = verified
    {
        request.extensions_mut().insert(Auth(actor));
        return next.run(request).await;
    }
    let facts = crate::audit::RequestFacts::of_request(&request);
    match verified {
        Ok(actor) => {
            request.extensions_mut().insert(Auth(actor.clone()));
            let response = threatdb_core::context::within(facts.context(), next.run(request)).await;
            let outcome = response.status().as_u16().to_string();
            state
                .audit
                .record(facts.record(Some(&actor), "write", &outcome))
                .await;
            response
        }
        Err(e) => {
            match &e {
                ApiError::TooManyRequests(_) => state.audit.rate_limited(),
                ApiError::Unauthorized(_) => {
                    let claimed = crate::audit::claimed(request.headers());
                    let mut record = facts.record(None, "auth.failure", "401");
                    record.user = threatdb_core::audit::cut(&claimed);
                    state.audit.record(record).await;
                }
                _ => {}
            }
            refuse(e)
        }
    }
}

/// What the signature covers, copied out of the request.
pub(crate) struct Signed {
    authorization: Option<String>,
    timestamp: Option<String>,
    target: String,
    method: String,
}

impl Signed {
    /// Copies what is signed out of `request`.
    pub(crate) fn of(request: &Request) -> Self {
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

/// The actor of a request signed as the v2 and v3 APIs take it (`TC` HMAC or `TC-Token`).
pub(crate) async fn verify(
    state: &AppState,
    request: &Signed,
    ip: IpAddr,
) -> Result<Arc<Actor>, ApiError> {
    // Every failure is counted; past the limit it is answered 429 instead of 401. Success is
    // never checked against the limiter: someone else's failures cannot lock a rightful
    // client out, and HMAC cannot be guessed however many tries are allowed.
    let fail = |principal: Option<&str>, why: AuthFailure, error: ApiError| {
        failed(state.limiter.hit(ip, principal), why, error)
    };
    if let Some(token) = request
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("TC-Token "))
    {
        return verify_token(state, token.trim(), ip).await;
    }
    let Some((access_id, signature)) = request
        .authorization
        .as_deref()
        .and_then(signing::parse_authorization)
    else {
        let why = match request.authorization {
            None => AuthFailure::Missing,
            Some(_) => AuthFailure::Malformed,
        };
        return Err(fail(None, why, ApiError::Unauthorized("Unauthorized")));
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
        return Err(fail(
            principal,
            AuthFailure::BadTimestamp,
            ApiError::Unauthorized("Unauthorized"),
        ));
    };
    let now = threatdb_core::date::now().unix_timestamp();
    if !in_skew_window(now, timestamp) {
        return Err(fail(
            principal,
            AuthFailure::ExpiredTimestamp,
            ApiError::Unauthorized("Timestamp out of acceptable time range"),
        ));
    }
    let found = match principal {
        Some(_) => lookup(state, access_id).await?,
        None => Err(AuthFailure::UnknownKey),
    };
    let (secret, actor) = match found {
        Ok(found) => found,
        Err(why) => {
            return Err(fail(
                principal,
                why,
                ApiError::Unauthorized("Access Denied"),
            ));
        }
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
            AuthFailure::BadSignature,
            ApiError::Unauthorized("Signature data did not match expected result"),
        ));
    }
    if let Some(replays) = &state.replays {
        let write = request.method != Method::GET.as_str() && request.method != "HEAD";
        if write && !replays.first_use(signature) {
            return Err(fail(
                principal,
                AuthFailure::Replay,
                ApiError::Unauthorized(
                    "This signature was already used: sign every request anew (replays are refused)",
                ),
            ));
        }
    }
    Ok(actor)
}

/// A failed authentication, counted by the limiter as `hit`: its `error`, or a 429 past the
/// limit; recorded in `threatdb_auth_failures_total` as `why` or `rate_limited`.
fn failed(hit: Result<(), std::time::Duration>, why: AuthFailure, error: ApiError) -> ApiError {
    match hit {
        Ok(()) => {
            why.record();
            error
        }
        Err(wait) => {
            AuthFailure::RateLimited.record();
            ApiError::TooManyRequests(retry_after(wait))
        }
    }
}

/// The longest token looked at: longer ones cannot be ours (ours are 47 characters).
const MAX_TOKEN_BYTES: usize = 128;

/// How stale a token's `last_used` may get before it is written again (one write a minute per
/// token at most, off the request's path).
const LAST_USED_EVERY: i64 = 60;

/// The actor of an API token (`TC-Token`, or TAXII's `Bearer`), failures counted as for HMAC.
pub(crate) async fn verify_token(
    state: &AppState,
    token: &str,
    ip: IpAddr,
) -> Result<Arc<Actor>, ApiError> {
    let fail = |why: AuthFailure| {
        failed(
            state.limiter.hit(ip, None),
            why,
            ApiError::Unauthorized("Access Denied"),
        )
    };
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
        return Err(fail(AuthFailure::Malformed));
    }
    let hash = crate::secrets::token_hash(token);
    let key = cache::Key::Token(hash.clone());
    if let Some((_, actor)) = state.cache.get(&key) {
        return Ok(actor);
    }
    let epoch = state.cache.epoch();
    let Some((found, actor)) = state.store.token_credentials(&hash).await? else {
        return Err(fail(AuthFailure::UnknownToken));
    };
    let now = threatdb_core::date::now();
    if !found.usable_at(now) {
        let why = if found.user_disabled {
            AuthFailure::Disabled
        } else if found.revoked {
            AuthFailure::RevokedToken
        } else {
            AuthFailure::ExpiredToken
        };
        return Err(fail(why));
    }
    let stale = found.last_used.is_none_or(|at| {
        now.unix_timestamp().saturating_sub(at.unix_timestamp()) >= LAST_USED_EVERY
    });
    if stale {
        let store = state.store.clone();
        let id = found.token_id;
        tokio::spawn(async move {
            if let Err(e) = store.token_used(id).await {
                tracing::warn!(error = %e, "cannot record a token's last use");
            }
        });
    }
    // Never cached past its expiry.
    let until_expiry = found.expires.map(|e| {
        let seconds = e.unix_timestamp().saturating_sub(now.unix_timestamp());
        std::time::Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
    });
    let actor = Arc::new(actor);
    state
        .cache
        .put(epoch, key, String::new(), actor.clone(), until_expiry);
    Ok(actor)
}

/// The actor of HTTP Basic credentials (TAXII's scheme): an API user's access id with its
/// secret key, or a web user's login with its password. Failures are counted per (address,
/// user) and per address like every other scheme's, before any look-up or hash; a web
/// password is checked with argon2 once, then a SHA-256 of it is cached with the actor until
/// the credentials change (so a polling client costs one hash, not one argon2 per request).
pub(crate) async fn verify_basic(
    state: &AppState,
    user: &str,
    password: &str,
    ip: IpAddr,
) -> Result<Arc<Actor>, ApiError> {
    use sha2::{Digest, Sha256};
    let denied = || ApiError::Unauthorized("Access Denied");
    let principal = principal_key(user);
    let fail =
        |why: AuthFailure| failed(state.limiter.hit(ip, principal.as_deref()), why, denied());
    if principal.is_none() || password.len() > crate::passwords::MAX_PASSWORD_BYTES {
        return Err(fail(AuthFailure::Malformed));
    }
    // An API user: the password is its secret key.
    if let Ok((secret, actor)) = lookup(state, user).await? {
        if same(secret.as_bytes(), password.as_bytes()) {
            return Ok(actor);
        }
        return Err(fail(AuthFailure::BadSignature));
    }
    // A web user.
    let digest: String = Sha256::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let key = cache::Key::BasicWeb(user.to_string());
    if let Some((cached, actor)) = state.cache.get(&key)
        && same(cached.as_bytes(), digest.as_bytes())
    {
        return Ok(actor);
    }
    // Counted before the expensive hash, as the web sign-in does.
    state
        .limiter
        .hit(ip, principal.as_deref())
        .map_err(|wait| {
            AuthFailure::RateLimited.record();
            ApiError::TooManyRequests(retry_after(wait))
        })?;
    let epoch = state.cache.epoch();
    let login = threatdb_core::web::parse_login(user).ok();
    let found = match &login {
        Some(login) => state.store.web_login(login).await?,
        None => None,
    };
    let hash = found.as_ref().map(|(web, _)| web.password_hash.clone());
    let typed = password.to_string();
    let matches = state
        .passwords
        .run(move || match hash {
            Some(hash) => crate::passwords::verify_password(&hash, &typed),
            None => {
                // The same work as a real check, so timing does not tell which logins exist.
                let _ = crate::passwords::hash_password(&typed);
                false
            }
        })
        .await
        .map_err(|_| ApiError::TooManyRequests(1))?;
    match found {
        Some((web, actor)) if matches && !web.disabled => {
            let actor = Arc::new(actor);
            state
                .cache
                .put_for(epoch, key, digest, actor.clone(), cache::BASIC_PASSWORD_TTL);
            Ok(actor)
        }
        _ => {
            AuthFailure::WebPassword.record();
            Err(denied())
        }
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let (x, y) = (Sha256::digest(a), Sha256::digest(b));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

/// The secret and actor of an access id: from the cache, else from the store (then cached).
/// Why not, for an unknown or disabled key, or a secret this master key cannot open.
async fn lookup(
    state: &AppState,
    access_id: &str,
) -> Result<Result<(String, Arc<Actor>), AuthFailure>, ApiError> {
    let key = cache::Key::AccessId(access_id.to_string());
    if let Some(hit) = state.cache.get(&key) {
        return Ok(Ok(hit));
    }
    let epoch = state.cache.epoch();
    let Some((credentials, actor)) = state.store.credentials(access_id).await? else {
        return Ok(Err(AuthFailure::UnknownKey));
    };
    if credentials.disabled {
        return Ok(Err(AuthFailure::Disabled));
    }
    let Some(secret) = state.keys.open(&credentials.sealed_secret) else {
        tracing::error!(
            access_id,
            "the API secret cannot be opened with this master key"
        );
        return Ok(Err(AuthFailure::UnknownKey));
    };
    let actor = Arc::new(actor);
    state
        .cache
        .put(epoch, key, secret.clone(), actor.clone(), None);
    Ok(Ok((secret, actor)))
}

/// Runs for the life of the server: forgets every cached credential whenever the store's
/// credential generation moves (a token or key revoked, a user disabled, a membership removed,
/// by `threatdb admin` in another process or on another node). It reads the generation each
/// time [`threatdb_core::Store::credential_change`] returns: at once on a PostgreSQL notice,
/// else every 200 ms, so a revocation takes effect within about a quarter of a second.
pub async fn watch_credentials(state: AppState) {
    let mut seen = None;
    loop {
        match state.store.credential_generation().await {
            Ok(generation) => {
                if seen.is_some_and(|s| s != generation) {
                    state.cache.clear();
                }
                seen = Some(generation);
            }
            Err(e) => {
                // Unknown: trust nothing cached.
                tracing::warn!(error = %e, "cannot read the credential generation");
                state.cache.clear();
            }
        }
        state.store.credential_change().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact edges of the window (the black-box test keeps a margin: a second can tick
    /// between signing and the server's check).
    #[test]
    fn the_skew_window_is_300_seconds_either_way() {
        let now = 1_700_000_000;
        for (ts, inside) in [
            (now, true),
            (now - 300, true),
            (now + 300, true),
            (now - 301, false),
            (now + 301, false),
            (i64::MIN, false),
            (i64::MAX, false),
        ] {
            assert_eq!(in_skew_window(now, ts), inside, "{ts}");
        }
    }
}
