//! The README's first command, run as a newcomer would: `threatdb serve` on an empty data
//! directory prints credentials and writes `credentials.env` (0600). Then every command of the
//! README's "Talk to it" block, as written, through `sh` with the built binary first on the
//! PATH, from the directory above `data/`. Then create / update through `threatdb api`, a clean
//! shutdown on SIGTERM that keeps the data, and retrieve / delete after a restart.

use crate::api::threatdb;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts `threatdb serve` and returns it with the origin it printed and everything it printed.
fn start(data: &Path) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("THREATDB_MASTER_KEY")
        .env_remove("THREATDB_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let origin = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("threatdb listening on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    (child, origin, printed)
}

fn credentials(data: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(data.join("credentials.env")).unwrap();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

/// The commands of the README's "Talk to it" shell block: comments and blank lines left out,
/// continued lines joined.
fn talk_to_it() -> Vec<String> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    let section = text
        .split_once("## Talk to it")
        .expect("the README has a \"Talk to it\" section")
        .1;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("\"Talk to it\" has a shell block")
        .0;
    let mut commands = Vec::new();
    let mut pending = String::new();
    for line in block.lines() {
        let line = line.trim();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(start) => pending.push_str(start),
            None => {
                pending.push_str(line);
                commands.push(std::mem::take(&mut pending));
            }
        }
    }
    commands
}

/// Runs one README line with `sh`, the built `threatdb` first on the PATH, in `cwd`.
fn shell(cwd: &Path, command: &str) -> (bool, String, String) {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_threatdb")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut cmd = Command::new("sh");
    cmd.args(["-c", command]).current_dir(cwd).env("PATH", path);
    for k in [
        "TC_API_ACCESS_ID",
        "TC_API_SECRET_KEY",
        "TC_API_DEFAULT_ORG",
        "TC_API_BASE_URL",
        "THREATDB_CREDENTIALS",
        "TC_TOKEN",
        "TC_SKEW",
    ] {
        cmd.env_remove(k);
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn sigterm(child: &mut Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(
        exit.success(),
        "serve must exit cleanly on SIGTERM: {exit:?}"
    );
}

#[test]
fn newcomer_starts_the_server_and_runs_the_readme_with_threatdb_api() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, origin, printed) = start(&data);
    assert!(
        printed.contains("TC_API_SECRET_KEY="),
        "the secret is printed once: {printed}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("credentials.env"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let creds = credentials(&data);
    let base = creds.iter().find(|(k, _)| k == "TC_API_BASE_URL").unwrap();
    assert_eq!(base.1, format!("{origin}/api"));

    // The README's block, line by line, each answered with success.
    let commands = talk_to_it();
    assert!(commands.len() >= 9, "{commands:?}");
    let mut outputs = Vec::new();
    for command in &commands {
        assert!(command.starts_with("threatdb api "), "{command}");
        let (ok, stdout, stderr) = shell(dir.path(), command);
        assert!(ok, "{command}\n{stdout}\n{stderr}");
        outputs.push(stdout);
    }
    let first: serde_json::Value = serde_json::from_str(&outputs[0]).unwrap();
    assert_eq!(first["data"]["owner"]["name"], "Example Organization");
    let tagged = commands
        .iter()
        .position(|c| c.contains("GET '/v2/tags/Nation%20State/groups/incidents"))
        .expect("the README lists by tag");
    let tagged: serde_json::Value = serde_json::from_str(&outputs[tagged]).unwrap();
    assert_eq!(tagged["data"]["incident"][0]["id"], 1);
    // The block ends by deleting what it made.
    let q = "owner=Example+Community";
    let api = |args: &[&str]| {
        let mut all = vec!["api"];
        all.extend_from_slice(args);
        threatdb(dir.path(), &all, &[], None)
    };
    assert!(!api(&["GET", &format!("/v2/groups/incidents/1?{q}")]).ok);

    // Then the seed's create and update, a restart, retrieve and delete.
    let created = api(&[
        "POST",
        &format!("/v2/groups/incidents?{q}"),
        "--data",
        r#"{"name":"New Incident","eventDate":"2017-03-21T00:00:00Z"}"#,
    ]);
    assert!(created.ok, "{}", created.stderr);
    let id = created.json()["data"]["incident"]["id"].as_i64().unwrap();
    let inc = format!("/v2/groups/incidents/{id}?{q}");
    let updated = api(&["PUT", &inc, "--data", r#"{"name":"Updated Incident"}"#]);
    assert!(updated.ok, "{}", updated.stderr);

    // A clean stop keeps everything; a restart serves it with the same credentials.
    sigterm(&mut child);
    let (mut child, origin2, printed) = start(&data);
    assert!(
        !printed.contains("TC_API_SECRET_KEY="),
        "credentials are printed only on first start"
    );
    let base2 = format!("{origin2}/api");
    let api = |args: &[&str]| {
        let mut all = vec!["api", "--base-url", &base2];
        all.extend_from_slice(args);
        threatdb(dir.path(), &all, &[], None)
    };
    let one = api(&["GET", &inc]);
    assert!(one.ok, "{}", one.stderr);
    assert_eq!(one.json()["data"]["incident"]["name"], "Updated Incident");
    assert!(api(&["DELETE", &inc]).ok);
    let gone = api(&["GET", &inc]);
    assert!(!gone.ok);
    assert_eq!(
        gone.json()["message"],
        "The requested resource was not found"
    );
    assert_eq!(
        gone.stderr.trim(),
        "error: 404: The requested resource was not found"
    );
    sigterm(&mut child);
}
