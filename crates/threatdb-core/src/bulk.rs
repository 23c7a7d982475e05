//! Bulk loading for benchmarks and imports: many incidents in few transactions, with their tags,
//! attributes and labels, bypassing per-request authorization (an operator operation).

use crate::{AttributeType, IncidentStatus, StoreResult, Timestamp};
use async_trait::async_trait;

/// One incident to load, with everything hanging off it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedIncident {
    /// The owner.
    pub owner_id: i64,
    /// The name (already valid).
    pub name: String,
    /// When the event happened.
    pub event_date: Timestamp,
    /// When it was added.
    pub date_added: Timestamp,
    /// Its status.
    pub status: IncidentStatus,
    /// Recorded as `createdBy`.
    pub created_by: String,
    /// Ids of tags of the same owner (from [`BulkLoad::bulk_tags`]).
    pub tag_ids: Vec<i64>,
    /// Attributes: type and value.
    pub attributes: Vec<(&'static AttributeType, String)>,
    /// A security label's id (from [`BulkLoad::label_id`]).
    pub label_id: Option<i64>,
}

/// The store's bulk path.
#[async_trait]
pub trait BulkLoad: Send + Sync {
    /// Creates (or finds) tags in an owner; returns their ids in the order given.
    async fn bulk_tags(&self, owner_id: i64, names: Vec<String>) -> StoreResult<Vec<i64>>;
    /// The id of a system security label, by name.
    async fn label_id(&self, name: &str) -> StoreResult<i64>;
    /// Inserts a batch of incidents in one transaction; returns how many. Ids ascend in the
    /// order given within each owner (a store may give one owner's incidents theirs first).
    async fn bulk_incidents(&self, batch: Vec<SeedIncident>) -> StoreResult<u64>;
    /// Called once after a bulk load: the store may refresh statistics.
    async fn bulk_done(&self) -> StoreResult<()> {
        Ok(())
    }
}
