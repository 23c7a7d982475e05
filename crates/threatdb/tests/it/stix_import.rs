//! `threatdb import`: a STIX 2.1 bundle read back into a store as an administrator would. An
//! export imported into an empty threatdb exports again to the same objects, byte for byte
//! after sorting, on both stores; importing twice, or again after a killed import, creates
//! nothing; bad input is refused object by object with its reason (or, with `--atomic`, not
//! at all), and nothing of a refused object is written.

use crate::stix::{KEY, ORG, export, round};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

/// Runs `threatdb import` into `data` (or `database`) with `args`.
fn import(data: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatdb"));
    cmd.args(["import", "--data-dir"]).arg(data);
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    cmd.args(args)
        .env("THREATDB_MASTER_KEY", KEY)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The numbers of the summary table's row for a STIX type: created, updated, unchanged,
/// stored newer, refused.
fn row(out: &Output, t: &str) -> Vec<u64> {
    let text = stderr(out);
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("| {t} ")))
        .unwrap_or_else(|| panic!("no row for {t} in:\n{text}"));
    line.split('|')
        .skip(2)
        .filter_map(|c| c.trim().parse().ok())
        .collect()
}

/// The bundle's objects, each serialised with sorted keys, sorted.
fn sorted_objects(bytes: &[u8]) -> Vec<String> {
    let bundle: Value = serde_json::from_slice(bytes).unwrap();
    let mut out: Vec<String> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| serde_json::to_string(o).unwrap())
        .collect();
    out.sort();
    out
}

