//! Prometheus metrics on their own listener (`--metrics-addr`, `THREATDB_METRICS_ADDR`,
//! `metrics_addr` in the file; off by default) and `/readyz`: the series a scrape shows after
//! real traffic, labelled by route template with a bounded label set.

use super::{KEY, command, spawn_reporting};
use crate::node::{Creds, Node, call, credentials};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::Receiver;
use threatdb_wire::signing;

/// One sample of the text exposition: `name{labels} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format (comments skipped; label values unescaped).
fn parse(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => panic!("not a sample: {line}"),
        };
        let mut labels = BTreeMap::new();
        let mut rest = rest;
        if let Some(inner) = rest.strip_prefix('{') {
            let mut chars = inner.char_indices();
            let mut key = String::new();
            let end = loop {
                let (i, c) = chars.next().unwrap_or_else(|| panic!("unclosed: {line}"));
                match c {
                    '}' => break i,
                    ',' => {}
                    '=' => {
                        assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                        let mut value = String::new();
                        loop {
                            match chars.next().map(|(_, c)| c) {
                                Some('"') => break,
                                Some('\\') => match chars.next().map(|(_, c)| c) {
                                    Some('n') => value.push('\n'),
                                    Some(c) => value.push(c),
                                    None => panic!("{line}"),
                                },
                                Some(c) => value.push(c),
                                None => panic!("unclosed value: {line}"),
                            }
                        }
                        labels.insert(std::mem::take(&mut key), value);
                    }
                    c => key.push(c),
                }
            };
            rest = &inner[end + 1..];
        }
        let value = rest
            .trim()
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("{line}"));
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    samples
}

/// The samples named `name` whose labels include `labels`.
fn matching<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

/// The value of the one sample named `name` with `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found = matching(samples, name, labels);
    assert_eq!(found.len(), 1, "one {name} {labels:?}: {found:?}");
    found[0].value
}

/// A server started by `cmd` with metrics on: the node, the metrics listener's origin, and
/// its stderr (kept open: a server whose log pipe is closed dies on its next log line).
fn start_with_metrics(cmd: Command) -> (Node, String, Receiver<String>) {
    let (node, printed, log) = spawn_reporting(cmd);
    let metrics = printed
        .iter()
        .find_map(|l| l.strip_prefix("threatdb metrics on "))
        .unwrap_or_else(|| panic!("no metrics line in {printed:?}"))
        .trim_end_matches("/metrics")
        .to_string();
    (node, metrics, log)
}

fn serve(dir: &Path, flags: &[&str]) -> Command {
    let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(flags);
    let mut cmd = command(dir, &args);
    cmd.env("THREATDB_MASTER_KEY", KEY);
    cmd
}

async fn scrape(client: &reqwest::Client, metrics: &str) -> Vec<Sample> {
    let resp = client
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    parse(&resp.text().await.unwrap())
}

