//! Attributes of items and indicators (`item_attributes`): the incident's rules, on the owner of
//! the item or indicator.

use crate::item_tags::{Row, resolve, touch};
use crate::rows::{self, ATTRIBUTE_COLUMNS};
use crate::{backend, now};
use sqlx::PgConnection;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Attribute, AttributePatch, AttributeType, NewAttribute, StoreError, StoreResult,
    Taggable,
};

/// One attribute of the resolved item or indicator.
async fn load(conn: &mut PgConnection, r: &Row, id: i64) -> StoreResult<Attribute> {
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM item_attributes a WHERE a.{} = $1 AND a.id = $2",
        r.column
    );
    let row = sqlx::query(&sql)
        .bind(r.id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    rows::attribute(&row.ok_or(StoreError::NotFound)?, 0)
}

pub async fn list(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
) -> StoreResult<Vec<Attribute>> {
    let r = resolve(conn, actor, on, Access::Read).await?;
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM item_attributes a WHERE a.{} = $1 ORDER BY a.id",
        r.column
    );
    let found = sqlx::query(&sql)
        .bind(r.id)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    found.iter().map(|row| rows::attribute(row, 0)).collect()
}

pub async fn add(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    new: NewAttribute,
) -> StoreResult<Attribute> {
    let r = resolve(conn, actor, on, Access::Write).await?;
    let sql = format!(
        "INSERT INTO item_attributes ({}, type, value, displayed, source, date_added, last_modified) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        r.column
    );
    let id: i64 = sqlx::query_scalar(&sql)
        .bind(r.id)
        .bind(new.kind.name)
        .bind(&new.value)
        .bind(new.displayed)
        .bind(&new.source)
        .bind(now())
        .fetch_one(&mut *conn)
        .await
        .map_err(backend)?;
    touch(conn, &r).await?;
    load(conn, &r, id).await
}

pub async fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    id: i64,
    patch: AttributePatch,
) -> StoreResult<Attribute> {
    let r = resolve(conn, actor, on, Access::Write).await?;
    let current = load(conn, &r, id).await?;
    if let Some(value) = &patch.value {
        AttributeType::lookup(&current.kind)?.check_value(value)?;
    }
    sqlx::query(
        "UPDATE item_attributes SET value = coalesce($1, value), displayed = coalesce($2, displayed), \
         source = coalesce($3, source), last_modified = $4 WHERE id = $5",
    )
    .bind(&patch.value)
    .bind(patch.displayed)
    .bind(&patch.source)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    touch(conn, &r).await?;
    load(conn, &r, id).await
}

pub async fn delete(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    id: i64,
) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write).await?;
    load(conn, &r, id).await?;
    sqlx::query("DELETE FROM item_attributes WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    touch(conn, &r).await
}
