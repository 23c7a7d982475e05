//! Signing in and out, sessions, the pages' headers, and paths that are not pages.

use super::{Browser, admin, person};
use crate::helpers::TestApp;
use crate::on_both_stores;

async fn signin_and_redirects(app: TestApp) {
    let mut b = Browser::new(&app);
    b.get("/incidents").await.assert_redirect("/signin");
    b.get("/").await.assert_redirect("/signin");
    b.get("/incidents/5?x=1")
        .await
        .assert_redirect("/signin?next=%2Fincidents%2F5%3Fx%3D1");
    b.get("/tags/APT29")
        .await
        .assert_redirect("/signin?next=%2Ftags%2FAPT29");

    let form = b.get("/signin?next=%2Fincidents%2F5").await;
    form.assert_page(200);
    form.assert_contains(r#"name="next" value="/incidents/5""#);
    let cookie = form.header("set-cookie");
    assert!(cookie.starts_with("threatdb_signin="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "no Secure flag on a plain-http public URL"
    );

    // Wrong password, unknown login, empty input: one message, 401, no session.
    for (login, password) in [
        ("admin", "wrong password"),
        ("ADMIN", "wrong password"),
        ("nobody", &app.web_password),
        ("", ""),
    ] {
        let (status, body) = b.try_sign_in(login, password).await;
        assert_eq!(status, 401, "{login}");
        assert!(body.contains("Wrong login name or password."), "{body}");
        assert!(!b.cookies.contains_key("threatdb_session"));
    }

    // Success: the session cookie, and back to where the person was going.
    let csrf = b.get("/signin").await.csrf();
    let done = b
        .post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("login", "Admin"),
                ("password", &app.web_password),
                ("next", "/incidents/5"),
            ],
        )
        .await;
    done.assert_redirect("/incidents/5");
    let session = done
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("threatdb_session="))
        .expect("a session cookie")
        .to_string();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(session.contains(part), "{session}");
    }
    let list = b.get("/incidents").await;
    list.assert_page(200);
    list.assert_contains("Incidents <span class=\"muted\">in Example Organization</span>");

    // `next` never leaves the site.
    for evil in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut c = Browser::new(&app);
        let csrf = c.get("/signin").await.csrf();
        let page = c
            .post(
                "/signin",
                &[
                    ("csrf", &csrf),
                    ("login", "admin"),
                    ("password", &app.web_password),
                    ("next", evil),
                ],
            )
            .await;
        page.assert_redirect("/incidents");
    }
}

async fn sign_out_ends_every_session(app: TestApp) {
    let mut one = admin(&app).await;
    let mut two = admin(&app).await;
    let stolen = one.cookies.clone();
    one.get("/incidents").await.assert_page(200);
    let csrf = one.csrf().await;
    let out = one.post("/signout", &[("csrf", &csrf)]).await;
    out.assert_redirect("/signin");
    assert!(
        !one.cookies.contains_key("threatdb_session"),
        "cookie cleared"
    );
    // The old cookie, replayed, and the other browser's session are over too.
    one.cookies = stolen;
    one.get("/incidents").await.assert_redirect("/signin");
    two.get("/incidents").await.assert_redirect("/signin");
    // Signing in again works.
    let mut again = admin(&app).await;
    again.get("/incidents").await.assert_page(200);
}

async fn a_forged_or_foreign_cookie_is_no_session(app: TestApp) {
    let mut b = Browser::new(&app);
    for value in ["garbage", "", "AAAA", "threatdb"] {
        b.cookies.insert("threatdb_session".into(), value.into());
        b.get("/incidents").await.assert_redirect("/signin");
    }
    // A real token with one character changed.
    let real = admin(&app).await;
    let mut token = real.cookies["threatdb_session"].clone();
    let last = token.pop().unwrap();
    token.push(if last == 'A' { 'B' } else { 'A' });
    b.cookies.insert("threatdb_session".into(), token);
    b.get("/incidents").await.assert_redirect("/signin");
}

async fn failed_sign_ins_are_limited(app: TestApp) {
    let mut b = Browser::new(&app);
    let mut limited = None;
    for i in 0..25 {
        let (status, body) = b.try_sign_in("admin", "not the password").await;
        if status == 429 {
            assert!(body.contains("Too many failed sign-ins"), "{body}");
            limited = Some(i);
            break;
        }
        assert_eq!(status, 401);
    }
    assert_eq!(limited, Some(20), "the 21st attempt is refused");
    // Even the right password waits now.
    let (status, _) = b.try_sign_in("admin", &app.web_password).await;
    assert_eq!(status, 429);
}

async fn headers_assets_and_not_found_pages(app: TestApp) {
    let mut b = admin(&app).await;
    let css = b.get("/static/threatdb.css").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(css.body.contains(".tlp-green"));
    let icon = b.get("/static/favicon.svg").await;
    assert_eq!(
        (icon.status, icon.header("content-type")),
        (200, "image/svg+xml")
    );

    for path in [
        "/incidents/abc",
        "/incidents/999999",
        "/incidents/-1",
        "/incidents/99999999999999999999999",
        "/no/such/page",
    ] {
        let page = b.get(path).await;
        page.assert_page(404);
        page.assert_contains("Not found");
    }
    // Outside /api, a client not asking for HTML still gets the API's JSON 404...
    let raw = reqwest::get(format!("{}/no/such/page", app.origin))
        .await
        .unwrap();
    assert_eq!(raw.status(), 404);
    assert_eq!(
        raw.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    // ... and /api stays the API, whatever the client accepts.
    let api = b.get("/api/v2/owners").await;
    assert_eq!(api.status, 401);
    assert_eq!(api.header("content-type"), "application/json");
    let api = b.get("/api/v2/nothing").await;
    assert_eq!(api.header("content-type"), "application/json");
}

async fn a_person_sees_what_the_memberships_allow(app: TestApp) {
    let mut outsider = person(&app, &app.outsider, "outsider").await;
    let list = outsider.get("/incidents").await;
    list.assert_page(200);
    list.assert_contains("in Other Org");
    assert!(!list.body.contains("Example Organization"));
    outsider
        .get("/incidents?owner=Example+Organization")
        .await
        .assert_page(403);
    // A membership granted later shows on the next page, without signing in again.
    let org = app
        .admin_store
        .owner_by_name("Example Community")
        .await
        .unwrap();
    app.admin_store
        .set_membership(&app.outsider.access_id, org.id, threatdb_core::Role::Read)
        .await
        .unwrap();
    let list = outsider.get("/incidents?owner=Example+Community").await;
    list.assert_page(200);
    list.assert_contains("in Example Community");
}

on_both_stores!(
    signin_and_redirects,
    sign_out_ends_every_session,
    a_forged_or_foreign_cookie_is_no_session,
    failed_sign_ins_are_limited,
    headers_assets_and_not_found_pages,
    a_person_sees_what_the_memberships_allow,
);
