//! `threatdb export --via-api`: the same bundle read from a running server's TAXII 2.1
//! collections, with the caller's rights (an API user's HMAC or an API token, as `threatdb api`
//! signs), a page of 1,000 objects at a time: memory does not grow with the export.

use anyhow::{Context, Result, anyhow, bail};
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde_json::Value;
use std::collections::HashSet;
use threatdb_core::Timestamp;
use threatdb_stix::{Sink, Summary};

use crate::api::http::{Client, Page};
use crate::client::{CredentialsFile, EndpointArgs};

const TAXII: &str = "application/taxii+json;version=2.1";

/// Who reads, and what: the server and credentials, the owners (every collection the caller
/// reads when none is named), and `--since`.
pub struct Source<'a> {
    pub endpoint: &'a EndpointArgs,
    pub token: Option<&'a str>,
    pub owners: &'a [String],
    pub since: Option<Timestamp>,
}

/// Writes the collections `from` names into `sink`, each object once.
pub async fn write(from: Source<'_>, sink: &mut impl Sink, summary: &mut Summary) -> Result<()> {
    let (client, root) = taxii_client(from.endpoint, from.token, false)?;

    let listing = get(&client, root.join("collections/")?).await?;
    let collections = listing["collections"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let chosen = choose(&collections, from.owners, |c| {
        c["title"].as_str().unwrap_or_default()
    })
    .map_err(|name| {
        anyhow!("there is no owner '{name}' among the collections this user can read")
    })?;
    // Definitions every collection repeats (threatdb's identity and extension, the TLP
    // markings) are written once; the first two are in the bundle already. Owners' identities
    // differ from one collection to the next and pass.
    let mut shared: HashSet<String> = [
        threatdb_stix::fixed::software_identity(),
        threatdb_stix::fixed::extension_definition(),
    ]
    .iter()
    .filter_map(|o| o["id"].as_str().map(str::to_owned))
    .collect();
    // `--since` is "changed at or after"; TAXII's added_after is strictly after.
    let after = from
        .since
        .map(|t| threatdb_stix::objects::stix_time(t.saturating_sub(time::Duration::SECOND)));
    for collection in &chosen {
        let id = collection["id"]
            .as_str()
            .context("a collection without an id")?;
        let objects = root.join(&format!("collections/{id}/objects/"))?;
        let mut next: Option<String> = None;
        loop {
            let mut url = objects.clone();
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("limit", "1000");
                if let Some(a) = &after {
                    q.append_pair("added_after", a);
                }
                if let Some(n) = &next {
                    q.append_pair("next", n);
                }
            }
            let page = get(&client, url).await?;
            for object in page["objects"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let definition = matches!(
                    object["type"].as_str(),
                    Some("marking-definition" | "extension-definition" | "identity")
                );
                if definition
                    && let Some(id) = object["id"].as_str()
                    && !shared.insert(id.to_owned())
                {
                    continue;
                }
                sink.object(object)?;
                summary.wrote(object);
            }
            match (page["more"].as_bool(), page["next"].as_str()) {
                (Some(true), Some(n)) => next = Some(n.to_owned()),
                _ => break,
            }
        }
    }
    Ok(())
}

/// The credentials `threatdb api` would sign with (the endpoint's, or `token`), and the base
/// URL they go to.
fn endpoint(e: &EndpointArgs, token: Option<&str>) -> Result<(crate::api::http::Auth, Url)> {
    let file = CredentialsFile::read(&e.credentials);
    let base = file.pick(&e.base_url, "TC_API_BASE_URL");
    let auth = crate::api::authentication(token, e, 0, &file, base.is_none())?;
    let base = base.unwrap_or_default();
    let root = Url::parse(base.trim())
        .map_err(|err| anyhow!("--base-url '{base}' is not a URL ({err})"))?;
    Ok((auth, root))
}

/// A client of a server's TAXII API root, signing as `threatdb api` does (the endpoint's
/// credentials, or `token`), sending TAXII bodies when `posting`; and the API root's URL.
pub fn taxii_client(e: &EndpointArgs, token: Option<&str>, posting: bool) -> Result<(Client, Url)> {
    let (auth, mut root) = endpoint(e, token)?;
    root.set_path("/taxii2/api/");
    root.set_query(None);
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(TAXII));
    if posting {
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static(TAXII),
        );
    }
    let client = Client::new(None, auth, headers, e.ca_cert.as_deref())?;
    Ok((client, root))
}

/// A client of the server's v2 API (`--base-url`, ending in `/`) with the credentials
/// `threatdb api` takes, sending and accepting JSON.
pub fn api_client(e: &EndpointArgs, token: Option<&str>) -> Result<(Client, Url)> {
    let (auth, mut root) = endpoint(e, token)?;
    if !root.path().ends_with('/') {
        root.set_path(&format!("{}/", root.path()));
    }
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(
        reqwest::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let client = Client::new(None, auth, headers, e.ca_cert.as_deref())?;
    Ok((client, root))
}

/// The entries of `all` named by `names` (exactly, else whatever the case), or every entry when
/// none is named; the first name found nowhere otherwise.
pub fn choose<'a, T: Clone>(
    all: &'a [T],
    names: &'a [String],
    name_of: impl Fn(&T) -> &str,
) -> Result<Vec<T>, &'a str> {
    if names.is_empty() {
        return Ok(all.to_vec());
    }
    names
        .iter()
        .map(|name| {
            all.iter()
                .find(|t| name_of(t) == name.as_str())
                .or_else(|| all.iter().find(|t| name_of(t).eq_ignore_ascii_case(name)))
                .cloned()
                .ok_or(name.as_str())
        })
        .collect()
}

/// One request's answer as JSON; an error status is an error naming the server's reason (a
/// TAXII error's `description` or `title`, a v2 error's `message`).
pub async fn call(client: &Client, method: Method, url: Url, body: Option<&[u8]>) -> Result<Value> {
    let Page { status, body, .. } = client.send(&method, url.clone(), body).await?;
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !status.is_success() {
        let why = json["description"]
            .as_str()
            .or_else(|| json["title"].as_str())
            .or_else(|| json["message"].as_str())
            .unwrap_or("no description");
        bail!("{method} {url}: {status}: {why}");
    }
    Ok(json)
}

async fn get(client: &Client, url: Url) -> Result<Value> {
    call(client, Method::GET, url, None).await
}
