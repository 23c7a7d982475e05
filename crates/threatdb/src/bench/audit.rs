//! `threatdb bench audit`: the audit log at a size. Appends entries like the server's (a
//! thousand a transaction, as its writer does under load), then verifies the whole chain as
//! `threatdb admin audit verify` does, each timed.

use anyhow::{Result, bail};
use clap::Args;
use std::time::Instant;
use threatdb_core::audit::AuditRecord;

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    data: crate::config::DataArgs,
    /// Entries to append before verifying (0: verify what is there).
    #[arg(long, default_value_t = 1_000_000)]
    entries: u64,
}

/// Entries per append (the server's writer appends at most this many at once).
const BATCH: u64 = 1_000;

pub async fn run(args: AuditArgs) -> Result<()> {
    args.data.ensure_dir()?;
    let opened = args.data.open_store().await?;
    let log = opened.store();
    let started = Instant::now();
    let mut appended = 0u64;
    let bar = indicatif::ProgressBar::new(args.entries);
    while appended < args.entries {
        let n = BATCH.min(args.entries - appended);
        let records = (appended..appended + n)
            .map(|i| {
                let mut r = AuditRecord::new(
                    &format!("analyst {}", i % 50),
                    "v2",
                    "write",
                    &format!(
                        "POST /api/v2/groups/incidents/{}/tags/phishing",
                        i % 1_000_003
                    ),
                    "201",
                );
                r.user_id = Some(i64::try_from(i % 50).unwrap_or(0));
                r.address = Some(format!("10.0.{}.{}", (i / 256) % 256, i % 256));
                r.request_id = Some(format!("{i:016x}"));
                r
            })
            .collect();
        log.append_audit(records).await?;
        appended += n;
        bar.inc(n);
    }
    bar.finish_and_clear();
    let append_s = started.elapsed().as_secs_f64();
    let (check, broken, verify_s) = crate::audit::walk(opened.admin(), &mut Vec::new()).await?;
    if let Some(b) = broken {
        bail!("the audit log does not hold: {b}");
    }
    let total = check.checked();
    let mut table = comfy_table::Table::new();
    table.set_header(["step", "entries", "seconds", "entries/s"]);
    if appended > 0 {
        table.add_row([
            "append".to_string(),
            appended.to_string(),
            format!("{append_s:.2}"),
            format!("{:.0}", appended as f64 / append_s.max(1e-9)),
        ]);
    }
    table.add_row([
        "verify".to_string(),
        total.to_string(),
        format!("{verify_s:.2}"),
        format!("{:.0}", total as f64 / verify_s.max(1e-9)),
    ]);
    println!("{table}");
    opened.close().await;
    Ok(())
}
