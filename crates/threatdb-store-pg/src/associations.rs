//! Items (the other group types, victims, tasks), indicators and their associations with
//! incidents; the same rules as the SQLite store's module of the same name.

use crate::incidents::authorize_incident;
use crate::{authorize, backend, now};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, IncidentQuery, Indicator, IndicatorKind, IndicatorValue, Item, ItemKind, ItemPatch,
    NewItem, Owner, OwnerKind, StoreError, StoreResult, Target,
};

pub(crate) const ITEM_COLUMNS: &str = "it.id, it.kind, it.owner_id, o.name, o.kind, it.name, it.fields, \
     it.date_added, it.last_modified";
pub(crate) const INDICATOR_COLUMNS: &str =
    "d.id, d.kind, d.owner_id, o.name, o.kind, d.value, d.date_added, d.last_modified";

fn corrupt() -> StoreError {
    StoreError::Backend("unexpected kind in the database".into())
}

fn owner(r: &PgRow, at: usize) -> StoreResult<Owner> {
    Ok(Owner {
        id: r.try_get(at).map_err(backend)?,
        name: r.try_get(at + 1).map_err(backend)?,
        kind: OwnerKind::parse(r.try_get(at + 2).map_err(backend)?).map_err(|_| corrupt())?,
    })
}

pub(crate) fn item_row(r: &PgRow) -> StoreResult<Item> {
    let kind: &str = r.try_get(1).map_err(backend)?;
    Ok(Item {
        id: r.try_get(0).map_err(backend)?,
        kind: ItemKind::from_url(kind).ok_or_else(corrupt)?,
        owner: owner(r, 2)?,
        name: r.try_get(5).map_err(backend)?,
        fields: r.try_get(6).map_err(backend)?,
        date_added: r.try_get(7).map_err(backend)?,
        last_modified: r.try_get(8).map_err(backend)?,
    })
}

pub(crate) fn indicator_row(r: &PgRow) -> StoreResult<Indicator> {
    let kind: &str = r.try_get(1).map_err(backend)?;
    Ok(Indicator {
        id: r.try_get(0).map_err(backend)?,
        kind: IndicatorKind::from_url(kind).ok_or_else(corrupt)?,
        owner: owner(r, 2)?,
        value: r.try_get(5).map_err(backend)?,
        date_added: r.try_get(6).map_err(backend)?,
        last_modified: r.try_get(7).map_err(backend)?,
    })
}

pub(crate) async fn load_item(conn: &mut PgConnection, id: i64) -> StoreResult<Item> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items it JOIN owners o ON o.id = it.owner_id WHERE it.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    item_row(&row.ok_or(StoreError::NotFound)?)
}

pub(crate) async fn authorized_item(
    conn: &mut PgConnection,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    access: Access,
) -> StoreResult<Item> {
    let item = load_item(conn, id).await?;
    if item.kind != kind {
        return Err(StoreError::NotFound);
    }
    authorize(actor, item.owner.id, access)?;
    Ok(item)
}

pub async fn create_item(
    conn: &mut PgConnection,
    actor: &Actor,
    owner: &Owner,
    new: &NewItem,
) -> StoreResult<Item> {
    authorize(actor, owner.id, Access::Write)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO items (owner_id, kind, name, fields, date_added, last_modified, created_by) \
         VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
    )
    .bind(owner.id)
    .bind(new.kind.url_name())
    .bind(new.name.as_str())
    .bind(&new.fields)
    .bind(now())
    .bind(&actor.name)
    .fetch_one(&mut *conn)
    .await
    .map_err(backend)?;
    load_item(conn, id).await
}

pub async fn get_item(
    conn: &mut PgConnection,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
) -> StoreResult<Item> {
    authorized_item(conn, actor, kind, id, Access::Read).await
}

