//! TAXII 2.1 at `/taxii2/` on a running `threatdb serve`: discovery, collections per owner,
//! objects and manifest paged with cursors that hold while the collection changes,
//! `added_after`, the matches, content negotiation, Basic (API key and web password) and
//! Bearer authentication, TAXII errors, and no other owner's collection; then (with Python)
//! the OASIS `taxii2-client` pulls the collection and the OASIS validator checks it.

use crate::node::{Creds, credentials};
use crate::stix::{KEY, ORG, populate, send};
use serde_json::Value;
use std::process::Command;

pub(crate) const TAXII: &str = "application/taxii+json;version=2.1";

pub(crate) struct Taxii {
    pub origin: String,
    pub user: String,
    pub password: String,
    pub client: reqwest::Client,
}

impl Taxii {
    pub(crate) async fn get_as(
        &self,
        path: &str,
        accept: &str,
        user: &str,
        password: &str,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.origin))
            .header("Accept", accept)
            .basic_auth(user, Some(password))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some(TAXII),
            "{path}: every answer is TAXII"
        );
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        self.get_as(path, TAXII, &self.user, &self.password).await
    }

    pub(crate) async fn ok(&self, path: &str) -> (reqwest::header::HeaderMap, Value) {
        let (status, headers, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        (headers, body)
    }

    /// Every object of a collection in pages of `limit`, with the page count.
    pub(crate) async fn walk(&self, cid: &str, limit: usize, extra: &str) -> (Vec<Value>, usize) {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/taxii2/api/collections/{cid}/objects/?limit={limit}{extra}");
            if let Some(n) = &next {
                path.push_str(&format!("&next={n}"));
            }
            let (_, body) = self.ok(&path).await;
            pages += 1;
            let objects = body["objects"].as_array().cloned().unwrap_or_default();
            assert!(objects.len() <= limit);
            out.extend(objects);
            if body["more"] == true {
                next = Some(body["next"].as_str().expect("next with more").to_string());
                assert!(!next.as_deref().unwrap_or_default().is_empty());
            } else {
                assert!(body.get("next").is_none(), "{body}");
                return (out, pages);
            }
        }
    }
}

