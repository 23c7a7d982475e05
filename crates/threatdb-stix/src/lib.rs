//! STIX 2.1 for threatdb (the contract is `stix-taxii.md`, summarised in `docs/stix.md`):
//! deterministic ids shaped as UUIDv4, the official TLP 2.0 markings, the Incident Core
//! Extension, threatdb's own property extension, the mapping of incidents, other groups,
//! indicators and associations to STIX objects, and a streaming export over the store.

pub mod export;
pub mod fixed;
pub use threatdb_core::stix_id as ids;
pub mod import;
pub mod objects;

pub use export::{ExportError, Exporter, Sink, Summary};
pub use import::{ImportError, ImportSummary, Importer};
