//! The dashboard at `/`: an owner's incidents by status, label and tag as SVG bars that link
//! to the lists they count (a hostile tag escaped in the SVG), this week's additions, the
//! incidents changed last; another owner's is a 404.

use super::person;
use crate::helpers::{ORG, spawn_app};

#[tokio::test]
async fn the_dashboard_counts_an_owners_incidents_and_links_to_them() {
    let app = spawn_app().await;
    let a = app.create_incident(&app.writer, ORG, "Dash one").await;
    let b = app.create_incident(&app.writer, ORG, "Dash two").await;
    for (id, tag) in [
        (a, "Phishing"),
        (b, "Phishing"),
        (b, "%3Csvg%20onload%3Dalert(1)%3E"),
    ] {
        let r = app
            .call(
                &app.writer,
                "POST",
                &format!("/v2/groups/incidents/{id}/tags/{tag}"),
                None,
            )
            .await;
        assert!(r.status < 300, "{}", r.json);
    }
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v3/groups/{b}"),
            Some(r#"{"status":"Open"}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);

    let mut reader = person(&app, &app.reader, "reader.dash").await;
    let page = reader.get("/").await;
    page.assert_page(200);
    page.assert_contains("Incidents by status");
    page.assert_contains(r#"href="/incidents?owner=Example+Organization&#38;status=Open""#);
    page.assert_contains(r#"href="/tags/Phishing""#);
    page.assert_contains("&#60;svg onload=alert(1)&#62;");
    assert!(!page.body.contains("<svg onload"), "escaped in the SVG");
    page.assert_contains("Dash two");
    page.assert_contains("status: New → Open");
    page.assert_contains("Incidents added per week");

    let mut outsider = person(&app, &app.outsider, "outsider.dash").await;
    outsider
        .get("/?owner=Example%20Organization")
        .await
        .assert_page(404);
    let own = outsider.get("/").await;
    own.assert_page(200);
    assert!(
        !own.body.contains("Dash two"),
        "another owner's incidents are not counted"
    );
}
