//! threatdb's embedded store: SQLite in WAL mode with `synchronous=FULL`, so an acknowledged
//! write survives a crash.
//!
//! Why rusqlite and not sqlx here: measured on the GET-by-id path, half of the server's CPU went
//! to sqlx-sqlite handing every statement to a per-connection worker thread and back, and 0.3 %
//! to SQLite itself. So:
//! - **reads** run inline on the calling thread, on a small pool of read-only connections (a
//!   point read is a few microseconds; WAL readers never wait for the writer);
//! - **writes** go to one writer thread that practises **group commit**: it takes every write
//!   waiting in its queue, runs each in its own `SAVEPOINT` inside one `BEGIN IMMEDIATE`
//!   transaction, commits (one fsync for the whole group), and only then answers each caller. A
//!   failing write rolls back to its savepoint and changes nothing; the others still commit.

//!
//! The domain operations themselves are `threatdb-store`'s, shared with PostgreSQL; this crate
//! is the connections, the writer, row decoding and SQLite's error codes.

pub mod backup;
mod bulk;
mod bulk_links;
mod db;
mod migrate;

use db::SqliteDb;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use rusqlite::{Connection, OpenFlags};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use threatdb_core::{StoreError, StoreResult};
use threatdb_store::{Backend, Reading, Work};

pub use bulk::{Ceiling, schema_sql};
pub(crate) use db::backend;
pub use migrate::MIGRATIONS;

/// The file a `sqlite:` URL names (`sqlite:///var/lib/threatdb/threatdb.db`,
/// `sqlite:data/threatdb.db`; query parameters are ignored).
pub fn path_of_url(url: &str) -> StoreResult<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Invalid(format!("'{url}' is not a sqlite: URL")))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() {
        return Err(StoreError::Invalid("the sqlite: URL names no file".into()));
    }
    Ok(PathBuf::from(path))
}

/// How many writes each group commit carried (1 to [`MAX_GROUP`]).
static GROUP_SIZES: LazyLock<Histogram> =
    LazyLock::new(|| Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0]));
/// Writes queued for the writer thread and not yet taken into a group.
static QUEUE_DEPTH: LazyLock<Gauge> = LazyLock::new(Gauge::default);

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

/// The newest schema (migration) version this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// The most writes committed together in one transaction.
const MAX_GROUP: usize = 512;
/// The histogram of how many writes each group commit carried.
pub const WRITE_GROUP_SIZE: &str = "threatdb_sqlite_write_group_size";
/// The gauge of writes queued for the writer thread and not yet taken into a group.
pub const WRITE_QUEUE_DEPTH: &str = "threatdb_sqlite_write_queue_depth";
/// Read connections kept open for reuse.
const MAX_IDLE_READERS: usize = 8;

type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// A write: runs on the writer's connection inside a savepoint; says whether it succeeded and
/// how to answer its caller once the commit's outcome is known.
type Job = Box<dyn FnOnce(&mut SqliteDb) -> (bool, Reply) + Send>;

enum Msg {
    Write(Job),
    Close(mpsc::Sender<()>),
}

