//! `threatdb.toml`: found by `--config`, `THREATDB_CONFIG` or in the working directory; below
//! flags and the environment, above the defaults; `config show` says where each value is from.

use super::{KEY, command, spawn};
use std::path::Path;

/// `config show`'s line for `key`, e.g. `listen = "127.0.0.1:1"  # flag`.
fn line<'a>(report: &'a str, key: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")) || l.starts_with(&format!("# {key} ")))
        .unwrap_or_else(|| panic!("no {key} in:\n{report}"))
}

fn show(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = command(cwd, &["config", "show"]);
    cmd.args(args).envs(env.iter().copied());
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn config_show_tells_each_settings_source_flags_over_env_over_file_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("threatdb.toml"),
        "# found in the working directory\n\
         listen = \"0.0.0.0:9000\"\n\
         idle_timeout = 30\n\
         body_timeout = 45\n\
         database = \"postgres://threatdb:hunter2@db.example/threatdb\"\n\
         trusted_proxies = [\"10.0.0.0/8\", \"192.168.0.0/16\"]\n\
         reject_replays = true\n",
    )
    .unwrap();
    let (ok, report, err) = show(
        dir.path(),
        &["--listen", "127.0.0.1:1"],
        &[
            ("THREATDB_IDLE_TIMEOUT", "20"),
            ("THREATDB_MASTER_KEY", KEY),
        ],
    );
    assert!(ok, "{err}");
    assert!(
        report.starts_with("# configuration file: threatdb.toml"),
        "{report}"
    );
    let flag = line(&report, "listen");
    assert!(
        flag.starts_with("listen = \"127.0.0.1:1\"") && flag.ends_with("# flag"),
        "{flag}"
    );
    let env = line(&report, "idle_timeout");
    assert!(env.starts_with("idle_timeout = 20 ") && env.ends_with("# env THREATDB_IDLE_TIMEOUT"));
    let file = line(&report, "body_timeout");
    assert!(file.starts_with("body_timeout = 45 ") && file.ends_with("# file threatdb.toml"));
    let default = line(&report, "header_read_timeout");
    assert!(default.starts_with("header_read_timeout = 10 ") && default.ends_with("# default"));
    let proxies = line(&report, "trusted_proxies");
    assert!(proxies.starts_with(r#"trusted_proxies = ["10.0.0.0/8", "192.168.0.0/16"]"#));
    assert!(line(&report, "reject_replays").starts_with("reject_replays = true "));
    assert!(line(&report, "public_url").starts_with("# public_url is not set"));
    // Secrets: the password is masked, the master key never printed.
    let db = line(&report, "database");
    assert!(
        db.contains("postgres://threatdb:***@db.example/threatdb"),
        "{db}"
    );
    assert!(
        !report.contains("hunter2") && !report.contains(KEY),
        "{report}"
    );
    assert!(
        report.contains("# master key: not shown") && report.contains("env THREATDB_MASTER_KEY")
    );

    // --config beats THREATDB_CONFIG, which beats ./threatdb.toml.
    std::fs::write(dir.path().join("a.toml"), "listen = \"127.0.0.1:2\"\n").unwrap();
    std::fs::write(dir.path().join("b.toml"), "listen = \"127.0.0.1:3\"\n").unwrap();
    let (_, report, _) = show(dir.path(), &[], &[("THREATDB_CONFIG", "b.toml")]);
    assert!(
        line(&report, "listen").ends_with("# file b.toml"),
        "{report}"
    );
    assert!(
        line(&report, "body_timeout").ends_with("# default"),
        "{report}"
    );
    let (_, report, _) = show(
        dir.path(),
        &["--config", "a.toml"],
        &[("THREATDB_CONFIG", "b.toml")],
    );
    assert!(line(&report, "listen").starts_with("listen = \"127.0.0.1:2\""));
    // A named file must exist.
    let (ok, _, err) = show(dir.path(), &["--config", "missing.toml"], &[]);
    assert!(!ok && err.contains("missing.toml"), "{err}");
}

#[test]
fn a_bad_file_stops_serve_naming_the_file_the_line_and_the_fault() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "listen = \"127.0.0.1:0\"\nlisten_port = 8450\n",
            "line 2: unknown setting `listen_port`",
        ),
        ("\nheader_read_timeout = 0\n", "line 2: header_read_timeout"),
        (
            "reject_replays = \"yes\"\n",
            "line 1: reject_replays: expected true or false",
        ),
        ("listen = \n", "not valid TOML"),
    ];
    for (text, expected) in cases {
        std::fs::write(dir.path().join("bad.toml"), text).unwrap();
        let out = command(dir.path(), &["serve", "--config", "bad.toml"])
            .env("THREATDB_MASTER_KEY", KEY)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{text}");
        assert!(
            err.contains("bad.toml") && err.contains(expected),
            "{text}: {err}"
        );
    }
    let out = command(dir.path(), &["serve", "--tls-cert", "c.pem"])
        .env("THREATDB_MASTER_KEY", KEY)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--tls-cert and --tls-key go together"),
        "{err}"
    );
}

#[test]
fn serve_and_admin_run_with_the_files_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("threatdb.toml"),
        "data_dir = \"state\"\nlisten = \"127.0.0.1:0\"\npublic_url = \"http://threatdb.example\"\n",
    )
    .unwrap();
    let mut cmd = command(dir.path(), &["serve"]);
    cmd.env("THREATDB_MASTER_KEY", KEY);
    let (_node, _log) = spawn(cmd);
    let credentials =
        std::fs::read_to_string(dir.path().join("state").join("credentials.env")).unwrap();
    assert!(
        credentials.contains("TC_API_BASE_URL=http://threatdb.example/api"),
        "{credentials}"
    );
    // admin reads the data directory from the same file.
    let out = command(dir.path(), &["admin", "owner", "list"])
        .env("THREATDB_MASTER_KEY", KEY)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(listed.contains("Example Community"), "{listed}");
}
