//! [`ThreatConnect`]: credentials, settings, and the signed, retried sending of every request.

use crate::clock::{Clock, SystemClock};
use crate::config::Credentials;
use crate::error::{Error, Result};
use crate::incidents::Incidents;
use crate::read;
use crate::request::{ApiRequest, Method};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use threatdb_wire::dto::OwnerDto;
use threatdb_wire::signing;

/// The default page size of paginated retrievals (`resultLimit`), as in the Python SDK.
pub const DEFAULT_RESULT_LIMIT: u32 = 200;
/// The largest page size the API allows.
pub const MAX_RESULT_LIMIT: u32 = 10_000;
/// The longest wait a `Retry-After` answer can impose before a retry.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// A connection to a ThreatConnect v2 API (threatdb or any compatible server): the entry point
/// of the SDK, as `ThreatConnect(api_access_id, api_secret_key, api_default_org, api_base_url)`
/// is in Python.
///
/// Cloning is cheap and clones share the connection pool. Settings changed on a clone (or after
/// [`ThreatConnect::incidents`]) do not affect objects made before the change.
///
/// ```no_run
/// # async fn run() -> Result<(), threatdb_sdk::Error> {
/// use threatdb_sdk::ThreatConnect;
///
/// let tc = ThreatConnect::new("12345678901234567890", "secret", "Example Organization",
///                             "http://127.0.0.1:8450/api")?;
/// // or: let tc = ThreatConnect::from_env()?;
/// let mut incidents = tc.incidents();
/// incidents.add_filter().add_id(123456);
/// incidents.retrieve().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ThreatConnect {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    access_id: String,
    secret: String,
    pub(crate) default_org: String,
    /// `scheme://host[:port]`.
    origin: String,
    /// The base URL's path without a trailing slash, e.g. `/api`.
    prefix: String,
    pub(crate) result_limit: u32,
    timeout: Duration,
    retries: u32,
    sleep: Duration,
    proxy: Option<String>,
    activity_log: bool,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
}

impl std::fmt::Debug for ThreatConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let i = &self.inner;
        f.debug_struct("ThreatConnect")
            .field("api_access_id", &i.access_id)
            .field("api_secret_key", &"***")
            .field("api_default_org", &i.default_org)
            .field("api_base_url", &format!("{}{}", i.origin, i.prefix))
            .field("result_limit", &i.result_limit)
            .field("timeout", &i.timeout)
            .field("retries", &i.retries)
            .field("activity_log", &i.activity_log)
            .finish()
    }
}

/// Who the credentials belong to, as `GET /v2/whoami` says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user name.
    #[serde(default)]
    pub user_name: String,
    /// The role, e.g. `Api User`.
    #[serde(default)]
    pub role: String,
    /// The user's organization, when the server says.
    #[serde(default)]
    pub owner: Option<OwnerDto>,
}

impl ThreatConnect {
    /// A client for `api_base_url` (e.g. `https://app.threatconnect.com/api` or
    /// `http://127.0.0.1:8450/api`) signing with `api_access_id` and `api_secret_key`, working in
    /// `api_default_org` when no owner is given. Nothing is sent yet.
    ///
    /// Fails only on a base URL that is not an `http(s)://` URL (or an `https://` one in a build
    /// without TLS).
    pub fn new(
        api_access_id: impl Into<String>,
        api_secret_key: impl Into<String>,
        api_default_org: impl Into<String>,
        api_base_url: impl AsRef<str>,
    ) -> Result<Self> {
        let (origin, prefix) = split_base_url(api_base_url.as_ref())?;
        let mut inner = Inner {
            access_id: api_access_id.into(),
            secret: api_secret_key.into(),
            default_org: api_default_org.into(),
            origin,
            prefix,
            result_limit: DEFAULT_RESULT_LIMIT,
            timeout: Duration::from_secs(30),
            retries: 5,
            sleep: Duration::from_secs(1),
            proxy: None,
            activity_log: false,
            clock: Arc::new(SystemClock),
            http: reqwest::Client::new(),
        };
        inner.http = inner.build_http()?;
        Ok(ThreatConnect {
            inner: Arc::new(inner),
        })
    }

