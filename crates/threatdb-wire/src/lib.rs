//! The ThreatConnect REST API v2 as it crosses the wire, shared by the threatdb server and SDK:
//! the JSON shapes of incidents and their metadata ([`dto`]), the success and failure envelopes
//! ([`envelope`]), the `filters=` grammar ([`filters`]) and HMAC request signing ([`signing`]).
#![warn(missing_docs)]
// The workspace denies unwrap outside tests; tests may unwrap.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod assoc;
pub mod dto;
pub mod envelope;
pub mod filters;
pub mod paths;
pub mod signing;

/// The exact `Content-Type` of every JSON response (no charset: the legacy SDK compares with `==`).
pub const CONTENT_TYPE_JSON: &str = "application/json";
