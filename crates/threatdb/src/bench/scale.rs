//! `threatdb bench scale`: the scale curve. For each size it seeds a data directory (incidents
//! with three linked indicators each), measures the bytes on disk per incident and the start-up
//! time, runs the read scenarios against a server started from this binary and the rare-match
//! filters on the store, then prints one table per measure with the growth from the smallest to
//! the largest size, and draws the p99s as an SVG chart. Lists are read with a fixed page size
//! and their mean rows per answer are printed, so that a size's figure is not cheaper only
//! because its pages are emptier.

use super::all::{Server, startup};
use super::load::{self, LoadReport, Scenario, Shape};
use super::rare::{self, RareReport};
use super::seed::{self, BenchInfo};
use anyhow::{Context, Result, bail};
use clap::Args;
use comfy_table::Table;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Args, Debug)]
pub struct ScaleArgs {
    /// Store sizes, in incidents (each seeded with 3 indicators per incident).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10000,100000,1000000,10000000"
    )]
    sizes: Vec<u64>,
    /// Seconds per scenario and per rare filter.
    #[arg(long, default_value_t = 5)]
    duration: u64,
    /// Requests in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// `resultLimit` of every list, held constant across sizes.
    #[arg(long, default_value_t = 10)]
    page_size: u64,
    /// The tag lists draw their tag from this many of the most used tags (Zipf-weighted), so
    /// that their pages are full at the smallest size too.
    #[arg(long, default_value_t = 10)]
    tag_head: usize,
    /// Seconds each scenario runs, unmeasured, before it is measured: a server's caches are
    /// warm in use, and a figure taken from a cold start measures the start.
    #[arg(long, default_value_t = 2)]
    warm_up: u64,
    /// Where the data directories go (`scale-<size>` in it); a directory that already holds a
    /// complete seed of its size is used again instead of seeded. Default: a new directory
    /// under the system temp dir.
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Keep the seeded data directories (otherwise each is removed once measured).
    #[arg(long)]
    keep: bool,
    /// Where scale-curve-<store>.svg, .json and .txt are written (the store: sqlite or
    /// postgresql).
    #[arg(long, default_value = "docs")]
    output_dir: PathBuf,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
    /// Measure PostgreSQL: the URL of any database on the server, where a database
    /// `threatdb_scale_<size>` is made for each size (dropped afterwards unless --keep; one that
    /// a kept run left with a complete seed is used again). The data directories still hold
    /// the master key and bench.json.
    #[arg(long, value_name = "URL")]
    database_server: Option<String>,
}

impl ScaleArgs {
    fn store_name(&self) -> &'static str {
        if self.database_server.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }
}

/// The scenarios the curve times, in the order of its tables.
const SCENARIOS: [Scenario; 6] = [
    Scenario::Get,
    Scenario::List,
    Scenario::ListFiltered,
    Scenario::ListMember,
    Scenario::Reverse,
    Scenario::V3Tql,
];

/// Start-ups timed per size (the median is reported).
const STARTS: usize = 3;

/// One size's measurements.
#[derive(Serialize, Debug)]
struct Point {
    incidents: u64,
    indicators: u64,
    /// Seeding rate (0 when an existing seed was used again).
    seed_incidents_per_s: f64,
    bytes_on_disk: u64,
    bytes_per_incident: f64,
    startup_ms: f64,
    scenarios: Vec<LoadReport>,
    rare: Vec<RareReport>,
}

/// One series at one size: its name, its p99 and its table cell.
struct Figure {
    name: String,
    p99: f64,
    /// `p50 / p99`, with the rows per answer of a list (a rare filter's: of its last page).
    cell: String,
}

impl Point {
    /// Every series, in table order: the scenarios, then the rare filters.
    fn figures(&self, page_size: u64) -> Vec<Figure> {
        let scenarios = self.scenarios.iter().map(|r| Figure {
            name: r.scenario.name().to_string(),
            p99: r.p99_ms,
            cell: if r.scenario.lists() {
                format!("{:.2} / {:.2} ({:.1})", r.p50_ms, r.p99_ms, r.rows_per_op)
            } else {
                format!("{:.2} / {:.2}", r.p50_ms, r.p99_ms)
            },
        });
        let rare = self.rare.iter().map(|r| Figure {
            name: format!("rare: {}", r.filter),
            p99: r.p99_ms,
            cell: format!(
                "{:.2} / {:.2} ({})",
                r.p50_ms,
                r.p99_ms,
                r.last_total.min(page_size)
            ),
        });
        scenarios.chain(rare).collect()
    }
}

