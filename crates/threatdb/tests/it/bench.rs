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
