//! One page of a collection: the owner's definitions (its identity, threatdb's software
//! identity and extension, the TLP markings and the owner's own labels) and its objects in the
//! order they last changed, each unit (an object and, for an incident, its relationships)
//! at the time it last changed, from a keyset [`Cursor`].

use super::TaxiiError;
use super::cursor::{AFTER_ALL, DEFINITIONS, rank};
pub use super::cursor::{Cursor, Filters, version};
use crate::AppState;
use serde_json::Value;
use std::collections::VecDeque;
use threatdb_core::{
    Actor, Change, ChangeKey, ChangeQuery, ChangedKind, ItemKind, Owner, Timestamp,
};
use threatdb_stix::{fixed, objects};

/// Objects whose last change is this recent are not sent yet (see [`read`]).
pub const SETTLE_SECONDS: i64 = 2;
/// The largest page (a larger `limit` is answered with this many).
pub const MAX_LIMIT: usize = 1000;
/// The page when no `limit` is given.
pub const DEFAULT_LIMIT: usize = 100;

/// An object with the time it was added to the collection.
pub struct Placed {
    /// Its `date_added`.
    pub date_added: Timestamp,
    /// The STIX object.
    pub object: Value,
}

/// A page of objects and, when more follow, the cursor to them.
pub struct Page {
    /// The objects.
    pub objects: Vec<Placed>,
    /// Present exactly when more objects match.
    pub next: Option<Cursor>,
}

/// An object (or an incident with its relationships) at one position of the order.
struct Unit {
    key: (i64, u8, i64),
    date_added: Timestamp,
    objects: Vec<Value>,
}

/// The owner's definitions, in order.
async fn definitions(
    state: &AppState,
    actor: &Actor,
    owner: &Owner,
    filters: &Filters,
) -> Result<Vec<Unit>, TaxiiError> {
    let at =
        |s: &str| threatdb_core::parse_timestamp(s).unwrap_or(threatdb_core::date::from_unix(0));
    let mut out = Vec::new();
    let mut push = |date_added: Timestamp, id: i64, object: Value| {
        out.push(Unit {
            key: (date_added.unix_timestamp(), DEFINITIONS, id),
            date_added,
            objects: vec![object],
        });
    };
    push(
        at("2000-01-01T00:00:00Z"),
        0,
        objects::owner_identity(owner),
    );
    for (n, t) in (1..).zip(fixed::TLP.iter()) {
        let created = if t.v1 {
            "2017-01-20T00:00:00Z"
        } else {
            "2022-10-01T00:00:00Z"
        };
        push(at(created), n, fixed::tlp_marking(t));
    }
    push(at("2026-12-01T00:00:00Z"), 20, fixed::software_identity());
    push(
        at("2026-12-01T00:00:00Z"),
        21,
        fixed::extension_definition(),
    );
    if filters.wants("marking-definition") {
        for label in state.store.list_labels(actor, owner).await? {
            if fixed::tlp(&label.name).is_none() {
                push(
                    label.date_added,
                    1000i64.saturating_add(label.id),
                    objects::custom_marking(owner, &label),
                );
            }
        }
    }
    out.sort_by_key(|u| u.key);
    Ok(out)
}

/// What the store is asked for, from the types filtered on.
fn change_query(owner: &Owner, filters: &Filters, limit: usize) -> Option<ChangeQuery> {
    let items: Vec<ItemKind> = threatdb_stix::export::exported_kinds()
        .into_iter()
        .filter(|k| objects::item_type(*k).is_some_and(|t| filters.wants(t)))
        .collect();
    let query = ChangeQuery {
        owner: owner.clone(),
        after: None,
        // An incident's unit holds its relationships (which are not looked up by id).
        incidents: filters.wants("incident")
            || (filters.ids.is_none() && filters.wants("relationship")),
        items,
        indicators: filters.wants("indicator"),
        limit: u64::try_from(limit)
            .unwrap_or(1000)
            .clamp(1, ChangeQuery::MAX_LIMIT),
        stix_keys: filters.stix_keys(),
    };
    (query.incidents || query.indicators || !query.items.is_empty()).then_some(query)
}

/// The store position to read after, for a page starting at `start` (the unit of a partly
/// sent cursor is read again).
fn store_after(start: Option<Cursor>) -> Option<ChangeKey> {
    let c = start?;
    let modified = threatdb_core::date::from_unix(c.time);
    let (kind, id) = match c.rank {
        DEFINITIONS => (ChangedKind::Incident, i64::MIN),
        1 => (ChangedKind::Incident, c.id),
        2 => (ChangedKind::Item, c.id),
        3 => (ChangedKind::Indicator, c.id),
        _ => (ChangedKind::Indicator, i64::MAX),
    };
    // The cursor's own unit is read again (its first `sub` objects are skipped).
    let id = if (1..=3).contains(&c.rank) {
        id.saturating_sub(1)
    } else {
        id
    };
    Some(ChangeKey { modified, kind, id })
}

