//! Creating API users and the first-start bootstrap, shared by `threatdb serve`, `threatdb admin`
//! and the tests.

use crate::passwords::{generate_password, hash_password};
use crate::secrets::{MasterKey, generate_access_id, generate_secret};
use threatdb_core::{AdminStore, NewApiUser, NewWebLogin, OwnerKind, Role, StoreResult};

/// A freshly made API user's credentials. The secret is shown once and never again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCredentials {
    /// The access id.
    pub access_id: String,
    /// The secret key, in the clear.
    pub secret_key: String,
    /// The user's organization's name.
    pub default_org: String,
    /// The administrator's web login name ([`BOOTSTRAP_WEB_LOGIN`]).
    pub web_login: String,
    /// The administrator's web password, in the clear (shown once).
    pub web_password: String,
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

/// Lets the API user `access_id` sign in to the web UI as `login` with `password` (stored as an
/// argon2id hash). The caller checks a chosen password with
/// [`crate::passwords::check_new_password`].
pub async fn create_web_login(
    store: &dyn AdminStore,
    access_id: &str,
    login: &str,
    password: &str,
) -> StoreResult<()> {
    store
        .create_web_login(NewWebLogin {
            access_id: access_id.to_string(),
            login: login.to_string(),
            password_hash: hash_password(password),
        })
        .await
}

/// The administrator's web login name made by the bootstrap.
pub const BOOTSTRAP_WEB_LOGIN: &str = "admin";

/// The organization the bootstrap creates.
pub const BOOTSTRAP_ORG: &str = "Example Organization";
/// The community the bootstrap creates (the seed examples use it).
pub const BOOTSTRAP_COMMUNITY: &str = "Example Community";

/// On an empty database: creates `Example Organization`, `Example Community` and an
/// administrator API user who is admin of both and signs in to the web UI as `admin` with a
/// generated password, and returns its credentials. On a database that has API users already:
/// `None`.
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
    let web_password = generate_password();
    create_web_login(store, &access_id, BOOTSTRAP_WEB_LOGIN, &web_password).await?;
    Ok(Some(NewCredentials {
        access_id,
        secret_key,
        default_org: org.name,
        web_login: BOOTSTRAP_WEB_LOGIN.to_string(),
        web_password,
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

    /// The `web-credentials.txt` text: where to sign in, the login and the password, as
    /// `KEY=value` lines.
    pub fn web_file(&self, public_url: &str) -> String {
        format!(
            "THREATDB_WEB_URL={public_url}/signin\nTHREATDB_WEB_LOGIN={}\nTHREATDB_WEB_PASSWORD={}\n",
            self.web_login, self.web_password
        )
    }
}