async fn status_and_body(client: &reqwest::Client, url: &str) -> (u16, serde_json::Value) {
    let resp = client.get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn metrics_are_off_unless_asked_for_and_readyz_is_on_the_main_listener() {
    let dir = tempfile::tempdir().unwrap();
    let (node, printed, _log) = spawn_reporting(serve(dir.path(), &[]));
    // (`_log` lives to the end: the server's stderr stays open.)
    assert!(
        !printed.iter().any(|l| l.contains("metrics")),
        "no metrics listener by default: {printed:?}"
    );
    let client = reqwest::Client::new();
    let (status, body) = status_and_body(&client, &format!("{}/metrics", node.origin)).await;
    assert_eq!(status, 404, "the main listener has no /metrics: {body}");
    let (status, body) = status_and_body(&client, &format!("{}/readyz", node.origin)).await;
    assert_eq!(
        (status, body),
        (200, serde_json::json!({"status": "Success"}))
    );
    let (status, _) = status_and_body(&client, &format!("{}/healthz", node.origin)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_labels_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let (node, metrics, _log) =
        start_with_metrics(serve(dir.path(), &["--metrics-addr", "127.0.0.1:0"]));
    let creds = credentials(&dir.path().join("data"));
    let client = reqwest::Client::new();
    let origin = &node.origin;

    let (status, created) = call(
        &client,
        origin,
        &creds,
        "POST",
        "/v2/groups/incidents",
        Some(r#"{"name":"Metered","eventDate":"2017-03-21T00:00:00Z"}"#.into()),
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["incident"]["id"].as_i64().unwrap();
    for _ in 0..3 {
        let target = format!("/v2/groups/incidents/{id}");
        let (status, _) = call(&client, origin, &creds, "GET", &target, None)
            .await
            .unwrap();
        assert_eq!(status, 200);
    }
    // Ids that do not exist: the same template, status 404, and never the ids themselves.
    for missing in 0..20 {
        let target = format!("/v2/groups/incidents/{}", 987_654_300 + missing);
        let (status, _) = call(&client, origin, &creds, "GET", &target, None)
            .await
            .unwrap();
        assert_eq!(status, 404);
    }
    // 500 distinct paths no route matches: one series, route="unmatched".
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    for i in 0..500 {
        let path = match i % 2 {
            0 => format!("/nothing-here/r{i}x{nanos}"),
            _ => format!("/api/v2/nope{i}/r{nanos}?q={i}"),
        };
        let resp = client.get(format!("{origin}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }

    let samples = scrape(&client, &metrics).await;
    let requests = "threatdb_http_requests_total";
    let template = "/api/v2/groups/incidents/{id}";
    let get = [("method", "GET"), ("route", template)];
    assert_eq!(
        value(&samples, requests, &[get[0], get[1], ("status", "200")]),
        3.0
    );
    assert_eq!(
        value(&samples, requests, &[get[0], get[1], ("status", "404")]),
        20.0
    );
    assert_eq!(
        value(
            &samples,
            requests,
            &[
                ("method", "POST"),
                ("route", "/api/v2/groups/incidents"),
                ("status", "201")
            ]
        ),
        1.0
    );
    let unmatched = matching(&samples, requests, &[("route", "unmatched")]);
    assert_eq!(unmatched.len(), 1, "one unmatched series: {unmatched:?}");
    assert_eq!(unmatched[0].value, 500.0);
    assert_eq!(unmatched[0].labels["status"], "404");
    // Every route label is a template or "unmatched": the raw paths and ids are nowhere.
    let routes: BTreeSet<&str> = samples
        .iter()
        .filter(|s| s.name.starts_with("threatdb_http_"))
        .filter_map(|s| s.labels.get("route").map(String::as_str))
        .collect();
    assert_eq!(
        routes,
        BTreeSet::from(["/api/v2/groups/incidents", template, "unmatched"]),
    );
    for s in &samples {
        for v in s.labels.values() {
            assert!(
                !v.contains("nothing-here") && !v.contains("nope") && !v.contains("98765"),
                "a raw path in a label: {s:?}"
            );
        }
    }

    // The latency histogram, by template.
    let duration = "threatdb_http_request_duration_seconds";
    assert_eq!(value(&samples, &format!("{duration}_count"), &get), 23.0);
    let inf = value(
        &samples,
        &format!("{duration}_bucket"),
        &[get[0], get[1], ("le", "+Inf")],
    );
    assert_eq!(inf, 23.0);
    assert!(matching(&samples, &format!("{duration}_bucket"), &get).len() > 10);

    // Store operations, each timed once.
    let ops = "threatdb_store_op_duration_seconds";
    assert!(value(&samples, &format!("{ops}_count"), &[("op", "get_incident")]) >= 23.0);
    assert!(
        value(
            &samples,
            &format!("{ops}_count"),
            &[("op", "create_incident")]
        ) >= 1.0
    );
    assert!(
        !matching(
            &samples,
            &format!("{ops}_bucket"),
            &[("op", "get_incident")]
        )
        .is_empty()
    );

    // The SQLite writer: group sizes (the bootstrap and the create committed) and its queue.
    let groups = "threatdb_sqlite_write_group_size";
    assert!(value(&samples, &format!("{groups}_count"), &[]) >= 2.0);
    assert!(!matching(&samples, &format!("{groups}_bucket"), &[("le", "1")]).is_empty());
    assert_eq!(
        value(&samples, "threatdb_sqlite_write_queue_depth", &[]),
        0.0
    );

    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        value(&samples, "threatdb_build_info", &[("version", version)]),
        1.0
    );

    // Readiness and liveness on the metrics listener too; still no /metrics on the main one.
    let (status, body) = status_and_body(&client, &format!("{metrics}/readyz")).await;
    assert_eq!(
        (status, body),
        (200, serde_json::json!({"status": "Success"}))
    );
    let (status, _) = status_and_body(&client, &format!("{metrics}/healthz")).await;
    assert_eq!(status, 200);
    let (status, _) = status_and_body(&client, &format!("{origin}/metrics")).await;
    assert_eq!(status, 404);
}

/// A signed request to `/api/v2/owners/mine` with what the test picks.
async fn attempt(
    client: &reqwest::Client,
    origin: &str,
    authorization: Option<String>,
    timestamp: Option<String>,
) -> u16 {
    let mut req = client.get(format!("{origin}/api/v2/owners/mine"));
    if let Some(a) = authorization {
        req = req.header("Authorization", a);
    }
    if let Some(t) = timestamp {
        req = req.header("Timestamp", t);
    }
    req.send().await.unwrap().status().as_u16()
}

fn sign(creds: &Creds, secret: &str, ts: i64) -> String {
    signing::authorization(&creds.access_id, secret, "/api/v2/owners/mine", "GET", ts)
}

#[tokio::test]
async fn auth_failures_are_counted_by_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = serve(dir.path(), &[]);
    cmd.env("THREATDB_METRICS_ADDR", "127.0.0.1:0");
    let (node, metrics, _log) = start_with_metrics(cmd);
    let creds = credentials(&dir.path().join("data"));
    let client = reqwest::Client::new();
    let origin = &node.origin;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ts = Some(now.to_string());

    assert_eq!(attempt(&client, origin, None, ts.clone()).await, 401);
    assert_eq!(
        attempt(&client, origin, Some("Basic dXNlcg==".into()), ts.clone()).await,
        401
    );
    let good = sign(&creds, &creds.secret, now);
    assert_eq!(
        attempt(&client, origin, Some(good.clone()), Some("soon".into())).await,
        401
    );
    let stale = sign(&creds, &creds.secret, now - 3600);
    assert_eq!(
        attempt(&client, origin, Some(stale), Some((now - 3600).to_string())).await,
        401
    );
    let stranger = Creds {
        access_id: "00000000000000000000".into(),
        secret: "x".into(),
    };
    let unknown = sign(&stranger, "x", now);
    assert_eq!(
        attempt(&client, origin, Some(unknown), ts.clone()).await,
        401
    );
    let forged = sign(&creds, "not the secret", now);
    assert_eq!(
        attempt(&client, origin, Some(forged.clone()), ts.clone()).await,
        401
    );
    let token = Some("TC-Token tdb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string());
    assert_eq!(attempt(&client, origin, token, None).await, 401);
    // Past the failure limit (20 a minute for one access id from one address): 429s.
    let mut limited = 0;
    for _ in 0..25 {
        if attempt(&client, origin, Some(forged.clone()), ts.clone()).await == 429 {
            limited += 1;
        }
    }
    assert!(limited > 0);
    // A correct signature still passes, and is no failure.
    let (status, _) = call(&client, origin, &creds, "GET", "/v2/owners/mine", None)
        .await
        .unwrap();
    assert_eq!(status, 200);

    let samples = scrape(&client, &metrics).await;
    let failures = "threatdb_auth_failures_total";
    for reason in [
        "missing",
        "malformed",
        "bad_timestamp",
        "expired_timestamp",
        "unknown_key",
        "unknown_token",
    ] {
        assert_eq!(
            value(&samples, failures, &[("reason", reason)]),
            1.0,
            "{reason}"
        );
    }
    let bad = value(&samples, failures, &[("reason", "bad_signature")]);
    let rate_limited = value(&samples, failures, &[("reason", "rate_limited")]);
    assert_eq!(rate_limited, f64::from(limited));
    // Each failed request counted once, under one reason.
    assert_eq!(bad + rate_limited, 26.0);
    // Every reason is there from the start (at 0); only these moved.
    let reasons: BTreeSet<&str> = matching(&samples, failures, &[])
        .iter()
        .map(|s| s.labels["reason"].as_str())
        .collect();
    let known = [
        "missing",
        "malformed",
        "bad_timestamp",
        "expired_timestamp",
        "unknown_key",
        "disabled",
        "bad_signature",
        "replay",
        "unknown_token",
        "revoked_token",
        "expired_token",
        "web_password",
        "rate_limited",
    ];
    assert_eq!(reasons, BTreeSet::from(known));
    let moved = matching(&samples, failures, &[])
        .iter()
        .filter(|s| s.value > 0.0)
        .count();
    assert_eq!(moved, 8, "no other reasons");
    // And in the request counts, by the route's template.
    let route = [("route", "/api/v2/owners/mine"), ("method", "GET")];
    assert_eq!(
        value(
            &samples,
            "threatdb_http_requests_total",
            &[route[0], route[1], ("status", "429")]
        ),
        f64::from(limited)
    );
}

#[tokio::test]
async fn readyz_is_503_while_the_schema_is_not_current() {
    let dir = tempfile::tempdir().unwrap();
    // The setting from the configuration file, this time.
    std::fs::write(
        dir.path().join("threatdb.toml"),
        "metrics_addr = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let (node, metrics, _log) = start_with_metrics(serve(dir.path(), &[]));
    let client = reqwest::Client::new();
    let ready = |base: &str| format!("{base}/readyz");
    for base in [&node.origin, &metrics] {
        let (status, _) = status_and_body(&client, &ready(base)).await;
        assert_eq!(status, 200);
    }

    // A migration this build does not know (as if a newer node had migrated the database).
    let db = rusqlite::Connection::open(dir.path().join("data/threatdb.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    db.execute(
        "INSERT INTO threatdb_migrations (version, description, applied_at) VALUES (9999, 'future', 0)",
        [],
    )
    .unwrap();
    for base in [&node.origin, &metrics] {
        let (status, body) = status_and_body(&client, &ready(base)).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["status"], "Failure");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("schema"), "{message}");
    }
    // Alive all the same.
    let (status, _) = status_and_body(&client, &format!("{}/healthz", node.origin)).await;
    assert_eq!(status, 200);

    db.execute("DELETE FROM threatdb_migrations WHERE version = 9999", [])
        .unwrap();
    for base in [&node.origin, &metrics] {
        let (status, _) = status_and_body(&client, &ready(base)).await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn postgres_pool_gauges_are_sampled_at_each_scrape() {
    use threatdb_store_pg::testing::{TestDatabase, server_url};
    let server = server_url();
    let db = TestDatabase::create(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--database",
        db.url.as_str(),
        "--pg-max-connections",
        "5",
        "--metrics-addr",
        "127.0.0.1:0",
    ];
    let (node, metrics, _log) = start_with_metrics(serve(dir.path(), &flags));
    let creds = credentials(&dir.path().join("data"));
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let (status, _) = call(
            &client,
            &node.origin,
            &creds,
            "GET",
            "/v2/owners/mine",
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200);
    }

    let samples = scrape(&client, &metrics).await;
    let pool = "threatdb_pg_pool_connections";
    let idle = value(&samples, pool, &[("state", "idle")]);
    let in_use = value(&samples, pool, &[("state", "in_use")]);
    assert!(
        idle + in_use >= 1.0 && idle + in_use <= 5.0,
        "{idle} {in_use}"
    );
    assert_eq!(
        value(&samples, "threatdb_pg_pool_max_connections", &[]),
        5.0
    );
    let ops = "threatdb_store_op_duration_seconds_count";
    assert!(value(&samples, ops, &[("op", "credentials")]) >= 1.0);
    // No SQLite in this process.
    assert!(matching(&samples, "threatdb_sqlite_write_queue_depth", &[]).is_empty());
    for base in [&node.origin, &metrics] {
        let (status, body) = status_and_body(&client, &format!("{base}/readyz")).await;
        assert_eq!(
            (status, body),
            (200, serde_json::json!({"status": "Success"}))
        );
    }
    drop(node);
    db.drop_db().await;
}

/// The reasons that take a token, a user, a write or a web sign-in to provoke, each provoked
/// once: a revoked token, an expired one, a disabled user (by token and by HMAC), a replayed
/// write (`--reject-replays`) and a wrong web password. Each refusal is polled for until the
/// first 401, so each adds exactly one failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_user_replay_and_web_failures_are_counted_by_reason() {
    use crate::tokens::{admin, create_analyst, hmac, until_refused, with_token};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = serve(dir.path(), &["--reject-replays"]);
    cmd.env("THREATDB_METRICS_ADDR", "127.0.0.1:0");
    let (node, metrics, _log) = start_with_metrics(cmd);
    let creds = credentials(&data);
    let client = reqwest::Client::new();
    let out = create_analyst(&data);
    let analyst = Creds {
        access_id: crate::tokens::value(&out, "TC_API_ACCESS_ID"),
        secret: crate::tokens::value(&out, "TC_API_SECRET_KEY"),
    };
    let token = |expires: &str| {
        let out = admin(
            &data,
            None,
            &["token", "create", "--user", "ana", "--expires", expires],
        );
        crate::tokens::value(&out, "TC_TOKEN")
    };
    // Numbered 1, 2, 3 in the order they are made.
    let (revoked, expiring, kept) = (token("1d"), token("1s"), token("1d"));
    let refused = |token: String| {
        let client = client.clone();
        move |origin: String| {
            let (client, token) = (client.clone(), token.clone());
            async move { with_token(&client, &origin, &token, "/v2/owners/mine").await == 401 }
        }
    };
    admin(&data, None, &["token", "revoke", "1"]);
    until_refused(&[&node], refused(revoked)).await;
    until_refused(&[&node], refused(expiring)).await;
    assert_eq!(
        with_token(&client, &node.origin, &kept, "/v2/owners/mine").await,
        200
    );
    admin(&data, None, &["user", "disable", "ana"]);
    until_refused(&[&node], refused(kept)).await;
    until_refused(&[&node], |origin| {
        let (client, analyst) = (client.clone(), analyst.clone());
        async move { hmac(&client, &origin, &analyst, "/v2/owners/mine").await == 401 }
    })
    .await;

    // The same signed write twice.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let target = "/api/v2/groups/incidents";
    let auth = signing::authorization(&creds.access_id, &creds.secret, target, "POST", now);
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let resp = client
            .post(format!("{}{target}", node.origin))
            .header("Authorization", &auth)
            .header("Timestamp", now.to_string())
            .header("Content-Type", "application/json")
            .body(r#"{"name":"once","eventDate":"2020-01-01"}"#)
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [201, 401]);

    // A wrong web password (the sign-in form's anti-forgery token is the cookie's).
    let csrf = "metrics-test-token-0123456789";
    let page = client
        .post(format!("{}/signin", node.origin))
        .header("Cookie", format!("threatdb_signin={csrf}"))
        .form(&[
            ("csrf", csrf),
            ("next", "/incidents"),
            ("login", "admin"),
            ("password", "not the password"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Wrong login name or password."), "{page}");

    let samples = scrape(&client, &metrics).await;
    let failures = "threatdb_auth_failures_total";
    let counted: BTreeMap<&str, f64> = matching(&samples, failures, &[])
        .iter()
        .filter(|s| s.value > 0.0)
        .map(|s| (s.labels["reason"].as_str(), s.value))
        .collect();
    assert_eq!(
        counted,
        BTreeMap::from([
            ("disabled", 2.0),
            ("expired_token", 1.0),
            ("replay", 1.0),
            ("revoked_token", 1.0),
            ("web_password", 1.0),
        ])
    );
}
