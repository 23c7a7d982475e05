//! The Batch API as tcex's batch module drives it: a multipart `createAndUpload`, polling,
//! `/errors`; the two-step flow for Delete; deduplication on resubmission; haltOnError;
//! refusals for other owners and readers; malformed and oversized uploads.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

crate::on_both_stores!(
    creates_dedupes_and_reports_errors,
    halt_on_error_leaves_the_rest_unprocessed,
    two_step_delete_and_missing_items,
    other_owners_and_readers_are_refused,
    malformed_uploads_are_answered_clearly,
    write_types_append_and_replace,
    set_wise_and_item_by_item_paths_agree,
    a_file_that_is_not_json_completes_with_one_record,
    waiting_jobs_are_bounded_per_owner,
    error_records_stop_at_ten_thousand,
);

const BOUNDARY: &str = "threatdbtestboundary";

fn config(owner: &str, action: &str, halt: &str) -> Value {
    json!({"action": action, "attributeWriteType": "Replace", "haltOnError": halt,
           "owner": owner, "playbookTriggersEnabled": "false",
           "securityLabelWriteType": "Replace", "tagWriteType": "Replace", "version": "V2"})
}

/// A multipart body as tcex's `files=` tuple builds it: each part named, with a filename.
fn multipart(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, text) in parts {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n\r\n{text}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body.into_bytes()
}

async fn upload(app: &TestApp, who: &Creds, config: &Value, content: &Value) -> Reply {
    let (content_type, body) =
        threatdb_wire::batch::upload_body(&config.to_string(), &content.to_string());
    app.send(
        who,
        "POST",
        "/v2/batch/createAndUpload?includeAdditional=true",
        &content_type,
        body,
    )
    .await
}

/// Submits a job and waits for it to complete; returns its batchStatus.
async fn run(app: &TestApp, config: &Value, content: &Value) -> Value {
    let r = upload(app, &app.writer, config, content).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["batchStatus"]["id"].as_i64().unwrap();
    completed(app, id).await
}

