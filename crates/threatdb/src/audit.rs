//! `threatdb admin audit list | verify | export`: reading the audit log (administrators only:
//! it is read from the database, never through the API), and the records the command line
//! itself adds (administrative actions, exports).

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use std::io::Write;
use threatdb_core::audit::{
    ADMIN_USER, AuditBreak, AuditCursor, AuditEntry, AuditFilter, AuditHead, AuditRecord,
    ChainCheck, hex, parse_anchor,
};
use threatdb_core::{AdminStore, Store, Timestamp};

/// Entries read at once.
const PAGE: u32 = 10_000;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// The newest entries first (a table, or --json).
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Recompute the hash chain from the first entry and name the first entry that was
    /// altered, removed or inserted (exit status 1 when the log does not hold).
    Verify {
        /// An anchor `SEQ:HASH` the server logged as an `audit checkpoint` (repeatable): entry
        /// SEQ must be there with that hash, which finds a log cut short or rewritten.
        #[arg(long = "anchor", value_name = "SEQ:HASH")]
        anchors: Vec<String>,
    },
    /// Every entry, oldest first, as JSON lines (for a SIEM).
    Export {
        #[command(flatten)]
        filter: FilterArgs,
        /// Where to write (default: standard output).
        #[arg(short, long, default_value = "-")]
        output: String,
    },
}

#[derive(clap::Args, Debug)]
pub struct FilterArgs {
    /// Only entries at or after this time (ISO 8601, or a span back from now: 30m, 12h, 7d).
    #[arg(long)]
    since: Option<String>,
    /// Only this user's entries (an API user's name, a web login, `admin`).
    #[arg(long)]
    user: Option<String>,
    /// Only this action (`write`, `auth.failure`, `sign-in`, ...), or a family ending in `.`
    /// (`admin.`, `auth.`).
    #[arg(long)]
    action: Option<String>,
}

impl FilterArgs {
    fn filter(&self) -> Result<AuditFilter> {
        Ok(AuditFilter {
            since: self.since.as_deref().map(since).transpose()?,
            user: self.user.clone(),
            action: self.action.clone(),
        })
    }
}

/// `--since`: a time, or a span back from now (as `admin token create --expires` reads one).
fn since(text: &str) -> Result<Timestamp> {
    let text = text.trim();
    if let Ok(Some(span)) = crate::admin::parse_lifetime(text) {
        return threatdb_core::date::now()
            .checked_sub(span)
            .ok_or_else(|| anyhow!("--since {text}: too far back"));
    }
    threatdb_core::parse_timestamp(text)
        .map_err(|_| anyhow!("--since '{text}': give a date (2026-12-01T00:00:00Z) or a span (7d)"))
}

/// Runs an audit command on the opened store.
pub async fn run(command: AuditCommand, store: &dyn AdminStore, log: &dyn Store) -> Result<()> {
    match command {
        AuditCommand::List {
            filter,
            limit,
            json,
        } => list(store, &filter.filter()?, limit, json).await,
        AuditCommand::Verify { anchors } => verify(store, &anchors).await,
        AuditCommand::Export { filter, output } => {
            let target = format!("audit log to {output}");
            let done = export(store, &filter.filter()?, &output).await;
            record(log, "cli", "export", &target, &done).await;
            done
        }
    }
}

