//! TAXII 2.1 objects by id on a running `threatdb serve`: `objects/{id}/`, `…/versions/` and
//! `match[id]` find every object of a collection (the owner's definitions, incidents, groups,
//! indicators) exactly as the collection lists it, at once after a write, and nothing of
//! another owner; a relationship's id is a 501 that says how to read relationships.

use crate::stix::{ORG, send};
use crate::taxii::{collection, serve};
use serde_json::{Value, json};

fn id(o: &Value) -> &str {
    o["id"].as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_object_is_read_by_its_id() {
    let (dir, node, creds, t) = serve().await;
    let data = dir.path().join("data");
    let cid = collection(&t, ORG).await;
    let (all, _) = t.walk(&cid, 1000, "").await;
    let objects: Vec<&Value> = all.iter().filter(|o| o["type"] != "relationship").collect();
    for want in [
        "incident",
        "indicator",
        "identity",
        "marking-definition",
        "threat-actor",
        "report",
    ] {
        assert!(objects.iter().any(|o| o["type"] == want), "no {want}");
    }

    // Each object by its id: the same object the collection lists, and its one version.
    for o in &objects {
        let (headers, body) = t
            .ok(&format!("/taxii2/api/collections/{cid}/objects/{}/", id(o)))
            .await;
        assert_eq!(body["objects"], json!([o]), "{}", id(o));
        assert_eq!(body["more"], false);
        assert!(headers.contains_key("x-taxii-date-added-first"));
        let (_, versions) = t
            .ok(&format!(
                "/taxii2/api/collections/{cid}/objects/{}/versions/",
                id(o)
            ))
            .await;
        let version = o.get("modified").or_else(|| o.get("created")).unwrap();
        assert_eq!(versions["versions"], json!([version]), "{}", id(o));
    }

    // match[id]: the objects named (an unknown id matches nothing), in the collection's
    // order, paged, and ANDed with match[type].
    let named: Vec<&str> = objects.iter().rev().take(5).map(|o| id(o)).collect();
    let unknown = "indicator--00000000-0000-4000-8000-000000000000";
    let list = format!("{},{unknown}", named.join(","));
    let (found, pages) = t.walk(&cid, 2, &format!("&match[id]={list}")).await;
    let mut want: Vec<&str> = all.iter().map(id).filter(|i| named.contains(i)).collect();
    assert_eq!(found.iter().map(id).collect::<Vec<_>>(), want);
    assert!(pages >= 3);
    let (typed, _) = t
        .walk(
            &cid,
            10,
            &format!("&match[id]={list}&match[type]=indicator"),
        )
        .await;
    want.retain(|i| i.starts_with("indicator--"));
    assert_eq!(typed.iter().map(id).collect::<Vec<_>>(), want);
    let (_, manifest) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/manifest/?match[id]={}",
            named[0]
        ))
        .await;
    assert_eq!(manifest["objects"][0]["id"], named[0]);

    // An indicator written a moment ago is found at once (no settling for an id).
    send(
        &node.origin,
        &creds,
        "POST",
        "/v3/indicators",
        Some(json!({"type": "Host", "hostName": "fresh.by-id.example"})),
        201,
    )
    .await;
    let fresh = threatdb_core::stix_id::indicator_id(ORG, "Host", "fresh.by-id.example", None);
    let (_, body) = t
        .ok(&format!("/taxii2/api/collections/{cid}/objects/{fresh}/"))
        .await;
    assert_eq!(body["objects"][0]["id"], fresh.as_str());
    assert_eq!(
        body["objects"][0]["pattern"],
        "[domain-name:value = 'fresh.by-id.example']"
    );

    // A relationship posted between two objects made here (their ids derived, not stored) finds
    // both ends by their keys and links them.
    let incident = objects.iter().find(|o| o["type"] == "incident").unwrap();
    let link = json!({
        "type": "relationship", "spec_version": "2.1",
        "id": "relationship--7d0a6f4e-8c4b-4e7a-9a51-0f2b3c4d5e6f",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "relationship_type": "related-to", "source_ref": id(incident), "target_ref": fresh,
    });
    let (status, answer) = t.post(&cid, &json!({"objects": [link]})).await;
    assert_eq!(
        (status, &answer["success_count"]),
        (202, &json!(1)),
        "{answer}"
    );
    crate::taxii::settle().await;
    let (linked, _) = t.walk(&cid, 1000, "&match[type]=relationship").await;
    assert!(
        linked
            .iter()
            .any(|r| r["source_ref"] == id(incident) && r["target_ref"] == fresh.as_str()),
        "{linked:?}"
    );

    // Not found, refused, not implemented: each a TAXII error object.
    let relationship = all.iter().find(|o| o["type"] == "relationship").unwrap();
    let too_many: Vec<String> = (0..1001)
        .map(|n| format!("indicator--00000000-0000-4000-8000-{n:012}"))
        .collect();
    for (path, status) in [
        (
            format!("/taxii2/api/collections/{cid}/objects/{unknown}/"),
            404,
        ),
        (
            format!("/taxii2/api/collections/{cid}/objects/{unknown}/versions/"),
            404,
        ),
        (
            format!("/taxii2/api/collections/{cid}/objects/incident--x/"),
            404,
        ),
        (
            format!(
                "/taxii2/api/collections/{cid}/objects/{}/",
                id(relationship)
            ),
            501,
        ),
        (
            format!(
                "/taxii2/api/collections/{cid}/objects/?match[id]={}",
                id(relationship)
            ),
            501,
        ),
        (
            format!(
                "/taxii2/api/collections/{cid}/objects/?match[id]={}",
                too_many.join(",")
            ),
            400,
        ),
    ] {
        let (got, _, body) = t.get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["http_status"], status.to_string(), "{path}: {body}");
        assert!(body["title"].is_string() && body["description"].is_string());
    }

    // Another owner's reader: the administrator's objects are not in its collection, and the
    // administrator's collection is not there at all.
    let other = crate::taxii::reader_of_new_org(&t, &data, "Elsewhere", "elsewhere");
    let theirs = collection(&other, "Elsewhere").await;
    for path in [
        format!("/taxii2/api/collections/{theirs}/objects/{}/", id(incident)),
        format!("/taxii2/api/collections/{theirs}/objects/{fresh}/versions/"),
        format!("/taxii2/api/collections/{cid}/objects/{}/", id(incident)),
    ] {
        let (got, _, body) = other.get(&path).await;
        assert_eq!(got, 404, "{path}: {body}");
    }
    let (_, body) = other
        .ok(&format!(
            "/taxii2/api/collections/{theirs}/objects/?match[id]={},{fresh}",
            id(incident)
        ))
        .await;
    assert_eq!(body, json!({"more": false}));
}
