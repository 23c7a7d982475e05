//! Turning rows into domain values.

use sqlx::Row;
use sqlx::postgres::PgRow;

use threatdb_core::{
    Attribute, Incident, IncidentStatus, Owner, OwnerKind, SecurityLabel, StoreError, StoreResult,
};

/// The columns [`incident`] reads, in order, for `incidents i JOIN owners o`.
pub const INCIDENT_COLUMNS: &str = "i.id, i.owner_id, o.name, o.kind, i.name, i.event_date, i.status, \
     i.date_added, i.last_modified, i.created_by, i.xid";

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("unexpected value in the database: {what}"))
}

pub fn owner_kind(s: &str) -> StoreResult<OwnerKind> {
    OwnerKind::parse(s).map_err(|_| corrupt("owner kind"))
}

pub fn incident(r: &PgRow) -> StoreResult<Incident> {
    let status: String = r.try_get(6).map_err(crate::backend)?;
    Ok(Incident {
        id: r.try_get(0).map_err(crate::backend)?,
        owner: Owner {
            id: r.try_get(1).map_err(crate::backend)?,
            name: r.try_get(2).map_err(crate::backend)?,
            kind: owner_kind(r.try_get(3).map_err(crate::backend)?)?,
        },
        name: r.try_get(4).map_err(crate::backend)?,
        event_date: r.try_get(5).map_err(crate::backend)?,
        status: IncidentStatus::parse(&status).map_err(|_| corrupt("status"))?,
        date_added: r.try_get(7).map_err(crate::backend)?,
        last_modified: r.try_get(8).map_err(crate::backend)?,
        created_by: r.try_get(9).map_err(crate::backend)?,
        xid: r.try_get(10).map_err(crate::backend)?,
    })
}

/// Columns: id, type, value, displayed, source, date_added, last_modified.
pub const ATTRIBUTE_COLUMNS: &str =
    "a.id, a.type, a.value, a.displayed, a.source, a.date_added, a.last_modified";

/// Reads an attribute whose columns start at index `at`.
pub fn attribute(r: &PgRow, at: usize) -> StoreResult<Attribute> {
    Ok(Attribute {
        id: r.try_get(at).map_err(crate::backend)?,
        kind: r.try_get(at + 1).map_err(crate::backend)?,
        value: r.try_get(at + 2).map_err(crate::backend)?,
        displayed: r.try_get(at + 3).map_err(crate::backend)?,
        source: r.try_get(at + 4).map_err(crate::backend)?,
        date_added: r.try_get(at + 5).map_err(crate::backend)?,
        last_modified: r.try_get(at + 6).map_err(crate::backend)?,
    })
}

/// Columns: name, description, color, date_added.
pub const LABEL_COLUMNS: &str = "l.name, l.description, l.color, l.date_added";

/// Reads a label whose columns start at index `at`.
pub fn label(r: &PgRow, at: usize) -> StoreResult<SecurityLabel> {
    Ok(SecurityLabel {
        name: r.try_get(at).map_err(crate::backend)?,
        description: r.try_get(at + 1).map_err(crate::backend)?,
        color: r.try_get(at + 2).map_err(crate::backend)?,
        date_added: r.try_get(at + 3).map_err(crate::backend)?,
    })
}

/// The actor of a user from its rows, one per membership, whose columns from `at` on are
/// `o.id, o.name, o.kind, m.role`. `None` when the user is not a member of its organization.
pub fn actor(
    found: &[PgRow],
    at: usize,
    user_id: i64,
    name: String,
    organization: i64,
) -> StoreResult<Option<threatdb_core::Actor>> {
    let mut memberships = Vec::with_capacity(found.len());
    for row in found {
        let role: String = row.try_get(at + 3).map_err(crate::backend)?;
        memberships.push(threatdb_core::Membership {
            owner: Owner {
                id: row.try_get(at).map_err(crate::backend)?,
                name: row.try_get(at + 1).map_err(crate::backend)?,
                kind: owner_kind(row.try_get(at + 2).map_err(crate::backend)?)?,
            },
            role: threatdb_core::Role::parse(&role).map_err(|e| StoreError::Backend(e.0))?,
        });
    }
    let Some(default_owner) = memberships
        .iter()
        .find(|m| m.owner.id == organization)
        .map(|m| m.owner.clone())
    else {
        return Ok(None);
    };
    Ok(Some(threatdb_core::Actor {
        user_id,
        name,
        default_owner,
        memberships,
    }))
}
