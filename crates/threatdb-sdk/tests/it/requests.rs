//! What the SDK puts on the wire, compared with tc-v2-wire.md §3, §7.2 and §7.5.

use crate::helpers::*;
use threatdb_sdk::server_filters::{Clause, Field, Op};
use threatdb_sdk::{FilterOperator, GroupType, IndicatorType};
use threatdb_wire::signing;

const ID: &str = "12345678901234567890";
const Q: &str = "createActivityLog=false&owner=Example+Community";

fn created(id: i64) -> String {
    format!(
        r#"{{"status":"Success","data":{{"incident":{{"id":{id},"name":"New Incident","owner":{{"id":2,"name":"Example Community","type":"Community"}},"dateAdded":"2017-07-13T17:50:17Z","lastModified":"2017-07-13T17:50:17Z","webLink":"w","eventDate":"2017-03-21T00:00:00Z"}}}}}}"#
    )
}

/// Answers incident POST/PUT with an incident, attribute POSTs with an attribute, lists with an
/// empty page, anything else with `{"status":"Success"}`.
async fn plain_server() -> FakeServer {
    FakeServer::start(|seen, _| {
        let path = seen.target.split('?').next().unwrap_or("").to_string();
        let body = if path.ends_with("/attributes") && seen.method == "POST" {
            r#"{"status":"Success","data":{"attribute":{"id":7,"type":"Description","value":"Description Example","dateAdded":"2017-07-13T17:50:17Z","lastModified":"2017-07-13T17:50:17Z","displayed":true}}}"#.to_string()
        } else if path == "/api/v2/groups/incidents" && seen.method == "POST" {
            created(54321)
        } else if path.starts_with("/api/v2/groups/incidents/")
            && path.matches('/').count() == 5
            && seen.method != "DELETE"
        {
            created(path.rsplit('/').next().unwrap().parse().unwrap_or(0))
        } else if seen.method == "GET" {
            match path.rsplit('/').next() {
                Some("attributes") => r#"{"status":"Success","data":{"resultCount":0,"attribute":[]}}"#.to_string(),
                Some("tags") => r#"{"status":"Success","data":{"resultCount":0,"tag":[]}}"#.to_string(),
                Some("securityLabels") => r#"{"status":"Success","data":{"resultCount":0,"securityLabel":[]}}"#.to_string(),
                _ => incident_page(Some(0), &[]),
            }
        } else {
            r#"{"status":"Success"}"#.to_string()
        };
        (if seen.method == "POST" { 201 } else { 200 }, vec![], body)
    })
    .await
}

#[tokio::test]
async fn signature_vector_of_the_tag_list() {
    let fake = plain_server().await;
    let tc = fake.tc("Example Organization");
    let mut incidents = tc.incidents();
    let filter1 = incidents.add_filter();
    filter1.add_owner("Example Community");
    filter1.add_tag("Nation State");
    incidents.retrieve().await.unwrap();

    let seen = fake.seen();
    assert_eq!(seen.len(), 1, "{:?}", fake.lines());
    let r = &seen[0];
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.target,
        "/api/v2/tags/Nation%20State/groups/incidents?createActivityLog=false&owner=Example+Community&resultLimit=200&resultStart=0"
    );
    assert_eq!(r.header("timestamp"), Some("1513703787"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("TC {ID}:b5Hb49jzWs5imfDjKgqEXqbdVt7C1DLusr1FzkrWACI=").as_str())
    );
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.body, "");
}

