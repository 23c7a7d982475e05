//! The retention sweep, black-box: a real `threatdb serve --deleted-retention 2s` lists a
//! deleted incident for restoring, then purges it within moments, records the purge in the
//! audit log, and a restore after it is a 404. On SQLite and on PostgreSQL.

use crate::audit::{entries, stop};
use crate::node::{call, credentials, start_with};
use crate::ops::KEY;
use std::path::Path;
use std::time::{Duration, Instant};

async fn deleted_ids(
    client: &reqwest::Client,
    origin: &str,
    creds: &crate::node::Creds,
) -> Vec<i64> {
    let (status, json) = call(client, origin, creds, "GET", "/v3/groups/deleted", None)
        .await
        .unwrap();
    assert_eq!(status, 200, "{json}");
    json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect()
}

async fn retention_round(data: &Path, db: Option<&str>) {
    let node = start_with(data, db, KEY, &["--deleted-retention", "2s"], None);
    let creds = credentials(data);
    let client = reqwest::Client::new();
    let body = r#"{"type":"Incident","name":"swept","eventDate":"2026-01-02T00:00:00Z"}"#;
    let (status, made) = call(
        &client,
        &node.origin,
        &creds,
        "POST",
        "/v3/groups",
        Some(body.into()),
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{made}");
    let id = made["data"]["id"].as_i64().unwrap();
    let (status, _) = call(
        &client,
        &node.origin,
        &creds,
        "DELETE",
        &format!("/v3/groups/{id}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    assert!(
        deleted_ids(&client, &node.origin, &creds)
            .await
            .contains(&id)
    );

    // Swept within moments of its retention (the sweep runs every second at this retention).
    let deadline = Instant::now() + Duration::from_secs(20);
    while deleted_ids(&client, &node.origin, &creds)
        .await
        .contains(&id)
    {
        assert!(Instant::now() < deadline, "{id} was not purged");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let restore = format!("/v3/groups/{id}/restore");
    let (status, json) = call(&client, &node.origin, &creds, "POST", &restore, None)
        .await
        .unwrap();
    assert_eq!(status, 404, "{json}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let purges = entries(data, db, &["--action", "history.purge"]);
        if let Some(e) = purges.first() {
            assert_eq!(e["user"], "retention", "{e}");
            assert!(
                e["target"].as_str().unwrap().contains("deleted objects"),
                "{e}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the purge is not in the audit log"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop(node);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_objects_are_purged_after_their_retention_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    retention_round(dir.path(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn deleted_objects_are_purged_after_their_retention_on_postgres() {
    use threatdb_store_pg::testing::{TestDatabase, server_url};
    let db = TestDatabase::create(&server_url()).await;
    let dir = tempfile::tempdir().unwrap();
    retention_round(dir.path(), Some(&db.url)).await;
    db.drop_db().await;
}
