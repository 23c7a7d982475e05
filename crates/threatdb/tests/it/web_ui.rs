//! The web UI end to end: a real `threatdb serve` and a real headless Chromium. A newcomer signs
//! in with the password the first start printed, creates an incident with an attribute, a tag
//! and a TLP:GREEN label, finds it through the filters, opens it from the `webLink` the API
//! returned, changes its status and deletes it. Screenshots of the list and the incident page
//! are written to the target directory (and to `docs/screenshots/` with
//! `THREATDB_UPDATE_SCREENSHOTS=1`).

use crate::node::{Creds, call, credentials, start};
use crate::webdriver::{Browser, available};
use std::path::{Path, PathBuf};
use threatdb_store_pg::testing::{TestDatabase, server_url};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The web login the first start saved in `web-credentials.txt`.
pub(crate) fn web_credentials(data: &Path) -> (String, String) {
    let text = std::fs::read_to_string(data.join("web-credentials.txt")).unwrap();
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap()
            .to_string()
    };
    (get("THREATDB_WEB_LOGIN"), get("THREATDB_WEB_PASSWORD"))
}

fn save_screenshot(name: &str, png: &[u8]) {
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
    if std::env::var("THREATDB_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join(name), png).unwrap();
    }
}

/// A few incidents, so the list looks like a working day.
async fn seed(client: &reqwest::Client, origin: &str, creds: &Creds) {
    let incidents = [
        (
            "Suspicious VPN logins from a new ASN",
            "2024-08-01T06:40:00Z",
            "Stalled",
            &["VPN"][..],
            Some("TLP:CLEAR"),
        ),
        (
            "Ransomware on file server FS-02",
            "2024-05-21T22:10:00Z",
            "Closed",
            &["Ransomware", "LockBit"][..],
            Some("TLP:RED"),
        ),
        (
            "APT29 credential harvesting via OAuth consent",
            "2024-06-02",
            "Containment Achieved",
            &["APT29", "Nation State"][..],
            Some("TLP:AMBER"),
        ),
        (
            "Typosquatted domain imitating the payroll portal",
            "2024-07-30",
            "Open",
            &["Phishing"][..],
            Some("TLP:GREEN"),
        ),
        (
            "Exposed S3 bucket with build artifacts",
            "2024-04-11",
            "Restoration Achieved",
            &["Cloud"][..],
            None,
        ),
        (
            "Malicious macro attachments, wave 3",
            "2024-07-02T13:05:00Z",
            "Incident Reported",
            &["Phishing", "Emotet"][..],
            Some("TLP:AMBER+STRICT"),
        ),
    ];
    for (name, date, status, tags, label) in incidents {
        let body = serde_json::json!({"name": name, "eventDate": date, "status": status});
        let (s, json) = call(
            client,
            origin,
            creds,
            "POST",
            "/v2/groups/incidents",
            Some(body.to_string()),
        )
        .await
        .unwrap();
        assert_eq!(s, 201, "{json}");
        let id = json["data"]["incident"]["id"].as_i64().unwrap();
        for tag in tags {
            let tag = tag.replace(' ', "%20");
            let (s, _) = call(
                client,
                origin,
                creds,
                "POST",
                &format!("/v2/groups/incidents/{id}/tags/{tag}"),
                None,
            )
            .await
            .unwrap();
            assert_eq!(s, 201);
        }
        if let Some(label) = label {
            let label = label.replace(':', "%3A").replace('+', "%2B");
            let (s, _) = call(
                client,
                origin,
                creds,
                "POST",
                &format!("/v2/groups/incidents/{id}/securityLabels/{label}"),
                None,
            )
            .await
            .unwrap();
            assert_eq!(s, 201);
        }
    }
    // The typosquatting incident's domain and the APT29 incident's adversary, associated.
    let incident_named = |name: &'static str| async move {
        let q: String =
            form_urlencoded::byte_serialize(format!("name={name}").as_bytes()).collect();
        let (_, json) = call(
            client,
            origin,
            creds,
            "GET",
            &format!("/v2/groups/incidents?filters={q}"),
            None,
        )
        .await
        .unwrap();
        json["data"]["incident"][0]["id"].as_i64().unwrap()
    };
    let typo = incident_named("Typosquatted domain imitating the payroll portal").await;
    let apt = incident_named("APT29 credential harvesting via OAuth consent").await;
    let adversary = r#"{"name":"APT29 (Cozy Bear)"}"#.to_string();
    let writes = [
        ("POST", "/v2/indicators/hosts".to_string(), Some(r#"{"hostName":"payro11-portal.example","rating":4,"confidence":85}"#.to_string())),
        ("POST", "/v2/indicators/hosts/payro11-portal.example/attributes".to_string(), Some(r#"{"type":"Description","value":"Registered two days before the first phishing mail; resolves to a bulletproof host."}"#.to_string())),
        ("POST", "/v2/indicators/hosts/payro11-portal.example/tags/Phishing".to_string(), None),
        ("POST", format!("/v2/groups/incidents/{typo}/indicators/hosts/payro11-portal.example"), None),
        ("POST", "/v2/groups/adversaries".to_string(), Some(adversary)),
        ("POST", "/v2/indicators/addresses".to_string(), Some(r#"{"ip":"203.0.113.77"}"#.to_string())),
        ("POST", format!("/v2/groups/incidents/{apt}/indicators/addresses/203.0.113.77"), None),
    ];
    let mut adversary_id = 0;
    for (method, path, body) in writes {
        let (s, json) = call(client, origin, creds, method, &path, body)
            .await
            .unwrap();
        assert!(s < 300, "{path}: {json}");
        if let Some(id) = json["data"]["adversary"]["id"].as_i64() {
            adversary_id = id;
        }
    }
    let path = format!("/v2/groups/incidents/{apt}/groups/adversaries/{adversary_id}");
    let (s, json) = call(client, origin, creds, "POST", &path, None)
        .await
        .unwrap();
    assert!(s < 300, "{path}: {json}");
}

/// A server on a fresh data directory, seeded, with its API and web credentials.
struct Seeded {
    _dir: tempfile::TempDir,
    node: crate::node::Node,
    origin: String,
    api: Creds,
    login: String,
    password: String,
    client: reqwest::Client,
}

async fn seeded() -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = start(&data, None, KEY);
    let origin = node.origin.clone();
    let api = credentials(&data);
    let (login, password) = web_credentials(&data);
    let client = reqwest::Client::new();
    seed(&client, &origin, &api).await;
    Seeded {
        _dir: dir,
        node,
        origin,
        api,
        login,
        password,
        client,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver, run with --include-ignored (README, Tests)"]
async fn browser_signs_in_creates_finds_edits_and_deletes_an_incident() {
    available();
    let Seeded {
        _dir,
        node: _node,
        origin,
        api,
        login,
        password,
        client,
    } = seeded().await;
    assert_eq!(login, "admin");

    let b = Browser::start(1360, 1000).await;

    // Signing in: a page that needs a session sends the person to the sign-in form and back.
    b.goto(&format!("{origin}/incidents")).await;
    assert!(b.url().await.ends_with("/signin"), "{}", b.url().await);
    b.fill("#login", &login).await;
    b.fill("#password", "not the password").await;
    b.follow("form button.primary").await;
    assert!(b.source().await.contains("Wrong login name or password."));
    b.fill("#login", &login).await;
    b.fill("#password", &password).await;
    b.follow("form button.primary").await;
    assert_eq!(b.url().await, format!("{origin}/incidents"));
    assert_eq!(
        b.title().await,
        "Incidents in Example Organization · threatdb"
    );
    assert_eq!(b.count("table.grid tbody tr").await, 6);

    // Create an incident through the form...
    b.follow("a.button.primary[href='/incidents/new']").await;
    b.fill("#name", "Credential phishing against the finance team")
        .await;
    b.fill("#eventDate", "2024-08-14T09:30:00Z").await;
    b.select("#status", "Open").await;
    b.follow("form.stacked button.primary").await;
    let page = b.url().await;
    let id: i64 = page
        .strip_prefix(&format!("{origin}/incidents/"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an incident page: {page}"));
    assert_eq!(
        b.text("h1").await,
        "Credential phishing against the finance team"
    );

    // ... with an attribute, a tag and a TLP:GREEN label.
    b.click_css("#attributes details summary").await;
    b.select("#attr-type", "Description").await;
    b.fill(
        "#attr-value",
        "Lookalike sign-in page for the payroll portal, sent to 14 people in finance.\n3 entered their password before the domain was blocked.",
    )
    .await;
    b.click_css("#attributes input[name='displayed']").await;
    b.follow("#attributes form button[type='submit']:not(.linkish)")
        .await;
    b.click_css("#attributes details summary").await;
    b.select("#attr-type", "Source").await;
    b.fill(
        "#attr-value",
        "Reported by the mail gateway, ticket SEC-4411",
    )
    .await;
    b.follow("#attributes form button[type='submit']:not(.linkish)")
        .await;
    for tag in ["Phishing", "Finance"] {
        b.fill("#add-tag", tag).await;
        b.follow("#tags .row-form button").await;
    }
    b.select("#add-label", "TLP:GREEN").await;
    b.follow("#labels .row-form button").await;
    let html = b.source().await;
    assert!(html.contains(r#"<span class="badge tlp-green""#), "{html}");
    assert!(html.contains(r#"<a class="tag" href="/tags/Phishing">Phishing</a>"#));
    let description = html.find("<h3>Description</h3>").unwrap();
    assert!(
        description < html.find("<h3>Source</h3>").unwrap(),
        "Description first"
    );

    // Find it through the filters.
    b.follow("nav.main-nav a[href='/incidents']").await;
    b.fill("#f-q", "FINANCE TEAM").await;
    b.fill("#f-tag", "phishing").await;
    b.select("#f-label", "TLP:GREEN").await;
    b.select("#f-status", "Open").await;
    b.follow("form.filters button.primary").await;
    let url = b.url().await;
    for part in [
        "q=FINANCE+TEAM",
        "tag=phishing",
        "label=TLP%3AGREEN",
        "status=Open",
    ] {
        assert!(url.contains(part), "the filters are in the URL: {url}");
    }
    assert_eq!(b.count("table.grid tbody tr").await, 1);
    assert_eq!(
        b.text("table.grid tbody td.name").await,
        "Credential phishing against the finance team"
    );
    // The shared link shows the same view in a fresh load.
    b.goto(&url).await;
    assert_eq!(b.count("table.grid tbody tr").await, 1);
    b.goto(&format!("{origin}/incidents")).await;
    save_screenshot("incidents.png", &b.screenshot().await);

    // Open it from the webLink the API returned.
    let (status, json) = call(
        &client,
        &origin,
        &api,
        "GET",
        &format!("/v2/groups/incidents/{id}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    let link = json["data"]["incident"]["webLink"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(link, format!("{origin}/incidents/{id}"));
    b.goto(&link).await;
    assert_eq!(
        b.text("h1").await,
        "Credential phishing against the finance team"
    );
    save_screenshot("incident.png", &b.screenshot().await);

    // Change its status.
    let first_status = b.text(".incident-head .status").await;
    b.click_css("#details details summary").await;
    b.select("#edit-status", "Containment Achieved").await;
    b.follow("#details form button[type='submit']").await;
    assert_eq!(
        b.text(".incident-head .status").await,
        "Containment Achieved"
    );
    let (_, json) = call(
        &client,
        &origin,
        &api,
        "GET",
        &format!("/v2/groups/incidents/{id}?includeAdditional=true"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(json["data"]["incident"]["status"], "Containment Achieved");

    // The History tab shows the change as a diff; Undo puts the status back (and says so).
    b.follow("nav.tabs a[href$='/history']").await;
    assert!(b.url().await.ends_with(&format!("/incidents/{id}/history")));
    assert_eq!(
        b.text("table.history tbody tr:first-child .diff ins").await,
        "Containment Achieved"
    );
    save_screenshot("history.png", &b.screenshot().await);
    b.follow("table.history tbody tr:first-child form button")
        .await;
    assert!(b.source().await.contains("Undone"));
    assert_eq!(
        b.text("table.history tbody tr:first-child .diff del").await,
        "Containment Achieved"
    );
    b.follow(
        "nav.tabs a[href$='/incidents/{id}']"
            .replace("{id}", &id.to_string())
            .as_str(),
    )
    .await;
    assert_eq!(b.text(".incident-head .status").await, first_status);

    // Delete it, after the confirmation page.
    b.follow(".danger-zone a.button.danger").await;
    assert!(b.url().await.ends_with(&format!("/incidents/{id}/delete")));
    b.follow("form button.danger").await;
    assert!(
        b.source()
            .await
            .contains(&format!("Incident {id} was deleted."))
    );
    let (status, _) = call(
        &client,
        &origin,
        &api,
        "GET",
        &format!("/v2/groups/incidents/{id}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 404);
    b.goto(&link).await;
    assert!(b.source().await.contains("Not found"));

    // Restore it from the Deleted page: back with its id and status.
    b.goto(&format!("{origin}/deleted")).await;
    assert!(
        b.source()
            .await
            .contains("Credential phishing against the finance team")
    );
    save_screenshot("deleted.png", &b.screenshot().await);
    b.follow(&format!("form[action='/deleted/{id}/restore'] button"))
        .await;
    assert!(
        b.source()
            .await
            .contains(&format!("Incident {id} was restored."))
    );
    b.goto(&link).await;
    assert_eq!(b.text(".incident-head .status").await, first_status);

    // The account page, from the login in the header: a token made there works in the API.
    b.goto(&format!("{origin}/incidents")).await;
    b.follow("a.who").await;
    assert!(b.url().await.ends_with("/account"));
    b.follow("form[action='/account/tokens'] button").await;
    let token = b.text("#new-token").await;
    let status = client
        .get(format!("{origin}/api/v2/owners"))
        .header("Authorization", format!("TC-Token {token}"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    save_screenshot("account.png", &b.screenshot().await);

    // The dashboard: a status bar leads to the list it counts.
    b.goto(&format!("{origin}/")).await;
    assert!(b.text("h1").await.starts_with("Dashboard"));
    save_screenshot("dashboard.png", &b.screenshot().await);
    b.follow("#chart-statuses + svg a").await;
    assert!(b.url().await.contains("status="), "{}", b.url().await);

    // An indicator's page, where its webLink points: its incident is one click away, and the
    // incident's page links back to it.
    b.goto(&format!("{origin}/indicators/hosts/payro11-portal.example"))
        .await;
    assert_eq!(b.text("h1").await, "payro11-portal.example");
    save_screenshot("indicator.png", &b.screenshot().await);
    b.follow("#associations td.name a").await;
    assert_eq!(
        b.text("h1").await,
        "Typosquatted domain imitating the payroll portal"
    );
    b.follow("#associations td.name a").await;
    assert!(
        b.url()
            .await
            .ends_with("/indicators/hosts/payro11-portal.example")
    );

    // Search from the box on every page: an IP (as an analyst pastes it, with spaces) opens
    // its indicator, whose association leads to the incident; words find an attribute.
    b.fill("#nav-search", " 203.0.113.77 \u{E007}").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !b
        .url()
        .await
        .ends_with("/indicators/addresses/203.0.113.77")
    {
        assert!(std::time::Instant::now() < deadline, "{}", b.url().await);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(b.text("h1").await, "203.0.113.77");
    b.follow("#associations td.name a").await;
    assert_eq!(
        b.text("h1").await,
        "APT29 credential harvesting via OAuth consent"
    );
    // Its neighbourhood: the drawing's nodes are links; the adversary's leads to its page.
    b.execute_async("document.getElementById('graph').scrollIntoView(); arguments[0](true)")
        .await;
    save_screenshot("graph.png", &b.screenshot().await);
    b.follow("#graph a.node-link[href^='/adversaries/']").await;
    assert_eq!(b.text("h1").await, "APT29 (Cozy Bear)");
    b.goto(&format!("{origin}/search?q=bulletproof+host")).await;
    assert_eq!(b.text("ol.hits mark").await, "bulletproof");
    save_screenshot("search.png", &b.screenshot().await);
    b.follow("ol.hits li a").await;
    assert!(
        b.url()
            .await
            .ends_with("/indicators/hosts/payro11-portal.example")
    );

    // Sign out: back to the sign-in page, and the incidents need a session again.
    b.goto(&format!("{origin}/incidents")).await;
    b.follow("form.signout button").await;
    assert!(b.url().await.ends_with("/signin"));
    b.goto(&format!("{origin}/incidents")).await;
    assert!(b.url().await.ends_with("/signin"));
    b.quit().await;
}

/// A session made on one node is good on another (same database, same master key): nothing
/// about sessions lives in a node's memory. Plain HTTP, no browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: THREATDB_TEST_PG_URL, run with --include-ignored (README, Tests)"]
async fn a_session_works_on_every_node() {
    let server = server_url();
    let db = TestDatabase::create(&server).await;
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start(d1.path(), Some(&db.url), KEY);
    let b = start(d2.path(), Some(&db.url), KEY);
    let (login, password) = web_credentials(d1.path());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = http
        .get(format!("{}/signin", a.origin))
        .send()
        .await
        .unwrap();
    let signin_cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = form.text().await.unwrap();
    let csrf = body
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let signed = http
        .post(format!("{}/signin", a.origin))
        .header("Cookie", &signin_cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&login={login}&password={password}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let session = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("threatdb_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    for node in [&a, &b] {
        let page = http
            .get(format!("{}/incidents", node.origin))
            .header("Cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "on {}", node.origin);
    }
    // Signing out on one node ends the session on both.
    let list = http
        .get(format!("{}/incidents", b.origin))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap();
    let body = list.text().await.unwrap();
    let csrf = body
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let out = http
        .post(format!("{}/signout", b.origin))
        .header("Cookie", &session)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let after = http
        .get(format!("{}/incidents", a.origin))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "signed out everywhere");
    drop((a, b));
    db.drop_db().await;
}

/// Signs in over plain HTTP; the status of the sign-in post.
pub(crate) async fn sign_in_status(origin: &str, login: &str, password: &str) -> u16 {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = http.get(format!("{origin}/signin")).send().await.unwrap();
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = form.text().await.unwrap();
    let csrf = body
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let q = form_urlencoded_pairs(&[("csrf", &csrf), ("login", login), ("password", password)]);
    http.post(format!("{origin}/signin"))
        .header("Cookie", cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(q)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn form_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn admin(data: &Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .arg("admin")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("THREATDB_MASTER_KEY", KEY)
        .env_remove("THREATDB_DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `threatdb admin user create --web` makes a person who can sign in, with a chosen password
/// (`--password-stdin`) or a generated one (printed once); `admin user password` replaces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_make_web_logins() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = start(&data, None, KEY);
    let create = |login: &'static str| {
        [
            "user",
            "create",
            "--name",
            "Ana Lyst",
            "--org",
            "Example Organization",
            "--role",
            "read",
            "--web",
            "--login",
            login,
        ]
    };
    let mut chosen = create("ana").to_vec();
    chosen.push("--password-stdin");
    let (ok, out, err) = admin(&data, &chosen, Some("a long chosen password\n"));
    assert!(ok, "{err}");
    assert!(
        out.contains("TC_API_ACCESS_ID=") && out.contains("THREATDB_WEB_LOGIN=ana"),
        "{out}"
    );
    assert!(
        !out.contains("THREATDB_WEB_PASSWORD"),
        "a chosen password is not printed"
    );
    assert_eq!(
        sign_in_status(&node.origin, "ana", "a long chosen password").await,
        303
    );
    assert_eq!(
        sign_in_status(&node.origin, "ana", "wrong password").await,
        401
    );

    let (ok, out, err) = admin(&data, &create("bob"), None);
    assert!(ok, "{err}");
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("THREATDB_WEB_PASSWORD="))
        .unwrap_or_else(|| panic!("a generated password is printed: {out}"))
        .to_string();
    assert_eq!(sign_in_status(&node.origin, "BOB", &generated).await, 303);

    // Refused before anything is made: a taken login, a short password, --web without --login.
    let (ok, _, err) = admin(&data, &create("Ana"), None);
    assert!(!ok && err.contains("is taken"), "{err}");
    let mut short = create("carl").to_vec();
    short.push("--password-stdin");
    let (ok, _, err) = admin(&data, &short, Some("short\n"));
    assert!(!ok && err.contains("at least 10 characters"), "{err}");
    let (ok, _, err) = admin(
        &data,
        &[
            "user",
            "create",
            "--name",
            "X",
            "--org",
            "Example Organization",
            "--web",
        ],
        None,
    );
    assert!(!ok && err.contains("--web needs --login"), "{err}");

    // A new password; the old one stops working.
    let (ok, out, err) = admin(&data, &["user", "password", "--login", "ana"], None);
    assert!(ok, "{err}");
    let new = out
        .lines()
        .find_map(|l| l.strip_prefix("THREATDB_WEB_PASSWORD="))
        .unwrap()
        .to_string();
    assert_eq!(sign_in_status(&node.origin, "ana", &new).await, 303);
    assert_eq!(
        sign_in_status(&node.origin, "ana", "a long chosen password").await,
        401
    );
    // A disabled user cannot sign in, even with the right password, and can again once enabled.
    let (ok, _, err) = admin(&data, &["user", "disable", "ana"], None);
    assert!(ok, "{err}");
    assert_eq!(sign_in_status(&node.origin, "ana", &new).await, 401);
    let (ok, _, err) = admin(&data, &["user", "enable", "ana"], None);
    assert!(ok, "{err}");
    assert_eq!(sign_in_status(&node.origin, "ana", &new).await, 303);
    // `admin user web`: an API user without a login gets one; one login per user.
    let api = credentials(&data);
    let (ok, _, err) = admin(
        &data,
        &[
            "user",
            "web",
            "--access-id",
            &api.access_id,
            "--login",
            "root",
        ],
        None,
    );
    assert!(!ok && err.contains("signs in as 'admin' already"), "{err}");
    let (ok, out, err) = admin(
        &data,
        &[
            "user",
            "create",
            "--name",
            "API only",
            "--org",
            "Example Organization",
        ],
        None,
    );
    assert!(ok, "{err}");
    let access_id = out
        .lines()
        .find_map(|l| l.strip_prefix("TC_API_ACCESS_ID="))
        .unwrap()
        .to_string();
    let (ok, out, err) = admin(
        &data,
        &["user", "web", "--access-id", &access_id, "--login", "dora"],
        None,
    );
    assert!(ok, "{err}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("THREATDB_WEB_PASSWORD="))
        .unwrap()
        .to_string();
    assert_eq!(sign_in_status(&node.origin, "dora", &password).await, 303);

    let (ok, _, err) = admin(&data, &["user", "password", "--login", "nobody"], None);
    assert!(
        !ok && err.contains("no web login is named 'nobody'"),
        "{err}"
    );
}

/// The axe-core release the accessibility test runs (from the npm registry).
const AXE_CORE: &str = "axe-core@4.10.2";

/// axe-core's script, installed with npm once under the target directory.
fn axe_source() -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("npm-{AXE_CORE}"));
    let script = dir.join("node_modules/axe-core/axe.min.js");
    if !script.exists() {
        let out = std::process::Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&dir)
            .arg(AXE_CORE)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "could not run npm ({e}): the accessibility test needs npm and the npm registry"
                )
            });
        assert!(
            out.status.success(),
            "npm install {AXE_CORE} failed (the accessibility test needs npm and the npm registry): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::read_to_string(&script).unwrap()
}

/// The serious and critical violations axe-core finds on the browser's page.
async fn axe_violations(b: &Browser, axe: &str) -> Vec<String> {
    let script = format!(
        "const done = arguments[arguments.length - 1];\n{axe}\n\
         axe.run(document)\
           .then(r => done(JSON.stringify({{ passed: r.passes.length, violations: r.violations\
             .filter(v => v.impact === 'serious' || v.impact === 'critical')\
             .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + \
               v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')) }})))\
           .catch(e => done(JSON.stringify({{ passed: 0, violations: ['axe failed: ' + e] }})));"
    );
    let found = b.execute_async(&script).await;
    let found: serde_json::Value = serde_json::from_str(
        found
            .as_str()
            .unwrap_or_else(|| panic!("axe answered {found}")),
    )
    .unwrap();
    // axe ran its rules here (a page it could not check would pass nothing).
    assert!(found["passed"].as_u64().unwrap() > 5, "{found}");
    found["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Every page type, checked by axe-core in the browser (WCAG rules: labels, contrast, names,
/// landmarks...), in the light and the dark theme: no serious or critical violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium, chromium-driver and npm (axe-core from the npm registry), run with --include-ignored (README, Tests)"]
async fn every_page_type_passes_axe_core() {
    available();
    let axe = axe_source();
    let Seeded {
        _dir,
        node: _node,
        origin,
        api,
        login,
        password,
        client,
    } = seeded().await;
    let (_, json) = call(&client, &origin, &api, "GET", "/v2/groups/incidents", None)
        .await
        .unwrap();
    let id = json["data"]["incident"][0]["id"].as_i64().unwrap();
    let (_, json) = call(
        &client,
        &origin,
        &api,
        "GET",
        "/v2/groups/adversaries",
        None,
    )
    .await
    .unwrap();
    let adversary = json["data"]["adversary"][0]["id"].as_i64().unwrap();

    let mut failures = Vec::new();
    for (theme, flags) in [
        ("light", &[][..]),
        // Blink's preferred colour scheme 0 is dark: `prefers-color-scheme: dark` matches.
        ("dark", &["--blink-settings=preferredColorScheme=0"][..]),
    ] {
        let found = axe_every_page(&origin, &login, &password, (id, adversary), &axe, flags).await;
        failures.extend(found.into_iter().map(|f| format!("{theme} {f}")));
    }
    assert!(failures.is_empty(), "axe-core:\n{}", failures.join("\n"));
}

/// axe-core's findings on every page type, signed in as `login`.
async fn axe_every_page(
    origin: &str,
    login: &str,
    password: &str,
    (id, adversary): (i64, i64),
    axe: &str,
    flags: &[&str],
) -> Vec<String> {
    let b = Browser::start_with(1360, 1000, flags).await;
    let mut failures = Vec::new();
    b.goto(&format!("{origin}/signin")).await;
    let dark: bool = b
        .execute_async("arguments[0](window.matchMedia('(prefers-color-scheme: dark)').matches)")
        .await
        .as_bool()
        .unwrap();
    assert_eq!(dark, !flags.is_empty(), "the theme asked for");
    failures.extend(
        axe_violations(&b, axe)
            .await
            .into_iter()
            .map(|v| format!("/signin: {v}")),
    );
    b.fill("#login", login).await;
    b.fill("#password", password).await;
    b.follow("form button[type='submit']").await;
    for path in [
        "/incidents".to_string(),
        "/incidents?name=phish&status=Open".to_string(),
        "/incidents/new".to_string(),
        format!("/incidents/{id}"),
        format!("/incidents/{id}/delete"),
        format!("/incidents/{id}/history"),
        "/deleted".to_string(),
        "/search?q=phishing".to_string(),
        "/indicators/hosts/payro11-portal.example".to_string(),
        "/".to_string(),
        format!("/adversaries/{adversary}"),
        "/tags/Phishing".to_string(),
        "/account".to_string(),
        "/docs/api".to_string(),
        "/no/such/page".to_string(),
    ] {
        b.goto(&format!("{origin}{path}")).await;
        failures.extend(
            axe_violations(&b, axe)
                .await
                .into_iter()
                .map(|v| format!("{path}: {v}")),
        );
    }
    if !flags.is_empty() {
        b.goto(&format!("{origin}/incidents")).await;
        save_screenshot("incidents-dark.png", &b.screenshot().await);
    }
    b.quit().await;
    failures
}
