//! Incidents: create, read, update, delete, list.

use crate::rows::{self, ATTRIBUTE_COLUMNS, INCIDENT_COLUMNS, LABEL_COLUMNS};
use crate::{authorize, backend, now, secs};
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use std::collections::HashMap;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Incident, IncidentDetails, IncidentOrder, IncidentPatch, IncidentQuery, Include,
    NewIncident, Owner, Page, SortKey, StoreError, StoreResult, Tag, label_key, tag::tag_key,
};

/// Loads an incident's owner id and checks the actor may do `access` on it.
pub async fn authorize_incident(
    conn: &mut PgConnection,
    actor: &Actor,
    id: i64,
    access: Access,
) -> StoreResult<i64> {
    let owner: Option<i64> = sqlx::query_scalar("SELECT owner_id FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    let owner = owner.ok_or(StoreError::NotFound)?;
    authorize(actor, owner, access)?;
    Ok(owner)
}

pub async fn load(conn: &mut PgConnection, id: i64) -> StoreResult<Incident> {
    let sql = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents i JOIN owners o ON o.id = i.owner_id WHERE i.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    rows::incident(&row.ok_or(StoreError::NotFound)?)
}

pub async fn touch(conn: &mut PgConnection, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE incidents SET last_modified = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    owner: &Owner,
    new: NewIncident,
) -> StoreResult<Incident> {
    authorize(actor, owner.id, Access::Write)?;
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, replace(gen_random_uuid()::text, '-', ''))) RETURNING id",
    )
    .bind(owner.id)
    .bind(new.name.as_str())
    .bind(secs(new.event_date))
    .bind(new.status.as_str())
    .bind(t)
    .bind(t)
    .bind(&actor.name)
    .bind(new.xid)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict("an incident with this xid already exists".into())
        }
        _ => backend(e),
    })?;
    load(conn, id).await
}

pub async fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: i64,
    patch: IncidentPatch,
) -> StoreResult<Incident> {
    authorize_incident(conn, actor, id, Access::Write).await?;
    if !patch.is_empty() {
        sqlx::query(
            "UPDATE incidents SET name = coalesce($1, name), event_date = coalesce($2, event_date), \
             status = coalesce($3, status), last_modified = $4 WHERE id = $5",
        )
        .bind(patch.name.as_ref().map(|n| n.as_str()))
        .bind(patch.event_date.map(secs))
        .bind(patch.status.map(|s| s.as_str()))
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
        if let Some(date) = patch.event_date {
            // incident_tags keeps a copy of the event date for its indexes.
            sqlx::query("UPDATE incident_tags SET event_date = $1 WHERE incident_id = $2")
                .bind(secs(date))
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
        }
    }
    load(conn, id).await
}

pub async fn delete(conn: &mut PgConnection, actor: &Actor, id: i64) -> StoreResult<()> {
    authorize_incident(conn, actor, id, Access::Write).await?;
    sqlx::query("DELETE FROM incidents WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn get(
    conn: &mut PgConnection,
    actor: &Actor,
    id: i64,
    include: Include,
) -> StoreResult<IncidentDetails> {
    let incident = load(conn, id).await?;
    authorize(actor, incident.owner.id, Access::Read)?;
    let mut details = with_metadata(conn, vec![incident], include).await?;
    details.pop().ok_or(StoreError::NotFound)
}

/// Adds the WHERE clause of a query (after `FROM incidents i`).
fn push_conditions(
    qb: &mut QueryBuilder<'_, Postgres>,
    q: &IncidentQuery,
    tag_id: Option<i64>,
    label_ids: &[i64],
) {
    qb.push(" WHERE i.owner_id = ").push_bind(q.owner.id);
    if let Some(tag) = tag_id {
        qb.push(" AND i.id IN (SELECT incident_id FROM incident_tags WHERE tag_id = ")
            .push_bind(tag)
            .push(")");
    }
    if !label_ids.is_empty() {
        qb.push(" AND i.id IN (SELECT incident_id FROM incident_labels WHERE label_id IN (");
        let mut sep = qb.separated(", ");
        for id in label_ids {
            sep.push_bind(*id);
        }
        qb.push("))");
    }
    if let Some(name) = &q.name_eq {
        qb.push(" AND i.name = ").push_bind(name.clone());
    }
    if let Some(prefix) = &q.name_prefix {
        // substr keeps the comparison byte-exact and case-sensitive, unlike LIKE.
        qb.push(" AND substr(i.name, 1, length(")
            .push_bind(prefix.clone())
            .push(")) = ")
            .push_bind(prefix.clone());
    }
    if let Some(status) = q.status {
        qb.push(" AND i.status = ").push_bind(status.as_str());
    }
    if let Some(text) = &q.name_contains {
        // strpos: no LIKE wildcards; lower() under the "C" collation folds ASCII letters only,
        // exactly as SQLite's lower() does.
        qb.push(" AND strpos(lower(i.name COLLATE \"C\"), lower(")
            .push_bind(text.clone())
            .push(" COLLATE \"C\")) > 0");
    }
    for (column, op, value) in [
        ("i.date_added", " < ", q.added_before),
        ("i.date_added", " > ", q.added_after),
        ("i.event_date", " < ", q.event_before),
        ("i.event_date", " > ", q.event_after),
    ] {
        if let Some(v) = value {
            qb.push(" AND ").push(column).push(op).push_bind(secs(v));
        }
    }
    crate::associations::push_associated(qb, q);
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
        (SortKey::Name, false) => " ORDER BY lower(i.name COLLATE \"C\"), i.id",
        (SortKey::Name, true) => " ORDER BY lower(i.name COLLATE \"C\") DESC, i.id DESC",
    }
}

