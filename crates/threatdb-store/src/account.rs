//! What a person does to their own account from the web UI: change their web password, list,
//! create and revoke their API tokens. Each operation acts on the actor's own API user only
//! (another user's token is NotFound, as if it did not exist).

use crate::accounts::bump_generation;
use crate::db::{Db, Dialect, Sql};
use crate::{admin, now};
use threatdb_core::{Actor, ApiToken, NewApiToken, StoreError, StoreResult, Timestamp};

/// The most tokens that still work (not revoked, not expired) a person may hold: a flood of
/// creations stops there.
pub const MAX_OWN_TOKENS: i64 = 50;

/// The actor's tokens (never the tokens themselves), oldest first.
pub async fn tokens<D: Db>(db: &mut D, actor: &Actor) -> StoreResult<Vec<ApiToken>> {
    admin::tokens_where(db, Some(actor.user_id)).await
}

/// Creates a token acting as the actor; refused past [`MAX_OWN_TOKENS`] working ones.
pub async fn create_token<D: Db>(
    db: &mut D,
    actor: &Actor,
    token_hash: &[u8],
    expires: Option<Timestamp>,
) -> StoreResult<i64> {
    if db.dialect() == Dialect::Postgres {
        // Two creations at once count one after the other.
        db.fetch_optional(
            Sql::with(
                "SELECT id FROM api_users WHERE id = ? FOR UPDATE",
                vec![actor.user_id.into()],
            ),
            |r| r.int(0),
        )
        .await?;
    }
    let working = db
        .fetch_optional(
            Sql::with(
                "SELECT count(*) FROM api_tokens WHERE user_id = ? AND NOT revoked \
                 AND (expires IS NULL OR expires > ?)",
                vec![actor.user_id.into(), now().into()],
            ),
            |r| r.int(0),
        )
        .await?
        .unwrap_or(0);
    if working >= MAX_OWN_TOKENS {
        return Err(StoreError::Invalid(format!(
            "you have {working} tokens that work, the most one person may hold: revoke one first"
        )));
    }
    admin::create_token(
        db,
        &NewApiToken {
            user_id: actor.user_id,
            token_hash: token_hash.to_vec(),
            expires,
        },
    )
    .await
}

/// Revokes one of the actor's tokens (NotFound for any other id).
pub async fn revoke_token<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<()> {
    let done = db
        .execute(Sql::with(
            "UPDATE api_tokens SET revoked = TRUE WHERE id = ? AND user_id = ?",
            vec![id.into(), actor.user_id.into()],
        ))
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    bump_generation(db).await
}

/// Replaces the actor's web password (its hash) and ends every session of it.
pub async fn change_password<D: Db>(
    db: &mut D,
    actor: &Actor,
    password_hash: &str,
) -> StoreResult<()> {
    admin::set_password(db, admin::Login::User(actor.user_id), password_hash).await
}
