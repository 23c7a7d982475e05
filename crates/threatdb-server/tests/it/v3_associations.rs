//! Associations through v3: `associatedGroups` and `associatedIndicators` in a group's POST and
//! PUT (each mode, all or nothing), `associatedGroups` in an indicator's, and both read back
//! with `fields=`, the same links v2 lists; another owner's objects cannot be linked.

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(
    tql_finds_groups_by_their_associations,
    a_group_written_with_its_associations,
    an_indicator_written_with_its_groups,
    another_owners_objects_cannot_be_linked
);

const ASSOC: &str = "fields=associatedGroups&fields=associatedIndicators";

async fn post(app: &TestApp, who: &Creds, target: &str, body: Value) -> Reply {
    app.call(who, "POST", target, Some(&body.to_string())).await
}

fn ids(list: &Value) -> Vec<i64> {
    let mut v: Vec<i64> = list["data"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

async fn indicator(app: &TestApp, host: &str) -> i64 {
    let r = post(
        app,
        &app.writer,
        "/v3/indicators",
        json!({"type": "Host", "hostName": host}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["data"]["id"].as_i64().unwrap()
}

async fn a_group_written_with_its_associations(app: TestApp) {
    let h1 = indicator(&app, "one.example").await;
    let h2 = indicator(&app, "two.example").await;
    let other = app
        .create_incident(&app.writer, ORG, "other incident")
        .await;
    let adversary = post(
        &app,
        &app.writer,
        "/v2/groups/adversaries",
        json!({"name": "Fancy"}),
    )
    .await;
    let adversary = adversary.json["data"]["adversary"]["id"].as_i64().unwrap();

    let r = post(
        &app,
        &app.writer,
        &format!("/v3/groups?{ASSOC}"),
        json!({"type": "Incident", "name": "linked",
               "associatedGroups": {"data": [{"id": other}, {"id": adversary}]},
               "associatedIndicators": {"data": [{"id": h1}, {"type": "Host", "hostName": "TWO.example"}]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["id"].as_i64().unwrap();
    assert_eq!(ids(&r.json["data"]["associatedGroups"]), {
        let mut v = vec![other, adversary];
        v.sort();
        v
    });
    assert_eq!(ids(&r.json["data"]["associatedIndicators"]), vec![h1, h2]);
    let types: Vec<&str> = r.json["data"]["associatedGroups"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["type"].as_str())
        .collect();
    assert!(
        types.contains(&"Adversary") && types.contains(&"Incident"),
        "{types:?}"
    );
    // The same links through v2.
    let v2 = app
        .get(
            &app.reader,
            &format!("/v2/groups/incidents/{id}/indicators"),
        )
        .await;
    assert!(v2.json.to_string().contains("two.example"), "{}", v2.json);
    // And from the indicator's side through v3.
    let back = app
        .get(
            &app.reader,
            &format!("/v3/indicators/{h1}?fields=associatedGroups"),
        )
        .await;
    assert_eq!(ids(&back.json["data"]["associatedGroups"]), vec![id]);

    let put = |body: Value| {
        let app = &app;
        async move {
            app.call(
                &app.writer,
                "PUT",
                &format!("/v3/groups/{id}?{ASSOC}"),
                Some(&body.to_string()),
            )
            .await
        }
    };
    let r = put(json!({"associatedIndicators": {"data": [{"id": h1}], "mode": "delete"}})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(ids(&r.json["data"]["associatedIndicators"]), vec![h2]);
    let r =
        put(json!({"associatedGroups": {"data": [{"id": adversary}], "mode": "replace"}})).await;
    assert_eq!(ids(&r.json["data"]["associatedGroups"]), vec![adversary]);
    // All or nothing: a missing indicator after a good tag leaves both as they were.
    let r = put(json!({"tags": {"data": [{"name": "never"}]},
                       "associatedIndicators": {"data": [{"type": "Host", "hostName": "absent.example"}]}}))
    .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert!(r.message().contains("absent.example"), "{}", r.json);
    let r = app
        .get(&app.reader, &format!("/v3/groups/{id}?fields=tags&{ASSOC}"))
        .await;
    assert_eq!(r.json["data"]["tags"]["data"], json!([]));
    assert_eq!(ids(&r.json["data"]["associatedIndicators"]), vec![h2]);
    let r = put(json!({"associatedGroups": {"data": [{"id": 999_999_999}]}})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    let r = put(json!({"associatedGroups": {"data": [{"name": "by name"}]}})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    // A page whose rows are each read on their own is bounded.
    for target in [
        format!("/v3/groups?{ASSOC}&resultLimit=101"),
        "/v3/indicators?fields=associatedGroups&resultLimit=101".to_string(),
        format!(
            "/v3/groups?fields=tags&resultLimit=101&tql={}",
            tql("typeName = \"Adversary\"")
        ),
    ] {
        let r = app.get(&app.reader, &target).await;
        assert_eq!(r.status, 400, "{target}: {}", r.json);
        assert!(r.message().contains("at most 100"), "{}", r.json);
    }
    assert_eq!(
        app.get(&app.reader, &format!("/v3/groups?{ASSOC}&resultLimit=100"))
            .await
            .status,
        200
    );
    // Lists carry them too.
    let r = app
        .get(
            &app.reader,
            &format!("/v3/groups?{ASSOC}&tql=id%20%3D%20{id}"),
        )
        .await;
    assert_eq!(ids(&r.json["data"][0]["associatedIndicators"]), vec![h2]);
}

async fn an_indicator_written_with_its_groups(app: TestApp) {
    let a = app.create_incident(&app.writer, ORG, "a").await;
    let b = app.create_incident(&app.writer, ORG, "b").await;
    let r = post(
        &app,
        &app.writer,
        "/v3/indicators?fields=associatedGroups",
        json!({"type": "Address", "ip": "203.0.113.9",
               "associatedGroups": {"data": [{"id": a}, {"id": b}]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["id"].as_i64().unwrap();
    assert_eq!(ids(&r.json["data"]["associatedGroups"]), vec![a, b]);
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/indicators/{id}?fields=associatedGroups&fields=associatedIndicators"),
            Some(&json!({"associatedGroups": {"data": [{"id": a}], "mode": "delete"}}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(ids(&r.json["data"]["associatedGroups"]), vec![b]);
    assert_eq!(r.json["data"]["associatedIndicators"]["data"], json!([]));
    let v2 = app
        .get(&app.reader, &format!("/v2/groups/incidents/{b}/indicators"))
        .await;
    assert!(v2.json.to_string().contains("203.0.113.9"), "{}", v2.json);
    for body in [
        json!({"associatedGroups": {"data": [{"id": a}], "mode": "replace"}}),
        json!({"associatedIndicators": {"data": [{"id": id}]}}),
    ] {
        let r = app
            .call(
                &app.writer,
                "PUT",
                &format!("/v3/indicators/{id}"),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.json);
    }
}

async fn another_owners_objects_cannot_be_linked(app: TestApp) {
    let theirs = post(
        &app,
        &app.outsider,
        "/v3/groups",
        json!({"type": "Incident", "name": "theirs"}),
    )
    .await;
    let theirs = theirs.json["data"]["id"].as_i64().unwrap();
    let their_host = post(
        &app,
        &app.outsider,
        "/v3/indicators",
        json!({"type": "Host", "hostName": "theirs.example"}),
    )
    .await;
    let their_host = their_host.json["data"]["id"].as_i64().unwrap();
    let mine = app.create_incident(&app.writer, ORG, "mine").await;
    for body in [
        json!({"associatedGroups": {"data": [{"id": theirs}]}}),
        json!({"associatedIndicators": {"data": [{"id": their_host}]}}),
        json!({"associatedIndicators": {"data": [{"type": "Host", "hostName": "theirs.example"}]}}),
    ] {
        let r = app
            .call(
                &app.writer,
                "PUT",
                &format!("/v3/groups/{mine}"),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.json);
        // Nothing of theirs is shown (the host name in the third body is the caller's own).
        assert!(!r.json.to_string().contains("theirs\""), "{}", r.json);
    }
    // Nor can they link their indicator to this owner's incident.
    let r = app
        .call(
            &app.outsider,
            "PUT",
            &format!("/v3/indicators/{their_host}"),
            Some(&json!({"associatedGroups": {"data": [{"id": mine}]}}).to_string()),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    let r = app
        .get(&app.reader, &format!("/v3/groups/{mine}?{ASSOC}"))
        .await;
    assert_eq!(r.json["data"]["associatedGroups"]["data"], json!([]));
    assert_eq!(r.json["data"]["associatedIndicators"]["data"], json!([]));
}

async fn tql_finds_groups_by_their_associations(app: TestApp) {
    let h = indicator(&app, "found.example").await;
    let adversary = post(
        &app,
        &app.writer,
        "/v3/groups",
        json!({"type": "Adversary", "name": "Linked adversary"}),
    )
    .await;
    let adversary = adversary.json["data"]["id"].as_i64().unwrap();
    let other = app.create_incident(&app.writer, ORG, "other").await;
    let r = post(
        &app,
        &app.writer,
        "/v3/groups",
        json!({"type": "Incident", "name": "by association",
               "associatedIndicators": {"data": [{"id": h}]},
               "associatedGroups": {"data": [{"id": adversary}, {"id": other}]}}),
    )
    .await;
    let id = r.json["data"]["id"].as_i64().unwrap();
    // `other` is linked both ways, so it lists `id` too.
    for (query, want) in [
        (
            "hasIndicator(summary = \"FOUND.example\")".to_string(),
            vec![id],
        ),
        (format!("hasGroup(id = {adversary})"), vec![id]),
        (format!("hasGroup(id IN ({adversary}, {other}))"), vec![id]),
        (format!("hasGroup(id = {id})"), vec![other]),
        (
            "hasIndicator(summary = \"absent.example\")".to_string(),
            vec![],
        ),
        ("hasGroup(id = 999999999)".to_string(), vec![]),
        (
            "hasIndicator(summary = \"found.example\") AND summary = \"nope\"".to_string(),
            vec![],
        ),
    ] {
        let r = app
            .get(
                &app.reader,
                &format!("/v3/groups?count=true&tql={}", tql(&query)),
            )
            .await;
        assert_eq!(r.status, 200, "{query}: {}", r.json);
        assert_eq!(ids(&r.json), want, "{query}");
        assert_eq!(r.json["count"], want.len(), "{query}");
    }
    // Another owner's indicator of the same value finds nothing of theirs or ours.
    let r = app
        .get(
            &app.outsider,
            &format!(
                "/v3/groups?count=true&tql={}",
                tql("hasIndicator(summary = \"found.example\")")
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["count"], 0, "{}", r.json);
    let r = app
        .get(
            &app.outsider,
            &format!(
                "/v3/groups?count=true&tql={}",
                tql(&format!("hasGroup(id = {adversary})"))
            ),
        )
        .await;
    assert_eq!(r.json["count"], 0, "{}", r.json);
}
