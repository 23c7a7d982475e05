//! Associations over HTTP: a small graph, every reverse look-up, the association listings, and
//! authorization (a link to another owner's item leaks nothing).

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(
    reverse_look_ups_return_exactly_the_linked_incidents,
    associations_listed_idempotent_and_removed_with_their_ends,
    links_to_other_owners_leak_nothing
);

/// The ids of a listing's `incident` items.
fn incident_ids(r: &Reply) -> Vec<i64> {
    r.assert_success(200);
    let mut ids: Vec<i64> = r.json["data"]["incident"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", r.json))
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

async fn post(app: &TestApp, who: &Creds, target: &str, body: Value) -> Value {
    let r = app.call(who, "POST", target, Some(&body.to_string())).await;
    r.assert_success(201);
    r.json["data"].clone()
}

async fn group(app: &TestApp, who: &Creds, owner: &str, branch: &str, body: Value) -> i64 {
    let data = post(
        app,
        who,
        &format!("/v2/groups/{branch}?owner={owner}"),
        body,
    )
    .await;
    let item = data.as_object().unwrap().values().next().unwrap();
    item["id"].as_i64().unwrap()
}

async fn link(app: &TestApp, who: &Creds, target: &str) {
    let r = app.call(who, "POST", target, None).await;
    r.assert_success(201);
}

/// The graph: ids of the ORG incidents, the community incident and the named items.
pub(crate) struct Graph {
    pub i: [i64; 4],
    pub c1: i64,
    pub adv: i64,
    pub items: Vec<(&'static str, i64)>,
}

pub(crate) async fn graph(app: &TestApp) -> Graph {
    let a = &app.admin;
    let org = ORG.replace(' ', "+");
    let mut i = [0; 4];
    for (n, slot) in i.iter_mut().enumerate() {
        *slot = app
            .create_incident(a, ORG, &format!("Org incident {n}"))
            .await;
    }
    let c1 = app
        .create_incident(a, COMMUNITY, "Community incident")
        .await;
    let adv = group(app, a, &org, "adversaries", json!({"name": "Bear"})).await;
    let camp = group(app, a, &org, "campaigns", json!({"name": "Camp"})).await;
    let doc = group(
        app,
        a,
        &org,
        "documents",
        json!({"name": "Doc", "fileName": "d.pdf"}),
    )
    .await;
    let email = json!({"name": "Mail", "subject": "s", "header": "h", "body": "b"});
    let em = group(app, a, &org, "emails", email).await;
    let signature =
        json!({"name": "Sig", "fileName": "s.yar", "fileType": "YARA", "fileText": "rule x {}"});
    let sig = group(app, a, &org, "signatures", signature).await;
    let thr = group(app, a, &org, "threats", json!({"name": "Threat"})).await;
    let vic = post(
        app,
        a,
        &format!("/v2/victims?owner={org}"),
        json!({"name": "Bank"}),
    )
    .await;
    let vic = vic["victim"]["id"].as_i64().unwrap();
    let task = post(
        app,
        a,
        &format!("/v2/tasks?owner={org}"),
        json!({"name": "Triage"}),
    )
    .await;
    let task = task["task"]["id"].as_i64().unwrap();
    for (kind, body) in [
        ("addresses", json!({"ip": "10.0.0.1"})),
        ("emailAddresses", json!({"address": "bad@Evil.test"})),
        ("files", json!({"md5": "D41D8CD98F00B204E9800998ECF8427E"})),
        ("hosts", json!({"hostName": "Evil.Test"})),
        ("urls", json!({"text": "http://evil.test/x"})),
    ] {
        post(app, a, &format!("/v2/indicators/{kind}?owner={org}"), body).await;
    }
    let g = |id: i64| format!("/v2/groups/incidents/{id}");
    // Both path forms and both sides.
    link(app, a, &format!("{}/groups/adversaries/{adv}", g(i[0]))).await;
    link(
        app,
        a,
        &format!("/v2/groups/adversaries/{adv}/groups/incidents/{}", i[1]),
    )
    .await;
    link(app, a, &format!("{}/groups/adversaries/{adv}", g(c1))).await;
    link(app, a, &format!("{}/groups/campaigns/{camp}", g(i[0]))).await;
    link(app, a, &format!("{}/groups/documents/{doc}", g(i[2]))).await;
    link(app, a, &format!("{}/groups/emails/{em}", g(i[2]))).await;
    link(app, a, &format!("{}/groups/signatures/{sig}", g(i[3]))).await;
    link(app, a, &format!("{}/groups/threats/{thr}", g(i[3]))).await;
    link(app, a, &format!("{}/groups/incidents/{}", g(i[1]), i[2])).await;
    link(
        app,
        a,
        &format!("/v2/indicators/hosts/evil.test/groups/incidents/{}", i[0]),
    )
    .await;
    link(
        app,
        a,
        &format!("{}/indicators/addresses/10.0.0.1", g(i[1])),
    )
    .await;
    link(
        app,
        a,
        &format!("{}/indicators/emailAddresses/bad%40evil.test", g(i[2])),
    )
    .await;
    let md5 = "d41d8cd98f00b204e9800998ecf8427e";
    link(
        app,
        a,
        &format!("/v2/indicators/files/{md5}/groups/incidents/{}", i[3]),
    )
    .await;
    link(
        app,
        a,
        &format!("{}/indicators/urls/http%3A%2F%2Fevil.test%2Fx", g(i[0])),
    )
    .await;
    link(app, a, &format!("{}/victims/{vic}", g(i[1]))).await;
    link(app, a, &format!("{}/tasks/{task}", g(i[2]))).await;
    Graph {
        i,
        c1,
        adv,
        items: vec![
            ("groups/adversaries", adv),
            ("groups/campaigns", camp),
            ("groups/documents", doc),
            ("groups/emails", em),
            ("groups/signatures", sig),
            ("groups/threats", thr),
            ("victims", vic),
            ("tasks", task),
        ],
    }
}

async fn reverse_look_ups_return_exactly_the_linked_incidents(app: TestApp) {
    let gr = graph(&app).await;
    let [i0, i1, i2, i3] = gr.i;
    let expected: Vec<(String, Vec<i64>)> = gr
        .items
        .iter()
        .zip([
            vec![i0, i1],
            vec![i0],
            vec![i2],
            vec![i2],
            vec![i3],
            vec![i3],
            vec![i1],
            vec![i2],
        ])
        .map(|((path, id), want)| (format!("/v2/{path}/{id}/groups/incidents"), want))
        .chain([
            (
                format!("/v2/groups/incidents/{i1}/groups/incidents"),
                vec![i2],
            ),
            (
                format!("/v2/groups/incidents/{i2}/groups/incidents"),
                vec![i1],
            ),
            (
                "/v2/indicators/hosts/EVIL.test/groups/incidents".into(),
                vec![i0],
            ),
            (
                "/v2/indicators/addresses/10.0.0.1/groups/incidents".into(),
                vec![i1],
            ),
            (
                "/v2/indicators/emailAddresses/bad%40EVIL.test/groups/incidents".into(),
                vec![i2],
            ),
            (
                "/v2/indicators/files/D41D8CD98F00B204E9800998ECF8427E/groups/incidents".into(),
                vec![i3],
            ),
            (
                "/v2/indicators/urls/http%3A%2F%2Fevil.test%2Fx/groups/incidents".into(),
                vec![i0],
            ),
        ])
        .collect();
    for (path, want) in &expected {
        for who in [&app.writer, &app.reader] {
            assert_eq!(&incident_ids(&app.get(who, path).await), want, "{path}");
        }
        // In the organization explicitly: the same for the admin.
        let sep = if path.contains('?') { '&' } else { '?' };
        let in_org = format!("{path}{sep}owner=Example+Organization");
        assert_eq!(
            &incident_ids(&app.get(&app.admin, &in_org).await),
            want,
            "{in_org}"
        );
    }
    // owner=: the community's incidents linked to the same adversary.
    let adv = format!("/v2/groups/adversaries/{}/groups/incidents", gr.adv);
    let r = app
        .get(&app.admin, &format!("{adv}?owner=Example+Community"))
        .await;
    assert_eq!(incident_ids(&r), vec![gr.c1]);
    // filters= and paging on a reverse look-up.
    let r = app
        .get(&app.admin, &format!("{adv}?filters=name%3DOrg+incident+1"))
        .await;
    assert_eq!(incident_ids(&r), vec![i1]);
    let r = app
        .get(&app.admin, &format!("{adv}?resultStart=1&resultLimit=1"))
        .await;
    assert_eq!(incident_ids(&r), vec![i1]);
    let r = app
        .get(&app.admin, &format!("{adv}?resultStart=0&resultLimit=1"))
        .await;
    assert_eq!(r.json["data"]["resultCount"], 3);
    // Without owner=, every owner the caller reads: the admin reads both.
    let r = app.get(&app.admin, &adv).await;
    assert_eq!(incident_ids(&r), vec![i0, i1, gr.c1]);
    let r = app
        .get(&app.admin, &format!("{adv}?resultStart=2&resultLimit=5"))
        .await;
    assert_eq!(incident_ids(&r), vec![gr.c1]);
    // Unknown targets are 404.
    for path in [
        "/v2/groups/adversaries/999999/groups/incidents".to_string(),
        format!("/v2/groups/campaigns/{}/groups/incidents", gr.adv),
        "/v2/indicators/hosts/nowhere.test/groups/incidents".into(),
        "/v2/indicators/hosts/not%20a%20host/groups/incidents".into(),
        "/v2/victims/999999/groups/incidents".into(),
    ] {
        app.get(&app.admin, &path).await.assert_failure(404, "");
    }
}

async fn associations_listed_idempotent_and_removed_with_their_ends(app: TestApp) {
    let gr = graph(&app).await;
    let [i0, i1, ..] = gr.i;
    let g0 = format!("/v2/groups/incidents/{i0}");
    let r = app.get(&app.reader, &format!("{g0}/groups")).await;
    r.assert_success(200);
    let groups = r.json["data"]["group"].as_array().unwrap();
    let types: Vec<&str> = groups.iter().map(|g| g["type"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["Adversary", "Campaign"]);
    assert_eq!(r.json["data"]["resultCount"], 2);
    let r = app.get(&app.reader, &format!("{g0}/indicators")).await;
    let inds = r.json["data"]["indicator"].as_array().unwrap();
    let summaries: Vec<&str> = inds
        .iter()
        .map(|i| i["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, vec!["evil.test", "http://evil.test/x"]);
    assert_eq!(inds[0]["hostName"], "evil.test");
    let r = app
        .get(&app.reader, &format!("{g0}/indicators/hosts"))
        .await;
    assert_eq!(r.json["data"]["host"][0]["summary"], "evil.test");
    let g1 = format!("/v2/groups/incidents/{i1}");
    let r = app.get(&app.reader, &format!("{g1}/victims")).await;
    let victim = &r.json["data"]["victim"][0];
    assert_eq!(victim["name"], "Bank");
    assert!(victim["webLink"].as_str().unwrap().starts_with("http"));
    let vid = victim["id"].as_i64().unwrap();
    app.get(&app.reader, &format!("{g1}/victims/{vid}"))
        .await
        .assert_success(200);
    app.get(&app.reader, &format!("{g0}/victims/{vid}"))
        .await
        .assert_failure(404, "");
    let adv = format!("{g0}/groups/adversaries/{}", gr.adv);
    let r = app.get(&app.reader, &adv).await;
    assert_eq!(r.json["data"]["adversary"]["name"], "Bear");
    // Idempotent create; reader may not link; delete once, then 404.
    link(&app, &app.writer, &adv).await;
    app.call(&app.reader, "DELETE", &adv, None)
        .await
        .assert_failure(403, "");
    app.call(&app.writer, "DELETE", &adv, None)
        .await
        .assert_success(200);
    app.call(&app.writer, "DELETE", &adv, None)
        .await
        .assert_failure(404, "");
    link(&app, &app.writer, &adv).await;
    // Deleting the adversary and the host removes their associations.
    let adv_path = format!("/v2/groups/adversaries/{}", gr.adv);
    let r = app.call(&app.admin, "DELETE", &adv_path, None).await;
    r.assert_success(200);
    let host_path = "/v2/indicators/hosts/evil.test";
    let r = app.call(&app.admin, "DELETE", host_path, None).await;
    r.assert_success(200);
    let r = app.get(&app.reader, &format!("{g0}/groups")).await;
    assert_eq!(r.json["data"]["group"].as_array().unwrap().len(), 1);
    let r = app.get(&app.reader, &format!("{g0}/indicators")).await;
    assert_eq!(r.json["data"]["indicator"].as_array().unwrap().len(), 1);
    let gone = format!("/v2/groups/adversaries/{}", gr.adv);
    app.get(&app.reader, &gone).await.assert_failure(404, "");
    // Required fields per type.
    let r = app
        .call(
            &app.admin,
            "POST",
            "/v2/groups/documents",
            Some(r#"{"name":"x"}"#),
        )
        .await;
    r.assert_failure(400, "fileName is required");
    let r = app
        .call(
            &app.admin,
            "POST",
            "/v2/indicators/files",
            Some(r#"{"md5":"xyz"}"#),
        )
        .await;
    r.assert_failure(400, "hash");
}

async fn links_to_other_owners_leak_nothing(app: TestApp) {
    let gr = graph(&app).await;
    let [i0, ..] = gr.i;
    let theirs = group(
        &app,
        &app.outsider,
        "Other+Org",
        "adversaries",
        json!({"name": "Hidden"}),
    )
    .await;
    let their_incident = app.create_incident(&app.outsider, OTHER, "Theirs").await;
    let g0 = format!("/v2/groups/incidents/{i0}");
    // Linking to an item the caller cannot read is 404, both ways.
    let r = app
        .call(
            &app.admin,
            "POST",
            &format!("{g0}/groups/adversaries/{theirs}"),
            None,
        )
        .await;
    r.assert_failure(404, "");
    let r = app
        .call(
            &app.outsider,
            "POST",
            &format!(
                "/v2/groups/incidents/{their_incident}/groups/adversaries/{}",
                gr.adv
            ),
            None,
        )
        .await;
    r.assert_failure(404, "");
    // The outsider sees nothing of the org's graph.
    for path in [
        format!("{g0}/groups"),
        format!("{g0}/indicators"),
        format!("/v2/groups/adversaries/{}/groups/incidents", gr.adv),
        format!("/v2/groups/adversaries/{}", gr.adv),
        "/v2/indicators/hosts/evil.test".into(),
    ] {
        app.get(&app.outsider, &path).await.assert_failure(404, "");
    }
    // The outsider's own look-up of the same value finds only its own owner's (none).
    let r = app
        .get(
            &app.outsider,
            "/v2/indicators/hosts/evil.test/groups/incidents",
        )
        .await;
    r.assert_failure(404, "");
    // A community adversary linked (by the admin) to an org incident: the writer, who cannot
    // read the community, neither sees it in the listing nor can look it up.
    let c = group(
        &app,
        &app.admin,
        "Example+Community",
        "adversaries",
        json!({"name": "C"}),
    )
    .await;
    link(&app, &app.admin, &format!("{g0}/groups/adversaries/{c}")).await;
    let r = app.get(&app.writer, &format!("{g0}/groups")).await;
    let ids: Vec<i64> = r.json["data"]["group"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_i64().unwrap())
        .collect();
    assert!(!ids.contains(&c), "{ids:?}");
    assert_eq!(r.json["data"]["resultCount"], 2);
    let r = app
        .get(
            &app.writer,
            &format!("/v2/groups/adversaries/{c}/groups/incidents"),
        )
        .await;
    r.assert_failure(404, "");
    let r = app
        .get(
            &app.admin,
            &format!("/v2/groups/adversaries/{c}/groups/incidents"),
        )
        .await;
    assert_eq!(incident_ids(&r), vec![i0]);
}
