//! The OpenAPI document against the real server: schemathesis (pinned in
//! `tests/python/requirements.txt`) reads `/api/openapi.json` from a running `threatdb serve`,
//! generates requests for every operation (valid and invalid ones), signs them with an API token,
//! and checks every answer: no 5xx, a status the document lists, `application/json`, a body
//! matching the document's schema, and the rest of its checks.

use crate::api::threatdb;
use crate::node::{Creds, call, credentials, start_with};
use crate::python::venv_bin;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Every check but `positive_data_acceptance`: the v2 API validates more than a JSON schema
/// can say (a label must exist, an attribute's value must suit its type, an indicator's value
/// its kind, a date must be a date, a name must not be blank), so schema-valid requests it
/// refuses with a 400 are the contract, not a fault. Everything else is checked, among them:
/// no 5xx, every status in the document, `application/json`, bodies matching the schemas,
/// schema-violating requests refused, 401 without or with bad credentials, 405 with `Allow`
/// for methods a path lacks, 404 after a delete.
const CHECKS: [&str; 4] = [
    "--checks",
    "all",
    "--exclude-checks",
    "positive_data_acceptance",
];

/// How long one schemathesis run may take before the test gives up on it: a guard against a
/// hang, far above the minute the longest part takes alone on two cores (the test binary runs
/// other tests beside it).
const LIMIT: Duration = Duration::from_secs(480);

/// The document is checked part by part, each part a run of its own. Over all 146 operations
/// at once, schemathesis 4.32's coverage phase generated 107,000 cases for the 27 v3
/// operations (475 s); run as these parts, it generates about 13,000 for them and 66 s covers
/// v2 (measured with the options below on two cores). Every operation is in one part.
const PARTS: [(&str, &[&str]); 4] = [
    ("v2", &["/api/v2/"]),
    ("v3 groups", &["/api/v3/groups"]),
    ("v3 indicators", &["/api/v3/indicators"]),
    (
        "v3 catalogues",
        &[
            "/api/v3/tags",
            "/api/v3/securityLabels",
            "/api/v3/security/owners",
            "/api/v3/attributeTypes",
        ],
    ),
];

/// Runs schemathesis on the operations whose path matches `paths`, and fails on any problem.
fn schemathesis(bin: &Path, dir: &Path, origin: &str, token: &str, part: &str, paths: &str) {
    let report = dir.join(format!("report-{}", part.replace(' ', "-")));
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/schemathesis.toml");
    let mut run = Command::new(bin.join("schemathesis"));
    run.current_dir(dir)
        .arg("--config-file")
        .arg(&config)
        .args(["run", &format!("{origin}/api/openapi.json")])
        .args(["--header", &format!("Authorization: TC-Token {token}")])
        .args(["--include-path-regex", paths])
        .args(CHECKS)
        .args(["--max-examples", "25", "--seed", "20240814"])
        // One worker: hypothesis's threads trip CPython 3.11's `ast` ("AST constructor
        // recursion depth mismatch").
        .args(["--workers", "1"])
        .args(["--generation-database", "none", "--request-timeout", "10"])
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
    eprintln!("schemathesis ({part}) ran for {took:?}:\n{out}\n{err}");
    let status =
        status.unwrap_or_else(|| panic!("schemathesis ({part}) still ran after {LIMIT:?}"));
    assert!(
        status.success(),
        "schemathesis found problems in {part} ({status}); its report is above (JUnit: {})",
        report.display()
    );
}

async fn post(client: &reqwest::Client, origin: &str, creds: &Creds, target: &str, body: &str) {
    let body = (!body.is_empty()).then(|| body.to_string());
    let (status, json) = call(client, origin, creds, "POST", target, body)
        .await
        .unwrap();
    assert!(status == 201, "POST {target}: {status} {json}");
}

/// Something of every kind, associated with incident 1, with the ids, names and values
/// `tests/python/schemathesis.toml` hands schemathesis, so requests reach existing objects.
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
    // Every group type shares one id sequence (DECISIONS 47): incidents 1 and 2, then
    // adversary 3, victim 4, task 5.
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
    post(
        client,
        origin,
        creds,
        "/v2/indicators/hosts",
        r#"{"hostName":"example.com"}"#,
    )
    .await;
    let attribute = r#"{"type":"Description","value":"Lure: a fake invoice","displayed":true}"#;
    // Attributes 1, 2 and 3, tags and labels on each kind of subject.
    for subject in [
        "/v2/groups/incidents/1",
        "/v2/groups/adversaries/3",
        "/v2/indicators/hosts/example.com",
    ] {
        post(
            client,
            origin,
            creds,
            &format!("{subject}/attributes"),
            attribute,
        )
        .await;
        post(
            client,
            origin,
            creds,
            &format!("{subject}/tags/Phishing"),
            "",
        )
        .await;
        let label = format!("{subject}/securityLabels/TLP%3AGREEN");
        post(client, origin, creds, &label, "").await;
    }
    let i = "/v2/groups/incidents/1";
    post(
        client,
        origin,
        creds,
        &format!("{i}/attributes/1/securityLabels/TLP%3AGREEN"),
        "",
    )
    .await;
    for target in [
        "groups/adversaries/3",
        "groups/incidents/2",
        "indicators/hosts/example.com",
        "victims/4",
        "tasks/5",
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
    // Unauthenticated probes are part of the run: the failure limiter is set out of their way.
    let node = start_with(
        &data,
        None,
        KEY,
        &["--auth-failures-per-minute", "100000"],
        None,
    );
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

    let document: serde_json::Value = client
        .get(format!("{}/api/openapi.json", node.origin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in document["paths"].as_object().unwrap().keys() {
        let parts = PARTS
            .iter()
            .filter(|(_, prefixes)| prefixes.iter().any(|p| path.starts_with(p)))
            .count();
        assert_eq!(parts, 1, "{path} must be in exactly one part");
    }
    for (part, prefixes) in PARTS {
        let paths = format!("^({})", prefixes.join("|"));
        schemathesis(&bin, dir.path(), &node.origin, &token, part, &paths);
    }
    drop(node);
}
