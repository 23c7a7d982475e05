//! A collection's objects and manifest (GET, paged), and what TAXII clients may ask that
//! threatdb does not do yet, each answered with a TAXII error that says so.

use super::collections::owner_of;
use super::page::{self, Cursor, DEFAULT_LIMIT, Filters, MAX_LIMIT};
use super::{STIX_MEDIA_TYPE, TaxiiError, taxii_json};
use crate::AppState;
use crate::auth::Auth;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use threatdb_core::Actor;
use threatdb_stix::objects::stix_time;

/// The parameters of a page: filters, cursor and size.
struct Asked {
    filters: Filters,
    cursor: Option<Cursor>,
    limit: usize,
}

fn list(value: &str) -> BTreeSet<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// The ids of a `match[id]` (or of `objects/{id}/`): at most a page's worth, and no
/// relationship (a relationship's id derives from its two ends and is not kept: DECISIONS 95).
fn ids(ids: BTreeSet<String>) -> Result<BTreeSet<String>, TaxiiError> {
    if ids.len() > MAX_LIMIT {
        return Err(TaxiiError::bad_request(format!(
            "match[id] names {} ids: at most {MAX_LIMIT} are looked up at once",
            ids.len()
        )));
    }
    if let Some(id) = ids.iter().find(|id| id.starts_with("relationship--")) {
        return Err(TaxiiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "Not implemented",
            format!(
                "{id}: relationships are not looked up by id (their ids derive from their two ends); read them with match[type]=relationship"
            ),
        ));
    }
    Ok(ids)
}

/// Reads `added_after`, `limit`, `next` and the `match[...]` filters; `only`: the object of
/// `objects/{id}/` (whatever `match[id]` says).
fn asked(query: Option<&str>, only: Option<&str>) -> Result<Asked, TaxiiError> {
    let mut filters = Filters::default();
    let mut next = None;
    let mut limit = DEFAULT_LIMIT;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "added_after" => {
                let t = time::OffsetDateTime::parse(
                    value.trim(),
                    &time::format_description::well_known::Rfc3339,
                )
                .map_err(|_| {
                    TaxiiError::bad_request(format!(
                        "added_after '{value}' is not an RFC 3339 timestamp (2026-01-31T12:00:00.000Z)"
                    ))
                })?;
                filters.added_after = Some(t.unix_timestamp());
            }
            "limit" => {
                let n: usize = value.trim().parse().map_err(|_| {
                    TaxiiError::bad_request(format!("limit '{value}' is not a positive integer"))
                })?;
                if n == 0 {
                    return Err(TaxiiError::bad_request("limit must be at least 1"));
                }
                limit = n.min(MAX_LIMIT);
            }
            "next" => next = Some(value.to_string()),
            "match[type]" => filters.types = Some(list(&value)),
            "match[spec_version]" => filters.spec_versions = Some(list(&value)),
            "match[version]" => {
                let asked = list(&value);
                let special = ["last", "first", "all"];
                if !asked.iter().any(|v| special.contains(&v.as_str())) {
                    filters.versions = Some(asked);
                }
            }
            "match[id]" => filters.ids = Some(ids(list(&value))?),
            _ => {}
        }
    }
    if let Some(id) = only {
        filters.ids = Some(ids(BTreeSet::from([id.to_string()]))?);
    }
    let cursor = next
        .as_deref()
        .map(|n| Cursor::decode(n, &filters))
        .transpose()?;
    Ok(Asked {
        filters,
        cursor,
        limit,
    })
}

