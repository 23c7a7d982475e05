//! A tag's incidents filtered by event date, after event dates change: stores may keep derived
//! copies of the event date for their indexes, and must keep them true.

use crate::fixture::SetQuery;
use crate::fixture::{create, fixture, ids, list, tag, ts};
use threatdb_core::{
    AdminStore, IncidentOrder, IncidentPatch, IncidentQuery, Paging, SortKey, Store, Subject,
};

/// Tag + eventDate filters (alone, together, ascending and descending, paged) see an incident's
/// new event date as soon as it is updated, and tags added after the update carry it too.
pub async fn tag_event_dates_follow_updates<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let mut made = Vec::new();
    for (name, date) in [
        ("a", "2019-01-01"),
        ("b", "2020-01-01"),
        ("c", "2021-01-01"),
        ("d", "2022-01-01"),
    ] {
        made.push(create(store, &fx.writer_a, &fx.org_a, name, date).await);
    }
    for id in &made[..3] {
        store
            .tag(&fx.writer_a, &Subject::Incident(*id), &tag("Dated Tag"))
            .await
            .expect("tag");
    }
    let q = |after: Option<&str>, before: Option<&str>| {
        let mut q = IncidentQuery::owner(fx.org_a.clone());
        q.set_tag(Some("dated tag".into()));
        q.set_event_after(after.map(ts));
        q.set_event_before(before.map(ts));
        q
    };
    let page = list(store, &fx.reader_a, &q(Some("2019-06-01"), None)).await;
    assert_eq!((page.total, ids(&page)), (Some(2), vec![made[1], made[2]]));

    // Move a to 2023 and c to 2018: the tag's filtered lists follow at once.
    let patch = |d: &str| IncidentPatch {
        event_date: Some(ts(d)),
        ..IncidentPatch::default()
    };
    store
        .update_incident(&fx.writer_a, made[0], patch("2023-01-01"))
        .await
        .expect("update a");
    store
        .update_incident(&fx.writer_a, made[2], patch("2018-01-01"))
        .await
        .expect("update c");
    let page = list(store, &fx.reader_a, &q(Some("2019-06-01"), None)).await;
    assert_eq!((page.total, ids(&page)), (Some(2), vec![made[0], made[1]]));
    let page = list(store, &fx.reader_a, &q(None, Some("2019-06-01"))).await;
    assert_eq!((page.total, ids(&page)), (Some(1), vec![made[2]]));
    let page = list(
        store,
        &fx.reader_a,
        &q(Some("2019-06-01"), Some("2022-06-01")),
    )
    .await;
    assert_eq!((page.total, ids(&page)), (Some(1), vec![made[1]]));

    // d, tagged after nothing changed, carries its own date; descending order and paging hold.
    store
        .tag(&fx.writer_a, &Subject::Incident(made[3]), &tag("DATED TAG"))
        .await
        .expect("tag d");
    let mut desc = q(Some("2019-06-01"), None);
    desc.order = IncidentOrder {
        key: SortKey::Id,
        descending: true,
    };
    let page = list(store, &fx.reader_a, &desc).await;
    assert_eq!(
        (page.total, ids(&page)),
        (Some(3), vec![made[3], made[1], made[0]])
    );
    desc.paging = Paging::new(1, 1).expect("paging");
    let page = list(store, &fx.reader_a, &desc).await;
    assert_eq!((page.total, ids(&page)), (None, vec![made[1]]));
}
