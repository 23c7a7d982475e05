//! Items (the other group types, victims, tasks), indicators and their associations with
//! incidents. Synchronous: run inside [`crate::SqliteStore`]'s read or write helpers.

use crate::incidents::{self, authorize_incident};
use crate::rows::{all, exec, one, owner};
use crate::sql::Sql;
use crate::{authorize, backend, is_unique, now};
use rusqlite::{Connection, Row, params, params_from_iter};
use threatdb_core::date::from_unix;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, GroupFilter, IncidentQuery, Indicator, IndicatorKind, IndicatorValue, Item, ItemKind,
    ItemPatch, LinkSet, Linked, NewItem, Owner, Page, Paging, StoreError, StoreResult, Target,
};

pub(crate) const ITEM_COLUMNS: &str = "it.id, it.kind, it.owner_id, o.name, o.kind, it.name, it.fields, \
     it.date_added, it.last_modified";
pub(crate) const INDICATOR_COLUMNS: &str =
    "d.id, d.kind, d.owner_id, o.name, o.kind, d.value, d.date_added, d.last_modified";

fn corrupt() -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, "kind".into(), rusqlite::types::Type::Text)
}

pub(crate) fn item_row(r: &Row) -> rusqlite::Result<Item> {
    Ok(Item {
        id: r.get(0)?,
        kind: ItemKind::from_url(&r.get::<_, String>(1)?).ok_or_else(corrupt)?,
        owner: owner(r, 2)?,
        name: r.get(5)?,
        fields: r.get(6)?,
        date_added: from_unix(r.get(7)?),
        last_modified: from_unix(r.get(8)?),
    })
}

pub(crate) fn indicator_row(r: &Row) -> rusqlite::Result<Indicator> {
    Ok(Indicator {
        id: r.get(0)?,
        kind: IndicatorKind::from_url(&r.get::<_, String>(1)?).ok_or_else(corrupt)?,
        owner: owner(r, 2)?,
        value: r.get(5)?,
        date_added: from_unix(r.get(6)?),
        last_modified: from_unix(r.get(7)?),
    })
}

fn load_item(conn: &Connection, id: i64) -> StoreResult<Item> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items it JOIN owners o ON o.id = it.owner_id WHERE it.id = ?1"
    );
    one(conn, &sql, [id], item_row)?.ok_or(StoreError::NotFound)
}

/// Loads an item of `kind` the actor may do `access` on.
pub(crate) fn authorized_item(
    conn: &Connection,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    access: Access,
) -> StoreResult<Item> {
    let item = load_item(conn, id)?;
    if item.kind != kind {
        return Err(StoreError::NotFound);
    }
    authorize(actor, item.owner.id, access)?;
    Ok(item)
}

pub fn create_item(
    conn: &Connection,
    actor: &Actor,
    owner: &Owner,
    new: &NewItem,
) -> StoreResult<Item> {
    authorize(actor, owner.id, Access::Write)?;
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO items (owner_id, kind, name, fields, date_added, last_modified, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) RETURNING id",
        )
        .and_then(|mut s| {
            s.query_row(
                params![owner.id, new.kind.url_name(), new.name.as_str(), new.fields, now(), actor.name],
                |r| r.get(0),
            )
        })
        .map_err(backend)?;
    load_item(conn, id)
}

pub fn get_item(conn: &Connection, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<Item> {
    authorized_item(conn, actor, kind, id, Access::Read)
}

pub fn update_item(
    conn: &Connection,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    patch: &ItemPatch,
) -> StoreResult<Item> {
    authorized_item(conn, actor, kind, id, Access::Write)?;
    if patch.name.is_some() || patch.fields.is_some() {
        exec(
            conn,
            "UPDATE items SET name = coalesce(?1, name), \
             fields = CASE WHEN ?2 IS NULL THEN fields ELSE json_patch(fields, ?2) END, \
             last_modified = ?3 WHERE id = ?4",
            params![
                patch.name.as_ref().map(|n| n.as_str()),
                patch.fields,
                now(),
                id
            ],
        )?;
    }
    load_item(conn, id)
}

pub fn delete_item(conn: &Connection, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<()> {
    authorized_item(conn, actor, kind, id, Access::Write)?;
    exec(conn, "DELETE FROM items WHERE id = ?1", [id])?;
    Ok(())
}

pub(crate) fn find_indicator(
    conn: &Connection,
    owner_id: i64,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    let sql = format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators d JOIN owners o ON o.id = d.owner_id \
         WHERE d.owner_id = ?1 AND d.kind = ?2 AND d.value = ?3"
    );
    one(
        conn,
        &sql,
        params![owner_id, value.kind().url_name(), value.as_str()],
        indicator_row,
    )?
    .ok_or(StoreError::NotFound)
}

pub fn create_indicator(
    conn: &Connection,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    authorize(actor, owner.id, Access::Write)?;
    let t = now();
    conn.prepare_cached(
        "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            owner.id,
            value.kind().url_name(),
            value.as_str(),
            t,
            actor.name
        ])
    })
    .map_err(|e| {
        if is_unique(&e) {
            StoreError::Conflict("this indicator exists already".into())
        } else {
            backend(e)
        }
    })?;
    find_indicator(conn, owner.id, value)
}

