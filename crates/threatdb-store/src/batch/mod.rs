//! Batch API jobs: created with their settings (and file), read by whoever may read their
//! owner, claimed by a runner under a lease, and written chunk by chunk, each chunk in the
//! transaction that also records its errors and the job's progress.

mod fast;
mod items;

use crate::db::{Cells, Db, Sql};
use crate::guard::{self, Granted};
use crate::{accounts, now, rows};
use threatdb_core::batch::{
    BatchChunk, BatchClaim, BatchClass, BatchCode, BatchError, BatchProgress, BatchSettings,
    BatchState, BatchStatus, ChunkOutcome, error_source,
};
use threatdb_core::policy::Access;
use threatdb_core::{Actor, Owner, StoreError, StoreResult};

/// The most jobs an owner may have waiting (Created or Queued): more is refused, so a client
/// cannot fill the disk with files nobody will run soon (tcex waits for each job it sends).
pub const MAX_WAITING: u64 = 20;

/// The most error records a job keeps; past it one record says that more were not kept (the
/// counts still count them).
pub const MAX_RECORDS: i64 = 10_000;

const STATUS_COLUMNS: &str = "id, owner_id, status, errors, unprocessed, success_groups, \
     error_groups, success_indicators, error_indicators";

fn status_row(r: &dyn Cells) -> StoreResult<(i64, BatchStatus)> {
    let n = |i: usize| -> StoreResult<u64> { Ok(u64::try_from(r.int(i)?).unwrap_or(0)) };
    let state = BatchState::parse(&r.text(2)?)
        .ok_or_else(|| StoreError::backend_msg("a batch job has an unknown status"))?;
    Ok((
        r.int(1)?,
        BatchStatus {
            id: r.int(0)?,
            state,
            errors: n(3)?,
            unprocessed: n(4)?,
            success_groups: n(5)?,
            error_groups: n(6)?,
            success_indicators: n(7)?,
            error_indicators: n(8)?,
        },
    ))
}

/// The job, granted `access` on its owner (a job of an owner the actor cannot read is
/// NotFound, exactly like a missing one).
async fn job<D: Db>(
    db: &mut D,
    actor: &Actor,
    id: i64,
    access: Access,
) -> StoreResult<Granted<BatchStatus>> {
    let mut sql = Sql::new(format!(
        "SELECT {STATUS_COLUMNS} FROM batch_jobs WHERE id = ?"
    ));
    sql.params.push(id.into());
    let (owner, status) = rows::one(db, sql, status_row).await?;
    // A reader of the owner learns that the job exists; a writer is needed to change it.
    let granted = guard::grant(actor, owner, Access::Read, status)?;
    if access == Access::Write {
        guard::grant(actor, owner, Access::Write, ())?;
    }
    Ok(granted)
}

/// Creates a job in `owner` (write access there); Queued when it has its file.
pub async fn create<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    settings: &BatchSettings,
    file: Option<&[u8]>,
) -> StoreResult<BatchStatus> {
    let owner = guard::owner(actor, owner, Access::Write)?;
    let owner = guard::for_write(&owner)?;
    let waiting = rows::count(
        db,
        Sql::with(
            "SELECT count(*) FROM batch_jobs WHERE owner_id = ? AND status IN ('Created', 'Queued')",
            vec![owner.id.into()],
        ),
    )
    .await?;
    if waiting >= MAX_WAITING {
        return Err(StoreError::Conflict(format!(
            "{} has {waiting} batch jobs waiting to run: wait for them before sending more",
            owner.name
        )));
    }
    let state = match file {
        Some(_) => BatchState::Queued,
        None => BatchState::Created,
    };
    let sql = Sql::with(
        "INSERT INTO batch_jobs (owner_id, user_id, settings, status, file, date_added) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            owner.id.into(),
            actor.user_id.into(),
            settings.encode().into(),
            state.as_str().into(),
            file.into(),
            now().into(),
        ],
    );
    let id = rows::one(db, sql, |r| r.int(0)).await?;
    Ok(job(db, actor, id, Access::Read).await?.into_inner())
}

