//! Associations: items, indicators, links both ways, reverse look-ups, cascades and
//! authorization (an association never reveals an item of an owner the actor cannot read).

use crate::fixture::{assert_err, create, fixture, ids, list};
use threatdb_core::{
    AdminStore, Cond, GroupFilter, IncidentName, IncidentQuery, IndicatorKind, IndicatorValue,
    ItemKind, LinkSet, Linked, NewItem, Owner, Paging, Store, StoreError, Target,
};

fn item(kind: ItemKind, name: &str) -> NewItem {
    NewItem {
        kind,
        name: IncidentName::parse(name).unwrap(),
        fields: "{}".into(),
    }
}

fn value(kind: IndicatorKind, v: &str) -> IndicatorValue {
    IndicatorValue::parse(kind, v).unwrap()
}

fn with(owner: &Owner, target: Target) -> IncidentQuery {
    IncidentQuery::owner(owner.clone()).with(Cond::Associated(target))
}

fn linked_ids(items: &[Linked]) -> Vec<(u8, i64)> {
    items
        .iter()
        .map(|l| match l {
            Linked::Incident(i) => (0, i.id),
            Linked::Item(i) => (1, i.id),
            Linked::Indicator(i) => (2, i.id),
        })
        .collect()
}

/// Items and indicators round-trip; indicators are unique per owner and normalised value;
/// association is idempotent, listed both ways and removed with either end.
pub async fn associations_round_trip<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let one = create(store, w, a, "One", "2020-01-01").await;
    let two = create(store, w, a, "Two", "2020-01-02").await;
    let three = create(store, w, a, "Three", "2020-01-03").await;
    let adv = store
        .create_item(w, a, item(ItemKind::Adversary, "Bear"))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_item(&fx.reader_a, ItemKind::Adversary, adv.id)
            .await
            .unwrap(),
        adv
    );
    assert_err(
        store.get_item(w, ItemKind::Campaign, adv.id).await,
        StoreError::NotFound,
        "wrong kind",
    );
    let victim = store
        .create_item(w, a, item(ItemKind::Victim, "Bank"))
        .await
        .unwrap();
    let host = value(IndicatorKind::Host, "Evil.Example.com");
    let ind = store.create_indicator(w, a, &host).await.unwrap();
    assert_eq!(ind.value, "evil.example.com");
    assert_err(
        store
            .create_indicator(w, a, &value(IndicatorKind::Host, "EVIL.example.COM."))
            .await,
        StoreError::Conflict("this indicator exists already".into()),
        "duplicate indicator",
    );
    // The same value in another owner is another indicator.
    store
        .create_indicator(&fx.member_b, &fx.org_b, &host)
        .await
        .unwrap();

    for _ in 0..2 {
        store
            .associate(w, one, &Target::Item(ItemKind::Adversary, adv.id))
            .await
            .unwrap();
        store
            .associate(w, two, &Target::Item(ItemKind::Adversary, adv.id))
            .await
            .unwrap();
        store
            .associate(w, one, &Target::Indicator(host.clone()))
            .await
            .unwrap();
        store
            .associate(w, one, &Target::Item(ItemKind::Victim, victim.id))
            .await
            .unwrap();
        store
            .associate(w, one, &Target::Incident(three))
            .await
            .unwrap();
    }
    let adv_q = with(a, Target::Item(ItemKind::Adversary, adv.id));
    assert_eq!(ids(&list(store, w, &adv_q).await), vec![one, two]);
    assert_eq!(list(store, w, &adv_q).await.total, Some(2));
    let host_q = with(a, Target::Indicator(host.clone()));
    assert_eq!(ids(&list(store, w, &host_q).await), vec![one]);
    assert_eq!(
        ids(&list(store, w, &with(a, Target::Incident(three))).await),
        vec![one]
    );
    assert_eq!(
        ids(&list(store, w, &with(a, Target::Incident(one))).await),
        vec![three]
    );
    let victim_q = with(a, Target::Item(ItemKind::Victim, victim.id));
    assert_eq!(ids(&list(store, w, &victim_q).await), vec![one]);

    let groups = store
        .associations(w, one, LinkSet::Groups(None), Paging::default())
        .await
        .unwrap();
    assert_eq!(linked_ids(&groups.items), vec![(0, three), (1, adv.id)]);
    assert_eq!(groups.total, Some(2));
    let only_adv = LinkSet::Groups(Some(GroupFilter::Items(ItemKind::Adversary)));
    let page = store
        .associations(w, one, only_adv, Paging::default())
        .await
        .unwrap();
    assert_eq!(linked_ids(&page.items), vec![(1, adv.id)]);
    let page = store
        .associations(w, one, LinkSet::Indicators(None), Paging::default())
        .await
        .unwrap();
    assert_eq!(linked_ids(&page.items), vec![(2, ind.id)]);
    let page = store
        .associations(w, one, LinkSet::Victims, Paging::default())
        .await
        .unwrap();
    assert_eq!(linked_ids(&page.items), vec![(1, victim.id)]);
    let second = Paging::new(1, 1).unwrap();
    let page = store
        .associations(w, one, LinkSet::Groups(None), second)
        .await
        .unwrap();
    assert_eq!(
        (page.total, linked_ids(&page.items)),
        (None, vec![(1, adv.id)])
    );

    // Disassociating: once, then NotFound.
    store
        .disassociate(w, two, &Target::Item(ItemKind::Adversary, adv.id))
        .await
        .unwrap();
    assert_err(
        store
            .disassociate(w, two, &Target::Item(ItemKind::Adversary, adv.id))
            .await,
        StoreError::NotFound,
        "disassociate twice",
    );
    assert_eq!(ids(&list(store, w, &adv_q).await), vec![one]);
    // Deleting an end removes its associations.
    store.delete_indicator(w, a, &host).await.unwrap();
    let page = store
        .associations(w, one, LinkSet::Indicators(None), Paging::default())
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_err(
        store.list_incidents(w, &host_q).await,
        StoreError::NotFound,
        "gone host",
    );
    store
        .delete_item(w, ItemKind::Adversary, adv.id)
        .await
        .unwrap();
    assert_err(
        store.list_incidents(w, &adv_q).await,
        StoreError::NotFound,
        "gone adversary",
    );
    store.delete_incident(w, three).await.unwrap();
    let page = store
        .associations(w, one, LinkSet::Groups(None), Paging::default())
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

