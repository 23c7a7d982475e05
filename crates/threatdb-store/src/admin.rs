//! Operator operations (`threatdb admin`): owners, API users, memberships, labels, web logins.
//! They run with the operator's authority on the database, not an actor's.

use crate::accounts::bump_generation;
use crate::db::{Cells, Db, Sql};
use crate::{now, rows};
use threatdb_core::owner::validate_owner_name;
use threatdb_core::web::{login_key, parse_login};
use threatdb_core::{
    ApiToken, ApiUserInfo, NewApiToken, NewApiUser, NewWebLogin, Owner, OwnerKind, Role,
    SecurityLabel, StoreError, StoreResult, label_key,
};

/// Creates an owner; a name already taken (case-insensitively) is a Conflict.
pub async fn create_owner<D: Db>(db: &mut D, name: &str, kind: OwnerKind) -> StoreResult<Owner> {
    let name = validate_owner_name(name)?;
    let sql = Sql::with(
        "INSERT INTO owners (name, name_key, kind, date_added) VALUES (?, ?, ?, ?) RETURNING id",
        vec![
            name.as_str().into(),
            name.to_lowercase().into(),
            kind.as_str().into(),
            now().into(),
        ],
    );
    let id = rows::one(db, sql, |r| r.int(0))
        .await
        .map_err(|e| e.on_duplicate(format!("an owner named '{name}' already exists")))?;
    Ok(Owner { id, name, kind })
}

/// Every owner.
pub async fn owners<D: Db>(db: &mut D) -> StoreResult<Vec<Owner>> {
    let sql = Sql::with("SELECT id, name, kind FROM owners ORDER BY id", vec![]);
    db.fetch(sql, |r| rows::owner(r, 0)).await
}

/// An owner by name (case-insensitively).
pub async fn owner_by_name<D: Db>(db: &mut D, name: &str) -> StoreResult<Owner> {
    let sql = Sql::with(
        "SELECT id, name, kind FROM owners WHERE name_key = ?",
        vec![name.trim().to_lowercase().into()],
    );
    rows::one(db, sql, |r| rows::owner(r, 0)).await
}

/// Creates an API user, member of its organization with its role.
pub async fn create_api_user<D: Db>(db: &mut D, user: &NewApiUser) -> StoreResult<i64> {
    let kind = db
        .fetch_optional(
            Sql::with(
                "SELECT kind FROM owners WHERE id = ?",
                vec![user.organization_id.into()],
            ),
            |r| r.text(0),
        )
        .await?;
    if kind.as_deref() != Some(OwnerKind::Organization.as_str()) {
        return Err(StoreError::Invalid(
            "an API user's default owner must be an organization".into(),
        ));
    }
    let sql = Sql::with(
        "INSERT INTO api_users (access_id, sealed_secret, name, organization_id, date_added) \
         VALUES (?, ?, ?, ?, ?) RETURNING id",
        vec![
            user.access_id.as_str().into(),
            user.sealed_secret.as_slice().into(),
            user.name.as_str().into(),
            user.organization_id.into(),
            now().into(),
        ],
    );
    let id = rows::one(db, sql, |r| r.int(0))
        .await
        .map_err(|e| e.on_duplicate(format!("access id '{}' is taken", user.access_id)))?;
    db.execute(Sql::with(
        "INSERT INTO memberships (user_id, owner_id, role) VALUES (?, ?, ?)",
        vec![
            id.into(),
            user.organization_id.into(),
            user.role.as_str().into(),
        ],
    ))
    .await?;
    Ok(id)
}

async fn user_id<D: Db>(db: &mut D, access_id: &str) -> StoreResult<i64> {
    rows::int(
        db,
        Sql::with(
            "SELECT id FROM api_users WHERE access_id = ?",
            vec![access_id.into()],
        ),
    )
    .await?
    .ok_or_else(|| StoreError::Invalid(format!("no API user has access id '{access_id}'")))
}

/// Makes a user a member of an owner with a role (or changes its role there).
pub async fn set_membership<D: Db>(
    db: &mut D,
    access_id: &str,
    owner: i64,
    role: Role,
) -> StoreResult<()> {
    let user = user_id(db, access_id).await?;
    db.execute(Sql::with(
        "INSERT INTO memberships (user_id, owner_id, role) VALUES (?, ?, ?) \
         ON CONFLICT (user_id, owner_id) DO UPDATE SET role = excluded.role",
        vec![user.into(), owner.into(), role.as_str().into()],
    ))
    .await?;
    // A role may have been lowered: cached credentials must not keep the old one.
    bump_generation(db).await
}

