//! `threatdb bench load`: drives a running server with signed requests over keep-alive
//! connections at a chosen concurrency and duration, and measures in the same run the HTTP
//! ceiling (an unauthenticated minimal route of the same server).

use super::data::{EVENT_END, FIVE_YEARS, Rng, Zipf};
use super::seed::{BenchInfo, Credentials};
use anyhow::{Result, bail};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use threatdb_wire::paths::encode_segment;
use threatdb_wire::signing;

/// The scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// GET an incident by id.
    Get,
    /// List by owner and tag, a page of 100.
    List,
    /// List by owner, tag and eventDate>, a page of 100.
    ListFiltered,
    /// `list` as a user who is a member of 40 owners.
    ListMember,
    /// The seed's create: POST incident + attribute + tag + label.
    Commit,
    /// 90 % reads (get and list), 10 % commits.
    Mixed,
    /// The HTTP ceiling: GET /healthz, no authentication, no database.
    Ceiling,
    /// GET an incident by id through v3 (`/v3/groups/{id}`): compare with `get`.
    V3Get,
    /// A v3 TQL list: `typeName EQ "Incident" AND hasTag(summary EQ "<tag>")` in an owner, a
    /// page of 100 with its count.
    V3Tql,
    /// One v3 request: an incident with 2 tags, a label and an attribute, in one transaction.
    V3Create,
    /// GET an indicator by id through v3 (`/v3/indicators/{id}`; needs a seed with
    /// `--indicators-per-incident`).
    V3IndGet,
    /// A v3 indicator list: `typeName IN ("Host", "Address")` in an owner, a page of 100 (two
    /// index ranges merged), half of them after a random id (a `next` page).
    V3IndList,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::Get,
        Scenario::List,
        Scenario::ListFiltered,
        Scenario::ListMember,
        Scenario::Commit,
        Scenario::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Get => "get",
            Scenario::List => "list",
            Scenario::ListFiltered => "list-filtered",
            Scenario::ListMember => "list-member",
            Scenario::Commit => "commit",
            Scenario::Mixed => "mixed",
            Scenario::Ceiling => "ceiling",
            Scenario::V3Get => "v3-get",
            Scenario::V3Tql => "v3-tql",
            Scenario::V3Create => "v3-create",
            Scenario::V3IndGet => "v3-ind-get",
            Scenario::V3IndList => "v3-ind-list",
        }
    }
}

