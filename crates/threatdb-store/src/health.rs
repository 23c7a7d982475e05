//! Readiness (`Store::ready`, behind `/readyz`) and the time each `Store` method takes
//! (`threatdb_store_op_duration_seconds{op}`).

use crate::db::{Db, Dialect, Sql};
use std::future::Future;
use std::sync::OnceLock;
use std::time::Instant;
use threatdb_core::{StoreError, StoreResult};

/// The histogram of every `Store` method's duration, labelled `op` (the method's name).
pub const STORE_OP_DURATION: &str = "threatdb_store_op_duration_seconds";

/// Gives the store's series their help text (once the recorder is installed).
pub fn describe_metrics() {
    metrics::describe_histogram!(
        STORE_OP_DURATION,
        metrics::Unit::Seconds,
        "Time of each Store method (one transaction), by method name"
    );
}

/// One `Store` method's series: its name and, from its first call on, its histogram handle
/// (looked up once, not on every call: the registry look-up and the label allocation would cost
/// more than the recording). A handle taken before a recorder is installed stays a no-op, so a
/// server installs its recorder before it opens the store.
#[derive(Debug)]
pub struct Op {
    name: &'static str,
    histogram: OnceLock<metrics::Histogram>,
}

impl Op {
    /// The series of the method `name`.
    pub const fn new(name: &'static str) -> Self {
        Op {
            name,
            histogram: OnceLock::new(),
        }
    }

    fn histogram(&self) -> &metrics::Histogram {
        self.histogram
            .get_or_init(|| metrics::histogram!(STORE_OP_DURATION, "op" => self.name))
    }
}

/// Runs one `Store` method and records how long it took in [`STORE_OP_DURATION`] (a no-op
/// when no metrics recorder is installed).
pub async fn timed<T>(op: &'static Op, work: impl Future<Output = T>) -> T {
    let start = Instant::now();
    let out = work.await;
    op.histogram().record(start.elapsed());
    out
}

/// The newest migration applied to the database (`None`: none, or no migration table).
pub async fn schema_version<D: Db>(db: &mut D) -> StoreResult<Option<i64>> {
    let text = match db.dialect() {
        Dialect::Sqlite => "SELECT max(version) FROM threatdb_migrations",
        // sqlx's migrator records each migration there; a failed one is not applied.
        Dialect::Postgres => "SELECT max(version) FROM _sqlx_migrations WHERE success",
    };
    let found = db
        .fetch_optional(Sql::with(text, vec![]), |r| r.opt_int(0))
        .await?;
    Ok(found.flatten())
}

/// Ready when the database's schema is exactly the one this build knows: every migration
/// applied, none from a newer build. A mismatch is `Invalid` (the database answered; a failure
/// to answer is `Backend`).
pub fn check_schema(applied: Option<i64>, known: i64) -> StoreResult<()> {
    match applied {
        Some(v) if v == known => Ok(()),
        Some(v) if v > known => Err(StoreError::Invalid(format!(
            "the database has schema version {v}, newer than this threatdb knows ({known})"
        ))),
        Some(v) => Err(StoreError::Invalid(format!(
            "the database has schema version {v}, older than this threatdb's ({known}): migrations are pending"
        ))),
        None => Err(StoreError::Invalid(
            "the database has no schema version: migrations have not run".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::check_schema;

    #[test]
    fn only_the_known_version_is_ready() {
        assert!(check_schema(Some(9), 9).is_ok());
        assert!(check_schema(Some(8), 9).is_err());
        assert!(check_schema(Some(10), 9).is_err());
        assert!(check_schema(None, 9).is_err());
    }
}
