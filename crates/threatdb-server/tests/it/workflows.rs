//! The five workflows of the seed page, as the legacy Python SDK sends them (tc-v2-wire.md §7.5).

use crate::helpers::*;

crate::on_both_stores!(
    create_with_attribute_tag_and_label_then_retrieve,
    retrieve_many_by_owner_and_tag,
    retrieve_a_missing_id_is_404,
    update_changes_only_the_name,
    delete_then_404,
    pagination_follows_the_sdk_loop,
    catalogue_routes_answer,
    attributes_and_their_labels
);

const Q: &str = "createActivityLog=false&owner=Example+Community";

async fn create_with_attribute_tag_and_label_then_retrieve(app: TestApp) {
    // The SDK calls this first (DECISIONS.md #21).
    let types = app.get(&app.admin, "/v2/types/indicatorTypes").await;
    types.assert_success(200);
    assert_eq!(
        types.json["data"]["indicatorType"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let r = app
        .call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents?{Q}"),
            Some(r#"{"name": "New Incident", "eventDate": "2017-03-21T00:00:00Z"}"#),
        )
        .await;
    r.assert_success(201);
    let incident = &r.json["data"]["incident"];
    let id = incident["id"].as_i64().expect("integer id");
    assert_eq!(incident["owner"]["name"], COMMUNITY);
    assert_eq!(incident["eventDate"], "2017-03-21T00:00:00Z");
    assert_eq!(
        incident["webLink"],
        format!("{}/incidents/{id}", app.origin)
    );

    let attr = app
        .call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents/{id}/attributes?{Q}"),
            Some(r#"{"type":"Description","value":"Description Example","displayed":"true"}"#),
        )
        .await;
    attr.assert_success(201);
    assert_eq!(attr.json["data"]["attribute"]["displayed"], true);
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/Example?{Q}"),
        None,
    )
    .await
    .assert_success(201);
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/securityLabels/TLP%20Green?{Q}"),
        None,
    )
    .await
    .assert_success(201);

    // Retrieve one: GET by id with the owner, as add_id does.
    let one = app
        .get(
            &app.admin,
            &format!(
                "/v2/groups/incidents/{id}?{Q}&includes=attributes&includes=tags&includes=labels"
            ),
        )
        .await;
    one.assert_success(200);
    let got = &one.json["data"]["incident"];
    assert_eq!(got["name"], "New Incident");
    assert_eq!(got["attribute"][0]["value"], "Description Example");
    assert_eq!(got["tag"][0]["name"], "Example");
    assert_eq!(got["securityLabel"][0]["name"], "TLP:GREEN");

    // The metadata read back the way load_* does it.
    let tags = app
        .get(&app.admin, &format!("/v2/groups/incidents/{id}/tags?{Q}"))
        .await;
    assert_eq!(
        tags.json["data"]["tag"][0]["webLink"],
        format!("{}/tags/Example", app.origin)
    );
    let labels = app
        .get(
            &app.admin,
            &format!("/v2/groups/incidents/{id}/securityLabels?{Q}"),
        )
        .await;
    let label = &labels.json["data"]["securityLabel"][0];
    assert!(
        label["name"].is_string()
            && label["description"].is_string()
            && label["dateAdded"].is_string()
    );
}

async fn retrieve_many_by_owner_and_tag(app: TestApp) {
    let tagged = app.create_incident(&app.admin, COMMUNITY, "Tagged").await;
    let _untagged = app.create_incident(&app.admin, COMMUNITY, "Untagged").await;
    let elsewhere = app
        .create_incident(&app.admin, ORG, "Tagged in the org")
        .await;
    for id in [tagged, elsewhere] {
        let owner = if id == tagged {
            "Example+Community"
        } else {
            "Example+Organization"
        };
        app.call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents/{id}/tags/Nation%20State?owner={owner}"),
            None,
        )
        .await
        .assert_success(201);
    }
    // Exactly the request the seed's example sends (tc-v2-wire.md §7.2).
    let r = app.get(&app.admin, "/v2/tags/Nation%20State/groups/incidents?createActivityLog=false&owner=Example+Community&resultLimit=200&resultStart=0").await;
    r.assert_success(200);
    assert_eq!(r.json["data"]["resultCount"], 1);
    let list = r.json["data"]["incident"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], tagged);
    assert_eq!(list[0]["ownerName"], COMMUNITY);
    assert_eq!(list[0]["eventDate"], "2017-03-21T00:00:00Z");
    // Tag identity is case-insensitive.
    let r = app
        .get(
            &app.admin,
            "/v2/tags/nation%20state/groups/incidents?owner=Example+Community",
        )
        .await;
    assert_eq!(r.json["data"]["resultCount"], 1);
}

