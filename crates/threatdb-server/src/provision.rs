//! Creating API users and the first-start bootstrap, shared by `threatdb serve`, `threatdb admin`
//! and the tests.

use crate::secrets::{MasterKey, generate_access_id, generate_secret};
use threatdb_core::{AdminStore, NewApiUser, OwnerKind, Role, StoreResult};

/// A freshly made API user's credentials. The secret is shown once and never again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCredentials {
    /// The access id.
    pub access_id: String,
    /// The secret key, in the clear.
    pub secret_key: String,
    /// The user's organization's name.
    pub default_org: String,
}

/// Creates an API user in organization `org_id` with `role` there; returns its fresh access id
/// and secret key.
pub async fn create_api_user(
    store: &dyn AdminStore,
    keys: &MasterKey,
    name: &str,
    org_id: i64,
    role: Role,
) -> StoreResult<(String, String)> {
    let secret = generate_secret();
    let access_id = generate_access_id();
    store
        .create_api_user(NewApiUser {
            name: name.to_string(),
            access_id: access_id.clone(),
            sealed_secret: keys.seal(&secret),
            organization_id: org_id,
            role,
        })
        .await?;
    Ok((access_id, secret))
}

/// The organization the bootstrap creates.
pub const BOOTSTRAP_ORG: &str = "Example Organization";
/// The community the bootstrap creates (the seed examples use it).
pub const BOOTSTRAP_COMMUNITY: &str = "Example Community";

/// On an empty database: creates `Example Organization`, `Example Community` and an
/// administrator API user who is admin of both, and returns its credentials. On a database that
/// has API users already: `None`.
pub async fn bootstrap(
    store: &dyn AdminStore,
    keys: &MasterKey,
) -> StoreResult<Option<NewCredentials>> {
    if store.api_user_count().await? > 0 {
        return Ok(None);
    }
    let org = match store.owner_by_name(BOOTSTRAP_ORG).await {
        Ok(o) => o,
        Err(_) => {
            store
                .create_owner(BOOTSTRAP_ORG, OwnerKind::Organization)
                .await?
        }
    };
    let community = match store.owner_by_name(BOOTSTRAP_COMMUNITY).await {
        Ok(o) => o,
        Err(_) => {
            store
                .create_owner(BOOTSTRAP_COMMUNITY, OwnerKind::Community)
                .await?
        }
    };
    let (access_id, secret_key) =
        create_api_user(store, keys, "Administrator", org.id, Role::Admin).await?;
    store
        .set_membership(&access_id, community.id, Role::Admin)
        .await?;
    Ok(Some(NewCredentials {
        access_id,
        secret_key,
        default_org: org.name,
    }))
}

impl NewCredentials {
    /// The `credentials.env` text: `KEY=value` lines a shell can `source` and dotenv can read.
    pub fn env_file(&self, base_url: &str) -> String {
        format!(
            "TC_API_ACCESS_ID={}\nTC_API_SECRET_KEY={}\nTC_API_DEFAULT_ORG='{}'\nTC_API_BASE_URL={}\n",
            self.access_id,
            self.secret_key,
            self.default_org.replace('\'', ""),
            base_url
        )
    }
}
