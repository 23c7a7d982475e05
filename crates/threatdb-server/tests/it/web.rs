//! The web UI through HTTP, as a browser without JavaScript uses it: cookies, forms, redirects.
//! Every page: status codes, escaping of hostile input, CSRF rejection, and the authorization
//! policy (another owner's incident is a 404 page, exactly as in the API).

mod account;
mod auth;
mod csrf;
mod dashboard;
mod docs;
mod graph;
mod history;
mod incident;
mod list;
mod object;
mod search;

use crate::helpers::{Creds, TestApp};
use std::collections::BTreeMap;
use threatdb_server::provision::create_web_login;

/// What came back for a page.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.header("location")
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let start = self
            .body
            .find(r#"name="csrf" value=""#)
            .unwrap_or_else(|| panic!("no csrf field in {}", self.body))
            + r#"name="csrf" value=""#.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }

    /// Asserts an HTML page with this status and the web UI's security headers.
    #[track_caller]
    pub fn assert_page(&self, status: u16) {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert_eq!(self.header("content-type"), "text/html; charset=utf-8");
        assert!(
            self.header("content-security-policy")
                .starts_with("default-src 'self'; script-src 'none'"),
            "CSP: {:?}",
            self.headers
        );
        assert_eq!(self.header("x-content-type-options"), "nosniff");
        assert_eq!(self.header("cache-control"), "no-store");
        assert!(!self.body.contains("<script"), "no script in pages");
        assert!(!self.body.contains("style="), "no inline style in pages");
    }

    /// Asserts a 303 redirect to `to`.
    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(self.status, 303, "status; body: {}", self.body);
        assert_eq!(self.location(), to);
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.body.contains(needle),
            "page should contain {needle:?}:\n{}",
            self.body
        );
    }
}

/// A cookie jar and a client that does not follow redirects.
pub struct Browser {
    origin: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            origin: app.origin.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = req.header("Accept", "text/html");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("Cookie", cookie)
        };
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        for set in headers.get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let (pair, attrs) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let body = resp.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.origin));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = self
            .client
            .post(format!("{}{path}", self.origin))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Signs in (the sign-in page, then its form); panics unless it works.
    pub async fn signed_in(app: &TestApp, login: &str, password: &str) -> Browser {
        let mut b = Browser::new(app);
        let (status, _) = b.try_sign_in(login, password).await;
        assert_eq!(status, 303, "sign-in as {login}");
        b
    }

    /// Fills in the sign-in form; the status and the sign-in page's body.
    pub async fn try_sign_in(&mut self, login: &str, password: &str) -> (u16, String) {
        let form = self.get("/signin").await;
        form.assert_page(200);
        let csrf = form.csrf();
        let page = self
            .post(
                "/signin",
                &[
                    ("csrf", &csrf),
                    ("login", login),
                    ("password", password),
                    ("next", "/incidents"),
                ],
            )
            .await;
        (page.status, page.body)
    }

    /// The session's CSRF token (from the list page's sign-out form).
    pub async fn csrf(&mut self) -> String {
        self.get("/incidents").await.csrf()
    }
}

/// The admin, signed in (its login comes from the bootstrap).
pub async fn admin(app: &TestApp) -> Browser {
    Browser::signed_in(app, "admin", &app.web_password).await
}

/// Gives an API user of the fixture a web login; returns a browser signed in as it.
pub async fn person(app: &TestApp, who: &Creds, login: &str) -> Browser {
    let password = format!("pw-{login}-0123456789");
    create_web_login(app.admin_store.as_ref(), &who.access_id, login, &password)
        .await
        .unwrap();
    Browser::signed_in(app, login, &password).await
}
