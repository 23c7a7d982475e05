//! `threatdb export --format stix21`: data written through a running server's API, exported
//! from its database by the administrator's command, checked row by row against the mapping
//! of `docs/stix.md`, exported twice to the same bytes, and (with Python) validated by the
//! OASIS validator in strict mode and parsed by the OASIS stix2 library.

use crate::node::{Creds, call, credentials, start};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

pub(crate) const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub(crate) const ORG: &str = "Example Organization";
const HOSTILE: &str = "Break \"out\" </script><svg onload=alert(1)> \\ 'quote' \u{202e}";
const URL: &str = "http://evil.example/a'b\\c";

/// Sends a signed request that must answer `want`; returns the answer's JSON.
pub(crate) async fn send(
    origin: &str,
    creds: &Creds,
    method: &str,
    target: &str,
    body: Option<Value>,
    want: u16,
) -> Value {
    let client = reqwest::Client::new();
    let (status, json) = call(
        &client,
        origin,
        creds,
        method,
        target,
        body.map(|b| b.to_string()),
    )
    .await
    .unwrap();
    assert_eq!(status, want, "{method} {target}: {json}");
    json
}

/// The ids of what `populate` made.
pub(crate) struct Made {
    pub incident: i64,
    pub other: i64,
    pub other_xid: String,
}

/// An incident with everything the mapping covers, linked to an adversary, a report, an
/// event, another incident, a victim, a URL that needs escaping in a pattern and a host.
pub(crate) async fn populate(
    origin: &str,
    creds: &Creds,
    data: &Path,
    database: Option<&str>,
) -> Made {
    let mut label = Command::new(env!("CARGO_BIN_EXE_threatdb"));
    label.args(["admin", "--data-dir"]).arg(data);
    if let Some(url) = database {
        label.args(["--database", url]);
    }
    let out = label
        .args(["label", "create", "--owner", ORG, "--name", "Partners Only"])
        .args(["--description", "Share with partners only"])
        .env("THREATDB_MASTER_KEY", KEY)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let group = |kind: &'static str, body: Value| async move {
        let r = send(
            origin,
            creds,
            "POST",
            &format!("/v2/groups/{kind}"),
            Some(body),
            201,
        )
        .await;
        r["data"].as_object().unwrap().values().next().unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let adversary = group("adversaries", json!({"name": "Fancy Bear"})).await;
    let report = group("reports", json!({"name": "Q3 report"})).await;
    let event = group(
        "events",
        json!({"name": "a login", "eventDate": "2026-01-02T00:00:00Z"}),
    )
    .await;
    let other = group(
        "incidents",
        json!({"name": "earlier", "eventDate": "2026-01-01T00:00:00Z"}),
    )
    .await;
    let r = send(
        origin,
        creds,
        "POST",
        "/v2/victims",
        Some(json!({"name": "Jane Doe"})),
        201,
    )
    .await;
    let victim = r["data"]["victim"]["id"].as_i64().unwrap();
    let r = send(
        origin,
        creds,
        "POST",
        "/v3/indicators",
        Some(
            json!({"type": "URL", "text": URL, "rating": 4.5, "confidence": 80,
                    "tags": {"data": [{"name": "phishing"}]}}),
        ),
        201,
    )
    .await;
    let url = r["data"]["id"].as_i64().unwrap();
    let r = send(
        origin,
        creds,
        "POST",
        "/v3/indicators",
        Some(json!({"type": "Host", "hostName": "C2.Example"})),
        201,
    )
    .await;
    let host = r["data"]["id"].as_i64().unwrap();
    let r = send(
        origin,
        creds,
        "POST",
        "/v3/groups",
        Some(json!({
            "type": "Incident", "name": HOSTILE, "eventDate": "2026-03-04T05:06:07Z",
            "status": "Rejected", "xid": "incident-one",
            "tags": {"data": [{"name": "zeta"}, {"name": "Alpha"}, {"name": "beta"}]},
            "securityLabels": {"data": [{"name": "TLP:AMBER"}, {"name": "Partners Only"}]},
            "attributes": {"data": [
                {"type": "Source", "value": "a feed", "source": "ISAC"},
                {"type": "Description", "value": "What happened", "default": true},
                {"type": "Description", "value": "A second description"}
            ]},
            "associatedGroups": {"data": [{"id": adversary}, {"id": report}, {"id": event}, {"id": other}]},
            "associatedIndicators": {"data": [{"id": url}, {"id": host}]}
        })),
        201,
    )
    .await;
    let incident = r["data"]["id"].as_i64().unwrap();
    send(
        origin,
        creds,
        "POST",
        &format!("/v2/groups/incidents/{incident}/victims/{victim}"),
        None,
        201,
    )
    .await;
    let attrs = send(
        origin,
        creds,
        "GET",
        &format!("/v2/groups/incidents/{incident}/attributes"),
        None,
        200,
    )
    .await;
    let source = attrs["data"]["attribute"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "Source")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    send(
        origin,
        creds,
        "POST",
        &format!("/v2/groups/incidents/{incident}/attributes/{source}/securityLabels/TLP%3ARED"),
        None,
        201,
    )
    .await;
    let r = send(
        origin,
        creds,
        "GET",
        &format!("/v2/groups/incidents/{other}?includeAdditional=true"),
        None,
        200,
    )
    .await;
    let other_xid = r["data"]["incident"]["xid"].as_str().unwrap().to_string();
    Made {
        incident,
        other,
        other_xid,
    }
}

