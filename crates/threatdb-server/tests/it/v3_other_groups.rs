//! Groups of the other types through v3 (`type` other than Incident): create with their own
//! fields and nested collections (all or nothing), read with `fields=`, update, list by
//! `typeName`, delete; the same rows v2 serves; another owner's invisible.

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(
    an_adversary_through_every_route,
    own_fields_are_checked_and_kept,
    another_owners_group_is_invisible
);

const ALL: &str = "fields=tags&fields=securityLabels&fields=attributes&fields=associatedGroups";

async fn post(app: &TestApp, who: &Creds, body: Value) -> Reply {
    app.call(
        who,
        "POST",
        &format!("/v3/groups?{ALL}"),
        Some(&body.to_string()),
    )
    .await
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn an_adversary_through_every_route(app: TestApp) {
    let incident = app.create_incident(&app.writer, ORG, "seen with").await;
    let r = post(
        &app,
        &app.writer,
        json!({"type": "Adversary", "name": "Fancy Bear",
               "tags": {"data": [{"name": "APT28"}]},
               "securityLabels": {"data": [{"name": "TLP:AMBER"}]},
               "attributes": {"data": [{"type": "Description", "value": "GRU unit"}]},
               "associatedGroups": {"data": [{"id": incident}]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let d = &r.json["data"];
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["type"], "Adversary");
    assert_eq!(names(&d["tags"]), vec!["APT28"]);
    assert_eq!(names(&d["securityLabels"]), vec!["TLP:AMBER"]);
    assert_eq!(d["attributes"]["data"][0]["value"], "GRU unit");
    assert_eq!(d["associatedGroups"]["data"][0]["id"], incident);
    // The same row through v2, with the tag v3 wrote and the association.
    let v2 = app
        .get(&app.reader, &format!("/v2/groups/adversaries/{id}/tags"))
        .await;
    assert!(v2.json.to_string().contains("APT28"), "{}", v2.json);
    let v2 = app
        .get(
            &app.reader,
            &format!("/v2/groups/incidents/{incident}/groups"),
        )
        .await;
    assert!(v2.json.to_string().contains("Fancy Bear"), "{}", v2.json);

    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups/{id}?{ALL}"),
            Some(
                &json!({"name": "Fancy Bear (APT28)",
                        "tags": {"data": [{"name": "Sofacy"}], "mode": "replace"},
                        "associatedGroups": {"data": [{"id": incident}], "mode": "delete"}})
                .to_string(),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["name"], "Fancy Bear (APT28)");
    assert_eq!(names(&r.json["data"]["tags"]), vec!["Sofacy"]);
    assert_eq!(r.json["data"]["associatedGroups"]["data"], json!([]));

    // Listed by its type, counted and paged.
    for n in 0..3 {
        let r = post(
            &app,
            &app.writer,
            json!({"type": "Adversary", "name": format!("more {n}")}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    let mut target = format!(
        "/v3/groups?tql={}&resultLimit=3&count=true&fields=tags",
        tql("typeName = \"Adversary\"")
    );
    let mut seen = Vec::new();
    let mut first = true;
    loop {
        let r = app.get(&app.reader, &target).await;
        assert_eq!(r.status, 200, "{target}: {}", r.json);
        if first {
            assert_eq!(r.json["count"], 4, "{}", r.json);
            first = false;
        }
        for g in r.json["data"].as_array().unwrap() {
            assert_eq!(g["type"], "Adversary");
            seen.push(g["id"].as_i64().unwrap());
        }
        match r.json["next"].as_str() {
            Some(next) => target = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0], id);

    // A type change, an xid, a missing group: 400 or 404; then deleted through v3.
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups/{id}"),
            Some(r#"{"type": "Threat"}"#),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    let r = app
        .call(
            &app.reader,
            "PUT",
            &format!("/v3/groups/{id}"),
            Some(r#"{"name": "reader"}"#),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    let r = app
        .call(&app.writer, "DELETE", &format!("/v3/groups/{id}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        app.get(&app.reader, &format!("/v2/groups/adversaries/{id}"))
            .await
            .status,
        404
    );
}

async fn own_fields_are_checked_and_kept(app: TestApp) {
    let before = app
        .get(
            &app.reader,
            &format!("/v3/groups?count=true&tql={}", tql("typeName = \"Email\"")),
        )
        .await;
    assert_eq!(before.json["count"], 0, "{}", before.json);
    for body in [
        // An Email needs its subject, header and body.
        json!({"type": "Email", "name": "phish", "subject": "hi"}),
        json!({"type": "Email", "name": "phish", "subject": "hi", "header": "h", "body": "b", "xid": "x"}),
        // All or nothing: a bad attribute after good fields.
        json!({"type": "Email", "name": "phish", "subject": "hi", "header": "h", "body": "b",
               "attributes": {"data": [{"type": "No Such Type", "value": "v"}]}}),
        json!({"type": "Unicorn", "name": "x"}),
    ] {
        let r = post(&app, &app.writer, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.json);
    }
    let after = app
        .get(
            &app.reader,
            &format!("/v3/groups?count=true&tql={}", tql("typeName = \"Email\"")),
        )
        .await;
    assert_eq!(
        after.json["count"], 0,
        "nothing was written: {}",
        after.json
    );

    let r = post(
        &app,
        &app.writer,
        json!({"type": "Email", "name": "phish", "subject": "Invoice", "header": "From: x", "body": "Pay now"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["id"].as_i64().unwrap();
    assert_eq!(r.json["data"]["subject"], "Invoice", "{}", r.json);
    let v2 = app
        .get(&app.reader, &format!("/v2/groups/emails/{id}"))
        .await;
    assert_eq!(
        v2.json["data"]["email"]["subject"], "Invoice",
        "{}",
        v2.json
    );
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups/{id}"),
            Some(r#"{"subject": ""}"#),
        )
        .await;
    assert_eq!(r.status, 400, "a required field is not emptied: {}", r.json);
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups/{id}"),
            Some(r#"{"subject": "Receipt"}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["subject"], "Receipt");
    assert_eq!(r.json["data"]["body"], "Pay now", "other fields kept");
}

async fn another_owners_group_is_invisible(app: TestApp) {
    let r = post(
        &app,
        &app.writer,
        json!({"type": "Threat", "name": "Secret threat"}),
    )
    .await;
    let id = r.json["data"]["id"].as_i64().unwrap();
    for (method, body) in [
        ("GET", None),
        (
            "PUT",
            Some(r#"{"name": "pwned", "tags": {"data": [{"name": "x"}]}}"#),
        ),
        ("DELETE", None),
    ] {
        let r = app
            .call(
                &app.outsider,
                method,
                &format!("/v3/groups/{id}?{ALL}"),
                body,
            )
            .await;
        assert_eq!(r.status, 404, "outsider {method}: {}", r.json);
    }
    let r = app
        .get(
            &app.outsider,
            &format!("/v3/groups?count=true&tql={}", tql("typeName = \"Threat\"")),
        )
        .await;
    assert_eq!(r.json["count"], 0, "{}", r.json);
    let r = app.get(&app.reader, &format!("/v3/groups/{id}")).await;
    assert_eq!(r.json["data"]["name"], "Secret threat");
}
