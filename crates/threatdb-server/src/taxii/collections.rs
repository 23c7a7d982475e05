//! Discovery, the API root and the collections: one per owner the caller reads.

use super::{MEDIA_TYPE, STIX_MEDIA_TYPE, TaxiiError, taxii_json};
use crate::AppState;
use crate::auth::Auth;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use threatdb_core::{Actor, Owner};

/// `GET /taxii2/`.
pub async fn discovery(State(state): State<AppState>) -> Response {
    let root = format!("{}/taxii2/api/", state.public_url);
    taxii_json(
        StatusCode::OK,
        &json!({
            "title": "threatdb",
            "description": "threatdb's incidents, groups and indicators as STIX 2.1, one collection per owner",
            "default": root,
            "api_roots": [root],
        }),
    )
}

/// `GET /taxii2/api/`.
pub async fn api_root() -> Response {
    taxii_json(
        StatusCode::OK,
        &json!({
            "title": "threatdb",
            "description": "One collection per owner you can read",
            "versions": [MEDIA_TYPE],
            "max_content_length": crate::MAX_BODY_BYTES,
        }),
    )
}

/// `GET /taxii2/api/collections/`.
pub async fn list(Auth(actor): Auth) -> Response {
    let collections: Vec<Value> = actor
        .memberships
        .iter()
        .map(|m| collection(&m.owner))
        .collect();
    taxii_json(StatusCode::OK, &json!({ "collections": collections }))
}

/// `GET /taxii2/api/collections/{cid}/`.
pub async fn one(Auth(actor): Auth, Path(cid): Path<String>) -> Result<Response, TaxiiError> {
    let owner = owner_of(&actor, &cid)?;
    Ok(taxii_json(StatusCode::OK, &collection(owner)))
}

/// The owner whose collection `cid` is, among the caller's: 404 otherwise (an owner the
/// caller cannot read has no collection for them).
pub fn owner_of<'a>(actor: &'a Actor, cid: &str) -> Result<&'a Owner, TaxiiError> {
    actor
        .memberships
        .iter()
        .map(|m| &m.owner)
        .find(|o| threatdb_stix::ids::collection(&o.name).to_string() == cid)
        .ok_or_else(|| TaxiiError::not_found("collection"))
}

/// A collection resource. Nothing is accepted through TAXII yet (DECISIONS 80).
fn collection(owner: &Owner) -> Value {
    json!({
        "id": threatdb_stix::ids::collection(&owner.name).to_string(),
        "title": owner.name,
        "description": format!(
            "The incidents, groups and indicators of the ThreatConnect {} {}",
            owner.kind.as_str(),
            owner.name
        ),
        "alias": alias(&owner.name),
        "can_read": true,
        "can_write": false,
        "media_types": [STIX_MEDIA_TYPE],
    })
}

/// A short name for a collection: the owner's name in lower case, runs of anything but ASCII
/// letters and digits as one `-`.
pub fn alias(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn aliases_are_slugs() {
        assert_eq!(super::alias("Example Organization"), "example-organization");
        assert_eq!(super::alias("  ACME / CERT!! "), "acme-cert");
    }
}
