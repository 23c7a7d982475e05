//! `threatdb import --via-api`: a bundle posted to a running server's TAXII 2.1 collection, with
//! the caller's rights (an API user's HMAC or an API token, as `threatdb api` signs). The file
//! is read three times (definitions and identities, then the other objects, then the
//! relationships, so what an object refers to is posted before it), in envelopes under the
//! server's `max_content_length`; the server imports each before it answers.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use reqwest::{Method, Url};
use serde_json::Value;

use crate::api::http::Client;
use crate::client::EndpointArgs;
use crate::export_api::call;
use crate::import::Pass;

/// Who posts, and where.
pub struct Target<'a> {
    pub endpoint: &'a EndpointArgs,
    pub token: Option<&'a str>,
    pub owner: Option<&'a str>,
}

/// What the server said of the objects posted, by STIX type.
#[derive(Default)]
pub struct Tally {
    pub accepted: BTreeMap<String, u64>,
    pub refused: BTreeMap<String, u64>,
    pub failures: Vec<(String, String)>,
    pub collection: String,
}

impl Tally {
    fn count(map: &mut BTreeMap<String, u64>, id: &str) {
        let t = id.split_once("--").map_or(id, |(t, _)| t);
        let n = map.entry(t.to_string()).or_default();
        *n = n.saturating_add(1);
    }

    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }
}

/// Which pass an object is posted in.
fn pass_of(object: &Value) -> u8 {
    pass_of_type(
        object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    )
}

/// Which pass an object of this STIX type is posted in.
fn pass_of_type(t: &str) -> u8 {
    match t {
        "marking-definition" | "extension-definition" | "identity" => 1,
        "relationship" => 3,
        _ => 2,
    }
}

/// Posts the file's objects to the collection of the owner named (or the only one the caller
/// may write to).
pub async fn post(target: Target<'_>, path: &Path, total: u64) -> Result<Tally> {
    let (client, root) = crate::export_api::taxii_client(target.endpoint, target.token, true)?;
    let api_root = call(&client, Method::GET, root.clone(), None).await?;
    // Envelopes stay under the server's limit, with room for the envelope itself.
    let limit = api_root["max_content_length"]
        .as_u64()
        .unwrap_or(1 << 20)
        .saturating_mul(9)
        / 10;
    let listing = call(&client, Method::GET, root.join("collections/")?, None).await?;
    let collections = listing["collections"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let writable: Vec<Value> = collections
        .into_iter()
        .filter(|c| c["can_write"] == true)
        .collect();
    let title = |c: &Value| c["title"].as_str().unwrap_or_default().to_string();
    let chosen = match target.owner {
        Some(name) => crate::export_api::choose(&writable, &[name.to_string()], |c| {
            c["title"].as_str().unwrap_or_default()
        })
        .map_err(|_| {
            anyhow!("there is no owner '{name}' among the collections this user can write to")
        })?
        .into_iter()
        .next(),
        None if writable.len() == 1 => writable.first().cloned(),
        None => bail!(
            "name the owner to import into with --owner: this user can write to {}",
            if writable.is_empty() {
                "no collection".to_string()
            } else {
                writable.iter().map(&title).collect::<Vec<_>>().join(", ")
            }
        ),
    }
    .context("no collection")?;
    let id = chosen["id"]
        .as_str()
        .context("a collection without an id")?;
    let name = title(&chosen);
    let objects = root.join(&format!("collections/{id}/objects/"))?;
    let mut tally = Tally {
        collection: name,
        ..Tally::default()
    };
    for (n, what) in [
        (1u8, "posting definitions"),
        (2, "posting objects"),
        (3, "posting relationships"),
    ] {
        let wanted: crate::import::Wanted = match n {
            1 => |t| pass_of_type(t) == 1,
            2 => |t| pass_of_type(t) == 2,
            _ => |t| pass_of_type(t) == 3,
        };
        let mut pass = Pass::start(path, what, Some(total), wanted)?;
        let mut envelope: Vec<u8> = Vec::new();
        while let Some(v) = pass.next().await {
            if pass_of(&v) != n {
                continue;
            }
            let bytes = serde_json::to_vec(&v)?;
            let room = usize::try_from(limit).unwrap_or(usize::MAX);
            if !envelope.is_empty()
                && envelope
                    .len()
                    .saturating_add(bytes.len())
                    .saturating_add(16)
                    > room
            {
                send(&client, &objects, &mut envelope, &mut tally).await?;
            }
            envelope.push(if envelope.is_empty() { b'[' } else { b',' });
            envelope.extend_from_slice(&bytes);
        }
        pass.end().await?;
        send(&client, &objects, &mut envelope, &mut tally).await?;
    }
    Ok(tally)
}

/// Posts the objects gathered (`[a,b,...` without its `]`) as one envelope.
async fn send(client: &Client, url: &Url, gathered: &mut Vec<u8>, tally: &mut Tally) -> Result<()> {
    if gathered.is_empty() {
        return Ok(());
    }
    let mut body = b"{\"objects\":".to_vec();
    body.append(gathered);
    body.extend_from_slice(b"]}");
    let status = call(client, Method::POST, url.clone(), Some(&body)).await?;
    for s in status["successes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        Tally::count(&mut tally.accepted, s["id"].as_str().unwrap_or("?"));
    }
    for f in status["failures"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let id = f["id"].as_str().unwrap_or("?");
        Tally::count(&mut tally.refused, id);
        tally.failures.push((
            id.to_string(),
            f["message"].as_str().unwrap_or_default().to_string(),
        ));
    }
    Ok(())
}
