//! Listing incidents: a query's filter tree rendered to SQL (bound values only), counted on the
//! first page, ordered and paged; a tag's incidents served from the `incident_tags` indexes.

use crate::db::{Db, Dialect, Sql};
use crate::{guard, incidents, items, rows, subject};
use std::collections::HashMap;
use threatdb_core::policy::Access;
use threatdb_core::tag::tag_key;
use threatdb_core::{
    Actor, Cmp, Cond, Filter, IncidentDetails, IncidentOrder, IncidentQuery, Page, SortKey,
    StoreResult, Target, TextMatch, label_key,
};

/// Tag and label names of a query resolved to ids, once, before rendering.
struct Resolved {
    tags: HashMap<String, Option<i64>>,
    labels: HashMap<String, Vec<i64>>,
}

impl Resolved {
    async fn of<D: Db>(db: &mut D, q: &IncidentQuery) -> StoreResult<Self> {
        let mut out = Resolved {
            tags: HashMap::new(),
            labels: HashMap::new(),
        };
        for cond in q.filter.conditions() {
            match cond {
                Cond::Tag(name) if !out.tags.contains_key(name) => {
                    let sql = Sql::with(
                        "SELECT id FROM tags WHERE owner_id = ? AND name_key = ?",
                        vec![q.owner.id.into(), tag_key(name).into()],
                    );
                    let id = rows::int(db, sql).await?;
                    out.tags.insert(name.clone(), id);
                }
                Cond::Label(name) if !out.labels.contains_key(name) => {
                    let sql = Sql::with(
                        "SELECT id FROM security_labels WHERE (owner_id IS NULL OR owner_id = ?) AND name_key = ?",
                        vec![q.owner.id.into(), label_key(name).into()],
                    );
                    let ids = db.fetch(sql, |r| r.int(0)).await?;
                    out.labels.insert(name.clone(), ids);
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Whether a condition ANDed at the top level can match nothing (an unknown tag or label).
    fn empty(&self, q: &IncidentQuery) -> bool {
        q.filter.conjunction().is_some_and(|conds| {
            conds.iter().any(|c| match c {
                Cond::Tag(name) => self.tags.get(name).is_some_and(Option::is_none),
                Cond::Label(name) => self.labels.get(name).is_some_and(Vec::is_empty),
                _ => false,
            })
        })
    }
}

/// Renders a filter over `incidents i` (owner `owner`).
fn render<'a>(sql: &mut Sql<'a>, f: &'a Filter, owner: i64, ids: &Resolved, d: Dialect) {
    let join = |sql: &mut Sql<'a>, parts: &'a [Filter], op: &str, empty: &str| {
        if parts.is_empty() {
            sql.push(empty);
            return;
        }
        for (n, part) in parts.iter().enumerate() {
            if n > 0 {
                sql.push(op);
            }
            sql.push("(");
            render(sql, part, owner, ids, d);
            sql.push(")");
        }
    };
    match f {
        Filter::And(parts) => join(sql, parts, " AND ", "1 = 1"),
        Filter::Or(parts) => join(sql, parts, " OR ", "1 = 0"),
        Filter::Not(part) => {
            sql.push("NOT (");
            render(sql, part, owner, ids, d);
            sql.push(")");
        }
        Filter::Cond(c) => cond(sql, c, owner, ids, d),
    }
}

fn cmp(c: Cmp) -> &'static str {
    match c {
        Cmp::Lt => " < ",
        Cmp::Gt => " > ",
    }
}

fn cond<'a>(sql: &mut Sql<'a>, c: &'a Cond, owner: i64, ids: &Resolved, d: Dialect) {
    match c {
        Cond::Name(TextMatch::Equals, name) => {
            sql.push("i.name = ").bind(name.as_str());
        }
        Cond::Name(TextMatch::StartsWith, prefix) => {
            // substr keeps the comparison byte-exact and case-sensitive, unlike LIKE.
            sql.push("substr(i.name, 1, length(")
                .bind(prefix.as_str())
                .push(")) = ")
                .bind(prefix.as_str());
        }
        Cond::Name(TextMatch::Contains, text) => match d {
            // No LIKE wildcards; lower() folds ASCII letters only, in both stores.
            Dialect::Sqlite => {
                sql.push("instr(lower(i.name), lower(")
                    .bind(text.as_str())
                    .push(")) > 0");
            }
            Dialect::Postgres => {
                sql.push("strpos(lower(i.name COLLATE \"C\"), lower(")
                    .bind(text.as_str())
                    .push(" COLLATE \"C\")) > 0");
            }
        },
        Cond::Status(status) => {
            sql.push("i.status = ").bind(status.as_str());
        }
        Cond::Tag(name) => match ids.tags.get(name).copied().flatten() {
            Some(tag) => {
                sql.push("i.id IN (SELECT incident_id FROM incident_tags WHERE tag_id = ")
                    .bind(tag)
                    .push(")");
            }
            None => {
                sql.push("1 = 0");
            }
        },
        Cond::Label(name) => match ids.labels.get(name).filter(|l| !l.is_empty()) {
            Some(labels) => match d {
                // A probe per incident: system labels span every owner, so materialising every
                // incident with TLP:GREEN would cost more than the owner's own incidents.
                Dialect::Sqlite => {
                    sql.push("EXISTS (SELECT 1 FROM incident_labels il WHERE il.incident_id = i.id AND il.label_id IN ")
                        .bind_list(labels.iter().copied())
                        .push(")");
                }
                Dialect::Postgres => {
                    sql.push("i.id IN (SELECT incident_id FROM incident_labels WHERE label_id IN ")
                        .bind_list(labels.iter().copied())
                        .push(")");
                }
            },
            None => {
                sql.push("1 = 0");
            }
        },
        Cond::DateAdded(c, t) => {
            sql.push("i.date_added").push(cmp(*c)).bind(*t);
        }
        Cond::EventDate(c, t) => {
            sql.push("i.event_date").push(cmp(*c)).bind(*t);
        }
        Cond::Associated(target) => associated(sql, target, owner),
    }
}

fn associated<'a>(sql: &mut Sql<'a>, target: &'a Target, owner: i64) {
    match target {
        Target::Incident(id) => {
            sql.push("i.id IN (SELECT other_id FROM incident_links WHERE incident_id = ")
                .bind(*id)
                .push(")");
        }
        Target::Item(kind, id) => {
            sql.push("i.id IN (SELECT x.incident_id FROM incident_items x JOIN items it ON it.id = x.item_id WHERE x.item_id = ")
                .bind(*id)
                .push(" AND it.kind = ")
                .bind(kind.url_name())
                .push(")");
        }
        Target::Indicator(value) => {
            sql.push("i.id IN (SELECT x.incident_id FROM incident_indicators x JOIN indicators d ON d.id = x.indicator_id WHERE d.owner_id = ")
                .bind(owner)
                .push(" AND d.kind = ")
                .bind(value.kind().url_name())
                .push(" AND d.value = ")
                .bind(value.as_str())
                .push(")");
        }
    }
}

