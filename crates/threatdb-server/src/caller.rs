//! Who is asking and in which owner, resolved once per request: the authenticated actor, the
//! query parameters, and the owner of `owner=` (or the actor's organization). An `owner=` the
//! actor cannot use is refused here, with a 403 (DECISIONS.md #17), before any handler runs.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::params::Params;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::sync::Arc;
use threatdb_core::{Actor, Owner};

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The authenticated actor.
    pub actor: Arc<Actor>,
    /// The owner the request works in.
    pub owner: Owner,
    /// The query parameters.
    pub params: Params,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(actor) = Auth::from_request_parts(parts, state).await?;
        let params = Params::from_request_parts(parts, state).await?;
        let owner = params.owner(&actor)?.clone();
        Ok(Caller {
            actor,
            owner,
            params,
        })
    }
}
