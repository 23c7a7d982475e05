//! Incidents: create, read, update, delete, list. Synchronous: run inside [`crate::SqliteStore`]'s
//! read or write helpers.

use crate::rows::{self, ATTRIBUTE_COLUMNS, INCIDENT_COLUMNS, LABEL_COLUMNS, all, exec, one};
use crate::sql::Sql;
use crate::{authorize, backend, is_unique, now};
use rusqlite::{Connection, params, params_from_iter};
use std::collections::HashMap;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Incident, IncidentDetails, IncidentOrder, IncidentPatch, IncidentQuery, Include,
    NewIncident, Owner, Page, SortKey, StoreError, StoreResult, Tag, label_key, tag::tag_key,
};

/// Loads an incident's owner id and checks the actor may do `access` on it.
pub fn authorize_incident(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    access: Access,
) -> StoreResult<i64> {
    let owner = one(
        conn,
        "SELECT owner_id FROM incidents WHERE id = ?1",
        [id],
        |r| r.get::<_, i64>(0),
    )?
    .ok_or(StoreError::NotFound)?;
    authorize(actor, owner, access)?;
    Ok(owner)
}

pub fn load(conn: &Connection, id: i64) -> StoreResult<Incident> {
    let sql = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents i JOIN owners o ON o.id = i.owner_id WHERE i.id = ?1"
    );
    one(conn, &sql, [id], rows::incident)?.ok_or(StoreError::NotFound)
}

pub fn touch(conn: &Connection, id: i64) -> StoreResult<()> {
    exec(
        conn,
        "UPDATE incidents SET last_modified = ?1 WHERE id = ?2",
        params![now(), id],
    )?;
    Ok(())
}

pub fn create(
    conn: &Connection,
    actor: &Actor,
    owner: &Owner,
    new: &NewIncident,
) -> StoreResult<Incident> {
    authorize(actor, owner.id, Access::Write)?;
    let t = now();
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, coalesce(?7, lower(hex(randomblob(16))))) RETURNING id",
        )
        .map_err(backend)?;
    let id: i64 = stmt
        .query_row(
            params![
                owner.id,
                new.name.as_str(),
                new.event_date.unix_timestamp(),
                new.status.as_str(),
                t,
                actor.name,
                new.xid
            ],
            |r| r.get(0),
        )
        .map_err(|e| {
            if is_unique(&e) {
                StoreError::Conflict("an incident with this xid already exists".into())
            } else {
                backend(e)
            }
        })?;
    load(conn, id)
}

pub fn update(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    patch: &IncidentPatch,
) -> StoreResult<Incident> {
    authorize_incident(conn, actor, id, Access::Write)?;
    if !patch.is_empty() {
        exec(
            conn,
            "UPDATE incidents SET name = coalesce(?1, name), event_date = coalesce(?2, event_date), \
             status = coalesce(?3, status), last_modified = ?4 WHERE id = ?5",
            params![
                patch.name.as_ref().map(|n| n.as_str()),
                patch.event_date.map(|d| d.unix_timestamp()),
                patch.status.map(|s| s.as_str()),
                now(),
                id
            ],
        )?;
        if let Some(date) = patch.event_date {
            // incident_tags keeps a copy of the event date for its indexes.
            exec(
                conn,
                "UPDATE incident_tags SET event_date = ?1 WHERE incident_id = ?2",
                params![date.unix_timestamp(), id],
            )?;
        }
    }
    load(conn, id)
}

pub fn delete(conn: &Connection, actor: &Actor, id: i64) -> StoreResult<()> {
    authorize_incident(conn, actor, id, Access::Write)?;
    exec(conn, "DELETE FROM incidents WHERE id = ?1", [id])?;
    Ok(())
}

pub fn get(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    include: Include,
) -> StoreResult<IncidentDetails> {
    let incident = load(conn, id)?;
    authorize(actor, incident.owner.id, Access::Read)?;
    let mut details = with_metadata(conn, vec![incident], include)?;
    details.pop().ok_or(StoreError::NotFound)
}

