//! threatdb's embedded store: SQLite in WAL mode with `synchronous=FULL`, so an acknowledged
//! write survives a crash. Writes go through one connection in `BEGIN IMMEDIATE` transactions
//! (SQLite has one writer anyway; queueing in-process avoids busy errors); reads use a pool.

mod admin;
mod incidents;
mod metadata;
mod rows;
mod store;
mod web;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use threatdb_core::policy::{Access, Decision, decide};
use threatdb_core::{Actor, StoreError, StoreResult};

/// The schema migrations, embedded in the binary: version, description, SQL. The PostgreSQL
/// store has the same version list; an applied migration is never edited.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "web users",
        include_str!("../migrations/0002_web_users.sql"),
    ),
];

fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                (*description).into(),
                MigrationType::Simple,
                (*sql).into(),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: migrations.into(),
        ..Migrator::DEFAULT
    }
}

/// A threatdb store on one SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Self::with_options(options).await
    }

    /// Opens a database from a `sqlite:` URL (`sqlite:///var/lib/threatdb/threatdb.db`).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true);
        Self::with_options(options).await
    }

    async fn with_options(options: SqliteConnectOptions) -> StoreResult<Self> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-16000");
        // No ping before each acquire: with SQLite every ping is a round trip to the connection's
        // worker thread, and a local file connection does not go stale.
        let write = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .min_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        migrator().run(&write).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => StoreError::Invalid(format!(
                "the database has schema version {v}, which this threatdb does not know: use a newer threatdb"
            )),
            other => StoreError::Backend(other.to_string()),
        })?;
        let read = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await
            .map_err(backend)?;
        Ok(SqliteStore { read, write })
    }

    /// Starts a write transaction that holds SQLite's write lock from its first statement.
    async fn begin_write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)
    }

    /// Starts a read transaction: one consistent snapshot for all its queries.
    async fn begin_read(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.read.begin().await.map_err(backend)
    }

    /// Closes both pools, waiting for running statements.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    match &e {
        // A row that vanished between the check and the write (a concurrent delete).
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Applies the authorization policy to a loaded owner id.
pub(crate) fn authorize(actor: &Actor, owner_id: i64, access: Access) -> StoreResult<()> {
    match decide(actor, owner_id, access) {
        Decision::Allow => Ok(()),
        Decision::Hidden => Err(StoreError::NotFound),
        Decision::Denied => Err(StoreError::Forbidden),
    }
}

pub(crate) fn now() -> i64 {
    threatdb_core::date::now().unix_timestamp()
}