/// Runs `threatdb export` with `args` on the data directory (or database); returns the
/// bundle's bytes and what it said on standard error.
pub(crate) fn export(data: &Path, database: Option<&str>, args: &[&str]) -> (Vec<u8>, String) {
    let file = data.join(format!("export-{}.json", rand_suffix()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatdb"));
    cmd.args(["export", "--data-dir"]).arg(data);
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    let out = cmd
        .args(args)
        .arg("--output")
        .arg(&file)
        .env("THREATDB_MASTER_KEY", KEY)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "export failed: {stderr}");
    assert!(!file.with_extension("json.partial").exists());
    (std::fs::read(&file).unwrap(), stderr)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn by_type<'a>(bundle: &'a Value, t: &str) -> Vec<&'a Value> {
    bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == t)
        .collect()
}

const THREATDB: &str = "extension-definition--12da5d2c-3665-4063-9a9e-35ccfe3bd6fd";
const CORE: &str = "extension-definition--ef765651-680c-498d-9894-99799f2fa126";
const AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

/// Every mapping row the data covers, on the bundle `populate` leads to.
fn check_mapping(bundle: &Value, made: &Made, stderr: &str) {
    assert_eq!(bundle["type"], "bundle");
    assert!(bundle["id"].as_str().unwrap().starts_with("bundle--"));
    assert!(bundle.get("spec_version").is_none());
    let identities = by_type(bundle, "identity");
    let org = identities
        .iter()
        .find(|i| i["name"] == ORG)
        .expect("the owner's identity");
    assert_eq!(org["identity_class"], "organization");
    assert_eq!(org["created"], "2000-01-01T00:00:00.000Z");
    assert!(
        identities
            .iter()
            .any(|i| i["name"] == "threatdb" && i["identity_class"] == "system")
    );
    assert!(
        identities
            .iter()
            .any(|i| i["name"] == "Jane Doe" && i["identity_class"] == "individual")
    );
    assert_eq!(by_type(bundle, "extension-definition").len(), 1);

    let incidents = by_type(bundle, "incident");
    let one = incidents
        .iter()
        .find(|i| i["name"] == HOSTILE)
        .expect("the incident, name intact");
    assert_eq!(one["created_by_ref"], org["id"]);
    assert_eq!(one["description"], "What happened");
    assert_eq!(one["labels"], json!(["Alpha", "beta", "zeta"]));
    let refs = one["object_marking_refs"].as_array().unwrap();
    assert_eq!(refs.len(), 2);
    assert!(refs.contains(&json!(AMBER)));
    assert_eq!(one["extensions"][CORE]["investigation_status"], "closed");
    assert_eq!(one["extensions"][CORE]["determination"], "false-positive");
    let ext = &one["extensions"][THREATDB];
    assert_eq!(ext["extension_type"], "property-extension");
    assert_eq!(ext["status"], "Rejected");
    assert_eq!(ext["event_date"], "2026-03-04T05:06:07Z");
    assert_eq!(ext["owner"], ORG);
    let others = ext["attributes"].as_array().unwrap();
    assert_eq!(others.len(), 2, "{ext}");
    assert_eq!(others[0]["type"], "Source");
    assert_eq!(others[0]["source"], "ISAC");
    assert_eq!(others[0]["security_labels"], json!(["TLP:RED"]));
    assert_eq!(others[1]["value"], "A second description");
    // The reference names the xid (the key the id derives from), not a server's own number.
    assert_eq!(
        one["external_references"],
        json!([{"source_name": "threatdb", "external_id": "incident-one"}])
    );
    assert!(made.incident > 0);
    let created = one["created"].as_str().unwrap();
    assert_eq!(created.len(), 24, "{created}");
    assert!(created.ends_with(".000Z"));

    let indicators = by_type(bundle, "indicator");
    let url = indicators
        .iter()
        .find(|i| i["name"] == URL)
        .expect("the URL indicator");
    assert_eq!(
        url["pattern"],
        "[url:value = 'http://evil.example/a\\'b\\\\c']"
    );
    assert_eq!(url["pattern_type"], "stix");
    assert_eq!(url["description"], "URL indicator");
    assert_eq!(url["confidence"], 80);
    assert_eq!(url["labels"], json!(["phishing"]));
    assert_eq!(url["extensions"][THREATDB]["rating"], 4.5);
    let host = indicators
        .iter()
        .find(|i| i["name"] == "c2.example")
        .expect("the host, normalised");
    assert_eq!(host["pattern"], "[domain-name:value = 'c2.example']");

    assert_eq!(by_type(bundle, "threat-actor")[0]["name"], "Fancy Bear");
    let report = by_type(bundle, "report");
    assert_eq!(report.len(), 1);
    assert_eq!(report[0]["object_refs"], json!([one["id"]]));

    // related-to from the incident to each exported object; the incident-incident pair once.
    let rels = by_type(bundle, "relationship");
    let from_one: Vec<&&Value> = rels
        .iter()
        .filter(|r| r["source_ref"] == one["id"] || r["target_ref"] == one["id"])
        .collect();
    // adversary, report, other incident, victim, url, host (the event is left out).
    assert_eq!(from_one.len(), 6, "{from_one:#?}");
    assert!(rels.iter().all(|r| r["relationship_type"] == "related-to"));
    let other = incidents.iter().find(|i| i["name"] == "earlier").unwrap();
    assert_eq!(
        other["external_references"][0]["external_id"],
        made.other_xid.as_str()
    );
    assert!(made.other > 0);
    assert_eq!(
        rels.iter()
            .filter(|r| r["source_ref"] == other["id"] || r["target_ref"] == other["id"])
            .count(),
        1
    );

    let markings = by_type(bundle, "marking-definition");
    let ids: Vec<&str> = markings.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&AMBER) && ids.contains(&RED), "{ids:?}");
    let custom = markings
        .iter()
        .find(|m| m["name"] == "Partners Only")
        .expect("the custom label");
    assert_eq!(custom["definition_type"], "statement");
    assert_eq!(
        custom["definition"]["statement"],
        "Share with partners only"
    );
    assert!(refs.contains(&custom["id"]));
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "each marking once");

    assert!(stderr.contains("left out"), "{stderr}");
    assert!(stderr.contains("1 Event"), "{stderr}");
}

