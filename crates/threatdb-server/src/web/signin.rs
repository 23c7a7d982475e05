//! Signing in and out. A failed sign-in says only "wrong login name or password" (whether the
//! login exists is not told), costs the same time either way, and counts against the same
//! failure limiter as the API (per client address and per login name).

use super::error::WebError;
use super::forms::{Form, Posted};
use super::session::{SESSION_COOKIE, SIGNIN_COOKIE, Session, cookie, local_path, same_token};
use super::session::{secure, set_cookie, with_cookie};
use super::views::{Nav, html};
use crate::AppState;
use crate::passwords::{hash_password, verify_password};
use crate::secrets::random_token;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::{IpAddr, SocketAddr};

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
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let expected = cookie(request.headers(), SIGNIN_COOKIE).map(str::to_owned);
    let body = Bytes::from_request(request, state)
        .await
        .map_err(|_| WebError::BadRequest("The sign-in form could not be read.".into()))?;
    let form = Form::parse(&body);
    match (&expected, form.get("csrf")) {
        (Some(expected), Some(sent)) if same_token(expected, sent) => {}
        _ => return Err(WebError::Csrf),
    }
    let login = form.text("login").trim().to_string();
    let password = form.text("password").to_string();
    let next = next_of(form.text("next"));

    let ip_key = format!("web-ip:{ip}");
    let login_key = format!("web-login:{}", threatdb_core::web::login_key(&login));
    for key in [&ip_key, &login_key] {
        if let Some(wait) = state.limiter.blocked(key) {
            return Err(WebError::TooManyAttempts(wait));
        }
    }
    let found = if login.is_empty() {
        None
    } else {
        state.store.web_login(&login).await?
    };
    let (hash, account) = match found {
        Some((web, actor)) => (Some(web.password_hash.clone()), Some((web, actor))),
        None => (None, None),
    };
    let matches = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&hash, &password),
        None => {
            // The same work as a real check, so timing does not tell which logins exist.
            let _ = hash_password(&password);
            false
        }
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    match account {
        Some((web, _)) if matches && !web.disabled => {
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
            state.limiter.record(&ip_key);
            state.limiter.record(&login_key);
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
