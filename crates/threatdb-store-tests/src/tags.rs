//! Tags: identity, idempotence, removal, the owner's catalogue.

use crate::fixture::{assert_err, create, fixture, tag};
use std::collections::BTreeSet;
use threatdb_core::{Actor, AdminStore, Paging, Store, StoreError, Subject};

async fn names<S: Store>(store: &S, actor: &Actor, incident: i64) -> Vec<String> {
    let mut names: Vec<String> = store
        .tags_of(actor, &Subject::Incident(incident))
        .await
        .unwrap_or_else(|e| panic!("incident_tags {incident}: {e:?}"))
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    names
}

/// A tag's identity is its case-insensitive name; the first spelling is kept (per owner);
/// adding twice is a no-op; removing a tag that is not there is NotFound.
pub async fn tag_identity<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let i1 = create(store, w, &fx.org_a, "tagged", "2020-01-01").await;
    let i2 = create(store, w, &fx.org_a, "tagged too", "2020-01-01").await;

    for spelling in ["APT29", "apt29", "Apt29", "  aPT29  ", "APT29"] {
        store
            .tag(w, &Subject::Incident(i1), &tag(spelling))
            .await
            .unwrap_or_else(|e| panic!("add {spelling:?}: {e:?}"));
        assert_eq!(
            names(store, w, i1).await,
            vec!["APT29"],
            "after adding {spelling:?}"
        );
    }
    for spelling in ["Ärger", "ÄRGER", "ärger"] {
        store
            .tag(w, &Subject::Incident(i1), &tag(spelling))
            .await
            .expect("add unicode tag");
    }
    assert_eq!(
        names(store, w, i1).await,
        vec!["APT29", "Ärger"],
        "Unicode case folding"
    );

    // The tag is the owner's: another incident finds the first spelling.
    store
        .tag(w, &Subject::Incident(i2), &tag("apt29"))
        .await
        .expect("add to i2");
    assert_eq!(
        names(store, w, i2).await,
        vec!["APT29"],
        "first spelling in the owner"
    );
    let got = store
        .get_tag(&fx.reader_a, &fx.org_a, "aPt29")
        .await
        .expect("get_tag");
    assert_eq!(got.name, "APT29");
    assert_err(
        store.get_tag(&fx.reader_a, &fx.org_a, "never").await,
        StoreError::NotFound,
        "get_tag of a missing tag",
    );
    // Another owner has its own tag with its own first spelling.
    let b = create(store, &fx.member_b, &fx.org_b, "b", "2020-01-01").await;
    store
        .tag(&fx.member_b, &Subject::Incident(b), &tag("apt29"))
        .await
        .expect("add in B");
    assert_eq!(
        names(store, &fx.member_b, b).await,
        vec!["apt29"],
        "B's own spelling"
    );
    assert_eq!(
        names(store, w, i2).await,
        vec!["APT29"],
        "A's spelling unchanged"
    );

    // Removing is by identity, once.
    store
        .untag(w, &Subject::Incident(i1), "apt29")
        .await
        .expect("remove by another spelling");
    assert_eq!(names(store, w, i1).await, vec!["Ärger"]);
    assert_eq!(
        names(store, w, i2).await,
        vec!["APT29"],
        "only i1 lost the tag"
    );
    let before = crate::fixture::snapshot(store, w, i1).await;
    assert_err(
        store.untag(w, &Subject::Incident(i1), "APT29").await,
        StoreError::NotFound,
        "twice",
    );
    assert_err(
        store.untag(w, &Subject::Incident(i1), "never").await,
        StoreError::NotFound,
        "never",
    );
    assert_err(
        store
            .untag(&fx.member_b, &Subject::Incident(b), "Ärger")
            .await,
        StoreError::NotFound,
        "a tag of another owner",
    );
    assert_eq!(
        crate::fixture::snapshot(store, w, i1).await,
        before,
        "failed removes change nothing"
    );
    store
        .untag(w, &Subject::Incident(i1), "ÄRGER")
        .await
        .expect("remove unicode by other case");
    assert!(names(store, w, i1).await.is_empty());
    assert_err(
        store.tag(w, &Subject::Incident(i64::MAX), &tag("x")).await,
        StoreError::NotFound,
        "tag a missing incident",
    );
}

/// `list_tags` lists one owner's tags, paged, with `total` only on the first page.
pub async fn list_tags_per_owner<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let first = store
        .list_tags(w, &fx.org_a, Paging::default())
        .await
        .expect("empty list");
    assert_eq!(
        (first.total, first.items.len()),
        (Some(0), 0),
        "a new owner has no tags"
    );

    let id = create(store, w, &fx.org_a, "tags", "2020-01-01").await;
    let want: BTreeSet<String> = ["one", "Two", "THREE", "vier", "Fünf"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for t in &want {
        store
            .tag(w, &Subject::Incident(id), &tag(t))
            .await
            .expect("tag");
    }
    store
        .tag(w, &Subject::Incident(id), &tag("ONE"))
        .await
        .expect("same tag again");
    let b = create(store, &fx.member_b, &fx.org_b, "b", "2020-01-01").await;
    store
        .tag(&fx.member_b, &Subject::Incident(b), &tag("only in B"))
        .await
        .expect("tag in B");

    let all = store
        .list_tags(&fx.reader_a, &fx.org_a, Paging::default())
        .await
        .expect("list");
    assert_eq!(all.total, Some(5));
    let got: BTreeSet<String> = all.items.iter().map(|t| t.name.clone()).collect();
    assert_eq!(got, want, "A's tags, first spellings, none of B's");
    assert_eq!(all.items.len(), 5, "no duplicates");

    let mut paged = Vec::new();
    for start in [0, 2, 4] {
        let page = store
            .list_tags(
                &fx.reader_a,
                &fx.org_a,
                Paging::new(start, 2).expect("paging"),
            )
            .await
            .expect("page");
        assert_eq!(
            page.total,
            (start == 0).then_some(5),
            "total only at start 0"
        );
        paged.extend(page.items.into_iter().map(|t| t.name));
    }
    assert_eq!(
        paged,
        all.items.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "pages in order"
    );
    let past = store
        .list_tags(&fx.reader_a, &fx.org_a, Paging::new(5, 2).expect("paging"))
        .await
        .expect("past the end");
    assert_eq!((past.total, past.items.len()), (None, 0));

    let b_tags = store
        .list_tags(&fx.member_b, &fx.org_b, Paging::default())
        .await
        .expect("B");
    let b_names: Vec<String> = b_tags.items.into_iter().map(|t| t.name).collect();
    assert_eq!(b_names, vec!["only in B"]);
}
