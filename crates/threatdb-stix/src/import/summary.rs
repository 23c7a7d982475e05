//! What an import did (counted by STIX type, with the first refusals and remarks kept whole)
//! and why one stops.

use std::collections::BTreeMap;

use threatdb_core::{Imported, StoreError};

/// Rejections and notes kept with their text (the rest are counted).
const KEPT: usize = 1000;

/// What an import did, by STIX type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Created.
    pub created: BTreeMap<String, u64>,
    /// Stored already, older: updated.
    pub updated: BTreeMap<String, u64>,
    /// Stored already with the same `modified` (or a definition threatdb has built in).
    pub unchanged: BTreeMap<String, u64>,
    /// Stored already and newer here: left alone.
    pub older: BTreeMap<String, u64>,
    /// Refused, by type.
    pub rejected: BTreeMap<String, u64>,
    /// The first refusals: id and reason.
    pub rejections: Vec<(String, String)>,
    /// Properties not kept and other remarks: how many.
    pub noted: u64,
    /// The first of them: id and remark.
    pub notes: Vec<(String, String)>,
    /// When asked for ([`Importer::record_each`]): every object's outcome, in the order
    /// they were decided (a TAXII status lists them all).
    pub each: Option<Vec<(String, Result<(), String>)>>,
}

impl ImportSummary {
    pub(super) fn count(map: &mut BTreeMap<String, u64>, t: &str) {
        let n = map.entry(t.to_string()).or_default();
        *n = n.saturating_add(1);
    }

    pub(super) fn outcome(&mut self, t: &str, id: &str, imported: Imported) {
        if let Some(each) = &mut self.each {
            each.push((id.to_string(), Ok(())));
        }
        let map = match imported {
            Imported::Created => &mut self.created,
            Imported::Updated => &mut self.updated,
            Imported::Unchanged => &mut self.unchanged,
            Imported::Older => &mut self.older,
        };
        Self::count(map, t);
        if imported == Imported::Older {
            self.noted = self.noted.saturating_add(1);
        }
    }

    /// Counts a refusal.
    pub fn reject(&mut self, t: &str, id: &str, reason: impl Into<String>) {
        Self::count(&mut self.rejected, t);
        let reason = reason.into();
        if let Some(each) = &mut self.each {
            each.push((id.to_string(), Err(reason.clone())));
        }
        if self.rejections.len() < KEPT {
            self.rejections.push((id.to_string(), reason));
        }
    }

    /// Counts a remark.
    pub fn note(&mut self, id: &str, note: impl Into<String>) {
        self.noted = self.noted.saturating_add(1);
        if self.notes.len() < KEPT {
            self.notes.push((id.to_string(), note.into()));
        }
    }

    /// Every object counted.
    pub fn total(&self) -> u64 {
        [
            &self.created,
            &self.updated,
            &self.unchanged,
            &self.older,
            &self.rejected,
        ]
        .iter()
        .flat_map(|m| m.values())
        .sum()
    }

    /// Objects refused.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }
}

/// Why an import stopped (a refused object does not stop it).
#[derive(Debug)]
pub enum ImportError {
    /// The store failed.
    Store(StoreError),
    /// `--atomic` and some objects are refused: nothing was written.
    Refused(u64),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Store(e) => write!(f, "the store failed: {e}"),
            ImportError::Refused(n) => write!(
                f,
                "{n} objects are refused (listed above); with --atomic nothing was written"
            ),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}
