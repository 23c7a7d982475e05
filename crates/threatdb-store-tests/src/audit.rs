//! The audit log: appends from many writers at once form one unbroken chain, numbered without
//! gaps; pages walk it both ways; the filters keep exactly their entries. The log is shared by
//! every case of a database, so the case looks only at its own user's entries, except when it
//! checks the whole chain.

use crate::fixture::unique;
use crate::util::join_all;
use threatdb_core::audit::{AuditCursor, AuditFilter, AuditRecord, ChainCheck};
use threatdb_core::{AdminStore, Store};

fn record(user: &str, action: &str, n: usize) -> AuditRecord {
    let mut r = AuditRecord::new(user, "v2", action, &format!("POST /api/v2/x/{n}"), "201");
    r.user_id = Some(7);
    r.address = Some("192.0.2.1".into());
    r.request_id = Some(format!("req-{n}"));
    r
}

/// Four writers append at once; the chain holds and every entry of this case is there once.
pub async fn audit_log_chains_and_pages<S: Store + AdminStore>(store: &S) {
    let user = unique("auditor");
    let writers = (0..4).map(|w| {
        let user = user.clone();
        async move {
            for batch in 0..10 {
                let records = (0..5)
                    .map(|i| {
                        let action = if i == 0 {
                            "admin.owner.create"
                        } else {
                            "write"
                        };
                        record(&user, action, w * 100 + batch * 10 + i)
                    })
                    .collect();
                store.append_audit(records).await.expect("append");
            }
        }
    });
    join_all(writers.collect()).await;

    // The whole log, oldest first, in pages: one chain, numbered 1, 2, 3, ...
    let head = store.audit_head().await.unwrap();
    let mut check = ChainCheck::new();
    let mut after = 0;
    loop {
        let page = store
            .audit_entries(&AuditFilter::default(), AuditCursor::After(after), 1000)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            check
                .check(e)
                .unwrap_or_else(|b| panic!("the chain breaks: {b}"));
        }
    }
    assert!(check.checked() >= 200);
    assert_eq!(check.head().seq, head.seq);
    assert_eq!(check.head(), head);

    // This user's entries, newest first, paged by number.
    let mine = AuditFilter {
        user: Some(user.clone()),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut before = i64::MAX;
    loop {
        let page = store
            .audit_entries(&mine, AuditCursor::Before(before), 30)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = last.seq;
        seen.extend(page);
    }
    assert_eq!(seen.len(), 200);
    assert!(seen.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    assert!(seen.iter().all(|e| e.record.user == user));
    let sample = seen
        .iter()
        .find(|e| e.record.target.ends_with("/x/312"))
        .unwrap();
    assert_eq!(sample.record, {
        let mut r = record(&user, "write", 312);
        r.at = sample.record.at;
        r
    });

    // Actions: exactly one, or a family.
    for (action, expected) in [
        ("write", 160),
        ("admin.", 40),
        ("admin.owner.create", 40),
        ("admin", 0),
        ("writ", 0),
    ] {
        let filter = AuditFilter {
            user: Some(user.clone()),
            action: Some(action.into()),
            ..Default::default()
        };
        let found = store
            .audit_entries(&filter, AuditCursor::After(0), 10_000)
            .await
            .unwrap();
        assert_eq!(found.len(), expected, "action {action}");
    }

    // Since: entries at or after a time (none in the future).
    let future = AuditFilter {
        since: Some(threatdb_core::date::now() + time::Duration::hours(1)),
        user: Some(user.clone()),
        ..Default::default()
    };
    assert!(
        store
            .audit_entries(&future, AuditCursor::After(0), 100)
            .await
            .unwrap()
            .is_empty()
    );
    let past = AuditFilter {
        since: Some(threatdb_core::date::now() - time::Duration::hours(1)),
        ..mine.clone()
    };
    assert_eq!(
        store
            .audit_entries(&past, AuditCursor::After(0), 10_000)
            .await
            .unwrap()
            .len(),
        200
    );
}

/// The audit log's reads are served from its indexes at 20,000 entries (a few users, mostly
/// writes, a rare admin family). The one sort allowed is a family of actions (`admin.`): its
/// entries are the rare ones, and a page sorts only them.
pub async fn audit_plans<S: Store + AdminStore + threatdb_core::BulkLoad>(store: &S) {
    for batch in 0..20 {
        let records = (0..1000)
            .map(|i| {
                let n = batch * 1000 + i;
                let action = if n % 500 == 0 {
                    "admin.user.create"
                } else {
                    "write"
                };
                let mut r = record(&format!("user{}", n % 40), action, n);
                // A log kept over hours, an entry a second: what a `since` meets.
                let back = i64::try_from(20_000 - n).unwrap();
                r.at = threatdb_core::date::now() - time::Duration::seconds(back);
                r
            })
            .collect();
        store.append_audit(records).await.expect("append");
    }
    store.bulk_done().await.expect("statistics");
    let steps = store.explain_audit().await.expect("explain");
    let mut failures = Vec::new();
    for step in &steps {
        if std::env::var("THREATDB_PRINT_PLANS").is_ok_and(|p| step.statement.contains(&p)) {
            eprintln!("{}\n    {}", step.statement, step.plan.join("\n    "));
        }
        let family = step.statement.contains("action >=") || step.statement.contains("\" >=");
        // SQLite's `seq` is the rowid: an unfiltered page in `seq` order walks the table's own
        // b-tree in key order and stops at the LIMIT (shown as a bare SCAN, with no sort).
        let key_walk = step.statement.contains("ORDER BY seq") && !step.statement.contains(" AND ");
        for line in &step.plan {
            let scan = (line.starts_with("SCAN ")
                && !line.contains("USING")
                && !(key_walk && line == "SCAN audit_log"))
                || line.starts_with("Seq Scan");
            let sort = line.contains("TEMP B-TREE") || line.starts_with("Sort");
            if scan || (sort && !family) {
                failures.push(format!("{line} in {}", step.statement));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "audit log reads that are not index-served:\n{}",
        failures.join("\n")
    );
}

/// An incident's history is read from `(object_kind, object_id, id)` with every filter, first
/// page and further on, at 2,200 changes over 200 incidents: no scan, no sort; so are the
/// tombstones' reads.
pub async fn history_plans<S: Store + AdminStore + threatdb_core::BulkLoad>(store: &S) {
    let fx = crate::fixture::fixture(store).await;
    let w = &fx.writer_a;
    let mut first = None;
    for n in 0..200 {
        let id = crate::fixture::create(
            store,
            w,
            &fx.org_a,
            &format!("h{n}"),
            "2026-01-01T00:00:00Z",
        )
        .await;
        first.get_or_insert(id);
        // Another owner's deleted incidents: the tombstones' reads are planned on a table
        // where some are not the listed owner's.
        let doomed = crate::fixture::create(
            store,
            &fx.member_b,
            &fx.org_b,
            &format!("d{n}"),
            "2026-01-01T00:00:00Z",
        )
        .await;
        store
            .delete_incident(&fx.member_b, doomed)
            .await
            .expect("delete");
        for t in 0..10 {
            let tag = crate::fixture::tag(&format!("t{t}"));
            store
                .tag(w, &threatdb_core::Subject::Incident(id), &tag)
                .await
                .expect("tag");
        }
    }
    // The listed owner's deleted incidents, more than a page.
    let mut doomed = Vec::new();
    for n in 0..2000 {
        let id = crate::fixture::create(
            store,
            w,
            &fx.org_a,
            &format!("d{n}"),
            "2026-01-01T00:00:00Z",
        )
        .await;
        doomed.push(id);
    }
    store.delete_incidents(w, doomed).await.expect("delete");
    store.bulk_done().await.expect("statistics");
    let steps = store
        .explain_history(first.unwrap(), fx.org_a.id)
        .await
        .expect("explain");
    let mut failures = Vec::new();
    for step in &steps {
        if std::env::var("THREATDB_PRINT_PLANS").is_ok_and(|p| step.statement.contains(&p)) {
            eprintln!("{}\n    {}", step.statement, step.plan.join("\n    "));
        }
        for line in &step.plan {
            let scan = (line.starts_with("SCAN ") && !line.contains("USING"))
                || line.starts_with("Seq Scan");
            let sort = line.contains("TEMP B-TREE") || line.starts_with("Sort");
            if scan || sort {
                failures.push(format!("{line} in {}", step.statement));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "history reads that are not index-served:\n{}",
        failures.join("\n")
    );
}