/// Starts a server on `database` (or the data directory's SQLite file), writes the data,
/// exports it twice and checks both.
pub(crate) async fn round(database: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = start(&data, database, KEY);
    let creds = credentials(&data);
    let made = populate(&node.origin, &creds, &data, database).await;
    let (first, stderr) = export(&data, database, &[]);
    let bundle: Value = serde_json::from_slice(&first).unwrap();
    check_mapping(&bundle, &made, &stderr);

    // Twice: the same bytes but for the bundle's own id.
    let (second, _) = export(&data, database, &[]);
    let strip = |b: &[u8]| {
        let text = String::from_utf8(b.to_vec()).unwrap();
        text.split_once('\n').unwrap().1.to_string()
    };
    assert_eq!(strip(&first), strip(&second));

    // One owner: the other owner's identity is not there.
    let (one, _) = export(&data, database, &["--owner", ORG]);
    let one: Value = serde_json::from_slice(&one).unwrap();
    let names: Vec<&str> = by_type(&one, "identity")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(
        names.contains(&ORG) && !names.contains(&"Example Community"),
        "{names:?}"
    );
    assert_eq!(by_type(&one, "incident").len(), 2);

    // --since after everything: only the identities, definitions and no objects of the owner.
    let (later, _) = export(&data, database, &["--since", "2100-01-01"]);
    let later: Value = serde_json::from_slice(&later).unwrap();
    assert!(by_type(&later, "incident").is_empty());
    assert!(by_type(&later, "indicator").is_empty());

    // An unknown owner is an error that says so, and leaves no file behind.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatdb"));
    cmd.args(["export", "--data-dir"]).arg(&data);
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    let out = cmd
        .args(["--owner", "Nobody", "--output"])
        .arg(data.join("nobody.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no owner 'Nobody'"));
    assert!(!data.join("nobody.json").exists());
    assert!(!data.join("nobody.json.partial").exists());

    let path = data.join("checked.json");
    std::fs::write(&path, &first).unwrap();
    drop(node);
    (dir, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_maps_every_row_and_is_repeatable() {
    round(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn export_maps_every_row_on_postgres() {
    use threatdb_store_pg::testing::{TestDatabase, server_url};
    let db = TestDatabase::create(&server_url()).await;
    round(Some(&db.url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python 3 and PyPI to install stix2-validator: run with --include-ignored (README, Tests)"]
async fn export_passes_the_oasis_validator_in_strict_mode() {
    let bin = crate::python::venv_bin();
    let (_dir, bundle) = round(None).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/stix_check.py");
    let out = Command::new(bin.join("python"))
        .arg(&script)
        .arg(&bundle)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("stix check: valid"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