async fn retrieve_a_missing_id_is_404(app: TestApp) {
    app.get(&app.admin, &format!("/v2/groups/incidents/999999?{Q}"))
        .await
        .assert_failure(404, "The requested resource was not found");
}

async fn update_changes_only_the_name(app: TestApp) {
    let id = app
        .create_incident(&app.admin, COMMUNITY, "New Incident")
        .await;
    let before = app
        .get(
            &app.admin,
            &format!("/v2/groups/incidents/{id}?{Q}&includeAdditional=true"),
        )
        .await;
    let r = app
        .call(
            &app.admin,
            "PUT",
            &format!("/v2/groups/incidents/{id}?{Q}"),
            Some(r#"{"name":"Updated Incident"}"#),
        )
        .await;
    r.assert_success(200);
    let after = app
        .get(
            &app.admin,
            &format!("/v2/groups/incidents/{id}?{Q}&includeAdditional=true"),
        )
        .await;
    let (b, a) = (
        &before.json["data"]["incident"],
        &after.json["data"]["incident"],
    );
    assert_eq!(a["name"], "Updated Incident");
    for field in [
        "eventDate",
        "status",
        "xid",
        "createdBy",
        "dateAdded",
        "owner",
    ] {
        assert_eq!(a[field], b[field], "{field} must not change");
    }
    // Status by PUT, case-insensitive, returned canonical.
    let r = app
        .call(
            &app.admin,
            "PUT",
            &format!("/v2/groups/incidents/{id}?{Q}&includeAdditional=true"),
            Some(r#"{"status":"containment achieved"}"#),
        )
        .await;
    assert_eq!(r.json["data"]["incident"]["status"], "Containment Achieved");
}

async fn delete_then_404(app: TestApp) {
    let id = app.create_incident(&app.admin, COMMUNITY, "Doomed").await;
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/Example?{Q}"),
        None,
    )
    .await
    .assert_success(201);
    let r = app
        .call(
            &app.admin,
            "DELETE",
            &format!("/v2/groups/incidents/{id}?{Q}"),
            None,
        )
        .await;
    r.assert_success(200);
    assert_eq!(r.json, serde_json::json!({"status": "Success"}));
    app.get(&app.admin, &format!("/v2/groups/incidents/{id}?{Q}"))
        .await
        .assert_failure(404, "not found");
    app.call(
        &app.admin,
        "DELETE",
        &format!("/v2/groups/incidents/{id}?{Q}"),
        None,
    )
    .await
    .assert_failure(404, "not found");
    let r = app
        .get(
            &app.admin,
            "/v2/tags/Example/groups/incidents?owner=Example+Community",
        )
        .await;
    assert_eq!(r.json["data"]["resultCount"], 0);
    assert_eq!(r.json["data"]["incident"], serde_json::json!([]));
}

async fn pagination_follows_the_sdk_loop(app: TestApp) {
    for i in 0..7 {
        app.create_incident(&app.admin, ORG, &format!("i{i}")).await;
    }
    let first = app
        .get(
            &app.admin,
            "/v2/groups/incidents?resultStart=0&resultLimit=3",
        )
        .await;
    assert_eq!(first.json["data"]["resultCount"], 7);
    let mut seen: Vec<i64> = first.json["data"]["incident"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    for start in [3, 6] {
        let page = app
            .get(
                &app.admin,
                &format!("/v2/groups/incidents?resultStart={start}&resultLimit=3"),
            )
            .await;
        assert!(
            page.json["data"].get("resultCount").is_none(),
            "resultCount only on the first page"
        );
        seen.extend(
            page.json["data"]["incident"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap()),
        );
    }
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 7);
    // filters= on lists, ANDed, and on /v2/groups with the type.
    let r = app
        .get(
            &app.admin,
            "/v2/groups/incidents?filters=name%5Ei,name%3Di3",
        )
        .await;
    assert_eq!(r.json["data"]["resultCount"], 1);
    let g = app.get(&app.admin, "/v2/groups?resultLimit=1").await;
    assert_eq!(g.json["data"]["group"][0]["type"], "Incident");
    let r = app
        .get(
            &app.admin,
            "/v2/groups/incidents?filters=eventDate%3E2017-03-22",
        )
        .await;
    assert_eq!(r.json["data"]["resultCount"], 0);
    let r = app
        .get(
            &app.admin,
            "/v2/groups/incidents?filters=eventDate%3C2017-03-22",
        )
        .await;
    assert_eq!(r.json["data"]["resultCount"], 7);
}

async fn catalogue_routes_answer(app: TestApp) {
    let owners = app.get(&app.admin, "/v2/owners").await;
    owners.assert_success(200);
    let names: Vec<&str> = owners.json["data"]["owner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec![ORG, COMMUNITY]);
    let id = owners.json["data"]["owner"][1]["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&app.admin, &format!("/v2/owners/{id}")).await.json["data"]["owner"]["name"],
        COMMUNITY
    );
    app.get(&app.reader, &format!("/v2/owners/{id}"))
        .await
        .assert_failure(404, "not found");
    assert_eq!(
        app.get(&app.writer, "/v2/whoami").await.json["data"]["user"]["userName"],
        "Writer"
    );
    let labels = app.get(&app.admin, "/v2/securityLabels").await;
    assert_eq!(labels.json["data"]["resultCount"], 6);
    let one = app
        .get(&app.admin, "/v2/securityLabels/TLP%3AAMBER%2BSTRICT")
        .await;
    assert_eq!(
        one.json["data"]["securityLabel"]["name"],
        "TLP:AMBER+STRICT"
    );
    let types = app.get(&app.admin, "/v2/types/attributeTypes").await;
    assert!(
        types.json["data"]["attributeType"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Description")
    );
    let inc = app.create_incident(&app.admin, ORG, "x").await;
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{inc}/tags/APT29"),
        None,
    )
    .await
    .assert_success(201);
    let tags = app.get(&app.admin, "/v2/tags").await;
    assert_eq!(tags.json["data"]["tag"][0]["name"], "APT29");
    assert_eq!(
        app.get(&app.admin, "/v2/tags/apt29").await.json["data"]["tag"]["name"],
        "APT29"
    );
    app.get(&app.admin, "/v2/tags/nope")
        .await
        .assert_failure(404, "not found");
}

async fn attributes_and_their_labels(app: TestApp) {
    let id = app.create_incident(&app.writer, ORG, "x").await;
    let a = app
        .call(
            &app.writer,
            "POST",
            &format!("/v2/groups/incidents/{id}/attributes"),
            Some(r#"{"type":"source","value":"feed","displayed":false}"#),
        )
        .await;
    a.assert_success(201);
    assert_eq!(a.json["data"]["attribute"]["type"], "Source");
    let aid = a.json["data"]["attribute"]["id"].as_i64().unwrap();
    let base = format!("/v2/groups/incidents/{id}/attributes/{aid}");
    let u = app
        .call(
            &app.writer,
            "PUT",
            &base,
            Some(r#"{"value":"better feed"}"#),
        )
        .await;
    u.assert_success(200);
    assert_eq!(u.json["data"]["attribute"]["value"], "better feed");
    // The legacy SDK sends attribute label paths with a literal colon (tc-v2-wire.md §2).
    app.call(
        &app.writer,
        "POST",
        &format!("{base}/securityLabels/TLP:RED"),
        None,
    )
    .await
    .assert_success(201);
    let l = app
        .get(&app.writer, &format!("{base}/securityLabels"))
        .await;
    assert_eq!(l.json["data"]["securityLabel"][0]["name"], "TLP:RED");
    app.get(&app.writer, &format!("{base}/securityLabels/TLP%3ARED"))
        .await
        .assert_success(200);
    app.call(
        &app.writer,
        "DELETE",
        &format!("{base}/securityLabels/TLP:RED"),
        None,
    )
    .await
    .assert_success(200);
    app.call(&app.writer, "DELETE", &base, None)
        .await
        .assert_success(200);
    app.get(&app.writer, &base)
        .await
        .assert_failure(404, "not found");
    let list = app
        .get(
            &app.writer,
            &format!("/v2/groups/incidents/{id}/attributes"),
        )
        .await;
    assert_eq!(list.json["data"]["attribute"], serde_json::json!([]));
}
