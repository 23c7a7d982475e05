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
    (
        11,
        "owner-scoped label and name indexes",
        include_str!("../migrations/0011_owner_scoped_indexes.sql"),
    ),
    (
        12,
        "tql indexes",
        include_str!("../migrations/0012_tql_indexes.sql"),
    ),
    (
        13,
        "one id space for every group",
        include_str!("../migrations/0013_group_ids.sql"),
    ),
    (
        14,
        "indicators in id order by owner",
        include_str!("../migrations/0014_indicator_order.sql"),
    ),
    (
        15,
        "indicators by date added and last modified",
        include_str!("../migrations/0015_indicator_dates.sql"),
    ),
    (
        16,
        "incident attributes by type",
        include_str!("../migrations/0016_attribute_types.sql"),
    ),
    (
        17,
        "indicator attributes by type",
        include_str!("../migrations/0017_indicator_attribute_types.sql"),
    ),
    (
        18,
        "batch jobs",
        include_str!("../migrations/0018_batch_jobs.sql"),
    ),
    (
        19,
        "indicators by rating and confidence",
        include_str!("../migrations/0019_indicator_scores.sql"),
    ),
    (
        20,
        "objects in the order they last changed",
        include_str!("../migrations/0020_change_order.sql"),
    ),
    (
        21,
        "groups by owner, kind and name",
        include_str!("../migrations/0021_items_by_name.sql"),
    ),
    (
        22,
        "stored STIX ids of indicators, TAXII statuses",
        include_str!("../migrations/0022_stix_ids.sql"),
    ),
    (
        23,
        "STIX id look-up keys",
        include_str!("../migrations/0023_stix_keys.sql"),
    ),
    (
        24,
        "STIX id look-up keys of existing objects",
        include_str!("../migrations/0024_stix_keys_filled.sql"),
    ),
    (
        25,
        "the audit log",
        include_str!("../migrations/0025_audit_log.sql"),
    ),
    (
        26,
        "history",
        include_str!("../migrations/0026_history.sql"),
    ),
    (
        27,
        "tombstones",
        include_str!("../migrations/0027_tombstones.sql"),
    ),
    (
        28,
        "status counts",
        include_str!("../migrations/0028_status_counts.sql"),
    ),
    (29, "search", include_str!("../migrations/0029_search.sql")),
];

pub fn run(conn: &mut Connection) -> StoreResult<()> {
    run_to(conn, i64::MAX)
}