    /// A client from [`Credentials`] (and its result limit, if any).
    pub fn from_credentials(c: Credentials) -> Result<Self> {
        let mut tc = Self::new(
            c.api_access_id,
            c.api_secret_key,
            c.api_default_org,
            c.api_base_url,
        )?;
        if let Some(limit) = c.api_result_limit {
            tc.set_api_result_limit(limit)?;
        }
        Ok(tc)
    }

    /// A client configured by `TC_API_ACCESS_ID`, `TC_API_SECRET_KEY`, `TC_API_DEFAULT_ORG` and
    /// `TC_API_BASE_URL` (as `threatdb serve` writes them to `data/credentials.env`), and
    /// `TC_API_RESULT_LIMIT` if set.
    pub fn from_env() -> Result<Self> {
        Self::from_credentials(Credentials::from_env()?)
    }

    /// A client configured by a `tc.conf` file in the Python SDK's INI form (section
    /// `[threatconnect]`, keys `api_access_id`, `api_secret_key`, `api_default_org`,
    /// `api_base_url`, optional `api_result_limit`).
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_credentials(Credentials::from_config_file(path)?)
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::make_mut(&mut self.inner)
    }

    /// The page size of paginated retrievals (`resultLimit`): 1 to 10,000, default 200.
    pub fn set_api_result_limit(&mut self, limit: u32) -> Result<&mut Self> {
        if !(1..=MAX_RESULT_LIMIT).contains(&limit) {
            return Err(Error::InvalidInput(format!(
                "the result limit must be between 1 and {MAX_RESULT_LIMIT}, not {limit}"
            )));
        }
        self.inner_mut().result_limit = limit;
        Ok(self)
    }

    /// How long one request may take, default 30 s.
    pub fn set_api_request_timeout(&mut self, timeout: Duration) -> Result<&mut Self> {
        let inner = self.inner_mut();
        inner.timeout = timeout;
        inner.http = inner.build_http()?;
        Ok(self)
    }

    /// How many times a request is retried after a connection error, a timeout (not for POST)
    /// or a 503/429 answer; default 5. `0` turns retries off.
    pub fn set_api_retries(&mut self, retries: u32) -> &mut Self {
        self.inner_mut().retries = retries;
        self
    }

    /// The wait before the first retry, default 1 s; it doubles with each further retry, up to
    /// 60 s. A `Retry-After` header (seconds, at most 300) replaces it.
    pub fn set_api_sleep(&mut self, sleep: Duration) -> &mut Self {
        self.inner_mut().sleep = sleep;
        self
    }

    /// Sends every request through this proxy (`http://host:port`).
    pub fn set_proxies(&mut self, proxy_url: impl Into<String>) -> Result<&mut Self> {
        let inner = self.inner_mut();
        inner.proxy = Some(proxy_url.into());
        inner.http = inner.build_http()?;
        Ok(self)
    }

    /// Whether the server should write activity-log entries: sent as `createActivityLog=` on
    /// every request (`false` by default, as the Python SDK does).
    pub fn set_activity_log(&mut self, enabled: bool) -> &mut Self {
        self.inner_mut().activity_log = enabled;
        self
    }

    /// Replaces the clock that stamps (`Timestamp`) and spaces out (retries) requests, e.g.
    /// with a [`crate::FixedClock`] to reproduce a signature.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.inner_mut().clock = clock;
        self
    }

    /// The organization used when no owner is given.
    pub fn default_org(&self) -> &str {
        &self.inner.default_org
    }

    /// The page size of paginated retrievals.
    pub fn result_limit(&self) -> u32 {
        self.inner.result_limit
    }

    /// A new, empty [`Incidents`] container, as `tc.incidents()`. Nothing is sent.
    pub fn incidents(&self) -> Incidents {
        Incidents::new(self.clone())
    }

    /// The owners the credentials can use: `GET /v2/owners` (not paginated, no owner).
    pub async fn owners(&self) -> Result<Vec<OwnerDto>> {
        let body = self
            .inner
            .call(ApiRequest::new(Method::Get, "/v2/owners"))
            .await?;
        Ok(read::list::<OwnerDto>(&body, "owner")?.items)
    }

    /// Who the credentials belong to: `GET /v2/whoami`.
    pub async fn whoami(&self) -> Result<User> {
        let body = self
            .inner
            .call(ApiRequest::new(Method::Get, "/v2/whoami"))
            .await?;
        read::one::<User>(&body, "user")
    }
}

