//! Incidents: create, read, update.

use crate::fixture::{
    ALL, assert_during, assert_err, assert_second_utc, create, fixture, new_incident, ts,
};
use threatdb_core::date::now;
use threatdb_core::{
    AdminStore, IncidentName, IncidentPatch, IncidentQuery, IncidentStatus, Include, NewIncident,
    Store, StoreError,
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
    assert_eq!(
        created.event_date,
        datetime!(2021-03-04 03:06:07 UTC),
        "event date"
    );
    assert_second_utc(created.event_date, "eventDate");
    assert_eq!(
        created.status,
        IncidentStatus::New,
        "status defaults to New"
    );
    assert_eq!(
        created.created_by, fx.writer_a.name,
        "createdBy is the actor's name"
    );
    assert!(!created.xid.trim().is_empty(), "an xid is generated");
    assert_second_utc(created.date_added, "dateAdded");
    assert_second_utc(created.last_modified, "lastModified");
    assert_during(created.date_added, before, after, "dateAdded");
    assert_eq!(
        created.last_modified, created.date_added,
        "lastModified on create"
    );

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
    let third = store
        .get_incident(&fx.writer_a, third, ALL)
        .await
        .expect("get third");
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
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "duplicate xid: {dup:?}"
    );
    let b = store
        .list_incidents(&fx.member_b, &IncidentQuery::owner(fx.org_b.clone()))
        .await
        .expect("list B");
    assert_eq!(b.total, Some(0), "a failed create creates nothing");

    // Every status, and event dates far from today, round-trip.
    let extremes = [
        "1000-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00Z",
        "2038-01-19T03:14:08Z",
        "9999-12-31T23:59:59Z",
    ];
    for (status, event) in IncidentStatus::ALL.into_iter().zip(extremes.iter().cycle()) {
        let new = NewIncident {
            status,
            ..new_incident(status.as_str(), ts(event))
        };
        let made = store
            .create_incident(&fx.writer_a, &fx.org_a, new)
            .await
            .unwrap_or_else(|e| panic!("create {status} {event}: {e:?}"));
        let got = store
            .get_incident(&fx.reader_a, made.id, Include::default())
            .await
            .expect("get")
            .incident;
        assert_eq!(
            (got.status, got.event_date),
            (status, ts(event)),
            "{status} {event}"
        );
        assert_eq!(got, made);
    }

    for missing in [i64::MAX, -1, 0] {
        let r = store.get_incident(&fx.admin_a, missing, ALL).await;
        assert_err(r, StoreError::NotFound, "get of a missing id");
    }
}

/// A patch changes only the fields it carries; an empty patch changes nothing but (perhaps)
/// lastModified.
pub async fn update_patch<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let id = create(
        store,
        &fx.writer_a,
        &fx.org_a,
        "Before",
        "2020-01-01T10:00:00Z",
    )
    .await;
    let original = store
        .get_incident(&fx.writer_a, id, ALL)
        .await
        .expect("get")
        .incident;

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
    let got = store
        .get_incident(&fx.reader_a, id, ALL)
        .await
        .expect("get");
    assert_eq!(got.incident, unchanged, "get agrees with update's answer");

    let r = store
        .update_incident(&fx.writer_a, i64::MAX, IncidentPatch::default())
        .await;
    assert_err(r, StoreError::NotFound, "update of a missing incident");
}
