//! The v3 groups API (tc-v3-wire.md) as tcex's v3 client sends it: create with nested
//! collections, read both ways (v2 and v3 are one store), PUT modes, TQL lists followed through
//! their `next` links, errors in the v3 envelope, and another owner's groups invisible.

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(
    create_with_nested_collections_reads_the_same_through_v2,
    a_create_with_a_bad_nested_item_stores_nothing,
    put_modes_append_delete_and_replace,
    tql_lists_page_through_next_links,
    bad_requests_are_400_in_the_v3_envelope,
    another_owners_group_is_invisible,
    options_describe_fields_and_tql,
    other_group_types_read_by_id,
    has_attribute_lists_by_attribute_type_and_value
);

const ALL_FIELDS: &str = "fields=tags&fields=securityLabels&fields=attributes";

async fn create(app: &TestApp, who: &Creds, body: Value) -> Reply {
    app.call(
        who,
        "POST",
        &format!("/v3/groups?{ALL_FIELDS}"),
        Some(&body.to_string()),
    )
    .await
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| t["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn create_with_nested_collections_reads_the_same_through_v2(app: TestApp) {
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "Phish wave 12", "eventDate": "2017-03-21T00:00:00+00:00",
               "status": "Open", "xid": "v3-wave-12",
               "tags": {"data": [{"name": "Phishing"}, {"name": "Wave 12"}], "mode": "append"},
               "securityLabels": {"data": [{"name": "TLP:GREEN"}]},
               "attributes": {"data": [{"type": "Description", "value": "A wave", "default": true}]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["status"], "Success");
    assert_eq!(r.json["message"], "Created");
    let g = &r.json["data"];
    let id = g["id"].as_i64().expect("id");
    assert_eq!(g["type"], "Incident");
    assert_eq!(g["ownerName"], ORG);
    assert_eq!(g["eventDate"], "2017-03-21T00:00:00Z");
    assert_eq!(g["status"], "Open");
    assert_eq!(g["xid"], "v3-wave-12");
    assert_eq!(names(&g["tags"]), vec!["Phishing", "Wave 12"]);
    assert_eq!(names(&g["securityLabels"]), vec!["TLP:GREEN"]);
    assert_eq!(g["attributes"]["data"][0]["value"], "A wave");
    assert_eq!(g["attributes"]["data"][0]["default"], true);
    assert!(g["tags"]["data"][0]["id"].as_i64().is_some());

    // The same row through v2.
    let v2 = app
        .get(
            &app.reader,
            &format!("/v2/groups/incidents/{id}?includes=additional,tags,labels,attributes"),
        )
        .await;
    v2.assert_success(200);
    let i = &v2.json["data"]["incident"];
    assert_eq!(i["name"], "Phish wave 12");
    assert_eq!(i["eventDate"], "2017-03-21T00:00:00Z");
    assert_eq!(i["status"], "Open");

    // v3 reads it back by id and by xid, nested collections only when asked for.
    let plain = app.get(&app.reader, &format!("/v3/groups/{id}")).await;
    assert_eq!(plain.status, 200, "{}", plain.json);
    assert!(plain.json["data"].get("tags").is_none());
    let by_xid = app
        .get(&app.reader, &format!("/v3/groups/v3-wave-12?{ALL_FIELDS}"))
        .await;
    assert_eq!(by_xid.json["data"], *g, "by xid, every field as created");

    // An incident created through v2 reads through v3 with the same fields.
    let other = app
        .create_incident(&app.writer, ORG, "made through v2")
        .await;
    let r = app.get(&app.reader, &format!("/v3/groups/{other}")).await;
    assert_eq!(r.json["data"]["name"], "made through v2");
    assert_eq!(r.json["data"]["id"], other);

    // Delete through v3: gone from both.
    let d = app
        .call(&app.writer, "DELETE", &format!("/v3/groups/{id}"), None)
        .await;
    assert_eq!(d.status, 200, "{}", d.json);
    assert_eq!(d.json, json!({"message": "Deleted", "status": "Success"}));
    assert_eq!(
        app.get(&app.reader, &format!("/v3/groups/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&app.reader, &format!("/v2/groups/incidents/{id}"))
            .await
            .status,
        404
    );
}

async fn count_named(app: &TestApp, name: &str) -> u64 {
    let r = app
        .get(
            &app.admin,
            &format!(
                "/v3/groups?count=true&tql={}",
                tql(&format!("summary = \"{name}\""))
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json["count"].as_u64().expect("count")
}

async fn a_create_with_a_bad_nested_item_stores_nothing(app: TestApp) {
    for (body, needle) in [
        (
            json!({"type": "Incident", "name": "atomic one", "tags": {"data": [{"name": "ok"}]},
                   "securityLabels": {"data": [{"name": "TLP:NOPE"}]}}),
            "TLP:NOPE",
        ),
        (
            json!({"type": "Incident", "name": "atomic one", "tags": {"data": [{"name": "ok"}]},
                   "attributes": {"data": [{"type": "No Such Type", "value": "x"}]}}),
            "No Such Type",
        ),
        (
            json!({"type": "Incident", "name": "atomic one", "status": "Sleeping"}),
            "Sleeping",
        ),
    ] {
        let r = create(&app, &app.writer, body).await;
        assert_eq!(r.status, 400, "{}", r.json);
        assert_eq!(r.json["status"], "Error");
        assert!(
            r.json["message"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{}",
            r.json
        );
    }
    assert_eq!(count_named(&app, "atomic one").await, 0);
    // A label that only the store can refuse (it names no known label after alias look-up)
    // fails after the incident row was written: the transaction takes it back.
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "atomic one",
               "securityLabels": {"data": [{"name": "TLP:GREEN"}, {"name": "Not A Label"}]}}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert_eq!(count_named(&app, "atomic one").await, 0);
    // The duplicate xid of a create is a 400 too.
    let ok = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "x1", "xid": "dup-xid"}),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.json);
    let dup = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "x2", "xid": "dup-xid"}),
    )
    .await;
    assert_eq!(dup.status, 400, "{}", dup.json);
}

