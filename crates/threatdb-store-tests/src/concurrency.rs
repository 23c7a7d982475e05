//! Concurrent writers: the same tag added at once stays one tag.

use crate::fixture::{create, fixture, tag};
use crate::util::join_all;
use std::collections::HashSet;
use threatdb_core::{AdminStore, Cond, IncidentQuery, Paging, Store, Subject, TagName};

/// 20 concurrent adds of one tag (in different spellings) to one incident leave one tag; adds of
/// one new tag to 10 incidents at once create it once in the owner.
pub async fn concurrent_tag_adds<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let id = create(store, w, &fx.org_a, "contended", "2020-01-01").await;
    let spellings: Vec<TagName> = (0..20)
        .map(|i| {
            tag(if i % 3 == 0 {
                "Concurrent"
            } else if i % 3 == 1 {
                "CONCURRENT"
            } else {
                "concurrent"
            })
        })
        .collect();
    let on = Subject::Incident(id);
    let results = join_all(spellings.iter().map(|t| store.tag(w, &on, t)).collect()).await;
    for r in results {
        r.expect("every concurrent add succeeds");
    }
    let tags = store
        .tags_of(w, &Subject::Incident(id))
        .await
        .expect("tags");
    assert_eq!(tags.len(), 1, "exactly one tag: {tags:?}");
    assert!(tags[0].name.eq_ignore_ascii_case("concurrent"), "{tags:?}");

    let mut incidents = Vec::new();
    for i in 0..10 {
        incidents.push(create(store, w, &fx.org_a, &format!("many {i}"), "2020-01-01").await);
    }
    let fresh = tag("Fresh");
    let subjects: Vec<Subject> = incidents.iter().map(|i| Subject::Incident(*i)).collect();
    let results = join_all(subjects.iter().map(|on| store.tag(w, on, &fresh)).collect()).await;
    for r in results {
        r.expect("every concurrent add succeeds");
    }
    let listed = store
        .list_incidents(
            w,
            &IncidentQuery::owner(fx.org_a.clone()).with(Cond::Tag("fresh".into())),
        )
        .await
        .expect("list");
    assert_eq!(listed.total, Some(10), "all ten are tagged");
    let owner_tags = store
        .list_tags(w, &fx.org_a, Paging::default())
        .await
        .expect("tags");
    let names: Vec<&str> = owner_tags.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(owner_tags.total, Some(2), "one tag each: {names:?}");
}

/// Concurrent creates all succeed, with distinct ids and xids.
pub async fn concurrent_incident_creates<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let names: Vec<String> = (0..20).map(|i| format!("parallel {i}")).collect();
    let created = join_all(
        names
            .iter()
            .map(|n| {
                store.create_incident(
                    &fx.writer_a,
                    &fx.org_a,
                    crate::fixture::new_incident(n, crate::fixture::ts("2020-01-01")),
                )
            })
            .collect(),
    )
    .await;
    let created: Vec<_> = created
        .into_iter()
        .map(|r| r.expect("concurrent create"))
        .collect();
    let ids: HashSet<i64> = created.iter().map(|i| i.id).collect();
    let xids: HashSet<&str> = created.iter().map(|i| i.xid.as_str()).collect();
    assert_eq!((ids.len(), xids.len()), (20, 20), "distinct ids and xids");
    let listed = store
        .list_incidents(&fx.reader_a, &IncidentQuery::owner(fx.org_a.clone()))
        .await
        .expect("list");
    assert_eq!(listed.total, Some(20));
}