/// Applies the migrations up to version `last`.
fn run_to(conn: &mut Connection, last: i64) -> StoreResult<()> {
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
        if newest.is_some_and(|n| n >= *version) || *version > last {
            continue;
        }
        // Some migrations rebuild an index over every incident (minutes at 10 M): say so.
        tracing::info!(version, description, "applying schema migration");
        let started = std::time::Instant::now();
        if *version == 24 {
            fill_stix_keys(&tx)?;
        }
        tx.execute_batch(sql).map_err(|e| {
            StoreError::backend_msg(format!("migration {version} ({description}) failed: {e}"))
        })?;
        tracing::info!(
            version,
            seconds = started.elapsed().as_secs_f64(),
            "schema migration applied"
        );
        tx.execute(
            "INSERT INTO threatdb_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, description, crate::now()],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)
}

/// Rows read at a time while keys are computed.
const FILL_BATCH: i64 = 10_000;

/// Migration 24: the STIX look-up key of every row written before version 23 (threatdb-core's
/// `stix_id`), table by table in id order.
fn fill_stix_keys(tx: &rusqlite::Transaction<'_>) -> StoreResult<()> {
    use threatdb_core::stix_id::{KEYED_TABLES, row_key};
    type Row = (i64, String, [Option<String>; 3]);
    for (table, columns) in KEYED_TABLES {
        let started = std::time::Instant::now();
        let mut read = tx
            .prepare(&format!(
                "SELECT t.id, o.name, {columns} FROM {table} t JOIN owners o ON o.id = t.owner_id \
                 WHERE t.id > ?1 ORDER BY t.id LIMIT ?2"
            ))
            .map_err(backend)?;
        let mut write = tx
            .prepare(&format!("UPDATE {table} SET stix_key = ?1 WHERE id = ?2"))
            .map_err(backend)?;
        let (mut after, mut filled) = (i64::MIN, 0u64);
        loop {
            let rows: Vec<Row> = read
                .query_map(rusqlite::params![after, FILL_BATCH], |r| {
                    Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?]))
                })
                .map_err(backend)?
                .collect::<Result<_, _>>()
                .map_err(backend)?;
            let Some(last) = rows.last() else { break };
            after = last.0;
            for (id, owner, columns) in &rows {
                let key = row_key(table, *id, owner, columns.each_ref().map(Option::as_deref));
                write.execute(rusqlite::params![key, id]).map_err(backend)?;
                filled = filled.saturating_add(1);
            }
        }
        tracing::info!(
            table,
            rows = filled,
            seconds = started.elapsed().as_secs_f64(),
            "STIX look-up keys computed"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    fn ids(conn: &Connection, sql: &str) -> Vec<i64> {
        let mut stmt = conn.prepare(sql).expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// A database at version 10 with labelled incidents, items and indicators in two owners,
    /// upgraded: every label link gains its subject's owner, and the trigram index finds each
    /// owner's names in its own rowid range and follows later renames and deletions.
    #[test]
    fn version_11_scopes_label_links_and_names_by_owner() {
        let mut conn = Connection::open_in_memory().expect("open");
        run_to(&mut conn, 10).expect("to 10");
        conn.execute_batch(
            "INSERT INTO owners (id, name, name_key, kind, date_added) VALUES
                 (1, 'A', 'a', 'Organization', 0), (2, 'B', 'b', 'Organization', 0);
             INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid) VALUES
                 (1, 1, 'Beacon to zqxj host', 0, 'New', 0, 0, 't', 'x1'),
                 (2, 2, 'Also zqxj, other owner', 0, 'New', 0, 0, 't', 'x2'),
                 (3, 1, 'Nothing to see', 0, 'New', 0, 0, 't', 'x3');
             INSERT INTO incident_labels (incident_id, label_id)
                 SELECT i.id, l.id FROM incidents i, security_labels l WHERE l.name = 'TLP:RED';
             INSERT INTO items (id, owner_id, kind, name, date_added, last_modified, created_by) VALUES
                 (7, 2, 'adversaries', 'Adv', 0, 0, 't');
             INSERT INTO item_labels (item_id, label_id) SELECT 7, id FROM security_labels WHERE name = 'TLP:RED';
             INSERT INTO indicators (id, owner_id, kind, value, date_added, last_modified, created_by) VALUES
                 (9, 1, 'Host', 'a.example', 0, 0, 't');
             INSERT INTO indicator_labels (indicator_id, label_id) SELECT 9, id FROM security_labels WHERE name = 'TLP:RED';",
        )
        .expect("version 10 rows");
        run(&mut conn).expect("upgrade");

        let owners = ids(
            &conn,
            "SELECT x.owner_id FROM incident_labels x ORDER BY x.incident_id",
        );
        assert_eq!(owners, vec![1, 2, 1]);
        assert_eq!(ids(&conn, "SELECT owner_id FROM item_labels"), vec![2]);
        assert_eq!(ids(&conn, "SELECT owner_id FROM indicator_labels"), vec![1]);

        let range = |owner: i64| {
            let first = owner << 40;
            format!(
                "SELECT rowid - {first} FROM incident_names WHERE incident_names MATCH '\"zqx\"' \
                 AND rowid BETWEEN {first} AND {} ORDER BY rowid",
                first + (1 << 40) - 1
            )
        };
        assert_eq!(ids(&conn, &range(1)), vec![1]);
        assert_eq!(ids(&conn, &range(2)), vec![2]);
        // Written after the upgrade, renamed, deleted: the triggers keep the index exact.
        conn.execute_batch(
            "INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid)
                 VALUES (4, 1, 'New zqxj', 0, 'New', 0, 0, 't', 'x4');
             UPDATE incidents SET name = 'Renamed' WHERE id = 1;
             UPDATE incidents SET name = 'Now zqxj too' WHERE id = 3;
             DELETE FROM incidents WHERE id = 2;
             INSERT INTO incident_names (incident_names) VALUES ('integrity-check');",
        )
        .expect("writes");
        assert_eq!(ids(&conn, &range(1)), vec![3, 4]);
        assert!(ids(&conn, &range(2)).is_empty());
    }

    /// A database at version 28 with other groups and attributes, upgraded: search's indexes
    /// find the names and attribute words written before, and follow later writes.
    #[test]
    fn version_29_indexes_names_and_attribute_words_for_search() {
        let mut conn = Connection::open_in_memory().expect("open");
        run_to(&mut conn, 28).expect("to 28");
        conn.execute_batch(
            "INSERT INTO owners (id, name, name_key, kind, date_added) VALUES
                 (1, 'A', 'a', 'Organization', 0), (2, 'B', 'b', 'Organization', 0);
             INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid) VALUES
                 (1, 1, 'Incident', 0, 'New', 0, 0, 't', 'x1');
             INSERT INTO items (id, owner_id, kind, name, date_added, last_modified, created_by) VALUES
                 (7, 1, 'adversaries', 'Phishing Bear', 0, 0, 't'),
                 (8, 2, 'adversaries', 'Phishing Cat', 0, 0, 't');
             INSERT INTO attributes (id, incident_id, type, value, displayed, date_added, last_modified) VALUES
                 (3, 1, 'Description', 'Cobalt Strike beacons', 1, 0, 0);
             INSERT INTO item_attributes (id, item_id, type, value, displayed, date_added, last_modified) VALUES
                 (4, 7, 'Description', 'Café lures', 1, 0, 0);",
        )
        .expect("version 28 rows");
        run(&mut conn).expect("upgrade");

        let names = |owner: i64| {
            let first = owner << 40;
            format!(
                "SELECT rowid - {first} FROM item_names WHERE item_names MATCH '\"phi\"' \
                 AND rowid BETWEEN {first} AND {} ORDER BY rowid",
                first + (1 << 40) - 1
            )
        };
        assert_eq!(ids(&conn, &names(1)), vec![7]);
        assert_eq!(ids(&conn, &names(2)), vec![8]);
        let words = "SELECT rowid FROM attribute_words WHERE attribute_words MATCH '\"beacon\"*'";
        assert_eq!(ids(&conn, words), vec![3]);
        let folded =
            "SELECT rowid FROM item_attribute_words WHERE item_attribute_words MATCH 'cafe'";
        assert_eq!(ids(&conn, folded), vec![4]);
        // Written after the upgrade: a rename, an edited value, a deletion.
        conn.execute_batch(
            "UPDATE items SET name = 'Whaling Bear' WHERE id = 7;
             UPDATE attributes SET value = 'Sliver implants' WHERE id = 3;
             DELETE FROM item_attributes WHERE id = 4;
             INSERT INTO item_names (item_names) VALUES ('integrity-check');
             INSERT INTO attribute_words (attribute_words) VALUES ('integrity-check');
             INSERT INTO item_attribute_words (item_attribute_words) VALUES ('integrity-check');",
        )
        .expect("writes");
        assert!(ids(&conn, &names(1)).is_empty());
        assert!(ids(&conn, words).is_empty());
        assert_eq!(
            ids(
                &conn,
                "SELECT rowid FROM attribute_words WHERE attribute_words MATCH 'sliver'"
            ),
            vec![3]
        );
        assert!(ids(&conn, folded).is_empty());
    }

    /// A database at version 12 whose items share ids with incidents, upgraded: the colliding
    /// item moves above every issued id with its tags, labels, attributes and associations; the
    /// others keep theirs; afterwards both tables draw from one sequence, through the ordinary
    /// insert and through an explicit id (the bulk loader's), and never reuse a deleted id.
    #[test]
    fn version_13_gives_every_group_its_own_id() {
        let mut conn = Connection::open_in_memory().expect("open");
        run_to(&mut conn, 12).expect("to 12");
        conn.execute_batch(
            "INSERT INTO owners (id, name, name_key, kind, date_added) VALUES (1, 'A', 'a', 'Organization', 0);
             INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid) VALUES
                 (1, 1, 'one', 0, 'New', 0, 0, 't', 'x1'), (2, 1, 'two', 0, 'New', 0, 0, 't', 'x2'),
                 (9, 1, 'nine, deleted below', 0, 'New', 0, 0, 't', 'x9');
             DELETE FROM incidents WHERE id = 9;
             INSERT INTO items (id, owner_id, kind, name, date_added, last_modified, created_by) VALUES
                 (2, 1, 'adversaries', 'Adv two', 0, 0, 't'), (5, 1, 'emails', 'Mail five', 0, 0, 't');
             INSERT INTO tags (id, owner_id, name, name_key) VALUES (1, 1, 'T', 't');
             INSERT INTO item_tags (item_id, tag_id) VALUES (2, 1), (5, 1);
             INSERT INTO item_labels (item_id, label_id, owner_id) SELECT 2, id, 1 FROM security_labels WHERE name = 'TLP:RED';
             INSERT INTO item_attributes (item_id, type, value, displayed, date_added, last_modified) VALUES (2, 'Description', 'd', 1, 0, 0);
             INSERT INTO incident_items (incident_id, item_id) VALUES (1, 2), (2, 5);",
        )
        .expect("version 12 rows");
        run(&mut conn).expect("upgrade");

        assert_eq!(ids(&conn, "SELECT id FROM items ORDER BY id"), vec![5, 10]);
        assert_eq!(
            ids(&conn, "SELECT item_id FROM item_tags ORDER BY item_id"),
            vec![5, 10]
        );
        assert_eq!(ids(&conn, "SELECT item_id FROM item_labels"), vec![10]);
        assert_eq!(ids(&conn, "SELECT item_id FROM item_attributes"), vec![10]);
        assert_eq!(
            ids(
                &conn,
                "SELECT item_id FROM incident_items ORDER BY incident_id"
            ),
            vec![10, 5]
        );
        assert_eq!(
            ids(&conn, "SELECT id FROM items WHERE name = 'Adv two'"),
            vec![10]
        );

        let insert_incident = "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid) \
             VALUES (1, 'n', 0, 'New', 0, 0, 't', hex(randomblob(8))) RETURNING id";
        let insert_item = "INSERT INTO items (owner_id, kind, name, date_added, last_modified, created_by) \
             VALUES (1, 'adversaries', 'a', 0, 0, 't') RETURNING id";
        assert_eq!(ids(&conn, insert_incident), vec![11]);
        assert_eq!(ids(&conn, insert_item), vec![12]);
        assert_eq!(ids(&conn, insert_incident), vec![13]);
        // The bulk loader inserts incidents with explicit ids from the counter it reads.
        conn.execute_batch(
            "INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid)
                 VALUES (20, 1, 'bulk', 0, 'New', 0, 0, 't', 'b20');
             DELETE FROM items WHERE id = 12;",
        )
        .expect("bulk row");
        assert_eq!(ids(&conn, insert_item), vec![21]);
        assert_eq!(ids(&conn, insert_incident), vec![22]);
        let shared = ids(
            &conn,
            "SELECT count(*) FROM incidents i JOIN items it ON it.id = i.id",
        );
        assert_eq!(shared, vec![0]);
    }

    /// A database at version 22 with objects of every table, upgraded: each row's STIX look-up
    /// key is that of the id it is exported with (for a group kind STIX has none for, its tc-json id).
    #[test]
    fn version_24_gives_every_object_its_stix_key() {
        use threatdb_core::stix_id;
        use threatdb_core::{IndicatorKind, ItemKind};
        let mut conn = Connection::open_in_memory().expect("open");
        run_to(&mut conn, 22).expect("to 22");
        conn.execute_batch(
            "INSERT INTO owners (id, name, name_key, kind, date_added) VALUES (1, 'A|B', 'a|b', 'Organization', 0);
             INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid) VALUES
                 (1, 1, 'one', 0, 'New', 0, 0, 't', 'x1'),
                 (2, 1, 'imported', 0, 'New', 0, 0, 't', 'incident--0a0b0c0d-aaaa-4bbb-8ccc-dddddddddddd');
             INSERT INTO items (id, owner_id, kind, name, date_added, last_modified, created_by, xid) VALUES
                 (3, 1, 'adversaries', 'no xid', 0, 0, 't', NULL),
                 (4, 1, 'victims', 'with xid', 0, 0, 't', 'v4'),
                 (5, 1, 'events', 'no STIX object', 0, 0, 't', NULL);
             INSERT INTO indicators (id, owner_id, kind, value, date_added, last_modified, created_by, stix_id) VALUES
                 (1, 1, 'hosts', 'made.example', 0, 0, 't', NULL),
                 (2, 1, 'hosts', 'imported.example', 0, 0, 't', 'indicator--01020304-aaaa-4bbb-8ccc-dddddddddddd');",
        )
        .expect("version 22 rows");
        run(&mut conn).expect("upgrade");
        let key = |sql: &str| -> Option<i64> { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
        assert_eq!(
            key("SELECT stix_key FROM incidents WHERE id = 1"),
            stix_id::incident_key("A|B", "x1")
        );
        assert_eq!(
            key("SELECT stix_key FROM incidents WHERE id = 2"),
            stix_id::key("incident--0a0b0c0d-aaaa-4bbb-8ccc-dddddddddddd")
        );
        assert_eq!(
            key("SELECT stix_key FROM items WHERE id = 3"),
            stix_id::item_key(ItemKind::Adversary, "A|B", 3, None)
        );
        assert_eq!(
            key("SELECT stix_key FROM items WHERE id = 4"),
            stix_id::item_key(ItemKind::Victim, "A|B", 4, Some("v4"))
        );
        assert_eq!(
            key("SELECT stix_key FROM items WHERE id = 5"),
            stix_id::item_key(ItemKind::Event, "A|B", 5, None)
        );
        assert_eq!(
            key("SELECT stix_key FROM indicators WHERE id = 1"),
            stix_id::indicator_key("A|B", IndicatorKind::Host, "made.example", None)
        );
        assert_eq!(
            key("SELECT stix_key FROM indicators WHERE id = 2"),
            stix_id::key("indicator--01020304-aaaa-4bbb-8ccc-dddddddddddd")
        );
        assert!(key("SELECT stix_key FROM incidents WHERE id = 1").is_some());
    }
}
