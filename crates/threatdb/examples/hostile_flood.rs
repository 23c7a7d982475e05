//! The attack report's floods against a running server, with its memory read from /proc, to
//! compare two builds side by side (the tests assert the limits; this prints the figures).
//!
//! ```sh
//! threatdb serve --data-dir /tmp/h &            # note its pid and address
//! set -a; . /tmp/h/credentials.env; . /tmp/h/web-credentials.txt; set +a
//! cargo run --release -p threatdb --example hostile_flood -- http://127.0.0.1:8450 PID
//! ```
//! Needs an open-file limit above 1,300 in the shell that runs it (`ulimit -n 4096`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::IpAddr;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

fn client(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn sign_in(c: &reqwest::Client, url: &str, login: &str, password: &str) -> String {
    let token = "flood-token-0123456789abcdef";
    match c
        .post(format!("{url}/signin"))
        .header("Cookie", format!("threatdb_signin={token}"))
        .form(&[
            ("csrf", token),
            ("next", "/"),
            ("login", login),
            ("password", password),
        ])
        .send()
        .await
    {
        Ok(r) => r.status().as_u16().to_string(),
        Err(_) => "error".into(),
    }
}

fn tally(statuses: &[String]) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for s in statuses {
        *counts.entry(s).or_default() += 1;
    }
    counts
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn signed_get_ms(url: &str, from: &str) -> String {
    let id = std::env::var("TC_API_ACCESS_ID").unwrap();
    let secret = std::env::var("TC_API_SECRET_KEY").unwrap();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let auth =
        threatdb_wire::signing::authorization(&id, &secret, "/api/v2/owners/mine", "GET", ts);
    let started = Instant::now();
    let r = client(from)
        .get(format!("{url}/api/v2/owners/mine"))
        .header("Timestamp", ts.to_string())
        .header("Authorization", auth)
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    match r {
        Ok(r) => format!(
            "{} in {:.0} ms",
            r.status().as_u16(),
            started.elapsed().as_secs_f64() * 1e3
        ),
        Err(e) => format!(
            "failed after {:.1} s ({})",
            started.elapsed().as_secs_f64(),
            e
        ),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, pid) = (
        args[1].trim_end_matches('/').to_string(),
        args[2].parse::<u32>().unwrap(),
    );
    let login = std::env::var("THREATDB_WEB_LOGIN").unwrap_or_else(|_| "admin".into());
    let password = std::env::var("THREATDB_WEB_PASSWORD").unwrap();
    println!("idle RSS: {} MiB", rss_mib(pid));

    // 1. 300 concurrent wrong sign-ins from one address, then the right password.
    let flood = client("127.0.0.1");
    let started = Instant::now();
    let watcher = tokio::spawn(async move {
        let mut peak = 0;
        for _ in 0..600 {
            peak = peak.max(rss_mib(pid));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        peak
    });
    let mut tasks = vec![];
    for _ in 0..300 {
        let (c, url, login) = (flood.clone(), url.clone(), login.clone());
        tasks.push(tokio::spawn(async move {
            sign_in(&c, &url, &login, "wrong guess").await
        }));
    }
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let took = started.elapsed();
    let right_same = sign_in(&flood, &url, &login, &password).await;
    let right_other = sign_in(&client("127.0.0.2"), &url, &login, &password).await;
    watcher.abort();
    println!(
        "sign-in flood: {} in {:.1} s; RSS now {} MiB; right password from the same address {right_same}, from another {right_other}",
        tally(&statuses),
        took.as_secs_f64(),
        rss_mib(pid)
    );

    // 2. 1,000 anonymous requests with 300 KiB access ids.
    let before = rss_mib(pid);
    let c = client("127.0.0.3");
    let mut statuses = vec![];
    for i in 0..1000 {
        let id = format!("{i}{}", "7".repeat(300 * 1024));
        let s = match c
            .get(format!("{url}/api/v2/owners"))
            .header("Timestamp", "0")
            .header("Authorization", format!("TC {id}:c2ln"))
            .send()
            .await
        {
            Ok(r) => r.status().as_u16().to_string(),
            Err(_) => "closed".into(),
        };
        statuses.push(s);
    }
    println!(
        "1,000 x 300 KiB access ids: {}; RSS {before} -> {} MiB",
        tally(&statuses),
        rss_mib(pid)
    );

    // 3. 1,100 idle sockets from one address, then a signed request from another.
    let to = url.trim_start_matches("http://").parse().unwrap();
    let mut idle = vec![];
    for _ in 0..1100 {
        let s = TcpSocket::new_v4().unwrap();
        s.bind("127.0.0.4:0".parse().unwrap()).unwrap();
        if let Ok(stream) = s.connect(to).await {
            idle.push(stream);
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!(
        "1,100 idle sockets held; a signed GET from another address: {}",
        signed_get_ms(&url, "127.0.0.5").await
    );
    drop(idle);

    // 4. 200 slowloris sockets trickling a header byte a second: how many are open after 15 s?
    let mut slow = vec![];
    for _ in 0..200 {
        let s = TcpSocket::new_v4().unwrap();
        s.bind("127.0.0.6:0".parse().unwrap()).unwrap();
        if let Ok(mut stream) = s.connect(to).await {
            let _ = stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .await;
            slow.push(stream);
        }
    }
    let mut open = slow.len();
    for _ in 0..15 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        open = 0;
        for s in slow.iter_mut() {
            if s.write_all(b"X").await.is_ok() {
                open += 1;
            }
        }
    }
    println!(
        "slowloris: {open} of {} sockets still open after 15 s",
        slow.len()
    );
}
