//! tc-json: `threatdb export --format tc-json` writes one owner as a ThreatConnect Batch file
//! and `threatdb import` runs such a file as a Batch job (into a data directory, or through a
//! server with `--via-api`). An export imported into an empty threatdb exports again to the
//! same file (after sorting); importing it again, or back into the server it came from,
//! changes nothing; a bad item fails alone with its reason.

use crate::node::{credentials, start};
use crate::stix::{KEY, ORG, export, populate};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

fn threatdb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(args)
        .env("THREATDB_MASTER_KEY", KEY)
        .env_remove("TC_TOKEN")
        .env_remove("TC_API_BASE_URL")
        .env_remove("TC_API_ACCESS_ID")
        .env_remove("TC_API_SECRET_KEY")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The file's groups and indicators, each serialised with sorted keys, sorted.
fn sorted(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let file: Value = serde_json::from_slice(bytes).unwrap();
    let part = |k: &str| {
        let mut out: Vec<String> = file[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| serde_json::to_string(o).unwrap())
            .collect();
        out.sort();
        out
    };
    (part("group"), part("indicator"))
}

/// The numbers of the summary table's row (written, failed).
fn row(out: &Output, what: &str) -> Vec<u64> {
    let text = stderr(out);
    let line = text
        .lines()
        .find(|l| l.contains(&format!(" {what} ")))
        .unwrap_or_else(|| panic!("no row for {what} in:\n{text}"));
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|c| c.parse().ok())
        .collect()
}

fn tc_export(data: &Path) -> Vec<u8> {
    let (bytes, said) = export(data, None, &["--format", "tc-json", "--owner", ORG]);
    assert!(said.contains("as tc-json"), "{said}");
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tc_json_export_imports_as_a_batch_job_and_exports_again_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = start(&data, None, KEY);
    let creds = credentials(&data);
    let made = populate(&node.origin, &creds, &data, None).await;

    let first = tc_export(&data);
    let file: Value = serde_json::from_slice(&first).unwrap();
    let groups = file["group"].as_array().unwrap();
    let indicators = file["indicator"].as_array().unwrap();
    // The incident with its dates, status, tags, labels, attributes and associations.
    let incident = groups
        .iter()
        .find(|g| g["xid"] == made.other_xid.as_str())
        .unwrap_or_else(|| panic!("no incident {} in {file}", made.other_xid));
    assert_eq!(incident["type"], "Incident");
    assert!(incident["eventDate"].as_str().unwrap().ends_with('Z'));
    assert!(incident["status"].is_string());
    let main = groups
        .iter()
        .find(|g| g["type"] == "Incident" && g["associatedIndicators"].is_array())
        .expect("an incident with indicators");
    assert!(
        main["associatedGroupXid"].as_array().unwrap().len() >= 2,
        "{main}"
    );
    assert!(main["securityLabel"].is_array() && main["tag"].is_array());
    // A group made through the API has no xid: it is named by its derived id.
    assert!(
        groups.iter().any(|g| g["type"] == "Adversary"
            && g["xid"].as_str().unwrap().starts_with("threat-actor--")),
        "{file}"
    );
    // Groups STIX has no object for are in tc-json too.
    assert!(groups.iter().any(|g| g["type"] == "Event"), "{file}");
    assert!(
        indicators
            .iter()
            .any(|i| i["type"] == "Host" && i["summary"] == "c2.example")
    );
    let path = dir.path().join("org.tc.json");
    std::fs::write(&path, &first).unwrap();
    let path = path.to_str().unwrap();

    // Into an empty data directory: the owner and its own labels are made, every item written.
    let empty = dir.path().join("empty");
    let empty_s = empty.to_str().unwrap();
    let out = threatdb(&["import", "--data-dir", empty_s, "--owner", ORG, path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("created owner '{ORG}'")));
    assert!(stderr(&out).contains("created security label 'Partners Only'"));
    assert_eq!(row(&out, "groups"), vec![groups.len() as u64, 0]);
    assert_eq!(row(&out, "indicators"), vec![indicators.len() as u64, 0]);
    let again = tc_export(&empty);
    assert_eq!(
        sorted(&again),
        sorted(&first),
        "the round trip changed the file"
    );

    // Again into the same directory, and back into the server it came from: nothing changes.
    let out = threatdb(&["import", "--data-dir", empty_s, "--owner", ORG, path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sorted(&tc_export(&empty)), sorted(&first));
    let base = format!("{}/api", node.origin);
    // A command through the server, with the administrator's key.
    let server = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend([
            "--via-api",
            "--base-url",
            &base,
            "--access-id",
            &creds.access_id,
            "--secret-key",
            &creds.secret,
            "--credentials",
            "/nonexistent",
        ]);
        threatdb(&all)
    };
    let via = |file: &str, owner: &str| server(&["import", "--owner", owner, file]);
    let out = via(path, ORG);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(row(&out, "groups"), vec![groups.len() as u64, 0]);
    assert_eq!(sorted(&tc_export(&data)), sorted(&first), "re-imported");

    // Exported through the server with the caller's rights: the same file, streamed.
    let from_api = dir.path().join("api.tc.json");
    let export_via = |owner: &str, to: &Path| {
        server(&[
            "export",
            "--format",
            "tc-json",
            "--owner",
            owner,
            "-o",
            to.to_str().unwrap(),
        ])
    };
    let out = export_via(ORG, &from_api);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sorted(&std::fs::read(&from_api).unwrap()),
        sorted(&tc_export(&data))
    );
    let nowhere = dir.path().join("nowhere.tc.json");
    let out = export_via("No Such Owner", &nowhere);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("403"), "{}", stderr(&out));
    assert!(!nowhere.exists() && !dir.path().join("nowhere.tc.json.partial").exists());

    // A bad item fails alone, with its reason; the rest is written; the exit status says so.
    let bad = dir.path().join("bad.tc.json");
    std::fs::write(
        &bad,
        json!({"group": [{"type": "Incident", "xid": "tc-json-new", "name": "Fresh",
                          "eventDate": "2026-01-01T00:00:00Z"}],
               "indicator": [{"type": "Address", "summary": "999.1.1.1"},
                             {"type": "Host", "summary": "fresh.tc-json.example"}]})
        .to_string(),
    )
    .unwrap();
    let out = via(bad.to_str().unwrap(), ORG);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(
        text.contains("999.1.1.1") && text.contains("0x1005"),
        "{text}"
    );
    assert_eq!(row(&out, "indicators"), vec![1, 1]);
    let out = threatdb(&[
        "import",
        "--data-dir",
        empty_s,
        "--owner",
        ORG,
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("1 items failed"), "{}", stderr(&out));

    // What a tc-json file needs said: its owner; --atomic is for STIX; one owner per export.
    let out = threatdb(&["import", "--data-dir", empty_s, path]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--owner"), "{}", stderr(&out));
    let out = threatdb(&[
        "import",
        "--data-dir",
        empty_s,
        "--owner",
        ORG,
        "--atomic",
        path,
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--atomic"), "{}", stderr(&out));
    let out = threatdb(&[
        "export",
        "--data-dir",
        data.to_str().unwrap(),
        "--format",
        "tc-json",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("one owner"), "{}", stderr(&out));
}
