//! No change without its record, and no record of a change that did not happen, through a
//! crash: eight clients create incidents and change their status and name as fast as they can,
//! the server is killed (SIGKILL) in the middle, started again on the same data, and every
//! incident's history is read back: its creation is recorded, and its newest recorded name and
//! status are exactly what it holds; every incident a client saw created exists. On SQLite and
//! on PostgreSQL.

use crate::node::{Creds, call, credentials, start};
use crate::ops::KEY;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const STATUSES: [&str; 4] = ["Open", "Stalled", "Closed", "New"];

/// Writes until the server stops answering; the ids of the incidents it saw created.
async fn write(origin: String, creds: Creds, n: usize, seen: Arc<Mutex<BTreeSet<i64>>>) {
    let client = reqwest::Client::new();
    for round in 0.. {
        let body = format!(
            r#"{{"type":"Incident","name":"crash {n}-{round}","eventDate":"2026-01-02T00:00:00Z"}}"#
        );
        let Ok((201, made)) =
            call(&client, &origin, &creds, "POST", "/v3/groups", Some(body)).await
        else {
            return;
        };
        let id = made["data"]["id"].as_i64().unwrap();
        seen.lock().unwrap().insert(id);
        for (k, status) in STATUSES.iter().enumerate() {
            let body = format!(r#"{{"status":"{status}","name":"crash {n}-{round}-{k}"}}"#);
            let path = format!("/v3/groups/{id}");
            if !matches!(
                call(&client, &origin, &creds, "PUT", &path, Some(body)).await,
                Ok((200, _))
            ) {
                return;
            }
        }
    }
}

/// The newest `field` change's new value in a history (newest first).
fn newest<'a>(history: &'a [serde_json::Value], field: &str) -> Option<&'a str> {
    history
        .iter()
        .find(|c| c["field"] == field)
        .and_then(|c| c["newValue"].as_str())
}

async fn crash_round(data: &Path, db: Option<&str>) {
    let mut node = start(data, db, KEY);
    let creds = credentials(data);
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let writers: Vec<_> = (0..8)
        .map(|n| tokio::spawn(write(node.origin.clone(), creds.clone(), n, seen.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    node.child.kill().unwrap();
    node.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.len() > 8,
        "the clients wrote before the crash: {}",
        seen.len()
    );

    let node = start(data, db, KEY);
    let client = reqwest::Client::new();
    let (status, list) = call(
        &client,
        &node.origin,
        &creds,
        "GET",
        "/v3/groups?resultLimit=10000&fields=tags",
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{list}");
    let groups = list["data"].as_array().unwrap();
    let stored: BTreeSet<i64> = groups.iter().map(|g| g["id"].as_i64().unwrap()).collect();
    assert!(
        seen.is_subset(&stored),
        "an incident a client saw created is gone"
    );
    for g in groups {
        let id = g["id"].as_i64().unwrap();
        let (status, h) = call(
            &client,
            &node.origin,
            &creds,
            "GET",
            &format!("/v3/groups/{id}/history?resultLimit=100"),
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{h}");
        let history = h["data"].as_array().unwrap();
        assert_eq!(
            history.last().map(|c| c["field"].clone()),
            Some(serde_json::json!("created")),
            "{id}: {history:?}"
        );
        let name = newest(history, "name").or_else(|| newest(history, "created"));
        assert_eq!(name, g["name"].as_str(), "{id}'s name: {history:?}");
        let status = newest(history, "status").unwrap_or("New");
        assert_eq!(
            Some(status),
            g["status"].as_str(),
            "{id}'s status: {history:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_leaves_no_change_without_its_record_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    crash_round(dir.path(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn a_crash_leaves_no_change_without_its_record_on_postgres() {
    use threatdb_store_pg::testing::{TestDatabase, server_url};
    let db = TestDatabase::create(&server_url()).await;
    let dir = tempfile::tempdir().unwrap();
    crash_round(dir.path(), Some(&db.url)).await;
    db.drop_db().await;
}
