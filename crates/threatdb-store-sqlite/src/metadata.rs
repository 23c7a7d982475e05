//! Attributes, tags and security labels of incidents. Synchronous, like [`crate::incidents`].

use crate::incidents::{authorize_incident, touch};
use crate::now;
use crate::rows::{self, ATTRIBUTE_COLUMNS, LABEL_COLUMNS, all, exec, one};
use rusqlite::{Connection, params};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Attribute, AttributePatch, AttributeType, NewAttribute, SecurityLabel, StoreError,
    StoreResult, Tag, TagName, label_key, tag::tag_key,
};

pub fn attributes(conn: &Connection, actor: &Actor, incident: i64) -> StoreResult<Vec<Attribute>> {
    authorize_incident(conn, actor, incident, Access::Read)?;
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM attributes a WHERE a.incident_id = ?1 ORDER BY a.id"
    );
    all(conn, &sql, [incident], |r| rows::attribute(r, 0))
}

/// Loads one attribute of an incident, after checking `access` on the incident; returns the
/// incident's owner too.
pub fn attribute(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    id: i64,
    access: Access,
) -> StoreResult<(i64, Attribute)> {
    let owner = authorize_incident(conn, actor, incident, access)?;
    let sql = format!(
        "SELECT {ATTRIBUTE_COLUMNS} FROM attributes a WHERE a.incident_id = ?1 AND a.id = ?2"
    );
    let found =
        one(conn, &sql, [incident, id], |r| rows::attribute(r, 0))?.ok_or(StoreError::NotFound)?;
    Ok((owner, found))
}

pub fn add_attribute(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    new: &NewAttribute,
) -> StoreResult<Attribute> {
    authorize_incident(conn, actor, incident, Access::Write)?;
    let t = now();
    let id: i64 = one(
        conn,
        "INSERT INTO attributes (incident_id, type, value, displayed, source, date_added, last_modified) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
        params![incident, new.kind.name, new.value, new.displayed, new.source, t],
        |r| r.get(0),
    )?
    .ok_or(StoreError::NotFound)?;
    touch(conn, incident)?;
    Ok(attribute(conn, actor, incident, id, Access::Read)?.1)
}

pub fn update_attribute(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    id: i64,
    patch: &AttributePatch,
) -> StoreResult<Attribute> {
    let (_, current) = attribute(conn, actor, incident, id, Access::Write)?;
    if let Some(value) = &patch.value {
        AttributeType::lookup(&current.kind)?.check_value(value)?;
    }
    exec(
        conn,
        "UPDATE attributes SET value = coalesce(?1, value), displayed = coalesce(?2, displayed), \
         source = coalesce(?3, source), last_modified = ?4 WHERE id = ?5",
        params![patch.value, patch.displayed, patch.source, now(), id],
    )?;
    touch(conn, incident)?;
    Ok(attribute(conn, actor, incident, id, Access::Read)?.1)
}

pub fn delete_attribute(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    id: i64,
) -> StoreResult<()> {
    attribute(conn, actor, incident, id, Access::Write)?;
    exec(conn, "DELETE FROM attributes WHERE id = ?1", [id])?;
    touch(conn, incident)
}

/// Resolves a label name usable in the incident's owner: its own labels first, then the system ones.
pub(crate) fn resolve_label(conn: &Connection, owner: i64, name: &str) -> StoreResult<i64> {
    one(
        conn,
        "SELECT id FROM security_labels WHERE (owner_id = ?1 OR owner_id IS NULL) AND name_key = ?2 \
         ORDER BY owner_id IS NULL LIMIT 1",
        params![owner, label_key(name)],
        |r| r.get(0),
    )?
    .ok_or_else(|| StoreError::Invalid(format!("Security label '{}' does not exist", name.trim())))
}

pub fn attribute_labels(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    id: i64,
) -> StoreResult<Vec<SecurityLabel>> {
    attribute(conn, actor, incident, id, Access::Read)?;
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM attribute_labels al JOIN security_labels l ON l.id = al.label_id \
         WHERE al.attribute_id = ?1 ORDER BY l.name_key"
    );
    all(conn, &sql, [id], |r| rows::label(r, 0))
}

pub fn add_attribute_label(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    id: i64,
    label: &str,
) -> StoreResult<()> {
    let (owner, _) = attribute(conn, actor, incident, id, Access::Write)?;
    let label = resolve_label(conn, owner, label)?;
    exec(
        conn,
        "INSERT INTO attribute_labels (attribute_id, label_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        [id, label],
    )?;
    Ok(())
}

