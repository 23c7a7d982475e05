//! Attributes, tags and security labels of incidents.

use crate::incidents::{authorize_incident, touch};
use crate::rows::{self, ATTRIBUTE_COLUMNS, LABEL_COLUMNS};
use crate::{backend, now};
use sqlx::PgConnection;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Attribute, AttributePatch, AttributeType, NewAttribute, SecurityLabel, StoreError,
    StoreResult, Tag, TagName, label_key, tag::tag_key,
};

pub async fn attributes(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
) -> StoreResult<Vec<Attribute>> {
    authorize_incident(conn, actor, incident, Access::Read).await?;
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM attributes a WHERE a.incident_id = $1 ORDER BY a.id"
    );
    let found = sqlx::query(&sql)
        .bind(incident)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    found.iter().map(|r| rows::attribute(r, 0)).collect()
}

/// Loads one attribute of an incident, after checking `access` on the incident.
pub async fn attribute(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    id: i64,
    access: Access,
) -> StoreResult<Attribute> {
    Ok(attribute_in(conn, actor, incident, id, access).await?.1)
}

/// [`attribute`], with the owner of its incident (checked once).
async fn attribute_in(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    id: i64,
    access: Access,
) -> StoreResult<(i64, Attribute)> {
    let owner = authorize_incident(conn, actor, incident, access).await?;
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM attributes a WHERE a.incident_id = $1 AND a.id = $2"
    );
    let row = sqlx::query(&sql)
        .bind(incident)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    Ok((
        owner,
        rows::attribute(&row.ok_or(StoreError::NotFound)?, 0)?,
    ))
}

pub async fn add_attribute(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    new: NewAttribute,
) -> StoreResult<Attribute> {
    authorize_incident(conn, actor, incident, Access::Write).await?;
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attributes (incident_id, type, value, displayed, source, date_added, last_modified) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(incident)
    .bind(new.kind.name)
    .bind(&new.value)
    .bind(new.displayed)
    .bind(&new.source)
    .bind(t)
    .bind(t)
    .fetch_one(&mut *conn)
    .await
    .map_err(backend)?;
    touch(conn, incident).await?;
    attribute(conn, actor, incident, id, Access::Read).await
}

pub async fn update_attribute(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    id: i64,
    patch: AttributePatch,
) -> StoreResult<Attribute> {
    let current = attribute(conn, actor, incident, id, Access::Write).await?;
    if let Some(value) = &patch.value {
        AttributeType::lookup(&current.kind)?.check_value(value)?;
    }
    sqlx::query(
        "UPDATE attributes SET value = coalesce($1, value), displayed = coalesce($2, displayed), \
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
    touch(conn, incident).await?;
    attribute(conn, actor, incident, id, Access::Read).await
}

pub async fn delete_attribute(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    id: i64,
) -> StoreResult<()> {
    attribute(conn, actor, incident, id, Access::Write).await?;
    sqlx::query("DELETE FROM attributes WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    touch(conn, incident).await
}

/// Resolves a label name usable in the incident's owner: its own labels first, then the system ones.
pub(crate) async fn resolve_label(
    conn: &mut PgConnection,
    owner: i64,
    name: &str,
) -> StoreResult<i64> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM security_labels WHERE (owner_id = $1 OR owner_id IS NULL) AND name_key = $2 \
         ORDER BY owner_id IS NULL LIMIT 1",
    )
    .bind(owner)
    .bind(label_key(name))
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?;
    id.ok_or_else(|| {
        StoreError::Invalid(format!("Security label '{}' does not exist", name.trim()))
    })
}

pub async fn attribute_labels(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    id: i64,
) -> StoreResult<Vec<SecurityLabel>> {
    attribute(conn, actor, incident, id, Access::Read).await?;
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM attribute_labels al JOIN security_labels l ON l.id = al.label_id \
         WHERE al.attribute_id = $1 ORDER BY l.name_key"
    );
    let found = sqlx::query(&sql)
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    found.iter().map(|r| rows::label(r, 0)).collect()
}

