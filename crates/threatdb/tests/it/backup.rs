//! `threatdb admin backup` and `restore` as an operator runs them: a backup taken while
//! concurrent writers keep a real server busy holds every write acknowledged before it began;
//! the restored directory starts a working server (its own master key and credentials); bad
//! backups and occupied directories are refused without touching anything.

use crate::node::{Creds, Node, call, credentials};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// `threatdb serve` with the master key in the data directory (made on first start).
fn serve(data: &Path) -> Node {
    let mut child = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("THREATDB_MASTER_KEY")
        .env_remove("THREATDB_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let origin = loop {
        let line = lines.next().expect("serve exited").unwrap();
        if let Some(rest) = line.strip_prefix("threatdb listening on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    Node { child, origin }
}

fn admin(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .arg("admin")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("THREATDB_MASTER_KEY")
        .env_remove("THREATDB_DATABASE_URL")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn create(client: &reqwest::Client, origin: &str, creds: &Creds, name: &str) -> Option<i64> {
    let body = serde_json::json!({"name": name, "eventDate": "2020-01-01"}).to_string();
    match call(
        client,
        origin,
        creds,
        "POST",
        "/v2/groups/incidents",
        Some(body),
    )
    .await
    {
        Ok((201, json)) => json["data"]["incident"]["id"].as_i64(),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_load_restores_every_write_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = serve(&data);
    let creds = credentials(&data);
    let ledger: Arc<Mutex<Vec<(i64, String, Instant)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = vec![];
    for w in 0..6 {
        let (origin, creds, ledger, stop) = (
            node.origin.clone(),
            creds.clone(),
            ledger.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let name = format!("load {w}-{i}");
                let id = create(&client, &origin, &creds, &name)
                    .await
                    .expect("a write failed during the backup");
                ledger.lock().unwrap().push((id, name, Instant::now()));
                i += 1;
            }
        }));
    }
    let acked = || ledger.lock().unwrap().len();
    while acked() < 300 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let file = dir.path().join("under-load.tdb");
    let began = Instant::now();
    let out = {
        let (data, file) = (data.clone(), file.clone());
        tokio::task::spawn_blocking(move || admin(&data, &["backup", file.to_str().unwrap()]))
            .await
            .unwrap()
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("master.key"),
        "{}",
        text(&out.stdout)
    );
    // Writes go on after it, too.
    let after = acked();
    while acked() < after + 200 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    drop(node);
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    let before: Vec<_> = ledger.iter().filter(|(_, _, at)| *at < began).collect();
    assert!(before.len() >= 300);
    assert!(
        !dir.path()
            .read_dir()
            .unwrap()
            .any(|e| { e.unwrap().file_name().to_string_lossy().contains("partial") })
    );

    let restored = dir.path().join("restored");
    let out = admin(&restored, &["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let conn = rusqlite::Connection::open(restored.join("threatdb.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let bundle_tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'threatdb_backup%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        bundle_tables, 0,
        "the restored database still holds the bundle"
    );
    drop(conn);
    assert_eq!(
        std::fs::read(restored.join("master.key")).unwrap(),
        std::fs::read(data.join("master.key")).unwrap()
    );

    // The restored server answers the original credentials (the sealed secret opens with the
    // restored key) and holds every write acknowledged before the backup began.
    let node = serve(&restored);
    let creds = credentials(&restored);
    let client = reqwest::Client::new();
    for (id, name, _) in before {
        let (status, json) = call(
            &client,
            &node.origin,
            &creds,
            "GET",
            &format!("/v2/groups/incidents/{id}"),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            status, 200,
            "incident {id} ({name}), acknowledged before the backup, is gone"
        );
        assert_eq!(json["data"]["incident"]["name"], name.as_str());
    }
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_and_restores_refuse_what_would_lose_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = serve(&data);
    let file = dir.path().join("b.tdb");
    let out = admin(&data, &["backup", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Never over an existing file, unless --force.
    let out = admin(&data, &["backup", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("exists"),
        "{}",
        text(&out.stderr)
    );
    let out = admin(&data, &["backup", file.to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Not into a directory in use or not empty.
    let out = admin(&data, &["restore", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is not empty"),
        "{}",
        text(&out.stderr)
    );
    let out = admin(&data, &["restore", file.to_str().unwrap(), "--force"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("stop it first"),
        "{}",
        text(&out.stderr)
    );
    drop(node);

    // A truncated or damaged backup is refused, and the target stays as it was.
    let other = dir.path().join("other");
    drop(serve(&other));
    let untouched = listing(&other);
    let bytes = std::fs::read(&file).unwrap();
    let truncated = dir.path().join("truncated.tdb");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let out = admin(&other, &["restore", truncated.to_str().unwrap(), "--force"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("truncated"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("nothing was changed"));
    let mut corrupt = bytes.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle..middle + 8192].fill(0xA5);
    let damaged = dir.path().join("damaged.tdb");
    std::fs::write(&damaged, &corrupt).unwrap();
    let out = admin(&other, &["restore", damaged.to_str().unwrap(), "--force"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("damaged"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        listing(&other) == untouched,
        "a refused restore changed the directory"
    );

    // With --force, a good one replaces the directory's threatdb files.
    let out = admin(&other, &["restore", file.to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(other.join("master.key")).unwrap(),
        std::fs::read(data.join("master.key")).unwrap()
    );
}

/// The README's PostgreSQL backup, as written there: data written through a real server,
/// `pg_dump --format=custom`, `pg_restore --no-owner` into a fresh database, a server started
/// on it (same master key) reads the data back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn postgres_backups_are_pg_dump_and_pg_restore() {
    use threatdb_store_pg::testing::{TestDatabase, server_url};
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let server = server_url();
    let (source, target) = (
        TestDatabase::create(&server).await,
        TestDatabase::create(&server).await,
    );
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2) = (dir.path().join("one"), dir.path().join("two"));
    let node = crate::node::start(&d1, Some(&source.url), KEY);
    let creds = credentials(&d1);
    let client = reqwest::Client::new();
    let mut ids = vec![];
    for i in 0..20 {
        let name = format!("dumped {i}");
        ids.push((
            create(&client, &node.origin, &creds, &name).await.unwrap(),
            name,
        ));
    }
    // `admin backup` points a PostgreSQL store to pg_dump.
    let out = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["admin", "--database", &source.url, "backup"])
        .arg(dir.path().join("x.tdb"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("pg_dump --format=custom"),
        "{}",
        text(&out.stderr)
    );

    let dump = dir.path().join("threatdb.dump");
    let out = Command::new("pg_dump")
        .arg("--format=custom")
        .arg(format!("--file={}", dump.display()))
        .arg(&source.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_dump: {}", text(&out.stderr));
    drop(node);
    let out = Command::new("pg_restore")
        .arg("--no-owner")
        .arg(format!("--dbname={}", target.url))
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_restore: {}", text(&out.stderr));

    let node = crate::node::start(&d2, Some(&target.url), KEY);
    assert!(
        !d2.join("credentials.env").exists(),
        "a restored database needs no bootstrap"
    );
    for (id, name) in &ids {
        let (status, json) = call(
            &client,
            &node.origin,
            &creds,
            "GET",
            &format!("/v2/groups/incidents/{id}"),
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "incident {id} is missing after pg_restore");
        assert_eq!(json["data"]["incident"]["name"], name.as_str());
    }
    // New ids continue after the restored ones (the sequences came along).
    let new = create(&client, &node.origin, &creds, "after restore")
        .await
        .unwrap();
    assert!(ids.iter().all(|(id, _)| *id < new));
    drop(node);
    source.drop_db().await;
    target.drop_db().await;
}
