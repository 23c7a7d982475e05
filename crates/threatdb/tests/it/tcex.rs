//! ThreatConnect's own client: tcex 5 (pinned in `tests/python/requirements.txt`) runs the seed's
//! five workflows through its v3 objects, for an incident and for an indicator
//! (`tests/python/tcex_v3.py`), and writes a feed through its batch module
//! (`tests/python/tcex_batch.py`), against a running `threatdb serve`, signing with HMAC as a
//! tcex app does.

use crate::node::{credentials, start};
use crate::python::venv_bin;
use std::path::Path;
use std::process::Command;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[test]
#[ignore = "needs Python 3 and PyPI to install tcex: run with --include-ignored (README, Tests)"]
fn tcex_5_runs_the_seed_workflows_through_v3() {
    run_script("tcex_v3.py", "tcex v3: all five workflows passed");
}

#[test]
#[ignore = "needs Python 3 and PyPI to install tcex: run with --include-ignored (README, Tests)"]
fn tcex_5_writes_a_feed_through_its_batch_module() {
    run_script(
        "tcex_batch.py",
        "tcex batch: feed, resubmission and delete passed",
    );
}

/// Runs a script of `tests/python/` against a fresh server; it must print `passed`.
fn run_script(name: &str, passed: &str) {
    let bin = venv_bin();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = start(&data, None, KEY);
    let creds = credentials(&data);
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name);
    let out = Command::new(bin.join("python"))
        .arg(&script)
        .current_dir(dir.path())
        .env("THREATDB_API", format!("{}/api", node.origin))
        .env("THREATDB_ACCESS_ID", &creds.access_id)
        .env("THREATDB_SECRET_KEY", &creds.secret)
        .env("THREATDB_OWNER", "Example Organization")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(passed), "{stdout}");
}
