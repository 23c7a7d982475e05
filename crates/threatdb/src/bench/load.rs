//! `threatdb bench load`: drives a running server with signed requests over keep-alive
//! connections at a chosen concurrency and duration, and measures in the same run the HTTP
//! ceiling (an unauthenticated minimal route of the same server).

use super::data::{EVENT_END, FIVE_YEARS, Rng, Zipf};
use super::http::{Conn, Target};
use super::seed::{BenchInfo, Credentials};
use anyhow::{Result, bail};
use hdrhistogram::Histogram;
use hyper::http::Method;
use hyper::http::header::{AUTHORIZATION, HeaderName};
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
    /// The reverse look-up an analyst does first: the incidents linked to an indicator value
    /// (`/v2/indicators/{type}/{value}/groups/incidents`; needs a seed with
    /// `--indicators-per-incident`).
    Reverse,
    /// A TAXII 2.1 page of an owner's collection (`/taxii2/api/collections/{id}/objects/`,
    /// `limit` = the page size), half from its start, half deep in it (`added_after` a random
    /// time of the last two years), with HTTP Basic.
    TaxiiPage,
    /// `taxii-page`, the first page only.
    TaxiiFirst,
    /// `taxii-page`, deep pages only (`added_after` a random time of the last two years).
    TaxiiDeep,
}

impl Scenario {
    /// Whether the scenario reads a list (its answers' objects are counted).
    pub fn lists(self) -> bool {
        matches!(
            self,
            Scenario::List
                | Scenario::ListFiltered
                | Scenario::ListMember
                | Scenario::V3Tql
                | Scenario::V3IndList
                | Scenario::Reverse
                | Scenario::TaxiiPage
                | Scenario::TaxiiFirst
                | Scenario::TaxiiDeep
        )
    }

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
            Scenario::Reverse => "reverse",
            Scenario::TaxiiPage => "taxii-page",
            Scenario::TaxiiFirst => "taxii-first",
            Scenario::TaxiiDeep => "taxii-deep",
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
    /// Objects in an answer, on average (lists only: how full the pages were, which is what a
    /// list costs; 0 for the other scenarios).
    pub rows_per_op: f64,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

struct Ctx {
    target: Target,
    info: BenchInfo,
    zipf: Zipf,
    shape: Shape,
}

/// What the list scenarios ask for.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// `resultLimit`.
    pub page_size: u64,
    /// Tags are drawn (Zipf) from this many of the most used.
    pub tag_head: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            page_size: 100,
            tag_head: 50,
        }
    }
}

/// The objects in a list answer: each carries one `webLink` (v2 and v3 alike), or one
/// `spec_version` (STIX).
fn rows(body: &[u8]) -> u64 {
    let count = |key: &[u8]| body.windows(key.len()).filter(|w| *w == key).count() as u64;
    count(b"\"webLink\"") + count(b"\"spec_version\"")
}

