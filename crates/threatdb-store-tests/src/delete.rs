//! Deleting: incidents and attributes go away with everything hanging off them, for good.

use crate::fixture::SetQuery;
use crate::fixture::{ALL, assert_err, attr, create, fixture, ids, tag};
use threatdb_core::{AdminStore, IncidentPatch, IncidentQuery, Store, StoreError, Subject};

/// Deleting an incident removes it with its attributes, tags and labels, and nothing else.
pub async fn delete_cascades<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let doomed = create(store, &fx.writer_a, &fx.org_a, "Doomed", "2020-01-01").await;
    let kept = create(store, &fx.writer_a, &fx.org_a, "Kept", "2020-01-01").await;
    let mut attrs = Vec::new();
    for id in [doomed, kept] {
        let a = store
            .add_attribute(
                &fx.writer_a,
                &Subject::Incident(id),
                attr("Description", "d"),
            )
            .await
            .expect("attribute");
        store
            .label_attribute(&fx.writer_a, &Subject::Incident(id), a.id, "TLP:RED")
            .await
            .expect("attribute label");
        store
            .tag(&fx.writer_a, &Subject::Incident(id), &tag("Shared"))
            .await
            .expect("tag");
        store
            .label(&fx.writer_a, &Subject::Incident(id), "TLP:GREEN")
            .await
            .expect("label");
        attrs.push(a.id);
    }
    let kept_before = crate::fixture::snapshot(store, &fx.writer_a, kept).await;

    store
        .delete_incident(&fx.writer_a, doomed)
        .await
        .expect("delete");

    assert_err(
        store.get_incident(&fx.admin_a, doomed, ALL).await,
        StoreError::NotFound,
        "get",
    );
    assert_err(
        store
            .attributes_of(&fx.admin_a, &Subject::Incident(doomed))
            .await,
        StoreError::NotFound,
        "attributes",
    );
    assert_err(
        store
            .attribute_of(&fx.admin_a, &Subject::Incident(doomed), attrs[0])
            .await,
        StoreError::NotFound,
        "attribute",
    );
    assert_err(
        store
            .attribute_labels(&fx.admin_a, &Subject::Incident(doomed), attrs[0])
            .await,
        StoreError::NotFound,
        "attribute labels",
    );
    assert_err(
        store.tags_of(&fx.admin_a, &Subject::Incident(doomed)).await,
        StoreError::NotFound,
        "tags",
    );
    assert_err(
        store
            .labels_of(&fx.admin_a, &Subject::Incident(doomed))
            .await,
        StoreError::NotFound,
        "labels",
    );
    assert_err(
        store.delete_incident(&fx.admin_a, doomed).await,
        StoreError::NotFound,
        "delete twice",
    );
    assert_err(
        store
            .update_incident(&fx.admin_a, doomed, IncidentPatch::default())
            .await,
        StoreError::NotFound,
        "update after delete",
    );

    let q = IncidentQuery::owner(fx.org_a.clone());
    let listed = store.list_incidents(&fx.reader_a, &q).await.expect("list");
    assert_eq!(ids(&listed), vec![kept], "list no longer shows it");
    assert_eq!(listed.total, Some(1));
    for (tag_filter, label_filter) in [(Some("shared"), None), (None, Some("TLP:GREEN"))] {
        let mut q = q.clone();
        q.set_tag(tag_filter.map(Into::into));
        q.set_label(label_filter.map(Into::into));
        let listed = store
            .list_incidents(&fx.reader_a, &q)
            .await
            .expect("list filtered");
        assert_eq!(
            ids(&listed),
            vec![kept],
            "filtered lists no longer show it: {q:?}"
        );
    }
    let kept_after = crate::fixture::snapshot(store, &fx.writer_a, kept).await;
    assert_eq!(kept_after, kept_before, "the other incident is untouched");
}

/// Ids are never handed out twice: after deleting the newest incident (or attribute), the next
/// one gets a new id, so a stale id can never reach someone else's new data.
pub async fn ids_never_reused<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let old = create(store, w, &fx.org_a, "deleted soon", "2020-01-01").await;
    let old_attr = store
        .add_attribute(w, &Subject::Incident(old), attr("Description", "old"))
        .await
        .expect("attribute")
        .id;
    store
        .tag(w, &Subject::Incident(old), &tag("old"))
        .await
        .expect("tag");
    store
        .label(w, &Subject::Incident(old), "TLP:RED")
        .await
        .expect("label");
    store.delete_incident(w, old).await.expect("delete");
    let new = create(
        store,
        &fx.member_b,
        &fx.org_b,
        "created after",
        "2020-01-01",
    )
    .await;
    assert_ne!(
        new, old,
        "the id of a deleted incident was handed out again"
    );
    let details = store
        .get_incident(&fx.member_b, new, ALL)
        .await
        .expect("get");
    assert_eq!(
        (details.attributes, details.tags, details.labels),
        (Some(vec![]), Some(vec![]), Some(vec![])),
        "a new incident inherits nothing"
    );
    assert_err(
        store.get_incident(w, old, ALL).await,
        StoreError::NotFound,
        "the deleted incident stays gone",
    );

    let keep = create(store, w, &fx.org_a, "attributes", "2020-01-01").await;
    let first = store
        .add_attribute(w, &Subject::Incident(keep), attr("Description", "first"))
        .await
        .expect("attribute")
        .id;
    store
        .delete_attribute(w, &Subject::Incident(keep), first)
        .await
        .expect("delete attribute");
    let second = store
        .add_attribute(w, &Subject::Incident(keep), attr("Description", "second"))
        .await
        .expect("attribute")
        .id;
    assert_ne!(
        second, first,
        "the id of a deleted attribute was handed out again"
    );
    assert_ne!(
        second, old_attr,
        "the id of a cascaded attribute was handed out again"
    );
    assert_err(
        store
            .delete_attribute(w, &Subject::Incident(keep), first)
            .await,
        StoreError::NotFound,
        "a stale attribute id reaches nothing",
    );
}
