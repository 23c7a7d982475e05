//! The authorization matrix: every route × read/write/admin/non-member × own/other owner.

use crate::helpers::*;

crate::on_both_stores!(
    incident_routes_by_role_and_owner,
    owner_scoped_routes_by_role_and_owner
);

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Read,
    Write,
}

/// A route on an incident: method, path after `/v2/groups/incidents/{id}`, body, kind, success status.
const ROUTES: &[(&str, &str, Option<&str>, Kind, u16)] = &[
    ("GET", "", None, Kind::Read, 200),
    ("PUT", "", Some(r#"{"name":"changed"}"#), Kind::Write, 200),
    ("DELETE", "", None, Kind::Write, 200),
    ("GET", "/attributes", None, Kind::Read, 200),
    (
        "POST",
        "/attributes",
        Some(r#"{"type":"Description","value":"v"}"#),
        Kind::Write,
        201,
    ),
    ("GET", "/attributes/{aid}", None, Kind::Read, 200),
    (
        "PUT",
        "/attributes/{aid}",
        Some(r#"{"value":"w"}"#),
        Kind::Write,
        200,
    ),
    ("DELETE", "/attributes/{aid}", None, Kind::Write, 200),
    (
        "GET",
        "/attributes/{aid}/securityLabels",
        None,
        Kind::Read,
        200,
    ),
    (
        "GET",
        "/attributes/{aid}/securityLabels/TLP%3AGREEN",
        None,
        Kind::Read,
        200,
    ),
    (
        "POST",
        "/attributes/{aid}/securityLabels/TLP%3ARED",
        None,
        Kind::Write,
        201,
    ),
    (
        "DELETE",
        "/attributes/{aid}/securityLabels/TLP%3AGREEN",
        None,
        Kind::Write,
        200,
    ),
    ("GET", "/tags", None, Kind::Read, 200),
    ("GET", "/tags/Seen", None, Kind::Read, 200),
    ("POST", "/tags/New", None, Kind::Write, 201),
    ("DELETE", "/tags/Seen", None, Kind::Write, 200),
    ("GET", "/securityLabels", None, Kind::Read, 200),
    ("GET", "/securityLabels/TLP%3AGREEN", None, Kind::Read, 200),
    ("POST", "/securityLabels/TLP%3ARED", None, Kind::Write, 201),
    (
        "DELETE",
        "/securityLabels/TLP%3AGREEN",
        None,
        Kind::Write,
        200,
    ),
];

/// Makes an incident in `owner` with an attribute (labelled TLP:GREEN), the tag `Seen` and the label TLP:GREEN.
async fn furnished(app: &TestApp, who: &Creds, owner: &str) -> (i64, i64) {
    let id = app.create_incident(who, owner, "target").await;
    let o = owner.replace(' ', "+");
    let a = app
        .call(
            who,
            "POST",
            &format!("/v2/groups/incidents/{id}/attributes?owner={o}"),
            Some(r#"{"type":"Description","value":"v"}"#),
        )
        .await;
    let aid = a.json["data"]["attribute"]["id"].as_i64().unwrap();
    for path in [
        format!("/attributes/{aid}/securityLabels/TLP%3AGREEN"),
        "/tags/Seen".into(),
        "/securityLabels/TLP%3AGREEN".into(),
    ] {
        app.call(
            who,
            "POST",
            &format!("/v2/groups/incidents/{id}{path}?owner={o}"),
            None,
        )
        .await
        .assert_success(201);
    }
    (id, aid)
}

async fn incident_routes_by_role_and_owner(app: TestApp) {
    let roles = [
        ("admin", &app.admin),
        ("writer", &app.writer),
        ("reader", &app.reader),
        ("non-member", &app.outsider),
    ];
    for &(method, path, body, kind, ok) in ROUTES {
        for (role, who) in roles {
            // Own owner: Example Organization for the three members; Other Org for the outsider.
            for own in [true, false] {
                let in_other = (role == "non-member") == own;
                let (owner, creator) = if in_other {
                    (OTHER, &app.outsider)
                } else {
                    (ORG, &app.admin)
                };
                let (id, aid) = furnished(&app, creator, owner).await;
                let before = app
                    .get(
                        creator,
                        &format!(
                            "/v2/groups/incidents/{id}?includes=attributes,tags,labels,additional"
                        ),
                    )
                    .await
                    .json;
                let target = format!(
                    "/v2/groups/incidents/{id}{}",
                    path.replace("{aid}", &aid.to_string())
                );
                let r = app.call(who, method, &target, body).await;
                let expected = match (own, role, kind) {
                    (false, _, _) => 404,
                    (true, "reader", Kind::Write) => 403,
                    _ => ok,
                };
                assert_eq!(
                    r.status, expected,
                    "{role} {method} {target} own={own}: {:?}",
                    r.json
                );
                if expected >= 400 {
                    r.assert_failure(
                        expected,
                        if expected == 404 {
                            "not found"
                        } else {
                            "Access Denied"
                        },
                    );
                    let after = app.get(creator, &format!("/v2/groups/incidents/{id}?includes=attributes,tags,labels,additional")).await.json;
                    assert_eq!(
                        after, before,
                        "a refused {method} {target} must change nothing"
                    );
                }
            }
        }
    }
}

async fn owner_scoped_routes_by_role_and_owner(app: TestApp) {
    app.create_incident(&app.admin, ORG, "org incident").await;
    app.create_incident(&app.outsider, OTHER, "other incident")
        .await;
    let lists = [
        "/v2/groups/incidents",
        "/v2/groups",
        "/v2/tags",
        "/v2/securityLabels",
        "/v2/tags/Seen/groups/incidents",
        "/v2/securityLabels/TLP%3AGREEN/groups/incidents",
    ];
    let roles = [
        ("admin", &app.admin),
        ("writer", &app.writer),
        ("reader", &app.reader),
        ("non-member", &app.outsider),
    ];
    for list in lists {
        for (role, who) in roles {
            for own in [true, false] {
                let owner = if (role == "non-member") == own {
                    "Other+Org"
                } else {
                    "Example+Organization"
                };
                let r = app.get(who, &format!("{list}?owner={owner}")).await;
                if own {
                    r.assert_success(200);
                } else {
                    r.assert_failure(403, "Access Denied");
                }
            }
        }
    }
    // Creating needs a writing role in the owner.
    let body = r#"{"name":"x","eventDate":"2017-03-21"}"#;
    for (role, who, want) in [
        ("admin", &app.admin, 201),
        ("writer", &app.writer, 201),
        ("reader", &app.reader, 403),
        ("non-member", &app.outsider, 403),
    ] {
        let r = app
            .call(
                who,
                "POST",
                "/v2/groups/incidents?owner=Example+Organization",
                Some(body),
            )
            .await;
        assert_eq!(r.status, want, "{role}");
    }
    // Lists never show another owner's incidents, whatever the owner= says.
    let r = app.get(&app.reader, "/v2/groups/incidents").await;
    assert!(
        r.json["data"]["incident"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["ownerName"] == ORG)
    );
}