pub fn get_indicator(
    conn: &Connection,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    authorize(actor, owner.id, Access::Read)?;
    find_indicator(conn, owner.id, value)
}

pub fn delete_indicator(
    conn: &Connection,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<()> {
    authorize(actor, owner.id, Access::Write)?;
    let found = find_indicator(conn, owner.id, value)?;
    exec(conn, "DELETE FROM indicators WHERE id = ?1", [found.id])?;
    Ok(())
}

/// The statement pair (insert, delete) and the bound ids of one association.
fn link_rows(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<(&'static str, &'static str, i64, i64)> {
    let owner_id = authorize_incident(conn, actor, incident, Access::Write)?;
    Ok(match target {
        Target::Incident(other) => {
            if *other == incident {
                return Err(StoreError::Invalid(
                    "an incident cannot be associated with itself".into(),
                ));
            }
            authorize_incident(conn, actor, *other, Access::Read)?;
            (
                "INSERT OR IGNORE INTO incident_links (incident_id, other_id) VALUES (?1, ?2), (?2, ?1)",
                "DELETE FROM incident_links WHERE (incident_id = ?1 AND other_id = ?2) OR (incident_id = ?2 AND other_id = ?1)",
                // Both rows in one order whichever end asks, so two concurrent links of
                // the same pair never wait on each other crosswise.
                incident.min(*other),
                incident.max(*other),
            )
        }
        Target::Item(kind, id) => {
            authorized_item(conn, actor, *kind, *id, Access::Read)?;
            (
                "INSERT OR IGNORE INTO incident_items (incident_id, item_id) VALUES (?1, ?2)",
                "DELETE FROM incident_items WHERE incident_id = ?1 AND item_id = ?2",
                incident,
                *id,
            )
        }
        Target::Indicator(value) => {
            let found = find_indicator(conn, owner_id, value)?;
            (
                "INSERT OR IGNORE INTO incident_indicators (incident_id, indicator_id) VALUES (?1, ?2)",
                "DELETE FROM incident_indicators WHERE incident_id = ?1 AND indicator_id = ?2",
                incident,
                found.id,
            )
        }
    })
}

pub fn associate(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<()> {
    let (insert, _, a, b) = link_rows(conn, actor, incident, target)?;
    exec(conn, insert, params![a, b])?;
    Ok(())
}

pub fn disassociate(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<()> {
    let (_, delete, a, b) = link_rows(conn, actor, incident, target)?;
    if exec(conn, delete, params![a, b])? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The owners the actor can read, for `owner_id IN (...)`.
fn readable(actor: &Actor) -> Vec<i64> {
    actor.memberships.iter().map(|m| m.owner.id).collect()
}

pub fn associations(
    conn: &Connection,
    actor: &Actor,
    incident: i64,
    set: LinkSet,
    paging: Paging,
) -> StoreResult<Page<Linked>> {
    authorize_incident(conn, actor, incident, Access::Read)?;
    let owners = readable(actor);
    // One query yields (what, id) rows in list order: 0 = incident, 1 = item, 2 = indicator.
    let mut sql = Sql::new("SELECT w, id FROM (");
    let items = |sql: &mut Sql, kinds: &[ItemKind]| {
        sql.push("SELECT 1 AS w, it.id AS id FROM incident_items x JOIN items it ON it.id = x.item_id WHERE x.incident_id = ")
            .bind(incident)
            .push(" AND it.owner_id IN ")
            .bind_list(&owners)
            .push(" AND it.kind IN (");
        for (n, k) in kinds.iter().enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            sql.bind(k.url_name().to_string());
        }
        sql.push(")");
    };
    let linked_incidents = |sql: &mut Sql| {
        sql.push("SELECT 0 AS w, i.id AS id FROM incident_links x JOIN incidents i ON i.id = x.other_id WHERE x.incident_id = ")
            .bind(incident)
            .push(" AND i.owner_id IN ")
            .bind_list(&owners);
    };
    let groups: Vec<ItemKind> = ItemKind::ALL.into_iter().filter(|k| k.is_group()).collect();
    match set {
        LinkSet::Groups(None) => {
            linked_incidents(&mut sql);
            sql.push(" UNION ALL ");
            items(&mut sql, &groups);
        }
        LinkSet::Groups(Some(GroupFilter::Incidents)) => linked_incidents(&mut sql),
        LinkSet::Groups(Some(GroupFilter::Items(kind))) => items(&mut sql, &[kind]),
        LinkSet::Victims => items(&mut sql, &[ItemKind::Victim]),
        LinkSet::Tasks => items(&mut sql, &[ItemKind::Task]),
        LinkSet::Indicators(kind) => {
            sql.push("SELECT 2 AS w, d.id AS id FROM incident_indicators x JOIN indicators d ON d.id = x.indicator_id WHERE x.incident_id = ")
                .bind(incident)
                .push(" AND d.owner_id IN ")
                .bind_list(&owners);
            if let Some(kind) = kind {
                sql.push(" AND d.kind = ").bind(kind.url_name().to_string());
            }
        }
    }
    sql.push(")");
    let total = if paging.start == 0 {
        let count = format!("SELECT count(*) FROM ({})", sql.text);
        one(conn, &count, params_from_iter(sql.params.iter()), |r| {
            r.get::<_, i64>(0)
        })?
        .map(|n| n as u64)
    } else {
        None
    };
    sql.push(" ORDER BY w, id LIMIT ")
        .bind(paging.limit as i64)
        .push(" OFFSET ")
        .bind(paging.start as i64);
    let rows = all(conn, &sql.text, params_from_iter(sql.params.iter()), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for (what, id) in rows {
        out.push(match what {
            0 => Linked::Incident(incidents::load(conn, id)?),
            1 => Linked::Item(load_item(conn, id)?),
            _ => {
                let sql = format!(
                    "SELECT {INDICATOR_COLUMNS} FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.id = ?1"
                );
                Linked::Indicator(one(conn, &sql, [id], indicator_row)?.ok_or(StoreError::NotFound)?)
            }
        });
    }
    Ok(Page { total, items: out })
}

/// Checks the target of a query's `associated` condition exists and is visible to the actor
/// (NotFound otherwise), so a reverse look-up never reveals a hidden item.
pub fn check_associated(conn: &Connection, actor: &Actor, q: &IncidentQuery) -> StoreResult<()> {
    match &q.associated {
        None => Ok(()),
        Some(Target::Incident(id)) => {
            authorize_incident(conn, actor, *id, Access::Read).map(|_| ())
        }
        Some(Target::Item(kind, id)) => {
            authorized_item(conn, actor, *kind, *id, Access::Read).map(|_| ())
        }
        Some(Target::Indicator(value)) => {
            authorize(actor, q.owner.id, Access::Read)?;
            find_indicator(conn, q.owner.id, value).map(|_| ())
        }
    }
}

/// Adds the `associated` condition of a query (bound parameters only).
pub fn push_associated(sql: &mut Sql, q: &IncidentQuery) {
    match &q.associated {
        None => {}
        Some(Target::Incident(id)) => {
            sql.push(" AND i.id IN (SELECT other_id FROM incident_links WHERE incident_id = ")
                .bind(*id)
                .push(")");
        }
        Some(Target::Item(kind, id)) => {
            sql.push(" AND i.id IN (SELECT x.incident_id FROM incident_items x JOIN items it ON it.id = x.item_id WHERE x.item_id = ")
                .bind(*id)
                .push(" AND it.kind = ")
                .bind(kind.url_name().to_string())
                .push(")");
        }
        Some(Target::Indicator(value)) => {
            sql.push(" AND i.id IN (SELECT x.incident_id FROM incident_indicators x JOIN indicators d ON d.id = x.indicator_id WHERE d.owner_id = ")
                .bind(q.owner.id)
                .push(" AND d.kind = ")
                .bind(value.kind().url_name().to_string())
                .push(" AND d.value = ")
                .bind(value.as_str().to_string())
                .push(")");
        }
    }
}
