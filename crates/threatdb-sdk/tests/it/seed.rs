//! The seed page's five examples, end to end against a real server, async and blocking.

use crate::helpers::*;
use threatdb_sdk::{Error, Phase};

#[tokio::test]
async fn create_retrieve_update_delete_as_the_seed_does() {
    let app = TestApp::spawn().await;
    let tc = app.tc(&app.admin);

    // Create Incidents
    let incidents = tc.incidents();
    let owner = COMMUNITY;
    let mut incident = incidents.add("New Incident", owner);
    incident.set_event_date("2017-03-21T00:00:00Z");
    incident.add_attribute("Description", "Description Example");
    incident.add_tag("Example");
    incident.set_security_label("TLP Green");
    incident.commit().await.unwrap();
    let id = incident.id();
    assert!(id > 0);
    assert_eq!(incident.phase(), Phase::Unchanged);
    assert_eq!(incident.weblink(), format!("{}/incidents/{id}", app.origin));

    // Retrieving a Single Incident: without an owner the SDK works in the default organization
    // and drops incidents of other owners, as the Python SDK does.
    let mut incidents = tc.incidents();
    let filter1 = incidents.add_filter();
    filter1.add_id(id);
    incidents.retrieve().await.unwrap();
    assert!(incidents.is_empty());

    let mut incidents = tc.incidents();
    let filter1 = incidents.add_filter();
    filter1.add_id(id);
    filter1.add_owner(owner);
    incidents.retrieve().await.unwrap();
    assert_eq!(incidents.len(), 1);
    for incident in &incidents {
        assert_eq!(incident.id(), id);
        assert_eq!(incident.name(), "New Incident");
        assert!(incident.date_added().ends_with('Z'));
        assert_eq!(incident.weblink(), format!("{}/incidents/{id}", app.origin));
        assert_eq!(incident.event_date(), Some("2017-03-21T00:00:00Z"));
        assert_eq!(incident.owner_name(), Some(COMMUNITY));
    }
    let mut retrieved = incidents.into_iter().next().unwrap();
    let attrs = retrieved.load_attributes().await.unwrap();
    assert_eq!(attrs.len(), 1);
    assert_eq!(
        (
            attrs[0].kind.as_str(),
            attrs[0].value.as_str(),
            attrs[0].displayed
        ),
        ("Description", "Description Example", true)
    );
    let tags = retrieved.load_tags().await.unwrap();
    assert_eq!(
        tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Example"]
    );
    let labels = retrieved.load_security_labels().await.unwrap();
    assert_eq!(
        labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["TLP:GREEN"]
    );

    // Retrieving Multiple Incidents: owner + 'Nation State' tag.
    let tagged = app
        .create(COMMUNITY, "Tagged", &["Nation State"], &[])
        .await;
    app.create(ORG, "Tagged elsewhere", &["Nation State"], &[])
        .await;
    let mut incidents = tc.incidents();
    let filter1 = incidents.add_filter();
    filter1.add_owner(owner);
    filter1.add_tag("Nation State");
    incidents.retrieve().await.unwrap();
    let ids: Vec<i64> = incidents.iter().map(|i| i.id()).collect();
    assert_eq!(ids, vec![tagged]);

    // Update Incidents
    let mut incident = incidents.add("Updated Incident", owner);
    incident.set_id(id);
    incident.commit().await.unwrap();
    let fetched = incidents.get(id, None).await.unwrap().unwrap();
    assert_eq!(fetched.name(), "Updated Incident");
    assert_eq!(fetched.event_date(), Some("2017-03-21T00:00:00Z"));

    // Delete Incidents
    let mut incident = incidents.add("", owner);
    incident.set_id(id);
    incident.delete().await.unwrap();
    assert_eq!(incident.phase(), Phase::Deleted);
    assert!(incidents.get(id, None).await.unwrap().is_none());

    // A missing id retrieves nothing, without error.
    let mut incidents = tc.incidents();
    incidents.add_filter().add_id(id).add_owner(owner);
    incidents.retrieve().await.unwrap();
    assert!(incidents.is_empty());
}

