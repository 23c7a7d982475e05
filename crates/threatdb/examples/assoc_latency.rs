//! Latency of the indicator reverse look-up `GET /v2/indicators/hosts/{h}/groups/incidents`
//! with 100,000 incidents and 1,000,000 incident–host associations loaded.
//!
//! ```text
//! cargo run --release -p threatdb --example assoc_latency            # SQLite (temp dir)
//! THREATDB_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo run --release -p threatdb --example assoc_latency           # PostgreSQL (temp db)
//! ```
//!
//! Each incident is linked to 10 of 50,000 hosts (about 20 incidents per host), and every
//! 100th incident also to `hot.example` (1,000 incidents). Requests are signed and sent one at
//! a time over a keep-alive connection to a server on 127.0.0.1; the first page (100 items,
//! with `resultCount`) is measured, with and without `owner=`. `THREATDB_BENCH_KEEP=1` keeps the
//! PostgreSQL database (and prints its URL) for `EXPLAIN`.

use anyhow::{Context, Result};
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::time::Instant;
use threatdb_core::{
    AdminStore, BulkLinks, BulkLoad, IncidentStatus, IndicatorKind, SeedIncident, Store,
};
use threatdb_server::provision::bootstrap;
use threatdb_server::{AppState, MasterKey};

const INCIDENTS: i64 = 100_000;
const LINKS_PER_INCIDENT: i64 = 10;
const HOSTS: i64 = 50_000;
const SAMPLES: usize = 300;

type Stores = (
    Arc<dyn Store>,
    Arc<dyn AdminStore>,
    Arc<dyn BulkLoad>,
    Arc<dyn BulkLinks>,
);

async fn open(
    dir: &std::path::Path,
) -> Result<(Stores, Option<threatdb_store_pg::testing::TestDatabase>)> {
    if let Ok(url) = std::env::var("THREATDB_BENCH_PG_URL") {
        let db = threatdb_store_pg::testing::TestDatabase::create(&url).await;
        let s = Arc::new(
            threatdb_store_pg::PgStore::connect(&db.url, threatdb_store_pg::PgSettings::default())
                .await?,
        );
        return Ok(((s.clone(), s.clone(), s.clone(), s), Some(db)));
    }
    let s = Arc::new(threatdb_store_sqlite::SqliteStore::open(&dir.join("bench.db")).await?);
    Ok(((s.clone(), s.clone(), s.clone(), s), None))
}

#[tokio::main]
async fn main() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let ((store, admin, bulk, links), pg) = open(dir.path()).await?;
    let keys = MasterKey::generate();
    let boot = bootstrap(admin.as_ref(), &keys)
        .await?
        .context("fresh database")?;
    let org = admin.owner_by_name("Example Organization").await?;
    let t = Instant::now();
    let now = threatdb_core::date::now();
    for batch in 0..INCIDENTS / 10_000 {
        let seeds = (0..10_000)
            .map(|n| SeedIncident {
                owner_id: org.id,
                name: format!("Incident {}", batch * 10_000 + n),
                event_date: now,
                date_added: now,
                status: IncidentStatus::New,
                created_by: "bench".into(),
                tag_ids: vec![],
                attributes: vec![],
                label_id: None,
            })
            .collect();
        bulk.bulk_incidents(seeds).await?;
    }
    println!("{INCIDENTS} incidents loaded in {:.1?}", t.elapsed());
    let (creds, actor) = store
        .credentials(&boot.access_id)
        .await?
        .context("bootstrap user")?;
    let _ = creds;
    // The incidents' ids, in order.
    let mut ids = Vec::with_capacity(INCIDENTS as usize);
    let mut q = threatdb_core::IncidentQuery::owner(org.clone());
    q.paging = threatdb_core::Paging::new(0, 10_000)?;
    loop {
        let page = store.list_incidents(&actor, &q).await?;
        let n = page.items.len();
        ids.extend(page.items.into_iter().map(|d| d.incident.id));
        if n < 10_000 {
            break;
        }
        q.paging = threatdb_core::Paging::new(q.paging.start + 10_000, 10_000)?;
    }
    let t = Instant::now();
    let mut batch = Vec::with_capacity(100_000);
    let mut total = 0u64;
    for (k, id) in ids.iter().enumerate() {
        let k = k as i64;
        for j in 0..LINKS_PER_INCIDENT {
            let h = (k * 7_919 + j * 104_729) % HOSTS;
            batch.push((format!("h{h}.example"), *id));
        }
        if k % 100 == 0 {
            batch.push(("hot.example".to_string(), *id));
        }
        if batch.len() >= 100_000 {
            total += links
                .bulk_indicator_links(org.id, IndicatorKind::Host, std::mem::take(&mut batch))
                .await?;
        }
    }
    total += links
        .bulk_indicator_links(org.id, IndicatorKind::Host, batch)
        .await?;
    println!("{total} associations loaded in {:.1?}", t.elapsed());
    // Fresh statistics, as after any bulk load (VACUUM ANALYZE on PostgreSQL).
    bulk.bulk_done().await?;
    links.links_done().await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    tokio::spawn(threatdb_server::serve(
        listener,
        AppState::new(store.clone(), keys, &origin),
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    for (label, path) in [
        (
            "typical host (~20)",
            "/v2/indicators/hosts/h4242.example/groups/incidents",
        ),
        (
            "typical host, owner=",
            "/v2/indicators/hosts/h4242.example/groups/incidents?owner=Example+Organization",
        ),
        (
            "hot host (1,000)",
            "/v2/indicators/hosts/hot.example/groups/incidents",
        ),
        (
            "hot host, owner=",
            "/v2/indicators/hosts/hot.example/groups/incidents?owner=Example+Organization&resultLimit=100&resultStart=0",
        ),
    ] {
        let mut hist = Histogram::<u64>::new(3)?;
        let mut count = 0;
        for _ in 0..SAMPLES {
            let signed = format!("/api{path}");
            let ts = threatdb_core::date::now().unix_timestamp();
            let auth = threatdb_wire::signing::authorization(
                &boot.access_id,
                &boot.secret_key,
                &signed,
                "GET",
                ts,
            );
            let start = Instant::now();
            let resp = client
                .get(format!("{origin}{signed}"))
                .header("Timestamp", ts.to_string())
                .header("Authorization", auth)
                .send()
                .await?;
            let body: serde_json::Value = resp.json().await?;
            hist.record(start.elapsed().as_micros() as u64)?;
            count = body["data"]["resultCount"].as_u64().unwrap_or(0);
        }
        println!(
            "{backend} {label}: resultCount {count}, p50 {} µs, p95 {} µs, p99 {} µs, max {} µs ({SAMPLES} requests)",
            hist.value_at_quantile(0.5),
            hist.value_at_quantile(0.95),
            hist.value_at_quantile(0.99),
            hist.max()
        );
    }
    if let Some(db) = pg {
        if std::env::var_os("THREATDB_BENCH_KEEP").is_some() {
            println!("kept {}", db.url);
        } else {
            db.drop_db().await;
        }
    }
    Ok(())
}
