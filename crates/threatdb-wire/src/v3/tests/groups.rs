//! Groups, their nested collections and the envelopes around them.

use super::{golden, round_trip};
use crate::v3::*;
use serde_json::json;

fn api_user() -> User {
    User {
        id: 3,
        user_name: "11112222333344445555".into(),
        first_name: Some("John".into()),
        last_name: Some("Smith".into()),
        pseudonym: Some("jsmithAPI".into()),
        owner: Some("Demo Organization".into()),
    }
}

fn incident() -> Group {
    Group {
        id: 3,
        owner_id: 1,
        owner_name: "Demo Organization".into(),
        date_added: "2021-11-03T14:57:45Z".into(),
        last_modified: "2022-02-16T18:54:23Z".into(),
        web_link: "https://tdb.example/incidents/3".into(),
        details: GroupDetails::Incident(IncidentFields {
            event_date: Some("2021-11-03T00:00:00Z".into()),
            status: Some("New".into()),
        }),
        name: "Bad Incident".into(),
        created_by: Some(api_user()),
        up_vote_count: "0".into(),
        down_vote_count: "0".into(),
        xid: None,
        first_seen: None,
        last_seen: None,
        legacy_link: None,
        tags: None,
        security_labels: None,
        attributes: None,
        associated_groups: None,
        associated_indicators: None,
    }
}

const CREATED_BY: &str = r#"{"id": 3, "userName": "11112222333344445555", "firstName": "John",
    "lastName": "Smith", "pseudonym": "jsmithAPI", "owner": "Demo Organization"}"#;

#[test]
fn an_incident_as_read() {
    let created_by: serde_json::Value = serde_json::from_str(CREATED_BY).unwrap();
    golden(
        &Single::read(incident()),
        json!({
            "data": {
                "id": 3, "ownerId": 1, "ownerName": "Demo Organization",
                "dateAdded": "2021-11-03T14:57:45Z", "webLink": "https://tdb.example/incidents/3",
                "type": "Incident", "name": "Bad Incident", "createdBy": created_by,
                "upVoteCount": "0", "downVoteCount": "0", "status": "New",
                "eventDate": "2021-11-03T00:00:00Z", "lastModified": "2022-02-16T18:54:23Z"
            },
            "status": "Success"
        }),
    );
}

#[test]
fn an_incident_without_status_or_event_date_has_neither_key() {
    let mut g = incident();
    g.details = GroupDetails::Incident(IncidentFields::default());
    g.created_by = None;
    g.xid = Some("ext-12".into());
    golden(
        &g,
        json!({
            "id": 3, "ownerId": 1, "ownerName": "Demo Organization",
            "dateAdded": "2021-11-03T14:57:45Z", "lastModified": "2022-02-16T18:54:23Z",
            "webLink": "https://tdb.example/incidents/3", "type": "Incident",
            "name": "Bad Incident", "upVoteCount": "0", "downVoteCount": "0", "xid": "ext-12"
        }),
    );
}

