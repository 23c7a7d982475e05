//! ThreatConnect's Batch API: a job of groups, indicators and associations that a client
//! uploads at once and the server writes in the background, deduplicating against what is
//! stored (groups by owner and `xid`, indicators by owner, type and normalised value).
//!
//! A job is kept in the store with its file, its settings, its progress and its error records.
//! It is written in chunks; each chunk's writes, error records and the job's progress commit in
//! one transaction, so a job interrupted by a crash resumes after its last committed chunk and
//! is never half-applied without saying so.

use crate::{
    IncidentName, IncidentStatus, IndicatorScores, IndicatorValue, ItemKind, NewAttribute, Owner,
    TagName, Timestamp,
};

/// What a job does with its items (`action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchAction {
    /// Create or update every item.
    Create,
    /// Delete every item.
    Delete,
}

/// How an item's tags or security labels change (`tagWriteType`, `securityLabelWriteType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetWrite {
    /// Add the incoming ones to the item's.
    Append,
    /// The item's are exactly the incoming ones afterwards (when the item carries the array).
    Replace,
}

/// How an item's attributes change (`attributeWriteType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeWrite {
    /// Add every incoming attribute, without a duplicate check.
    Append,
    /// The item's attributes are exactly the incoming ones afterwards.
    Replace,
    /// For each incoming attribute type, the item's attributes of that type are replaced.
    Singleton,
    /// Incoming attributes are ignored.
    Static,
}

/// A job's settings (the `config` part of an upload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSettings {
    /// Create or Delete.
    pub action: BatchAction,
    /// How attributes change.
    pub attributes: AttributeWrite,
    /// How tags change.
    pub tags: SetWrite,
    /// How security labels change.
    pub labels: SetWrite,
    /// Stop at the first item that produces an error record.
    pub halt_on_error: bool,
}

impl BatchSettings {
    /// A `Create` job that replaces what its items carry (attributes, tags, labels) and goes
    /// on past a failing item: what a tc-json import runs.
    pub fn create_replacing() -> Self {
        BatchSettings {
            action: BatchAction::Create,
            attributes: AttributeWrite::Replace,
            tags: SetWrite::Replace,
            labels: SetWrite::Replace,
            halt_on_error: false,
        }
    }
}

impl BatchSettings {
    /// The settings as the store keeps them: `action,attributes,tags,labels,halt`.
    pub fn encode(&self) -> String {
        let action = match self.action {
            BatchAction::Create => "Create",
            BatchAction::Delete => "Delete",
        };
        let attributes = match self.attributes {
            AttributeWrite::Append => "Append",
            AttributeWrite::Replace => "Replace",
            AttributeWrite::Singleton => "Singleton",
            AttributeWrite::Static => "Static",
        };
        let set = |w: SetWrite| match w {
            SetWrite::Append => "Append",
            SetWrite::Replace => "Replace",
        };
        format!(
            "{action},{attributes},{},{},{}",
            set(self.tags),
            set(self.labels),
            self.halt_on_error
        )
    }

    /// Reads what [`BatchSettings::encode`] wrote.
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.split(',');
        let action = match parts.next()? {
            "Create" => BatchAction::Create,
            "Delete" => BatchAction::Delete,
            _ => return None,
        };
        let attributes = match parts.next()? {
            "Append" => AttributeWrite::Append,
            "Replace" => AttributeWrite::Replace,
            "Singleton" => AttributeWrite::Singleton,
            "Static" => AttributeWrite::Static,
            _ => return None,
        };
        let set = |s: Option<&str>| match s? {
            "Append" => Some(SetWrite::Append),
            "Replace" => Some(SetWrite::Replace),
            _ => None,
        };
        let tags = set(parts.next())?;
        let labels = set(parts.next())?;
        let halt_on_error = parts.next()?.parse().ok()?;
        Some(BatchSettings {
            action,
            attributes,
            tags,
            labels,
            halt_on_error,
        })
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchState {
    /// Made by `POST /v2/batch`; waits for its file.
    Created,
    /// Has its file; waits for a runner.
    Queued,
    /// Being written.
    Running,
    /// Done (a failed job is Completed with errors).
    Completed,
}

impl BatchState {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Created => "Created",
            BatchState::Queued => "Queued",
            BatchState::Running => "Running",
            BatchState::Completed => "Completed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            BatchState::Created,
            BatchState::Queued,
            BatchState::Running,
            BatchState::Completed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// A job's status and counts. Counts are of items (groups and indicators); association
/// entries that fail count in `errors` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStatus {
    /// The job's id.
    pub id: i64,
    /// Where it stands.
    pub state: BatchState,
    /// Items (and association entries) that produced an error record.
    pub errors: u64,
    /// Items not attempted (a halt on error).
    pub unprocessed: u64,
    /// Groups written without an error record.
    pub success_groups: u64,
    /// Groups with an error record.
    pub error_groups: u64,
    /// Indicators written without an error record.
    pub success_indicators: u64,
    /// Indicators with an error record.
    pub error_indicators: u64,
}

impl BatchStatus {
    /// Items written without an error record.
    pub fn successes(&self) -> u64 {
        self.success_groups.saturating_add(self.success_indicators)
    }
}

/// The error codes of tcex's table (`0x1005`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchCode {
    /// `0x1001`: general.
    General,
    /// `0x1002`: permission.
    Permission,
    /// `0x1003`: the file is not valid JSON.
    JsonSyntax,
    /// `0x1004`: an internal failure.
    Internal,
    /// `0x1005`: an invalid indicator.
    InvalidIndicator,
    /// `0x1006`: an invalid group.
    InvalidGroup,
    /// `0x1007`: the item was not found.
    NotFound,
    /// `0x1009`: an association could not be made.
    Association,
}

