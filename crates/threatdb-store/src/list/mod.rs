//! Listing incidents: a query's filter tree rendered to SQL (bound values only, every condition
//! in a form an index serves), counted on the first page (from counters where they answer),
//! ordered and paged; a tag's incidents served from the `incident_tags` indexes.

mod render;
mod resolve;
mod text;

pub use render::prefix_upper_bound;
pub(crate) use render::{Holder, attribute_condition};
pub(crate) use render::{like_pattern, name_rowids};
pub use resolve::NameSample;
pub(crate) use resolve::rare_attribute_type;
pub use text::MIN_TRIGRAM_CHARS;
pub(crate) use text::{fts_phrase, fts_selective, selective_part};

use crate::db::{Db, Dialect, Sql};
use crate::{guard, incidents, items, rows, subject};
use render::{Context, render};
use resolve::Resolved;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Cmp, Cond, IncidentDetails, IncidentOrder, IncidentQuery, Page, PlanStep, SortKey,
    StoreResult, Target,
};

/// Matches up to which a filtered list reads every match and sorts them, rather than walking
/// the owner's incidents in order until a page is full.
pub(crate) const READ_ALL_BELOW: u64 = 10_000;

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

/// ` WHERE i.owner_id = ? AND (filter)`. When the filter reads from the trigram index, SQLite's
/// unary `+` keeps the owner's indexes from being walked instead.
fn where_clause<'q>(sql: &mut Sql<'q>, q: &'q IncidentQuery, cx: &Context<'_>) {
    let owner = if cx.dialect == Dialect::Sqlite && cx.ids.drives_from_names(&q.filter) {
        " WHERE +i.owner_id = "
    } else {
        " WHERE i.owner_id = "
    };
    sql.push(owner).bind(cx.owner);
    if !q.filter.is_all() {
        sql.push(" AND (");
        render(sql, &q.filter, cx);
        sql.push(")");
    }
}

/// The ORDER BY clause of a list, ties broken by id. `read_all` (a selective filter whose few
/// matches are read and sorted) keeps SQLite from walking the owner's incidents in order
/// instead: its unary `+` makes the key unusable for ordering by an index.
fn order_by(order: IncidentOrder, d: Dialect, read_all: bool) -> String {
    let dir = if order.descending { " DESC" } else { "" };
    let hint = if read_all && d == Dialect::Sqlite {
        "+"
    } else {
        ""
    };
    let key = match order.key {
        SortKey::Id => return format!(" ORDER BY {hint}i.id{dir}"),
        SortKey::DateAdded => format!("{hint}i.date_added"),
        SortKey::EventDate => format!("{hint}i.event_date"),
        SortKey::Name => format!("{hint}{}", d.folded_name()),
    };
    format!(" ORDER BY {key}{dir}, i.id{dir}")
}

/// Whether the page can be read in order from an index that serves the filter: one status in
/// id order is a range of (owner_id, status, id), already sorted, so only the page's rows are
/// read, not every match.
fn in_index_order(q: &IncidentQuery) -> bool {
    q.order.key == SortKey::Id
        && q.filter
            .conjunction()
            .is_some_and(|c| matches!(c.as_slice(), [Cond::Status(_)]))
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

/// The label's id when the query is one label's incidents (a label resolving to one id: the
/// owner's own or a system label) in id order: then (on SQLite) it is paged from the label's
/// index range in order, reading only the page's incidents, and counted by the label's counter
/// (the owner's 170 `TLP:RED` incidents at 8 M were read and sorted for every page).
fn label_only(q: &IncidentQuery, ids: &Resolved) -> Option<i64> {
    if q.order.key != SortKey::Id {
        return None;
    }
    match q.filter.conjunction()?.as_slice() {
        [Cond::Label(name)] => match ids.labels.get(name)?.as_slice() {
            [one] => Some(*one),
            _ => None,
        },
        _ => None,
    }
}

/// The page of one label's incidents in an owner, in the order of the label's index.
fn label_page<'q>(d: Dialect, q: &IncidentQuery, label: i64, owner: i64) -> Sql<'q> {
    link_page(d, q, "incident_labels il", "il", |sql| {
        sql.push(" WHERE il.label_id = ")
            .bind(label)
            .push(" AND il.owner_id = ")
            .bind(owner);
    })
}

/// A page of incidents read through a link table (`from`, aliased `alias`) in the order of its
/// incident ids, `conditions` choosing the links: only the page's incidents are read.
fn link_page<'q>(
    d: Dialect,
    q: &IncidentQuery,
    from: &str,
    alias: &str,
    conditions: impl FnOnce(&mut Sql<'q>),
) -> Sql<'q> {
    let mut page = Sql::new(format!(
        "SELECT {} FROM {from}{}incidents i ON i.id = {alias}.incident_id \
         JOIN owners o ON o.id = i.owner_id",
        rows::INCIDENT_COLUMNS,
        d.ordered_join()
    ));
    conditions(&mut page);
    let dir = if q.order.descending { " DESC" } else { "" };
    page.push(&format!(" ORDER BY {alias}.incident_id{dir}"))
        .push(" LIMIT ")
        .bind(rows::int_of(q.paging.limit))
        .push(" OFFSET ")
        .bind(rows::int_of(q.paging.start));
    page
}

