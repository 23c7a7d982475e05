//! Column lists and the decoding of rows into domain values, once for every backend; and the
//! small query helpers every operation uses.

// Column offsets (`at + 1`) are small constants of this file, never request data.
#![allow(clippy::arithmetic_side_effects)]

use crate::db::{Cells, Db, Sql};
use threatdb_core::{
    Attribute, Incident, IncidentStatus, Indicator, IndicatorKind, Item, ItemKind, Membership,
    Owner, OwnerKind, Role, SecurityLabel, StoreError, StoreResult,
};

/// The columns [`incident`] reads, in order, for `incidents i JOIN owners o`.
pub const INCIDENT_COLUMNS: &str = "i.id, i.owner_id, o.name, o.kind, i.name, i.event_date, i.status, \
     i.date_added, i.last_modified, i.created_by, i.xid";

/// Columns: id, type, value, displayed, source, date_added, last_modified (alias `a`).
pub const ATTRIBUTE_COLUMNS: &str =
    "a.id, a.type, a.value, a.displayed, a.source, a.date_added, a.last_modified";

/// Columns: name, description, color, date_added (alias `l`).
pub const LABEL_COLUMNS: &str = "l.name, l.description, l.color, l.date_added, l.id";

/// The columns [`item`] reads, for `items it JOIN owners o`.
pub const ITEM_COLUMNS: &str = "it.id, it.kind, it.owner_id, o.name, o.kind, it.name, it.fields, \
     it.date_added, it.last_modified, it.xid";

/// The columns [`indicator`] reads, for `indicators d JOIN owners o`.
pub const INDICATOR_COLUMNS: &str = "d.id, d.kind, d.owner_id, o.name, o.kind, d.value, d.date_added, d.last_modified, \
     d.rating, d.confidence, d.stix_id";

fn corrupt(what: &str) -> StoreError {
    StoreError::backend_msg(format!("unexpected {what} in the database"))
}

/// Reads an owner from columns id, name, kind starting at `at`.
pub fn owner(r: &dyn Cells, at: usize) -> StoreResult<Owner> {
    Ok(Owner {
        id: r.int(at)?,
        name: r.text(at + 1)?,
        kind: OwnerKind::parse(&r.text(at + 2)?).map_err(|_| corrupt("owner kind"))?,
    })
}

/// Reads a membership from columns owner id, name, kind, role starting at `at`.
pub fn membership(r: &dyn Cells, at: usize) -> StoreResult<Membership> {
    Ok(Membership {
        owner: owner(r, at)?,
        role: Role::parse(&r.text(at + 3)?).map_err(|_| corrupt("role"))?,
    })
}

/// Reads an incident ([`INCIDENT_COLUMNS`]).
pub fn incident(r: &dyn Cells) -> StoreResult<Incident> {
    incident_at(r, 0)
}

/// Reads an incident whose columns ([`INCIDENT_COLUMNS`]) start at index `at`.
pub fn incident_at(r: &dyn Cells, at: usize) -> StoreResult<Incident> {
    Ok(Incident {
        id: r.int(at)?,
        owner: owner(r, at + 1)?,
        name: r.text(at + 4)?,
        event_date: r.time(at + 5)?,
        status: IncidentStatus::parse(&r.text(at + 6)?).map_err(|_| corrupt("status"))?,
        date_added: r.time(at + 7)?,
        last_modified: r.time(at + 8)?,
        created_by: r.text(at + 9)?,
        xid: r.text(at + 10)?,
    })
}

/// Reads an attribute whose columns ([`ATTRIBUTE_COLUMNS`]) start at index `at`.
pub fn attribute(r: &dyn Cells, at: usize) -> StoreResult<Attribute> {
    Ok(Attribute {
        id: r.int(at)?,
        kind: r.text(at + 1)?,
        value: r.text(at + 2)?,
        displayed: r.boolean(at + 3)?,
        source: r.opt_text(at + 4)?,
        date_added: r.time(at + 5)?,
        last_modified: r.time(at + 6)?,
    })
}

/// Reads a label whose columns ([`LABEL_COLUMNS`]) start at index `at`.
pub fn label(r: &dyn Cells, at: usize) -> StoreResult<SecurityLabel> {
    Ok(SecurityLabel {
        name: r.text(at)?,
        description: r.text(at + 1)?,
        color: r.text(at + 2)?,
        date_added: r.time(at + 3)?,
        id: r.int(at + 4)?,
    })
}

/// Reads an item ([`ITEM_COLUMNS`]).
pub fn item(r: &dyn Cells) -> StoreResult<Item> {
    item_at(r, 0)
}

/// Reads an item whose columns ([`ITEM_COLUMNS`]) start at index `at`.
pub fn item_at(r: &dyn Cells, at: usize) -> StoreResult<Item> {
    Ok(Item {
        id: r.int(at)?,
        kind: ItemKind::from_url(&r.text(at + 1)?).ok_or_else(|| corrupt("item kind"))?,
        owner: owner(r, at + 2)?,
        name: r.text(at + 5)?,
        fields: r.text(at + 6)?,
        date_added: r.time(at + 7)?,
        last_modified: r.time(at + 8)?,
        xid: r.opt_text(at + 9)?,
    })
}

/// Reads an indicator ([`INDICATOR_COLUMNS`]).
pub fn indicator(r: &dyn Cells) -> StoreResult<Indicator> {
    indicator_at(r, 0)
}

/// Reads an indicator whose columns ([`INDICATOR_COLUMNS`]) start at index `at`.
pub fn indicator_at(r: &dyn Cells, at: usize) -> StoreResult<Indicator> {
    Ok(Indicator {
        id: r.int(at)?,
        kind: IndicatorKind::from_url(&r.text(at + 1)?).ok_or_else(|| corrupt("indicator kind"))?,
        owner: owner(r, at + 2)?,
        value: r.text(at + 5)?,
        date_added: r.time(at + 6)?,
        last_modified: r.time(at + 7)?,
        rating: r
            .opt_float(at + 8)?
            .and_then(|v| threatdb_core::rating_hundredths(v).ok()),
        confidence: r.opt_int(at + 9)?.and_then(|v| u8::try_from(v).ok()),
        stix_id: r.opt_text(at + 10)?,
    })
}

/// The first column of the first row as an integer, if there is a row.
pub async fn int<D: Db>(db: &mut D, sql: Sql<'_>) -> StoreResult<Option<i64>> {
    db.fetch_optional(sql, |r| r.int(0)).await
}

/// A count (the first column of the only row).
pub async fn count<D: Db>(db: &mut D, sql: Sql<'_>) -> StoreResult<u64> {
    Ok(int(db, sql)
        .await?
        .map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// The first row through `map`, or NotFound.
pub async fn one<D: Db, T: Send>(
    db: &mut D,
    sql: Sql<'_>,
    map: impl FnOnce(&dyn Cells) -> StoreResult<T> + Send,
) -> StoreResult<T> {
    db.fetch_optional(sql, map)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A page size or offset as a bound integer.
pub fn int_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