/// Splits `http://host:port/api/` into `http://host:port` and `/api`.
fn split_base_url(base: &str) -> Result<(String, String)> {
    let url = reqwest::Url::parse(base.trim()).map_err(|e| {
        Error::Config(format!(
            "the base URL '{base}' is not a URL ({e}); expected e.g. http://127.0.0.1:8450/api"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "the base URL '{base}' must be an http:// or https:// URL"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "the base URL '{base}' must not have a query or fragment"
        )));
    }
    let origin = url.origin().ascii_serialization();
    let prefix = url.path().trim_end_matches('/').to_string();
    Ok((origin, prefix))
}

/// An answer: status and body.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What one attempt came to.
enum Attempt {
    Done(Reply),
    /// Worth another try (after `wait`, if the server said).
    Retry {
        wait: Option<Duration>,
        why: String,
        /// The answer that asked for the retry (503, 429): what the caller gets when the
        /// retries are used up.
        reply: Option<Reply>,
    },
    Fail(String),
}

impl Inner {
    fn build_http(&self) -> Result<reqwest::Client> {
        let mut b = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("threatdb-sdk/", env!("CARGO_PKG_VERSION")));
        if let Some(p) = &self.proxy {
            let proxy = reqwest::Proxy::all(p.as_str())
                .map_err(|e| Error::Config(format!("bad proxy URL '{p}': {e}")))?;
            b = b.proxy(proxy);
        }
        b.build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
    }

    /// Finishes a request the way every call is sent: `createActivityLog` added.
    pub(crate) fn prepare(&self, mut req: ApiRequest) -> ApiRequest {
        req = req.param(
            "createActivityLog",
            if self.activity_log { "true" } else { "false" },
        );
        req
    }

    /// The exact request target that is signed and sent.
    pub(crate) fn target(&self, req: &ApiRequest) -> String {
        req.target(&self.prefix)
    }

    /// Builds the signed HTTP request for `req` at `timestamp`. The URL is checked to carry
    /// exactly the signed target, so nothing re-encodes it on the way out.
    pub(crate) fn build(&self, req: &ApiRequest, timestamp: i64) -> Result<reqwest::Request> {
        let target = self.target(req);
        let url = reqwest::Url::parse(&format!("{}{target}", self.origin))
            .map_err(|e| Error::InvalidInput(format!("cannot make a URL of '{target}': {e}")))?;
        let sent = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        if sent != target {
            return Err(Error::InvalidInput(format!(
                "the request target '{target}' would be sent as '{sent}'"
            )));
        }
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let auth = signing::authorization(
            &self.access_id,
            &self.secret,
            &target,
            req.method.as_str(),
            timestamp,
        );
        let mut b = self
            .http
            .request(method, url)
            .header("Timestamp", timestamp.to_string())
            .header("Authorization", auth);
        if matches!(req.method, Method::Post | Method::Put) {
            // Like `requests`, a POST or PUT always says how long its body is, even when empty.
            let body = req.body.clone().unwrap_or_default();
            b = b
                .header("Content-Type", threatdb_wire::CONTENT_TYPE_JSON)
                .header("Content-Length", body.len())
                .body(body);
        }
        b.build()
            .map_err(|e| Error::InvalidInput(format!("cannot build the request: {e}")))
    }

    /// Sends `req` (with `createActivityLog`), retrying as configured; any status comes back.
    pub(crate) async fn send(&self, req: ApiRequest) -> Result<Reply> {
        let req = self.prepare(req);
        let mut attempt: u32 = 0;
        loop {
            let request = self.build(&req, self.clock.now())?;
            let wait = match self.attempt(&req, request).await {
                Attempt::Done(reply) => return Ok(reply),
                Attempt::Retry { wait, .. } if attempt < self.retries => wait,
                Attempt::Retry {
                    reply: Some(reply), ..
                } => return Ok(reply),
                Attempt::Retry { why, .. } | Attempt::Fail(why) => {
                    let tries = if attempt > 0 {
                        format!(" (after {attempt} retries)")
                    } else {
                        String::new()
                    };
                    return Err(Error::Transport(format!(
                        "{} {}: {why}{tries}",
                        req.method,
                        self.target(&req)
                    )));
                }
            };
            let backoff = self
                .sleep
                .saturating_mul(1u32 << attempt.min(16))
                .min(Duration::from_secs(60));
            self.clock.sleep(wait.unwrap_or(backoff)).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, req: &ApiRequest, request: reqwest::Request) -> Attempt {
        let resp = match self.http.execute(request).await {
            Ok(resp) => resp,
            Err(e) => {
                // A refused connection never reached the server; anything later may have, so
                // only idempotent requests are sent again.
                let why = describe(&e);
                return if e.is_connect() || (req.method.idempotent() && !e.is_builder()) {
                    Attempt::Retry {
                        wait: None,
                        why,
                        reply: None,
                    }
                } else {
                    Attempt::Fail(why)
                };
            }
        };
        let status = resp.status().as_u16();
        if matches!(status, 429 | 503) {
            let wait = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
            let body = resp.bytes().await.map(Vec::from).unwrap_or_default();
            return Attempt::Retry {
                wait,
                why: format!("the server answered {status}"),
                reply: Some(Reply { status, body }),
            };
        }
        match resp.bytes().await {
            Ok(body) => Attempt::Done(Reply {
                status,
                body: body.into(),
            }),
            Err(e) if req.method.idempotent() => Attempt::Retry {
                wait: None,
                why: describe(&e),
                reply: None,
            },
            Err(e) => Attempt::Fail(describe(&e)),
        }
    }

    /// Sends `req` and returns the body of a 200–202 answer; any other status is an
    /// [`Error::Api`] with the server's message.
    pub(crate) async fn call(&self, req: ApiRequest) -> Result<Vec<u8>> {
        let reply = self.send(req).await?;
        if (200..=202).contains(&reply.status) {
            Ok(reply.body)
        } else {
            Err(Error::Api {
                status: reply.status,
                message: read::failure_message(reply.status, &reply.body),
            })
        }
    }
}

/// A transport error with its causes, e.g. `error sending request: connection refused`.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_split_into_origin_and_prefix() {
        assert_eq!(
            split_base_url("https://tc.example.com/api/").expect("ok"),
            ("https://tc.example.com".to_string(), "/api".to_string())
        );
        assert_eq!(
            split_base_url("http://127.0.0.1:8450").expect("ok"),
            ("http://127.0.0.1:8450".to_string(), String::new())
        );
        assert!(split_base_url("ftp://x/api").is_err());
        assert!(split_base_url("not a url").is_err());
        assert!(split_base_url("http://h/api?x=1").is_err());
    }

    #[test]
    fn the_result_limit_is_bounded() {
        let mut tc = ThreatConnect::new("a", "s", "O", "http://h/api").expect("client");
        assert!(tc.set_api_result_limit(0).is_err());
        assert!(tc.set_api_result_limit(10_001).is_err());
        assert!(tc.set_api_result_limit(10_000).is_ok());
        assert!(!format!("{tc:?}").contains("\"s\""));
    }
}
