//! Search finds group names, indicator values, tags and attribute values of every owner the
//! person reads, best first, follows writes in their transaction (an update, a deletion), shows
//! nothing of another owner, and takes any text as a query (search syntax included) without an
//! error.

use crate::fixture::{create, fixture, tag};
use threatdb_core::search::{Found, Matched};
use threatdb_core::{
    AdminStore, IncidentName, IncidentPatch, IndicatorKind, IndicatorValue, ItemKind, NewAttribute,
    NewItem, Store, Subject,
};

fn titles(r: &threatdb_core::search::SearchResults) -> Vec<String> {
    r.hits.iter().map(|h| h.title.clone()).collect()
}

/// Names, indicators, tags and attributes found; ranked; owners kept apart; hostile text.
pub async fn search_finds_what_the_actor_reads<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let phish = create(
        store,
        w,
        &fx.org_a,
        "Spear-phishing wave",
        "2026-03-01T00:00:00Z",
    )
    .await;
    let other = create(
        store,
        w,
        &fx.org_a,
        "Ransomware note",
        "2026-03-02T00:00:00Z",
    )
    .await;
    store
        .add_attribute(
            w,
            &Subject::Incident(other),
            NewAttribute::parse(
                "Description",
                "The operators used Cobalt Strike beacons",
                true,
                None,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let bear = store
        .create_item(
            w,
            &fx.org_a,
            NewItem {
                kind: ItemKind::Adversary,
                name: IncidentName::parse("Phishing Bear").unwrap(),
                fields: "{}".into(),
            },
        )
        .await
        .unwrap();
    store
        .add_attribute(
            w,
            &Subject::Item(ItemKind::Adversary, bear.id),
            NewAttribute::parse("Description", "Known for café-themed lures", true, None).unwrap(),
        )
        .await
        .unwrap();
    let host = IndicatorValue::parse(IndicatorKind::Host, "evil.example.com").unwrap();
    let indicator = store.create_indicator(w, &fx.org_a, &host).await.unwrap();
    store
        .add_attribute(
            w,
            &Subject::Indicator(fx.org_a.clone(), host.clone()),
            NewAttribute::parse("Description", "beacon relay", true, None).unwrap(),
        )
        .await
        .unwrap();
    store
        .tag(w, &Subject::Incident(phish), &tag("Phishing"))
        .await
        .unwrap();
    // Another owner's look-alikes, never shown to A's members.
    let b = &fx.member_b;
    let hidden = create(store, b, &fx.org_b, "Phishing in B", "2026-03-03T00:00:00Z").await;
    store
        .add_attribute(
            b,
            &Subject::Incident(hidden),
            NewAttribute::parse("Description", "cobalt strike too", true, None).unwrap(),
        )
        .await
        .unwrap();
    let host_b = IndicatorValue::parse(IndicatorKind::Host, "evil.example.com").unwrap();
    store.create_indicator(b, &fx.org_b, &host_b).await.unwrap();

    // A name substring, any case: the tag (exact) first, then the prefix, then the contained.
    let r = store.search(&fx.reader_a, "PHISHING").await.unwrap();
    assert_eq!(
        titles(&r),
        ["Phishing", "Phishing Bear", "Spear-phishing wave"],
        "{r:?}"
    );
    assert_eq!(r.hits[0].found, Found::Tag);
    assert_eq!(r.hits[1].found, Found::Item(ItemKind::Adversary));
    assert_eq!(r.hits[1].matched, Matched::Prefix);
    assert_eq!((r.hits[2].found, r.hits[2].id), (Found::Incident, phish));
    assert!(r.hits.iter().all(|h| h.owner == fx.org_a.name));

    // An indicator-looking query is normalised: the one indicator found exactly.
    let r = store
        .search(&fx.reader_a, " Evil.Example.COM. ")
        .await
        .unwrap();
    assert_eq!(
        r.indicator,
        Some((IndicatorKind::Host, "evil.example.com".into()))
    );
    let the = r.the_indicator().expect("one indicator");
    assert_eq!(
        (the.found, the.id),
        (Found::Indicator(IndicatorKind::Host), indicator.id)
    );
    // The other owner's holds the same value: a member of both would see two.
    assert_eq!(r.hits.len(), 1, "{r:?}");

    // Attribute words, any order and case, the last as a prefix, diacritics folded on SQLite;
    // each hit names its holder and the attribute.
    let r = store.search(&fx.reader_a, "strike cobalt").await.unwrap();
    assert_eq!(titles(&r), ["Ransomware note"], "{r:?}");
    assert_eq!(r.hits[0].matched, Matched::Attribute("Description".into()));
    assert!(r.hits[0].text.contains("Cobalt Strike"));
    let r = store.search(&fx.reader_a, "beac").await.unwrap();
    let found: Vec<Found> = r.hits.iter().map(|h| h.found).collect();
    assert!(found.contains(&Found::Incident), "{r:?}");
    assert!(
        found.contains(&Found::Indicator(IndicatorKind::Host)),
        "{r:?}"
    );
    let r = store.search(&fx.reader_a, "lures").await.unwrap();
    assert_eq!(
        r.hits.iter().map(|h| (h.found, h.id)).collect::<Vec<_>>(),
        [(Found::Item(ItemKind::Adversary), bear.id)]
    );

    // The other owner's member sees only its own.
    let r = store.search(b, "phishing").await.unwrap();
    assert_eq!(titles(&r), ["Phishing in B"], "{r:?}");
    let r = store.search(b, "cobalt").await.unwrap();
    assert_eq!(
        r.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        [hidden],
        "{r:?}"
    );

    // Writes are searched in their transaction: a rename, a deletion.
    let rename = IncidentPatch {
        name: Some(IncidentName::parse("Whaling wave").unwrap()),
        ..IncidentPatch::default()
    };
    store.update_incident(w, phish, rename).await.unwrap();
    let r = store.search(&fx.reader_a, "whaling").await.unwrap();
    assert_eq!(titles(&r), ["Whaling wave"]);
    let r = store.search(&fx.reader_a, "spear").await.unwrap();
    assert!(r.hits.is_empty(), "{r:?}");
    store.delete_incident(w, other).await.unwrap();
    let r = store.search(&fx.reader_a, "cobalt").await.unwrap();
    assert!(r.hits.is_empty(), "{r:?}");

    // Any text is a query: search syntax, quotes, wildcards, long input, nothing.
    for q in [
        "\"",
        "*",
        "\"a\" OR",
        "NEAR(a b)",
        "%_\\",
        "a AND",
        "(((",
        "'; DROP TABLE incidents; --",
        "ph",
        "\u{0}",
        "",
    ] {
        let r = store
            .search(&fx.reader_a, q)
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        assert!(r.hits.len() <= threatdb_core::search::MAX_HITS);
    }
    let long = "phishing ".repeat(500);
    let r = store.search(&fx.reader_a, &long).await.unwrap();
    assert!(r.query.chars().count() <= threatdb_core::search::MAX_QUERY_CHARS);
}
