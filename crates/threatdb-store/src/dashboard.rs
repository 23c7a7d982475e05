//! The dashboard's figures of one owner (read access), each from a counter or an index range:
//! statuses from `status_counts` (migration 28), labels from `label_counts`, tags from
//! `tag_counts` over the owner's tags, the weeks from `(owner_id, date_added)` ranges, the
//! recent incidents from `(owner_id, last_modified)` and their newest change from the history.

use crate::db::{Db, Sql};
use crate::subject::{Kind, Row};
use crate::{guard, history, rows};
use threatdb_core::dashboard::{Dashboard, WEEKS};
use threatdb_core::policy::Access;
use threatdb_core::{Actor, Owner, PlanStep, StoreResult, Timestamp};

/// Incidents listed as changed last.
const RECENT: i64 = 8;

/// Tags listed.
const TOP_TAGS: i64 = 10;

/// The first second of the first of the [`WEEKS`] weeks (from Monday, UTC) up to `now`'s.
fn first_week(now: Timestamp) -> Timestamp {
    let days = i64::from(now.weekday().number_days_from_monday());
    let this_week = now
        .replace_time(time::Time::MIDNIGHT)
        .saturating_sub(time::Duration::days(days));
    let earlier = i64::try_from(WEEKS).unwrap_or(0).saturating_sub(1);
    this_week.saturating_sub(time::Duration::weeks(earlier))
}

/// The statements of the figures: statuses, labels, tags, one count per week (from `first`),
/// the recent incidents.
fn statements(owner: i64, first: Timestamp) -> Vec<Sql<'static>> {
    let mut out = Vec::new();
    let by_owner = |text: &'static str| Sql::with(text, vec![owner.into()]);
    out.push(by_owner(
        "SELECT status, CAST(sum(n) AS BIGINT) FROM status_counts WHERE owner_id = ? GROUP BY status",
    ));
    out.push(by_owner(
        "SELECT l.name, CAST(sum(c.n) AS BIGINT) FROM label_counts c \
         JOIN security_labels l ON l.id = c.label_id WHERE c.owner_id = ? GROUP BY c.label_id, l.name",
    ));
    let mut tags = Sql::new(
        "SELECT t.name, CAST(sum(c.n) AS BIGINT) AS k FROM tags t JOIN tag_counts c ON c.tag_id = t.id \
         WHERE t.owner_id = ",
    );
    tags.bind(owner)
        .push(" GROUP BY t.id, t.name ORDER BY k DESC, t.name LIMIT ")
        .bind(TOP_TAGS);
    out.push(tags);
    for week in 0..WEEKS {
        let from = first.saturating_add(time::Duration::weeks(i64::try_from(week).unwrap_or(0)));
        let mut sql = Sql::new("SELECT count(*) FROM incidents WHERE owner_id = ");
        sql.bind(owner)
            .push(" AND date_added >= ")
            .bind(from)
            .push(" AND date_added < ")
            .bind(from.saturating_add(time::Duration::weeks(1)));
        out.push(sql);
    }
    let mut recent = Sql::new(format!(
        "SELECT {} FROM incidents i JOIN owners o ON o.id = i.owner_id WHERE i.owner_id = ",
        rows::INCIDENT_COLUMNS
    ));
    recent
        .bind(owner)
        .push(" ORDER BY i.last_modified DESC LIMIT ")
        .bind(RECENT);
    out.push(recent);
    out
}

fn counts(found: Vec<(String, i64)>) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = found
        .into_iter()
        .filter_map(|(name, n)| u64::try_from(n).ok().filter(|n| *n > 0).map(|n| (name, n)))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The dashboard of `owner` (read access there), as of `now`.
pub async fn load<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    now: Timestamp,
) -> StoreResult<Dashboard> {
    let granted = guard::owner(actor, owner, Access::Read)?;
    let owner_id = granted.get().id;
    let first = first_week(now);
    let mut statements = statements(owner_id, first).into_iter();
    let mut next = || {
        statements.next().ok_or_else(|| {
            threatdb_core::StoreError::backend_msg("a dashboard statement is missing")
        })
    };
    let pair = |r: &dyn crate::db::Cells| Ok((r.text(0)?, r.int(1)?));
    let by_status = counts(db.fetch(next()?, pair).await?);
    let by_label = counts(db.fetch(next()?, pair).await?);
    let top_tags = counts(db.fetch(next()?, pair).await?);
    let mut per_week = Vec::with_capacity(WEEKS);
    for week in 0..WEEKS {
        let from = first.saturating_add(time::Duration::weeks(i64::try_from(week).unwrap_or(0)));
        let n = rows::count(db, next()?).await?;
        per_week.push((from, n));
    }
    let incidents = db.fetch(next()?, rows::incident).await?;
    let mut recent = Vec::with_capacity(incidents.len());
    for i in incidents {
        // Of the owner the read was granted on.
        let row = Row {
            kind: Kind::Incident,
            id: i.id,
            owner: owner_id,
        };
        let newest = history::newest(db, &row).await?;
        recent.push((i, newest));
    }
    Ok(Dashboard {
        by_status,
        by_label,
        top_tags,
        per_week,
        recent,
    })
}

/// The plans of the dashboard's statements for `owner`.
pub async fn explain<D: Db>(db: &mut D, owner: i64) -> StoreResult<Vec<PlanStep>> {
    let mut out = Vec::new();
    for sql in statements(owner, first_week(crate::now())) {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(PlanStep { statement, plan });
    }
    Ok(out)
}
