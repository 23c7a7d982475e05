//! Success responses: the envelope and the content type are added here and nowhere else.

use crate::AppState;
use crate::error::{ApiError, json_response};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;
use threatdb_wire::dto::Data;
use threatdb_wire::envelope::{Bare, Success};

fn envelope<T: Serialize>(status: StatusCode, data: Data<T>) -> Response {
    match serde_json::to_vec(&Success::new(data)) {
        Ok(body) => json_response(status, body),
        Err(e) => axum::response::IntoResponse::into_response(ApiError::Internal(e.to_string())),
    }
}

/// `{"status":"Success","data":{"<key>": value}}`.
pub fn one<T: Serialize>(status: StatusCode, key: &'static str, value: T) -> Response {
    envelope(
        status,
        Data {
            key,
            result_count: None,
            value,
        },
    )
}

/// `{"status":"Success","data":{"resultCount": 1, "<key>": value}}`: one object counted as a list.
pub fn counted_one<T: Serialize>(key: &'static str, value: T) -> Response {
    envelope(
        StatusCode::OK,
        Data {
            key,
            result_count: Some(1),
            value,
        },
    )
}

/// `{"status":"Success","data":{"resultCount": n, "<key>": value}}` (`resultCount` when known).
pub fn many<T: Serialize>(key: &'static str, result_count: Option<u64>, items: Vec<T>) -> Response {
    envelope(
        StatusCode::OK,
        Data {
            key,
            result_count,
            value: items,
        },
    )
}

/// `{"status":"Success"}` with the given status (201 for creates, 200 otherwise).
pub fn done(status: StatusCode) -> Response {
    let body = serde_json::to_vec(&Bare::success())
        .unwrap_or_else(|_| br#"{"status":"Success"}"#.to_vec());
    json_response(status, body)
}

/// A JSON request body. A body over the limit is a 413; an empty, malformed or mistyped one a
/// 400 that names the field. Unknown fields are ignored.
pub struct JsonBody<T>(pub T);

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// Over the body limit.
    TooLarge,
    /// Not whole within the body timeout.
    TimedOut,
    /// The connection failed while sending it.
    Failed(String),
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge => ApiError::PayloadTooLarge,
            BodyError::TimedOut => ApiError::BodyTimeout,
            BodyError::Failed(m) => {
                ApiError::BadRequest(format!("Could not read the request body: {m}"))
            }
        }
    }
}

/// Reads a request's whole body within the body timeout (a client trickling its body cannot
/// hold a request open; a request without a body costs no timer).
pub async fn body_bytes(req: Request, state: &AppState) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(state.limits.body_timeout, Bytes::from_request(req, state)).await {
        Err(_) => Err(BodyError::TimedOut),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(BodyError::TooLarge),
        Ok(Err(e)) => Err(BodyError::Failed(e.to_string())),
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        // Every body is an object: serde would read a struct from an array too (`[null, null]`).
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::BadRequest(
                "A JSON object is required as the request body".into(),
            ));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data if path != "." => {
                    ApiError::BadRequest(format!("Invalid value for '{path}': {inner}"))
                }
                _ => ApiError::BadRequest(format!("The request body is not valid JSON: {inner}")),
            }
        })?;
        // One JSON value and nothing after it but white space: `{...} garbage` is a 400.
        de.end().map_err(|e| {
            ApiError::BadRequest(format!(
                "The request body is not valid JSON: {e} (one JSON object is expected, nothing after it)"
            ))
        })?;
        Ok(JsonBody(value))
    }
}
