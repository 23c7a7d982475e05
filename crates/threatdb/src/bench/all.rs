//! `threatdb bench all`: seed, start a server from this binary, run every scenario against it
//! (each with the HTTP ceiling measured right before it), measure start-up time and resident
//! memory, and print one table with the targets marked met or missed.

use super::load::{self, LoadReport, Scenario};
use super::seed::{self, BenchInfo};
use anyhow::{Context, Result, bail};
use clap::Args;
use comfy_table::Table;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct AllArgs {
    /// How many incidents to seed.
    #[arg(long, default_value_t = 1_000_000)]
    incidents: u64,
    /// Seconds per scenario (and as long again for its ceiling).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Requests in flight for the read scenarios.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Requests in flight for `commit`.
    #[arg(long, default_value_t = 64)]
    commit_concurrency: usize,
    /// Where to seed (default: a new directory under the system temp dir, removed afterwards).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Also write every result to this JSON file.
    #[arg(long, default_value = "bench-results.json")]
    json: PathBuf,
    /// Print less (no progress bar).
    #[arg(long)]
    quiet: bool,
    /// Run on this fresh PostgreSQL database instead of SQLite (the data directory still holds
    /// the master key and bench.json).
    #[arg(long = "database")]
    database: Option<String>,
}

pub(super) struct Server {
    pub(super) child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `threatdb serve` on the data directory; returns it and its origin.
pub(super) fn start(data_dir: &Path, database: Option<&str>) -> Result<(Server, String)> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env_remove("THREATDB_DATABASE_URL");
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start threatdb serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let origin = loop {
        let Some(line) = lines.next() else {
            bail!("threatdb serve exited before listening")
        };
        if let Some(rest) = line?.strip_prefix("threatdb listening on ") {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok((Server { child }, origin))
}

/// Resident memory of a process, in MB.
pub(super) fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Time from process start to the first answered authenticated request.
pub(super) async fn startup(
    data_dir: &Path,
    database: Option<&str>,
    info: &BenchInfo,
) -> Result<(Server, String, Duration)> {
    let t = Instant::now();
    let (server, origin) = start(data_dir, database)?;
    let client = reqwest::Client::new();
    loop {
        let path = "/api/v2/groups/incidents/1";
        let ts = threatdb_core::date::now().unix_timestamp();
        let auth = threatdb_wire::signing::authorization(
            &info.admin.access_id,
            &info.admin.secret_key,
            path,
            "GET",
            ts,
        );
        let ok = client
            .get(format!("{origin}{path}"))
            .header("Timestamp", ts.to_string())
            .header("Authorization", auth)
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        if ok {
            return Ok((server, origin, t.elapsed()));
        }
        if t.elapsed() > Duration::from_secs(60) {
            bail!("the server did not answer within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

pub async fn run(a: AllArgs) -> Result<()> {
    let temp = a.data_dir.is_none();
    let data_dir = a.data_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("threatdb-bench-{}", std::process::id()))
    });
    println!(
        "seeding {} incidents into {} ...",
        a.incidents,
        data_dir.display()
    );
    let seeded = seed::seed(
        &data_dir,
        a.database.as_deref(),
        a.incidents,
        a.quiet,
        true,
        0,
    )
    .await?;
    let info = super::read_info(&data_dir)?;

    let (server, origin, started_in) = startup(&data_dir, a.database.as_deref(), &info).await?;
    let pid = server.child.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = rss_mb(pid);
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max((rss_mb(pid) * 1000.0) as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let d = Duration::from_secs(a.duration);
    let mut rows: Vec<(LoadReport, Option<f64>)> = Vec::new();
    for scenario in Scenario::ALL {
        let c = if scenario == Scenario::Commit {
            a.commit_concurrency
        } else {
            a.concurrency
        };
        if !a.quiet {
            println!(
                "running {} (concurrency {c}, {} s, then its ceiling) ...",
                scenario.name(),
                a.duration
            );
        }
        let shape = load::Shape::default();
        let ceiling = load::run(&origin, &info, Scenario::Ceiling, c, d, shape).await?;
        let r = load::run(&origin, &info, scenario, c, d, shape).await?;
        rows.push((r, Some(ceiling.ops_per_s)));
    }
    sampler.abort();
    let rss_load = peak.load(Ordering::Relaxed) as f64 / 1000.0;
    drop(server);

    println!();
    println!(
        "store: {}",
        if a.database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "seed: {} incidents, bulk path {:.0} rows/s, storage ceiling {:.0} rows/s (SQLite only), ratio {:.0} %",
        seeded.incidents,
        seeded.store_rows_per_s,
        seeded.ceiling_rows_per_s,
        seeded.ratio * 100.0
    );
    super::print_loads(&rows);
    let get = |s: Scenario| rows.iter().find(|(r, _)| r.scenario == s);
    let mut targets = Table::new();
    targets.set_header(vec!["target", "goal", "measured", ""]);
    targets.add_row(vec![
        "bulk seed".into(),
        ">= 50 % of storage ceiling".into(),
        format!("{:.0} %", seeded.ratio * 100.0),
        mark(seeded.ratio >= 0.5).to_string(),
    ]);
    if let Some((g, Some(c))) = get(Scenario::Get) {
        let ratio = g.ops_per_s / c;
        targets.add_row(vec![
            "get by id".into(),
            ">= 50 % of HTTP ceiling".into(),
            format!("{:.0} %", ratio * 100.0),
            mark(ratio >= 0.5).into(),
        ]);
    }
    for s in [Scenario::List, Scenario::ListFiltered] {
        if let Some((r, _)) = get(s) {
            targets.add_row(vec![
                format!("{} p99", s.name()),
                "<= 20 ms".into(),
                format!("{:.2} ms", r.p99_ms),
                mark(r.p99_ms <= 20.0).into(),
            ]);
        }
    }
    if let (Some((m, _)), Some((l, _))) = (get(Scenario::ListMember), get(Scenario::List)) {
        let ratio = m.p99_ms / l.p99_ms.max(1e-9);
        targets.add_row(vec![
            "list-member / list p99".into(),
            "<= 1.25".into(),
            format!("{ratio:.2}"),
            mark(ratio <= 1.25).into(),
        ]);
    }
    if let Some((r, _)) = get(Scenario::Commit) {
        targets.add_row(vec![
            format!("commit, conc. {}", r.concurrency),
            ">= 2,000 creates/s".into(),
            format!("{:.0}/s", r.ops_per_s),
            mark(r.ops_per_s >= 2000.0).into(),
        ]);
    }
    targets.add_row(vec![
        "start-up to first answer".into(),
        "<= 1 s".into(),
        format!("{:.0} ms", started_in.as_secs_f64() * 1000.0),
        mark(started_in <= Duration::from_secs(1)).into(),
    ]);
    targets.add_row(vec![
        "memory idle".into(),
        "<= 50 MB".into(),
        format!("{rss_idle:.0} MB"),
        mark(rss_idle <= 50.0).into(),
    ]);
    targets.add_row(vec![
        "memory under load".into(),
        "<= 300 MB".into(),
        format!("{rss_load:.0} MB"),
        mark(rss_load <= 300.0).into(),
    ]);
    println!("{targets}");

    let json = serde_json::json!({
        "incidents": a.incidents,
        "seed": seeded,
        "startup_ms": started_in.as_secs_f64() * 1000.0,
        "rss_idle_mb": rss_idle,
        "rss_load_mb": rss_load,
        "scenarios": rows.iter().map(|(r, c)| serde_json::json!({"result": r, "ceiling_ops_per_s": c})).collect::<Vec<_>>(),
    });
    std::fs::write(&a.json, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("cannot write {}", a.json.display()))?;
    println!("results written to {}", a.json.display());
    if temp {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    Ok(())
}