/// Gives a Created job its file.
pub async fn upload<D: Db>(
    db: &mut D,
    actor: &Actor,
    id: i64,
    file: &[u8],
) -> StoreResult<BatchStatus> {
    let found = job(db, actor, id, Access::Write).await?;
    let state = found.get().state;
    if state != BatchState::Created {
        return Err(StoreError::Conflict(format!(
            "Batch job {id} is {}: a job takes one file, uploaded once",
            state.as_str()
        )));
    }
    db.execute(Sql::with(
        "UPDATE batch_jobs SET file = ?, status = 'Queued' WHERE id = ? AND status = 'Created'",
        vec![file.into(), id.into()],
    ))
    .await?;
    Ok(job(db, actor, id, Access::Read).await?.into_inner())
}

/// A job's status.
pub async fn status<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<BatchStatus> {
    Ok(job(db, actor, id, Access::Read).await?.into_inner())
}

/// A job's error records in the order they were made.
pub async fn errors<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<Vec<BatchError>> {
    job(db, actor, id, Access::Read).await?;
    db.fetch(
        Sql::with(
            "SELECT code, reason, source FROM batch_errors WHERE job_id = ? ORDER BY seq",
            vec![id.into()],
        ),
        |r| {
            Ok(BatchError {
                code: r.text(0)?,
                reason: r.text(1)?,
                source: r.text(2)?,
            })
        },
    )
    .await
}

/// A job's stored settings.
fn decode_settings(text: &str) -> StoreResult<BatchSettings> {
    BatchSettings::decode(text)
        .ok_or_else(|| StoreError::backend_msg("a batch job has unreadable settings"))
}

/// Leases the oldest waiting job to a runner; forgets jobs finished long ago.
pub async fn claim<D: Db>(
    db: &mut D,
    lease_seconds: i64,
    keep_seconds: i64,
) -> StoreResult<Option<BatchClaim>> {
    let t = now();
    let long_ago = t.saturating_sub(time::Duration::seconds(keep_seconds));
    db.execute(Sql::with(
        "DELETE FROM batch_jobs WHERE finished < ?",
        vec![long_ago.into()],
    ))
    .await?;
    // A job whose file never came within a day is forgotten.
    let day_ago = t.saturating_sub(time::Duration::days(1));
    db.execute(Sql::with(
        "DELETE FROM batch_jobs WHERE status = 'Created' AND date_added < ?",
        vec![day_ago.into()],
    ))
    .await?;
    let lease = uuid::Uuid::new_v4().to_string();
    let until = t.saturating_add(time::Duration::seconds(lease_seconds));
    // The status test is repeated outside the sub-query: on PostgreSQL a second runner that
    // waited for the first one's row lock re-checks it on the row's new version and takes
    // nothing.
    let taken = rows::int(
        db,
        Sql::with(
            "UPDATE batch_jobs SET status = 'Running', lease = ?, lease_until = ? \
             WHERE id = (SELECT id FROM batch_jobs \
                         WHERE status = 'Queued' OR (status = 'Running' AND lease_until <= ?) \
                         ORDER BY id LIMIT 1) \
               AND (status = 'Queued' OR (status = 'Running' AND lease_until <= ?)) \
             RETURNING id",
            vec![lease.as_str().into(), until.into(), t.into(), t.into()],
        ),
    )
    .await?;
    let Some(id) = taken else {
        return Ok(None);
    };
    let sql = Sql::with(
        "SELECT j.settings, j.file, j.phase, j.next_item, o.id, o.name, o.kind \
         FROM batch_jobs j JOIN owners o ON o.id = j.owner_id WHERE j.id = ?",
        vec![id.into()],
    );
    let claim = rows::one(db, sql, |r| {
        let settings = decode_settings(&r.text(0)?)?;
        Ok(BatchClaim {
            id,
            owner: rows::owner(r, 4)?,
            settings,
            file: r.bytes(1).unwrap_or_default(),
            progress: BatchProgress {
                phase: u8::try_from(r.int(2)?).unwrap_or(u8::MAX),
                next: u64::try_from(r.int(3)?).unwrap_or(0),
            },
            lease: lease.clone(),
        })
    })
    .await?;
    Ok(Some(claim))
}

/// The tables a batch job fills.
const FILLED: [&str; 7] = [
    "indicators",
    "indicator_tags",
    "indicator_labels",
    "item_attributes",
    "items",
    "incidents",
    "tags",
];

