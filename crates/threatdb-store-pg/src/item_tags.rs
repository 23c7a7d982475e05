//! Tags and security labels on items and indicators, from their owner's tags and usable labels
//! (the incident rules: idempotent add, NotFound when removing one that is not there).

use crate::associations::{authorized_item, find_indicator};
use crate::metadata::resolve_label;
use crate::rows::{self, LABEL_COLUMNS};
use crate::{authorize, backend, now};
use sqlx::PgConnection;
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

pub(crate) async fn resolve(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    access: Access,
) -> StoreResult<Row> {
    Ok(match on {
        Taggable::Item(kind, id) => {
            let item = authorized_item(conn, actor, *kind, *id, access).await?;
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
            let ind = find_indicator(conn, owner.id, value).await?;
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

pub async fn tags_of(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
) -> StoreResult<Vec<Tag>> {
    let r = resolve(conn, actor, on, Access::Read).await?;
    let sql = format!(
        "SELECT t.name FROM {} x JOIN tags t ON t.id = x.tag_id WHERE x.{} = $1 ORDER BY t.name_key",
        r.table, r.column
    );
    let names: Vec<String> = sqlx::query_scalar(&sql)
        .bind(r.id)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(names.into_iter().map(|name| Tag { name }).collect())
}

pub(crate) async fn touch(conn: &mut PgConnection, r: &Row) -> StoreResult<()> {
    let sql = format!("UPDATE {} SET last_modified = $1 WHERE id = $2", r.own);
    sqlx::query(&sql)
        .bind(now())
        .bind(r.id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn tag(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    tag: &TagName,
) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write).await?;
    // The first spelling of a tag is kept, as for incidents.
    let tag_id: i64 = sqlx::query_scalar(
        "INSERT INTO tags (owner_id, name, name_key) VALUES ($1, $2, $3) \
         ON CONFLICT (owner_id, name_key) DO UPDATE SET name = tags.name RETURNING id",
    )
    .bind(r.owner)
    .bind(tag.as_str())
    .bind(tag.key())
    .fetch_one(&mut *conn)
    .await
    .map_err(backend)?;
    let sql = format!(
        "INSERT INTO {} ({}, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        r.table, r.column
    );
    let done = sqlx::query(&sql)
        .bind(r.id)
        .bind(tag_id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    if done.rows_affected() > 0 {
        touch(conn, &r).await?;
    }
    Ok(())
}

pub async fn untag(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    tag: &str,
) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write).await?;
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1 AND tag_id = (SELECT id FROM tags WHERE owner_id = $2 AND name_key = $3)",
        r.table, r.column
    );
    let done = sqlx::query(&sql)
        .bind(r.id)
        .bind(r.owner)
        .bind(tag_key(tag))
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, &r).await
}

pub async fn labels_of(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
) -> StoreResult<Vec<SecurityLabel>> {
    let r = resolve(conn, actor, on, Access::Read).await?;
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM {} x JOIN security_labels l ON l.id = x.label_id \
         WHERE x.{} = $1 ORDER BY l.name_key",
        r.labels, r.column
    );
    let found = sqlx::query(&sql)
        .bind(r.id)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    found.iter().map(|row| rows::label(row, 0)).collect()
}

pub async fn label(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    label: &str,
) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write).await?;
    let label = resolve_label(conn, r.owner, label).await?;
    let sql = format!(
        "INSERT INTO {} ({}, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        r.labels, r.column
    );
    let done = sqlx::query(&sql)
        .bind(r.id)
        .bind(label)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    if done.rows_affected() > 0 {
        touch(conn, &r).await?;
    }
    Ok(())
}

pub async fn unlabel(
    conn: &mut PgConnection,
    actor: &Actor,
    on: &Taggable,
    label: &str,
) -> StoreResult<()> {
    let r = resolve(conn, actor, on, Access::Write).await?;
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1 AND label_id IN (SELECT id FROM security_labels WHERE name_key = $2)",
        r.labels, r.column
    );
    let done = sqlx::query(&sql)
        .bind(r.id)
        .bind(label_key(label))
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, &r).await
}