/// One scenario's result.
#[derive(Serialize, Clone, Debug)]
pub struct LoadReport {
    pub scenario: Scenario,
    pub concurrency: usize,
    pub seconds: f64,
    /// Operations (a `commit` is four requests).
    pub operations: u64,
    pub errors: u64,
    pub ops_per_s: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

struct Ctx {
    client: reqwest::Client,
    origin: String,
    info: BenchInfo,
    zipf: Zipf,
}

impl Ctx {
    async fn send(
        &self,
        who: &Credentials,
        method: &str,
        target: &str,
        body: Option<String>,
    ) -> Result<bytes::Bytes> {
        let path = format!("/api{target}");
        let ts = threatdb_core::date::now().unix_timestamp();
        let mut req = self
            .client
            .request(method.parse()?, format!("{}{path}", self.origin))
            .header("Timestamp", ts.to_string())
            .header(
                "Authorization",
                signing::authorization(&who.access_id, &who.secret_key, &path, method, ts),
            );
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if !status.is_success() {
            bail!(
                "{method} {target}: {status} {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        // Bodies are not parsed here: only `commit` needs one, and the ceiling parses nothing.
        Ok(bytes)
    }

    fn list_target(&self, rng: &mut Rng, owners: &[String], filtered: bool) -> String {
        let owner = &owners[rng.below(owners.len() as u64) as usize];
        // The head of the distribution: the tags analysts actually click.
        let tag = &self.info.tags[self.zipf.sample(rng).min(49)];
        let mut t = format!(
            "/v2/tags/{}/groups/incidents?owner={}&resultStart=0&resultLimit=100",
            encode_segment(tag),
            owner.replace(' ', "+")
        );
        if filtered {
            let since = EVENT_END - rng.below(FIVE_YEARS as u64) as i64;
            let date = threatdb_core::format_timestamp(threatdb_core::date::from_unix(since));
            t.push_str(&format!(
                "&filters=eventDate%3E{}",
                date.replace(':', "%3A")
            ));
        }
        t
    }

    async fn commit(&self, rng: &mut Rng) -> Result<()> {
        let owner =
            self.info.owners[rng.below(self.info.owners.len() as u64) as usize].replace(' ', "+");
        let body = serde_json::json!({"name": format!("bench commit {}", rng.next_u64()), "eventDate": "2026-01-01T00:00:00Z"});
        let created = self
            .send(
                &self.info.admin,
                "POST",
                &format!("/v2/groups/incidents?owner={owner}"),
                Some(body.to_string()),
            )
            .await?;
        let created: serde_json::Value = serde_json::from_slice(&created)?;
        let id = created["data"]["incident"]["id"].as_i64().unwrap_or(0);
        let base = format!("/v2/groups/incidents/{id}");
        let attr =
            r#"{"type":"Description","value":"Description Example","displayed":true}"#.to_string();
        self.send(
            &self.info.admin,
            "POST",
            &format!("{base}/attributes?owner={owner}"),
            Some(attr),
        )
        .await?;
        let tag = encode_segment(&self.info.tags[self.zipf.sample(rng)]);
        self.send(
            &self.info.admin,
            "POST",
            &format!("{base}/tags/{tag}?owner={owner}"),
            None,
        )
        .await?;
        self.send(
            &self.info.admin,
            "POST",
            &format!("{base}/securityLabels/TLP%20Green?owner={owner}"),
            None,
        )
        .await?;
        Ok(())
    }

    async fn op(&self, scenario: Scenario, rng: &mut Rng) -> Result<()> {
        let admin = &self.info.admin;
        match scenario {
            Scenario::Get => {
                let id = 1 + rng.below(self.info.incidents.max(1));
                self.send(admin, "GET", &format!("/v2/groups/incidents/{id}"), None)
                    .await
                    .map(drop)
            }
            Scenario::List => {
                let t = self.list_target(rng, &self.info.owners, false);
                self.send(admin, "GET", &t, None).await.map(drop)
            }
            Scenario::ListFiltered => {
                let t = self.list_target(rng, &self.info.owners, true);
                self.send(admin, "GET", &t, None).await.map(drop)
            }
            Scenario::ListMember => {
                let t = self.list_target(rng, &self.info.member_owners, false);
                self.send(&self.info.member, "GET", &t, None)
                    .await
                    .map(drop)
            }
            Scenario::Commit => self.commit(rng).await,
            Scenario::V3Get => {
                let id = 1 + rng.below(self.info.incidents.max(1));
                self.send(admin, "GET", &format!("/v3/groups/{id}"), None)
                    .await
                    .map(drop)
            }
            Scenario::V3Tql => {
                let owners = &self.info.owners;
                let owner = &owners[rng.below(owners.len() as u64) as usize];
                let tag = &self.info.tags[self.zipf.sample(rng).min(49)];
                let tql = format!(
                    "typeName EQ \"Incident\" AND hasTag(summary EQ \"{}\")",
                    tag.replace('\\', "\\\\").replace('"', "\\\"")
                );
                let query: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("owner", owner)
                    .append_pair("tql", &tql)
                    .append_pair("count", "true")
                    .append_pair("resultLimit", "100")
                    .finish();
                self.send(admin, "GET", &format!("/v3/groups?{query}"), None)
                    .await
                    .map(drop)
            }
            Scenario::V3Create => {
                let owner = &self.info.owners[rng.below(self.info.owners.len() as u64) as usize];
                let body = serde_json::json!({
                    "type": "Incident", "name": format!("bench v3 {}", rng.next_u64()),
                    "eventDate": "2026-01-01T00:00:00Z", "ownerName": owner,
                    "tags": {"data": [{"name": self.info.tags[self.zipf.sample(rng)]}, {"name": "bench v3"}]},
                    "securityLabels": {"data": [{"name": "TLP:GREEN"}]},
                    "attributes": {"data": [{"type": "Description", "value": "Description Example", "default": true}]},
                });
                self.send(admin, "POST", "/v3/groups", Some(body.to_string()))
                    .await
                    .map(drop)
            }
            Scenario::V3IndGet => {
                if self.info.indicators == 0 {
                    bail!("v3-ind-get needs a seed with --indicators-per-incident");
                }
                let id = 1 + rng.below(self.info.indicators);
                self.send(admin, "GET", &format!("/v3/indicators/{id}"), None)
                    .await
                    .map(drop)
            }
            Scenario::V3IndList => {
                if self.info.indicators == 0 {
                    bail!("v3-ind-list needs a seed with --indicators-per-incident");
                }
                let owners = &self.info.owners;
                let owner = &owners[rng.below(owners.len() as u64) as usize];
                let after = (rng.below(2) == 1).then(|| 1 + rng.below(self.info.indicators));
                let query = {
                    let mut q = form_urlencoded::Serializer::new(String::new());
                    q.append_pair("owner", owner)
                        .append_pair("tql", r#"typeName IN ("Host", "Address")"#)
                        .append_pair("resultLimit", "100");
                    if let Some(after) = after {
                        q.append_pair("afterId", &after.to_string());
                    }
                    q.finish()
                };
                self.send(admin, "GET", &format!("/v3/indicators?{query}"), None)
                    .await
                    .map(drop)
            }
            Scenario::Mixed => match rng.below(20) {
                0..=8 => Box::pin(self.op(Scenario::Get, rng)).await,
                9..=17 => Box::pin(self.op(Scenario::List, rng)).await,
                _ => self.commit(rng).await,
            },
            Scenario::Ceiling => {
                let resp = self
                    .client
                    .get(format!("{}/healthz", self.origin))
                    .send()
                    .await?;
                let status = resp.status();
                resp.bytes().await?;
                if !status.is_success() {
                    bail!("/healthz: {status}");
                }
                Ok(())
            }
        }
    }
}

/// Runs one scenario against `origin` (`http://127.0.0.1:8450`).
pub async fn run(
    origin: &str,
    info: &BenchInfo,
    scenario: Scenario,
    concurrency: usize,
    duration: Duration,
) -> Result<LoadReport> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?;
    let ctx = Arc::new(Ctx {
        client,
        origin: origin.trim_end_matches('/').to_string(),
        info: info.clone(),
        zipf: Zipf::new(info.tags.len()),
    });
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    let empty = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    for worker in 0..concurrency {
        let ctx = ctx.clone();
        let mut hist = empty.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(0xBE7C_0000 + worker as u64);
            let (mut ops, mut errors, mut first_error) = (0u64, 0u64, None);
            while Instant::now() < deadline {
                let t = Instant::now();
                match ctx.op(scenario, &mut rng).await {
                    Ok(()) => {
                        ops += 1;
                        let _ = hist.record(t.elapsed().as_micros() as u64);
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("{e:#}"));
                    }
                }
            }
            (hist, ops, errors, first_error)
        }));
    }
    let mut hist = empty;
    let (mut ops, mut errors, mut first_error) = (0, 0, None);
    for t in tasks {
        let (h, o, e, f) = t.await?;
        hist.add(&h)?;
        ops += o;
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    Ok(LoadReport {
        scenario,
        concurrency,
        seconds,
        operations: ops,
        errors,
        ops_per_s: ops as f64 / seconds,
        p50_ms: ms(0.50),
        p95_ms: ms(0.95),
        p99_ms: ms(0.99),
        max_ms: hist.max() as f64 / 1000.0,
        first_error,
    })
}
