//! The incident page (the `webLink`), its edits, the create form, the tag page, and what
//! people of other owners and roles get.

use super::{admin, person};
use crate::helpers::{COMMUNITY, ORG, TestApp};
use crate::on_both_stores;

/// The id in a `/incidents/{id}` redirect.
fn created_id(location: &str) -> i64 {
    location
        .strip_prefix("/incidents/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an incident page: {location}"))
}

async fn create_edit_and_delete_through_forms(app: TestApp) {
    let mut b = admin(&app).await;
    let form = b.get("/incidents/new").await;
    form.assert_page(200);
    form.assert_contains("<option selected>Example Organization</option>");
    let csrf = form.csrf();
    let made = b
        .post(
            "/incidents",
            &[
                ("csrf", &csrf),
                ("owner", COMMUNITY),
                ("name", "  Web-made incident  "),
                ("eventDate", "2017-7-13T00:00:00-04:00"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let id = created_id(made.location());

    // The API sees it, and its webLink is this page.
    let api = app
        .get(
            &app.admin,
            &format!("/v2/groups/incidents/{id}?owner=Example+Community&includeAdditional=true"),
        )
        .await;
    api.assert_success(200);
    let inc = &api.json["data"]["incident"];
    assert_eq!(inc["name"], "Web-made incident");
    assert_eq!(inc["eventDate"], "2017-07-13T04:00:00Z");
    assert_eq!(inc["status"], "Open");
    // Its history says it was made through the web UI, by the person signed in, in the request
    // the form was posted in.
    let history = app
        .get(&app.admin, &format!("/v3/groups/{id}/history"))
        .await;
    assert_eq!(history.status, 200, "{}", history.json);
    let change = &history.json["data"][0];
    assert_eq!(change["field"], "created");
    assert_eq!(change["via"], "web");
    assert_eq!(change["user"], "Administrator");
    assert_eq!(
        change["requestId"].as_str(),
        made.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
    );
    let link = inc["webLink"].as_str().unwrap();
    assert_eq!(link, format!("{}/incidents/{id}", app.origin));
    let path = link.strip_prefix(&app.origin).unwrap();

    let page = b.get(path).await;
    page.assert_page(200);
    for needle in [
        "<h1>Web-made incident</h1>",
        "status-open",
        "<dd>Example Community</dd>",
        "<dd>2017-07-13 04:00</dd>",
        "<dd>Administrator</dd>",
        "Associations",
    ] {
        page.assert_contains(needle);
    }

    // Attributes: a Source first, then a Description, which is shown first all the same.
    for (kind, value, displayed) in [
        ("Source", "a partner", false),
        ("Description", "What happened,\non two lines", true),
    ] {
        let mut form = vec![("csrf", csrf.as_str()), ("type", kind), ("value", value)];
        if displayed {
            form.push(("displayed", "true"));
        }
        b.post(&format!("/incidents/{id}/attributes"), &form)
            .await
            .assert_redirect(&format!("/incidents/{id}#attributes"));
    }
    for (path, field, value) in [
        ("tags", "tag", "Nation State"),
        ("tags", "tag", "nation state"),
        ("tags", "tag", "APT29"),
        ("labels", "label", "TLP Green"),
    ] {
        b.post(
            &format!("/incidents/{id}/{path}"),
            &[("csrf", &csrf), (field, value)],
        )
        .await
        .assert_redirect(&format!("/incidents/{id}#{path}"));
    }
    let page = b.get(path).await;
    let description = page.body.find("<h3>Description</h3>").unwrap();
    let source = page.body.find("<h3>Source</h3>").unwrap();
    assert!(description < source, "Description comes first");
    page.assert_contains("What happened,\non two lines");
    page.assert_contains(r#"<a class="tag" href="/tags/Nation%20State">Nation State</a>"#);
    page.assert_contains(r#"<a class="tag" href="/tags/APT29">APT29</a>"#);
    page.assert_contains(r#"<span class="badge tlp-green""#);
    page.assert_contains(">TLP:GREEN</span>");
    let tags = app
        .get(
            &app.admin,
            &format!("/v2/groups/incidents/{id}/tags?owner=Example+Community"),
        )
        .await;
    assert_eq!(
        tags.json["data"]["resultCount"], 2,
        "tag identity as in the API"
    );

    // Edit status, then a refused edit shows the API's message and keeps what was typed.
    b.post(
        &format!("/incidents/{id}/edit"),
        &[
            ("csrf", &csrf),
            ("name", "Web-made incident"),
            ("status", "Closed"),
            ("eventDate", "2017-07-13T04:00:00Z"),
        ],
    )
    .await
    .assert_redirect(&format!("/incidents/{id}#details"));
    b.get(path).await.assert_contains("status-closed");
    let refused = b
        .post(
            &format!("/incidents/{id}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "kept as typed"),
                ("status", "Bogus"),
                ("eventDate", "2017-07-13"),
            ],
        )
        .await;
    refused.assert_page(400);
    refused.assert_contains("&#39;Bogus&#39; is not a valid incident status");
    refused.assert_contains(r#"value="kept as typed""#);
    for (fields, message) in [
        (vec![("name", "   ")], "name must not be empty"),
        (
            vec![("eventDate", "yesterday")],
            "eventDate is required for an Incident: &#39;yesterday&#39; is not a valid date",
        ),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let page = b.post(&format!("/incidents/{id}/edit"), &form).await;
        page.assert_page(400);
        page.assert_contains(message);
    }
    for (path2, form, message) in [
        ("tags", vec![("tag", "  ")], "a tag name must not be empty"),
        (
            "labels",
            vec![("label", "TLP:PURPLE")],
            "Security label &#39;TLP:PURPLE&#39; does not exist",
        ),
        (
            "attributes",
            vec![("type", "Nope"), ("value", "x")],
            "attribute type &#39;Nope&#39; does not exist",
        ),
        (
            "attributes",
            vec![("type", "Title"), ("value", "")],
            "a Title attribute needs a value",
        ),
    ] {
        let mut f = vec![("csrf", csrf.as_str())];
        f.extend(form);
        let page = b.post(&format!("/incidents/{id}/{path2}"), &f).await;
        page.assert_page(400);
        page.assert_contains(message);
    }

    // Remove a tag, the label and an attribute.
    b.post(
        &format!("/incidents/{id}/tags/remove"),
        &[("csrf", &csrf), ("tag", "apt29")],
    )
    .await
    .assert_redirect(&format!("/incidents/{id}#tags"));
    b.post(
        &format!("/incidents/{id}/labels/remove"),
        &[("csrf", &csrf), ("label", "TLP:GREEN")],
    )
    .await
    .assert_redirect(&format!("/incidents/{id}#labels"));
    let attrs = app
        .get(
            &app.admin,
            &format!("/v2/groups/incidents/{id}/attributes?owner=Example+Community"),
        )
        .await;
    let source_id = attrs.json["data"]["attribute"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "Source")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    b.post(
        &format!("/incidents/{id}/attributes/{source_id}/delete"),
        &[("csrf", &csrf)],
    )
    .await
    .assert_redirect(&format!("/incidents/{id}#attributes"));
    let page = b.get(path).await;
    assert!(!page.body.contains("APT29") && !page.body.contains(">TLP:GREEN</span>"));
    assert!(!page.body.contains("<h3>Source</h3>"));

    // Delete, after a confirmation page.
    let confirm = b.get(&format!("/incidents/{id}/delete")).await;
    confirm.assert_page(200);
    confirm.assert_contains("This cannot be undone");
    b.post(&format!("/incidents/{id}/delete"), &[("csrf", &csrf)])
        .await
        .assert_redirect(&format!("/incidents?owner=Example+Community&deleted={id}"));
    let list = b
        .get(&format!("/incidents?owner=Example+Community&deleted={id}"))
        .await;
    list.assert_contains(&format!("Incident {id} was deleted."));
    b.get(path).await.assert_page(404);
    app.get(
        &app.admin,
        &format!("/v2/groups/incidents/{id}?owner=Example+Community"),
    )
    .await
    .assert_failure(404, "not found");
}

async fn the_create_form_speaks_the_api_s_messages(app: TestApp) {
    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    let cases: [(&str, &str, &str, &str); 5] = [
        ("", "2020-01-01", "", "name must not be empty"),
        ("x", "", "", "eventDate is required for an Incident"),
        (
            "x",
            "2020-13-01",
            "",
            "eventDate is required for an Incident: &#39;2020-13-01&#39; is not a valid date",
        ),
        (
            "x",
            "2020-01-01",
            "Bogus",
            "is not a valid incident status: use one of New, Open",
        ),
        (
            &"n".repeat(256),
            "2020-01-01",
            "",
            "name is 256 characters long: the limit is 255",
        ),
    ];
    for (name, date, status, message) in cases {
        let page = b
            .post(
                "/incidents",
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("eventDate", date),
                    ("status", status),
                ],
            )
            .await;
        page.assert_page(400);
        page.assert_contains(message);
        // The same input through the API gives the same message.
        let mut body = serde_json::json!({"name": name, "status": status});
        if !date.is_empty() {
            body["eventDate"] = date.into();
        }
        if status.is_empty() {
            body.as_object_mut().unwrap().remove("status");
        }
        let api = app
            .call(
                &app.admin,
                "POST",
                "/v2/groups/incidents",
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(api.status, 400);
        assert!(
            message.replace("&#39;", "'").contains(api.message())
                || api.message().contains(&message.replace("&#39;", "'")),
            "web {message:?} vs API {:?}",
            api.message()
        );
    }
    // An owner the person cannot write to.
    let page = b
        .post(
            "/incidents",
            &[
                ("csrf", &csrf),
                ("owner", "Other Org"),
                ("name", "x"),
                ("eventDate", "2020-01-01"),
            ],
        )
        .await;
    page.assert_page(400);
    page.assert_contains("You are not a member of an owner named &#39;Other Org&#39;");
    assert_eq!(
        app.get(&app.admin, "/v2/groups/incidents").await.json["data"]["resultCount"],
        0,
        "nothing was created"
    );
}

async fn hostile_text_is_escaped_everywhere(app: TestApp) {
    let name = r#"<script>alert("name")</script>"#;
    let id = app.create_incident(&app.admin, ORG, name).await;
    let tag = "<script>alert('tag')</script>";
    let encoded: String =
        percent_encoding::utf8_percent_encode(tag, percent_encoding::NON_ALPHANUMERIC).collect();
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/{encoded}"),
        None,
    )
    .await
    .assert_success(201);
    let attr = serde_json::json!({"type": "Description", "value": "<img src=x onerror=alert(1)>\"'&", "displayed": true});
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/attributes"),
        Some(&attr.to_string()),
    )
    .await
    .assert_success(201);

    let mut b = admin(&app).await;
    for path in [
        format!("/incidents/{id}"),
        "/incidents".to_string(),
        format!("/incidents?q=%3Cscript%3E&tag={encoded}"),
        format!("/tags/{encoded}"),
        format!("/incidents/{id}/delete"),
    ] {
        let page = b.get(&path).await;
        page.assert_page(200);
        assert!(!page.body.contains("<script"), "{path}");
        assert!(!page.body.contains("<img"), "{path}");
        assert!(
            page.body.contains("&#60;script&#62;"),
            "{path}: {}",
            page.body
        );
    }
    let page = b.get(&format!("/incidents/{id}")).await;
    page.assert_contains("&#60;img src=x onerror=alert(1)&#62;&#34;&#39;&#38;");
    page.assert_contains(r#"<a class="tag" href="/tags/%3Cscript%3E"#);
}

async fn other_owners_and_read_only_roles(app: TestApp) {
    let mine = app.create_incident(&app.admin, ORG, "org secret").await;
    let theirs = app
        .create_incident(&app.outsider, "Other Org", "other secret")
        .await;
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{mine}/tags/Shared"),
        None,
    )
    .await
    .assert_success(201);

    // Another owner's incident is a 404 page, for every page and form.
    let mut outsider = person(&app, &app.outsider, "outsider").await;
    let csrf = outsider.csrf().await;
    for path in [
        format!("/incidents/{mine}"),
        format!("/incidents/{mine}/delete"),
        "/tags/Shared".into(),
    ] {
        let page = outsider.get(&path).await;
        page.assert_page(404);
        assert!(!page.body.contains("org secret"));
    }
    let before = app.snapshot().await;
    for (path, fields) in [
        (
            format!("/incidents/{mine}/edit"),
            vec![("status", "Closed")],
        ),
        (format!("/incidents/{mine}/tags"), vec![("tag", "x")]),
        (
            format!("/incidents/{mine}/labels"),
            vec![("label", "TLP:RED")],
        ),
        (
            format!("/incidents/{mine}/attributes"),
            vec![("type", "Source"), ("value", "x")],
        ),
        (format!("/incidents/{mine}/delete"), vec![]),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        outsider.post(&path, &form).await.assert_page(404);
    }
    assert_eq!(app.snapshot().await, before);
    outsider
        .get(&format!("/incidents/{theirs}"))
        .await
        .assert_page(200);

    // A reader sees the page without its forms, and a forged form is a 403.
    let mut reader = person(&app, &app.reader, "reader").await;
    let page = reader.get(&format!("/incidents/{mine}")).await;
    page.assert_page(200);
    page.assert_contains("org secret");
    for absent in [
        "Add an attribute",
        "Edit name, status",
        "Delete this incident",
        "Add a tag",
    ] {
        assert!(!page.body.contains(absent), "{absent}");
    }
    let list = reader.get("/incidents").await;
    assert!(
        !list
            .body
            .contains(r#"<a class="button primary" href="/incidents/new">"#)
    );
    reader.get("/incidents/new").await.assert_page(403);
    reader
        .get(&format!("/incidents/{mine}/delete"))
        .await
        .assert_page(403);
    let csrf = reader.csrf().await;
    let page = reader
        .post(
            &format!("/incidents/{mine}/edit"),
            &[("csrf", &csrf), ("status", "Closed")],
        )
        .await;
    page.assert_page(403);
    reader
        .post(&format!("/incidents/{mine}/delete"), &[("csrf", &csrf)])
        .await
        .assert_page(403);
    assert_eq!(app.snapshot().await, before);
}

async fn the_tag_page_lists_its_incidents_per_owner(app: TestApp) {
    let a = app.create_incident(&app.admin, ORG, "in the org").await;
    let c = app
        .create_incident(&app.admin, COMMUNITY, "in the community")
        .await;
    let untagged = app.create_incident(&app.admin, ORG, "untagged").await;
    for (id, owner, spelling) in [
        (a, "Example+Organization", "Nation%20State"),
        (c, "Example+Community", "nation%20STATE"),
    ] {
        app.call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents/{id}/tags/{spelling}?owner={owner}"),
            None,
        )
        .await
        .assert_success(201);
    }
    let tag = app.get(&app.admin, "/v2/tags/Nation%20State").await;
    let link = tag.json["data"]["tag"]["webLink"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = admin(&app).await;
    let page = b.get(link.strip_prefix(&app.origin).unwrap()).await;
    page.assert_page(200);
    page.assert_contains("in the org");
    page.assert_contains("in the community");
    assert!(!page.body.contains("untagged"));
    page.assert_contains(&format!(r#"href="/incidents/{a}""#));
    page.assert_contains(&format!(r#"href="/incidents/{c}""#));
    assert!(
        !page
            .body
            .contains(&format!(r#"href="/incidents/{untagged}""#))
    );
    b.get("/tags/no%20such%20tag").await.assert_page(404);
}

on_both_stores!(
    create_edit_and_delete_through_forms,
    the_create_form_speaks_the_api_s_messages,
    hostile_text_is_escaped_everywhere,
    other_owners_and_read_only_roles,
    the_tag_page_lists_its_incidents_per_owner,
);
