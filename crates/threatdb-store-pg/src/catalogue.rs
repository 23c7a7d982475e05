//! An owner's items of one kind and its indicators, listed in id order.

use crate::associations::{INDICATOR_COLUMNS, ITEM_COLUMNS, indicator_row, item_row};
use crate::{authorize, backend};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Indicator, IndicatorKind, Item, ItemKind, Owner, Page, Paging, StoreResult,
};

/// `FROM ... WHERE ...` for an owner's items or indicators of these kinds (empty: any).
fn push_from(qb: &mut QueryBuilder<'_, Postgres>, items: bool, owner: i64, kinds: Vec<String>) {
    let (table, alias) = if items {
        ("items it", "it")
    } else {
        ("indicators d", "d")
    };
    qb.push(format!(
        " FROM {table} JOIN owners o ON o.id = {alias}.owner_id WHERE {alias}.owner_id = "
    ))
    .push_bind(owner);
    if !kinds.is_empty() {
        qb.push(format!(" AND {alias}.kind = ANY("))
            .push_bind(kinds)
            .push(")");
    }
}

async fn paged<T>(
    conn: &mut PgConnection,
    items: bool,
    owner: i64,
    kinds: Vec<String>,
    paging: Paging,
    map: impl Fn(&PgRow) -> StoreResult<T>,
) -> StoreResult<Page<T>> {
    let total = if paging.start == 0 {
        let mut qb = QueryBuilder::new("SELECT count(*)");
        push_from(&mut qb, items, owner, kinds.clone());
        let n: i64 = qb
            .build_query_scalar()
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
        Some(n as u64)
    } else {
        None
    };
    let (columns, order) = if items {
        (ITEM_COLUMNS, " ORDER BY it.id")
    } else {
        (INDICATOR_COLUMNS, " ORDER BY d.id")
    };
    let mut qb = QueryBuilder::new(format!("SELECT {columns}"));
    push_from(&mut qb, items, owner, kinds);
    qb.push(order)
        .push(" LIMIT ")
        .push_bind(paging.limit as i64)
        .push(" OFFSET ")
        .push_bind(paging.start as i64);
    let rows = qb.build().fetch_all(&mut *conn).await.map_err(backend)?;
    let items = rows.iter().map(map).collect::<StoreResult<Vec<T>>>()?;
    Ok(Page { total, items })
}

pub async fn list_items(
    conn: &mut PgConnection,
    actor: &Actor,
    owner: &Owner,
    kind: Option<ItemKind>,
    paging: Paging,
) -> StoreResult<Page<Item>> {
    authorize(actor, owner.id, Access::Read)?;
    let kinds = ItemKind::ALL
        .into_iter()
        .filter(|k| kind.map_or(k.is_group(), |wanted| *k == wanted))
        .map(|k| k.url_name().to_string())
        .collect();
    paged(conn, true, owner.id, kinds, paging, item_row).await
}

pub async fn list_indicators(
    conn: &mut PgConnection,
    actor: &Actor,
    owner: &Owner,
    kind: Option<IndicatorKind>,
    paging: Paging,
) -> StoreResult<Page<Indicator>> {
    authorize(actor, owner.id, Access::Read)?;
    let kinds = kind.map(|k| k.url_name().to_string()).into_iter().collect();
    paged(conn, false, owner.id, kinds, paging, indicator_row).await
}
