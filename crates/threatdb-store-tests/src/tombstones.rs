//! Deleted objects: a deletion keeps the object's last state; a writer of its owner lists and
//! restores it with its id, fields, tags, labels, attributes (with their labels) and
//! associations; what no longer fits is named, not half-restored; readers and other owners
//! cannot; a taken xid is a conflict; the sweep purges what is older than the retention.

use crate::fixture::{ALL, assert_err, create, fixture, new_incident, tag, ts};
use threatdb_core::history::{Family, HistoryQuery};
use threatdb_core::{
    AdminStore, IncidentName, Include, IndicatorKind, IndicatorScores, IndicatorValue, ItemKind,
    LinkSet, Linked, NestedChanges, NewAttribute, NewItem, Paging, Store, StoreError, Subject,
    Target,
};

async fn deleted_ids<S: Store>(
    store: &S,
    actor: &threatdb_core::Actor,
    owner: &threatdb_core::Owner,
    family: Family,
) -> Vec<i64> {
    store
        .deleted(actor, owner, family, Paging::new(0, 1000).unwrap())
        .await
        .expect("deleted")
        .items
        .into_iter()
        .map(|d| d.id)
        .collect()
}

fn names<T>(items: &[T], name: impl Fn(&T) -> String) -> Vec<String> {
    let mut out: Vec<String> = items.iter().map(name).collect();
    out.sort();
    out
}

/// Linked objects as the history names them: `incident 12`, `adversaries 7`,
/// `hosts evil.example`.
async fn links<S: Store>(store: &S, actor: &threatdb_core::Actor, id: i64) -> Vec<String> {
    let groups = store
        .associations(actor, id, LinkSet::Groups(None), Paging::default())
        .await
        .unwrap()
        .items;
    let indicators = store
        .associations(actor, id, LinkSet::Indicators(None), Paging::default())
        .await
        .unwrap()
        .items;
    let mut out: Vec<String> = groups
        .iter()
        .chain(indicators.iter())
        .map(|l| match l {
            Linked::Incident(i) => format!("incident {}", i.id),
            Linked::Item(it) => format!("{} {}", it.kind.url_name(), it.id),
            Linked::Indicator(d) => format!("{} {}", d.kind.url_name(), d.value),
        })
        .collect();
    out.sort();
    out
}

