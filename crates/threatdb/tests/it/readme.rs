//! The README's first command, run as a newcomer would: `threatdb serve` on an empty data
//! directory prints credentials, writes `credentials.env` (0600), and the server answers
//! `tc-request GET /v2/owners/mine` with them. Then the seed's create / retrieve / update /
//! delete through `tc-request`, and a clean shutdown on SIGTERM that keeps the data.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn tc_request() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/tc-request");
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} is missing: CI must have shared/ beside the clone",
            path.display()
        );
    }
    eprintln!(
        "skipping: {} not found (it lives in shared/ beside the repository)",
        path.display()
    );
    None
}

/// Starts `threatdb serve` and returns it with the origin it printed.
fn start(data: &Path) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("THREATDB_MASTER_KEY")
        .env_remove("THREATDB_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let origin = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("threatdb listening on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    (child, origin, printed)
}

fn credentials(data: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(data.join("credentials.env")).unwrap();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

fn tc(tool: &Path, creds: &[(String, String)], args: &[&str]) -> (bool, serde_json::Value) {
    let out = Command::new("python3")
        .arg(tool)
        .args(args)
        .envs(creds.iter().cloned())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Content-Type: application/json\n"), "{text}");
    let body = text
        .split_once("Content-Type: application/json\n")
        .unwrap()
        .1;
    (out.status.success(), serde_json::from_str(body).unwrap())
}

fn sigterm(child: &mut Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(
        exit.success(),
        "serve must exit cleanly on SIGTERM: {exit:?}"
    );
}

#[test]
fn newcomer_starts_the_server_and_runs_the_seed_with_tc_request() {
    let Some(tool) = tc_request() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, origin, printed) = start(&data);
    assert!(
        printed.contains("TC_API_SECRET_KEY="),
        "the secret is printed once: {printed}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("credentials.env"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let creds = credentials(&data);
    let base = creds.iter().find(|(k, _)| k == "TC_API_BASE_URL").unwrap();
    assert_eq!(base.1, format!("{origin}/api"));

    let (ok, mine) = tc(&tool, &creds, &["GET", "/v2/owners/mine"]);
    assert!(ok, "{mine}");
    assert_eq!(mine["data"]["owner"]["name"], "Example Organization");

    // The seed: create with an attribute, a tag and a label; retrieve; update; delete.
    let q = "createActivityLog=false&owner=Example+Community";
    let (ok, created) = tc(
        &tool,
        &creds,
        &[
            "POST",
            &format!("/v2/groups/incidents?{q}"),
            r#"{"name":"New Incident","eventDate":"2017-03-21T00:00:00Z"}"#,
        ],
    );
    assert!(ok, "{created}");
    let id = created["data"]["incident"]["id"].as_i64().unwrap();
    let inc = format!("/v2/groups/incidents/{id}");
    assert!(
        tc(
            &tool,
            &creds,
            &[
                "POST",
                &format!("{inc}/attributes?{q}"),
                r#"{"type":"Description","value":"Description Example","displayed":"true"}"#
            ]
        )
        .0
    );
    assert!(
        tc(
            &tool,
            &creds,
            &["POST", &format!("{inc}/tags/Nation%20State?{q}")]
        )
        .0
    );
    assert!(
        tc(
            &tool,
            &creds,
            &["POST", &format!("{inc}/securityLabels/TLP%20Green?{q}")]
        )
        .0
    );
    let (_, many) = tc(
        &tool,
        &creds,
        &[
            "GET",
            &format!("/v2/tags/Nation%20State/groups/incidents?{q}&resultLimit=200&resultStart=0"),
        ],
    );
    assert_eq!(many["data"]["incident"][0]["id"], id);
    assert!(
        tc(
            &tool,
            &creds,
            &[
                "PUT",
                &format!("{inc}?{q}"),
                r#"{"name":"Updated Incident"}"#
            ]
        )
        .0
    );

    // A clean stop keeps everything; a restart serves it with the same credentials.
    sigterm(&mut child);
    let (mut child, origin2, printed) = start(&data);
    assert!(
        !printed.contains("TC_API_SECRET_KEY="),
        "credentials are printed only on first start"
    );
    let creds: Vec<(String, String)> = credentials(&data)
        .into_iter()
        .map(|(k, v)| {
            if k == "TC_API_BASE_URL" {
                (k, format!("{origin2}/api"))
            } else {
                (k, v)
            }
        })
        .collect();
    let (ok, one) = tc(&tool, &creds, &["GET", &format!("{inc}?{q}")]);
    assert!(ok, "{one}");
    assert_eq!(one["data"]["incident"]["name"], "Updated Incident");
    assert!(tc(&tool, &creds, &["DELETE", &format!("{inc}?{q}")]).0);
    let (ok, gone) = tc(&tool, &creds, &["GET", &format!("{inc}?{q}")]);
    assert!(!ok);
    assert_eq!(gone["message"], "The requested resource was not found");
    sigterm(&mut child);
}
