//! The ThreatConnect REST API v2 as it crosses the wire, shared by the threatdb server and SDK:
//! the JSON shapes of incidents and their metadata ([`dto`]), the success and failure envelopes
//! ([`envelope`]), the `filters=` grammar ([`filters`]) and HMAC request signing ([`signing`]);
//! and the v3 API: its JSON shapes and envelopes ([`v3`]) and TQL ([`tql`]).

// Request data passes through this crate: no arithmetic that can overflow, no indexing or
// string slicing that can panic (checked forms, `get`, `split_once` instead).
#![deny(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::string_slice
)]
#![cfg_attr(
    test,
    allow(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]
#![warn(missing_docs)]
// The workspace denies unwrap outside tests; tests may unwrap.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod assoc;
pub mod batch;
pub mod batch_export;
pub mod dto;
pub mod envelope;
pub mod filters;
pub mod paths;
pub mod signing;
pub mod tql;
pub mod v3;

/// The exact `Content-Type` of every JSON response (no charset: the legacy SDK compares with `==`).
pub const CONTENT_TYPE_JSON: &str = "application/json";
