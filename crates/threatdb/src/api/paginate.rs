//! `--paginate`: every page of a v2 or v3 listing, merged into one answer.

use super::http::{Client, Page};
use super::output::{Output, verdict};
use anyhow::{Result, anyhow, bail};
use reqwest::{Method, Url};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Fetches `url` and the pages after it, and prints one merged answer (see the command's help).
pub async fn run(client: &Client, url: Url, out: &Output) -> Result<()> {
    let first = fetch(client, url.clone(), out).await?;
    let Ok(Value::Object(json)) = serde_json::from_slice::<Value>(&first.body) else {
        return out.body(&first.body);
    };
    let next = json
        .get("next")
        .and_then(Value::as_str)
        .filter(|_| json.get("data").is_some_and(Value::is_array))
        .map(str::to_string);
    if let Some(next) = next {
        return v3(client, json, next, out).await;
    }
    match v2_list_key(&json) {
        Some(key) => v2(client, &url, &first, json, &key, out).await,
        None => out.body(&first.body),
    }
}

/// One page; a failed one is printed and ends the command.
async fn fetch(client: &Client, url: Url, out: &Output) -> Result<Page> {
    let page = client.send(&Method::GET, url, None).await?;
    out.head(&page)?;
    if let Err(e) = verdict(&page) {
        out.body(&page.body)?;
        return Err(e.context(format!("GET {}", page.url)));
    }
    Ok(page)
}

/// The name of the one array in `data` of a v2 listing (`incident` in
/// `{"data":{"resultCount":3,"incident":[...]}}`).
fn v2_list_key(json: &Map<String, Value>) -> Option<String> {
    let data = json.get("data")?.as_object()?;
    let mut arrays = data.iter().filter(|(_, v)| v.is_array());
    let (key, _) = arrays.next()?;
    arrays.next().is_none().then(|| key.clone())
}

fn number(url: &Url, name: &str) -> Option<u64> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// `url` with `name=value` in place of its `name` parameter (or added), the rest of the query
/// kept byte for byte.
fn with_param(url: &Url, name: &str, value: u64) -> Url {
    let mut parts: Vec<String> = Vec::new();
    let mut placed = false;
    for part in url.query().unwrap_or_default().split('&') {
        if part.is_empty() {
            continue;
        }
        if part.split('=').next() == Some(name) {
            if !placed {
                parts.push(format!("{name}={value}"));
                placed = true;
            }
        } else {
            parts.push(part.to_string());
        }
    }
    if !placed {
        parts.push(format!("{name}={value}"));
    }
    let mut url = url.clone();
    url.set_query(Some(&parts.join("&")));
    url
}

/// v2: asks for the next `resultStart` until `resultCount` items are in hand or a page is
/// empty or short, then prints the first envelope with every item in its list.
async fn v2(
    client: &Client,
    url: &Url,
    first: &Page,
    mut json: Map<String, Value>,
    key: &str,
    out: &Output,
) -> Result<()> {
    let list = |json: &Map<String, Value>| {
        json.get("data")
            .and_then(|d| d.get(key))
            .and_then(Value::as_array)
            .cloned()
    };
    let mut items = list(&json).unwrap_or_default();
    let start = number(url, "resultStart").unwrap_or(0);
    // `resultCount` counts every match, the ones before `resultStart` too.
    let wanted = json
        .get("data")
        .and_then(|d| d.get("resultCount"))
        .and_then(Value::as_u64)
        .map(|count| count.saturating_sub(start));
    let first_len = items.len();
    let mut done = first_len == 0
        || wanted.is_some_and(|w| first_len as u64 >= w)
        || number(url, "resultLimit").is_some_and(|limit| (first_len as u64) < limit);
    if done {
        return out.body(&first.body);
    }
    while !done {
        let page = fetch(
            client,
            with_param(url, "resultStart", start + items.len() as u64),
            out,
        )
        .await?;
        let json: Value = serde_json::from_slice(&page.body)
            .map_err(|e| anyhow!("GET {}: the answer is not JSON ({e})", page.url))?;
        let Some(more) = json.as_object().and_then(list) else {
            bail!("GET {}: the answer has no data.{key} list", page.url);
        };
        // A page shorter than the first is the last, whatever resultCount said.
        done = more.len() < first_len;
        items.extend(more);
        done = done || wanted.is_some_and(|w| items.len() as u64 >= w);
    }
    if let Some(Value::Object(data)) = json.get_mut("data") {
        data.insert(key.to_string(), Value::Array(items));
    }
    out.value(&Value::Object(json))
}

/// v3: follows `next` (absolute, or relative to the API base URL) until it is absent, then
/// prints `{"data":[...],"count":N,"status":"Success"}`.
async fn v3(
    client: &Client,
    mut json: Map<String, Value>,
    mut next: String,
    out: &Output,
) -> Result<()> {
    let mut items = match json.remove("data") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let mut seen = HashSet::new();
    loop {
        let url = client.resolve(&next)?;
        if !seen.insert(url.to_string()) {
            bail!("the next link {url} repeats an earlier page");
        }
        let page = fetch(client, url, out).await?;
        let json: Value = serde_json::from_slice(&page.body)
            .map_err(|e| anyhow!("GET {}: the answer is not JSON ({e})", page.url))?;
        let Some(more) = json.get("data").and_then(Value::as_array) else {
            bail!("GET {}: the answer has no data list", page.url);
        };
        items.extend(more.iter().cloned());
        match json.get("next").and_then(Value::as_str) {
            Some(n) => next = n.to_string(),
            None => break,
        }
    }
    json.remove("next");
    json.remove("prev");
    json.insert("count".into(), Value::from(items.len()));
    json.insert("data".into(), Value::Array(items));
    out.value(&Value::Object(json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn result_start_is_replaced_and_the_rest_kept() {
        let url = Url::parse(
            "http://h/api/v2/tags/Nation%20State/groups/incidents?owner=Example+Community&resultStart=0&resultLimit=100",
        )
        .expect("url");
        assert_eq!(
            with_param(&url, "resultStart", 200).query(),
            Some("owner=Example+Community&resultStart=200&resultLimit=100")
        );
        let bare = Url::parse("http://h/api/v2/groups/incidents").expect("url");
        assert_eq!(
            with_param(&bare, "resultStart", 100).query(),
            Some("resultStart=100")
        );
        assert_eq!(number(&url, "resultLimit"), Some(100));
    }

    #[test]
    fn the_v2_list_is_the_one_array_in_data() {
        let obj = |v: Value| v.as_object().cloned().expect("object");
        assert_eq!(
            v2_list_key(&obj(json!({"data":{"resultCount":2,"incident":[1,2]}}))),
            Some("incident".to_string())
        );
        assert_eq!(
            v2_list_key(&obj(json!({"data":{"resultCount":1,"owner":{"id":1}}}))),
            None
        );
        assert_eq!(v2_list_key(&obj(json!({"data":{"a":[],"b":[]}}))), None);
    }
}
