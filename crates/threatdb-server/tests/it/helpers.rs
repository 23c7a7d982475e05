//! `spawn_app()`: a fresh server on a fresh store, with API users of every role.

use serde_json::Value;
use std::sync::Arc;
use threatdb_core::{AdminStore, OwnerKind, Role, Store};
use threatdb_server::provision::{bootstrap, create_api_user};
use threatdb_server::{AppState, MasterKey};
use threatdb_store_pg::{PgSettings, PgStore};
use threatdb_store_sqlite::SqliteStore;
use threatdb_wire::signing;

/// An API user's credentials.
#[derive(Clone, Debug)]
pub struct Creds {
    pub access_id: String,
    pub secret: String,
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub json: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    /// The failure message, or "" for a success.
    pub fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or("")
    }

    /// Asserts a failure with this status whose message contains `needle`.
    #[track_caller]
    pub fn assert_failure(&self, status: u16, needle: &str) {
        assert_eq!(self.status, status, "status of {:?}", self.json);
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
        assert_eq!(self.json["status"], "Failure", "{:?}", self.json);
        assert!(
            self.message().contains(needle),
            "message {:?} should contain {needle:?}",
            self.message()
        );
    }

    /// Asserts a success with this status.
    #[track_caller]
    pub fn assert_success(&self, status: u16) {
        assert_eq!(self.status, status, "status of {:?}", self.json);
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
        assert_eq!(self.json["status"], "Success", "{:?}", self.json);
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// Admin of Example Organization and Example Community.
    pub admin: Creds,
    /// Write role in Example Organization.
    pub writer: Creds,
    /// Read role in Example Organization.
    pub reader: Creds,
    /// Admin of Other Org only.
    pub outsider: Creds,
    /// The admin's web password (its login is `admin`), from the bootstrap.
    pub web_password: String,
    /// The store's operator side (web logins for the tests).
    pub admin_store: Arc<dyn AdminStore>,
    client: reqwest::Client,
    pg: Option<threatdb_store_pg::testing::TestDatabase>,
    _dir: tempfile::TempDir,
}

pub const ORG: &str = "Example Organization";
pub const COMMUNITY: &str = "Example Community";
pub const OTHER: &str = "Other Org";

/// Which store a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh server on a fresh SQLite store.
#[allow(dead_code)]
pub async fn spawn_app() -> TestApp {
    spawn_app_on(Backend::Sqlite).await
}

/// A fresh server on a fresh store of the given kind (PostgreSQL: a new database on the server
/// `THREATDB_TEST_PG_URL` names; the tests that use it are ignored unless asked for).
pub async fn spawn_app_on(backend: Backend) -> TestApp {
    spawn_app_with(backend, threatdb_server::Limits::default()).await
}

/// A fresh server enforcing `limits`.
pub async fn spawn_app_with(backend: Backend, limits: threatdb_server::Limits) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (store, admin, pg): (Arc<dyn Store>, Arc<dyn AdminStore>, _) = match backend {
        Backend::Sqlite => {
            let s = Arc::new(SqliteStore::open(&dir.path().join("t.db")).await.unwrap());
            (s.clone(), s, None)
        }
        Backend::Postgres => {
            let server = threatdb_store_pg::testing::server_url();
            let db = threatdb_store_pg::testing::TestDatabase::create(&server).await;
            let s = Arc::new(
                PgStore::connect(&db.url, PgSettings::default())
                    .await
                    .unwrap(),
            );
            (s.clone(), s, Some(db))
        }
    };
    let keys = MasterKey::generate();
    let admin_store: &dyn AdminStore = admin.as_ref();
    let boot = bootstrap(admin_store, &keys).await.unwrap().unwrap();
    let org = admin_store.owner_by_name(ORG).await.unwrap();
    let creds = |(access_id, secret): (String, String)| Creds { access_id, secret };
    let writer = creds(
        create_api_user(admin_store, &keys, "Writer", org.id, Role::Write)
            .await
            .unwrap(),
    );
    let reader = creds(
        create_api_user(admin_store, &keys, "Reader", org.id, Role::Read)
            .await
            .unwrap(),
    );
    let other = admin_store
        .create_owner(OTHER, OwnerKind::Organization)
        .await
        .unwrap();
    let outsider = creds(
        create_api_user(admin_store, &keys, "Outsider", other.id, Role::Admin)
            .await
            .unwrap(),
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::with_limits(store, keys, &origin, limits);
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
        },
        writer,
        reader,
        outsider,
        web_password: boot.web_password,
        admin_store: admin.clone(),
        client: reqwest::Client::new(),
        pg,
        _dir: dir,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(db) = self.pg.take() {
            // Drop the test database from a runtime of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(db.drop_db());
                }
            })
            .join();
        }
    }
}

