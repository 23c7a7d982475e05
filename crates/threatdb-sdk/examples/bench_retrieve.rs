//! Measures incidents retrieved per second through the SDK against plain signed HTTP (reqwest +
//! the same signing) in the same run, on the default organization's incident list. Seeds the
//! organization up to N incidents first.
//!
//! ```sh
//! cargo build --release -p threatdb
//! target/release/threatdb serve --listen 127.0.0.1:8450 --data-dir /tmp/threatdb-bench &
//! set -a; . /tmp/threatdb-bench/credentials.env; set +a
//! cargo run --release -p threatdb-sdk --example bench_retrieve -- 10000 5
//! ```
//!
//! Arguments: the number of incidents (default 10000) and of rounds (default 5). Each round
//! retrieves every incident once per method and page size; the median round is reported.

use std::time::{Duration, Instant};
use threatdb_sdk::{ThreatConnect, encode_query_value};
use threatdb_wire::signing;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let creds = threatdb_sdk::Credentials::from_env()?;
    let tc = ThreatConnect::from_credentials(creds.clone())?;
    let org = tc.default_org().to_string();

    let have = count(&tc, &org).await?;
    if have < n {
        seed(&tc, &org, n - have).await?;
    }
    let total = count(&tc, &org).await?;
    println!("{total} incidents in '{org}', {rounds} rounds");

    let raw = Raw::new(&creds)?;
    for limit in [200u32, 10_000] {
        let mut sdk_times = Vec::new();
        let mut raw_times = Vec::new();
        let mut bytes_times = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            let got = raw.all(&org, limit, false).await?;
            bytes_times.push(rate(got, t.elapsed()));

            let t = Instant::now();
            let got = raw.all(&org, limit, true).await?;
            raw_times.push(rate(got, t.elapsed()));

            let mut tc = tc.clone();
            tc.set_api_result_limit(limit)?;
            let t = Instant::now();
            let mut incidents = tc.incidents();
            incidents.add_filter().add_owner(org.as_str());
            incidents.retrieve().await?;
            sdk_times.push(rate(incidents.len(), t.elapsed()));
        }
        let (b, r, s) = (
            median(&mut bytes_times),
            median(&mut raw_times),
            median(&mut sdk_times),
        );
        println!(
            "resultLimit={limit:>5}: raw HTTP (bytes only) {b:>8.0}/s, raw HTTP + serde_json::Value {r:>8.0}/s, SDK {s:>8.0}/s ({:.0}% of raw+parse)",
            100.0 * s / r
        );
    }
    Ok(())
}

fn rate(items: usize, d: Duration) -> f64 {
    items as f64 / d.as_secs_f64()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

async fn count(tc: &ThreatConnect, org: &str) -> Result<usize, threatdb_sdk::Error> {
    let mut tc = tc.clone();
    tc.set_api_result_limit(10_000)?;
    let mut incidents = tc.incidents();
    incidents.add_filter().add_owner(org);
    incidents.retrieve().await?;
    Ok(incidents.len())
}

async fn seed(tc: &ThreatConnect, org: &str, missing: usize) -> Result<(), threatdb_sdk::Error> {
    println!("creating {missing} incidents...");
    let workers = 8;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let tc = tc.clone();
        let org = org.to_string();
        tasks.push(tokio::spawn(async move {
            let incidents = tc.incidents();
            for k in (w..missing).step_by(workers) {
                let mut i = incidents.add(format!("Bench incident {k}"), org.as_str());
                i.set_event_date("2017-03-21T00:00:00Z");
                i.commit().await?;
            }
            Ok::<(), threatdb_sdk::Error>(())
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| threatdb_sdk::Error::Transport(e.to_string()))??;
    }
    Ok(())
}

/// Signed GETs with reqwest and nothing else, following the same pages.
struct Raw {
    http: reqwest::Client,
    origin: String,
    prefix: String,
    access_id: String,
    secret: String,
}

impl Raw {
    fn new(c: &threatdb_sdk::Credentials) -> Result<Self, Box<dyn std::error::Error>> {
        let url = reqwest::Url::parse(&c.api_base_url)?;
        Ok(Raw {
            http: reqwest::Client::new(),
            origin: url.origin().ascii_serialization(),
            prefix: url.path().trim_end_matches('/').to_string(),
            access_id: c.api_access_id.clone(),
            secret: c.api_secret_key.clone(),
        })
    }

    /// Every incident of `owner`, `limit` a page; with `parse`, each page is read into a
    /// `serde_json::Value` (as a hand-written client would), else only its bytes are received.
    async fn all(
        &self,
        owner: &str,
        limit: u32,
        parse: bool,
    ) -> Result<usize, Box<dyn std::error::Error>> {
        let mut start = 0u64;
        let mut got = 0usize;
        loop {
            let target = format!(
                "{}/v2/groups/incidents?createActivityLog=false&owner={}&resultLimit={limit}&resultStart={start}",
                self.prefix,
                encode_query_value(owner)
            );
            let ts = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs() as i64;
            let auth = signing::authorization(&self.access_id, &self.secret, &target, "GET", ts);
            let body = self
                .http
                .get(format!("{}{target}", self.origin))
                .header("Timestamp", ts.to_string())
                .header("Authorization", auth)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            let n = if parse {
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                v["data"]["incident"].as_array().map_or(0, Vec::len)
            } else {
                // Count the items without parsing: each has exactly one "webLink".
                body.windows(9).filter(|w| w == b"\"webLink\"").count()
            };
            got += n;
            if n < limit as usize {
                return Ok(got);
            }
            start += u64::from(limit);
        }
    }
}
