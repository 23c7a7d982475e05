//! The web UI: server-rendered pages (askama, auto-escaping) for people signed in with a login
//! and password. Every page runs as the person's API user, through the same Store methods and
//! so the same authorization policy as the API. No JavaScript, no inline styles, no external
//! assets: the one stylesheet is compiled in, and a strict Content-Security-Policy says so.

mod account;
mod create;
mod dashboard;
mod docs;
mod edit;
mod error;
mod forms;
mod graph;
mod history;
mod incident;
mod list;
mod object;
mod search;
mod session;
mod signin;
mod tags;
mod views;

pub use error::WebError;

use crate::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// The Content-Security-Policy of every page: our own origin only, no script at all.
pub const CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const STYLESHEET: &str = include_str!("../../static/threatdb.css");
const FAVICON: &str = include_str!("../../static/favicon.svg");

/// Every page of the web UI (the API's paths are elsewhere).
pub fn routes(state: AppState) -> Router<AppState> {
    let router = Router::new()
        .route("/", get(dashboard::page))
        .route("/signin", get(signin::form).post(signin::submit))
        .route("/signout", post(signin::sign_out))
        .route("/incidents", get(list::page).post(create::submit))
        .route("/incidents/new", get(create::form))
        .route("/incidents/{id}", get(incident::page))
        .route("/incidents/{id}/edit", post(edit::details))
        .route("/incidents/{id}/tags", post(edit::add_tag))
        .route("/incidents/{id}/tags/remove", post(edit::remove_tag))
        .route("/incidents/{id}/labels", post(edit::add_label))
        .route("/incidents/{id}/labels/remove", post(edit::remove_label))
        .route("/incidents/{id}/attributes", post(edit::add_attribute))
        .route(
            "/incidents/{id}/attributes/{aid}/delete",
            post(edit::delete_attribute),
        )
        .route(
            "/incidents/{id}/delete",
            get(incident::confirm_delete).post(incident::delete),
        )
        .route("/incidents/{id}/history", get(history::page))
        .route("/incidents/{id}/history/revert", post(history::revert))
        .route("/search", get(search::page))
        .route("/deleted", get(history::deleted))
        .route("/deleted/{id}/restore", post(history::restore))
        .route("/tags/{name}", get(tags::page))
        .route("/indicators/{kind}/{value}", get(object::indicator))
        .route("/account", get(account::show))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/account/password", post(account::change_password))
        .route("/docs/api", get(docs::page))
        .route("/static/threatdb.css", get(stylesheet))
        .route("/static/favicon.svg", get(favicon));
    // A group of another type, a victim or a task, where its webLink points (`/adversaries/12`).
    let router = threatdb_core::ItemKind::ALL
        .into_iter()
        .fold(router, |router, kind| {
            router.route(
                &format!("/{}/{{id}}", kind.url_name()),
                get(
                    move |state: axum::extract::State<AppState>,
                          user: session::WebUser,
                          axum::extract::Path(id): axum::extract::Path<String>| {
                        object::item(state, user, kind, id)
                    },
                ),
            )
        });
    router
        .layer(middleware::from_fn_with_state(
            state,
            crate::audit::web_writes,
        ))
        .layer(middleware::from_fn(security_headers))
}

/// Whether a request is from a browser wanting a page (rather than an API client).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The friendly 404 page, for paths no route matches.
pub fn not_found() -> Response {
    let mut response = WebError::NotFound.into_response();
    add_security_headers(response.headers_mut(), false);
    response
}

/// The 500 page, for a request that panicked (logged by the caller).
pub fn internal_error_page() -> Response {
    let mut response = WebError::Internal(String::new()).into_response();
    add_security_headers(response.headers_mut(), false);
    response
}

/// Security headers on every web response; pages are never cached (they show restricted data).
async fn security_headers(request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut(), is_static);
    response
}

fn add_security_headers(headers: &mut HeaderMap, is_static: bool) {
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if is_static {
        set(header::CACHE_CONTROL, "public, max-age=3600");
    } else {
        set(header::CACHE_CONTROL, "no-store");
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

async fn favicon() -> Response {
    asset("image/svg+xml", FAVICON)
}
