//! Listing incidents: paging and filters.

use crate::fixture::SetQuery;
use crate::fixture::{create, fixture, ids, list, tag, ts};
use threatdb_core::{
    AdminStore, Cmp, Cond, IncidentQuery, Include, Owner, Paging, Store, Subject, Timestamp,
};
use time::Duration;

fn paged(owner: &Owner, start: u64, limit: u64) -> IncidentQuery {
    IncidentQuery {
        paging: Paging::new(start, limit).expect("paging"),
        ..IncidentQuery::owner(owner.clone())
    }
}

/// Paging: ordered by id; `total` only on the first page; a start past the end is empty.
pub async fn list_paging<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let empty = list(store, &fx.reader_a, &IncidentQuery::owner(fx.org_a.clone())).await;
    assert_eq!(empty.total, Some(0), "an empty owner has resultCount 0");
    assert!(empty.items.is_empty());

    let mut created = Vec::new();
    for (i, event) in [
        "2023-01-01",
        "2019-01-01",
        "2021-01-01",
        "2020-01-01",
        "2022-01-01",
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("paged {}", 5 - i); // names and dates out of id order on purpose
        created.push(create(store, &fx.writer_a, &fx.org_a, &name, event).await);
    }
    created.sort();
    // Another owner's incidents never show up.
    create(store, &fx.member_b, &fx.org_b, "paged 0", "2020-01-01").await;

    let all = list(store, &fx.reader_a, &IncidentQuery::owner(fx.org_a.clone())).await;
    assert_eq!(ids(&all), created, "all of A's incidents, in id order");
    assert_eq!(all.total, Some(5));
    for d in &all.items {
        assert_eq!(d.incident.owner, fx.org_a);
        assert_eq!((&d.attributes, &d.tags, &d.labels), (&None, &None, &None));
    }

    for (start, limit, want, total) in [
        (0, 2, &created[0..2], Some(5)),
        (2, 2, &created[2..4], None),
        (4, 2, &created[4..5], None),
        (0, 5, &created[..], Some(5)),
        (0, 10_000, &created[..], Some(5)),
        (1, 1, &created[1..2], None),
        (5, 2, &[][..], None),
        (1000, 10, &[][..], None),
        (i64::MAX as u64, 1, &[][..], None),
    ] {
        let page = list(store, &fx.reader_a, &paged(&fx.org_a, start, limit)).await;
        assert_eq!(ids(&page), want, "page start={start} limit={limit}");
        assert_eq!(
            page.total, total,
            "resultCount only on the first page (start={start})"
        );
    }

    // Without a count asked for, a filtered first page has the same rows and no total.
    let mut filtered = paged(&fx.org_a, 0, 2);
    filtered.and(Cond::IdRange(Cmp::Gt, 0));
    let counted = list(store, &fx.reader_a, &filtered).await;
    filtered.count = false;
    let uncounted = list(store, &fx.reader_a, &filtered).await;
    assert_eq!(ids(&uncounted), ids(&counted));
    assert_eq!((counted.total, uncounted.total), (Some(5), None));
}

