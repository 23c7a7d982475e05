//! `threatdb bench`: the instrument behind the performance targets. `seed` fills a data
//! directory through the bulk path, `load` drives a running server, `all` does both against a
//! server it starts, with start-up time and memory, and prints one table.

mod all;
mod audit;
mod data;
mod http;
mod ingest;
mod load;
mod rare;
mod scale;
mod seed;
mod stix;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use comfy_table::Table;
use std::path::PathBuf;
use std::time::Duration;

pub use load::Scenario;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Fill a fresh data directory with a realistic, deterministic dataset (and measure the
    /// storage ceiling in the same run).
    Seed {
        /// The data directory to create (must not hold a database yet).
        #[arg(long, default_value = "bench-data")]
        data_dir: PathBuf,
        /// How many incidents.
        #[arg(long, default_value_t = 100_000)]
        incidents: u64,
        /// Seed this fresh PostgreSQL database instead of the data directory's SQLite file.
        #[arg(long = "database")]
        database: Option<String>,
        /// Skip the storage-ceiling comparison (it writes every row a second time, into a
        /// scratch database): for seeding large datasets only.
        #[arg(long)]
        no_ceiling: bool,
        /// Indicators per incident (0 to 3: a Host, an Address, a File), each linked to it,
        /// for the v3-ind-* scenarios.
        #[arg(long, default_value_t = 0)]
        indicators_per_incident: usize,
    },
    /// Drive a running server seeded by `bench seed` (its credentials come from bench.json).
    Load {
        /// The server's origin.
        #[arg(long, default_value = "http://127.0.0.1:8450")]
        url: String,
        /// The seeded data directory (for bench.json).
        #[arg(long, default_value = "bench-data")]
        data_dir: PathBuf,
        /// What to do.
        #[arg(long, value_enum, default_value = "get")]
        scenario: Scenario,
        /// Requests in flight.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Seconds to run (the ceiling runs as long again).
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Also write the results to this JSON file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// `resultLimit` of the list scenarios.
        #[arg(long, default_value_t = 100)]
        page_size: u64,
    },
    /// Seed, start a server, run every scenario, measure start-up and memory, print one table.
    All(all::AllArgs),
    /// The scale curve: for each size, seed, start a server, time the reads that must not
    /// slow down as the store grows, and draw them as an SVG chart.
    Scale(scale::ScaleArgs),
    /// Write a feed of Host indicators through the Batch API of a running server seeded by
    /// `bench seed`, as tcex does (jobs polled to completion one after another), twice (new,
    /// then deduplicated), and insert the same rows into a scratch SQLite table in the same run.
    Ingest {
        /// The server's origin.
        #[arg(long, default_value = "http://127.0.0.1:8450")]
        url: String,
        /// The seeded data directory (for bench.json; the scratch table goes beside it).
        #[arg(long, default_value = "bench-data")]
        data_dir: PathBuf,
        /// Indicators in the feed.
        #[arg(long, default_value_t = 100_000)]
        indicators: u64,
        /// Objects per job (tcex sends at most 5,000).
        #[arg(long, default_value_t = 5_000)]
        job_size: u64,
        /// Each job also carries an incident, and every indicator is linked to it.
        #[arg(long)]
        linked: bool,
    },
    /// The audit log at a size: append entries (1,000 a transaction), then verify the whole
    /// chain as `threatdb admin audit verify` does, each timed.
    Audit(audit::AuditArgs),
    /// STIX at a size: seed a data directory through the bulk path, export it, import the
    /// bundle into an empty one, each timed, with the rates' ratios to the seed's.
    Stix(stix::StixArgs),
    /// The rare-match filters (name prefix, rare status, rare label, a one-hour event window, a
    /// substring) on the store of a seeded data directory: p50/p99 of each at one concurrency.
    Rare {
        #[command(flatten)]
        data: crate::config::DataArgs,
        /// Lists in flight.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Seconds per filter.
        #[arg(long, default_value_t = 5)]
        duration: u64,
        /// Incidents per page (`resultLimit`). Hold it small to compare sizes: a rare filter
        /// matches almost nothing at 10 k and fills a page of 100 at 10 M, and reading a
        /// page's incidents is not what the filter costs.
        #[arg(long, default_value_t = threatdb_core::Paging::DEFAULT_LIMIT)]
        page_size: u64,
    },
}

