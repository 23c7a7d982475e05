//! Operator operations and authentication look-ups.

use crate::rows::{self, LABEL_COLUMNS, all, exec, one};
use crate::{SqliteStore, backend, is_unique, now};
use async_trait::async_trait;
use rusqlite::{Connection, params};
use threatdb_core::owner::validate_owner_name;
use threatdb_core::{
    Actor, AdminStore, ApiCredentials, Membership, NewApiUser, NewWebLogin, Owner, OwnerKind, Role,
    SecurityLabel, StoreError, StoreResult, label_key,
};

/// Builds an actor from one row per membership: `(user columns..., owner id, name, kind, role)`
/// as returned by `memberships_of`; `None` when the user has no membership in its organization.
pub fn actor(
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

/// Every membership of a user, with its owner.
pub fn memberships_of(conn: &Connection, user_id: i64) -> StoreResult<Vec<Membership>> {
    all(
        conn,
        "SELECT o.id, o.name, o.kind, m.role FROM memberships m JOIN owners o ON o.id = m.owner_id \
         WHERE m.user_id = ?1 ORDER BY o.id",
        [user_id],
        |r| {
            Ok(Membership {
                owner: rows::owner(r, 0)?,
                role: rows::role(&r.get::<_, String>(3)?)?,
            })
        },
    )
}

pub fn load_credentials(
    conn: &Connection,
    access_id: &str,
) -> StoreResult<Option<(ApiCredentials, Actor)>> {
    let user = one(
        conn,
        "SELECT id, access_id, sealed_secret, disabled, name, organization_id FROM api_users WHERE access_id = ?1",
        [access_id],
        |r| {
            Ok((
                ApiCredentials {
                    user_id: r.get(0)?,
                    access_id: r.get(1)?,
                    sealed_secret: r.get(2)?,
                    disabled: r.get(3)?,
                },
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        },
    )?;
    let Some((credentials, name, organization)) = user else {
        return Ok(None);
    };
    let memberships = memberships_of(conn, credentials.user_id)?;
    Ok(actor(credentials.user_id, name, organization, memberships).map(|a| (credentials, a)))
}

fn conflict_on_unique(what: String) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| {
        if is_unique(&e) {
            StoreError::Conflict(what)
        } else {
            backend(e)
        }
    }
}

fn owners(conn: &Connection) -> StoreResult<Vec<Owner>> {
    all(
        conn,
        "SELECT id, name, kind FROM owners ORDER BY id",
        [],
        |r| rows::owner(r, 0),
    )
}

#[async_trait]
impl AdminStore for SqliteStore {
    async fn create_owner(&self, name: &str, kind: OwnerKind) -> StoreResult<Owner> {
        let name = validate_owner_name(name)?;
        self.write(move |c| {
            let id: i64 = c
                .query_row(
                    "INSERT INTO owners (name, name_key, kind, date_added) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                    params![name, name.to_lowercase(), kind.as_str(), now()],
                    |r| r.get(0),
                )
                .map_err(conflict_on_unique(format!("an owner named '{name}' already exists")))?;
            Ok(Owner { id, name, kind })
        })
        .await
    }

    async fn all_owners(&self) -> StoreResult<Vec<Owner>> {
        self.read(owners)
    }

    async fn owner_by_name(&self, name: &str) -> StoreResult<Owner> {
        let key = name.trim().to_lowercase();
        self.read(|c| {
            one(
                c,
                "SELECT id, name, kind FROM owners WHERE name_key = ?1",
                [key],
                |r| rows::owner(r, 0),
            )?
            .ok_or(StoreError::NotFound)
        })
    }

    async fn create_api_user(&self, user: NewApiUser) -> StoreResult<i64> {
        self.write(move |c| {
            let kind: Option<String> = one(c, "SELECT kind FROM owners WHERE id = ?1", [user.organization_id], |r| r.get(0))?;
            if kind.as_deref() != Some(OwnerKind::Organization.as_str()) {
                return Err(StoreError::Invalid("an API user's default owner must be an organization".into()));
            }
            let id: i64 = c
                .query_row(
                    "INSERT INTO api_users (access_id, sealed_secret, name, organization_id, date_added) \
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                    params![user.access_id, user.sealed_secret, user.name, user.organization_id, now()],
                    |r| r.get(0),
                )
                .map_err(conflict_on_unique(format!("access id '{}' is taken", user.access_id)))?;
            exec(
                c,
                "INSERT INTO memberships (user_id, owner_id, role) VALUES (?1, ?2, ?3)",
                params![id, user.organization_id, user.role.as_str()],
            )?;
            Ok(id)
        })
        .await
    }

    async fn set_membership(&self, access_id: &str, owner: i64, role: Role) -> StoreResult<()> {
        let access_id = access_id.to_string();
        self.write(move |c| {
            let user: i64 = one(
                c,
                "SELECT id FROM api_users WHERE access_id = ?1",
                [&access_id],
                |r| r.get(0),
            )?
            .ok_or_else(|| {
                StoreError::Invalid(format!("no API user has access id '{access_id}'"))
            })?;
            exec(
                c,
                "INSERT INTO memberships (user_id, owner_id, role) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id, owner_id) DO UPDATE SET role = excluded.role",
                params![user, owner, role.as_str()],
            )?;
            Ok(())
        })
        .await
    }

    async fn create_label(
        &self,
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
        let (description, color) = (description.to_string(), color.to_ascii_uppercase());
        self.write(move |c| {
            let key = label_key(&name);
            if one(c, "SELECT id FROM security_labels WHERE owner_id IS NULL AND name_key = ?1", [&key], |r| r.get::<_, i64>(0))?.is_some() {
                return Err(StoreError::Conflict(format!("'{name}' is a system security label")));
            }
            let id: i64 = c
                .query_row(
                    "INSERT INTO security_labels (owner_id, name, name_key, description, color, date_added) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                    params![owner, name, key, description, color, now()],
                    |r| r.get(0),
                )
                .map_err(conflict_on_unique(format!("the owner already has a label '{name}'")))?;
            let sql = format!("SELECT {LABEL_COLUMNS} FROM security_labels l WHERE l.id = ?1");
            one(c, &sql, [id], |r| rows::label(r, 0))?.ok_or(StoreError::NotFound)
        })
        .await
    }

    async fn api_user_count(&self) -> StoreResult<u64> {
        self.read(|c| {
            Ok(one(c, "SELECT count(*) FROM api_users", [], |r| {
                r.get::<_, i64>(0)
            })?
            .unwrap_or(0) as u64)
        })
    }

    async fn create_web_login(&self, new: NewWebLogin) -> StoreResult<()> {
        self.insert_web_login(new).await
    }

    async fn set_web_password(&self, login: &str, password_hash: &str) -> StoreResult<()> {
        self.update_web_password(login, password_hash).await
    }
}