impl BatchCode {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchCode::General => "0x1001",
            BatchCode::Permission => "0x1002",
            BatchCode::JsonSyntax => "0x1003",
            BatchCode::Internal => "0x1004",
            BatchCode::InvalidIndicator => "0x1005",
            BatchCode::InvalidGroup => "0x1006",
            BatchCode::NotFound => "0x1007",
            BatchCode::Association => "0x1009",
        }
    }
}

/// One error record of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    /// Its code (stored and shown as `0x1005`).
    pub code: String,
    /// What went wrong, naming the item.
    pub reason: String,
    /// The item's JSON, cut to [`MAX_SOURCE_CHARS`].
    pub source: String,
}

/// The most characters of an item's JSON an error record keeps.
pub const MAX_SOURCE_CHARS: usize = 300;

/// `text` cut to at most [`MAX_SOURCE_CHARS`] characters.
pub fn error_source(text: &str) -> String {
    text.chars().take(MAX_SOURCE_CHARS).collect()
}

/// What kind of group a batch group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// An incident.
    Incident,
    /// A group of another type.
    Item(ItemKind),
}

impl GroupKind {
    /// The wire `type` (`Incident`, `Adversary`, ...).
    pub fn type_name(self) -> &'static str {
        match self {
            GroupKind::Incident => "Incident",
            GroupKind::Item(k) => k.type_name(),
        }
    }

    /// The group type a wire `type` names (ASCII case ignored); `None` for one threatdb does
    /// not store.
    pub fn from_type_name(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("Incident") {
            return Some(GroupKind::Incident);
        }
        ItemKind::ALL
            .into_iter()
            .find(|k| k.is_group() && k.type_name().eq_ignore_ascii_case(name))
            .map(GroupKind::Item)
    }
}

/// A group to create or update, keyed by its owner and `xid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchGroup {
    /// The key within the owner.
    pub xid: String,
    /// Its type.
    pub kind: GroupKind,
    /// Its name.
    pub name: IncidentName,
    /// An incident's event date (required when the incident is created).
    pub event_date: Option<Timestamp>,
    /// An incident's status.
    pub status: Option<IncidentStatus>,
    /// A group of another type's own fields, a JSON object (`{}` when none).
    pub fields: String,
    /// Nested data; `None` when the item does not carry the array.
    pub nested: BatchNested,
}

/// An item's attributes, tags and labels; `None` when the item does not carry the array.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchNested {
    /// Attributes.
    pub attributes: Option<Vec<NewAttribute>>,
    /// Tags.
    pub tags: Option<Vec<TagName>>,
    /// Security labels, by name.
    pub labels: Option<Vec<String>>,
}

/// An indicator to create or update, keyed by its owner, type and normalised value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchIndicator {
    /// Its value.
    pub value: IndicatorValue,
    /// Its rating and confidence, when the item sets them.
    pub scores: IndicatorScores,
    /// Nested data.
    pub nested: BatchNested,
    /// The groups (by xid) it is associated with.
    pub group_xids: Vec<String>,
}

/// A group's own associations, made once every group and indicator of the job is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLinks {
    /// The group, by xid.
    pub xid: String,
    /// Other groups, by xid.
    pub group_xids: Vec<String>,
    /// Indicators, by value, in the job's owner.
    pub indicators: Vec<IndicatorValue>,
}

