//! The Batch job runner: takes the oldest waiting job from the store under a lease, reads its
//! file, and hands it to the store a chunk at a time (groups, then indicators, then the
//! groups' links, then the association entries). Each chunk commits with the job's progress,
//! so a job interrupted by a crash or a restart is taken up again (by this server or another
//! one on the same database, once its lease runs out) after its last committed chunk.

use serde_json::value::RawValue;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use threatdb_core::batch::{
    BatchAction, BatchChunk, BatchClaim, BatchClass, BatchCode, BatchError, BatchItem, BatchOp,
    BatchProgress, ChunkOutcome,
};
use threatdb_core::{Store, StoreError};
use threatdb_wire::batch::{self as wire, BatchFile};
use tokio::sync::Notify;

/// Items written per transaction: small enough that other writers wait little behind one.
pub const CHUNK: usize = 1000;
/// How long a claimed job is the claimer's without a chunk written, in seconds.
const LEASE_SECONDS: i64 = 20;
/// How long a completed job's status and errors stay readable, in seconds (a week).
const KEEP_SECONDS: i64 = 7 * 24 * 3600;
/// How often the runner looks for jobs when nobody told it of one (jobs uploaded to another
/// server of the same database, leases that ran out).
const POLL: Duration = Duration::from_secs(5);

