//! Bad input gets a clear 4xx in the failure envelope and changes nothing.

use crate::helpers::*;

crate::on_both_stores!(
    every_bad_input_is_a_clear_4xx_that_changes_nothing,
    a_body_over_one_mebibyte_is_413,
    hostile_and_unicode_text_round_trips_byte_for_byte
);

async fn every_bad_input_is_a_clear_4xx_that_changes_nothing(app: TestApp) {
    let id = app.create_incident(&app.admin, ORG, "Existing").await;
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/Keep"),
        None,
    )
    .await
    .assert_success(201);
    let before = app.snapshot().await;
    let long_name = format!(
        r#"{{"name":"{}","eventDate":"2017-03-21"}}"#,
        "n".repeat(300)
    );
    let tag129 = "t".repeat(129);
    let inc = format!("/v2/groups/incidents/{id}");
    let cases: Vec<(&str, String, Option<String>, u16, &str)> = vec![
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some("{not json".into()),
            400,
            "not valid JSON",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some("".into()),
            400,
            "JSON object is required",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"name":5,"eventDate":"2017-03-21"}"#.into()),
            400,
            "Invalid value for 'name'",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"name":"x","eventDate":20170321}"#.into()),
            400,
            "eventDate",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"name":"","eventDate":"2017-03-21"}"#.into()),
            400,
            "name must not be empty",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"name":"   ","eventDate":"2017-03-21"}"#.into()),
            400,
            "name must not be empty",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(long_name),
            400,
            "the limit is 255",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"eventDate":"2017-03-21"}"#.into()),
            400,
            "name is required",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"name":"x"}"#.into()),
            400,
            "eventDate is required for an Incident",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"name":"x","eventDate":"2017-02-30"}"#.into()),
            400,
            "not a valid date",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some(r#"{"name":"x","eventDate":"2017-03-21","status":"Pending"}"#.into()),
            400,
            "Containment Achieved",
        ),
        (
            "POST",
            "/v2/groups/incidents".into(),
            Some("[1,2]".into()),
            400,
            "",
        ),
        (
            "PUT",
            inc.clone(),
            Some(r#"{"eventDate":"tomorrow"}"#.into()),
            400,
            "not a valid date",
        ),
        (
            "PUT",
            inc.clone(),
            Some(r#"{"status":"bogus"}"#.into()),
            400,
            "not a valid incident status",
        ),
        (
            "PUT",
            inc.clone(),
            Some(r#"{"name":""}"#.into()),
            400,
            "name must not be empty",
        ),
        (
            "PUT",
            inc.clone(),
            Some(r#"{"name":["a"]}"#.into()),
            400,
            "Invalid value for 'name'",
        ),
        (
            "POST",
            format!("{inc}/attributes"),
            Some(r#"{"type":"Bogus Type","value":"x"}"#.into()),
            400,
            "attribute type 'Bogus Type' does not exist",
        ),
        (
            "POST",
            format!("{inc}/attributes"),
            Some(
                r#"{"type":"Title","value":"x"}"#
                    .replace("\"x\"", &format!("\"{}\"", "x".repeat(256))),
            ),
            400,
            "the limit is 255",
        ),
        (
            "POST",
            format!("{inc}/attributes"),
            Some(r#"{"value":"x"}"#.into()),
            400,
            "type is required",
        ),
        (
            "POST",
            format!("{inc}/attributes"),
            Some(r#"{"type":"Description","value":"x","displayed":"maybe"}"#.into()),
            400,
            "displayed",
        ),
        (
            "POST",
            format!("{inc}/tags/{tag129}"),
            None,
            400,
            "the limit is 128",
        ),
        (
            "POST",
            format!("{inc}/tags/%20%20"),
            None,
            400,
            "must not be empty",
        ),
        (
            "POST",
            format!("{inc}/securityLabels/TLP%3APURPLE"),
            None,
            400,
            "Security label 'TLP:PURPLE' does not exist",
        ),
        (
            "GET",
            "/v2/groups/incidents?resultLimit=0".into(),
            None,
            400,
            "resultLimit must be between 1 and 10000",
        ),
        (
            "GET",
            "/v2/groups/incidents?resultLimit=99999999999999999999".into(),
            None,
            400,
            "resultLimit",
        ),
        (
            "GET",
            "/v2/groups/incidents?resultStart=-1".into(),
            None,
            400,
            "resultStart",
        ),
        (
            "GET",
            "/v2/groups/incidents?filters=color%3Dred".into(),
            None,
            400,
            "the fields are name, dateAdded and eventDate",
        ),
        (
            "GET",
            "/v2/groups/incidents?filters=dateAdded%3Eyesterday".into(),
            None,
            400,
            "not a valid date",
        ),
        (
            "GET",
            "/v2/groups/incidents/abc".into(),
            None,
            404,
            "The requested resource was not found",
        ),
        (
            "DELETE",
            "/v2/groups/incidents/12abc".into(),
            None,
            404,
            "The requested resource was not found",
        ),
        (
            "GET",
            "/v2/groups/incidents/99999999999999999999999".into(),
            None,
            404,
            "The requested resource was not found",
        ),
        ("GET", "/v2/no/such/path".into(), None, 404, "no API path"),
        ("PATCH", inc.clone(), Some("{}".into()), 405, "not allowed"),
        (
            "POST",
            "/v2/groups/incidents?owner=Nobody+Org".into(),
            Some(r#"{"name":"x","eventDate":"2017-03-21"}"#.into()),
            403,
            "Access Denied",
        ),
    ];
    for (method, target, body, status, needle) in cases {
        let r = app.call(&app.admin, method, &target, body.as_deref()).await;
        assert_eq!(
            r.status, status,
            "{method} {target} {body:?} -> {:?}",
            r.json
        );
        r.assert_failure(status, needle);
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "a failed request must leave the database as it was"
    );
}

async fn a_body_over_one_mebibyte_is_413(app: TestApp) {
    let before = app.snapshot().await;
    let body = format!(
        r#"{{"name":"x","eventDate":"2017-03-21","pad":"{}"}}"#,
        "a".repeat(1 << 20)
    );
    let r = app
        .call(&app.admin, "POST", "/v2/groups/incidents", Some(&body))
        .await;
    r.assert_failure(413, "1 MiB");
    assert_eq!(app.snapshot().await, before);
}

async fn hostile_and_unicode_text_round_trips_byte_for_byte(app: TestApp) {
    let names = [
        "Robert'); DROP TABLE incidents;--",
        "\" OR 1=1 --",
        "日本語のインシデント 🚨",
        "Ünïcödé\u{200b}zero width",
        "<script>alert(1)</script>",
        "100% _wild_ %",
    ];
    for name in names {
        let body = serde_json::json!({"name": name, "eventDate": "2017-03-21"}).to_string();
        let r = app
            .call(&app.admin, "POST", "/v2/groups/incidents", Some(&body))
            .await;
        r.assert_success(201);
        let id = r.json["data"]["incident"]["id"].as_i64().unwrap();
        let got = app
            .get(&app.admin, &format!("/v2/groups/incidents/{id}"))
            .await;
        assert_eq!(got.json["data"]["incident"]["name"], name);
        let tag = threatdb_wire::paths::encode_segment(name);
        app.call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents/{id}/tags/{tag}"),
            None,
        )
        .await
        .assert_success(201);
        let tags = app
            .get(&app.admin, &format!("/v2/groups/incidents/{id}/tags"))
            .await;
        assert_eq!(tags.json["data"]["tag"][0]["name"], name);
        let by_tag = app
            .get(&app.admin, &format!("/v2/tags/{tag}/groups/incidents"))
            .await;
        assert_eq!(by_tag.json["data"]["incident"][0]["id"], id);
        let attr = serde_json::json!({"type": "Description", "value": name}).to_string();
        let a = app
            .call(
                &app.admin,
                "POST",
                &format!("/v2/groups/incidents/{id}/attributes"),
                Some(&attr),
            )
            .await;
        assert_eq!(a.json["data"]["attribute"]["value"], name);
    }
    // '%' and '_' are not wildcards in name filters.
    let r = app
        .get(&app.admin, "/v2/groups/incidents?filters=name%5E100%25")
        .await;
    assert_eq!(r.json["data"]["resultCount"], 1);
    let r = app
        .get(&app.admin, "/v2/groups/incidents?filters=name%5E%25")
        .await;
    assert_eq!(r.json["data"]["resultCount"], 0);
}