async fn put(app: &TestApp, id: i64, body: Value) -> Reply {
    app.call(
        &app.writer,
        "PUT",
        &format!("/v3/groups/{id}?{ALL_FIELDS}"),
        Some(&body.to_string()),
    )
    .await
}

async fn put_modes_append_delete_and_replace(app: TestApp) {
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "modes", "tags": {"data": [{"name": "a"}, {"name": "b"}]},
               "attributes": {"data": [{"type": "Description", "value": "d1"}]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["id"].as_i64().unwrap();
    let attr = r.json["data"]["attributes"]["data"][0]["id"]
        .as_i64()
        .unwrap();

    let r = put(
        &app,
        id,
        json!({"tags": {"data": [{"name": "c"}], "mode": "append"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["message"], "Updated");
    assert_eq!(names(&r.json["data"]["tags"]), vec!["a", "b", "c"]);
    let r = put(
        &app,
        id,
        json!({"tags": {"data": [{"name": "A"}, {"name": "never there"}], "mode": "delete"}}),
    )
    .await;
    assert_eq!(names(&r.json["data"]["tags"]), vec!["b", "c"]);
    let r = put(
        &app,
        id,
        json!({"tags": {"data": [{"name": "c"}, {"name": "d"}], "mode": "REPLACE"}}),
    )
    .await;
    assert_eq!(names(&r.json["data"]["tags"]), vec!["c", "d"]);

    // What tcex resends after a read: the attribute with its id is updated in place, the new
    // one is added, the scalars change.
    let r = put(
        &app,
        id,
        json!({"type": "Incident", "name": "modes, renamed", "status": "Closed",
               "attributes": {"data": [{"id": attr, "value": "d2", "default": true},
                                       {"type": "Source", "value": "s"}], "mode": "append"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["name"], "modes, renamed");
    assert_eq!(r.json["data"]["status"], "Closed");
    let attrs = r.json["data"]["attributes"]["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(attrs.len(), 2, "{attrs:?}");
    assert!(attrs.iter().any(|a| a["id"] == attr && a["value"] == "d2"));
    // Replace keeps the one named by id and drops the other.
    let r = put(
        &app,
        id,
        json!({"attributes": {"data": [{"id": attr}], "mode": "replace"}}),
    )
    .await;
    let attrs = r.json["data"]["attributes"]["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(attrs.len(), 1, "{attrs:?}");
    assert_eq!(attrs[0]["id"], attr);
    let r = put(
        &app,
        id,
        json!({"securityLabels": {"data": [{"name": "TLP:RED"}], "mode": "replace"}}),
    )
    .await;
    assert_eq!(names(&r.json["data"]["securityLabels"]), vec!["TLP:RED"]);
    let r = put(
        &app,
        id,
        json!({"securityLabels": {"data": [{"name": "TLP:AMBER"}], "mode": "replace"}}),
    )
    .await;
    assert_eq!(names(&r.json["data"]["securityLabels"]), vec!["TLP:AMBER"]);

    // A failing PUT changes nothing: the tag of the same request is not added.
    for (body, needle) in [
        (
            json!({"tags": {"data": [{"name": "e"}], "mode": "sideways"}}),
            "sideways",
        ),
        (
            json!({"tags": {"data": [{"name": "e"}]}, "attributes": {"data": [{"id": 999999999, "value": "x"}]}}),
            "999999999",
        ),
        (json!({"type": "Adversary"}), "Adversary"),
        (json!({"eventDate": null}), "eventDate"),
        (
            json!({"attributes": {"data": [{"type": "Description", "value": "v"}], "mode": "delete"}}),
            "id",
        ),
    ] {
        let r = put(&app, id, body).await;
        assert_eq!(r.status, 400, "{}", r.json);
        assert!(
            r.json["message"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{}",
            r.json
        );
    }
    let r = app
        .get(&app.reader, &format!("/v3/groups/{id}?{ALL_FIELDS}"))
        .await;
    assert_eq!(names(&r.json["data"]["tags"]), vec!["c", "d"]);
    // The reader may not write.
    let r = app
        .call(
            &app.reader,
            "PUT",
            &format!("/v3/groups/{id}"),
            Some(r#"{"name": "no"}"#),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
}

async fn tql_lists_page_through_next_links(app: TestApp) {
    let mut made = Vec::new();
    for n in 0..5 {
        let r = create(
            &app,
            &app.writer,
            json!({"type": "Incident", "name": format!("Paged v3 {n}"),
            "tags": {"data": [{"name": if n % 2 == 0 { "even" } else { "odd" }}]}}),
        )
        .await;
        made.push(r.json["data"]["id"].as_i64().unwrap());
    }
    let query = tql("summary STARTSWITH \"paged v3\" AND typeName = \"Incident\"");
    let mut target = format!("/v3/groups?tql={query}&resultLimit=2&count=true&fields=tags");
    let mut seen = Vec::new();
    let mut first = true;
    loop {
        let r = app.get(&app.reader, &target).await;
        assert_eq!(r.status, 200, "{target}: {}", r.json);
        if first {
            assert_eq!(r.json["count"], 5);
            first = false;
        } else {
            assert!(
                r.json.get("count").is_none(),
                "count only on the first page"
            );
        }
        for g in r.json["data"].as_array().unwrap() {
            assert!(g["tags"]["data"].is_array());
            seen.push(g["id"].as_i64().unwrap());
        }
        match r.json["next"].as_str() {
            // The public URL is plain http: the link is relative to the API root.
            Some(next) => {
                assert!(next.starts_with("/v3/groups?"), "{next}");
                target = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(seen, made, "every row once, in id order");

    // Written to between pages: the first page's rows are deleted and a row is added; the next
    // link still gives every row that existed and was not deleted, once.
    let first = app
        .get(
            &app.reader,
            &format!("/v3/groups?tql={query}&resultLimit=2"),
        )
        .await;
    let next = first.json["next"].as_str().unwrap().to_string();
    assert!(next.contains("afterId="), "{next}");
    for id in &made[..2] {
        let d = app
            .call(&app.writer, "DELETE", &format!("/v3/groups/{id}"), None)
            .await;
        assert_eq!(d.status, 200, "{}", d.json);
    }
    let late = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "Paged v3 late"}),
    )
    .await;
    let late = late.json["data"]["id"].as_i64().unwrap();
    let mut rest = Vec::new();
    let mut target = next;
    loop {
        let r = app.get(&app.reader, &target).await;
        assert_eq!(r.status, 200, "{target}: {}", r.json);
        rest.extend(
            r.json["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_i64().unwrap()),
        );
        match r.json["next"].as_str() {
            Some(n) => target = n.to_string(),
            None => break,
        }
    }
    assert_eq!(
        rest,
        vec![made[2], made[3], made[4], late],
        "no row skipped by the deletes"
    );
    let r = app
        .get(&app.reader, "/v3/groups?afterId=1&sorting=name")
        .await;
    assert_eq!(r.status, 400, "{}", r.json);

    let r = app
        .get(
            &app.reader,
            &format!(
                "/v3/groups?tql={}&sorting=id+desc",
                tql("hasTag(summary = \"even\") AND summary STARTSWITH \"Paged v3\"")
            ),
        )
        .await;
    let ids: Vec<i64> = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![made[4], made[2]], "made[0] was deleted above");
}

async fn bad_requests_are_400_in_the_v3_envelope(app: TestApp) {
    for (target, needle) in [
        (format!("/v3/groups?tql={}", tql("summary EQ")), "column"),
        (
            format!("/v3/groups?tql={}", tql("nosuchkeyword = 1")),
            "nosuchkeyword",
        ),
        ("/v3/groups?fields=bogus".to_string(), "bogus"),
        ("/v3/groups?resultLimit=10001".to_string(), "10000"),
        ("/v3/groups?sorting=owner".to_string(), "owner"),
    ] {
        let r = app.get(&app.reader, &target).await;
        assert_eq!(r.status, 400, "{target}: {}", r.json);
        assert_eq!(r.json["status"], "Error", "{target}");
        assert!(
            r.json["message"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{target}: {}",
            r.json
        );
    }
    let long = "summary = \"x\" OR ".repeat(400) + "summary = \"y\"";
    let r = app
        .get(&app.reader, &format!("/v3/groups?tql={}", tql(&long)))
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    let deep = "(".repeat(100) + "summary = \"x\"" + &")".repeat(100);
    let r = app
        .get(&app.reader, &format!("/v3/groups?tql={}", tql(&deep)))
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    // A flood of nested items is refused before anything is written.
    let many: Vec<Value> = (0..501).map(|n| json!({"name": format!("t{n}")})).collect();
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "flood", "tags": {"data": many}}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert!(
        r.json["message"]
            .as_str()
            .unwrap_or_default()
            .contains("at most 500")
    );
    assert_eq!(count_named(&app, "flood").await, 0);
    let r = create(&app, &app.writer, json!({"name": "no type"})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    let r = app
        .call(&app.writer, "POST", "/v3/groups", Some("{not json"))
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert_eq!(r.json["status"], "Error");
    assert_eq!(
        app.get(&app.reader, "/v3/groups/no-such-xid").await.status,
        404
    );
}

async fn another_owners_group_is_invisible(app: TestApp) {
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Incident", "name": "Secret v3", "xid": "secret-v3"}),
    )
    .await;
    let id = r.json["data"]["id"].as_i64().unwrap();
    for (method, target, body) in [
        ("GET", format!("/v3/groups/{id}"), None),
        ("GET", "/v3/groups/secret-v3".to_string(), None),
        (
            "PUT",
            format!("/v3/groups/{id}"),
            Some(r#"{"name": "pwned"}"#),
        ),
        ("DELETE", format!("/v3/groups/{id}"), None),
    ] {
        let r = app.call(&app.outsider, method, &target, body).await;
        assert_eq!(r.status, 404, "outsider {method} {target}: {}", r.json);
        assert!(!r.json.to_string().contains("Secret"), "{}", r.json);
    }
    for query in [
        format!("id = {id}"),
        "summary = \"Secret v3\"".to_string(),
        "xid = \"secret-v3\"".to_string(),
    ] {
        let r = app
            .get(
                &app.outsider,
                &format!("/v3/groups?count=true&tql={}", tql(&query)),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["count"], 0, "{query}: {}", r.json);
        assert_eq!(r.json["data"], json!([]));
    }
    let r = app
        .get(&app.outsider, &format!("/v3/groups?owner={}", tql(ORG)))
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    let r = app
        .call(
            &app.outsider,
            "POST",
            "/v3/groups",
            Some(&json!({"type": "Incident", "name": "in", "ownerName": ORG}).to_string()),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    assert_eq!(
        app.get(&app.reader, &format!("/v3/groups/{id}")).await.json["data"]["name"],
        "Secret v3"
    );
}

async fn options_describe_fields_and_tql(app: TestApp) {
    let r = app
        .call(&app.reader, "OPTIONS", "/v3/groups/tql", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let keywords: Vec<&str> = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["keyword"].as_str())
        .collect();
    for k in ["id", "summary", "hasTag", "eventDate", "status"] {
        assert!(keywords.contains(&k), "{k} in {keywords:?}");
    }
    let r = app
        .call(&app.reader, "OPTIONS", "/v3/groups/fields", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(
        r.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "tags")
    );
    let r = app.call(&app.reader, "OPTIONS", "/v3/groups", None).await;
    assert_eq!(r.json["status"].as_str(), None, "a bare object");
    assert_eq!(r.json["name"]["required"], true);
    let r = app.raw("OPTIONS", "/v3/groups/tql", None, &[]).await;
    assert_eq!(r.status, 401);
}

async fn other_group_types_read_by_id(app: TestApp) {
    let incident = app
        .create_incident(&app.writer, ORG, "an incident first")
        .await;
    let r = app
        .call(
            &app.writer,
            "POST",
            "/v2/groups/events",
            Some(r#"{"name": "Login storm", "eventDate": "2024-01-02T03:04:05Z"}"#),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let event = r.json["data"]["event"]["id"].as_i64().unwrap();
    assert!(event > incident, "one id space: {event} after {incident}");
    let r = app.get(&app.reader, &format!("/v3/groups/{event}")).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["type"], "Event");
    assert_eq!(r.json["data"]["name"], "Login storm");
    assert_eq!(r.json["data"]["id"], event);
    let r = app
        .get(&app.reader, &format!("/v3/groups/{event}?fields=tags"))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["tags"]["data"], json!([]));
    assert_eq!(
        app.get(&app.outsider, &format!("/v3/groups/{event}"))
            .await
            .status,
        404
    );
    let r = app
        .call(
            &app.writer,
            "POST",
            "/v2/victims",
            Some(r#"{"name": "Finance"}"#),
        )
        .await;
    let victim = r.json["data"]["victim"]["id"].as_i64().unwrap();
    let r = app.get(&app.reader, &format!("/v3/groups/{victim}")).await;
    assert_eq!(r.status, 404, "a victim is not a group: {}", r.json);
}

/// `hasAttribute(...)`: by type (any case, or its id), by value (`=` regardless of ASCII case,
/// `CONTAINS`), both on the same attribute, ORed, with a tag; counted; another owner's incident
/// with the same attribute is not found; an unknown type is a 400 naming it.
async fn has_attribute_lists_by_attribute_type_and_value(app: TestApp) {
    let attrs = |list: Value| json!({"data": list});
    for (name, attributes, tag) in [
        (
            "Attr A",
            json!([{"type": "Source", "value": "OSINT Feed"},
                   {"type": "Description", "value": "A phishing WAVE"}]),
            "Phishing",
        ),
        (
            "Attr B",
            json!([{"type": "Source", "value": "internal"}]),
            "Other",
        ),
        (
            "Attr C",
            json!([{"type": "Title", "value": "OSINT Feed"}]),
            "Phishing",
        ),
        ("Attr D", json!([]), "Phishing"),
    ] {
        let r = create(
            &app,
            &app.writer,
            json!({"type": "Incident", "name": name, "attributes": attrs(attributes),
                   "tags": {"data": [{"name": tag}]}}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    // The outsider's own incident, with A's Source.
    let r = create(
        &app,
        &app.outsider,
        json!({"type": "Incident", "name": "Attr Outside",
               "attributes": attrs(json!([{"type": "Source", "value": "OSINT Feed"}]))}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    for (query, want) in [
        (
            "hasAttribute(typeName = \"Source\")",
            vec!["Attr A", "Attr B"],
        ),
        (
            "hasAttribute(typeName = \"source\")",
            vec!["Attr A", "Attr B"],
        ),
        ("hasAttribute(type = 2)", vec!["Attr A", "Attr B"]),
        (
            "hasAttribute(typeName = \"Source\" AND text = \"osint feed\")",
            vec!["Attr A"],
        ),
        (
            "hasAttribute(text = \"OSINT Feed\")",
            vec!["Attr A", "Attr C"],
        ),
        ("hasAttribute(text CONTAINS \"wave\")", vec!["Attr A"]),
        (
            "hasAttribute(typeName = \"Description\" AND text CONTAINS \"osint\")",
            vec![],
        ),
        (
            "hasAttribute(typeName IN (\"Title\", \"Description\"))",
            vec!["Attr A", "Attr C"],
        ),
        (
            "hasAttribute(typeName = \"Title\" OR text = \"internal\")",
            vec!["Attr B", "Attr C"],
        ),
        (
            "hasAttribute(text = \"OSINT Feed\") AND hasTag(name = \"Phishing\")",
            vec!["Attr A", "Attr C"],
        ),
        (
            "hasAttribute(typeName = \"Source\") AND tag = \"Phishing\"",
            vec!["Attr A"],
        ),
        (
            "summary STARTSWITH \"Attr\" AND hasAttribute(typeName = \"Source\") OR summary = \"Attr D\"",
            vec!["Attr A", "Attr B", "Attr D"],
        ),
    ] {
        let (got, count) = app.v3_listed(&app.reader, "groups", query, "name").await;
        assert_eq!(got, want, "{query}");
        assert_eq!(count, want.len() as u64, "{query}");
    }
    // The outsider finds its own, and only its own.
    let (got, count) = app
        .v3_listed(
            &app.outsider,
            "groups",
            "hasAttribute(typeName = \"Source\" AND text = \"OSINT Feed\")",
            "name",
        )
        .await;
    assert_eq!((got, count), (vec!["Attr Outside".to_string()], 1));
    for (query, says) in [
        (
            "hasAttribute(typeName = \"Colour\")",
            "no attribute type Colour at column 14",
        ),
        (
            "hasAttribute(source = \"x\")",
            "source = inside hasAttribute(...) at column 14",
        ),
    ] {
        app.v3_refused("groups", query, says).await;
    }
}
