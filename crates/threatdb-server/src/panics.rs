//! The last line of defence: a panic while answering a request becomes a 500 in the API's
//! failure envelope (or the web UI's error page) and one log line, instead of a dropped
//! connection. The code forbids the usual sources of panics (`unwrap`, `expect`, unchecked
//! date arithmetic); this layer is for the ones nobody has found yet.
//!
//! Written as a middleware rather than tower-http's `CatchPanicLayer` because the answer depends
//! on the request (API envelope or HTML page), which that layer's handler does not see.

use crate::error::ApiError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

/// The middleware.
pub async fn catch_panics(request: Request, next: Next) -> Response {
    let page =
        !request.uri().path().starts_with("/api") && crate::web::wants_html(request.headers());
    let route = format!("{} {}", request.method(), request.uri().path());
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            tracing::error!(%route, panic = %what, "a request panicked; answered 500");
            if page {
                crate::web::internal_error_page()
            } else {
                ApiError::Internal(String::new()).into_response()
            }
        }
    }
}
