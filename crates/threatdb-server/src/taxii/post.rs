//! `POST …/objects/` (stix-taxii.md §12): an envelope of STIX 2.1 objects imported into the
//! collection's owner with the caller's rights (the import of `threatdb import`, written
//! before the answer), answered `202` with a status resource that its poster can read again at
//! `status/{id}/` for at least 24 hours.

use super::collections::owner_of;
use super::{TaxiiError, taxii_json};
use crate::AppState;
use crate::auth::Auth;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;
use threatdb_core::policy::{Access, Decision, decide};
use threatdb_core::{Actor, Owner};
use threatdb_stix::{ImportError, ImportSummary, Importer};

/// `POST /taxii2/api/collections/{cid}/objects/`.
pub async fn add(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(cid): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, TaxiiError> {
    let owner = owner_of(&actor, &cid)?.clone();
    if !is_taxii(&headers) {
        return Err(TaxiiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            format!("Send the envelope as {}", super::MEDIA_TYPE),
        ));
    }
    if decide(&actor, owner.id, Access::Write) != Decision::Allow {
        return Err(TaxiiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "You may read this collection, not add to it (can_write is false for you)",
        ));
    }
    // A body announced over the limit is refused before a byte of it is read.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = u64::try_from(crate::MAX_BODY_BYTES).unwrap_or(u64::MAX);
    let too_large = || {
        TaxiiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload too large",
            format!(
                "An envelope is at most {limit} bytes (max_content_length): send fewer objects at a time"
            ),
        )
    };
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let body = axum::body::to_bytes(body, crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())?;
    let envelope: Value = serde_json::from_slice(&body)
        .map_err(|e| TaxiiError::bad_request(format!("The body is not JSON: {e}")))?;
    let Some(objects) = envelope.get("objects").and_then(Value::as_array) else {
        return Err(TaxiiError::bad_request(
            "The body is not a TAXII envelope: {\"objects\": [ ... ]}",
        ));
    };
    let requested = threatdb_stix::objects::stix_time(threatdb_core::date::now());
    let summary = import(&state, &actor, &owner, objects).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let status = status_body(&id, &requested, objects, &summary);
    state
        .store
        .save_taxii_status(&poster(&actor), owner.id, &id, &status.to_string())
        .await?;
    Ok(taxii_json(StatusCode::ACCEPTED, &status))
}

/// `GET /taxii2/api/status/{sid}/`: the poster's own statuses only (anyone else: 404).
pub async fn status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    Path(sid): Path<String>,
) -> Result<Response, TaxiiError> {
    match state.store.taxii_status(&poster(&actor), &sid).await? {
        Some(body) => {
            let value: Value = serde_json::from_str(&body)
                .map_err(|e| TaxiiError::from(crate::error::ApiError::Internal(e.to_string())))?;
            Ok(taxii_json(StatusCode::OK, &value))
        }
        None => Err(TaxiiError::not_found("status resource")),
    }
}

/// Who posted: the user's id and name (a token acts as its user).
fn poster(actor: &Actor) -> String {
    format!("{}:{}", actor.user_id, actor.name)
}

/// Whether the body is sent as TAXII: `application/taxii+json`, with `version=2.1` or none.
fn is_taxii(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    essence.eq_ignore_ascii_case("application/taxii+json")
        && parts.all(|p| {
            let p = p.replace(' ', "").to_ascii_lowercase();
            p == "version=2.1" || p.starts_with("charset=")
        })
}

/// The three passes of an import over the envelope's objects, into the collection's owner.
async fn import(
    state: &AppState,
    actor: &Actor,
    owner: &Owner,
    objects: &[Value],
) -> Result<ImportSummary, TaxiiError> {
    let failed = |e: ImportError| match e {
        ImportError::Store(e) => TaxiiError::from(e),
        ImportError::Refused(_) => TaxiiError::bad_request(e.to_string()),
    };
    let mut importer = Importer::new(
        state.store.clone(),
        actor.clone(),
        std::slice::from_ref(owner),
        Some(owner.clone()),
        false,
    )
    .await
    .map_err(failed)?;
    importer.only_into_fallback();
    importer.record_each();
    for v in objects {
        importer.survey(v);
    }
    importer.begin().await.map_err(failed)?;
    for v in objects {
        importer.object(v).await.map_err(failed)?;
    }
    importer.flush().await.map_err(failed)?;
    for v in objects {
        importer.relationship(v).await.map_err(failed)?;
    }
    importer.finish().await.map_err(failed)?;
    Ok(importer.summary)
}

/// The status resource: every object a success or a failure, with its version.
fn status_body(id: &str, requested: &str, objects: &[Value], summary: &ImportSummary) -> Value {
    let versions: HashMap<&str, &str> = objects
        .iter()
        .filter_map(|o| {
            let id = o.get("id")?.as_str()?;
            let version = o
                .get("modified")
                .or_else(|| o.get("created"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            Some((id, version))
        })
        .collect();
    let mut successes = Vec::new();
    let mut failures = Vec::new();
    for (object, outcome) in summary.each.iter().flatten() {
        let version = versions.get(object.as_str()).copied().unwrap_or_default();
        match outcome {
            Ok(()) => successes.push(json!({"id": object, "version": version})),
            Err(message) => {
                failures.push(json!({"id": object, "version": version, "message": message}))
            }
        }
    }
    json!({
        "id": id,
        "status": "complete",
        "request_timestamp": requested,
        "total_count": successes.len().saturating_add(failures.len()),
        "success_count": successes.len(),
        "successes": successes,
        "failure_count": failures.len(),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_the_taxii_media_type_is_taken() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(is_taxii(&with("application/taxii+json;version=2.1")));
        assert!(is_taxii(&with("application/taxii+json; version=2.1")));
        assert!(is_taxii(&with("application/taxii+json")));
        assert!(!is_taxii(&with("application/json")));
        assert!(!is_taxii(&with("application/taxii+json;version=2.0")));
        assert!(!is_taxii(&HeaderMap::new()));
    }
}