#[test]
fn nested_collections_when_asked_for() {
    let mut g = incident();
    g.created_by = None;
    g.tags = Some(DataList::new(vec![Tag {
        id: 7,
        name: "Phishing".into(),
        description: None,
        last_used: Some("2024-05-01T10:00:00Z".into()),
        technique_id: None,
    }]));
    let green = SecurityLabel {
        id: 2,
        name: "TLP:GREEN".into(),
        color: "33FF00".into(),
        description: "Limited disclosure".into(),
        owner: Some("System".into()),
        date_added: Some("2016-08-31T00:00:00Z".into()),
    };
    g.security_labels = Some(DataList::new(vec![green.clone()]));
    g.attributes = Some(DataList::new(vec![Attribute {
        id: 501,
        kind: "Description".into(),
        value: "d1".into(),
        default: true,
        pinned: None,
        source: None,
        date_added: "2024-05-01T10:00:00Z".into(),
        last_modified: "2024-05-02T10:00:00Z".into(),
        created_by: Some(User {
            id: 3,
            user_name: "api-user".into(),
            first_name: None,
            last_name: None,
            pseudonym: None,
            owner: Some("Example Org".into()),
        }),
        security_labels: Some(DataList::new(vec![green])),
    }]));
    let mut other = incident();
    other.id = 1001;
    other.created_by = None;
    other.details = GroupDetails::Adversary;
    other.web_link = "https://tdb.example/incidents/1001".into();
    g.associated_groups = Some(DataList::new(vec![other]));
    g.associated_indicators = Some(DataList::default());
    let label = json!({"id": 2, "name": "TLP:GREEN", "color": "33FF00",
        "description": "Limited disclosure", "owner": "System", "dateAdded": "2016-08-31T00:00:00Z"});
    golden(
        &g,
        json!({
            "id": 3, "ownerId": 1, "ownerName": "Demo Organization",
            "dateAdded": "2021-11-03T14:57:45Z", "lastModified": "2022-02-16T18:54:23Z",
            "webLink": "https://tdb.example/incidents/3", "type": "Incident",
            "name": "Bad Incident", "upVoteCount": "0", "downVoteCount": "0",
            "status": "New", "eventDate": "2021-11-03T00:00:00Z",
            "tags": {"data": [{"id": 7, "name": "Phishing", "lastUsed": "2024-05-01T10:00:00Z"}]},
            "securityLabels": {"data": [label]},
            "attributes": {"data": [{"id": 501, "type": "Description", "value": "d1",
                "default": true, "dateAdded": "2024-05-01T10:00:00Z",
                "lastModified": "2024-05-02T10:00:00Z",
                "createdBy": {"id": 3, "userName": "api-user", "owner": "Example Org"},
                "securityLabels": {"data": [label]}}]},
            "associatedGroups": {"data": [{
                "id": 1001, "ownerId": 1, "ownerName": "Demo Organization",
                "dateAdded": "2021-11-03T14:57:45Z", "lastModified": "2022-02-16T18:54:23Z",
                "webLink": "https://tdb.example/incidents/1001", "type": "Adversary",
                "name": "Bad Incident", "upVoteCount": "0", "downVoteCount": "0"}]},
            "associatedIndicators": {"data": []}
        }),
    );
}

#[test]
fn every_group_type_reads_and_writes_back() {
    let created_by: serde_json::Value = serde_json::from_str(CREATED_BY).unwrap();
    let base = json!({"id": 10, "ownerId": 1, "ownerName": "Demo Organization",
        "dateAdded": "2021-10-21T19:54:59Z", "lastModified": "2022-03-09T12:44:04Z",
        "webLink": "https://app.threatconnect.com/#/details/groups/10/overview",
        "name": "Bad Document", "createdBy": created_by, "upVoteCount": "0", "downVoteCount": "0",
        "legacyLink": "https://app.threatconnect.com/auth/document/document.xhtml?document=10"});
    let own = [
        (
            "Document",
            json!({"fileName": "indicators.txt", "fileSize": 36, "status": "Success",
            "documentType": "Text", "documentDateAdded": "2021-10-21T19:54:59Z"}),
        ),
        (
            "Email",
            json!({"to": "demo@sample.com", "from": "auto-confirm@bad.com",
            "subject": "Your order", "header": "<email header goes here>", "body": "Please visit",
            "scoreIncludesBody": true, "emailDate": "2021-09-17T12:50:19Z",
            "scoreBreakdown": "Rule SPF Neutral\t100\n"}),
        ),
        (
            "Event",
            json!({"eventDate": "2021-11-03T00:00:00Z", "eventType": "Phishing",
            "status": "Needs Review"}),
        ),
        (
            "Incident",
            json!({"eventDate": "2021-11-03T00:00:00Z", "status": "Containment Achieved"}),
        ),
        (
            "Report",
            json!({"fileName": "r.pdf", "publishDate": "2022-01-01T00:00:00Z"}),
        ),
        (
            "Signature",
            json!({"fileName": "rule.yar", "fileType": "YARA",
            "fileText": "rule x { condition: true }"}),
        ),
        (
            "Task",
            json!({"status": "Pending", "dueDate": "2022-01-01T00:00:00Z",
            "escalated": false, "overdue": true, "reminded": false}),
        ),
    ];
    for t in GroupType::ALL {
        let mut json = base.clone();
        json["type"] = json!(t.as_str());
        if let Some((_, fields)) = own.iter().find(|(name, _)| *name == t.as_str()) {
            for (k, v) in fields.as_object().unwrap() {
                json[k] = v.clone();
            }
        }
        let g: Group = round_trip(json);
        assert_eq!(g.details.group_type(), t);
        assert_eq!(GroupType::parse(&t.as_str().to_uppercase()), Ok(t));
    }
    let unknown = serde_json::from_value::<Group>({
        let mut j = base.clone();
        j["type"] = json!("Campaing");
        j
    });
    assert!(unknown.is_err());
    assert!(
        GroupType::parse("Campaing")
            .unwrap_err()
            .contains("Adversary, Attack Pattern")
    );
}

