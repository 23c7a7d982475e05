//! Schema migrations: applied in order, once, each in the transaction that records it. A
//! database whose schema is newer than this binary is refused.

use crate::backend;
use rusqlite::{Connection, OptionalExtension};
use threatdb_core::{StoreError, StoreResult};

/// The schema migrations, embedded in the binary: version, description, SQL. The PostgreSQL
/// store has the same version list; an applied migration is never edited.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "web users",
        include_str!("../migrations/0002_web_users.sql"),
    ),
    (
        3,
        "associations",
        include_str!("../migrations/0003_associations.sql"),
    ),
    (
        4,
        "item tags",
        include_str!("../migrations/0004_item_tags.sql"),
    ),
    (
        5,
        "item labels",
        include_str!("../migrations/0005_item_labels.sql"),
    ),
    (
        6,
        "item attributes",
        include_str!("../migrations/0006_item_attributes.sql"),
    ),
    (
        7,
        "item attribute labels",
        include_str!("../migrations/0007_item_attribute_labels.sql"),
    ),
    (
        8,
        "query indexes",
        include_str!("../migrations/0008_query_indexes.sql"),
    ),
    (
        9,
        "api tokens",
        include_str!("../migrations/0009_api_tokens.sql"),
    ),
    (
        10,
        "fts automerge",
        include_str!("../migrations/0010_fts_automerge.sql"),
    ),
];

pub fn run(conn: &mut Connection) -> StoreResult<()> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(backend)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS threatdb_migrations (
             version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .map_err(backend)?;
    let newest: Option<i64> = tx
        .query_row("SELECT max(version) FROM threatdb_migrations", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(backend)?
        .flatten();
    let known = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
    if let Some(v) = newest.filter(|v| *v > known) {
        return Err(StoreError::Invalid(format!(
            "the database has schema version {v}, newer than this threatdb knows ({known}): use a newer threatdb"
        )));
    }
    for (version, description, sql) in MIGRATIONS {
        if newest.is_some_and(|n| n >= *version) {
            continue;
        }
        tx.execute_batch(sql).map_err(|e| {
            StoreError::backend_msg(format!("migration {version} ({description}) failed: {e}"))
        })?;
        tx.execute(
            "INSERT INTO threatdb_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, description, crate::now()],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)
}
