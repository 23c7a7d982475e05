//! The pages other objects' webLinks open: an indicator and an adversary, each with its
//! attributes (a hostile value escaped) and the incidents associated with it, reached from the
//! incident page's associations; another owner's are a 404, as is a type or a value that is
//! not one.

use super::person;
use crate::helpers::{ORG, spawn_app};

#[tokio::test]
async fn indicators_and_groups_have_pages_linked_from_their_incidents() {
    let app = spawn_app().await;
    let id = app.create_incident(&app.writer, ORG, "Linked up").await;
    let ok = |r: crate::helpers::Reply| assert!(r.status < 300, "{} {}", r.status, r.json);
    ok(app
        .call(
            &app.writer,
            "POST",
            "/v2/indicators/hosts",
            Some(r#"{"hostName":"evil.example"}"#),
        )
        .await);
    ok(app
        .call(
            &app.writer,
            "POST",
            "/v2/indicators/hosts/evil.example/attributes",
            Some(r#"{"type":"Description","value":"<script>alert(1)</script>"}"#),
        )
        .await);
    let made = app
        .call(
            &app.writer,
            "POST",
            "/v2/groups/adversaries",
            Some(r#"{"name":"Bear <b>"}"#),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.json);
    let aid = made.json["data"]["adversary"]["id"].as_i64().unwrap();
    ok(app
        .call(
            &app.writer,
            "POST",
            &format!("/v2/groups/incidents/{id}/indicators/hosts/evil.example"),
            None,
        )
        .await);
    ok(app
        .call(
            &app.writer,
            "POST",
            &format!("/v2/groups/incidents/{id}/groups/adversaries/{aid}"),
            None,
        )
        .await);

    let mut r = person(&app, &app.reader, "reader.obj").await;
    let incident = r.get(&format!("/incidents/{id}")).await;
    incident.assert_page(200);
    incident.assert_contains(r#"href="/indicators/hosts/evil.example""#);
    incident.assert_contains(&format!(r#"href="/adversaries/{aid}""#));
    incident.assert_contains("Bear &#60;b&#62;");

    let host = r.get("/indicators/hosts/evil.example").await;
    host.assert_page(200);
    host.assert_contains("<h1>evil.example</h1>");
    host.assert_contains(&format!(r#"href="/incidents/{id}""#));
    host.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
    assert!(!host.body.contains("<script>alert"), "escaped");
    // Its newest changes, as diffs: created, then the attribute.
    host.assert_contains(r#"<h2 id="changes-h">Changes <span class="muted">2</span></h2>"#);
    host.assert_contains("created as “evil.example”");
    host.assert_contains(
        r#"<ins aria-label="after">&#60;script&#62;alert(1)&#60;/script&#62;</ins>"#,
    );
    let adversary = r.get(&format!("/adversaries/{aid}")).await;
    adversary.assert_page(200);
    adversary.assert_contains("Bear &#60;b&#62;");
    adversary.assert_contains(&format!(r#"href="/incidents/{id}""#));
    adversary.assert_contains("created as “Bear &#60;b&#62;”");

    // Another owner's: not found, as are types and values that are not ones.
    let mut o = person(&app, &app.outsider, "outsider.obj").await;
    o.get("/indicators/hosts/evil.example")
        .await
        .assert_page(404);
    o.get(&format!("/adversaries/{aid}")).await.assert_page(404);
    for path in [
        "/nosuchtype/1".to_string(),
        "/adversaries/abc".to_string(),
        format!("/reports/{aid}"),
        "/indicators/hosts/not%20a%20host".to_string(),
        "/indicators/nosuch/evil.example".to_string(),
    ] {
        r.get(&path).await.assert_page(404);
    }
}
