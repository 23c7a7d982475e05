//! The audit log's table: appended in order under one lock, read in pages by number.
//!
//! An append reads the last entry, chains the new ones after it ([`AuditRecord::hash`]) and
//! inserts them in the same transaction. SQLite has one writer; PostgreSQL appenders (several
//! nodes) first take a transaction-scoped advisory lock, so two appends never link to the same
//! entry. Reads walk the primary key (`seq`), or the `(user_name, seq)` / `(action, seq)`
//! indexes; a `since` is turned into the first number at or after it (the `at` index) first.

use crate::db::{Cells, Db, Dialect, Sql, Value, insert_rows};
use threatdb_core::audit::{AuditCursor, AuditEntry, AuditFilter, AuditHead, AuditRecord, GENESIS};
use threatdb_core::{PlanStep, StoreResult};

/// The key of PostgreSQL's advisory lock for appends ("TDBAUDIT" in ASCII).
const APPEND_LOCK: i64 = 0x5444_4241_5544_4954;

/// The most entries one read returns.
pub const MAX_PAGE: u32 = 10_000;

const COLUMNS: &str = "seq, at, user_id, user_name, via, action, target, outcome, address, \
                       request_id, prev_hash, hash";

/// Appends `records` after the last entry, in order; the new head.
pub async fn append<D: Db>(db: &mut D, records: &[AuditRecord]) -> StoreResult<AuditHead> {
    if db.dialect() == Dialect::Postgres {
        db.fetch_optional(
            Sql::with("SELECT pg_advisory_xact_lock(?)", vec![APPEND_LOCK.into()]),
            |_| Ok(()),
        )
        .await?;
    }
    let mut head = head(db).await?;
    let mut rows = Vec::with_capacity(records.len());
    for r in records {
        let hash = r.hash(&head.hash);
        let prev = head.hash;
        head = AuditHead {
            seq: head.seq.saturating_add(1),
            hash,
        };
        rows.push([
            Value::Int(head.seq),
            r.at.into(),
            r.user_id.into(),
            r.user.clone().into(),
            r.via.clone().into(),
            r.action.clone().into(),
            r.target.clone().into(),
            r.outcome.clone().into(),
            r.address.clone().into(),
            r.request_id.clone().into(),
            Value::Bytes(prev.to_vec().into()),
            Value::Bytes(hash.to_vec().into()),
        ]);
    }
    insert_rows(
        db,
        "INSERT INTO audit_log (seq, at, user_id, user_name, via, action, target, outcome, \
         address, request_id, prev_hash, hash) VALUES ",
        rows,
        "",
    )
    .await?;
    Ok(head)
}

/// The last entry (or the empty head).
pub async fn head<D: Db>(db: &mut D) -> StoreResult<AuditHead> {
    let found = db
        .fetch_optional(
            Sql::with(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                vec![],
            ),
            |r| Ok((r.int(0)?, r.bytes(1)?)),
        )
        .await?;
    Ok(match found {
        Some((seq, hash)) => AuditHead {
            seq,
            // A hash that is not 32 bytes was altered: the next append links to what is
            // stored, as it is, and verify names the entry.
            hash: hash.try_into().unwrap_or(GENESIS),
        },
        None => AuditHead::empty(),
    })
}

/// A page of at most `limit` entries (capped at [`MAX_PAGE`]) that `filter` keeps.
pub async fn entries<D: Db>(
    db: &mut D,
    filter: &AuditFilter,
    from: AuditCursor,
    limit: u32,
) -> StoreResult<Vec<AuditEntry>> {
    let start = match filter.since {
        Some(since) => match db.fetch_optional(first_since(since), |r| r.int(0)).await? {
            Some(seq) => seq,
            None => return Ok(Vec::new()),
        },
        None => 0,
    };
    db.fetch(page(db.dialect(), filter, start, from, limit), entry)
        .await
}

