//! Attributes of items and indicators: added, listed, changed and deleted like an incident's,
//! only by those who may, and gone with the item.

use crate::fixture::{assert_err, attr, fixture};
use threatdb_core::{
    AdminStore, AttributePatch, IncidentName, IndicatorKind, IndicatorValue, ItemKind, NewItem,
    Store, StoreError, Subject,
};

/// An adversary's and a host's attributes through their whole life.
pub async fn item_and_indicator_attributes<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let new = NewItem {
        kind: ItemKind::Adversary,
        name: IncidentName::parse("Bear").unwrap(),
        fields: "{}".into(),
    };
    let adv = store.create_item(w, a, new).await.unwrap();
    let item = Subject::Item(ItemKind::Adversary, adv.id);
    let host = IndicatorValue::parse(IndicatorKind::Host, "attr.test").unwrap();
    store.create_indicator(w, a, &host).await.unwrap();
    let ind = Subject::Indicator(a.clone(), host);
    for on in [&item, &ind] {
        let one = store
            .add_attribute(w, on, attr("Description", "first"))
            .await
            .unwrap();
        let two = store
            .add_attribute(w, on, attr("Source", "second"))
            .await
            .unwrap();
        let got = store.attributes_of(&fx.reader_a, on).await.unwrap();
        let ids: Vec<i64> = got.iter().map(|x| x.id).collect();
        assert_eq!(ids, vec![one.id, two.id]);
        assert_eq!(got[0].value, "first");
        let patch = AttributePatch {
            value: Some("changed".into()),
            displayed: Some(true),
            source: None,
        };
        let changed = store
            .update_attribute(w, on, one.id, patch.clone())
            .await
            .unwrap();
        assert_eq!(
            (changed.value.as_str(), changed.displayed),
            ("changed", true)
        );
        assert_err(
            store
                .update_attribute(&fx.reader_a, on, one.id, patch)
                .await,
            StoreError::Forbidden,
            "reader updates",
        );
        assert_err(
            store.attributes_of(&fx.member_b, on).await,
            StoreError::NotFound,
            "B lists",
        );
        assert_err(
            store
                .add_attribute(&fx.member_b, on, attr("Description", "x"))
                .await,
            StoreError::NotFound,
            "B adds",
        );
        store.delete_attribute(w, on, two.id).await.unwrap();
        assert_err(
            store.delete_attribute(w, on, two.id).await,
            StoreError::NotFound,
            "twice",
        );
        assert_eq!(store.attributes_of(w, on).await.unwrap().len(), 1);
    }
    // An attribute id of the adversary is not one of the host's.
    let adv_attrs = store.attributes_of(w, &item).await.unwrap();
    assert_err(
        store.delete_attribute(w, &ind, adv_attrs[0].id).await,
        StoreError::NotFound,
        "another item's attribute",
    );
    store
        .delete_item(w, ItemKind::Adversary, adv.id)
        .await
        .unwrap();
    assert_err(
        store.attributes_of(w, &item).await,
        StoreError::NotFound,
        "deleted",
    );
}

/// An item's name changes and fields merge (a null removes one); only writers may.
pub async fn item_update_merges_fields<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let new = NewItem {
        kind: ItemKind::Document,
        name: IncidentName::parse("Doc").unwrap(),
        fields: r#"{"fileName":"a.pdf","malware":false}"#.into(),
    };
    let doc = store.create_item(w, a, new).await.unwrap();
    let patch = threatdb_core::ItemPatch {
        name: Some(IncidentName::parse("Renamed").unwrap()),
        fields: Some(r#"{"fileName":"b.pdf","malware":null,"status":"Success"}"#.into()),
    };
    let got = store
        .update_item(w, ItemKind::Document, doc.id, patch.clone())
        .await
        .unwrap();
    assert_eq!(got.name, "Renamed");
    // Key order and spacing are the database's; the content is what counts.
    let f = got.fields.replace(' ', "");
    assert!(f.contains(r#""fileName":"b.pdf""#), "{f}");
    assert!(f.contains(r#""status":"Success""#), "{f}");
    assert!(!f.contains("malware"), "{f}");
    let same = store
        .update_item(w, ItemKind::Document, doc.id, Default::default())
        .await
        .unwrap();
    assert_eq!(same, got);
    assert_err(
        store
            .update_item(&fx.reader_a, ItemKind::Document, doc.id, patch.clone())
            .await,
        StoreError::Forbidden,
        "reader",
    );
    assert_err(
        store
            .update_item(&fx.member_b, ItemKind::Document, doc.id, patch.clone())
            .await,
        StoreError::NotFound,
        "B",
    );
    assert_err(
        store.update_item(w, ItemKind::Email, doc.id, patch).await,
        StoreError::NotFound,
        "wrong kind",
    );
}