pub async fn list(
    conn: &mut PgConnection,
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
            let id: Option<i64> =
                sqlx::query_scalar("SELECT id FROM tags WHERE owner_id = $1 AND name_key = $2")
                    .bind(q.owner.id)
                    .bind(tag_key(tag))
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend)?;
            match id {
                Some(id) => Some(id),
                None => return Ok(empty),
            }
        }
        None => None,
    };
    let label_ids: Vec<i64> = match &q.label {
        Some(label) => {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM security_labels WHERE (owner_id IS NULL OR owner_id = $1) AND name_key = $2",
            )
            .bind(q.owner.id)
            .bind(label_key(label))
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?;
            if ids.is_empty() {
                return Ok(empty);
            }
            ids
        }
        None => vec![],
    };
    if let Some(tag) = tag_id.filter(|_| only_tag(q)) {
        return list_by_tag(conn, q, tag).await;
    }
    let total = if q.paging.start == 0 {
        let mut qb = QueryBuilder::new("SELECT count(*) FROM incidents i");
        push_conditions(&mut qb, q, tag_id, &label_ids);
        let n: i64 = qb
            .build_query_scalar()
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
        Some(n as u64)
    } else {
        None
    };
    let mut qb = QueryBuilder::new(format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents i JOIN owners o ON o.id = i.owner_id"
    ));
    push_conditions(&mut qb, q, tag_id, &label_ids);
    qb.push(order_by(q.order))
        .push(" LIMIT ")
        .push_bind(q.paging.limit as i64)
        .push(" OFFSET ")
        .push_bind(q.paging.start as i64);
    let found = qb.build().fetch_all(&mut *conn).await.map_err(backend)?;
    let incidents = found
        .iter()
        .map(rows::incident)
        .collect::<StoreResult<Vec<_>>>()?;
    let items = with_metadata(conn, incidents, q.include).await?;
    Ok(Page { total, items })
}

/// Whether a tag query can be answered from the `incident_tags` indexes: it filters on nothing
/// but its owner, the tag and event dates, in id order. Written as "equal to the bare query" so a
/// filter added to `IncidentQuery` later cannot be forgotten here.
fn only_tag(q: &IncidentQuery) -> bool {
    let mut bare = IncidentQuery::owner(q.owner.clone());
    bare.tag = q.tag.clone();
    bare.event_before = q.event_before;
    bare.event_after = q.event_after;
    bare.include = q.include;
    bare.paging = q.paging;
    bare.order = q.order;
    bare == *q && q.order.key == SortKey::Id
}

