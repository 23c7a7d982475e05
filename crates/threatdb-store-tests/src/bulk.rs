//! The bulk path: what it loads reads back through the normal Store methods exactly.

use crate::fixture::SetQuery;
use crate::fixture::{create, fixture};
use threatdb_core::attribute::ATTRIBUTE_TYPES;
use threatdb_core::date::from_unix;
use threatdb_core::{
    AdminStore, BulkLoad, Cond, IncidentName, IncidentQuery, IncidentStatus, Include, ItemKind,
    NewItem, SeedIncident, Store, TextMatch,
};

/// Bulk tags are idempotent and per owner; bulk incidents carry their tags, attributes and label
/// and are listed, filtered and authorized like any other.
pub async fn bulk_load<S: Store + AdminStore + BulkLoad>(store: &S) {
    let fx = fixture(store).await;
    let tags = store
        .bulk_tags(fx.org_a.id, vec!["Bulk One".into(), "bulk two".into()])
        .await
        .expect("bulk tags");
    assert_eq!(tags.len(), 2);
    let again = store
        .bulk_tags(fx.org_a.id, vec!["BULK ONE".into()])
        .await
        .expect("bulk tags again");
    assert_eq!(
        again,
        vec![tags[0]],
        "a tag's identity is its lower-cased name"
    );
    let green = store.label_id("TLP Green").await.expect("label id");
    let batch: Vec<SeedIncident> = (0..25)
        .map(|i| SeedIncident {
            owner_id: fx.org_a.id,
            name: format!("bulk {i}"),
            event_date: from_unix(1_500_000_000 + i),
            date_added: from_unix(1_600_000_000 + i),
            status: IncidentStatus::Open,
            created_by: "loader".into(),
            tag_ids: if i % 2 == 0 {
                tags.clone()
            } else {
                vec![tags[1]]
            },
            attributes: vec![(&ATTRIBUTE_TYPES[0], format!("description {i}"))],
            label_id: (i % 5 == 0).then_some(green),
        })
        .collect();
    assert_eq!(
        store.bulk_incidents(batch).await.expect("bulk incidents"),
        25
    );

    let mut q = IncidentQuery::owner(fx.org_a.clone());
    q.set_tag(Some("bulk one".into()));
    q.include = Include {
        additional: true,
        attributes: true,
        tags: true,
        labels: true,
    };
    let page = store
        .list_incidents(&fx.reader_a.actor, &q)
        .await
        .expect("list");
    assert_eq!(page.total, Some(13));
    let first = &page.items[0];
    assert_eq!(first.incident.name, "bulk 0");
    assert_eq!(first.incident.status, IncidentStatus::Open);
    assert_eq!(first.incident.created_by, "loader");
    assert_eq!(first.incident.event_date, from_unix(1_500_000_000));
    assert_eq!(
        first.attributes.as_ref().expect("attributes")[0].value,
        "description 0"
    );
    assert_eq!(first.tags.as_ref().expect("tags").len(), 2);
    assert_eq!(first.labels.as_ref().expect("labels")[0].name, "TLP:GREEN");
    let mut q = IncidentQuery::owner(fx.org_a.clone());
    q.set_label(Some("TLP:GREEN".into()));
    assert_eq!(
        store
            .list_incidents(&fx.reader_a.actor, &q)
            .await
            .expect("list")
            .total,
        Some(5)
    );
    assert!(
        store.list_incidents(&fx.member_b.actor, &q).await.is_err(),
        "B cannot list A"
    );

    // A batch over several statements' worth of incidents, after an incident was deleted: fresh
    // ids (never the deleted one's), every name searchable by substring, every attribute there.
    let gone = create(store, &fx.writer_a.actor, &fx.org_a, "gone", "2020-01-01").await;
    store
        .delete_incident(&fx.writer_a.actor, gone)
        .await
        .expect("delete");
    // Every group type draws from one id space (DECISIONS 47): the bulk loader's explicit ids
    // start above an item created just before, and an item created after starts above them.
    let adversary = |name: &str| NewItem {
        kind: ItemKind::Adversary,
        name: IncidentName::parse(name).unwrap(),
        fields: "{}".into(),
    };
    let before = store
        .create_item(&fx.writer_a.actor, &fx.org_a, adversary("before the batch"))
        .await
        .expect("item before")
        .id;
    let big: Vec<SeedIncident> = (0..2_345)
        .map(|i| SeedIncident {
            owner_id: fx.org_a.id,
            name: format!("chunked {i:05} end"),
            event_date: from_unix(1_500_000_000 + i),
            date_added: from_unix(1_600_000_000 + i),
            status: IncidentStatus::Closed,
            created_by: "loader".into(),
            tag_ids: vec![tags[0]],
            attributes: vec![(&ATTRIBUTE_TYPES[0], format!("about {i}"))],
            label_id: None,
        })
        .collect();
    assert_eq!(store.bulk_incidents(big).await.expect("big batch"), 2_345);
    let mut highest = before;
    for i in [0, 999, 1_000, 1_001, 2_344] {
        let mut q = IncidentQuery::owner(fx.org_a.clone());
        q.and(Cond::Name(TextMatch::Contains, format!("{i:05} end")));
        q.include.attributes = true;
        let page = store
            .list_incidents(&fx.reader_a.actor, &q)
            .await
            .expect("substring");
        assert_eq!(page.total, Some(1), "chunked {i:05}");
        let found = &page.items[0];
        assert!(found.incident.id > gone, "id {} reused", found.incident.id);
        assert!(
            found.incident.id > before,
            "incident {} shares the id space below item {before}",
            found.incident.id
        );
        highest = highest.max(found.incident.id);
        assert_eq!(found.incident.status, IncidentStatus::Closed);
        assert_eq!(
            found.attributes.as_ref().expect("attributes")[0].value,
            format!("about {i}")
        );
    }
    let mut q = IncidentQuery::owner(fx.org_a.clone());
    q.and(Cond::Name(TextMatch::StartsWith, "chunked ".into()));
    let page = store
        .list_incidents(&fx.reader_a.actor, &q)
        .await
        .expect("prefix");
    assert_eq!(page.total, Some(2_345));
    let after = store
        .create_item(&fx.writer_a.actor, &fx.org_a, adversary("after the batch"))
        .await
        .expect("item after")
        .id;
    assert!(
        after > highest,
        "item {after} is not above the batch ({highest})"
    );
}
