//! What the web UI's dashboard shows of an owner: its incidents by status and by security
//! label, its most used tags, the incidents added in each of the last weeks, and the incidents
//! changed last with their newest change. Every figure is read from counters or index ranges:
//! the weeks count the incidents added in them, nothing counts all of an owner's incidents.

use crate::history::HistoryEntry;
use crate::{Incident, Timestamp};

/// Weeks the "added per week" chart covers.
pub const WEEKS: usize = 12;

/// The dashboard of one owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// How many incidents in each status (none listed at zero), most first.
    pub by_status: Vec<(String, u64)>,
    /// How many incidents carry each security label, most first.
    pub by_label: Vec<(String, u64)>,
    /// The tags on most incidents, most first (at most ten).
    pub top_tags: Vec<(String, u64)>,
    /// Incidents added in each of the last [`WEEKS`] weeks (Monday to Monday, UTC), oldest
    /// first: the week's first day and the count.
    pub per_week: Vec<(Timestamp, u64)>,
    /// The incidents changed last, newest first, each with its newest recorded change.
    pub recent: Vec<(Incident, Option<HistoryEntry>)>,
}
