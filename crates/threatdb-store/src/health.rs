//! Readiness (`Store::ready`, behind `/readyz`) and the time each `Store` method takes
//! (`threatdb_store_op_duration_seconds{op}`).

use crate::db::{Db, Dialect, Sql};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::time::Instant;
use threatdb_core::{StoreError, StoreResult};

/// The histogram of every `Store` method's duration, labelled `op` (the method's name).
pub const STORE_OP_DURATION: &str = "threatdb_store_op_duration_seconds";

/// Buckets of every `…_seconds` histogram: 100 µs to 10 s (the server's request histogram has
/// the same).
pub const SECONDS_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// A histogram with [`SECONDS_BUCKETS`].
fn seconds_histogram() -> Histogram {
    Histogram::new(SECONDS_BUCKETS)
}

type OpLabels = [(&'static str, &'static str); 1];
type OpFamily = Family<OpLabels, Histogram, fn() -> Histogram>;

/// The family exists from the start (a static), so a handle is never taken too early; the
/// timing itself is switched on by [`register_metrics`], and costs nothing until then.
static OPS: LazyLock<OpFamily> = LazyLock::new(|| Family::new_with_constructor(seconds_histogram));
static TIMING: AtomicBool = AtomicBool::new(false);

/// Registers the store's series in `registry` and starts timing every `Store` method.
pub fn register_metrics(registry: &mut Registry) {
    TIMING.store(true, Ordering::Relaxed);
    registry.register_with_unit(
        "threatdb_store_op_duration",
        "Time of each Store method (one transaction), by method name",
        Unit::Seconds,
        OPS.clone(),
    );
}

/// One `Store` method's series: its name and, from its first timed call on, its histogram
/// (looked up once, not on every call: the family look-up would cost more than the recording).
#[derive(Debug)]
pub struct Op {
    name: &'static str,
    histogram: OnceLock<Histogram>,
}

impl Op {
    /// The series of the method `name`.
    pub const fn new(name: &'static str) -> Self {
        Op {
            name,
            histogram: OnceLock::new(),
        }
    }

    fn histogram(&self) -> &Histogram {
        self.histogram
            .get_or_init(|| OPS.get_or_create_owned(&[("op", self.name)]))
    }
}

/// Times the body of the `Store` method `name` (a block, run as an async block): the method's
/// [`Op`] is a static of its own, so its histogram is looked up once.
#[macro_export]
#[doc(hidden)]
macro_rules! timed_op {
    ($name:literal, $body:block) => {{
        static OP: $crate::health::Op = $crate::health::Op::new($name);
        $crate::timed(&OP, async $body).await
    }};
}

/// Runs one `Store` method and, once [`register_metrics`] has run, records how long it took in
/// [`STORE_OP_DURATION`].
pub async fn timed<T>(op: &'static Op, work: impl Future<Output = T>) -> T {
    if !TIMING.load(Ordering::Relaxed) {
        return work.await;
    }
    let start = Instant::now();
    let out = work.await;
    op.histogram().observe(start.elapsed().as_secs_f64());
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
