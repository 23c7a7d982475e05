//! The client commands of the built binary against the binary's own `serve`, on 127.0.0.1:0
//! with a temporary data directory.

mod associations;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_threatdb");

/// A `threatdb serve` child process, killed on drop.
struct Server {
    child: Child,
    /// The directory holding `data/` (the client's default `./data/credentials.env`).
    dir: tempfile::TempDir,
    base_url: String,
}

impl Server {
    /// Starts the server and waits for its "listening" line (the socket is bound before it is
    /// printed, so no polling is needed).
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .env_remove("THREATDB_DATABASE_URL")
            .env_remove("THREATDB_MASTER_KEY")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let origin = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("threatdb listening on ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            dir,
            base_url: format!("{origin}/api"),
        }
    }

    fn credentials(&self) -> PathBuf {
        self.dir.path().join("data").join("credentials.env")
    }

    /// Runs `threatdb ARGS` in the directory above `data/`, with no `TC_API_*` in its
    /// environment, so the credentials come from `./data/credentials.env`.
    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[], self.dir.path())
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(cwd).env("RUST_LOG", "warn");
        for k in [
            "TC_API_ACCESS_ID",
            "TC_API_SECRET_KEY",
            "TC_API_DEFAULT_ORG",
            "TC_API_BASE_URL",
            "THREATDB_CREDENTIALS",
        ] {
            cmd.env_remove(k);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run(cmd.output().unwrap())
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(r.0.status.success(), "{args:?} failed: {}", r.stderr());
        r.stdout()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// `incidents create ... --json`; returns the id.
    fn create(&self, args: &[&str]) -> i64 {
        let mut all = vec!["incidents", "create"];
        all.extend_from_slice(args);
        self.json(&all)["id"].as_i64().unwrap()
    }

    fn list_ids(&self, args: &[&str]) -> Vec<i64> {
        let mut all = vec!["incidents", "list"];
        all.extend_from_slice(args);
        let mut ids: Vec<i64> = self
            .json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        ids
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Run(Output);

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    #[track_caller]
    fn fails_with(&self, needle: &str) {
        assert!(!self.0.status.success(), "should fail: {}", self.stdout());
        assert!(
            self.stderr().contains(needle),
            "stderr {:?} should contain {needle:?}",
            self.stderr()
        );
    }
}

#[test]
fn the_seed_flow_through_the_cli() {
    let s = Server::start();

    // create
    let id = s.create(&[
        "--name",
        "New Incident",
        "--event-date",
        "2017-03-21T00:00:00Z",
        "--owner",
        "Example Community",
        "--attribute",
        "Description=Description Example",
        "--tag",
        "Example",
        "--label",
        "TLP Green",
    ]);

    // retrieve single
    let got = s.json(&["incidents", "get", &id.to_string()]);
    assert_eq!(got["incident"]["name"], "New Incident");
    assert_eq!(got["incident"]["eventDate"], "2017-03-21T00:00:00Z");
    assert_eq!(got["incident"]["owner"]["name"], "Example Community");
    assert_eq!(got["incident"]["status"], "New");
    assert_eq!(got["attribute"][0]["value"], "Description Example");
    assert_eq!(got["tag"][0]["name"], "Example");
    assert_eq!(got["securityLabel"][0]["name"], "TLP:GREEN");
    let table = s.ok(&["incidents", "get", &id.to_string()]);
    assert!(
        table.contains("New Incident") && table.contains("TLP:GREEN"),
        "{table}"
    );

    // retrieve many: owner + tag
    s.ok(&["incidents", "tag", &id.to_string(), "Nation State"]);
    let other = s.create(&[
        "--name",
        "Elsewhere",
        "--event-date",
        "2017-03-21",
        "--tag",
        "Nation State",
    ]);
    assert_eq!(
        s.list_ids(&["--owner", "Example Community", "--tag", "Nation State"]),
        vec![id]
    );
    assert_eq!(s.list_ids(&["--tag", "Nation State"]), vec![other]);

    // update
    let updated = s.json(&[
        "incidents",
        "update",
        &id.to_string(),
        "--name",
        "Updated Incident",
        "--status",
        "closed",
    ]);
    assert_eq!(updated["name"], "Updated Incident");
    assert_eq!(updated["status"], "Closed");
    assert_eq!(updated["eventDate"], "2017-03-21T00:00:00Z");

    // delete
    let r = s.run(&["incidents", "delete", &id.to_string()]);
    assert!(r.0.status.success(), "{}", r.stderr());
    s.run(&["incidents", "get", &id.to_string()])
        .fails_with("The requested resource was not found");
    s.run(&["incidents", "delete", &id.to_string()])
        .fails_with("The requested resource was not found");
}

#[test]
fn list_filters_and_formats() {
    let s = Server::start();
    let alpha = s.create(&[
        "--name",
        "APT Alpha",
        "--event-date",
        "2018-01-01",
        "--tag",
        "A",
        "--tag",
        "B",
        "--label",
        "TLP:RED",
        "--status",
        "Open",
    ]);
    let beta = s.create(&[
        "--name",
        "APT Beta",
        "--event-date",
        "2019-06-01",
        "--tag",
        "A",
    ]);
    let gamma = s.create(&[
        "--name",
        "Gamma, \"quoted\"",
        "--event-date",
        "2020-01-01",
        "--tag",
        "B",
        "--status",
        "Stalled",
    ]);
    let community = s.create(&[
        "--name",
        "Community one",
        "--event-date",
        "2020-01-01",
        "--owner",
        "Example Community",
    ]);

    assert_eq!(s.list_ids(&[]), vec![alpha, beta, gamma]);
    assert_eq!(
        s.list_ids(&[
            "--owner",
            "Example Organization",
            "--owner",
            "Example Community"
        ]),
        vec![alpha, beta, gamma, community]
    );
    assert_eq!(s.list_ids(&["--tag", "A"]), vec![alpha, beta]);
    assert_eq!(s.list_ids(&["--tag", "A", "--tag", "B"]), vec![alpha]);
    assert_eq!(s.list_ids(&["--label", "TLP Red"]), vec![alpha]);
    assert_eq!(
        s.list_ids(&["--tag", "B", "--label", "TLP:RED"]),
        vec![alpha]
    );
    assert_eq!(s.list_ids(&["--name", "APT Beta"]), vec![beta]);
    assert_eq!(s.list_ids(&["--name-prefix", "APT"]), vec![alpha, beta]);
    assert_eq!(
        s.list_ids(&["--event-after", "2019-01-01"]),
        vec![beta, gamma]
    );
    assert_eq!(s.list_ids(&["--event-before", "2019-01-01"]), vec![alpha]);
    assert_eq!(
        s.list_ids(&[
            "--event-after",
            "2018-06-01",
            "--event-before",
            "2019-12-31",
            "--tag",
            "A"
        ]),
        vec![beta]
    );
    assert_eq!(s.list_ids(&["--status", "open"]), vec![alpha]);
    assert_eq!(
        s.list_ids(&["--status", "New", "--name-prefix", "APT"]),
        vec![beta]
    );
    assert!(s.list_ids(&["--tag", "nobody has this"]).is_empty());

    // Every page is fetched.
    assert_eq!(
        s.list_ids(&["--result-limit", "1"]),
        vec![alpha, beta, gamma]
    );

    // CSV: a header, quoted fields, one line per incident.
    let csv = s.ok(&["incidents", "list", "--csv", "--tag", "B"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,name,owner,status,eventDate,dateAdded,webLink");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        csv.contains(&format!(
            "{gamma},\"Gamma, \"\"quoted\"\"\",Example Organization,Stalled,2020-01-01T00:00:00Z,"
        )),
        "{csv}"
    );

    // Table: a header and a row per incident; no progress bar when stderr is not a terminal.
    let r = s.run(&["incidents", "list"]);
    assert!(r.0.status.success());
    let out = r.stdout();
    assert!(
        out.contains("Event Date") && out.contains("APT Alpha") && out.contains("Stalled"),
        "{out}"
    );
    assert_eq!(r.stderr(), "");
    let empty = s.run(&["incidents", "list", "--tag", "none"]);
    assert_eq!(empty.stdout(), "");
    assert_eq!(empty.stderr().trim(), "(none)");
    assert_eq!(
        s.ok(&["incidents", "list", "--json", "--tag", "none"])
            .trim(),
        "[]"
    );
}

