//! The store conformance suite on PostgreSQL: one test per case, each on a fresh database, and
//! one test running every case twice on a single database. Needs `THREATDB_TEST_PG_URL`.
#![allow(clippy::expect_used)]

use threatdb_store_pg::testing::{TestDatabase, server_url};
use threatdb_store_pg::{PgSettings, PgStore};

async fn open() -> (TestDatabase, PgStore) {
    let server = server_url();
    let db = TestDatabase::create(&server).await;
    let store = PgStore::connect(&db.url, PgSettings::default())
        .await
        .expect("open PostgreSQL store");
    (db, store)
}

macro_rules! pg_cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
            async fn $case() {
                let (db, store) = open().await;
                threatdb_store_tests::$case(&store).await;
                store.close().await;
                db.drop_db().await;
            }
        )*
    };
}

threatdb_store_tests::for_each_case!(pg_cases);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn run_all_on_one_database() {
    let (db, store) = open().await;
    threatdb_store_tests::run_all(&store).await;
    threatdb_store_tests::run_all(&store).await;
    store.close().await;
    db.drop_db().await;
}

#[test]
fn migration_version_lists_are_equal() {
    let pg: Vec<i64> = threatdb_store_pg::MIGRATIONS.iter().map(|m| m.0).collect();
    let sqlite: Vec<i64> = threatdb_store_sqlite::MIGRATIONS
        .iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(
        pg, sqlite,
        "both stores must have the same migration versions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn query_plans() {
    let (db, store) = open().await;
    threatdb_store_tests::plans::query_plans(&store).await;
    store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn audit_plans() {
    let (db, store) = open().await;
    threatdb_store_tests::audit::audit_plans(&store).await;
    store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn history_plans() {
    let (db, store) = open().await;
    threatdb_store_tests::audit::history_plans(&store).await;
    store.close().await;
    db.drop_db().await;
}
