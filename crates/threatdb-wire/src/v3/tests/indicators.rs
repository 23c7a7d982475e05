//! Indicators, every type's value fields.

use super::{golden, round_trip};
use crate::v3::*;
use serde_json::json;

fn host() -> Indicator {
    Indicator {
        id: 3,
        owner_id: 1,
        owner_name: "Demo Organization".into(),
        date_added: "2021-10-26T12:40:00Z".into(),
        last_modified: "2021-11-02T14:58:55Z".into(),
        web_link: "https://app.threatconnect.com/#/details/indicators/3/overview".into(),
        details: IndicatorDetails::Host {
            host_name: "badguy.com".into(),
            dns_active: true,
            whois_active: false,
        },
        summary: "badguy.com".into(),
        rating: Some(3.0),
        confidence: Some(74),
        description: Some("A bad host.".into()),
        source: None,
        private_flag: false,
        active: true,
        active_locked: false,
        first_seen: None,
        last_seen: None,
        false_positives: None,
        last_false_positive: None,
        observations: None,
        last_observed: None,
        value1: None,
        value2: None,
        value3: None,
        legacy_link: None,
        tags: None,
        security_labels: None,
        attributes: None,
        associated_groups: None,
        associated_indicators: None,
    }
}

#[test]
fn a_host_as_documented() {
    golden(
        &Single::read(host()),
        json!({
            "data": {
                "id": 3, "ownerId": 1, "ownerName": "Demo Organization",
                "dateAdded": "2021-10-26T12:40:00Z",
                "webLink": "https://app.threatconnect.com/#/details/indicators/3/overview",
                "type": "Host", "lastModified": "2021-11-02T14:58:55Z", "rating": 3.00,
                "confidence": 74, "description": "A bad host.", "summary": "badguy.com",
                "privateFlag": false, "active": true, "activeLocked": false,
                "hostName": "badguy.com", "dnsActive": true, "whoisActive": false
            },
            "status": "Success"
        }),
    );
}

#[test]
fn with_tags_and_associated_groups() {
    let mut i = host();
    i.tags = Some(DataList::new(vec![Tag {
        id: 13,
        name: "Created via API".into(),
        description: Some("Apply this Tag to objects created via the ThreatConnect API.".into()),
        last_used: Some("2023-01-30T18:39:32Z".into()),
        technique_id: None,
    }]));
    i.associated_groups = Some(DataList::new(vec![]));
    i.value1 = Some("badguy.com".into());
    let json = serde_json::to_value(&i).unwrap();
    assert_eq!(
        json["tags"],
        json!({"data": [{"id": 13, "name": "Created via API",
            "description": "Apply this Tag to objects created via the ThreatConnect API.",
            "lastUsed": "2023-01-30T18:39:32Z"}]})
    );
    assert_eq!(json["associatedGroups"], json!({"data": []}));
    assert_eq!(json["value1"], json!("badguy.com"));
    assert!(json.get("securityLabels").is_none());
}

#[test]
fn every_indicator_type_reads_and_writes_back() {
    let base = json!({"id": 9, "ownerId": 1, "ownerName": "Demo Organization",
        "dateAdded": "2021-11-02T12:34:03Z", "lastModified": "2021-11-02T12:48:51Z",
        "webLink": "https://app.threatconnect.com/#/details/indicators/9/overview",
        "privateFlag": false, "active": true, "activeLocked": false});
    let cases = [
        ("Address", "10.0.0.1", json!({"ip": "10.0.0.1"})),
        (
            "EmailAddress",
            "badguy@bad.com",
            json!({"address": "badguy@bad.com"}),
        ),
        (
            "File",
            "F5A2496CF66CB8CFFE66CB1B27D7DEDE",
            json!({"md5": "F5A2496CF66CB8CFFE66CB1B27D7DEDE", "size": 10}),
        ),
        (
            "Host",
            "bad.com",
            json!({"hostName": "bad.com", "dnsActive": false, "whoisActive": true}),
        ),
        (
            "URL",
            "http://bad.com/x",
            json!({"text": "http://bad.com/x"}),
        ),
        ("ASN", "AS1234", json!({"AS Number": "AS1234"})),
        ("CIDR", "10.0.0.0/8", json!({"Block": "10.0.0.0/8"})),
        ("EmailSubject", "Invoice", json!({"Subject": "Invoice"})),
        ("Hashtag", "#bad", json!({"Hashtag": "#bad"})),
        ("Mutex", "Global\\x", json!({"Mutex": "Global\\x"})),
        (
            "Registry Key",
            "HKLM\\Run : x : REG_SZ",
            json!({"Key Name": "HKLM\\Run", "Value Name": "x", "Value Type": "REG_SZ"}),
        ),
        (
            "User Agent",
            "curl/8",
            json!({"User Agent String": "curl/8"}),
        ),
    ];
    for (kind, summary, fields) in cases {
        let mut json = base.clone();
        json["type"] = json!(kind);
        json["summary"] = json!(summary);
        for (k, v) in fields.as_object().unwrap() {
            json[k] = v.clone();
        }
        let i: Indicator = round_trip(json);
        assert_eq!(i.details.type_name(), kind);
    }
}

#[test]
fn defaults_when_reading_sparse_json() {
    let i: Indicator = serde_json::from_value(json!({"id": 1, "ownerId": 1, "ownerName": "O",
        "dateAdded": "2021-11-02T12:34:03Z", "lastModified": "2021-11-02T12:48:51Z",
        "webLink": "w", "type": "URL", "text": "http://x", "summary": "http://x",
        "legacyLink": "l", "threatAssessScore": 10}))
    .unwrap();
    assert!(i.active && !i.private_flag && !i.active_locked);
    assert_eq!(i.rating, None);
}
