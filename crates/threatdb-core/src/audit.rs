//! The audit log: an append-only list of who did what, when, from where and with what outcome,
//! each entry chained to the one before by SHA-256 so that an entry altered, removed or inserted
//! afterwards is found by recomputing the chain ([`ChainCheck`]).
//!
//! An entry's hash covers the previous entry's hash and every field of the entry except its
//! number: the order is fixed by the links, and the numbers only help to say where a link is
//! broken. The first entry links to 32 zero bytes.

use crate::Timestamp;
use sha2::{Digest, Sha256};

/// The longest text kept in a field of an entry, in bytes (longer text is cut at a character
/// boundary and ends with `…`): a client cannot make the log grow faster than its requests.
pub const MAX_FIELD_BYTES: usize = 512;

/// What the first entry links to.
pub const GENESIS: [u8; 32] = [0; 32];

/// Who is recorded for the administrator's command line.
pub const ADMIN_USER: &str = "admin";

/// One entry to append (the store numbers and chains it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When it happened (whole seconds).
    pub at: Timestamp,
    /// The API user acting, when one is known.
    pub user_id: Option<i64>,
    /// Who acted: the user's name, a web login, [`ADMIN_USER`], the name a failed attempt
    /// claimed, or empty when nothing was claimed.
    pub user: String,
    /// Through what: `v2`, `v3`, `batch`, `taxii`, `web`, `admin` or `cli`.
    pub via: String,
    /// What: `write`, `auth.failure`, `auth.rate_limited`, `sign-in`, `sign-in.failure`,
    /// `sign-out`, `export`, `admin.<object>.<verb>`.
    pub action: String,
    /// On what: the request's method and path, an owner, a user.
    pub target: String,
    /// How it ended: an HTTP status (`201`), `ok`, or `error: <why>`.
    pub outcome: String,
    /// The client's address, for requests.
    pub address: Option<String>,
    /// The request id (`X-Request-Id`), for requests.
    pub request_id: Option<String>,
}

impl AuditRecord {
    /// A record of `action` by `user` through `via` now, every text field cut to
    /// [`MAX_FIELD_BYTES`].
    pub fn new(user: &str, via: &str, action: &str, target: &str, outcome: &str) -> Self {
        AuditRecord {
            at: crate::date::now(),
            user_id: None,
            user: cut(user),
            via: cut(via),
            action: cut(action),
            target: cut(target),
            outcome: cut(outcome),
            address: None,
            request_id: None,
        }
    }

    /// The hash of this record linked after `prev`.
    pub fn hash(&self, prev: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"threatdb audit 1\0");
        h.update(prev);
        h.update(self.at.unix_timestamp().to_be_bytes());
        match self.user_id {
            Some(id) => {
                h.update([1]);
                h.update(id.to_be_bytes());
            }
            None => h.update([0]),
        }
        for text in [
            Some(&self.user),
            Some(&self.via),
            Some(&self.action),
            Some(&self.target),
            Some(&self.outcome),
            self.address.as_ref(),
            self.request_id.as_ref(),
        ] {
            match text {
                Some(t) => {
                    h.update([1]);
                    h.update(u64::try_from(t.len()).unwrap_or(u64::MAX).to_be_bytes());
                    h.update(t.as_bytes());
                }
                None => h.update([0]),
            }
        }
        h.finalize().into()
    }
}

/// `text` cut to at most [`MAX_FIELD_BYTES`] bytes at a character boundary (with `…` when cut).
pub fn cut(text: &str) -> String {
    if text.len() <= MAX_FIELD_BYTES {
        return text.to_string();
    }
    let mut end = MAX_FIELD_BYTES.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    let mut out = text.get(..end).unwrap_or_default().to_string();
    out.push('…');
    out
}

/// A stored entry: its number, its record and its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its number: 1 for the first entry, one more for each after it.
    pub seq: i64,
    /// What it records.
    pub record: AuditRecord,
    /// The hash of the entry before it ([`GENESIS`] for the first).
    pub prev_hash: Vec<u8>,
    /// Its own hash: [`AuditRecord::hash`] of its record after `prev_hash`.
    pub hash: Vec<u8>,
}

