//! The client's setters, as the Python SDK's `set_api_*` calls. Each changes this client's own
//! copy of the transport (copy on write), so objects made before keep the old settings.

use super::ThreatConnect;
use crate::clock::Clock;
use crate::error::Result;
use crate::transport::Transport;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

impl ThreatConnect {
    fn transport_mut(&mut self) -> &mut Transport {
        Arc::make_mut(&mut self.transport)
    }

    /// The page size of paginated retrievals (`resultLimit`): 1 to 10,000, default 200.
    pub fn set_api_result_limit(&mut self, limit: u32) -> Result<&mut Self> {
        self.transport_mut().set_result_limit(limit)?;
        Ok(self)
    }

    /// How long one request may take, default 30 s.
    pub fn set_api_request_timeout(&mut self, timeout: Duration) -> Result<&mut Self> {
        self.transport_mut().set_timeout(timeout)?;
        Ok(self)
    }

    /// How many times a request is retried after a connection error, a timeout (not for POST)
    /// or a 503/429 answer; default 5. `0` turns retries off.
    pub fn set_api_retries(&mut self, retries: u32) -> &mut Self {
        self.transport_mut().set_retries(retries);
        self
    }

    /// The wait before the first retry, default 1 s; it doubles with each further retry, up to
    /// 60 s. A `Retry-After` header (seconds, at most 300) replaces it.
    pub fn set_api_sleep(&mut self, sleep: Duration) -> &mut Self {
        self.transport_mut().set_sleep(sleep);
        self
    }

    /// Sends every request through this proxy (`http://host:port`).
    pub fn set_proxies(&mut self, proxy_url: impl Into<String>) -> Result<&mut Self> {
        self.transport_mut().set_proxy(proxy_url.into())?;
        Ok(self)
    }

    /// Trusts the certificate authorities in this PEM file besides the built-in roots, e.g. the
    /// self-signed certificate of a threatdb server (`threatdb serve --tls-cert`), as
    /// `requests`' `verify=` does for the Python SDK. May be called again to add more.
    pub fn set_api_ca_cert(&mut self, path: impl AsRef<Path>) -> Result<&mut Self> {
        let path = path.as_ref();
        let pem = std::fs::read(path).map_err(|e| {
            crate::Error::Config(format!(
                "cannot read the CA certificate {}: {e}",
                path.display()
            ))
        })?;
        self.transport_mut()
            .add_roots(&pem, &format!("the CA certificate {}", path.display()))?;
        Ok(self)
    }

    /// Whether the server should write activity-log entries: sent as `createActivityLog=` on
    /// every request (`false` by default, as the Python SDK does).
    pub fn set_activity_log(&mut self, enabled: bool) -> &mut Self {
        self.transport_mut().set_activity_log(enabled);
        self
    }

    /// Replaces the clock that stamps (`Timestamp`) and spaces out (retries) requests, e.g.
    /// with a [`crate::FixedClock`] to reproduce a signature.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.transport_mut().set_clock(clock);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_limit_is_bounded() {
        let mut tc = ThreatConnect::new("a", "s", "O", "http://h/api").expect("client");
        assert!(tc.set_api_result_limit(0).is_err());
        assert!(tc.set_api_result_limit(10_001).is_err());
        assert!(tc.set_api_result_limit(10_000).is_ok());
        assert!(!format!("{tc:?}").contains("\"s\""));
    }
}