pub async fn add_attribute_label(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    id: i64,
    label: &str,
) -> StoreResult<()> {
    let (owner, _) = attribute_in(conn, actor, incident, id, Access::Write).await?;
    let label = resolve_label(conn, owner, label).await?;
    sqlx::query("INSERT INTO attribute_labels (attribute_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(id)
        .bind(label)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn remove_attribute_label(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    id: i64,
    label: &str,
) -> StoreResult<()> {
    attribute(conn, actor, incident, id, Access::Write).await?;
    let done = sqlx::query(
        "DELETE FROM attribute_labels WHERE attribute_id = $1 AND label_id IN \
         (SELECT id FROM security_labels WHERE name_key = $2)",
    )
    .bind(id)
    .bind(label_key(label))
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn tags(conn: &mut PgConnection, actor: &Actor, incident: i64) -> StoreResult<Vec<Tag>> {
    authorize_incident(conn, actor, incident, Access::Read).await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT t.name FROM incident_tags it JOIN tags t ON t.id = it.tag_id WHERE it.incident_id = $1 ORDER BY t.name_key",
    )
    .bind(incident)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?;
    Ok(names.into_iter().map(|name| Tag { name }).collect())
}

pub async fn add_tag(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    tag: &TagName,
) -> StoreResult<()> {
    let owner = authorize_incident(conn, actor, incident, Access::Write).await?;
    // The first spelling of a tag is kept: a later `apt29` finds `APT29` and changes nothing.
    let tag_id: i64 = sqlx::query_scalar(
        "INSERT INTO tags (owner_id, name, name_key) VALUES ($1, $2, $3) \
         ON CONFLICT (owner_id, name_key) DO UPDATE SET name = tags.name RETURNING id",
    )
    .bind(owner)
    .bind(tag.as_str())
    .bind(tag.key())
    .fetch_one(&mut *conn)
    .await
    .map_err(backend)?;
    let added = sqlx::query(
        "INSERT INTO incident_tags (incident_id, tag_id, event_date) \
         SELECT id, $2, event_date FROM incidents WHERE id = $1 ON CONFLICT DO NOTHING",
    )
    .bind(incident)
    .bind(tag_id)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    if added.rows_affected() > 0 {
        touch(conn, incident).await?;
    }
    Ok(())
}

pub async fn remove_tag(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    tag: &str,
) -> StoreResult<()> {
    let owner = authorize_incident(conn, actor, incident, Access::Write).await?;
    let done = sqlx::query(
        "DELETE FROM incident_tags WHERE incident_id = $1 AND tag_id = \
         (SELECT id FROM tags WHERE owner_id = $2 AND name_key = $3)",
    )
    .bind(incident)
    .bind(owner)
    .bind(tag_key(tag))
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, incident).await
}

pub async fn labels(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
) -> StoreResult<Vec<SecurityLabel>> {
    authorize_incident(conn, actor, incident, Access::Read).await?;
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM incident_labels il JOIN security_labels l ON l.id = il.label_id \
         WHERE il.incident_id = $1 ORDER BY l.name_key"
    );
    let found = sqlx::query(&sql)
        .bind(incident)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    found.iter().map(|r| rows::label(r, 0)).collect()
}

pub async fn add_label(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    label: &str,
) -> StoreResult<()> {
    let owner = authorize_incident(conn, actor, incident, Access::Write).await?;
    let label = resolve_label(conn, owner, label).await?;
    let added = sqlx::query(
        "INSERT INTO incident_labels (incident_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(incident)
    .bind(label)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    if added.rows_affected() > 0 {
        touch(conn, incident).await?;
    }
    Ok(())
}

pub async fn remove_label(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    label: &str,
) -> StoreResult<()> {
    authorize_incident(conn, actor, incident, Access::Write).await?;
    let done = sqlx::query(
        "DELETE FROM incident_labels WHERE incident_id = $1 AND label_id IN \
         (SELECT id FROM security_labels WHERE name_key = $2)",
    )
    .bind(incident)
    .bind(label_key(label))
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, incident).await
}

pub async fn owner_labels(conn: &mut PgConnection, owner: i64) -> StoreResult<Vec<SecurityLabel>> {
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM security_labels l WHERE l.owner_id IS NULL OR l.owner_id = $1 ORDER BY l.name_key"
    );
    let found = sqlx::query(&sql)
        .bind(owner)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    found.iter().map(|r| rows::label(r, 0)).collect()
}

pub async fn owner_tags(
    conn: &mut PgConnection,
    owner: i64,
    start: u64,
    limit: u64,
) -> StoreResult<(Option<u64>, Vec<Tag>)> {
    let total = if start == 0 {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tags WHERE owner_id = $1")
            .bind(owner)
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
        Some(n as u64)
    } else {
        None
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM tags WHERE owner_id = $1 ORDER BY name_key LIMIT $2 OFFSET $3",
    )
    .bind(owner)
    .bind(limit as i64)
    .bind(start as i64)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?;
    Ok((total, names.into_iter().map(|name| Tag { name }).collect()))
}

pub async fn owner_tag(conn: &mut PgConnection, owner: i64, name: &str) -> StoreResult<Tag> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM tags WHERE owner_id = $1 AND name_key = $2")
            .bind(owner)
            .bind(tag_key(name))
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
    name.map(|name| Tag { name }).ok_or(StoreError::NotFound)
}
