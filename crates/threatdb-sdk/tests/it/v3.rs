//! The SDK's v3 module against a real server: a TQL collection read page by page through the
//! server's `next` links (every row once, with its nested collections), indicators the same,
//! a bad TQL as the server's 400, one group and one indicator by id; and writes (create, update
//! with a mode, delete) of groups and indicators.

use crate::helpers::*;
use threatdb_sdk::Error;
use threatdb_sdk::v3::{Group, GroupBody, Indicator, IndicatorBody, Mode, Nested, TagRef};

#[tokio::test]
async fn groups_and_indicators_through_v3() {
    let app = TestApp::spawn().await;
    let mut made = Vec::new();
    for n in 0..7 {
        made.push(
            app.create(
                &app.admin.org,
                &format!("v3 sdk {n}"),
                if n % 2 == 0 { &["Even"] } else { &[] },
                &[],
            )
            .await,
        );
    }
    let tc = app.tc(&app.admin);
    let v3 = tc.v3();

    let mut groups = v3.groups();
    groups
        .filter()
        .tql(r#"typeName EQ "Incident" AND summary STARTSWITH "v3 sdk""#);
    groups.fields(["tags"]).result_limit(3);
    let mut pages = groups.pages();
    let mut seen: Vec<Group> = Vec::new();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        sizes.push(page.len());
        seen.extend(page);
    }
    assert_eq!(pages.count(), Some(7));
    assert_eq!(sizes, vec![3, 3, 1], "three pages through the next links");
    assert_eq!(seen.iter().map(|g| g.id).collect::<Vec<_>>(), made);
    let tagged: Vec<i64> = seen
        .iter()
        .filter(|g| g.tags.as_ref().is_some_and(|t| !t.data.is_empty()))
        .map(|g| g.id)
        .collect();
    assert_eq!(tagged, vec![made[0], made[2], made[4], made[6]]);

    let mut even = v3.groups();
    even.filter().tql(r#"hasTag(summary EQ "even")"#);
    assert_eq!(even.all().await.unwrap().len(), 4);

    let one = v3.group(made[1], &["attributes"]).await.unwrap();
    assert_eq!(one.name, "v3 sdk 1");
    assert!(one.attributes.is_some());

    let mut bad = v3.groups();
    bad.filter().tql("summary EQ");
    match bad.all().await {
        Err(Error::Api {
            status: 400,
            message,
        }) => {
            assert!(message.contains("column"), "{message}")
        }
        other => panic!("a bad TQL: {other:?}"),
    }

    // Indicators: none yet, then two made through v3 and read back.
    let mut hosts = v3.indicators();
    hosts.filter().tql(r#"typeName EQ "Host""#);
    assert!(hosts.all().await.unwrap().is_empty());
    let mut ids = Vec::new();
    for host in ["a.example", "B.example"] {
        let body = IndicatorBody {
            kind: Some("Host".into()),
            host_name: Some(host.into()),
            tags: Some(Nested::new(Mode::Append, vec![tag("sdk")])),
            ..IndicatorBody::default()
        };
        ids.push(v3.create_indicator(&body, &[]).await.unwrap().id);
    }
    let mut hosts = v3.indicators();
    hosts
        .filter()
        .tql(r#"typeName EQ "Host" AND hasTag(name EQ "sdk")"#);
    hosts.fields(["tags"]).result_limit(1);
    let found: Vec<Indicator> = hosts.all().await.unwrap();
    assert_eq!(found.iter().map(|i| i.id).collect::<Vec<_>>(), ids);
    assert_eq!(found[1].summary, "b.example");
    let one = v3.indicator(ids[0], &["tags"]).await.unwrap();
    assert_eq!(one.summary, "a.example");
    assert_eq!(one.tags.map(|t| t.data.len()), Some(1));
}

fn tag(name: &str) -> TagRef {
    TagRef {
        id: None,
        name: Some(name.into()),
    }
}

#[tokio::test]
async fn groups_written_through_v3() {
    let app = TestApp::spawn().await;
    let v3 = app.tc(&app.admin).v3();
    let body = GroupBody {
        kind: Some("Incident".into()),
        name: Some("written by the sdk".into()),
        tags: Some(Nested::new(Mode::Append, vec![tag("a"), tag("b")])),
        ..GroupBody::default()
    };
    let made = v3.create_group(&body, &["tags"]).await.unwrap();
    assert_eq!(made.name, "written by the sdk");
    assert_eq!(made.tags.map(|t| t.data.len()), Some(2));
    let change = GroupBody {
        name: Some("renamed by the sdk".into()),
        tags: Some(Nested::new(Mode::Replace, vec![tag("c")])),
        ..GroupBody::default()
    };
    let changed = v3.update_group(made.id, &change, &["tags"]).await.unwrap();
    assert_eq!(changed.name, "renamed by the sdk");
    let tags: Vec<String> = changed
        .tags
        .unwrap()
        .data
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(tags, vec!["c"]);
    // A refused write is the server's 400, nothing written.
    let bad = GroupBody {
        kind: Some("Incident".into()),
        ..GroupBody::default()
    };
    match v3.create_group(&bad, &[]).await {
        Err(Error::Api {
            status: 400,
            message,
        }) => assert!(message.contains("name"), "{message}"),
        other => panic!("a group without a name: {other:?}"),
    }
    let mut all = v3.groups();
    all.filter().tql(r#"summary STARTSWITH "written""#);
    assert!(all.all().await.unwrap().is_empty());
    v3.delete_group(made.id).await.unwrap();
    match v3.group(made.id, &[]).await {
        Err(Error::Api { status: 404, .. }) => {}
        other => panic!("deleted: {other:?}"),
    }
}
