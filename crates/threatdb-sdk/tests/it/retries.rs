//! Retries: connection errors, 503 and 429 (honouring `Retry-After`), with an injected clock so
//! no test waits.

use crate::helpers::*;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use threatdb_sdk::{Clock, Error, Sleep, SystemClock, ThreatConnect};

/// Records the waits asked for and returns at once.
#[derive(Default)]
struct Recorder {
    sleeps: Mutex<Vec<Duration>>,
}

impl Clock for Recorder {
    fn now(&self) -> i64 {
        SystemClock.now()
    }

    fn sleep(&self, d: Duration) -> Sleep<'_> {
        self.sleeps.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }
}

fn with_recorder(tc: &mut ThreatConnect) -> Arc<Recorder> {
    let r = Arc::new(Recorder::default());
    tc.set_clock(r.clone());
    r
}

const OK_LIST: &str = r#"{"status":"Success","data":{"resultCount":1,"owner":[{"id":1,"name":"O","type":"Organization"}]}}"#;

#[tokio::test]
async fn a_503_with_retry_after_is_retried_after_that_wait() {
    let fake = FakeServer::start(|_, n| {
        if n < 2 {
            (
                503,
                vec![("Retry-After".into(), "7".into())],
                r#"{"status":"Failure","message":"busy"}"#.into(),
            )
        } else {
            (200, vec![], OK_LIST.into())
        }
    })
    .await;
    let mut tc = fake.tc("O");
    let rec = with_recorder(&mut tc);
    let owners = tc.owners().await.unwrap();
    assert_eq!(owners.len(), 1);
    assert_eq!(fake.seen().len(), 3);
    assert_eq!(
        *rec.sleeps.lock().unwrap(),
        vec![Duration::from_secs(7), Duration::from_secs(7)]
    );
    // Each attempt is signed afresh for the target it is sent to.
    for s in fake.seen() {
        assert_eq!(s.target, "/api/v2/owners?createActivityLog=false");
    }
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_exponentially_even_for_post() {
    let fake = FakeServer::start(|_, n| {
        if n < 3 {
            (429, vec![], r#"{"status":"Failure","message":"slow down"}"#.into())
        } else {
            (
                201,
                vec![],
                r#"{"status":"Success","data":{"incident":{"id":9,"name":"n","owner":{"id":1,"name":"O","type":"Organization"},"dateAdded":"2017-07-13T17:50:17Z","webLink":"w","eventDate":"2017-03-21T00:00:00Z"}}}"#.into(),
            )
        }
    })
    .await;
    let mut tc = fake.tc("O");
    tc.set_api_sleep(Duration::from_millis(500));
    let rec = with_recorder(&mut tc);
    let mut i = tc.incidents().add("n", "O");
    i.set_event_date("2017-03-21");
    i.commit().await.unwrap();
    assert_eq!(i.id(), 9);
    assert_eq!(
        *rec.sleeps.lock().unwrap(),
        vec![
            Duration::from_millis(500),
            Duration::from_millis(1000),
            Duration::from_millis(2000)
        ]
    );
    assert!(fake.seen().iter().all(|s| s.method == "POST"));
}

#[tokio::test]
async fn when_retries_run_out_the_last_answer_is_the_error() {
    let fake = FakeServer::start(|_, _| {
        (
            503,
            vec![("Retry-After".into(), "100000".into())],
            r#"{"status":"Failure","message":"API not licensed"}"#.into(),
        )
    })
    .await;
    let mut tc = fake.tc("O");
    tc.set_api_retries(2);
    let rec = with_recorder(&mut tc);
    let err = tc.owners().await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 503, message } if message == "API not licensed"),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 3);
    // Retry-After is capped.
    assert_eq!(
        *rec.sleeps.lock().unwrap(),
        vec![threatdb_sdk::MAX_RETRY_AFTER; 2]
    );
}

/// Starts the server on the first wait, so the first attempt finds nothing listening.
struct StartOnFirstSleep {
    addr: SocketAddr,
    server: Mutex<Option<FakeServer>>,
    sleeps: Mutex<u32>,
}

impl Clock for StartOnFirstSleep {
    fn now(&self) -> i64 {
        SystemClock.now()
    }

    fn sleep(&self, _: Duration) -> Sleep<'_> {
        *self.sleeps.lock().unwrap() += 1;
        Box::pin(async move {
            let running = self.server.lock().unwrap().is_some();
            if !running {
                let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
                let fake = FakeServer::serve_on(listener, |_, _| (200, vec![], OK_LIST.into()));
                *self.server.lock().unwrap() = Some(fake);
            }
        })
    }
}

#[tokio::test]
async fn a_refused_connection_is_retried() {
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let clock = Arc::new(StartOnFirstSleep {
        addr,
        server: Mutex::new(None),
        sleeps: Mutex::new(0),
    });
    let mut tc = ThreatConnect::new("id", "secret", "O", format!("http://{addr}/api")).unwrap();
    tc.set_clock(clock.clone());
    let owners = tc.owners().await.unwrap();
    assert_eq!(owners[0].name, "O");
    assert_eq!(*clock.sleeps.lock().unwrap(), 1);
    let server = clock.server.lock().unwrap().take().unwrap();
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn with_retries_off_a_refused_connection_is_a_transport_error() {
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let mut tc = ThreatConnect::new("id", "secret", "O", format!("http://{addr}/api")).unwrap();
    tc.set_api_retries(0);
    let err = tc.owners().await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(m) if m.contains("/api/v2/owners")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_timed_out_get_is_retried_but_a_post_is_not() {
    // The first request of each kind never gets an answer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = calls.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let seen = seen.clone();
        async move {
            let first = {
                let mut s = seen.lock().unwrap();
                s.push(req.method().to_string());
                s.iter().filter(|m| *m == req.method().as_str()).count() == 1
            };
            if first {
                std::future::pending::<()>().await;
            }
            ([("content-type", "application/json")], OK_LIST.to_string())
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut tc = ThreatConnect::new("id", "secret", "O", format!("http://{addr}/api")).unwrap();
    tc.set_api_request_timeout(Duration::from_millis(300))
        .unwrap();
    let rec = with_recorder(&mut tc);
    tc.owners().await.unwrap();
    assert_eq!(rec.sleeps.lock().unwrap().len(), 1);

    let mut i = tc.incidents().add("n", "O");
    i.set_event_date("2017-03-21");
    let err = i.commit().await.unwrap_err();
    assert!(
        matches!(&err, Error::Commit { error: source, .. } if matches!(source.as_ref(), Error::Transport(_))),
        "{err:?}"
    );
    assert_eq!(*calls.lock().unwrap(), vec!["GET", "GET", "POST"]);
}