pub async fn update_item(
    conn: &mut PgConnection,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    patch: ItemPatch,
) -> StoreResult<Item> {
    authorized_item(conn, actor, kind, id, Access::Write).await?;
    if patch.name.is_some() || patch.fields.is_some() {
        // jsonb_strip_nulls after || : a null value removes the field, as in SQLite's json_patch.
        sqlx::query(
            "UPDATE items SET name = coalesce($1, name), \
             fields = CASE WHEN $2::text IS NULL THEN fields \
                      ELSE jsonb_strip_nulls(fields::jsonb || $2::jsonb)::text END, \
             last_modified = $3 WHERE id = $4",
        )
        .bind(patch.name.as_ref().map(|n| n.as_str()))
        .bind(&patch.fields)
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    load_item(conn, id).await
}

pub async fn delete_item(
    conn: &mut PgConnection,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
) -> StoreResult<()> {
    authorized_item(conn, actor, kind, id, Access::Write).await?;
    sqlx::query("DELETE FROM items WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn find_indicator(
    conn: &mut PgConnection,
    owner_id: i64,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    let sql = format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators d JOIN owners o ON o.id = d.owner_id \
         WHERE d.owner_id = $1 AND d.kind = $2 AND d.value = $3"
    );
    let row = sqlx::query(&sql)
        .bind(owner_id)
        .bind(value.kind().url_name())
        .bind(value.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    indicator_row(&row.ok_or(StoreError::NotFound)?)
}

pub async fn create_indicator(
    conn: &mut PgConnection,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    authorize(actor, owner.id, Access::Write)?;
    sqlx::query(
        "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(owner.id)
    .bind(value.kind().url_name())
    .bind(value.as_str())
    .bind(now())
    .bind(&actor.name)
    .execute(&mut *conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict("this indicator exists already".into())
        }
        _ => backend(e),
    })?;
    find_indicator(conn, owner.id, value).await
}

pub async fn get_indicator(
    conn: &mut PgConnection,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    authorize(actor, owner.id, Access::Read)?;
    find_indicator(conn, owner.id, value).await
}

pub async fn delete_indicator(
    conn: &mut PgConnection,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<()> {
    authorize(actor, owner.id, Access::Write)?;
    let found = find_indicator(conn, owner.id, value).await?;
    sqlx::query("DELETE FROM indicators WHERE id = $1")
        .bind(found.id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

/// The statement pair (insert, delete) and the bound ids of one association.
async fn link_rows(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<(&'static str, &'static str, i64, i64)> {
    let owner_id = authorize_incident(conn, actor, incident, Access::Write).await?;
    Ok(match target {
        Target::Incident(other) => {
            if *other == incident {
                return Err(StoreError::Invalid(
                    "an incident cannot be associated with itself".into(),
                ));
            }
            authorize_incident(conn, actor, *other, Access::Read).await?;
            (
                "INSERT INTO incident_links (incident_id, other_id) VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING",
                "DELETE FROM incident_links WHERE (incident_id = $1 AND other_id = $2) OR (incident_id = $2 AND other_id = $1)",
                // Both rows in one order whichever end asks, so two concurrent links of
                // the same pair never wait on each other crosswise.
                incident.min(*other),
                incident.max(*other),
            )
        }
        Target::Item(kind, id) => {
            authorized_item(conn, actor, *kind, *id, Access::Read).await?;
            (
                "INSERT INTO incident_items (incident_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                "DELETE FROM incident_items WHERE incident_id = $1 AND item_id = $2",
                incident,
                *id,
            )
        }
        Target::Indicator(value) => {
            let found = find_indicator(conn, owner_id, value).await?;
            (
                "INSERT INTO incident_indicators (incident_id, indicator_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                "DELETE FROM incident_indicators WHERE incident_id = $1 AND indicator_id = $2",
                incident,
                found.id,
            )
        }
    })
}

pub async fn associate(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<()> {
    let (insert, _, a, b) = link_rows(conn, actor, incident, target).await?;
    sqlx::query(insert)
        .bind(a)
        .bind(b)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn disassociate(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<()> {
    let (_, delete, a, b) = link_rows(conn, actor, incident, target).await?;
    let done = sqlx::query(delete)
        .bind(a)
        .bind(b)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Checks the target of a query's `associated` condition exists and is visible to the actor
/// (NotFound otherwise), so a reverse look-up never reveals a hidden item.
pub async fn check_associated(
    conn: &mut PgConnection,
    actor: &Actor,
    q: &IncidentQuery,
) -> StoreResult<()> {
    match &q.associated {
        None => Ok(()),
        Some(Target::Incident(id)) => authorize_incident(conn, actor, *id, Access::Read)
            .await
            .map(|_| ()),
        Some(Target::Item(kind, id)) => authorized_item(conn, actor, *kind, *id, Access::Read)
            .await
            .map(|_| ()),
        Some(Target::Indicator(value)) => {
            authorize(actor, q.owner.id, Access::Read)?;
            find_indicator(conn, q.owner.id, value).await.map(|_| ())
        }
    }
}

/// Adds the `associated` condition of a query (bound parameters only).
pub fn push_associated(qb: &mut QueryBuilder<'_, Postgres>, q: &IncidentQuery) {
    match &q.associated {
        None => {}
        Some(Target::Incident(id)) => {
            qb.push(" AND i.id IN (SELECT other_id FROM incident_links WHERE incident_id = ")
                .push_bind(*id)
                .push(")");
        }
        Some(Target::Item(kind, id)) => {
            qb.push(" AND i.id IN (SELECT x.incident_id FROM incident_items x JOIN items it ON it.id = x.item_id WHERE x.item_id = ")
                .push_bind(*id)
                .push(" AND it.kind = ")
                .push_bind(kind.url_name())
                .push(")");
        }
        Some(Target::Indicator(value)) => {
            qb.push(" AND i.id IN (SELECT x.incident_id FROM incident_indicators x JOIN indicators d ON d.id = x.indicator_id WHERE d.owner_id = ")
                .push_bind(q.owner.id)
                .push(" AND d.kind = ")
                .push_bind(value.kind().url_name())
                .push(" AND d.value = ")
                .push_bind(value.as_str().to_string())
                .push(")");
        }
    }
}
