//! The bulk path, and the storage ceiling it is measured against.

use crate::{SqliteStore, backend};
use async_trait::async_trait;
use rusqlite::{Connection, params};
use std::path::Path;
use std::sync::LazyLock;
use threatdb_core::tag::tag_key;
use threatdb_core::{BulkLoad, SeedIncident, StoreError, StoreResult, label_key};

/// Incidents per `INSERT` statement. FTS5 writes its pending terms out as a new segment at
/// every statement savepoint, and merges segments as they pile up: one statement per incident
/// meant one segment, and its share of the merging, per incident (95 % of a 1 M seed's time, in
/// `fts5IndexMergeLevel`); one statement per chunk makes that one per chunk. 8 parameters a row
/// keeps a statement far under SQLite's 32,766.
const INCIDENTS_PER_STATEMENT: usize = 1_000;

/// Attribute rows per statement (6 values each, well under SQLite's 32,766 parameters).
const ATTRIBUTES_PER_STATEMENT: usize = 4_000;

/// `INSERT INTO incidents … VALUES (…), (…)` for `rows` rows with explicit ids.
fn incidents_sql(rows: usize) -> String {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let mut sql = String::from(
        "INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid, stix_key) VALUES ",
    );
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    sql
}

/// Inserts incidents and what hangs off them with prepared statements (no checks: the caller
/// made valid rows). The incidents of a chunk go in with one statement, under ids following the
/// highest ever given (the table is `AUTOINCREMENT`: no id of a deleted incident comes back).
fn insert(conn: &Connection, batch: &[SeedIncident]) -> rusqlite::Result<u64> {
    let mut next_id: i64 = conn.query_row(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'incidents'), 0),                     coalesce((SELECT max(id) FROM incidents), 0)) + 1",
        [],
        |r| r.get(0),
    )?;
    // Owner names, which the incidents' STIX ids derive from.
    let owners: std::collections::HashMap<i64, String> = conn
        .prepare_cached("SELECT id, name FROM owners")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut tag = conn.prepare_cached(
        "INSERT OR IGNORE INTO incident_tags (incident_id, tag_id, event_date) VALUES (?1, ?2, ?3)",
    )?;
    let mut label = conn.prepare_cached(
        "INSERT OR IGNORE INTO incident_labels (incident_id, label_id, owner_id) VALUES (?1, ?2, ?3)",
    )?;
    // The trigram index keys a name by (owner_id << 40) + id (migration 11), and FTS5 starts a
    // new segment wherever a key is lower than the one before: ids are given in owner order,
    // so the keys of a chunk ascend and it stays one segment.
    let mut sorted: Vec<&SeedIncident> = batch.iter().collect();
    sorted.sort_by_key(|s| s.owner_id);
    for chunk in sorted.chunks(INCIDENTS_PER_STATEMENT) {
        // (id, event date, date added), status, xid and STIX key of each row, for the
        // parameters to borrow.
        let numbers: Vec<([i64; 3], &str, String, Option<i64>)> = chunk
            .iter()
            .zip(next_id..)
            .map(|(s, id)| {
                let dates = [s.event_date, s.date_added].map(|d| d.unix_timestamp());
                let xid = uuid::Uuid::new_v4().simple().to_string();
                let key = owners
                    .get(&s.owner_id)
                    .and_then(|owner| threatdb_core::stix_id::incident_key(owner, &xid));
                ([id, dates[0], dates[1]], s.status.as_str(), xid, key)
            })
            .collect();
        let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(chunk.len() * 10);
        for (s, ([id, event, added], status, xid, key)) in chunk.iter().zip(&numbers) {
            values.extend([
                id as &dyn rusqlite::ToSql,
                &s.owner_id,
                &s.name,
                event,
                status,
                added,
                added,
                &s.created_by,
                xid,
                key,
            ]);
        }
        // The full chunk's text is made once (it is long); a last, shorter chunk makes its own.
        static FULL: LazyLock<String> = LazyLock::new(|| incidents_sql(INCIDENTS_PER_STATEMENT));
        let short;
        let sql = if chunk.len() == INCIDENTS_PER_STATEMENT {
            FULL.as_str()
        } else {
            short = incidents_sql(chunk.len());
            short.as_str()
        };
        conn.prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(values))?;
        // The chunk's attributes with one statement: the attribute word index (migration 29)
        // writes what each statement added as a segment of its own, and a segment per
        // attribute made the load ten times slower at 100,000 incidents.
        // (id, date added) of each attribute's incident, the incident, the attribute's index.
        let attributes: Vec<(&i64, &i64, &SeedIncident, usize)> = chunk
            .iter()
            .zip(&numbers)
            .flat_map(|(s, ([id, _, added], ..))| {
                (0..s.attributes.len()).map(move |k| (id, added, *s, k))
            })
            .collect();
        for part in attributes.chunks(ATTRIBUTES_PER_STATEMENT) {
            let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(part.len() * 6);
            let mut sql = String::from(
                "INSERT INTO attributes (incident_id, type, value, displayed, source, date_added, last_modified) VALUES ",
            );
            for (i, (id, added, s, k)) in part.iter().enumerate() {
                let Some((kind, value)) = s.attributes.get(*k) else {
                    continue;
                };
                values.extend([
                    *id as &dyn rusqlite::ToSql,
                    &kind.name,
                    value,
                    &kind.displayable,
                    *added,
                    *added,
                ]);
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str("(?, ?, ?, ?, NULL, ?, ?)");
            }
            conn.prepare_cached(&sql)?
                .execute(rusqlite::params_from_iter(values))?;
        }
        for (s, ([id, event, _], ..)) in chunk.iter().zip(&numbers) {
            for t in &s.tag_ids {
                tag.execute(params![id, t, event])?;
            }
            if let Some(l) = s.label_id {
                label.execute(params![id, l, s.owner_id])?;
            }
        }
        next_id += chunk.len() as i64;
    }
    Ok(batch.len() as u64)
}