/// Linking needs write on the incident and read on the target; missing or hidden targets are
/// NotFound; listings never show what the actor cannot read.
pub async fn associations_authorization<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let a = &fx.org_a;
    let mine = create(store, &fx.writer_a, a, "Mine", "2020-01-01").await;
    let theirs = create(store, &fx.member_b, &fx.org_b, "Theirs", "2020-01-01").await;
    let b_adv = store
        .create_item(&fx.member_b, &fx.org_b, item(ItemKind::Adversary, "Hidden"))
        .await
        .unwrap();
    let c_adv = store
        .create_item(
            &fx.admin_a,
            &fx.community_c,
            item(ItemKind::Adversary, "Shared"),
        )
        .await
        .unwrap();
    let missing = Target::Item(ItemKind::Adversary, i64::MAX);
    assert_err(
        store.associate(&fx.writer_a, mine, &missing).await,
        StoreError::NotFound,
        "missing",
    );
    let hidden = Target::Item(ItemKind::Adversary, b_adv.id);
    assert_err(
        store.associate(&fx.writer_a, mine, &hidden).await,
        StoreError::NotFound,
        "hidden",
    );
    assert_err(
        store
            .associate(&fx.writer_a, mine, &Target::Incident(theirs))
            .await,
        StoreError::NotFound,
        "hidden incident",
    );
    let shared = Target::Item(ItemKind::Adversary, c_adv.id);
    assert_err(
        store.associate(&fx.reader_a, mine, &shared).await,
        StoreError::Forbidden,
        "reader",
    );
    assert_err(
        store.associate(&fx.member_b, mine, &hidden).await,
        StoreError::NotFound,
        "B on A",
    );
    // admin_a writes in A and C: links A's incident to C's adversary.
    store.associate(&fx.admin_a, mine, &shared).await.unwrap();
    // writer_a cannot read C: the link is not listed and the reverse look-up is NotFound.
    let page = store
        .associations(&fx.writer_a, mine, LinkSet::Groups(None), Paging::default())
        .await
        .unwrap();
    assert!(page.items.is_empty(), "{page:?}");
    assert_eq!(page.total, Some(0));
    assert_err(
        store
            .list_incidents(&fx.writer_a, &with(a, shared.clone()))
            .await,
        StoreError::NotFound,
        "reverse look-up of a hidden item",
    );
    // reader_c reads C: sees it.
    let page = store
        .associations(&fx.reader_c, mine, LinkSet::Groups(None), Paging::default())
        .await
        .unwrap();
    assert_eq!(linked_ids(&page.items), vec![(1, c_adv.id)]);
    assert_eq!(
        ids(&list(store, &fx.reader_c, &with(a, shared)).await),
        vec![mine]
    );
    // B sees nothing of A's incident's associations.
    assert_err(
        store
            .associations(&fx.member_b, mine, LinkSet::Groups(None), Paging::default())
            .await,
        StoreError::NotFound,
        "B lists A's incident",
    );
    // A reader of the owner cannot remove an association.
    let host = value(IndicatorKind::Address, "10.0.0.1");
    store
        .create_indicator(&fx.writer_a, a, &host)
        .await
        .unwrap();
    store
        .associate(&fx.writer_a, mine, &Target::Indicator(host.clone()))
        .await
        .unwrap();
    assert_err(
        store
            .disassociate(&fx.reader_a, mine, &Target::Indicator(host.clone()))
            .await,
        StoreError::Forbidden,
        "reader disassociates",
    );
    assert_err(
        store.get_indicator(&fx.member_b, a, &host).await,
        StoreError::NotFound,
        "B reads A's indicator",
    );
}