/// Defines a custom security label in an owner.
pub async fn create_label<D: Db>(
    db: &mut D,
    owner: i64,
    name: &str,
    description: &str,
    color: &str,
) -> StoreResult<SecurityLabel> {
    let name = threatdb_core::parse_label_name(name)?;
    if color.len() != 6 || !color.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid(format!(
            "color '{color}' must be six hex digits, e.g. FFC000"
        )));
    }
    let key = label_key(&name);
    let system = Sql::with(
        "SELECT id FROM security_labels WHERE owner_id IS NULL AND name_key = ?",
        vec![key.as_str().into()],
    );
    if rows::int(db, system).await?.is_some() {
        return Err(StoreError::Conflict(format!(
            "'{name}' is a system security label"
        )));
    }
    let sql = Sql::with(
        "INSERT INTO security_labels (owner_id, name, name_key, description, color, date_added) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            owner.into(),
            name.as_str().into(),
            key.as_str().into(),
            description.into(),
            color.to_ascii_uppercase().into(),
            now().into(),
        ],
    );
    let id = rows::one(db, sql, |r| r.int(0))
        .await
        .map_err(|e| e.on_duplicate(format!("the owner already has a label '{name}'")))?;
    let sql = Sql::with(
        "SELECT l.name, l.description, l.color, l.date_added, l.id FROM security_labels l WHERE l.id = ?",
        vec![id.into()],
    );
    rows::one(db, sql, |r| rows::label(r, 0)).await
}

/// How many API users exist.
pub async fn api_user_count<D: Db>(db: &mut D) -> StoreResult<u64> {
    rows::count(db, Sql::with("SELECT count(*) FROM api_users", vec![])).await
}

/// Lets an API user sign in to the web UI.
pub async fn create_web_login<D: Db>(db: &mut D, new: &NewWebLogin) -> StoreResult<()> {
    let login = parse_login(&new.login)?;
    if new.password_hash.is_empty() {
        return Err(StoreError::Invalid("a password hash is required".into()));
    }
    let user = user_id(db, &new.access_id).await?;
    let existing = db
        .fetch_optional(
            Sql::with(
                "SELECT login FROM web_logins WHERE user_id = ?",
                vec![user.into()],
            ),
            |r| r.text(0),
        )
        .await?;
    if let Some(existing) = existing {
        return Err(StoreError::Conflict(format!(
            "this API user signs in as '{existing}' already"
        )));
    }
    db.execute(Sql::with(
        "INSERT INTO web_logins (user_id, login, login_key, password_hash, date_added) VALUES (?, ?, ?, ?, ?)",
        vec![
            user.into(),
            login.as_str().into(),
            login_key(&login).into(),
            new.password_hash.as_str().into(),
            now().into(),
        ],
    ))
    .await
    .map_err(|e| e.on_duplicate(format!("the login name '{login}' is taken")))?;
    Ok(())
}

/// Replaces the password hash of a login and ends its sessions.
pub async fn set_web_password<D: Db>(
    db: &mut D,
    login: &str,
    password_hash: &str,
) -> StoreResult<()> {
    set_password(db, Login::Key(login_key(login)), password_hash).await
}

/// Whose web password [`set_password`] replaces.
pub(crate) enum Login {
    /// The login with this key.
    Key(String),
    /// The login of this API user.
    User(i64),
}

/// Replaces a web login's password (its hash) and ends its sessions; NotFound when there is
/// no such login.
pub(crate) async fn set_password<D: Db>(
    db: &mut D,
    login: Login,
    password_hash: &str,
) -> StoreResult<()> {
    if password_hash.is_empty() {
        return Err(StoreError::Invalid("a password hash is required".into()));
    }
    let (column, key) = match login {
        Login::Key(key) => ("login_key", key.into()),
        Login::User(id) => ("user_id", id.into()),
    };
    let mut sql = Sql::new(format!(
        "UPDATE web_logins SET password_hash = ?, session_epoch = session_epoch + 1 WHERE {column} = ?"
    ));
    sql.params = vec![password_hash.into(), key];
    if db.execute(sql).await? == 0 {
        return Err(StoreError::NotFound);
    }
    // A server may hold the old password's digest for Basic authentication: forget it.
    bump_generation(db).await
}

const USER_INFO: &str = "SELECT u.id, u.access_id, u.name, w.login, u.disabled, u.key_revoked \
     FROM api_users u LEFT JOIN web_logins w ON w.user_id = u.id WHERE ";

fn user_info(r: &dyn Cells) -> StoreResult<ApiUserInfo> {
    Ok(ApiUserInfo {
        id: r.int(0)?,
        access_id: r.text(1)?,
        name: r.text(2)?,
        login: r.opt_text(3)?,
        disabled: r.boolean(4)?,
        key_revoked: r.boolean(5)?,
    })
}

/// An API user named by its access id, its web login (case-insensitively) or its display name
/// (case-insensitively, when only one user has it), tried in that order. NotFound when none
/// matches; Invalid when a display name is shared.
pub async fn find_user<D: Db>(db: &mut D, user: &str) -> StoreResult<ApiUserInfo> {
    let user = user.trim();
    let by_access_id = Sql::new(format!("{USER_INFO}u.access_id = ?"));
    let mut sql = by_access_id;
    sql.params.push(user.into());
    if let Some(found) = db.fetch_optional(sql, user_info).await? {
        return Ok(found);
    }
    let mut sql = Sql::new(format!("{USER_INFO}w.login_key = ?"));
    sql.params.push(login_key(user).into());
    if let Some(found) = db.fetch_optional(sql, user_info).await? {
        return Ok(found);
    }
    let mut sql = Sql::new(format!("{USER_INFO}lower(u.name) = ? ORDER BY u.id"));
    sql.params.push(user.to_lowercase().into());
    let mut found = db.fetch(sql, user_info).await?;
    match found.len() {
        0 => Err(StoreError::NotFound),
        1 => found.pop().ok_or(StoreError::NotFound),
        n => Err(StoreError::Invalid(format!(
            "{n} users are named '{user}': name one by its access id"
        ))),
    }
}