/// Adds the WHERE clause of a query (after `FROM incidents i`).
fn push_conditions(sql: &mut Sql, q: &IncidentQuery, tag_id: Option<i64>, label_ids: &[i64]) {
    sql.push(" WHERE i.owner_id = ").bind(q.owner.id);
    if let Some(tag) = tag_id {
        sql.push(" AND i.id IN (SELECT incident_id FROM incident_tags WHERE tag_id = ")
            .bind(tag)
            .push(")");
    }
    if !label_ids.is_empty() {
        // A probe per incident: system labels span every owner, so materialising "every incident
        // with TLP:GREEN" would cost more than the owner's own incidents.
        sql.push(" AND EXISTS (SELECT 1 FROM incident_labels il WHERE il.incident_id = i.id AND il.label_id IN ")
            .bind_list(label_ids)
            .push(")");
    }
    if let Some(name) = &q.name_eq {
        sql.push(" AND i.name = ").bind(name.clone());
    }
    if let Some(prefix) = &q.name_prefix {
        // substr keeps the comparison byte-exact and case-sensitive, unlike LIKE.
        sql.push(" AND substr(i.name, 1, length(")
            .bind(prefix.clone())
            .push(")) = ")
            .bind(prefix.clone());
    }
    if let Some(status) = q.status {
        sql.push(" AND i.status = ")
            .bind(status.as_str().to_string());
    }
    if let Some(text) = &q.name_contains {
        // instr: no LIKE wildcards; lower() folds ASCII letters only, as in the PostgreSQL store.
        sql.push(" AND instr(lower(i.name), lower(")
            .bind(text.clone())
            .push(")) > 0");
    }
    for (column, op, value) in [
        ("i.date_added", " < ", q.added_before),
        ("i.date_added", " > ", q.added_after),
        ("i.event_date", " < ", q.event_before),
        ("i.event_date", " > ", q.event_after),
    ] {
        if let Some(v) = value {
            sql.push(" AND ")
                .push(column)
                .push(op)
                .bind(v.unix_timestamp());
        }
    }
    crate::associations::push_associated(sql, q);
}

/// Whether a tag query can be answered from the `incident_tags` indexes alone: it filters on
/// nothing but its owner, the tag and event dates, in id order. Written as "equal to the bare
/// query" so a filter added to `IncidentQuery` later cannot be forgotten here.
fn tag_fast_path(q: &IncidentQuery) -> bool {
    let mut bare = IncidentQuery::owner(q.owner.clone());
    bare.tag = q.tag.clone();
    bare.event_before = q.event_before;
    bare.event_after = q.event_after;
    bare.include = q.include;
    bare.paging = q.paging;
    bare.order = q.order;
    bare == *q && q.order.key == SortKey::Id
}

/// `it.tag_id = ? [AND it.event_date > ?] [AND it.event_date < ?]`. Tags belong to one owner,
/// so the owner needs no check of its own.
fn push_tag_conditions(sql: &mut Sql, q: &IncidentQuery, tag: i64) {
    sql.push(" WHERE it.tag_id = ").bind(tag);
    if let Some(after) = q.event_after {
        sql.push(" AND it.event_date > ")
            .bind(after.unix_timestamp());
    }
    if let Some(before) = q.event_before {
        sql.push(" AND it.event_date < ")
            .bind(before.unix_timestamp());
    }
}

/// A tag's incidents, counted and paged from the `incident_tags` indexes: only the incidents on
/// the page are read.
fn list_by_tag(
    conn: &Connection,
    q: &IncidentQuery,
    tag: i64,
) -> StoreResult<(Option<u64>, Vec<Incident>)> {
    let total = if q.paging.start == 0 {
        let mut sql = Sql::new("SELECT count(*) FROM incident_tags it");
        push_tag_conditions(&mut sql, q, tag);
        Some(
            one(conn, &sql.text, params_from_iter(sql.params.iter()), |r| {
                r.get::<_, i64>(0)
            })?
            .unwrap_or(0) as u64,
        )
    } else {
        None
    };
    let mut sql = Sql::new(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incident_tags it CROSS JOIN incidents i ON i.id = it.incident_id \
         JOIN owners o ON o.id = i.owner_id"
    ));
    push_tag_conditions(&mut sql, q, tag);
    sql.push(if q.order.descending {
        " ORDER BY it.incident_id DESC"
    } else {
        " ORDER BY it.incident_id"
    });
    sql.push(" LIMIT ")
        .bind(q.paging.limit as i64)
        .push(" OFFSET ")
        .bind(q.paging.start as i64);
    let incidents = all(
        conn,
        &sql.text,
        params_from_iter(sql.params.iter()),
        rows::incident,
    )?;
    Ok((total, incidents))
}

/// The ORDER BY clause of a list: a fixed string per order, ties broken by id.
fn order_by(order: IncidentOrder) -> &'static str {
    match (order.key, order.descending) {
        (SortKey::Id, false) => " ORDER BY i.id",
        (SortKey::Id, true) => " ORDER BY i.id DESC",
        (SortKey::DateAdded, false) => " ORDER BY i.date_added, i.id",
        (SortKey::DateAdded, true) => " ORDER BY i.date_added DESC, i.id DESC",
        (SortKey::EventDate, false) => " ORDER BY i.event_date, i.id",
        (SortKey::EventDate, true) => " ORDER BY i.event_date DESC, i.id DESC",
        (SortKey::Name, false) => " ORDER BY lower(i.name), i.id",
        (SortKey::Name, true) => " ORDER BY lower(i.name) DESC, i.id DESC",
    }
}