pub async fn run(args: BenchArgs) -> Result<()> {
    match args.command {
        BenchCommand::Seed {
            data_dir,
            incidents,
            database,
            no_ceiling,
            indicators_per_incident,
        } => {
            let r = seed::seed(
                &data_dir,
                database.as_deref(),
                incidents,
                false,
                !no_ceiling,
                indicators_per_incident,
            )
            .await?;
            if r.ceiling_rows_per_s > 0.0 {
                println!(
                    "seeded {} incidents in {:.1} s: bulk path {:.0} rows/s, storage ceiling {:.0} rows/s, ratio {:.0} %",
                    r.incidents,
                    r.seconds,
                    r.store_rows_per_s,
                    r.ceiling_rows_per_s,
                    r.ratio * 100.0
                );
            } else {
                println!(
                    "seeded {} incidents in {:.1} s: bulk path {:.0} rows/s",
                    r.incidents, r.seconds, r.store_rows_per_s
                );
            }
            let database = database
                .map(|d| format!(" --database {d}"))
                .unwrap_or_default();
            println!(
                "start it with: threatdb serve --data-dir {}{database}",
                data_dir.display()
            );
            Ok(())
        }
        BenchCommand::Load {
            url,
            data_dir,
            scenario,
            concurrency,
            duration,
            json,
            page_size,
        } => {
            let info = read_info(&data_dir)?;
            let d = Duration::from_secs(duration);
            let shape = load::Shape {
                page_size,
                ..Default::default()
            };
            let ceiling = load::run(&url, &info, Scenario::Ceiling, concurrency, d, shape).await?;
            let result = load::run(&url, &info, scenario, concurrency, d, shape).await?;
            print_loads(&[(result.clone(), Some(ceiling.ops_per_s))]);
            if let Some(path) = json {
                std::fs::write(
                    &path,
                    serde_json::to_string_pretty(
                        &serde_json::json!({"ceiling": ceiling, "result": result}),
                    )?,
                )?;
            }
            Ok(())
        }
        BenchCommand::All(a) => all::run(a).await,
        BenchCommand::Scale(a) => scale::run(a).await,
        BenchCommand::Stix(a) => stix::run(a).await,
        BenchCommand::Audit(a) => audit::run(a).await,
        BenchCommand::Ingest {
            url,
            data_dir,
            indicators,
            job_size,
            linked,
        } => {
            let info = read_info(&data_dir)?;
            let (passes, ceiling) =
                ingest::run(&url, &info, &data_dir, indicators, job_size, linked).await?;
            let mut table = Table::new();
            table.set_header(vec![
                "ingest",
                "indicators",
                "seconds",
                "indicators/s",
                "of raw insert",
            ]);
            for p in passes.iter().chain([&ceiling]) {
                table.add_row(vec![
                    p.name.to_string(),
                    p.indicators.to_string(),
                    format!("{:.2}", p.seconds),
                    format!("{:.0}", p.rate()),
                    format!("{:.1} %", 100.0 * p.rate() / ceiling.rate().max(1e-9)),
                ]);
            }
            println!("{table}");
            Ok(())
        }
        BenchCommand::Rare {
            data,
            concurrency,
            duration,
            page_size,
        } => {
            let paging = threatdb_core::Paging::new(0, page_size)?;
            let rows = rare::run(
                &data,
                concurrency,
                (Duration::ZERO, Duration::from_secs(duration)),
                paging,
            )
            .await?;
            let mut table = Table::new();
            table.set_header(vec![
                "filter (list-rare)",
                "conc.",
                "ops/s",
                "p50 ms",
                "p99 ms",
                "matches",
            ]);
            for r in &rows {
                table.add_row(vec![
                    r.filter.to_string(),
                    concurrency.to_string(),
                    format!("{:.0}", r.ops_per_s),
                    format!("{:.2}", r.p50_ms),
                    format!("{:.2}", r.p99_ms),
                    r.last_total.to_string(),
                ]);
            }
            println!("{table}");
            Ok(())
        }
    }
}

fn read_info(data_dir: &std::path::Path) -> Result<seed::BenchInfo> {
    let path = seed::info_path(data_dir);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (run `threatdb bench seed` first)",
            path.display()
        )
    })?;
    Ok(serde_json::from_str(&text)?)
}

/// A progress bar on a terminal, hidden otherwise.
pub fn progress(total: u64, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)"
    )) {
        bar.set_style(style);
    }
    bar
}

fn print_loads(rows: &[(load::LoadReport, Option<f64>)]) {
    let mut table = Table::new();
    table.set_header(vec![
        "scenario",
        "conc.",
        "ops/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "rows",
        "errors",
        "ceiling ops/s",
        "of ceiling",
    ]);
    for (r, ceiling) in rows {
        table.add_row(vec![
            r.scenario.name().to_string(),
            r.concurrency.to_string(),
            format!("{:.0}", r.ops_per_s),
            format!("{:.2}", r.p50_ms),
            format!("{:.2}", r.p95_ms),
            format!("{:.2}", r.p99_ms),
            format!("{:.1}", r.max_ms),
            if r.scenario.lists() {
                format!("{:.1}", r.rows_per_op)
            } else {
                String::new()
            },
            r.errors.to_string(),
            ceiling.map(|c| format!("{c:.0}")).unwrap_or_default(),
            ceiling
                .map(|c| format!("{:.0} %", 100.0 * r.ops_per_s / c))
                .unwrap_or_default(),
        ]);
    }
    println!("{table}");
    for (r, _) in rows {
        if let Some(e) = &r.first_error {
            println!("{}: first error: {e}", r.scenario.name());
        }
    }
}
