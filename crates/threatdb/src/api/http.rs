//! One signed request: the URL a PATH names, the authentication headers, the answer.

use anyhow::{Context, Result, anyhow, bail};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url, Version};
use std::path::Path;
use std::time::Duration;
use threatdb_wire::signing;

/// How a request proves who sends it.
pub enum Auth {
    /// ThreatConnect HMAC: `Timestamp` and `Authorization: TC id:signature`.
    Hmac {
        /// The API user's access id.
        access_id: String,
        /// The API user's secret key.
        secret: String,
        /// Seconds added to the signed timestamp.
        skew: i64,
    },
    /// `Authorization: TC-Token <token>`.
    Token(String),
}

/// A received answer.
pub struct Page {
    /// The URL that was asked.
    pub url: Url,
    /// The HTTP version of the answer.
    pub version: Version,
    /// The status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, as received.
    pub body: Vec<u8>,
}

/// Sends signed requests below one base URL.
pub struct Client {
    http: reqwest::Client,
    base: Option<String>,
    auth: Auth,
    extra: HeaderMap,
}

const TIMEOUT: Duration = Duration::from_secs(30);

impl Client {
    /// A client for `base` (the API base URL, when known), signing with `auth` and adding
    /// `extra` to every request, over what it would send itself; trusting the certificate
    /// authorities of the PEM file `ca_cert` besides the built-in roots.
    pub fn new(
        base: Option<String>,
        auth: Auth,
        extra: HeaderMap,
        ca_cert: Option<&Path>,
    ) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("threatdb/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path)
                .with_context(|| format!("cannot read the CA certificate {}", path.display()))?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("the CA certificate {} is not PEM", path.display()))?;
            if roots.is_empty() {
                bail!(
                    "the CA certificate {} holds no PEM certificate",
                    path.display()
                );
            }
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }
        let http = builder.build().context("cannot build the HTTP client")?;
        Ok(Client {
            http,
            base,
            auth,
            extra,
        })
    }

    /// The URL of `path`: a full `http(s)://` URL as it is, anything else below the base URL.
    pub fn resolve(&self, path: &str) -> Result<Url> {
        let text = if is_absolute(path) {
            path.to_string()
        } else {
            let Some(base) = &self.base else {
                bail!(
                    "'{path}' is relative to the API base URL, and none is known: pass --base-url or set TC_API_BASE_URL"
                );
            };
            let slash = if path.starts_with('/') { "" } else { "/" };
            format!("{}{slash}{path}", base.trim().trim_end_matches('/'))
        };
        let mut url = Url::parse(&text).map_err(|e| {
            anyhow!(
                "'{text}' is not a URL ({e}); the base URL looks like http://127.0.0.1:8450/api"
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            bail!("'{text}' is not an http:// or https:// URL");
        }
        url.set_fragment(None);
        Ok(url)
    }

    /// Sends one request and reads the whole answer, whatever its status.
    pub async fn send(&self, method: &Method, url: Url, body: Option<&[u8]>) -> Result<Page> {
        let response = self.execute(method, url.clone(), body).await?;
        let version = response.version();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport(&e, method, &url))?
            .to_vec();
        Ok(Page {
            url,
            version,
            status,
            headers,
            body,
        })
    }

    /// Sends a GET and writes a successful answer's body to `out` as it arrives (so a large
    /// answer is never held whole); a failed answer's status and body are an error.
    pub async fn download(&self, url: Url, out: &mut dyn std::io::Write) -> Result<u64> {
        let method = Method::GET;
        let mut response = self.execute(&method, url.clone(), None).await?;
        let status = response.status();
        if !status.is_success() {
            let body = response.bytes().await.unwrap_or_default();
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let why = json["message"].as_str().unwrap_or("no message");
            bail!("GET {url}: {status}: {why}");
        }
        let mut written = 0u64;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(&e, &method, &url))?
        {
            out.write_all(&chunk)?;
            written = written.saturating_add(chunk.len() as u64);
        }
        Ok(written)
    }

    /// Signs and sends one request; the answer, not yet read.
    async fn execute(
        &self,
        method: &Method,
        url: Url,
        body: Option<&[u8]>,
    ) -> Result<reqwest::Response> {
        // What is signed is what goes on the wire: the path and query of the parsed URL, which
        // is sent as it is.
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let mut request = reqwest::Request::new(method.clone(), url.clone());
        let mut sent = None;
        let headers = request.headers_mut();
        match &self.auth {
            Auth::Hmac {
                access_id,
                secret,
                skew,
            } => {
                let timestamp = threatdb_core::date::now().unix_timestamp() + skew;
                let auth =
                    signing::authorization(access_id, secret, &target, method.as_str(), timestamp);
                headers.insert("Timestamp", HeaderValue::from(timestamp));
                headers.insert(AUTHORIZATION, header_value(&auth, "the access id")?);
            }
            Auth::Token(token) => {
                let value = header_value(&format!("TC-Token {token}"), "the token")?;
                headers.insert(AUTHORIZATION, value);
            }
        }
        if body.is_some() || matches!(*method, Method::POST | Method::PUT) {
            let body = body.unwrap_or_default().to_vec();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static(threatdb_wire::CONTENT_TYPE_JSON),
            );
            // Like the SDK: a POST or PUT says how long its body is, even when it is empty.
            headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
            sent = Some(body);
        }
        for name in self.extra.keys() {
            headers.remove(name);
        }
        for (name, value) in &self.extra {
            headers.append(name, value.clone());
        }
        if let Some(body) = sent {
            *request.body_mut() = Some(body.into());
        }
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|e| transport(&e, method, &url))?;
        Ok(response)
    }
}

