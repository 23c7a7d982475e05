//! Every form is refused without this session's CSRF token, and the refusal changes nothing.

use super::{Browser, admin};
use crate::helpers::{COMMUNITY, ORG, TestApp};
use crate::on_both_stores;

async fn every_form_needs_the_session_token(app: TestApp) {
    let id = app.create_incident(&app.admin, ORG, "csrf target").await;
    let aid = app
        .call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents/{id}/attributes"),
            Some(r#"{"type":"Description","value":"keep me"}"#),
        )
        .await
        .json["data"]["attribute"]["id"]
        .as_i64()
        .unwrap();
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/keep"),
        None,
    )
    .await
    .assert_success(201);
    app.call(
        &app.admin,
        "POST",
        &format!("/v2/groups/incidents/{id}/securityLabels/TLP%3AGREEN"),
        None,
    )
    .await
    .assert_success(201);
    let before = app.snapshot().await;

    let mut b = admin(&app).await;
    let mut other = admin(&app).await;
    let foreign = other.csrf().await;
    let own = b.csrf().await;
    assert_ne!(own, foreign, "each session has its own token");

    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/incidents".into(),
            vec![
                ("owner", COMMUNITY),
                ("name", "forged"),
                ("eventDate", "2020-01-01"),
            ],
        ),
        (
            format!("/incidents/{id}/edit"),
            vec![("name", "forged"), ("status", "Closed")],
        ),
        (format!("/incidents/{id}/tags"), vec![("tag", "forged")]),
        (
            format!("/incidents/{id}/tags/remove"),
            vec![("tag", "keep")],
        ),
        (
            format!("/incidents/{id}/labels"),
            vec![("label", "TLP:RED")],
        ),
        (
            format!("/incidents/{id}/labels/remove"),
            vec![("label", "TLP:GREEN")],
        ),
        (
            format!("/incidents/{id}/attributes"),
            vec![("type", "Source"), ("value", "forged")],
        ),
        (format!("/incidents/{id}/attributes/{aid}/delete"), vec![]),
        (format!("/incidents/{id}/delete"), vec![]),
        ("/signout".into(), vec![]),
    ];
    for (path, fields) in &posts {
        for token in [
            None,
            Some(""),
            Some("not-the-token"),
            Some(foreign.as_str()),
        ] {
            let mut form = fields.clone();
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let page = b.post(path, &form).await;
            page.assert_page(403);
            page.assert_contains("This form has expired");
        }
    }
    assert_eq!(app.snapshot().await, before, "refused forms change nothing");
    b.get("/incidents").await.assert_page(200);

    // Without a session at all, a post is sent to the sign-in page and changes nothing.
    let mut anonymous = Browser::new(&app);
    let page = anonymous
        .post(&format!("/incidents/{id}/delete"), &[("csrf", &own)])
        .await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/signin"));
    assert_eq!(app.snapshot().await, before);

    // With the right token the same form works.
    let done = b
        .post(
            &format!("/incidents/{id}/tags"),
            &[("csrf", &own), ("tag", "fine")],
        )
        .await;
    done.assert_redirect(&format!("/incidents/{id}#tags"));
}

async fn the_sign_in_form_is_protected_too(app: TestApp) {
    // No anti-forgery cookie (a cross-site post): refused even with the right password.
    let mut b = Browser::new(&app);
    let page = b
        .post(
            "/signin",
            &[
                ("csrf", "x"),
                ("login", "admin"),
                ("password", &app.web_password),
            ],
        )
        .await;
    page.assert_page(403);
    // A cookie, but a different token in the form.
    let csrf = b.get("/signin").await.csrf();
    let page = b
        .post(
            "/signin",
            &[
                ("csrf", &format!("{csrf}x")),
                ("login", "admin"),
                ("password", &app.web_password),
            ],
        )
        .await;
    page.assert_page(403);
    assert!(!b.cookies.contains_key("threatdb_session"));
}

on_both_stores!(
    every_form_needs_the_session_token,
    the_sign_in_form_is_protected_too,
);
