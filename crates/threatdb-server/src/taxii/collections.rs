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
        .map(|m| collection(&actor, &m.owner))
        .collect();
    taxii_json(StatusCode::OK, &json!({ "collections": collections }))
}

/// `GET /taxii2/api/collections/{cid}/`.
pub async fn one(Auth(actor): Auth, Path(cid): Path<String>) -> Result<Response, TaxiiError> {
    let owner = owner_of(&actor, &cid)?;
    Ok(taxii_json(StatusCode::OK, &collection(&actor, owner)))
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

/// A collection resource: writable by those who may write in the owner.
fn collection(actor: &Actor, owner: &Owner) -> Value {
    let can_write =
        threatdb_core::policy::decide(actor, owner.id, threatdb_core::policy::Access::Write)
            == threatdb_core::policy::Decision::Allow;
    let mut out = json!({
        "id": threatdb_stix::ids::collection(&owner.name).to_string(),
        "title": owner.name,
        "description": format!(
            "The incidents, groups and indicators of the ThreatConnect {} {}",
            owner.kind.as_str(),
            owner.name
        ),
        "can_read": true,
        "can_write": can_write,
        "media_types": [STIX_MEDIA_TYPE],
    });
    if let (Some(alias), Some(fields)) = (alias(&owner.name), out.as_object_mut()) {
        fields.insert("alias".into(), alias.into());
    }
    out
}

/// A short name for a collection, when one can be unique: an owner's name made only of ASCII
/// letters and digits in words parted by single spaces, in lower case with `-` for the spaces.
/// Owner names are unique whatever their case, so two such aliases never meet; a name with
/// anything else (`ACME / CERT`, `a-b`, `Société`) gets none rather than one another owner's
/// name could also give (TAXII wants aliases unique within an API root).
pub fn alias(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split(' ').collect();
    let plain = words
        .iter()
        .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()));
    plain.then(|| words.join("-").to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn aliases_are_slugs_that_no_other_name_gives() {
        use super::alias;
        assert_eq!(
            alias("Example Organization").as_deref(),
            Some("example-organization")
        );
        assert_eq!(alias("CERT 2").as_deref(), Some("cert-2"));
        for none in [
            "  ACME / CERT!! ",
            "a-b",
            "a  b",
            " a",
            "",
            "Société",
            "a\tb",
        ] {
            assert_eq!(alias(none), None, "{none:?}");
        }
    }
}