pub fn remove_attribute_label(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    id: i64,
    label: &str,
) -> StoreResult<()> {
    attribute(conn, actor, incident, id, Access::Write)?;
    let done = exec(
        conn,
        "DELETE FROM attribute_labels WHERE attribute_id = ?1 AND label_id IN \
         (SELECT id FROM security_labels WHERE name_key = ?2)",
        params![id, label_key(label)],
    )?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn tags(conn: &Connection, actor: &Actor, incident: i64) -> StoreResult<Vec<Tag>> {
    authorize_incident(conn, actor, incident, Access::Read)?;
    all(
        conn,
        "SELECT t.name FROM incident_tags it JOIN tags t ON t.id = it.tag_id WHERE it.incident_id = ?1 ORDER BY t.name_key",
        [incident],
        |r| Ok(Tag { name: r.get(0)? }),
    )
}

/// The id of a tag in an owner, creating it with this spelling if it is new. The first spelling
/// is kept: a later `apt29` finds `APT29` and changes nothing.
pub fn tag_id(conn: &Connection, owner: i64, tag: &TagName) -> StoreResult<i64> {
    one(
        conn,
        "INSERT INTO tags (owner_id, name, name_key) VALUES (?1, ?2, ?3) \
         ON CONFLICT (owner_id, name_key) DO UPDATE SET name = name RETURNING id",
        params![owner, tag.as_str(), tag.key()],
        |r| r.get(0),
    )?
    .ok_or_else(|| StoreError::Backend("tag upsert returned no id".into()))
}

pub fn add_tag(conn: &Connection, actor: &Actor, incident: i64, tag: &TagName) -> StoreResult<()> {
    let owner = authorize_incident(conn, actor, incident, Access::Write)?;
    let tag_id = tag_id(conn, owner, tag)?;
    let added = exec(
        conn,
        "INSERT INTO incident_tags (incident_id, tag_id, event_date) \
         SELECT id, ?2, event_date FROM incidents WHERE id = ?1 ON CONFLICT DO NOTHING",
        [incident, tag_id],
    )?;
    if added > 0 {
        touch(conn, incident)?;
    }
    Ok(())
}

pub fn remove_tag(conn: &Connection, actor: &Actor, incident: i64, tag: &str) -> StoreResult<()> {
    let owner = authorize_incident(conn, actor, incident, Access::Write)?;
    let done = exec(
        conn,
        "DELETE FROM incident_tags WHERE incident_id = ?1 AND tag_id = \
         (SELECT id FROM tags WHERE owner_id = ?2 AND name_key = ?3)",
        params![incident, owner, tag_key(tag)],
    )?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, incident)
}

pub fn labels(conn: &Connection, actor: &Actor, incident: i64) -> StoreResult<Vec<SecurityLabel>> {
    authorize_incident(conn, actor, incident, Access::Read)?;
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM incident_labels il JOIN security_labels l ON l.id = il.label_id \
         WHERE il.incident_id = ?1 ORDER BY l.name_key"
    );
    all(conn, &sql, [incident], |r| rows::label(r, 0))
}

pub fn add_label(conn: &Connection, actor: &Actor, incident: i64, label: &str) -> StoreResult<()> {
    let owner = authorize_incident(conn, actor, incident, Access::Write)?;
    let label = resolve_label(conn, owner, label)?;
    let added = exec(
        conn,
        "INSERT INTO incident_labels (incident_id, label_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        [incident, label],
    )?;
    if added > 0 {
        touch(conn, incident)?;
    }
    Ok(())
}

pub fn remove_label(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    label: &str,
) -> StoreResult<()> {
    authorize_incident(conn, actor, incident, Access::Write)?;
    let done = exec(
        conn,
        "DELETE FROM incident_labels WHERE incident_id = ?1 AND label_id IN \
         (SELECT id FROM security_labels WHERE name_key = ?2)",
        params![incident, label_key(label)],
    )?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    touch(conn, incident)
}

pub fn owner_labels(conn: &Connection, owner: i64) -> StoreResult<Vec<SecurityLabel>> {
    let sql = format!(
        "SELECT {LABEL_COLUMNS} FROM security_labels l WHERE l.owner_id IS NULL OR l.owner_id = ?1 ORDER BY l.name_key"
    );
    all(conn, &sql, [owner], |r| rows::label(r, 0))
}

pub fn owner_tags(
    conn: &Connection,
    owner: i64,
    start: u64,
    limit: u64,
) -> StoreResult<(Option<u64>, Vec<Tag>)> {
    let total = if start == 0 {
        let n = one(
            conn,
            "SELECT count(*) FROM tags WHERE owner_id = ?1",
            [owner],
            |r| r.get::<_, i64>(0),
        )?
        .unwrap_or(0);
        Some(n as u64)
    } else {
        None
    };
    let names = all(
        conn,
        "SELECT name FROM tags WHERE owner_id = ?1 ORDER BY name_key LIMIT ?2 OFFSET ?3",
        params![owner, limit as i64, start as i64],
        |r| Ok(Tag { name: r.get(0)? }),
    )?;
    Ok((total, names))
}

pub fn owner_tag(conn: &Connection, owner: i64, name: &str) -> StoreResult<Tag> {
    one(
        conn,
        "SELECT name FROM tags WHERE owner_id = ?1 AND name_key = ?2",
        params![owner, tag_key(name)],
        |r| Ok(Tag { name: r.get(0)? }),
    )?
    .ok_or(StoreError::NotFound)
}
