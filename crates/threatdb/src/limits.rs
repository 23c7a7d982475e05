//! `threatdb serve`'s limits on clients: flags and `THREATDB_*` variables, turned into the
//! server's [`Limits`], with the open-file limit raised so the connection cap can be honoured.

use anyhow::{Context, Result};
use clap::Args;
use std::time::Duration;
use threatdb_server::Limits;

/// File descriptors kept for the database, logs and the listener itself.
const RESERVED_FDS: u64 = 64;

/// What clients may do (every value has a safe default).
#[derive(Args, Clone, Debug)]
pub struct LimitArgs {
    /// Seconds a client has to send a request's head (line and headers), from its first byte or
    /// from connecting.
    #[arg(long, env = "THREATDB_HEADER_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout: u64,
    /// Seconds a kept-alive connection may sit idle between requests.
    #[arg(long, env = "THREATDB_IDLE_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub idle_timeout: u64,
    /// Seconds a client has to send a request's whole body.
    #[arg(long, env = "THREATDB_BODY_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub body_timeout: u64,
    /// Connections open at once (lowered to fit the open-file limit).
    #[arg(long, env = "THREATDB_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Connections open at once from one client address (an IPv6 /64 counts as one).
    #[arg(long, env = "THREATDB_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections_per_address: u64,
    /// Failed authentications or sign-ins per minute for one principal from one address (an
    /// address in all gets three times as many).
    #[arg(long, env = "THREATDB_AUTH_FAILURES_PER_MINUTE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub auth_failures_per_minute: u32,
    /// A proxy or load balancer (address or CIDR, repeatable or comma-separated) whose
    /// X-Forwarded-For names the client.
    #[arg(
        long = "trusted-proxy",
        env = "THREATDB_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Refuse a second non-GET request with the same signature within the clock-skew window
    /// (stronger than ThreatConnect; a client must not send the same write twice in a second).
    #[arg(long, env = "THREATDB_REJECT_REPLAYS")]
    pub reject_replays: bool,
    /// Objects one TAXII request may look at beyond those it sends before it ends its page early
    /// (with `more` and a cursor), so a filter that matches little never walks a whole owner.
    #[arg(long, env = "THREATDB_TAXII_SCAN_BUDGET", default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub taxii_scan_budget: u64,
    /// How long a deleted object is kept, to be listed and restored, before the retention
    /// sweep purges it (30d, 12h, 90m, 3600s).
    #[arg(long, env = "THREATDB_DELETED_RETENTION", default_value = "30d", value_parser = retention)]
    pub deleted_retention: Duration,
}

/// A retention period: a number and a unit.
fn retention(text: &str) -> Result<Duration, String> {
    match crate::admin::parse_lifetime(text) {
        Ok(Some(period)) => Duration::try_from(period).map_err(|e| e.to_string()),
        Ok(None) => {
            Err("deleted objects are not kept forever: give a period (30d, 12h, 90m, 3600s)".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

impl LimitArgs {
    /// The server's limits; raises the open-file limit to its hard limit first and lowers the
    /// connection cap if the open-file limit cannot hold it.
    pub fn limits(&self) -> Result<Limits> {
        let mut trusted_proxies = Vec::new();
        for raw in self
            .trusted_proxies
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            let net = raw
                .parse::<ipnet::IpNet>()
                .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!(
                        "--trusted-proxy '{raw}' is not an IP address or CIDR (e.g. 10.0.0.0/8)"
                    )
                })?;
            trusted_proxies.push(net);
        }
        let mut max_connections = self.max_connections;
        let mut per_address = self.max_connections_per_address;
        if let Some(files) = raise_open_file_limit() {
            let room = files.saturating_sub(RESERVED_FDS).max(1);
            if room < max_connections {
                // One address must still not be able to take every place.
                max_connections = room;
                per_address = per_address.min((room / 4).max(1));
                tracing::warn!(
                    open_files = files,
                    max_connections,
                    max_connections_per_address = per_address,
                    "the open-file limit is low: fewer connections will be served at once"
                );
            }
        }
        let usize_of = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        Ok(Limits {
            auth_failures_per_minute: self.auth_failures_per_minute,
            header_read_timeout: Duration::from_secs(self.header_read_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            max_connections: usize_of(max_connections),
            max_connections_per_address: usize_of(per_address),
            trusted_proxies,
            reject_replays: self.reject_replays,
            taxii_scan_budget: usize_of(self.taxii_scan_budget),
            deleted_retention: self.deleted_retention,
            ..Limits::default()
        })
    }
}

/// Raises the soft open-file limit to the hard limit; the soft limit in force after, if known.
fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .ok()
                .map(|(soft, _)| soft)
        }
    }
}
