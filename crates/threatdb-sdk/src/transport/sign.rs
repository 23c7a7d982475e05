//! The signed HTTP request: `createActivityLog` added, the target built once, signed with
//! HMAC-SHA256 over exactly what is sent (or carrying an API token).

use super::{Auth, Transport};
use crate::error::{Error, Result};
use crate::request::{ApiRequest, Method};
use threatdb_wire::signing;

impl Transport {
    /// Finishes a request the way every call is sent: `createActivityLog` added.
    pub(super) fn prepare(&self, mut req: ApiRequest) -> ApiRequest {
        req = req.param(
            "createActivityLog",
            if self.activity_log { "true" } else { "false" },
        );
        req
    }

    /// The exact request target that is signed and sent.
    pub(super) fn target(&self, req: &ApiRequest) -> String {
        req.target(&self.prefix)
    }

    /// Builds the signed HTTP request for `req` at `timestamp`. The URL is checked to carry
    /// exactly the signed target, so nothing re-encodes it on the way out.
    pub(super) fn build(&self, req: &ApiRequest, timestamp: i64) -> Result<reqwest::Request> {
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
        let mut b = self.http.request(method, url);
        b = match &self.auth {
            Auth::Hmac { access_id, secret } => {
                b.header("Timestamp", timestamp.to_string()).header(
                    "Authorization",
                    signing::authorization(
                        access_id,
                        secret,
                        &target,
                        req.method.as_str(),
                        timestamp,
                    ),
                )
            }
            Auth::Token(token) => b.header("Authorization", format!("TC-Token {token}")),
        };
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
}