fn ids(objects: &[Value]) -> Vec<String> {
    objects
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

/// The collection id of `title` among the caller's collections.
pub(crate) async fn collection(t: &Taxii, title: &str) -> String {
    let (_, body) = t.ok("/taxii2/api/collections/").await;
    body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == title)
        .unwrap_or_else(|| panic!("no collection {title} in {body}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) fn admin(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_threatdb"))
        .args(["admin", "--data-dir"])
        .arg(data)
        .args(args)
        .env("THREATDB_MASTER_KEY", KEY)
        .env_remove("THREATDB_DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A TAXII client of a web user made by `threatdb admin` who reads the new organization `org`
/// (created here), signing in as `login` with a fixed password.
pub(crate) fn reader_of_new_org(
    t: &Taxii,
    data: &std::path::Path,
    org: &str,
    login: &str,
) -> Taxii {
    admin(
        data,
        &["owner", "create", "--name", org, "--type", "organization"],
        None,
    );
    admin(
        data,
        &[
            "user",
            "create",
            "--name",
            login,
            "--org",
            org,
            "--role",
            "read",
            "--web",
            "--login",
            login,
            "--password-stdin",
        ],
        Some("averylongpassword1\n"),
    );
    Taxii {
        origin: t.origin.clone(),
        user: login.into(),
        password: "averylongpassword1".into(),
        client: reqwest::Client::new(),
    }
}

/// A new API token of the user `access_id`, made by `threatdb admin`.
fn token_for(data: &std::path::Path, access_id: &str) -> String {
    let out = admin(data, &["token", "create", "--user", access_id], None);
    out.lines()
        .find_map(|l| l.strip_prefix("TC_TOKEN="))
        .expect("a token")
        .to_string()
}

/// Waits until what was just written is old enough for TAXII to send
/// (`SETTLE_SECONDS` in the server's `taxii/page.rs`: 2 s after its whole second).
pub(crate) async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
}

/// A server with `populate`'s data, its TAXII client as the administrator, and the data
/// directory.
pub(crate) async fn serve() -> (tempfile::TempDir, crate::node::Node, Creds, Taxii) {
    serve_with(&[]).await
}

/// Like [`serve`], with more `serve` flags.
async fn serve_with(flags: &[&str]) -> (tempfile::TempDir, crate::node::Node, Creds, Taxii) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = crate::node::start_with(&data, None, KEY, flags, None);
    let creds = credentials(&data);
    populate(&node.origin, &creds, &data, None).await;
    settle().await;
    let t = Taxii {
        origin: node.origin.clone(),
        user: creds.access_id.clone(),
        password: creds.secret.clone(),
        client: reqwest::Client::new(),
    };
    (dir, node, creds, t)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taxii_serves_each_owner_as_a_paged_collection() {
    let (dir, node, creds, t) = serve().await;
    let data = dir.path().join("data");

    let (_, discovery) = t.ok("/taxii2/").await;
    assert_eq!(
        discovery["api_roots"][0],
        format!("{}/taxii2/api/", node.origin)
    );
    let (_, root) = t.ok("/taxii2/api/").await;
    assert_eq!(root["versions"][0], TAXII);
    assert!(root["max_content_length"].as_u64().unwrap() > 0);
    let cid = collection(&t, ORG).await;
    let (_, c) = t.ok(&format!("/taxii2/api/collections/{cid}/")).await;
    // The administrator may write there: the collection takes objects.
    assert_eq!(
        (c["can_read"].clone(), c["can_write"].clone()),
        (true.into(), true.into())
    );
    assert_eq!(c["alias"], "example-organization");

    // One page, and pages of every size: the same objects in the same order, each once.
    let (all, _) = t.walk(&cid, 1000, "").await;
    let all_ids = ids(&all);
    let mut unique = all_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all_ids.len(), "each object once");
    for want in [
        "incident",
        "indicator",
        "relationship",
        "identity",
        "marking-definition",
        "extension-definition",
        "threat-actor",
        "report",
    ] {
        assert!(all.iter().any(|o| o["type"] == want), "no {want}");
    }
    assert!(
        !all.iter().any(|o| o["name"] == "a login"),
        "events are left out"
    );
    for limit in [1, 2, 5] {
        let (paged, pages) = t.walk(&cid, limit, "").await;
        assert_eq!(ids(&paged), all_ids, "pages of {limit}");
        assert!(pages >= all.len() / limit);
    }

    // The manifest lists the same objects with their date_added and version.
    let (_, manifest) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/manifest/?limit=1000"
        ))
        .await;
    let lines = manifest["objects"].as_array().unwrap();
    assert_eq!(ids(lines), all_ids);
    assert!(
        lines
            .iter()
            .all(|l| l["media_type"] == "application/stix+json;version=2.1")
    );

    // added_after the last date added: nothing; the headers name this page's first and last.
    let (headers, _) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/objects/?limit=1000"
        ))
        .await;
    let last = headers["x-taxii-date-added-last"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(headers["x-taxii-date-added-first"].to_str().unwrap() <= last.as_str());
    let (headers, empty) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/objects/?added_after={last}"
        ))
        .await;
    assert_eq!(empty, serde_json::json!({"more": false}));
    assert!(headers.get("x-taxii-date-added-last").is_none());

    // A change while a client pages: the changed incident comes again after the point it has
    // reached (added after `last`), and nothing is skipped.
    let (_, first) = t
        .ok(&format!("/taxii2/api/collections/{cid}/objects/?limit=3"))
        .await;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    send(
        &node.origin,
        &creds,
        "PUT",
        &format!(
            "/v2/groups/incidents/{}",
            first_incident(&node.origin, &creds, &all).await
        ),
        Some(serde_json::json!({"name": "renamed"})),
        200,
    )
    .await;
    // Not sent while it settles: the walk ends before it.
    let (_, fresh) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/objects/?added_after={last}"
        ))
        .await;
    assert_eq!(
        fresh,
        serde_json::json!({"more": false}),
        "a change this second"
    );
    settle().await;
    let mut seen = ids(first["objects"].as_array().unwrap());
    let mut next = first["next"].as_str().unwrap().to_string();
    loop {
        let (_, body) = t
            .ok(&format!(
                "/taxii2/api/collections/{cid}/objects/?limit=3&next={next}"
            ))
            .await;
        seen.extend(ids(body["objects"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()));
        match body["next"].as_str() {
            Some(n) => next = n.to_string(),
            None => break,
        }
    }
    for id in &all_ids {
        assert!(seen.contains(id), "{id} skipped");
    }
    let (_, after) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/objects/?added_after={last}"
        ))
        .await;
    let renamed: Vec<&Value> = after["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "incident")
        .collect();
    assert_eq!(renamed.len(), 1, "{after}");
    assert_eq!(renamed[0]["name"], "renamed");

    // Matches: by type (OR within, AND across), by spec_version and by version.
    let (only, _) = t.walk(&cid, 2, "&match[type]=indicator,threat-actor").await;
    assert!(!only.is_empty());
    assert!(
        only.iter()
            .all(|o| o["type"] == "indicator" || o["type"] == "threat-actor")
    );
    let (none, _) = t.walk(&cid, 10, "&match[spec_version]=2.0").await;
    assert!(none.is_empty());
    let version = only[0]["modified"].as_str().unwrap().to_string();
    let (exact, _) = t
        .walk(
            &cid,
            10,
            &format!("&match[type]=indicator,threat-actor&match[version]={version}"),
        )
        .await;
    assert!(!exact.is_empty() && exact.iter().all(|o| o["modified"] == version.as_str()));

    // Errors, each a TAXII error object.
    for (path, status) in [
        (
            format!("/taxii2/api/collections/{cid}/objects/?limit=0"),
            400,
        ),
        (
            format!("/taxii2/api/collections/{cid}/objects/?limit=x"),
            400,
        ),
        (
            format!("/taxii2/api/collections/{cid}/objects/?added_after=yesterday"),
            400,
        ),
        (
            format!("/taxii2/api/collections/{cid}/objects/?next=forged"),
            400,
        ),
        (
            format!("/taxii2/api/collections/{cid}/objects/incident--x/"),
            404,
        ),
        (
            "/taxii2/api/collections/00000000-0000-4000-8000-000000000000/objects/".to_string(),
            404,
        ),
        ("/taxii2/api/status/abc/".to_string(), 404),
        ("/taxii2/nothing/here/".to_string(), 404),
    ] {
        let (got, _, body) = t.get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["http_status"], status.to_string(), "{path}: {body}");
        assert!(body["title"].is_string() && body["description"].is_string());
    }
    // A cursor issued for other filters is refused.
    let (_, typed) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/objects/?limit=1&match[type]=indicator"
        ))
        .await;
    let typed_next = typed["next"].as_str().unwrap();
    let (got, _, _) = t
        .get(&format!(
            "/taxii2/api/collections/{cid}/objects/?limit=1&next={typed_next}"
        ))
        .await;
    assert_eq!(got, 400);
    // A cursor of ours with its time moved out of range (which would start the walk over) is
    // refused too; the same cursor unchanged is taken.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let text = String::from_utf8(b64.decode(typed_next).unwrap()).unwrap();
    let parts: Vec<&str> = text.split('.').collect();
    for (time, want) in [
        (parts[1].to_string(), 200),
        ("1000000000000000".into(), 400),
        ("-5".into(), 400),
    ] {
        let mut forged = parts.clone();
        forged[1] = &time;
        let next = b64.encode(forged.join("."));
        let (got, _, body) = t
            .get(&format!(
                "/taxii2/api/collections/{cid}/objects/?limit=1&match[type]=indicator&next={next}"
            ))
            .await;
        assert_eq!(got, want, "time {time}: {body}");
    }
    // A method TAXII does not define there: 405, as a TAXII error object.
    let r = t
        .client
        .put(format!(
            "{}/taxii2/api/collections/{cid}/objects/",
            t.origin
        ))
        .header("Accept", TAXII)
        .basic_auth(&t.user, Some(&t.password))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some(TAXII)
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["http_status"], "405", "{body}");

    // Content negotiation: 406 for anything but TAXII 2.1.
    for accept in [
        "application/json",
        "application/taxii+json;version=2.0",
        "text/html",
    ] {
        let (got, _, body) = t.get_as("/taxii2/", accept, &t.user, &t.password).await;
        assert_eq!(got, 406, "{accept}: {body}");
    }
    let (got, _, _) = t
        .get_as(
            "/taxii2/",
            "application/taxii+json ; version=2.1",
            &t.user,
            &t.password,
        )
        .await;
    assert_eq!(got, 200);

    // Authentication: none, a wrong secret, a wrong password: 401 with the Basic challenge.
    let r = t
        .client
        .get(format!("{}/taxii2/api/collections/", t.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Basic realm=\"threatdb\"");
    let (got, _, _) = t
        .get_as("/taxii2/api/collections/", TAXII, &t.user, "wrong")
        .await;
    assert_eq!(got, 401);

    // A web user of another organization, by login and password: only its own collection;
    // the administrator's collection is as absent as a made-up one.
    let other = reader_of_new_org(&t, &data, "Other Org", "otherreader");
    let (_, mine) = other.ok("/taxii2/api/collections/").await;
    let titles: Vec<&str> = mine["collections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["title"].as_str())
        .collect();
    assert_eq!(titles, ["Other Org"]);
    for path in [
        format!("/taxii2/api/collections/{cid}/"),
        format!("/taxii2/api/collections/{cid}/objects/"),
        format!("/taxii2/api/collections/{cid}/manifest/"),
    ] {
        let (got, _, _) = other.get(&path).await;
        assert_eq!(got, 404, "{path}");
    }
    let (got, _, _) = other
        .get_as(
            "/taxii2/api/collections/",
            TAXII,
            "otherreader",
            "not the password",
        )
        .await;
    assert_eq!(got, 401);
    // A changed password ends the old one for Basic too (its digest was cached a moment ago),
    // within the credential watcher's 200 ms, not the cache's five seconds.
    admin(
        &data,
        &[
            "user",
            "password",
            "--login",
            "otherreader",
            "--password-stdin",
        ],
        Some("anotherlongpassword2\n"),
    );
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let (got, _, _) = other.get("/taxii2/api/collections/").await;
    assert_eq!(got, 401, "the old password after a change");
    let (got, _, _) = other
        .get_as(
            "/taxii2/api/collections/",
            TAXII,
            "otherreader",
            "anotherlongpassword2",
        )
        .await;
    assert_eq!(got, 200, "the new password");
    // What the server caches for Basic is never an API credential: its key as an access id
    // and the password's digest as a secret sign nothing.
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(b"anotherlongpassword2")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    send(
        &t.origin,
        &Creds {
            access_id: "basic-web:otherreader".into(),
            secret: digest,
        },
        "GET",
        "/v2/owners",
        None,
        401,
    )
    .await;

    // An API token as a Bearer credential.
    let token = token_for(&data, &creds.access_id);
    let r = t
        .client
        .get(format!("{}/taxii2/api/collections/", t.origin))
        .header("Accept", TAXII)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    drop(node);
}

/// `threatdb export --via-api` writes the caller's collections as one bundle, each object
/// once, through a running server with an API key (signed as `threatdb api` signs), and says
/// clearly when the owner asked for is not one the caller reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_through_the_api_writes_the_collection() {
    let (dir, node, creds, t) = serve().await;
    let cid = collection(&t, ORG).await;
    let (all, _) = t.walk(&cid, 1000, "").await;
    let out = dir.path().join("api.json");
    let export_as = |owner: &str, more: &[&str], who: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_threatdb"))
            .args(["export", "--via-api", "--owner", owner])
            .args(more)
            .arg("--output")
            .arg(&out)
            .args(["--base-url", &format!("{}/api", node.origin)])
            .args(who)
            .args(["--credentials", "/nonexistent"])
            .env_remove("TC_TOKEN")
            .env_remove("TC_API_BASE_URL")
            .env_remove("TC_API_ACCESS_ID")
            .env_remove("TC_API_SECRET_KEY")
            .output()
            .unwrap()
    };
    let key = [
        "--access-id",
        creds.access_id.as_str(),
        "--secret-key",
        creds.secret.as_str(),
    ];
    let export = |owner: &str, more: &[&str]| export_as(owner, more, &key);
    let done = export(ORG, &[]);
    let stderr = String::from_utf8_lossy(&done.stderr).to_string();
    assert!(done.status.success(), "{stderr}");
    assert!(stderr.contains("exported"), "{stderr}");
    let bundle: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(bundle["type"], "bundle");
    let written = ids(bundle["objects"].as_array().unwrap());
    let mut unique = written.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), written.len(), "each object once");
    let mut want = ids(&all);
    want.sort();
    assert_eq!(unique, want, "the collection, nothing more or less");

    // --since: what changed at or after it (here: nothing but the definitions).
    let later = export(ORG, &["--since", "2999-01-01"]);
    assert!(later.status.success());
    let bundle: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    assert!(!objects.is_empty());
    assert!(
        objects.iter().all(|o| {
            matches!(
                o["type"].as_str(),
                Some("identity" | "marking-definition" | "extension-definition")
            )
        }),
        "{bundle}"
    );

    // An API token instead of the key (sent as ThreatConnect's TC-Token): the same bundle.
    let token = token_for(&dir.path().join("data"), &creds.access_id);
    let by_token = export_as(ORG, &[], &["--token", &token]);
    assert!(
        by_token.status.success(),
        "{}",
        String::from_utf8_lossy(&by_token.stderr)
    );
    let bundle: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut again = ids(bundle["objects"].as_array().unwrap());
    again.sort();
    assert_eq!(again, want, "the same objects with a token");

    let refused = export("Not An Owner Here", &[]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("no owner 'Not An Owner Here'"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        !dir.path().join("api.json.partial").exists(),
        "no partial file is left behind"
    );
}