/// Checks that the target of every `Associated` condition exists and is visible to the actor
/// (NotFound otherwise), so a reverse look-up never reveals a hidden item.
async fn check_associated<D: Db>(db: &mut D, actor: &Actor, q: &IncidentQuery) -> StoreResult<()> {
    for c in q.filter.conditions() {
        match c {
            Cond::Associated(Target::Incident(id)) => {
                subject::incident(db, actor, *id, Access::Read).await?;
            }
            Cond::Associated(Target::Item(kind, id)) => {
                items::get_item(db, actor, *kind, *id).await?;
            }
            Cond::Associated(Target::Indicator(value)) => {
                items::get_indicator(db, actor, &q.owner, value).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// ` WHERE i.owner_id = ? AND (filter)`.
fn where_clause<'q>(
    sql: &mut Sql<'q>,
    q: &'q IncidentQuery,
    owner: i64,
    ids: &Resolved,
    d: Dialect,
) {
    sql.push(" WHERE i.owner_id = ").bind(owner);
    if !q.filter.is_all() {
        sql.push(" AND (");
        render(sql, &q.filter, owner, ids, d);
        sql.push(")");
    }
}

/// The ORDER BY clause of a list: a fixed string per order, ties broken by id.
fn order_by(order: IncidentOrder, d: Dialect) -> String {
    let dir = if order.descending { " DESC" } else { "" };
    let key = match order.key {
        SortKey::Id => return format!(" ORDER BY i.id{dir}"),
        SortKey::DateAdded => "i.date_added".to_string(),
        SortKey::EventDate => "i.event_date".to_string(),
        SortKey::Name => format!("lower({})", d.name_column()),
    };
    format!(" ORDER BY {key}{dir}, i.id{dir}")
}

/// Whether the query is a tag's incidents with at most event-date bounds, in id order: then it
/// is counted and paged from the `incident_tags` indexes alone.
fn tag_only(q: &IncidentQuery) -> Option<(&str, Vec<(Cmp, threatdb_core::Timestamp)>)> {
    if q.order.key != SortKey::Id {
        return None;
    }
    let conds = q.filter.conjunction()?;
    let mut tag = None;
    let mut dates = Vec::new();
    for c in conds {
        match c {
            Cond::Tag(name) if tag.is_none() => tag = Some(name.as_str()),
            Cond::EventDate(cmp, t) => dates.push((*cmp, *t)),
            _ => return None,
        }
    }
    Some((tag?, dates))
}

/// Lists an owner's incidents matching the query.
pub async fn incidents<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &IncidentQuery,
) -> StoreResult<Page<IncidentDetails>> {
    let owner = guard::owner(actor, &q.owner, Access::Read)?.get().id;
    check_associated(db, actor, q).await?;
    let ids = Resolved::of(db, q).await?;
    if ids.empty(q) {
        return Ok(Page {
            total: (q.paging.start == 0).then_some(0),
            items: vec![],
        });
    }
    let d = db.dialect();
    if let Some((tag, dates)) = tag_only(q)
        && let Some(tag) = ids.tags.get(tag).copied().flatten()
    {
        return by_tag(db, q, tag, &dates).await;
    }
    let total = if q.paging.start == 0 {
        let mut sql = Sql::new("SELECT count(*) FROM incidents i");
        where_clause(&mut sql, q, owner, &ids, d);
        Some(rows::count(db, sql).await?)
    } else {
        None
    };
    let mut sql = Sql::new(format!(
        "SELECT {} FROM incidents i JOIN owners o ON o.id = i.owner_id",
        rows::INCIDENT_COLUMNS
    ));
    where_clause(&mut sql, q, owner, &ids, d);
    sql.push(&order_by(q.order, d))
        .push(" LIMIT ")
        .bind(rows::int_of(q.paging.limit))
        .push(" OFFSET ")
        .bind(rows::int_of(q.paging.start));
    let found = db.fetch(sql, rows::incident).await?;
    let items = incidents::with_metadata(db, found, q.include).await?;
    Ok(Page { total, items })
}

/// A tag's incidents, counted from `incident_tags` alone and paged in the order of its
/// (tag_id, incident_id) index: only the page's incidents are read. Tags belong to one owner, so
/// the owner needs no check of its own.
async fn by_tag<D: Db>(
    db: &mut D,
    q: &IncidentQuery,
    tag: i64,
    dates: &[(Cmp, threatdb_core::Timestamp)],
) -> StoreResult<Page<IncidentDetails>> {
    let conditions = |sql: &mut Sql<'_>| {
        sql.push(" WHERE it.tag_id = ").bind(tag);
        for (c, t) in dates {
            sql.push(" AND it.event_date").push(cmp(*c)).bind(*t);
        }
    };
    let total = if q.paging.start == 0 {
        let mut sql = Sql::new("SELECT count(*) FROM incident_tags it");
        conditions(&mut sql);
        Some(rows::count(db, sql).await?)
    } else {
        None
    };
    let mut sql = Sql::new(format!(
        "SELECT {} FROM incident_tags it{}incidents i ON i.id = it.incident_id \
         JOIN owners o ON o.id = i.owner_id",
        rows::INCIDENT_COLUMNS,
        db.dialect().ordered_join()
    ));
    conditions(&mut sql);
    sql.push(if q.order.descending {
        " ORDER BY it.incident_id DESC"
    } else {
        " ORDER BY it.incident_id"
    })
    .push(" LIMIT ")
    .bind(rows::int_of(q.paging.limit))
    .push(" OFFSET ")
    .bind(rows::int_of(q.paging.start));
    let found = db.fetch(sql, rows::incident).await?;
    let items = incidents::with_metadata(db, found, q.include).await?;
    Ok(Page { total, items })
}
