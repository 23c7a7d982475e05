//! The neighbourhood on an incident's page and an indicator's: its associations one hop out and theirs two hops out, as
//! an SVG whose nodes link to their pages (hostile names escaped) and as a table; another
//! owner's incidents are never drawn.

use super::person;
use crate::helpers::{ORG, spawn_app};

#[tokio::test]
async fn an_incident_page_draws_its_neighbourhood_two_hops_out() {
    let app = spawn_app().await;
    let ok = |r: crate::helpers::Reply| assert!(r.status < 300, "{} {}", r.status, r.json);
    let center = app.create_incident(&app.writer, ORG, "Center").await;
    let other = app
        .create_incident(&app.writer, ORG, "<svg onload=alert(1)> sibling")
        .await;
    ok(app
        .call(
            &app.writer,
            "POST",
            "/v2/indicators/hosts",
            Some(r#"{"hostName":"shared.example"}"#),
        )
        .await);
    for id in [center, other] {
        ok(app
            .call(
                &app.writer,
                "POST",
                &format!("/v2/groups/incidents/{id}/indicators/hosts/shared.example"),
                None,
            )
            .await);
    }
    ok(app
        .call(
            &app.writer,
            "POST",
            &format!("/v2/groups/incidents/{other}/securityLabels/TLP%3ARED"),
            None,
        )
        .await);

    let mut r = person(&app, &app.reader, "reader.graph").await;
    let page = r.get(&format!("/incidents/{center}")).await;
    page.assert_page(200);
    page.assert_contains(r#"<svg viewBox="0 0 760 520" role="group""#);
    // One hop: the host; two hops: the other incident, with its TLP ring, escaped.
    page.assert_contains(r#"<a href="/indicators/hosts/shared.example" class="node-link">"#);
    page.assert_contains(&format!(
        r#"<a href="/incidents/{other}" class="node-link">"#
    ));
    page.assert_contains(r#"class="ring tlp-red""#);
    page.assert_contains("&#60;svg onload=alert(1)&#62; sibling");
    assert!(!page.body.contains("<svg onload"), "escaped in the SVG");
    // The table says the same: center → host, host → sibling.
    page.assert_contains("Associations one and two hops out");
    page.assert_contains(&format!(
        r#"<td class="name"><a href="/indicators/hosts/shared.example">shared.example</a></td><td class="name"><a href="/incidents/{other}">"#
    ));

    // The indicator's page draws it in the middle, its incidents around it.
    let page = r.get("/indicators/hosts/shared.example").await;
    page.assert_page(200);
    page.assert_contains(r#"class="graph-svg""#);
    for id in [center, other] {
        page.assert_contains(&format!(r#"<a href="/incidents/{id}" class="node-link">"#));
    }
    page.assert_contains(r#"class="node node-indicator""#);

    // Another owner's member sees neither page.
    let mut o = person(&app, &app.outsider, "outsider.graph").await;
    o.get(&format!("/incidents/{center}"))
        .await
        .assert_page(404);

    // An incident without associations has no drawing.
    let lonely = app.create_incident(&app.writer, ORG, "Alone").await;
    let page = r.get(&format!("/incidents/{lonely}")).await;
    page.assert_page(200);
    assert!(!page.body.contains("graph-svg"));
}
