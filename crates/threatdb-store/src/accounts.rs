//! Who is calling: an API user's credentials and actor, and web logins, each loaded in one
//! statement (one row per membership), so a request costs one round trip to authenticate.

use crate::db::{Cells, Db, Dialect, Sql};
use crate::{now, rows};
use threatdb_core::web::login_key;
use threatdb_core::{
    Actor, ApiCredentials, Membership, StoreError, StoreResult, TokenCredentials, WebLogin,
};

/// The PostgreSQL channel notified (at commit) when credentials lose access.
pub const CREDENTIALS_CHANNEL: &str = "threatdb_credentials";

/// Builds an actor from its memberships; `None` when the user is not a member of its
/// organization (it always is: creating an API user makes sure of it).
fn actor(
    user_id: i64,
    name: String,
    organization: i64,
    memberships: Vec<Membership>,
) -> Option<Actor> {
    let default_owner = memberships
        .iter()
        .find(|m| m.owner.id == organization)
        .map(|m| m.owner.clone())?;
    Some(Actor {
        user_id,
        name,
        default_owner,
        memberships,
    })
}

/// Reads a row's head: the value, the user id, the user's name and its organization.
type Head<H> = fn(&dyn Cells) -> StoreResult<(H, i64, String, i64)>;

/// Rows of (head columns..., o.id, o.name, o.kind, m.role), one per membership: the head read
/// from the first row, the memberships from all.
async fn with_memberships<D: Db, H: Send>(
    db: &mut D,
    sql: Sql<'_>,
    at: usize,
    head: Head<H>,
) -> StoreResult<Option<(H, Actor)>> {
    let found = db
        .fetch(sql, |r| {
            let membership = rows::membership(r, at)?;
            Ok((membership, head(r)?))
        })
        .await?;
    let mut memberships = Vec::with_capacity(found.len());
    let mut first = None;
    for (membership, h) in found {
        memberships.push(membership);
        if first.is_none() {
            first = Some(h);
        }
    }
    let Some((h, user_id, name, organization)) = first else {
        return Ok(None);
    };
    Ok(actor(user_id, name, organization, memberships).map(|a| (h, a)))
}

/// An API user's credentials and actor, by access id. `disabled` is set when the user is
/// disabled or its HMAC key revoked: either way the key authenticates nobody.
pub async fn credentials<D: Db>(
    db: &mut D,
    access_id: &str,
) -> StoreResult<Option<(ApiCredentials, Actor)>> {
    let sql = Sql::with(
        "SELECT u.id, u.access_id, u.sealed_secret, (u.disabled OR u.key_revoked), u.name, u.organization_id, \
                o.id, o.name, o.kind, m.role \
         FROM api_users u JOIN memberships m ON m.user_id = u.id JOIN owners o ON o.id = m.owner_id \
         WHERE u.access_id = ? ORDER BY o.id",
        vec![access_id.into()],
    );
    with_memberships(db, sql, 6, |r| {
        let credentials = ApiCredentials {
            user_id: r.int(0)?,
            access_id: r.text(1)?,
            sealed_secret: r.bytes(2)?,
            disabled: r.boolean(3)?,
        };
        Ok((credentials, r.int(0)?, r.text(4)?, r.int(5)?))
    })
    .await
}

/// An API user's actor by id, as it is now (`None` when the user is disabled or gone): a Batch
/// job runs with its user's current rights.
pub async fn actor_by_id<D: Db>(db: &mut D, user_id: i64) -> StoreResult<Option<Actor>> {
    let sql = Sql::with(
        "SELECT u.id, u.name, u.organization_id, o.id, o.name, o.kind, m.role \
         FROM api_users u JOIN memberships m ON m.user_id = u.id JOIN owners o ON o.id = m.owner_id \
         WHERE u.id = ? AND NOT u.disabled ORDER BY o.id",
        vec![user_id.into()],
    );
    Ok(
        with_memberships(db, sql, 3, |r| Ok(((), r.int(0)?, r.text(1)?, r.int(2)?)))
            .await?
            .map(|((), actor)| actor),
    )
}

const WEB_LOGIN: &str = "SELECT w.user_id, w.login, w.password_hash, w.session_epoch, u.disabled, u.name, \
     u.organization_id, o.id, o.name, o.kind, m.role \
     FROM web_logins w JOIN api_users u ON u.id = w.user_id \
     JOIN memberships m ON m.user_id = u.id JOIN owners o ON o.id = m.owner_id WHERE ";

