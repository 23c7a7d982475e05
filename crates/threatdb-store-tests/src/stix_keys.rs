//! Objects found by STIX id ([`ChangeQuery::stix_keys`]): whatever wrote an object (the API's
//! create, a Batch job's groups and indicators, an import, the bulk paths), its row holds the
//! look-up key of the id it is exported with, so the key finds it, in its owner only.

use crate::batch::claim;
use crate::fixture::{create, fixture, new_incident};
use threatdb_core::batch::{
    BatchChunk, BatchClass, BatchGroup, BatchIndicator, BatchItem, BatchNested, BatchOp,
    BatchProgress, BatchSettings, GroupKind,
};
use threatdb_core::date::from_unix;
use threatdb_core::stix_id;
use threatdb_core::{
    AdminStore, BulkLinks, BulkLoad, Change, ChangeQuery, Changed, ImportObject, ImportWhat,
    IncidentName, IncidentStatus, IndicatorKind, IndicatorValue, ItemKind, NewItem, Owner,
    SeedIncident, Store,
};

fn query(owner: &Owner, keys: Option<Vec<i64>>) -> ChangeQuery {
    ChangeQuery {
        owner: owner.clone(),
        after: None,
        incidents: true,
        items: ItemKind::ALL.to_vec(),
        indicators: true,
        limit: ChangeQuery::MAX_LIMIT,
        stix_keys: keys,
    }
}

/// The id a changed object is exported with (STIX, or a group's tc-json id for a kind STIX has
/// no object for).
fn id_of(change: &Change) -> Option<String> {
    match &change.object {
        Changed::Incident(d) => Some(stix_id::incident_id(
            &d.incident.owner.name,
            &d.incident.xid,
        )),
        Changed::Item(d) => Some(stix_id::item_ref(
            d.item.kind,
            &d.item.owner.name,
            d.item.id,
            d.item.xid.as_deref(),
        )),
        Changed::Indicator(d) => Some(stix_id::indicator_id(
            &d.indicator.owner.name,
            d.indicator.kind.type_name(),
            &d.indicator.value,
            d.indicator.stix_id.as_deref(),
        )),
    }
}

fn host(name: &str) -> IndicatorValue {
    IndicatorValue::parse(IndicatorKind::Host, name).unwrap()
}

