//! An owner's items and indicators, listed in id order.

use crate::db::{Cells, Db, Sql};
use crate::{guard, rows};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Indicator, IndicatorKind, Item, ItemKind, Owner, Page, Paging, StoreResult,
};

/// Counts (first pages only) and pages `FROM ... WHERE ...` in `from`.
async fn paged<D: Db, T: Send>(
    db: &mut D,
    columns: &str,
    from: Sql<'_>,
    order: &str,
    paging: Paging,
    map: fn(&dyn Cells) -> StoreResult<T>,
) -> StoreResult<Page<T>> {
    let total = if paging.start == 0 {
        let count = Sql {
            text: format!("SELECT count(*) {}", from.text).into(),
            params: from.params.clone(),
        };
        Some(rows::count(db, count).await?)
    } else {
        None
    };
    let mut sql = Sql {
        text: format!("SELECT {columns} {}", from.text).into(),
        params: from.params,
    };
    sql.push(order)
        .push(" LIMIT ")
        .bind(rows::int_of(paging.limit))
        .push(" OFFSET ")
        .bind(rows::int_of(paging.start));
    let items = db.fetch(sql, map).await?;
    Ok(Page { total, items })
}

/// The items of `kind` in `owner` (`None`: the groups of every kind).
pub async fn items<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    kind: Option<ItemKind>,
    paging: Paging,
) -> StoreResult<Page<Item>> {
    let owner = guard::owner(actor, owner, Access::Read)?.get().id;
    let kinds: Vec<ItemKind> = match kind {
        Some(k) => vec![k],
        None => ItemKind::ALL.into_iter().filter(|k| k.is_group()).collect(),
    };
    let mut from =
        Sql::new("FROM items it JOIN owners o ON o.id = it.owner_id WHERE it.owner_id = ");
    from.bind(owner)
        .push(" AND it.kind IN ")
        .bind_list(kinds.iter().map(|k| k.url_name()));
    paged(
        db,
        rows::ITEM_COLUMNS,
        from,
        " ORDER BY it.id",
        paging,
        rows::item,
    )
    .await
}

/// The indicators in `owner` (of one type, or all).
pub async fn indicators<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    kind: Option<IndicatorKind>,
    paging: Paging,
) -> StoreResult<Page<Indicator>> {
    let owner = guard::owner(actor, owner, Access::Read)?.get().id;
    let mut from =
        Sql::new("FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.owner_id = ");
    from.bind(owner);
    if let Some(kind) = kind {
        from.push(" AND d.kind = ").bind(kind.url_name());
    }
    paged(
        db,
        rows::INDICATOR_COLUMNS,
        from,
        " ORDER BY d.id",
        paging,
        rows::indicator,
    )
    .await
}
