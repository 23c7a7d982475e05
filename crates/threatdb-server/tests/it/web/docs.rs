//! `/docs/api`: the OpenAPI document as a page, for everyone; linked from every page's header.

use super::{Browser, admin};
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_api_reference_is_public_and_lists_every_operation() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let page = b.get("/docs/api").await;
    page.assert_page(200);
    page.assert_contains(r#"<a href="/docs/api">API</a>"#);
    page.assert_contains(r#"href="/api/openapi.json""#);
    page.assert_contains(
        r#"<code class="path">/api/v2/groups/incidents/{id}/attributes/{aid}</code>"#,
    );
    page.assert_contains(
        r##"<a href="#schema-IncidentBody"><code>IncidentBody</code></a>, requiring name, eventDate"##,
    );
    page.assert_contains(r#"id="schema-IncidentDto""#);
    // Not signed in: no signed-in links, no sign-out form.
    assert!(!page.body.contains("/signout"));
    let doc: serde_json::Value = serde_json::from_str(threatdb_server::openapi_json()).unwrap();
    let operations: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        page.body.matches(r#"<article class="operation""#).count(),
        operations
    );

    // Signed in: the usual header, with the link.
    let mut signed_in = admin(&app).await;
    let page = signed_in.get("/docs/api").await;
    page.assert_page(200);
    page.assert_contains("/signout");
    let incidents = signed_in.get("/incidents").await;
    incidents.assert_contains(r#"<a href="/docs/api">API</a>"#);
}
