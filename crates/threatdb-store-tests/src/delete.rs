//! Deleting: incidents and attributes go away with everything hanging off them, for good.

use crate::fixture::{ALL, assert_err, attr, create, fixture, ids, tag};
use threatdb_core::{AdminStore, IncidentPatch, IncidentQuery, Store, StoreError};

/// Deleting an incident removes it with its attributes, tags and labels, and nothing else.
pub async fn delete_cascades<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let doomed = create(store, &fx.writer_a, &fx.org_a, "Doomed", "2020-01-01").await;
    let kept = create(store, &fx.writer_a, &fx.org_a, "Kept", "2020-01-01").await;
    let mut attrs = Vec::new();
    for id in [doomed, kept] {
        let a = store
            .add_attribute(&fx.writer_a, id, attr("Description", "d"))
            .await
            .expect("attribute");
        store
            .add_attribute_label(&fx.writer_a, id, a.id, "TLP:RED")
            .await
            .expect("attribute label");
        store
            .add_incident_tag(&fx.writer_a, id, &tag("Shared"))
            .await
            .expect("tag");
        store
            .add_incident_label(&fx.writer_a, id, "TLP:GREEN")
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
        store.list_attributes(&fx.admin_a, doomed).await,
        StoreError::NotFound,
        "attributes",
    );
    assert_err(
        store.get_attribute(&fx.admin_a, doomed, attrs[0]).await,
        StoreError::NotFound,
        "attribute",
    );
    assert_err(
        store.attribute_labels(&fx.admin_a, doomed, attrs[0]).await,
        StoreError::NotFound,
        "attribute labels",
    );
    assert_err(
        store.incident_tags(&fx.admin_a, doomed).await,
        StoreError::NotFound,
        "tags",
    );
    assert_err(
        store.incident_labels(&fx.admin_a, doomed).await,
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
        let q = IncidentQuery {
            tag: tag_filter.map(Into::into),
            label: label_filter.map(Into::into),
            ..q.clone()
        };
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
        .add_attribute(w, old, attr("Description", "old"))
        .await
        .expect("attribute")
        .id;
    store
        .add_incident_tag(w, old, &tag("old"))
        .await
        .expect("tag");
    store
        .add_incident_label(w, old, "TLP:RED")
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
        .add_attribute(w, keep, attr("Description", "first"))
        .await
        .expect("attribute")
        .id;
    store
        .delete_attribute(w, keep, first)
        .await
        .expect("delete attribute");
    let second = store
        .add_attribute(w, keep, attr("Description", "second"))
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
        store.delete_attribute(w, keep, first).await,
        StoreError::NotFound,
        "a stale attribute id reaches nothing",
    );
}