/// The statements of a list, built once for running and for explaining.
struct Statements<'q> {
    count: Option<Sql<'q>>,
    page: Sql<'q>,
}

/// How a list is answered.
enum Plan<'q> {
    /// Nothing can match (an unknown tag or label).
    Empty,
    /// A tag's incidents, from its own indexes.
    Tag(i64, Vec<(Cmp, threatdb_core::Timestamp)>),
    /// One label's incidents in the owner, from its (label_id, owner_id, incident_id) range
    /// in order, counted by its counter.
    Label {
        label: i64,
        owner: i64,
        counted: Option<u64>,
    },
    /// The owner's incidents through the filter.
    Filtered {
        counted: Option<u64>,
        statements: Statements<'q>,
    },
}

/// Decides how to answer `q` and builds the statements (counting matches where that decides
/// the plan: a deep page of a filter estimates with a bounded count).
async fn plan<'q, D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &'q IncidentQuery,
    names: &NameSample,
) -> StoreResult<Plan<'q>> {
    let owner = guard::owner(actor, &q.owner, Access::Read)?.get().id;
    check_associated(db, actor, q).await?;
    let ids = Resolved::of(db, q, names).await?;
    if ids.empty(q) {
        return Ok(Plan::Empty);
    }
    if let Some((tag, dates)) = tag_only(q)
        && let Some(tag) = ids.tags.get(tag).copied().flatten()
    {
        return Ok(Plan::Tag(tag, dates));
    }
    // SQLite only: PostgreSQL's planner may merge-join this with the whole primary key in id
    // order, and plans the filtered form (the label's range in the owner) well by itself.
    if db.dialect() == Dialect::Sqlite
        && let Some(label) = label_only(q, &ids)
    {
        return Ok(Plan::Label {
            label,
            owner,
            counted: ids.counted(q),
        });
    }
    let cx = Context {
        owner,
        ids: &ids,
        dialect: db.dialect(),
    };
    let counted = ids.counted(q);
    let count = (q.count && q.paging.start == 0 && counted.is_none()).then(|| {
        let mut sql = Sql::new("SELECT count(*) FROM incidents i");
        where_clause(&mut sql, q, &cx);
        sql
    });
    // How many match decides the page's plan: from the counter or the first page's count, or,
    // deeper in a filtered list (or when no count is asked for), from a count that stops at the
    // threshold.
    let matches = match (counted, &count) {
        (Some(n), _) => Some(n),
        (None, Some(sql)) => Some(rows::count(db, sql.clone()).await?),
        (None, None) if q.filter.is_all() => None,
        (None, None) => {
            let mut sql = Sql::new("SELECT count(*) FROM (SELECT 1 FROM incidents i");
            where_clause(&mut sql, q, &cx);
            sql.push(" LIMIT ")
                .bind(rows::int_of(READ_ALL_BELOW))
                .push(") AS bounded");
            Some(rows::count(db, sql).await?)
        }
    };
    // Reading the matches and sorting them beats walking the owner in order when there are
    // fewer of them than the walk would read to fill the page.
    let read_all = !q.filter.is_all()
        && !in_index_order(q)
        && matches.is_some_and(|n| n < READ_ALL_BELOW && n < ids.walk_rows(n));
    let mut page = Sql::new(format!(
        "SELECT {} FROM incidents i JOIN owners o ON o.id = i.owner_id",
        rows::INCIDENT_COLUMNS
    ));
    where_clause(&mut page, q, &cx);
    page.push(&order_by(q.order, cx.dialect, read_all))
        .push(" LIMIT ")
        .bind(rows::int_of(q.paging.limit))
        .push(" OFFSET ")
        .bind(rows::int_of(q.paging.start));
    let counted = match (counted, &count) {
        (Some(n), _) => Some(n),
        (None, Some(_)) => matches,
        _ => None,
    };
    Ok(Plan::Filtered {
        counted,
        statements: Statements { count, page },
    })
}

