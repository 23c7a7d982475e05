//! The association routes by role: a reader reads and is refused changes (403), a writer does
//! both, another organization's admin sees nothing (404), whichever the route.

use crate::associations::graph;
use crate::helpers::*;

crate::on_both_stores!(association_routes_by_role);

async fn association_routes_by_role(app: TestApp) {
    let gr = graph(&app).await;
    let [i0, i1, i2, i3] = gr.i;
    let id = |name: &str| gr.items.iter().find(|(p, _)| p.ends_with(name)).unwrap().1;
    let (adv, thr, vic, task) = (gr.adv, id("threats"), id("victims"), id("tasks"));
    let g = "/v2/groups/incidents";
    let reads = [
        format!("/v2/groups/adversaries/{adv}"),
        format!("/v2/groups/adversaries/{adv}/groups/incidents"),
        format!("/v2/groups/adversaries/{adv}/tags"),
        format!("{g}/{i0}/groups"),
        format!("{g}/{i0}/groups/adversaries"),
        format!("{g}/{i0}/groups/adversaries/{adv}"),
        format!("{g}/{i1}/groups/incidents"),
        format!("{g}/{i0}/indicators"),
        format!("{g}/{i0}/indicators/hosts"),
        format!("{g}/{i1}/victims"),
        format!("{g}/{i1}/victims/{vic}"),
        format!("{g}/{i2}/tasks"),
        format!("{g}/{i2}/tasks/{task}"),
        "/v2/indicators/hosts/evil.test".into(),
        "/v2/indicators/hosts/evil.test/groups/incidents".into(),
        "/v2/indicators/hosts/evil.test/tags".into(),
        format!("/v2/victims/{vic}"),
        format!("/v2/victims/{vic}/groups/incidents"),
        format!("/v2/tasks/{task}"),
        format!("/v2/tasks/{task}/groups/incidents"),
    ];
    for path in &reads {
        app.get(&app.reader, path).await.assert_success(200);
        app.get(&app.writer, path).await.assert_success(200);
        app.get(&app.outsider, path).await.assert_failure(404, "");
    }
    let writes = [
        format!("{g}/{i0}/groups/threats/{thr}"),
        format!("{g}/{i0}/groups/incidents/{i3}"),
        format!("{g}/{i0}/indicators/addresses/10.0.0.1"),
        format!("/v2/indicators/addresses/10.0.0.1/groups/incidents/{i3}"),
        format!("{g}/{i0}/victims/{vic}"),
        format!("/v2/victims/{vic}/groups/incidents/{i3}"),
        format!("{g}/{i3}/tasks/{task}"),
        format!("/v2/tasks/{task}/groups/incidents/{i0}"),
        format!("/v2/groups/adversaries/{adv}/groups/incidents/{i3}"),
        format!("/v2/groups/adversaries/{adv}/tags/Role%20Test"),
        "/v2/indicators/hosts/evil.test/tags/Role%20Test".into(),
    ];
    for path in &writes {
        for method in ["POST", "DELETE"] {
            let r = app.call(&app.reader, method, path, None).await;
            r.assert_failure(403, "Access Denied");
            let r = app.call(&app.outsider, method, path, None).await;
            r.assert_failure(404, "");
        }
        let r = app.call(&app.writer, "POST", path, None).await;
        r.assert_success(201);
        let r = app.call(&app.writer, "DELETE", path, None).await;
        r.assert_success(200);
    }
    // Creating and deleting the things themselves.
    let doomed = format!("/v2/groups/threats/{thr}");
    let r = app
        .call(
            &app.reader,
            "POST",
            "/v2/groups/threats",
            Some(r#"{"name":"x"}"#),
        )
        .await;
    r.assert_failure(403, "Access Denied");
    app.call(&app.reader, "DELETE", &doomed, None)
        .await
        .assert_failure(403, "Access Denied");
    app.call(&app.outsider, "DELETE", &doomed, None)
        .await
        .assert_failure(404, "");
    app.call(&app.writer, "DELETE", &doomed, None)
        .await
        .assert_success(200);
    let r = app
        .call(
            &app.reader,
            "DELETE",
            "/v2/indicators/urls/http%3A%2F%2Fevil.test%2Fx",
            None,
        )
        .await;
    r.assert_failure(403, "Access Denied");
}
