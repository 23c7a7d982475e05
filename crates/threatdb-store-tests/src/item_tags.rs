//! Tags and security labels on items and indicators: idempotent, from the owner's tags and
//! usable labels, removed with the item, and only for those who may see (read) or change (write)
//! the item.

use crate::fixture::{assert_err, fixture, tag};
use threatdb_core::{
    AdminStore, IncidentName, IndicatorKind, IndicatorValue, ItemKind, NewItem, Store, StoreError,
    Subject,
};

fn names(tags: &[threatdb_core::Tag]) -> Vec<&str> {
    tags.iter().map(|t| t.name.as_str()).collect()
}

/// Tags an adversary and a host; reads, removes, and checks access.
pub async fn item_and_indicator_tags<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let new = NewItem {
        kind: ItemKind::Adversary,
        name: IncidentName::parse("Bear").unwrap(),
        fields: "{}".into(),
    };
    let adv = store.create_item(w, a, new).await.unwrap();
    let item = Subject::Item(ItemKind::Adversary, adv.id);
    let host = IndicatorValue::parse(IndicatorKind::Host, "tagged.test").unwrap();
    store.create_indicator(w, a, &host).await.unwrap();
    let ind = Subject::Indicator(a.clone(), host);
    for on in [&item, &ind] {
        store.tag(w, on, &tag("APT29")).await.unwrap();
        store.tag(w, on, &tag("apt29")).await.unwrap();
        store.tag(w, on, &tag("Nation State")).await.unwrap();
        let got = store.tags_of(&fx.reader_a, on).await.unwrap();
        assert_eq!(names(&got), vec!["APT29", "Nation State"]);
        assert_err(
            store.tag(&fx.reader_a, on, &tag("x")).await,
            StoreError::Forbidden,
            "reader tags",
        );
        assert_err(
            store.tags_of(&fx.member_b, on).await,
            StoreError::NotFound,
            "B reads",
        );
        store.untag(w, on, "NATION STATE").await.unwrap();
        assert_err(
            store.untag(w, on, "Nation State").await,
            StoreError::NotFound,
            "twice",
        );
        let got = store.tags_of(w, on).await.unwrap();
        assert_eq!(names(&got), vec!["APT29"]);
        // Security labels: the system ones, idempotent, removable once.
        store.label(w, on, "TLP:GREEN").await.unwrap();
        store.label(w, on, "TLP Green").await.unwrap();
        let got = store.labels_of(&fx.reader_a, on).await.unwrap();
        let got: Vec<&str> = got.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(got, vec!["TLP:GREEN"]);
        assert!(matches!(
            store.label(w, on, "TLP:PLAID").await,
            Err(StoreError::Invalid(_))
        ));
        assert_err(
            store.label(&fx.reader_a, on, "TLP:RED").await,
            StoreError::Forbidden,
            "reader",
        );
        assert_err(
            store.labels_of(&fx.member_b, on).await,
            StoreError::NotFound,
            "B labels",
        );
        store.unlabel(w, on, "tlp:green").await.unwrap();
        assert_err(
            store.unlabel(w, on, "TLP:GREEN").await,
            StoreError::NotFound,
            "twice",
        );
    }
    // The tag is the owner's, shared with its incidents.
    let owner_tags = store
        .list_tags(w, a, threatdb_core::Paging::default())
        .await
        .unwrap();
    assert_eq!(owner_tags.items.len(), 2);
    store
        .delete_item(w, ItemKind::Adversary, adv.id)
        .await
        .unwrap();
    assert_err(
        store.tags_of(w, &item).await,
        StoreError::NotFound,
        "deleted",
    );
}