/// Filters, alone and combined: tag, label, name_eq, name_prefix, event dates.
pub async fn list_filters<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let i1 = create(store, w, a, "alpha one", "2020-01-01").await;
    let i2 = create(store, w, a, "alpha two", "2020-06-01").await;
    let i3 = create(store, w, a, "Alpha three", "2021-01-01").await;
    let i4 = create(store, w, a, "100%_done", "2022-01-01").await;
    let i5 = create(store, w, a, "100xxdone", "2022-01-01").await;
    let i6 = create(store, w, a, "café crème", "2022-01-01").await;
    store
        .tag(w, &Subject::Incident(i1), &tag("APT29"))
        .await
        .expect("tag");
    store
        .tag(w, &Subject::Incident(i2), &tag("apt29"))
        .await
        .expect("tag");
    store
        .tag(w, &Subject::Incident(i3), &tag("other"))
        .await
        .expect("tag");
    store
        .tag(w, &Subject::Incident(i6), &tag("Ärger"))
        .await
        .expect("tag");
    store
        .label(w, &Subject::Incident(i1), "TLP:GREEN")
        .await
        .expect("label");
    store
        .label(w, &Subject::Incident(i2), "TLP:RED")
        .await
        .expect("label");
    store
        .label(w, &Subject::Incident(i3), "TLP:RED")
        .await
        .expect("label");
    // The same names, tags and labels in B never show up in A.
    let b = create(store, &fx.member_b, &fx.org_b, "alpha one", "2020-01-01").await;
    store
        .tag(&fx.member_b, &Subject::Incident(b), &tag("apt29"))
        .await
        .expect("tag");
    store
        .label(&fx.member_b, &Subject::Incident(b), "TLP:GREEN")
        .await
        .expect("label");

    let q = |f: &dyn Fn(&mut IncidentQuery)| {
        let mut q = IncidentQuery::owner(a.clone());
        f(&mut q);
        q
    };
    let s = |v: &str| Some(v.to_string());
    let d = |v: &str| Some(ts(v));
    let cases: Vec<(IncidentQuery, Vec<i64>)> = vec![
        (q(&|q| q.set_tag(s("apt29"))), vec![i1, i2]),
        (q(&|q| q.set_tag(s("APT29"))), vec![i1, i2]),
        (q(&|q| q.set_tag(s("aPt29"))), vec![i1, i2]),
        (q(&|q| q.set_tag(s("ärger"))), vec![i6]),
        (q(&|q| q.set_tag(s("ÄRGER"))), vec![i6]),
        (q(&|q| q.set_tag(s("apt"))), vec![]),
        (q(&|q| q.set_tag(s("no such tag"))), vec![]),
        (q(&|q| q.set_label(s("TLP:GREEN"))), vec![i1]),
        (q(&|q| q.set_label(s("TLP Green"))), vec![i1]),
        (q(&|q| q.set_label(s("tlp_green"))), vec![i1]),
        (q(&|q| q.set_label(s("tlp:red"))), vec![i2, i3]),
        (q(&|q| q.set_label(s("TLP:AMBER"))), vec![]),
        (q(&|q| q.set_name_eq(s("alpha one"))), vec![i1]),
        (q(&|q| q.set_name_eq(s("alpha"))), vec![]),
        (q(&|q| q.set_name_eq(s("alpha one "))), vec![]),
        (q(&|q| q.set_name_prefix(s("alpha"))), vec![i1, i2]),
        (q(&|q| q.set_name_prefix(s("Alpha"))), vec![i3]),
        (q(&|q| q.set_name_prefix(s("ALPHA"))), vec![]),
        (q(&|q| q.set_name_prefix(s("alpha one"))), vec![i1]),
        (q(&|q| q.set_name_prefix(s("alpha one and more"))), vec![]),
        (q(&|q| q.set_name_prefix(s("100%"))), vec![i4]),
        (q(&|q| q.set_name_prefix(s("100%_"))), vec![i4]),
        (q(&|q| q.set_name_prefix(s("100_"))), vec![]),
        (q(&|q| q.set_name_prefix(s("%"))), vec![]),
        (q(&|q| q.set_name_prefix(s("_"))), vec![]),
        (q(&|q| q.set_name_prefix(s("100x"))), vec![i5]),
        (q(&|q| q.set_name_prefix(s("café"))), vec![i6]),
        (q(&|q| q.set_name_prefix(s("cafe\u{301}"))), vec![]),
        (q(&|q| q.set_name_prefix(s("CAFÉ"))), vec![]),
        (
            q(&|q| q.set_event_after(d("2020-01-01"))),
            vec![i2, i3, i4, i5, i6],
        ),
        (
            q(&|q| q.set_event_after(d("2019-12-31T23:59:59Z"))),
            vec![i1, i2, i3, i4, i5, i6],
        ),
        (q(&|q| q.set_event_before(d("2020-06-01"))), vec![i1]),
        (
            q(&|q| q.set_event_before(d("2020-06-01T00:00:01Z"))),
            vec![i1, i2],
        ),
        (q(&|q| q.set_event_before(d("2020-01-01"))), vec![]),
        (
            q(&|q| {
                q.set_event_after(d("2020-01-01"));
                q.set_event_before(d("2021-01-01"));
            }),
            vec![i2],
        ),
        (
            q(&|q| {
                q.set_tag(s("apt29"));
                q.set_label(s("TLP Green"));
            }),
            vec![i1],
        ),
        (
            q(&|q| {
                q.set_tag(s("apt29"));
                q.set_label(s("TLP:RED"));
            }),
            vec![i2],
        ),
        (
            q(&|q| {
                q.set_tag(s("other"));
                q.set_label(s("TLP:GREEN"));
            }),
            vec![],
        ),
        (
            q(&|q| {
                q.set_tag(s("apt29"));
                q.set_name_prefix(s("alpha t"));
            }),
            vec![i2],
        ),
        (
            q(&|q| {
                q.set_tag(s("apt29"));
                q.set_name_eq(s("alpha one"));
            }),
            vec![i1],
        ),
        (
            q(&|q| {
                q.set_tag(s("APT29"));
                q.set_event_after(d("2020-03-01"));
            }),
            vec![i2],
        ),
        (
            q(&|q| {
                q.set_label(s("TLP:RED"));
                q.set_event_before(d("2020-12-31"));
            }),
            vec![i2],
        ),
        (
            q(&|q| {
                {
                    q.set_tag(s("apt29"));
                    q.set_label(s("tlp-red"));
                    q.set_name_prefix(s("alpha"));
                };
                q.set_event_after(d("2020-01-01"));
            }),
            vec![i2],
        ),
    ];
    for (query, want) in cases {
        let page = list(store, &fx.reader_a, &query).await;
        assert_eq!(ids(&page), want, "filter {query:?}");
        assert_eq!(
            page.total,
            Some(want.len() as u64),
            "resultCount of {query:?}"
        );
    }
    // A filtered list pages like an unfiltered one.
    let query = IncidentQuery {
        paging: Paging::new(1, 1).expect("paging"),
        ..q(&|q| q.set_label(s("TLP:RED")))
    };
    let page = list(store, &fx.reader_a, &query).await;
    assert_eq!(
        (ids(&page), page.total),
        (vec![i3], None),
        "second page of a filter"
    );
}

