//! Security labels: the system ones, putting them on incidents, owners' own labels.

use crate::fixture::{assert_err, assert_second_utc, create, fixture, ids, label_names, snapshot};
use threatdb_core::{AdminStore, Cond, IncidentQuery, Store, StoreError, Subject};

/// The six system labels.
pub const SYSTEM_LABELS: [&str; 6] = [
    "TLP:CLEAR",
    "TLP:WHITE",
    "TLP:GREEN",
    "TLP:AMBER",
    "TLP:AMBER+STRICT",
    "TLP:RED",
];

/// The system labels exist in every owner, with a description and a six-hex-digit colour.
pub async fn system_labels<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    for (actor, owner) in [
        (&fx.reader_a, &fx.org_a),
        (&fx.member_b, &fx.org_b),
        (&fx.reader_c, &fx.community_c),
    ] {
        let labels = store.list_labels(actor, owner).await.expect("list_labels");
        let names = label_names(&labels);
        for want in SYSTEM_LABELS {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        assert_eq!(
            labels.len(),
            SYSTEM_LABELS.len(),
            "a new owner has only the system labels"
        );
        for l in &labels {
            assert!(!l.description.is_empty(), "{} has a description", l.name);
            assert!(
                l.color.len() == 6 && l.color.bytes().all(|b| b.is_ascii_hexdigit()),
                "{} has a RRGGBB colour: {}",
                l.name,
                l.color
            );
            assert_second_utc(l.date_added, "label dateAdded");
        }
    }
}

/// Labels go on and off incidents by any spelling of their name; an unknown one is Invalid.
pub async fn incident_labels<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let id = create(store, w, &fx.org_a, "labelled", "2020-01-01").await;
    let labels = |id| async move {
        let mut names = label_names(
            &store
                .labels_of(w, &Subject::Incident(id))
                .await
                .expect("labels"),
        );
        names.sort();
        names
    };
    for spelling in [
        "TLP Green",
        "TLP:GREEN",
        "tlp_green",
        "tlp-green",
        "TLP%3AGREEN",
    ] {
        store
            .label(w, &Subject::Incident(id), spelling)
            .await
            .unwrap_or_else(|e| panic!("add {spelling:?}: {e:?}"));
        assert_eq!(labels(id).await, vec!["TLP:GREEN"], "after {spelling:?}");
    }
    store
        .label(w, &Subject::Incident(id), "tlp:amber+strict")
        .await
        .expect("amber+strict");
    assert_eq!(labels(id).await, vec!["TLP:AMBER+STRICT", "TLP:GREEN"]);

    let before = snapshot(store, w, id).await;
    for bad in ["Nope", "TLP:PURPLE", "TLP"] {
        assert_err(
            store.label(w, &Subject::Incident(id), bad).await,
            StoreError::Invalid(format!("Security label '{bad}' does not exist")),
            "unknown label",
        );
    }
    assert_err(
        store.unlabel(w, &Subject::Incident(id), "TLP:RED").await,
        StoreError::NotFound,
        "not on it",
    );
    assert_eq!(
        snapshot(store, w, id).await,
        before,
        "failed label changes change nothing"
    );

    store
        .unlabel(w, &Subject::Incident(id), "TLP Green")
        .await
        .expect("remove");
    assert_eq!(labels(id).await, vec!["TLP:AMBER+STRICT"]);
    assert_err(
        store.unlabel(w, &Subject::Incident(id), "tlp:green").await,
        StoreError::NotFound,
        "twice",
    );
    assert_err(
        store
            .label(w, &Subject::Incident(i64::MAX), "TLP:RED")
            .await,
        StoreError::NotFound,
        "label a missing incident",
    );
}

