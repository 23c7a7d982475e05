//! The incidents list: every filter, the sort orders, pages, and filters kept in the URL.

use super::admin;
use crate::helpers::{COMMUNITY, ORG, TestApp};
use crate::on_both_stores;

/// The incident names of a list page, in order.
fn names(body: &str) -> Vec<String> {
    body.split(r#"<td class="name"><a href="/incidents/"#)
        .skip(1)
        .map(|row| {
            let start = row.find('>').unwrap() + 1;
            let end = row.find("</a>").unwrap();
            row[start..end].to_string()
        })
        .collect()
}

async fn seed(app: &TestApp) {
    for (name, date, status, tag, label) in [
        (
            "alpha one",
            "2020-01-10",
            "Open",
            Some("wave"),
            Some("TLP:GREEN"),
        ),
        (
            "Alpha two",
            "2020-02-10T12:00:00Z",
            "New",
            Some("WAVE"),
            None,
        ),
        ("beta", "2021-05-05", "Closed", None, Some("TLP:RED")),
        ("gamma", "2019-12-31T23:00:00Z", "Open", None, None),
    ] {
        let body = serde_json::json!({"name": name, "eventDate": date, "status": status});
        let r = app
            .call(
                &app.admin,
                "POST",
                "/v2/groups/incidents",
                Some(&body.to_string()),
            )
            .await;
        r.assert_success(201);
        let id = r.json["data"]["incident"]["id"].as_i64().unwrap();
        if let Some(t) = tag {
            app.call(
                &app.admin,
                "POST",
                &format!("/v2/groups/incidents/{id}/tags/{t}"),
                None,
            )
            .await
            .assert_success(201);
        }
        if let Some(l) = label {
            app.call(
                &app.admin,
                "POST",
                &format!("/v2/groups/incidents/{id}/securityLabels/{l}"),
                None,
            )
            .await
            .assert_success(201);
        }
    }
    app.create_incident(&app.admin, COMMUNITY, "community only")
        .await;
}

async fn filters_and_sorting(app: TestApp) {
    seed(&app).await;
    let mut b = admin(&app).await;
    let cases: [(&str, &[&str]); 14] = [
        ("", &["gamma", "beta", "Alpha two", "alpha one"]),
        ("q=ALPHA", &["Alpha two", "alpha one"]),
        ("q=a+t", &["Alpha two"]),
        ("status=Open", &["gamma", "alpha one"]),
        ("status=open", &["gamma", "alpha one"]),
        ("tag=Wave", &["Alpha two", "alpha one"]),
        ("label=TLP+Green", &["alpha one"]),
        ("label=TLP%3ARED&status=Closed", &["beta"]),
        ("from=2020-01-01&to=2020-02-10", &["Alpha two", "alpha one"]),
        ("from=2020-01-11", &["beta", "Alpha two"]),
        ("to=2019-12-31", &["gamma"]),
        (
            "sort=name&dir=asc",
            &["alpha one", "Alpha two", "beta", "gamma"],
        ),
        (
            "sort=event&dir=desc",
            &["beta", "Alpha two", "alpha one", "gamma"],
        ),
        ("owner=Example+Community", &["community only"]),
    ];
    for (query, want) in cases {
        let page = b.get(&format!("/incidents?{query}")).await;
        page.assert_page(200);
        assert_eq!(names(&page.body), want, "{query}");
        let n = want.len();
        page.assert_contains(&format!("1–{n} of {n} incident"));
    }
    let none = b.get("/incidents?q=nothing+like+it").await;
    none.assert_page(200);
    none.assert_contains("No incidents match these filters.");

    // Filters are in the URL: the form shows them, and the column links keep them.
    let page = b
        .get("/incidents?q=alpha&tag=wave&status=Open&label=TLP%3AGREEN&from=2020-01-01&sort=name&dir=asc")
        .await;
    assert_eq!(names(&page.body), ["alpha one"]);
    for needle in [
        r#"name="q" value="alpha""#,
        r#"name="tag" value="wave""#,
        r#"<option selected>Open</option>"#,
        r#"<option selected>TLP:GREEN</option>"#,
        r#"name="from" value="2020-01-01""#,
        r#"aria-sort="ascending"><a href="/incidents?q=alpha&#38;tag=wave&#38;label=TLP%3AGREEN&#38;status=Open&#38;from=2020-01-01&#38;sort=name&#38;dir=desc">Name ▲</a>"#,
    ] {
        page.assert_contains(needle);
    }

    // Bad filter values: a 400 page saying what to fix.
    for (query, message) in [
        (
            "status=Bogus",
            "&#39;Bogus&#39; is not a valid incident status",
        ),
        ("from=yesterday", "&#39;yesterday&#39; is not a valid date"),
        ("to=2020-02-30", "&#39;2020-02-30&#39; is not a valid date"),
    ] {
        let page = b.get(&format!("/incidents?{query}")).await;
        page.assert_page(400);
        page.assert_contains(message);
    }
    b.get("/incidents?owner=Other+Org").await.assert_page(403);
    b.get("/incidents?owner=No+Such+Owner")
        .await
        .assert_page(403);
}

async fn pages_of_fifty(app: TestApp) {
    seed(&app).await;
    for i in 0..52 {
        app.create_incident(&app.admin, ORG, &format!("bulk {i:02}"))
            .await;
    }
    let mut b = admin(&app).await;
    let first = b.get("/incidents").await;
    first.assert_contains("1–50 of 56 incidents");
    first.assert_contains(r#"<a href="/incidents?page=2" rel="next""#);
    assert_eq!(names(&first.body).len(), 50);
    let second = b.get("/incidents?page=2").await;
    second.assert_contains("51–56 of 56 incidents");
    second.assert_contains("Page 2 of 2");
    second.assert_contains(r#"<a href="/incidents" rel="prev""#);
    assert_eq!(
        names(&second.body),
        [
            "bulk 01",
            "bulk 00",
            "gamma",
            "beta",
            "Alpha two",
            "alpha one"
        ],
        "newest first, continued"
    );

    // Filtered pages keep the filter in their links.
    let filtered = b.get("/incidents?q=bulk&sort=name&dir=asc&page=2").await;
    filtered.assert_contains("51–52 of 52 incidents");
    assert_eq!(names(&filtered.body), ["bulk 50", "bulk 51"]);
    filtered.assert_contains(r#"<a href="/incidents?q=bulk&#38;sort=name&#38;dir=asc" rel="prev""#);
    assert!(!filtered.body.contains(r#"rel="next""#));
    // A page past the end is empty, not an error.
    for page in ["99", "18446744073709551615", "0", "-1", "x"] {
        let past = b.get(&format!("/incidents?page={page}")).await;
        past.assert_page(200);
        let n = names(&past.body).len();
        assert!(n == 0 || n == 50, "page {page}: {n}");
    }
}

on_both_stores!(filters_and_sorting, pages_of_fifty);