/// Runs jobs until the task is dropped.
pub async fn run(store: Arc<dyn Store>, wake: Arc<Notify>) {
    loop {
        match store.claim_batch(LEASE_SECONDS, KEEP_SECONDS).await {
            Ok(Some(claim)) => {
                let id = claim.id;
                // What the job's writes record in the history: made through the Batch API, by
                // this job (its id where a request's would be).
                let context = Some(Arc::new(threatdb_core::context::ChangeContext {
                    via: "batch".into(),
                    request_id: Some(format!("batch-job-{id}")),
                }));
                let job = run_job(store.as_ref(), claim);
                if let Err(e) = threatdb_core::context::within(context, job).await {
                    // The lease runs out and the job is taken up again from its last chunk.
                    tracing::error!(job = id, error = %e, "a batch job stopped");
                    tokio::time::sleep(POLL).await;
                }
            }
            Ok(None) => {
                let _ = tokio::time::timeout(POLL, wake.notified()).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "looking for batch jobs failed");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// The phases of a job, in order.
const GROUPS: u8 = 0;
const INDICATORS: u8 = 1;
const LINKS: u8 = 2;
const ASSOCIATIONS: u8 = 3;
const DONE: u8 = 4;

/// Error records kept by [`apply_file`] (as a job keeps).
const MAX_RECORDS: usize = 10_000;

/// Writes a Batch file into `owner` as `actor` without a job (`threatdb import` of a tc-json
/// file into a data directory, by its operator, who is no API user a job could run as): the
/// same phases and chunks a job writes, each chunk in one transaction; `done` is told the
/// items written so far. The counts a job would end with, and its first 10,000 error records.
pub async fn apply_file(
    store: &dyn Store,
    actor: &threatdb_core::Actor,
    owner: &threatdb_core::Owner,
    settings: threatdb_core::batch::BatchSettings,
    bytes: &[u8],
    mut done: impl FnMut(u64),
) -> Result<(threatdb_core::batch::BatchStatus, Vec<BatchError>), StoreError> {
    let file = BatchFile::parse(bytes)
        .map_err(|why| StoreError::Invalid(format!("The batch file is not valid JSON: {why}")))?;
    let (g, i) = (len(file.groups.len()), len(file.indicators.len()));
    let mut tally = threatdb_core::batch::BatchTally::default();
    let mut records = Vec::new();
    // Groups whose links failed: each moves from the successes to the errors once.
    let mut moved = std::collections::HashSet::new();
    let mut written = 0u64;
    for phase in GROUPS..DONE {
        let items = phase_items(&file, settings.action, phase, g, i);
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let chunk: Vec<BatchItem> = items.by_ref().take(CHUNK).map(|make| make()).collect();
            let classes: Vec<(u64, BatchClass)> =
                chunk.iter().map(|item| (item.index, item.class)).collect();
            let outcomes = store
                .apply_batch(actor, owner, settings.clone(), chunk)
                .await?;
            for ((index, class), failed) in classes.into_iter().zip(outcomes) {
                let failure = !failed.is_empty();
                // As a job counts (`write_chunk`): a group whose links fail moves to the errors
                // once, unless it failed already.
                if phase >= LINKS && class == BatchClass::Group {
                    if failure && moved.insert(index) {
                        tally.links_failed();
                    }
                } else {
                    if failure && class == BatchClass::Group {
                        moved.insert(index);
                    }
                    tally.count(class, failure);
                }
                for record in failed {
                    if records.len() < MAX_RECORDS {
                        records.push(record);
                    }
                }
                if phase < LINKS {
                    written = written.saturating_add(1);
                }
            }
            done(written);
        }
    }
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let status = threatdb_core::batch::BatchStatus {
        id: 0,
        state: threatdb_core::batch::BatchState::Completed,
        errors: count(tally.errors),
        unprocessed: 0,
        success_groups: count(tally.success_groups),
        error_groups: count(tally.error_groups),
        success_indicators: count(tally.success_indicators),
        error_indicators: count(tally.error_indicators),
    };
    Ok((status, records))
}

fn len(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

async fn run_job(store: &dyn Store, claim: BatchClaim) -> Result<(), StoreError> {
    let BatchClaim {
        id,
        settings,
        file,
        progress,
        lease,
        ..
    } = claim;
    let parsed = tokio::task::spawn_blocking(move || BatchFile::parse(&file))
        .await
        .map_err(StoreError::backend)?;
    let file = match parsed {
        Ok(file) => file,
        Err(why) => {
            let why = format!("The batch file is not valid JSON: {why}");
            let end = ending(id, lease, Some((0, BatchCode::JsonSyntax, why)));
            store.write_batch_chunk(end).await?;
            return Ok(());
        }
    };
    let action = settings.action;
    let (g, i) = (len(file.groups.len()), len(file.indicators.len()));
    let mut at = progress;
    while at.phase < DONE {
        let items = phase_items(&file, action, at.phase, g, i);
        let total = items.len();
        let mut next = usize::try_from(at.next).unwrap_or(usize::MAX).min(total);
        let mut items = items.into_iter().skip(next);
        while next < total {
            let end = next.saturating_add(CHUNK).min(total);
            let chunk_items: Vec<BatchItem> = items
                .by_ref()
                .take(end.saturating_sub(next))
                .map(|make| make())
                .collect();
            let chunk = BatchChunk {
                job: id,
                lease: lease.clone(),
                lease_seconds: LEASE_SECONDS,
                items: chunk_items,
                then: BatchProgress {
                    phase: at.phase,
                    next: len(end),
                },
                last: false,
            };
            if write(store, chunk).await?.halted {
                return Ok(());
            }
            next = end;
        }
        at = BatchProgress {
            phase: at.phase.saturating_add(1),
            next: 0,
        };
    }
    let done = ending(id, lease, None);
    write(store, done).await?;
    // A job that wrote many rows may leave PostgreSQL planning the tables as they were before
    // it (a lookup of 400 values walking an owner's indicators instead of their unique index);
    // the store refreshes the statistics of the tables that grew by half since they were taken.
    if len(file.len()) >= STATISTICS_AFTER {
        store.refresh_batch_statistics().await?;
    }
    Ok(())
}

/// Items a job must hold for the planner statistics to be refreshed when it completes.
const STATISTICS_AFTER: u64 = 1_000;

/// Writes a chunk, once more after a pause if the database failed. A chunk that fails twice
/// ends the job: it completes with one record saying so (in the words tcex recognises as a
/// failed job), after the chunks that committed.
async fn write(store: &dyn Store, chunk: BatchChunk) -> Result<ChunkOutcome, StoreError> {
    let first = match store.write_batch_chunk(chunk.clone()).await {
        Err(StoreError::Backend(e)) => e,
        other => return other,
    };
    tracing::warn!(job = chunk.job, error = %first, "a batch chunk failed; trying it once more");
    tokio::time::sleep(RETRY_AFTER).await;
    let second = match store.write_batch_chunk(chunk.clone()).await {
        Err(StoreError::Backend(e)) => e,
        other => return other,
    };
    tracing::error!(job = chunk.job, error = %second, "a batch chunk failed twice: the job ends");
    let at = chunk.items.first().map_or(0, |i| i.index);
    let why = format!(
        "Encountered an unexpected Exception while processing batch job (at item {at}; the items before it are written)"
    );
    let end = ending(chunk.job, chunk.lease, Some((at, BatchCode::Internal, why)));
    store.write_batch_chunk(end).await?;
    Ok(ChunkOutcome { halted: true })
}

/// The chunk that completes a job, with one record of the job as a whole when it failed (at
/// item `at`, with this code and reason).
fn ending(job: i64, lease: String, failed: Option<(u64, BatchCode, String)>) -> BatchChunk {
    let items = failed
        .map(|(at, code, reason)| BatchItem {
            index: at,
            class: BatchClass::Association,
            work: Err(BatchError {
                code: code.as_str().into(),
                reason,
                source: String::new(),
            }),
            source: String::new(),
            after: 0,
        })
        .into_iter()
        .collect();
    BatchChunk {
        job,
        lease,
        lease_seconds: LEASE_SECONDS,
        items,
        then: BatchProgress {
            phase: DONE,
            next: 0,
        },
        last: true,
    }
}

/// The pause before a failed chunk is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A phase's items, each made when its chunk is written (so a job's work is never all in
/// memory at once).
type Make<'f> = Box<dyn FnOnce() -> BatchItem + Send + 'f>;

fn phase_items<'f>(
    file: &'f BatchFile,
    action: BatchAction,
    phase: u8,
    groups: u64,
    indicators: u64,
) -> Vec<Make<'f>> {
    let mut out: Vec<Make<'f>> = Vec::new();
    match phase {
        GROUPS => {
            for (n, raw) in file.groups.iter().enumerate() {
                let n = len(n);
                out.push(Box::new(move || BatchItem {
                    index: n,
                    class: BatchClass::Group,
                    work: wire::group(raw, action).0,
                    source: source(raw),
                    after: groups
                        .saturating_sub(n)
                        .saturating_sub(1)
                        .saturating_add(indicators),
                }));
            }
        }
        INDICATORS => {
            for (n, raw) in file.indicators.iter().enumerate() {
                let n = len(n);
                out.push(Box::new(move || BatchItem {
                    index: groups.saturating_add(n),
                    class: BatchClass::Indicator,
                    work: wire::indicator(raw, action).0,
                    source: source(raw),
                    after: indicators.saturating_sub(n).saturating_sub(1),
                }));
            }
        }
        // A Delete job deletes; it makes no links.
        LINKS if action == BatchAction::Create => {
            for (n, raw) in file.groups.iter().enumerate() {
                if let (Ok(_), Some(links)) = wire::group(raw, action) {
                    let n = len(n);
                    out.push(Box::new(move || BatchItem {
                        index: n,
                        class: BatchClass::Group,
                        work: Ok(BatchOp::Links(links)),
                        source: source(raw),
                        after: 0,
                    }));
                }
            }
        }
        ASSOCIATIONS if action == BatchAction::Create && !file.associations.is_empty() => {
            let handles: Arc<HashMap<String, _>> = Arc::new(
                file.indicators
                    .iter()
                    .filter_map(|raw| match wire::indicator(raw, action) {
                        (Ok(BatchOp::Indicator(ind)), Some(xid)) => Some((xid, ind.value)),
                        _ => None,
                    })
                    .collect(),
            );
            let first = groups.saturating_add(indicators);
            for (n, raw) in file.associations.iter().enumerate() {
                let n = len(n);
                let handles = handles.clone();
                out.push(Box::new(move || BatchItem {
                    index: first.saturating_add(n),
                    class: BatchClass::Association,
                    work: wire::association(raw, &handles),
                    source: source(raw),
                    after: 0,
                }));
            }
        }
        _ => {}
    }
    out
}

fn source(raw: &RawValue) -> String {
    threatdb_core::batch::error_source(raw.get())
}
