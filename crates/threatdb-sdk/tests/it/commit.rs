//! `commit()` against a real server: a failing step in the middle, a failing create, repeats.

use crate::helpers::*;
use threatdb_sdk::{Error, Phase};

#[tokio::test]
async fn a_failing_step_stops_the_commit_and_says_what_was_applied() {
    let app = TestApp::spawn().await;
    let tc = app.tc(&app.admin);
    let incidents = tc.incidents();
    let mut incident = incidents.add("Half Done", COMMUNITY);
    incident
        .set_event_date("2017-03-21T00:00:00Z")
        .add_attribute("Description", "kept")
        .add_tag("Before")
        .add_security_label("No Such Label")
        .add_tag("After");
    let err = incident.commit().await.unwrap_err();

    let Error::Commit {
        step,
        applied,
        error: source,
    } = &err
    else {
        panic!("expected a commit error, got {err:?}");
    };
    assert_eq!(step, "add security label 'No Such Label'");
    let id = incident.id();
    assert!(id > 0);
    assert_eq!(
        applied,
        &vec![
            format!("create incident 'Half Done' (id {id})"),
            "add attribute Description 'kept'".to_string(),
            "add tag 'Before'".to_string(),
        ]
    );
    assert!(
        matches!(source.as_ref(), Error::Api { status: 400, message } if message.contains("No Such Label")),
        "{source:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("add security label 'No Such Label'"),
        "{text}"
    );
    assert!(text.contains("400"), "{text}");
    assert!(
        text.contains("already applied: create incident 'Half Done'"),
        "{text}"
    );
    assert_eq!(err.status(), Some(400));

    // The server has what was applied and nothing after the failure.
    let mut stored = incidents.get(id, None).await.unwrap().unwrap();
    let tags: Vec<String> = stored
        .load_tags()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(tags, ["Before"]);
    assert_eq!(stored.load_attributes().await.unwrap().len(), 1);

    // The failed step and the rest stay queued; the incident is not created twice.
    assert_eq!(incident.phase(), Phase::Unchanged);
    assert_eq!(
        incident.pending(),
        vec!["add security label 'No Such Label'", "add tag 'After'"]
    );
    incident.clear_pending();
    incident.add_security_label("TLP:AMBER").add_tag("After");
    incident.commit().await.unwrap();
    let tags: Vec<String> = stored
        .load_tags()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(tags, ["After", "Before"]);
    let mut all = tc.incidents();
    all.add_filter().add_owner(COMMUNITY);
    all.retrieve().await.unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn a_refused_create_applies_nothing() {
    let app = TestApp::spawn().await;
    let tc = app.tc(&app.reader);
    let mut incident = tc.incidents().add("Not Allowed", ORG);
    incident.set_event_date("2017-03-21").add_tag("x");
    let err = incident.commit().await.unwrap_err();
    match &err {
        Error::Commit {
            step,
            applied,
            error: source,
        } => {
            assert_eq!(step, "create incident 'Not Allowed'");
            assert!(applied.is_empty());
            assert_eq!(source.status(), Some(403));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("nothing had been applied"),
        "{err}"
    );
    assert_eq!(incident.phase(), Phase::Add);
    assert_eq!(incident.id(), 0);

    // A server-side validation failure reads the same way.
    let tc = app.tc(&app.admin);
    let mut incident = tc.incidents().add("Bad Date", ORG);
    incident.set_event_date("not a date");
    let err = incident.commit().await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("eventDate"), "{err}");
}

#[tokio::test]
async fn updates_send_only_what_changed_and_deleted_incidents_stay_deleted() {
    let app = TestApp::spawn().await;
    let tc = app.tc(&app.admin);
    let id = app.create(ORG, "Original", &[], &[]).await;
    let incidents = tc.incidents();

    let mut i = incidents.update(id, None);
    i.set_status("containment achieved");
    i.commit().await.unwrap();
    assert_eq!(i.name(), "Original");
    let mut extra = tc.incidents();
    extra.set_include_additional(true);
    let got = extra.get(id, None).await.unwrap().unwrap();
    assert_eq!(got.status(), Some("Containment Achieved"));
    assert_eq!(got.name(), "Original");

    // Nothing changed, nothing queued: no request at all.
    let mut same = incidents.update(id, None);
    same.commit().await.unwrap();

    incidents.delete(id, Some(ORG)).await.unwrap();
    let mut i = incidents.update(id, Some(ORG));
    i.set_name("Too Late");
    let err = i.commit().await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(err.is_not_found());
    let err = incidents.delete(id, None).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");

    let other = app.create(ORG, "Short-lived", &[], &[]).await;
    let mut g = incidents.update(other, None);
    g.delete().await.unwrap();
    assert_eq!(g.phase(), Phase::Deleted);
    g.add_tag("x");
    assert!(matches!(g.commit().await, Err(Error::InvalidInput(_))));
    assert!(matches!(g.delete().await, Err(Error::InvalidInput(_))));
}