/// The growth of series `k` from the first size to the last.
fn growth_of(figures: &[Vec<Figure>], k: usize) -> (f64, bool) {
    let p99 = |f: Option<&Vec<Figure>>| f.and_then(|f| f.get(k)).map_or(0.0, |f| f.p99);
    growth(p99(figures.first()), p99(figures.last()))
}

pub async fn run(a: ScaleArgs) -> Result<()> {
    if a.sizes.is_empty() || a.sizes.contains(&0) {
        bail!("--sizes takes incident counts above 0, comma-separated");
    }
    let mut sizes = a.sizes.clone();
    sizes.sort_unstable();
    sizes.dedup();
    let temp = a.work_dir.is_none();
    let work = a.work_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("threatdb-scale-{}", std::process::id()))
    });
    std::fs::create_dir_all(&a.output_dir)
        .with_context(|| format!("cannot create {}", a.output_dir.display()))?;
    let mut points = Vec::new();
    for &size in &sizes {
        let dir = work.join(format!("scale-{size}"));
        let database = a
            .database_server
            .as_deref()
            .map(|server| (server, format!("threatdb_scale_{size}")));
        points.push(measure(&a, size, &dir, database.as_ref()).await?);
        if !a.keep {
            let _ = std::fs::remove_dir_all(&dir);
            if let Some((server, name)) = &database {
                threatdb_store_pg::databases::drop(server, name).await?;
            }
        }
    }
    if temp && !a.keep {
        let _ = std::fs::remove_dir_all(&work);
    }

    let report = render_tables(&a, &points);
    print!("{report}");
    let stem = format!("scale-curve-{}", a.store_name().to_lowercase());
    let out = |ext: &str| a.output_dir.join(format!("{stem}.{ext}"));
    std::fs::write(out("txt"), &report)?;
    std::fs::write(
        out("json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "concurrency": a.concurrency,
            "duration_s": a.duration,
            "store": a.store_name(),
            "page_size": a.page_size,
            "tag_head": a.tag_head,
            "warm_up_s": a.warm_up,
            "points": points,
        }))?,
    )?;
    std::fs::write(out("svg"), svg(&a, &points))?;
    println!(
        "written: {}, {} and {}",
        out("txt").display(),
        out("json").display(),
        out("svg").display()
    );
    Ok(())
}

