//! `threatdb api` against the binary's own `serve` on 127.0.0.1:0: the credentials come from
//! `./data/credentials.env`, as they would for someone in the directory `serve` ran in.

mod wire;

use crate::node::{Node, call, credentials, start};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_threatdb");
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const COMMUNITY: &str = "owner=Example+Community";

/// What one `threatdb api` run printed and how it ended.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// Runs `threatdb ARGS` in `cwd` with no client settings inherited from the test's own
/// environment, then `env`, feeding `stdin` when given.
pub fn threatdb(cwd: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(cwd).env("RUST_LOG", "warn");
    for k in [
        "TC_API_ACCESS_ID",
        "TC_API_SECRET_KEY",
        "TC_API_DEFAULT_ORG",
        "TC_API_BASE_URL",
        "THREATDB_CREDENTIALS",
        "TC_TOKEN",
        "TC_SKEW",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        ok: status.success(),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// A server whose data directory is `./data` below a temporary directory.
struct Server {
    dir: tempfile::TempDir,
    node: Node,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let node = start(&dir.path().join("data"), None, KEY);
        Server { dir, node }
    }

    fn api(&self, args: &[&str]) -> Run {
        self.api_with(args, &[], None)
    }

    fn api_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Run {
        let mut all = vec!["api"];
        all.extend_from_slice(args);
        threatdb(self.dir.path(), &all, env, stdin)
    }

    /// Runs and expects success; the JSON printed.
    fn ok(&self, args: &[&str]) -> Value {
        let r = self.api(args);
        assert!(r.ok, "{args:?} failed: {}", r.stderr);
        assert_eq!(r.stderr, "", "{args:?}");
        r.json()
    }
}

#[test]
fn api_get_signs_with_the_credentials_file_and_prints_the_body() {
    let s = Server::start();
    let r = s.api(&["GET", "/v2/owners/mine"]);
    assert!(r.ok, "{}", r.stderr);
    // Not a terminal: the body exactly as the server sent it.
    assert!(
        r.stdout.starts_with(r#"{"status":"Success""#),
        "{}",
        r.stdout
    );
    assert_eq!(r.json()["data"]["owner"]["name"], "Example Organization");
    // The method in any case; the path with or without its leading slash.
    let owners = s.ok(&["get", "v2/owners"]);
    assert_eq!(owners["data"]["resultCount"], 2);
    // A full URL instead of a path.
    let url = format!("{}/api/v2/whoami", s.node.origin);
    assert!(s.ok(&["GET", &url])["data"]["user"]["userName"].is_string());
}

#[test]
fn api_post_takes_the_body_inline_from_a_file_and_from_stdin() {
    let s = Server::start();
    let create = format!("/v2/groups/incidents?{COMMUNITY}");
    let body = |name: &str| format!(r#"{{"name":"{name}","eventDate":"2017-03-21T00:00:00Z"}}"#);

    let inline = s.ok(&["POST", &create, "--data", &body("Inline")]);
    assert_eq!(inline["data"]["incident"]["name"], "Inline");

    std::fs::write(s.dir.path().join("incident.json"), body("From a file")).unwrap();
    let file = s.ok(&["POST", &create, "--data", "@incident.json"]);
    assert_eq!(file["data"]["incident"]["name"], "From a file");

    let piped = s.api_with(
        &["POST", &create, "--data", "-"],
        &[],
        Some(body("From stdin").as_bytes()),
    );
    assert!(piped.ok, "{}", piped.stderr);
    assert_eq!(piped.json()["data"]["incident"]["name"], "From stdin");

    // PUT with a body, then a POST with none (a tag): both succeed.
    let id = inline["data"]["incident"]["id"].as_i64().unwrap();
    let one = format!("/v2/groups/incidents/{id}");
    s.ok(&[
        "PUT",
        &format!("{one}?{COMMUNITY}"),
        "-d",
        r#"{"name":"Renamed"}"#,
    ]);
    s.ok(&["POST", &format!("{one}/tags/Nation%20State?{COMMUNITY}")]);

    let listed = s.ok(&[
        "GET",
        &format!("/v2/tags/Nation%20State/groups/incidents?{COMMUNITY}"),
    ]);
    assert_eq!(listed["data"]["incident"][0]["name"], "Renamed");
    let all = s.ok(&["GET", &create]);
    let names: BTreeSet<&str> = all["data"]["incident"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["Renamed", "From a file", "From stdin"])
    );
}

#[test]
fn api_failure_exits_non_zero_with_the_message_on_stderr() {
    let s = Server::start();
    let r = s.api(&["GET", "/v2/groups/incidents/999999"]);
    assert!(!r.ok);
    assert_eq!(
        r.stderr.trim(),
        "error: 404: The requested resource was not found"
    );
    // The body is still printed.
    assert_eq!(r.json()["status"], "Failure");

    let r = s.api(&[
        "POST",
        &format!("/v2/groups/incidents?{COMMUNITY}"),
        "--data",
        r#"{"eventDate":"2017-03-21T00:00:00Z"}"#,
    ]);
    assert!(!r.ok);
    assert!(r.stderr.starts_with("error: 400: "), "{}", r.stderr);
    assert_eq!(r.json()["status"], "Failure");

    // The server's clock-skew check, tried with TC_SKEW.
    let r = s.api_with(&["GET", "/v2/owners/mine"], &[("TC_SKEW", "-1000")], None);
    assert!(!r.ok);
    assert!(r.stderr.starts_with("error: 401: "), "{}", r.stderr);
    let r = s.api_with(&["GET", "/v2/owners/mine"], &[("TC_SKEW", "100")], None);
    assert!(r.ok, "within the allowed skew: {}", r.stderr);

    // A wrong key: the server's 401.
    let r = s.api(&["GET", "/v2/owners", "--secret-key", "wrong"]);
    assert!(!r.ok);
    assert!(r.stderr.starts_with("error: 401: "), "{}", r.stderr);
}

#[test]
fn api_says_what_to_fix() {
    let s = Server::start();
    let elsewhere = tempfile::tempdir().unwrap();
    let in_empty_dir = |args: &[&str]| {
        let mut all = vec!["api"];
        all.extend_from_slice(args);
        threatdb(elsewhere.path(), &all, &[], None)
    };

    let r = in_empty_dir(&["GET", "/v2/owners"]);
    assert!(!r.ok);
    for what in [
        "--access-id",
        "--secret-key",
        "--base-url",
        "credentials.env",
        "--token",
    ] {
        assert!(r.stderr.contains(what), "{what}: {}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);

    let creds = credentials(&s.dir.path().join("data"));
    let r = in_empty_dir(&[
        "GET",
        "/v2/owners",
        "--access-id",
        &creds.access_id,
        "--secret-key",
        &creds.secret,
        "--base-url",
        "http://127.0.0.1:1/api",
    ]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("cannot connect to http://127.0.0.1:1"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--base-url"), "{}", r.stderr);

    let fails = |args: &[&str], needle: &str| {
        let r = s.api(args);
        assert!(!r.ok, "{args:?}");
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    };
    fails(&["FETCH", "/v2/owners"], "'FETCH' is not an HTTP method");
    fails(&["/v2/owners", "GET"], "`threatdb api GET /v2/owners`");
    fails(
        &["POST", "/v2/groups/incidents", "--paginate"],
        "--paginate",
    );
    fails(
        &["POST", "/v2/groups/incidents", "-d", "@missing.json"],
        "missing.json",
    );
    fails(&["GET", "/v2/owners", "--header", "no colon"], "KEY:VALUE");
}

#[test]
fn api_include_prints_the_status_line_and_headers_first() {
    let s = Server::start();
    let r = s.api(&["GET", "/v2/owners/mine", "--include"]);
    assert!(r.ok, "{}", r.stderr);
    let (head, body) = r.stdout.split_once("\n\n").unwrap();
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("HTTP/1.1 200 OK"));
    assert!(
        lines.any(|l| l == "Content-Type: application/json"),
        "{head}"
    );
    let json: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["status"], "Success");

    let r = s.api(&["-i", "GET", "/v2/groups/incidents/999999"]);
    assert!(!r.ok);
    assert!(
        r.stdout.starts_with("HTTP/1.1 404 Not Found\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn api_sends_extra_headers() {
    let s = Server::start();
    // A header given replaces the one the command would send: here the signature.
    let r = s.api(&["GET", "/v2/owners", "-H", "Authorization: TC nobody:c2ln"]);
    assert!(!r.ok);
    assert!(r.stderr.starts_with("error: 401: "), "{}", r.stderr);
    // And the timestamp: the signature no longer matches it.
    let r = s.api(&["GET", "/v2/owners", "--header", "Timestamp: 1"]);
    assert!(!r.ok);
    assert!(r.stderr.starts_with("error: 401: "), "{}", r.stderr);
    // Headers the server ignores change nothing.
    s.ok(&[
        "GET",
        "/v2/owners",
        "-H",
        "X-Request-Id: 42",
        "-H",
        "Accept: application/json",
    ]);
}

#[test]
fn api_paginate_fetches_every_v2_page_exactly_once() {
    let s = Server::start();
    let creds = credentials(&s.dir.path().join("data"));
    let origin = s.node.origin.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let created: BTreeSet<i64> = runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..250 {
            let (client, origin, creds) = (client.clone(), origin.clone(), creds.clone());
            tasks.spawn(async move {
                let body = format!(r#"{{"name":"Paged {i}","eventDate":"2017-03-21T00:00:00Z"}}"#);
                let target = format!("/v2/groups/incidents?{COMMUNITY}");
                let (status, json) = call(&client, &origin, &creds, "POST", &target, Some(body))
                    .await
                    .unwrap();
                assert_eq!(status, 201, "{json}");
                json["data"]["incident"]["id"].as_i64().unwrap()
            });
        }
        tasks.join_all().await.into_iter().collect()
    });
    assert_eq!(created.len(), 250);

    let list = format!("/v2/groups/incidents?{COMMUNITY}&resultLimit=100");
    let ids = |json: &Value| -> Vec<i64> {
        json["data"]["incident"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let one_page = s.ok(&["GET", &list]);
    assert_eq!(ids(&one_page).len(), 100);

    let all = s.ok(&["GET", &list, "--paginate"]);
    let got = ids(&all);
    assert_eq!(got.len(), 250, "every incident");
    assert_eq!(
        got.iter().copied().collect::<BTreeSet<_>>(),
        created,
        "each once"
    );
    assert_eq!(all["data"]["resultCount"], 250);
    assert_eq!(all["status"], "Success");

    // From resultStart 200 on: the 50 left. Without resultLimit: the server's page size.
    let rest = s.ok(&["GET", &format!("{list}&resultStart=200"), "--paginate"]);
    assert_eq!(ids(&rest), got[200..].to_vec());
    let default_pages = s.ok(&[
        "GET",
        &format!("/v2/groups/incidents?{COMMUNITY}"),
        "--paginate",
    ]);
    assert_eq!(ids(&default_pages), got);

    // --include: three pages, three heads, then one merged body.
    let r = s.api(&["GET", &list, "--paginate", "--include"]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(r.stdout.matches("HTTP/1.1 200 OK\n").count(), 3);
    let body = r.stdout.rsplit_once("\n\n").unwrap().1;
    let merged: Value = serde_json::from_str(body).unwrap();
    assert_eq!(ids(&merged), got);

    // A listing that fits one page is printed as received; a single object is not a listing.
    let big = format!("/v2/groups/incidents?{COMMUNITY}&resultLimit=1000");
    let r = s.api(&["GET", &big, "--paginate"]);
    assert!(
        r.stdout.starts_with(r#"{"status":"Success""#),
        "{}",
        r.stdout
    );
    assert_eq!(ids(&r.json()).len(), 250);
    let mine = s.ok(&["GET", "/v2/owners/mine", "--paginate"]);
    assert_eq!(mine["data"]["owner"]["name"], "Example Organization");
}