/// `it.tag_id = $ [AND it.event_date > $] [AND it.event_date < $]`. Tags belong to one owner,
/// so the owner needs no check of its own.
fn push_tag_conditions(qb: &mut QueryBuilder<'_, Postgres>, q: &IncidentQuery, tag: i64) {
    qb.push(" WHERE it.tag_id = ").push_bind(tag);
    if let Some(after) = q.event_after {
        qb.push(" AND it.event_date > ").push_bind(secs(after));
    }
    if let Some(before) = q.event_before {
        qb.push(" AND it.event_date < ").push_bind(secs(before));
    }
}

/// A tag's incidents, counted from `incident_tags` alone and paged in the order of its
/// (tag_id, incident_id) index; only the page's incidents are read.
async fn list_by_tag(
    conn: &mut PgConnection,
    q: &IncidentQuery,
    tag: i64,
) -> StoreResult<Page<IncidentDetails>> {
    let total = if q.paging.start == 0 {
        let mut qb = QueryBuilder::new("SELECT count(*) FROM incident_tags it");
        push_tag_conditions(&mut qb, q, tag);
        let n: i64 = qb
            .build_query_scalar()
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
        Some(n as u64)
    } else {
        None
    };
    let mut qb = QueryBuilder::new(format!(
        "SELECT {INCIDENT_COLUMNS} FROM incident_tags it JOIN incidents i ON i.id = it.incident_id \
         JOIN owners o ON o.id = i.owner_id"
    ));
    push_tag_conditions(&mut qb, q, tag);
    qb.push(if q.order.descending {
        " ORDER BY it.incident_id DESC"
    } else {
        " ORDER BY it.incident_id"
    })
    .push(" LIMIT ")
    .push_bind(q.paging.limit as i64)
    .push(" OFFSET ")
    .push_bind(q.paging.start as i64);
    let found = qb.build().fetch_all(&mut *conn).await.map_err(backend)?;
    let incidents = found
        .iter()
        .map(rows::incident)
        .collect::<StoreResult<Vec<_>>>()?;
    let items = with_metadata(conn, incidents, q.include).await?;
    Ok(Page { total, items })
}

/// Loads the metadata `include` asks for, for many incidents at once (one query per kind).
pub async fn with_metadata(
    conn: &mut PgConnection,
    incidents: Vec<Incident>,
    include: Include,
) -> StoreResult<Vec<IncidentDetails>> {
    let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
    let mut attributes = HashMap::new();
    let mut tags = HashMap::new();
    let mut labels = HashMap::new();
    if include.attributes && !ids.is_empty() {
        let sql = format!(
            "SELECT a.incident_id, {ATTRIBUTE_COLUMNS} FROM attributes a WHERE a.incident_id IN ("
        );
        for row in fetch_for(conn, &sql, &ids, " ORDER BY a.id").await? {
            let key: i64 = row.try_get(0).map_err(backend)?;
            attributes
                .entry(key)
                .or_insert_with(Vec::new)
                .push(rows::attribute(&row, 1)?);
        }
    }
    if include.tags && !ids.is_empty() {
        let sql = "SELECT it.incident_id, t.name FROM incident_tags it JOIN tags t ON t.id = it.tag_id WHERE it.incident_id IN (";
        for row in fetch_for(conn, sql, &ids, " ORDER BY t.name_key").await? {
            let key: i64 = row.try_get(0).map_err(backend)?;
            tags.entry(key).or_insert_with(Vec::new).push(Tag {
                name: row.try_get(1).map_err(backend)?,
            });
        }
    }
    if include.labels && !ids.is_empty() {
        let sql = format!(
            "SELECT il.incident_id, {LABEL_COLUMNS} FROM incident_labels il JOIN security_labels l ON l.id = il.label_id \
             WHERE il.incident_id IN ("
        );
        for row in fetch_for(conn, &sql, &ids, " ORDER BY l.name_key").await? {
            let key: i64 = row.try_get(0).map_err(backend)?;
            labels
                .entry(key)
                .or_insert_with(Vec::new)
                .push(rows::label(&row, 1)?);
        }
    }
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

async fn fetch_for(
    conn: &mut PgConnection,
    head: &str,
    ids: &[i64],
    tail: &str,
) -> StoreResult<Vec<sqlx::postgres::PgRow>> {
    let mut qb = QueryBuilder::<Postgres>::new(head);
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")").push(tail);
    qb.build().fetch_all(&mut *conn).await.map_err(backend)
}
