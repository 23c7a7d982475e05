//! `threatdb bench ingest`: a feed written through the Batch API of a running server the way
//! tcex writes one (multipart `createAndUpload` jobs of at most 5,000 objects, each polled to
//! completion before the next), first new, then again (every indicator found and unchanged:
//! the deduplication path), and in the same run the same rows inserted into a scratch SQLite
//! table with the same unique key (the storage ceiling of the SQLite numbers).

use super::seed::{BenchInfo, Credentials};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
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

const BOUNDARY: &str = "threatdb-bench-boundary";

/// The feed's indicators `from..to`: hosts with a rating, a confidence and one of ten tags.
fn items(from: u64, to: u64) -> Vec<Value> {
    (from..to)
        .map(|n| {
            json!({"type": "Host", "summary": format!("ingest-{n}.feed.example"),
                   "xid": format!("ingest-{n}"), "rating": 3.0, "confidence": 70,
                   "tag": [{"name": format!("feed-{}", n % 10)}]})
        })
        .collect()
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

    /// Submits one job and waits for it; fails on any error record.
    async fn job(&self, owner: &str, content: &Value) -> Result<()> {
        let config = json!({"action": "Create", "attributeWriteType": "Replace",
                            "haltOnError": "false", "owner": owner, "version": "V2",
                            "securityLabelWriteType": "Replace", "tagWriteType": "Replace"});
        let mut body = String::new();
        for (name, text) in [
            ("config", config.to_string()),
            ("content", content.to_string()),
        ] {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n\r\n{text}\r\n"
            ));
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        let made = self
            .send(
                "POST",
                "/v2/batch/createAndUpload?includeAdditional=true",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
                body.into_bytes(),
            )
            .await?;
        let id = made["data"]["batchStatus"]["id"]
            .as_i64()
            .context("no batch id in the answer")?;
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
    for name in ["new", "again (deduplicated)"] {
        let bar = super::progress(indicators, name);
        let started = Instant::now();
        let mut from = 0;
        while from < indicators {
            let to = (from + job_size.max(1)).min(indicators);
            client
                .job(&owner, &json!({"indicator": items(from, to)}))
                .await?;
            bar.inc(to - from);
            from = to;
        }
        bar.finish_and_clear();
        passes.push(Pass {
            name,
            indicators,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let ceiling = raw_insert(data_dir, indicators)?;
    Ok((passes, ceiling))
}

/// The same rows as plain inserts into a table with the indicators' columns and unique key, in
/// one transaction of one prepared statement, on a synchronous=FULL WAL file beside the data.
fn raw_insert(data_dir: &Path, indicators: u64) -> Result<Pass> {
    let dir = data_dir.join(format!(".ingest-ceiling-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = (|| -> Result<Pass> {
        let mut conn = rusqlite::Connection::open(dir.join("ceiling.db"))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE indicators (id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL,
                 kind TEXT NOT NULL, value TEXT NOT NULL, date_added INTEGER NOT NULL,
                 last_modified INTEGER NOT NULL, created_by TEXT NOT NULL, rating REAL,
                 confidence INTEGER, UNIQUE (owner_id, kind, value));",
        )?;
        let started = Instant::now();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, rating, confidence) \
                 VALUES (1, 'hosts', ?, 0, 0, 'bench', 3.0, 70)",
            )?;
            for n in 0..indicators {
                insert.execute([format!("ingest-{n}.feed.example")])?;
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
