//! The v2 envelopes: `{"status":"Success","data":{...}}` and `{"status":"Failure","message":"..."}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The message of every 404.
pub const NOT_FOUND: &str = "The requested resource was not found";

/// A success with data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Success<T> {
    /// Always `Success`.
    pub status: Status,
    /// The payload, e.g. `{"incident": {...}}` or `{"resultCount": 2, "incident": [...]}`.
    pub data: T,
}

impl<T> Success<T> {
    /// Wraps `data`.
    pub fn new(data: T) -> Self {
        Success {
            status: Status::Success,
            data,
        }
    }
}

/// The `status` field of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Status {
    /// The call worked.
    Success,
    /// The call failed; `message` says why.
    Failure,
}

/// A success without data (`{"status":"Success"}`), or a failure with its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Bare {
    /// `Success` or `Failure`.
    pub status: Status,
    /// Why it failed (absent on success).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Bare {
    /// `{"status":"Success"}`.
    pub fn success() -> Self {
        Bare {
            status: Status::Success,
            message: None,
        }
    }

    /// `{"status":"Failure","message":message}`.
    pub fn failure(message: impl Into<String>) -> Self {
        Bare {
            status: Status::Failure,
            message: Some(message.into()),
        }
    }
}

/// Serialises a failure envelope.
pub fn failure_json(message: &str) -> Vec<u8> {
    serde_json::to_vec(&Bare::failure(message))
        .unwrap_or_else(|_| br#"{"status":"Failure","message":"Internal error"}"#.to_vec())
}
