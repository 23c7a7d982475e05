//! What `threatdb api` prints: status lines and headers (`--include`), bodies, and the verdict.

use super::http::Page;
use anyhow::{Result, anyhow};
use serde_json::Value;
use std::io::{self, IsTerminal, Write};

/// Standard output, pretty-printing JSON when it is a terminal.
pub struct Output {
    include: bool,
    pretty: bool,
}

impl Output {
    /// `include`: print each answer's status line and headers.
    pub fn new(include: bool) -> Self {
        Output {
            include,
            pretty: io::stdout().is_terminal(),
        }
    }

    /// The status line and headers of `page`, with `--include`; then a blank line.
    pub fn head(&self, page: &Page) -> Result<()> {
        if !self.include {
            return Ok(());
        }
        let mut text = format!("{:?} {}\n", page.version, page.status);
        for (name, value) in &page.headers {
            text.push_str(&title_case(name.as_str()));
            text.push_str(": ");
            text.push_str(&String::from_utf8_lossy(value.as_bytes()));
            text.push('\n');
        }
        text.push('\n');
        write(text.as_bytes())
    }

    /// A body as received: pretty JSON on a terminal, the bytes themselves otherwise.
    pub fn body(&self, body: &[u8]) -> Result<()> {
        if self.pretty {
            if let Ok(value) = serde_json::from_slice::<Value>(body) {
                return self.value(&value);
            }
            if !body.is_empty() && !body.ends_with(b"\n") {
                write(body)?;
                return write(b"\n");
            }
        }
        write(body)
    }

    /// A JSON value this command made (a merged listing): pretty on a terminal, one line
    /// otherwise.
    pub fn value(&self, value: &Value) -> Result<()> {
        let mut text = if self.pretty {
            serde_json::to_string_pretty(value)?
        } else {
            serde_json::to_string(value)?
        };
        text.push('\n');
        write(text.as_bytes())
    }
}

/// `Err` with `{status}: {message}` when `page` is not a success: a status outside 2xx, or a
/// ThreatConnect `{"status":"Failure"}` envelope. The message is the envelope's, else the
/// status's reason.
pub fn verdict(page: &Page) -> Result<()> {
    let json = serde_json::from_slice::<Value>(&page.body).ok();
    let field = |name: &str| json.as_ref().and_then(|j| j.get(name)?.as_str());
    let failure = field("status").is_some_and(|s| s.eq_ignore_ascii_case("Failure"));
    if page.status.is_success() && !failure {
        return Ok(());
    }
    let message = field("message")
        .or(page.status.canonical_reason())
        .unwrap_or("no message");
    Err(anyhow!("{}: {message}", page.status.as_u16()))
}

/// `content-type` → `Content-Type`.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn write(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        // A closed pipe (`| head`) only means nobody reads the rest; the exit status still
        // tells the answer.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn page(status: u16, body: &str) -> Page {
        Page {
            url: reqwest::Url::parse("http://h/api/v2/owners").expect("url"),
            version: reqwest::Version::HTTP_11,
            status: StatusCode::from_u16(status).expect("status"),
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn failures_carry_the_servers_message() {
        assert!(verdict(&page(200, r#"{"status":"Success"}"#)).is_ok());
        assert!(verdict(&page(204, "")).is_ok());
        let e = verdict(&page(
            404,
            r#"{"status":"Failure","message":"Incident not found"}"#,
        ));
        assert_eq!(e.expect_err("fails").to_string(), "404: Incident not found");
        let e = verdict(&page(200, r#"{"status":"Failure","message":"odd"}"#));
        assert_eq!(e.expect_err("fails").to_string(), "200: odd");
        let e = verdict(&page(502, "<html>"));
        assert_eq!(e.expect_err("fails").to_string(), "502: Bad Gateway");
    }

    #[test]
    fn header_names_are_title_cased() {
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("x-request-id"), "X-Request-Id");
    }
}
