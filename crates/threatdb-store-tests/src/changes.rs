//! An owner's objects in change order ([`Store::changes`]): every object once, in (last
//! change, table, id) order, whatever the page size and however many share a second; an object
//! changed during a walk comes again at its end; only the item kinds asked for; what hangs off
//! each object loaded with it; another owner's objects out of reach.

use crate::fixture::{create, fixture, tag};
use threatdb_core::{
    AdminStore, AttributeType, Change, ChangeKey, ChangeQuery, Changed, IncidentName,
    IncidentPatch, IndicatorKind, IndicatorValue, ItemKind, NewAttribute, NewItem, Owner, Paging,
    Store, StoreError, Subject, Target,
};

fn query(owner: &Owner, after: Option<ChangeKey>, limit: u64) -> ChangeQuery {
    ChangeQuery {
        owner: owner.clone(),
        after,
        incidents: true,
        items: vec![ItemKind::Adversary],
        indicators: true,
        limit,
        stix_keys: None,
    }
}

/// Walks the whole owner in pages of `limit`.
async fn walk<S: Store>(
    store: &S,
    actor: &threatdb_core::Actor,
    owner: &Owner,
    limit: u64,
) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    loop {
        let after = out.last().map(Change::key);
        let page = store
            .changes(actor, &query(owner, after, limit))
            .await
            .expect("changes");
        assert!(page.len() as u64 <= limit);
        let done = (page.len() as u64) < limit;
        out.extend(page);
        if done {
            return out;
        }
    }
}