/// dateAdded filters are strict, alone and with other filters.
pub async fn list_filters_dates<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let mut created = Vec::new();
    for name in ["d1", "d2", "d3"] {
        let id = create(store, &fx.writer_a, &fx.org_a, name, "2020-01-01").await;
        let added = store
            .get_incident(&fx.reader_a, id, Include::default())
            .await
            .expect("get")
            .incident
            .date_added;
        created.push((id, added));
    }
    store
        .tag(
            &fx.writer_a,
            &Subject::Incident(created[1].0),
            &tag("dated"),
        )
        .await
        .expect("tag");
    let min = created.iter().map(|c| c.1).min().expect("three incidents");
    let max = created.iter().map(|c| c.1).max().expect("three incidents");
    let second = Duration::seconds(1);
    let thresholds: [Timestamp; 5] = [min - second, min, created[1].1, max, max + second];
    for t in thresholds {
        for tagged in [false, true] {
            let mut base = IncidentQuery::owner(fx.org_a.clone());
            base.set_tag(tagged.then(|| "DATED".to_string()));
            let keep = |(id, _): &(i64, Timestamp)| !tagged || *id == created[1].0;
            let before: Vec<i64> = created
                .iter()
                .filter(|c| keep(c) && c.1 < t)
                .map(|c| c.0)
                .collect();
            let after: Vec<i64> = created
                .iter()
                .filter(|c| keep(c) && c.1 > t)
                .map(|c| c.0)
                .collect();
            let q = base.clone().with(Cond::DateAdded(Cmp::Lt, t));
            assert_eq!(ids(&list(store, &fx.reader_a, &q).await), before, "{q:?}");
            let q = base.clone().with(Cond::DateAdded(Cmp::Gt, t));
            assert_eq!(ids(&list(store, &fx.reader_a, &q).await), after, "{q:?}");
        }
    }
    let mut q = IncidentQuery::owner(fx.org_a.clone());
    q.set_added_after(Some(min - second));
    q.set_added_before(Some(max + second));
    q.set_event_before(Some(ts("2020-01-01T00:00:01Z")));
    q.set_event_after(Some(ts("2019-12-31T23:59:59Z")));
    let all: Vec<i64> = created.iter().map(|c| c.0).collect();
    assert_eq!(
        ids(&list(store, &fx.reader_a, &q).await),
        all,
        "all date bounds at once"
    );
}