async fn completed(app: &TestApp, id: i64) -> Value {
    // A minute: the largest job here writes 10,001 error records, on a debug build.
    for _ in 0..1_200 {
        let r = app.get(&app.writer, &format!("/v2/batch/{id}")).await;
        r.assert_success(200);
        let status = r.json["data"]["batchStatus"].clone();
        if status["status"] == "Completed" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("batch job {id} did not complete");
}

/// The job's first error record has this code and names `says`.
async fn first_error(app: &TestApp, id: i64, code: &str, says: &str) {
    let errors = app
        .get(&app.writer, &format!("/v2/batch/{id}/errors"))
        .await;
    assert_eq!(errors.json[0]["errorCode"], code, "{}", errors.json);
    let reason = errors.json[0]["errorReason"].as_str().unwrap();
    assert!(reason.contains(says), "{reason}");
}

fn counts(s: &Value) -> [i64; 7] {
    [
        "successCount",
        "errorCount",
        "unprocessCount",
        "successGroupCount",
        "errorGroupCount",
        "successIndicatorCount",
        "errorIndicatorCount",
    ]
    .map(|k| s[k].as_i64().unwrap_or_else(|| panic!("{k} in {s}")))
}

fn feed() -> Value {
    json!({
        "group": [{"name": "Phish wave 7", "type": "Incident", "xid": "inc-7",
                   "eventDate": "2024-05-01T12:00:00Z", "status": "Open",
                   "tag": [{"name": "phishing"}], "securityLabel": [{"name": "TLP:GREEN"}],
                   "attribute": [{"type": "Description", "value": "wave 7", "displayed": true}],
                   "associatedGroupXid": ["adv-1"]},
                  {"name": "Fancy Bear", "type": "Adversary", "xid": "adv-1"}],
        "indicator": [
            {"type": "Host", "summary": "Bad.Example.NET", "xid": "h-1", "rating": 3.0,
             "confidence": 70, "attribute": [{"type": "Description", "value": "C2 host"}],
             "tag": [{"name": "c2"}], "associatedGroups": [{"groupXid": "inc-7"}]},
            {"type": "Address", "summary": "999.1.1.1", "xid": "a-1"},
            {"type": "Mutex", "summary": "Global\\evil", "xid": "m-1"}
        ],
        "association": []
    })
}

async fn creates_dedupes_and_reports_errors(app: TestApp) {
    let s = run(&app, &config(ORG, "Create", "false"), &feed()).await;
    assert_eq!(counts(&s), [3, 2, 0, 2, 0, 1, 2], "{s}");
    let id = s["id"].as_i64().unwrap();
    let r = app
        .get(&app.writer, &format!("/v2/batch/{id}/errors"))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    let errors = r.json.as_array().unwrap();
    assert_eq!(errors.len(), 2, "{}", r.json);
    for e in errors {
        assert_eq!(e["errorCode"], "0x1005", "{e}");
        let reason = e["errorReason"].as_str().unwrap();
        assert!(!reason.contains("unexpected Exception"), "{reason}");
        assert!(e["errorSource"].as_str().unwrap().len() <= 300);
    }
    assert!(
        errors[0]["errorReason"]
            .as_str()
            .unwrap()
            .contains("999.1.1.1")
    );
    assert!(errors[1]["errorReason"].as_str().unwrap().contains("Mutex"));

    // The incident, its metadata, the host (normalised) and both links are there.
    let host = app
        .get(
            &app.reader,
            "/v2/indicators/hosts/bad.example.net/groups/incidents",
        )
        .await;
    host.assert_success(200);
    let incidents = host.json["data"]["incident"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{}", host.json);
    let incident = incidents[0]["id"].as_i64().unwrap();
    let i = format!("/v2/groups/incidents/{incident}");
    let one = app.get(&app.reader, &i).await;
    assert_eq!(one.json["data"]["incident"]["name"], "Phish wave 7");
    // Its history says the job made it, through the Batch API.
    let history = app
        .get(&app.reader, &format!("/v3/groups/{incident}/history"))
        .await;
    let changes = history.json["data"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["field"] == "created"),
        "{}",
        history.json
    );
    for c in changes {
        assert_eq!(c["via"], "batch", "{c}");
        assert_eq!(c["requestId"], format!("batch-job-{id}"), "{c}");
    }
    let adversaries = app
        .get(&app.reader, &format!("{i}/groups/adversaries"))
        .await;
    assert_eq!(
        adversaries.json["data"]["adversary"][0]["name"],
        "Fancy Bear"
    );
    let h = app
        .get(&app.reader, "/v2/indicators/hosts/bad.example.net")
        .await;
    assert_eq!(h.json["data"]["host"]["rating"], 3.0, "{}", h.json);
    assert_eq!(h.json["data"]["host"]["confidence"], 70, "{}", h.json);
    let v3 = app
        .get(
            &app.reader,
            "/v3/indicators?tql=summary%20EQ%20%22bad.example.net%22",
        )
        .await;
    assert_eq!(v3.json["data"][0]["rating"], 3.0, "{}", v3.json);
    assert_eq!(v3.json["data"][0]["confidence"], 70, "{}", v3.json);
    let before = app.snapshot().await;
    let modified = one.json["data"]["incident"]["lastModified"].clone();

    // Resubmitting changes nothing: no new rows, the same metadata, not even lastModified.
    let again = run(&app, &config(ORG, "Create", "false"), &feed()).await;
    assert_eq!(counts(&again), [3, 2, 0, 2, 0, 1, 2], "{again}");
    assert_eq!(app.snapshot().await, before);
    let one = app.get(&app.reader, &i).await;
    assert_eq!(one.json["data"]["incident"]["lastModified"], modified);
    let attrs = app
        .get(
            &app.reader,
            "/v2/indicators/hosts/bad.example.net/attributes",
        )
        .await;
    assert_eq!(attrs.json["data"]["attribute"].as_array().unwrap().len(), 1);
    let adversaries = app.get(&app.reader, "/v2/groups/adversaries").await;
    assert_eq!(
        adversaries.json["data"]["resultCount"], 1,
        "{}",
        adversaries.json
    );

    // A new indicator linked to the incident changes the incident (TAXII pollers follow
    // lastModified): a second later, its lastModified moves.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let linked = json!({
        "indicator": [{"type": "Host", "summary": "new.example", "xid": "h-2",
                       "associatedGroups": [{"groupXid": "inc-7"}]}]
    });
    let s = run(&app, &config(ORG, "Create", "false"), &linked).await;
    assert_eq!(s["status"], "Completed", "{s}");
    let one = app.get(&app.reader, &i).await;
    assert!(
        one.json["data"]["incident"]["lastModified"].as_str() > modified.as_str(),
        "{} after {modified}",
        one.json["data"]["incident"]["lastModified"]
    );
}