#[tokio::test]
async fn the_create_flow_sends_the_seed_trace_and_the_second_vector() {
    let fake = plain_server().await;
    let tc = fake.tc("Example Organization");
    let incidents = tc.incidents();
    let mut incident = incidents.add("New Incident", "Example Community");
    incident.set_event_date("2017-03-21T00:00:00Z");
    incident.add_attribute("Description", "Description Example");
    incident.add_tag("Example");
    incident.set_security_label("TLP Green");
    assert!(fake.seen().is_empty(), "nothing is sent before commit");
    incident.commit().await.unwrap();
    assert_eq!(incident.id(), 54321);
    assert_eq!(incident.attributes().len(), 1);

    let seen = fake.seen();
    assert_eq!(
        fake.lines(),
        vec![
            format!("POST /api/v2/groups/incidents?{Q}"),
            format!("POST /api/v2/groups/incidents/54321/attributes?{Q}"),
            format!("POST /api/v2/groups/incidents/54321/tags/Example?{Q}"),
            format!("POST /api/v2/groups/incidents/54321/securityLabels/TLP%20Green?{Q}"),
        ]
    );
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("TC {ID}:3cY0IueeLRbYE6EeN+9p8K447WuVJfP6y9xE3Bkgy/8=").as_str())
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&seen[0].body).unwrap(),
        serde_json::json!({"name": "New Incident", "eventDate": "2017-03-21T00:00:00Z"})
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&seen[1].body).unwrap(),
        serde_json::json!({"type": "Description", "value": "Description Example", "displayed": true})
    );
    for r in &seen {
        assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{}",
            r.line()
        );
        assert_eq!(r.header("timestamp"), Some("1513703787"));
        let want = signing::authorization(ID, "SECRETKEY", &r.target, &r.method, 1513703787);
        assert_eq!(
            r.header("authorization"),
            Some(want.as_str()),
            "{}",
            r.line()
        );
    }
    assert_eq!(seen[2].body, "");
    assert_eq!(seen[2].header("content-length"), Some("0"));
}

