//! Tags and security labels on items and indicators, from their owner's tags and usable labels
//! (the incident rules: idempotent add, NotFound when removing one that is not there).

use crate::associations::{authorized_item, find_indicator};
use crate::metadata::{resolve_label, tag_id};
use crate::rows::{self, LABEL_COLUMNS, all, exec};
use crate::{authorize, now};
use rusqlite::{Connection, params};
use threatdb_core::policy::Access;
use threatdb_core::tag::tag_key;
use threatdb_core::{
    Actor, SecurityLabel, StoreError, StoreResult, Tag, TagName, Taggable, label_key,
};

/// The tagged row: its owner, link table, link column, id and own table (fixed names only).
pub(crate) struct Row {
    pub(crate) owner: i64,
    table: &'static str,
    pub(crate) column: &'static str,
    pub(crate) id: i64,
    own: &'static str,
    labels: &'static str,
}

pub(crate) fn resolve(
    conn: &Connection,
    actor: &Actor,
    on: &Taggable,
    access: Access,
) -> StoreResult<Row> {
    Ok(match on {
        Taggable::Item(kind, id) => {
            let item = authorized_item(conn, actor, *kind, *id, access)?;
            Row {
                owner: item.owner.id,
                table: "item_tags",
                column: "item_id",
                id: item.id,
                own: "items",
                labels: "item_labels",
            }
        }
        Taggable::Indicator(owner, value) => {
            authorize(actor, owner.id, access)?;
            let ind = find_indicator(conn, owner.id, value)?;
            Row {
                owner: owner.id,
                table: "indicator_tags",
                column: "indicator_id",
                id: ind.id,
                own: "indicators",
                labels: "indicator_labels",
            }
        }
    })
}

pub fn tags_of(conn: &Connection, actor: &Actor, on: &Taggable) -> StoreResult<Vec<Tag>> {
    let r = resolve(conn, actor, on, Access::Read)?;
    let sql = format!(
        "SELECT t.name FROM {} x JOIN tags t ON t.id = x.tag_id WHERE x.{} = ?1 ORDER BY t.name_key",
        r.table, r.column
    );
    all(conn, &sql, [r.id], |row| Ok(Tag { name: row.get(0)? }))
}

pub(crate) fn touch(conn: &Connection, r: &Row) -> StoreResult<()> {
    let sql = format!("UPDATE {} SET last_modified = ?1 WHERE id = ?2", r.own);
    exec(conn, &sql, params![now(), r.id])?;
    Ok(())
}

pub fn tag(conn: &Connection, actor: &Actor, on: &Taggable, tag: &TagName) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write)?;
    let tag = tag_id(conn, r.owner, tag)?;
    let sql = format!(
        "INSERT INTO {} ({}, tag_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        r.table, r.column
    );
    if exec(conn, &sql, [r.id, tag])? > 0 {
        touch(conn, &r)?;
    }
    Ok(())
}

pub fn untag(conn: &Connection, actor: &Actor, on: &Taggable, tag: &str) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write)?;
    let sql = format!(
        "DELETE FROM {} WHERE {} = ?1 AND tag_id = (SELECT id FROM tags WHERE owner_id = ?2 AND name_key = ?3)",
        r.table, r.column
    );
    if exec(conn, &sql, params![r.id, r.owner, tag_key(tag)])? == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, &r)
}

pub fn labels_of(
    conn: &Connection,
    actor: &Actor,
    on: &Taggable,
) -> StoreResult<Vec<SecurityLabel>> {
    let r = resolve(conn, actor, on, Access::Read)?;
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM {} x JOIN security_labels l ON l.id = x.label_id \
         WHERE x.{} = ?1 ORDER BY l.name_key",
        r.labels, r.column
    );
    all(conn, &sql, [r.id], |row| rows::label(row, 0))
}

pub fn label(conn: &Connection, actor: &Actor, on: &Taggable, label: &str) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write)?;
    let label = resolve_label(conn, r.owner, label)?;
    let sql = format!(
        "INSERT INTO {} ({}, label_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        r.labels, r.column
    );
    if exec(conn, &sql, [r.id, label])? > 0 {
        touch(conn, &r)?;
    }
    Ok(())
}

pub fn unlabel(conn: &Connection, actor: &Actor, on: &Taggable, label: &str) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write)?;
    let sql = format!(
        "DELETE FROM {} WHERE {} = ?1 AND label_id IN (SELECT id FROM security_labels WHERE name_key = ?2)",
        r.labels, r.column
    );
    if exec(conn, &sql, params![r.id, label_key(label)])? == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, &r)
}
