//! Operator operations and authentication look-ups.

use crate::rows::{self, LABEL_COLUMNS};
use crate::{PgStore, backend, now};
use async_trait::async_trait;
use sqlx::Row;
use threatdb_core::owner::validate_owner_name;
use threatdb_core::{
    Actor, AdminStore, ApiCredentials, NewApiUser, Owner, OwnerKind, Role, SecurityLabel,
    StoreError, StoreResult, label_key,
};

fn conflict_on_unique(what: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
        _ => backend(e),
    }
}

impl PgStore {
    pub(crate) async fn load_credentials(
        &self,
        access_id: &str,
    ) -> StoreResult<Option<(ApiCredentials, Actor)>> {
        // One statement: no transaction needed.
        let mut conn = self.pool().acquire().await.map_err(backend)?;
        let found = sqlx::query(
            "SELECT u.id, u.access_id, u.sealed_secret, u.disabled, u.name, u.organization_id, \
                    o.id, o.name, o.kind, m.role \
             FROM api_users u \
             JOIN memberships m ON m.user_id = u.id \
             JOIN owners o ON o.id = m.owner_id \
             WHERE u.access_id = $1 ORDER BY o.id",
        )
        .bind(access_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
        let Some(first) = found.first() else {
            return Ok(None);
        };
        let credentials = ApiCredentials {
            user_id: first.try_get(0).map_err(backend)?,
            access_id: first.try_get(1).map_err(backend)?,
            sealed_secret: first.try_get(2).map_err(backend)?,
            disabled: first.try_get(3).map_err(backend)?,
        };
        let name: String = first.try_get(4).map_err(backend)?;
        let organization: i64 = first.try_get(5).map_err(backend)?;
        // A user always belongs to its organization (create_api_user makes sure of it).
        let actor = rows::actor(&found, 6, credentials.user_id, name, organization)?;
        Ok(actor.map(|actor| (credentials, actor)))
    }
}

#[async_trait]
impl AdminStore for PgStore {
    async fn create_owner(&self, name: &str, kind: OwnerKind) -> StoreResult<Owner> {
        let name = validate_owner_name(name)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO owners (name, name_key, kind, date_added) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&name)
            .bind(name.to_lowercase())
            .bind(kind.as_str())
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict_on_unique(format!("an owner named '{name}' already exists")))?;
        tx.commit().await.map_err(backend)?;
        Ok(Owner { id, name, kind })
    }

    async fn all_owners(&self) -> StoreResult<Vec<Owner>> {
        let found = sqlx::query("SELECT id, name, kind FROM owners ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        found
            .iter()
            .map(|r| {
                Ok(Owner {
                    id: r.try_get(0).map_err(backend)?,
                    name: r.try_get(1).map_err(backend)?,
                    kind: rows::owner_kind(r.try_get(2).map_err(backend)?)?,
                })
            })
            .collect()
    }

    async fn owner_by_name(&self, name: &str) -> StoreResult<Owner> {
        let key = name.trim().to_lowercase();
        self.all_owners()
            .await?
            .into_iter()
            .find(|o| o.name.to_lowercase() == key)
            .ok_or(StoreError::NotFound)
    }

    async fn create_api_user(&self, user: NewApiUser) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM owners WHERE id = $1")
            .bind(user.organization_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        if kind.as_deref() != Some(OwnerKind::Organization.as_str()) {
            return Err(StoreError::Invalid(
                "an API user's default owner must be an organization".into(),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_users (access_id, sealed_secret, name, organization_id, date_added) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&user.access_id)
        .bind(&user.sealed_secret)
        .bind(&user.name)
        .bind(user.organization_id)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on_unique(format!("access id '{}' is taken", user.access_id)))?;
        sqlx::query("INSERT INTO memberships (user_id, owner_id, role) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(user.organization_id)
            .bind(user.role.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn set_membership(&self, access_id: &str, owner: i64, role: Role) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let user: Option<i64> = sqlx::query_scalar("SELECT id FROM api_users WHERE access_id = $1")
            .bind(access_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let user = user.ok_or_else(|| {
            StoreError::Invalid(format!("no API user has access id '{access_id}'"))
        })?;
        sqlx::query(
            "INSERT INTO memberships (user_id, owner_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, owner_id) DO UPDATE SET role = excluded.role",
        )
        .bind(user)
        .bind(owner)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
            _ => backend(e),
        })?;
        tx.commit().await.map_err(backend)
    }

    async fn create_label(
        &self,
        owner: i64,
        name: &str,
        description: &str,
        color: &str,
    ) -> StoreResult<SecurityLabel> {
        let name = threatdb_core::parse_label_name(name)?;
        let name = name.as_str();
        if color.len() != 6 || !color.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(format!(
                "color '{color}' must be six hex digits, e.g. FFC000"
            )));
        }
        let mut tx = self.begin_write().await?;
        let system: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM security_labels WHERE owner_id IS NULL AND name_key = $1",
        )
        .bind(label_key(name))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        if system.is_some() {
            return Err(StoreError::Conflict(format!(
                "'{name}' is a system security label"
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO security_labels (owner_id, name, name_key, description, color, date_added) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(owner)
        .bind(name)
        .bind(label_key(name))
        .bind(description)
        .bind(color.to_ascii_uppercase())
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(format!("the owner already has a label '{name}'"))
            }
            _ => backend(e),
        })?;
        let sql = format!("SELECT {LABEL_COLUMNS} FROM security_labels l WHERE l.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        let label = rows::label(&row, 0)?;
        tx.commit().await.map_err(backend)?;
        Ok(label)
    }

    async fn api_user_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM api_users")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n as u64)
    }

    async fn create_web_login(&self, new: threatdb_core::NewWebLogin) -> StoreResult<()> {
        self.insert_web_login(new).await
    }

    async fn set_web_password(&self, login: &str, password_hash: &str) -> StoreResult<()> {
        self.update_web_password(login, password_hash).await
    }
}
