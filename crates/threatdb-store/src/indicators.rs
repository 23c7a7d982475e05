//! Indicators by id, listed by an index-served query, and as the subject of nested writes (the
//! v3 API's `/v3/indicators`). By value, they are in [`crate::items`].

use crate::db::{Db, Sql};
use crate::guard::{self, Granted};
use crate::metadata::Metadata;
use crate::subject::Kind;
use crate::{catalogue, items, rows};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Indicator, IndicatorDetails, IndicatorQuery, IndicatorValue, Page, StoreResult, Subject,
    tag::tag_key,
};

/// Loads an indicator by id and grants `access` on it (NotFound when missing or hidden).
async fn granted<D: Db>(
    db: &mut D,
    actor: &Actor,
    id: i64,
    access: Access,
) -> StoreResult<Granted<Indicator>> {
    let found = items::load_indicator(db, id).await?;
    guard::grant(actor, found.owner.id, access, found)
}

/// Reads an indicator by id.
pub async fn by_id<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<Indicator> {
    Ok(granted(db, actor, id, Access::Read).await?.into_inner())
}

/// Loads an indicator by id for a write (Forbidden for a reader).
pub async fn writable<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<Indicator> {
    let found = granted(db, actor, id, Access::Write).await?;
    guard::for_write(&found)?;
    Ok(found.into_inner())
}

/// The indicator as the subject of tags, labels and attributes.
pub fn subject(found: &Indicator) -> StoreResult<Subject> {
    Ok(Subject::Indicator(
        found.owner.clone(),
        IndicatorValue::parse(found.kind, &found.value)?,
    ))
}

/// Deletes an indicator by id and its associations (the foreign keys cascade).
pub async fn delete_by_id<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<()> {
    let found = writable(db, actor, id).await?;
    db.execute(Sql::with(
        "DELETE FROM indicators WHERE id = ?",
        vec![found.id.into()],
    ))
    .await?;
    Ok(())
}

/// A page of an owner's indicators in id order. Every condition is served from an index:
/// the owner and type from `(owner_id, kind, id)` or `(owner_id, id)`, values from the unique
/// `(owner_id, kind, value)`, ids from the primary key, tags from `indicator_tags (tag_id,
/// indicator_id)` after the owner's tags by name.
pub async fn query<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &IndicatorQuery,
) -> StoreResult<Page<IndicatorDetails>> {
    let owner = guard::owner(actor, &q.owner, Access::Read)?.get().id;
    let f = &q.filter;
    if f.is_empty() {
        return Ok(Page {
            total: (q.count && q.paging.start == 0).then_some(0),
            items: Vec::new(),
        });
    }
    let mut from =
        Sql::new("FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.owner_id = ");
    from.bind(owner);
    if let Some(kinds) = &f.kinds {
        from.push(" AND d.kind IN ")
            .bind_list(kinds.iter().map(|k| k.url_name()));
    }
    if let Some(values) = &f.values {
        from.push(" AND (");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                from.push(" OR ");
            }
            from.push("(d.kind = ")
                .bind(v.kind().url_name())
                .push(" AND d.value = ")
                .bind(v.as_str().to_string())
                .push(")");
        }
        from.push(")");
    }
    if let Some(ids) = &f.ids {
        from.push(" AND d.id IN ").bind_list(ids.iter().copied());
    }
    if let Some(above) = f.id_above {
        from.push(" AND d.id > ").bind(above);
    }
    if let Some(below) = f.id_below {
        from.push(" AND d.id < ").bind(below);
    }
    if let Some(tags) = &f.tags {
        from.push(
            " AND d.id IN (SELECT x.indicator_id FROM indicator_tags x \
             JOIN tags t ON t.id = x.tag_id WHERE t.owner_id = ",
        )
        .bind(owner)
        .push(" AND t.name_key IN ")
        .bind_list(tags.iter().map(|t| tag_key(t)))
        .push(")");
    }
    let page = catalogue::paged(
        db,
        rows::INDICATOR_COLUMNS,
        from,
        " ORDER BY d.id",
        (q.paging, q.count),
        rows::indicator,
    )
    .await?;
    let ids: Vec<i64> = page.items.iter().map(|i| i.id).collect();
    let mut found = Metadata::load(db, Kind::Indicator, &ids, q.include).await?;
    Ok(Page {
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|indicator| {
                let (attributes, tags, labels) = found.take(indicator.id);
                IndicatorDetails {
                    indicator,
                    attributes,
                    tags,
                    labels,
                }
            })
            .collect(),
    })
}