/// The page's envelope fields and the date-added headers.
fn answer(mut body: Map<String, Value>, page: &page::Page, filters: &Filters) -> Response {
    body.insert("more".into(), json!(page.next.is_some()));
    if let Some(next) = &page.next {
        body.insert("next".into(), json!(next.encode(filters)));
    }
    let mut response = taxii_json(StatusCode::OK, &Value::Object(body));
    let first = page.objects.iter().map(|p| p.date_added).min();
    let last = page.objects.iter().map(|p| p.date_added).max();
    for (name, value) in [
        ("x-taxii-date-added-first", first),
        ("x-taxii-date-added-last", last),
    ] {
        if let Some(v) = value.and_then(|t| HeaderValue::from_str(&stix_time(t)).ok()) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// The page of collection `cid` that `query` asks for; `only`: the object of
/// `objects/{id}/`, a 404 when the collection has no such object (that the filters admit).
async fn read(
    state: &AppState,
    actor: &Actor,
    cid: &str,
    only: Option<&str>,
    query: Option<&str>,
) -> Result<(Asked, page::Page), TaxiiError> {
    let owner = owner_of(actor, cid)?;
    let asked = asked(query, only)?;
    let page = page::read(
        state,
        actor,
        owner,
        &asked.filters,
        asked.cursor,
        asked.limit,
    )
    .await?;
    if let Some(oid) = only
        && page.objects.is_empty()
        && asked.cursor.is_none()
    {
        return Err(TaxiiError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("This collection has no object {oid} (that the filters admit)"),
        ));
    }
    Ok((asked, page))
}

/// A page as an envelope of its STIX objects.
fn envelope(asked: &Asked, page: &page::Page) -> Response {
    let mut body = Map::new();
    if !page.objects.is_empty() {
        let objects: Vec<&Value> = page.objects.iter().map(|p| &p.object).collect();
        body.insert("objects".into(), json!(objects));
    }
    answer(body, page, &asked.filters)
}

/// `GET …/collections/{cid}/objects/`: an envelope of STIX objects.
pub async fn objects(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(cid): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, TaxiiError> {
    let (asked, page) = read(&state, &actor, &cid, None, query.as_deref()).await?;
    Ok(envelope(&asked, &page))
}

/// `GET …/collections/{cid}/manifest/`: what the objects page would hold, one line each.
pub async fn manifest(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(cid): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, TaxiiError> {
    let (asked, page) = read(&state, &actor, &cid, None, query.as_deref()).await?;
    let mut body = Map::new();
    if !page.objects.is_empty() {
        let lines: Vec<Value> = page
            .objects
            .iter()
            .map(|p| {
                json!({
                    "id": p.object.get("id"),
                    "date_added": stix_time(p.date_added),
                    "version": page::version(&p.object),
                    "media_type": STIX_MEDIA_TYPE,
                })
            })
            .collect();
        body.insert("objects".into(), json!(lines));
    }
    Ok(answer(body, &page, &asked.filters))
}

/// `GET …/objects/{oid}/`: an envelope with the object (threatdb keeps one version of each).
pub async fn by_id(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((cid, oid)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, TaxiiError> {
    let (asked, page) = read(&state, &actor, &cid, Some(&oid), query.as_deref()).await?;
    Ok(envelope(&asked, &page))
}

/// `GET …/objects/{oid}/versions/`: the object's versions (its one `modified`).
pub async fn versions(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path((cid, oid)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, TaxiiError> {
    let (asked, page) = read(&state, &actor, &cid, Some(&oid), query.as_deref()).await?;
    let mut body = Map::new();
    if !page.objects.is_empty() {
        let versions: Vec<String> = page
            .objects
            .iter()
            .map(|p| page::version(&p.object))
            .collect();
        body.insert("versions".into(), json!(versions));
    }
    Ok(answer(body, &page, &asked.filters))
}

/// `DELETE …/objects/{oid}/`: objects are not deleted through TAXII.
pub async fn delete(
    Auth(actor): Auth,
    Path((cid, _)): Path<(String, String)>,
) -> Result<Response, TaxiiError> {
    owner_of(&actor, &cid)?;
    Err(TaxiiError::new(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "Objects are not deleted through TAXII: delete them through the API",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked_(query: Option<&str>) -> Result<Asked, TaxiiError> {
        asked(query, None)
    }

    #[test]
    fn parameters_are_checked() {
        assert!(asked_(Some("limit=0")).is_err());
        assert!(asked_(Some("limit=ten")).is_err());
        assert_eq!(
            asked_(Some("limit=5000")).ok().map(|a| a.limit),
            Some(MAX_LIMIT)
        );
        assert!(asked_(Some("added_after=yesterday")).is_err());
        let a = asked_(Some(
            "added_after=2026-01-01T00:00:00.500Z&match[type]=incident,indicator",
        ))
        .ok()
        .unwrap();
        assert_eq!(a.filters.added_after, Some(1_767_225_600));
        assert_eq!(a.filters.types.map(|t| t.len()), Some(2));
        assert!(asked_(Some("next=forged")).is_err());
    }
}
