//! Incidents: create, read, update, delete.

use crate::fixture::{
    ALL, assert_err, assert_second_utc, attr, create, fixture, ids, new_incident, tag, ts,
};
use threatdb_core::date::now;
use threatdb_core::{
    AdminStore, IncidentName, IncidentPatch, IncidentQuery, IncidentStatus, Include,
    NewAttribute, NewIncident, Store, StoreError,
};
use time::macros::datetime;

/// Create then get: every field round-trips; status defaults to New; dates are whole seconds in
/// UTC; `createdBy` is the actor's name; the xid is generated, unique, or kept when given.
pub async fn create_get_round_trip<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let before = now();
    // An event date with an offset and a fraction: stored as whole seconds, returned in UTC.
    let event = datetime!(2021-03-04 05:06:07.89 +02:00);
    let created = store
        .create_incident(&fx.writer_a, &fx.org_a, new_incident("Round trip", event))
        .await
        .expect("create");
    let after = now();
    assert!(created.id > 0, "ids are positive: {}", created.id);
    assert_eq!(created.owner, fx.org_a, "owner");
    assert_eq!(created.name, "Round trip");
    assert_eq!(created.event_date, datetime!(2021-03-04 03:06:07 UTC), "event date");
    assert_second_utc(created.event_date, "eventDate");
    assert_eq!(created.status, IncidentStatus::New, "status defaults to New");
    assert_eq!(created.created_by, fx.writer_a.name, "createdBy is the actor's name");
    assert!(!created.xid.trim().is_empty(), "an xid is generated");
    assert_second_utc(created.date_added, "dateAdded");
    assert_second_utc(created.last_modified, "lastModified");
    assert!(
        before <= created.date_added && created.date_added <= after,
        "dateAdded {} is the creation time ({before}..{after})",
        created.date_added
    );
    assert_eq!(created.last_modified, created.date_added, "lastModified on create");

    let got = store
        .get_incident(&fx.reader_a, created.id, Include::default())
        .await
        .expect("get");
    assert_eq!(got.incident, created, "get returns what create returned");
    assert_eq!((got.attributes, got.tags, got.labels), (None, None, None));

    // Another incident: another xid; an explicit status and xid are kept.
    let xid = crate::fixture::unique("xid");
    let other = store
        .create_incident(
            &fx.admin_a,
            &fx.org_a,
            NewIncident {
                status: IncidentStatus::ContainmentAchieved,
                xid: Some(xid.clone()),
                ..new_incident("Second", ts("2020-01-01"))
            },
        )
        .await
        .expect("create with status and xid");
    assert_ne!(other.id, created.id);
    assert_eq!(other.xid, xid, "a given xid is kept");
    assert_eq!(other.status, IncidentStatus::ContainmentAchieved);
    assert_eq!(other.created_by, fx.admin_a.name);
    let third = create(store, &fx.writer_a, &fx.org_a, "Third", "2020-01-01").await;
    let third = store.get_incident(&fx.writer_a, third, ALL).await.expect("get third");
    assert_ne!(third.incident.xid, created.xid, "generated xids are unique");

    // xids are unique across owners; a clash creates nothing.
    let dup = store
        .create_incident(
            &fx.member_b,
            &fx.org_b,
            NewIncident {
                xid: Some(xid),
                ..new_incident("Clash", ts("2020-01-01"))
            },
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "duplicate xid: {dup:?}");
    let b = store
        .list_incidents(&fx.member_b, &IncidentQuery::owner(fx.org_b.clone()))
        .await
        .expect("list B");
    assert_eq!(b.total, Some(0), "a failed create creates nothing");

    for missing in [i64::MAX, -1, 0] {
        let r = store.get_incident(&fx.admin_a, missing, ALL).await;
        assert_err(r, StoreError::NotFound, "get of a missing id");
    }
}