#[test]
fn metadata_commands() {
    let s = Server::start();
    let id = s
        .create(&["--name", "Meta", "--event-date", "2017-03-21"])
        .to_string();
    s.ok(&["incidents", "tag", &id, "One", "Two"]);
    s.ok(&["incidents", "untag", &id, "one"]);
    s.ok(&["incidents", "label", &id, "TLP:AMBER", "TLP Red"]);
    s.ok(&["incidents", "unlabel", &id, "tlp-amber"]);
    let aid = s
        .ok(&["incidents", "attribute", &id, "add", "Description", "first"])
        .trim()
        .to_string();
    s.ok(&["incidents", "attribute", &id, "update", &aid, "second"]);
    s.ok(&[
        "incidents",
        "attribute",
        &id,
        "add",
        "Source",
        "somewhere",
        "--hidden",
    ]);
    let attrs = s.json(&["incidents", "attribute", &id, "list"]);
    let attrs = attrs.as_array().unwrap();
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[0]["value"], "second");
    assert_eq!(attrs[1]["displayed"], false);
    s.ok(&["incidents", "attribute", &id, "delete", &aid]);

    let got = s.json(&["incidents", "get", &id]);
    assert_eq!(got["tag"].as_array().unwrap().len(), 1);
    assert_eq!(got["tag"][0]["name"], "Two");
    assert_eq!(got["securityLabel"][0]["name"], "TLP:RED");
    assert_eq!(got["attribute"].as_array().unwrap().len(), 1);

    // A failing step reports the server's message and what was applied.
    let r = s.run(&["incidents", "label", &id, "TLP:GREEN", "No Such Label"]);
    r.fails_with("Security label 'No Such Label' does not exist");
    assert!(
        r.stderr()
            .contains("already applied: add security label 'TLP:GREEN'"),
        "{}",
        r.stderr()
    );
    s.run(&["incidents", "update", &id])
        .fails_with("nothing to update");
    s.run(&["incidents", "update", &id, "--status", "Sleeping"])
        .fails_with("400");
    s.run(&[
        "incidents",
        "create",
        "--name",
        "x",
        "--event-date",
        "2020-01-01",
        "--attribute",
        "novalue",
    ])
    .fails_with("TYPE=VALUE");
}

