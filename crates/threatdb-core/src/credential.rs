//! API tokens and the administration of credentials: what `threatdb admin token|key|user`
//! reads and writes, and what token authentication needs. Tokens are never stored: only the
//! SHA-256 of their text (see `DECISIONS.md #36`).

use crate::Timestamp;

/// A new API token of a user, as stored: its hash, never its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// The user it acts as.
    pub user_id: i64,
    /// SHA-256 of the token's text.
    pub token_hash: Vec<u8>,
    /// When it stops working (`None`: never).
    pub expires: Option<Timestamp>,
}

/// An API token as the operator sees it (the token itself is never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its id (for `threatdb admin token revoke`).
    pub id: i64,
    /// The user's access id.
    pub access_id: String,
    /// The user's display name.
    pub user_name: String,
    /// When it was made.
    pub created: Timestamp,
    /// When it stops working (`None`: never).
    pub expires: Option<Timestamp>,
    /// When it last authenticated a request (to the minute; `None`: never).
    pub last_used: Option<Timestamp>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// What token authentication needs of a token and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCredentials {
    /// The token's id.
    pub token_id: i64,
    /// The user's id.
    pub user_id: i64,
    /// When it stops working (`None`: never).
    pub expires: Option<Timestamp>,
    /// When it last authenticated a request.
    pub last_used: Option<Timestamp>,
    /// A revoked token authenticates nobody.
    pub revoked: bool,
    /// A disabled user authenticates by no means.
    pub user_disabled: bool,
}

impl TokenCredentials {
    /// Whether the token authenticates its user at `now`: not revoked, not expired, user not
    /// disabled.
    pub fn usable_at(&self, now: Timestamp) -> bool {
        !self.revoked && !self.user_disabled && self.expires.is_none_or(|e| now < e)
    }
}

/// An API user as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUserInfo {
    /// Its id.
    pub id: i64,
    /// The public access id.
    pub access_id: String,
    /// The display name.
    pub name: String,
    /// The web login name, when the user signs in to the web UI.
    pub login: Option<String>,
    /// A disabled user authenticates by no means (HMAC, token, web sign-in).
    pub disabled: bool,
    /// The HMAC key was revoked (tokens and web sign-in still work).
    pub key_revoked: bool,
}
