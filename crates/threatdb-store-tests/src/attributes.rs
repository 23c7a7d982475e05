//! Attributes: add, get, list, update, delete, and their security labels.

use crate::fixture::{
    assert_during, assert_err, assert_second_utc, attr, create, fixture, label_names, snapshot,
};
use threatdb_core::date::now;
use threatdb_core::{AdminStore, AttributePatch, NewAttribute, Store, StoreError, Subject};

/// Attributes round-trip, change field by field, respect their type's length limit and go away.
pub async fn attributes_crud<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let id = create(store, w, &fx.org_a, "attributes", "2020-01-01").await;
    let before = now();
    let first = store
        .add_attribute(
            w,
            &Subject::Incident(id),
            NewAttribute::parse(
                "description",
                "What happened.",
                true,
                Some("analyst".into()),
            )
            .expect("attribute"),
        )
        .await
        .expect("add");
    let after = now();
    assert!(first.id > 0);
    assert_eq!(first.kind, "Description", "the canonical type name");
    assert_eq!(first.value, "What happened.");
    assert!(first.displayed);
    assert_eq!(first.source.as_deref(), Some("analyst"));
    assert_second_utc(first.date_added, "attribute dateAdded");
    assert_second_utc(first.last_modified, "attribute lastModified");
    assert_during(first.date_added, before, after, "dateAdded");
    assert_eq!(first.last_modified, first.date_added);
    let second = store
        .add_attribute(w, &Subject::Incident(id), attr("Title", "A title"))
        .await
        .expect("add");
    assert_eq!((second.displayed, second.source.clone()), (false, None));
    assert_ne!(second.id, first.id);

    assert_eq!(
        store
            .attribute_of(&fx.reader_a, &Subject::Incident(id), first.id)
            .await
            .expect("get"),
        first
    );
    let listed = store
        .attributes_of(&fx.reader_a, &Subject::Incident(id))
        .await
        .expect("list");
    assert_eq!(
        listed,
        vec![first.clone(), second.clone()],
        "list in id order"
    );

    // Each patch field alone, then an empty patch.
    let mut want = first.clone();
    for patch in [
        AttributePatch {
            value: Some("Changed.".into()),
            ..AttributePatch::default()
        },
        AttributePatch {
            displayed: Some(false),
            ..AttributePatch::default()
        },
        AttributePatch {
            source: Some("another 'source'".into()),
            ..AttributePatch::default()
        },
        AttributePatch::default(),
    ] {
        let got = store
            .update_attribute(w, &Subject::Incident(id), first.id, patch.clone())
            .await
            .expect("update");
        if let Some(v) = &patch.value {
            want.value = v.clone();
        }
        if let Some(d) = patch.displayed {
            want.displayed = d;
        }
        if let Some(s) = &patch.source {
            want.source = Some(s.clone());
        }
        assert!(
            got.last_modified >= want.last_modified,
            "lastModified moves forward"
        );
        want.last_modified = got.last_modified;
        assert_eq!(got, want, "after {patch:?}");
        assert_eq!(
            store
                .attribute_of(w, &Subject::Incident(id), first.id)
                .await
                .expect("get"),
            want
        );
    }

    // Title allows 255 characters (not bytes); one more is Invalid and changes nothing.
    for ok in ["t".repeat(255), "é".repeat(255), "🚨".repeat(255)] {
        let got = store
            .update_attribute(
                w,
                &Subject::Incident(id),
                second.id,
                AttributePatch {
                    value: Some(ok.clone()),
                    ..AttributePatch::default()
                },
            )
            .await
            .expect("a value at the limit");
        assert_eq!(got.value, ok);
    }
    let at_limit = snapshot(store, w, id).await;
    for bad in ["t".repeat(256), "é".repeat(256), "   ".to_string()] {
        let r = store
            .update_attribute(
                w,
                &Subject::Incident(id),
                second.id,
                AttributePatch {
                    value: Some(bad),
                    ..AttributePatch::default()
                },
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Invalid(_))),
            "over-long or blank value: {r:?}"
        );
    }
    let r = store
        .update_attribute(
            w,
            &Subject::Incident(id),
            second.id,
            AttributePatch {
                value: Some("x".repeat(256)),
                displayed: Some(true),
                source: Some("s".into()),
            },
        )
        .await;
    assert!(
        matches!(r, Err(StoreError::Invalid(_))),
        "a bad value fails the whole patch: {r:?}"
    );
    assert_eq!(
        snapshot(store, w, id).await,
        at_limit,
        "failed updates change nothing"
    );

    // Unknown ids.
    for missing in [i64::MAX, -1] {
        assert_err(
            store.attribute_of(w, &Subject::Incident(id), missing).await,
            StoreError::NotFound,
            "get",
        );
        assert_err(
            store
                .update_attribute(
                    w,
                    &Subject::Incident(id),
                    missing,
                    AttributePatch::default(),
                )
                .await,
            StoreError::NotFound,
            "update",
        );
        assert_err(
            store
                .delete_attribute(w, &Subject::Incident(id), missing)
                .await,
            StoreError::NotFound,
            "delete",
        );
        assert_err(
            store.attributes_of(w, &Subject::Incident(missing)).await,
            StoreError::NotFound,
            "list on a missing incident",
        );
        assert_err(
            store
                .add_attribute(w, &Subject::Incident(missing), attr("Title", "x"))
                .await,
            StoreError::NotFound,
            "add to a missing incident",
        );
    }

    store
        .delete_attribute(w, &Subject::Incident(id), first.id)
        .await
        .expect("delete");
    assert_err(
        store
            .attribute_of(w, &Subject::Incident(id), first.id)
            .await,
        StoreError::NotFound,
        "deleted",
    );
    assert_err(
        store
            .delete_attribute(w, &Subject::Incident(id), first.id)
            .await,
        StoreError::NotFound,
        "twice",
    );
    let left: Vec<i64> = store
        .attributes_of(w, &Subject::Incident(id))
        .await
        .expect("list")
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(left, vec![second.id]);
}

