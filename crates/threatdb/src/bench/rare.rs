//! `threatdb bench rare`: the rare-match filters (a name prefix that matches nothing or one, a
//! rare status, a rare label, a one-hour event window, a substring) timed on the store of a
//! seeded data directory, each at the same concurrency, p50/p99 per filter. These are the
//! queries whose cost would grow with the owner's size if a condition were checked row by row.

use super::data::{EVENT_END, FIVE_YEARS, Rng};
use super::seed::{BenchInfo, info_path};
use crate::config::DataArgs;
use anyhow::{Context, Result};
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::time::{Duration, Instant};
use threatdb_core::{
    Actor, Cmp, Cond, IncidentQuery, IncidentStatus, Owner, Paging, Store, TextMatch,
};

/// One filter's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RareReport {
    pub filter: &'static str,
    pub ops_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Matches on the last first page (to show they are rare).
    pub last_total: u64,
}

/// The filters, by name.
pub const FILTERS: [&str; 6] = [
    "name ^ (no match)",
    "name ^ (one match)",
    "status Rejected",
    "label TLP:RED",
    "eventDate 1 hour",
    "name contains",
];

fn query(filter: &str, owner: &Owner, paging: Paging, rng: &mut Rng) -> IncidentQuery {
    let mut q = IncidentQuery::owner(owner.clone());
    q.paging = paging;
    let at = EVENT_END - rng.below(FIVE_YEARS as u64) as i64;
    q.and(match filter {
        "name ^ (no match)" => Cond::Name(TextMatch::StartsWith, "Op".into()),
        "name ^ (one match)" => Cond::Name(
            TextMatch::StartsWith,
            format!("Incident {}:", 1 + rng.below(1_000)),
        ),
        "status Rejected" => Cond::Status(IncidentStatus::Rejected),
        "label TLP:RED" => Cond::Label("TLP:RED".into()),
        "eventDate 1 hour" => Cond::EventDate(Cmp::Gt, threatdb_core::date::from_unix(at)),
        _ => Cond::Name(
            TextMatch::Contains,
            format!("site {:04}", rng.below(10_000)),
        ),
    });
    if filter == "eventDate 1 hour" {
        q.and(Cond::EventDate(
            Cmp::Lt,
            threatdb_core::date::from_unix(at + 3_600),
        ));
    }
    q
}

/// Runs every filter for `duration` at `concurrency` on the seeded store, each after `warm_up`
/// of the same unmeasured.
pub async fn run(
    data: &DataArgs,
    concurrency: usize,
    (warm_up, duration): (Duration, Duration),
    paging: Paging,
) -> Result<Vec<RareReport>> {
    let path = info_path(&data.data_dir);
    let info: BenchInfo = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?,
    )?;
    let opened = data.open_store().await?;
    let store = opened.store();
    let (_, actor) = store
        .credentials(&info.admin.access_id)
        .await?
        .context("the seeded administrator is missing")?;
    let actor = Arc::new(actor);
    let owners: Arc<Vec<Owner>> = Arc::new(
        actor
            .memberships
            .iter()
            .filter(|m| info.owners.contains(&m.owner.name))
            .map(|m| m.owner.clone())
            .collect(),
    );
    let mut out = Vec::new();
    for filter in FILTERS {
        if !warm_up.is_zero() {
            one(
                &store,
                &actor,
                &owners,
                filter,
                (concurrency, warm_up),
                paging,
            )
            .await?;
        }
        out.push(
            one(
                &store,
                &actor,
                &owners,
                filter,
                (concurrency, duration),
                paging,
            )
            .await?,
        );
    }
    opened.close().await;
    Ok(out)
}

async fn one(
    store: &Arc<dyn Store>,
    actor: &Arc<Actor>,
    owners: &Arc<Vec<Owner>>,
    filter: &'static str,
    (concurrency, duration): (usize, Duration),
    paging: Paging,
) -> Result<RareReport> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (store, actor, owners) = (store.clone(), actor.clone(), owners.clone());
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut rng = Rng::new(0x5EED_0000 + worker as u64);
            let mut last = 0;
            while Instant::now() < deadline {
                let owner = &owners[rng.below(owners.len() as u64) as usize];
                let q = query(filter, owner, paging, &mut rng);
                let t = Instant::now();
                let page = store.list_incidents(&actor, &q).await?;
                let _ = hist.record(t.elapsed().as_micros() as u64);
                last = page.total.unwrap_or(0);
                // SQLite answers a read without ever yielding: without this, one task would
                // hold its thread until the deadline and "concurrency 16" would mean 2 (the
                // runtime's threads), with the others never run.
                tokio::task::yield_now().await;
            }
            anyhow::Ok((hist, last))
        }));
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut last_total = 0;
    for t in tasks {
        let (h, last) = t.await??;
        hist.add(&h)?;
        last_total = last;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(RareReport {
        filter,
        ops_per_s: hist.len() as f64 / seconds,
        p50_ms: hist.value_at_quantile(0.5) as f64 / 1000.0,
        p99_ms: hist.value_at_quantile(0.99) as f64 / 1000.0,
        last_total,
    })
}