/// Refreshes the planner statistics of the tables a batch job fills that grew by half since
/// they were last taken (PostgreSQL; SQLite's planner needs none for these statements). Taking
/// them costs about 140 ms on a table of 100,000 rows, so only when they are stale: a table
/// filled from nothing is analysed a logarithmic number of times.
pub async fn refresh_statistics<D: Db>(db: &mut D) -> StoreResult<()> {
    if db.dialect() != crate::Dialect::Postgres {
        return Ok(());
    }
    let mut sql = Sql::new(
        "SELECT relname FROM pg_stat_user_tables WHERE n_mod_since_analyze > \
         1000 + greatest(n_live_tup - n_mod_since_analyze, 0) / 2 AND relname IN ",
    );
    sql.bind_list(FILLED);
    for stale in db.fetch(sql, |r| r.text(0)).await? {
        // A name from the closed list, never the database's text.
        if let Some(table) = FILLED.iter().find(|t| **t == stale) {
            db.execute(Sql::new(format!("ANALYZE {table}"))).await?;
        }
    }
    Ok(())
}

/// Writes a chunk: each item inside its own savepoint (a failing item is undone alone and
/// recorded), then the counts and the progress, all in the caller's one transaction.
pub async fn write_chunk<D: Db>(db: &mut D, chunk: &BatchChunk) -> StoreResult<ChunkOutcome> {
    let held = db
        .fetch_optional(
            Sql::with(
                "SELECT owner_id, user_id, settings FROM batch_jobs \
                 WHERE id = ? AND status = 'Running' AND lease = ?",
                vec![chunk.job.into(), chunk.lease.as_str().into()],
            ),
            |r| Ok((r.int(0)?, r.int(1)?, r.text(2)?)),
        )
        .await?;
    let Some((owner_id, user_id, settings)) = held else {
        return Err(StoreError::Conflict(format!(
            "batch job {} is no longer this runner's",
            chunk.job
        )));
    };
    let settings = decode_settings(&settings)?;
    // The job's user as it is now: rights taken away since the upload stop the writes.
    let actor = accounts::actor_by_id(db, user_id).await?;
    let writer = actor.as_ref().and_then(|a| {
        let owner = a.memberships.iter().find(|m| m.owner.id == owner_id)?;
        guard::owner(a, &owner.owner, Access::Write)
            .ok()
            .filter(|g| guard::for_write(g).is_ok())
            .map(|_| (a, owner.owner.clone()))
    });
    let fast = match &writer {
        Some((actor, owner)) => {
            fast::new_indicators(db, actor, owner, &settings, &chunk.items).await?
        }
        None => std::collections::HashSet::new(),
    };
    let mut tally = threatdb_core::batch::BatchTally::default();
    let mut halted_at = None;
    for item in &chunk.items {
        let records = apply_item(
            db,
            writer.as_ref().map(|(a, o)| (*a, o)),
            &settings,
            &fast,
            item,
        )
        .await?;
        let failed = !records.is_empty();
        let already =
            failed && chunk.then.phase >= 2 && had_record(db, chunk.job, item.index).await?;
        for record in &records {
            record_error(db, chunk.job, item.index, record).await?;
        }
        match (chunk.then.phase >= 2, item.class) {
            // A group's links failed: the group moves from the successes to the errors once.
            (true, BatchClass::Group) => {
                if failed && !already {
                    tally.links_failed();
                }
            }
            (_, class) => tally.count(class, failed),
        }
        if failed && settings.halt_on_error {
            halted_at = Some(item);
            break;
        }
    }
    let (done, unprocessed, progress) = match halted_at {
        Some(item) => (true, item.after, chunk.then),
        None => (chunk.last, 0, chunk.then),
    };
    let t = now();
    db.execute(Sql::with(
        "UPDATE batch_jobs SET phase = ?, next_item = ?, \
         success_groups = success_groups + ?, error_groups = error_groups + ?, \
         success_indicators = success_indicators + ?, error_indicators = error_indicators + ?, \
         errors = errors + ?, unprocessed = ?, \
         status = CASE WHEN ? THEN 'Completed' ELSE status END, \
         finished = CASE WHEN ? THEN ? ELSE finished END, \
         file = CASE WHEN ? THEN NULL ELSE file END, \
         lease_until = ? WHERE id = ?",
        vec![
            i64::from(progress.phase).into(),
            rows::int_of(progress.next).into(),
            tally.success_groups.into(),
            tally.error_groups.into(),
            tally.success_indicators.into(),
            tally.error_indicators.into(),
            tally.errors.into(),
            rows::int_of(unprocessed).into(),
            done.into(),
            done.into(),
            t.into(),
            done.into(),
            t.saturating_add(time::Duration::seconds(chunk.lease_seconds))
                .into(),
            chunk.job.into(),
        ],
    ))
    .await?;
    Ok(ChunkOutcome {
        halted: halted_at.is_some(),
    })
}

