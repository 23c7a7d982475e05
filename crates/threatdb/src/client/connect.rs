//! Credentials for the client commands: flags, then `TC_API_*` environment variables, then a
//! `credentials.env` file (default `./data/credentials.env`, as `threatdb serve` writes it).

use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;
use threatdb_sdk::{ThreatConnect, parse_env_file};

/// How to reach and sign for the API.
#[derive(Args, Clone, Debug)]
pub struct ConnectArgs {
    /// API access id.
    #[arg(long, env = "TC_API_ACCESS_ID", global = true)]
    pub access_id: Option<String>,
    /// API secret key (prefer the environment or the credentials file: flags show in `ps`).
    #[arg(long, env = "TC_API_SECRET_KEY", hide_env_values = true, global = true)]
    pub secret_key: Option<String>,
    /// The organization used when no owner is given.
    #[arg(long, env = "TC_API_DEFAULT_ORG", global = true)]
    pub default_org: Option<String>,
    /// API base URL, e.g. http://127.0.0.1:8450/api.
    #[arg(long, env = "TC_API_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// KEY=value file read for whatever flags and environment leave out.
    #[arg(
        long,
        env = "THREATDB_CREDENTIALS",
        default_value = "data/credentials.env",
        global = true
    )]
    pub credentials: PathBuf,
    /// Page size of listings (1 to 10000).
    #[arg(long, default_value_t = threatdb_sdk::DEFAULT_RESULT_LIMIT, global = true)]
    pub result_limit: u32,
    /// Retries after connection errors and 503/429 answers.
    #[arg(long, default_value_t = 3, global = true)]
    pub retries: u32,
}

impl ConnectArgs {
    /// A client from the flags, the environment and the credentials file, in that order.
    pub fn connect(&self) -> Result<ThreatConnect> {
        let file: Vec<(String, String)> = match std::fs::read_to_string(&self.credentials) {
            Ok(text) => parse_env_file(&text),
            Err(_) => Vec::new(),
        };
        let from_file = |key: &str| {
            file.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let pick = |flag: &Option<String>, key: &str| {
            flag.clone()
                .filter(|v| !v.is_empty())
                .or_else(|| from_file(key))
        };
        let access_id = pick(&self.access_id, "TC_API_ACCESS_ID");
        let secret = pick(&self.secret_key, "TC_API_SECRET_KEY");
        let org = pick(&self.default_org, "TC_API_DEFAULT_ORG");
        let base = pick(&self.base_url, "TC_API_BASE_URL");
        let (Some(access_id), Some(secret), Some(org), Some(base)) = (access_id, secret, org, base)
        else {
            let missing: Vec<&str> = [
                ("--access-id", &self.access_id, "TC_API_ACCESS_ID"),
                ("--secret-key", &self.secret_key, "TC_API_SECRET_KEY"),
                ("--default-org", &self.default_org, "TC_API_DEFAULT_ORG"),
                ("--base-url", &self.base_url, "TC_API_BASE_URL"),
            ]
            .into_iter()
            .filter(|(_, flag, key)| pick(flag, key).is_none())
            .map(|(name, _, _)| name)
            .collect();
            bail!(
                "no {} given: pass the flags, set TC_API_* or point --credentials at the credentials.env that `threatdb serve` wrote (looked for {})",
                missing.join(", "),
                self.credentials.display()
            );
        };
        let mut tc = ThreatConnect::new(access_id, secret, org, base)?;
        tc.set_api_result_limit(self.result_limit)?;
        tc.set_api_retries(self.retries);
        Ok(tc)
    }
}
