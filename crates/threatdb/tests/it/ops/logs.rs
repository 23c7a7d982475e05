//! Request ids and `--log-format json`: every answer carries `X-Request-Id` (the client's when
//! sane, else a new one), and the request's log lines carry it as `request_id`.

use super::{KEY, command, spawn};
use reqwest::header::HeaderValue;
use std::io::{Read, Write};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

async fn id_for(client: &reqwest::Client, origin: &str, sent: Option<HeaderValue>) -> String {
    let mut req = client.get(format!("{origin}/healthz"));
    if let Some(v) = sent {
        req = req.header("X-Request-Id", v);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let ids: Vec<_> = resp.headers().get_all("x-request-id").iter().collect();
    assert_eq!(ids.len(), 1, "one X-Request-Id: {ids:?}");
    ids[0].to_str().unwrap().to_string()
}

/// A fresh id: 16 base64url characters.
fn is_fresh(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The first log line, within a few seconds, that is a JSON object whose request span has
/// `request_id`; every line read on the way must be a JSON object too.
fn json_line_with(log: &Receiver<String>, request_id: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = log
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no log line with request_id {request_id}"));
        let value: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
        assert!(value.is_object(), "{line}");
        if value["span"]["request_id"] == request_id {
            return value;
        }
    }
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_json_log_lines_carry_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = command(
        dir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--log-format", "json"],
    );
    // The trace layer's per-request lines are DEBUG.
    serve
        .env("THREATDB_MASTER_KEY", KEY)
        .env("RUST_LOG", "info,tower_http=debug");
    let (node, log) = spawn(serve);
    let client = reqwest::Client::new();

    // Without one, a fresh id each time.
    let a = id_for(&client, &node.origin, None).await;
    let b = id_for(&client, &node.origin, None).await;
    assert!(is_fresh(&a) && is_fresh(&b) && a != b, "{a} {b}");
    // The id the server made is on that request's log lines.
    json_line_with(&log, &a);

    // A sane one is echoed.
    let sane = "req-42.abc_DEF:7/x";
    let echoed = id_for(&client, &node.origin, Some(HeaderValue::from_static(sane))).await;
    assert_eq!(echoed, sane);
    let line = json_line_with(&log, sane);
    assert_eq!(line["span"]["method"], "GET", "{line}");
    assert!(
        line["level"].is_string() && line["timestamp"].is_string(),
        "{line}"
    );

    // A hostile one is replaced.
    let long = "a".repeat(10 * 1024);
    let hostile: Vec<Vec<u8>> = vec![
        long.into_bytes(),
        b"a".repeat(65),
        b"tab\there".to_vec(),
        b"two words".to_vec(),
        b"caf\xc3\xa9".to_vec(),
        b"\xff\xfe".to_vec(),
    ];
    for sent in hostile {
        let value = HeaderValue::from_bytes(&sent).unwrap();
        let got = id_for(&client, &node.origin, Some(value)).await;
        assert!(is_fresh(&got), "{got}");
    }
    // Control characters never reach the application: the answer carries no trace of them.
    let mut raw = std::net::TcpStream::connect(node.origin.trim_start_matches("http://")).unwrap();
    raw.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\x01\x1b[31mb\r\nConnection: close\r\n\r\n")
        .unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = Vec::new();
    let _ = raw.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    assert!(
        !answer.contains('\u{1}') && !answer.contains('\u{1b}'),
        "{answer}"
    );
}

/// A server whose log reader went away (its stderr closed: a collector restarted, a terminal
/// gone) keeps serving and stops cleanly: a log line that cannot be written is dropped, never
/// a panic.
#[tokio::test]
async fn a_closed_stderr_neither_stops_nor_crashes_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = command(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    // Every request writes log lines.
    serve
        .env("THREATDB_MASTER_KEY", KEY)
        .env("RUST_LOG", "info,tower_http=debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = serve.spawn().unwrap();
    drop(child.stderr.take());
    let (origin, lines) = crate::node::listening(&mut child);
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    let mut node = crate::node::Node { child, origin };
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let status = client
            .get(format!("{}/healthz", node.origin))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    // Stopping logs two lines more.
    std::process::Command::new("kill")
        .args(["-TERM", &node.child.id().to_string()])
        .status()
        .unwrap();
    let status = node.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