/// A filter that matches little cannot make one request walk the whole owner: with a scan
/// budget of one object, a page that found nothing ends early with `more` and a cursor, and the
/// walk still finds every match, in order, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sparse_filter_pages_in_bounded_steps() {
    let (_dir, _node, _creds, t) = serve_with(&["--taxii-scan-budget", "1"]).await;
    let cid = collection(&t, ORG).await;
    let (all, _) = t.walk(&cid, 1000, "").await;
    let want: Vec<Value> = all
        .iter()
        .filter(|o| o["type"] == "threat-actor")
        .cloned()
        .collect();
    assert_eq!(want.len(), 1, "populate makes one adversary");
    let (found, pages) = t.walk(&cid, 1, "&match[type]=threat-actor").await;
    assert_eq!(ids(&found), ids(&want));
    assert!(
        pages > 2,
        "pages end early when nothing matched within the budget ({pages} pages)"
    );
    // An empty page that says more: the budget, not the end of the collection.
    let (_, first) = t
        .ok(&format!(
            "/taxii2/api/collections/{cid}/objects/?limit=1&match[type]=marking-definition--none"
        ))
        .await;
    assert!(
        first
            .get("objects")
            .is_none_or(|o| o.as_array().is_some_and(|a| a.is_empty()))
    );
    assert_eq!(first["more"], true, "{first}");
    // The same walk without a filter is not cut short: every page is full but the last.
    let (paged, _) = t.walk(&cid, 1, "").await;
    assert_eq!(ids(&paged), ids(&all));
}

