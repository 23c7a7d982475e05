//! A small W3C WebDriver client for Debian's `chromedriver` and headless `chromium`: just the
//! commands the end-to-end tests use, over plain HTTP on 127.0.0.1 (no TLS, no extra crates).
//!
//! The tests that drive it are ignored by default (`#[ignore = "needs chromium …"]`); asked for
//! with `--include-ignored` (as `.ci/run` does, after installing both) they fail without them.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session, ended (and its driver stopped) on drop.
pub struct Browser {
    driver: Child,
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`.
    session: String,
    port: u16,
    ended: bool,
    _profile: tempfile::TempDir,
}

/// An element of the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

/// Checks that the browser tests can run here. Panics naming what is missing: a browser test
/// is ignored unless asked for (`--include-ignored`), and once asked for it never passes
/// without a browser.
pub fn available() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "{} missing: the browser tests need Debian's chromium and chromium-driver \
         (apt-get install chromium chromium-driver; .ci/run installs them)",
        missing.join(" and ")
    );
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium (its own profile directory).
    pub async fn start(width: u32, height: u32) -> Browser {
        Self::start_with(width, height, &[]).await
    }

    /// Like [`Browser::start`], with more Chromium flags.
    pub async fn start_with(width: u32, height: u32, flags: &[&str]) -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        // chromedriver has no "ready" signal of its own: ask its status until it answers.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http.get(format!("{base}/status")).send().await;
            if let Ok(r) = ready {
                let v: Value = r.json().await.unwrap_or(Value::Null);
                if v["value"]["ready"] == true {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ]
        .into_iter()
        .chain(flags.iter().map(|f| f.to_string()))
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_string();
        Browser {
            driver,
            http,
            session: format!("{base}/session/{session}"),
            port,
            ended: false,
            _profile: profile,
        }
    }

    /// One WebDriver command: its value, or the error the driver answered.
    async fn try_call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Value> {
        let url = format!("{}{path}", self.session);
        let req = self.http.request(method.parse().unwrap(), &url);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if v["value"]["error"].is_string() {
            return Err(v["value"].clone());
        }
        Ok(v["value"].clone())
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body.clone())
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    /// Runs `script` in the page as an asynchronous WebDriver script (its last argument is the
    /// callback that ends it); what it passed to the callback.
    pub async fn execute_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Opens a URL and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url }))).await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.call("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The page's title.
    pub async fn title(&self) -> String {
        self.call("GET", "/title", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The page's HTML as the browser has it.
    pub async fn source(&self) -> String {
        self.call("GET", "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn find_by(&self, using: &str, value: &str) -> Element {
        let v = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": using, "value": value})),
            )
            .await;
        match v[ELEMENT].as_str() {
            Some(id) => Element(id.to_string()),
            None => panic!("no element {value:?}: {v}"),
        }
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        self.find_by("css selector", css).await
    }

    /// How many elements match a CSS selector.
    pub async fn count(&self, css: &str) -> usize {
        self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .unwrap()
        .len()
    }

    /// Clicks an element (a link or a submit button: waits for the next page).
    pub async fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/click", e.0), Some(json!({})))
            .await;
    }

    /// Clicks the first element matching a CSS selector (one that does not leave the page).
    pub async fn click_css(&self, css: &str) {
        let e = self.find(css).await;
        self.click(&e).await;
    }

    /// Clicks a link or submit button matching `css` and waits until the next page has replaced
    /// this one (a click may return before the navigation it starts).
    pub async fn follow(&self, css: &str) {
        let old = self.find("html").await;
        let e = self.find(css).await;
        self.click(&e).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match self
                .try_call("GET", &format!("/element/{}/name", old.0), None)
                .await
            {
                // The old page's element is gone: the next page has replaced it.
                Err(e)
                    if e["error"] == "stale element reference"
                        || e["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("does not belong to the document")) =>
                {
                    break;
                }
                Err(e) => panic!("waiting for the next page: {e}"),
                Ok(_) => {}
            }
            assert!(
                Instant::now() < deadline,
                "{css} did not lead to another page"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Replaces the text of an input or textarea.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call("POST", &format!("/element/{}/clear", e.0), Some(json!({})))
            .await;
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Chooses the option showing `text` in the select `css`.
    pub async fn select(&self, css: &str, text: &str) {
        let select = self.find(css).await;
        let option = self
            .call(
                "POST",
                &format!("/element/{}/element", select.0),
                Some(json!({
                    "using": "xpath",
                    "value": format!("./option[normalize-space(.)='{text}']"),
                })),
            )
            .await;
        let option = Element(option[ELEMENT].as_str().unwrap().to_string());
        self.click(&option).await;
    }

    /// An element's visible text.
    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.call("GET", &format!("/element/{}/text", e.0), None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let b64 = self.call("GET", "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap()
    }

    /// Ends the session (closing Chromium) and stops the driver.
    pub async fn quit(mut self) {
        let _ = self.http.delete(&self.session).send().await;
        self.ended = true;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.ended {
            // Drop cannot await: end the session with one plain blocking request, so Chromium
            // closes rather than outliving a failed test.
            use std::io::{Read, Write};
            let path = self
                .session
                .split_once(&format!(":{}", self.port))
                .map(|(_, p)| p.to_string());
            if let (Some(path), Ok(mut tcp)) =
                (path, std::net::TcpStream::connect(("127.0.0.1", self.port)))
            {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let _ = write!(
                    tcp,
                    "DELETE {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    self.port
                );
                let _ = tcp.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