/// The case.
pub async fn stix_ids_find_their_objects<S: Store + AdminStore + BulkLoad + BulkLinks>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);

    // The API's creates.
    let incident = create(store, w, a, "stix key incident", "2024-01-01").await;
    store
        .create_item(
            w,
            a,
            NewItem {
                kind: ItemKind::Adversary,
                name: IncidentName::parse("stix key adversary").unwrap(),
                fields: "{}".into(),
            },
        )
        .await
        .unwrap();
    store
        .create_item(
            w,
            a,
            NewItem {
                kind: ItemKind::Event,
                name: IncidentName::parse("no stix object").unwrap(),
                fields: "{}".into(),
            },
        )
        .await
        .unwrap();
    store
        .create_indicator(w, a, &host("api.stix-key.example"))
        .await
        .unwrap();

    // A Batch job: groups by xid and indicators (the set-wise path).
    let settings = BatchSettings::create_replacing();
    let job = store
        .create_batch(&w.actor, a, settings, Some(b"{}".to_vec()))
        .await
        .unwrap();
    let claimed = claim(store, job.id, 60).await;
    let group = |index: u64, kind: GroupKind, xid: &str| BatchItem {
        index,
        class: BatchClass::Group,
        work: Ok(BatchOp::Group(BatchGroup {
            xid: xid.into(),
            kind,
            name: IncidentName::parse(xid).unwrap(),
            event_date: Some(from_unix(1_700_000_000)),
            status: None,
            fields: "{}".into(),
            nested: BatchNested::default(),
        })),
        source: String::new(),
        after: 0,
    };
    // Incident xids are unique across owners: these are A's own (a shared database holds
    // earlier runs' fixtures).
    let mut items = vec![
        group(
            0,
            GroupKind::Incident,
            &format!("stix-key-batch-incident-{}", a.id),
        ),
        group(
            1,
            GroupKind::Item(ItemKind::Malware),
            &format!("stix-key-batch-malware-{}", a.id),
        ),
    ];
    for n in 0..3u64 {
        items.push(BatchItem {
            index: 2 + n,
            class: BatchClass::Indicator,
            work: Ok(BatchOp::Indicator(BatchIndicator {
                value: host(&format!("batch{n}.stix-key.example")),
                scores: Default::default(),
                nested: BatchNested::default(),
                group_xids: Vec::new(),
            })),
            source: String::new(),
            after: 0,
        });
    }
    store
        .write_batch_chunk(BatchChunk {
            job: claimed.id,
            lease: claimed.lease.clone(),
            lease_seconds: 60,
            items,
            then: BatchProgress { phase: 1, next: 5 },
            last: true,
        })
        .await
        .unwrap();

    // An import: objects that keep a foreign STIX id.
    let foreign = |n: u32| format!("indicator--{n:08x}-aaaa-4bbb-8ccc-{:012x}", a.id);
    let at = from_unix(1_700_000_000);
    let imported = |external_id: String, what: ImportWhat| ImportObject {
        external_id,
        key: None,
        created: at,
        modified: at,
        what,
        tags: Vec::new(),
        labels: Vec::new(),
        attributes: Vec::new(),
    };
    let outcomes = store
        .import_objects(
            w,
            a,
            vec![
                imported(
                    foreign(1),
                    ImportWhat::Indicator {
                        value: host("imported.stix-key.example"),
                        rating: None,
                        confidence: None,
                    },
                ),
                imported(
                    format!("incident--0a0b0c0d-aaaa-4bbb-8ccc-{:012x}", a.id),
                    ImportWhat::Incident {
                        name: IncidentName::parse("imported incident").unwrap(),
                        event_date: at,
                        status: IncidentStatus::New,
                        created_by: None,
                    },
                ),
                imported(
                    format!("campaign--0a0b0c0e-aaaa-4bbb-8ccc-{:012x}", a.id),
                    ImportWhat::Item {
                        kind: ItemKind::Campaign,
                        name: IncidentName::parse("imported campaign").unwrap(),
                        fields: "{}".into(),
                    },
                ),
            ],
            std::sync::Arc::new(|_, _| false),
        )
        .await
        .unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    // An indicator made here, then imported with a foreign id: it is exported with that id.
    let outcomes = store
        .import_objects(
            w,
            a,
            vec![imported(
                foreign(2),
                ImportWhat::Indicator {
                    value: host("api.stix-key.example"),
                    rating: None,
                    confidence: None,
                },
            )],
            std::sync::Arc::new(|_, _| false),
        )
        .await
        .unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");

    // The bulk paths.
    store
        .bulk_incidents(vec![SeedIncident {
            owner_id: a.id,
            name: "bulk stix key".into(),
            event_date: at,
            date_added: at,
            status: IncidentStatus::Open,
            created_by: "loader".into(),
            tag_ids: Vec::new(),
            attributes: Vec::new(),
            label_id: None,
        }])
        .await
        .unwrap();
    store
        .bulk_indicator_links(
            a.id,
            IndicatorKind::Host,
            vec![("bulk.stix-key.example".into(), incident)],
        )
        .await
        .unwrap();
    // The same incident name in another owner, which A's keys must not reach.
    store
        .create_incident(
            &fx.member_b,
            &fx.org_b,
            new_incident("stix key incident", at),
        )
        .await
        .unwrap();

    // Every object of A is found by the key of the id it is exported with, and only it.
    let all = store.changes(w, &query(a, None)).await.unwrap();
    let mut checked = 0;
    for change in &all {
        let id = id_of(change).unwrap();
        let key = stix_id::key(&id).unwrap();
        let found = store.changes(w, &query(a, Some(vec![key]))).await.unwrap();
        let found: Vec<Option<String>> = found.iter().map(id_of).collect();
        assert_eq!(found, vec![Some(id.clone())], "{id} ({change:?})");
        checked += 1;
    }
    assert!(checked >= 13, "{checked} objects checked");
    assert!(
        all.iter()
            .filter_map(id_of)
            .any(|id| id.starts_with("events--")),
        "a group STIX has no object for has its tc-json id"
    );
    assert!(
        all.iter().filter_map(id_of).any(|id| id == foreign(2)),
        "the API's indicator took the id it was imported with"
    );
    // B's objects are not found through A, nor A's through B.
    let b_all = store
        .changes(&fx.member_b, &query(&fx.org_b, None))
        .await
        .unwrap();
    let b_keys: Vec<i64> = b_all
        .iter()
        .filter_map(id_of)
        .filter_map(|id| stix_id::key(&id))
        .collect();
    assert!(!b_keys.is_empty());
    assert!(
        store
            .changes(w, &query(a, Some(b_keys)))
            .await
            .unwrap()
            .is_empty()
    );
    // A key nothing has finds nothing.
    assert!(
        store
            .changes(w, &query(a, Some(vec![0x0123_4567_89ab_cdef])))
            .await
            .unwrap()
            .is_empty()
    );
}
