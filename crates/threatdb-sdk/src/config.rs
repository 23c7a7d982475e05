//! Where credentials come from: the environment (`TC_API_*`) or a `tc.conf` file in the Python
//! SDK's INI form.

use crate::error::{Error, Result};
use std::path::Path;

/// The four values every client needs, plus the optional result limit of `tc.conf`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The API user's access id.
    pub api_access_id: String,
    /// The API user's secret key.
    pub api_secret_key: String,
    /// The organization used when no owner is given.
    pub api_default_org: String,
    /// The API's base URL, e.g. `https://app.threatconnect.com/api`.
    pub api_base_url: String,
    /// `api_result_limit` of `tc.conf`, when present.
    pub api_result_limit: Option<u32>,
    /// An API token (`TC_TOKEN`, or `api_token` in `tc.conf`): when present the client sends it
    /// (`Authorization: TC-Token …`) instead of signing, and the access id and secret key may be
    /// empty.
    pub api_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("api_access_id", &self.api_access_id)
            .field("api_secret_key", &"***")
            .field("api_default_org", &self.api_default_org)
            .field("api_base_url", &self.api_base_url)
            .field("api_result_limit", &self.api_result_limit)
            .field("api_token", &self.api_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The environment variable holding an API token, read by [`Credentials::from_env`] (the name
/// `threatdb api` and tcex use).
pub const TOKEN_ENV: &str = "TC_TOKEN";

/// The access id and secret key, which an API token replaces.
const SIGNING_VARS: [&str; 2] = ["TC_API_ACCESS_ID", "TC_API_SECRET_KEY"];

/// The environment variables [`Credentials::from_env`] reads.
pub const ENV_VARS: [&str; 4] = [
    "TC_API_ACCESS_ID",
    "TC_API_SECRET_KEY",
    "TC_API_DEFAULT_ORG",
    "TC_API_BASE_URL",
];

impl Credentials {
    /// Reads `TC_API_ACCESS_ID`, `TC_API_SECRET_KEY`, `TC_API_DEFAULT_ORG` and `TC_API_BASE_URL`
    /// (and `TC_API_RESULT_LIMIT` if set); with `TC_TOKEN` set, the access id and secret key
    /// may be left out.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the same keys through `lookup` (a map, a parsed `.env` file, ...).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let api_token = lookup(TOKEN_ENV)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        let missing: Vec<&str> = ENV_VARS
            .iter()
            .copied()
            .filter(|k| api_token.is_none() || !SIGNING_VARS.contains(k))
            .filter(|k| lookup(k).is_none_or(|v| v.trim().is_empty()))
            .collect();
        if !missing.is_empty() {
            return Err(Error::Config(format!(
                "{} not set (threatdb serve writes them to data/credentials.env: set -a; . data/credentials.env; set +a)",
                missing.join(", ")
            )));
        }
        let get = |k: &str| lookup(k).unwrap_or_default().trim().to_string();
        Ok(Credentials {
            api_access_id: get("TC_API_ACCESS_ID"),
            api_secret_key: get("TC_API_SECRET_KEY"),
            api_default_org: get("TC_API_DEFAULT_ORG"),
            api_base_url: get("TC_API_BASE_URL"),
            api_result_limit: parse_limit(lookup("TC_API_RESULT_LIMIT"), "TC_API_RESULT_LIMIT")?,
            api_token,
        })
    }

    /// Reads a `tc.conf` file in the Python SDK's form:
    ///
    /// ```ini
    /// [threatconnect]
    /// api_access_id = 12345678901234567890
    /// api_secret_key = aabbccddeeff...
    /// api_default_org = Example Organization
    /// api_base_url = https://app.threatconnect.com/api
    /// api_result_limit = 200
    /// # api_token = ...   (instead of api_access_id and api_secret_key)
    /// ```
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        Self::from_config_str(&text)
            .map_err(|e| Error::Config(format!("{}: {}", path.display(), strip_config(e))))
    }

    /// Parses the text of a `tc.conf` file (see [`Credentials::from_config_file`]).
    pub fn from_config_str(text: &str) -> Result<Self> {
        let section = ini_section(text, "threatconnect");
        if section.is_empty() {
            return Err(Error::Config("no [threatconnect] section".into()));
        }
        let lookup = |key: &str| {
            let key = key.strip_prefix("TC_").unwrap_or(key).to_ascii_lowercase();
            section
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
        };
        let api_token = lookup("api_token").filter(|t| !t.is_empty());
        let missing: Vec<String> = ENV_VARS
            .iter()
            .filter(|k| api_token.is_none() || !SIGNING_VARS.contains(k))
            .map(|k| k.trim_start_matches("TC_").to_ascii_lowercase())
            .filter(|k| lookup(k).is_none_or(|v| v.is_empty()))
            .collect();
        if !missing.is_empty() {
            return Err(Error::Config(format!(
                "[threatconnect] lacks {}",
                missing.join(", ")
            )));
        }
        let get = |k: &str| lookup(k).unwrap_or_default();
        Ok(Credentials {
            api_access_id: get("api_access_id"),
            api_secret_key: get("api_secret_key"),
            api_default_org: get("api_default_org"),
            api_base_url: get("api_base_url"),
            api_result_limit: parse_limit(lookup("api_result_limit"), "api_result_limit")?,
            api_token,
        })
    }
}

