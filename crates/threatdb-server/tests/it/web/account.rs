//! `/account`: a person's own tokens (created and shown once, working in the API, revoked;
//! another person's token cannot be revoked; a flood of creations stops at 50) and password
//! change (the current one checked and limited, every session ended, the new one works).

use super::{Browser, person};
use crate::helpers::spawn_app;

/// The token a page shows once.
fn shown_token(body: &str) -> String {
    let start = body.find(r#"<code id="new-token">"#).expect("a new token") + 21;
    let end = body[start..].find('<').unwrap() + start;
    body[start..end].to_string()
}

async fn api_status(app: &crate::helpers::TestApp, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/api/v2/owners", app.origin))
        .header("Authorization", format!("TC-Token {token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn tokens_are_made_shown_once_and_revoked_by_their_holder_only() {
    let app = spawn_app().await;
    let mut w = person(&app, &app.writer, "writer.web").await;
    let page = w.get("/account").await;
    page.assert_page(200);
    page.assert_contains("You have no tokens.");
    page.assert_contains("writer.web");
    let csrf = page.csrf();
    let made = w
        .post("/account/tokens", &[("csrf", &csrf), ("expires", "30d")])
        .await;
    made.assert_page(200);
    let token = shown_token(&made.body);
    assert_eq!(api_status(&app, &token).await, 200);
    // Shown once: the page afterwards lists it without the token.
    let again = w.get("/account").await;
    assert!(!again.body.contains(&token));
    again.assert_contains("works");
    let id = again
        .body
        .split("/account/tokens/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();

    // Another person cannot revoke it (a 404, as for a token that does not exist).
    let mut r = person(&app, &app.reader, "reader.web").await;
    let rcsrf = r.csrf().await;
    let refused = r
        .post(&format!("/account/tokens/{id}/revoke"), &[("csrf", &rcsrf)])
        .await;
    refused.assert_page(404);
    assert_eq!(api_status(&app, &token).await, 200);
    // Nor without the session's CSRF token.
    let forged = w
        .post(&format!("/account/tokens/{id}/revoke"), &[("csrf", "x")])
        .await;
    forged.assert_page(403);

    let revoked = w
        .post(&format!("/account/tokens/{id}/revoke"), &[("csrf", &csrf)])
        .await;
    revoked.assert_redirect("/account");
    w.get("/account").await.assert_contains("revoked");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while api_status(&app, &token).await != 401 {
        assert!(
            std::time::Instant::now() < deadline,
            "the revoked token still works"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Bad input: a lifetime the form does not offer.
    let bad = w
        .post("/account/tokens", &[("csrf", &csrf), ("expires", "5y")])
        .await;
    bad.assert_page(400);
    bad.assert_contains("Choose how long the token works");

    // A flood: 49 more work (50 in all, the revoked one not counted), then each is refused.
    for _ in 0..50 {
        w.post("/account/tokens", &[("csrf", &csrf), ("expires", "never")])
            .await
            .assert_page(200);
    }
    for _ in 0..5 {
        let over = w
            .post("/account/tokens", &[("csrf", &csrf), ("expires", "never")])
            .await;
        over.assert_page(400);
        over.assert_contains("revoke one first");
    }
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_and_ends_every_session() {
    let app = spawn_app().await;
    let mut w = person(&app, &app.writer, "changer").await;
    let mut other = Browser::signed_in(&app, "changer", "pw-changer-0123456789").await;
    let csrf = w.csrf().await;
    let new = "a new password 42";
    let post = |current: &'static str, new: &'static str, again: &'static str| {
        [("current", current), ("new", new), ("again", again)]
    };
    // Refusals change nothing.
    for (form, says) in [
        (
            post("wrong password", new, new),
            "current password is not right",
        ),
        (post("pw-changer-0123456789", new, "differs"), "differ"),
        (
            post("pw-changer-0123456789", "short", "short"),
            "at least 10",
        ),
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form);
        let page = w.post("/account/password", &fields).await;
        page.assert_page(400);
        page.assert_contains(says);
    }
    let forged = w
        .post(
            "/account/password",
            &[
                ("csrf", "x"),
                ("current", "pw-changer-0123456789"),
                ("new", new),
                ("again", new),
            ],
        )
        .await;
    forged.assert_page(403);
    let changed = w
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "pw-changer-0123456789"),
                ("new", new),
                ("again", new),
            ],
        )
        .await;
    changed.assert_redirect("/signin");
    // Both sessions ended; the old password fails, the new one works.
    other
        .get("/account")
        .await
        .assert_redirect("/signin?next=%2Faccount");
    assert_eq!(
        Browser::new(&app)
            .try_sign_in("changer", "pw-changer-0123456789")
            .await
            .0,
        401
    );
    Browser::signed_in(&app, "changer", new).await;
}

#[tokio::test]
async fn guessing_the_current_password_is_limited() {
    let app = spawn_app().await;
    let mut w = person(&app, &app.writer, "guessed").await;
    let csrf = w.csrf().await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        let guess = format!("guess number {i}");
        let page = w
            .post(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", &guess),
                    ("new", "whatever 123"),
                    ("again", "whatever 123"),
                ],
            )
            .await;
        statuses.push(page.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s == 400).count() <= 20,
        "{statuses:?}"
    );
}
