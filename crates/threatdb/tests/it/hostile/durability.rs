//! The kill -9 durability ledger: concurrent writers record every id the server acknowledged;
//! the server is killed with SIGKILL mid-stream, restarted on the same data directory, and
//! every acknowledged incident must be there, as acknowledged.

use super::{KEY, client_from, now};
use crate::node::{Creds, credentials, start};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use threatdb_wire::signing;

async fn post(client: &reqwest::Client, origin: &str, creds: &Creds, name: &str) -> Option<i64> {
    let ts = now();
    let target = "/api/v2/groups/incidents";
    let auth = signing::authorization(&creds.access_id, &creds.secret, target, "POST", ts);
    let r = client
        .post(format!("{origin}{target}"))
        .header("Timestamp", ts.to_string())
        .header("Authorization", auth)
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"name":"{name}","eventDate":"2020-01-01"}}"#))
        .send()
        .await
        .ok()?;
    if r.status() != 201 {
        return None;
    }
    let json: serde_json::Value = r.json().await.ok()?;
    json["data"]["incident"]["id"].as_i64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger: Vec<(i64, String)> = Vec::new();
    for round in 0..3 {
        let mut node = start(dir.path(), None, KEY);
        let creds = credentials(dir.path());
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let mut writers = vec![];
        for w in 0..8 {
            let (origin, creds, acknowledged) =
                (node.origin.clone(), creds.clone(), acknowledged.clone());
            writers.push(tokio::spawn(async move {
                let client = client_from("127.0.0.1");
                for i in 0.. {
                    let name = format!("ledger {round}-{w}-{i}");
                    match post(&client, &origin, &creds, &name).await {
                        Some(id) => acknowledged.lock().unwrap().push((id, name)),
                        None => break,
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        node.kill("KILL");
        for w in writers {
            w.await.unwrap();
        }
        let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
        assert!(
            acknowledged.len() > 10,
            "round {round}: only {}",
            acknowledged.len()
        );
        ledger.extend(acknowledged);
    }
    let node = start(dir.path(), None, KEY);
    let creds = credentials(dir.path());
    let client = client_from("127.0.0.1");
    for (id, name) in &ledger {
        let target = format!("/v2/groups/incidents/{id}");
        let (status, json) = crate::node::call(&client, &node.origin, &creds, "GET", &target, None)
            .await
            .unwrap();
        assert_eq!(status, 200, "acknowledged incident {id} ({name}) is gone");
        assert_eq!(json["data"]["incident"]["name"], name.as_str());
    }
}
