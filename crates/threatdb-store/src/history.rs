//! The history table: each change to a subject, written by the operation that makes it, in its
//! transaction ([`record`]), read newest first per subject ([`list`]). Rows name their subject
//! by kind and id without a foreign key: a deleted object's history (its `deleted` entry keeps
//! its last state) outlives it.

use crate::db::{Db, Sql, Value, insert_rows};
use crate::subject::{self, Kind, Row};
use crate::{now, rows};
use threatdb_core::history::{HistoryEntry, HistoryQuery};
use threatdb_core::policy::Access;
use threatdb_core::{Actor, Page, PlanStep, StoreResult, Subject};

/// What a process working on the data directory itself is recorded as making changes through.
pub const LOCAL: &str = "local";

/// The head of a history insert; its rows are [`Value`]s in this order.
pub const INSERT: &str = "INSERT INTO history (object_kind, object_id, owner_id, field, old_value, \
     new_value, user_id, user_name, via, request_id, at) VALUES ";

/// A change: the field, its value before and after.
pub type Change = (String, Option<String>, Option<String>);

/// The name a kind of subject is recorded under.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Incident => "incident",
        Kind::Item => "group",
        Kind::Indicator => "indicator",
    }
}

/// Records `changes` of the subject `row`, made by `actor` now, through the context the
/// request set (or [`LOCAL`]).
pub async fn record<D: Db>(
    db: &mut D,
    actor: &Actor,
    row: &Row,
    changes: Vec<Change>,
) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut many = Many::new(actor);
    for (field, old, new) in &changes {
        many.add(
            (row.kind, row.id, row.owner),
            field,
            old.as_deref(),
            new.as_deref(),
        );
    }
    many.write(db).await
}

/// Changes of many subjects made by one set-wise write (a Batch job's chunk, an import's),
/// recorded together by one multi-row insert per few hundred changes, in its transaction.
pub struct Many {
    user_id: Option<i64>,
    user: String,
    via: String,
    request_id: Option<String>,
    at: threatdb_core::Timestamp,
    rows: Vec<[Value<'static>; 11]>,
}

impl Many {
    /// Changes made by `actor` now, through the context the request set (or [`LOCAL`]).
    pub fn new(actor: &Actor) -> Self {
        let context = threatdb_core::context::current();
        Many {
            user_id: Some(actor.user_id),
            user: actor.name.clone(),
            via: context
                .as_ref()
                .map_or(LOCAL, |c| c.via.as_str())
                .to_string(),
            request_id: context.as_ref().and_then(|c| c.request_id.clone()),
            at: now(),
            rows: Vec::new(),
        }
    }

    /// Changes made by the server itself (no API user): `user` through `via`, now.
    pub fn by_server(user: &str, via: &str) -> Self {
        Many {
            user_id: None,
            user: user.to_string(),
            via: via.to_string(),
            request_id: None,
            at: now(),
            rows: Vec::new(),
        }
    }

    /// One change of the subject `kind` `id` of `owner`.
    pub fn add(
        &mut self,
        (kind, id, owner): (Kind, i64, i64),
        field: &str,
        old: Option<&str>,
        new: Option<&str>,
    ) {
        self.rows.push([
            kind_name(kind).into(),
            id.into(),
            owner.into(),
            field.to_string().into(),
            old.map(str::to_owned).into(),
            new.map(str::to_owned).into(),
            self.user_id.into(),
            self.user.clone().into(),
            self.via.clone().into(),
            self.request_id.clone().into(),
            self.at.into(),
        ]);
    }

    /// A new subject with what it was created with: `created` (its name or value), then each
    /// of its tags, security labels and attribute values, as the one-at-a-time path records
    /// them.
    pub fn created<'a>(
        &mut self,
        subject: (Kind, i64, i64),
        name: &str,
        tags: impl IntoIterator<Item = &'a str>,
        labels: impl IntoIterator<Item = &'a str>,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        self.add(subject, "created", None, Some(name));
        for tag in tags {
            self.add(subject, "tag", None, Some(tag));
        }
        for label in labels {
            self.add(subject, "securityLabel", None, Some(label));
        }
        for (kind, value) in attributes {
            self.add(subject, &format!("attribute:{kind}"), None, Some(value));
        }
    }

    /// Writes them.
    pub async fn write<D: Db>(self, db: &mut D) -> StoreResult<()> {
        insert_rows(db, INSERT, self.rows, "").await
    }
}