/// Every API user, in id order.
pub async fn users<D: Db>(db: &mut D) -> StoreResult<Vec<ApiUserInfo>> {
    let sql = Sql::new(format!("{USER_INFO}TRUE ORDER BY u.id"));
    db.fetch(sql, user_info).await
}

/// Stores a new API token (its hash); its id.
pub async fn create_token<D: Db>(db: &mut D, new: &NewApiToken) -> StoreResult<i64> {
    if new.token_hash.len() != 32 {
        return Err(StoreError::Invalid(
            "a token hash is 32 bytes (SHA-256)".into(),
        ));
    }
    let sql = Sql::with(
        "INSERT INTO api_tokens (user_id, token_hash, date_added, expires) \
         VALUES (?, ?, ?, ?) RETURNING id",
        vec![
            new.user_id.into(),
            new.token_hash.as_slice().into(),
            now().into(),
            new.expires.into(),
        ],
    );
    rows::one(db, sql, |r| r.int(0))
        .await
        .map_err(|e| e.on_duplicate("this token exists already"))
}

/// Every API token (never the token itself), in id order.
pub async fn tokens<D: Db>(db: &mut D) -> StoreResult<Vec<ApiToken>> {
    tokens_where(db, None).await
}

/// The tokens of one user (or of every user), in id order.
pub(crate) async fn tokens_where<D: Db>(
    db: &mut D,
    user_id: Option<i64>,
) -> StoreResult<Vec<ApiToken>> {
    let mut sql = Sql::new(
        "SELECT t.id, u.access_id, u.name, t.date_added, t.expires, t.last_used, t.revoked \
         FROM api_tokens t JOIN api_users u ON u.id = t.user_id",
    );
    if let Some(id) = user_id {
        sql.push(" WHERE t.user_id = ").bind(id);
    }
    sql.push(" ORDER BY t.id");
    db.fetch(sql, |r| {
        Ok(ApiToken {
            id: r.int(0)?,
            access_id: r.text(1)?,
            user_name: r.text(2)?,
            created: r.time(3)?,
            expires: r.opt_time(4)?,
            last_used: r.opt_time(5)?,
            revoked: r.boolean(6)?,
        })
    })
    .await
}

/// Revokes a token (NotFound when there is no such token; revoking twice is fine).
pub async fn revoke_token<D: Db>(db: &mut D, id: i64) -> StoreResult<()> {
    let done = db
        .execute(Sql::with(
            "UPDATE api_tokens SET revoked = TRUE WHERE id = ?",
            vec![id.into()],
        ))
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    bump_generation(db).await
}

/// Replaces a user's HMAC secret (sealed) and lifts a key revocation; the old secret stops
/// working. NotFound for an unknown user.
pub async fn set_api_key<D: Db>(db: &mut D, user_id: i64, sealed_secret: &[u8]) -> StoreResult<()> {
    let done = db
        .execute(Sql::with(
            "UPDATE api_users SET sealed_secret = ?, key_revoked = FALSE WHERE id = ?",
            vec![sealed_secret.into(), user_id.into()],
        ))
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    bump_generation(db).await
}

/// Revokes a user's HMAC key: the user stays, with its tokens and web login.
pub async fn revoke_api_key<D: Db>(db: &mut D, user_id: i64) -> StoreResult<()> {
    let done = db
        .execute(Sql::with(
            "UPDATE api_users SET key_revoked = TRUE WHERE id = ?",
            vec![user_id.into()],
        ))
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    bump_generation(db).await
}

/// Disables (or enables) a user: a disabled user authenticates by no means.
pub async fn set_user_disabled<D: Db>(db: &mut D, user_id: i64, disabled: bool) -> StoreResult<()> {
    let done = db
        .execute(Sql::with(
            "UPDATE api_users SET disabled = ? WHERE id = ?",
            vec![disabled.into(), user_id.into()],
        ))
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    bump_generation(db).await
}

/// Ends a user's membership of an owner. NotFound when it is not a member; Invalid for the
/// user's own organization (its default owner: disable the user instead).
pub async fn remove_membership<D: Db>(db: &mut D, user_id: i64, owner: i64) -> StoreResult<()> {
    let organization = rows::int(
        db,
        Sql::with(
            "SELECT organization_id FROM api_users WHERE id = ?",
            vec![user_id.into()],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    if organization == owner {
        return Err(StoreError::Invalid(
            "a user stays a member of its own organization: disable the user instead".into(),
        ));
    }
    let done = db
        .execute(Sql::with(
            "DELETE FROM memberships WHERE user_id = ? AND owner_id = ?",
            vec![user_id.into(), owner.into()],
        ))
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    bump_generation(db).await
}
