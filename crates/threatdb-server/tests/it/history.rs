//! History through the API: an incident's changes read back newest first, another owner's
//! history invisible, and revert: one change undone (recorded as a change of its own), refused
//! with 409 when a later change touched the same field unless overwrite, a creation refused
//! with a 400 that says what to do instead.

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(changes_are_read_and_reverted);

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
    let put = |body: Value| {
        let app = &app;
        async move {
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
    };
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
