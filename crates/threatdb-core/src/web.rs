//! People signing in to the web UI. A person IS an API user with a login name and a password
//! hash: the same row, the same memberships, so the store builds the same [`crate::Actor`] and
//! the one authorization policy applies to the web UI exactly as to the API.

use crate::Invalid;

/// A person's web sign-in, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct WebLogin {
    /// The API user this login belongs to.
    pub user_id: i64,
    /// The login name, as first spelled.
    pub login: String,
    /// The password's hash in PHC string format (`$argon2id$...`); never the password.
    pub password_hash: String,
    /// Bumped to end every session of the person (sign-out, password change): a session made
    /// under an older epoch is no longer valid.
    pub session_epoch: i64,
    /// The API user is disabled: the person cannot sign in either.
    pub disabled: bool,
}

impl std::fmt::Debug for WebLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebLogin")
            .field("user_id", &self.user_id)
            .field("login", &self.login)
            .field("password_hash", &"***")
            .field("session_epoch", &self.session_epoch)
            .field("disabled", &self.disabled)
            .finish()
    }
}

/// A web login to attach to an existing API user.
#[derive(Clone, PartialEq, Eq)]
pub struct NewWebLogin {
    /// The API user's access id.
    pub access_id: String,
    /// The login name (see [`parse_login`]).
    pub login: String,
    /// The password's hash in PHC string format.
    pub password_hash: String,
}

impl std::fmt::Debug for NewWebLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebLogin")
            .field("access_id", &self.access_id)
            .field("login", &self.login)
            .field("password_hash", &"***")
            .finish()
    }
}

/// The longest login name accepted, in characters.
pub const MAX_LOGIN_CHARS: usize = 64;

/// Checks a login name: trimmed, 1 to 64 characters, no spaces or control characters.
/// Logins are compared case-insensitively ([`login_key`]).
pub fn parse_login(s: &str) -> Result<String, Invalid> {
    let login = s.trim();
    if login.is_empty() {
        return Err(Invalid::new("a login name must not be empty"));
    }
    if login.chars().count() > MAX_LOGIN_CHARS {
        return Err(Invalid::new(format!(
            "a login name must be at most {MAX_LOGIN_CHARS} characters"
        )));
    }
    if login.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid::new(
            "a login name must not contain spaces or control characters",
        ));
    }
    Ok(login.to_string())
}

/// The identity of a login name: trimmed and lower-cased.
pub fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_checked_and_keyed() {
        assert_eq!(parse_login("  Alice "), Ok("Alice".to_string()));
        assert_eq!(login_key(" Alice"), "alice");
        for bad in ["", "   ", "a b", "tab\there", &"x".repeat(65)] {
            assert!(parse_login(bad).is_err(), "{bad:?}");
        }
        assert!(parse_login(&"é".repeat(64)).is_ok());
    }

    #[test]
    fn hashes_are_not_printed() {
        let l = NewWebLogin {
            access_id: "1".into(),
            login: "a".into(),
            password_hash: "$argon2id$secret".into(),
        };
        assert!(!format!("{l:?}").contains("secret"));
    }
}
