//! Attributes of items and indicators (`item_attributes`): the incident's rules, on the owner of
//! the item or indicator.

use crate::item_tags::{Row, resolve, touch};
use crate::now;
use crate::rows::{self, ATTRIBUTE_COLUMNS, all, exec, one};
use rusqlite::{Connection, params};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Attribute, AttributePatch, AttributeType, NewAttribute, StoreError, StoreResult,
    Taggable,
};

/// One attribute of the resolved item or indicator.
fn load(conn: &Connection, r: &Row, id: i64) -> StoreResult<Attribute> {
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM item_attributes a WHERE a.{} = ?1 AND a.id = ?2",
        r.column
    );
    one(conn, &sql, [r.id, id], |row| rows::attribute(row, 0))?.ok_or(StoreError::NotFound)
}

pub fn list(conn: &Connection, actor: &Actor, on: &Taggable) -> StoreResult<Vec<Attribute>> {
    let r = resolve(conn, actor, on, Access::Read)?;
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM item_attributes a WHERE a.{} = ?1 ORDER BY a.id",
        r.column
    );
    all(conn, &sql, [r.id], |row| rows::attribute(row, 0))
}

pub fn add(
    conn: &Connection,
    actor: &Actor,
    on: &Taggable,
    new: &NewAttribute,
) -> StoreResult<Attribute> {
    let r = resolve(conn, actor, on, Access::Write)?;
    let sql = format!(
        "INSERT INTO item_attributes ({}, type, value, displayed, source, date_added, last_modified) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
        r.column
    );
    let t = now();
    let id: i64 = one(
        conn,
        &sql,
        params![r.id, new.kind.name, new.value, new.displayed, new.source, t],
        |row| row.get(0),
    )?
    .ok_or(StoreError::NotFound)?;
    touch(conn, &r)?;
    load(conn, &r, id)
}

pub fn update(
    conn: &Connection,
    actor: &Actor,
    on: &Taggable,
    id: i64,
    patch: &AttributePatch,
) -> StoreResult<Attribute> {
    let r = resolve(conn, actor, on, Access::Write)?;
    let current = load(conn, &r, id)?;
    if let Some(value) = &patch.value {
        AttributeType::lookup(&current.kind)?.check_value(value)?;
    }
    exec(
        conn,
        "UPDATE item_attributes SET value = coalesce(?1, value), displayed = coalesce(?2, displayed), \
         source = coalesce(?3, source), last_modified = ?4 WHERE id = ?5",
        params![patch.value, patch.displayed, patch.source, now(), id],
    )?;
    touch(conn, &r)?;
    load(conn, &r, id)
}

pub fn delete(conn: &Connection, actor: &Actor, on: &Taggable, id: i64) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write)?;
    load(conn, &r, id)?;
    exec(conn, "DELETE FROM item_attributes WHERE id = ?1", [id])?;
    touch(conn, &r)
}