/// The case.
pub async fn changes_walk_an_owner_in_change_order<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let mut incidents = Vec::new();
    for n in 0..5 {
        incidents.push(
            create(
                store,
                &fx.writer_a,
                &fx.org_a,
                &format!("changed {n}"),
                "2024-01-01",
            )
            .await,
        );
    }
    for (kind, name) in [
        (ItemKind::Adversary, "one"),
        (ItemKind::Adversary, "two"),
        (ItemKind::Event, "not asked for"),
    ] {
        store
            .create_item(
                &fx.writer_a,
                &fx.org_a,
                NewItem {
                    kind,
                    name: IncidentName::parse(name).expect("name"),
                    fields: "{}".into(),
                },
            )
            .await
            .expect("item");
    }
    for host in ["a.example", "b.example", "c.example"] {
        let value = IndicatorValue::parse(IndicatorKind::Host, host).expect("host");
        store
            .create_indicator(&fx.writer_a, &fx.org_a, &value)
            .await
            .expect("indicator");
    }
    // In B: never seen from A.
    create(store, &fx.member_b, &fx.org_b, "elsewhere", "2024-01-01").await;
    let on = Subject::Incident(incidents[0]);
    store
        .tag(&fx.writer_a, &on, &tag("Changed Tag"))
        .await
        .expect("tag");
    let attribute = store
        .add_attribute(
            &fx.writer_a,
            &on,
            NewAttribute {
                kind: AttributeType::lookup("Description").expect("type"),
                value: "described".into(),
                displayed: true,
                source: None,
            },
        )
        .await
        .expect("attribute");
    store
        .label_attribute(&fx.writer_a, &on, attribute.id, "TLP:RED")
        .await
        .expect("label");

    // Associations come with the incidents: another incident (both ends), an adversary, a host.
    store
        .associate(&fx.writer_a, incidents[0], &Target::Incident(incidents[1]))
        .await
        .expect("link");
    let adversary = store
        .list_items(
            &fx.reader_a,
            &fx.org_a,
            Some(ItemKind::Adversary),
            Paging::new(0, 1).expect("paging"),
        )
        .await
        .expect("items")
        .items[0]
        .id;
    store
        .associate(
            &fx.writer_a,
            incidents[0],
            &Target::Item(ItemKind::Adversary, adversary),
        )
        .await
        .expect("link");
    store
        .associate(
            &fx.writer_a,
            incidents[0],
            &Target::Indicator(
                IndicatorValue::parse(IndicatorKind::Host, "a.example").expect("host"),
            ),
        )
        .await
        .expect("link");
    let all = walk(store, &fx.reader_a, &fx.org_a, 1000).await;
    let links_of = |id: i64| {
        all.iter()
            .find(|c| matches!(&c.object, Changed::Incident(d) if d.incident.id == id))
            .map(|c| c.links.len())
    };
    assert_eq!(links_of(incidents[0]), Some(3));
    assert_eq!(links_of(incidents[1]), Some(1));
    assert_eq!(links_of(incidents[2]), Some(0));
    assert_eq!(all.len(), 10, "5 incidents, 2 adversaries, 3 indicators");
    let keys: Vec<ChangeKey> = all.iter().map(Change::key).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    for limit in [1, 2, 3, 7] {
        let paged: Vec<ChangeKey> = walk(store, &fx.reader_a, &fx.org_a, limit)
            .await
            .iter()
            .map(Change::key)
            .collect();
        assert_eq!(paged, keys, "pages of {limit}");
    }
    let first = all
        .iter()
        .find(|c| matches!(&c.object, Changed::Incident(d) if d.incident.id == incidents[0]))
        .expect("the first incident");
    let Changed::Incident(d) = &first.object else {
        unreachable!()
    };
    assert_eq!(d.tags.as_ref().map(Vec::len), Some(1));
    assert_eq!(d.attributes.as_ref().map(Vec::len), Some(1));
    assert_eq!(first.labels_of(attribute.id)[0].name, "TLP:RED");

    // Changed during a walk: the walk meets it again at the end, and skips nothing.
    let page = store
        .changes(&fx.reader_a, &query(&fx.org_a, None, 3))
        .await
        .expect("changes");
    let changed = incidents[4];
    wait_for_the_next_second();
    store
        .update_incident(
            &fx.writer_a,
            changed,
            IncidentPatch {
                name: Some(IncidentName::parse("changed again").expect("name")),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    let mut seen: Vec<ChangeKey> = page.iter().map(Change::key).collect();
    loop {
        let next = store
            .changes(&fx.reader_a, &query(&fx.org_a, seen.last().copied(), 3))
            .await
            .expect("changes");
        if next.is_empty() {
            break;
        }
        seen.extend(next.iter().map(Change::key));
    }
    let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
    for k in &keys {
        if k.id != changed || k.kind != threatdb_core::ChangedKind::Incident {
            assert!(
                seen.iter().any(|s| s.kind == k.kind && s.id == k.id),
                "skipped {k:?} of {ids:?}"
            );
        }
    }
    assert_eq!(seen.last().map(|k| k.id), Some(changed));

    // Another owner's objects: out of reach, as a missing owner is.
    // An association is a change of the incident, and of the other incident of a pair: both
    // come again at the end of the order. One that was there already changes nothing.
    let (a, b) = (incidents[3], incidents[4]);
    let ends = |walked: &[Change]| -> Vec<(ChangeKey, bool)> {
        walked
            .iter()
            .rev()
            .take(2)
            .map(|c| (c.key(), matches!(c.object, Changed::Incident(_))))
            .collect()
    };
    wait_for_the_next_second();
    store
        .associate(&fx.writer_a, a, &Target::Incident(b))
        .await
        .expect("link");
    let linked = walk(store, &fx.reader_a, &fx.org_a, 3).await;
    let mut last_two: Vec<i64> = ends(&linked).iter().map(|(k, _)| k.id).collect();
    last_two.sort_unstable();
    assert_eq!(last_two, [a.min(b), a.max(b)], "both ends changed");
    assert!(ends(&linked).iter().all(|(_, incident)| *incident));
    wait_for_the_next_second();
    store
        .associate(&fx.writer_a, b, &Target::Incident(a))
        .await
        .expect("the same link again");
    let again = walk(store, &fx.reader_a, &fx.org_a, 3).await;
    let keys = |w: &[Change]| w.iter().map(Change::key).collect::<Vec<_>>();
    assert_eq!(keys(&again), keys(&linked), "nothing changed");
    store
        .disassociate(&fx.writer_a, a, &Target::Incident(b))
        .await
        .expect("unlink");
    let unlinked = walk(store, &fx.reader_a, &fx.org_a, 3).await;
    assert!(
        ends(&unlinked)
            .iter()
            .zip(ends(&linked))
            .all(|((now, _), (before, _))| now.modified > before.modified),
        "a removed association is a change too"
    );

    // A report comes with the incidents of its owner associated with it, as its links.
    let report = store
        .create_item(
            &fx.writer_a,
            &fx.org_a,
            NewItem {
                kind: ItemKind::Report,
                name: IncidentName::parse("a report").expect("name"),
                fields: "{}".into(),
            },
        )
        .await
        .expect("report");
    for incident in [incidents[2], incidents[1]] {
        store
            .associate(
                &fx.writer_a,
                incident,
                &Target::Item(ItemKind::Report, report.id),
            )
            .await
            .expect("report link");
    }
    let mut reports = query(&fx.org_a, None, 100);
    reports.incidents = false;
    reports.indicators = false;
    reports.items = vec![ItemKind::Report];
    let page = store
        .changes(&fx.reader_a, &reports)
        .await
        .expect("reports");
    assert_eq!(page.len(), 1);
    let refs: Vec<i64> = page[0]
        .links
        .iter()
        .map(|l| match l {
            threatdb_core::Linked::Incident(i) => i.id,
            other => panic!("a report links incidents only: {other:?}"),
        })
        .collect();
    let mut want = vec![incidents[1], incidents[2]];
    want.sort_unstable();
    assert_eq!(refs, want);

    let refused = store
        .changes(&fx.member_b, &query(&fx.org_a, None, 10))
        .await;
    assert!(refused.is_err(), "{refused:?}");
    let mut zero = query(&fx.org_a, None, 1);
    zero.limit = 0;
    assert!(matches!(
        store.changes(&fx.reader_a, &zero).await,
        Err(StoreError::Invalid(_))
    ));
}

/// Whole-second times: a change made in the same second as the walk's page would sort
/// before it; wait for the next second.
fn wait_for_the_next_second() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}
