//! Schema migrations: the same version list as the SQLite store's, applied by sqlx's migrator
//! under a PostgreSQL advisory lock (two nodes starting together migrate once).

use sqlx::PgPool;
use threatdb_core::{StoreError, StoreResult};

/// The schema migrations, embedded in the binary: version, description, SQL. The same version
/// list as the SQLite store's; an applied migration is never edited.
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
        "fts automerge (SQLite only)",
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

fn migrator() -> sqlx::migrate::Migrator {
    migrator_to(i64::MAX)
}

/// The migrations up to version `last`.
fn migrator_to(last: i64) -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let migrations = MIGRATIONS
        .iter()
        .filter(|m| m.0 <= last)
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                (*description).into(),
                MigrationType::Simple,
                (*sql).into(),
                false,
            )
        })
        .collect::<Vec<_>>();
    // `locking` (the default) takes a PostgreSQL advisory lock: two nodes starting together
    // migrate once.
    Migrator {
        migrations: migrations.into(),
        ..Migrator::DEFAULT
    }
}

/// Brings the schema up to date, saying so when there is anything to apply (some migrations
/// rebuild an index over every incident: minutes at 10 M).
pub(crate) async fn run(pool: &PgPool) -> StoreResult<()> {
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
            .ok()
            .flatten();
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if applied.is_none_or(|v| v < known) {
        tracing::info!(
            from = applied.unwrap_or(0),
            to = known,
            "applying schema migrations"
        );
    }
    if applied.is_none_or(|v| v < 24) {
        // Version 24 is recorded once every row written before version 23 has its key.
        migrator_to(23).run(pool).await.map_err(migrate_error)?;
        fill_stix_keys(pool).await?;
    }
    migrator().run(pool).await.map_err(migrate_error)
}

/// A migration's failure, said for a person.
fn migrate_error(e: sqlx::migrate::MigrateError) -> StoreError {
    match e {
        sqlx::migrate::MigrateError::VersionMissing(v) => StoreError::Invalid(format!(
            "the database has schema version {v}, which this threatdb does not know: use a newer threatdb"
        )),
        other => StoreError::backend_msg(format!("migration failed: {other}")),
    }
}

/// Rows read at a time while keys are computed.
const FILL_BATCH: i64 = 10_000;

