//! Request bodies: nested collections, modes, nullable fields, ignored keys; `fields=`.

use super::golden;
use crate::v3::*;
use serde_json::json;

#[test]
fn the_spec_create_example() {
    let json = json!({"type": "Incident", "name": "Phish wave 12",
        "eventDate": "2017-03-21T00:00:00+00:00", "status": "New", "ownerName": "Example Org",
        "xid": "ext-12",
        "tags": {"data": [{"name": "Phishing"}, {"name": "Wave 12"}], "mode": "append"},
        "securityLabels": {"data": [{"name": "TLP:GREEN"}], "mode": "append"},
        "attributes": {"data": [{"type": "Description", "value": "...", "default": true}], "mode": "append"},
        "associatedGroups": {"data": [{"id": 1001}], "mode": "append"}});
    let body = GroupBody {
        kind: Some("Incident".into()),
        name: Some("Phish wave 12".into()),
        event_date: Some(Some("2017-03-21T00:00:00+00:00".into())),
        status: Some(Some("New".into())),
        owner_name: Some("Example Org".into()),
        xid: Some("ext-12".into()),
        tags: Some(Nested::new(
            Mode::Append,
            vec![
                TagRef {
                    id: None,
                    name: Some("Phishing".into()),
                },
                TagRef {
                    id: None,
                    name: Some("Wave 12".into()),
                },
            ],
        )),
        security_labels: Some(Nested::new(
            Mode::Append,
            vec![LabelRef {
                id: None,
                name: Some("TLP:GREEN".into()),
            }],
        )),
        attributes: Some(Nested::new(
            Mode::Append,
            vec![AttributeItem {
                kind: Some("Description".into()),
                value: Some("...".into()),
                default: Some(true),
                ..AttributeItem::default()
            }],
        )),
        associated_groups: Some(Nested::new(
            Mode::Append,
            vec![GroupBody {
                id: Some(1001),
                ..GroupBody::default()
            }],
        )),
        ..GroupBody::default()
    };
    golden(&body, json);
}

#[test]
fn what_tcex_resends_on_update() {
    // After get(fields=attributes), tcex sends back every fetched item with its id and the
    // read-only keys it was given; those keys are ignored.
    let body: GroupBody = serde_json::from_value(json!({
        "attributes": {"data": [{"id": 501, "default": true, "value": "d1",
            "dateAdded": "2024-05-01T10:00:00Z", "createdBy": {"id": 3}},
            {"type": "Source", "value": "s"}], "mode": "append"},
        "securityLabels": {"data": [{"id": 2, "name": "TLP:GREEN", "color": "33FF00",
            "description": "...", "dateAdded": "2016-08-31T00:00:00Z"}]},
        "tags": {"data": [{"id": 7, "name": "Phishing", "lastUsed": "2024-05-01T10:00:00Z"}],
            "mode": "REPLACE"},
        "name": "Phish wave 12", "status": "Open", "eventDate": "2017-03-21T00:00:00Z",
        "type": "Incident", "id": 12, "dateAdded": "2017-03-21T00:00:00Z", "webLink": "x",
        "upVoteCount": "0", "createdBy": {"id": 3, "userName": "u"}
    }))
    .unwrap();
    let attrs = body.attributes.unwrap();
    assert_eq!(attrs.mode, Mode::Append);
    assert_eq!(attrs.data[0].id, Some(501));
    assert_eq!(attrs.data[0].kind, None);
    assert_eq!(attrs.data[1].kind.as_deref(), Some("Source"));
    let labels = body.security_labels.unwrap();
    assert_eq!(labels.mode, Mode::Append, "mode defaults to append");
    assert_eq!(
        labels.data,
        vec![LabelRef {
            id: Some(2),
            name: Some("TLP:GREEN".into())
        }]
    );
    assert_eq!(
        body.tags.unwrap().mode,
        Mode::Replace,
        "mode is case-insensitive"
    );
    assert_eq!(body.id, Some(12));
}

#[test]
fn modes() {
    for (text, mode) in [
        ("append", Mode::Append),
        ("Delete", Mode::Delete),
        (" replace ", Mode::Replace),
    ] {
        let n: Nested<TagRef> = serde_json::from_value(json!({"data": [], "mode": text})).unwrap();
        assert_eq!(n.mode, mode);
    }
    let e = serde_json::from_value::<Nested<TagRef>>(json!({"data": [], "mode": "merge"}))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("mode 'merge' is not valid: use append, delete or replace"),
        "{e}"
    );
    let n: Nested<TagRef> = serde_json::from_value(json!({"mode": "delete"})).unwrap();
    assert!(n.data.is_empty());
    golden(
        &Nested::new(
            Mode::Delete,
            vec![GroupBody {
                id: Some(15),
                ..GroupBody::default()
            }],
        ),
        json!({"data": [{"id": 15}], "mode": "delete"}),
    );
}