/// What writing one item recorded (nothing: it was written). `writer`: the job's user and the
/// owner while the user may write there; `fast`: the items the set-wise path wrote already.
async fn apply_item<D: Db>(
    db: &mut D,
    writer: Option<(&Actor, &Owner)>,
    settings: &BatchSettings,
    fast: &std::collections::HashSet<u64>,
    item: &threatdb_core::batch::BatchItem,
) -> StoreResult<Vec<BatchError>> {
    Ok(match (&item.work, writer) {
        _ if fast.contains(&item.index) => Vec::new(),
        (Err(record), _) => vec![record.clone()],
        (Ok(_), None) => vec![BatchError {
            code: BatchCode::Permission.as_str().into(),
            reason: "The job's user may no longer write this owner".into(),
            source: item.source.clone(),
        }],
        (Ok(op), Some((actor, owner))) => items::write(db, actor, owner, settings, op, item.class)
            .await?
            .into_iter()
            .map(|(code, reason)| BatchError {
                code: code.as_str().into(),
                reason,
                source: error_source(&item.source),
            })
            .collect(),
    })
}

/// Writes Batch items into `owner` as `actor` (write access there) without a job, as a job's
/// chunk writes them: what each item recorded, in order (nothing: it was written). Used by an
/// administrator's import of a Batch file into a data directory.
pub async fn apply<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    settings: &BatchSettings,
    items: &[threatdb_core::batch::BatchItem],
) -> StoreResult<Vec<Vec<BatchError>>> {
    let granted = guard::owner(actor, owner, Access::Write)?;
    let owner = (*guard::for_write(&granted)?).clone();
    let fast = fast::new_indicators(db, actor, &owner, settings, items).await?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(apply_item(db, Some((actor, &owner)), settings, &fast, item).await?);
    }
    Ok(out)
}

async fn had_record<D: Db>(db: &mut D, job: i64, item: u64) -> StoreResult<bool> {
    Ok(rows::int(
        db,
        Sql::with(
            "SELECT 1 FROM batch_errors WHERE job_id = ? AND item = ? LIMIT 1",
            vec![job.into(), rows::int_of(item).into()],
        ),
    )
    .await?
    .is_some())
}

/// `text` with its control characters written as `\u{…}` escapes: a reason may quote the
/// item's text, PostgreSQL's text cannot hold a NUL, and a log reader wants none.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Keeps an error record, up to [`MAX_RECORDS`] of them (then one that says so).
async fn record_error<D: Db>(
    db: &mut D,
    job: i64,
    item: u64,
    record: &BatchError,
) -> StoreResult<()> {
    let seq = rows::one(
        db,
        Sql::with(
            "UPDATE batch_jobs SET records = records + 1 WHERE id = ? RETURNING records",
            vec![job.into()],
        ),
        |r| r.int(0),
    )
    .await?;
    let record = if seq <= MAX_RECORDS {
        BatchError {
            reason: escape_controls(&record.reason),
            ..record.clone()
        }
    } else if seq == MAX_RECORDS.saturating_add(1) {
        // The first record past the bound says that more followed (and is the only one kept).
        BatchError {
            code: BatchCode::General.as_str().into(),
            reason: format!("More errors followed; only the first {MAX_RECORDS} are kept"),
            source: String::new(),
        }
    } else {
        return Ok(());
    };
    db.execute(Sql::with(
        "INSERT INTO batch_errors (job_id, seq, item, code, reason, source) VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            job.into(),
            seq.into(),
            rows::int_of(item).into(),
            record.code.into(),
            record.reason.into(),
            record.source.into(),
        ],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_written_as_escapes() {
        assert_eq!(
            super::escape_controls("bad\u{0}value\n é"),
            "bad\\u{0}value\\u{a} é"
        );
    }
}
