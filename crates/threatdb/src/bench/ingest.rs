//! `threatdb bench ingest`: a feed written through the Batch API of a running server in
//! multipart `createAndUpload` jobs of at most 5,000 objects (tcex's size), first new, then
//! again (every indicator found and unchanged: the deduplication path), and in the same run the
//! same rows inserted into a fresh database with threatdb's schema (the storage ceiling of the
//! SQLite numbers). Up to eight jobs are queued at once, as several feeds queue them, so the
//! rate is the server's: upload of the first job to completion of the last. (tcex itself waits for each job, polling every 5 s or more:
//! with it a feed's pace is set by its polling, not by the server.)

use super::seed::{BenchInfo, Credentials};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use threatdb_wire::batch::upload_body;
use threatdb_wire::signing;

/// One pass of the feed.
#[derive(Debug, Clone)]
pub struct Pass {
    /// What it was.
    pub name: &'static str,
    /// Indicators written.
    pub indicators: u64,
    /// Wall time, upload to the last job's completion.
    pub seconds: f64,
}

impl Pass {
    /// Indicators a second.
    pub fn rate(&self) -> f64 {
        self.indicators as f64 / self.seconds.max(1e-9)
    }
}

/// Jobs queued at once.
const WINDOW: usize = 8;

/// The feed's indicators `from..to`: hosts with a rating, a confidence and one of ten tags;
/// with `linked`, each linked to an incident the job carries too.
fn content(from: u64, to: u64, linked: bool) -> Value {
    let incident = format!("ingest-incident-{from}");
    let indicators: Vec<Value> = (from..to)
        .map(|n| {
            let mut item = json!({"type": "Host", "summary": format!("ingest-{n}.feed.example"),
                   "xid": format!("ingest-{n}"), "rating": 3.0, "confidence": 70,
                   "tag": [{"name": format!("feed-{}", n % 10)}]});
            if linked {
                item["associatedGroups"] = json!([{"groupXid": incident}]);
            }
            item
        })
        .collect();
    let groups = match linked {
        true => json!([{"type": "Incident", "xid": incident, "name": format!("Feed report {from}"),
                        "eventDate": "2024-05-01T00:00:00Z"}]),
        false => json!([]),
    };
    json!({"group": groups, "indicator": indicators})
}

struct Client {
    http: reqwest::Client,
    origin: String,
    who: Credentials,
}