/// Unicode and SQL-looking text is stored and returned byte for byte, and found by exact search.
pub async fn unicode_and_injection_round_trip<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let names = [
        "Ünïcødé 事件 🚨 'quoted' \"double\"",
        "Robert'); DROP TABLE incidents;--",
        "' OR '1'='1",
        "100% _wild_ \\ back\\slash",
        "e\u{301} (combining) vs \u{e9}, \u{202E}RTL\u{202C} and zero\u{200B}width",
        "line one\nline two\ttab",
        &"é".repeat(IncidentName::MAX_CHARS),
        &"🚨".repeat(IncidentName::MAX_CHARS),
    ];
    let values = [
        "Robert'); DELETE FROM attributes; --",
        "多行\n值 'with' \"quotes\" and $1 ?1 :name @p",
        "  leading and trailing space kept  ",
    ];
    let tags = [
        "标签'; DROP TABLE tags;--",
        "%",
        "_",
        "\\",
        &"ß".repeat(128),
    ];
    for name in names {
        let created = store
            .create_incident(&fx.writer_a, &fx.org_a, new_incident(name, ts("2020-01-01")))
            .await
            .unwrap_or_else(|e| panic!("create {name:?}: {e:?}"));
        assert_eq!(created.name, name, "name stored byte for byte");
        let id = created.id;
        for value in values {
            let a = store
                .add_attribute(
                    &fx.writer_a,
                    id,
                    NewAttribute {
                        source: Some(value.to_string()),
                        ..attr("Description", value)
                    },
                )
                .await
                .expect("add attribute");
            assert_eq!(a.value, value, "attribute value byte for byte");
            assert_eq!(a.source.as_deref(), Some(value), "attribute source byte for byte");
        }
        for t in tags {
            store
                .add_incident_tag(&fx.writer_a, id, &tag(t))
                .await
                .unwrap_or_else(|e| panic!("add tag {t:?}: {e:?}"));
        }
        let got = store.get_incident(&fx.reader_a, id, ALL).await.expect("get");
        assert_eq!(got.incident.name, name);
        let got_values: Vec<_> = got.attributes.unwrap_or_default().into_iter().map(|a| a.value).collect();
        assert_eq!(got_values, values, "attribute values in id order");
        let mut got_tags: Vec<_> = got.tags.unwrap_or_default().into_iter().map(|t| t.name).collect();
        let mut want_tags: Vec<_> = tags.iter().map(|t| t.to_string()).collect();
        got_tags.sort();
        want_tags.sort();
        assert_eq!(got_tags, want_tags, "tags byte for byte");

        let by_name = store
            .list_incidents(
                &fx.reader_a,
                &IncidentQuery {
                    name_eq: Some(name.to_string()),
                    ..IncidentQuery::owner(fx.org_a.clone())
                },
            )
            .await
            .expect("list by name");
        assert_eq!(ids(&by_name), vec![id], "name_eq finds {name:?}");
        for t in tags {
            let by_tag = store
                .list_incidents(
                    &fx.reader_a,
                    &IncidentQuery {
                        tag: Some(t.to_string()),
                        name_eq: Some(name.to_string()),
                        ..IncidentQuery::owner(fx.org_a.clone())
                    },
                )
                .await
                .expect("list by tag");
            assert_eq!(ids(&by_tag), vec![id], "tag filter finds {t:?}");
        }
    }
    let all = store
        .list_incidents(&fx.reader_a, &IncidentQuery::owner(fx.org_a.clone()))
        .await
        .expect("list");
    assert_eq!(all.total, Some(names.len() as u64), "nothing was dropped or injected");
}

