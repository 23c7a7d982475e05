//! The benchmark instrument must not rot: a small smoke run of `threatdb bench all` (1,000
//! incidents, 2 seconds per scenario) finishes, every scenario does work without errors, and the
//! results file has every number. No timing is asserted: benchmarks are commands, not tests.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `threatdb bench ARGS` on the embedded store; its stdout (it must succeed).
fn bench<A: AsRef<OsStr>>(args: impl IntoIterator<Item = A>) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .arg("bench")
        .args(args)
        .env_remove("THREATDB_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "threatdb bench failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `threatdb bench scale` at `sizes`, briefly (1 s per measure, no warm-up, one request in
/// flight, so that it leaves a core to the timing-sensitive tests running beside it), with
/// its seeds under `dir/work` and its files in `dir/docs`; its stdout and that docs directory.
fn bench_scale(dir: &Path, sizes: &str, extra: &[&str]) -> (String, PathBuf) {
    let docs = dir.join("docs");
    let mut args: Vec<OsString> = [
        "scale",
        "--sizes",
        sizes,
        "--duration",
        "1",
        "--concurrency",
        "1",
        "--warm-up",
        "0",
        "--quiet",
    ]
    .iter()
    .chain(extra)
    .map(OsString::from)
    .collect();
    args.extend([
        "--work-dir".into(),
        dir.join("work").into(),
        "--output-dir".into(),
        docs.clone().into(),
    ]);
    (bench(args), docs)
}

#[test]
fn bench_all_smoke_run() {
    let _exclusive = crate::timing_exclusive();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("results.json");
    let data = dir.path().join("data");
    let stdout = bench([
        OsStr::new("all"),
        OsStr::new("--incidents"),
        OsStr::new("1000"),
        OsStr::new("--duration"),
        OsStr::new("2"),
        OsStr::new("--quiet"),
        OsStr::new("--data-dir"),
        data.as_os_str(),
        OsStr::new("--json"),
        json.as_os_str(),
    ]);
    assert!(
        stdout.contains("storage ceiling") && stdout.contains("start-up to first answer"),
        "{stdout}"
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(results["incidents"], 1000);
    let scenarios = results["scenarios"].as_array().unwrap();
    let names: Vec<&str> = scenarios
        .iter()
        .map(|s| s["result"]["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "get",
            "list",
            "list-filtered",
            "list-member",
            "commit",
            "mixed"
        ]
    );
    for s in scenarios {
        assert!(s["result"]["operations"].as_u64().unwrap() > 0, "{s}");
        assert_eq!(s["result"]["errors"], 0, "{s}");
        assert!(s["ceiling_ops_per_s"].as_f64().unwrap() > 0.0, "{s}");
    }
    assert!(results["rss_idle_mb"].as_f64().unwrap() > 0.0);
    assert!(results["seed"]["ratio"].as_f64().unwrap() > 0.0);
}

/// `bench rare` on a small seed: every rare-match filter runs and is reported.
#[test]
fn bench_rare_smoke_run() {
    let _exclusive = crate::timing_exclusive();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_os_str();
    bench([
        OsStr::new("seed"),
        OsStr::new("--incidents"),
        OsStr::new("2000"),
        OsStr::new("--data-dir"),
        data,
    ]);
    let stdout = bench([
        OsStr::new("rare"),
        OsStr::new("--duration"),
        OsStr::new("1"),
        OsStr::new("--concurrency"),
        OsStr::new("2"),
        OsStr::new("--data-dir"),
        data,
    ]);
    for filter in [
        "name ^ (no match)",
        "status Rejected",
        "label TLP:RED",
        "eventDate 1 hour",
        "name contains",
    ] {
        assert!(stdout.contains(filter), "{filter} missing: {stdout}");
    }
}

/// `bench scale` at two small sizes: every size is seeded and measured, the tables name every
/// series, and the chart and the results file are written with every series at every size.
#[test]
fn bench_scale_smoke_run() {
    let _exclusive = crate::timing_exclusive();
    let dir = tempfile::tempdir().unwrap();
    let (stdout, docs) = bench_scale(dir.path(), "600,300", &["--page-size", "5"]);
    for name in [
        "get",
        "list-filtered",
        "list-member",
        "reverse",
        "v3-tql",
        "rare: name contains",
        "bytes per incident",
        "start-up to first answer",
        "p99 growth",
    ] {
        assert!(stdout.contains(name), "{name} missing: {stdout}");
    }
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(docs.join("scale-curve-sqlite.json")).unwrap(),
    )
    .unwrap();
    let points = results["points"].as_array().unwrap();
    // Sizes are measured smallest first, whatever order they were given in.
    let sizes: Vec<u64> = points
        .iter()
        .map(|p| p["incidents"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [300, 600]);
    for p in points {
        assert_eq!(
            p["indicators"].as_u64(),
            Some(3 * p["incidents"].as_u64().unwrap())
        );
        assert!(p["bytes_per_incident"].as_f64().unwrap() > 0.0, "{p}");
        assert!(p["startup_ms"].as_f64().unwrap() > 0.0, "{p}");
        for s in p["scenarios"].as_array().unwrap() {
            assert!(s["operations"].as_u64().unwrap() > 0, "{s}");
            assert_eq!(s["errors"], 0, "{s}");
        }
        // The reverse look-up finds the incident each seeded indicator is linked to.
        let reverse = p["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scenario"] == "reverse")
            .unwrap();
        assert_eq!(reverse["rows_per_op"].as_f64(), Some(1.0), "{reverse}");
        assert_eq!(p["rare"].as_array().unwrap().len(), 6, "{p}");
    }
    let svg = std::fs::read_to_string(docs.join("scale-curve-sqlite.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 12, "{svg}");
    assert!(
        std::fs::read_to_string(docs.join("scale-curve-sqlite.txt"))
            .unwrap()
            .contains("p99 growth")
    );
    // Nothing seeded is left behind without --keep.
    assert!(!dir.path().join("work/scale-300").exists());
}

/// `bench scale --database-server` on PostgreSQL at one small size: the size's database is made,
/// measured (its bytes from the server) and dropped, and the PostgreSQL files are written.
#[test]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
fn bench_scale_on_postgres() {
    let _exclusive = crate::timing_exclusive();
    let server = threatdb_store_pg::testing::server_url();
    let dir = tempfile::tempdir().unwrap();
    let (stdout, docs) = bench_scale(dir.path(), "211", &["--database-server", &server]);
    assert!(stdout.contains("store: PostgreSQL"), "{stdout}");
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(docs.join("scale-curve-postgresql.json")).unwrap(),
    )
    .unwrap();
    let point = &results["points"][0];
    assert_eq!(point["incidents"], 211);
    assert!(
        point["bytes_on_disk"].as_u64().unwrap() > 1_000_000,
        "{point}"
    );
    for s in point["scenarios"].as_array().unwrap() {
        assert_eq!(s["errors"], 0, "{s}");
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let left = runtime
        .block_on(threatdb_store_pg::databases::exists(
            &server,
            "threatdb_scale_211",
        ))
        .unwrap();
    assert!(!left, "the size's database is dropped without --keep");
}

/// The TAXII scenarios of `bench load` read full pages from a seeded server, first and deep.
#[test]
fn bench_load_taxii_scenarios_read_pages() {
    let _exclusive = crate::timing_exclusive();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    bench([
        OsStr::new("seed"),
        OsStr::new("--incidents"),
        OsStr::new("300"),
        OsStr::new("--indicators-per-incident"),
        OsStr::new("3"),
        OsStr::new("--no-ceiling"),
        OsStr::new("--data-dir"),
        data.as_os_str(),
    ]);
    let key = std::fs::read_to_string(data.join("master.key")).unwrap();
    let node = crate::node::start(&data, None, key.trim());
    // What the seed wrote must have settled before TAXII sends it.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    for scenario in ["taxii-first", "taxii-deep", "taxii-page"] {
        let json = dir.path().join(format!("{scenario}.json"));
        bench([
            OsStr::new("load"),
            OsStr::new("--url"),
            OsStr::new(&node.origin),
            OsStr::new("--data-dir"),
            data.as_os_str(),
            OsStr::new("--scenario"),
            OsStr::new(scenario),
            OsStr::new("--page-size"),
            OsStr::new("50"),
            OsStr::new("--concurrency"),
            OsStr::new("1"),
            OsStr::new("--duration"),
            OsStr::new("1"),
            OsStr::new("--json"),
            json.as_os_str(),
        ]);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let result = &report["result"];
        assert_eq!(result["scenario"], scenario, "{report}");
        assert_eq!(result["errors"], 0, "{report}");
        assert!(result["operations"].as_u64().unwrap() > 0, "{report}");
        // Every owner's collection has objects to send, first or deep.
        assert!(result["rows_per_op"].as_f64().unwrap() > 1.0, "{report}");
    }
}

/// `threatdb bench stix` seeds, exports and imports a small dataset and prints each step's
/// rate; the work directory it is given holds the bundle and both data directories after.
#[test]
fn bench_stix_smoke_run() {
    let _exclusive = crate::timing_exclusive();
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let out = bench([
        OsStr::new("stix"),
        OsStr::new("--incidents"),
        OsStr::new("300"),
        OsStr::new("--work-dir"),
        work.as_os_str(),
    ]);
    assert!(
        out.contains("300 incidents, 3 indicators each: 2152 STIX objects"),
        "{out}"
    );
    for step in [
        "seed (bulk path)",
        "export (threatdb export)",
        "import (threatdb import)",
    ] {
        assert!(out.contains(step), "{step} in {out}");
    }
    assert!(work.join("stix-bundle.json").is_file());
    assert!(work.join("stix-target").join("threatdb.db").is_file());
}