fn strip_config(e: Error) -> String {
    match e {
        Error::Config(m) => m,
        other => other.to_string(),
    }
}

fn parse_limit(value: Option<String>, name: &str) -> Result<Option<u32>> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(v) => v
            .parse::<u32>()
            .map(Some)
            .map_err(|_| Error::Config(format!("{name} must be a whole number, not '{v}'"))),
    }
}

/// The `key = value` (or `key: value`) pairs of one INI section, keys lower-cased, in file
/// order. `#` and `;` start comment lines; values are trimmed; section names match
/// case-insensitively.
fn ini_section(text: &str, wanted: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim().eq_ignore_ascii_case(wanted);
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(i) = line.find(['=', ':']) {
            let (k, v) = line.split_at(i);
            pairs.push((k.trim().to_ascii_lowercase(), v[1..].trim().to_string()));
        }
    }
    pairs
}

/// Parses a `KEY=value` file as `threatdb serve` writes `credentials.env`: one assignment a
/// line, an optional `export ` prefix, `#` comments, values optionally in single or double
/// quotes.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = ['\'', '"']
            .iter()
            .find_map(|q| {
                value
                    .strip_prefix(*q)
                    .and_then(|v| v.strip_suffix(*q))
                    .filter(|_| value.len() >= 2)
            })
            .unwrap_or(value);
        out.push((key.trim().to_string(), value.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tc_conf() {
        let c = Credentials::from_config_str(
            "# heading\n[other]\napi_access_id = no\n[threatconnect]\napi_access_id = 123\napi_secret_key: s3cret\napi_default_org = Example Organization\napi_base_url = http://127.0.0.1:8450/api\n; comment\napi_result_limit = 500\n",
        )
        .expect("parses");
        assert_eq!(c.api_access_id, "123");
        assert_eq!(c.api_secret_key, "s3cret");
        assert_eq!(c.api_default_org, "Example Organization");
        assert_eq!(c.api_base_url, "http://127.0.0.1:8450/api");
        assert_eq!(c.api_result_limit, Some(500));
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn names_what_is_missing() {
        let e = Credentials::from_config_str("[threatconnect]\napi_access_id = 1\n")
            .expect_err("incomplete");
        assert!(e.to_string().contains("api_secret_key"), "{e}");
        let e = Credentials::from_lookup(|k| (k == "TC_API_ACCESS_ID").then(|| "x".to_string()))
            .expect_err("incomplete");
        assert!(e.to_string().contains("TC_API_BASE_URL"), "{e}");
        assert!(!e.to_string().contains("TC_API_ACCESS_ID"), "{e}");
    }

    #[test]
    fn a_token_replaces_the_access_id_and_secret_key() {
        let env = |k: &str| match k {
            "TC_TOKEN" => Some(" tok-123 ".to_string()),
            "TC_API_DEFAULT_ORG" => Some("O".to_string()),
            "TC_API_BASE_URL" => Some("http://h/api".to_string()),
            _ => None,
        };
        let c = Credentials::from_lookup(env).expect("a token is enough");
        assert_eq!(c.api_token.as_deref(), Some("tok-123"));
        assert!(!format!("{c:?}").contains("tok-123"));
        // Without it, the access id and secret key are needed again; the base URL always is.
        let e = Credentials::from_lookup(|k| env(k).filter(|_| k != "TC_TOKEN"))
            .expect_err("incomplete");
        assert!(e.to_string().contains("TC_API_ACCESS_ID"), "{e}");
        let e = Credentials::from_lookup(|k| env(k).filter(|_| k != "TC_API_BASE_URL"))
            .expect_err("incomplete");
        assert!(e.to_string().contains("TC_API_BASE_URL"), "{e}");
        assert!(!e.to_string().contains("TC_API_SECRET_KEY"), "{e}");
        let c = Credentials::from_config_str(
            "[threatconnect]\napi_token = t0k\napi_default_org = O\napi_base_url = http://h/api\n",
        )
        .expect("a token is enough");
        assert_eq!(c.api_token.as_deref(), Some("t0k"));
    }

    #[test]
    fn reads_credentials_env() {
        let pairs = parse_env_file(
            "TC_API_ACCESS_ID=abc\nTC_API_SECRET_KEY=x=y\nTC_API_DEFAULT_ORG='Example Organization'\n# c\nexport TC_API_BASE_URL=\"http://h/api\"\n",
        );
        assert_eq!(
            pairs,
            vec![
                ("TC_API_ACCESS_ID".to_string(), "abc".to_string()),
                ("TC_API_SECRET_KEY".to_string(), "x=y".to_string()),
                (
                    "TC_API_DEFAULT_ORG".to_string(),
                    "Example Organization".to_string()
                ),
                ("TC_API_BASE_URL".to_string(), "http://h/api".to_string()),
            ]
        );
    }
}