#[test]
fn the_blocking_api_runs_the_same_flows() {
    let b = BlockingApp::spawn();
    let tc = b.blocking_tc(&b.app.admin);
    let owner = COMMUNITY;

    let incidents = tc.incidents();
    let mut incident = incidents.add("New Incident", owner);
    incident.set_event_date("2017-03-21T00:00:00Z");
    incident.add_attribute("Description", "Description Example");
    incident.add_tag("Nation State");
    incident.set_security_label("TLP Green");
    incident.commit().unwrap();
    let id = incident.id();

    let mut incidents = tc.incidents();
    let filter1 = incidents.add_filter();
    filter1.add_owner(owner);
    filter1.add_tag("Nation State");
    incidents.retrieve().unwrap();
    assert_eq!(incidents.iter().map(|i| i.id()).collect::<Vec<_>>(), [id]);
    for incident in &mut incidents {
        assert_eq!(incident.load_tags().unwrap().len(), 1);
    }

    let mut incident = incidents.add("Updated Incident", owner);
    incident.set_id(id);
    incident.commit().unwrap();
    assert_eq!(
        incidents.get(id, None).unwrap().unwrap().name(),
        "Updated Incident"
    );

    let mut incident = incidents.add("", owner);
    incident.set_id(id);
    incident.delete().unwrap();
    assert!(incidents.get(id, None).unwrap().is_none());
    assert_eq!(tc.owners().unwrap().len(), 2);
    assert_eq!(tc.whoami().unwrap().owner.unwrap().name, ORG);
}

#[tokio::test]
async fn the_blocking_api_refuses_to_run_inside_a_runtime() {
    let app = TestApp::spawn().await;
    let tc = threatdb_sdk::blocking::ThreatConnect::wrap(app.tc(&app.admin)).unwrap();
    assert!(matches!(tc.owners(), Err(Error::InvalidInput(_))));
}

#[tokio::test]
async fn retrieved_incidents_can_be_changed_and_committed() {
    let app = TestApp::spawn().await;
    let tc = app.tc(&app.admin);
    let a = app.create(ORG, "First", &["Old"], &[]).await;
    let b = app.create(ORG, "Second", &["Old"], &[]).await;

    let mut incidents = tc.incidents();
    incidents.add_filter().add_tag("Old");
    incidents.retrieve().await.unwrap();
    assert_eq!(incidents.len(), 2);
    for incident in &mut incidents {
        let name = format!("{} (reviewed)", incident.name());
        incident.set_name(name).set_status("Closed");
        assert_eq!(incident.phase(), Phase::Update);
        incident.delete_tag("Old").add_tag("Reviewed");
        incident.commit().await.unwrap();
        assert_eq!(incident.status(), Some("Closed"));
    }

    let mut incidents = tc.incidents();
    incidents.set_include_additional(true);
    incidents.add_filter().add_tag("Reviewed");
    incidents.retrieve().await.unwrap();
    let mut got: Vec<(i64, String, Option<String>)> = incidents
        .iter()
        .map(|i| (i.id(), i.name().to_string(), i.status().map(str::to_string)))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                a,
                "First (reviewed)".to_string(),
                Some("Closed".to_string())
            ),
            (
                b,
                "Second (reviewed)".to_string(),
                Some("Closed".to_string())
            ),
        ]
    );
    let mut old = tc.incidents();
    old.add_filter().add_tag("Old");
    old.retrieve().await.unwrap();
    assert!(old.is_empty());
}

#[tokio::test]
async fn a_new_incident_without_an_event_date_is_refused_before_any_request() {
    let fake = FakeServer::ok(r#"{}"#).await;
    let tc = fake.tc("Example Organization");
    let mut incident = tc.incidents().add("No Date", "Example Community");
    incident.add_tag("t");
    let err = incident.commit().await.unwrap_err();
    assert!(matches!(err, Error::IncompleteResource(_)), "{err:?}");
    assert!(err.to_string().contains("event date"), "{err}");
    assert!(fake.seen().is_empty());
    assert_eq!(incident.pending(), vec!["add tag 't'".to_string()]);

    // Nor can an incident without an id be deleted.
    assert!(matches!(
        incident.delete().await,
        Err(Error::InvalidInput(_))
    ));
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn the_client_can_be_configured_from_a_tc_conf_file() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tc.conf");
    std::fs::write(
        &path,
        format!(
            "[threatconnect]\napi_access_id = {}\napi_secret_key = {}\napi_default_org = {ORG}\napi_base_url = {}\napi_result_limit = 500\n",
            app.admin.access_id,
            app.admin.secret,
            app.base_url()
        ),
    )
    .unwrap();
    let tc = threatdb_sdk::ThreatConnect::from_config_file(&path).unwrap();
    assert_eq!(tc.result_limit(), 500);
    assert_eq!(tc.default_org(), ORG);
    assert_eq!(tc.whoami().await.unwrap().owner.unwrap().name, ORG);
    let missing = threatdb_sdk::ThreatConnect::from_config_file(dir.path().join("nope.conf"));
    assert!(matches!(missing, Err(Error::Config(_))));
}
