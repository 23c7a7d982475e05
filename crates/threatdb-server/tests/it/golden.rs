//! Golden JSON of every response shape (insta snapshots in `snapshots/`). Times, xids and the
//! port are replaced by placeholders so the snapshots are stable.

use crate::helpers::*;

crate::on_both_stores!(response_shapes);
use serde_json::Value;

fn stable(mut v: Value, origin: &str) -> Value {
    fn walk(v: &mut Value, origin: &str) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    match (k.as_str(), &val) {
                        ("dateAdded" | "lastModified", Value::String(_)) => {
                            *val = Value::String("<time>".into())
                        }
                        ("xid", Value::String(_)) => *val = Value::String("<xid>".into()),
                        _ => walk(val, origin),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, origin)),
            Value::String(s) if s.starts_with(origin) => {
                *s = s.replacen(origin, "http://threatdb", 1)
            }
            _ => {}
        }
    }
    walk(&mut v, origin);
    v
}

async fn response_shapes(app: TestApp) {
    let mut shapes = serde_json::Map::new();
    let mut record = |name: &str, r: Reply| {
        assert_eq!(
            r.content_type.as_deref(),
            Some("application/json"),
            "{name}"
        );
        shapes.insert(format!("{} {name}", r.status), stable(r.json, &app.origin));
    };
    let body = r#"{"name":"New Incident","eventDate":"2017-7-13T00:00:00-04:00","status":"open"}"#;
    record(
        "create",
        app.call(
            &app.admin,
            "POST",
            "/v2/groups/incidents?owner=Example+Community",
            Some(body),
        )
        .await,
    );
    let q = "owner=Example+Community";
    record(
        "add attribute",
        app.call(&app.admin, "POST", &format!("/v2/groups/incidents/1/attributes?{q}"), Some(r#"{"type":"Description","value":"Description Example","displayed":"true","source":"analyst"}"#)).await,
    );
    record(
        "add tag",
        app.call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents/1/tags/Nation%20State?{q}"),
            None,
        )
        .await,
    );
    record(
        "add label",
        app.call(
            &app.admin,
            "POST",
            &format!("/v2/groups/incidents/1/securityLabels/TLP%20Green?{q}"),
            None,
        )
        .await,
    );
    record(
        "get",
        app.get(&app.admin, &format!("/v2/groups/incidents/1?{q}"))
            .await,
    );
    record("get with everything", app.get(&app.admin, &format!("/v2/groups/incidents/1?{q}&includeAdditional=true&includeAttributes=true&includeTags=true&includes=labels")).await);
    record(
        "list",
        app.get(&app.admin, &format!("/v2/groups/incidents?{q}"))
            .await,
    );
    record(
        "list second page",
        app.get(
            &app.admin,
            &format!("/v2/groups/incidents?{q}&resultStart=1"),
        )
        .await,
    );
    record(
        "empty list",
        app.get(&app.admin, "/v2/groups/incidents").await,
    );
    record(
        "groups",
        app.get(&app.admin, &format!("/v2/groups?{q}")).await,
    );
    record(
        "by tag",
        app.get(
            &app.admin,
            &format!("/v2/tags/Nation%20State/groups/incidents?{q}"),
        )
        .await,
    );
    record(
        "attributes",
        app.get(
            &app.admin,
            &format!("/v2/groups/incidents/1/attributes?{q}"),
        )
        .await,
    );
    record(
        "tags",
        app.get(&app.admin, &format!("/v2/groups/incidents/1/tags?{q}"))
            .await,
    );
    record(
        "tag",
        app.get(&app.admin, &format!("/v2/tags/Nation%20State?{q}"))
            .await,
    );
    record(
        "owner tags",
        app.get(&app.admin, &format!("/v2/tags?{q}")).await,
    );
    record(
        "labels",
        app.get(
            &app.admin,
            &format!("/v2/groups/incidents/1/securityLabels?{q}"),
        )
        .await,
    );
    record("owners", app.get(&app.admin, "/v2/owners").await);
    record("owners mine", app.get(&app.admin, "/v2/owners/mine").await);
    record("whoami", app.get(&app.admin, "/v2/whoami").await);
    record(
        "indicator types",
        app.get(&app.admin, "/v2/types/indicatorTypes").await,
    );
    record(
        "update",
        app.call(
            &app.admin,
            "PUT",
            &format!("/v2/groups/incidents/1?{q}"),
            Some(r#"{"name":"Updated Incident"}"#),
        )
        .await,
    );
    record(
        "delete",
        app.call(
            &app.admin,
            "DELETE",
            &format!("/v2/groups/incidents/1?{q}"),
            None,
        )
        .await,
    );
    record(
        "not found",
        app.get(&app.admin, &format!("/v2/groups/incidents/1?{q}"))
            .await,
    );
    record(
        "bad request",
        app.call(
            &app.admin,
            "POST",
            "/v2/groups/incidents",
            Some(r#"{"name":"x"}"#),
        )
        .await,
    );
    record(
        "forbidden owner",
        app.get(&app.admin, "/v2/groups/incidents?owner=Other+Org")
            .await,
    );
    insta::assert_json_snapshot!("response_shapes", Value::Object(shapes));
}
