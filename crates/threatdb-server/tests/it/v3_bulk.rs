//! Bulk deletes by TQL: a dry run counts and shows a sample and changes nothing; a reader may
//! dry-run but not delete; another owner's rows are never reached; a delete crosses chunk
//! boundaries and leaves what the query does not select.

use crate::helpers::*;
use serde_json::json;

crate::on_both_stores!(bulk_delete_by_tql, bulk_update_by_tql);

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

/// Bulk updates by TQL: tags, labels and status set on every selected row (each with its mode),
/// a dry run that changes nothing, a reader refused, continuing with `afterId`, and a body that
/// names anything else refused.
async fn bulk_update_by_tql(app: TestApp) {
    let mut ids = Vec::new();
    for n in 0..6 {
        let r = app
            .call(
                &app.writer,
                "POST",
                "/v3/groups",
                Some(&json!({"type": "Incident", "name": format!("upd {n}"), "tags": {"data": [{"name": "Old"}]}}).to_string()),
            )
            .await;
        ids.push(r.json["data"]["id"].as_i64().unwrap());
    }
    let q = tql("summary STARTSWITH \"upd\" AND id <= ") + &ids[3].to_string();
    let change = json!({"status": "Closed",
                        "tags": {"data": [{"name": "Triaged"}], "mode": "replace"},
                        "securityLabels": {"data": [{"name": "TLP:AMBER"}], "mode": "append"}})
    .to_string();
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups?dryRun=true&tql={q}"),
            Some(&change),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["count"], 4);
    let r = app
        .call(
            &app.reader,
            "PUT",
            &format!("/v3/groups?tql={q}"),
            Some(&change),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    let one = |id: i64| {
        let app = &app;
        async move {
            app.get(
                &app.reader,
                &format!("/v3/groups/{id}?fields=tags&fields=securityLabels"),
            )
            .await
            .json["data"]
                .clone()
        }
    };
    assert_eq!(
        one(ids[0]).await["status"],
        "New",
        "a dry run and a reader change nothing"
    );

    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups?tql={q}"),
            Some(&change),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["updated"], 4);
    assert_eq!(r.json["data"]["more"], false);
    assert_eq!(r.json["data"]["afterId"], ids[3]);
    for (n, id) in ids.iter().enumerate() {
        let g = one(*id).await;
        let tags: Vec<&str> = g["tags"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        if n <= 3 {
            assert_eq!(g["status"], "Closed");
            assert_eq!(tags, vec!["Triaged"]);
            assert_eq!(g["securityLabels"]["data"][0]["name"], "TLP:AMBER");
        } else {
            assert_eq!(g["status"], "New", "not selected");
            assert_eq!(tags, vec!["Old"]);
        }
    }
    // Continuing after an id: only the rows after it.
    let all = tql("summary STARTSWITH \"upd\"");
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups?tql={all}&afterId={}", ids[4]),
            Some(r#"{"status": "Open"}"#),
        )
        .await;
    assert_eq!(r.json["data"]["updated"], 1, "{}", r.json);
    assert_eq!(one(ids[5]).await["status"], "Open");
    assert_eq!(one(ids[4]).await["status"], "New");
    // What a bulk update does not change, and a label that does not exist: 400, nothing written.
    for body in [
        json!({"name": "all the same"}),
        json!({}),
        json!({"attributes": {"data": [{"type": "Description", "value": "x"}]}}),
        json!({"status": "Closed", "securityLabels": {"data": [{"name": "No Such Label"}]}}),
    ] {
        let r = app
            .call(
                &app.writer,
                "PUT",
                &format!("/v3/groups?tql={all}"),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.json);
    }
    assert_eq!(
        one(ids[4]).await["status"],
        "New",
        "the failed chunk changed nothing"
    );
    // Indicators: tags by TQL.
    for host in ["u1.example", "u2.example"] {
        app.call(
            &app.writer,
            "POST",
            "/v3/indicators",
            Some(&json!({"type": "Host", "hostName": host}).to_string()),
        )
        .await;
    }
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/indicators?tql={}", tql("typeName = \"Host\"")),
            Some(r#"{"tags": {"data": [{"name": "Bulk Tagged"}]}}"#),
        )
        .await;
    assert_eq!(r.json["data"]["updated"], 2, "{}", r.json);
    let r = app
        .get(
            &app.reader,
            &format!(
                "/v3/indicators?count=true&tql={}",
                tql("hasTag(name = \"bulk tagged\")")
            ),
        )
        .await;
    assert_eq!(r.json["count"], 2, "{}", r.json);
}
