//! `/search`: one box on every page; names, attribute words and tags found with the match
//! marked and hostile text escaped; an indicator-looking query found once opens the indicator;
//! another owner's objects are never found.

use super::person;
use crate::helpers::{ORG, spawn_app};

#[tokio::test]
async fn search_finds_marks_and_jumps_to_an_indicator() {
    let app = spawn_app().await;
    let ok = |r: crate::helpers::Reply| assert!(r.status < 300, "{} {}", r.status, r.json);
    let id = app
        .create_incident(&app.writer, ORG, "Spear <b>phishing</b> wave")
        .await;
    ok(app
        .call(
            &app.writer,
            "POST",
            &format!("/v2/groups/incidents/{id}/attributes"),
            Some(r#"{"type":"Description","value":"Beacons to <script>alert(1)</script> relay"}"#),
        )
        .await);
    ok(app
        .call(
            &app.writer,
            "POST",
            "/v2/indicators/addresses",
            Some(r#"{"ip":"10.9.8.7"}"#),
        )
        .await);

    let mut r = person(&app, &app.reader, "reader.search").await;
    // The box is on every page.
    let home = r.get("/incidents").await;
    home.assert_contains(r#"<form class="search-box" method="get" action="/search" role="search""#);

    let page = r.get("/search?q=PHISHING").await;
    page.assert_page(200);
    page.assert_contains(&format!(r#"href="/incidents/{id}""#));
    // Marked in any case, the name escaped around the mark.
    page.assert_contains("Spear &#60;b&#62;<mark>phishing</mark>&#60;/b&#62; wave");
    page.assert_contains("name contains it");
    assert!(!page.body.contains("<b>phishing"), "escaped");

    // Attribute words: the excerpt escaped and the word marked.
    let page = r.get("/search?q=beacons+relay").await;
    page.assert_page(200);
    page.assert_contains("in its Description attribute");
    page.assert_contains(
        "<mark>Beacons</mark> to &#60;script&#62;alert(1)&#60;/script&#62; <mark>relay</mark>",
    );

    // An indicator-looking query, normalised, found once: straight to its page.
    let jump = r.get("/search?q=%3A%3Affff%3A10.9.8.7").await;
    jump.assert_redirect("/indicators/addresses/10.9.8.7");

    // Nothing found, search syntax and long input answer a page, never an error.
    for q in [
        "nothing-like-this",
        "%22",
        "*",
        "NEAR(a%20b)",
        "a%25_",
        &"x".repeat(5000),
    ] {
        let page = r.get(&format!("/search?q={q}")).await;
        page.assert_page(200);
    }
    r.get("/search?q=nothing-like-this")
        .await
        .assert_contains("Nothing found in the owners you read.");
    r.get("/search").await.assert_page(200);

    // Another owner's member finds none of it, and is not sent to the indicator.
    let mut o = person(&app, &app.outsider, "outsider.search").await;
    let page = o.get("/search?q=phishing").await;
    page.assert_page(200);
    assert!(!page.body.contains("Spear"), "another owner's incident");
    let page = o.get("/search?q=10.9.8.7").await;
    page.assert_page(200);
    page.assert_contains("Nothing found");
}