#[test]
fn envelopes() {
    golden(
        &Single::created(json!({"id": 1})),
        json!({"data": {"id": 1}, "message": "Created", "status": "Success"}),
    );
    golden(
        &Single::updated(json!({"id": 1})),
        json!({"data": {"id": 1}, "message": "Updated", "status": "Success"}),
    );
    golden(
        &Message::deleted(),
        json!({"message": "Deleted", "status": "Success"}),
    );
    golden(
        &Message::error("Invalid TQL: expected a value after EQ at column 14"),
        json!({"status": "Error", "message": "Invalid TQL: expected a value after EQ at column 14"}),
    );
    let mut page = List::new(vec![json!({"id": 1}), json!({"id": 2})]);
    page.count = Some(120);
    page.next = Some("https://tdb.example/api/v3/groups?resultLimit=2&resultStart=2".into());
    golden(
        &page,
        json!({"data": [{"id": 1}, {"id": 2}], "count": 120,
            "next": "https://tdb.example/api/v3/groups?resultLimit=2&resultStart=2",
            "status": "Success"}),
    );
    golden(
        &List::<serde_json::Value>::new(vec![]),
        json!({"data": [], "status": "Success"}),
    );
    let e: serde_json::Value = serde_json::from_slice(&error_json("bad \"mode\"")).unwrap();
    assert_eq!(e, json!({"status": "Error", "message": "bad \"mode\""}));
}

#[test]
fn options_answers() {
    let tql = serde_json::to_value(tql_keywords(&crate::tql::GROUPS)).unwrap();
    assert_eq!(tql["count"], json!(20));
    assert_eq!(tql["status"], json!("Success"));
    assert_eq!(
        tql["data"][0],
        json!({"keyword": "id", "name": "ID", "type": "Integer", "description": "The ID of the group",
            "groupable": false, "targetable": true})
    );
    let summary = tql["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["keyword"] == "summary")
        .unwrap();
    assert_eq!(summary["type"], json!("StringLower"));
    let has_tag = tql["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["keyword"] == "hasTag")
        .unwrap();
    assert_eq!(
        has_tag,
        &json!({"keyword": "hasTag", "name": "Has Tag", "type": "Sub Query",
            "description": "A nested query for tags applied to the group",
            "groupable": false, "targetable": true})
    );
    golden(
        &field_infos(Object::Group),
        json!({"data": [
            {"name": "tags", "description": "Includes tags applied to the group", "includedByDefault": false},
            {"name": "securityLabels", "description": "Includes security labels applied to the group", "includedByDefault": false},
            {"name": "attributes", "description": "Includes attributes of the group", "includedByDefault": false},
            {"name": "associatedGroups", "description": "Includes groups associated with the group", "includedByDefault": false},
            {"name": "associatedIndicators", "description": "Includes indicators associated with the group", "includedByDefault": false}],
            "count": 5, "status": "Success"}),
    );
}
