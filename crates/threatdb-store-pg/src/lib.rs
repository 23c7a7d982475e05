//! threatdb's store on PostgreSQL, for several stateless `threatdb serve` nodes on one database.
//! The same semantics as the SQLite store (both pass one conformance suite): every Store method
//! is one transaction; concurrent nodes are safe because every write is a single atomic
//! statement or an `INSERT ... ON CONFLICT`, and migrations take an advisory lock.

//!
//! The domain operations are `threatdb-store`'s, shared with SQLite; this crate is the pool,
//! transactions, row decoding and PostgreSQL's error codes.

mod bulk;
mod bulk_links;
pub mod databases;
mod db;
mod migrate;
mod notices;
pub mod testing;

pub use migrate::MIGRATIONS;

pub use db::PgDb;
pub(crate) use db::backend;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;
use threatdb_core::{StoreError, StoreResult, Timestamp};
use threatdb_store::{Backend, Reading, Work};

/// The gauge of the pool's open connections, labelled `state`: `idle` or `in_use`.
pub const POOL_CONNECTIONS: &str = "threatdb_pg_pool_connections";
/// The gauge of the most connections the pool opens.
pub const POOL_MAX_CONNECTIONS: &str = "threatdb_pg_pool_max_connections";

type StateLabel = [(&'static str, &'static str); 1];
static POOL: LazyLock<Family<StateLabel, Gauge>> = LazyLock::new(Family::default);
static POOL_MAX: LazyLock<Gauge> = LazyLock::new(Gauge::default);

/// Registers the pool's series in `registry`; [`PgStore::record_pool_metrics`] samples them.
pub fn register_metrics(registry: &mut Registry) {
    registry.register(
        POOL_CONNECTIONS,
        "Open connections of this node's PostgreSQL pool, idle or in use (sampled at each scrape)",
        POOL.clone(),
    );
    registry.register(
        POOL_MAX_CONNECTIONS,
        "The most connections this node's PostgreSQL pool opens",
        POOL_MAX.clone(),
    );
}

/// Pool and timeout settings.
#[derive(Clone, Debug)]
pub struct PgSettings {
    /// Most connections this node opens.
    pub max_connections: u32,
    /// How long a request waits for a free connection.
    pub acquire_timeout: Duration,
    /// Longest a statement may run before PostgreSQL cancels it.
    pub statement_timeout: Duration,
}

impl Default for PgSettings {
    fn default() -> Self {
        PgSettings {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// A threatdb store on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// Notices of credential changes from other nodes (started by the first
    /// `credential_change`, so `threatdb admin` never listens).
    notices: std::sync::Arc<notices::Notices>,
    /// The sample of names substring searches judge trigrams by.
    names: std::sync::Arc<threatdb_store::list::NameSample>,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host/db`), checks it answers, and brings
    /// the schema up to date. Errors never contain the password.
    pub async fn connect(url: &str, settings: PgSettings) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| {
                StoreError::Invalid(format!(
                    "bad PostgreSQL URL: {}",
                    redact_error(&e.to_string(), url)
                ))
            })?
            .options([(
                "statement_timeout",
                format!("{}", settings.statement_timeout.as_millis()),
            )])
            .application_name("threatdb");
        let listen_options = options.clone();
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| {
                StoreError::backend_msg(format!(
                    "cannot connect to PostgreSQL: {}",
                    redact_error(&e.to_string(), url)
                ))
            })?;
        let store = PgStore {
            pool,
            notices: std::sync::Arc::new(notices::Notices::new(listen_options)),
            names: Default::default(),
        };
        store.ping().await?;
        migrate::run(&store.pool).await?;
        Ok(store)
    }

    /// One round trip to the database (`Store::ready` also checks the schema).
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Whether this node is listening for credential changes from other nodes (started by the
    /// first wait for one); while it is not, it polls.
    pub fn listening(&self) -> bool {
        self.notices.live()
    }

    /// Samples the pool into the gauges `threatdb_pg_pool_connections{state="idle"|"in_use"}`
    /// and `threatdb_pg_pool_max_connections` (the server calls it at every scrape of
    /// `/metrics`).
    pub fn record_pool_metrics(&self) {
        let size = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle())
            .unwrap_or(u32::MAX)
            .min(size);
        POOL.get_or_create(&[("state", "idle")])
            .set(i64::from(idle));
        POOL.get_or_create(&[("state", "in_use")])
            .set(i64::from(size.saturating_sub(idle)));
        POOL_MAX.set(i64::from(self.pool.options().get_max_connections()));
    }

    /// The pool, for tests and tools.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_tx(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(backend)
    }

    /// Closes the pool, waiting for running statements.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Removes a URL's password from a message.
fn redact_error(message: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty());
    match password {
        Some(p) => message.replace(p, "***"),
        None => message.to_string(),
    }
}

impl Backend for PgStore {
    type Db = PgDb;

    async fn begin_read(&self, reading: Reading) -> StoreResult<PgDb> {
        Ok(match reading {
            Reading::Snapshot => PgDb::Tx(self.begin_tx().await?),
            Reading::OneStatement => PgDb::Conn(self.pool.acquire().await.map_err(backend)?),
        })
    }

    async fn end_read(&self, db: PgDb) -> StoreResult<()> {
        if let PgDb::Tx(tx) = db {
            tx.commit().await.map_err(backend)?;
        }
        Ok(())
    }

    async fn write<T: Send + 'static>(&self, work: Work<PgDb, T>) -> StoreResult<T> {
        let mut db = PgDb::Tx(self.begin_tx().await?);
        let out = work(&mut db).await?;
        if let PgDb::Tx(tx) = db {
            tx.commit().await.map_err(backend)?;
        }
        Ok(out)
    }

    fn name_sample(&self) -> &threatdb_store::list::NameSample {
        &self.names
    }

    fn schema_version(&self) -> i64 {
        MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
    }

    async fn credential_change(&self) {
        self.notices.wait().await;
    }
}

threatdb_store::impl_store!(PgStore);

pub(crate) fn now() -> Timestamp {
    threatdb_core::date::now()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact_error("auth failed for s3cret", "postgres://u:s3cret@h/db"),
            "auth failed for ***"
        );
        assert_eq!(super::redact_error("x", "postgres://h/db"), "x");
    }
}
