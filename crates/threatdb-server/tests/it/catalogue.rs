//! Listing an owner's groups of a type, indicators, victims and tasks.

use crate::associations::graph;
use crate::helpers::*;

crate::on_both_stores!(
    lists_per_type_and_owner,
    tags_on_groups_and_indicators,
    groups_of_every_type,
    attributes_on_groups_and_indicators,
    updates_of_groups_victims_and_tasks
);

fn names(r: &Reply, key: &str, field: &str) -> Vec<String> {
    r.assert_success(200);
    r.json["data"][key]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", r.json))
        .iter()
        .map(|i| i[field].as_str().unwrap().to_string())
        .collect()
}

async fn lists_per_type_and_owner(app: TestApp) {
    let gr = graph(&app).await;
    let r = app.get(&app.reader, "/v2/groups/adversaries").await;
    assert_eq!(names(&r, "adversary", "name"), vec!["Bear"]);
    assert_eq!(r.json["data"]["resultCount"], 1);
    assert_eq!(r.json["data"]["adversary"][0]["id"], gr.adv);
    assert_eq!(r.json["data"]["adversary"][0]["ownerName"], ORG);
    let r = app.get(&app.reader, "/v2/groups/documents").await;
    let doc = &r.json["data"]["document"][0];
    assert_eq!(doc["fileName"], "d.pdf");
    let r = app.get(&app.reader, "/v2/victims").await;
    assert_eq!(names(&r, "victim", "name"), vec!["Bank"]);
    let r = app.get(&app.reader, "/v2/tasks").await;
    assert_eq!(names(&r, "task", "name"), vec!["Triage"]);
    let r = app.get(&app.reader, "/v2/indicators").await;
    assert_eq!(r.json["data"]["resultCount"], 5);
    let r = app.get(&app.reader, "/v2/indicators/hosts").await;
    assert_eq!(names(&r, "host", "summary"), vec!["evil.test"]);
    let r = app
        .get(&app.reader, "/v2/indicators?resultStart=4&resultLimit=10")
        .await;
    assert_eq!(r.json["data"]["indicator"].as_array().unwrap().len(), 1);
    // Another owner's lists are empty; an owner the caller is not in is refused.
    let r = app.get(&app.outsider, "/v2/groups/adversaries").await;
    assert!(names(&r, "adversary", "name").is_empty());
    let r = app
        .get(&app.reader, "/v2/groups/adversaries?owner=Other+Org")
        .await;
    r.assert_failure(403, "Access Denied");
    app.get(&app.reader, "/v2/groups/bears")
        .await
        .assert_failure(404, "");
    app.get(&app.reader, "/v2/indicators/bears")
        .await
        .assert_failure(404, "");
    // The rest of the spec's group types.
    for (branch, key) in [("malware", "malware"), ("attackPatterns", "attackPattern")] {
        let path = format!("/v2/groups/{branch}");
        let r = app
            .call(&app.writer, "POST", &path, Some(r#"{"name":"M"}"#))
            .await;
        r.assert_success(201);
        let id = r.json["data"][key]["id"].as_i64().unwrap();
        let r = app.get(&app.reader, &format!("{path}/{id}")).await;
        assert_eq!(r.json["data"][key]["name"], "M");
    }
}

async fn tags_on_groups_and_indicators(app: TestApp) {
    let gr = graph(&app).await;
    let adv = format!("/v2/groups/adversaries/{}", gr.adv);
    for base in [adv.as_str(), "/v2/indicators/hosts/Evil.Test"] {
        for _ in 0..2 {
            let r = app
                .call(&app.writer, "POST", &format!("{base}/tags/APT29"), None)
                .await;
            r.assert_success(201);
        }
        let r = app
            .call(
                &app.writer,
                "POST",
                &format!("{base}/tags/Nation%20State"),
                None,
            )
            .await;
        r.assert_success(201);
        let r = app.get(&app.reader, &format!("{base}/tags")).await;
        assert_eq!(names(&r, "tag", "name"), vec!["APT29", "Nation State"]);
        let r = app.get(&app.reader, &format!("{base}/tags/apt29")).await;
        assert_eq!(r.json["data"]["tag"]["name"], "APT29");
        let r = app
            .call(&app.reader, "POST", &format!("{base}/tags/X"), None)
            .await;
        r.assert_failure(403, "");
        app.get(&app.outsider, &format!("{base}/tags"))
            .await
            .assert_failure(404, "");
        let del = format!("{base}/tags/nation%20state");
        app.call(&app.writer, "DELETE", &del, None)
            .await
            .assert_success(200);
        app.call(&app.writer, "DELETE", &del, None)
            .await
            .assert_failure(404, "");
    }
    // Security labels, the same way.
    for base in [adv.as_str(), "/v2/indicators/hosts/Evil.Test"] {
        let label = format!("{base}/securityLabels/TLP%3AAMBER");
        for _ in 0..2 {
            let r = app.call(&app.writer, "POST", &label, None).await;
            r.assert_success(201);
        }
        let r = app
            .get(&app.reader, &format!("{base}/securityLabels"))
            .await;
        assert_eq!(names(&r, "securityLabel", "name"), vec!["TLP:AMBER"]);
        let r = app
            .get(&app.reader, &format!("{base}/securityLabels/tlp%3Aamber"))
            .await;
        assert_eq!(r.json["data"]["securityLabel"]["name"], "TLP:AMBER");
        let bogus = format!("{base}/securityLabels/TLP%3APLAID");
        let r = app.call(&app.writer, "POST", &bogus, None).await;
        r.assert_failure(400, "does not exist");
        let r = app.call(&app.reader, "POST", &label, None).await;
        r.assert_failure(403, "");
        app.get(&app.outsider, &format!("{base}/securityLabels"))
            .await
            .assert_failure(404, "");
        app.call(&app.writer, "DELETE", &label, None)
            .await
            .assert_success(200);
        app.call(&app.writer, "DELETE", &label, None)
            .await
            .assert_failure(404, "");
    }
    // The tags are the owner's.
    let r = app.get(&app.reader, "/v2/tags").await;
    assert!(names(&r, "tag", "name").contains(&"APT29".to_string()));
}

async fn groups_of_every_type(app: TestApp) {
    let gr = graph(&app).await;
    let types = |r: &Reply| names(r, "group", "type");
    let r = app.get(&app.reader, "/v2/groups").await;
    assert_eq!(r.json["data"]["resultCount"], 10);
    let want = [
        "Incident",
        "Incident",
        "Incident",
        "Incident",
        "Adversary",
        "Campaign",
        "Document",
        "Email",
        "Signature",
        "Threat",
    ];
    assert_eq!(types(&r), want);
    // Pages across the boundary, and past the incidents.
    let r = app
        .get(&app.reader, "/v2/groups?resultStart=3&resultLimit=3")
        .await;
    assert_eq!(types(&r), ["Incident", "Adversary", "Campaign"]);
    assert_eq!(r.json["data"]["group"][0]["id"], gr.i[3]);
    assert_eq!(r.json["data"]["group"][1]["id"], gr.adv);
    let r = app
        .get(&app.reader, "/v2/groups?resultStart=6&resultLimit=10")
        .await;
    assert_eq!(types(&r), ["Document", "Email", "Signature", "Threat"]);
    let r = app
        .get(&app.reader, "/v2/groups?resultStart=12&resultLimit=10")
        .await;
    assert!(types(&r).is_empty());
    // filters= applies to incidents, so a filtered list holds incidents only.
    let r = app
        .get(&app.reader, "/v2/groups?filters=name%3DOrg+incident+1")
        .await;
    assert_eq!(types(&r), ["Incident"]);
    assert_eq!(r.json["data"]["resultCount"], 1);
    // The community holds one incident and nothing else.
    let r = app
        .get(&app.admin, "/v2/groups?owner=Example+Community")
        .await;
    assert_eq!(types(&r), ["Incident"]);
}

async fn attributes_on_groups_and_indicators(app: TestApp) {
    let gr = graph(&app).await;
    let adv = format!("/v2/groups/adversaries/{}", gr.adv);
    for base in [adv.as_str(), "/v2/indicators/hosts/evil.test"] {
        let list = format!("{base}/attributes");
        let body = r#"{"type":"Description","value":"Seen at 3am"}"#;
        let r = app.call(&app.writer, "POST", &list, Some(body)).await;
        r.assert_success(201);
        let aid = r.json["data"]["attribute"]["id"].as_i64().unwrap();
        let r = app.get(&app.reader, &list).await;
        assert_eq!(names(&r, "attribute", "value"), vec!["Seen at 3am"]);
        let one = format!("{list}/{aid}");
        let r = app
            .call(&app.writer, "PUT", &one, Some(r#"{"value":"Seen at 4am"}"#))
            .await;
        r.assert_success(200);
        let r = app.get(&app.reader, &one).await;
        assert_eq!(r.json["data"]["attribute"]["value"], "Seen at 4am");
        let r = app
            .call(
                &app.writer,
                "POST",
                &list,
                Some(r#"{"type":"No Such Type","value":"x"}"#),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.json);
        let r = app.call(&app.reader, "POST", &list, Some(body)).await;
        r.assert_failure(403, "");
        app.get(&app.outsider, &list).await.assert_failure(404, "");
        app.call(&app.writer, "DELETE", &one, None)
            .await
            .assert_success(200);
        app.get(&app.reader, &one).await.assert_failure(404, "");
    }
}

async fn updates_of_groups_victims_and_tasks(app: TestApp) {
    let gr = graph(&app).await;
    let doc = gr
        .items
        .iter()
        .find(|(p, _)| p.ends_with("documents"))
        .unwrap()
        .1;
    let vic = gr
        .items
        .iter()
        .find(|(p, _)| p.ends_with("victims"))
        .unwrap()
        .1;
    let path = format!("/v2/groups/documents/{doc}");
    let body = r#"{"name":"Doc 2","fileName":"c.pdf","malware":true}"#;
    let r = app.call(&app.writer, "PUT", &path, Some(body)).await;
    r.assert_success(200);
    let got = &r.json["data"]["document"];
    assert_eq!(
        (got["name"].clone(), got["fileName"].clone()),
        ("Doc 2".into(), "c.pdf".into())
    );
    assert_eq!(got["malware"], true);
    // Only what is sent changes.
    let r = app
        .call(&app.writer, "PUT", &path, Some(r#"{"malware":false}"#))
        .await;
    let got = &r.json["data"]["document"];
    assert_eq!(
        (got["name"].clone(), got["malware"].clone()),
        ("Doc 2".into(), false.into())
    );
    let r = app
        .call(&app.writer, "PUT", &path, Some(r#"{"fileName":""}"#))
        .await;
    r.assert_failure(400, "fileName is required");
    let r = app.call(&app.reader, "PUT", &path, Some(body)).await;
    r.assert_failure(403, "");
    let r = app.call(&app.outsider, "PUT", &path, Some(body)).await;
    r.assert_failure(404, "");
    let r = app
        .call(
            &app.writer,
            "PUT",
            &format!("/v2/victims/{vic}"),
            Some(r#"{"name":"Bank 2","nationality":"Utopian"}"#),
        )
        .await;
    r.assert_success(200);
    assert_eq!(r.json["data"]["victim"]["nationality"], "Utopian");
    let r = app.get(&app.reader, &format!("/v2/victims/{vic}")).await;
    assert_eq!(r.json["data"]["victim"]["name"], "Bank 2");
}
