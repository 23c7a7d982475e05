//! An owner's items of one kind and its indicators, listed in id order.

use crate::associations::{INDICATOR_COLUMNS, ITEM_COLUMNS, indicator_row, item_row};
use crate::authorize;
use crate::rows::{all, one};
use crate::sql::Sql;
use rusqlite::{Connection, params_from_iter};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Indicator, IndicatorKind, Item, ItemKind, Owner, Page, Paging, StoreResult,
};

/// Counts (first pages only) and pages `FROM ... WHERE ...` in `sql`.
fn paged<T>(
    conn: &Connection,
    columns: &str,
    mut sql: Sql,
    order: &str,
    paging: Paging,
    map: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> StoreResult<Page<T>> {
    let total = if paging.start == 0 {
        let count = format!("SELECT count(*) {}", sql.text);
        one(conn, &count, params_from_iter(sql.params.iter()), |r| {
            r.get::<_, i64>(0)
        })?
        .map(|n| n as u64)
    } else {
        None
    };
    sql.push(order)
        .push(" LIMIT ")
        .bind(paging.limit as i64)
        .push(" OFFSET ")
        .bind(paging.start as i64);
    let text = format!("SELECT {columns} {}", sql.text);
    let items = all(conn, &text, params_from_iter(sql.params.iter()), map)?;
    Ok(Page { total, items })
}

pub fn list_items(
    conn: &Connection,
    actor: &Actor,
    owner: &Owner,
    kind: Option<ItemKind>,
    paging: Paging,
) -> StoreResult<Page<Item>> {
    authorize(actor, owner.id, Access::Read)?;
    let kinds: Vec<ItemKind> = match kind {
        Some(k) => vec![k],
        None => ItemKind::ALL.into_iter().filter(|k| k.is_group()).collect(),
    };
    let mut sql =
        Sql::new("FROM items it JOIN owners o ON o.id = it.owner_id WHERE it.owner_id = ");
    sql.bind(owner.id).push(" AND it.kind IN (");
    for (n, k) in kinds.iter().enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.bind(k.url_name().to_string());
    }
    sql.push(")");
    paged(conn, ITEM_COLUMNS, sql, " ORDER BY it.id", paging, item_row)
}

pub fn list_indicators(
    conn: &Connection,
    actor: &Actor,
    owner: &Owner,
    kind: Option<IndicatorKind>,
    paging: Paging,
) -> StoreResult<Page<Indicator>> {
    authorize(actor, owner.id, Access::Read)?;
    let mut sql =
        Sql::new("FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.owner_id = ");
    sql.bind(owner.id);
    if let Some(kind) = kind {
        sql.push(" AND d.kind = ").bind(kind.url_name().to_string());
    }
    paged(
        conn,
        INDICATOR_COLUMNS,
        sql,
        " ORDER BY d.id",
        paging,
        indicator_row,
    )
}
