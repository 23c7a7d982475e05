//! The v3 indicators API as tcex's v3 client sends it: create with nested collections (all or
//! nothing), read by id and by value, v2 and v3 as two views of one row, PUT modes, TQL lists
//! followed through `next` links while being written to, errors in the v3 envelope, and another
//! owner's indicators invisible through every route and TQL form.

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(
    create_with_nested_collections_reads_the_same_through_v2,
    a_bad_create_stores_nothing,
    put_modes_and_delete,
    tql_lists_page_through_next_links,
    bad_requests_are_400_in_the_v3_envelope,
    another_owners_indicator_is_invisible,
    options_describe_indicators,
    explain_answers_the_plan,
    has_attribute_lists_by_attribute_type_and_value,
    rating_and_confidence_are_kept,
    tql_selects_by_rating_and_confidence
);

const ALL_FIELDS: &str = "fields=tags&fields=securityLabels&fields=attributes";

async fn create(app: &TestApp, who: &Creds, body: Value) -> Reply {
    app.call(
        who,
        "POST",
        &format!("/v3/indicators?{ALL_FIELDS}"),
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

fn ids(list: &Value) -> Vec<i64> {
    list["data"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

async fn create_with_nested_collections_reads_the_same_through_v2(app: TestApp) {
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Host", "hostName": "Evil.Example.", "ownerName": ORG,
               "tags": {"data": [{"name": "C2"}, {"name": "APT29"}]},
               "securityLabels": {"data": [{"name": "TLP:AMBER"}]},
               "attributes": {"data": [{"type": "Description", "value": "beacons home", "default": true}]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["message"], "Created");
    let d = &r.json["data"];
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["type"], "Host");
    assert_eq!(d["hostName"], "evil.example", "normalised as v2 does");
    assert_eq!(d["summary"], "evil.example");
    assert_eq!(d["ownerName"], ORG);
    assert_eq!(names(&d["tags"]), vec!["APT29", "C2"]);
    assert_eq!(names(&d["securityLabels"]), vec!["TLP:AMBER"]);
    assert_eq!(d["attributes"]["data"][0]["value"], "beacons home");

    // The same row through v2, with what v3 wrote on it.
    let v2 = app
        .get(&app.reader, "/v2/indicators/hosts/evil.example/tags")
        .await;
    assert_eq!(v2.status, 200, "{}", v2.json);
    assert!(v2.json.to_string().contains("APT29"), "{}", v2.json);
    // And the other way: an indicator created through v2 reads through v3, by id and by value.
    let r = app
        .call(
            &app.writer,
            "POST",
            "/v2/indicators/addresses",
            Some(r#"{"ip": "10.9.8.7"}"#),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let by_value = app.get(&app.reader, "/v3/indicators/10.9.8.7").await;
    assert_eq!(by_value.status, 200, "{}", by_value.json);
    assert_eq!(by_value.json["data"]["ip"], "10.9.8.7");
    assert_eq!(by_value.json["data"]["type"], "Address");
    let address = by_value.json["data"]["id"].as_i64().unwrap();
    let by_id = app
        .get(
            &app.reader,
            &format!("/v3/indicators/{address}?{ALL_FIELDS}"),
        )
        .await;
    assert_eq!(by_id.json["data"]["summary"], "10.9.8.7");
    assert_eq!(by_id.json["data"]["tags"]["data"], json!([]));
    let host = app
        .get(&app.reader, &format!("/v3/indicators/{id}?fields=tags"))
        .await;
    assert_eq!(names(&host.json["data"]["tags"]), vec!["APT29", "C2"]);
    assert!(host.json["data"].get("attributes").is_none());

    // Each stored type with its own value field; tcex's genericCustomIndicatorValues is taken.
    for (body, field, value) in [
        (
            json!({"type": "File", "md5": "D41D8CD98F00B204E9800998ECF8427E"}),
            "md5",
            "d41d8cd98f00b204e9800998ecf8427e",
        ),
        (
            json!({"type": "EmailAddress", "address": "Bad@Evil.Example"}),
            "address",
            "Bad@evil.example",
        ),
        (
            json!({"type": "URL", "text": "http://evil.example/A"}),
            "text",
            "http://evil.example/A",
        ),
    ] {
        let r = app
            .call(
                &app.writer,
                "POST",
                "/v3/indicators?fields=genericCustomIndicatorValues",
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, 201, "{body}: {}", r.json);
        assert_eq!(r.json["data"][field], value, "{}", r.json);
    }
    // A second create of the same value is the request's mistake.
    let again = create(
        &app,
        &app.writer,
        json!({"type": "Host", "hostName": "evil.example"}),
    )
    .await;
    assert_eq!(again.status, 400, "{}", again.json);
    assert_eq!(again.json["status"], "Error");
}

async fn count(app: &TestApp) -> i64 {
    app.get(&app.reader, "/v3/indicators?count=true").await.json["count"]
        .as_i64()
        .unwrap_or(-1)
}

async fn a_bad_create_stores_nothing(app: TestApp) {
    let before = count(&app).await;
    for body in [
        // A bad attribute after good tags: all or nothing.
        json!({"type": "Host", "hostName": "half.example",
               "tags": {"data": [{"name": "kept?"}]},
               "attributes": {"data": [{"type": "Description"}]}}),
        json!({"type": "Host", "hostName": "half.example",
               "securityLabels": {"data": [{"name": "No Such Label"}]}}),
        json!({"type": "Host", "hostName": "not a host"}),
        json!({"type": "Host"}),
        json!({"type": "ASN", "AS Number": "AS1"}),
        json!({"type": "File", "md5": "d41d8cd98f00b204e9800998ecf8427e", "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}),
        json!({"type": "Host", "hostName": "rated.example", "rating": 7}),
        json!({"type": "Host", "hostName": "rated.example", "confidence": 101}),
        json!({"hostName": "untyped.example"}),
    ] {
        let r = create(&app, &app.writer, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.json);
        assert_eq!(r.json["status"], "Error", "{body}");
    }
    assert_eq!(count(&app).await, before, "nothing was written");
    let tags = app.get(&app.reader, "/v2/tags?resultLimit=500").await;
    assert!(!tags.json.to_string().contains("kept?"), "{}", tags.json);
    // A reader cannot create.
    let r = create(
        &app,
        &app.reader,
        json!({"type": "Host", "hostName": "reader.example"}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.json);
}

async fn put(app: &TestApp, id: i64, body: Value) -> Reply {
    app.call(
        &app.writer,
        "PUT",
        &format!("/v3/indicators/{id}?{ALL_FIELDS}"),
        Some(&body.to_string()),
    )
    .await
}

async fn put_modes_and_delete(app: TestApp) {
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Address", "ip": "192.0.2.1", "tags": {"data": [{"name": "a"}, {"name": "b"}]},
               "attributes": {"data": [{"type": "Description", "value": "one"}]}}),
    )
    .await;
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
        json!({"tags": {"data": [{"name": "A"}, {"name": "gone"}], "mode": "delete"}}),
    )
    .await;
    assert_eq!(names(&r.json["data"]["tags"]), vec!["b", "c"]);
    let r = put(
        &app,
        id,
        json!({"tags": {"data": [{"name": "z"}], "mode": "replace"},
               "securityLabels": {"data": [{"name": "TLP:RED"}], "mode": "replace"},
               "attributes": {"data": [{"id": attr, "value": "two"}], "mode": "append"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(names(&r.json["data"]["tags"]), vec!["z"]);
    assert_eq!(names(&r.json["data"]["securityLabels"]), vec!["TLP:RED"]);
    assert_eq!(r.json["data"]["attributes"]["data"][0]["value"], "two");
    // A failing step leaves the earlier ones undone.
    let r = put(
        &app,
        id,
        json!({"tags": {"data": [{"name": "never"}], "mode": "append"},
               "attributes": {"data": [{"id": 999999999, "value": "x"}], "mode": "append"}}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.json);
    let r = app
        .get(&app.reader, &format!("/v3/indicators/{id}?fields=tags"))
        .await;
    assert_eq!(names(&r.json["data"]["tags"]), vec!["z"]);
    // A reader may not write, even with nothing nested.
    let r = app
        .call(
            &app.reader,
            "PUT",
            &format!("/v3/indicators/{id}"),
            Some("{}"),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    let r = app
        .call(&app.writer, "DELETE", &format!("/v3/indicators/{id}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["message"], "Deleted");
    assert_eq!(
        app.get(&app.reader, &format!("/v3/indicators/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&app.reader, "/v2/indicators/addresses/192.0.2.1")
            .await
            .status,
        404
    );
}

async fn tql_lists_page_through_next_links(app: TestApp) {
    let mut hosts = Vec::new();
    for n in 0..5 {
        let r = create(
            &app,
            &app.writer,
            json!({"type": "Host", "hostName": format!("page{n}.example"),
                   "tags": {"data": [{"name": if n % 2 == 0 { "Even" } else { "Odd" }}]}}),
        )
        .await;
        hosts.push(r.json["data"]["id"].as_i64().unwrap());
    }
    let address = create(
        &app,
        &app.writer,
        json!({"type": "Address", "ip": "198.51.100.7"}),
    )
    .await;
    let address = address.json["data"]["id"].as_i64().unwrap();

    let query = tql("typeName = \"Host\"");
    let mut target = format!("/v3/indicators?tql={query}&resultLimit=2&count=true");
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
                "count on the first page only"
            );
        }
        seen.extend(ids(&r.json));
        match r.json["next"].as_str() {
            Some(next) => {
                assert!(next.starts_with("/v3/indicators?"), "{next}");
                assert!(next.contains("afterId="), "{next}");
                target = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(seen, hosts, "every host once, in id order");

    // Written to between pages: nothing that existed is skipped or repeated.
    let first = app
        .get(
            &app.reader,
            &format!("/v3/indicators?tql={query}&resultLimit=2"),
        )
        .await;
    let mut target = first.json["next"].as_str().unwrap().to_string();
    for id in &hosts[..2] {
        let d = app
            .call(&app.writer, "DELETE", &format!("/v3/indicators/{id}"), None)
            .await;
        assert_eq!(d.status, 200, "{}", d.json);
    }
    let late = create(
        &app,
        &app.writer,
        json!({"type": "Host", "hostName": "late.example"}),
    )
    .await;
    let late = late.json["data"]["id"].as_i64().unwrap();
    let mut rest = Vec::new();
    loop {
        let r = app.get(&app.reader, &target).await;
        rest.extend(ids(&r.json));
        match r.json["next"].as_str() {
            Some(n) => target = n.to_string(),
            None => break,
        }
    }
    assert_eq!(rest, vec![hosts[2], hosts[3], hosts[4], late]);

    // Each served form.
    for (query, want) in [
        (
            "hasTag(name = \"even\")".to_string(),
            vec![hosts[2], hosts[4]],
        ),
        ("tag IN (\"Odd\")".to_string(), vec![hosts[3]]),
        ("summary = \"PAGE3.example\"".to_string(), vec![hosts[3]]),
        (
            "summary IN (\"198.51.100.7\", \"late.example\")".to_string(),
            vec![address, late],
        ),
        (
            format!("id >= {} AND id < {}", hosts[3], late),
            vec![hosts[3], hosts[4], address],
        ),
        (
            format!("id IN ({}, {address})", hosts[4]),
            vec![hosts[4], address],
        ),
        (
            "typeName IN (\"Address\", \"ASN\")".to_string(),
            vec![address],
        ),
        ("typeName = \"ASN\"".to_string(), vec![]),
        (
            "typeName = \"Address\" AND dateAdded > \"NOW() - 1 DAYS\"".to_string(),
            vec![address],
        ),
        ("lastModified < \"2001-01-01\"".to_string(), vec![]),
        (
            "typeName = \"Address\" AND lastModified >= \"2001-01-01\" AND lastModified <= \"NOW() + 1 DAYS\"".to_string(),
            vec![address],
        ),
        (
            "typeName != \"Host\" AND typeName != \"URL\"".to_string(),
            vec![address],
        ),
        (
            "hasTag(name = \"Even\") AND typeName = \"Address\"".to_string(),
            vec![],
        ),
    ] {
        let r = app
            .get(
                &app.reader,
                &format!("/v3/indicators?count=true&tql={}", tql(&query)),
            )
            .await;
        assert_eq!(r.status, 200, "{query}: {}", r.json);
        assert_eq!(ids(&r.json), want, "{query}");
        assert_eq!(r.json["count"], want.len(), "{query}");
    }
}

async fn bad_requests_are_400_in_the_v3_envelope(app: TestApp) {
    for (target, needle) in [
        (
            format!("/v3/indicators?tql={}", tql("summary CONTAINS \"x\"")),
            "not served",
        ),
        (
            format!("/v3/indicators?tql={}", tql("id = 1 OR id = 2")),
            "OR",
        ),
        (
            format!("/v3/indicators?tql={}", tql("eventDate > \"2020-01-01\"")),
            "eventDate",
        ),
        (
            format!("/v3/indicators?tql={}", tql("dateAdded != \"2020-01-01\"")),
            "dateAdded",
        ),
        (
            format!("/v3/indicators?tql={}", tql("summary EQ")),
            "column",
        ),
        ("/v3/indicators?fields=bogus".to_string(), "bogus"),
        ("/v3/indicators?sorting=summary".to_string(), "sorting"),
        ("/v3/indicators?resultLimit=0".to_string(), "resultLimit"),
        ("/v3/indicators?afterId=x".to_string(), "afterId"),
    ] {
        let r = app.get(&app.reader, &target).await;
        assert_eq!(r.status, 400, "{target}: {}", r.json);
        assert_eq!(r.json["status"], "Error", "{target}");
        assert!(r.message().contains(needle), "{target}: {}", r.json);
    }
    // A flood of nested items is refused before anything is written.
    let many: Vec<Value> = (0..501).map(|n| json!({"name": format!("t{n}")})).collect();
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Host", "hostName": "flood.example", "tags": {"data": many}}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert!(r.message().contains("at most 500"), "{}", r.json);
    assert_eq!(
        app.get(&app.reader, "/v3/indicators/flood.example")
            .await
            .status,
        404
    );
    let r = app
        .call(&app.writer, "POST", "/v3/indicators", Some("{not json"))
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert_eq!(
        app.get(&app.reader, "/v3/indicators/no-such.example")
            .await
            .status,
        404
    );
}

async fn another_owners_indicator_is_invisible(app: TestApp) {
    let r = create(
        &app,
        &app.writer,
        json!({"type": "Host", "hostName": "secret.example", "tags": {"data": [{"name": "Secret"}]}}),
    )
    .await;
    let id = r.json["data"]["id"].as_i64().unwrap();
    for (method, target, body) in [
        ("GET", format!("/v3/indicators/{id}"), None),
        ("GET", "/v3/indicators/secret.example".to_string(), None),
        (
            "PUT",
            format!("/v3/indicators/{id}"),
            Some(r#"{"tags": {"data": [{"name": "pwned"}]}}"#),
        ),
        ("DELETE", format!("/v3/indicators/{id}"), None),
    ] {
        let r = app.call(&app.outsider, method, &target, body).await;
        assert_eq!(r.status, 404, "outsider {method} {target}: {}", r.json);
        assert!(!r.json.to_string().contains("secret"), "{}", r.json);
    }
    for query in [
        format!("id = {id}"),
        "summary = \"secret.example\"".to_string(),
        "hasTag(name = \"Secret\")".to_string(),
    ] {
        let r = app
            .get(
                &app.outsider,
                &format!("/v3/indicators?count=true&tql={}", tql(&query)),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["count"], 0, "{query}: {}", r.json);
        assert_eq!(r.json["data"], json!([]));
    }
    let r = app
        .get(&app.outsider, &format!("/v3/indicators?owner={}", tql(ORG)))
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    let r = app
        .call(
            &app.outsider,
            "POST",
            "/v3/indicators",
            Some(&json!({"type": "Host", "hostName": "in.example", "ownerName": ORG}).to_string()),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    let r = app
        .get(&app.reader, &format!("/v3/indicators/{id}?fields=tags"))
        .await;
    assert_eq!(names(&r.json["data"]["tags"]), vec!["Secret"], "untouched");
}

async fn options_describe_indicators(app: TestApp) {
    let r = app
        .call(&app.reader, "OPTIONS", "/v3/indicators/tql", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let keywords: Vec<&str> = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["keyword"].as_str())
        .collect();
    for k in ["id", "summary", "typeName", "hasTag"] {
        assert!(keywords.contains(&k), "{k} in {keywords:?}");
    }
    let r = app
        .call(&app.reader, "OPTIONS", "/v3/indicators/fields", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(r.json.to_string().contains("genericCustomIndicatorValues"));
    let r = app
        .call(&app.reader, "OPTIONS", "/v3/indicators", None)
        .await;
    assert_eq!(r.json["type"]["required"], true, "{}", r.json);
    let r = app.raw("GET", "/v3/indicators", None, &[]).await;
    assert_eq!(r.status, 401);
}

/// `explain=true` answers the plan, not the rows, on both list endpoints.
async fn explain_answers_the_plan(app: TestApp) {
    create(
        &app,
        &app.writer,
        json!({"type": "Host", "hostName": "plan.example"}),
    )
    .await;
    for target in [
        format!(
            "/v3/indicators?explain=true&count=true&tql={}",
            tql("typeName IN (\"Host\", \"File\") AND summary = \"plan.example\"")
        ),
        format!(
            "/v3/groups?explain=true&count=true&tql={}",
            tql("summary STARTSWITH \"Zq\" AND dateAdded > \"2020-01-01\"")
        ),
    ] {
        let r = app.get(&app.reader, &target).await;
        assert_eq!(r.status, 200, "{target}: {}", r.json);
        let statements = r.json["data"]["statements"].as_array().unwrap();
        assert!(!statements.is_empty(), "{}", r.json);
        for s in statements {
            assert!(
                s["statement"].as_str().unwrap().starts_with("SELECT"),
                "{s}"
            );
            assert!(!s["plan"].as_array().unwrap().is_empty(), "{s}");
        }
        assert_eq!(r.json["data"]["fullScan"], false, "{}", r.json);
        assert!(
            !r.json.to_string().contains("plan.example\""),
            "no rows: {}",
            r.json
        );
    }
}

/// `hasAttribute(...)` on indicator lists: by type (any case, or its id), by value (`=`
/// regardless of ASCII case, `CONTAINS`), both on one attribute, with a type and a tag;
/// counted; another owner's indicator with the same attribute is not found; `OR` inside is a
/// 400, as is an unknown type.
async fn has_attribute_lists_by_attribute_type_and_value(app: TestApp) {
    for (body, attributes) in [
        (
            json!({"type": "Host", "hostName": "attr-a.example", "tags": {"data": [{"name": "Feed"}]}}),
            json!([{"type": "Source", "value": "OSINT Feed"},
                   {"type": "Description", "value": "A phishing WAVE"}]),
        ),
        (
            json!({"type": "Address", "ip": "192.0.2.77"}),
            json!([{"type": "Source", "value": "internal"}]),
        ),
        (
            json!({"type": "Host", "hostName": "attr-c.example"}),
            json!([{"type": "Title", "value": "OSINT Feed"}]),
        ),
        (
            json!({"type": "Host", "hostName": "attr-d.example"}),
            json!([]),
        ),
    ] {
        let mut body = body;
        body["attributes"] = json!({"data": attributes});
        let r = create(&app, &app.writer, body).await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    let r = create(
        &app,
        &app.outsider,
        json!({"type": "Host", "hostName": "attr-outside.example",
               "attributes": {"data": [{"type": "Source", "value": "OSINT Feed"}]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    for (query, want) in [
        (
            "hasAttribute(typeName = \"Source\")",
            vec!["192.0.2.77", "attr-a.example"],
        ),
        (
            "hasAttribute(typeName = \"source\")",
            vec!["192.0.2.77", "attr-a.example"],
        ),
        (
            "hasAttribute(type = 2)",
            vec!["192.0.2.77", "attr-a.example"],
        ),
        (
            "hasAttribute(typeName = \"Source\" AND text = \"osint feed\")",
            vec!["attr-a.example"],
        ),
        (
            "hasAttribute(text = \"OSINT Feed\")",
            vec!["attr-a.example", "attr-c.example"],
        ),
        (
            "hasAttribute(text CONTAINS \"wave\")",
            vec!["attr-a.example"],
        ),
        (
            "typeName = \"Address\" AND hasAttribute(typeName = \"Source\")",
            vec!["192.0.2.77"],
        ),
        (
            "hasAttribute(text = \"OSINT Feed\") AND tag = \"Feed\"",
            vec!["attr-a.example"],
        ),
        (
            "hasAttribute(typeName = \"Source\") AND hasAttribute(typeName = \"Description\")",
            vec!["attr-a.example"],
        ),
    ] {
        let (got, count) = app
            .v3_listed(&app.reader, "indicators", query, "summary")
            .await;
        assert_eq!(got, want, "{query}");
        assert_eq!(count, want.len() as u64, "{query}");
    }
    let (got, count) = app
        .v3_listed(
            &app.outsider,
            "indicators",
            "hasAttribute(typeName = \"Source\" AND text = \"OSINT Feed\")",
            "summary",
        )
        .await;
    assert_eq!((got, count), (vec!["attr-outside.example".to_string()], 1));
    for (query, says) in [
        (
            "hasAttribute(typeName = \"Colour\")",
            "no attribute type Colour at column 14",
        ),
        (
            "hasAttribute(typeName = \"Source\" OR text = \"x\")",
            "OR or IN inside hasAttribute(...) at column 1",
        ),
    ] {
        app.v3_refused("indicators", query, says).await;
    }
}

/// An indicator's rating (0 to 5) and confidence (0 to 100): set by a v2 POST, a v3 POST or PUT
/// (`null` clears one), shown by both; out of range is a 400 that stores nothing.
async fn rating_and_confidence_are_kept(app: TestApp) {
    let r = app
        .call(
            &app.writer,
            "POST",
            "/v2/indicators/hosts",
            Some(r#"{"hostName": "rated.example", "rating": 2.5, "confidence": 40}"#),
        )
        .await;
    r.assert_success(201);
    assert_eq!(r.json["data"]["host"]["rating"], 2.5, "{}", r.json);
    assert_eq!(r.json["data"]["host"]["confidence"], 40, "{}", r.json);
    for bad in [
        r#"{"hostName": "bad.example", "rating": 6}"#,
        r#"{"hostName": "bad.example", "confidence": 101}"#,
        r#"{"hostName": "bad.example", "confidence": -1}"#,
    ] {
        let r = app
            .call(&app.writer, "POST", "/v2/indicators/hosts", Some(bad))
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.json);
    }
    let none = app
        .get(&app.reader, "/v2/indicators/hosts/bad.example")
        .await;
    assert_eq!(none.status, 404, "{}", none.json);

    let made = create(
        &app,
        &app.writer,
        json!({"type": "Host", "hostName": "v3rated.example", "rating": 4, "confidence": 90}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.json);
    assert_eq!(made.json["data"]["rating"], 4.0, "{}", made.json);
    let id = made.json["data"]["id"].as_i64().unwrap();
    let put = |body: Value| {
        let app = &app;
        async move {
            app.call(
                &app.writer,
                "PUT",
                &format!("/v3/indicators/{id}"),
                Some(&body.to_string()),
            )
            .await
        }
    };
    let r = put(json!({"rating": null})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let got = app.get(&app.reader, &format!("/v3/indicators/{id}")).await;
    assert!(got.json["data"]["rating"].is_null(), "{}", got.json);
    assert_eq!(got.json["data"]["confidence"], 90, "{}", got.json);
    let r = put(json!({"confidence": 150})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    let got = app.get(&app.reader, &format!("/v3/indicators/{id}")).await;
    assert_eq!(got.json["data"]["confidence"], 90, "{}", got.json);
    let r = app
        .call(
            &app.reader,
            "PUT",
            &format!("/v3/indicators/{id}"),
            Some(r#"{"rating": 1}"#),
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.json);
    let v2 = app
        .get(&app.reader, "/v2/indicators/hosts/v3rated.example")
        .await;
    assert!(
        v2.json["data"]["host"].get("rating").is_none(),
        "{}",
        v2.json
    );
    assert_eq!(v2.json["data"]["host"]["confidence"], 90, "{}", v2.json);
}

/// `rating` and `confidence` in TQL select exactly the indicators within the bounds (a rating
/// is kept in hundredths, so `rating > 3` includes 3.01 and excludes 3); an indicator without
/// one matches no bound; another owner's rated indicator stays invisible.
async fn tql_selects_by_rating_and_confidence(app: TestApp) {
    for (host, rating, confidence) in [
        ("r0.example", Some(0.0), Some(0)),
        ("r3.example", Some(3.0), Some(50)),
        ("r301.example", Some(3.01), Some(51)),
        ("r45.example", Some(4.5), Some(100)),
        ("r5.example", Some(5.0), None),
        ("unrated.example", None, Some(10)),
    ] {
        let mut body = json!({"type": "Host", "hostName": host});
        if let Some(r) = rating {
            body["rating"] = json!(r);
        }
        if let Some(c) = confidence {
            body["confidence"] = json!(c);
        }
        let r = create(&app, &app.writer, body).await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    let r = app
        .call(
            &app.outsider,
            "POST",
            "/v2/indicators/hosts",
            Some(r#"{"hostName": "other.example", "rating": 5, "confidence": 100}"#),
        )
        .await;
    r.assert_success(201);
    for (tql, expected) in [
        (
            "rating > 3",
            vec!["r301.example", "r45.example", "r5.example"],
        ),
        (
            "rating >= 3",
            vec!["r3.example", "r301.example", "r45.example", "r5.example"],
        ),
        ("rating < 3", vec!["r0.example"]),
        ("rating = 5", vec!["r5.example"]),
        ("rating <= 0", vec!["r0.example"]),
        ("rating > 5", vec![]),
        (
            "confidence >= 50 AND confidence < 100",
            vec!["r3.example", "r301.example"],
        ),
        ("confidence = 100 AND rating >= 4", vec!["r45.example"]),
        ("confidence <= 10", vec!["r0.example", "unrated.example"]),
        (
            r#"typeName = "Host" AND rating >= 0 AND confidence >= 0"#,
            vec!["r0.example", "r3.example", "r301.example", "r45.example"],
        ),
    ] {
        let (rows, count) = app
            .v3_listed(&app.reader, "indicators", tql, "summary")
            .await;
        assert_eq!(rows, expected, "{tql}");
        assert_eq!(count, expected.len() as u64, "{tql}");
    }
    app.v3_refused("indicators", "rating != 3", "not served")
        .await;
}
