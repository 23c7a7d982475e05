//! The audit log, black-box: a real `threatdb serve` records writes (v2, web), authentication
//! failures, sign-ins and exports, `threatdb admin` records its own actions, and `threatdb admin
//! audit list | verify | export` read it. Then the database is edited behind the server's back
//! (an entry altered, one removed, one inserted, the tail cut) and `audit verify` names each.
//! On SQLite and on PostgreSQL.

use crate::node::{Creds, Node, call, credentials, start};
use crate::ops::KEY;
use crate::tokens::admin;
use std::path::Path;
use std::time::{Duration, Instant};
use threatdb_core::audit::{AuditRecord, unhex};

/// The JSON entries `admin audit list --json` prints (newest first).
pub(crate) fn entries(data: &Path, db: Option<&str>, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["audit", "list", "--json", "--limit", "1000"];
    all.extend_from_slice(args);
    admin(data, db, &all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `admin audit verify [args]`: whether it held, and what it printed.
fn verify(data: &Path, db: Option<&str>, args: &[&str]) -> (bool, String) {
    let mut all = vec!["admin", "--data-dir", data.to_str().unwrap()];
    if let Some(url) = db {
        all.extend(["--database", url]);
    }
    all.extend(["audit", "verify"]);
    all.extend_from_slice(args);
    let run = crate::api::threatdb(data, &all, &[("THREATDB_MASTER_KEY", KEY)], None);
    (run.ok, format!("{}{}", run.stdout, run.stderr))
}

/// Stops a server with SIGTERM (it writes what is queued and logs a checkpoint).
pub(crate) fn stop(mut node: Node) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &node.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = node.child.wait().unwrap();
    assert!(exit.success(), "serve must exit cleanly: {exit:?}");
}

/// Drives a server: a v2 write, a read, a web sign-in failure and success, a tc-json export, a
/// failed signature and a flood of them.
async fn drive(node: &Node, data: &Path, creds: &Creds) {
    let client = reqwest::Client::new();
    let body = r#"{"name":"audited","eventDate":"2026-01-02T00:00:00Z"}"#;
    let (status, _) = call(
        &client,
        &node.origin,
        creds,
        "POST",
        "/v2/groups/incidents",
        Some(body.into()),
    )
    .await
    .unwrap();
    assert_eq!(status, 201);
    let (status, _) = call(
        &client,
        &node.origin,
        creds,
        "GET",
        "/v2/groups/incidents",
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    let body = r#"{"type":"Incident","name":"audited v3","eventDate":"2026-01-02T00:00:00Z"}"#;
    let (status, _) = call(
        &client,
        &node.origin,
        creds,
        "POST",
        "/v3/groups",
        Some(body.into()),
    )
    .await
    .unwrap();
    assert_eq!(status, 201);
    let (login, password) = crate::web_ui::web_credentials(data);
    assert_eq!(
        crate::web_ui::sign_in_status(&node.origin, &login, "not it").await,
        401
    );
    web_create_and_sign_out(&node.origin, &login, &password).await;
    let (status, _) = call(
        &client,
        &node.origin,
        creds,
        "GET",
        "/v2/batch/tc-json",
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    // A wrong secret, then a flood: the limiter lets 20 a minute through as 401s, the rest
    // are 429s and are only counted.
    let wrong = Creds {
        access_id: creds.access_id.clone(),
        secret: "wrong".into(),
    };
    let mut statuses = Vec::new();
    for _ in 0..60 {
        let (status, _) = call(&client, &node.origin, &wrong, "GET", "/v2/owners", None)
            .await
            .unwrap();
        statuses.push(status);
    }
    assert_eq!(statuses[0], 401);
    assert!(statuses.contains(&429), "{statuses:?}");
}

/// Signs in, creates an incident through the web form, signs out.
async fn web_create_and_sign_out(origin: &str, login: &str, password: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf_of = |body: &str| {
        body.split(r#"name="csrf" value=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let cookie_of = |r: &reqwest::Response| {
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let form = http.get(format!("{origin}/signin")).send().await.unwrap();
    let cookie = cookie_of(&form);
    let csrf = csrf_of(&form.text().await.unwrap());
    let post = |path: &str, cookie: &str, pairs: &[(&str, &str)]| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        http.post(format!("{origin}{path}"))
            .header("Cookie", cookie.to_string())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let signed_in = post(
        "/signin",
        &cookie,
        &[("csrf", &csrf), ("login", login), ("password", password)],
    )
    .await
    .unwrap();
    assert_eq!(signed_in.status(), 303);
    let session = cookie_of(&signed_in);
    let page = http
        .get(format!("{origin}/incidents/new"))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap();
    let csrf = csrf_of(&page.text().await.unwrap());
    let created = post(
        "/incidents",
        &session,
        &[
            ("csrf", &csrf),
            ("name", "audited web"),
            ("eventDate", "2026-01-02T00:00:00Z"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(created.status(), 303);
    let out = post("/signout", &session, &[("csrf", &csrf)])
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
}

/// Changes the database behind the server's back.
enum Tamper<'a> {
    Sqlite(rusqlite::Connection),
    Pg(&'a str),
}

impl Tamper<'_> {
    fn run(&self, sql: &str) {
        match self {
            Tamper::Sqlite(c) => c.execute_batch(sql).unwrap(),
            Tamper::Pg(url) => {
                let out = std::process::Command::new("psql")
                    .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "psql {sql}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }

    /// Whether `sql` is refused (by the append-only triggers).
    fn refused(&self, sql: &str) -> bool {
        match self {
            Tamper::Sqlite(c) => c.execute_batch(sql).is_err(),
            Tamper::Pg(url) => !std::process::Command::new("psql")
                .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
                .output()
                .unwrap()
                .status
                .success(),
        }
    }

    fn bytes(&self, hex: &str) -> String {
        match self {
            Tamper::Sqlite(_) => format!("X'{hex}'"),
            Tamper::Pg(_) => format!("'\\x{hex}'::bytea"),
        }
    }

    fn time(&self, unix: i64) -> String {
        match self {
            Tamper::Sqlite(_) => unix.to_string(),
            Tamper::Pg(_) => format!("to_timestamp({unix})"),
        }
    }

    fn unlock(&self) {
        match self {
            Tamper::Sqlite(_) => {
                self.run("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            }
            Tamper::Pg(_) => self.run("DROP TRIGGER audit_log_append_only ON audit_log;"),
        }
    }
}

fn field<'a>(e: &'a serde_json::Value, name: &str) -> &'a str {
    e[name].as_str().unwrap_or_default()
}

async fn audit_log_round(data: &Path, db: Option<&str>) {
    let node = start(data, db, KEY);
    let creds = credentials(data);
    admin(data, db, &["owner", "create", "--name", "Audited Owner"]);
    drive(&node, data, &creds).await;
    // Written within moments of the answer; the write is there before the server stops.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !entries(data, db, &[])
        .iter()
        .any(|e| field(e, "action") == "export")
    {
        assert!(Instant::now() < deadline, "the export is not in the log");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop(node);
    // The command line's own import and export of the data directory (or database).
    let file = data.join("one.tc.json");
    std::fs::write(
        &file,
        r#"{"group":[{"type":"Incident","name":"imported","xid":"audit-1","eventDate":"2026-01-01T00:00:00Z"}],"indicator":[]}"#,
    )
    .unwrap();
    let cli = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--data-dir", data.to_str().unwrap()]);
        if let Some(url) = db {
            all.extend(["--database", url]);
        }
        let run = crate::api::threatdb(data, &all, &[("THREATDB_MASTER_KEY", KEY)], None);
        assert!(run.ok, "{args:?}: {}", run.stderr);
    };
    cli(&["import", "--owner", "Audited Owner", file.to_str().unwrap()]);
    let out = data.join("out.tc.json");
    cli(&[
        "export",
        "--format",
        "tc-json",
        "--owner",
        "Audited Owner",
        "-o",
        out.to_str().unwrap(),
    ]);

    let all = entries(data, db, &[]);
    let find = |action: &str| -> Vec<&serde_json::Value> {
        all.iter()
            .filter(|e| field(e, "action") == action)
            .collect()
    };
    let write = find("write");
    let v2: Vec<_> = write.iter().filter(|e| field(e, "via") == "v2").collect();
    assert_eq!(v2.len(), 1, "{write:?}");
    assert_eq!(field(v2[0], "target"), "POST /api/v2/groups/incidents");
    assert_eq!(field(v2[0], "outcome"), "201");
    assert_eq!(field(v2[0], "address"), "127.0.0.1");
    assert!(!field(v2[0], "request_id").is_empty());
    assert!(v2[0]["user_id"].is_i64());
    let v3: Vec<_> = write.iter().filter(|e| field(e, "via") == "v3").collect();
    assert_eq!(v3.len(), 1, "{write:?}");
    assert_eq!(field(v3[0], "target"), "POST /api/v3/groups");
    let web: Vec<_> = write.iter().filter(|e| field(e, "via") == "web").collect();
    assert_eq!(web.len(), 1, "{write:?}");
    assert_eq!(field(web[0], "target"), "POST /incidents");
    assert_eq!(field(web[0], "outcome"), "303");
    assert_eq!(find("sign-out").len(), 1);
    // Reads are not recorded.
    assert!(
        all.iter()
            .all(|e| !field(e, "target").starts_with("GET /api/v2/groups"))
    );
    let failures = find("auth.failure");
    assert_eq!(
        failures.len(),
        20,
        "one per attempt the limiter let through"
    );
    assert!(failures.iter().all(|e| field(e, "user") == creds.access_id
        && field(e, "outcome") == "401"
        && field(e, "target") == "GET /api/v2/owners"));
    let limited = find("auth.rate_limited");
    assert_eq!(limited.len(), 1, "the refused ones, counted at shutdown");
    assert!(
        field(limited[0], "target").starts_with("40 failed attempts"),
        "{limited:?}"
    );
    let (login, _) = crate::web_ui::web_credentials(data);
    assert_eq!(find("sign-in.failure").len(), 1);
    assert_eq!(field(find("sign-in.failure")[0], "user"), login);
    assert_eq!(find("sign-in").len(), 1);
    assert_eq!(field(find("sign-in")[0], "via"), "web");
    assert_eq!(field(find("sign-in")[0], "user"), login);
    assert_eq!(field(find("sign-out")[0], "user"), login);
    let export = find("export");
    assert_eq!(export.len(), 2, "{export:?}");
    assert_eq!(field(export[1], "via"), "batch");
    assert!(field(export[1], "target").starts_with("tc-json of owner"));
    assert_eq!(field(export[0], "via"), "cli");
    assert_eq!(field(export[0], "target"), "tc-json of owner Audited Owner");
    assert_eq!(field(export[0], "outcome"), "ok");
    let import = find("import");
    assert_eq!(import.len(), 1, "{import:?}");
    assert_eq!(
        field(import[0], "target"),
        "tc-json into owner Audited Owner"
    );
    assert_eq!(field(import[0], "outcome"), "ok");
    assert_eq!(field(import[0], "user"), "admin");
    let owner = find("admin.owner.create");
    assert_eq!(owner.len(), 1);
    assert_eq!(field(owner[0], "user"), "admin");
    assert_eq!(field(owner[0], "via"), "admin");
    assert_eq!(field(owner[0], "outcome"), "ok");
    // A refused admin action is recorded with its error.
    let out = crate::api::threatdb(
        data,
        &{
            let mut a = vec!["admin", "--data-dir", data.to_str().unwrap()];
            if let Some(url) = db {
                a.extend(["--database", url]);
            }
            a.extend(["owner", "create", "--name", "Audited Owner"]);
            a
        },
        &[("THREATDB_MASTER_KEY", KEY)],
        None,
    );
    assert!(!out.ok);
    let again = entries(data, db, &["--action", "admin."]);
    assert_eq!(again.len(), 2, "{again:?}");
    assert!(
        field(&again[0], "outcome").starts_with("error: "),
        "{again:?}"
    );
    // Filters: a user, a time.
    let mine = entries(data, db, &["--user", "admin"]);
    assert!(mine.len() >= 2 && mine.iter().all(|e| field(e, "user") == "admin"));
    assert!(entries(data, db, &["--since", "2999-01-01T00:00:00Z"]).is_empty());
    assert_eq!(
        entries(data, db, &["--since", "1h"]).len(),
        entries(data, db, &[]).len()
    );
    let table = admin(data, db, &["audit", "list", "--action", "sign-in"]);
    assert!(
        table.contains("sign-in") && table.contains(&login),
        "{table}"
    );

    // Export: JSON lines, oldest first, every entry (the export's own record comes after).
    let file = data.join("audit.jsonl");
    let before = entries(data, db, &[]).len();
    admin(data, db, &["audit", "export", "-o", file.to_str().unwrap()]);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), before);
    assert!(
        lines
            .windows(2)
            .all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64())
    );
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(entries(data, db, &["--action", "export"]).len(), 3);

    let (held, out) = verify(data, db, &[]);
    assert!(held, "{out}");
    let anchor = out
        .split("head ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_string();
    let n: i64 = anchor.split(':').next().unwrap().parse().unwrap();
    assert!(n > 20, "{out}");

    // Behind the server's back.
    let t = match db {
        None => Tamper::Sqlite(rusqlite::Connection::open(data.join("threatdb.db")).unwrap()),
        Some(url) => Tamper::Pg(url),
    };
    assert!(
        t.refused("UPDATE audit_log SET outcome = '200' WHERE seq = 2"),
        "append-only"
    );
    assert!(
        t.refused("DELETE FROM audit_log WHERE seq = 2"),
        "append-only"
    );
    t.unlock();

    // Altered.
    let original = entries(data, db, &[])
        .into_iter()
        .find(|e| e["seq"] == 5)
        .unwrap();
    t.run("UPDATE audit_log SET target = 'GET /nothing' WHERE seq = 5");
    let (held, out) = verify(data, db, &[]);
    assert!(!held && out.contains("entry 5 was altered"), "{out}");
    t.run(&format!(
        "UPDATE audit_log SET target = '{}' WHERE seq = 5",
        field(&original, "target").replace('\'', "''")
    ));
    assert!(verify(data, db, &[]).0);

    // Removed.
    t.run("CREATE TABLE kept AS SELECT * FROM audit_log WHERE seq = 7; DELETE FROM audit_log WHERE seq = 7;");
    let (held, out) = verify(data, db, &[]);
    assert!(
        !held && out.contains("entries 7 to 7 were removed"),
        "{out}"
    );
    t.run("INSERT INTO audit_log SELECT * FROM kept; DROP TABLE kept;");
    assert!(verify(data, db, &[]).0);

    // Inserted: a forged entry chained correctly after entry 9, the rest renumbered.
    let e9 = entries(data, db, &[])
        .into_iter()
        .find(|e| e["seq"] == 9)
        .unwrap();
    let link: [u8; 32] = unhex(field(&e9, "hash")).unwrap().try_into().unwrap();
    let mut forged = AuditRecord::new(
        "mallory",
        "v2",
        "write",
        "DELETE /api/v2/groups/incidents/1",
        "200",
    );
    forged.at = threatdb_core::date::from_unix(1_800_000_000);
    let hash = forged.hash(&link);
    t.run("UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= 10; UPDATE audit_log SET seq = seq - 999999 WHERE seq >= 1000000;");
    t.run(&format!(
        "INSERT INTO audit_log (seq, at, user_name, via, action, target, outcome, prev_hash, hash) \
         VALUES (10, {}, 'mallory', 'v2', 'write', 'DELETE /api/v2/groups/incidents/1', '200', {}, {})",
        t.time(1_800_000_000),
        t.bytes(&threatdb_core::audit::hex(&link)),
        t.bytes(&threatdb_core::audit::hex(&hash)),
    ));
    let (held, out) = verify(data, db, &[]);
    assert!(!held && out.contains("entry 10 was inserted"), "{out}");
    t.run("DELETE FROM audit_log WHERE seq = 10; UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= 11; UPDATE audit_log SET seq = seq - 1000001 WHERE seq >= 1000000;");
    assert!(verify(data, db, &[]).0);

    // The tail cut: the chain still holds, the anchor does not.
    t.run(&format!("DELETE FROM audit_log WHERE seq >= {}", n - 1));
    assert!(verify(data, db, &[]).0);
    let (held, out) = verify(data, db, &["--anchor", &anchor]);
    assert!(
        !held && out.contains(&format!("the anchor {anchor} does not hold")),
        "{out}"
    );
    let (held, out) = verify(data, db, &["--anchor", "3:00"]);
    assert!(!held && out.contains("--anchor '3:00'"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_log_records_and_verify_names_tampering_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    audit_log_round(dir.path(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn audit_log_records_and_verify_names_tampering_on_postgres() {
    use threatdb_store_pg::testing::{TestDatabase, server_url};
    let db = TestDatabase::create(&server_url()).await;
    let dir = tempfile::tempdir().unwrap();
    audit_log_round(dir.path(), Some(&db.url)).await;
    db.drop_db().await;
}

/// No route of the API reads the audit log: it is for administrators, on the database.
#[test]
fn no_api_route_reads_the_audit_log() {
    let paths = threatdb_server::api_paths()
        .into_iter()
        .chain(threatdb_server::v3_paths());
    for p in paths {
        assert!(!p.contains("audit"), "{p}");
    }
}

/// A server that stops writes its head to its log as a checkpoint; `verify --anchor` with it
/// holds, and fails once the entry it names is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_logs_checkpoints_that_verify_takes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("THREATDB_MASTER_KEY", KEY)
        .env_remove("THREATDB_DATABASE_URL")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
        text
    });
    let (origin, lines) = crate::node::listening(&mut child);
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    let node = Node { child, origin };
    let creds = credentials(data);
    let body = r#"{"name":"anchored","eventDate":"2026-01-02T00:00:00Z"}"#;
    let client = reqwest::Client::new();
    let (status, _) = call(
        &client,
        &node.origin,
        &creds,
        "POST",
        "/v2/groups/incidents",
        Some(body.into()),
    )
    .await
    .unwrap();
    assert_eq!(status, 201);
    stop(node);
    let log = log.join().unwrap();
    let anchor = log
        .lines()
        .filter(|l| l.contains("audit checkpoint"))
        .filter_map(|l| l.split("anchor=").nth(1))
        .map(|a| a.split_whitespace().next().unwrap().to_string())
        .next_back()
        .unwrap_or_else(|| panic!("no checkpoint in the log:\n{log}"));
    assert!(anchor.starts_with("1:"), "{anchor}");
    let (held, out) = verify(data, None, &["--anchor", &anchor]);
    assert!(held, "{out}");
    let c = rusqlite::Connection::open(data.join("threatdb.db")).unwrap();
    c.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log;")
        .unwrap();
    let (held, out) = verify(data, None, &["--anchor", &anchor]);
    assert!(!held && out.contains("the log ends at entry 0"), "{out}");
}