#[test]
fn owners_whoami_and_credentials() {
    let s = Server::start();
    let owners = s.json(&["owners", "list"]);
    let names: Vec<&str> = owners
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Example Organization", "Example Community"]);
    assert_eq!(
        s.ok(&["owners", "list", "--csv"]).lines().next(),
        Some("id,name,type")
    );
    let me = s.json(&["whoami"]);
    assert_eq!(me["owner"]["name"], "Example Organization");
    assert!(s.ok(&["whoami"]).contains("Administrator"));

    // The same credentials from the environment and from flags, anywhere.
    let text = std::fs::read_to_string(s.credentials()).unwrap();
    let pairs = threatdb_sdk::parse_env_file(&text);
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).unwrap().1.clone();
    let elsewhere = tempfile::tempdir().unwrap();
    let (id, secret, org) = (
        get("TC_API_ACCESS_ID"),
        get("TC_API_SECRET_KEY"),
        get("TC_API_DEFAULT_ORG"),
    );
    let env = [
        ("TC_API_ACCESS_ID", id.as_str()),
        ("TC_API_SECRET_KEY", secret.as_str()),
        ("TC_API_DEFAULT_ORG", org.as_str()),
        ("TC_API_BASE_URL", s.base_url.as_str()),
    ];
    let r = s.run_with(&["whoami", "--json"], &env, elsewhere.path());
    assert!(r.0.status.success(), "{}", r.stderr());
    let r = s.run_with(
        &[
            "owners",
            "list",
            "--access-id",
            &id,
            "--secret-key",
            &secret,
            "--default-org",
            &org,
            "--base-url",
            &s.base_url,
        ],
        &[],
        elsewhere.path(),
    );
    assert!(r.0.status.success(), "{}", r.stderr());
    let creds = s.credentials();
    let r = s.run_with(
        &["whoami", "--credentials", creds.to_str().unwrap()],
        &[],
        elsewhere.path(),
    );
    assert!(r.0.status.success(), "{}", r.stderr());

    // Nothing to go on, a wrong secret, a dead server: a message and a non-zero exit.
    s.run_with(&["whoami"], &[], elsewhere.path())
        .fails_with("no --access-id, --secret-key, --default-org, --base-url given");
    let mut wrong = env;
    wrong[1] = ("TC_API_SECRET_KEY", "wrong");
    s.run_with(&["whoami"], &wrong, elsewhere.path())
        .fails_with("Signature data did not match expected result");
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/api", l.local_addr().unwrap())
    };
    let mut gone = env;
    gone[3] = ("TC_API_BASE_URL", dead.as_str());
    s.run_with(&["whoami", "--retries", "0"], &gone, elsewhere.path())
        .fails_with("transport error");
}