/// An owner's own label is usable in that owner only; names are unique per owner and may not
/// shadow a system label.
pub async fn custom_labels<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let name = "Internal Only";
    let label = store
        .create_label(fx.org_a.id, name, "Not for sharing.", "ff00aa")
        .await
        .expect("create");
    assert_eq!(label.name, name);
    assert_eq!(label.description, "Not for sharing.");
    assert!(
        label.color.eq_ignore_ascii_case("FF00AA"),
        "colour {}",
        label.color
    );
    assert_second_utc(label.date_added, "label dateAdded");

    let in_a = label_names(&store.list_labels(&fx.reader_a, &fx.org_a).await.expect("A"));
    assert!(
        in_a.iter().any(|n| n == name),
        "A lists its label: {in_a:?}"
    );
    let in_b = label_names(&store.list_labels(&fx.member_b, &fx.org_b).await.expect("B"));
    assert!(!in_b.iter().any(|n| n == name), "B does not: {in_b:?}");

    let a = create(store, w, &fx.org_a, "custom", "2020-01-01").await;
    store
        .label(w, &Subject::Incident(a), "internal only")
        .await
        .expect("use in A");
    store
        .label(w, &Subject::Incident(a), "INTERNAL ONLY")
        .await
        .expect("again");
    let got = store
        .labels_of(&fx.reader_a, &Subject::Incident(a))
        .await
        .expect("labels");
    assert_eq!(got, vec![label.clone()], "the custom label, once");
    let found = store
        .list_incidents(
            &fx.reader_a,
            &IncidentQuery::owner(fx.org_a.clone()).with(Cond::Label("Internal only".into())),
        )
        .await
        .expect("filter by custom label");
    assert_eq!(ids(&found), vec![a]);

    for (actor, owner) in [(&fx.member_b, &fx.org_b), (&fx.admin_a, &fx.community_c)] {
        let other = create(store, actor, owner, "elsewhere", "2020-01-01").await;
        assert_err(
            store.label(actor, &Subject::Incident(other), name).await,
            StoreError::Invalid(format!("Security label '{name}' does not exist")),
            "another owner's label",
        );
        assert!(
            store
                .labels_of(actor, &Subject::Incident(other))
                .await
                .expect("labels")
                .is_empty()
        );
    }

    let dup = store
        .create_label(fx.org_a.id, "INTERNAL ONLY", "again", "000000")
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "duplicate label: {dup:?}"
    );
    let shadow = store
        .create_label(fx.org_a.id, "tlp red", "no", "000000")
        .await;
    assert!(
        matches!(shadow, Err(StoreError::Conflict(_))),
        "system label name: {shadow:?}"
    );
    let bad = store
        .create_label(fx.org_a.id, "Bad colour", "no", "red")
        .await;
    assert!(
        matches!(bad, Err(StoreError::Invalid(_))),
        "bad colour: {bad:?}"
    );
    let empty = store.create_label(fx.org_a.id, "   ", "no", "000000").await;
    assert!(
        matches!(empty, Err(StoreError::Invalid(_))),
        "empty name: {empty:?}"
    );
    let labels_a = store.list_labels(&fx.reader_a, &fx.org_a).await.expect("A");
    assert_eq!(
        labels_a.len(),
        SYSTEM_LABELS.len() + 1,
        "failed creates created nothing"
    );

    // The same name in another owner is another label.
    let in_b = store
        .create_label(fx.org_b.id, name, "B's own.", "00FF00")
        .await
        .expect("in B");
    assert_eq!(in_b.description, "B's own.");
    let b = create(store, &fx.member_b, &fx.org_b, "b", "2020-01-01").await;
    store
        .label(&fx.member_b, &Subject::Incident(b), name)
        .await
        .expect("use B's label");
    let got = store
        .labels_of(&fx.member_b, &Subject::Incident(b))
        .await
        .expect("labels");
    assert_eq!(got, vec![in_b], "B's label, not A's");
    assert_eq!(
        store
            .labels_of(&fx.reader_a, &Subject::Incident(a))
            .await
            .expect("labels"),
        vec![label]
    );
}
