//! The History tab and the Deleted page: changes shown newest first as readable diffs, a
//! hostile value escaped, Undo and "put back" for writers only (a reader sees neither and is
//! refused, an outsider sees a 404, a forged form a 403), a conflicting undo offered over the
//! later change; a deleted incident listed for its owner's writers and restored whole.

use super::person;
use crate::helpers::{ORG, spawn_app};

#[tokio::test]
async fn history_tab_shows_and_undoes_changes_for_writers_only() {
    let app = spawn_app().await;
    let id = app.create_incident(&app.writer, ORG, "Tabbed").await;
    let mut w = person(&app, &app.writer, "writer.hist").await;
    let csrf = w.csrf().await;
    let edit = format!("/incidents/{id}/edit");
    w.post(&edit, &[("csrf", &csrf), ("status", "Open")])
        .await
        .assert_redirect(&format!("/incidents/{id}#details"));
    let tags = format!("/incidents/{id}/tags");
    w.post(
        &tags,
        &[("csrf", &csrf), ("tag", "<script>alert(1)</script>")],
    )
    .await;
    let history = format!("/incidents/{id}/history");
    let page = w.get(&history).await;
    page.assert_page(200);
    page.assert_contains("<del aria-label=\"before\">New</del>");
    page.assert_contains("<ins aria-label=\"after\">Open</ins>");
    page.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
    assert!(!page.body.contains("<script>alert"), "escaped");
    page.assert_contains("Put it back as it was at");
    page.assert_contains("3 changes, newest first.");
    w.get(&format!("/incidents/{id}"))
        .await
        .assert_contains(&format!("href=\"/incidents/{id}/history\""));

    // Undo the status change: the status is back, the undoing is the newest change.
    let change = page
        .body
        .split("name=\"change\" value=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let undone = w
        .post(
            &format!("{history}/revert"),
            &[("csrf", &csrf), ("change", &change)],
        )
        .await;
    undone.assert_redirect(&format!("{history}?reverted=1"));
    let page = w.get(&format!("{history}?reverted=1")).await;
    page.assert_contains("Undone");
    page.assert_contains("4 changes");
    let one = app.get(&app.reader, &format!("/v3/groups/{id}")).await;
    assert_eq!(one.json["data"]["status"], "New", "{}", one.json);

    // Undoing the first status change again conflicts with its undoing: offered anyway.
    let refused = w
        .post(
            &format!("{history}/revert"),
            &[("csrf", &csrf), ("change", &change)],
        )
        .await;
    refused.assert_page(400);
    refused.assert_contains("came after");
    refused.assert_contains("anyway");
    // A time that is not one: said so, nothing changed.
    let bad = w
        .post(
            &format!("{history}/revert"),
            &[("csrf", &csrf), ("to", "last tuesday")],
        )
        .await;
    bad.assert_page(400);
    bad.assert_contains("to must be a date");

    // A reader sees the changes, no buttons, and is refused; an outsider sees nothing; a
    // forged form is refused.
    let mut r = person(&app, &app.reader, "reader.hist").await;
    let page = r.get(&history).await;
    page.assert_page(200);
    assert!(!page.body.contains("Undo"), "no undo for a reader");
    assert!(
        !page.body.contains("Put it back"),
        "no put-back for a reader"
    );
    let rcsrf = r.csrf().await;
    r.post(
        &format!("{history}/revert"),
        &[("csrf", &rcsrf), ("change", &change)],
    )
    .await
    .assert_page(403);
    let mut o = person(&app, &app.outsider, "outsider.hist").await;
    o.get(&history).await.assert_page(404);
    w.post(
        &format!("{history}/revert"),
        &[("csrf", "forged"), ("change", &change)],
    )
    .await
    .assert_page(403);
}

#[tokio::test]
async fn a_deleted_incident_is_restored_from_the_deleted_page() {
    let app = spawn_app().await;
    let id = app.create_incident(&app.writer, ORG, "Brought back").await;
    let mut w = person(&app, &app.writer, "writer.del").await;
    let csrf = w.csrf().await;
    w.post(
        &format!("/incidents/{id}/tags"),
        &[("csrf", &csrf), ("tag", "Survivor")],
    )
    .await;
    w.post(&format!("/incidents/{id}/delete"), &[("csrf", &csrf)])
        .await;
    w.get(&format!("/incidents/{id}")).await.assert_page(404);
    let page = w.get("/deleted").await;
    page.assert_page(200);
    page.assert_contains("Brought back");
    page.assert_contains(&format!("/deleted/{id}/restore"));

    // A reader has nothing to restore; an outsider cannot restore it.
    let mut r = person(&app, &app.reader, "reader.del").await;
    r.get("/deleted").await.assert_page(403);
    let mut o = person(&app, &app.outsider, "outsider.del").await;
    let ocsrf = o.csrf().await;
    o.post(
        &format!("/deleted/{id}/restore"),
        &[("csrf", &ocsrf), ("family", "group")],
    )
    .await
    .assert_page(404);

    let done = w
        .post(
            &format!("/deleted/{id}/restore"),
            &[("csrf", &csrf), ("family", "group"), ("owner", ORG)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let listed = w
        .get(&format!(
            "/deleted?owner={}&restored={id}&kind=incident",
            ORG.replace(' ', "+")
        ))
        .await;
    listed.assert_contains(&format!("Incident {id} was restored."));
    let back = w.get(&format!("/incidents/{id}")).await;
    back.assert_page(200);
    back.assert_contains("Survivor");
}