impl Client {
    async fn send(
        &self,
        method: &str,
        target: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Value> {
        let path = format!("/api{target}");
        let ts = threatdb_core::date::now().unix_timestamp();
        let auth =
            signing::authorization(&self.who.access_id, &self.who.secret_key, &path, method, ts);
        let mut req = self
            .http
            .request(method.parse()?, format!("{}{path}", self.origin))
            .header("Timestamp", ts.to_string())
            .header("Authorization", auth);
        if !body.is_empty() {
            req = req.header("Content-Type", content_type).body(body);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            bail!("{method} {target}: {status} {text}");
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// A job's multipart body.
    fn body(owner: &str, content: &Value) -> Vec<u8> {
        let config = json!({"action": "Create", "attributeWriteType": "Replace",
                            "haltOnError": "false", "owner": owner, "version": "V2",
                            "securityLabelWriteType": "Replace", "tagWriteType": "Replace"});
        upload_body(&config.to_string(), &content.to_string()).1
    }

    /// Submits one job; returns its id.
    async fn submit(&self, body: Vec<u8>) -> Result<i64> {
        let made = self
            .send(
                "POST",
                "/v2/batch/createAndUpload?includeAdditional=true",
                &upload_body("", "").0,
                body,
            )
            .await?;
        made["data"]["batchStatus"]["id"]
            .as_i64()
            .context("no batch id in the answer")
    }

    /// Waits for a job; fails on any error record.
    async fn wait(&self, id: i64) -> Result<()> {
        loop {
            let s = self
                .send("GET", &format!("/v2/batch/{id}"), "", Vec::new())
                .await?;
            let status = &s["data"]["batchStatus"];
            if status["status"] == "Completed" {
                if status["errorCount"].as_u64() != Some(0) {
                    bail!("batch job {id} completed with errors: {status}");
                }
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Writes `indicators` in jobs of `job_size` into the first owner of the seeded data, twice,
/// and inserts the same rows into a scratch SQLite table.
pub async fn run(
    url: &str,
    info: &BenchInfo,
    data_dir: &Path,
    indicators: u64,
    job_size: u64,
    linked: bool,
) -> Result<(Vec<Pass>, Pass)> {
    let owner = info
        .owners
        .first()
        .context("the seeded data has no owner")?
        .clone();
    let client = Client {
        http: reqwest::Client::new(),
        origin: url.trim_end_matches('/').to_string(),
        who: info.admin.clone(),
    };
    let mut passes = Vec::new();
    // The jobs' bodies are made before the clock starts: the client's JSON is not the server's.
    let mut bodies = Vec::new();
    let mut from = 0;
    while from < indicators {
        let to = (from + job_size.max(1)).min(indicators);
        bodies.push((Client::body(&owner, &content(from, to, linked)), to - from));
        from = to;
    }
    for name in ["new", "again (deduplicated)"] {
        let bar = super::progress(indicators, name);
        let started = Instant::now();
        // At most WINDOW jobs waiting at once (an owner may have 20).
        let mut jobs = std::collections::VecDeque::new();
        for (body, n) in &bodies {
            if jobs.len() >= WINDOW
                && let Some((id, n)) = jobs.pop_front()
            {
                client.wait(id).await?;
                bar.inc(n);
            }
            jobs.push_back((client.submit(body.clone()).await?, *n));
        }
        for (id, n) in jobs {
            client.wait(id).await?;
            bar.inc(n);
        }
        bar.finish_and_clear();
        passes.push(Pass {
            name,
            indicators,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let ceiling = raw_insert(data_dir, indicators).await?;
    Ok((passes, ceiling))
}

/// The same rows (each indicator and its tag link) as plain inserts into a fresh database with
/// threatdb's schema (so with the same indexes), in one transaction of two prepared
/// statements, with the settings the store's writer runs (WAL, synchronous=FULL, a 16 MB
/// page cache): the simplest code that stores
/// them.
async fn raw_insert(data_dir: &Path, indicators: u64) -> Result<Pass> {
    let dir = data_dir.join(format!(".ingest-ceiling-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("ceiling.db");
    drop(threatdb_store_sqlite::SqliteStore::open(&path).await?);
    let result = (|| -> Result<Pass> {
        let mut conn = rusqlite::Connection::open(&path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -16000;
             INSERT INTO owners (id, name, name_key, kind, date_added) VALUES (1, 'o', 'O', 'Organization', 0);",
        )?;
        for n in 0..10 {
            conn.execute(
                "INSERT INTO tags (id, owner_id, name, name_key) VALUES (?1, 1, ?2, ?2)",
                rusqlite::params![n + 1, format!("feed-{n}")],
            )?;
        }
        let started = Instant::now();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, rating, confidence, stix_key) \
                 VALUES (1, 'hosts', ?, 0, 0, 'bench', 3.0, 70, ?)",
            )?;
            let mut tag =
                tx.prepare("INSERT INTO indicator_tags (indicator_id, tag_id) VALUES (?, ?)")?;
            for n in 0..indicators {
                // The row as the store writes it, its STIX look-up key included.
                let value = format!("ingest-{n}.feed.example");
                let key = threatdb_core::stix_id::indicator_key(
                    "o",
                    threatdb_core::IndicatorKind::Host,
                    &value,
                    None,
                );
                insert.execute(rusqlite::params![value, key])?;
                tag.execute(rusqlite::params![tx.last_insert_rowid(), (n % 10) + 1])?;
            }
        }
        tx.commit()?;
        Ok(Pass {
            name: "raw SQLite insert",
            indicators,
            seconds: started.elapsed().as_secs_f64(),
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
