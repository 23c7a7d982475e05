//! Credentials for the client commands: flags, then `TC_API_*` environment variables, then a
//! `credentials.env` file (default `./data/credentials.env`, as `threatdb serve` writes it).

use anyhow::{Result, anyhow};
use clap::Args;
use std::path::{Path, PathBuf};
use threatdb_sdk::{ThreatConnect, parse_env_file};

/// Where the API is and whose key signs for it: the part of the connection every client
/// command needs, `threatdb api` included.
#[derive(Args, Clone, Debug)]
pub struct EndpointArgs {
    /// API access id.
    #[arg(long, env = "TC_API_ACCESS_ID", global = true)]
    pub access_id: Option<String>,
    /// API secret key (prefer the environment or the credentials file: flags show in `ps`).
    #[arg(long, env = "TC_API_SECRET_KEY", hide_env_values = true, global = true)]
    pub secret_key: Option<String>,
    /// API base URL, e.g. http://127.0.0.1:8450/api.
    #[arg(long, env = "TC_API_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// A PEM file of certificate authorities to trust besides the built-in roots (for a server
    /// with a self-signed certificate).
    #[arg(long, env = "TC_API_CA_CERT", value_name = "FILE", global = true)]
    pub ca_cert: Option<PathBuf>,
    /// KEY=value file read for whatever flags and environment leave out.
    #[arg(
        long,
        env = "THREATDB_CREDENTIALS",
        default_value = "data/credentials.env",
        global = true
    )]
    pub credentials: PathBuf,
}

/// How to reach and sign for the API.
#[derive(Args, Clone, Debug)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// The organization used when no owner is given.
    #[arg(long, env = "TC_API_DEFAULT_ORG", global = true)]
    pub default_org: Option<String>,
    /// Page size of listings (1 to 10000).
    #[arg(long, default_value_t = threatdb_sdk::DEFAULT_RESULT_LIMIT, global = true)]
    pub result_limit: u32,
    /// Retries after connection errors and 503/429 answers.
    #[arg(long, default_value_t = 3, global = true)]
    pub retries: u32,
}

/// The `KEY=value` pairs of a credentials file, consulted for whatever the flags and the
/// environment leave out.
pub struct CredentialsFile {
    path: PathBuf,
    pairs: Vec<(String, String)>,
}

impl CredentialsFile {
    /// Reads `path`; a missing or unreadable file holds nothing.
    pub fn read(path: &Path) -> Self {
        let pairs = match std::fs::read_to_string(path) {
            Ok(text) => parse_env_file(&text),
            Err(_) => Vec::new(),
        };
        CredentialsFile {
            path: path.to_path_buf(),
            pairs,
        }
    }

    /// `flag` (which clap also fills from the environment) unless empty, else the last
    /// non-empty `key` of the file.
    pub fn pick(&self, flag: &Option<String>, key: &str) -> Option<String> {
        flag.clone().filter(|v| !v.is_empty()).or_else(|| {
            self.pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        })
    }

    /// The error for values found nowhere: names the flags (`--access-id`, ...) and the file
    /// that was looked at. `also` is appended, for a command with another way in.
    pub fn missing(&self, flags: &[&str], also: &str) -> anyhow::Error {
        anyhow!(
            "no {} given: pass the flags, set TC_API_* or point --credentials at the credentials.env that `threatdb serve` wrote (looked for {}){also}",
            flags.join(", "),
            self.path.display()
        )
    }
}

impl ConnectArgs {
    /// A client from the flags, the environment and the credentials file, in that order.
    pub fn connect(&self) -> Result<ThreatConnect> {
        let e = &self.endpoint;
        let file = CredentialsFile::read(&e.credentials);
        let wanted = [
            ("--access-id", &e.access_id, "TC_API_ACCESS_ID"),
            ("--secret-key", &e.secret_key, "TC_API_SECRET_KEY"),
            ("--default-org", &self.default_org, "TC_API_DEFAULT_ORG"),
            ("--base-url", &e.base_url, "TC_API_BASE_URL"),
        ];
        let [access_id, secret, org, base] = wanted.map(|(_, flag, key)| file.pick(flag, key));
        let (Some(access_id), Some(secret), Some(org), Some(base)) = (access_id, secret, org, base)
        else {
            let missing: Vec<&str> = wanted
                .into_iter()
                .filter(|(_, flag, key)| file.pick(flag, key).is_none())
                .map(|(name, _, _)| name)
                .collect();
            return Err(file.missing(&missing, ""));
        };
        let mut tc = ThreatConnect::new(access_id, secret, org, base)?;
        tc.set_api_result_limit(self.result_limit)?;
        tc.set_api_retries(self.retries);
        if let Some(path) = &e.ca_cert {
            tc.set_api_ca_cert(path)?;
        }
        Ok(tc)
    }
}
