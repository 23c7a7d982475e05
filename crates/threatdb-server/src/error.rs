//! The one error type of the HTTP layer and its failure envelope.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use threatdb_core::{Invalid, StoreError};
use threatdb_wire::envelope::{NOT_FOUND, failure_json};

/// Everything a request can fail with. Each variant has one status and a message for the client.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request is wrong; the message says what to fix.
    BadRequest(String),
    /// 401: authentication failed.
    Unauthorized(&'static str),
    /// 403: the owner cannot be used, or the role does not allow this.
    Forbidden(String),
    /// 404: no such item (or not visible to the caller).
    NotFound,
    /// 404 for a path no route matches.
    NoRoute(String),
    /// 409: the change clashes with stored data.
    Conflict(String),
    /// 408: the body did not arrive within the body timeout.
    BodyTimeout,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 429: too many failed authentications; retry after this many seconds.
    TooManyRequests(u64),
    /// 500: logged here, never shown.
    Internal(String),
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Forbidden => ApiError::Forbidden("Access Denied".into()),
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Invalid(m) => ApiError::BadRequest(m),
            StoreError::Duplicate(what) => {
                ApiError::Conflict(format!("This already exists (duplicate {what})"))
            }
            StoreError::Backend(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::BadRequest(e.0)
    }
}

impl ApiError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::NoRoute(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            ApiError::BadRequest(m) | ApiError::Forbidden(m) | ApiError::Conflict(m) => m.clone(),
            ApiError::Unauthorized(m) => (*m).to_string(),
            ApiError::NotFound => NOT_FOUND.to_string(),
            ApiError::NoRoute(path) => format!("{NOT_FOUND}: no API path {path}"),
            ApiError::BodyTimeout => {
                "The request body did not arrive in time: send it whole, without pauses".into()
            }
            ApiError::PayloadTooLarge => "The request body is larger than the 1 MiB limit".into(),
            ApiError::TooManyRequests(_) => {
                "Too many failed authentication attempts: try again later".into()
            }
            ApiError::Internal(_) => "Internal server error".into(),
        }
    }
}

/// A JSON response with exactly `Content-Type: application/json`.
pub fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(threatdb_wire::CONTENT_TYPE_JSON),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self
            && !detail.is_empty()
        {
            tracing::error!(%detail, "request failed");
        }
        let mut response = json_response(self.status(), failure_json(&self.message()));
        if let ApiError::TooManyRequests(seconds) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
