//! Idle and slowloris sockets under a low open-file limit. Was: no header-read or idle timeout,
//! no connection cap and the open-file limit left at 1,024, so 1,100 idle sockets made a
//! legitimate signed request time out and 1,000 slowloris connections stayed open forever.

use super::{Server, client_from, signed};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;

/// A socket bound to `from` and connected to the server.
async fn connect_from(from: &str, server: &Server) -> TcpStream {
    let to: SocketAddr = server.node.address().parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// What the server does with a socket within `wait`: closes it (after what it answered), keeps
/// it open without a word, or answers and does not close it.
#[derive(Debug, PartialEq)]
enum Fate {
    Closed(String),
    Open,
    /// An answer began but no close followed within [`CLOSE_AFTER_ANSWER`].
    AnsweredOpen(String),
}

/// How long [`fate`] waits for the close once an answer has begun, whatever `wait` was: an
/// answer that arrives just before `wait` ends must not be mistaken for silence (and thrown
/// away) because the close behind it arrived just after.
const CLOSE_AFTER_ANSWER: Duration = Duration::from_secs(5);

async fn fate(socket: &mut TcpStream, wait: Duration) -> Fate {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let mut deadline = Instant::now() + wait;
    let text = |answer: &[u8]| String::from_utf8_lossy(answer).into_owned();
    loop {
        match tokio::time::timeout_at(deadline, socket.read(&mut buf)).await {
            Err(_) if answer.is_empty() => return Fate::Open,
            Err(_) => return Fate::AnsweredOpen(text(&answer)),
            Ok(Ok(0)) => return Fate::Closed(text(&answer)),
            // Said in the answer, so a failure tells a reset from a close.
            Ok(Err(e)) => {
                let mut answer = text(&answer);
                answer.push_str(&format!("<read failed: {e}>"));
                return Fate::Closed(answer);
            }
            Ok(Ok(n)) => {
                if answer.is_empty() {
                    deadline = deadline.max(Instant::now() + CLOSE_AFTER_ANSWER);
                }
                answer.extend_from_slice(&buf[..n]);
            }
        }
    }
}

#[tokio::test]
#[allow(
    clippy::await_holding_lock,
    reason = "each test has a runtime of its own: the lock only keeps benchmarks from running beside it"
)]
async fn idle_and_slowloris_sockets_are_capped_and_closed_under_a_low_open_file_limit() {
    let _exclusive = crate::timing_exclusive();
    // 256 open files: room for 192 connections, at most 48 from one address.
    let server = Server::start(
        &["--header-read-timeout", "4", "--idle-timeout", "8"],
        Some(256),
    );
    // 300 silent sockets from one address: 48 are held, the rest refused at once, clearly.
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(connect_from("127.0.0.1", &server).await);
    }
    let started = Instant::now();
    let mut refused = 0;
    let mut held = Vec::new();
    for mut s in idle {
        match fate(&mut s, Duration::from_millis(20)).await {
            Fate::Closed(answer) => {
                assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
                assert!(answer.contains("Too many open connections from your address"));
                refused += 1;
            }
            Fate::Open => held.push(s),
            Fate::AnsweredOpen(answer) => panic!("answered and kept open: {answer:?}"),
        }
    }
    assert_eq!(held.len(), 48, "{refused} refused");

    // Meanwhile a rightful client elsewhere is served.
    let (status, _) = signed(
        &client_from("127.0.0.2"),
        &server,
        "GET",
        "/v2/owners/mine",
        None,
    )
    .await;
    assert_eq!(status, 200);

    // Slowloris: a head trickling in a byte every 300 ms is cut at the header-read timeout.
    let mut slow = connect_from("127.0.0.3", &server).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let trickle = Instant::now();
    let cut = loop {
        if fate(&mut slow, Duration::from_millis(300)).await != Fate::Open
            || slow.write_all(b"X").await.is_err()
        {
            break trickle.elapsed();
        }
        assert!(
            trickle.elapsed() < Duration::from_secs(15),
            "slowloris still open"
        );
    };
    assert!(cut >= Duration::from_millis(3500), "cut after {cut:?}");

    // The silent sockets are closed once their head is overdue (4 s), without an answer.
    for mut s in held {
        let left = Duration::from_secs(15)
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(10));
        assert_eq!(fate(&mut s, left).await, Fate::Closed(String::new()));
    }

    // A kept-alive connection: open between requests until the idle timeout (8 s), then closed.
    let mut kept = connect_from("127.0.0.4", &server).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let answered = Instant::now();
    // Past the header-read timeout: an idle connection is not an overdue head.
    assert_eq!(
        fate(&mut kept, Duration::from_secs(5)).await,
        Fate::Open,
        "idle, not overdue"
    );
    assert_eq!(
        fate(&mut kept, Duration::from_secs(15)).await,
        Fate::Closed(String::new())
    );
    assert!(
        answered.elapsed() >= Duration::from_secs(7),
        "{:?}",
        answered.elapsed()
    );
}

