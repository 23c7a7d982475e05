//! A Batch job survives its server being killed mid-job: after a restart the job is taken up
//! again from its last committed chunk and completes with every item written once and counted
//! once.

use crate::node::{call, credentials, start};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const HOSTS: u64 = 4_000;

async fn status(
    client: &reqwest::Client,
    origin: &str,
    creds: &crate::node::Creds,
    id: i64,
) -> Value {
    let (code, json) = call(
        client,
        origin,
        creds,
        "GET",
        &format!("/v2/batch/{id}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(code, 200, "{json}");
    json["data"]["batchStatus"].clone()
}

#[tokio::test]
async fn a_job_killed_mid_way_completes_after_a_restart_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut node = start(&data, None, KEY);
    let creds = credentials(&data);
    let client = reqwest::Client::new();
    let settings = json!({"action": "Create", "owner": "Example Organization", "haltOnError": "false",
                          "attributeWriteType": "Replace", "tagWriteType": "Replace",
                          "securityLabelWriteType": "Replace", "version": "V2"});
    let (code, made) = call(
        &client,
        &node.origin,
        &creds,
        "POST",
        "/v2/batch",
        Some(settings.to_string()),
    )
    .await
    .unwrap();
    assert_eq!(code, 201, "{made}");
    let id = made["data"]["batchId"].as_i64().unwrap();
    let indicators: Vec<Value> = (0..HOSTS)
        .map(|n| {
            json!({"type": "Host", "summary": format!("r{n}.restart.example"),
                        "tag": [{"name": "restart"}]})
        })
        .collect();
    let file = json!({"indicator": indicators}).to_string();
    let (code, up) = call(
        &client,
        &node.origin,
        &creds,
        "POST",
        &format!("/v2/batch/{id}"),
        Some(file),
    )
    .await
    .unwrap();
    assert_eq!(code, 202, "{up}");

    // Kill the server once some chunks, not all, have committed.
    let started = Instant::now();
    loop {
        let s = status(&client, &node.origin, &creds, id).await;
        let written = s["successIndicatorCount"].as_u64().unwrap();
        assert!(
            s["status"] != "Completed",
            "the job ended before the kill: make it longer ({s})"
        );
        if written > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the job never started: {s}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    node.kill("KILL");

    let node = start(&data, None, KEY);
    let s = status(&client, &node.origin, &creds, id).await;
    assert_eq!(s["status"], "Running", "{s}");
    // The dead server's lease runs out (20 s), then the job goes on from its last chunk.
    let started = Instant::now();
    let done = loop {
        let s = status(&client, &node.origin, &creds, id).await;
        if s["status"] == "Completed" {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not taken up again: {s}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(done["successIndicatorCount"], HOSTS, "{done}");
    assert_eq!(done["errorCount"], 0, "{done}");
    let (_, hosts) = call(
        &client,
        &node.origin,
        &creds,
        "GET",
        "/v2/indicators/hosts?resultLimit=1",
        None,
    )
    .await
    .unwrap();
    assert_eq!(hosts["data"]["resultCount"], HOSTS, "{hosts}");
    let (_, tagged) = call(
        &client,
        &node.origin,
        &creds,
        "GET",
        "/v3/indicators?tql=tag%20%3D%20%22restart%22&count=true&resultLimit=1",
        None,
    )
    .await
    .unwrap();
    assert_eq!(tagged["count"], HOSTS, "{tagged}");
}
