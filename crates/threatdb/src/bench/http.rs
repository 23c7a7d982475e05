//! The load generator's HTTP client: one keep-alive HTTP/1.1 connection per worker, owned by
//! the worker (hyper's connection API, no pool, no shared lock, no per-request URL parsing), so
//! that the server, not the client, is what is measured: with `reqwest` the load generator drove
//! `/healthz` at 75–83 % of wrk's rate on two shared cores, with this client at wrk's rate or
//! above (DECISIONS 76; `bench/load-vs-wrk.sh`).

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::http::{HeaderValue, Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Where the server listens, from an origin (`http://127.0.0.1:8450`).
#[derive(Clone, Debug)]
pub struct Target {
    /// `host:port`, to connect to.
    address: String,
    /// The `Host` header.
    host: HeaderValue,
}

impl Target {
    pub fn parse(origin: &str) -> Result<Target> {
        let Some(rest) = origin.trim_end_matches('/').strip_prefix("http://") else {
            bail!("the load generator speaks plain HTTP: give an http:// origin, not {origin}")
        };
        let address = if rest.contains(':') {
            rest.to_string()
        } else {
            format!("{rest}:80")
        };
        Ok(Target {
            host: HeaderValue::from_str(rest).context("not a host name")?,
            address,
        })
    }
}

/// One connection, made on first use and again after the server closed it.
pub struct Conn {
    target: Target,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    pub fn new(target: Target) -> Conn {
        Conn {
            target,
            sender: None,
        }
    }

    async fn sender(&mut self) -> Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(&self.target.address)
                .await
                .with_context(|| format!("cannot connect to {}", self.target.address))?;
            stream.set_nodelay(true)?;
            let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        self.sender.as_mut().context("no connection")
    }

    /// Sends one request and reads the whole answer.
    pub async fn send(
        &mut self,
        method: Method,
        path_and_query: &str,
        headers: &[(header::HeaderName, String)],
        body: Option<String>,
    ) -> Result<(StatusCode, Bytes)> {
        let mut req = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(header::HOST, self.target.host.clone());
        for (name, value) in headers {
            req = req.header(name, value);
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
        let sender = self.sender().await?;
        sender.ready().await?;
        let resp = match sender.send_request(req).await {
            Ok(resp) => resp,
            Err(e) => {
                // The connection is gone; the next request makes a new one.
                self.sender = None;
                return Err(e.into());
            }
        };
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}
