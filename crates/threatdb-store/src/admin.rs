//! Operator operations (`threatdb admin`): owners, API users, memberships, labels, web logins.
//! They run with the operator's authority on the database, not an actor's.

use crate::db::{Db, Sql};
use crate::{now, rows};
use threatdb_core::owner::validate_owner_name;
use threatdb_core::web::{login_key, parse_login};
use threatdb_core::{
    NewApiUser, NewWebLogin, Owner, OwnerKind, Role, SecurityLabel, StoreError, StoreResult,
    label_key,
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
    Ok(())
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
        "SELECT l.name, l.description, l.color, l.date_added FROM security_labels l WHERE l.id = ?",
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
    if password_hash.is_empty() {
        return Err(StoreError::Invalid("a password hash is required".into()));
    }
    let done = db
        .execute(Sql::with(
            "UPDATE web_logins SET password_hash = ?, session_epoch = session_epoch + 1 WHERE login_key = ?",
            vec![password_hash.into(), login_key(login).into()],
        ))
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
