//! Bulk deletes by TQL: a dry run counts and shows a sample and changes nothing; a reader may
//! dry-run but not delete; another owner's rows are never reached; a delete crosses chunk
//! boundaries and leaves what the query does not select.

use crate::helpers::*;
use serde_json::json;

crate::on_both_stores!(bulk_delete_by_tql);

fn tql(query: &str) -> String {
    form_urlencoded::byte_serialize(query.as_bytes()).collect()
}

async fn count(app: &TestApp, target: &str) -> i64 {
    let r = app.get(&app.reader, target).await;
    assert_eq!(r.status, 200, "{target}: {}", r.json);
    r.json["count"].as_i64().unwrap()
}

async fn bulk_delete_by_tql(app: TestApp) {
    // 520 tagged incidents (more than one chunk of 500) and 2 others.
    for n in 0..522 {
        let mut body = json!({"type": "Incident", "name": format!("bulk {n}")});
        if n < 520 {
            body["tags"] = json!({"data": [{"name": "Bulk"}]});
        }
        let r = app
            .call(&app.writer, "POST", "/v3/groups", Some(&body.to_string()))
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    let q = tql("hasTag(name = \"bulk\")");
    let all = format!(
        "/v3/groups?count=true&tql={}",
        tql("summary STARTSWITH \"bulk\"")
    );
    assert_eq!(count(&app, &all).await, 522);

    let r = app
        .call(
            &app.reader,
            "DELETE",
            &format!("/v3/groups?dryRun=true&tql={q}"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["dryRun"], true);
    assert_eq!(r.json["data"]["count"], 520);
    assert_eq!(r.json["data"]["sample"].as_array().unwrap().len(), 10);
    assert_eq!(count(&app, &all).await, 522, "a dry run changes nothing");

    let r = app
        .call(&app.reader, "DELETE", &format!("/v3/groups?tql={q}"), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    let r = app.call(&app.writer, "DELETE", "/v3/groups", None).await;
    assert_eq!(r.status, 400, "no tql: {}", r.json);
    // Another owner's delete reaches only its own rows (it has none of these).
    let r = app
        .call(
            &app.outsider,
            "DELETE",
            &format!("/v3/groups?tql={q}"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["deleted"], 0);
    assert_eq!(count(&app, &all).await, 522);

    let r = app
        .call(&app.writer, "DELETE", &format!("/v3/groups?tql={q}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["deleted"], 520);
    assert_eq!(r.json["data"]["more"], false);
    assert_eq!(count(&app, &all).await, 2, "the untagged two are left");
    // Sending it again deletes nothing more.
    let r = app
        .call(&app.writer, "DELETE", &format!("/v3/groups?tql={q}"), None)
        .await;
    assert_eq!(r.json["data"]["deleted"], 0);

    // Indicators the same way.
    for body in [
        json!({"type": "Host", "hostName": "a.example"}),
        json!({"type": "Host", "hostName": "b.example"}),
        json!({"type": "Address", "ip": "192.0.2.1"}),
    ] {
        let r = app
            .call(
                &app.writer,
                "POST",
                "/v3/indicators",
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    let hosts = tql("typeName = \"Host\"");
    let r = app
        .call(
            &app.writer,
            "DELETE",
            &format!("/v3/indicators?dryRun=true&tql={hosts}"),
            None,
        )
        .await;
    assert_eq!(r.json["data"]["count"], 2, "{}", r.json);
    let r = app
        .call(
            &app.writer,
            "DELETE",
            &format!("/v3/indicators?tql={hosts}"),
            None,
        )
        .await;
    assert_eq!(r.json["data"]["deleted"], 2, "{}", r.json);
    assert_eq!(count(&app, "/v3/indicators?count=true").await, 1);
    let r = app
        .call(
            &app.writer,
            "DELETE",
            &format!("/v3/indicators?tql={}", tql("summary CONTAINS \"x\"")),
            None,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
}
