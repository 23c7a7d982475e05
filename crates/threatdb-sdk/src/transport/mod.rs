//! [`Transport`]: the HTTP client and its settings, under every resource. It signs
//! ([`sign`](self::sign)), retries ([`retry`](self::retry)) and pages ([`paging`](self::paging))
//! the requests of the client and of the resources, and imports neither: the client owns an
//! `Arc<Transport>` and hands it to the resources it makes, which never see the client.

pub(crate) mod paging;
mod retry;
mod sign;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

/// The default page size of paginated retrievals (`resultLimit`), as in the Python SDK.
pub const DEFAULT_RESULT_LIMIT: u32 = 200;
/// The largest page size the API allows.
pub const MAX_RESULT_LIMIT: u32 = 10_000;
/// The longest wait a `Retry-After` answer can impose before a retry.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Credentials, base URL, default owner and the settings of sending: what every request needs.
/// Cloned on write by the client's setters, so objects made before a change keep the old
/// settings.
#[derive(Clone)]
pub(crate) struct Transport {
    auth: Auth,
    default_org: String,
    /// `scheme://host[:port]`.
    origin: String,
    /// The base URL's path without a trailing slash, e.g. `/api`.
    prefix: String,
    result_limit: u32,
    timeout: Duration,
    retries: u32,
    sleep: Duration,
    proxy: Option<String>,
    /// Certificate authorities trusted besides the built-in roots.
    roots: Vec<reqwest::Certificate>,
    activity_log: bool,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
}

/// How every request proves who sends it.
#[derive(Clone)]
pub(crate) enum Auth {
    /// ThreatConnect's HMAC signature: `Authorization: TC <access id>:<signature>` and a
    /// `Timestamp` header.
    Hmac {
        /// The API user's access id.
        access_id: String,
        /// The API user's secret key.
        secret: String,
    },
    /// An API token: `Authorization: TC-Token <token>`.
    Token(String),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.debug_as("Transport", f)
    }
}

impl Transport {
    /// A transport for `base_url` with the default settings. Fails only on a base URL that is
    /// not an `http(s)://` URL (or an `https://` one in a build without TLS).
    pub(crate) fn new(auth: Auth, default_org: String, base_url: &str) -> Result<Self> {
        let (origin, prefix) = split_base_url(base_url)?;
        let mut t = Transport {
            auth,
            default_org,
            origin,
            prefix,
            result_limit: DEFAULT_RESULT_LIMIT,
            timeout: Duration::from_secs(30),
            retries: 5,
            sleep: Duration::from_secs(1),
            proxy: None,
            roots: Vec::new(),
            activity_log: false,
            clock: Arc::new(SystemClock),
            http: reqwest::Client::new(),
        };
        t.http = t.build_http()?;
        Ok(t)
    }

    /// Writes the settings (never the secret) as a struct named `name`.
    pub(crate) fn debug_as(&self, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct(name);
        match &self.auth {
            Auth::Hmac { access_id, .. } => d
                .field("api_access_id", access_id)
                .field("api_secret_key", &"***"),
            Auth::Token(_) => d.field("api_token", &"***"),
        };
        d.field("api_default_org", &self.default_org)
            .field("api_base_url", &format!("{}{}", self.origin, self.prefix))
            .field("result_limit", &self.result_limit)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("activity_log", &self.activity_log)
            .finish()
    }

    /// The organization used when no owner is given.
    pub(crate) fn default_org(&self) -> &str {
        &self.default_org
    }

    /// The page size of paginated requests.
    pub(crate) fn result_limit(&self) -> u32 {
        self.result_limit
    }

    /// Sets the page size: 1 to [`MAX_RESULT_LIMIT`].
    pub(crate) fn set_result_limit(&mut self, limit: u32) -> Result<()> {
        if !(1..=MAX_RESULT_LIMIT).contains(&limit) {
            return Err(Error::InvalidInput(format!(
                "the result limit must be between 1 and {MAX_RESULT_LIMIT}, not {limit}"
            )));
        }
        self.result_limit = limit;
        Ok(())
    }

    /// Sets how long one request may take, and rebuilds the HTTP client with it.
    pub(crate) fn set_timeout(&mut self, timeout: Duration) -> Result<()> {
        // Kept even when the rebuild fails, as the client always did.
        self.timeout = timeout;
        self.http = self.build_http()?;
        Ok(())
    }

    /// Sets how many times a request is retried.
    pub(crate) fn set_retries(&mut self, retries: u32) {
        self.retries = retries;
    }

    /// Sets the wait before the first retry.
    pub(crate) fn set_sleep(&mut self, sleep: Duration) {
        self.sleep = sleep;
    }

    /// Sends every request through this proxy, and rebuilds the HTTP client with it.
    pub(crate) fn set_proxy(&mut self, proxy_url: String) -> Result<()> {
        // Kept even when the rebuild fails, as the client always did.
        self.proxy = Some(proxy_url);
        self.http = self.build_http()?;
        Ok(())
    }

    /// Trusts the certificate authorities of a PEM bundle besides the built-in roots, and
    /// rebuilds the HTTP client. `source` names the bundle in errors.
    pub(crate) fn add_roots(&mut self, pem: &[u8], source: &str) -> Result<()> {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| Error::Config(format!("{source} is not a PEM certificate: {e}")))?;
        if certs.is_empty() {
            return Err(Error::Config(format!(
                "{source} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
            )));
        }
        self.roots.extend(certs);
        self.http = self.build_http()?;
        Ok(())
    }

    /// Sets the `createActivityLog=` every request carries.
    pub(crate) fn set_activity_log(&mut self, enabled: bool) {
        self.activity_log = enabled;
    }

    /// Replaces the clock that stamps and spaces out requests.
    pub(crate) fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

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
        for root in &self.roots {
            b = b.add_root_certificate(root.clone());
        }
        b.build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
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
        let auth = Auth::Hmac {
            access_id: "a".into(),
            secret: "s".into(),
        };
        let mut t = Transport::new(auth, "O".into(), "http://h/api").expect("transport");
        assert!(t.set_result_limit(0).is_err());
        assert!(t.set_result_limit(10_001).is_err());
        assert!(t.set_result_limit(10_000).is_ok());
        assert!(!format!("{t:?}").contains("\"s\""));
        let t = Transport::new(Auth::Token("tok-secret".into()), "O".into(), "http://h/api")
            .expect("transport");
        assert!(!format!("{t:?}").contains("tok-secret"));
    }
}
