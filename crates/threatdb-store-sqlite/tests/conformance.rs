//! The store conformance suite on SQLite: one test per case, each on its own database file, and
//! one test running every case in sequence on a single shared database (as PostgreSQL will).
#![allow(clippy::expect_used)]

use tempfile::TempDir;
use threatdb_store_sqlite::SqliteStore;

/// Opens a store on a new file; the directory lives as long as the returned guard.
async fn open() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("threatdb.db"))
        .await
        .expect("open SQLite store");
    (dir, store)
}

macro_rules! sqlite_cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (_dir, store) = open().await;
                threatdb_store_tests::$case(&store).await;
                store.close().await;
            }
        )*
    };
}

threatdb_store_tests::for_each_case!(sqlite_cases);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_all_on_one_database() {
    let (_dir, store) = open().await;
    threatdb_store_tests::run_all(&store).await;
    // Twice: no case may depend on a fresh database.
    threatdb_store_tests::run_all(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_plans() {
    let (_dir, store) = open().await;
    threatdb_store_tests::plans::query_plans(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_plans() {
    let (_dir, store) = open().await;
    threatdb_store_tests::audit::audit_plans(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_plans() {
    let (_dir, store) = open().await;
    threatdb_store_tests::audit::history_plans(&store).await;
    store.close().await;
}
