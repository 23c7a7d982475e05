//! The web UI's errors: a friendly HTML page with the right status code, never a stack trace
//! or internal text.

use super::views::{Nav, html};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use threatdb_core::{Invalid, StoreError};

/// Everything a page can fail with.
#[derive(Debug)]
pub enum WebError {
    /// 404: no such page or incident, or one the person may not see (never told apart).
    NotFound,
    /// 403: the person may see this but not do that.
    Forbidden(String),
    /// 400: the input is wrong; the message says what to fix.
    BadRequest(String),
    /// 403: a form without this session's CSRF token (a cross-site post, or an old page).
    Csrf,
    /// 429: too many failed sign-ins; retry after this many seconds.
    TooManyAttempts(u64),
    /// 503: too many sign-ins are being checked at once; retry in a second.
    Busy,
    /// 500: logged (when there is a detail), never shown.
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Forbidden => {
                WebError::Forbidden("Your role in this owner does not allow this change.".into())
            }
            StoreError::Conflict(m) | StoreError::Invalid(m) => WebError::BadRequest(m),
            StoreError::Duplicate(_) => WebError::BadRequest("This already exists.".into()),
            StoreError::Backend(e) => WebError::Internal(e.to_string()),
        }
    }
}

/// An API operation the web UI reuses (a revert), answered as a page.
impl From<crate::error::ApiError> for WebError {
    fn from(e: crate::error::ApiError) -> Self {
        match e {
            crate::error::ApiError::NotFound | crate::error::ApiError::NoRoute(_) => {
                WebError::NotFound
            }
            crate::error::ApiError::Forbidden(_) => {
                WebError::Forbidden("Your role in this owner does not allow this change.".into())
            }
            crate::error::ApiError::BadRequest(m) | crate::error::ApiError::Conflict(m) => {
                WebError::BadRequest(m)
            }
            other => WebError::Internal(format!("{other:?}")),
        }
    }
}

impl From<crate::reply::BodyError> for WebError {
    fn from(e: crate::reply::BodyError) -> Self {
        WebError::BadRequest(match e {
            crate::reply::BodyError::TooLarge => format!(
                "The form could not be read: it must be at most {} KiB.",
                crate::MAX_BODY_BYTES / 1024
            ),
            crate::reply::BodyError::TimedOut => {
                "The form did not arrive in time. Try again.".to_string()
            }
            crate::reply::BodyError::Failed(_) => "The form could not be read.".to_string(),
        })
    }
}

impl From<Invalid> for WebError {
    fn from(e: Invalid) -> Self {
        WebError::BadRequest(e.0)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Option<Nav>,
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (title, message) = match &self {
            WebError::NotFound => (
                "Not found",
                "There is nothing here, or nothing you may see: the incident may have been \
                 deleted, or it belongs to an owner you are not a member of."
                    .to_string(),
            ),
            WebError::Forbidden(m) => ("Not allowed", m.clone()),
            WebError::BadRequest(m) => ("That did not work", m.clone()),
            WebError::Csrf => (
                "This form has expired",
                "The form was not sent from a page of this session (it may be from before you \
                 signed in again). Go back, reload the page and try again."
                    .to_string(),
            ),
            WebError::TooManyAttempts(s) => (
                "Too many attempts",
                format!("Too many failed sign-ins. Try again in {s} seconds."),
            ),
            WebError::Busy => (
                "Busy",
                "The server is checking many sign-ins right now. Try again in a moment."
                    .to_string(),
            ),
            WebError::Internal(detail) => {
                if !detail.is_empty() {
                    tracing::error!(%detail, "web request failed");
                }
                (
                    "Something went wrong",
                    "The server could not complete this request. It has been logged; try \
                     again in a moment."
                        .to_string(),
                )
            }
        };
        let status = self.status();
        let page = ErrorPage {
            nav: None,
            status: status.as_u16(),
            title,
            message: &message,
        };
        let mut response = html(status, &page);
        match self {
            WebError::TooManyAttempts(seconds) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            WebError::Busy => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(1u64));
            }
            _ => {}
        }
        response
    }
}
