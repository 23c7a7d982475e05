//! The OpenAPI document against the real server: schemathesis (pinned in
//! `tests/python/requirements.txt`) reads `/api/openapi.json` from a running `threatdb serve`,
//! generates requests for every operation (valid and invalid ones), signs them with an API token,
//! and checks every answer: no 5xx, a status the document lists, `application/json`, a body
//! matching the document's schema, and the rest of its checks.

use crate::api::threatdb;
use crate::node::{Creds, call, credentials, start};
use crate::python::venv_bin;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// How long schemathesis may run before the test gives up on it.
const LIMIT: Duration = Duration::from_secs(240);

async fn post(client: &reqwest::Client, origin: &str, creds: &Creds, target: &str, body: &str) {
    let body = (!body.is_empty()).then(|| body.to_string());
    let (status, json) = call(client, origin, creds, "POST", target, body)
        .await
        .unwrap();
    assert!(status == 201, "POST {target}: {status} {json}");
}

/// Something of every kind, associated with incident 1, so lists and look-ups have answers.
async fn seed(client: &reqwest::Client, origin: &str, creds: &Creds) {
    for (name, date) in [
        (
            "Credential phishing against finance",
            "2024-08-14T09:30:00Z",
        ),
        ("Ransomware on file server FS-02", "2024-05-21"),
    ] {
        let body = serde_json::json!({"name": name, "eventDate": date, "status": "Open"});
        post(
            client,
            origin,
            creds,
            "/v2/groups/incidents",
            &body.to_string(),
        )
        .await;
    }
    let i = "/v2/groups/incidents/1";
    post(client, origin, creds, &format!("{i}/tags/Phishing"), "").await;
    post(
        client,
        origin,
        creds,
        &format!("{i}/securityLabels/TLP%3AGREEN"),
        "",
    )
    .await;
    let attribute = r#"{"type":"Description","value":"Lure: a fake invoice","displayed":true}"#;
    post(client, origin, creds, &format!("{i}/attributes"), attribute).await;
    post(
        client,
        origin,
        creds,
        "/v2/groups/adversaries",
        r#"{"name":"FIN7"}"#,
    )
    .await;
    post(
        client,
        origin,
        creds,
        "/v2/indicators/hosts",
        r#"{"hostName":"evil.example"}"#,
    )
    .await;
    post(
        client,
        origin,
        creds,
        "/v2/victims",
        r#"{"name":"Finance team"}"#,
    )
    .await;
    post(
        client,
        origin,
        creds,
        "/v2/tasks",
        r#"{"name":"Reset passwords"}"#,
    )
    .await;
    for target in [
        "groups/adversaries/1",
        "indicators/hosts/evil.example",
        "victims/2",
        "tasks/3",
    ] {
        post(client, origin, creds, &format!("{i}/{target}"), "").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python 3 and PyPI to install schemathesis: run with --include-ignored (README, Tests)"]
async fn schemathesis_finds_every_answer_in_the_document() {
    let bin = venv_bin();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = start(&data, None, KEY);
    let creds = credentials(&data);
    let client = reqwest::Client::new();
    seed(&client, &node.origin, &creds).await;
    let data_dir = data.to_str().unwrap();
    let made = threatdb(
        dir.path(),
        &[
            "admin",
            "--data-dir",
            data_dir,
            "token",
            "create",
            "--user",
            &creds.access_id,
            "--expires",
            "1d",
        ],
        &[("THREATDB_MASTER_KEY", KEY)],
        None,
    );
    assert!(made.ok, "token create: {}", made.stderr);
    let token = made
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("TC_TOKEN="))
        .unwrap()
        .trim_matches('\'')
        .to_string();

    let report = dir.path().join("report");
    let mut run = Command::new(bin.join("schemathesis"));
    run.current_dir(dir.path())
        .args(["run", &format!("{}/api/openapi.json", node.origin)])
        .args(["--header", &format!("Authorization: TC-Token {token}")])
        .args(["--checks", "all"])
        .args(["--max-examples", "10"])
        .args(["--seed", "20240814"])
        .args(["--workers", "2"])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "10"])
        .args(["--report", "junit", "--report-dir"])
        .arg(&report)
        .arg("--no-color")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = run.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    let took = started.elapsed();
    eprintln!("schemathesis ran for {took:?}:\n{out}\n{err}");
    let status = status.unwrap_or_else(|| panic!("schemathesis still ran after {LIMIT:?}"));
    assert!(
        status.success(),
        "schemathesis found problems ({status}); its report is above (JUnit: {})",
        Path::new(&report).display()
    );
    drop(node);
}
