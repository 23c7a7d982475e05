//! `/v2/owners`, `/v2/owners/mine`, `/v2/owners/{id}` and `/v2/whoami`: read from the actor.

use super::parse_id;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::reply::{counted_one, many, one};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use threatdb_wire::dto::OwnerDto;

/// `GET /v2/owners`: every owner the caller is a member of.
pub async fn list(auth: Auth) -> Response {
    let owners: Vec<OwnerDto> = auth
        .0
        .memberships
        .iter()
        .map(|m| OwnerDto::from(&m.owner))
        .collect();
    many("owner", Some(owners.len() as u64), owners)
}

fn single_owner(owner: &threatdb_core::Owner) -> Response {
    // The docs show `"resultCount": 1` with a single object for these two.
    counted_one("owner", OwnerDto::from(owner))
}

/// `GET /v2/owners/mine`: the caller's organization.
pub async fn mine(auth: Auth) -> Response {
    single_owner(&auth.0.default_owner)
}

/// `GET /v2/owners/{id}`: an owner the caller is a member of.
pub async fn get(auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let m = auth
        .0
        .memberships
        .iter()
        .find(|m| m.owner.id == id)
        .ok_or(ApiError::NotFound)?;
    Ok(single_owner(&m.owner))
}

/// The caller, as `/v2/whoami` shows it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct User {
    user_name: String,
    first_name: String,
    last_name: String,
    pseudonym: String,
    role: &'static str,
    owner: OwnerDto,
}

/// `GET /v2/whoami`.
pub async fn whoami(auth: Auth) -> Response {
    let a = &auth.0;
    let user = User {
        user_name: a.name.clone(),
        first_name: a.name.clone(),
        last_name: String::new(),
        pseudonym: a.name.clone(),
        role: "Api User",
        owner: OwnerDto::from(&a.default_owner),
    };
    one(StatusCode::OK, "user", user)
}
