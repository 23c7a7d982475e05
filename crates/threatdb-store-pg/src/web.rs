//! People signing in to the web UI: a login and password hash attached to an API user, whose
//! actor (memberships included) is loaded exactly as for API authentication.

use crate::{PgStore, backend, now, rows};
use sqlx::Row;
use sqlx::postgres::PgRow;
use threatdb_core::web::{login_key, parse_login};
use threatdb_core::{Actor, NewWebLogin, StoreError, StoreResult, WebLogin};

/// The columns [`assemble`] reads, for `web_logins w JOIN api_users u JOIN memberships m JOIN owners o`.
const COLUMNS: &str = "w.user_id, w.login, w.password_hash, w.session_epoch, u.disabled, u.name, \
     u.organization_id, o.id, o.name, o.kind, m.role";
const FROM: &str = "FROM web_logins w JOIN api_users u ON u.id = w.user_id \
     JOIN memberships m ON m.user_id = u.id JOIN owners o ON o.id = m.owner_id";

/// Builds the login and its actor from one row per membership (ordered by owner id).
fn assemble(found: &[PgRow]) -> StoreResult<Option<(WebLogin, Actor)>> {
    let Some(first) = found.first() else {
        return Ok(None);
    };
    let login = WebLogin {
        user_id: first.try_get(0).map_err(backend)?,
        login: first.try_get(1).map_err(backend)?,
        password_hash: first.try_get(2).map_err(backend)?,
        session_epoch: first.try_get(3).map_err(backend)?,
        disabled: first.try_get(4).map_err(backend)?,
    };
    let name: String = first.try_get(5).map_err(backend)?;
    let organization: i64 = first.try_get(6).map_err(backend)?;
    let actor = rows::actor(found, 7, login.user_id, name, organization)?;
    Ok(actor.map(|actor| (login, actor)))
}

impl PgStore {
    pub(crate) async fn load_web_login(
        &self,
        login: &str,
    ) -> StoreResult<Option<(WebLogin, Actor)>> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE w.login_key = $1 ORDER BY o.id");
        // One statement: no transaction needed.
        let mut conn = self.pool().acquire().await.map_err(backend)?;
        let found = sqlx::query(&sql)
            .bind(login_key(login))
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?;
        assemble(&found)
    }

    pub(crate) async fn load_web_session(
        &self,
        user_id: i64,
    ) -> StoreResult<Option<(WebLogin, Actor)>> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE w.user_id = $1 ORDER BY o.id");
        // One statement: no transaction needed.
        let mut conn = self.pool().acquire().await.map_err(backend)?;
        let found = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?;
        assemble(&found)
    }

    pub(crate) async fn bump_session_epoch(&self, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE web_logins SET session_epoch = session_epoch + 1 WHERE user_id = $1",
        )
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn insert_web_login(&self, new: NewWebLogin) -> StoreResult<()> {
        let login = parse_login(&new.login)?;
        if new.password_hash.is_empty() {
            return Err(StoreError::Invalid("a password hash is required".into()));
        }
        let mut tx = self.begin_write().await?;
        let user: Option<i64> = sqlx::query_scalar("SELECT id FROM api_users WHERE access_id = $1")
            .bind(&new.access_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let user = user.ok_or_else(|| {
            StoreError::Invalid(format!("no API user has access id '{}'", new.access_id))
        })?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT login FROM web_logins WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
        if let Some(existing) = existing {
            return Err(StoreError::Conflict(format!(
                "this API user signs in as '{existing}' already"
            )));
        }
        sqlx::query(
            "INSERT INTO web_logins (user_id, login, login_key, password_hash, date_added) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user)
        .bind(&login)
        .bind(login_key(&login))
        .bind(&new.password_hash)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(format!("the login name '{login}' is taken"))
            }
            _ => backend(e),
        })?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn update_web_password(
        &self,
        login: &str,
        password_hash: &str,
    ) -> StoreResult<()> {
        if password_hash.is_empty() {
            return Err(StoreError::Invalid("a password hash is required".into()));
        }
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE web_logins SET password_hash = $1, session_epoch = session_epoch + 1 \
             WHERE login_key = $2",
        )
        .bind(password_hash)
        .bind(login_key(login))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(backend)
    }
}