/// Generates, for each `async fn case(app: TestApp)`, one test on SQLite and one on PostgreSQL.
#[macro_export]
macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let app = $crate::helpers::spawn_app_on($crate::helpers::Backend::Sqlite).await;
                    super::$case(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
                async fn $case() {
                    let app = $crate::helpers::spawn_app_on($crate::helpers::Backend::Postgres).await;
                    super::$case(app).await;
                }
            )*
        }
    };
}

/// `query` percent-encoded for a `tql=` (or any other) query parameter.
pub fn tql(query: &str) -> String {
    form_urlencoded::byte_serialize(query.as_bytes()).collect()
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Reply {
    /// Reads an answer: its status, content type, headers, and body (JSON when it parses).
    async fn read(resp: reqwest::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let content_type = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let text = resp.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            content_type,
            json,
            headers,
        }
    }
}

impl TestApp {
    /// Sends a signed request. `target` is relative to the API base (`/v2/...?query`).
    pub async fn call(&self, who: &Creds, method: &str, target: &str, body: Option<&str>) -> Reply {
        let signed = format!("/api{target}");
        let ts = now();
        let auth = signing::authorization(&who.access_id, &who.secret, &signed, method, ts);
        self.raw(
            method,
            target,
            body,
            &[("Timestamp", ts.to_string()), ("Authorization", auth)],
        )
        .await
    }

    /// Sends a request with exactly these headers (plus a JSON content type when there is a body).
    pub async fn raw(
        &self,
        method: &str,
        target: &str,
        body: Option<&str>,
        headers: &[(&str, String)],
    ) -> Reply {
        let url = format!("{}/api{target}", self.origin);
        let mut req = self.client.request(method.parse().unwrap(), url);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        Reply::read(resp).await
    }

    /// Sends a signed request with this body and content type.
    pub async fn send(
        &self,
        who: &Creds,
        method: &str,
        target: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let signed = format!("/api{target}");
        let ts = now();
        let auth = signing::authorization(&who.access_id, &who.secret, &signed, method, ts);
        let url = format!("{}/api{target}", self.origin);
        let resp = self
            .client
            .request(method.parse().unwrap(), url)
            .header("Timestamp", ts.to_string())
            .header("Authorization", auth)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        Reply::read(resp).await
    }

    pub async fn get(&self, who: &Creds, target: &str) -> Reply {
        self.call(who, "GET", target, None).await
    }

    /// The `key` of every row of the v3 list `/v3/{endpoint}?tql=…` as `who` sees it, sorted,
    /// and the list's `count` (the list must answer 200).
    pub async fn v3_listed(
        &self,
        who: &Creds,
        endpoint: &str,
        tql: &str,
        key: &str,
    ) -> (Vec<String>, u64) {
        let r = self
            .get(
                who,
                &format!(
                    "/v3/{endpoint}?count=true&resultLimit=100&tql={}",
                    self::tql(tql)
                ),
            )
            .await;
        assert_eq!(r.status, 200, "{tql}: {}", r.json);
        let mut rows: Vec<String> = r.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[key].as_str().unwrap().to_string())
            .collect();
        rows.sort();
        (rows, r.json["count"].as_u64().unwrap())
    }

    /// Checks that the v3 list `/v3/{endpoint}?tql=…` is a 400 whose message contains `says`.
    pub async fn v3_refused(&self, endpoint: &str, tql: &str, says: &str) {
        let r = self
            .get(
                &self.reader,
                &format!("/v3/{endpoint}?tql={}", self::tql(tql)),
            )
            .await;
        assert_eq!(r.status, 400, "{tql}: {}", r.json);
        assert!(r.message().contains(says), "{tql}: {}", r.json);
    }

    /// Creates an incident in `owner` as `who`; returns its id.
    pub async fn create_incident(&self, who: &Creds, owner: &str, name: &str) -> i64 {
        let owner = owner.replace(' ', "+");
        let body =
            serde_json::json!({"name": name, "eventDate": "2017-03-21T00:00:00Z"}).to_string();
        let r = self
            .call(
                who,
                "POST",
                &format!("/v2/groups/incidents?owner={owner}"),
                Some(&body),
            )
            .await;
        r.assert_success(201);
        r.json["data"]["incident"]["id"].as_i64().unwrap()
    }

    /// A whole-database fingerprint: every incident of every owner with its metadata, as JSON.
    pub async fn snapshot(&self) -> Value {
        let mut all = vec![];
        for owner in [ORG, COMMUNITY] {
            let q = format!(
                "/v2/groups/incidents?owner={}&includes=additional,attributes,tags,labels&resultLimit=10000",
                owner.replace(' ', "+")
            );
            all.push(self.get(&self.admin, &q).await.json);
        }
        let q = "/v2/groups/incidents?owner=Other+Org&includes=additional,attributes,tags,labels&resultLimit=10000";
        all.push(self.get(&self.outsider, q).await.json);
        Value::Array(all)
    }
}
