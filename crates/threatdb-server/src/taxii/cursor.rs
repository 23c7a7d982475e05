//! What a client asks of a collection and where its walk stands: the filters (`added_after`,
//! `match[...]`) and the keyset cursor `next` (time, rank, id, objects of that unit already
//! sent, and a digest of the filters it was issued for).

use super::TaxiiError;
use base64::Engine;
use serde_json::Value;
use std::collections::BTreeSet;
use threatdb_core::ChangedKind;

/// What a client filters on (`added_after` and the `match[...]` parameters).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Filters {
    /// Objects added strictly after this (whole seconds: threatdb keeps no fraction).
    pub added_after: Option<i64>,
    /// Only these STIX types.
    pub types: Option<BTreeSet<String>>,
    /// Only these `spec_version`s.
    pub spec_versions: Option<BTreeSet<String>>,
    /// Only versions with these `modified` times (`None`: `last`, `first` or `all`, which are
    /// the same here: threatdb keeps one version of each object).
    pub versions: Option<BTreeSet<String>>,
    /// Only objects with these STIX ids (absent from the digest when not asked, so cursors
    /// issued before it existed stay valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<BTreeSet<String>>,
}

impl Filters {
    /// A digest of the filters that does not change between builds (a cursor outlives a
    /// server upgrade): SHA-256 of their JSON (sets are sorted), first 8 bytes.
    fn digest(&self) -> u64 {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut first = [0u8; 8];
        first.copy_from_slice(Sha256::digest(&json).get(..8).unwrap_or(&[0; 8]));
        u64::from_le_bytes(first)
    }

    pub(super) fn admits(&self, object: &Value) -> bool {
        let field = |k: &str| {
            object
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        self.types
            .as_ref()
            .is_none_or(|t| t.contains(&field("type")))
            && self.ids.as_ref().is_none_or(|i| i.contains(&field("id")))
            && self
                .spec_versions
                .as_ref()
                .is_none_or(|v| v.contains(&field("spec_version")))
            && self
                .versions
                .as_ref()
                .is_none_or(|v| v.contains(&version(object)))
    }

    pub(super) fn wants(&self, stix_type: &str) -> bool {
        self.types.as_ref().is_none_or(|t| t.contains(stix_type))
            && self.ids.as_ref().is_none_or(|ids| {
                ids.iter()
                    .any(|id| id.split_once("--").is_some_and(|(t, _)| t == stix_type))
            })
    }

    /// The STIX look-up keys of the ids asked for (`None`: no `match[id]`).
    pub(super) fn stix_keys(&self) -> Option<Vec<i64>> {
        let ids = self.ids.as_ref()?;
        Some(
            ids.iter()
                .filter_map(|id| threatdb_core::stix_id::key(id))
                .collect(),
        )
    }
}

/// An object's version: `modified`, or `created` for objects that are never modified.
pub fn version(object: &Value) -> String {
    object
        .get("modified")
        .and_then(Value::as_str)
        .or_else(|| object.get("created").and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

/// Where a page starts: at the unit (time, rank, id), its first `sub` objects already sent
/// (`added_after` is a position after every unit of its second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub(super) time: i64,
    pub(super) rank: u8,
    pub(super) id: i64,
    pub(super) sub: usize,
}

/// Ranks: the definitions, then the three tables; `AFTER_ALL` sorts after every unit of a
/// second (the position `added_after` names).
pub(super) const DEFINITIONS: u8 = 0;
pub(super) const AFTER_ALL: u8 = 9;

pub(super) fn rank(kind: ChangedKind) -> u8 {
    match kind {
        ChangedKind::Incident => 1,
        ChangedKind::Item => 2,
        ChangedKind::Indicator => 3,
    }
}

impl Cursor {
    /// The opaque `next` value.
    pub fn encode(&self, filters: &Filters) -> String {
        let text = format!(
            "1.{}.{}.{}.{}.{:x}",
            self.time,
            self.rank,
            self.id,
            self.sub,
            filters.digest()
        );
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }

    /// Reads a `next` value issued for the same filters; anything else is a 400.
    pub fn decode(next: &str, filters: &Filters) -> Result<Cursor, TaxiiError> {
        let bad = || {
            TaxiiError::bad_request(
                "This next value was not issued by this server for these filters: start again without it",
            )
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(next.trim())
            .map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let parts: Vec<&str> = text.split('.').collect();
        let [version, time, rank, id, sub, hash] = parts.as_slice() else {
            return Err(bad());
        };
        if *version != "1" || *hash != format!("{:x}", filters.digest()) {
            return Err(bad());
        }
        let time: i64 = time.parse().map_err(|_| bad())?;
        // No object changed before 1970 or after 9999: a time outside is not ours (and would
        // make the store start from the beginning).
        if !(0..=253_402_300_799).contains(&time) {
            return Err(bad());
        }
        Ok(Cursor {
            time,
            rank: rank.parse().map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
            sub: sub.parse().map_err(|_| bad())?,
        })
    }

    /// The `sub`-th object of the unit at `key`.
    pub(super) fn at((time, rank, id): (i64, u8, i64), sub: usize) -> Cursor {
        Cursor {
            time,
            rank,
            id,
            sub,
        }
    }

    pub(super) fn key(&self) -> (i64, u8, i64) {
        (self.time, self.rank, self.id)
    }
}