#[async_trait]
impl BulkLoad for SqliteStore {
    async fn bulk_tags(&self, owner_id: i64, names: Vec<String>) -> StoreResult<Vec<i64>> {
        self.write_sync(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "INSERT INTO tags (owner_id, name, name_key) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (owner_id, name_key) DO UPDATE SET name = name RETURNING id",
                )
                .map_err(backend)?;
            names
                .iter()
                .map(|n| {
                    stmt.query_row(params![owner_id, n, tag_key(n)], |r| r.get(0))
                        .map_err(backend)
                })
                .collect()
        })
        .await
    }

    async fn label_id(&self, name: &str) -> StoreResult<i64> {
        let key = label_key(name);
        self.read(|c| {
            use rusqlite::OptionalExtension;
            c.query_row(
                "SELECT id FROM security_labels WHERE owner_id IS NULL AND name_key = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?
            .ok_or_else(|| StoreError::Invalid(format!("Security label '{name}' does not exist")))
        })
    }

    async fn bulk_incidents(&self, batch: Vec<SeedIncident>) -> StoreResult<u64> {
        self.write_sync(move |c| insert(c, &batch).map_err(backend))
            .await
    }

    async fn bulk_done(&self) -> StoreResult<()> {
        // Planner statistics (with STAT4 samples) for the loaded tables: the choice between an
        // index range and a walk of an owner's incidents depends on them. And the trigram index
        // merged into one segment: a query looks each trigram up once per segment, and a load
        // leaves dozens (at 1.5 M names, three selective trigrams in one owner: 371 µs over
        // the segments a load leaves, 169 µs over one).
        self.write_sync(|c| {
            c.execute_batch(
                "PRAGMA analysis_limit = 10000; ANALYZE; \
                 INSERT INTO incident_names (incident_names) VALUES ('optimize');",
            )
            .map_err(backend)
        })
        .await
    }
}

/// The storage ceiling: the same rows inserted into a fresh database with the simplest code
/// there is (one connection, plain prepared statements, one transaction per batch, the same
/// durability settings), none of the store's machinery.
pub struct Ceiling {
    conn: Connection,
}

impl Ceiling {
    /// Creates the database at `path` with the schema, then `owners` (name, kind) and `tags`
    /// (owner id, name) in order, so ids match a store seeded the same way.
    pub fn create(
        path: &Path,
        owners: &[(String, &str)],
        tags: &[(i64, String)],
    ) -> StoreResult<Self> {
        let mut conn = Connection::open(path).map_err(backend)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .map_err(backend)?;
        conn.execute_batch(&schema_sql()).map_err(backend)?;
        let tx = conn.transaction().map_err(backend)?;
        for (name, kind) in owners {
            tx.execute(
                "INSERT INTO owners (name, name_key, kind, date_added) VALUES (?1, ?2, ?3, 0)",
                params![name, name.to_lowercase(), kind],
            )
            .map_err(backend)?;
        }
        for (owner, name) in tags {
            tx.execute(
                "INSERT INTO tags (owner_id, name, name_key) VALUES (?1, ?2, ?3)",
                params![owner, name, tag_key(name)],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        Ok(Ceiling { conn })
    }

    /// Inserts one batch in one transaction.
    pub fn insert(&mut self, batch: &[SeedIncident]) -> StoreResult<u64> {
        let tx = self.conn.transaction().map_err(backend)?;
        let n = insert(&tx, batch).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(n)
    }
}

/// The schema SQL of every migration, for [`ceiling_insert`].
pub fn schema_sql() -> String {
    crate::MIGRATIONS
        .iter()
        .map(|m| m.2)
        .collect::<Vec<_>>()
        .join("\n")
}
