//! Databases on a PostgreSQL server, for the benchmarks that need a fresh one per run (`bench
//! scale --database-server`): made, measured and dropped by name.

use sqlx::{Connection, PgConnection, Row};
use threatdb_core::{StoreError, StoreResult};

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::backend_msg(e.to_string())
}

/// A database name this module accepts: ASCII letters, digits and `_`, at most 63 bytes (it is
/// written into statements as a quoted identifier).
fn checked(name: &str) -> StoreResult<&str> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(StoreError::Invalid(format!(
            "not a database name: {name:?}"
        )))
    }
}

/// The URL of database `name` on the server `server_url` points at.
pub fn url_of(server_url: &str, name: &str) -> String {
    crate::testing::with_database(server_url, name)
}

/// Whether database `name` exists on the server.
pub async fn exists(server_url: &str, name: &str) -> StoreResult<bool> {
    let mut conn = PgConnection::connect(server_url).await.map_err(backend)?;
    let row = sqlx::query("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(checked(name)?)
        .fetch_one(&mut conn)
        .await
        .map_err(backend)?;
    conn.close().await.ok();
    Ok(row.try_get::<i64, _>(0).map_err(backend)? > 0)
}

/// Creates database `name` (empty); returns its URL.
pub async fn create(server_url: &str, name: &str) -> StoreResult<String> {
    let mut conn = PgConnection::connect(server_url).await.map_err(backend)?;
    sqlx::query(&format!("CREATE DATABASE \"{}\"", checked(name)?))
        .execute(&mut conn)
        .await
        .map_err(backend)?;
    conn.close().await.ok();
    Ok(url_of(server_url, name))
}

/// Drops database `name` if it exists, ending its sessions.
pub async fn drop(server_url: &str, name: &str) -> StoreResult<()> {
    let mut conn = PgConnection::connect(server_url).await.map_err(backend)?;
    sqlx::query(&format!(
        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
        checked(name)?
    ))
    .execute(&mut conn)
    .await
    .map_err(backend)?;
    conn.close().await.ok();
    Ok(())
}

/// Bytes on disk of the database `database_url` points at.
pub async fn size(database_url: &str) -> StoreResult<u64> {
    let mut conn = PgConnection::connect(database_url).await.map_err(backend)?;
    let row = sqlx::query("SELECT pg_database_size(current_database())")
        .fetch_one(&mut conn)
        .await
        .map_err(backend)?;
    conn.close().await.ok();
    Ok(u64::try_from(row.try_get::<i64, _>(0).map_err(backend)?).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_taken() {
        assert!(checked("threatdb_scale_10000").is_ok());
        for bad in ["", "a\"b", "a;b", "a b", &"x".repeat(64)] {
            assert!(checked(bad).is_err(), "{bad}");
        }
    }
}