/// One change of one field.
pub fn change(field: &str, old: Option<&str>, new: Option<&str>) -> Change {
    (
        field.to_string(),
        old.map(str::to_owned),
        new.map(str::to_owned),
    )
}

/// The changes of a subject the actor may read, newest first.
pub async fn list<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    q: &HistoryQuery,
) -> StoreResult<Page<HistoryEntry>> {
    let row = *subject::resolve(db, actor, on, Access::Read).await?.get();
    let (count, sql) = statements(&row, q);
    let total = match count {
        Some(count) => rows::int(db, count)
            .await?
            .map(|n| u64::try_from(n).unwrap_or(0)),
        None => None,
    };
    let items = page(db, sql).await?;
    Ok(Page { total, items })
}

/// The newest change of `row`, a subject the caller holds a read grant on (no count, no
/// second look-up of the subject).
pub async fn newest<D: Db>(db: &mut D, row: &Row) -> StoreResult<Option<HistoryEntry>> {
    let q = HistoryQuery::all(threatdb_core::Paging { start: 0, limit: 1 });
    let (_, sql) = statements(row, &q);
    Ok(page(db, sql).await?.into_iter().next())
}

async fn page<D: Db>(db: &mut D, sql: Sql<'static>) -> StoreResult<Vec<HistoryEntry>> {
    db.fetch(sql, |r| {
        Ok(HistoryEntry {
            id: r.int(0)?,
            field: r.text(1)?,
            old: r.opt_text(2)?,
            new: r.opt_text(3)?,
            user_id: r.opt_int(4)?,
            user: r.text(5)?,
            via: r.text(6)?,
            request_id: r.opt_text(7)?,
            at: r.time(8)?,
        })
    })
    .await
}

/// The count (on a first page) and the page of a history read.
fn statements(row: &Row, q: &HistoryQuery) -> (Option<Sql<'static>>, Sql<'static>) {
    let mut filter = Sql::new(" FROM history WHERE object_kind = ");
    filter
        .bind(kind_name(row.kind))
        .push(" AND object_id = ")
        .bind(row.id);
    if let Some(since) = q.since {
        filter.push(" AND at >= ").bind(since);
    }
    if let Some(until) = q.until {
        filter.push(" AND at <= ").bind(until);
    }
    if let Some(field) = &q.field {
        filter.push(" AND field = ").bind(field.clone());
    }
    if let Some(user) = &q.user {
        filter.push(" AND user_name = ").bind(user.clone());
    }
    if let Some(change) = q.change {
        filter.push(" AND id = ").bind(change);
    }
    if let Some(after) = q.after {
        filter.push(" AND id > ").bind(after);
    }
    let count = (q.paging.start == 0).then(|| {
        let mut count = Sql::new("SELECT count(*)");
        count.push(&filter.text);
        count.params = filter.params.clone();
        count
    });
    let mut sql =
        Sql::new("SELECT id, field, old_value, new_value, user_id, user_name, via, request_id, at");
    sql.push(&filter.text);
    sql.params = filter.params;
    sql.push(" ORDER BY id DESC LIMIT ")
        .bind(i64::try_from(q.paging.limit).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .bind(i64::try_from(q.paging.start).unwrap_or(i64::MAX));
    (count, sql)
}

/// The plans of a history read of incident `id` in `owner`: every filter alone, first page and
/// further on.
pub async fn explain<D: Db>(db: &mut D, id: i64, owner: i64) -> StoreResult<Vec<PlanStep>> {
    let row = Row {
        kind: Kind::Incident,
        id,
        owner,
    };
    let paging = |start| threatdb_core::Paging { start, limit: 100 };
    let mut queries = vec![HistoryQuery::all(paging(0)), HistoryQuery::all(paging(500))];
    let mut q = HistoryQuery::all(paging(0));
    q.field = Some("tag".into());
    queries.push(q.clone());
    q.field = None;
    q.user = Some("alice".into());
    queries.push(q.clone());
    q.user = None;
    q.since = Some(now());
    q.until = Some(now());
    queries.push(q.clone());
    q.since = None;
    q.until = None;
    q.change = Some(1);
    queries.push(q.clone());
    q.change = None;
    q.field = Some("status".into());
    q.after = Some(1);
    queries.push(q);
    let mut out = Vec::new();
    for q in &queries {
        let (count, page) = statements(&row, q);
        for sql in count.into_iter().chain([page]) {
            let statement = sql.text.to_string();
            let plan = db.explain(sql).await?;
            out.push(PlanStep { statement, plan });
        }
    }
    out.extend(crate::tombstones::explain(db, owner).await?);
    Ok(out)
}
