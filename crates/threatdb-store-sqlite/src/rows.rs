//! Turning rows into domain values.

use rusqlite::Row;
use threatdb_core::date::from_unix;
use threatdb_core::{
    Attribute, Incident, IncidentStatus, Owner, OwnerKind, SecurityLabel, StoreResult,
};

/// The columns [`incident`] reads, in order, for `incidents i JOIN owners o`.
pub const INCIDENT_COLUMNS: &str = "i.id, i.owner_id, o.name, o.kind, i.name, i.event_date, i.status, \
     i.date_added, i.last_modified, i.created_by, i.xid";

/// Columns: id, type, value, displayed, source, date_added, last_modified.
pub const ATTRIBUTE_COLUMNS: &str =
    "a.id, a.type, a.value, a.displayed, a.source, a.date_added, a.last_modified";

/// Columns: name, description, color, date_added.
pub const LABEL_COLUMNS: &str = "l.name, l.description, l.color, l.date_added";

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(
        0,
        format!("unexpected {what} in the database"),
        rusqlite::types::Type::Text,
    )
}

/// Parses a stored owner kind.
pub fn owner_kind(s: &str) -> rusqlite::Result<OwnerKind> {
    OwnerKind::parse(s).map_err(|_| corrupt("owner kind"))
}

/// Parses a stored role.
pub fn role(s: &str) -> rusqlite::Result<threatdb_core::Role> {
    threatdb_core::Role::parse(s).map_err(|_| corrupt("role"))
}

/// Reads an incident (columns [`INCIDENT_COLUMNS`]).
pub fn incident(r: &Row) -> rusqlite::Result<Incident> {
    let status: String = r.get(6)?;
    Ok(Incident {
        id: r.get(0)?,
        owner: Owner {
            id: r.get(1)?,
            name: r.get(2)?,
            kind: owner_kind(&r.get::<_, String>(3)?)?,
        },
        name: r.get(4)?,
        event_date: from_unix(r.get(5)?),
        status: IncidentStatus::parse(&status).map_err(|_| corrupt("status"))?,
        date_added: from_unix(r.get(7)?),
        last_modified: from_unix(r.get(8)?),
        created_by: r.get(9)?,
        xid: r.get(10)?,
    })
}

/// Reads an attribute whose columns start at index `at`.
pub fn attribute(r: &Row, at: usize) -> rusqlite::Result<Attribute> {
    Ok(Attribute {
        id: r.get(at)?,
        kind: r.get(at + 1)?,
        value: r.get(at + 2)?,
        displayed: r.get(at + 3)?,
        source: r.get(at + 4)?,
        date_added: from_unix(r.get(at + 5)?),
        last_modified: from_unix(r.get(at + 6)?),
    })
}

/// Reads a label whose columns start at index `at`.
pub fn label(r: &Row, at: usize) -> rusqlite::Result<SecurityLabel> {
    Ok(SecurityLabel {
        name: r.get(at)?,
        description: r.get(at + 1)?,
        color: r.get(at + 2)?,
        date_added: from_unix(r.get(at + 3)?),
    })
}

/// Reads an owner from columns id, name, kind starting at `at`.
pub fn owner(r: &Row, at: usize) -> rusqlite::Result<Owner> {
    Ok(Owner {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        kind: owner_kind(&r.get::<_, String>(at + 2)?)?,
    })
}

/// Collects a query's rows through `map`.
pub fn all<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(crate::backend)?;
    let rows = stmt.query_map(params, map).map_err(crate::backend)?;
    rows.collect::<rusqlite::Result<Vec<T>>>()
        .map_err(crate::backend)
}

/// The first row of a query through `map`, if any.
pub fn one<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnOnce(&Row) -> rusqlite::Result<T>,
) -> StoreResult<Option<T>> {
    use rusqlite::OptionalExtension;
    let mut stmt = conn.prepare_cached(sql).map_err(crate::backend)?;
    stmt.query_row(params, map)
        .optional()
        .map_err(crate::backend)
}

/// Runs a statement; returns the number of rows changed.
pub fn exec(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<usize> {
    let mut stmt = conn.prepare_cached(sql).map_err(crate::backend)?;
    stmt.execute(params).map_err(crate::backend)
}
