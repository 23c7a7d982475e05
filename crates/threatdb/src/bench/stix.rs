//! `threatdb bench stix`: the STIX export and import at a size, against the bulk path that
//! seeds the same data, in one run: seed a data directory (`bench seed`'s path), export it
//! (`threatdb export`), import the bundle into an empty data directory (`threatdb import`),
//! each timed, the last two as the commands a user runs.

use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct StixArgs {
    /// Incidents seeded (each with its indicators, every one linked to it).
    #[arg(long, default_value_t = 15_000)]
    incidents: u64,
    /// Indicators per incident (0 to 3).
    #[arg(long, default_value_t = 3)]
    indicators_per_incident: usize,
    /// Where the data directories and the bundle go (default: a temporary directory, removed
    /// afterwards).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

pub async fn run(a: StixArgs) -> Result<()> {
    let scratch;
    let work = match &a.work_dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            scratch = tempfile::tempdir()?;
            scratch.path().to_path_buf()
        }
    };
    let source = work.join("stix-source");
    let target = work.join("stix-target");
    let bundle = work.join("stix-bundle.json");
    for old in [&source, &target] {
        if old.exists() {
            std::fs::remove_dir_all(old)?;
        }
    }
    let started = Instant::now();
    super::seed::seed(
        &source,
        None,
        a.incidents,
        true,
        false,
        a.indicators_per_incident,
    )
    .await?;
    let seeded = started.elapsed().as_secs_f64();

    let (export_s, said) = timed(
        Command::new(std::env::current_exe()?)
            .args(["export", "--data-dir"])
            .arg(&source)
            .arg("--output")
            .arg(&bundle),
    )?;
    let objects = exported(&said)?;
    let (import_s, _) = timed(
        Command::new(std::env::current_exe()?)
            .args(["import", "--data-dir"])
            .arg(&target)
            .arg(&bundle),
    )?;
    let bytes = std::fs::metadata(&bundle)?.len();
    let rate = |s: f64| objects as f64 / s.max(1e-9);
    println!(
        "{} incidents, {} indicators each: {objects} STIX objects, {:.1} MB bundle",
        a.incidents,
        a.indicators_per_incident,
        bytes as f64 / 1e6
    );
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header(["step", "seconds", "objects/s", "ratio to seed"]);
    for (step, s) in [
        ("seed (bulk path)", seeded),
        ("export (threatdb export)", export_s),
        ("import (threatdb import)", import_s),
    ] {
        table.add_row([
            step.to_string(),
            format!("{s:.2}"),
            format!("{:.0}", rate(s)),
            format!("{:.2}", seeded / s.max(1e-9)),
        ]);
    }
    println!("{table}");
    println!(
        "(the seed's rate counts the objects its data exports to; work directory {})",
        if a.work_dir.is_some() {
            work.display().to_string()
        } else {
            "removed".to_string()
        }
    );
    Ok(())
}

/// Runs a command to its end; its seconds and what it said on standard error.
fn timed(cmd: &mut Command) -> Result<(f64, String)> {
    let started = Instant::now();
    let out = cmd
        .env_remove("THREATDB_DATABASE_URL")
        .output()
        .context("running threatdb")?;
    let seconds = started.elapsed().as_secs_f64();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    if !out.status.success() {
        bail!("{cmd:?} failed: {said}");
    }
    Ok((seconds, said))
}

/// The object count of `threatdb export`'s summary line.
fn exported(said: &str) -> Result<u64> {
    said.lines()
        .find_map(|l| l.strip_prefix("exported "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no object count in the export's summary: {said}"))
}