/// The bulk path creates missing indicators once and links them, like `associate` would.
pub async fn bulk_indicator_links<S: Store + AdminStore + threatdb_core::BulkLinks>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let one = create(store, w, a, "One", "2020-01-01").await;
    let two = create(store, w, a, "Two", "2020-01-02").await;
    let links = vec![
        ("bulk.test".to_string(), one),
        ("bulk.test".to_string(), two),
        ("other.test".to_string(), two),
        ("bulk.test".to_string(), one),
    ];
    let n = store
        .bulk_indicator_links(a.id, IndicatorKind::Host, links)
        .await
        .unwrap();
    assert_eq!(n, 4);
    store.links_done().await.unwrap();
    let bulk = Target::Indicator(value(IndicatorKind::Host, "bulk.test"));
    assert_eq!(ids(&list(store, w, &with(a, bulk)).await), vec![one, two]);
    let other = Target::Indicator(value(IndicatorKind::Host, "other.test"));
    assert_eq!(ids(&list(store, w, &with(a, other)).await), vec![two]);
    let page = store
        .associations(w, two, LinkSet::Indicators(None), Paging::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
}

/// An owner's items of a kind and its indicators are listed in id order, paged, per owner.
pub async fn catalogue_lists<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let mut advs = vec![];
    for n in ["One", "Two", "Three"] {
        let it = store
            .create_item(w, a, item(ItemKind::Adversary, n))
            .await
            .unwrap();
        advs.push(it.id);
    }
    store
        .create_item(w, a, item(ItemKind::Victim, "V"))
        .await
        .unwrap();
    store
        .create_item(&fx.member_b, &fx.org_b, item(ItemKind::Adversary, "B"))
        .await
        .unwrap();
    let page = store
        .list_items(w, a, Some(ItemKind::Adversary), Paging::default())
        .await
        .unwrap();
    let got: Vec<i64> = page.items.iter().map(|i| i.id).collect();
    assert_eq!((page.total, got), (Some(3), advs.clone()));
    let page = store
        .list_items(w, a, Some(ItemKind::Adversary), Paging::new(1, 1).unwrap())
        .await
        .unwrap();
    assert_eq!((page.total, page.items[0].id), (None, advs[1]));
    assert_err(
        store
            .list_items(
                &fx.member_b,
                a,
                Some(ItemKind::Adversary),
                Paging::default(),
            )
            .await,
        StoreError::NotFound,
        "B lists A",
    );
    // Every group kind, not victims.
    let groups = store
        .list_items(w, a, None, Paging::default())
        .await
        .unwrap();
    let got: Vec<i64> = groups.items.iter().map(|i| i.id).collect();
    assert_eq!((groups.total, got), (Some(3), advs.clone()));
    for v in ["a.test", "b.test"] {
        store
            .create_indicator(w, a, &value(IndicatorKind::Host, v))
            .await
            .unwrap();
    }
    store
        .create_indicator(w, a, &value(IndicatorKind::Address, "1.2.3.4"))
        .await
        .unwrap();
    let all = store
        .list_indicators(w, a, None, Paging::default())
        .await
        .unwrap();
    assert_eq!(all.total, Some(3));
    let hosts = store
        .list_indicators(w, a, Some(IndicatorKind::Host), Paging::default())
        .await
        .unwrap();
    let values: Vec<&str> = hosts.items.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(values, vec!["a.test", "b.test"]);
}
