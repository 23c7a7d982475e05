//! The writer thread: group commit (every write waiting, each in its own `SAVEPOINT` unless it
//! is alone, one `BEGIN IMMEDIATE` transaction and one fsync for the group), its queue and its
//! metrics.

use crate::backend;
use crate::db::SqliteDb;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use rusqlite::Connection;
use std::sync::{LazyLock, mpsc};
use threatdb_core::{StoreError, StoreResult};

/// How many writes each group commit carried (1 to [`MAX_GROUP`]).
static GROUP_SIZES: LazyLock<Histogram> =
    LazyLock::new(|| Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0]));
/// Writes queued for the writer thread and not yet taken into a group.
pub(crate) static QUEUE_DEPTH: LazyLock<Gauge> = LazyLock::new(Gauge::default);

/// Registers the writer's series in `registry` (they are kept whether or not anyone scrapes:
/// a group and a queued write cost one atomic each).
pub fn register_metrics(registry: &mut Registry) {
    registry.register(
        WRITE_GROUP_SIZE,
        "Writes committed together in one transaction by the SQLite writer (group commit)",
        GROUP_SIZES.clone(),
    );
    registry.register(
        WRITE_QUEUE_DEPTH,
        "Writes waiting for the SQLite writer, not yet in a group",
        QUEUE_DEPTH.clone(),
    );
}

/// The most writes committed together in one transaction.
const MAX_GROUP: usize = 512;
/// The histogram of how many writes each group commit carried.
pub const WRITE_GROUP_SIZE: &str = "threatdb_sqlite_write_group_size";
/// The gauge of writes queued for the writer thread and not yet taken into a group.
pub const WRITE_QUEUE_DEPTH: &str = "threatdb_sqlite_write_queue_depth";
pub(crate) type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// A write: runs on the writer's connection inside a savepoint; says whether it succeeded and
/// how to answer its caller once the commit's outcome is known.
pub(crate) type Job = Box<dyn FnOnce(&mut SqliteDb) -> (bool, Reply) + Send>;

pub(crate) enum Msg {
    Write(Job),
    Close(mpsc::Sender<()>),
}

/// Writes between two refreshes of the planner statistics (`PRAGMA optimize`, cheap when
/// nothing changed much).
const OPTIMIZE_EVERY: usize = 100_000;

pub(crate) fn writer_loop(conn: Connection, rx: mpsc::Receiver<Msg>) {
    let mut db = SqliteDb(conn);
    let mut since_optimize = 0usize;
    while let Ok(first) = rx.recv() {
        let mut jobs = Vec::new();
        let mut close = None;
        match first {
            Msg::Write(job) => jobs.push(job),
            Msg::Close(done) => close = Some(done),
        }
        while close.is_none() && jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(Msg::Write(job)) => jobs.push(job),
                Ok(Msg::Close(done)) => close = Some(done),
                Err(_) => break,
            }
        }
        if !jobs.is_empty() {
            let taken = i64::try_from(jobs.len()).unwrap_or(i64::MAX);
            QUEUE_DEPTH.dec_by(taken);
            GROUP_SIZES.observe(jobs.len() as f64);
            since_optimize = since_optimize.saturating_add(jobs.len());
            commit_group(&mut db, jobs);
            if since_optimize >= OPTIMIZE_EVERY {
                since_optimize = 0;
                if let Err(e) = db.0.execute_batch("PRAGMA optimize;") {
                    tracing::warn!(error = %e, "refreshing planner statistics failed");
                }
            }
        }
        if let Some(done) = close {
            // Writes queued behind the close are answered with an error by their dropped reply.
            let _ = db.0.execute_batch("PRAGMA optimize;");
            drop(db);
            let _ = done.send(());
            return;
        }
    }
}

