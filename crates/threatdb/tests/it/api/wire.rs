//! What `threatdb api` puts on the wire, seen by a stand-in server that records every request:
//! the signature over the raw target, the token header, extra headers, bodies; and v3 paging.

use super::threatdb;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use threatdb_wire::signing;

/// One request as received.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    /// Names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A one-connection-per-request HTTP server answering `answer(request)` as JSON.
struct Stand {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stand {
    fn start(answer: impl Fn(&Seen) -> Value + Send + 'static) -> Stand {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/api", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut parts = line.split_whitespace();
                let (method, target) = (parts.next().unwrap(), parts.next().unwrap());
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let Some((name, value)) = h.trim_end().split_once(':') else {
                        break;
                    };
                    headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
                }
                let mut seen = Seen {
                    method: method.to_string(),
                    target: target.to_string(),
                    headers,
                    body: Vec::new(),
                };
                let length: usize = seen
                    .header("content-length")
                    .map_or(0, |v| v.parse().unwrap());
                seen.body = vec![0; length];
                reader.read_exact(&mut seen.body).unwrap();
                let body = answer(&seen).to_string();
                log.lock().unwrap().push(seen);
                write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            }
        });
        Stand { base_url, seen }
    }

    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut self.seen.lock().unwrap())
    }

    fn api(&self, args: &[&str], env: &[(&str, &str)]) -> super::Run {
        let dir = tempfile::tempdir().unwrap();
        let mut all = vec!["api", "--base-url", &self.base_url];
        all.extend_from_slice(args);
        let r = threatdb(dir.path(), &all, env, None);
        assert!(r.ok, "{args:?}: {}", r.stderr);
        r
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

const KEYS: [(&str, &str); 2] = [
    ("TC_API_ACCESS_ID", "12345678901234567890"),
    ("TC_API_SECRET_KEY", "SECRETKEY"),
];

#[test]
fn api_signs_the_raw_target_or_sends_the_token() {
    let stand = Stand::start(|_| json!({"status": "Success"}));
    let target = "/v2/tags/Nation%20State/groups/incidents?owner=Example+Community&resultLimit=5";
    stand.api(&["get", target], &KEYS);
    let [get] = <[Seen; 1]>::try_from(stand.take()).unwrap();
    assert_eq!(get.method, "GET");
    assert_eq!(get.target, format!("/api{target}"), "sent as given");
    let timestamp: i64 = get.header("timestamp").unwrap().parse().unwrap();
    assert!((timestamp - now()).abs() < 60, "{timestamp}");
    let (id, signature) =
        signing::parse_authorization(get.header("authorization").unwrap()).unwrap();
    assert_eq!(id, "12345678901234567890");
    assert!(signing::verify(
        "SECRETKEY",
        &get.target,
        "GET",
        timestamp,
        signature
    ));
    assert_eq!(get.header("content-type"), None, "no body, no content type");

    // TC_SKEW shifts the signed timestamp; the signature still covers it.
    let mut env = KEYS.to_vec();
    env.push(("TC_SKEW", "-400"));
    stand.api(&["DELETE", "/v2/groups/incidents/7"], &env);
    let [delete] = <[Seen; 1]>::try_from(stand.take()).unwrap();
    let skewed: i64 = delete.header("timestamp").unwrap().parse().unwrap();
    assert!((skewed - (now() - 400)).abs() < 60, "{skewed}");
    let (_, signature) =
        signing::parse_authorization(delete.header("authorization").unwrap()).unwrap();
    assert!(signing::verify(
        "SECRETKEY",
        "/api/v2/groups/incidents/7",
        "DELETE",
        skewed,
        signature
    ));

    // A token replaces the HMAC: no key needed, no Timestamp sent.
    stand.api(
        &["GET", "/v2/owners"],
        &[("TC_TOKEN", "APIV2:430:c8mTcH:1:7mbiy0=")],
    );
    stand.api(&["GET", "/v2/owners", "--token", "flag-token"], &KEYS);
    let [by_env, by_flag] = <[Seen; 2]>::try_from(stand.take()).unwrap();
    assert_eq!(
        by_env.header("authorization"),
        Some("TC-Token APIV2:430:c8mTcH:1:7mbiy0=")
    );
    assert_eq!(by_env.header("timestamp"), None);
    assert_eq!(by_flag.header("authorization"), Some("TC-Token flag-token"));
}

#[test]
fn api_sends_bodies_and_extra_headers() {
    let stand = Stand::start(|_| json!({"status": "Success"}));
    stand.api(
        &[
            "PUT",
            "/v2/groups/incidents/1",
            "--data",
            r#"{"name":"x"}"#,
            "-H",
            "X-Request-Id: 42",
            "--header",
            "Accept:application/json",
        ],
        &KEYS,
    );
    // POST and PUT say they carry JSON even with no body, as the SDK does.
    stand.api(&["POST", "/v2/groups/incidents/1/tags/APT"], &KEYS);
    stand.api(
        &[
            "POST",
            "/v2/groups/incidents",
            "-H",
            "Content-Type: text/plain",
            "-d",
            "hi",
        ],
        &KEYS,
    );
    let [put, post, plain] = <[Seen; 3]>::try_from(stand.take()).unwrap();
    assert_eq!(put.body, br#"{"name":"x"}"#);
    assert_eq!(put.header("content-type"), Some("application/json"));
    assert_eq!(put.header("x-request-id"), Some("42"));
    assert_eq!(put.header("accept"), Some("application/json"));
    assert_eq!(post.body, b"");
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.header("content-length"), Some("0"));
    assert_eq!(
        plain.header("content-type"),
        Some("text/plain"),
        "a given header wins"
    );
    assert_eq!(plain.body, b"hi");
}

#[test]
fn api_paginate_follows_v3_next_links() {
    // Five groups, two a page; `next` relative to the API root, as threatdb sends it over http.
    let stand = Stand::start(|seen| {
        let start: usize = seen
            .target
            .split_once("resultStart=")
            .map_or(0, |(_, s)| s.split('&').next().unwrap().parse().unwrap());
        let data: Vec<Value> = (start..(start + 2).min(5))
            .map(|i| json!({"id": i + 1}))
            .collect();
        let mut page = json!({"data": data, "status": "Success"});
        if start == 0 {
            page["count"] = json!(5);
        }
        if start + 2 < 5 {
            page["next"] = json!(format!(
                "/v3/groups?tql=typeName%20%3D%20%22Incident%22&resultLimit=2&resultStart={}",
                start + 2
            ));
        }
        if start > 0 {
            page["prev"] = json!("/v3/groups?resultStart=0");
        }
        page
    });
    let r = stand.api(
        &[
            "GET",
            "/v3/groups?tql=typeName%20%3D%20%22Incident%22&resultLimit=2",
            "--paginate",
        ],
        &KEYS,
    );
    let merged: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        merged,
        json!({"data": [{"id":1},{"id":2},{"id":3},{"id":4},{"id":5}], "count": 5, "status": "Success"})
    );
    let targets: Vec<String> = stand.take().into_iter().map(|s| s.target).collect();
    assert_eq!(
        targets,
        [
            "/api/v3/groups?tql=typeName%20%3D%20%22Incident%22&resultLimit=2",
            "/api/v3/groups?tql=typeName%20%3D%20%22Incident%22&resultLimit=2&resultStart=2",
            "/api/v3/groups?tql=typeName%20%3D%20%22Incident%22&resultLimit=2&resultStart=4",
        ]
    );
}