/// One unit of work of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOp {
    /// Create or update a group (its links come later, as [`BatchOp::Links`]).
    Group(BatchGroup),
    /// Create or update an indicator, and link it to groups.
    Indicator(BatchIndicator),
    /// A group's links.
    Links(BatchLinks),
    /// An `association` entry: two objects by xid (groups) or value (indicators).
    Associate(BatchEnd, BatchEnd),
    /// Delete the group with this xid.
    DeleteGroup(String),
    /// Delete this indicator.
    DeleteIndicator(IndicatorValue),
}

/// One end of an `association` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchEnd {
    /// A group, by xid.
    Group(String),
    /// An indicator, by value.
    Indicator(IndicatorValue),
}

/// Which count an item falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchClass {
    /// A group.
    Group,
    /// An indicator.
    Indicator,
    /// An association entry (counted only when it fails).
    Association,
}

/// What items added to a job's counts. A chunk's tally is a change of the counts: a group counted
/// as written in an earlier chunk whose links fail moves to the errors ([`BatchTally::links_failed`]),
/// so a count may go down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchTally {
    /// Groups written.
    pub success_groups: i64,
    /// Groups that failed.
    pub error_groups: i64,
    /// Indicators written.
    pub success_indicators: i64,
    /// Indicators that failed.
    pub error_indicators: i64,
    /// Items that failed (association entries included).
    pub errors: i64,
}

impl BatchTally {
    /// One item written (or not): an association entry counts only when it fails.
    pub fn count(&mut self, class: BatchClass, failed: bool) {
        let slot = match (class, failed) {
            (BatchClass::Group, false) => &mut self.success_groups,
            (BatchClass::Group, true) => &mut self.error_groups,
            (BatchClass::Indicator, false) => &mut self.success_indicators,
            (BatchClass::Indicator, true) => &mut self.error_indicators,
            (BatchClass::Association, false) => return,
            (BatchClass::Association, true) => &mut self.errors,
        };
        *slot = slot.saturating_add(1);
        if failed && class != BatchClass::Association {
            self.errors = self.errors.saturating_add(1);
        }
    }

    /// A group written earlier whose links failed: it moves from the successes to the errors
    /// (once per group: the caller knows whether it has already).
    pub fn links_failed(&mut self) {
        self.success_groups = self.success_groups.saturating_sub(1);
        self.error_groups = self.error_groups.saturating_add(1);
        self.errors = self.errors.saturating_add(1);
    }
}

/// One item of a chunk: its place in the file, its class, its JSON (for error records) and the
/// work, or the error record that parsing it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    /// Its number in the job (groups first, then indicators, then association entries).
    pub index: u64,
    /// Which count it falls in.
    pub class: BatchClass,
    /// What to do, or why it cannot be done.
    pub work: Result<BatchOp, BatchError>,
    /// Its JSON, cut (for a record made while writing it).
    pub source: String,
    /// How many items are never attempted when the job halts at this one.
    pub after: u64,
}

/// Where a job's writing stands: the phase and the next item of it. Phases: 0 groups,
/// 1 indicators, 2 group links, 3 association entries, 4 done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchProgress {
    /// The phase.
    pub phase: u8,
    /// The next item's position within the phase.
    pub next: u64,
}

/// A job handed to a runner: its file and where to go on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchClaim {
    /// The job's id.
    pub id: i64,
    /// The owner it writes.
    pub owner: Owner,
    /// Its settings.
    pub settings: BatchSettings,
    /// The batch file.
    pub file: Vec<u8>,
    /// Where writing stands.
    pub progress: BatchProgress,
    /// The runner's lease on the job: every chunk must present it.
    pub lease: String,
}

/// A chunk of a job to write in one transaction, with the progress it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchChunk {
    /// The job.
    pub job: i64,
    /// The runner's lease.
    pub lease: String,
    /// How long the lease lasts once this chunk is written, in seconds.
    pub lease_seconds: i64,
    /// The items, in order.
    pub items: Vec<BatchItem>,
    /// Where the job stands once the chunk is written.
    pub then: BatchProgress,
    /// This chunk ends the job.
    pub last: bool,
}

/// What writing a chunk did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkOutcome {
    /// An item produced an error record and the job halts on errors: the runner stops here
    /// (the job is completed with the rest unprocessed).
    pub halted: bool,
}
