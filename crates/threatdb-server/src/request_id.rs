//! Request ids: every request gets one, the client's `X-Request-Id` when it sent a sane one
//! (1 to 64 visible ASCII characters), else a new random one. The id is returned in the
//! answer's `X-Request-Id` and is a field of the request's tracing span, so every log line
//! written while the request is served carries it.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The header carrying the id, both ways.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id taken from a client.
pub const MAX_CLIENT_ID_LEN: usize = 64;

/// Whether a client's id is kept: 1 to [`MAX_CLIENT_ID_LEN`] visible ASCII characters (no
/// spaces, control characters or bytes past ASCII, which could forge or garble log lines).
pub fn is_sane(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= MAX_CLIENT_ID_LEN && id.iter().all(|b| b.is_ascii_graphic())
}

/// A new id: 16 characters of base64url over 96 bits, a keyed hash (SipHash, keys drawn once
/// per process from the system's random source) of a counter. Ids are unique within a process
/// and unrelated across processes, and need no system call: drawing 96 random bits for every
/// request was one `getrandom` call each. They are names, not secrets.
fn new_id() -> HeaderValue {
    use base64::Engine;
    use std::hash::BuildHasher;
    use std::sync::LazyLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static KEYS: LazyLock<std::collections::hash_map::RandomState> =
        LazyLock::new(std::collections::hash_map::RandomState::new);
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut bits = [0u8; 12];
    let (head, tail) = bits.split_at_mut(8);
    head.copy_from_slice(&KEYS.hash_one((n, 0u8)).to_le_bytes());
    tail.copy_from_slice(&KEYS.hash_one((n, 1u8)).to_le_bytes()[..4]);
    HeaderValue::try_from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bits))
        .unwrap_or_else(|_| HeaderValue::from_static("unassigned"))
}

/// The middleware: puts the id on the request (for the span and the handlers) and the answer.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(&X_REQUEST_ID) {
        Some(sent) if is_sane(sent.as_bytes()) => sent.clone(),
        _ => new_id(),
    };
    request.headers_mut().insert(X_REQUEST_ID, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

/// The span a request is served in (made by the trace layer, inside [`assign`]). It is an INFO
/// span so that it is on whenever the lines of a request can be.
pub fn span<B>(request: &http::Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        uri = %request.uri(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_visible_ascii_ids_are_kept() {
        assert!(is_sane(b"abc-123_XYZ.4:5/6"));
        assert!(is_sane(&[b'a'; 64]));
        assert!(!is_sane(&[b'a'; 65]));
        assert!(!is_sane(b""));
        assert!(!is_sane(b"two words"));
        assert!(!is_sane(b"tab\there"));
        assert!(!is_sane("caf\u{e9}".as_bytes()));
        let id = new_id();
        assert_eq!(id.len(), 16);
        assert!(is_sane(id.as_bytes()));
        assert_ne!(id, new_id());
        let many: std::collections::HashSet<HeaderValue> = (0..100_000).map(|_| new_id()).collect();
        assert_eq!(many.len(), 100_000, "request ids repeat");
    }
}