/// `threatdb groups list --tql` and `threatdb indicators list --tql`: every page through the v3
/// `next` links (a page size of 2), as a table, JSON and CSV; a bad TQL fails naming the column.
#[test]
fn v3_lists_through_tql() {
    let s = Server::start();
    for body in [
        r#"{"type":"Incident","name":"cli v3 one","tags":{"data":[{"name":"Phishing"}]}}"#,
        r#"{"type":"Incident","name":"cli v3 two","tags":{"data":[{"name":"Phishing"}]}}"#,
        r#"{"type":"Incident","name":"cli v3 three","tags":{"data":[{"name":"Phishing"}]}}"#,
        r#"{"type":"Incident","name":"cli v3 untagged"}"#,
        r#"{"type":"Adversary","name":"cli adversary","tags":{"data":[{"name":"Phishing"}]}}"#,
    ] {
        s.ok(&["api", "POST", "/v3/groups", "--data", body]);
    }
    for body in [
        r#"{"type":"Host","hostName":"cli.example","tags":{"data":[{"name":"C2"}]}}"#,
        r#"{"type":"Address","ip":"192.0.2.44"}"#,
    ] {
        s.ok(&["api", "POST", "/v3/indicators", "--data", body]);
    }
    let tql = r#"typeName EQ "Incident" AND hasTag(summary EQ "phishing")"#;
    let json = s.json(&[
        "groups",
        "list",
        "--tql",
        tql,
        "--fields",
        "tags",
        "--result-limit",
        "2",
    ]);
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["cli v3 one", "cli v3 two", "cli v3 three"]);
    assert_eq!(json[0]["tags"]["data"][0]["name"], "Phishing");
    let table = s.ok(&["groups", "list", "--tql", tql, "--fields", "tags"]);
    assert!(
        table.contains("cli v3 three") && table.contains("Phishing"),
        "{table}"
    );
    let adversaries = s.ok(&[
        "groups",
        "list",
        "--tql",
        r#"typeName = "Adversary""#,
        "--csv",
    ]);
    assert!(
        adversaries.starts_with("id,type,name,owner,added,tags"),
        "{adversaries}"
    );
    assert!(
        adversaries.contains("Adversary,cli adversary"),
        "{adversaries}"
    );

    let hosts = s.json(&[
        "indicators",
        "list",
        "--tql",
        r#"typeName IN ("Host", "Address")"#,
        "--fields",
        "tags",
    ]);
    let summaries: Vec<&str> = hosts
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, vec!["cli.example", "192.0.2.44"]);
    s.run(&["groups", "list", "--tql", "summary EQ"])
        .fails_with("column");
}