/// A threatdb store on one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Option<mpsc::Sender<Msg>>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// The writer connection's settings. `temp_store` stays the default (files) here: with it in
/// memory, every statement inside a savepoint (every write runs in one) ends by truncating the
/// in-memory statement journal, which SQLite does by walking it from its start, so a write's
/// cost grew with the square of what it wrote (the bulk path ran at 4 % of the storage
/// ceiling). A file-backed statement journal spills past 64 KiB and is never walked.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -16000;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_blocking(path))
            .await
            .map_err(|e| StoreError::backend_msg(format!("opening the database failed: {e}")))?
    }

    /// Opens a database from a `sqlite:` URL (`sqlite:///var/lib/threatdb/threatdb.db`,
    /// `sqlite:data/threatdb.db`; query parameters are ignored).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::open(&path_of_url(url)?).await
    }

    fn open_blocking(path: PathBuf) -> StoreResult<Self> {
        let mut conn = Connection::open(&path).map_err(backend)?;
        configure(&conn).map_err(backend)?;
        migrate::run(&mut conn)?;
        // Planner statistics (the choice between an index range and a walk of an owner's
        // incidents depends on them): refreshed where stale, with a bounded sample.
        conn.execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")
            .map_err(backend)?;
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("threatdb-sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StoreError::backend_msg(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path,
                readers: Mutex::new(Vec::new()),
                writer: Mutex::new(Some(tx)),
            }),
        })
    }

    fn open_reader(&self) -> StoreResult<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.inner.path, flags).map_err(backend)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(backend)?;
        conn.execute_batch("PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;")
            .map_err(backend)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// A read connection inside a read transaction (one consistent snapshot): from the pool,
    /// or newly opened.
    fn begin(&self) -> StoreResult<SqliteDb> {
        let pooled = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.open_reader()?,
        };
        // Cached statements: execute_batch would parse BEGIN and COMMIT again on every read.
        run_cached(&conn, "BEGIN").map_err(backend)?;
        Ok(SqliteDb(conn))
    }

    /// Ends a read transaction and pools the connection.
    fn end(&self, db: SqliteDb) -> StoreResult<()> {
        let conn = db.0;
        // A read transaction has nothing to keep: COMMIT ends it.
        if run_cached(&conn, "COMMIT").is_ok() {
            let mut idle = self.inner.readers.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
        Ok(())
    }

    /// Runs `f` on a read connection, inside one read transaction.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let db = self.begin()?;
        let out = f(&db.0);
        self.end(db)?;
        out
    }

    /// Queues `f` for the writer thread and waits until its group is committed.
    async fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut SqliteDb) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |db| {
            let result = f(db);
            let ok = result.is_ok();
            let reply: Reply = Box::new(move |committed| {
                let _ = tx.send(committed.and(result));
            });
            (ok, reply)
        });
        let sender = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let closed = || StoreError::backend_msg("the store is closed");
        let sender = sender.ok_or_else(closed)?;
        // Counted before it is sent, so the writer's decrement never comes first.
        QUEUE_DEPTH.inc();
        if sender.send(Msg::Write(job)).is_err() {
            QUEUE_DEPTH.dec();
            return Err(closed());
        }
        rx.await.map_err(|_| {
            StoreError::backend_msg(
                "the write was not carried out: the writer could not run it (see the log)",
            )
        })?
    }

    /// Runs `f` on the writer's connection inside a write transaction (for the bulk paths).
    pub(crate) async fn write_sync<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.submit(move |db| f(&db.0)).await
    }

    /// Finishes the queued writes, stops the writer and closes the connections.
    pub async fn close(&self) {
        let sender = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(sender) = sender {
            let (done_tx, done_rx) = mpsc::channel();
            if sender.send(Msg::Close(done_tx)).is_ok() {
                let _ = tokio::task::spawn_blocking(move || done_rx.recv()).await;
            }
        }
        self.inner
            .readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// Runs a statement through the statement cache.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql).and_then(|mut s| s.execute([]))
}

/// Polls a future that must be ready at once: every SQLite call of the operations is
/// synchronous, so their futures never wait.
fn complete<T>(future: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => Err(StoreError::backend_msg(
            "a SQLite operation waited, which it never should",
        )),
    }
}

impl Backend for SqliteStore {
    type Db = SqliteDb;

    async fn begin_read(&self, _: Reading) -> StoreResult<SqliteDb> {
        self.begin()
    }

    async fn end_read(&self, db: SqliteDb) -> StoreResult<()> {
        self.end(db)
    }

    async fn write<T: Send + 'static>(&self, work: Work<SqliteDb, T>) -> StoreResult<T> {
        self.submit(move |db| complete(work(db))).await
    }

    fn schema_version(&self) -> i64 {
        known_schema_version()
    }
}

threatdb_store::impl_store!(SqliteStore);

/// Writes between two refreshes of the planner statistics (`PRAGMA optimize`, cheap when
/// nothing changed much).
const OPTIMIZE_EVERY: usize = 100_000;

fn writer_loop(conn: Connection, rx: mpsc::Receiver<Msg>) {
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

pub(crate) fn now() -> i64 {
    threatdb_core::date::now().unix_timestamp()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod writer_tests {
    use super::*;

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
