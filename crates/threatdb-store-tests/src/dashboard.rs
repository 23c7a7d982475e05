//! The dashboard's figures follow writes in the same transaction (the status counters through
//! creation, a status change and a deletion; tags and labels; this week's additions; the
//! incident changed last with its newest change), and are refused to another owner's member.

use crate::fixture::{assert_err, create, fixture, tag};
use threatdb_core::dashboard::WEEKS;
use threatdb_core::{AdminStore, IncidentPatch, IncidentStatus, Store, StoreError, Subject};

/// Statuses, labels, tags, weeks and recent changes of a fresh owner.
pub async fn dashboard_counts_follow_writes<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let empty = store.dashboard(w, &fx.org_a).await.unwrap();
    assert!(empty.by_status.is_empty() && empty.top_tags.is_empty() && empty.recent.is_empty());
    assert_eq!(empty.per_week.len(), WEEKS);
    assert!(empty.per_week.iter().all(|(_, n)| *n == 0));

    let a = create(store, w, &fx.org_a, "First", "2026-01-01T00:00:00Z").await;
    let b = create(store, w, &fx.org_a, "Second", "2026-01-02T00:00:00Z").await;
    let c = create(store, w, &fx.org_a, "Third", "2026-01-03T00:00:00Z").await;
    for (id, t) in [(a, "Alpha"), (b, "Alpha"), (c, "Beta")] {
        store.tag(w, &Subject::Incident(id), &tag(t)).await.unwrap();
    }
    store
        .label(w, &Subject::Incident(a), "TLP:RED")
        .await
        .unwrap();
    let open = IncidentPatch {
        status: Some(IncidentStatus::Open),
        ..IncidentPatch::default()
    };
    store.update_incident(w, b, open).await.unwrap();
    store.delete_incident(w, c).await.unwrap();

    let d = store.dashboard(&fx.reader_a, &fx.org_a).await.unwrap();
    assert_eq!(
        d.by_status,
        vec![("New".to_string(), 1), ("Open".to_string(), 1)]
    );
    assert_eq!(d.by_label, vec![("TLP:RED".to_string(), 1)]);
    assert_eq!(d.top_tags, vec![("Alpha".to_string(), 2)]);
    assert_eq!(d.per_week.last().map(|w| w.1), Some(2), "{:?}", d.per_week);
    assert_eq!(d.per_week.iter().map(|w| w.1).sum::<u64>(), 2);
    assert!(
        d.per_week.windows(2).all(|p| p[0].0 < p[1].0),
        "oldest first"
    );
    let ids: Vec<i64> = d.recent.iter().map(|(i, _)| i.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a) && ids.contains(&b));
    let (_, newest) = d.recent.iter().find(|(i, _)| i.id == b).unwrap();
    assert_eq!(newest.as_ref().map(|c| c.field.as_str()), Some("status"));

    assert_err(
        store.dashboard(&fx.member_b, &fx.org_a).await,
        StoreError::NotFound,
        "another owner's dashboard",
    );
    let _ = store.dashboard(&fx.member_b, &fx.org_b).await.unwrap();
}