/// Delete, list, restore whole, on an incident, an adversary and a host; rights; conflicts;
/// the sweep.
pub async fn deleted_objects_restore_whole<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let id = create(store, w, &fx.org_a, "Kept whole", "2026-02-03T04:05:06Z").await;
    let on = Subject::Incident(id);
    store.tag(w, &on, &tag("Phishing")).await.unwrap();
    store.label(w, &on, "TLP:GREEN").await.unwrap();
    let attr = store
        .add_attribute(
            w,
            &on,
            NewAttribute::parse("Description", "what happened", true, Some("SOC".into())).unwrap(),
        )
        .await
        .unwrap();
    store
        .label_attribute(w, &on, attr.id, "TLP:AMBER")
        .await
        .unwrap();
    let adversary = store
        .create_item(
            w,
            &fx.org_a,
            NewItem {
                kind: ItemKind::Adversary,
                name: IncidentName::parse("Bear").unwrap(),
                fields: "{}".into(),
            },
        )
        .await
        .unwrap();
    let other = create(store, w, &fx.org_a, "Other", "2026-02-01T00:00:00Z").await;
    let host = IndicatorValue::parse(IndicatorKind::Host, "restore.example").unwrap();
    let indicator = store.create_indicator(w, &fx.org_a, &host).await.unwrap();
    let scores = NestedChanges {
        scores: IndicatorScores::parse(Some(Some(4.0)), Some(Some(80))).unwrap(),
        ..NestedChanges::default()
    };
    store
        .update_indicators(w, vec![indicator.id], scores)
        .await
        .unwrap();
    let host_on = Subject::Indicator(fx.org_a.clone(), host.clone());
    store.tag(w, &host_on, &tag("C2")).await.unwrap();
    for target in [
        Target::Item(ItemKind::Adversary, adversary.id),
        Target::Incident(other),
        Target::Indicator(host.clone()),
    ] {
        store.associate(w, id, &target).await.unwrap();
    }
    let before = store.get_incident(w, id, ALL).await.unwrap();
    let links_before = links(store, w, id).await;
    assert_eq!(links_before.len(), 3, "{links_before:?}");

    // Deleted: gone from reads, listed for the owner's writers only.
    store.delete_incident(w, id).await.unwrap();
    assert_err(
        store.get_incident(w, id, Include::default()).await,
        StoreError::NotFound,
        "deleted",
    );
    assert!(
        deleted_ids(store, w, &fx.org_a, Family::Groups)
            .await
            .contains(&id)
    );
    assert!(
        !deleted_ids(store, w, &fx.org_a, Family::Indicators)
            .await
            .contains(&id)
    );
    assert_err(
        store
            .deleted(&fx.reader_a, &fx.org_a, Family::Groups, Paging::default())
            .await,
        StoreError::Forbidden,
        "a reader's list",
    );
    assert_err(
        store
            .deleted(&fx.member_b, &fx.org_a, Family::Groups, Paging::default())
            .await,
        StoreError::NotFound,
        "another owner's list",
    );
    assert!(
        !deleted_ids(store, &fx.member_b, &fx.org_b, Family::Groups)
            .await
            .contains(&id)
    );
    let listed = store
        .deleted(w, &fx.org_a, Family::Groups, Paging::new(0, 1000).unwrap())
        .await
        .unwrap();
    let mine = listed.items.iter().find(|d| d.id == id).unwrap();
    assert_eq!(
        (
            mine.type_name.as_str(),
            mine.name.as_str(),
            mine.owner.as_str()
        ),
        ("incident", "Kept whole", fx.org_a.name.as_str())
    );
    assert_eq!(mine.deleted_by, w.name);

    // Only a writer of the owner restores; another owner's id is as missing as a wrong one.
    assert_err(
        store.restore(&fx.member_b, Family::Groups, id).await,
        StoreError::NotFound,
        "another owner",
    );
    assert_err(
        store.restore(&fx.reader_a, Family::Groups, id).await,
        StoreError::Forbidden,
        "a reader",
    );
    assert_err(
        store.restore(w, Family::Indicators, id).await,
        StoreError::NotFound,
        "the wrong family",
    );

    let restored = store.restore(w, Family::Groups, id).await.unwrap();
    assert_eq!(restored.subject, on);
    assert!(restored.skipped.is_empty(), "{:?}", restored.skipped);
    let after = store.get_incident(w, id, ALL).await.unwrap();
    assert_eq!(after.incident.name, before.incident.name);
    assert_eq!(after.incident.event_date, before.incident.event_date);
    assert_eq!(after.incident.status, before.incident.status);
    assert_eq!(after.incident.xid, before.incident.xid);
    assert_eq!(after.incident.date_added, before.incident.date_added);
    assert_eq!(after.incident.created_by, before.incident.created_by);
    let tag_names =
        |d: &threatdb_core::IncidentDetails| names(d.tags.as_deref().unwrap(), |t| t.name.clone());
    let label_names = |d: &threatdb_core::IncidentDetails| {
        names(d.labels.as_deref().unwrap(), |l| l.name.clone())
    };
    assert_eq!(tag_names(&after), tag_names(&before));
    assert_eq!(label_names(&after), label_names(&before));
    let attrs = after.attributes.as_deref().unwrap();
    assert_eq!(attrs.len(), 1);
    assert_eq!(
        (
            attrs[0].kind.as_str(),
            attrs[0].value.as_str(),
            attrs[0].source.as_deref()
        ),
        ("Description", "what happened", Some("SOC"))
    );
    let attr_labels = store.attribute_labels(w, &on, attrs[0].id).await.unwrap();
    assert_eq!(names(&attr_labels, |l| l.name.clone()), vec!["TLP:AMBER"]);
    assert_eq!(links(store, w, id).await, links_before);
    assert!(
        !deleted_ids(store, w, &fx.org_a, Family::Groups)
            .await
            .contains(&id)
    );
    assert_err(
        store.restore(w, Family::Groups, id).await,
        StoreError::NotFound,
        "restored twice",
    );
    let history = store
        .history(w, &on, &HistoryQuery::all(Paging::new(0, 100).unwrap()))
        .await
        .unwrap()
        .items;
    assert!(history.iter().any(|c| c.field == "deleted"));
    assert!(history.iter().any(|c| c.field == "restored"));

    // An indicator comes back with its scores, tags and the incident linking to it.
    store.delete_indicator_by_id(w, indicator.id).await.unwrap();
    assert!(
        deleted_ids(store, w, &fx.org_a, Family::Indicators)
            .await
            .contains(&indicator.id)
    );
    let back = store
        .restore(w, Family::Indicators, indicator.id)
        .await
        .unwrap();
    assert!(back.skipped.is_empty(), "{:?}", back.skipped);
    let found = store.indicator_by_id(w, indicator.id).await.unwrap();
    assert_eq!((found.rating, found.confidence), (Some(400), Some(80)));
    assert_eq!(
        names(&store.tags_of(w, &host_on).await.unwrap(), |t| t
            .name
            .clone()),
        vec!["C2"]
    );
    let now_linked = links(store, w, id).await;
    assert!(
        now_linked.contains(&"hosts restore.example".to_string()),
        "{now_linked:?}"
    );

    // Both ends deleted: the first restored names the other and hands it the association;
    // restoring the other brings it back.
    store.delete_incident(w, id).await.unwrap();
    store
        .delete_item(w, ItemKind::Adversary, adversary.id)
        .await
        .unwrap();
    store.delete_incident(w, other).await.unwrap();
    let partly = store.restore(w, Family::Groups, id).await.unwrap();
    assert_eq!(partly.skipped.len(), 2, "{:?}", partly.skipped);
    assert!(
        partly
            .skipped
            .iter()
            .any(|s| s.contains(&format!("adversaries {}", adversary.id))
                && s.contains("deleted too")),
        "{:?}",
        partly.skipped
    );
    assert_eq!(links(store, w, id).await, vec!["hosts restore.example"]);
    let adversary_back = store
        .restore(w, Family::Groups, adversary.id)
        .await
        .unwrap();
    assert!(
        adversary_back.skipped.is_empty(),
        "{:?}",
        adversary_back.skipped
    );
    store.restore(w, Family::Groups, other).await.unwrap();
    assert_eq!(links(store, w, id).await, links_before);

    // A taken xid: refused, the tombstone kept.
    let mut first = new_incident("Xid holder", ts("2026-03-01T00:00:00Z"));
    first.xid = Some(format!("restore-xid-{id}"));
    let holder = store
        .create_incident(w, &fx.org_a, first.clone())
        .await
        .unwrap();
    store.delete_incident(w, holder.id).await.unwrap();
    store.create_incident(w, &fx.org_a, first).await.unwrap();
    assert!(matches!(
        store.restore(w, Family::Groups, holder.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        deleted_ids(store, w, &fx.org_a, Family::Groups)
            .await
            .contains(&holder.id)
    );

    // The sweep purges what was deleted before its time, and only that.
    let purged = store
        .purge_deleted(ts("2000-01-01T00:00:00Z"), 1000)
        .await
        .unwrap();
    assert_eq!(purged, 0);
    store.delete_incident(w, other).await.unwrap();
    let later = threatdb_core::date::now() + time::Duration::seconds(2);
    let mut purged = 0;
    loop {
        let n = store.purge_deleted(later, 1).await.unwrap();
        purged += n;
        if n < 1 {
            break;
        }
    }
    assert!(purged >= 2, "{purged}");
    assert!(
        deleted_ids(store, w, &fx.org_a, Family::Groups)
            .await
            .is_empty()
    );
    assert_err(
        store.restore(w, Family::Groups, holder.id).await,
        StoreError::NotFound,
        "purged",
    );
}
