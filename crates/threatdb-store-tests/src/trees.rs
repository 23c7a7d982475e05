//! Filter trees: OR, NOT and nested combinations return exactly the incidents they describe.

use crate::fixture::{fixture, ids, list, new_incident, tag, ts};
use threatdb_core::{
    AdminStore, Cmp, Cond, Filter, IncidentQuery, IncidentStatus, Store, Subject, TextMatch,
};

/// OR, NOT, empty AND/OR and nesting, against sets computed by hand.
pub async fn list_filter_trees<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let mut made = Vec::new();
    for (name, status, tagged) in [
        ("Alpha one", IncidentStatus::New, true),
        ("Alpha two", IncidentStatus::Open, false),
        ("Bravo one", IncidentStatus::Open, true),
        ("Bravo two", IncidentStatus::Closed, false),
        ("Charlie", IncidentStatus::New, false),
    ] {
        let mut new = new_incident(name, ts("2020-01-01"));
        new.status = status;
        let id = store.create_incident(w, a, new).await.expect("create").id;
        if tagged {
            store
                .tag(w, &Subject::Incident(id), &tag("tree"))
                .await
                .expect("tag");
        }
        made.push(id);
    }
    let c = |c: Cond| Filter::Cond(c);
    let alpha = || c(Cond::Name(TextMatch::StartsWith, "Alpha".into()));
    let open = || c(Cond::Status(IncidentStatus::Open));
    let tagged = || c(Cond::Tag("tree".into()));
    let m = |i: &[usize]| i.iter().map(|i| made[*i]).collect::<Vec<_>>();
    for (filter, want) in [
        (Filter::Or(vec![alpha(), open()]), m(&[0, 1, 2])),
        (Filter::Not(Box::new(tagged())), m(&[1, 3, 4])),
        (
            Filter::And(vec![
                Filter::Or(vec![alpha(), open()]),
                Filter::Not(Box::new(tagged())),
            ]),
            m(&[1]),
        ),
        (Filter::Or(vec![tagged()]), m(&[0, 2])),
        (Filter::Or(vec![]), vec![]),
        (Filter::And(vec![]), m(&[0, 1, 2, 3, 4])),
        // What TQL's `typeName != "Incident"` and `eventDate IS NOT NULL` compile to.
        (Filter::Not(Box::new(Filter::And(vec![]))), vec![]),
        (
            Filter::Not(Box::new(Filter::Or(vec![]))),
            m(&[0, 1, 2, 3, 4]),
        ),
        (
            Filter::Or(vec![
                Filter::And(vec![tagged(), open()]),
                c(Cond::Name(TextMatch::Equals, "Charlie".into())),
                c(Cond::EventDate(Cmp::Lt, ts("2019-01-01"))),
            ]),
            m(&[2, 4]),
        ),
        (
            Filter::Not(Box::new(Filter::Or(vec![alpha(), tagged()]))),
            m(&[3, 4]),
        ),
    ] {
        let mut q = IncidentQuery::owner(a.clone());
        q.filter = filter.clone();
        let page = list(store, &fx.reader_a, &q).await;
        assert_eq!(ids(&page), want, "{filter:?}");
        assert_eq!(page.total, Some(want.len() as u64), "{filter:?}");
    }
}

/// Lists the owner's incidents through `filter` and checks they are `want` (in any order),
/// counted as many.
async fn expect_ids<S: Store>(
    store: &S,
    reader: &threatdb_core::Actor,
    owner: &threatdb_core::Owner,
    filter: Filter,
    want: Vec<i64>,
) {
    let mut q = IncidentQuery::owner(owner.clone());
    q.filter = filter;
    let page = list(store, reader, &q).await;
    let mut got = ids(&page);
    got.sort_unstable();
    assert_eq!(got, want, "{:?}", q.filter);
    assert_eq!(page.total, Some(want.len() as u64), "{:?}", q.filter);
}

/// Ids, external ids and last-modified bounds (what TQL's `id`, `xid` and `lastModified`
/// compile to) select exactly their incidents, and never another owner's.
pub async fn id_xid_and_modified_filters<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let mut made = Vec::new();
    for name in ["One", "Two", "Three"] {
        let mut new = new_incident(name, ts("2020-01-01"));
        // Unique across runs on one database (external ids are unique store-wide).
        new.xid = Some(format!("feed-{}-{name}", a.id));
        made.push(store.create_incident(w, a, new).await.expect("create"));
    }
    let theirs = store
        .create_incident(
            &fx.member_b,
            &fx.org_b,
            new_incident("Theirs", ts("2020-01-01")),
        )
        .await
        .expect("create in B");
    let id = |i: usize| made[i].id;
    let c = |c: Cond| Filter::Cond(c);
    let newest = made.iter().map(|m| m.last_modified).max().expect("three");
    let oldest = made.iter().map(|m| m.last_modified).min().expect("three");
    for (filter, want) in [
        (c(Cond::Id(id(1))), vec![id(1)]),
        (c(Cond::Id(theirs.id)), vec![]),
        (
            Filter::Not(Box::new(c(Cond::Id(id(1))))),
            vec![id(0), id(2)],
        ),
        (c(Cond::IdRange(Cmp::Gt, id(0))), vec![id(1), id(2)]),
        (c(Cond::IdRange(Cmp::Lt, id(2))), vec![id(0), id(1)]),
        (c(Cond::Xid(made[2].xid.clone())), vec![id(2)]),
        (c(Cond::Xid(theirs.xid.clone())), vec![]),
        (c(Cond::Xid(made[2].xid.to_uppercase())), vec![id(2)]),
        (c(Cond::LastModified(Cmp::Gt, newest)), vec![]),
        (
            c(Cond::LastModified(
                Cmp::Lt,
                newest + time::Duration::seconds(1),
            )),
            vec![id(0), id(1), id(2)],
        ),
        (
            c(Cond::LastModified(
                Cmp::Gt,
                oldest - time::Duration::seconds(1),
            )),
            vec![id(0), id(1), id(2)],
        ),
    ] {
        expect_ids(store, &fx.reader_a, a, filter, want).await;
    }
}