#[tokio::test]
#[allow(
    clippy::await_holding_lock,
    reason = "each test has a runtime of its own: the lock only keeps benchmarks from running beside it"
)]
async fn past_the_total_cap_connections_are_refused_clearly() {
    let _exclusive = crate::timing_exclusive();
    let metrics = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().to_string()
    };
    let server = Server::start(
        &[
            "--max-connections",
            "20",
            "--max-connections-per-address",
            "8",
            "--metrics-addr",
            &metrics,
        ],
        None,
    );
    let mut held = Vec::new();
    for a in 1..=3 {
        for _ in 0..8 {
            held.push(connect_from(&format!("127.0.4.{a}"), &server).await);
        }
    }
    let mut refused = Vec::new();
    for s in held.iter_mut() {
        if let Fate::Closed(answer) = fate(s, Duration::from_millis(20)).await {
            refused.push(answer);
        }
    }
    assert_eq!(refused.len(), 4, "24 sockets, 20 places");
    for answer in refused {
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("retry-after: 1"), "{answer}");
        assert!(
            answer.contains("The server has too many open connections"),
            "{answer}"
        );
    }
    // Refused before the router: counted at accept, by reason.
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (reason, n) in [("full", 4), ("address_full", 0)] {
        let line = format!("threatdb_connections_refused_total{{reason=\"{reason}\"}} {n}");
        assert!(text.lines().any(|l| l == line), "no {line} in:\n{text}");
    }
}

/// A body trickled in slowly is cut at the body timeout with a 408, however steady the trickle,
/// and the client reads that answer even when it goes on sending a while before it reads (as a
/// client uploading a body does): the server ends its side and drains what still arrives before
/// closing, rather than closing on unread bytes, which makes the kernel send a reset that
/// destroys the answer before the client has read it.
#[tokio::test]
#[allow(
    clippy::await_holding_lock,
    reason = "each test has a runtime of its own: the lock only keeps benchmarks from running beside it"
)]
async fn a_trickled_body_is_answered_408_at_the_body_timeout() {
    let _exclusive = crate::timing_exclusive();
    let server = Server::start(&["--body-timeout", "2"], None);
    for reads_while_sending in [true, false] {
        let ts = super::now();
        let target = "/api/v2/groups/incidents";
        let auth = threatdb_wire::signing::authorization(
            &server.creds.access_id,
            &server.creds.secret,
            target,
            "POST",
            ts,
        );
        let mut s = connect_from("127.0.0.1", &server).await;
        let head = format!(
            "POST {target} HTTP/1.1\r\nHost: x\r\nTimestamp: {ts}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        let answer = if reads_while_sending {
            loop {
                match fate(&mut s, Duration::from_millis(500)).await {
                    Fate::Open => {
                        assert!(started.elapsed() < Duration::from_secs(10), "still waiting");
                        let _ = s.write_all(b" ").await;
                    }
                    Fate::Closed(answer) => break answer,
                    Fate::AnsweredOpen(answer) => panic!("answered, not closed: {answer:?}"),
                }
            }
        } else {
            // A byte every 10 ms until half a second past the timeout, then read.
            while started.elapsed() < Duration::from_millis(2500) {
                if s.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            match fate(&mut s, Duration::from_secs(5)).await {
                Fate::Closed(answer) => answer,
                Fate::Open => panic!("no answer and no close"),
                Fate::AnsweredOpen(answer) => panic!("answered, not closed: {answer:?}"),
            }
        };
        let how = if reads_while_sending {
            "reading while sending"
        } else {
            "reading after sending"
        };
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "{how}, after {:?}: {answer:?}",
            started.elapsed()
        );
        assert!(answer.contains("did not arrive in time"), "{answer}");
        assert!(started.elapsed() >= Duration::from_millis(1500));
    }
}