fn commit_group(db: &mut SqliteDb, jobs: Vec<Job>) {
    if let Err(e) = db.0.execute_batch("BEGIN IMMEDIATE") {
        // Nothing ran: dropping the jobs drops their replies, so every caller gets an error.
        tracing::error!(error = %e, writes = jobs.len(), "cannot start a write transaction");
        return;
    }
    // A write alone in its group runs without a savepoint: if it fails, the transaction is
    // rolled back. Savepoints are not free: inside one, FTS5 writes its pending terms to disk
    // at every statement, and every statement journals the pages it changes.
    let alone = jobs.len() == 1;
    let mut replies = Vec::with_capacity(jobs.len());
    // The write that failed where no savepoint could undo it alone: the whole group is undone.
    let mut undo_all = None;
    for job in jobs {
        let savepoint = !alone && db.0.execute_batch("SAVEPOINT job").is_ok();
        // A panicking write must not take the writer thread (and every later write) down: its
        // caller sees the dropped reply as an error, and its savepoint is rolled back.
        let (ok, reply) = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(db))) {
            Ok(done) => done,
            Err(_) => {
                tracing::error!("a write panicked; it was rolled back");
                let noop: Reply = Box::new(|_| {});
                (false, noop)
            }
        };
        if savepoint {
            let undone = if ok {
                Ok(())
            } else {
                db.0.execute_batch("ROLLBACK TO job")
            };
            let _ = db.0.execute_batch("RELEASE job");
            if let Err(e) = undone {
                tracing::error!(error = %e, "cannot roll back a failed write");
            }
        } else if !ok && undo_all.is_none() {
            undo_all = Some(replies.len());
        }
        replies.push(reply);
    }
    if let Some(failed) = undo_all {
        let _ = db.0.execute_batch("ROLLBACK");
        for (i, reply) in replies.into_iter().enumerate() {
            // The failed write answers with its own error; the others were undone with it.
            reply(if i == failed {
                Ok(())
            } else {
                Err(StoreError::backend_msg(
                    "the write was rolled back with another write of its group; try again",
                ))
            });
        }
        return;
    }
    let committed = db.0.execute_batch("COMMIT").map_err(backend);
    if committed.is_err() {
        let _ = db.0.execute_batch("ROLLBACK");
    }
    for reply in replies {
        reply(committed.clone());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod writer_tests {
    use crate::{SqliteStore, backend};
    use rusqlite::Connection;
    use threatdb_core::StoreResult;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
        store
            .write_sync(|c| {
                c.execute_batch("CREATE TABLE w (v INTEGER UNIQUE)")
                    .map_err(backend)
            })
            .await
            .unwrap();
        (dir, store)
    }

    fn insert(v: i64) -> impl FnOnce(&Connection) -> StoreResult<()> + Send + 'static {
        move |c| {
            c.execute("INSERT INTO w VALUES (?1)", [v])
                .map_err(backend)?;
            // A second statement that fails for 99: the first must not stay.
            c.execute(
                "INSERT INTO w VALUES (?1)",
                [if v == 99 { 99 } else { v + 1000 }],
            )
            .map_err(backend)?;
            Ok(())
        }
    }

    fn values(store: &SqliteStore) -> Vec<i64> {
        store
            .read(|c| {
                let mut s = c.prepare("SELECT v FROM w ORDER BY v").map_err(backend)?;
                let rows = s.query_map([], |r| r.get(0)).map_err(backend)?;
                rows.collect::<Result<Vec<i64>, _>>().map_err(backend)
            })
            .unwrap()
    }

    #[tokio::test]
    async fn a_failed_write_alone_in_its_group_leaves_nothing() {
        let (_dir, store) = store().await;
        assert!(store.write_sync(insert(99)).await.is_err());
        assert_eq!(values(&store), Vec::<i64>::new());
        store.write_sync(insert(1)).await.unwrap();
        assert_eq!(values(&store), vec![1, 1001]);
    }

    #[tokio::test]
    async fn a_failed_write_in_a_group_leaves_the_others() {
        let (_dir, store) = store().await;
        // Queued together, so that the writer takes them as one group.
        let writes = (1..=20)
            .chain([99])
            .chain(21..=40)
            .map(|v| store.write_sync(insert(v)));
        // join_all polls each once, in order, before waiting: every write is queued at once.
        let results = futures_util::future::join_all(writes).await;
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
        let expected: Vec<i64> = (1..=40).chain(1001..=1040).collect();
        assert_eq!(values(&store), expected);
    }
}