/// A patch changes only the fields it carries; an empty patch changes nothing but (perhaps)
/// lastModified.
pub async fn update_patch<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let id = create(store, &fx.writer_a, &fx.org_a, "Before", "2020-01-01T10:00:00Z").await;
    let original = store.get_incident(&fx.writer_a, id, ALL).await.expect("get").incident;

    let renamed = store
        .update_incident(
            &fx.writer_a,
            id,
            IncidentPatch {
                name: Some(IncidentName::parse("After").expect("name")),
                ..IncidentPatch::default()
            },
        )
        .await
        .expect("rename");
    let mut want = original.clone();
    want.name = "After".into();
    want.last_modified = renamed.last_modified;
    assert_eq!(renamed, want, "only the name changed");
    assert!(renamed.last_modified >= original.last_modified);
    assert_second_utc(renamed.last_modified, "lastModified");

    let restatused = store
        .update_incident(
            &fx.admin_a,
            id,
            IncidentPatch {
                status: Some(IncidentStatus::Closed),
                ..IncidentPatch::default()
            },
        )
        .await
        .expect("status");
    want.status = IncidentStatus::Closed;
    want.last_modified = restatused.last_modified;
    assert_eq!(restatused, want, "only the status changed");

    let redated = store
        .update_incident(
            &fx.writer_a,
            id,
            IncidentPatch {
                event_date: Some(datetime!(2019-12-31 23:00:00.5 -01:00)),
                ..IncidentPatch::default()
            },
        )
        .await
        .expect("event date");
    want.event_date = datetime!(2020-01-01 00:00:00 UTC);
    want.last_modified = redated.last_modified;
    assert_eq!(redated, want, "only the event date changed (whole seconds)");
    assert_second_utc(redated.event_date, "eventDate");

    let all = store
        .update_incident(
            &fx.writer_a,
            id,
            IncidentPatch {
                name: Some(IncidentName::parse("All three").expect("name")),
                event_date: Some(ts("2018-05-05")),
                status: Some(IncidentStatus::Open),
            },
        )
        .await
        .expect("all fields");
    want.name = "All three".into();
    want.event_date = ts("2018-05-05");
    want.status = IncidentStatus::Open;
    want.last_modified = all.last_modified;
    assert_eq!(all, want, "all three fields changed");

    let unchanged = store
        .update_incident(&fx.writer_a, id, IncidentPatch::default())
        .await
        .expect("empty patch");
    want.last_modified = unchanged.last_modified;
    assert_eq!(unchanged, want, "an empty patch changes nothing");
    let got = store.get_incident(&fx.reader_a, id, ALL).await.expect("get");
    assert_eq!(got.incident, unchanged, "get agrees with update's answer");

    let r = store.update_incident(&fx.writer_a, i64::MAX, IncidentPatch::default()).await;
    assert_err(r, StoreError::NotFound, "update of a missing incident");
}

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
        store.add_incident_tag(&fx.writer_a, id, &tag("Shared")).await.expect("tag");
        store.add_incident_label(&fx.writer_a, id, "TLP:GREEN").await.expect("label");
        attrs.push(a.id);
    }
    let kept_before = crate::fixture::snapshot(store, &fx.writer_a, kept).await;

    store.delete_incident(&fx.writer_a, doomed).await.expect("delete");

    assert_err(store.get_incident(&fx.admin_a, doomed, ALL).await, StoreError::NotFound, "get");
    assert_err(store.list_attributes(&fx.admin_a, doomed).await, StoreError::NotFound, "attributes");
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
    assert_err(store.incident_tags(&fx.admin_a, doomed).await, StoreError::NotFound, "tags");
    assert_err(store.incident_labels(&fx.admin_a, doomed).await, StoreError::NotFound, "labels");
    assert_err(store.delete_incident(&fx.admin_a, doomed).await, StoreError::NotFound, "delete twice");
    assert_err(
        store.update_incident(&fx.admin_a, doomed, IncidentPatch::default()).await,
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
        let listed = store.list_incidents(&fx.reader_a, &q).await.expect("list filtered");
        assert_eq!(ids(&listed), vec![kept], "filtered lists no longer show it: {q:?}");
    }
    let kept_after = crate::fixture::snapshot(store, &fx.writer_a, kept).await;
    assert_eq!(kept_after, kept_before, "the other incident is untouched");
}