/// An attribute is reached only through its own incident.
pub async fn attributes_scoped_to_incident<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let mine = create(store, w, &fx.org_a, "mine", "2020-01-01").await;
    let other = create(store, w, &fx.org_a, "other", "2020-01-01").await;
    let a = store
        .add_attribute(w, &Subject::Incident(other), attr("Source", "theirs"))
        .await
        .expect("add");
    store
        .label_attribute(w, &Subject::Incident(other), a.id, "TLP:RED")
        .await
        .expect("label");
    let b = create(store, &fx.member_b, &fx.org_b, "in B", "2020-01-01").await;
    let b_attr = store
        .add_attribute(&fx.member_b, &Subject::Incident(b), attr("Source", "B's"))
        .await
        .expect("add");
    let before = snapshot(store, w, other).await;
    let b_before = snapshot(store, &fx.member_b, b).await;

    for (incident, attribute) in [(mine, a.id), (mine, b_attr.id), (other, b_attr.id)] {
        let what = format!("attribute {attribute} through incident {incident}");
        assert_err(
            store
                .attribute_of(w, &Subject::Incident(incident), attribute)
                .await,
            StoreError::NotFound,
            &what,
        );
        assert_err(
            store
                .update_attribute(
                    w,
                    &Subject::Incident(incident),
                    attribute,
                    AttributePatch {
                        value: Some("hijack".into()),
                        ..AttributePatch::default()
                    },
                )
                .await,
            StoreError::NotFound,
            &what,
        );
        assert_err(
            store
                .delete_attribute(w, &Subject::Incident(incident), attribute)
                .await,
            StoreError::NotFound,
            &what,
        );
        assert_err(
            store
                .attribute_labels(w, &Subject::Incident(incident), attribute)
                .await,
            StoreError::NotFound,
            &what,
        );
        assert_err(
            store
                .label_attribute(w, &Subject::Incident(incident), attribute, "TLP:AMBER")
                .await,
            StoreError::NotFound,
            &what,
        );
        assert_err(
            store
                .unlabel_attribute(w, &Subject::Incident(incident), attribute, "TLP:RED")
                .await,
            StoreError::NotFound,
            &what,
        );
    }
    assert!(
        store
            .attributes_of(w, &Subject::Incident(mine))
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        snapshot(store, w, other).await,
        before,
        "the other incident is untouched"
    );
    assert_eq!(
        snapshot(store, &fx.member_b, b).await,
        b_before,
        "B's incident is untouched"
    );
}

/// Security labels on attributes: add (idempotent, any spelling), list, remove.
pub async fn attribute_labels<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let id = create(store, w, &fx.org_a, "attribute labels", "2020-01-01").await;
    let a = store
        .add_attribute(w, &Subject::Incident(id), attr("Description", "labelled"))
        .await
        .expect("add");
    let plain = store
        .add_attribute(w, &Subject::Incident(id), attr("Description", "plain"))
        .await
        .expect("add");
    let r = &fx.reader_a.actor;
    let names = |attribute: i64| async move {
        let mut n = label_names(
            &store
                .attribute_labels(r, &Subject::Incident(id), attribute)
                .await
                .expect("labels"),
        );
        n.sort();
        n
    };
    assert!(names(a.id).await.is_empty());
    store
        .label_attribute(w, &Subject::Incident(id), a.id, "TLP:RED")
        .await
        .expect("add");
    store
        .label_attribute(w, &Subject::Incident(id), a.id, "tlp red")
        .await
        .expect("again");
    store
        .label_attribute(w, &Subject::Incident(id), a.id, "TLP Amber")
        .await
        .expect("another");
    assert_eq!(names(a.id).await, vec!["TLP:AMBER", "TLP:RED"]);
    assert!(names(plain.id).await.is_empty(), "only that attribute");

    let before = snapshot(store, w, id).await;
    assert_err(
        store
            .label_attribute(w, &Subject::Incident(id), a.id, "Nope")
            .await,
        StoreError::Invalid("Security label 'Nope' does not exist".into()),
        "unknown label",
    );
    assert_err(
        store
            .unlabel_attribute(w, &Subject::Incident(id), a.id, "TLP:GREEN")
            .await,
        StoreError::NotFound,
        "not on it",
    );
    assert_err(
        store
            .unlabel_attribute(w, &Subject::Incident(id), plain.id, "TLP:RED")
            .await,
        StoreError::NotFound,
        "other attribute",
    );
    assert_eq!(
        snapshot(store, w, id).await,
        before,
        "failed changes change nothing"
    );

    store
        .unlabel_attribute(w, &Subject::Incident(id), a.id, "tlp_red")
        .await
        .expect("remove");
    assert_eq!(names(a.id).await, vec!["TLP:AMBER"]);
    assert_err(
        store
            .unlabel_attribute(w, &Subject::Incident(id), a.id, "TLP:RED")
            .await,
        StoreError::NotFound,
        "twice",
    );
    assert!(
        store
            .labels_of(w, &Subject::Incident(id))
            .await
            .expect("incident labels")
            .is_empty(),
        "attribute labels are not incident labels"
    );
}