#[tokio::test]
async fn update_and_delete_send_the_seed_requests() {
    let fake = plain_server().await;
    let tc = fake.tc("Example Organization");
    let incidents = tc.incidents();

    let mut incident = incidents.add("Updated Incident", "Example Community");
    incident.set_id(123456);
    incident.commit().await.unwrap();

    let mut gone = incidents.add("", "Example Community");
    gone.set_id(123456);
    gone.delete().await.unwrap();

    let seen = fake.seen();
    assert_eq!(
        fake.lines(),
        vec![
            format!("PUT /api/v2/groups/incidents/123456?{Q}"),
            format!("DELETE /api/v2/groups/incidents/123456?{Q}"),
        ]
    );
    assert_eq!(seen[0].body, r#"{"name":"Updated Incident"}"#);
    assert_eq!(seen[1].body, "");
    assert_eq!(seen[1].header("content-type"), None);
}

#[tokio::test]
async fn retrieving_without_filters_sends_one_list_request_without_owner() {
    let fake = plain_server().await;
    let tc = fake.tc("Example Organization");
    let mut incidents = tc.incidents();
    incidents.retrieve().await.unwrap();
    assert_eq!(
        fake.lines(),
        vec!["GET /api/v2/groups/incidents?createActivityLog=false&resultLimit=200&resultStart=0"]
    );
}

#[tokio::test]
async fn every_filter_sends_the_request_of_section_7_2() {
    type Add = fn(&mut threatdb_sdk::IncidentFilter);
    let o = "owner=Example+Organization&";
    let page = "resultLimit=200&resultStart=0";
    let cases: Vec<(Add, String)> = vec![
        (
            |f| {
                f.add_id(123456);
            },
            "/api/v2/groups/incidents/123456?createActivityLog=false&owner=Example+Organization"
                .to_string(),
        ),
        (
            |f| {
                f.add_adversary_id(5);
            },
            format!("/api/v2/groups/adversaries/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_campaign_id(5);
            },
            format!("/api/v2/groups/campaigns/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_document_id(5);
            },
            format!("/api/v2/groups/documents/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_email_id(5);
            },
            format!("/api/v2/groups/emails/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_incident_id(5);
            },
            format!("/api/v2/groups/incidents/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_signature_id(5);
            },
            format!("/api/v2/groups/signatures/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_threat_id(5);
            },
            format!("/api/v2/groups/threats/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_victim_id(5);
            },
            format!("/api/v2/victims/5/groups/incidents?createActivityLog=false&{page}"),
        ),
        (
            |f| {
                f.add_task_id(5);
            },
            format!("/api/v2/tasks/5/groups/incidents?createActivityLog=false&{o}{page}"),
        ),
        (
            |f| {
                f.add_tag("Nation State");
            },
            format!(
                "/api/v2/tags/Nation%20State/groups/incidents?createActivityLog=false&{o}{page}"
            ),
        ),
        (
            |f| {
                f.add_security_label("TLP:GREEN");
            },
            format!(
                "/api/v2/securityLabels/TLP%3AGREEN/groups/incidents?createActivityLog=false&{o}{page}"
            ),
        ),
        (
            |f| {
                f.add_indicator("192.0.2.1");
            },
            format!(
                "/api/v2/indicators/addresses/192.0.2.1/groups/incidents?createActivityLog=false&{o}{page}"
            ),
        ),
        (
            |f| {
                f.add_indicator("bad@example.com");
            },
            format!(
                "/api/v2/indicators/emailAddresses/bad%40example.com/groups/incidents?createActivityLog=false&{o}{page}"
            ),
        ),
        (
            |f| {
                f.add_indicator("d41d8cd98f00b204e9800998ecf8427e");
            },
            format!(
                "/api/v2/indicators/files/d41d8cd98f00b204e9800998ecf8427e/groups/incidents?createActivityLog=false&{o}{page}"
            ),
        ),
        (
            |f| {
                f.add_indicator("example.com");
            },
            format!(
                "/api/v2/indicators/hosts/example.com/groups/incidents?createActivityLog=false&{o}{page}"
            ),
        ),
        (
            |f| {
                f.add_indicator("http://example.com/a b");
            },
            String::new(),
        ),
        (
            |f| {
                f.add_indicator("http://example.com/");
            },
            format!(
                "/api/v2/indicators/urls/http%3A%2F%2Fexample.com%2F/groups/incidents?createActivityLog=false&{o}{page}"
            ),
        ),
        (
            |f| {
                f.add_owner("Example Organization");
            },
            format!("/api/v2/groups/incidents?createActivityLog=false&{o}{page}"),
        ),
        (
            |f| {
                f.add_pf_name("x", FilterOperator::Eq);
            },
            format!("/api/v2/groups/incidents?createActivityLog=false&{o}{page}"),
        ),
        (
            |f| {
                f.add_server_filter(Clause {
                    field: Field::Name,
                    op: Op::StartsWith,
                    value: "APT 1".into(),
                });
            },
            format!(
                "/api/v2/groups/incidents?createActivityLog=false&filters=name%5EAPT+1&{o}{page}"
            ),
        ),
    ];
    for (add, want) in cases {
        let fake = plain_server().await;
        let tc = fake.tc("Example Organization");
        let mut incidents = tc.incidents();
        add(incidents.add_filter());
        let result = incidents.retrieve().await;
        if want.is_empty() {
            assert!(
                matches!(result, Err(threatdb_sdk::Error::InvalidInput(_))),
                "{result:?}"
            );
            assert!(fake.seen().is_empty());
            continue;
        }
        result.unwrap();
        assert_eq!(fake.lines(), vec![format!("GET {want}")]);
    }
}

#[tokio::test]
async fn filters_run_once_per_owner_and_request() {
    let fake = plain_server().await;
    let tc = fake.tc("Example Organization");
    let mut incidents = tc.incidents();
    let f = incidents.add_filter();
    f.add_owner(["Example Community", "Other Org"]);
    f.add_tag("A");
    f.add_adversary_id(9);
    incidents.retrieve().await.unwrap();
    let p = "resultLimit=200&resultStart=0";
    assert_eq!(
        fake.lines(),
        vec![
            format!(
                "GET /api/v2/tags/A/groups/incidents?createActivityLog=false&owner=Example+Community&{p}"
            ),
            format!(
                "GET /api/v2/groups/adversaries/9/groups/incidents?createActivityLog=false&{p}"
            ),
            format!(
                "GET /api/v2/tags/A/groups/incidents?createActivityLog=false&owner=Other+Org&{p}"
            ),
            format!(
                "GET /api/v2/groups/adversaries/9/groups/incidents?createActivityLog=false&{p}"
            ),
        ]
    );
}

#[tokio::test]
async fn the_activity_log_setting_and_result_limit_reach_every_request() {
    let fake = plain_server().await;
    let mut tc = fake.tc("Example Organization");
    tc.set_activity_log(true);
    tc.set_api_result_limit(10_000).unwrap();
    let mut incidents = tc.incidents();
    incidents.retrieve().await.unwrap();
    let mut i = incidents.add("x", "Example Community");
    i.set_id(1);
    i.delete().await.unwrap();
    assert_eq!(
        fake.lines(),
        vec![
            "GET /api/v2/groups/incidents?createActivityLog=true&resultLimit=10000&resultStart=0",
            "DELETE /api/v2/groups/incidents/1?createActivityLog=true&owner=Example+Community",
        ]
    );
}

#[tokio::test]
async fn pages_follow_the_result_count_loop() {
    // 450 incidents, 200 a page: the SDK asks for 0, 200, 400.
    let fake = FakeServer::start(|seen, _| {
        let start: i64 = seen
            .target
            .split("resultStart=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let ids: Vec<(i64, &str)> = (start..(start + 200).min(450))
            .map(|i| (i + 1, "Example Organization"))
            .collect();
        let count = (start == 0).then_some(450);
        (200, vec![], incident_page(count, &ids))
    })
    .await;
    let tc = fake.tc("Example Organization");
    let mut incidents = tc.incidents();
    incidents.add_filter().add_owner("Example Organization");
    incidents.retrieve().await.unwrap();
    assert_eq!(incidents.len(), 450);
    let starts: Vec<String> = fake
        .seen()
        .iter()
        .map(|s| s.target.rsplit('&').next().unwrap().to_string())
        .collect();
    assert_eq!(
        starts,
        ["resultStart=0", "resultStart=200", "resultStart=400"]
    );
}

#[tokio::test]
async fn a_server_without_result_count_is_paged_until_a_short_page() {
    let fake = FakeServer::start(|_, n| {
        let ids: Vec<(i64, &str)> = match n {
            0 => (1..=2).map(|i| (i, "O")).collect(),
            1 => vec![(3, "O")],
            _ => vec![],
        };
        (200, vec![], incident_page(None, &ids))
    })
    .await;
    let mut tc = fake.tc("O");
    tc.set_api_result_limit(2).unwrap();
    let mut incidents = tc.incidents();
    incidents.add_filter().add_owner("O");
    incidents.retrieve().await.unwrap();
    assert_eq!(incidents.len(), 3);
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn odd_characters_are_encoded_once_and_signed_as_sent() {
    let fake = plain_server().await;
    let tc = fake.tc("Org & Co = 1+1");
    let mut incidents = tc.incidents();
    let f = incidents.add_filter();
    f.add_tag("a/b c:d?é+%#&");
    f.add_security_label("TLP:AMBER+STRICT");
    incidents.retrieve().await.unwrap();
    let mut i = incidents.add("n", "Org & Co = 1+1");
    i.set_id(3);
    i.add_tag("x y~z*");
    i.commit().await.unwrap();

    let seen = fake.seen();
    let p = "owner=Org+%26+Co+%3D+1%2B1";
    assert_eq!(
        seen.iter().map(|s| s.target.as_str()).collect::<Vec<_>>(),
        vec![
            format!(
                "/api/v2/tags/a%2Fb%20c%3Ad%3F%C3%A9%2B%25%23%26/groups/incidents?createActivityLog=false&{p}&resultLimit=200&resultStart=0"
            ),
            format!(
                "/api/v2/securityLabels/TLP%3AAMBER%2BSTRICT/groups/incidents?createActivityLog=false&{p}&resultLimit=200&resultStart=0"
            ),
            format!("/api/v2/groups/incidents/3?createActivityLog=false&{p}"),
            format!("/api/v2/groups/incidents/3/tags/x%20y~z%2A?createActivityLog=false&{p}"),
        ]
    );
    for r in &seen {
        let want = signing::authorization(ID, "SECRETKEY", &r.target, &r.method, 1513703787);
        assert_eq!(
            r.header("authorization"),
            Some(want.as_str()),
            "{}",
            r.line()
        );
    }
}

#[tokio::test]
async fn metadata_loads_and_associations_send_their_paths() {
    let fake = plain_server().await;
    let tc = fake.tc("Example Organization");
    let incidents = tc.incidents();
    let mut i = incidents.update(54321, Some("Example Community"));
    i.load_attributes().await.unwrap();
    i.load_tags().await.unwrap();
    i.load_security_labels().await.unwrap();
    i.associate_group(GroupType::Adversaries, 5)
        .associate_indicator(IndicatorType::Urls, "http://example.com/")
        .associate_victim(333333)
        .disassociate_group(GroupType::Threats, 6)
        .disassociate_indicator(IndicatorType::Addresses, "192.0.2.1")
        .disassociate_victim(333333)
        .update_attribute(7, "Updated Description")
        .delete_attribute(7)
        .delete_tag("Nation State")
        .delete_security_label("TLP Green")
        .add_attribute_displayed("Source", "s", false);
    assert_eq!(i.pending().len(), 11);
    i.commit().await.unwrap();
    let g = "/api/v2/groups/incidents/54321";
    assert_eq!(
        fake.lines(),
        vec![
            format!("GET {g}/attributes?{Q}"),
            format!("GET {g}/tags?{Q}"),
            format!("GET {g}/securityLabels?{Q}"),
            format!("POST {g}/groups/adversaries/5?{Q}"),
            format!(
                "POST /api/v2/indicators/urls/http%3A%2F%2Fexample.com%2F/groups/incidents/54321?{Q}"
            ),
            format!("POST {g}/victims/333333?{Q}"),
            format!("DELETE {g}/groups/threats/6?{Q}"),
            format!("DELETE /api/v2/indicators/addresses/192.0.2.1/groups/incidents/54321?{Q}"),
            format!("DELETE {g}/victims/333333?{Q}"),
            format!("PUT {g}/attributes/7?{Q}"),
            format!("DELETE {g}/attributes/7?{Q}"),
            format!("DELETE {g}/tags/Nation%20State?{Q}"),
            format!("DELETE {g}/securityLabels/TLP%20Green?{Q}"),
            format!("POST {g}/attributes?{Q}"),
        ]
    );
    let seen = fake.seen();
    assert_eq!(seen[9].body, r#"{"value":"Updated Description"}"#);
    assert_eq!(
        seen[13].body,
        r#"{"type":"Source","value":"s","displayed":false}"#
    );
}

#[tokio::test]
async fn filters_lists_the_python_names() {
    let fake = plain_server().await;
    let mut incidents = fake.tc("O").incidents();
    let f = incidents.add_filter();
    assert_eq!(
        f.filters(),
        vec![
            "add_adversary_id",
            "add_campaign_id",
            "add_document_id",
            "add_email_id",
            "add_id",
            "add_incident_id",
            "add_indicator",
            "add_security_label",
            "add_signature_id",
            "add_tag",
            "add_task_id",
            "add_threat_id",
            "add_victim_id",
            "add_pf_date_added",
            "add_pf_file_type",
            "add_pf_name",
        ]
    );
    f.add_owner("Example Community").add_tag("Nation State");
    let printed = f.to_string();
    assert!(printed.contains("_____Filter Object_____"), "{printed}");
    assert!(
        printed.contains("api filter by tag \"Nation State\""),
        "{printed}"
    );
    assert!(printed.contains("FilterSetOperator.AND"), "{printed}");
}

#[tokio::test]
async fn https_base_urls_speak_tls() {
    // A plain-HTTP server behind an https:// URL: the TLS handshake fails, as a transport
    // error (rustls is built in, so https works against real servers).
    let fake = plain_server().await;
    let url = fake.base_url.replace("http://", "https://");
    let mut tc = threatdb_sdk::ThreatConnect::new(ID, "SECRETKEY", "O", url).unwrap();
    tc.set_api_retries(0);
    let err = tc.owners().await.unwrap_err();
    assert!(matches!(err, threatdb_sdk::Error::Transport(_)), "{err:?}");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_proxy_receives_every_request() {
    // The fake server plays an HTTP proxy: the API host is never contacted.
    let proxy = plain_server().await;
    let proxy_url = proxy.base_url.trim_end_matches("/api").to_string();
    let mut tc =
        threatdb_sdk::ThreatConnect::new(ID, "SECRETKEY", "O", "http://tc.example.invalid/api")
            .unwrap();
    tc.set_api_retries(0);
    tc.set_proxies(proxy_url).unwrap();
    tc.set_clock(std::sync::Arc::new(threatdb_sdk::FixedClock(1513703787)));
    tc.incidents().retrieve().await.unwrap();
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].target,
        "/api/v2/groups/incidents?createActivityLog=false&resultLimit=200&resultStart=0"
    );
    assert_eq!(seen[0].header("host"), Some("tc.example.invalid"));
    let want = signing::authorization(ID, "SECRETKEY", &seen[0].target, "GET", 1513703787);
    assert_eq!(seen[0].header("authorization"), Some(want.as_str()));
}
