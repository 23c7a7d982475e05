//! The audit log's writer: a flood of entries far past its queue is written whole and in one
//! chain (senders wait for room; nothing is dropped), from many tasks at once.

use std::sync::Arc;
use threatdb_core::audit::{AuditCursor, AuditEntry, AuditFilter, AuditRecord, ChainCheck};
use threatdb_core::{AdminStore, Store};
use threatdb_server::audit::{AuditLog, QUEUE};
use threatdb_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_past_the_queue_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("t.db")).await.unwrap());
    let log = Arc::new(AuditLog::new(store.clone() as Arc<dyn Store>));
    let per_task = QUEUE / 2;
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let log = log.clone();
            tokio::spawn(async move {
                for i in 0..per_task {
                    let r = AuditRecord::new("flood", "v2", "write", &format!("{t}/{i}"), "201");
                    log.record(r).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let head = log.flush().await.unwrap();
    let expected = i64::try_from(8 * per_task).unwrap();
    assert_eq!(head.seq, expected);
    let all = every_entry(store.as_ref()).await;
    let mut check = ChainCheck::new();
    for e in &all {
        check.check(e).unwrap();
    }
    assert_eq!(check.checked(), 8 * per_task as u64);
    // Every task's entries are there, each once, in the order that task sent them.
    for t in 0..8 {
        let mine: Vec<usize> = all
            .iter()
            .filter_map(|e| {
                let (task, i) = e.record.target.split_once('/')?;
                (task == t.to_string()).then(|| i.parse::<usize>().unwrap())
            })
            .collect();
        assert_eq!(mine, (0..per_task).collect::<Vec<_>>(), "task {t}");
    }
}

/// The whole log, oldest first.
async fn every_entry(store: &SqliteStore) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    loop {
        let after = out.last().map_or(0, |e: &AuditEntry| e.seq);
        let page = store
            .audit_entries(&AuditFilter::default(), AuditCursor::After(after), 10_000)
            .await
            .unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}
