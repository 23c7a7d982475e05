//! A `threatdb serve` process and a minimal signed client for it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use threatdb_wire::signing;

pub struct Node {
    pub child: Child,
    pub origin: String,
}

/// Starts `threatdb serve` on port 0 and waits for its "listening" line.
pub fn start(data: &Path, database: Option<&str>, master_key: &str) -> Node {
    start_with(data, database, master_key, &[], None)
}

/// Like [`start`], with more `serve` flags and, when given, the open-file limit (soft and hard)
/// the process starts under (through util-linux's `prlimit`).
pub fn start_with(
    data: &Path,
    database: Option<&str>,
    master_key: &str,
    flags: &[&str],
    open_files: Option<u64>,
) -> Node {
    let bin = env!("CARGO_BIN_EXE_threatdb");
    let mut cmd = match open_files {
        Some(n) => {
            let mut c = Command::new("prlimit");
            c.arg(format!("--nofile={n}:{n}")).arg("--").arg(bin);
            c
        }
        None => Command::new(bin),
    };
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(flags)
        .env("THREATDB_MASTER_KEY", master_key);
    match database {
        Some(url) => cmd.args(["--database", url]),
        None => cmd.env_remove("THREATDB_DATABASE_URL"),
    };
    // THREATDB_TEST_SERVER_LOG=FILE keeps the server's log (RUST_LOG chooses what) for a
    // failure to be read; given a directory, each server logs to a file of its own there,
    // named by its data directory.
    let stderr = match std::env::var_os("THREATDB_TEST_SERVER_LOG") {
        Some(path) => {
            let mut path = std::path::PathBuf::from(path);
            if path.is_dir() {
                let name = data.file_name().unwrap_or_default().to_string_lossy();
                path.push(format!("serve-{name}.log"));
            }
            std::fs::File::create(path).map_or_else(|_| Stdio::null(), Stdio::from)
        }
        None => Stdio::null(),
    };
    let mut child = cmd.stdout(Stdio::piped()).stderr(stderr).spawn().unwrap();
    let (origin, _) = listening(&mut child);
    Node { child, origin }
}

/// Reads a started `threatdb serve`'s stdout up to its "listening" line: the origin it
/// announces, and the rest of its stdout (keep reading it, or the server's next print fails).
pub fn listening(child: &mut Child) -> (String, std::io::Lines<BufReader<ChildStdout>>) {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
    loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        if let Some(rest) = line.strip_prefix("threatdb listening on ") {
            break (rest.split_whitespace().next().unwrap().to_string(), lines);
        }
    }
}

impl Node {
    /// The server's resident memory in KiB, from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }

    /// `host:port` of the listener.
    pub fn address(&self) -> String {
        self.origin.trim_start_matches("http://").to_string()
    }

    pub fn kill(&mut self, signal: &str) {
        Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Credentials from `credentials.env`.
#[derive(Clone)]
pub struct Creds {
    pub access_id: String,
    pub secret: String,
}

pub fn credentials(data: &Path) -> Creds {
    let text = std::fs::read_to_string(data.join("credentials.env")).unwrap();
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap()
            .trim_matches('\'')
            .to_string()
    };
    Creds {
        access_id: get("TC_API_ACCESS_ID"),
        secret: get("TC_API_SECRET_KEY"),
    }
}

/// Sends a signed request; `Err` for a transport failure (the node is down).
pub async fn call(
    client: &reqwest::Client,
    origin: &str,
    creds: &Creds,
    method: &str,
    target: &str,
    body: Option<String>,
) -> Result<(u16, serde_json::Value), reqwest::Error> {
    let ts = time_now();
    let auth = signing::authorization(
        &creds.access_id,
        &creds.secret,
        &format!("/api{target}"),
        method,
        ts,
    );
    let mut req = client
        .request(method.parse().unwrap(), format!("{origin}/api{target}"))
        .header("Timestamp", ts.to_string())
        .header("Authorization", auth);
    if let Some(b) = body {
        req = req.header("Content-Type", "application/json").body(b);
    }
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    let json = resp.json().await.unwrap_or(serde_json::Value::Null);
    Ok((status, json))
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