/// Migration 24: the STIX look-up key of every row written before version 23 (threatdb-core's
/// `stix_id`), table by table in id order, a batch per statement (a start that stops half-way
/// computes them again the next time: version 24 is recorded after).
async fn fill_stix_keys(pool: &PgPool) -> StoreResult<()> {
    use threatdb_core::stix_id::{KEYED_TABLES, row_key};
    type Row = (i64, String, Option<String>, Option<String>, Option<String>);
    for (table, columns) in KEYED_TABLES {
        let started = std::time::Instant::now();
        let read = format!(
            "SELECT t.id, o.name, {columns} FROM {table} t JOIN owners o ON o.id = t.owner_id \
             WHERE t.id > $1 ORDER BY t.id LIMIT $2"
        );
        let write = format!(
            "UPDATE {table} t SET stix_key = v.key \
             FROM unnest($1::bigint[], $2::bigint[]) AS v(id, key) WHERE t.id = v.id"
        );
        let (mut after, mut filled) = (i64::MIN, 0u64);
        loop {
            let rows: Vec<Row> = sqlx::query_as(&read)
                .bind(after)
                .bind(FILL_BATCH)
                .fetch_all(pool)
                .await
                .map_err(crate::db::backend)?;
            let Some(last) = rows.last() else { break };
            after = last.0;
            let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
            let keys: Vec<Option<i64>> = rows
                .iter()
                .map(|(id, owner, a, b, c)| {
                    row_key(
                        table,
                        *id,
                        owner,
                        [a.as_deref(), b.as_deref(), c.as_deref()],
                    )
                })
                .collect();
            sqlx::query(&write)
                .bind(&ids)
                .bind(&keys)
                .execute(pool)
                .await
                .map_err(crate::db::backend)?;
            filled = filled.saturating_add(ids.len() as u64);
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
    use crate::testing::{TestDatabase, server_url};

    /// A database at version 10 with labelled incidents, items and indicators in two owners,
    /// upgraded: every label link gains its subject's owner (and keeps it NOT NULL).
    #[tokio::test]
    #[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
    async fn version_11_gives_label_links_their_owner() {
        let db = TestDatabase::create(&server_url()).await;
        let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
        migrator_to(10).run(&pool).await.expect("to 10");
        sqlx::raw_sql(
            "INSERT INTO owners (name, name_key, kind, date_added) VALUES
                 ('A', 'a', 'Organization', now()), ('B', 'b', 'Organization', now());
             INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid)
                 SELECT o.id, 'zqxj ' || o.name || n, now(), 'New', now(), now(), 't', o.name || n
                 FROM owners o, generate_series(1, 2) n;
             INSERT INTO incident_labels (incident_id, label_id)
                 SELECT i.id, l.id FROM incidents i, security_labels l WHERE l.name = 'TLP:RED';
             INSERT INTO items (owner_id, kind, name, date_added, last_modified, created_by)
                 SELECT id, 'adversaries', 'Adv', now(), now(), 't' FROM owners WHERE name = 'B';
             INSERT INTO item_labels (item_id, label_id) SELECT i.id, l.id FROM items i, security_labels l WHERE l.name = 'TLP:RED';
             INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by)
                 SELECT id, 'Host', 'a.example', now(), now(), 't' FROM owners WHERE name = 'A';
             INSERT INTO indicator_labels (indicator_id, label_id) SELECT d.id, l.id FROM indicators d, security_labels l WHERE l.name = 'TLP:RED';",
        )
        .execute(&pool)
        .await
        .expect("version 10 rows");
        migrator().run(&pool).await.expect("upgrade");
        for (table, subject) in [
            (
                "incident_labels x JOIN incidents s ON s.id = x.incident_id",
                4,
            ),
            ("item_labels x JOIN items s ON s.id = x.item_id", 1),
            (
                "indicator_labels x JOIN indicators s ON s.id = x.indicator_id",
                1,
            ),
        ] {
            let (matching, all): (i64, i64) = sqlx::query_as(&format!(
                "SELECT count(*) FILTER (WHERE x.owner_id = s.owner_id), count(*) FROM {table}"
            ))
            .fetch_one(&pool)
            .await
            .expect("count");
            assert_eq!((matching, all), (subject, subject), "{table}");
        }
        let in_owner: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM incidents i JOIN owners o ON o.id = i.owner_id \
             WHERE o.name = 'A' AND i.owner_id = o.id AND i.name ILIKE '%zqxj%'",
        )
        .fetch_one(&pool)
        .await
        .expect("substring");
        assert_eq!(in_owner, 2);
        pool.close().await;
        db.drop_db().await;
    }

    /// A database at version 12 whose items share ids with incidents, upgraded: the colliding
    /// items move above every id either identity sequence issued, with their tags and
    /// associations; afterwards both tables draw from one sequence.
    #[tokio::test]
    #[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
    async fn version_13_gives_every_group_its_own_id() {
        let db = TestDatabase::create(&server_url()).await;
        let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
        migrator_to(12).run(&pool).await.expect("to 12");
        sqlx::raw_sql(
            "INSERT INTO owners (name, name_key, kind, date_added) VALUES ('A', 'a', 'Organization', now());
             INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid)
                 SELECT o.id, 'i' || n, now(), 'New', now(), now(), 't', 'x' || n
                 FROM owners o, generate_series(1, 3) n;
             DELETE FROM incidents WHERE id = 3;
             INSERT INTO items (owner_id, kind, name, date_added, last_modified, created_by)
                 SELECT o.id, 'adversaries', 'Adv ' || n, now(), now(), 't' FROM owners o, generate_series(1, 2) n;
             INSERT INTO tags (owner_id, name, name_key) SELECT id, 'T', 't' FROM owners;
             INSERT INTO item_tags (item_id, tag_id) SELECT 2, id FROM tags;
             INSERT INTO incident_items (incident_id, item_id) VALUES (1, 2);",
        )
        .execute(&pool)
        .await
        .expect("version 12 rows");
        migrator().run(&pool).await.expect("upgrade");
        let all = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_all(&pool)
                    .await
                    .expect(sql)
            }
        };
        assert_eq!(all("SELECT id FROM items ORDER BY id").await, vec![4, 5]);
        assert_eq!(
            all("SELECT id FROM items WHERE name = 'Adv 2'").await,
            vec![5]
        );
        assert_eq!(all("SELECT item_id FROM item_tags").await, vec![5]);
        assert_eq!(all("SELECT item_id FROM incident_items").await, vec![5]);
        let incident = "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid) \
             SELECT id, 'n', now(), 'New', now(), now(), 't', md5(random()::text) FROM owners RETURNING id";
        let item = "INSERT INTO items (owner_id, kind, name, date_added, last_modified, created_by) \
             SELECT id, 'adversaries', 'a', now(), now(), 't' FROM owners RETURNING id";
        assert_eq!(all(incident).await, vec![6]);
        assert_eq!(all(item).await, vec![7]);
        assert_eq!(all(incident).await, vec![8]);
        pool.close().await;
        db.drop_db().await;
    }

    /// A database at version 22 with objects of every table, upgraded: each row's STIX look-up
    /// key is that of the id it is exported with (for a group kind STIX has none for, its tc-json id).
    #[tokio::test]
    #[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
    async fn version_24_gives_every_object_its_stix_key() {
        use threatdb_core::stix_id;
        use threatdb_core::{IndicatorKind, ItemKind};
        let db = TestDatabase::create(&server_url()).await;
        let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
        migrator_to(22).run(&pool).await.expect("to 22");
        sqlx::raw_sql(
            "INSERT INTO owners (id, name, name_key, kind, date_added) OVERRIDING SYSTEM VALUE VALUES (1, 'A|B', 'a|b', 'Organization', now());
             INSERT INTO incidents (id, owner_id, name, event_date, status, date_added, last_modified, created_by, xid) OVERRIDING SYSTEM VALUE VALUES
                 (1, 1, 'one', now(), 'New', now(), now(), 't', 'x1'),
                 (2, 1, 'imported', now(), 'New', now(), now(), 't', 'incident--0a0b0c0d-aaaa-4bbb-8ccc-dddddddddddd');
             INSERT INTO items (id, owner_id, kind, name, date_added, last_modified, created_by, xid) OVERRIDING SYSTEM VALUE VALUES
                 (3, 1, 'adversaries', 'no xid', now(), now(), 't', NULL),
                 (4, 1, 'victims', 'with xid', now(), now(), 't', 'v4'),
                 (5, 1, 'events', 'no STIX object', now(), now(), 't', NULL);
             INSERT INTO indicators (id, owner_id, kind, value, date_added, last_modified, created_by, stix_id) OVERRIDING SYSTEM VALUE VALUES
                 (1, 1, 'hosts', 'made.example', now(), now(), 't', NULL),
                 (2, 1, 'hosts', 'imported.example', now(), now(), 't', 'indicator--01020304-aaaa-4bbb-8ccc-dddddddddddd');",
        )
        .execute(&pool)
        .await
        .expect("version 22 rows");
        run(&pool).await.expect("upgrade");
        let key = |table: &str, id: i64| {
            let pool = pool.clone();
            let sql = format!("SELECT stix_key FROM {table} WHERE id = $1");
            async move {
                sqlx::query_scalar::<_, Option<i64>>(&sql)
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .expect("key")
            }
        };
        assert_eq!(
            key("incidents", 1).await,
            stix_id::incident_key("A|B", "x1")
        );
        assert!(key("incidents", 1).await.is_some());
        assert_eq!(
            key("incidents", 2).await,
            stix_id::key("incident--0a0b0c0d-aaaa-4bbb-8ccc-dddddddddddd")
        );
        assert_eq!(
            key("items", 3).await,
            stix_id::item_key(ItemKind::Adversary, "A|B", 3, None)
        );
        assert_eq!(
            key("items", 4).await,
            stix_id::item_key(ItemKind::Victim, "A|B", 4, Some("v4"))
        );
        assert_eq!(
            key("items", 5).await,
            stix_id::item_key(ItemKind::Event, "A|B", 5, None)
        );
        assert_eq!(
            key("indicators", 1).await,
            stix_id::indicator_key("A|B", IndicatorKind::Host, "made.example", None)
        );
        assert_eq!(
            key("indicators", 2).await,
            stix_id::key("indicator--01020304-aaaa-4bbb-8ccc-dddddddddddd")
        );
        pool.close().await;
        db.drop_db().await;
    }
}
