//! TAXII 2.1 `POST …/objects/` on a running server: an envelope imported into the
//! collection's owner with the caller's rights, answered with a status resource whose counts
//! match its lists, readable again by its poster only; the media type, the body and the write
//! right checked first; objects a later envelope refers to found by their STIX ids.

use crate::stix::{ORG, send};
use crate::taxii::{TAXII, Taxii, collection, serve};
use serde_json::{Value, json};

const INC: &str = "incident--9c0ffee0-8f0a-4b4b-9d0f-6f1c0c3f6a01";
const IND: &str = "indicator--9c0ffee0-8f0a-4b4b-9d0f-6f1c0c3f6a02";

impl Taxii {
    /// POSTs `body` to a collection as `user` with a content type; the status and the answer.
    async fn post_as(
        &self,
        cid: &str,
        content_type: &str,
        body: String,
        user: &str,
        password: &str,
    ) -> (u16, Value) {
        let r = self
            .client
            .post(format!(
                "{}/taxii2/api/collections/{cid}/objects/",
                self.origin
            ))
            .header("Accept", TAXII)
            .header("Content-Type", content_type)
            .basic_auth(user, Some(password))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some(TAXII)
        );
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn post(&self, cid: &str, envelope: &Value) -> (u16, Value) {
        self.post_as(cid, TAXII, envelope.to_string(), &self.user, &self.password)
            .await
    }
}

/// Announces a body of 2 MiB to a collection and reads what comes back, without sending it.
fn too_large(t: &Taxii, cid: &str) -> String {
    use base64::Engine;
    use std::io::{Read, Write};
    let address = t.origin.trim_start_matches("http://");
    let mut raw = std::net::TcpStream::connect(address).unwrap();
    raw.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", t.user, t.password));
    write!(
        raw,
        "POST /taxii2/api/collections/{cid}/objects/ HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Basic {basic}\r\nAccept: {TAXII}\r\nContent-Type: {TAXII}\r\n\
         Content-Length: {}\r\n\r\n",
        2 << 20
    )
    .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = raw.read(&mut answer).unwrap_or(0);
    String::from_utf8_lossy(answer.get(..n).unwrap_or_default()).to_string()
}

fn objects() -> Vec<Value> {
    vec![
        json!({"type": "incident", "spec_version": "2.1", "id": INC, "name": "Posted",
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-03T00:00:00.000Z",
               "labels": ["taxii"]}),
        json!({"type": "indicator", "spec_version": "2.1", "id": IND,
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
               "pattern": "[domain-name:value = 'posted.example']", "pattern_type": "stix",
               "valid_from": "2026-01-01T00:00:00Z"}),
        json!({"type": "note", "spec_version": "2.1", "id": "note--9c0ffee0-8f0a-4b4b-9d0f-6f1c0c3f6a03",
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
               "content": "x", "object_refs": [INC]}),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_posted_to_a_collection_is_imported_with_a_status_to_poll() {
    let (dir, node, creds, t) = serve().await;
    let data = dir.path().join("data");
    let cid = collection(&t, ORG).await;

    // What is checked before anything is read: the media type, JSON, an envelope.
    let (got, body) = t
        .post_as(
            cid.as_str(),
            "application/json",
            "{}".into(),
            &t.user,
            &t.password,
        )
        .await;
    assert_eq!(got, 415, "{body}");
    let (got, body) = t
        .post_as(&cid, TAXII, "not json".into(), &t.user, &t.password)
        .await;
    assert_eq!((got, body["http_status"].as_str()), (400, Some("400")));
    let (got, _) = t.post(&cid, &json!({"more": false})).await;
    assert_eq!(got, 400);
    // Over max_content_length: 413 as soon as the length is announced, before a byte of the
    // body (a client still sending a large body may instead see the connection close).
    let head = too_large(&t, &cid);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/taxii+json;version=2.1"),
        "{head}"
    );

    // An envelope: each object a success or a failure, the counts the lists' lengths.
    let (got, status) = t.post(&cid, &json!({"objects": objects()})).await;
    assert_eq!(got, 202, "{status}");
    assert_eq!(status["status"], "complete");
    assert_eq!(status["total_count"], 3);
    assert_eq!(status["success_count"], 2, "{status}");
    assert_eq!(status["failure_count"], 1);
    assert_eq!(status["pending_count"], 0);
    assert_eq!(status["successes"].as_array().unwrap().len(), 2);
    assert_eq!(
        status["successes"][0],
        json!({"id": INC, "version": "2026-01-03T00:00:00.000Z"})
    );
    let failure = &status["failures"][0];
    assert_eq!(failure["id"], "note--9c0ffee0-8f0a-4b4b-9d0f-6f1c0c3f6a03");
    assert!(
        failure["message"]
            .as_str()
            .unwrap()
            .contains("unsupported type 'note'"),
        "{failure}"
    );

    // The poster reads the status again; another user does not see it.
    let sid = status["id"].as_str().unwrap();
    let (_, again) = t.ok(&format!("/taxii2/api/status/{sid}/")).await;
    assert_eq!(again, status);

    // A later envelope refers to what the first stored, by STIX id: the relationship finds both.
    let rel = json!({"type": "relationship", "spec_version": "2.1",
        "id": "relationship--9c0ffee0-8f0a-4b4b-9d0f-6f1c0c3f6a04",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "relationship_type": "indicates", "source_ref": IND, "target_ref": INC});
    let (got, status) = t.post(&cid, &json!({"objects": [rel]})).await;
    assert_eq!(
        (got, status["success_count"].as_u64()),
        (202, Some(1)),
        "{status}"
    );
    // Posting the first envelope again changes nothing.
    let (_, status) = t.post(&cid, &json!({"objects": objects()})).await;
    assert_eq!(status["success_count"], 2);

    // What the API shows: the incident in the collection's owner with its tag, linked to the
    // indicator; the indicator's STIX id is kept for the next export.
    let tql: String =
        form_urlencoded::byte_serialize(format!("xid = \"{INC}\"").as_bytes()).collect();
    let found = send(
        &node.origin,
        &creds,
        "GET",
        &format!("/v3/groups?tql={tql}&fields=tags&fields=associatedIndicators"),
        None,
        200,
    )
    .await;
    let one = &found["data"][0];
    assert_eq!(one["ownerName"], ORG, "{found}");
    assert_eq!(one["tags"]["data"][0]["name"], "taxii");
    assert_eq!(
        one["associatedIndicators"]["data"][0]["hostName"], "posted.example",
        "{one}"
    );
    let (all, _) = t.walk(&cid, 1000, "").await;
    assert!(
        all.iter().any(|o| o["id"] == IND),
        "the indicator keeps its id"
    );
    assert!(all.iter().any(|o| o["id"] == INC));

    // A reader of another organization: its collection does not take objects (403), and the
    // status above is not its to read (404).
    let reader = crate::taxii::reader_of_new_org(&t, &data, "Reader Org", "reader");
    let theirs = collection(&reader, "Reader Org").await;
    let (_, c) = reader
        .ok(&format!("/taxii2/api/collections/{theirs}/"))
        .await;
    assert_eq!(c["can_write"], false);
    let (got, body) = reader.post(&theirs, &json!({"objects": objects()})).await;
    assert_eq!(got, 403, "{body}");
    let (got, _) = reader.post(&cid, &json!({"objects": objects()})).await;
    assert_eq!(
        got, 404,
        "another owner's collection does not exist for them"
    );
    let (got, _, _) = reader.get(&format!("/taxii2/api/status/{sid}/")).await;
    assert_eq!(got, 404);
    drop(node);
}
