//! History through the API: an incident's changes read back newest first, another owner's
//! history invisible, and revert: one change undone (recorded as a change of its own), refused
//! with 409 when a later change touched the same field unless overwrite, a creation refused
//! with a 400 that says what to do instead; an incident put back as it was at a time; a deleted
//! incident listed for its owner's writers and restored whole by one of them only.

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(
    changes_are_read_and_reverted,
    an_incident_goes_back_to_a_time,
    deleted_groups_are_listed_and_restored
);

async fn history(app: &TestApp, who: &Creds, id: i64) -> Vec<Value> {
    let r = app
        .get(who, &format!("/v3/groups/{id}/history?resultLimit=100"))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json["data"].as_array().unwrap().clone()
}

fn change_of<'a>(changes: &'a [Value], field: &str) -> &'a Value {
    changes
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("no {field} change in {changes:?}"))
}

async fn revert(app: &TestApp, id: i64, body: Value) -> Reply {
    app.call(
        &app.writer,
        "POST",
        &format!("/v3/groups/{id}/history/revert"),
        Some(&body.to_string()),
    )
    .await
}

async fn changes_are_read_and_reverted(app: TestApp) {
    let id = app.create_incident(&app.writer, ORG, "Reverted").await;
    let put = |body: Value| put(&app, id, body);
    put(json!({"status": "Open"})).await;
    put(json!({"tags": {"data": [{"name": "Phishing"}]}})).await;
    put(json!({"attributes": {"data": [{"type": "Description", "value": "first"}]}})).await;

    // Read: newest first; another owner sees a 404, as for the incident.
    let changes = history(&app, &app.reader, id).await;
    let fields: Vec<&str> = changes
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["attribute:Description", "tag", "status", "created"]
    );
    assert!(changes.iter().all(|c| c["user"] == "Writer"));
    assert_eq!(change_of(&changes, "status")["via"], "v3");
    assert_eq!(change_of(&changes, "created")["via"], "v2");
    let hidden = app
        .get(&app.outsider, &format!("/v3/groups/{id}/history"))
        .await;
    assert_eq!(hidden.status, 404, "{}", hidden.json);

    // Revert the tag: it is gone, and the undoing is a change of its own.
    let tag = change_of(&changes, "tag")["id"].as_i64().unwrap();
    let r = revert(&app, id, json!({"changeId": tag})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"][0]["field"], "tag");
    assert_eq!(r.json["data"][0]["oldValue"], "Phishing");
    let tags = app
        .get(&app.reader, &format!("/v2/groups/incidents/{id}/tags"))
        .await;
    assert_eq!(tags.json["data"]["resultCount"], 0, "{}", tags.json);

    // The status: a later change of it makes a revert of the first a 409, unless overwrite.
    let first_status = change_of(&changes, "status")["id"].as_i64().unwrap();
    put(json!({"status": "Closed"})).await;
    let r = revert(&app, id, json!({"changeId": first_status})).await;
    assert_eq!(r.status, 409, "{}", r.json);
    assert!(
        r.json["message"].as_str().unwrap().contains("came after"),
        "{}",
        r.json
    );
    let r = revert(
        &app,
        id,
        json!({"changeId": first_status, "overwrite": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let one = app
        .get(
            &app.reader,
            &format!("/v2/groups/incidents/{id}?includeAdditional=true"),
        )
        .await;
    assert_eq!(
        one.json["data"]["incident"]["status"], "New",
        "{}",
        one.json
    );

    // The attribute's addition undone: the attribute is gone.
    let attr = change_of(&changes, "attribute:Description")["id"]
        .as_i64()
        .unwrap();
    let r = revert(&app, id, json!({"changeId": attr})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let attributes = app
        .get(
            &app.reader,
            &format!("/v2/groups/incidents/{id}/attributes"),
        )
        .await;
    assert_eq!(
        attributes.json["data"]["resultCount"], 0,
        "{}",
        attributes.json
    );

    // What cannot be reverted, or by whom.
    let created = change_of(&changes, "created")["id"].as_i64().unwrap();
    let r = revert(&app, id, json!({"changeId": created})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .contains("delete the object instead")
    );
    let r = revert(&app, id, json!({"changeId": 999_999_999})).await;
    assert_eq!(r.status, 404, "{}", r.json);
    let reader = app
        .call(
            &app.reader,
            "POST",
            &format!("/v3/groups/{id}/history/revert"),
            Some(&json!({"changeId": tag}).to_string()),
        )
        .await;
    assert_eq!(reader.status, 403, "{}", reader.json);
    let r = revert(&app, id, json!({"change": tag})).await;
    assert_eq!(r.status, 400, "{}", r.json);

    // Without a change id: the newest change (here the last revert's, a re-added attribute).
    let r = revert(&app, id, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"][0]["field"], "attribute:Description");
    assert_eq!(r.json["data"][0]["newValue"], "first");

    // Every revert is in the history: four undone, newest first.
    let after = history(&app, &app.reader, id).await;
    assert_eq!(after.len(), changes.len() + 5, "{after:?}");
}

async fn put(app: &TestApp, id: i64, body: Value) {
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups/{id}"),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

async fn an_incident_goes_back_to_a_time(app: TestApp) {
    let id = app.create_incident(&app.writer, ORG, "As it was").await;
    put(&app, id, json!({"status": "Open"})).await;
    let then = history(&app, &app.reader, id).await[0]["date"]
        .as_str()
        .unwrap()
        .to_string();
    // Times are whole seconds: what follows is in a later one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    put(
        &app,
        id,
        json!({"name": "Renamed", "status": "Closed", "tags": {"data": [{"name": "Later"}]}}),
    )
    .await;
    put(&app, id, json!({"status": "Stalled"})).await;

    let r = revert(&app, id, json!({"to": then})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let undone: Vec<&str> = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(undone.len(), 4, "{undone:?}");
    let one = app
        .get(&app.reader, &format!("/v3/groups/{id}?fields=tags"))
        .await;
    assert_eq!(one.json["data"]["name"], "As it was", "{}", one.json);
    assert_eq!(one.json["data"]["status"], "Open", "{}", one.json);
    assert!(
        one.json["data"]["tags"].is_null()
            || one.json["data"]["tags"]["data"]
                .as_array()
                .is_none_or(|t| t.is_empty()),
        "{}",
        one.json
    );

    // Before it existed, with a change id too, or not a date: refused, nothing undone.
    let r = revert(&app, id, json!({"to": "2001-01-01T00:00:00Z"})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .contains("did not exist"),
        "{}",
        r.json
    );
    let r = revert(&app, id, json!({"to": then, "changeId": 1})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    let r = revert(&app, id, json!({"to": "yesterday-ish"})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    let again = app.get(&app.reader, &format!("/v3/groups/{id}")).await;
    assert_eq!(again.json["data"]["name"], "As it was");
}

async fn deleted_groups_are_listed_and_restored(app: TestApp) {
    let body = json!({
        "type": "Incident",
        "name": "Deleted, then back",
        "eventDate": "2026-03-04T05:06:07Z",
        "status": "Open",
        "tags": {"data": [{"name": "Ransomware"}]},
        "securityLabels": {"data": [{"name": "TLP:AMBER"}]},
        "attributes": {"data": [{"type": "Description", "value": "kept"}]},
    });
    let r = app
        .call(&app.writer, "POST", "/v3/groups", Some(&body.to_string()))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["id"].as_i64().unwrap();
    let r = app
        .call(&app.writer, "DELETE", &format!("/v3/groups/{id}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let gone = app.get(&app.reader, &format!("/v3/groups/{id}")).await;
    assert_eq!(gone.status, 404);

    // Listed for a writer of the owner; a reader and an outsider are refused.
    let list = app
        .get(&app.writer, "/v3/groups/deleted?resultLimit=50&count=true")
        .await;
    assert_eq!(list.status, 200, "{}", list.json);
    let row = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed: {}", list.json))
        .clone();
    assert_eq!(row["type"], "Incident");
    assert_eq!(row["name"], "Deleted, then back");
    assert_eq!(row["ownerName"], ORG);
    assert_eq!(row["deletedBy"], "Writer");
    assert!(list.json["count"].as_u64().unwrap() >= 1, "{}", list.json);
    let none = app.get(&app.writer, "/v3/indicators/deleted").await;
    assert_eq!(none.status, 200, "{}", none.json);
    assert!(
        none.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != id)
    );
    for (who, status) in [(&app.reader, 403), (&app.outsider, 403)] {
        let r = app
            .get(
                who,
                &format!("/v3/groups/deleted?owner={}", ORG.replace(' ', "%20")),
            )
            .await;
        assert_eq!(r.status, status, "{}", r.json);
    }

    // Restored by a writer only; another owner's caller sees nothing there.
    let restore = |who| {
        let app = &app;
        async move {
            app.call(who, "POST", &format!("/v3/groups/{id}/restore"), None)
                .await
        }
    };
    assert_eq!(restore(&app.reader).await.status, 403);
    assert_eq!(restore(&app.outsider).await.status, 404);
    let bad = app
        .call(&app.writer, "POST", "/v3/groups/nope/restore", None)
        .await;
    assert_eq!(bad.status, 400, "{}", bad.json);
    let r = restore(&app.writer).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["id"], id);
    assert_eq!(r.json["data"]["type"], "Incident");
    assert_eq!(r.json["data"]["skipped"], json!([]));
    let back = app
        .get(
            &app.reader,
            &format!("/v3/groups/{id}?fields=tags&fields=securityLabels&fields=attributes"),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.json);
    let d = &back.json["data"];
    assert_eq!(d["name"], "Deleted, then back");
    assert_eq!(d["status"], "Open");
    assert_eq!(d["eventDate"], "2026-03-04T05:06:07Z");
    assert_eq!(d["tags"]["data"][0]["name"], "Ransomware", "{d}");
    assert_eq!(d["securityLabels"]["data"][0]["name"], "TLP:AMBER", "{d}");
    assert_eq!(d["attributes"]["data"][0]["value"], "kept", "{d}");
    // The same row v2 reads, and the history says what happened.
    let v2 = app
        .get(&app.reader, &format!("/v2/groups/incidents/{id}"))
        .await;
    assert_eq!(v2.status, 200, "{}", v2.json);
    let fields: Vec<String> = history(&app, &app.reader, id)
        .await
        .iter()
        .map(|c| c["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"restored".to_string()), "{fields:?}");
    assert!(fields.contains(&"deleted".to_string()), "{fields:?}");
    assert_eq!(restore(&app.writer).await.status, 404, "twice");
}
