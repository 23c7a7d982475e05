//! Batch jobs: who may make and see them, and how a runner holds one under a lease and takes
//! it up again after its last committed chunk when the lease runs out (a crashed server).

use crate::fixture::fixture;
use threatdb_core::batch::{
    BatchChunk, BatchClaim, BatchClass, BatchIndicator, BatchItem, BatchNested, BatchOp,
    BatchProgress, BatchSettings, BatchState,
};
use threatdb_core::{AdminStore, IndicatorKind, IndicatorValue, Role, Store, StoreError};

fn settings() -> BatchSettings {
    BatchSettings::create_replacing()
}

fn host(index: u64, name: &str) -> BatchItem {
    BatchItem {
        index,
        class: BatchClass::Indicator,
        work: Ok(BatchOp::Indicator(BatchIndicator {
            value: IndicatorValue::parse(IndicatorKind::Host, name).unwrap(),
            scores: Default::default(),
            nested: BatchNested::default(),
            group_xids: Vec::new(),
        })),
        source: String::new(),
        after: 0,
    }
}

/// Claims until this job comes (a shared database may hold jobs of earlier runs). A claim takes
/// any waiting job, so the batch cases must not run at the same time as each other on one
/// database (the harnesses run them one after another, or each on its own database).
pub(crate) async fn claim<S: Store>(store: &S, job: i64, lease_seconds: i64) -> BatchClaim {
    for _ in 0..1000 {
        match store
            .claim_batch(lease_seconds, 7 * 24 * 3600)
            .await
            .unwrap()
        {
            Some(c) if c.id == job => return c,
            Some(_) => continue,
            None => panic!("job {job} was not handed out"),
        }
    }
    panic!("job {job} was not handed out");
}

/// Only writers create jobs; only readers of the owner see them; a runner's lease keeps a job
/// its own until it runs out, then the job is handed out again from its last committed chunk,
/// and the first runner's chunks are refused.
pub async fn batch_jobs_resume_under_lease<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let file = Some(br#"{"indicator":[]}"#.to_vec());
    let refused = store
        .create_batch(&fx.reader_a.actor, &fx.org_a, settings(), file.clone())
        .await;
    assert_eq!(refused.err(), Some(StoreError::Forbidden));
    let job = store
        .create_batch(&fx.writer_a.actor, &fx.org_a, settings(), file)
        .await
        .unwrap();
    assert_eq!(job.state, BatchState::Queued);
    assert_eq!(
        store.batch_status(&fx.member_b.actor, job.id).await.err(),
        Some(StoreError::NotFound)
    );
    assert_eq!(
        store
            .batch_status(&fx.reader_a.actor, job.id)
            .await
            .unwrap(),
        job
    );
    assert_eq!(
        store
            .upload_batch(&fx.writer_a.actor, job.id, b"{}".to_vec())
            .await
            .err()
            .map(|e| matches!(e, StoreError::Conflict(_))),
        Some(true),
        "a queued job takes no second file"
    );

    // A runner takes it and dies after one chunk, its lease ending at once.
    let first = claim(store, job.id, 0).await;
    assert_eq!(first.progress, BatchProgress::default());
    let chunk = |c: &BatchClaim, items, next, last| BatchChunk {
        job: c.id,
        lease: c.lease.clone(),
        lease_seconds: 0,
        items,
        then: BatchProgress { phase: 1, next },
        last,
    };
    store
        .write_batch_chunk(chunk(&first, vec![host(0, "one.example")], 1, false))
        .await
        .unwrap();
    let running = store
        .batch_status(&fx.writer_a.actor, job.id)
        .await
        .unwrap();
    assert_eq!(
        (running.state, running.success_indicators),
        (BatchState::Running, 1)
    );

    // Another runner takes it up where it stood; the first one's chunks are refused.
    let second = claim(store, job.id, 60).await;
    assert_eq!(second.progress, BatchProgress { phase: 1, next: 1 });
    assert_ne!(second.lease, first.lease);
    let stale = store
        .write_batch_chunk(chunk(&first, vec![host(1, "stale.example")], 2, true))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store
        .write_batch_chunk(chunk(&second, vec![host(1, "two.example")], 2, true))
        .await
        .unwrap();
    let done = store
        .batch_status(&fx.writer_a.actor, job.id)
        .await
        .unwrap();
    assert_eq!(
        (done.state, done.success_indicators, done.errors),
        (BatchState::Completed, 2, 0)
    );
    for (name, there) in [
        ("one.example", true),
        ("two.example", true),
        ("stale.example", false),
    ] {
        let value = IndicatorValue::parse(IndicatorKind::Host, name).unwrap();
        let found = store
            .get_indicator(&fx.reader_a.actor, &fx.org_a, &value)
            .await;
        assert_eq!(found.is_ok(), there, "{name}: {found:?}");
    }
    assert!(
        store
            .batch_errors(&fx.reader_a.actor, job.id)
            .await
            .unwrap()
            .is_empty()
    );
    // A completed job is never handed out again.
    assert!(
        !matches!(store.claim_batch(60, 7 * 24 * 3600).await.unwrap(), Some(c) if c.id == job.id)
    );
}

/// A job runs with its user's rights as they are when each chunk is written: a user demoted to
/// reading mid-job writes nothing more, and each item says why (`0x1002`).
pub async fn batch_jobs_follow_the_users_rights<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let file = Some(br#"{"indicator":[]}"#.to_vec());
    let job = store
        .create_batch(&fx.writer_a.actor, &fx.org_a, settings(), file)
        .await
        .unwrap();
    let run = claim(store, job.id, 60).await;
    store
        .set_membership(&fx.writer_a.access_id, fx.org_a.id, Role::Read)
        .await
        .unwrap();
    let chunk = BatchChunk {
        job: run.id,
        lease: run.lease.clone(),
        lease_seconds: 60,
        items: vec![host(0, "demoted.example")],
        then: BatchProgress { phase: 1, next: 1 },
        last: true,
    };
    store.write_batch_chunk(chunk).await.unwrap();
    let done = store
        .batch_status(&fx.reader_a.actor, job.id)
        .await
        .unwrap();
    assert_eq!(
        (done.state, done.success_indicators, done.error_indicators),
        (BatchState::Completed, 0, 1)
    );
    let errors = store
        .batch_errors(&fx.reader_a.actor, job.id)
        .await
        .unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "0x1002", "{errors:?}");
    let value = IndicatorValue::parse(IndicatorKind::Host, "demoted.example").unwrap();
    assert!(
        store
            .get_indicator(&fx.reader_a.actor, &fx.org_a, &value)
            .await
            .is_err()
    );
}
