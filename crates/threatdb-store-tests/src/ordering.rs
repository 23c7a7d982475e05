//! The web UI's list options: status filter, name search and sort orders (the API's defaults
//! are unchanged: every option off, id order).

use crate::fixture::SetQuery;
use crate::fixture::{create, fixture, ids, list, new_incident, tag, ts};
use threatdb_core::{
    AdminStore, IncidentOrder, IncidentQuery, IncidentStatus, Paging, SortKey, Store, Subject,
};

/// Status filter and name search, alone and with the other filters.
pub async fn list_status_and_name_search<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let mut made = Vec::new();
    for (name, status) in [
        ("Operation APT29 wave", IncidentStatus::Open),
        ("apt29 follow-up", IncidentStatus::New),
        ("APT-29 lookalike", IncidentStatus::Open),
        ("100%_done", IncidentStatus::Closed),
        ("100xxdone", IncidentStatus::ContainmentAchieved),
        ("Café Crème", IncidentStatus::Open),
        ("café crème", IncidentStatus::New),
    ] {
        let mut new = new_incident(name, ts("2020-01-01"));
        new.status = status;
        made.push(store.create_incident(w, a, new).await.expect("create").id);
    }
    store
        .tag(w, &Subject::Incident(made[0]), &tag("wave"))
        .await
        .expect("tag");
    store
        .tag(w, &Subject::Incident(made[1]), &tag("wave"))
        .await
        .expect("tag");
    // The same names in another owner never show up.
    create(
        store,
        &fx.member_b,
        &fx.org_b,
        "apt29 elsewhere",
        "2020-01-01",
    )
    .await;

    let m = |idx: &[usize]| idx.iter().map(|i| made[*i]).collect::<Vec<_>>();
    let q = |f: &dyn Fn(&mut IncidentQuery)| {
        let mut q = IncidentQuery::owner(a.clone());
        f(&mut q);
        q
    };
    let s = |v: &str| Some(v.to_string());
    let cases: Vec<(IncidentQuery, Vec<i64>)> = vec![
        (
            q(&|q| q.set_status(Some(IncidentStatus::Open))),
            m(&[0, 2, 5]),
        ),
        (q(&|q| q.set_status(Some(IncidentStatus::New))), m(&[1, 6])),
        (q(&|q| q.set_status(Some(IncidentStatus::Stalled))), vec![]),
        (
            q(&|q| q.set_status(Some(IncidentStatus::ContainmentAchieved))),
            m(&[4]),
        ),
        (q(&|q| q.set_name_contains(s("apt29"))), m(&[0, 1])),
        (q(&|q| q.set_name_contains(s("APT29"))), m(&[0, 1])),
        (q(&|q| q.set_name_contains(s("apt"))), m(&[0, 1, 2])),
        (q(&|q| q.set_name_contains(s("29 W"))), m(&[0])),
        (q(&|q| q.set_name_contains(s("%"))), m(&[3])),
        (q(&|q| q.set_name_contains(s("_"))), m(&[3])),
        (q(&|q| q.set_name_contains(s("0%_d"))), m(&[3])),
        (q(&|q| q.set_name_contains(s("0_d"))), vec![]),
        (q(&|q| q.set_name_contains(s("DONE"))), m(&[3, 4])),
        // ASCII letters fold; other characters match exactly.
        (q(&|q| q.set_name_contains(s("CAFé"))), m(&[5, 6])),
        (q(&|q| q.set_name_contains(s("crème"))), m(&[5, 6])),
        (q(&|q| q.set_name_contains(s("CAFÉ"))), vec![]),
        (q(&|q| q.set_name_contains(s("cafe\u{301}"))), vec![]),
        (q(&|q| q.set_name_contains(s("nothing like it"))), vec![]),
        (
            q(&|q| {
                q.set_status(Some(IncidentStatus::Open));
                q.set_name_contains(s("apt"));
            }),
            m(&[0, 2]),
        ),
        (
            q(&|q| {
                q.set_status(Some(IncidentStatus::New));
                q.set_tag(s("WAVE"));
            }),
            m(&[1]),
        ),
        (
            q(&|q| {
                q.set_name_contains(s("29"));
                q.set_name_prefix(s("apt"));
            }),
            m(&[1]),
        ),
        (
            q(&|q| {
                q.set_status(Some(IncidentStatus::Open));
                q.set_event_after(Some(ts("2020-01-01")));
            }),
            vec![],
        ),
    ];
    for (query, want) in cases {
        let page = list(store, &fx.reader_a, &query).await;
        assert_eq!(ids(&page), want, "filter {query:?}");
        assert_eq!(page.total, Some(want.len() as u64), "total of {query:?}");
    }
}

/// An incident made by [`list_sort_orders`]: id, name, event date.
type Made = (i64, &'static str, &'static str);
/// What the expected order sorts by.
type KeyOf = dyn Fn(&Made) -> (Vec<u8>, i64);

/// Every sort key in both directions, ties broken by id in the same direction, paging over
/// the sorted list; the default order is the API's (id, ascending).
pub async fn list_sort_orders<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let mut made: Vec<Made> = Vec::new();
    for (name, event) in [
        ("beta", "2021-01-01"),
        ("Alpha", "2019-06-01"),
        ("alpha", "2022-01-01"),
        ("Ärger", "2019-06-01"),
        ("zulu", "2020-01-01"),
        ("Zulu", "2019-06-01"),
        ("_under", "2018-01-01"),
    ] {
        made.push((create(store, w, a, name, event).await, name, event));
    }
    let by = |key: &KeyOf, descending: bool| {
        let mut v = made.clone();
        v.sort_by_key(|m| key(m));
        if descending {
            v.reverse();
        }
        v.iter().map(|m| m.0).collect::<Vec<_>>()
    };
    let name_key = |m: &Made| (m.1.to_ascii_lowercase().into_bytes(), m.0);
    let event_key = |m: &Made| (ts(m.2).unix_timestamp().to_be_bytes().to_vec(), m.0);
    let id_key = |m: &Made| (vec![], m.0);
    for descending in [false, true] {
        for (key, want) in [
            (SortKey::Id, by(&id_key, descending)),
            // Added in id order within the test (the same second at most): ties go by id.
            (SortKey::DateAdded, by(&id_key, descending)),
            (SortKey::EventDate, by(&event_key, descending)),
            (SortKey::Name, by(&name_key, descending)),
        ] {
            let order = IncidentOrder { key, descending };
            let q = IncidentQuery {
                order,
                ..IncidentQuery::owner(a.clone())
            };
            assert_eq!(ids(&list(store, &fx.reader_a, &q).await), want, "{order:?}");
            let mut paged = Vec::new();
            for start in (0..want.len() as u64).step_by(3) {
                let q = IncidentQuery {
                    order,
                    paging: Paging::new(start, 3).expect("paging"),
                    ..IncidentQuery::owner(a.clone())
                };
                paged.extend(ids(&list(store, &fx.reader_a, &q).await));
            }
            assert_eq!(paged, want, "pages of {order:?}");
        }
    }
    let default = list(store, &fx.reader_a, &IncidentQuery::owner(a.clone())).await;
    assert_eq!(
        ids(&default),
        by(&id_key, false),
        "the default order is by id"
    );
}
