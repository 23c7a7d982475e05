//! The benchmark instrument must not rot: a small smoke run of `threatdb bench all` (1,000
//! incidents, 2 seconds per scenario) finishes, every scenario does work without errors, and the
//! results file has every number. No timing is asserted: benchmarks are commands, not tests.

use std::process::Command;

#[test]
fn bench_all_smoke_run() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("results.json");
    let out = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args([
            "bench",
            "all",
            "--incidents",
            "1000",
            "--duration",
            "2",
            "--quiet",
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench all failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bin = env!("CARGO_BIN_EXE_threatdb");
    let seeded = Command::new(bin)
        .args(["bench", "seed", "--incidents", "2000", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let out = Command::new(bin)
        .args([
            "bench",
            "rare",
            "--duration",
            "1",
            "--concurrency",
            "2",
            "--data-dir",
        ])
        .arg(&data)
        .env_remove("THREATDB_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    let out = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args([
            "bench",
            "scale",
            "--sizes",
            "600,300",
            "--duration",
            "1",
            "--concurrency",
            "2",
            "--page-size",
            "5",
            "--warm-up",
            "0",
            "--quiet",
            "--work-dir",
        ])
        .arg(dir.path().join("work"))
        .arg("--output-dir")
        .arg(&docs)
        .env_remove("THREATDB_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench scale failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(docs.join("scale-curve.json")).unwrap())
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
    let svg = std::fs::read_to_string(docs.join("scale-curve.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 12, "{svg}");
    assert!(
        std::fs::read_to_string(docs.join("scale-curve.txt"))
            .unwrap()
            .contains("p99 growth")
    );
    // Nothing seeded is left behind without --keep.
    assert!(!dir.path().join("work/scale-300").exists());
}