async fn halt_on_error_leaves_the_rest_unprocessed(app: TestApp) {
    let content = json!({"indicator": [
        {"type": "Host", "summary": "first.example", "xid": "1"},
        {"type": "Host", "summary": "not a host", "xid": "2"},
        {"type": "Host", "summary": "third.example", "xid": "3"}
    ]});
    let s = run(&app, &config(ORG, "Create", "true"), &content).await;
    assert_eq!(counts(&s), [1, 1, 1, 0, 0, 1, 1], "{s}");
    let first = app
        .get(&app.reader, "/v2/indicators/hosts/first.example")
        .await;
    first.assert_success(200);
    let third = app
        .get(&app.reader, "/v2/indicators/hosts/third.example")
        .await;
    assert_eq!(third.status, 404, "{}", third.json);
}

async fn two_step_delete_and_missing_items(app: TestApp) {
    run(&app, &config(ORG, "Create", "false"), &feed()).await;
    let r = app
        .call(
            &app.writer,
            "POST",
            "/v2/batch",
            Some(&config(ORG, "Delete", "false").to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["batchId"]
        .as_i64()
        .expect("an integer batchId");
    let status = app.get(&app.writer, &format!("/v2/batch/{id}")).await;
    assert_eq!(status.json["data"]["batchStatus"]["status"], "Created");
    let file = json!({"group": [{"name": "x", "type": "Incident", "xid": "inc-7"},
                                {"name": "y", "type": "Incident", "xid": "never-made"}],
                      "indicator": [{"type": "Host", "summary": "bad.example.net"}],
                      "file": {}});
    let body = file.to_string().into_bytes();
    let up = app
        .send(
            &app.writer,
            "POST",
            &format!("/v2/batch/{id}"),
            "application/octet-stream",
            body.clone(),
        )
        .await;
    assert_eq!((up.status, &up.json), (202, &json!({"status": "Queued"})));
    let twice = app
        .send(
            &app.writer,
            "POST",
            &format!("/v2/batch/{id}"),
            "application/octet-stream",
            body,
        )
        .await;
    assert_eq!(twice.status, 400, "{}", twice.json);
    assert_eq!(twice.json["status"], "Invalid");
    let s = completed(&app, id).await;
    assert_eq!(counts(&s), [2, 1, 0, 1, 1, 1, 0], "{s}");
    first_error(&app, id, "0x1007", "never-made").await;
    let gone = app
        .get(&app.reader, "/v2/indicators/hosts/bad.example.net")
        .await;
    assert_eq!(gone.status, 404);
    // The adversary was not in the delete file: it stays.
    let adversaries = app.get(&app.reader, "/v2/groups/adversaries").await;
    assert_eq!(adversaries.json["data"]["resultCount"], 1);
}

async fn other_owners_and_readers_are_refused(app: TestApp) {
    let content = json!({"indicator": [{"type": "Host", "summary": "x.example"}]});
    for who in [&app.reader, &app.outsider] {
        let r = upload(&app, who, &config(ORG, "Create", "false"), &content).await;
        assert_eq!(r.status, 403, "{}", r.json);
        assert_eq!(r.json["status"], "Failure");
        let r = app
            .call(
                who,
                "POST",
                "/v2/batch",
                Some(&config(ORG, "Delete", "false").to_string()),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.json);
    }
    let missing = upload(
        &app,
        &app.writer,
        &config("No Such Owner", "Create", "false"),
        &content,
    )
    .await;
    assert_eq!(missing.status, 403, "{}", missing.json);
    let s = run(
        &app,
        &config(ORG, "Create", "false"),
        &json!({"indicator": [{"type": "Host", "summary": "not a host"}]}),
    )
    .await;
    let id = s["id"].as_i64().unwrap();
    // Another owner's job does not exist for the outsider; the reader may read it.
    for path in [format!("/v2/batch/{id}"), format!("/v2/batch/{id}/errors")] {
        let r = app.get(&app.outsider, &path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.json);
        let r = app.get(&app.reader, &path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.json);
    }
    let r = app
        .send(
            &app.outsider,
            "POST",
            &format!("/v2/batch/{id}"),
            "application/octet-stream",
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.json);
    // The refused uploads wrote nothing (the indicator they carried does not exist).
    let host = app.get(&app.admin, "/v2/indicators/hosts/x.example").await;
    assert_eq!(host.status, 404, "{}", host.json);
}

async fn malformed_uploads_are_answered_clearly(app: TestApp) {
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let target = "/v2/batch/createAndUpload";
    let good = config(ORG, "Create", "false").to_string();
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (multipart(&[("content", "{}")]), ct.as_str(), "config"),
        (multipart(&[("config", &good)]), ct.as_str(), "content"),
        (
            multipart(&[("config", "{nope"), ("content", "{}")]),
            ct.as_str(),
            "settings",
        ),
        (
            multipart(&[("config", &good), ("content", "{\"group\": [")]),
            ct.as_str(),
            "JSON",
        ),
        (
            multipart(&[
                (
                    "config",
                    r#"{"action":"Merge","owner":"Example Organization"}"#,
                ),
                ("content", "{}"),
            ]),
            ct.as_str(),
            "Merge",
        ),
        (b"{}".to_vec(), "application/json", "multipart"),
        (
            b"--threatdbtestboundary\r\ngarbage".to_vec(),
            ct.as_str(),
            "",
        ),
    ];
    for (body, content_type, says) in cases {
        let r = app
            .send(&app.writer, "POST", target, content_type, body)
            .await;
        assert_eq!(r.status, 400, "{says}: {}", r.json);
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        assert!(r.message().contains(says), "{says}: {}", r.json);
    }
    // Nothing was made.
    let r = app.get(&app.writer, "/v2/batch/1").await;
    assert_eq!(r.status, 404, "{}", r.json);
    // A job whose items are all bad completes with a record for each, never a 500.
    let hostile = json!({"group": [1, "x", null, {"type": "Incident"}, {"xid": "a", "type": "Nope", "name": "n"}],
                         "indicator": [{}, [], {"type": "Host", "summary": "\u{0}"}, {"type": "File", "summary": "abc"},
                                       {"type": "Host", "summary": "r.example", "rating": 7},
                                       {"type": "Host", "summary": "c.example", "confidence": 101}],
                         "association": [{"ref_1": "nothing"}, 7]});
    let s = run(&app, &config(ORG, "Create", "false"), &hostile).await;
    assert_eq!(counts(&s), [0, 13, 0, 0, 5, 0, 6], "{s}");
}

/// A file over the limit is refused with the Batch API's own answer, in both upload flows.
#[tokio::test]
async fn oversized_files_are_refused() {
    let limits = threatdb_server::Limits {
        batch_file_bytes: 1000,
        ..threatdb_server::Limits::default()
    };
    let app = spawn_app_with(Backend::Sqlite, limits).await;
    let big =
        json!({"indicator": [{"type": "Host", "summary": "a.example", "pad": "x".repeat(2000)}]});
    let r = upload(&app, &app.writer, &config(ORG, "Create", "false"), &big).await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert_eq!(r.json["status"], "Invalid");
    assert!(r.json["description"].as_str().unwrap().contains("1000"));
    let made = app
        .call(
            &app.writer,
            "POST",
            "/v2/batch",
            Some(&config(ORG, "Delete", "false").to_string()),
        )
        .await;
    let id = made.json["data"]["batchId"].as_i64().unwrap();
    let r = app
        .send(
            &app.writer,
            "POST",
            &format!("/v2/batch/{id}"),
            "application/octet-stream",
            big.to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert!(r.json["description"].as_str().unwrap().contains("1000"));
    let status = app.get(&app.writer, &format!("/v2/batch/{id}")).await;
    assert_eq!(status.json["data"]["batchStatus"]["status"], "Created");
}

/// The rows of `w.example`'s tags or attributes (`what`), as the reader sees them.
async fn rows_of(app: &TestApp, what: &str, key: &str) -> Vec<Value> {
    let r = app
        .get(
            &app.reader,
            &format!("/v2/indicators/hosts/w.example/{what}"),
        )
        .await;
    r.json["data"][key].as_array().cloned().unwrap_or_default()
}

async fn write_types_append_and_replace(app: TestApp) {
    let item = |tags: Value, attrs: Value| json!({"indicator": [{"type": "Host", "summary": "w.example", "tag": tags, "attribute": attrs}]});
    let mut append = config(ORG, "Create", "false");
    append["tagWriteType"] = json!("Append");
    append["attributeWriteType"] = json!("Append");
    let d1 = json!([{"type": "Description", "value": "d1"}]);
    run(&app, &append, &item(json!([{"name": "one"}]), d1.clone())).await;
    run(
        &app,
        &append,
        &item(json!([{"name": "ONE"}, {"name": "two"}]), d1),
    )
    .await;
    assert_eq!(rows_of(&app, "tags", "tag").await.len(), 2);
    assert_eq!(rows_of(&app, "attributes", "attribute").await.len(), 2);
    // Replace: exactly the incoming ones; an array the item does not carry is left alone.
    let replace = config(ORG, "Create", "false");
    let source = json!([{"type": "Source", "value": "s"}]);
    run(&app, &replace, &item(json!([{"name": "three"}]), source)).await;
    let tags = rows_of(&app, "tags", "tag").await;
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(tags[0]["name"], "three", "{tags:?}");
    assert_eq!(rows_of(&app, "attributes", "attribute").await.len(), 1);
    let bare = json!({"indicator": [{"type": "Host", "summary": "w.example"}]});
    run(&app, &replace, &bare).await;
    assert_eq!(rows_of(&app, "tags", "tag").await.len(), 1);
}

/// New indicators go the set-wise way unless the item-by-item path must decide (an unknown label,
/// a value twice in one chunk); either way the result is what the item says.
async fn set_wise_and_item_by_item_paths_agree(app: TestApp) {
    let content = json!({
      "group": [{"type": "Incident", "xid": "inc-fast", "name": "Fast incident",
                 "eventDate": "2024-05-01T00:00:00Z"},
                {"type": "Adversary", "xid": "adv-fast", "name": "Fast adversary"}],
      "indicator": [
        {"type": "Host", "summary": "linked.example", "associatedGroups": [{"groupXid": "inc-fast"}]},
        {"type": "Host", "summary": "advlinked.example", "associatedGroups": [{"groupXid": "adv-fast"}]},
        {"type": "Host", "summary": "fast.example", "tag": [{"name": "Fast"}],
         "securityLabel": [{"name": "TLP:GREEN"}],
         "attribute": [{"type": "Description", "value": "d", "displayed": true, "source": "s"}]},
        {"type": "Host", "summary": "nolabel.example", "securityLabel": [{"name": "No Such Label"}]},
        {"type": "Host", "summary": "twice.example", "tag": [{"name": "first"}]},
        {"type": "Host", "summary": "TWICE.example.", "tag": [{"name": "second"}]}
    ]});
    let s = run(&app, &config(ORG, "Create", "false"), &content).await;
    assert_eq!(counts(&s), [6, 2, 0, 2, 0, 4, 2], "{s}");
    let id = s["id"].as_i64().unwrap();
    // The records come in the file's order: the link to an adversary, then the unknown label.
    first_error(&app, id, "0x1009", "advlinked.example").await;
    // Linked to the owner's incident set-wise; to an adversary: written, with that record.
    for (host, linked) in [("linked.example", 1), ("advlinked.example", 0)] {
        let r = app
            .get(
                &app.reader,
                &format!("/v2/indicators/hosts/{host}/groups/incidents"),
            )
            .await;
        r.assert_success(200);
        assert_eq!(r.json["data"]["resultCount"], linked, "{host}: {}", r.json);
    }
    let errors = app
        .get(&app.writer, &format!("/v2/batch/{id}/errors"))
        .await;
    assert_eq!(errors.json[1]["errorCode"], "0x1005", "{}", errors.json);
    let reason = errors.json[1]["errorReason"].as_str().unwrap();
    assert!(reason.contains("No Such Label"), "{reason}");
    let missing = app
        .get(&app.reader, "/v2/indicators/hosts/nolabel.example")
        .await;
    assert_eq!(missing.status, 404, "{}", missing.json);
    let base = "/v2/indicators/hosts/fast.example";
    let tags = app.get(&app.reader, &format!("{base}/tags")).await;
    assert_eq!(tags.json["data"]["tag"][0]["name"], "Fast", "{}", tags.json);
    let labels = app
        .get(&app.reader, &format!("{base}/securityLabels"))
        .await;
    assert_eq!(
        labels.json["data"]["securityLabel"][0]["name"], "TLP:GREEN",
        "{}",
        labels.json
    );
    let attrs = app.get(&app.reader, &format!("{base}/attributes")).await;
    let a = &attrs.json["data"]["attribute"][0];
    assert_eq!(
        (&a["type"], &a["value"], &a["displayed"], &a["source"]),
        (
            &json!("Description"),
            &json!("d"),
            &json!(true),
            &json!("s")
        ),
        "{}",
        attrs.json
    );
    // The second item of the same value updated the first: Replace leaves its tags only.
    let twice = app
        .get(&app.reader, "/v2/indicators/hosts/twice.example/tags")
        .await;
    let names: Vec<&str> = twice.json["data"]["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["second"], "{}", twice.json);
    // The set-wise path records what it wrote, as the item-by-item one does: the creation
    // with its tag, label and attribute, and the incident's new association.
    let history = |path: String| {
        let app = &app;
        async move {
            let r = app.get(&app.reader, &path).await;
            r.assert_success(200);
            r.json["data"].as_array().unwrap().clone()
        }
    };
    let fast = history("/v3/indicators/fast.example/history".into()).await;
    let mut fields: Vec<&str> = fast.iter().map(|c| c["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["attribute:Description", "created", "securityLabel", "tag"],
        "{fast:?}"
    );
    assert!(
        fast.iter()
            .all(|c| c["via"] == "batch" && c["user"] == "Writer"),
        "{fast:?}"
    );
    let incident = app
        .get(
            &app.reader,
            "/v2/groups/incidents?filters=name%3DFast%20incident",
        )
        .await;
    let incident = incident.json["data"]["incident"][0]["id"].as_i64().unwrap();
    let linked = history(format!("/v3/groups/{incident}/history")).await;
    assert!(
        linked
            .iter()
            .any(|c| c["field"] == "association" && c["newValue"] == "hosts linked.example"),
        "{linked:?}"
    );
    // The same file again changes nothing, through either path, and records nothing.
    let before = app.snapshot().await;
    let fast_before = app.get(&app.reader, base).await;
    let again = run(&app, &config(ORG, "Create", "false"), &content).await;
    assert_eq!(counts(&again), [6, 2, 0, 2, 0, 4, 2], "{again}");
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.get(&app.reader, base).await.json, fast_before.json);
    let fast_again = history("/v3/indicators/fast.example/history".into()).await;
    assert_eq!(fast_again.len(), fast.len());
}

/// A flood of jobs stops at 20 waiting in one owner (each may hold an 80 MiB file); other owners
/// are not affected.
async fn waiting_jobs_are_bounded_per_owner(app: TestApp) {
    let settings = config(ORG, "Delete", "false").to_string();
    for _ in 0..20 {
        let r = app
            .call(&app.writer, "POST", "/v2/batch", Some(&settings))
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    for _ in 0..5 {
        let r = app
            .call(&app.writer, "POST", "/v2/batch", Some(&settings))
            .await;
        assert_eq!(r.status, 409, "{}", r.json);
        assert!(r.message().contains("waiting"), "{}", r.json);
        let r = upload(
            &app,
            &app.admin,
            &config(ORG, "Create", "false"),
            &json!({}),
        )
        .await;
        assert_eq!(r.status, 409, "{}", r.json);
    }
    let other = config(OTHER, "Create", "false");
    let r = upload(&app, &app.outsider, &other, &json!({})).await;
    assert_eq!(r.status, 201, "{}", r.json);
}

/// A file given to a Created job that is not JSON: the job completes with one 0x1003 record.
async fn a_file_that_is_not_json_completes_with_one_record(app: TestApp) {
    let settings = config(ORG, "Create", "false").to_string();
    let r = app
        .call(&app.writer, "POST", "/v2/batch", Some(&settings))
        .await;
    let id = r.json["data"]["batchId"].as_i64().unwrap();
    let up = app
        .send(
            &app.writer,
            "POST",
            &format!("/v2/batch/{id}"),
            "application/octet-stream",
            b"{\"indicator\": [".to_vec(),
        )
        .await;
    assert_eq!(up.status, 202, "{}", up.json);
    let s = completed(&app, id).await;
    assert_eq!(counts(&s), [0, 1, 0, 0, 0, 0, 0], "{s}");
    first_error(&app, id, "0x1003", "not valid JSON").await;
}

/// A feed of invalid items cannot grow the error table without bound: the counts are exact,
/// and the first 10,000 records are kept with one more that says the rest were not.
async fn error_records_stop_at_ten_thousand(app: TestApp) {
    let bad: Vec<Value> = (0..10_050)
        .map(|i| json!({"type": "Address", "summary": format!("999.0.{}.{}", i / 256, i % 256)}))
        .collect();
    let status = run(
        &app,
        &config(ORG, "Create", "false"),
        &json!({"indicator": bad}),
    )
    .await;
    assert_eq!(counts(&status), [0, 10_050, 0, 0, 0, 0, 10_050], "{status}");
    let errors = app
        .get(&app.writer, &format!("/v2/batch/{}/errors", status["id"]))
        .await;
    let records = errors.json.as_array().unwrap();
    assert_eq!(records.len(), 10_001);
    assert_eq!(records[0]["errorCode"], "0x1005", "{}", records[0]);
    assert!(
        records[9_999]["errorReason"]
            .as_str()
            .unwrap()
            .contains("999.0.39.15"),
        "{}",
        records[9_999]
    );
    let last = &records[10_000];
    assert_eq!(last["errorCode"], "0x1001", "{last}");
    assert!(
        last["errorReason"]
            .as_str()
            .unwrap()
            .contains("only the first 10000"),
        "{last}"
    );
}