/// TQL's case-insensitive `summary =`, `STARTSWITH` and `ENDSWITH` and `xid =` fold ASCII
/// letters only, on both stores alike.
pub async fn folded_name_filters<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let mut made = Vec::new();
    for name in [
        "Alpha Wave",
        "ALPHA wave 2",
        "alphabet",
        "Bravo wave",
        "Ünicode Straße",
        "100% _match_",
    ] {
        let mut new = new_incident(name, ts("2020-01-01"));
        new.xid = Some(format!("Feed-{}-{}", a.id, made.len()));
        made.push(store.create_incident(w, a, new).await.expect("create"));
    }
    let id = |i: usize| made[i].id;
    let name = |m: TextMatch, v: &str| Filter::Cond(Cond::Name(m, v.into()));
    let ends = |v: &str| {
        Filter::And(vec![
            name(TextMatch::Contains, v),
            name(TextMatch::EndsWithFolded, v),
        ])
    };
    for (filter, want) in [
        (name(TextMatch::EqualsFolded, "alpha wave"), vec![id(0)]),
        (name(TextMatch::EqualsFolded, "ALPHA WAVE 2"), vec![id(1)]),
        (
            name(TextMatch::StartsWithFolded, "ALPHA"),
            vec![id(0), id(1), id(2)],
        ),
        (
            name(TextMatch::StartsWithFolded, "alpha w"),
            vec![id(0), id(1)],
        ),
        (ends("WAVE"), vec![id(0), id(3)]),
        (ends("e"), vec![id(0), id(3), id(4)]),
        (ends("Alpha Wave and more"), vec![]),
        // ASCII letters only: Ü and ß are compared as they are.
        (name(TextMatch::EqualsFolded, "ünicode straße"), vec![]),
        (name(TextMatch::EqualsFolded, "Ünicode STRAße"), vec![id(4)]),
        (name(TextMatch::StartsWithFolded, "ünicode"), vec![]),
        // No wildcards.
        (name(TextMatch::StartsWithFolded, "100%"), vec![id(5)]),
        (name(TextMatch::StartsWithFolded, "1_0"), vec![]),
        (ends("_MATCH_"), vec![id(5)]),
        (
            Filter::Cond(Cond::Xid(format!("feed-{}-3", a.id))),
            vec![id(3)],
        ),
        (
            Filter::Cond(Cond::Xid(format!("FEED-{}-3", a.id))),
            vec![id(3)],
        ),
    ] {
        expect_ids(store, &fx.reader_a, a, filter, want).await;
    }
}

/// First-page counts answered by counters (an owner's incidents, a tag's, a label's) equal the
/// counts of the same lists made to count row by row (an always-true date bound), through
/// creations, tags, labels, removals and deletions that cascade.
pub async fn counters_stay_exact<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, a) = (&fx.writer_a, &fx.org_a);
    let check = |step: &'static str| check_counts(store, &fx.reader_a, a, step);
    let mut made = Vec::new();
    for i in 0..6 {
        let id = store
            .create_incident(
                w,
                a,
                new_incident(&format!("counted {i}"), ts("2020-01-01")),
            )
            .await
            .expect("create")
            .id;
        made.push(id);
    }
    check("created").await;
    for id in &made[..4] {
        let on = Subject::Incident(*id);
        store.tag(w, &on, &tag("Counted")).await.expect("tag");
        store.label(w, &on, "TLP:RED").await.expect("label");
    }
    check("tagged and labelled").await;
    store
        .tag(w, &Subject::Incident(made[0]), &tag("counted"))
        .await
        .expect("again");
    store
        .label(w, &Subject::Incident(made[0]), "tlp red")
        .await
        .expect("again");
    check("added twice").await;
    store
        .untag(w, &Subject::Incident(made[1]), "COUNTED")
        .await
        .expect("untag");
    store
        .unlabel(w, &Subject::Incident(made[1]), "TLP:RED")
        .await
        .expect("unlabel");
    check("removed").await;
    for id in &made[2..5] {
        store.delete_incident(w, *id).await.expect("delete");
    }
    check("deleted (cascading)").await;
}

async fn check_counts<S: Store>(
    store: &S,
    reader: &threatdb_core::Actor,
    a: &threatdb_core::Owner,
    step: &str,
) {
    let always = Cond::EventDate(Cmp::Gt, ts("1000-01-02"));
    for cond in [
        None,
        Some(Cond::Tag("counted".into())),
        Some(Cond::Label("TLP:RED".into())),
    ] {
        let mut fast = IncidentQuery::owner(a.clone());
        if let Some(c) = cond.clone() {
            fast.and(c);
        }
        let slow = fast.clone().with(always.clone());
        let f = list(store, reader, &fast).await;
        let s = list(store, reader, &slow).await;
        assert_eq!(f.total, s.total, "{step}: {cond:?}");
        assert_eq!(ids(&f), ids(&s), "{step}: {cond:?}");
    }
}
