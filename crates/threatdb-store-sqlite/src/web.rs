//! People signing in to the web UI: a login and password hash attached to an API user, whose
//! actor (memberships included) is loaded exactly as for API authentication.

use crate::admin::{actor, memberships_of};
use crate::rows::{exec, one};
use crate::{SqliteStore, backend, is_unique, now};
use rusqlite::{Connection, params};
use threatdb_core::web::{login_key, parse_login};
use threatdb_core::{Actor, NewWebLogin, StoreError, StoreResult, WebLogin};

const COLUMNS: &str = "w.user_id, w.login, w.password_hash, w.session_epoch, u.disabled, u.name, u.organization_id \
     FROM web_logins w JOIN api_users u ON u.id = w.user_id";

fn load(
    conn: &Connection,
    condition: &str,
    key: rusqlite::types::Value,
) -> StoreResult<Option<(WebLogin, Actor)>> {
    let sql = format!("SELECT {COLUMNS} WHERE {condition}");
    let found = one(conn, &sql, [key], |r| {
        Ok((
            WebLogin {
                user_id: r.get(0)?,
                login: r.get(1)?,
                password_hash: r.get(2)?,
                session_epoch: r.get(3)?,
                disabled: r.get(4)?,
            },
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let Some((login, name, organization)) = found else {
        return Ok(None);
    };
    let memberships = memberships_of(conn, login.user_id)?;
    Ok(actor(login.user_id, name, organization, memberships).map(|a| (login, a)))
}

impl SqliteStore {
    pub(crate) async fn load_web_login(
        &self,
        login: &str,
    ) -> StoreResult<Option<(WebLogin, Actor)>> {
        let key = login_key(login);
        self.read(|c| load(c, "w.login_key = ?1", key.into()))
    }

    pub(crate) async fn load_web_session(
        &self,
        user_id: i64,
    ) -> StoreResult<Option<(WebLogin, Actor)>> {
        self.read(|c| load(c, "w.user_id = ?1", user_id.into()))
    }

    pub(crate) async fn bump_session_epoch(&self, actor: &Actor) -> StoreResult<()> {
        let user = actor.user_id;
        self.write(move |c| {
            if exec(
                c,
                "UPDATE web_logins SET session_epoch = session_epoch + 1 WHERE user_id = ?1",
                [user],
            )? == 0
            {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn insert_web_login(&self, new: NewWebLogin) -> StoreResult<()> {
        let login = parse_login(&new.login)?;
        if new.password_hash.is_empty() {
            return Err(StoreError::Invalid("a password hash is required".into()));
        }
        self.write(move |c| {
            let user: i64 = one(c, "SELECT id FROM api_users WHERE access_id = ?1", [&new.access_id], |r| r.get(0))?
                .ok_or_else(|| StoreError::Invalid(format!("no API user has access id '{}'", new.access_id)))?;
            if let Some(existing) = one(c, "SELECT login FROM web_logins WHERE user_id = ?1", [user], |r| r.get::<_, String>(0))? {
                return Err(StoreError::Conflict(format!("this API user signs in as '{existing}' already")));
            }
            c.execute(
                "INSERT INTO web_logins (user_id, login, login_key, password_hash, date_added) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![user, login, login_key(&login), new.password_hash, now()],
            )
            .map_err(|e| if is_unique(&e) { StoreError::Conflict(format!("the login name '{login}' is taken")) } else { backend(e) })?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn update_web_password(
        &self,
        login: &str,
        password_hash: &str,
    ) -> StoreResult<()> {
        if password_hash.is_empty() {
            return Err(StoreError::Invalid("a password hash is required".into()));
        }
        let (key, hash) = (login_key(login), password_hash.to_string());
        self.write(move |c| {
            let done = exec(
                c,
                "UPDATE web_logins SET password_hash = ?1, session_epoch = session_epoch + 1 WHERE login_key = ?2",
                params![hash, key],
            )?;
            if done == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }
}