/// The number of the first entry at or after `since`.
fn first_since(since: threatdb_core::Timestamp) -> Sql<'static> {
    Sql::with(
        "SELECT seq FROM audit_log WHERE at >= ? ORDER BY at, seq LIMIT 1",
        vec![since.into()],
    )
}

fn page<'a>(
    dialect: Dialect,
    filter: &'a AuditFilter,
    start: i64,
    from: AuditCursor,
    limit: u32,
) -> Sql<'a> {
    // Bounds only where they bound something: a planner estimates a bound parameter's range
    // blindly, and `seq >= 0` would cost a first page its index order on PostgreSQL.
    let (low, high) = match from {
        AuditCursor::After(seq) => (start.max(seq.saturating_add(1)), i64::MAX),
        AuditCursor::Before(seq) => (start, seq),
    };
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM audit_log WHERE TRUE"));
    if low > 1 {
        sql.push(" AND seq >= ").bind(low);
    }
    if high < i64::MAX {
        sql.push(" AND seq < ").bind(high);
    }
    if let Some(user) = &filter.user {
        sql.push(" AND user_name = ").bind(user.as_str());
    }
    if let Some(action) = &filter.action {
        let column = match dialect {
            Dialect::Sqlite => "action",
            Dialect::Postgres => "action COLLATE \"C\"",
        };
        match action.strip_suffix('.') {
            // A family: every action that starts with `name.` (`.` + 1 is `/`).
            Some(family) => {
                sql.push(&format!(" AND {column} >= "))
                    .bind(format!("{family}."));
                sql.push(&format!(" AND {column} < "))
                    .bind(format!("{family}/"));
            }
            None => {
                sql.push(&format!(" AND {column} = ")).bind(action.as_str());
            }
        }
    }
    sql.push(match from {
        AuditCursor::After(_) => " ORDER BY seq",
        AuditCursor::Before(_) => " ORDER BY seq DESC",
    });
    sql.push(" LIMIT ")
        .bind(i64::from(limit.clamp(1, MAX_PAGE)));
    sql
}

fn entry(r: &dyn Cells) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        seq: r.int(0)?,
        record: AuditRecord {
            at: r.time(1)?,
            user_id: r.opt_int(2)?,
            user: r.text(3)?,
            via: r.text(4)?,
            action: r.text(5)?,
            target: r.text(6)?,
            outcome: r.text(7)?,
            address: r.opt_text(8)?,
            request_id: r.opt_text(9)?,
        },
        prev_hash: r.bytes(10)?,
        hash: r.bytes(11)?,
    })
}

/// The plans of the log's reads: the head, a `since`, and a page for each filter both ways.
pub async fn explain<D: Db>(db: &mut D) -> StoreResult<Vec<PlanStep>> {
    // The last ten minutes: what `audit list --since 10m` asks.
    let since = threatdb_core::date::now()
        .checked_sub(time::Duration::minutes(10))
        .unwrap_or_else(threatdb_core::date::now);
    let filters = [
        AuditFilter::default(),
        AuditFilter {
            user: Some("alice".into()),
            ..Default::default()
        },
        AuditFilter {
            action: Some("write".into()),
            ..Default::default()
        },
        AuditFilter {
            action: Some("admin.".into()),
            ..Default::default()
        },
    ];
    let dialect = db.dialect();
    let mut statements = vec![
        Sql::with(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            vec![],
        ),
        first_since(since),
    ];
    for f in &filters {
        // First pages, and pages further on (after a since, or after a page).
        for (start, from) in [
            (0, AuditCursor::After(0)),
            (0, AuditCursor::Before(i64::MAX)),
            (500, AuditCursor::After(900)),
            (500, AuditCursor::Before(900)),
        ] {
            statements.push(page(dialect, f, start, from, 100));
        }
    }
    let mut out = Vec::new();
    for sql in statements {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(PlanStep { statement, plan });
    }
    Ok(out)
}
