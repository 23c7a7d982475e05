//! The retention sweep: deleted objects (their tombstones) are kept for restoring for
//! [`crate::Limits::deleted_retention`], then purged, a thousand to a transaction, each purge
//! recorded in the object's history and each sweep that purged anything in the audit log.

use crate::AppState;
use std::time::Duration;
use threatdb_core::audit::AuditRecord;

/// Tombstones purged in one transaction.
const CHUNK: u64 = 1_000;

/// The longest wait between two sweeps.
const AT_MOST_EVERY: Duration = Duration::from_secs(3600);

/// How often to sweep for a retention period: every hour, or twice per period when it is
/// shorter, never more than once a second.
pub fn interval(retention: Duration) -> Duration {
    retention
        .checked_div(2)
        .unwrap_or(AT_MOST_EVERY)
        .clamp(Duration::from_secs(1), AT_MOST_EVERY)
}

/// Sweeps now and then at [`interval`], until the task is aborted.
pub async fn run(state: AppState) {
    let retention = state.limits.deleted_retention;
    let mut ticks = tokio::time::interval(interval(retention));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        sweep(&state, retention).await;
    }
}

/// Purges every tombstone older than `retention`; how many it purged.
pub async fn sweep(state: &AppState, retention: Duration) -> u64 {
    let Ok(age) = time::Duration::try_from(retention) else {
        return 0;
    };
    let before = threatdb_core::date::now().saturating_sub(age);
    let mut purged = 0u64;
    loop {
        match state.store.purge_deleted(before, CHUNK).await {
            Ok(n) => {
                purged = purged.saturating_add(n);
                if n < CHUNK {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the retention sweep could not purge deleted objects");
                break;
            }
        }
    }
    if purged > 0 {
        tracing::info!(purged, "the retention sweep purged deleted objects");
        let target = format!(
            "{purged} deleted objects deleted before {}",
            threatdb_core::format_timestamp(before)
        );
        let record = AuditRecord::new(
            threatdb_core::history::SWEEPER,
            "sweep",
            "history.purge",
            &target,
            "ok",
        );
        state.audit.record(record).await;
    }
    purged
}
