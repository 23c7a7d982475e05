//! A Rust client for the ThreatConnect REST API v2 (threatdb or any compatible server) whose
//! use reads like the ThreatConnect Python SDK, line for line, and whose requests are the ones
//! that SDK sends.
//!
//! ```no_run
//! # async fn run() -> Result<(), threatdb_sdk::Error> {
//! use threatdb_sdk::ThreatConnect;
//!
//! let tc = ThreatConnect::from_env()?;
//!
//! // instantiate Incidents object
//! let mut incidents = tc.incidents();
//!
//! // set a filter to retrieve only the Incident with ID: 123456
//! let filter1 = incidents.add_filter();
//! filter1.add_id(123456);
//!
//! // retrieve the Incident
//! if let Err(e) = incidents.retrieve().await {
//!     eprintln!("Error: {e}");
//!     std::process::exit(1);
//! }
//!
//! // iterate through the retrieved Incidents (in this case there should only be one) and print its properties
//! for incident in &incidents {
//!     println!("{}", incident.id());
//!     println!("{}", incident.name());
//!     println!("{}", incident.date_added());
//!     println!("{}", incident.weblink());
//!
//!     // Incident specific property
//!     println!("{}", incident.event_date().unwrap_or_default());
//!
//!     println!();
//! }
//! # Ok(()) }
//! ```
//!
//! Deleting, as the seed's last example:
//!
//! ```no_run
//! # async fn run(tc: threatdb_sdk::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
//! let incidents = tc.incidents();
//!
//! let owner = "Example Community";
//!
//! // create an empty Incident
//! let mut incident = incidents.add("", owner);
//! // set the ID of the new Incident to the ID of the Incident you would like to delete
//! incident.set_id(123456);
//!
//! // delete the Incident - no API calls are made until this line
//! incident.delete().await?;
//! # Ok(()) }
//! ```
//!
//! Every request carries `createActivityLog=false` (see
//! [`ThreatConnect::set_activity_log`]), query values are form-encoded (`Example+Community`),
//! path values percent-encoded (`Nation%20State`), and the HMAC signature covers the request
//! target exactly as sent. [`blocking`] has the same API without `async`.
#![warn(missing_docs)]

pub mod blocking;
mod client;
mod clock;
mod config;
mod error;
mod filter;
mod incident;
mod incidents;
mod read;
mod request;
pub mod retrieve;
mod transport;
mod types;
pub mod v3;

pub use client::{CA_CERT_ENV, ThreatConnect, User};
pub use clock::{Clock, FixedClock, Sleep, SystemClock};
pub use config::{Credentials, ENV_VARS, TOKEN_ENV, parse_env_file};
pub use error::{Error, Result};
pub use filter::{FilterOperator, FilterSetOperator, INCIDENT_FILTERS, IncidentFilter, IntoOwners};
pub use incident::{Incident, Phase};
pub use incidents::Incidents;
pub use request::{Method, encode_query_value};
pub use transport::{DEFAULT_RESULT_LIMIT, MAX_RESULT_LIMIT, MAX_RETRY_AFTER};
pub use types::{GroupType, IndicatorType};

/// The JSON shapes the API sends, shared with the threatdb server.
pub mod dto {
    pub use threatdb_wire::assoc::{IndicatorDto as Indicator, ItemDto as Item};
    pub use threatdb_wire::dto::{
        AttributeDto as Attribute, IncidentDto, OwnerDto as Owner,
        SecurityLabelDto as SecurityLabel, TagDto as Tag,
    };
}

/// `filters=` clauses for [`IncidentFilter::add_server_filter`].
pub mod server_filters {
    pub use threatdb_wire::filters::{Clause, Field, Op};
}

/// Percent-encodes a path segment as the Python SDK does (`quote(v, safe='~')`).
pub use threatdb_wire::paths::encode_segment;
