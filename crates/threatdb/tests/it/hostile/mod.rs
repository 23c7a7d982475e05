//! Hostile clients against the real binary (issue: "Hostile clients can neither take threatdb
//! down nor get in"). Each finding of the attack report is a test here: sign-in floods with
//! the server's memory measured, long keys, lock-out attempts against a rightful user, idle and
//! slowloris sockets under a low open-file limit, the inputs that used to panic, replays, and
//! the kill -9 durability ledger. Client addresses other than 127.0.0.1 are other loopback
//! addresses (127.0.0.2, ...), which Linux routes to the same server.

mod connections;
mod durability;
mod inputs;
mod limiters;

use crate::node::{Creds, Node, credentials, start_with};
use std::net::IpAddr;
use std::path::Path;
use threatdb_wire::signing;

pub const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A server on a fresh SQLite data directory, with these `serve` flags and open-file limit.
pub struct Server {
    pub node: Node,
    pub creds: Creds,
    pub login: String,
    pub password: String,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start(flags: &[&str], open_files: Option<u64>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let node = start_with(dir.path(), None, KEY, flags, open_files);
        let creds = credentials(dir.path());
        let (login, password) = web_credentials(dir.path());
        Server {
            node,
            creds,
            login,
            password,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.node.origin)
    }
}

fn web_credentials(data: &Path) -> (String, String) {
    let text = std::fs::read_to_string(data.join("web-credentials.txt")).unwrap();
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap()
            .to_string()
    };
    (get("THREATDB_WEB_LOGIN"), get("THREATDB_WEB_PASSWORD"))
}

/// A client whose connections come from `from` (a loopback address).
pub fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A correctly signed request; the status and body.
pub async fn signed(
    client: &reqwest::Client,
    server: &Server,
    method: &str,
    target: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let ts = now();
    let auth = signing::authorization(
        &server.creds.access_id,
        &server.creds.secret,
        &format!("/api{target}"),
        method,
        ts,
    );
    raw_api(client, server, method, target, &ts.to_string(), &auth, body).await
}

/// A request with the given `Timestamp` and `Authorization` headers.
pub async fn raw_api(
    client: &reqwest::Client,
    server: &Server,
    method: &str,
    target: &str,
    timestamp: &str,
    authorization: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = client
        .request(
            method.parse().unwrap(),
            server.url(&format!("/api{target}")),
        )
        .header("Timestamp", timestamp)
        .header("Authorization", authorization);
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let json = resp.json().await.unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// One sign-in attempt (the anti-forgery token is the client's own, as a browser would have
/// from the form); the status.
pub async fn sign_in(
    client: &reqwest::Client,
    server: &Server,
    login: &str,
    password: &str,
) -> u16 {
    let token = "hostile-test-token-0123456789";
    let body = format!(
        "csrf={token}&next=%2Fincidents&login={}&password={}",
        form(login),
        form(password)
    );
    client
        .post(server.url("/signin"))
        .header("Cookie", format!("threatdb_signin={token}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn form(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
