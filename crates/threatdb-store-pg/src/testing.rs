//! Fresh PostgreSQL databases for tests. The server to use comes from `THREATDB_TEST_PG_URL`
//! (a URL of any existing database on it, e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
//! The tests that need it are marked `#[ignore = "needs PostgreSQL: …"]`, so a plain
//! `cargo test` reports them as ignored with that reason; `--include-ignored` (what `.ci/run`
//! passes) runs them, and then a missing variable is a failure, never a silent pass.
// Test support: a failure here is a failed test, reported where it happened.
#![allow(clippy::expect_used, clippy::panic)]

use sqlx::{Connection, PgConnection};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The variable naming the test server.
pub const URL_VAR: &str = "THREATDB_TEST_PG_URL";

/// The test server's URL. Panics when `THREATDB_TEST_PG_URL` is unset: a test that asked for
/// PostgreSQL and does not get it fails, it does not pass.
pub fn server_url() -> String {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{URL_VAR} is not set: this test needs PostgreSQL \
             (e.g. {URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres; see README, Tests)"
        ),
    }
}

/// Drops the test databases left by test processes that are gone (a test that failed before
/// its `drop_db`, a run that was killed): their names carry the process id that made them,
/// and a process that no longer has a `/proc` entry cannot be using them. Where there is no
/// `/proc`, nothing is dropped.
async fn sweep(conn: &mut PgConnection) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let names: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'threatdb\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for (name,) in names {
        let Some(pid) = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let gone = !std::path::Path::new(&format!("/proc/{pid}")).exists();
        if gone && pid != std::process::id() {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut *conn)
                .await;
        }
    }
}

/// A database made for one test, dropped by [`TestDatabase::drop_db`].
#[derive(Debug)]
pub struct TestDatabase {
    /// URL of the new database.
    pub url: String,
    server: String,
    name: String,
}

/// `url` with its database replaced by `db` (the query string kept).
pub(crate) fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |s| s + 2) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{db}?{q}"),
        None => format!("{prefix}/{db}"),
    }
}

impl TestDatabase {
    /// Creates a uniquely named database on the server `server_url` points at.
    pub async fn create(server_url: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "threatdb_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        let mut conn = PgConnection::connect(server_url)
            .await
            .expect("connect to the PostgreSQL test server");
        static SWEPT: AtomicBool = AtomicBool::new(false);
        if !SWEPT.swap(true, Ordering::Relaxed) {
            sweep(&mut conn).await;
        }
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("create test database");
        conn.close().await.ok();
        TestDatabase {
            url: with_database(server_url, &name),
            server: server_url.to_string(),
            name,
        }
    }

    /// Ends every session on this database whose `application_name` is `application` (as a
    /// database restart or a cut connection would); how many were ended.
    pub async fn terminate(&self, application: &str) -> i64 {
        let mut conn = PgConnection::connect(&self.server)
            .await
            .expect("connect to the PostgreSQL test server");
        let (ended,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND application_name = $2) AS t",
        )
        .bind(&self.name)
        .bind(application)
        .fetch_one(&mut conn)
        .await
        .expect("terminate sessions");
        conn.close().await.ok();
        ended
    }

    /// How many sessions on this database have `application_name` `application`.
    pub async fn sessions(&self, application: &str) -> i64 {
        let mut conn = PgConnection::connect(&self.server)
            .await
            .expect("connect to the PostgreSQL test server");
        let (n,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
        )
        .bind(&self.name)
        .bind(application)
        .fetch_one(&mut conn)
        .await
        .expect("count sessions");
        conn.close().await.ok();
        n
    }

    /// Drops the database (closing other sessions on it first).
    pub async fn drop_db(self) {
        if let Ok(mut conn) = PgConnection::connect(&self.server).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await;
            conn.close().await.ok();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_replace_the_path() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
