//! The authorization matrix, generated from the router's own route lists (v2 and v3): every API path ×
//! GET/POST/PUT/DELETE/OPTIONS × admin, writer and reader of the owner, and an admin of another owner.
//! A new route is covered as soon as it exists; one whose path parameters this test cannot
//! fill fails it until the test learns them.
//!
//! What must hold, whatever the route:
//! - another owner's admin never gets a success on a path naming this owner's data, never sees
//!   its markers in an answer, and changes nothing;
//! - a reader never succeeds in changing anything (and changes nothing);
//! - the owner's admin succeeds on at least one method of every path (so the fills are real and
//!   the refusals above are not just missing objects).

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

crate::on_both_stores!(every_route_by_role_and_owner);

const MARK: &str = "zzmarker";

/// The objects of the owner the matrix probes, made fresh for every request that may change them.
struct Objects {
    incident: i64,
    other_incident: i64,
    attribute: i64,
    adversary: i64,
    group_attribute: i64,
    host: String,
    host_attribute: i64,
    victim: i64,
    task: i64,
    org: i64,
    /// A completed batch job with an error record (made once: an owner may have only 20
    /// waiting).
    batch: i64,
}

async fn ok(app: &TestApp, method: &str, target: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string());
    let r = app.call(&app.admin, method, target, body.as_deref()).await;
    assert!(r.status < 300, "{method} {target}: {} {}", r.status, r.json);
    r.json
}

async fn make(app: &TestApp, n: usize) -> Objects {
    let incident = app
        .create_incident(&app.admin, ORG, &format!("{MARK} incident {n}"))
        .await;
    let other_incident = app
        .create_incident(&app.admin, ORG, &format!("{MARK} other {n}"))
        .await;
    let i = format!("/v2/groups/incidents/{incident}");
    let attr = json!({"type": "Description", "value": format!("{MARK} value")});
    let a = ok(app, "POST", &format!("{i}/attributes"), Some(attr.clone())).await;
    let attribute = a["data"]["attribute"]["id"].as_i64().unwrap();
    ok(
        app,
        "POST",
        &format!("{i}/attributes/{attribute}/securityLabels/TLP%3AGREEN"),
        None,
    )
    .await;
    ok(app, "POST", &format!("{i}/tags/{MARK}Tag"), None).await;
    ok(
        app,
        "POST",
        &format!("{i}/securityLabels/TLP%3AGREEN"),
        None,
    )
    .await;
    let g = ok(
        app,
        "POST",
        "/v2/groups/adversaries",
        Some(json!({"name": format!("{MARK} adversary {n}")})),
    )
    .await;
    let adversary = g["data"]["adversary"]["id"].as_i64().unwrap();
    let gp = format!("/v2/groups/adversaries/{adversary}");
    let ga = ok(app, "POST", &format!("{gp}/attributes"), Some(attr.clone())).await;
    let group_attribute = ga["data"]["attribute"]["id"].as_i64().unwrap();
    ok(
        app,
        "POST",
        &format!("{gp}/attributes/{group_attribute}/securityLabels/TLP%3AGREEN"),
        None,
    )
    .await;
    ok(app, "POST", &format!("{gp}/tags/{MARK}Tag"), None).await;
    ok(
        app,
        "POST",
        &format!("{gp}/securityLabels/TLP%3AGREEN"),
        None,
    )
    .await;
    let host = format!("{MARK}{n}.example");
    ok(
        app,
        "POST",
        "/v2/indicators/hosts",
        Some(json!({"hostName": host})),
    )
    .await;
    let hp = format!("/v2/indicators/hosts/{host}");
    let ha = ok(app, "POST", &format!("{hp}/attributes"), Some(attr)).await;
    let host_attribute = ha["data"]["attribute"]["id"].as_i64().unwrap();
    ok(
        app,
        "POST",
        &format!("{hp}/attributes/{host_attribute}/securityLabels/TLP%3AGREEN"),
        None,
    )
    .await;
    ok(app, "POST", &format!("{hp}/tags/{MARK}Tag"), None).await;
    ok(
        app,
        "POST",
        &format!("{hp}/securityLabels/TLP%3AGREEN"),
        None,
    )
    .await;
    let v = ok(
        app,
        "POST",
        "/v2/victims",
        Some(json!({"name": format!("{MARK} victim")})),
    )
    .await;
    let victim = v["data"]["victim"]["id"].as_i64().unwrap();
    let t = ok(
        app,
        "POST",
        "/v2/tasks",
        Some(json!({"name": format!("{MARK} task")})),
    )
    .await;
    let task = t["data"]["task"]["id"].as_i64().unwrap();
    for link in [
        format!("{i}/groups/adversaries/{adversary}"),
        format!("{i}/groups/incidents/{other_incident}"),
        format!("{i}/indicators/hosts/{host}"),
        format!("{i}/victims/{victim}"),
        format!("{i}/tasks/{task}"),
    ] {
        ok(app, "POST", &link, None).await;
    }
    let org = app.get(&app.admin, "/v2/owners/mine").await.json["data"]["owner"]["id"]
        .as_i64()
        .unwrap();
    Objects {
        incident,
        other_incident,
        attribute,
        adversary,
        group_attribute,
        host,
        host_attribute,
        victim,
        task,
        org,
        batch: 0,
    }
}

