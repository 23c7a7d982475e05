//! `/account`: the signed-in person's own account. They change their web password (the
//! current one checked, failures counted by the sign-in limiter; every session ends) and list,
//! create and revoke their own API tokens (`Authorization: TC-Token …`; a new token is shown
//! once, only its hash is kept; at most 50 work at once).

use super::error::WebError;
use super::forms::Posted;
use super::session::{SESSION_COOKIE, WebUser, secure, set_cookie, with_cookie};
use super::views::{Nav, html};
use crate::AppState;
use crate::net::ClientAddr;
use crate::passwords::{MAX_PASSWORD_BYTES, check_new_password, hash_password, verify_password};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use threatdb_core::ApiToken;

/// A token's row on the page.
pub struct TokenRow {
    pub id: i64,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub state: &'static str,
    pub working: bool,
}

impl TokenRow {
    fn of(t: &ApiToken) -> Self {
        let now = threatdb_core::date::now();
        let expired = t.expires.is_some_and(|e| e <= now);
        TokenRow {
            id: t.id,
            created: threatdb_core::format_timestamp(t.created),
            expires: t
                .expires
                .map_or_else(|| "never".into(), threatdb_core::format_timestamp),
            last_used: t
                .last_used
                .map_or_else(|| "-".into(), threatdb_core::format_timestamp),
            state: if t.revoked {
                "revoked"
            } else if expired {
                "expired"
            } else {
                "works"
            },
            working: !t.revoked && !expired,
        }
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Option<Nav>,
    login: String,
    name: String,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    created: Option<String>,
    errors: Vec<String>,
}

/// The lifetimes a token can be given, as the form offers them.
const LIFETIMES: [(&str, Option<i64>); 4] = [
    ("30d", Some(30)),
    ("90d", Some(90)),
    ("365d", Some(365)),
    ("never", None),
];

async fn page(
    state: &AppState,
    user: &WebUser,
    status: StatusCode,
    created: Option<String>,
    errors: Vec<String>,
) -> Result<Response, WebError> {
    let tokens = state.store.own_tokens(&user.actor).await?;
    let page = AccountPage {
        nav: user.nav(),
        login: user.login.clone(),
        name: user.actor.name.clone(),
        tokens: tokens.iter().rev().map(TokenRow::of).collect(),
        created,
        errors,
    };
    Ok(html(status, &page))
}

/// `GET /account`.
pub async fn show(State(state): State<AppState>, user: WebUser) -> Result<Response, WebError> {
    page(&state, &user, StatusCode::OK, None, Vec::new()).await
}

/// `POST /account/tokens`: a new token, shown once.
pub async fn create_token(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, form } = posted;
    let lifetime = form.text("expires");
    let Some((_, days)) = LIFETIMES.iter().find(|(name, _)| *name == lifetime) else {
        return page(
            &state,
            &user,
            StatusCode::BAD_REQUEST,
            None,
            vec![format!(
                "Choose how long the token works: 30d, 90d, 365d or never, not '{lifetime}'."
            )],
        )
        .await;
    };
    let expires = match days {
        Some(d) => Some(
            threatdb_core::date::now()
                .checked_add(time::Duration::days(*d))
                .ok_or_else(|| WebError::BadRequest("that date is too far".into()))?,
        ),
        None => None,
    };
    let token = crate::secrets::generate_api_token();
    match state
        .store
        .create_own_token(&user.actor, crate::secrets::token_hash(&token), expires)
        .await
    {
        Ok(_) => page(&state, &user, StatusCode::OK, Some(token), Vec::new()).await,
        Err(threatdb_core::StoreError::Invalid(m)) => {
            page(&state, &user, StatusCode::BAD_REQUEST, None, vec![m]).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/tokens/{id}/revoke`: one of the person's own tokens (another's is a 404).
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, WebError> {
    state.store.revoke_own_token(&posted.user.actor, id).await?;
    Ok(Redirect::to("/account").into_response())
}

/// `POST /account/password`: the current password, the new one twice. Every session ends
/// (this one too): the person signs in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    client: ClientAddrOf,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, form } = posted;
    let current = form.text("current").to_string();
    let new = form.text("new").to_string();
    let again = form.text("again");
    let refuse = |m: String| page(&state, &user, StatusCode::BAD_REQUEST, None, vec![m]);
    if new != again {
        return refuse("The new password and its repetition differ.".into()).await;
    }
    if new.len() > MAX_PASSWORD_BYTES {
        return refuse(format!(
            "A password has at most {MAX_PASSWORD_BYTES} bytes."
        ))
        .await;
    }
    if let Err(e) = check_new_password(&new) {
        return refuse(format!("{e}.")).await;
    }
    // Every check of the current password counts as a sign-in attempt of this login from this
    // address, before the hash (as sign-in does): a stolen session cannot be used to guess it.
    let principal =
        crate::auth::limiter::principal_key(&threatdb_core::web::login_key(&user.login));
    state
        .limiter
        .hit(client.0, principal.as_deref())
        .map_err(|wait| WebError::TooManyAttempts(crate::auth::limiter::retry_after(wait)))?;
    let Some((web, _)) = state.store.web_login(&user.login).await? else {
        return Err(WebError::NotFound);
    };
    let hash = web.password_hash.clone();
    let checked = if current.len() <= MAX_PASSWORD_BYTES {
        state
            .passwords
            .run(move || verify_password(&hash, &current))
            .await
            .map_err(|_| WebError::Busy)?
    } else {
        false
    };
    if !checked {
        return refuse("The current password is not right.".into()).await;
    }
    let hashed = state
        .passwords
        .run(move || hash_password(&new))
        .await
        .map_err(|_| WebError::Busy)?;
    state.store.change_web_password(&user.actor, hashed).await?;
    Ok(with_cookie(
        Redirect::to("/signin").into_response(),
        set_cookie(secure(&state), SESSION_COOKIE, "", 0),
    ))
}

/// The client's address, for the limiter.
pub struct ClientAddrOf(pub std::net::IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddrOf {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddrOf(ClientAddr::of(&parts.extensions)))
    }
}
