//! Writing the audit log: every authenticated write (v2, v3, Batch, TAXII, web), every
//! authentication failure, every sign-in and sign-out and every export is recorded, with who,
//! what, when, the client's address, the request id and the outcome.
//!
//! Requests hand their records to one writer task per server (started by the first record),
//! through a bounded queue: the writer appends what is waiting in one transaction (up to
//! [`BATCH`] entries), so the log costs a write one queue send, not a transaction. When the
//! queue is full a request waits for room: nothing is dropped. Failed attempts refused as
//! rate-limited (429) are counted and recorded as one `auth.rate_limited` entry a minute, so a
//! flood of them cannot grow the log faster than the limiter lets attempts through. Every
//! minute in which the log grew, and when the server stops, the writer logs its head as a
//! checkpoint (`audit checkpoint … anchor=SEQ:HASH`): `threatdb admin audit verify --anchor`
//! checks the log against it, which finds a log cut short or rewritten from some entry on.

use crate::net::ClientAddr;
use crate::request_id::X_REQUEST_ID;
use axum::extract::Request;
use axum::http::{Extensions, HeaderMap, Method, Uri};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use threatdb_core::audit::{AuditHead, AuditRecord};
use threatdb_core::{Actor, Store};
use tokio::sync::{mpsc, oneshot};

/// Entries waiting to be written, at most; past it requests wait.
pub const QUEUE: usize = 10_000;

/// Entries appended in one transaction, at most.
pub const BATCH: usize = 1_000;

/// How often the writer logs a checkpoint and the count of rate-limited attempts.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(60);

enum Msg {
    Entry(AuditRecord),
    Flush(oneshot::Sender<AuditHead>),
}

/// The server's audit log writer (one per [`crate::AppState`]).
pub struct AuditLog {
    tx: mpsc::Sender<Msg>,
    rx: Mutex<Option<mpsc::Receiver<Msg>>>,
    store: Arc<dyn Store>,
    started: OnceLock<()>,
    rate_limited: Arc<AtomicU64>,
}

impl AuditLog {
    /// A writer appending to `store`'s log.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        AuditLog {
            tx,
            rx: Mutex::new(Some(rx)),
            store,
            started: OnceLock::new(),
            rate_limited: Arc::new(AtomicU64::new(0)),
        }
    }

    fn start(&self) {
        self.started.get_or_init(|| {
            let rx = self.rx.lock().ok().and_then(|mut rx| rx.take());
            if let Some(rx) = rx {
                tokio::spawn(write(self.store.clone(), rx, self.rate_limited.clone()));
            }
        });
    }

    /// Queues `record` (waiting for room when the queue is full).
    pub async fn record(&self, record: AuditRecord) {
        self.start();
        if self.tx.send(Msg::Entry(record)).await.is_err() {
            tracing::error!("the audit log writer has stopped: an entry is lost");
        }
    }

    /// Counts a failed attempt refused as rate-limited.
    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// Waits until everything queued before it is written and logs a checkpoint; the log's
    /// head then (`None` when the writer has stopped).
    pub async fn flush(&self) -> Option<AuditHead> {
        self.start();
        let (done, wait) = oneshot::channel();
        self.tx.send(Msg::Flush(done)).await.ok()?;
        wait.await.ok()
    }
}

/// The writer: appends what is waiting, in order, until every sender is gone.
async fn write(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Msg>, rate_limited: Arc<AtomicU64>) {
    let mut messages = Vec::with_capacity(BATCH);
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    let mut head: Option<AuditHead> = None;
    let mut anchored: Option<i64> = None;
    loop {
        tokio::select! {
            n = rx.recv_many(&mut messages, BATCH) => {
                if n == 0 {
                    break;
                }
                let mut records = Vec::with_capacity(n);
                let mut flushes = Vec::new();
                for m in messages.drain(..) {
                    match m {
                        Msg::Entry(r) => records.push(r),
                        Msg::Flush(done) => flushes.push(done),
                    }
                }
                if !flushes.is_empty() {
                    records.extend(refused(&rate_limited));
                }
                if let Some(h) = append(store.as_ref(), records).await {
                    head = Some(h);
                }
                if !flushes.is_empty() {
                    let now = match &head {
                        Some(h) => h.clone(),
                        None => store.append_audit(Vec::new()).await.unwrap_or_else(|_| AuditHead::empty()),
                    };
                    head = Some(now.clone());
                    checkpoint(&head, &mut anchored);
                    for done in flushes {
                        let _ = done.send(now.clone());
                    }
                }
            }
            _ = ticks.tick() => {
                if let Some(h) = append(store.as_ref(), refused(&rate_limited).into_iter().collect()).await {
                    head = Some(h);
                }
                checkpoint(&head, &mut anchored);
            }
        }
    }
    checkpoint(&head, &mut anchored);
}

/// The record of the attempts refused as rate-limited since the last one, if there were any.
fn refused(rate_limited: &AtomicU64) -> Option<AuditRecord> {
    let refused = rate_limited.swap(0, Ordering::Relaxed);
    (refused > 0).then(|| {
        AuditRecord::new(
            "",
            "api",
            "auth.rate_limited",
            &format!("{refused} failed attempts refused as rate-limited"),
            "429",
        )
    })
}

