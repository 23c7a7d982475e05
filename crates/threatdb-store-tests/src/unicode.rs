//! Text is stored byte for byte: Unicode, and input that looks like SQL.

use crate::fixture::{ALL, attr, fixture, ids, new_incident, tag, ts};
use threatdb_core::{
    AdminStore, Cond, IncidentName, IncidentQuery, NewAttribute, Store, Subject, TextMatch,
};

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
            .create_incident(
                &fx.writer_a,
                &fx.org_a,
                new_incident(name, ts("2020-01-01")),
            )
            .await
            .unwrap_or_else(|e| panic!("create {name:?}: {e:?}"));
        assert_eq!(created.name, name, "name stored byte for byte");
        let id = created.id;
        for value in values {
            let a = store
                .add_attribute(
                    &fx.writer_a,
                    &Subject::Incident(id),
                    NewAttribute {
                        source: Some(value.to_string()),
                        ..attr("Description", value)
                    },
                )
                .await
                .expect("add attribute");
            assert_eq!(a.value, value, "attribute value byte for byte");
            assert_eq!(
                a.source.as_deref(),
                Some(value),
                "attribute source byte for byte"
            );
        }
        for t in tags {
            store
                .tag(&fx.writer_a, &Subject::Incident(id), &tag(t))
                .await
                .unwrap_or_else(|e| panic!("add tag {t:?}: {e:?}"));
        }
        let got = store
            .get_incident(&fx.reader_a, id, ALL)
            .await
            .expect("get");
        assert_eq!(got.incident.name, name);
        let got_values: Vec<_> = got
            .attributes
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.value)
            .collect();
        assert_eq!(got_values, values, "attribute values in id order");
        let mut got_tags: Vec<_> = got
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.name)
            .collect();
        let mut want_tags: Vec<_> = tags.iter().map(|t| t.to_string()).collect();
        got_tags.sort();
        want_tags.sort();
        assert_eq!(got_tags, want_tags, "tags byte for byte");

        let by_name = store
            .list_incidents(
                &fx.reader_a,
                &IncidentQuery::owner(fx.org_a.clone())
                    .with(Cond::Name(TextMatch::Equals, name.to_string())),
            )
            .await
            .expect("list by name");
        assert_eq!(ids(&by_name), vec![id], "name_eq finds {name:?}");
        for t in tags {
            let by_tag = store
                .list_incidents(
                    &fx.reader_a,
                    &IncidentQuery::owner(fx.org_a.clone())
                        .with(Cond::Tag(t.to_string()))
                        .with(Cond::Name(TextMatch::Equals, name.to_string())),
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
    assert_eq!(
        all.total,
        Some(names.len() as u64),
        "nothing was dropped or injected"
    );
}
