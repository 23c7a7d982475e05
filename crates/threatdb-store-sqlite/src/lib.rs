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
mod writer;

use db::SqliteDb;
use rusqlite::{Connection, OpenFlags};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use threatdb_core::{StoreError, StoreResult};
use threatdb_store::{Backend, Reading, Work};

pub use bulk::{Ceiling, schema_sql};
pub(crate) use db::backend;
pub use migrate::MIGRATIONS;
use writer::{Job, Msg, QUEUE_DEPTH, Reply, writer_loop};
pub use writer::{WRITE_GROUP_SIZE, WRITE_QUEUE_DEPTH, register_metrics};

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

/// The newest schema (migration) version this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// Read connections kept open for reuse.
const MAX_IDLE_READERS: usize = 8;

/// A threatdb store on one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Option<mpsc::Sender<Msg>>>,
    names: threatdb_store::list::NameSample,
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
                names: Default::default(),
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

    fn name_sample(&self) -> &threatdb_store::list::NameSample {
        &self.inner.names
    }
}

threatdb_store::impl_store!(SqliteStore);

pub(crate) fn now() -> i64 {
    threatdb_core::date::now().unix_timestamp()
}
