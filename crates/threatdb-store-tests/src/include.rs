//! Included metadata: attributes, tags and labels loaded with incidents only when asked.

use crate::fixture::{ALL, attr, create, fixture, ids, label_names, list, tag};
use threatdb_core::{AdminStore, IncidentQuery, Include, Store, Subject};

/// Include flags load exactly the metadata asked for, per incident; the rest stays None.
pub async fn include_flags<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let (w, r) = (&fx.writer_a, &fx.reader_a);
    let rich = create(store, w, &fx.org_a, "rich", "2020-01-01").await;
    let bare = create(store, w, &fx.org_a, "bare", "2020-01-01").await;
    let other = create(store, w, &fx.org_a, "other", "2020-01-01").await;
    for v in ["first", "second"] {
        store
            .add_attribute(w, &Subject::Incident(rich), attr("Description", v))
            .await
            .expect("attribute");
    }
    store
        .add_attribute(w, &Subject::Incident(other), attr("Source", "elsewhere"))
        .await
        .expect("attribute");
    for t in ["zeta", "Alpha"] {
        store
            .tag(w, &Subject::Incident(rich), &tag(t))
            .await
            .expect("tag");
    }
    store
        .tag(w, &Subject::Incident(other), &tag("other-only"))
        .await
        .expect("tag");
    for l in ["TLP:RED", "TLP:AMBER"] {
        store
            .label(w, &Subject::Incident(rich), l)
            .await
            .expect("label");
    }
    store
        .label(w, &Subject::Incident(other), "TLP:CLEAR")
        .await
        .expect("label");

    let sorted_tags = |id: i64| async move {
        let mut t: Vec<String> = store
            .tags_of(r, &Subject::Incident(id))
            .await
            .expect("tags")
            .into_iter()
            .map(|t| t.name)
            .collect();
        t.sort();
        t
    };
    let sorted_labels = |id: i64| async move {
        let mut l = label_names(
            &store
                .labels_of(r, &Subject::Incident(id))
                .await
                .expect("labels"),
        );
        l.sort();
        l
    };
    assert_eq!(sorted_tags(rich).await, vec!["Alpha", "zeta"]);
    assert_eq!(sorted_labels(rich).await, vec!["TLP:AMBER", "TLP:RED"]);

    for include in [
        Include::default(),
        Include {
            additional: true,
            ..Include::default()
        },
        Include {
            attributes: true,
            ..Include::default()
        },
        Include {
            tags: true,
            ..Include::default()
        },
        Include {
            labels: true,
            ..Include::default()
        },
        Include {
            attributes: true,
            labels: true,
            ..Include::default()
        },
        ALL,
    ] {
        let q = IncidentQuery {
            include,
            ..IncidentQuery::owner(fx.org_a.clone())
        };
        let listed = list(store, r, &q).await;
        assert_eq!(ids(&listed), vec![rich, bare, other]);
        for id in [rich, bare, other] {
            let got = store.get_incident(r, id, include).await.expect("get");
            let in_list = listed
                .items
                .iter()
                .find(|d| d.incident.id == id)
                .expect("listed");
            assert_eq!(&got, in_list, "get and list agree on {id} with {include:?}");
            let attrs = store
                .attributes_of(r, &Subject::Incident(id))
                .await
                .expect("attributes");
            assert_eq!(
                got.attributes,
                include.attributes.then_some(attrs),
                "{include:?}"
            );
            let tags = got.tags.map(|t| {
                let mut t: Vec<String> = t.into_iter().map(|t| t.name).collect();
                t.sort();
                t
            });
            assert_eq!(
                tags,
                match include.tags {
                    true => Some(sorted_tags(id).await),
                    false => None,
                },
                "{include:?}"
            );
            let labels = got.labels.map(|l| {
                let mut l = label_names(&l);
                l.sort();
                l
            });
            assert_eq!(
                labels,
                match include.labels {
                    true => Some(sorted_labels(id).await),
                    false => None,
                },
                "{include:?}"
            );
        }
    }
    let bare_all = store.get_incident(r, bare, ALL).await.expect("get");
    assert_eq!(
        (bare_all.attributes, bare_all.tags, bare_all.labels),
        (Some(vec![]), Some(vec![]), Some(vec![])),
        "asked-for metadata of a bare incident is empty, not None"
    );
}