#[test]
fn null_clears_and_absence_keeps() {
    let b: GroupBody =
        serde_json::from_value(json!({"eventDate": null, "status": "Open"})).unwrap();
    assert_eq!(b.event_date, Some(None));
    assert_eq!(b.status, Some(Some("Open".into())));
    assert_eq!(b.first_seen, None);
    golden(&b, json!({"eventDate": null, "status": "Open"}));
    let i: IndicatorBody =
        serde_json::from_value(json!({"rating": null, "confidence": 50})).unwrap();
    assert_eq!((i.rating, i.confidence), (Some(None), Some(Some(50))));
}

#[test]
fn an_indicator_with_associations() {
    let json = json!({"type": "Host", "hostName": "ultrabadguy.com", "rating": 5.0,
        "confidence": 65, "dnsActive": false,
        "associatedGroups": {"data": [{"id": 15}], "mode": "delete"},
        "securityLabels": {"data": [{"name": "TLP:RED"}], "mode": "replace"},
        "tags": {"data": [{"name": "Russia"}], "mode": "append"},
        "associatedIndicators": {"data": [{"type": "Address", "ip": "10.0.0.1"}], "mode": "append"}});
    let body = IndicatorBody {
        kind: Some("Host".into()),
        host_name: Some("ultrabadguy.com".into()),
        rating: Some(Some(5.0)),
        confidence: Some(Some(65)),
        dns_active: Some(false),
        associated_groups: Some(Nested::new(
            Mode::Delete,
            vec![GroupBody {
                id: Some(15),
                ..GroupBody::default()
            }],
        )),
        security_labels: Some(Nested::new(
            Mode::Replace,
            vec![LabelRef {
                id: None,
                name: Some("TLP:RED".into()),
            }],
        )),
        tags: Some(Nested::new(
            Mode::Append,
            vec![TagRef {
                id: None,
                name: Some("Russia".into()),
            }],
        )),
        associated_indicators: Some(Nested::new(
            Mode::Append,
            vec![IndicatorBody {
                kind: Some("Address".into()),
                ip: Some("10.0.0.1".into()),
                ..IndicatorBody::default()
            }],
        )),
        ..IndicatorBody::default()
    };
    golden(&body, json);
}

#[test]
fn attribute_labels_nest() {
    let a: AttributeItem = serde_json::from_value(json!({"type": "Description", "value": "v",
        "securityLabels": {"data": [{"name": "TLP:AMBER"}], "mode": "replace"}}))
    .unwrap();
    let labels = a.security_labels.unwrap();
    assert_eq!(labels.mode, Mode::Replace);
    assert_eq!(labels.data[0].name.as_deref(), Some("TLP:AMBER"));
}

#[test]
fn fields_names() {
    let f = Fields::parse(
        ["tags", "attributes,securityLabels", "", "TAGS"],
        Object::Group,
    )
    .unwrap();
    assert_eq!(
        f.names(),
        &[
            FieldName::Tags,
            FieldName::SecurityLabels,
            FieldName::Attributes
        ]
    );
    assert!(f.has(FieldName::Attributes) && !f.has(FieldName::AssociatedGroups));
    let e = Fields::parse(["tags", "colour"], Object::Group).unwrap_err();
    assert_eq!(
        e,
        "field 'colour' is unknown for a group: use tags, securityLabels, attributes, associatedGroups, associatedIndicators"
    );
    let e = Fields::parse(["associatedCases"], Object::Group).unwrap_err();
    assert!(
        e.starts_with("field 'associatedCases' is not supported by this server for a group"),
        "{e}"
    );
    // tcex adds genericCustomIndicatorValues to every indicator request.
    let f = Fields::parse(
        ["genericCustomIndicatorValues", "associatedGroups"],
        Object::Indicator,
    )
    .unwrap();
    assert!(f.has(FieldName::GenericCustomIndicatorValues));
    assert!(Fields::parse(["genericCustomIndicatorValues"], Object::Group).is_err());
    assert_eq!(
        Fields::parse(Vec::<&str>::new(), Object::Group).unwrap(),
        Fields::default()
    );
    for o in [Object::Group, Object::Indicator] {
        for f in o.fields() {
            assert!(f.description(o.noun()).ends_with(o.noun()));
            assert!(!o.unsupported().contains(&f.as_str()));
        }
    }
    assert_eq!(
        Fields::of(&[FieldName::Tags, FieldName::Tags]).names(),
        &[FieldName::Tags]
    );
}
