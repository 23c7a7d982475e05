//! Several `threatdb serve` processes on one PostgreSQL database, and restarts mid-load.

use crate::node::{Creds, call, credentials, start};
use std::sync::Arc;
use threatdb_store_pg::testing::{TestDatabase, server_url};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

async fn create(
    client: &reqwest::Client,
    origin: &str,
    creds: &Creds,
    name: &str,
) -> Result<i64, String> {
    let body = serde_json::json!({"name": name, "eventDate": "2017-03-21"}).to_string();
    match call(
        client,
        origin,
        creds,
        "POST",
        "/v2/groups/incidents",
        Some(body),
    )
    .await
    {
        Ok((201, json)) => Ok(json["data"]["incident"]["id"].as_i64().unwrap()),
        Ok((status, json)) => Err(format!("{status} {json}")),
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn two_nodes_share_one_database_without_losing_writes() {
    let server = server_url();
    let db = TestDatabase::create(&server).await;
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start(d1.path(), Some(&db.url), KEY);
    let b = start(d2.path(), Some(&db.url), KEY);
    let creds = credentials(d1.path());
    assert!(
        !d2.path().join("credentials.env").exists(),
        "the second node must not bootstrap again"
    );
    let client = reqwest::Client::new();

    // Written through one, read through the other.
    let id = create(&client, &a.origin, &creds, "shared").await.unwrap();
    let (status, json) = call(
        &client,
        &b.origin,
        &creds,
        "GET",
        &format!("/v2/groups/incidents/{id}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(json["data"]["incident"]["name"], "shared");

    // The tag exists first as "Shared"; 40 concurrent adds in other spellings must not respell
    // it. (Which of 40 concurrent first adds commits first is up to the scheduler, so the first
    // spelling is made before them.)
    let (s, _) = call(
        &client,
        &a.origin,
        &creds,
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/Shared"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(s, 201);

    // Concurrent tag adds (different spellings of one tag) and field updates from both nodes.
    let (a, b, creds) = (Arc::new(a), Arc::new(b), Arc::new(creds));
    let mut tasks = vec![];
    for i in 0..40 {
        let (node, client, creds) = (
            if i % 2 == 0 { a.clone() } else { b.clone() },
            client.clone(),
            creds.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let spelling = ["Shared", "SHARED", "shared"][i % 3];
            let (s, _) = call(
                &client,
                &node.origin,
                &creds,
                "POST",
                &format!("/v2/groups/incidents/{id}/tags/{spelling}"),
                None,
            )
            .await
            .unwrap();
            assert_eq!(s, 201);
        }));
    }
    let names = {
        let (a, client, creds) = (a.clone(), client.clone(), creds.clone());
        tokio::spawn(async move {
            for i in 0..20 {
                let body = serde_json::json!({"name": format!("name {i}")}).to_string();
                let (s, _) = call(
                    &client,
                    &a.origin,
                    &creds,
                    "PUT",
                    &format!("/v2/groups/incidents/{id}"),
                    Some(body),
                )
                .await
                .unwrap();
                assert_eq!(s, 200);
            }
        })
    };
    let statuses = {
        let (b, client, creds) = (b.clone(), client.clone(), creds.clone());
        tokio::spawn(async move {
            for i in 0..20 {
                let status = if i % 2 == 0 { "Open" } else { "Stalled" };
                let body = serde_json::json!({"status": status}).to_string();
                let (s, _) = call(
                    &client,
                    &b.origin,
                    &creds,
                    "PUT",
                    &format!("/v2/groups/incidents/{id}"),
                    Some(body),
                )
                .await
                .unwrap();
                assert_eq!(s, 200);
            }
        })
    };
    // Concurrent creates from both nodes get distinct ids.
    let mut creates = vec![];
    for i in 0..30 {
        let (node, client, creds) = (
            if i % 2 == 0 { a.clone() } else { b.clone() },
            client.clone(),
            creds.clone(),
        );
        creates.push(tokio::spawn(async move {
            create(&client, &node.origin, &creds, &format!("c{i}"))
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    names.await.unwrap();
    statuses.await.unwrap();
    let mut ids = vec![];
    for c in creates {
        ids.push(c.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "ids are unique across nodes");

    let (_, tags) = call(
        &client,
        &b.origin,
        &creds,
        "GET",
        &format!("/v2/groups/incidents/{id}/tags"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        tags["data"]["tag"].as_array().unwrap().len(),
        1,
        "one tag, not one per spelling: {tags}"
    );
    assert_eq!(
        tags["data"]["tag"][0]["name"], "Shared",
        "the first spelling is kept"
    );
    let (_, one) = call(
        &client,
        &a.origin,
        &creds,
        "GET",
        &format!("/v2/groups/incidents/{id}?includeAdditional=true"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        one["data"]["incident"]["name"], "name 19",
        "no name update lost"
    );
    assert_eq!(
        one["data"]["incident"]["status"], "Stalled",
        "no status update lost"
    );
    drop((a, b));
    db.drop_db().await;
}

/// Creates incidents as fast as one client can, kills the node with SIGKILL mid-load, restarts
/// it and checks every acknowledged incident is there.
async fn restart_mid_load(database: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let mut node = start(dir.path(), database, KEY);
    let creds = credentials(dir.path());
    let client = reqwest::Client::new();
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let load = {
        let (origin, creds, client, acked) = (
            node.origin.clone(),
            creds.clone(),
            client.clone(),
            acknowledged.clone(),
        );
        tokio::spawn(async move {
            for i in 0.. {
                match create(&client, &origin, &creds, &format!("load {i}")).await {
                    Ok(id) => acked.lock().unwrap().push(id),
                    Err(_) => break,
                }
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    node.kill("KILL");
    load.await.unwrap();
    let acked = acknowledged.lock().unwrap().clone();
    let node = start(dir.path(), database, KEY);
    for id in &acked {
        let (status, _) = call(
            &client,
            &node.origin,
            &creds,
            "GET",
            &format!("/v2/groups/incidents/{id}"),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            status, 200,
            "acknowledged incident {id} is missing after the restart"
        );
    }
    let (_, list) = call(
        &client,
        &node.origin,
        &creds,
        "GET",
        "/v2/groups/incidents?resultLimit=1",
        None,
    )
    .await
    .unwrap();
    assert!(list["data"]["resultCount"].as_u64().unwrap() >= acked.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_load_loses_nothing_acknowledged_on_sqlite() {
    restart_mid_load(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn restart_mid_load_loses_nothing_acknowledged_on_postgres() {
    let server = server_url();
    let db = TestDatabase::create(&server).await;
    restart_mid_load(Some(&db.url)).await;
    db.drop_db().await;
}
