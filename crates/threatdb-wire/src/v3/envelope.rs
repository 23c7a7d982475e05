//! The v3 envelopes (tc-v3-wire.md §2):
//!
//! ```text
//! single   {"data": {...}, "status": "Success"}
//! create   {"data": {...}, "message": "Created", "status": "Success"}
//! update   {"data": {...}, "message": "Updated", "status": "Success"}
//! delete   {"message": "Deleted", "status": "Success"}
//! list     {"data": [...], "count": 120, "next": "...", "prev": "...", "status": "Success"}
//! error    {"status": "Error", "message": "..."}            (errCode optional)
//! ```
//!
//! v3 errors say `Error` where v2 says `Failure`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The `status` of a v3 envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = V3Status)]
pub enum Status {
    /// The call worked.
    Success,
    /// The call failed; `message` says why.
    Error,
}

/// One object: a read, a create (`message: Created`) or an update (`message: Updated`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Single<T> {
    /// The object.
    pub data: T,
    /// `Created` or `Updated`; absent on a read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `Success`.
    pub status: Status,
}

impl<T> Single<T> {
    /// A read.
    pub fn read(data: T) -> Self {
        Single {
            data,
            message: None,
            status: Status::Success,
        }
    }

    /// A create (201).
    pub fn created(data: T) -> Self {
        Single {
            data,
            message: Some("Created".to_string()),
            status: Status::Success,
        }
    }

    /// An update (200).
    pub fn updated(data: T) -> Self {
        Single {
            data,
            message: Some("Updated".to_string()),
            status: Status::Success,
        }
    }
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List<T> {
    /// The page's objects.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// The number of matches in all pages: only with `count=true` on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The next page's URL, when there is one (tc-v3-wire.md §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The previous page's URL, when `resultStart` > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// `Success`.
    pub status: Status,
}

impl<T> List<T> {
    /// A page without count or links.
    pub fn new(data: Vec<T>) -> Self {
        List {
            data,
            count: None,
            next: None,
            prev: None,
            status: Status::Success,
        }
    }
}

/// An envelope without data: a delete (`Deleted`) or an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Message)]
pub struct Message {
    /// `Success` or `Error`.
    pub status: Status,
    /// What happened or what was wrong.
    pub message: String,
    /// A machine-readable error code, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err_code: Option<String>,
}

impl Message {
    /// `{"message": "Deleted", "status": "Success"}`.
    pub fn deleted() -> Self {
        Message {
            status: Status::Success,
            message: "Deleted".to_string(),
            err_code: None,
        }
    }

    /// `{"status": "Error", "message": message}`.
    pub fn error(message: impl Into<String>) -> Self {
        Message {
            status: Status::Error,
            message: message.into(),
            err_code: None,
        }
    }
}

/// Serialises an error envelope (never fails: a fixed body if serialisation should).
pub fn error_json(message: &str) -> Vec<u8> {
    serde_json::to_vec(&Message::error(message))
        .unwrap_or_else(|_| br#"{"status":"Error","message":"Internal error"}"#.to_vec())
}
