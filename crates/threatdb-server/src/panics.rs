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
    // Cheap clones (reference-counted): the text is only made if something panics.
    let (method, uri) = (request.method().clone(), request.uri().clone());
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            tracing::error!(%method, path = uri.path(), panic = %what, "a request panicked; answered 500");
            if page {
                crate::web::internal_error_page()
            } else {
                ApiError::Internal(String::new()).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request as HttpRequest, StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        async fn boom() -> &'static str {
            panic!("an unwrap on a None, say")
        }
        Router::new()
            .route("/api/v2/boom", get(boom))
            .route("/boom", get(boom))
            .layer(axum::middleware::from_fn(catch_panics))
    }

    #[tokio::test]
    async fn a_panic_is_a_500_in_the_envelope_or_the_error_page() {
        let api = app()
            .oneshot(
                HttpRequest::get("/api/v2/boom")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(api.headers()[header::CONTENT_TYPE], "application/json");
        let body = to_bytes(api.into_body(), 1 << 16).await.unwrap();
        assert_eq!(
            &body[..],
            br#"{"status":"Failure","message":"Internal server error"}"#
        );
        let page = app()
            .oneshot(
                HttpRequest::get("/boom")
                    .header(header::ACCEPT, "text/html")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = to_bytes(page.into_body(), 1 << 16).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("Something went wrong"), "{text}");
        assert!(!text.contains("unwrap on a None"), "no internals shown");
    }
}