async fn list(store: &dyn AdminStore, filter: &AuditFilter, limit: u32, json: bool) -> Result<()> {
    let entries = store
        .audit_entries(filter, AuditCursor::Before(i64::MAX), limit.clamp(1, PAGE))
        .await?;
    let mut out = std::io::stdout().lock();
    if json {
        for e in &entries {
            writeln!(out, "{}", to_json(e))?;
        }
        return Ok(());
    }
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::NOTHING);
    table.set_header([
        "seq", "at", "user", "via", "action", "target", "outcome", "address",
    ]);
    for e in &entries {
        let r = &e.record;
        table.add_row([
            e.seq.to_string(),
            threatdb_core::format_timestamp(r.at),
            r.user.escape_default().to_string(),
            r.via.clone(),
            r.action.clone(),
            r.target.escape_default().to_string(),
            r.outcome.escape_default().to_string(),
            r.address.clone().unwrap_or_default(),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

/// Walks the whole log, oldest first, through [`ChainCheck`]; the anchors are checked as their
/// entries go by.
async fn verify(store: &dyn AdminStore, anchors: &[String]) -> Result<()> {
    let mut wanted: Vec<(String, AuditHead)> = anchors
        .iter()
        .map(|a| {
            parse_anchor(a)
                .map(|h| (a.clone(), h))
                .ok_or_else(|| anyhow!("--anchor '{a}': give SEQ:HASH as the server logged it"))
        })
        .collect::<Result<_>>()?;
    let (check, broken, seconds) = walk(store, &mut wanted).await?;
    if let Some(b) = broken {
        bail!(
            "the audit log does not hold: {b} ({} entries before it hold)",
            check.checked()
        );
    }
    println!(
        "the audit log holds: {} entries, head {} ({:.0} entries/s)",
        check.checked(),
        check.head().anchor(),
        check.checked() as f64 / seconds.max(1e-9)
    );
    Ok(())
}

/// Walks the whole log oldest first (with a progress bar): the check, the first break (or an
/// anchor not reached), and the seconds it took.
pub async fn walk(
    store: &dyn AdminStore,
    wanted: &mut Vec<(String, AuditHead)>,
) -> Result<(ChainCheck, Option<AuditBreak>, f64)> {
    let last = store.audit_head().await?;
    let bar = indicatif::ProgressBar::new(u64::try_from(last.seq).unwrap_or(0));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "verifying {pos}/{len} entries [{elapsed_precise}] {per_sec}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let mut check = ChainCheck::new();
    let all = AuditFilter::default();
    let read = |after| store.audit_entries(&all, AuditCursor::After(after), PAGE);
    let mut page = read(0).await?;
    // The next page is read while this one is checked (the store reads on its own threads).
    let broken = loop {
        let Some(end) = page.last().map(|e| e.seq) else {
            break None;
        };
        let (next, broken) =
            tokio::join!(read(end), async { check_page(&mut check, &page, wanted) });
        if broken.is_some() {
            break broken;
        }
        bar.inc(u64::try_from(page.len()).unwrap_or(0));
        page = next?;
    };
    bar.finish_and_clear();
    let broken = broken.or_else(|| {
        wanted.first().map(|(anchor, _)| AuditBreak::Anchor {
            anchor: anchor.clone(),
            why: format!(
                "the log ends at entry {}: entries after it were removed",
                check.head().seq
            ),
        })
    });
    Ok((check, broken, started.elapsed().as_secs_f64()))
}

/// Checks a page; the first break, or an anchor that names another hash.
fn check_page(
    check: &mut ChainCheck,
    page: &[AuditEntry],
    wanted: &mut Vec<(String, AuditHead)>,
) -> Option<AuditBreak> {
    for e in page {
        if let Err(b) = check.check(e) {
            return Some(b);
        }
        if let Some(i) = wanted.iter().position(|(_, h)| h.seq <= e.seq) {
            let (anchor, h) = wanted.swap_remove(i);
            if h.seq < e.seq || e.hash.as_slice() != h.hash.as_slice() {
                return Some(AuditBreak::Anchor {
                    anchor,
                    why: format!(
                        "entry {} has the hash {}",
                        h.seq,
                        if h.seq == e.seq {
                            hex(&e.hash)
                        } else {
                            "of no entry read".into()
                        }
                    ),
                });
            }
        }
    }
    None
}

async fn export(store: &dyn AdminStore, filter: &AuditFilter, output: &str) -> Result<()> {
    let (file, partial, out) = crate::export::output(output)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let written = async {
        let mut after = 0;
        loop {
            let page = store
                .audit_entries(filter, AuditCursor::After(after), PAGE)
                .await?;
            let Some(end) = page.last().map(|e| e.seq) else {
                break;
            };
            after = end;
            for e in &page {
                writeln!(out, "{}", to_json(e))?;
            }
        }
        out.flush()?;
        anyhow::Ok(())
    }
    .await;
    drop(out);
    crate::export::finish(written, file.as_deref(), partial.as_deref())
}

/// An entry as one JSON object.
pub fn to_json(e: &AuditEntry) -> serde_json::Value {
    let r = &e.record;
    serde_json::json!({
        "seq": e.seq,
        "at": threatdb_core::format_timestamp(r.at),
        "user_id": r.user_id,
        "user": r.user,
        "via": r.via,
        "action": r.action,
        "target": r.target,
        "outcome": r.outcome,
        "address": r.address,
        "request_id": r.request_id,
        "prev_hash": hex(&e.prev_hash),
        "hash": hex(&e.hash),
    })
}

/// Records an action of the command line (`via` `admin` or `cli`) with how it ended. A record
/// that cannot be written fails loudly but does not undo the action.
pub async fn record(log: &dyn Store, via: &str, action: &str, target: &str, done: &Result<()>) {
    let outcome = match done {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("error: {e:#}"),
    };
    let r = AuditRecord::new(ADMIN_USER, via, action, target, &outcome);
    if let Err(e) = log.append_audit(vec![r]).await {
        eprintln!("warning: could not record '{action}' in the audit log: {e}");
    }
}