/// Seeds (or reuses) one size and measures it: on the data directory's SQLite file, or on the
/// database `(server, name)`.
async fn measure(
    a: &ScaleArgs,
    size: u64,
    dir: &Path,
    database: Option<&(&str, String)>,
) -> Result<Point> {
    use threatdb_store_pg::databases;
    let url = database.map(|(server, name)| databases::url_of(server, name));
    let seeded = super::read_info(dir)
        .map(|i| i.incidents == size && i.indicators == 3 * size)
        .unwrap_or(false);
    let reusable = seeded
        && match database {
            Some((server, name)) => databases::exists(server, name).await?,
            None => dir.join("threatdb.db").exists(),
        };
    let seed_rate = if reusable {
        println!("{size} incidents: using the seed in {}", dir.display());
        0.0
    } else {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        if let Some((server, name)) = database {
            databases::drop(server, name).await?;
            databases::create(server, name).await?;
        }
        println!("{size} incidents: seeding {} ...", dir.display());
        let r = seed::seed(dir, url.as_deref(), size, a.quiet, false, 3).await?;
        r.store_rows_per_s
    };
    let info: BenchInfo = super::read_info(dir)?;
    let bytes = match &url {
        Some(url) => databases::size(url).await?,
        None => disk_bytes(dir),
    };

    let mut starts = Vec::new();
    let mut server: Option<(Server, String)> = None;
    for _ in 0..STARTS {
        drop(server.take());
        let (s, origin, took) = startup(dir, url.as_deref(), &info).await?;
        starts.push(took.as_secs_f64() * 1000.0);
        server = Some((s, origin));
    }
    starts.sort_by(f64::total_cmp);
    let (server, origin) = server.context("no server")?;
    let d = Duration::from_secs(a.duration);
    let shape = Shape {
        page_size: a.page_size,
        tag_head: a.tag_head,
    };
    let mut scenarios = Vec::new();
    for s in SCENARIOS {
        if !a.quiet {
            println!("  {} ...", s.name());
        }
        if a.warm_up > 0 {
            let warm = Duration::from_secs(a.warm_up);
            load::run(&origin, &info, s, a.concurrency, warm, shape).await?;
        }
        let r = load::run(&origin, &info, s, a.concurrency, d, shape).await?;
        if let Some(e) = &r.first_error {
            bail!("{size} incidents, {}: {e}", s.name());
        }
        scenarios.push(r);
    }
    drop(server);
    if !a.quiet {
        println!("  rare filters ...");
    }
    let data = crate::config::DataArgs {
        config: None,
        data_dir: dir.to_path_buf(),
        database_url: url.clone(),
        pg_max_connections: 16,
        pg_statement_timeout: 30,
        pg_acquire_timeout: 10,
    };
    let rare = rare::run(
        &data,
        a.concurrency,
        (Duration::from_secs(a.warm_up), d),
        threatdb_core::Paging::new(0, a.page_size)?,
    )
    .await?;
    Ok(Point {
        incidents: size,
        indicators: info.indicators,
        seed_incidents_per_s: seed_rate,
        bytes_on_disk: bytes,
        bytes_per_incident: bytes as f64 / size as f64,
        startup_ms: starts[STARTS / 2],
        scenarios,
        rare,
    })
}

/// The SQLite database's files (the database, its WAL and shared memory).
fn disk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("threatdb.db"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// A size as the tables and the chart print it (10k, 1M).
fn short(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// The growth of a series from the smallest size to the largest, and whether it meets the
/// goal (no p99 more than 2× its smallest-size figure).
fn growth(first: f64, last: f64) -> (f64, bool) {
    let ratio = last / first.max(1e-9);
    (ratio, ratio <= 2.0)
}

fn render_tables(a: &ScaleArgs, points: &[Point]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nstore: {}; concurrency {}, {} s per measure after {} s of warm-up, lists of {} rows at most (tags from the {} most used)",
        a.store_name(),
        a.concurrency,
        a.duration,
        a.warm_up,
        a.page_size,
        a.tag_head
    );
    let mut header = vec!["p50 / p99 ms (rows per list)".to_string()];
    header.extend(points.iter().map(|p| short(p.incidents)));
    header.push("p99 growth".into());
    header.push("≤ 2×".into());
    let mut table = Table::new();
    table.set_header(header.clone());
    let figures: Vec<Vec<Figure>> = points.iter().map(|p| p.figures(a.page_size)).collect();
    for (k, first) in figures.first().into_iter().flatten().enumerate() {
        let mut row = vec![first.name.clone()];
        row.extend(
            figures
                .iter()
                .map(|f| f.get(k).map(|f| f.cell.clone()).unwrap_or_default()),
        );
        let (ratio, ok) = growth_of(&figures, k);
        row.push(format!("{ratio:.2}×"));
        row.push(
            match (points.len() > 1, ok) {
                (false, _) => "",
                (true, true) => "met",
                (true, false) => "MISSED",
            }
            .into(),
        );
        table.add_row(row);
    }
    let _ = writeln!(out, "{table}");

    let mut table = Table::new();
    let mut header = vec!["store".to_string()];
    header.extend(points.iter().map(|p| short(p.incidents)));
    table.set_header(header);
    let mut row = |name: &str, f: &dyn Fn(&Point) -> String| {
        let mut r = vec![name.to_string()];
        r.extend(points.iter().map(f));
        table.add_row(r);
    };
    row("indicators", &|p| p.indicators.to_string());
    row("seed, incidents/s", &|p| {
        if p.seed_incidents_per_s > 0.0 {
            format!("{:.0}", p.seed_incidents_per_s)
        } else {
            "reused".into()
        }
    });
    row("bytes on disk", &|p| {
        format!("{:.1} MB", p.bytes_on_disk as f64 / 1e6)
    });
    row("bytes per incident", &|p| {
        format!("{:.0}", p.bytes_per_incident)
    });
    row("start-up to first answer (median of 3)", &|p| {
        format!("{:.0} ms", p.startup_ms)
    });
    let _ = writeln!(out, "{table}");
    let _ = writeln!(
        out,
        "search: not measured (the search issue has not landed)"
    );
    out
}

/// Series colours, distinguishable and readable on white.
const COLOURS: [&str; 12] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#ad494a",
];