/// The id of the first incident of a walk, found through the xid its reference names.
async fn first_incident(origin: &str, creds: &crate::node::Creds, all: &[Value]) -> i64 {
    let xid = all
        .iter()
        .find(|o| o["type"] == "incident")
        .and_then(|o| o["external_references"][0]["external_id"].as_str())
        .expect("an incident with its xid");
    let tql: String =
        form_urlencoded::byte_serialize(format!("xid = \"{xid}\"").as_bytes()).collect();
    let found = crate::stix::send(
        origin,
        creds,
        "GET",
        &format!("/v3/groups?tql={tql}"),
        None,
        200,
    )
    .await;
    found["data"][0]["id"]
        .as_i64()
        .expect("the incident by its xid")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python 3 and PyPI to install taxii2-client: run with --include-ignored (README, Tests)"]
async fn the_oasis_taxii_client_pulls_a_collection() {
    let bin = crate::python::venv_bin();
    let (_dir, node, _creds, t) = serve().await;
    let cid = collection(&t, ORG).await;
    let (all, _) = t.walk(&cid, 1000, "").await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/taxii_pull.py");
    let out = Command::new(bin.join("python"))
        .arg(&script)
        .env("THREATDB_TAXII", format!("{}/taxii2/", node.origin))
        .env("THREATDB_USER", &t.user)
        .env("THREATDB_PASSWORD", &t.password)
        .env("THREATDB_COLLECTION", ORG)
        .env("THREATDB_EXPECT", all.len().to_string())
        .env("THREATDB_PAGE", "4")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("taxii pull: passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