/// Lists an owner's incidents matching the query.
pub async fn incidents<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &IncidentQuery,
    names: &NameSample,
) -> StoreResult<Page<IncidentDetails>> {
    match plan(db, actor, q, names).await? {
        Plan::Empty => Ok(Page {
            total: (q.paging.start == 0).then_some(0),
            items: vec![],
        }),
        Plan::Tag(tag, dates) => by_tag(db, q, tag, &dates).await,
        Plan::Label {
            label,
            owner,
            counted,
        } => {
            let page = label_page(db.dialect(), q, label, owner);
            let total = if q.paging.start == 0 { counted } else { None };
            read_page(db, q, page, total).await
        }
        Plan::Filtered {
            counted,
            statements,
        } => {
            let total = if q.paging.start == 0 { counted } else { None };
            read_page(db, q, statements.page, total).await
        }
    }
}

/// The statements a list would run and the database's plan for each (the page's metadata
/// reads, by incident id, are left out).
pub async fn explain<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &IncidentQuery,
    names: &NameSample,
) -> StoreResult<Vec<PlanStep>> {
    let statements = match plan(db, actor, q, names).await? {
        Plan::Empty => vec![],
        Plan::Tag(tag, dates) => {
            let (count, page) = tag_statements(db.dialect(), q, tag, &dates);
            count.into_iter().chain([page]).collect()
        }
        Plan::Label { label, owner, .. } => vec![label_page(db.dialect(), q, label, owner)],
        Plan::Filtered { statements, .. } => statements
            .count
            .into_iter()
            .chain([statements.page])
            .collect(),
    };
    let mut out = Vec::with_capacity(statements.len());
    for sql in statements {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(PlanStep { statement, plan });
    }
    Ok(out)
}

/// The statements of a tag's list: a count (first page with date bounds; without them the
/// tag's counter answers) and the page.
fn tag_statements<'q>(
    d: Dialect,
    q: &IncidentQuery,
    tag: i64,
    dates: &[(Cmp, threatdb_core::Timestamp)],
) -> (Option<Sql<'q>>, Sql<'q>) {
    let conditions = |sql: &mut Sql<'q>| {
        sql.push(" WHERE it.tag_id = ").bind(tag);
        for (c, t) in dates {
            sql.push(" AND it.event_date")
                .push(match c {
                    Cmp::Lt => " < ",
                    Cmp::Gt => " > ",
                })
                .bind(*t);
        }
    };
    let count = (q.paging.start == 0 && !dates.is_empty()).then(|| {
        let mut sql = Sql::new("SELECT count(*) FROM incident_tags it");
        conditions(&mut sql);
        sql
    });
    let page = link_page(d, q, "incident_tags it", "it", conditions);
    (count, page)
}

/// A tag's incidents, counted from its counter (or, with date bounds, from `incident_tags`
/// alone) and paged in the order of its (tag_id, incident_id) index: only the page's incidents
/// are read. Tags belong to one owner, so the owner needs no check of its own.
async fn by_tag<D: Db>(
    db: &mut D,
    q: &IncidentQuery,
    tag: i64,
    dates: &[(Cmp, threatdb_core::Timestamp)],
) -> StoreResult<Page<IncidentDetails>> {
    let (count, page) = tag_statements(db.dialect(), q, tag, dates);
    let total = match count {
        Some(sql) => Some(rows::count(db, sql).await?),
        None if q.paging.start == 0 => Some(resolve::tag_count(db, tag).await?),
        None => None,
    };
    read_page(db, q, page, total).await
}

/// Runs a page statement and reads what the query includes of each incident.
async fn read_page<D: Db>(
    db: &mut D,
    q: &IncidentQuery,
    page: Sql<'_>,
    total: Option<u64>,
) -> StoreResult<Page<IncidentDetails>> {
    let found = db.fetch(page, rows::incident).await?;
    let items = incidents::with_metadata(db, found, q.include).await?;
    Ok(Page { total, items })
}
