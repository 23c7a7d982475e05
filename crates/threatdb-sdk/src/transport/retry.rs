//! Sending with retries: a connection error, a timeout (not for POST) or a 503/429 answer is
//! tried again after a doubling wait or the server's `Retry-After`.

use super::{MAX_RETRY_AFTER, Transport};
use crate::error::{Error, Result};
use crate::read;
use crate::request::ApiRequest;
use std::time::Duration;

/// An answer: status and body.
struct Reply {
    status: u16,
    body: Vec<u8>,
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

impl Transport {
    /// Sends `req` (with `createActivityLog`), retrying as configured; any status comes back.
    async fn send(&self, req: ApiRequest) -> Result<Reply> {
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