/// History, through the API and the command line: an incident made through v2, changed through
/// v3 and tagged through v2, then `threatdb groups history` (a table and --json, filtered); an
/// indicator's through `threatdb indicators history`.
#[test]
fn history_shows_who_changed_what_through_what() {
    let s = Server::start();
    let id = s.create(&["--name", "history one", "--event-date", "2026-01-02"]);
    s.ok(&[
        "api",
        "PUT",
        &format!("/v3/groups/{id}"),
        "--data",
        r#"{"status":"Open","name":"history two"}"#,
    ]);
    s.ok(&[
        "api",
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/Phishing"),
    ]);
    let json = s.json(&["groups", "history", &id.to_string()]);
    let rows: Vec<(&str, &str, &str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap(),
                c["via"].as_str().unwrap(),
                c["oldValue"].as_str().unwrap_or(""),
                c["newValue"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("tag", "v2", "", "Phishing"),
            ("status", "v3", "New", "Open"),
            ("name", "v3", "history one", "history two"),
            ("created", "v2", "", "history one"),
        ]
    );
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|c| c["user"] == "Administrator"
                && c["requestId"].as_str().is_some_and(|r| !r.is_empty()))
    );
    let table = s.ok(&["groups", "history", &id.to_string(), "--field", "status"]);
    assert!(
        table.contains("Open") && !table.contains("Phishing"),
        "{table}"
    );
    let none = s.json(&[
        "groups",
        "history",
        &id.to_string(),
        "--since",
        "2999-01-01T00:00:00Z",
    ]);
    assert_eq!(none, serde_json::json!([]));
    // Nothing to read: a 404 that says so.
    let missing = s.run(&["groups", "history", "999999"]);
    assert!(!missing.0.status.success());

    let host = s.ok(&[
        "api",
        "POST",
        "/v3/indicators",
        "--data",
        r#"{"type":"Host","hostName":"history.example","rating":3}"#,
    ]);
    let host: Value = serde_json::from_str(&host).unwrap();
    let hid = host["data"]["id"].as_i64().unwrap();
    let json = s.json(&["indicators", "history", &hid.to_string()]);
    let fields: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["rating", "created"]);
}

/// Revert, deleted and restore from the command line: `threatdb groups revert` (the newest
/// change), `groups deleted`, `groups restore`; the same for an indicator's rating.
#[test]
fn deleted_objects_come_back_from_the_command_line() {
    let s = Server::start();
    let id = s.create(&["--name", "comes back", "--event-date", "2026-01-02"]);
    let ids = id.to_string();
    s.ok(&[
        "api",
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/Undone"),
    ]);
    let undone = s.json(&["groups", "revert", &ids]);
    assert_eq!(undone[0]["field"], "tag", "{undone}");
    assert_eq!(undone[0]["oldValue"], "Undone", "{undone}");
    s.ok(&[
        "api",
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/Kept"),
    ]);
    s.ok(&["api", "DELETE", &format!("/v3/groups/{id}")]);
    let listed = s.json(&["groups", "deleted"]);
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{listed}"))
        .clone();
    assert_eq!(row["name"], "comes back");
    assert_eq!(row["type"], "Incident");
    let table = s.ok(&["groups", "deleted"]);
    assert!(table.contains("comes back"), "{table}");
    let out = s.ok(&["groups", "restore", &ids]);
    assert!(out.contains(&format!("Restored Incident {id}")), "{out}");
    let tags = s.ok(&["api", "GET", &format!("/v2/groups/incidents/{id}/tags")]);
    assert!(tags.contains("Kept") && !tags.contains("Undone"), "{tags}");
    let again = s.run(&["groups", "restore", &ids]);
    assert!(!again.0.status.success());

    let host = s.ok(&[
        "api",
        "POST",
        "/v3/indicators",
        "--data",
        r#"{"type":"Host","hostName":"comesback.example","rating":3}"#,
    ]);
    let host: Value = serde_json::from_str(&host).unwrap();
    let hid = host["data"]["id"].as_i64().unwrap();
    let hids = hid.to_string();
    s.ok(&[
        "api",
        "PUT",
        &format!("/v3/indicators/{hid}"),
        "--data",
        r#"{"rating":5}"#,
    ]);
    s.ok(&["indicators", "revert", &hids]);
    let one = s.ok(&["api", "GET", &format!("/v3/indicators/{hid}")]);
    let one: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["data"]["rating"], 3.0, "{one}");
    s.ok(&["api", "DELETE", &format!("/v3/indicators/{hid}")]);
    let listed = s.json(&["indicators", "deleted"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == hid && d["name"] == "comesback.example" && d["type"] == "Host"),
        "{listed}"
    );
    s.ok(&["indicators", "restore", &hids]);
    let one = s.ok(&["api", "GET", &format!("/v3/indicators/{hid}")]);
    let one: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["data"]["rating"], 3.0, "{one}");
}