pub fn list(
    conn: &Connection,
    actor: &Actor,
    q: &IncidentQuery,
) -> StoreResult<Page<IncidentDetails>> {
    authorize(actor, q.owner.id, Access::Read)?;
    let empty = Page {
        total: (q.paging.start == 0).then_some(0),
        items: vec![],
    };
    let tag_id = match &q.tag {
        Some(tag) => {
            let found = one(
                conn,
                "SELECT id FROM tags WHERE owner_id = ?1 AND name_key = ?2",
                params![q.owner.id, tag_key(tag)],
                |r| r.get::<_, i64>(0),
            )?;
            match found {
                Some(id) => Some(id),
                None => return Ok(empty),
            }
        }
        None => None,
    };
    let label_ids: Vec<i64> = match &q.label {
        Some(label) => {
            let ids = all(
                conn,
                "SELECT id FROM security_labels WHERE (owner_id IS NULL OR owner_id = ?1) AND name_key = ?2",
                params![q.owner.id, label_key(label)],
                |r| r.get(0),
            )?;
            if ids.is_empty() {
                return Ok(empty);
            }
            ids
        }
        None => vec![],
    };
    if let Some(tag) = tag_id.filter(|_| tag_fast_path(q)) {
        let (total, incidents) = list_by_tag(conn, q, tag)?;
        let items = with_metadata(conn, incidents, q.include)?;
        return Ok(Page { total, items });
    }
    let total = if q.paging.start == 0 {
        let mut sql = Sql::new("SELECT count(*) FROM incidents i");
        push_conditions(&mut sql, q, tag_id, &label_ids);
        let n = one(conn, &sql.text, params_from_iter(sql.params.iter()), |r| {
            r.get::<_, i64>(0)
        })?;
        Some(n.unwrap_or(0) as u64)
    } else {
        None
    };
    let mut sql = Sql::new(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents i JOIN owners o ON o.id = i.owner_id"
    ));
    push_conditions(&mut sql, q, tag_id, &label_ids);
    sql.push(order_by(q.order))
        .push(" LIMIT ")
        .bind(q.paging.limit as i64)
        .push(" OFFSET ")
        .bind(q.paging.start as i64);
    let incidents = all(
        conn,
        &sql.text,
        params_from_iter(sql.params.iter()),
        rows::incident,
    )?;
    let items = with_metadata(conn, incidents, q.include)?;
    Ok(Page { total, items })
}

/// Rows of `head (ids) tail` for a list of incident ids.
fn rows_for<T>(
    conn: &Connection,
    head: &str,
    ids: &[i64],
    tail: &str,
    map: impl FnMut(&rusqlite::Row) -> rusqlite::Result<(i64, T)>,
) -> StoreResult<HashMap<i64, Vec<T>>> {
    let mut sql = Sql::new(head);
    sql.bind_list(ids).push(tail);
    let mut by_incident: HashMap<i64, Vec<T>> = HashMap::new();
    for (id, item) in all(conn, &sql.text, params_from_iter(sql.params.iter()), map)? {
        by_incident.entry(id).or_default().push(item);
    }
    Ok(by_incident)
}

/// Loads the metadata `include` asks for, for many incidents at once (one query per kind).
pub fn with_metadata(
    conn: &Connection,
    incidents: Vec<Incident>,
    include: Include,
) -> StoreResult<Vec<IncidentDetails>> {
    let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
    let any = !ids.is_empty();
    let mut attributes = if include.attributes && any {
        let head = format!(
            "SELECT a.incident_id, {ATTRIBUTE_COLUMNS} FROM attributes a WHERE a.incident_id IN "
        );
        rows_for(conn, &head, &ids, " ORDER BY a.id", |r| {
            Ok((r.get(0)?, rows::attribute(r, 1)?))
        })?
    } else {
        HashMap::new()
    };
    let mut tags = if include.tags && any {
        let head = "SELECT it.incident_id, t.name FROM incident_tags it JOIN tags t ON t.id = it.tag_id WHERE it.incident_id IN ";
        rows_for(conn, head, &ids, " ORDER BY t.name_key", |r| {
            Ok((r.get(0)?, Tag { name: r.get(1)? }))
        })?
    } else {
        HashMap::new()
    };
    let mut labels = if include.labels && any {
        let head = format!(
            "SELECT il.incident_id, {LABEL_COLUMNS} FROM incident_labels il JOIN security_labels l ON l.id = il.label_id \
             WHERE il.incident_id IN "
        );
        rows_for(conn, &head, &ids, " ORDER BY l.name_key", |r| {
            Ok((r.get(0)?, rows::label(r, 1)?))
        })?
    } else {
        HashMap::new()
    };
    Ok(incidents
        .into_iter()
        .map(|incident| {
            let id = incident.id;
            IncidentDetails {
                incident,
                attributes: include
                    .attributes
                    .then(|| attributes.remove(&id).unwrap_or_default()),
                tags: include.tags.then(|| tags.remove(&id).unwrap_or_default()),
                labels: include
                    .labels
                    .then(|| labels.remove(&id).unwrap_or_default()),
            }
        })
        .collect())
}