/// The last entry of the log: where the next one links, and what an anchor names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// Its number (0 when the log is empty).
    pub seq: i64,
    /// Its hash ([`GENESIS`] when the log is empty).
    pub hash: [u8; 32],
}

impl AuditHead {
    /// The head of an empty log.
    pub fn empty() -> Self {
        AuditHead {
            seq: 0,
            hash: GENESIS,
        }
    }

    /// `SEQ:HEX`, the form `audit verify --anchor` takes and the server's checkpoints print.
    pub fn anchor(&self) -> String {
        format!("{}:{}", self.seq, hex(&self.hash))
    }
}

/// Which entries a reader wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entries at or after this time.
    pub since: Option<Timestamp>,
    /// Entries of this user (exactly).
    pub user: Option<String>,
    /// Entries of this action, or of the actions under it (`admin` takes `admin.owner.create`).
    pub action: Option<String>,
}

/// Where a page of entries starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCursor {
    /// Entries numbered above this one, oldest first (0: from the first).
    After(i64),
    /// Entries numbered below this one, newest first (`i64::MAX`: from the last).
    Before(i64),
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Bytes from hexadecimal (either case), or `None`.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Where the chain is broken, as `audit verify` names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditBreak {
    /// The entry's contents (or its hash) do not match its hash.
    #[error("entry {seq} was altered: its contents do not match its hash (or it was inserted)")]
    Altered {
        /// The entry.
        seq: i64,
    },
    /// Entries are missing between two that are there.
    #[error("entries {first} to {last} were removed: entry {next} links to another entry")]
    Removed {
        /// The first number missing.
        first: i64,
        /// The last number missing.
        last: i64,
        /// The entry after the gap.
        next: i64,
    },
    /// An entry that links to the one two places before it: the one between was inserted.
    #[error("entry {seq} was inserted: entry {next} links to the entry before it")]
    Inserted {
        /// The inserted entry.
        seq: i64,
        /// The entry after it.
        next: i64,
    },
    /// An entry whose link names no entry read: what it linked to was removed (and the numbers
    /// closed up) or replaced.
    #[error("the entry before entry {seq} was removed or replaced: entry {seq} links to no entry")]
    Unlinked {
        /// The entry whose link is broken.
        seq: i64,
    },
    /// The numbers jump while the links hold: entries were renumbered.
    #[error("entry {seq} follows entry {prev}: entries were renumbered")]
    Renumbered {
        /// The entry.
        seq: i64,
        /// The one before it.
        prev: i64,
    },
    /// The anchor given names an entry that is not there, or that has another hash.
    #[error("the anchor {anchor} does not hold: {why}")]
    Anchor {
        /// The anchor, as given.
        anchor: String,
        /// What was found instead.
        why: String,
    },
}

/// Recomputes the chain entry by entry, in number order; remembers only the last two links, so
/// a log of any length is checked in constant memory.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    prev_seq: i64,
    prev_hash: [u8; 32],
    before_prev: Option<(i64, [u8; 32])>,
    checked: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainCheck {
    /// A check from the first entry.
    pub fn new() -> Self {
        ChainCheck {
            prev_seq: 0,
            prev_hash: GENESIS,
            before_prev: None,
            checked: 0,
        }
    }

    /// Checks the next entry.
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), AuditBreak> {
        let link: Option<[u8; 32]> = e.prev_hash.as_slice().try_into().ok();
        let stored: Option<[u8; 32]> = e.hash.as_slice().try_into().ok();
        let Some(link) = link else {
            return Err(AuditBreak::Altered { seq: e.seq });
        };
        if stored != Some(e.record.hash(&link)) {
            return Err(AuditBreak::Altered { seq: e.seq });
        }
        let expected = self.prev_seq.saturating_add(1);
        if link != self.prev_hash {
            if e.seq > expected {
                return Err(AuditBreak::Removed {
                    first: expected,
                    last: e.seq.saturating_sub(1),
                    next: e.seq,
                });
            }
            if let Some((_, h)) = self.before_prev
                && h == link
            {
                return Err(AuditBreak::Inserted {
                    seq: self.prev_seq,
                    next: e.seq,
                });
            }
            return Err(AuditBreak::Unlinked { seq: e.seq });
        }
        if e.seq != expected {
            return Err(AuditBreak::Renumbered {
                seq: e.seq,
                prev: self.prev_seq,
            });
        }
        self.before_prev = Some((self.prev_seq, self.prev_hash));
        self.prev_seq = e.seq;
        self.prev_hash = link;
        if let Some(h) = stored {
            self.prev_hash = h;
        }
        self.checked = self.checked.saturating_add(1);
        Ok(())
    }

    /// How many entries held.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The last entry that held.
    pub fn head(&self) -> AuditHead {
        AuditHead {
            seq: self.prev_seq,
            hash: self.prev_hash,
        }
    }
}

