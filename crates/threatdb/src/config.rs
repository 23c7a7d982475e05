//! Settings: defaults < the configuration file (see [`crate::config_file`]) < `THREATDB_*`
//! environment < command-line flags.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use threatdb_core::{AdminStore, Store};
use threatdb_server::MasterKey;
use threatdb_store_pg::{PgSettings, PgStore};
use threatdb_store_sqlite::SqliteStore;

/// Where the data lives (shared by `serve` and `admin`).
#[derive(Args, Clone, Debug)]
pub struct DataArgs {
    /// Configuration file (TOML) with defaults for these settings; without it ./threatdb.toml
    /// is read when present.
    #[arg(long, env = "THREATDB_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the database file, the master key and credentials.env.
    #[arg(long, env = "THREATDB_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL; default: the SQLite file threatdb.db in the data directory.
    #[arg(
        id = "database",
        long,
        env = "THREATDB_DATABASE_URL",
        value_name = "URL"
    )]
    pub database_url: Option<String>,
    /// PostgreSQL: most connections this node opens.
    #[arg(long, env = "THREATDB_PG_MAX_CONNECTIONS", default_value_t = 16)]
    pub pg_max_connections: u32,
    /// PostgreSQL: seconds a statement may run before it is cancelled.
    #[arg(long, env = "THREATDB_PG_STATEMENT_TIMEOUT", default_value_t = 30)]
    pub pg_statement_timeout: u64,
    /// PostgreSQL: seconds a request waits for a free connection.
    #[arg(long, env = "THREATDB_PG_ACQUIRE_TIMEOUT", default_value_t = 10)]
    pub pg_acquire_timeout: u64,
}

/// `threatdb serve`.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Address to listen on.
    #[arg(long, env = "THREATDB_LISTEN", default_value = "127.0.0.1:8450")]
    pub listen: String,
    /// The public URL of this server, used in webLinks (default: http://<listen address>, or
    /// https:// with TLS).
    #[arg(long, env = "THREATDB_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key); re-read on SIGHUP.
    #[arg(long, env = "THREATDB_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert; re-read on SIGHUP.
    #[arg(long, env = "THREATDB_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Log lines as text for people (human) or one JSON object per line (json).
    #[arg(long, env = "THREATDB_LOG_FORMAT", value_enum, default_value_t = crate::logging::LogFormat::Human)]
    pub log_format: crate::logging::LogFormat,
    /// Serve Prometheus metrics (GET /metrics) and /readyz on this second address (plain
    /// HTTP; keep it private). Not set: no metrics are recorded or served.
    #[arg(long, env = "THREATDB_METRICS_ADDR", value_name = "ADDR")]
    pub metrics_addr: Option<String>,
    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

impl DataArgs {
    /// Creates the data directory (mode 0700) if needed.
    pub fn ensure_dir(&self) -> Result<()> {
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                self.data_dir.display()
            )
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ =
                std::fs::set_permissions(&self.data_dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }

    /// The master key: `THREATDB_MASTER_KEY` (base64), else `master.key` in the data directory,
    /// created on first use.
    pub fn master_key(&self) -> Result<MasterKey> {
        if let Ok(text) = std::env::var("THREATDB_MASTER_KEY") {
            return MasterKey::from_base64(&text)
                .map_err(|e| anyhow::anyhow!("THREATDB_MASTER_KEY: {e}"));
        }
        let path = self.data_dir.join("master.key");
        MasterKey::load_or_create(&path)
            .with_context(|| format!("cannot read or create {}", path.display()))
    }

    /// Opens the store the settings name: SQLite (the default, or a `sqlite:` URL) or
    /// PostgreSQL (a `postgres://` URL).
    pub async fn open_store(&self) -> Result<OpenStore> {
        let opened = match &self.database_url {
            Some(url) if url.starts_with("sqlite:") => SqliteStore::connect(url)
                .await
                .map(|s| OpenStore::Sqlite(Arc::new(s))),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                PgStore::connect(url, self.pg_settings())
                    .await
                    .map(|s| OpenStore::Pg(Arc::new(s)))
            }
            Some(url) => anyhow::bail!(
                "unsupported database URL '{}': use sqlite:PATH or postgres://USER:PASSWORD@HOST/DATABASE",
                redact(url)
            ),
            None => SqliteStore::open(&self.data_dir.join("threatdb.db"))
                .await
                .map(|s| OpenStore::Sqlite(Arc::new(s))),
        };
        opened.map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))
    }

    /// The PostgreSQL pool settings.
    pub fn pg_settings(&self) -> PgSettings {
        PgSettings {
            max_connections: self.pg_max_connections.max(1),
            acquire_timeout: std::time::Duration::from_secs(self.pg_acquire_timeout.max(1)),
            statement_timeout: std::time::Duration::from_secs(self.pg_statement_timeout.max(1)),
        }
    }

    /// Path of the credentials file written on first start.
    pub fn credentials_path(&self) -> PathBuf {
        self.data_dir.join("credentials.env")
    }
}

/// A URL with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The store a command works on.
pub enum OpenStore {
    /// The embedded default.
    Sqlite(Arc<SqliteStore>),
    /// PostgreSQL, for several nodes.
    Pg(Arc<PgStore>),
}

impl OpenStore {
    /// The API operations.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            OpenStore::Sqlite(s) => s.clone(),
            OpenStore::Pg(s) => s.clone(),
        }
    }

    /// The operator operations.
    pub fn admin(&self) -> &dyn AdminStore {
        match self {
            OpenStore::Sqlite(s) => s.as_ref(),
            OpenStore::Pg(s) => s.as_ref(),
        }
    }

    /// Closes the connections, waiting for running statements.
    pub async fn close(&self) {
        match self {
            OpenStore::Sqlite(s) => s.close().await,
            OpenStore::Pg(s) => s.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://h/db"), "postgres://h/db");
    }
}