fn web_login_head(r: &dyn Cells) -> StoreResult<(WebLogin, i64, String, i64)> {
    let login = WebLogin {
        user_id: r.int(0)?,
        login: r.text(1)?,
        password_hash: r.text(2)?,
        session_epoch: r.int(3)?,
        disabled: r.boolean(4)?,
    };
    Ok((login, r.int(0)?, r.text(5)?, r.int(6)?))
}

/// A web login by name (case-insensitively) and its actor.
pub async fn web_login<D: Db>(db: &mut D, login: &str) -> StoreResult<Option<(WebLogin, Actor)>> {
    let mut sql = Sql::new(format!("{WEB_LOGIN}w.login_key = ? ORDER BY o.id"));
    sql.params.push(login_key(login).into());
    with_memberships(db, sql, 7, web_login_head).await
}

/// The web login of API user `user_id` and its actor.
pub async fn web_session<D: Db>(
    db: &mut D,
    user_id: i64,
) -> StoreResult<Option<(WebLogin, Actor)>> {
    let mut sql = Sql::new(format!("{WEB_LOGIN}w.user_id = ? ORDER BY o.id"));
    sql.params.push(user_id.into());
    with_memberships(db, sql, 7, web_login_head).await
}

/// Ends every web session of the actor (bumps its login's session epoch); NotFound without a
/// login. The actor acts on itself: no owner is involved.
pub async fn end_web_sessions<D: Db>(db: &mut D, actor: &Actor) -> StoreResult<()> {
    let sql = Sql::with(
        "UPDATE web_logins SET session_epoch = session_epoch + 1 WHERE user_id = ?",
        vec![actor.user_id.into()],
    );
    if db.execute(sql).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A token's state and the actor of its user, by the SHA-256 of the token.
pub async fn token_credentials<D: Db>(
    db: &mut D,
    token_hash: &[u8],
) -> StoreResult<Option<(TokenCredentials, Actor)>> {
    let sql = Sql::with(
        "SELECT t.id, t.user_id, t.expires, t.last_used, t.revoked, u.disabled, u.name, \
                u.organization_id, o.id, o.name, o.kind, m.role \
         FROM api_tokens t JOIN api_users u ON u.id = t.user_id \
         JOIN memberships m ON m.user_id = u.id JOIN owners o ON o.id = m.owner_id \
         WHERE t.token_hash = ? ORDER BY o.id",
        vec![token_hash.into()],
    );
    with_memberships(db, sql, 8, |r| {
        let token = TokenCredentials {
            token_id: r.int(0)?,
            user_id: r.int(1)?,
            expires: r.opt_time(2)?,
            last_used: r.opt_time(3)?,
            revoked: r.boolean(4)?,
            user_disabled: r.boolean(5)?,
        };
        Ok((token, r.int(1)?, r.text(6)?, r.int(7)?))
    })
    .await
}

/// Records that a token authenticated a request now.
pub async fn token_used<D: Db>(db: &mut D, token_id: i64) -> StoreResult<()> {
    db.execute(Sql::with(
        "UPDATE api_tokens SET last_used = ? WHERE id = ?",
        vec![now().into(), token_id.into()],
    ))
    .await?;
    Ok(())
}

/// The credential generation: moves whenever credentials lose access.
pub async fn credential_generation<D: Db>(db: &mut D) -> StoreResult<i64> {
    Ok(rows::int(
        db,
        Sql::with(
            "SELECT generation FROM credential_generation WHERE id = 1",
            vec![],
        ),
    )
    .await?
    .unwrap_or(0))
}

/// Moves the credential generation, in the transaction that takes access away; on PostgreSQL
/// also notifies [`CREDENTIALS_CHANNEL`] (delivered when the transaction commits).
pub async fn bump_generation<D: Db>(db: &mut D) -> StoreResult<()> {
    db.execute(Sql::with(
        "UPDATE credential_generation SET generation = generation + 1 WHERE id = 1",
        vec![],
    ))
    .await?;
    if db.dialect() == Dialect::Postgres {
        db.fetch(
            Sql::with("SELECT pg_notify(?, '')", vec![CREDENTIALS_CHANNEL.into()]),
            |_| Ok(()),
        )
        .await?;
    }
    Ok(())
}