/// An anchor `SEQ:HEX` read (the hash must be 64 hex digits).
pub fn parse_anchor(text: &str) -> Option<AuditHead> {
    let (seq, hash) = text.trim().split_once(':')?;
    let seq: i64 = seq.parse().ok().filter(|s| *s >= 0)?;
    let hash: [u8; 32] = unhex(hash)?.try_into().ok()?;
    Some(AuditHead { seq, hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|i| {
                let mut r =
                    AuditRecord::new("alice", "v2", "write", &format!("POST /x/{i}"), "201");
                r.at = Timestamp::from_unix_timestamp(1_700_000_000 + i as i64).unwrap();
                let hash = r.hash(&prev);
                let e = AuditEntry {
                    seq: i as i64,
                    record: r,
                    prev_hash: prev.to_vec(),
                    hash: hash.to_vec(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry]) -> Result<u64, AuditBreak> {
        let mut c = ChainCheck::new();
        for e in entries {
            c.check(e)?;
        }
        Ok(c.checked())
    }

    #[test]
    fn an_intact_chain_holds() {
        assert_eq!(verify(&chain(10)), Ok(10));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut c = chain(10);
        c[3].record.outcome = "200".into();
        assert_eq!(verify(&c), Err(AuditBreak::Altered { seq: 4 }));
        let mut c = chain(10);
        c[6].record.address = Some("10.0.0.1".into());
        assert_eq!(verify(&c), Err(AuditBreak::Altered { seq: 7 }));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut c = chain(10);
        c.remove(4);
        assert_eq!(
            verify(&c),
            Err(AuditBreak::Removed {
                first: 5,
                last: 5,
                next: 6
            })
        );
        // The first entries gone: the first left does not link to the start.
        let c = chain(10);
        assert_eq!(
            verify(&c[2..]),
            Err(AuditBreak::Removed {
                first: 1,
                last: 2,
                next: 3
            })
        );
        // Removed, and the numbers closed up.
        let mut c = chain(10);
        c.remove(4);
        for e in c.iter_mut().skip(4) {
            e.seq -= 1;
        }
        assert_eq!(verify(&c), Err(AuditBreak::Unlinked { seq: 5 }));
    }

    #[test]
    fn an_inserted_entry_is_named() {
        let mut c = chain(10);
        // A forged entry, chained correctly after entry 6, the rest renumbered.
        let mut forged = c[5].record.clone();
        forged.target = "POST /forged".into();
        let link: [u8; 32] = c[5].hash.clone().try_into().unwrap();
        let hash = forged.hash(&link);
        for e in c.iter_mut().skip(6) {
            e.seq += 1;
        }
        c.insert(
            6,
            AuditEntry {
                seq: 7,
                record: forged,
                prev_hash: link.to_vec(),
                hash: hash.to_vec(),
            },
        );
        assert_eq!(verify(&c), Err(AuditBreak::Inserted { seq: 7, next: 8 }));
    }

    #[test]
    fn anchors_round_trip() {
        let c = chain(3);
        let head = AuditHead {
            seq: 3,
            hash: c[2].hash.clone().try_into().unwrap(),
        };
        assert_eq!(parse_anchor(&head.anchor()), Some(head));
        assert_eq!(parse_anchor("3:abc"), None);
        assert_eq!(parse_anchor("x:00"), None);
    }

    #[test]
    fn long_fields_are_cut_at_a_character() {
        let long = "é".repeat(400);
        let cut = cut(&long);
        assert!(cut.len() <= MAX_FIELD_BYTES);
        assert!(cut.ends_with('…'));
        assert_eq!(super::cut("short"), "short");
    }
}
