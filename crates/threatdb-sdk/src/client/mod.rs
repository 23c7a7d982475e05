//! [`ThreatConnect`]: the user-facing client. It owns the [`Transport`] and hands it to the
//! resources it makes; its settings are in [`settings`](self::settings).

mod settings;

use crate::config::Credentials;
use crate::error::Result;
use crate::incidents::Incidents;
use crate::read;
use crate::request::{ApiRequest, Method};
use crate::transport::{Auth, Transport};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use threatdb_wire::dto::OwnerDto;

/// The environment variable naming a PEM file of certificate authorities to trust besides the
/// built-in roots (read by [`ThreatConnect::from_env`]).
pub const CA_CERT_ENV: &str = "TC_API_CA_CERT";

/// A connection to a ThreatConnect v2 API (threatdb or any compatible server): the entry point
/// of the SDK, as `ThreatConnect(api_access_id, api_secret_key, api_default_org, api_base_url)`
/// is in Python.
///
/// Cloning is cheap and clones share the connection pool. Settings changed on a clone (or after
/// [`ThreatConnect::incidents`]) do not affect objects made before the change.
///
/// ```no_run
/// # async fn run() -> Result<(), threatdb_sdk::Error> {
/// use threatdb_sdk::ThreatConnect;
///
/// let tc = ThreatConnect::new("12345678901234567890", "secret", "Example Organization",
///                             "http://127.0.0.1:8450/api")?;
/// // or: let tc = ThreatConnect::from_env()?;
/// let mut incidents = tc.incidents();
/// incidents.add_filter().add_id(123456);
/// incidents.retrieve().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ThreatConnect {
    transport: Arc<Transport>,
}

impl std::fmt::Debug for ThreatConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.transport.debug_as("ThreatConnect", f)
    }
}

/// Who the credentials belong to, as `GET /v2/whoami` says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user name.
    #[serde(default)]
    pub user_name: String,
    /// The role, e.g. `Api User`.
    #[serde(default)]
    pub role: String,
    /// The user's organization, when the server says.
    #[serde(default)]
    pub owner: Option<OwnerDto>,
}

impl ThreatConnect {
    /// A client for `api_base_url` (e.g. `https://app.threatconnect.com/api` or
    /// `http://127.0.0.1:8450/api`) signing with `api_access_id` and `api_secret_key`, working in
    /// `api_default_org` when no owner is given. Nothing is sent yet.
    ///
    /// Fails only on a base URL that is not an `http(s)://` URL (or an `https://` one in a build
    /// without TLS).
    pub fn new(
        api_access_id: impl Into<String>,
        api_secret_key: impl Into<String>,
        api_default_org: impl Into<String>,
        api_base_url: impl AsRef<str>,
    ) -> Result<Self> {
        let auth = Auth::Hmac {
            access_id: api_access_id.into(),
            secret: api_secret_key.into(),
        };
        Self::with_auth(auth, api_default_org.into(), api_base_url.as_ref())
    }

    /// A client for `api_base_url` that sends an API token (`Authorization: TC-Token …`, as
    /// tcex apps do) instead of an HMAC signature; `threatdb admin token create` makes one.
    /// Nothing is sent yet.
    pub fn with_token(
        api_token: impl Into<String>,
        api_default_org: impl Into<String>,
        api_base_url: impl AsRef<str>,
    ) -> Result<Self> {
        let token = api_token.into().trim().to_string();
        if token.is_empty() {
            return Err(crate::error::Error::Config("the API token is empty".into()));
        }
        Self::with_auth(
            Auth::Token(token),
            api_default_org.into(),
            api_base_url.as_ref(),
        )
    }

    fn with_auth(auth: Auth, default_org: String, base_url: &str) -> Result<Self> {
        Ok(ThreatConnect {
            transport: Arc::new(Transport::new(auth, default_org, base_url)?),
        })
    }

    /// A client from [`Credentials`] (and its result limit, if any): the API token when there
    /// is one, else the access id and secret key.
    pub fn from_credentials(c: Credentials) -> Result<Self> {
        let mut tc = match c.api_token {
            Some(token) => Self::with_token(token, c.api_default_org, c.api_base_url)?,
            None => Self::new(
                c.api_access_id,
                c.api_secret_key,
                c.api_default_org,
                c.api_base_url,
            )?,
        };
        if let Some(limit) = c.api_result_limit {
            tc.set_api_result_limit(limit)?;
        }
        Ok(tc)
    }

    /// A client configured by `TC_API_ACCESS_ID`, `TC_API_SECRET_KEY`, `TC_API_DEFAULT_ORG` and
    /// `TC_API_BASE_URL` (as `threatdb serve` writes them to `data/credentials.env`), and
    /// `TC_API_RESULT_LIMIT` and `TC_API_CA_CERT` (see [`ThreatConnect::set_api_ca_cert`]) if
    /// set. With `TC_TOKEN` set, the client sends that API token and the access id and secret
    /// key are not needed.
    pub fn from_env() -> Result<Self> {
        let mut tc = Self::from_credentials(Credentials::from_env()?)?;
        if let Some(path) = std::env::var_os(CA_CERT_ENV).filter(|p| !p.is_empty()) {
            tc.set_api_ca_cert(path)?;
        }
        Ok(tc)
    }

    /// A client configured by a `tc.conf` file in the Python SDK's INI form (section
    /// `[threatconnect]`, keys `api_access_id`, `api_secret_key`, `api_default_org`,
    /// `api_base_url`, optional `api_result_limit`).
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_credentials(Credentials::from_config_file(path)?)
    }

    /// The organization used when no owner is given.
    pub fn default_org(&self) -> &str {
        self.transport.default_org()
    }

    /// The page size of paginated retrievals.
    pub fn result_limit(&self) -> u32 {
        self.transport.result_limit()
    }

    /// A new, empty [`Incidents`] container, as `tc.incidents()`. Nothing is sent.
    pub fn incidents(&self) -> Incidents {
        Incidents::new(Arc::clone(&self.transport))
    }

    /// The v3 API (`/v3/groups`, `/v3/indicators`), as `tcex.api.tc.v3`.
    pub fn v3(&self) -> crate::v3::V3 {
        crate::v3::V3::new(Arc::clone(&self.transport))
    }

    /// The owners the credentials can use: `GET /v2/owners` (not paginated, no owner).
    pub async fn owners(&self) -> Result<Vec<OwnerDto>> {
        let body = self
            .transport
            .call(ApiRequest::new(Method::Get, "/v2/owners"))
            .await?;
        Ok(read::list::<OwnerDto>(&body, "owner")?.items)
    }

    /// Who the credentials belong to: `GET /v2/whoami`.
    pub async fn whoami(&self) -> Result<User> {
        let body = self
            .transport
            .call(ApiRequest::new(Method::Get, "/v2/whoami"))
            .await?;
        read::one::<User>(&body, "user")
    }
}
