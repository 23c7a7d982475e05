//! Indicators by id, listed by an index-served query, and as the subject of nested writes (the
//! v3 API's `/v3/indicators`). By value, they are in [`crate::items`].

use crate::db::{Db, Dialect, Sql};
use crate::guard::{self, Granted};
use crate::metadata::Metadata;
use crate::subject::Kind;
use crate::{items, list, rows};
use std::collections::HashSet;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Indicator, IndicatorDetails, IndicatorFilter, IndicatorKind, IndicatorQuery,
    IndicatorValue, Page, PlanStep, StoreResult, Subject, tag::tag_key,
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

/// Reads an indicator by id with what `include` asks for.
pub async fn details<D: Db>(
    db: &mut D,
    actor: &Actor,
    id: i64,
    include: threatdb_core::Include,
) -> StoreResult<IndicatorDetails> {
    let indicator = by_id(db, actor, id).await?;
    let (attributes, tags, labels) = Metadata::load(db, Kind::Indicator, &[id], include)
        .await?
        .take(id);
    Ok(IndicatorDetails {
        indicator,
        attributes,
        tags,
        labels,
    })
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

/// Sets what `scores` changes of the indicator's rating and confidence (write access on its
/// owner; nothing when it changes nothing).
pub async fn set_scores<D: Db>(
    db: &mut D,
    actor: &Actor,
    found: &Indicator,
    scores: &threatdb_core::IndicatorScores,
) -> StoreResult<()> {
    let rating = scores.rating.filter(|r| *r != found.rating);
    let confidence = scores.confidence.filter(|c| *c != found.confidence);
    if rating.is_none() && confidence.is_none() {
        return Ok(());
    }
    // The guard, on the loaded row, before the write.
    writable(db, actor, found.id).await?;
    db.execute(Sql::with(
        "UPDATE indicators SET \
         rating = CASE WHEN ? THEN ? ELSE rating END, \
         confidence = CASE WHEN ? THEN ? ELSE confidence END, \
         last_modified = ? WHERE id = ?",
        vec![
            rating.is_some().into(),
            rating.flatten().map(threatdb_core::rating_number).into(),
            confidence.is_some().into(),
            confidence.flatten().map(i64::from).into(),
            crate::now().into(),
            found.id.into(),
        ],
    ))
    .await?;
    let mut changes = Vec::new();
    if let Some(new) = rating {
        let show = |r: Option<u16>| r.map(|r| threatdb_core::rating_number(r).to_string());
        changes.push(("rating".to_string(), show(found.rating), show(new)));
    }
    if let Some(new) = confidence {
        let show = |c: Option<u8>| c.map(|c| c.to_string());
        changes.push(("confidence".to_string(), show(found.confidence), show(new)));
    }
    let row = crate::subject::Row {
        kind: crate::subject::Kind::Indicator,
        id: found.id,
        owner: found.owner.id,
    };
    crate::history::record(db, actor, &row, changes).await
}

/// Deletes an indicator by id and its associations (the foreign keys cascade).
pub async fn delete_by_id<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<()> {
    let found = writable(db, actor, id).await?;
    crate::items::record_indicator_deleted(db, actor, &found).await?;
    db.execute(Sql::with(
        "DELETE FROM indicators WHERE id = ?",
        vec![found.id.into()],
    ))
    .await?;
    Ok(())
}

/// Deletes each of `ids` (write access on each; one that is gone already is skipped), in the
/// caller's one transaction. Returns how many were deleted.
pub async fn delete_many<D: Db>(db: &mut D, actor: &Actor, ids: &[i64]) -> StoreResult<u64> {
    let mut deleted = 0u64;
    for id in ids {
        match delete_by_id(db, actor, *id).await {
            Ok(()) => deleted = deleted.saturating_add(1),
            Err(threatdb_core::StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(deleted)
}

/// One part of a list: the indicators of one type (or of any, `None`), with the values of that
/// type the query names.
struct Part<'q> {
    kind: Option<IndicatorKind>,
    values: Option<Vec<&'q str>>,
}

/// The parts of a list. A list of several types is read type by type, each part in the order of
/// its `(owner_id, kind, id)` index, and the parts merged by id: one statement with `kind IN
/// (...)` would walk every indicator of the owner in id order, however rare the types.
fn parts(f: &IndicatorFilter) -> Vec<Part<'_>> {
    let mut kinds: Option<Vec<IndicatorKind>> = f.kinds.clone();
    if let Some(values) = &f.values {
        let of_values: Vec<IndicatorKind> = IndicatorKind::ALL
            .into_iter()
            .filter(|k| values.iter().any(|v| v.kind() == *k))
            .collect();
        kinds = Some(match kinds {
            Some(k) => of_values.into_iter().filter(|x| k.contains(x)).collect(),
            None => of_values,
        });
    }
    match kinds {
        None => vec![Part {
            kind: None,
            values: None,
        }],
        Some(kinds) => kinds
            .into_iter()
            .map(|kind| Part {
                kind: Some(kind),
                values: f.values.as_ref().map(|values| {
                    values
                        .iter()
                        .filter(|v| v.kind() == kind)
                        .map(|v| v.as_str())
                        .collect()
                }),
            })
            .collect(),
    }
}

/// The statements of one part: its count (when asked, on a first page) and its page (`take`
/// rows from `skip`). Every condition is served from an index: the owner and type from
/// `(owner_id, kind, id)` or `(owner_id, id)`, values from the unique `(owner_id, kind,
/// value)`, ids from the primary key, tags from `indicator_tags (tag_id, indicator_id)` after
/// the owner's tags by name, dates from `(owner_id, date_added)` and `(owner_id,
/// last_modified)`, ratings and confidences from `(owner_id, rating)` and `(owner_id,
/// confidence)`.
fn statements<'q>(
    owner: i64,
    q: &'q IndicatorQuery,
    part: &Part<'q>,
    (skip, take): (u64, u64),
    cx: &Resolved,
) -> (Option<Sql<'q>>, Sql<'q>) {
    let f = &q.filter;
    let mut from =
        Sql::new(" FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.owner_id = ");
    from.bind(owner);
    if let Some(kind) = part.kind {
        from.push(" AND d.kind = ").bind(kind.url_name());
    }
    if let Some(values) = &part.values {
        from.push(" AND d.value IN ")
            .bind_list(values.iter().copied());
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
    for (column, w) in [("d.date_added", f.added), ("d.last_modified", f.modified)] {
        if let Some(t) = w.after {
            from.push(" AND ").push(column).push(" > ").bind(t);
        }
        if let Some(t) = w.before {
            from.push(" AND ").push(column).push(" < ").bind(t);
        }
    }
    // A rating is stored as its number (hundredths / 100): the bound is that same division of
    // the same whole number, so it compares exactly with what was stored.
    let number =
        |h: i64| f64::from(i32::try_from(h.clamp(-1_000_000, 1_000_000)).unwrap_or(0)) / 100.0;
    if let Some(min) = f.rating.min {
        from.push(" AND d.rating >= ").bind(number(min));
    }
    if let Some(max) = f.rating.max {
        from.push(" AND d.rating <= ").bind(number(max));
    }
    if let Some(min) = f.confidence.min {
        from.push(" AND d.confidence >= ").bind(min);
    }
    if let Some(max) = f.confidence.max {
        from.push(" AND d.confidence <= ").bind(max);
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
    for a in &f.attributes {
        let rare = a
            .type_name
            .as_ref()
            .is_some_and(|t| cx.rare_types.contains(t));
        from.push(" AND ");
        list::attribute_condition(&mut from, a, rare, cx.dialect, list::Holder::Indicator);
    }
    let count = (q.count && q.paging.start == 0).then(|| Sql {
        text: format!("SELECT count(*){}", from.text).into(),
        params: from.params.clone(),
    });
    let mut page = Sql {
        text: format!("SELECT {}{}", rows::INDICATOR_COLUMNS, from.text).into(),
        params: from.params,
    };
    page.push(" ORDER BY d.id LIMIT ")
        .bind(rows::int_of(take))
        .push(" OFFSET ")
        .bind(rows::int_of(skip));
    (count, page)
}

/// What rendering a list needs from the database: which attribute types are rare, and the
/// dialect.
struct Resolved {
    rare_types: HashSet<String>,
    dialect: Dialect,
}

impl Resolved {
    async fn of<D: Db>(db: &mut D, f: &IndicatorFilter) -> StoreResult<Self> {
        let mut rare_types = HashSet::new();
        for kind in f.attributes.iter().filter_map(|a| a.type_name.as_ref()) {
            if !rare_types.contains(kind)
                && list::rare_attribute_type(db, list::Holder::Indicator, kind).await?
            {
                rare_types.insert(kind.clone());
            }
        }
        Ok(Resolved {
            rare_types,
            dialect: db.dialect(),
        })
    }
}

/// Each part's window: the page itself for one part; for several, the first `start + limit`
/// of each, merged and cut afterwards.
fn window(q: &IndicatorQuery, parts: usize) -> (u64, u64) {
    if parts == 1 {
        (q.paging.start, q.paging.limit)
    } else {
        (0, q.paging.start.saturating_add(q.paging.limit))
    }
}

/// A page of an owner's indicators in id order, with what the query includes of each.
pub async fn query<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &IndicatorQuery,
) -> StoreResult<Page<IndicatorDetails>> {
    let owner = guard::owner(actor, &q.owner, Access::Read)?.get().id;
    let parts = parts(&q.filter);
    let counted = q.count && q.paging.start == 0;
    if q.filter.is_empty() || parts.is_empty() {
        return Ok(Page {
            total: counted.then_some(0),
            items: Vec::new(),
        });
    }
    let window = window(q, parts.len());
    let cx = Resolved::of(db, &q.filter).await?;
    let mut total: Option<u64> = None;
    let mut found = Vec::new();
    for part in &parts {
        let (count, page) = statements(owner, q, part, window, &cx);
        if let Some(sql) = count {
            let n = rows::count(db, sql).await?;
            total = Some(total.unwrap_or(0).saturating_add(n));
        }
        found.extend(db.fetch(page, rows::indicator).await?);
    }
    if parts.len() > 1 {
        found.sort_by_key(|i| i.id);
        let skip = usize::try_from(q.paging.start).unwrap_or(usize::MAX);
        let take = usize::try_from(q.paging.limit).unwrap_or(usize::MAX);
        found = found.into_iter().skip(skip).take(take).collect();
    }
    let ids: Vec<i64> = found.iter().map(|i| i.id).collect();
    let mut loaded = Metadata::load(db, Kind::Indicator, &ids, q.include).await?;
    Ok(Page {
        total,
        items: found
            .into_iter()
            .map(|indicator| {
                let (attributes, tags, labels) = loaded.take(indicator.id);
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

/// The statements a list would run and the database's plan for each.
pub async fn explain<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &IndicatorQuery,
) -> StoreResult<Vec<PlanStep>> {
    let owner = guard::owner(actor, &q.owner, Access::Read)?.get().id;
    let parts = parts(&q.filter);
    if q.filter.is_empty() {
        return Ok(Vec::new());
    }
    let window = window(q, parts.len());
    let cx = Resolved::of(db, &q.filter).await?;
    let mut out = Vec::new();
    let statements = parts.iter().flat_map(|part| {
        let (count, page) = statements(owner, q, part, window, &cx);
        count.into_iter().chain([page])
    });
    for sql in statements.collect::<Vec<_>>() {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(PlanStep { statement, plan });
    }
    Ok(out)
}