/// XML text escaping for the few strings the chart prints.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The p99 of every series against the store size (logarithmic), one line each.
fn svg(a: &ScaleArgs, points: &[Point]) -> String {
    let (w, h) = (860.0_f64, 480.0_f64);
    let (left, right, top, bottom) = (64.0, 300.0, 48.0, 56.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let figures: Vec<Vec<Figure>> = points.iter().map(|p| p.figures(a.page_size)).collect();
    let max = figures
        .iter()
        .flatten()
        .map(|f| f.p99)
        .fold(0.0_f64, f64::max)
        .max(0.1);
    let y_top = nice_ceiling(max);
    let logs: Vec<f64> = points
        .iter()
        .map(|p| (p.incidents as f64).log10())
        .collect();
    let (lo, hi) = match (logs.first(), logs.last()) {
        (Some(lo), Some(hi)) if hi > lo => (*lo, *hi),
        (Some(lo), _) => (lo - 0.5, lo + 0.5),
        _ => (0.0, 1.0),
    };
    let x = |l: f64| left + (l - lo) / (hi - lo) * pw;
    let y = |v: f64| top + ph - v / y_top * ph;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="title">"#
    );
    let _ = writeln!(
        s,
        r#"<title id="title">threatdb scale curve: p99 latency of each read by store size</title><rect width="{w}" height="{h}" fill="white"/>"#
    );
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="20" font-size="15" font-weight="bold">p99 latency by store size ({store}, 2 cores)</text><text x="{left}" y="36" fill="#555">concurrency {}, lists of {} rows at most, {} s per measure; goal: no p99 above 2× its smallest-size figure</text>"##,
        a.concurrency,
        a.page_size,
        a.duration,
        store = a.store_name()
    );
    // Horizontal grid and the y axis.
    for k in 0..=5 {
        let v = y_top * k as f64 / 5.0;
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            yy + 4.0,
            trim(v)
        );
    }
    let _ = writeln!(
        s,
        r#"<text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">p99, ms</text>"#,
        top + ph / 2.0
    );
    for (p, l) in points.iter().zip(&logs) {
        let xx = x(*l);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top}" y2="{:.1}" stroke="#eee"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            top + ph,
            top + ph + 18.0,
            short(p.incidents)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">incidents in the store (3 indicators each), logarithmic</text>"#,
        left + pw / 2.0,
        h - 12.0
    );
    for (k, first) in figures.first().into_iter().flatten().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let dash = if k >= SCENARIOS.len() {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        let pts: Vec<(f64, f64)> = figures
            .iter()
            .zip(&logs)
            .filter_map(|(f, l)| f.get(k).map(|f| (x(*l), y(f.p99))))
            .collect();
        let line: Vec<String> = pts
            .iter()
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
            line.join(" ")
        );
        for (px, py) in &pts {
            let _ = writeln!(
                s,
                r#"<circle cx="{px:.1}" cy="{py:.1}" r="3" fill="{colour}"/>"#
            );
        }
        let ly = top + 8.0 + k as f64 * 20.0;
        let lx = left + pw + 20.0;
        let (ratio, _) = growth_of(&figures, k);
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/><text x="{}" y="{}">{} ({ratio:.2}×)</text>"#,
            lx + 22.0,
            lx + 28.0,
            ly + 4.0,
            esc(&first.name)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The smallest of 1, 2, 5 × 10^k at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * mag)
}

/// A tick label without needless decimals.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_sizes_print_plainly() {
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(trim(2.0), "2");
        assert_eq!(trim(0.25), "0.25");
        assert_eq!(short(10_000_000), "10M");
        assert_eq!(short(100_000), "100k");
        assert_eq!(short(1_500), "1500");
        assert_eq!(esc("a<b&c"), "a&lt;b&amp;c");
    }
}