/// Whether `path` is a full URL rather than a path below the base URL.
pub fn is_absolute(path: &str) -> bool {
    let lower = path.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn header_value(text: &str, what: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(text)
        .map_err(|_| anyhow!("{what} holds characters that cannot go in an HTTP header"))
}

/// A failed exchange, saying what to check.
fn transport(e: &reqwest::Error, method: &Method, url: &Url) -> anyhow::Error {
    let mut causes = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !causes.contains(&text) {
            causes.push_str(": ");
            causes.push_str(&text);
        }
        source = s.source();
    }
    let origin = url.origin().ascii_serialization();
    if e.is_connect() {
        // The innermost cause says it plainly ("Connection refused"); the layers above repeat
        // the URL.
        let mut root = std::error::Error::source(e);
        while let Some(next) = root.and_then(std::error::Error::source) {
            root = Some(next);
        }
        let why = root.map_or(causes, |r| r.to_string());
        anyhow!(
            "cannot connect to {origin}: {why}. Is the server running there, and is the base URL (--base-url, TC_API_BASE_URL or the credentials file) right?"
        )
    } else if e.is_timeout() {
        anyhow!("{method} {url}: no answer within {} s", TIMEOUT.as_secs())
    } else {
        anyhow!("{method} {url}: {causes}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: Option<&str>) -> Client {
        Client::new(
            base.map(str::to_string),
            Auth::Token("t".into()),
            HeaderMap::new(),
            None,
        )
        .expect("client")
    }

    #[test]
    fn paths_join_the_base_url() {
        let c = client(Some("http://127.0.0.1:8450/api/"));
        let url = c
            .resolve("/v2/groups/incidents?owner=Example+Community")
            .expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8450/api/v2/groups/incidents?owner=Example+Community"
        );
        assert_eq!(
            c.resolve("v2/tags/Nation%20State").expect("url").path(),
            "/api/v2/tags/Nation%20State"
        );
        assert_eq!(
            c.resolve("https://tc.example/api/v3/groups?resultStart=50")
                .expect("url")
                .as_str(),
            "https://tc.example/api/v3/groups?resultStart=50"
        );
        assert!(client(None).resolve("/v2/owners").is_err());
        assert!(client(None).resolve("http://h/api/v2/owners").is_ok());
        assert!(client(Some("ftp://h/api")).resolve("/v2/owners").is_err());
    }
}