/// Export → import into an empty store → export: the same objects; a second import and an
/// import back into the first store create nothing.
async fn round_trip(database: Option<&str>, second: Option<&str>) {
    let (dir, bundle) = round(database).await;
    let bundle_bytes = std::fs::read(&bundle).unwrap();
    let first = sorted_objects(&bundle_bytes);
    let empty = dir.path().join("empty");
    // (With a database URL the directory only holds the exports written below.)
    std::fs::create_dir_all(&empty).unwrap();
    let path = bundle.to_str().unwrap();

    let out = import(&empty, second, &[path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        row(&out, "incident"),
        vec![2, 0, 0, 0, 0],
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("created owner 'Example Organization'"));
    let (again, _) = export(&empty, second, &[]);
    assert_eq!(
        sorted_objects(&again),
        first,
        "the round trip changed the objects"
    );

    let out = import(&empty, second, &[path]);
    assert!(out.status.success(), "{}", stderr(&out));
    for t in [
        "incident",
        "indicator",
        "relationship",
        "threat-actor",
        "report",
    ] {
        assert_eq!(row(&out, t)[0], 0, "{t} created again: {}", stderr(&out));
        assert_eq!(row(&out, t)[1], 0, "{t} updated again: {}", stderr(&out));
    }
    let (third, _) = export(&empty, second, &[]);
    assert_eq!(sorted_objects(&third), first);

    // Back into the server it came from: everything is found, nothing created.
    let data = dir.path().join("data");
    let out = import(&data, database, &[path]);
    assert!(out.status.success(), "{}", stderr(&out));
    for t in [
        "incident",
        "indicator",
        "relationship",
        "threat-actor",
        "identity",
    ] {
        assert_eq!(row(&out, t)[0], 0, "{t} created: {}", stderr(&out));
    }
    let (back, _) = export(&data, database, &[]);
    assert_eq!(sorted_objects(&back), first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_imported_into_an_empty_threatdb_exports_the_same() {
    round_trip(None, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn an_export_imported_into_an_empty_postgres_exports_the_same() {
    use threatdb_store_pg::testing::{TestDatabase, server_url};
    let from = TestDatabase::create(&server_url()).await;
    let to = TestDatabase::create(&server_url()).await;
    round_trip(Some(&from.url), Some(&to.url)).await;
}

/// A bundle of `objects`.
fn bundle(dir: &Path, name: &str, objects: Vec<Value>) -> String {
    let path = dir.join(name);
    let b = json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": objects});
    std::fs::write(&path, serde_json::to_vec(&b).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

fn incident(id: &str, name: &str, modified: &str) -> Value {
    json!({
        "type": "incident", "spec_version": "2.1", "id": id, "name": name,
        "created": "2026-01-01T00:00:00.000Z", "modified": modified,
        "labels": ["from-misp"],
        "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
        "extensions": {"extension-definition--ef765651-680c-498d-9894-99799f2fa126": {
            "extension_type": "property-extension", "investigation_status": "closed",
            "determination": "false-positive", "criticality": 80}},
        "x_misp_field": "kept nowhere"
    })
}

const INC_A: &str = "incident--0b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a01";
const INC_B: &str = "incident--1b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a02";
const IND: &str = "indicator--2b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a03";

fn foreign(dir: &Path) -> String {
    bundle(
        dir,
        "foreign.json",
        vec![
            incident(INC_A, "Phishing wave", "2026-01-02T00:00:00.000Z"),
            json!({"type": "indicator", "spec_version": "2.1", "id": IND,
                   "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                   "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
                   "valid_from": "2026-01-01T00:00:00Z", "confidence": 70}),
            json!({"type": "relationship", "spec_version": "2.1",
                   "id": "relationship--3b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a04",
                   "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                   "relationship_type": "indicates", "source_ref": IND, "target_ref": INC_A}),
        ],
    )
}

/// A foreign bundle goes to the owner named on the command line; without one, every object is
/// refused with the reason; its Incident Core status and what threatdb cannot keep are reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_bundle_goes_to_the_owner_given_and_says_what_it_did_not_keep() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = crate::node::start(&data, None, KEY);
    let creds = crate::node::credentials(&data);
    let path = foreign(dir.path());

    let out = import(&data, None, &[&path]);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(text.contains("give an owner to import into"), "{text}");
    assert_eq!(row(&out, "incident"), vec![0, 0, 0, 0, 1]);

    let out = import(&data, None, &["--owner", ORG, &path]);
    let text = stderr(&out);
    assert!(out.status.success(), "{text}");
    assert_eq!(row(&out, "incident"), vec![1, 0, 0, 0, 0], "{text}");
    assert_eq!(row(&out, "relationship"), vec![1, 0, 0, 0, 0], "{text}");
    for said in [
        "property 'x_misp_field' is not kept",
        "Incident Core 'criticality' is not kept",
    ] {
        assert!(text.contains(said), "{said} in {text}");
    }
    // The incident as the API shows it: closed + false-positive is Rejected, the dates kept.
    let tql: String =
        form_urlencoded::byte_serialize(format!("xid = \"{INC_A}\"").as_bytes()).collect();
    let found = crate::stix::send(
        &node.origin,
        &creds,
        "GET",
        &format!(
            "/v3/groups?tql={tql}&fields=tags&fields=securityLabels&fields=associatedIndicators"
        ),
        None,
        200,
    )
    .await;
    let one = &found["data"][0];
    assert_eq!(one["status"], "Rejected", "{found}");
    assert_eq!(one["name"], "Phishing wave");
    assert_eq!(one["dateAdded"], "2026-01-01T00:00:00Z");
    assert_eq!(one["lastModified"], "2026-01-02T00:00:00Z");
    assert_eq!(one["tags"]["data"][0]["name"], "from-misp", "{one}");
    assert_eq!(one["securityLabels"]["data"][0]["name"], "TLP:GREEN");
    assert_eq!(
        one["associatedIndicators"]["data"][0]["ip"], "198.51.100.7",
        "{one}"
    );
    // What the import wrote is in the history, made through `import`.
    let history = crate::stix::send(
        &node.origin,
        &creds,
        "GET",
        &format!("/v3/groups/{}/history", one["id"]),
        None,
        200,
    )
    .await;
    let changes = history["data"].as_array().unwrap();
    for (field, value) in [
        ("created", "Phishing wave"),
        ("tag", "from-misp"),
        ("securityLabel", "TLP:GREEN"),
    ] {
        assert!(
            changes
                .iter()
                .any(|c| c["field"] == field && c["newValue"] == value && c["via"] == "import"),
            "{field} {value}: {history}"
        );
    }

    // The indicator keeps the id it came with: an export gives it back, and a relationship
    // imported on its own later finds both ends by their ids.
    let (exported, _) = export(&data, None, &["--owner", ORG]);
    assert!(String::from_utf8_lossy(&exported).contains(IND));
    let later = bundle(
        dir.path(),
        "later.json",
        vec![json!({"type": "relationship", "spec_version": "2.1",
            "id": "relationship--3b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a0a",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "relationship_type": "related-to", "source_ref": INC_A, "target_ref": IND})],
    );
    let out = import(&data, None, &["--owner", ORG, &later]);
    assert_eq!(
        row(&out, "relationship"),
        vec![0, 0, 1, 0, 0],
        "{}",
        stderr(&out)
    );

    // Newer: updated; older: left alone and said so.
    let newer = bundle(
        dir.path(),
        "newer.json",
        vec![incident(
            INC_A,
            "Phishing wave, contained",
            "2026-02-01T00:00:00.000Z",
        )],
    );
    let out = import(&data, None, &["--owner", ORG, &newer]);
    assert_eq!(
        row(&out, "incident"),
        vec![0, 1, 0, 0, 0],
        "{}",
        stderr(&out)
    );
    let older = bundle(
        dir.path(),
        "older.json",
        vec![incident(INC_A, "Phishing wave", "2026-01-15T00:00:00.000Z")],
    );
    let out = import(&data, None, &["--owner", ORG, &older]);
    assert_eq!(
        row(&out, "incident"),
        vec![0, 0, 0, 1, 0],
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("stored copy is newer"));
    let found = crate::stix::send(
        &node.origin,
        &creds,
        "GET",
        &format!("/v3/groups?tql={tql}"),
        None,
        200,
    )
    .await;
    assert_eq!(found["data"][0]["name"], "Phishing wave, contained");
    drop(node);
}

/// Bad input: each bad object refused with its id and reason, the rest imported; with
/// `--atomic` nothing is; input that is not JSON is an error and writes nothing.
#[test]
fn bad_objects_are_refused_one_by_one_and_atomic_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A 50 MB bundle: one name of 50 MiB.
    let huge = "x".repeat(50 << 20);
    let objects = vec![
        incident(INC_A, "Good", "2026-01-02T00:00:00.000Z"),
        // A name far over the limit: refused, not a crash.
        incident(INC_B, &huge, "2026-01-02T00:00:00.000Z"),
        json!({"type": "sighting", "spec_version": "2.1", "id": "sighting--4b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a05",
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"}),
        json!({"type": "incident", "spec_version": "2.1", "id": "incident--not-a-uuid", "name": "x",
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"}),
        json!({"type": "indicator", "spec_version": "2.1", "id": IND,
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
               "pattern": "[process:name = 'evil.exe']", "pattern_type": "stix",
               "valid_from": "2026-01-01T00:00:00Z"}),
        json!({"type": "relationship", "spec_version": "2.1",
               "id": "relationship--5b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a06",
               "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
               "relationship_type": "related-to", "source_ref": INC_A,
               "target_ref": "malware--6b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a07"}),
        json!({"type": "incident", "spec_version": "2.1", "id": "incident--7b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a08",
               "name": "</script><svg onload=alert(1)> \u{202e}", "created": "2026-01-01T00:00:00.000Z",
               "modified": "2026-01-01T00:00:00.000Z", "object_marking_refs": ["marking-definition--8b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a09"]}),
    ];
    let path = bundle(dir.path(), "bad.json", objects);
    std::fs::create_dir_all(&data).unwrap();
    let made = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["admin", "--data-dir"])
        .arg(&data)
        .args(["owner", "create", "--name", ORG, "--type", "organization"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));

    let out = import(&data, None, &["--owner", ORG, "--atomic", &path]);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(text.contains("with --atomic nothing was written"), "{text}");
    let (after, _) = export(&data, None, &[]);
    assert!(
        !String::from_utf8_lossy(&after).contains(INC_A),
        "--atomic wrote the good incident"
    );

    let out = import(&data, None, &["--owner", ORG, &path]);
    assert!(!out.status.success(), "refusals make a failing exit");
    let text = stderr(&out);
    let too_long = format!("{INC_B}: name is 52428800 characters long");
    for said in [
        too_long.as_str(),
        "unsupported type 'sighting'",
        "incident--not-a-uuid: id 'incident--not-a-uuid' is not '<type>--<uuid>'",
        "is not one comparison threatdb stores as an indicator",
        "malware--6b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a07 is neither in the input nor stored here",
        "object_marking_refs marking-definition--8b8fc1a4-8f0a-4b4b-9d0f-6f1c0c3f6a09: neither",
        "everything else was imported",
    ] {
        assert!(text.contains(said), "{said} in {text}");
    }
    assert_eq!(row(&out, "incident"), vec![1, 0, 0, 0, 3], "{text}");
    let (after, _) = export(&data, None, &[]);
    let after = String::from_utf8_lossy(&after);
    assert!(after.contains(INC_A));
    assert!(!after.contains(INC_B) && !after.contains("alert(1)"));

    // Not JSON: an error naming the problem, nothing written.
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        br#"{"type": "bundle", "objects": [{"type": "incident""#,
    )
    .unwrap();
    let out = import(&data, None, &["--owner", ORG, broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not a STIX bundle, envelope or list of objects"),
        "{}",
        stderr(&out)
    );
    let list = dir.path().join("list.json");
    std::fs::write(&list, b"{\"type\": \"identity\"}").unwrap();
    let out = import(&data, None, &["--owner", ORG, list.to_str().unwrap()]);
    assert!(stderr(&out).contains("a top-level object of type 'identity'"));
}

/// An import killed part way and run again finishes with the same store as one that was not
/// interrupted: nothing twice.
#[test]
fn a_killed_import_run_again_finishes_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    let seed = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args([
            "bench",
            "seed",
            "--incidents",
            "1500",
            "--indicators-per-incident",
            "2",
        ])
        .arg("--data-dir")
        .arg(&source)
        .arg("--no-ceiling")
        .output()
        .unwrap();
    assert!(seed.status.success(), "{}", stderr(&seed));
    let (exported, _) = export(&source, None, &[]);
    let file = dir.path().join("seed.json");
    std::fs::write(&file, &exported).unwrap();
    let target = dir.path().join("target");
    let mut child = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["import", "--data-dir"])
        .arg(&target)
        .arg(&file)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let _ = child.kill();
    let _ = child.wait();
    let out = import(&target, None, &[file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (again, _) = export(&target, None, &[]);
    assert_eq!(sorted_objects(&again), sorted_objects(&exported));
}

/// `threatdb import --via-api`: an export posted to another server's collection with an API
/// user's key, in envelopes, definitions first and relationships last; posting it again
/// creates nothing; an owner the user cannot write to is an error that says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_posted_through_the_api_lands_in_the_callers_owner() {
    let (dir, bundle) = round(None).await;
    let to = dir.path().join("to");
    let node = crate::node::start(&to, None, KEY);
    let creds = crate::node::credentials(&to);
    let post = |owner: &str| {
        Command::new(env!("CARGO_BIN_EXE_threatdb"))
            .args(["import", "--via-api", "--owner", owner])
            .args(["--base-url", &format!("{}/api", node.origin)])
            .args([
                "--access-id",
                &creds.access_id,
                "--secret-key",
                &creds.secret,
            ])
            .args(["--credentials", "/nonexistent"])
            .arg(&bundle)
            .env_remove("TC_TOKEN")
            .env_remove("TC_API_BASE_URL")
            .env_remove("TC_API_ACCESS_ID")
            .env_remove("TC_API_SECRET_KEY")
            .output()
            .unwrap()
    };
    let out = post(ORG);
    let text = stderr(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("posted to the collection of 'Example Organization'"),
        "{text}"
    );
    let (first, _) = export(&to, None, &["--owner", ORG]);
    let first = sorted_objects(&first);
    let incidents = first
        .iter()
        .filter(|o| o.contains("\"type\":\"incident\""))
        .count();
    assert_eq!(incidents, 2, "both incidents of the export");
    assert!(
        first.iter().any(|o| o.contains("incident-one")),
        "the xid kept"
    );

    let out = post(ORG);
    assert!(out.status.success(), "{}", stderr(&out));
    let (second, _) = export(&to, None, &["--owner", ORG]);
    assert_eq!(
        sorted_objects(&second),
        first,
        "posting again changed something"
    );

    let out = post("Nobody");
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("there is no owner 'Nobody' among the collections this user can write to"),
        "{}",
        stderr(&out)
    );
    drop(node);
}