/// Appends `records`, retrying while the store fails (the queue holds the rest meanwhile).
async fn append(store: &dyn Store, records: Vec<AuditRecord>) -> Option<AuditHead> {
    if records.is_empty() {
        return None;
    }
    let mut wait = Duration::from_millis(100);
    loop {
        match store.append_audit(records.clone()).await {
            Ok(head) => return Some(head),
            Err(e) => {
                tracing::error!(error = %e, entries = records.len(), "cannot append to the audit log; retrying");
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Logs the head when it moved since the last checkpoint.
fn checkpoint(head: &Option<AuditHead>, anchored: &mut Option<i64>) {
    if let Some(h) = head
        && h.seq > 0
        && *anchored != Some(h.seq)
    {
        tracing::info!(anchor = %h.anchor(), "audit checkpoint");
        *anchored = Some(h.seq);
    }
}

/// Whether a request with this method only reads (GET, HEAD, OPTIONS): it is not recorded.
pub fn reads(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// What a request's record starts from: its address, its request id and what it asked.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    address: String,
    request_id: Option<String>,
    method: Method,
    uri: Uri,
}

impl RequestFacts {
    /// The facts of a request's parts.
    pub fn of(extensions: &Extensions, headers: &HeaderMap, method: &Method, uri: &Uri) -> Self {
        RequestFacts {
            address: ClientAddr::of(extensions).to_string(),
            request_id: headers
                .get(X_REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            method: method.clone(),
            uri: uri.clone(),
        }
    }

    /// The facts of `request`.
    pub fn of_request(request: &Request) -> Self {
        Self::of(
            request.extensions(),
            request.headers(),
            request.method(),
            request.uri(),
        )
    }

    /// The context the history records a change of this request in.
    pub fn context(&self) -> Option<Arc<threatdb_core::context::ChangeContext>> {
        Some(Arc::new(threatdb_core::context::ChangeContext {
            via: self.via().to_string(),
            request_id: self.request_id.clone(),
        }))
    }

    /// `METHOD /path?query`.
    pub fn target(&self) -> String {
        let path = self.uri.path_and_query().map_or("/", |p| p.as_str());
        format!("{} {path}", self.method)
    }

    /// Through what the request came: `v2`, `v3`, `batch`, `taxii` or `web`.
    pub fn via(&self) -> &'static str {
        let path = self.uri.path();
        if path.starts_with("/api/v2/batch") {
            "batch"
        } else if path.starts_with("/api/v2") {
            "v2"
        } else if path.starts_with("/api/v3") {
            "v3"
        } else if crate::taxii::serves(path) {
            "taxii"
        } else {
            "web"
        }
    }

    /// A record of `action` by `user`, with these facts.
    pub fn record(&self, user: Option<&Actor>, action: &str, outcome: &str) -> AuditRecord {
        self.record_as(user.map(|a| (a.user_id, a.name.as_str())), action, outcome)
    }

    /// A record of `action` by the user `(id, name)`, with these facts.
    pub fn record_as(&self, user: Option<(i64, &str)>, action: &str, outcome: &str) -> AuditRecord {
        let mut r = AuditRecord::new(
            user.map_or("", |(_, name)| name),
            self.via(),
            action,
            &self.target(),
            outcome,
        );
        r.user_id = user.map(|(id, _)| id);
        r.address = Some(self.address.clone());
        r.request_id = self.request_id.clone();
        r
    }
}

/// The name an `Authorization` header claims (an access id, a Basic user), for the record of a
/// failed attempt; never the secret. Implausible names are not kept.
pub fn claimed(headers: &HeaderMap) -> String {
    let Some(value) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return String::new();
    };
    // Read as the verifiers read it: HMAC's access id, Basic's user.
    let value = value.trim();
    let name = if let Some((id, _)) = threatdb_wire::signing::parse_authorization(value) {
        Some(id.to_string())
    } else if let Some((scheme, rest)) = value.split_once(' ')
        && scheme.eq_ignore_ascii_case("basic")
    {
        crate::taxii::decode_basic(rest).map(|(user, _)| user)
    } else if value.starts_with("TC-Token ")
        || value
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("bearer "))
    {
        Some("(token)".to_string())
    } else {
        None
    };
    name.and_then(|n| crate::auth::limiter::principal_key(&n).map(|_| n))
        .unwrap_or_default()
}

/// The signed-in person of a web request that writes, once the session is read: kept for the
/// request's record by [`web_writes`].
#[derive(Clone, Default)]
pub struct WebWriter(Arc<Mutex<Option<(i64, String)>>>);

impl WebWriter {
    /// Notes who the request's session belongs to.
    pub fn set(&self, user_id: i64, login: &str) {
        if let Ok(mut w) = self.0.lock() {
            *w = Some((user_id, login.to_string()));
        }
    }

    fn get(&self) -> Option<(i64, String)> {
        self.0.lock().ok().and_then(|w| w.clone())
    }
}

/// Records every web form post made in a session (with its outcome, the page's status).
pub async fn web_writes(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    mut request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if reads(request.method()) {
        return next.run(request).await;
    }
    let facts = RequestFacts::of_request(&request);
    let writer = WebWriter::default();
    request.extensions_mut().insert(writer.clone());
    let response = threatdb_core::context::within(facts.context(), next.run(request)).await;
    if let Some((id, login)) = writer.get() {
        let outcome = response.status().as_u16().to_string();
        let action = if facts.uri.path() == "/signout" {
            "sign-out"
        } else {
            "write"
        };
        state
            .audit
            .record(facts.record_as(Some((id, &login)), action, &outcome))
            .await;
    }
    response
}
