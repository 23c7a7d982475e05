//! Signing in and out. A failed sign-in says only "wrong login name or password" (whether the
//! login exists is not told), costs the same time either way, and counts against the same
//! limiter as the API (per client address and login name, and per client address). Password
//! hashes run through the [`crate::passwords::PasswordGate`], a few at a time.

use super::error::WebError;
use super::forms::{Form, Posted};
use super::session::{SESSION_COOKIE, SIGNIN_COOKIE, Session, cookie, local_path, same_token};
use super::session::{secure, set_cookie, with_cookie};
use super::views::{Nav, html};
use crate::AppState;
use crate::auth::limiter::{principal_key, retry_after};
use crate::net::ClientAddr;
use crate::passwords::{MAX_PASSWORD_BYTES, hash_password, verify_password};
use crate::secrets::random_token;
use crate::telemetry::AuthFailure;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use threatdb_core::web::{login_key, parse_login};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignIn {
    nav: Option<Nav>,
    login: String,
    next: String,
    csrf: String,
    error: Option<String>,
}

fn next_of(raw: &str) -> String {
    local_path(raw).unwrap_or("/incidents").to_string()
}

/// `GET /signin`: the form, with a fresh anti-forgery cookie unless one is there already.
pub async fn form(State(state): State<AppState>, request: Request) -> Response {
    let query = Form::parse(request.uri().query().unwrap_or("").as_bytes());
    let existing = cookie(request.headers(), SIGNIN_COOKIE)
        .filter(|c| {
            c.len() >= 22
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned);
    let token = existing.unwrap_or_else(|| random_token(24));
    let page = SignIn {
        nav: None,
        login: String::new(),
        next: next_of(query.text("next")),
        csrf: token.clone(),
        error: None,
    };
    with_cookie(
        html(StatusCode::OK, &page),
        set_cookie(secure(&state), SIGNIN_COOKIE, &token, 3600),
    )
}

/// `POST /signin`.
pub async fn submit(State(state): State<AppState>, request: Request) -> Response {
    match try_submit(&state, request).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn try_submit(state: &AppState, request: Request) -> Result<Response, WebError> {
    let ip = ClientAddr::of(request.extensions());
    let facts = crate::audit::RequestFacts::of_request(&request);
    let expected = cookie(request.headers(), SIGNIN_COOKIE).map(str::to_owned);
    let body = crate::reply::body_bytes(request, state).await?;
    let form = Form::parse(&body);
    match (&expected, form.get("csrf")) {
        (Some(expected), Some(sent)) if same_token(expected, sent) => {}
        _ => return Err(WebError::Csrf),
    }
    let login = form.text("login").trim().to_string();
    let password = form.text("password").to_string();
    let next = next_of(form.text("next"));

    // Counted before the expensive hash, atomically: concurrent attempts cannot all slip under
    // the limit. Per (address, login) and per address, never per login alone, so failures from
    // elsewhere do not lock the rightful person out.
    let valid_login = parse_login(&login).ok();
    let principal = valid_login
        .as_deref()
        .and_then(|l| principal_key(&login_key(l)));
    state
        .limiter
        .hit(ip, principal.as_deref())
        .map_err(|wait| {
            AuthFailure::RateLimited.record();
            state.audit.rate_limited();
            WebError::TooManyAttempts(retry_after(wait))
        })?;
    // A login that cannot exist, or an absurd password, is wrong without a look-up or a hash.
    let found = match &valid_login {
        Some(login) if password.len() <= MAX_PASSWORD_BYTES => state.store.web_login(login).await?,
        _ => None,
    };
    let plausible = valid_login.is_some() && password.len() <= MAX_PASSWORD_BYTES;
    let (hash, account) = match found {
        Some((web, actor)) => (Some(web.password_hash.clone()), Some((web, actor))),
        None => (None, None),
    };
    let matches = if plausible {
        state
            .passwords
            .run(move || match hash {
                Some(hash) => verify_password(&hash, &password),
                None => {
                    // The same work as a real check, so timing does not tell which logins exist.
                    let _ = hash_password(&password);
                    false
                }
            })
            .await
            .map_err(|_| WebError::Busy)?
    } else {
        false
    };
    match account {
        Some((web, _)) if matches && !web.disabled => {
            state
                .audit
                .record(facts.record_as(Some((web.user_id, &web.login)), "sign-in", "303"))
                .await;
            let now = threatdb_core::date::now().unix_timestamp();
            let session = Session::new(web.user_id, web.session_epoch, now);
            let response = with_cookie(
                Redirect::to(&next).into_response(),
                set_cookie(
                    secure(state),
                    SESSION_COOKIE,
                    &session.seal(&state.keys),
                    super::session::SESSION_SECONDS,
                ),
            );
            Ok(with_cookie(
                response,
                set_cookie(secure(state), SIGNIN_COOKIE, "", 0),
            ))
        }
        _ => {
            AuthFailure::WebPassword.record();
            let mut record = facts.record(None, "sign-in.failure", "401");
            record.user = threatdb_core::audit::cut(&login);
            state.audit.record(record).await;
            let page = SignIn {
                nav: None,
                login,
                next,
                csrf: expected.unwrap_or_default(),
                error: Some("Wrong login name or password.".into()),
            };
            Ok(html(StatusCode::UNAUTHORIZED, &page))
        }
    }
}

/// `POST /signout`: ends every session of the person (on every node: the epoch is in the
/// database) and forgets the cookie.
pub async fn sign_out(State(state): State<AppState>, posted: Posted) -> Response {
    match state.store.end_web_sessions(&posted.user.actor).await {
        Ok(()) | Err(threatdb_core::StoreError::NotFound) => {}
        Err(e) => return WebError::from(e).into_response(),
    }
    with_cookie(
        Redirect::to("/signin").into_response(),
        set_cookie(secure(&state), SESSION_COOKIE, "", 0),
    )
}