impl Ctx {
    async fn send(
        &self,
        conn: &mut Conn,
        who: &Credentials,
        method: Method,
        target: &str,
        body: Option<String>,
    ) -> Result<bytes::Bytes> {
        let path = format!("/api{target}");
        let ts = threatdb_core::date::now().unix_timestamp();
        let auth =
            signing::authorization(&who.access_id, &who.secret_key, &path, method.as_str(), ts);
        let headers = [
            (HeaderName::from_static("timestamp"), ts.to_string()),
            (AUTHORIZATION, auth),
        ];
        let (status, bytes) = conn.send(method.clone(), &path, &headers, body).await?;
        if !status.is_success() {
            bail!(
                "{method} {target}: {status} {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        // Bodies are not parsed here: only `commit` needs one, and the ceiling parses nothing.
        Ok(bytes)
    }

    /// A tag among the `tag_head` most used, drawn with their Zipf weights (draws past the
    /// head are drawn again).
    fn head_tag(&self, rng: &mut Rng) -> &str {
        let head = self.shape.tag_head.clamp(1, self.info.tags.len().max(1));
        let rank = (0..64)
            .map(|_| self.zipf.sample(rng))
            .find(|r| *r < head)
            .unwrap_or(0);
        &self.info.tags[rank]
    }

    fn list_target(&self, rng: &mut Rng, owners: &[String], filtered: bool) -> String {
        let owner = &owners[rng.below(owners.len() as u64) as usize];
        // The head of the distribution: the tags analysts actually click.
        let tag = self.head_tag(rng);
        let mut t = format!(
            "/v2/tags/{}/groups/incidents?owner={}&resultStart=0&resultLimit={}",
            encode_segment(tag),
            owner.replace(' ', "+"),
            self.shape.page_size
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

    async fn commit(&self, conn: &mut Conn, rng: &mut Rng) -> Result<()> {
        let owner =
            self.info.owners[rng.below(self.info.owners.len() as u64) as usize].replace(' ', "+");
        let body = serde_json::json!({"name": format!("bench commit {}", rng.next_u64()), "eventDate": "2026-01-01T00:00:00Z"});
        let created = self
            .send(
                conn,
                &self.info.admin,
                Method::POST,
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
            conn,
            &self.info.admin,
            Method::POST,
            &format!("{base}/attributes?owner={owner}"),
            Some(attr),
        )
        .await?;
        let tag = encode_segment(&self.info.tags[self.zipf.sample(rng)]);
        self.send(
            conn,
            &self.info.admin,
            Method::POST,
            &format!("{base}/tags/{tag}?owner={owner}"),
            None,
        )
        .await?;
        self.send(
            conn,
            &self.info.admin,
            Method::POST,
            &format!("{base}/securityLabels/TLP%20Green?owner={owner}"),
            None,
        )
        .await?;
        Ok(())
    }

    /// A TAXII page (deep when `deep`, else the first); the objects it held.
    async fn taxii_page(&self, conn: &mut Conn, rng: &mut Rng, deep: bool) -> Result<u64> {
        use base64::Engine;
        let owners = &self.info.owners;
        let owner = &owners[rng.below(owners.len() as u64) as usize];
        let cid = threatdb_stix::ids::collection(owner);
        let mut path = format!(
            "/taxii2/api/collections/{cid}/objects/?limit={}",
            self.shape.page_size
        );
        if deep {
            let now = threatdb_core::date::now().unix_timestamp();
            let after = now - rng.below(2 * 365 * 86_400) as i64;
            let at = threatdb_stix::objects::stix_time(threatdb_core::date::from_unix(after));
            path.push_str(&format!("&added_after={at}"));
        }
        let who = &self.info.admin;
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", who.access_id, who.secret_key));
        let headers = [
            (AUTHORIZATION, format!("Basic {basic}")),
            (
                HeaderName::from_static("accept"),
                "application/taxii+json;version=2.1".to_string(),
            ),
        ];
        let (status, body) = conn.send(Method::GET, &path, &headers, None).await?;
        if !status.is_success() {
            bail!("GET {path}: {status} {}", String::from_utf8_lossy(&body));
        }
        Ok(rows(&body))
    }

    /// One operation; the objects it listed (0 for anything but a list).
    async fn op(&self, conn: &mut Conn, scenario: Scenario, rng: &mut Rng) -> Result<u64> {
        let admin = &self.info.admin;
        let (target, who) = match scenario {
            Scenario::Get => {
                let id = 1 + rng.below(self.info.incidents.max(1));
                (format!("/v2/groups/incidents/{id}"), admin)
            }
            Scenario::List => (self.list_target(rng, &self.info.owners, false), admin),
            Scenario::ListFiltered => (self.list_target(rng, &self.info.owners, true), admin),
            Scenario::ListMember => (
                self.list_target(rng, &self.info.member_owners, false),
                &self.info.member,
            ),
            Scenario::Commit => return self.commit(conn, rng).await.map(|()| 0),
            Scenario::V3Get => {
                let id = 1 + rng.below(self.info.incidents.max(1));
                (format!("/v3/groups/{id}"), admin)
            }
            Scenario::V3Tql => {
                let owners = &self.info.owners;
                let owner = &owners[rng.below(owners.len() as u64) as usize];
                let tag = self.head_tag(rng);
                let tql = format!(
                    "typeName EQ \"Incident\" AND hasTag(summary EQ \"{}\")",
                    tag.replace('\\', "\\\\").replace('"', "\\\"")
                );
                let query: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("owner", owner)
                    .append_pair("tql", &tql)
                    .append_pair("count", "true")
                    .append_pair("resultLimit", &self.shape.page_size.to_string())
                    .finish();
                (format!("/v3/groups?{query}"), admin)
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
                return self
                    .send(
                        conn,
                        admin,
                        Method::POST,
                        "/v3/groups",
                        Some(body.to_string()),
                    )
                    .await
                    .map(|_| 0);
            }
            Scenario::V3IndGet => {
                if self.info.indicators == 0 {
                    bail!("v3-ind-get needs a seed with --indicators-per-incident");
                }
                let id = 1 + rng.below(self.info.indicators);
                (format!("/v3/indicators/{id}"), admin)
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
                        .append_pair("resultLimit", &self.shape.page_size.to_string());
                    if let Some(after) = after {
                        q.append_pair("afterId", &after.to_string());
                    }
                    q.finish()
                };
                (format!("/v3/indicators?{query}"), admin)
            }
            Scenario::Reverse => {
                let samples = &self.info.reverse;
                if samples.is_empty() {
                    bail!("reverse needs a seed with --indicators-per-incident");
                }
                let s = &samples[rng.below(samples.len() as u64) as usize];
                (
                    format!(
                        "/v2/indicators/{}/{}/groups/incidents?owner={}&resultLimit={}",
                        s.kind,
                        encode_segment(&s.value),
                        s.owner.replace(' ', "+"),
                        self.shape.page_size
                    ),
                    admin,
                )
            }
            Scenario::Mixed => {
                return match rng.below(20) {
                    0..=8 => Box::pin(self.op(conn, Scenario::Get, rng)).await,
                    9..=17 => Box::pin(self.op(conn, Scenario::List, rng)).await,
                    _ => self.commit(conn, rng).await.map(|()| 0),
                };
            }
            Scenario::TaxiiPage => {
                let deep = rng.below(2) == 1;
                return self.taxii_page(conn, rng, deep).await;
            }
            Scenario::TaxiiFirst => return self.taxii_page(conn, rng, false).await,
            Scenario::TaxiiDeep => return self.taxii_page(conn, rng, true).await,
            Scenario::Ceiling => {
                let (status, _) = conn.send(Method::GET, "/healthz", &[], None).await?;
                if !status.is_success() {
                    bail!("/healthz: {status}");
                }
                return Ok(0);
            }
        };
        let body = self.send(conn, who, Method::GET, &target, None).await?;
        Ok(if scenario.lists() { rows(&body) } else { 0 })
    }
}

/// The longest a request may take before it counts as an error.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs one scenario against `origin` (`http://127.0.0.1:8450`).
pub async fn run(
    origin: &str,
    info: &BenchInfo,
    scenario: Scenario,
    concurrency: usize,
    duration: Duration,
    shape: Shape,
) -> Result<LoadReport> {
    let target = Target::parse(origin)?;
    let ctx = Arc::new(Ctx {
        target,
        info: info.clone(),
        zipf: Zipf::new(info.tags.len()),
        shape,
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
            let mut conn = Conn::new(ctx.target.clone());
            let (mut ops, mut errors, mut first_error, mut listed) = (0u64, 0u64, None, 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                let op = ctx.op(&mut conn, scenario, &mut rng);
                let outcome = match tokio::time::timeout(TIMEOUT, op).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(anyhow::anyhow!("no answer within {TIMEOUT:?}")),
                };
                match outcome {
                    Ok(n) => {
                        ops += 1;
                        listed += n;
                        let _ = hist.record(t.elapsed().as_micros() as u64);
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("{e:#}"));
                    }
                }
            }
            (hist, ops, errors, first_error, listed)
        }));
    }
    let mut hist = empty;
    let (mut ops, mut errors, mut first_error, mut listed) = (0, 0, None, 0);
    for t in tasks {
        let (h, o, e, f, n) = t.await?;
        hist.add(&h)?;
        ops += o;
        listed += n;
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
        rows_per_op: listed as f64 / ops.max(1) as f64,
        first_error,
    })
}
