//! Web sessions: a cookie holding a token sealed with the master key (so any node of a cluster
//! can check it, and nobody can forge or read it), loaded afresh from the store on every
//! request so membership changes, disabled users and sign-outs take effect at once.
//!
//! The token carries the API user's id, its login's session epoch (bumped by sign-out and by a
//! new password: older tokens die), the expiry, and the session's CSRF token.

use super::error::WebError;
use super::views::Nav;
use crate::secrets::random_token;
use crate::{AppState, MasterKey};
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::Arc;
use threatdb_core::Actor;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "threatdb_session";
/// The cookie that protects the sign-in form against cross-site posts (double submit).
pub const SIGNIN_COOKIE: &str = "threatdb_signin";
/// How long a session lasts after sign-in.
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;
const PURPOSE: &[u8] = b"threatdb web session v1";

/// What a session token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The API user signed in.
    pub user_id: i64,
    /// Its login's session epoch when the session began.
    pub epoch: i64,
    /// Unix time after which the session is over.
    pub expires: i64,
    /// The token every form of this session carries.
    pub csrf: String,
}

impl Session {
    /// A new session for `user_id` under `epoch`, lasting [`SESSION_SECONDS`].
    pub fn new(user_id: i64, epoch: i64, now: i64) -> Self {
        Session {
            user_id,
            epoch,
            expires: now.saturating_add(SESSION_SECONDS),
            csrf: random_token(24),
        }
    }

    /// The sealed token.
    pub fn seal(&self, keys: &MasterKey) -> String {
        let plain = format!(
            "{}:{}:{}:{}",
            self.user_id, self.epoch, self.expires, self.csrf
        );
        URL_SAFE_NO_PAD.encode(keys.seal_for(PURPOSE, plain.as_bytes()))
    }

    /// Opens a token; `None` if it is not one of ours, was changed, or has expired.
    pub fn open(keys: &MasterKey, token: &str, now: i64) -> Option<Self> {
        let sealed = URL_SAFE_NO_PAD.decode(token).ok()?;
        let plain = String::from_utf8(keys.open_for(PURPOSE, &sealed)?).ok()?;
        let mut parts = plain.splitn(4, ':');
        let session = Session {
            user_id: parts.next()?.parse().ok()?,
            epoch: parts.next()?.parse().ok()?,
            expires: parts.next()?.parse().ok()?,
            csrf: parts.next()?.to_string(),
        };
        (session.expires > now).then_some(session)
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether cookies get the `Secure` flag: when the public URL is https.
pub fn secure(state: &AppState) -> bool {
    state.public_url.starts_with("https://")
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, and Secure if `secure`.
/// `max_age` 0 deletes the cookie.
pub fn set_cookie(secure: bool, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    // Names and values are base64url or fixed ASCII: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Adds a `Set-Cookie` header to a response.
pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}

/// The signed-in person, for handlers. Extracting it checks the session cookie and loads the
/// actor afresh; without a valid session the request is redirected to the sign-in page.
#[derive(Clone, Debug)]
pub struct WebUser {
    /// The actor, exactly as the API would build it for the same API user.
    pub actor: Arc<Actor>,
    /// The login name.
    pub login: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl WebUser {
    /// The header of this person's pages.
    pub fn nav(&self) -> Option<Nav> {
        Some(Nav {
            login: self.login.clone(),
            csrf: self.csrf.clone(),
        })
    }
}

/// Why a request has no [`WebUser`].
pub enum NoSession {
    /// Not signed in (or the session ended): go and sign in, then come back to `next`.
    SignIn(String),
    /// The store failed.
    Failed(WebError),
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            NoSession::SignIn(next) => {
                let target = if next == "/" || next == "/incidents" {
                    "/signin".to_string()
                } else {
                    let mut q = form_urlencoded::Serializer::new(String::new());
                    q.append_pair("next", &next);
                    format!("/signin?{}", q.finish())
                };
                Redirect::to(&target).into_response()
            }
            NoSession::Failed(e) => e.into_response(),
        }
    }
}

/// `next` only when it is a path on this site (never `//host` or a full URL): no open redirect.
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(next)
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, NoSession> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_string();
        let now = threatdb_core::date::now().unix_timestamp();
        let Some(session) =
            cookie(&parts.headers, SESSION_COOKIE).and_then(|t| Session::open(&state.keys, t, now))
        else {
            return Err(NoSession::SignIn(next));
        };
        let found = state
            .store
            .web_session(session.user_id)
            .await
            .map_err(|e| NoSession::Failed(e.into()))?;
        match found {
            Some((login, actor)) if !login.disabled && login.session_epoch == session.epoch => {
                if let Some(writer) = parts.extensions.get::<crate::audit::WebWriter>() {
                    writer.set(actor.user_id, &login.login);
                }
                Ok(WebUser {
                    actor: Arc::new(actor),
                    login: login.login,
                    csrf: session.csrf,
                })
            }
            _ => Err(NoSession::SignIn(next)),
        }
    }
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_expire_and_resist_tampering() {
        let st = MasterKey::generate();
        let s = Session::new(7, 3, 1_000);
        let token = s.seal(&st);
        assert_eq!(Session::open(&st, &token, 1_000), Some(s.clone()));
        assert_eq!(Session::open(&st, &token, 1_000 + SESSION_SECONDS), None);
        let other = MasterKey::generate();
        assert_eq!(Session::open(&other, &token, 1_000), None, "another key");
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).expect("base64");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(
            Session::open(&st, &URL_SAFE_NO_PAD.encode(bytes), 1_000),
            None
        );
        assert_eq!(Session::open(&st, "not a token", 1_000), None);
    }

    #[test]
    fn cookies_are_strict_http_only_and_secure_on_https() {
        let c = set_cookie(true, SESSION_COOKIE, "abc", 60);
        let c = c.to_str().expect("ascii");
        assert!(
            !set_cookie(false, SESSION_COOKIE, "abc", 60)
                .to_str()
                .expect("ascii")
                .contains("Secure")
        );
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/",
            "Max-Age=60",
        ] {
            assert!(c.contains(part), "{c}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; threatdb_session=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn only_local_paths_are_followed() {
        for good in ["/incidents/3", "/incidents?owner=A+B&page=2"] {
            assert_eq!(local_path(good), Some(good));
        }
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "",
        ] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("a", "ab"));
    }
}
