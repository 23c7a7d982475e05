//! The OpenAPI document (`GET /api/openapi.json`): it documents every route of the router, each
//! of its references resolves, and each path's `{parameters}` are declared. (Whether real
//! answers match it is checked by schemathesis against the real binary:
//! `crates/threatdb/tests/it/openapi.rs`.)

use crate::helpers::*;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "options"];

fn document() -> Value {
    serde_json::from_str(threatdb_server::openapi_json()).unwrap()
}

#[test]
fn every_route_is_documented() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut routed = threatdb_server::api_paths();
    assert!(routed.len() > 40, "the route list is the router's own");
    let v3 = threatdb_server::v3_paths();
    assert!(v3.len() > 10, "the v3 route list is the router's own");
    routed.extend(v3);
    let missing: Vec<&String> = routed
        .iter()
        .filter(|p| !documented.contains(p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    assert_eq!(
        documented.len(),
        routed.len(),
        "a documented path no route serves"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        let ops: Vec<&str> = METHODS
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .collect();
        assert!(!ops.is_empty(), "{path} has no operation");
    }
}

/// Every `$ref` in `v`, with where it was found.
fn refs<'a>(v: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "$ref" {
                    out.push((at.to_string(), child.as_str().unwrap()));
                } else {
                    refs(child, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn references_resolve_and_parameters_are_declared() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 100);
    for (at, reference) in found {
        let pointer = reference.strip_prefix('#').unwrap();
        assert!(
            doc.pointer(pointer).is_some(),
            "{at}: {reference} is missing"
        );
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        let wanted: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let declared: BTreeSet<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(declared, wanted, "{method} {path}");
            assert!(op["responses"]["401"].is_object(), "{method} {path}");
            let success = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| k.starts_with('2'))
                .count();
            assert_eq!(success, 1, "{method} {path}: one success status");
        }
    }
}

#[tokio::test]
async fn the_document_is_served_without_authentication() {
    let app = spawn_app().await;
    let r = app.raw("GET", "/openapi.json", None, &[]).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    assert_eq!(r.json, document());
    // The API itself still needs credentials.
    let r = app.raw("GET", "/v2/owners", None, &[]).await;
    assert_eq!(r.status, 401);
}

/// `THREATDB_DUMP_OPENAPI=FILE` writes the document there (for reading it while working on it).
#[test]
fn dump_when_asked() {
    if let Ok(file) = std::env::var("THREATDB_DUMP_OPENAPI") {
        std::fs::write(file, threatdb_server::openapi_json()).unwrap();
    }
}
