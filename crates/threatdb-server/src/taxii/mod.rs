//! TAXII 2.1 at `/taxii2/` (stix-taxii.md §12, docs/taxii.md): discovery, one API root, one
//! collection per owner the caller reads, and each collection's objects and manifest in the
//! order they last changed, as STIX 2.1 (the mapping of `threatdb-stix`, the same as
//! `threatdb export`). HTTP Basic (an API user's access id and secret key, or a web user's
//! login and password) or `Bearer` with an API token, through the same policy as the v2 API.
//! Every answer, errors included, is `application/taxii+json;version=2.1`.

mod collections;
mod cursor;
mod objects;
mod page;
mod post;

use crate::AppState;
use crate::error::ApiError;
use crate::net::ClientAddr;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use serde_json::{Value, json};

/// The TAXII 2.1 media type, sent on every answer.
pub const MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// The STIX 2.1 media type a collection holds.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// The routes under `/taxii2/`.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/taxii2/", get(collections::discovery))
        .route("/taxii2/api/", get(collections::api_root))
        .route("/taxii2/api/collections/", get(collections::list))
        .route("/taxii2/api/collections/{cid}/", get(collections::one))
        .route(
            "/taxii2/api/collections/{cid}/objects/",
            get(objects::objects).post(post::add),
        )
        .route(
            "/taxii2/api/collections/{cid}/manifest/",
            get(objects::manifest),
        )
        .route(
            "/taxii2/api/collections/{cid}/objects/{oid}/",
            get(objects::by_id).delete(objects::delete),
        )
        .route(
            "/taxii2/api/collections/{cid}/objects/{oid}/versions/",
            get(objects::versions),
        )
        .route("/taxii2/api/status/{sid}/", get(post::status))
        .route("/taxii2/api/status/{sid}", get(post::status))
        .route_layer(axum::middleware::from_fn_with_state(state, authenticate))
}

/// A TAXII error object: `title`, `description`, `http_status`.
#[derive(Debug)]
pub struct TaxiiError {
    status: StatusCode,
    title: &'static str,
    description: String,
    retry_after: Option<u64>,
}

impl TaxiiError {
    /// An error with its status, title and what to do about it.
    pub fn new(status: StatusCode, title: &'static str, description: impl Into<String>) -> Self {
        TaxiiError {
            status,
            title,
            description: description.into(),
            retry_after: None,
        }
    }

    /// 400.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", description)
    }

    /// 404: absent, or not visible to the caller (the same answer).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("There is no {what} here that you can read"),
        )
    }
}

impl From<ApiError> for TaxiiError {
    fn from(e: ApiError) -> Self {
        if let ApiError::Internal(detail) = &e {
            tracing::error!(error = %detail, "TAXII request failed");
        }
        let status = e.status();
        let mut out = TaxiiError::new(
            status,
            status.canonical_reason().unwrap_or("Error"),
            e.message(),
        );
        if let ApiError::TooManyRequests(wait) = e {
            out.retry_after = Some(wait);
        }
        out
    }
}

impl From<threatdb_core::StoreError> for TaxiiError {
    fn from(e: threatdb_core::StoreError) -> Self {
        match e {
            // Hidden and missing owners look the same.
            threatdb_core::StoreError::NotFound | threatdb_core::StoreError::Forbidden => {
                TaxiiError::not_found("collection")
            }
            other => ApiError::from(other).into(),
        }
    }
}

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        let body = json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_u16().to_string(),
        });
        let mut response = taxii_json(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"threatdb\""),
            );
        }
        if let Some(wait) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&wait.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// A TAXII answer: `value` with exactly the TAXII media type.
pub fn taxii_json(status: StatusCode, value: &Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    response
}

/// Any other path under `/taxii2/`.
pub async fn not_found() -> TaxiiError {
    TaxiiError::not_found("TAXII resource at this path")
}

/// Whether an `Accept` header admits TAXII 2.1: `application/taxii+json` with `version=2.1` or
/// no version, `application/*` or `*/*` (spaces around `;` ignored). No header: yes.
pub fn accepts(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return true;
    };
    let Ok(accept) = accept.to_str() else {
        return false;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
        let params: Vec<String> = parts
            .map(|p| p.replace(' ', "").to_ascii_lowercase())
            .filter(|p| !p.starts_with("q="))
            .collect();
        match essence.as_str() {
            "*/*" | "application/*" => true,
            "application/taxii+json" => params.iter().all(|p| p == "version=2.1"),
            _ => false,
        }
    })
}

/// Checks `Accept`, then authenticates: Basic or Bearer; the caller rides along as [`Auth`].
async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !accepts(request.headers()) {
        return TaxiiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "Not acceptable",
            format!("This server answers {MEDIA_TYPE}: send it in Accept"),
        )
        .into_response();
    }
    let ip = ClientAddr::of(request.extensions());
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let credential = header.as_deref().and_then(|h| h.trim().split_once(' '));
    let verified = match credential {
        Some((scheme, value)) if scheme.eq_ignore_ascii_case("basic") => {
            match decode_basic(value) {
                Some((user, password)) => {
                    crate::auth::verify_basic(&state, &user, &password, ip).await
                }
                None => Err(ApiError::Unauthorized("Malformed Basic credentials")),
            }
        }
        Some((scheme, value)) if scheme.eq_ignore_ascii_case("bearer") => {
            crate::auth::verify_token(&state, value.trim(), ip).await
        }
        // ThreatConnect's own schemes too, so a ThreatConnect client (`threatdb export
        // --via-api`) reads a collection with the credentials it already signs with.
        Some(("TC" | "TC-Token", _)) => {
            let signed = crate::auth::Signed::of(&request);
            crate::auth::verify(&state, &signed, ip).await
        }
        _ => Err(ApiError::Unauthorized(
            "Authentication is required: HTTP Basic with an API access id and secret key, or a web login and password (or Bearer with an API token)",
        )),
    };
    crate::auth::audited(&state, request, next, verified, |e| {
        TaxiiError::from(e).into_response()
    })
    .await
}

/// Whether `path` is TAXII's (its answers, errors included, are TAXII's).
pub fn serves(path: &str) -> bool {
    path == "/taxii2" || path.starts_with("/taxii2/")
}

/// `user:password` from a Basic credential.
pub(crate) fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn accept_admits_taxii_2_1_and_wildcards_only() {
        for ok in [
            "application/taxii+json;version=2.1",
            "application/taxii+json ; version=2.1",
            "application/taxii+json",
            "text/html, */*;q=0.1",
            "application/*",
        ] {
            assert!(accepts(&with_accept(ok)), "{ok}");
        }
        for refused in [
            "application/json",
            "application/taxii+json;version=2.0",
            "text/html",
        ] {
            assert!(!accepts(&with_accept(refused)), "{refused}");
        }
        assert!(accepts(&HeaderMap::new()));
    }

    #[test]
    fn basic_credentials_split_at_the_first_colon() {
        let encoded = base64::engine::general_purpose::STANDARD.encode("id:se:cret");
        assert_eq!(
            decode_basic(&encoded),
            Some(("id".to_string(), "se:cret".to_string()))
        );
        assert_eq!(decode_basic("!!"), None);
    }
}