/// A completed batch job of the owner with one error record.
async fn batch_job(app: &TestApp) -> i64 {
    let settings = json!({"action": "Create", "owner": ORG, "version": "V2"});
    let made = ok(app, "POST", "/v2/batch", Some(settings)).await;
    let id = made["data"]["batchId"].as_i64().unwrap();
    let file = json!({"indicator": [{"type": "Address", "summary": "999.1.1.1"}]});
    ok(app, "POST", &format!("/v2/batch/{id}"), Some(file)).await;
    for _ in 0..400 {
        let s = app.get(&app.admin, &format!("/v2/batch/{id}")).await;
        if s.json["data"]["batchStatus"]["status"] == "Completed" {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("batch job {id} did not complete");
}

/// The multipart body of a batch upload as tcex sends it: its content type and bytes.
fn batch_upload() -> (String, Vec<u8>) {
    let config = json!({"action": "Create", "owner": ORG, "version": "V2"});
    let content = json!({"indicator": [{"type": "Host", "summary": "upload.example"}]});
    threatdb_wire::batch::upload_body(&config.to_string(), &content.to_string())
}

/// Sends the matrix's request: the batch upload as multipart, everything else as JSON.
async fn send(app: &TestApp, who: &Creds, method: &str, target: &str, body: Option<&str>) -> Reply {
    if method == "POST" && target.ends_with("/createAndUpload") {
        let (content_type, body) = batch_upload();
        return app.send(who, method, target, &content_type, body).await;
    }
    app.call(who, method, target, body).await
}

/// A restore's path for the object `target` (`…/{id or value}/restore`) names, deleted first
/// by the admin: what is restored is a deleted object, named by its id.
async fn deleted(app: &TestApp, target: &str) -> String {
    let object = target.trim_end_matches("/restore");
    let id = ok(app, "GET", object, None).await["data"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{object}: no id"));
    ok(app, "DELETE", object, None).await;
    let (family, _) = object.rsplit_once('/').unwrap();
    format!("{family}/{id}/restore")
}

/// The path with every `{parameter}` filled from `o`; `None` for a parameter it does not know.
fn fill(path: &str, o: &Objects) -> Option<String> {
    let path = path.trim_start_matches("/api");
    let family = if path.starts_with("/v2/groups/incidents") || path.starts_with("/v3/groups") {
        "incidents"
    } else if path.starts_with("/v3/indicators") {
        "v3indicators"
    } else if path.starts_with("/v3/security/owners") {
        "owners"
    } else if path.starts_with("/v2/batch") {
        "batch"
    } else if path.starts_with("/v2/groups/{type}") {
        "groups"
    } else {
        path.split('/').nth(2).unwrap_or("")
    };
    let mut out = String::new();
    let mut prev = "";
    for segment in path.split('/').skip(1) {
        let value = match (segment, prev) {
            ("{id}", _) => match family {
                "incidents" => o.incident.to_string(),
                "groups" => o.adversary.to_string(),
                "victims" => o.victim.to_string(),
                "tasks" => o.task.to_string(),
                "owners" => o.org.to_string(),
                "batch" => o.batch.to_string(),
                // v3 names an indicator by id or by value, a label by id or name.
                "v3indicators" => o.host.clone(),
                "securityLabels" => "TLP%3AGREEN".into(),
                "attributeTypes" => "1".into(),
                _ => return None,
            },
            ("{type}", "indicators") => "hosts".into(),
            ("{type}", "groups") => "adversaries".into(),
            ("{value}", _) => o.host.clone(),
            ("{gid}", _) => o.adversary.to_string(),
            ("{vid}", "victims") => o.victim.to_string(),
            ("{vid}", "tasks") => o.task.to_string(),
            ("{incident}", _) => o.other_incident.to_string(),
            ("{aid}", _) => match family {
                "incidents" => o.attribute,
                "groups" => o.group_attribute,
                "indicators" => o.host_attribute,
                _ => return None,
            }
            .to_string(),
            ("{name}", "attributeTypes") => "Description".into(),
            ("{name}", _) => format!("{MARK}Tag"),
            ("{label}", _) => "TLP%3AGREEN".into(),
            (s, _) if s.starts_with('{') => return None,
            (s, _) => s.to_string(),
        };
        out.push('/');
        out.push_str(&value);
        prev = segment;
    }
    Some(out)
}

/// Whether a path names one of the owner's objects (by id or value). A system label and an
/// attribute type are everyone's.
fn names_ours(path: &str) -> bool {
    if path.starts_with("/api/v3/securityLabels/") || path.starts_with("/api/v3/attributeTypes/") {
        return false;
    }
    ["{id}", "{value}", "{aid}", "{gid}", "{vid}", "{incident}"]
        .iter()
        .any(|p| path.contains(p))
}

fn body(method: &str, path: &str) -> Option<Value> {
    let last = path.rsplit('/').next().unwrap_or("");
    match (method, last) {
        ("POST", "attributes") => Some(json!({"type": "Description", "value": "new"})),
        ("PUT", "{aid}") => Some(json!({"value": "changed"})),
        ("POST", "incidents") if path.ends_with("/groups/incidents") => {
            Some(json!({"name": "new", "eventDate": "2020-01-01"}))
        }
        ("POST", "{type}") if path.contains("/indicators/") => {
            Some(json!({"hostName": "new.example"}))
        }
        ("POST", "batch") => Some(json!({"action": "Delete", "owner": ORG, "version": "V2"})),
        // Undo the object's newest change.
        ("POST", "revert") => Some(json!({})),
        ("POST" | "PUT", _) => Some(json!({"name": "renamed"})),
        _ => None,
    }
}

/// What another owner must not see: every owner's incidents, groups, indicators and the
/// subjects' metadata, as the admin reads them.
async fn snapshot(app: &TestApp, o: &Objects) -> Value {
    let mut all = Vec::new();
    for t in [
        "/v2/groups/incidents?includes=additional,attributes,tags,labels&resultLimit=10000".to_string(),
        "/v2/groups/incidents?owner=Example+Community&includes=additional,attributes,tags,labels&resultLimit=10000".to_string(),
        "/v2/groups?resultLimit=10000".to_string(),
        "/v2/indicators?resultLimit=10000".to_string(),
        "/v2/victims".to_string(),
        "/v2/tasks".to_string(),
        format!("/v2/groups/incidents/{}/groups", o.incident),
        format!("/v2/groups/incidents/{}/indicators", o.incident),
        format!("/v2/groups/incidents/{}/attributes/{}/securityLabels", o.incident, o.attribute),
    ] {
        all.push(app.get(&app.admin, &t).await.json);
    }
    for family in [
        format!("/v2/groups/adversaries/{}", o.adversary),
        format!("/v2/indicators/hosts/{}", o.host),
    ] {
        for part in ["", "/tags", "/securityLabels", "/attributes"] {
            all.push(app.get(&app.admin, &format!("{family}{part}")).await.json);
        }
    }
    Value::Array(all)
}

async fn every_route_by_role_and_owner(app: TestApp) {
    let mut paths = threatdb_server::api_paths();
    assert!(paths.len() > 40, "the route list is the router's own");
    let v3 = threatdb_server::v3_paths();
    assert!(v3.len() > 10, "the v3 route list is the router's own");
    paths.extend(v3);
    let base = Objects {
        batch: batch_job(&app).await,
        ..make(&app, 0).await
    };
    let mut served: BTreeMap<String, Vec<(&str, u16)>> = BTreeMap::new();
    let mut n = 0;
    for path in &paths {
        for method in ["GET", "POST", "PUT", "DELETE", "OPTIONS"] {
            let body = body(method, path).map(|b| b.to_string());
            // Reads share one set of objects; anything else gets fresh ones.
            let o = if matches!(method, "GET" | "OPTIONS") {
                None
            } else {
                n += 1;
                Some(Objects {
                    batch: base.batch,
                    ..make(&app, n).await
                })
            };
            let o = o.as_ref().unwrap_or(&base);
            let target = fill(path, o)
                .unwrap_or_else(|| panic!("{path}: a parameter this matrix cannot fill: teach it"));
            let target = if method == "POST" && target.ends_with("/restore") {
                deleted(&app, &target).await
            } else {
                target
            };
            let before = snapshot(&app, o).await;
            for who in [&app.outsider, &app.reader] {
                let r = send(&app, who, method, &target, body.as_deref()).await;
                let outsider = std::ptr::eq(who, &app.outsider);
                assert!(r.status != 500, "{method} {target}: {}", r.json);
                if outsider {
                    if names_ours(path) {
                        assert!(
                            !(200..300).contains(&r.status),
                            "outsider {method} {target}: {} {}",
                            r.status,
                            r.json
                        );
                    }
                    assert!(
                        !r.json.to_string().contains(MARK),
                        "outsider {method} {target} sees {}",
                        r.json
                    );
                } else if !matches!(method, "GET" | "OPTIONS") {
                    assert!(
                        !(200..300).contains(&r.status),
                        "reader {method} {target}: {} {}",
                        r.status,
                        r.json
                    );
                }
                assert_eq!(
                    snapshot(&app, o).await,
                    before,
                    "{method} {target} as {}",
                    if outsider { "outsider" } else { "reader" }
                );
            }
            let r = send(&app, &app.admin, method, &target, body.as_deref()).await;
            assert!(r.status != 500, "{method} {target}: {}", r.json);
            served
                .entry(path.clone())
                .or_default()
                .push((method, r.status));
        }
    }
    for (path, results) in &served {
        assert!(
            results.iter().any(|(_, s)| (200..300).contains(s)),
            "no method of {path} succeeded for the owner's admin: {results:?}"
        );
    }
}