/// A unit of the store's objects.
fn unit_of(change: &Change) -> Unit {
    let key = change.key();
    Unit {
        key: (key.modified.unix_timestamp(), rank(key.kind), key.id),
        date_added: key.modified,
        objects: threatdb_stix::export::unit(change),
    }
}

/// Reads one page of `owner`'s collection for `actor`: at most `limit` objects matching
/// `filters`, after `cursor` (or after `filters.added_after`). A page may hold fewer when the
/// filters matched little among `Limits::taxii_scan_budget` units; it then says `more` with a cursor.
pub async fn read(
    state: &AppState,
    actor: &Actor,
    owner: &Owner,
    filters: &Filters,
    cursor: Option<Cursor>,
    limit: usize,
) -> Result<Page, TaxiiError> {
    let start = cursor.or_else(|| {
        filters.added_after.map(|t| Cursor {
            time: t,
            rank: AFTER_ALL,
            id: i64::MAX,
            sub: 0,
        })
    });
    let begins = |key: (i64, u8, i64)| match start {
        None => Some(0),
        Some(c) if key > c.key() => Some(0),
        Some(c) if key == c.key() => Some(c.sub),
        Some(_) => None,
    };
    // Nothing here is of another spec version: no need to look.
    if filters
        .spec_versions
        .as_ref()
        .is_some_and(|v| !v.contains("2.1"))
    {
        return Ok(Page {
            objects: Vec::new(),
            next: None,
        });
    }
    let mut head: VecDeque<Unit> = definitions(state, actor, owner, filters)
        .await?
        .into_iter()
        .filter(|u| begins(u.key).is_some())
        .collect();
    // An incident comes with its relationships, so a page of `limit` objects rarely needs
    // `limit` units: read a quarter first, and twice as many each time more are needed.
    let mut query = change_query(owner, filters, (limit / 4).saturating_add(1));
    if let Some(q) = query.as_mut() {
        q.after = store_after(start);
    }
    let mut batch: VecDeque<Change> = VecDeque::new();
    let mut exhausted = query.is_none();
    let mut out: Vec<Placed> = Vec::new();
    // Times are whole seconds and a write may commit a moment after it took its time: what
    // changed in the last `SETTLE_SECONDS` is not sent yet, so a client that continues after
    // the last `date_added` it saw cannot miss an object written in that same second.
    let horizon = threatdb_core::date::now()
        .unix_timestamp()
        .saturating_sub(SETTLE_SECONDS);
    let mut examined = 0usize;
    loop {
        if batch.is_empty()
            && !exhausted
            && let Some(q) = query.as_mut()
        {
            let page = state.store.changes(actor, q).await?;
            exhausted = (page.len() as u64) < q.limit;
            if let Some(last) = page.last() {
                q.after = Some(last.key());
            }
            batch.extend(page);
            // A filter that skipped the whole batch reads the next one twice as large, so a
            // sparse match costs a few statements, not one per `limit + 1` objects.
            q.limit = q.limit.saturating_mul(2).min(ChangeQuery::MAX_LIMIT);
        }
        let take_head = match (head.front(), batch.front()) {
            (None, None) => {
                return Ok(Page {
                    objects: out,
                    next: None,
                });
            }
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(h), Some(c)) => {
                let k = c.key();
                h.key < (k.modified.unix_timestamp(), rank(k.kind), k.id)
            }
        };
        let unit = if take_head {
            match head.pop_front() {
                Some(u) => u,
                None => continue,
            }
        } else {
            match batch.pop_front() {
                Some(change) => unit_of(&change),
                None => continue,
            }
        };
        // An object asked for by id is sent at once (DECISIONS 95).
        if unit.key.0 > horizon && filters.ids.is_none() {
            return Ok(Page {
                objects: out,
                next: None,
            });
        }
        // Every unit built counts, even one that lies before the start.
        examined = examined.saturating_add(1);
        let Some(skip) = begins(unit.key) else {
            continue;
        };
        if examined > state.limits.taxii_scan_budget.saturating_add(limit) {
            return Ok(Page {
                objects: out,
                next: Some(Cursor::at(unit.key, skip)),
            });
        }
        for (at, object) in unit.objects.into_iter().enumerate().skip(skip) {
            if !filters.admits(&object) {
                continue;
            }
            if out.len() >= limit {
                return Ok(Page {
                    objects: out,
                    next: Some(Cursor::at(unit.key, at)),
                });
            }
            out.push(Placed {
                date_added: unit.date_added,
                object,
            });
        }
    }
}
