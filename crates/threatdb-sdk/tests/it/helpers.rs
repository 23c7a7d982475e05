//! A real threatdb server on 127.0.0.1:0 with API users of every role, and a capturing fake
//! server for request-level tests.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use threatdb_core::{AdminStore, OwnerKind, Role, Store};
use threatdb_sdk::ThreatConnect;
use threatdb_server::provision::{bootstrap, create_api_user};
use threatdb_server::{AppState, MasterKey};
use threatdb_store_sqlite::SqliteStore;

pub const ORG: &str = "Example Organization";
pub const COMMUNITY: &str = "Example Community";
pub const OTHER: &str = "Other Org";

/// An API user's credentials and default organization.
#[derive(Clone, Debug)]
pub struct Creds {
    pub access_id: String,
    pub secret: String,
    pub org: String,
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// Admin of Example Organization and Example Community.
    pub admin: Creds,
    /// Write role in Example Organization.
    #[allow(dead_code)]
    pub writer: Creds,
    /// Read role in Example Organization.
    pub reader: Creds,
    /// Admin of Other Org only.
    pub outsider: Creds,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// A fresh server on a fresh SQLite store, bound before it serves (no readiness waits).
    pub async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("t.db")).await.unwrap());
        let keys = MasterKey::generate();
        let admin_store: &dyn AdminStore = store.as_ref();
        let boot = bootstrap(admin_store, &keys).await.unwrap().unwrap();
        let org = admin_store.owner_by_name(ORG).await.unwrap();
        let creds = |(access_id, secret): (String, String), org: &str| Creds {
            access_id,
            secret,
            org: org.to_string(),
        };
        let writer = creds(
            create_api_user(admin_store, &keys, "Writer", org.id, Role::Write)
                .await
                .unwrap(),
            ORG,
        );
        let reader = creds(
            create_api_user(admin_store, &keys, "Reader", org.id, Role::Read)
                .await
                .unwrap(),
            ORG,
        );
        let other = admin_store
            .create_owner(OTHER, OwnerKind::Organization)
            .await
            .unwrap();
        let outsider = creds(
            create_api_user(admin_store, &keys, "Outsider", other.id, Role::Admin)
                .await
                .unwrap(),
            OTHER,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let dyn_store: Arc<dyn Store> = store.clone();
        let state = AppState::new(dyn_store, keys, &origin);
        tokio::spawn(threatdb_server::serve(
            listener,
            state,
            std::future::pending(),
        ));
        TestApp {
            origin,
            admin: Creds {
                access_id: boot.access_id,
                secret: boot.secret_key,
                org: ORG.to_string(),
            },
            writer,
            reader,
            outsider,
            _dir: dir,
        }
    }

    pub fn base_url(&self) -> String {
        format!("{}/api", self.origin)
    }

    /// An SDK client for `who`, failing fast.
    pub fn tc(&self, who: &Creds) -> ThreatConnect {
        let mut tc =
            ThreatConnect::new(&who.access_id, &who.secret, &who.org, self.base_url()).unwrap();
        tc.set_api_retries(0);
        tc.set_api_request_timeout(Duration::from_secs(20)).unwrap();
        tc
    }

    /// Creates an incident through the SDK; returns its id.
    pub async fn create(&self, owner: &str, name: &str, tags: &[&str], labels: &[&str]) -> i64 {
        let incidents = self.tc(&self.admin).incidents();
        let mut i = incidents.add(name, owner);
        i.set_event_date("2017-03-21T00:00:00Z");
        for t in tags {
            i.add_tag(t);
        }
        for l in labels {
            i.add_security_label(l);
        }
        i.commit().await.unwrap();
        i.id()
    }
}

/// A server running on its own runtime in other threads, for tests of the blocking API (which
/// must not run inside a runtime).
pub struct BlockingApp {
    pub app: TestApp,
    runtime: Option<tokio::runtime::Runtime>,
}

impl BlockingApp {
    pub fn spawn() -> BlockingApp {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = runtime.block_on(TestApp::spawn());
        BlockingApp {
            app,
            runtime: Some(runtime),
        }
    }

    pub fn blocking_tc(&self, who: &Creds) -> threatdb_sdk::blocking::ThreatConnect {
        threatdb_sdk::blocking::ThreatConnect::wrap(self.app.tc(who)).unwrap()
    }
}

impl Drop for BlockingApp {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// One request as the fake server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// The raw request target: path and query exactly as received.
    pub target: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `METHOD target`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

type Responder = dyn Fn(&Seen, usize) -> (u16, Vec<(String, String)>, String) + Send + Sync;

#[derive(Clone)]
struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
    respond: Arc<Responder>,
}

/// A server that records every request and answers with `respond(request, index)`:
/// `(status, extra headers, JSON body)`.
pub struct FakeServer {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeServer {
    pub async fn start(
        respond: impl Fn(&Seen, usize) -> (u16, Vec<(String, String)>, String) + Send + Sync + 'static,
    ) -> FakeServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve_on(listener, respond)
    }

    pub fn serve_on(
        listener: tokio::net::TcpListener,
        respond: impl Fn(&Seen, usize) -> (u16, Vec<(String, String)>, String) + Send + Sync + 'static,
    ) -> FakeServer {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let fake = Fake {
            seen: seen.clone(),
            respond: Arc::new(respond),
        };
        let base_url = format!("http://{}/api", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(record).with_state(fake);
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeServer { base_url, seen }
    }

    /// A server that answers every request with a success envelope holding `data`.
    pub async fn ok(data: &'static str) -> FakeServer {
        Self::start(move |_, _| {
            (
                200,
                vec![],
                format!(r#"{{"status":"Success","data":{data}}}"#),
            )
        })
        .await
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn lines(&self) -> Vec<String> {
        self.seen().iter().map(Seen::line).collect()
    }

    /// A client of this server with a fixed clock.
    pub fn tc(&self, org: &str) -> ThreatConnect {
        let mut tc =
            ThreatConnect::new("12345678901234567890", "SECRETKEY", org, &self.base_url).unwrap();
        tc.set_clock(Arc::new(threatdb_sdk::FixedClock(1513703787)));
        tc
    }
}

async fn record(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seen = Seen {
        method: method.to_string(),
        target: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let index = {
        let mut all = fake.seen.lock().unwrap();
        all.push(seen.clone());
        all.len() - 1
    };
    let (status, extra, body) = (fake.respond)(&seen, index);
    let mut response = (
        axum::http::StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body,
    )
        .into_response();
    for (k, v) in extra {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    response
}

/// A list page of `incident` items, each `(id, owner)`, with `resultCount` when given.
pub fn incident_page(count: Option<u64>, items: &[(i64, &str)]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|(id, owner)| {
            format!(
                r#"{{"id":{id},"name":"Incident {id}","ownerName":"{owner}","dateAdded":"2017-07-13T17:50:17Z","webLink":"w","eventDate":"2017-03-21T00:00:00Z"}}"#
            )
        })
        .collect();
    let count = count
        .map(|c| format!(r#""resultCount":{c},"#))
        .unwrap_or_default();
    format!(
        r#"{{"status":"Success","data":{{{count}"incident":[{}]}}}}"#,
        items.join(",")
    )
}
