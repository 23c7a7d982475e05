//! What a server allows its clients: connections, timeouts, failed authentications, password
//! work, trusted proxies. One value, set at start-up, read everywhere through [`crate::AppState`].

use ipnet::IpNet;
use std::net::IpAddr;
use std::time::Duration;

/// The limits a server enforces. [`Limits::default`] is what `threatdb serve` starts with.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Failed authentications (API) or sign-in attempts (web) one client address may make for
    /// one principal (access id, login name) per minute; the address as a whole gets three
    /// times as many.
    pub auth_failures_per_minute: u32,
    /// A new connection, or a request whose first bytes have arrived, must deliver its whole
    /// head (request line and headers) within this time.
    pub header_read_timeout: Duration,
    /// A keep-alive connection with no request in flight is closed after this time; so is a
    /// connection whose client stops reading an answer.
    pub idle_timeout: Duration,
    /// A request's body must arrive whole within this time (then 408).
    pub body_timeout: Duration,
    /// Connections open at once; past it a new connection is answered 503 and closed.
    pub max_connections: usize,
    /// Connections open at once from one client address (trusted proxies excepted).
    pub max_connections_per_address: usize,
    /// Password hashes computed at once (argon2id uses 19 MiB each); default: the cores.
    pub password_hashes: usize,
    /// Sign-ins that may wait for a hash slot; past it a sign-in is answered 503 at once.
    pub password_queue: usize,
    /// Peers allowed to say who the client is with `X-Forwarded-For`.
    pub trusted_proxies: Vec<IpNet>,
    /// Refuse a second non-GET request with the same signature within the clock-skew window.
    pub reject_replays: bool,
    /// The largest Batch API file accepted, in bytes (tcex sends up to 75,000,000).
    pub batch_file_bytes: usize,
    /// The most units (an object with what is sent with it) one TAXII request looks at beyond
    /// those it sends: a filter that matches little ends its page early, with `more` and a
    /// cursor where it stopped, instead of walking a whole owner in one request.
    pub taxii_scan_budget: usize,
    /// How long a deleted object is kept for restoring before the retention sweep purges it.
    pub deleted_retention: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2);
        Limits {
            auth_failures_per_minute: 20,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(60),
            max_connections: 4096,
            max_connections_per_address: 256,
            password_hashes: cores,
            password_queue: cores.saturating_mul(4),
            trusted_proxies: Vec::new(),
            reject_replays: false,
            batch_file_bytes: 80 << 20,
            taxii_scan_budget: 5_000,
            deleted_retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

impl Limits {
    /// Whether `peer` is a trusted proxy.
    pub fn is_trusted_proxy(&self, peer: IpAddr) -> bool {
        let peer = canonical(peer);
        self.trusted_proxies.iter().any(|net| net.contains(&peer))
    }

    /// The client's address: `peer`, or, when `peer` is a trusted proxy, the nearest address in
    /// `X-Forwarded-For` (read right to left) that is not itself a trusted proxy. A malformed
    /// entry ends the walk at the last good address.
    pub fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let mut client = canonical(peer);
        let Some(header) = forwarded_for else {
            return client;
        };
        if !self.is_trusted_proxy(client) {
            return client;
        }
        for entry in header.rsplit(',') {
            match entry.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = canonical(ip);
                    if !self.is_trusted_proxy(client) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// What limits key a client address by: an IPv4 address whole, an IPv6 address by its /64
/// (one subscriber's usual allocation, so rotating through it gains nothing).
pub fn address_key(ip: IpAddr) -> u128 {
    match canonical(ip) {
        // Its mapped form (low 64 bits 0000:ffff:xxxx:xxxx) never equals an IPv6 key (low 64 bits 1).
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => (u128::from(v6) & !u128::from(u64::MAX)) | 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(proxies: &[&str]) -> Limits {
        Limits {
            trusted_proxies: proxies.iter().map(|p| p.parse().expect("net")).collect(),
            ..Limits::default()
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let none = limits(&[]);
        assert_eq!(
            none.client_address(ip("10.0.0.1"), Some("1.2.3.4")),
            ip("10.0.0.1")
        );
        let lb = limits(&["10.0.0.0/8"]);
        assert_eq!(
            lb.client_address(ip("10.0.0.1"), Some("1.2.3.4")),
            ip("1.2.3.4")
        );
        // The client cannot smuggle an address in front: the rightmost untrusted one counts.
        assert_eq!(
            lb.client_address(ip("10.0.0.1"), Some("6.6.6.6, 1.2.3.4, 10.0.0.7")),
            ip("1.2.3.4")
        );
        assert_eq!(
            lb.client_address(ip("10.0.0.1"), Some("junk, 1.2.3.4")),
            ip("1.2.3.4")
        );
        assert_eq!(
            lb.client_address(ip("10.0.0.1"), Some("1.2.3.4, junk")),
            ip("10.0.0.1")
        );
        assert_eq!(lb.client_address(ip("10.0.0.1"), None), ip("10.0.0.1"));
        assert_eq!(
            lb.client_address(ip("::ffff:10.0.0.1"), Some("1.2.3.4")),
            ip("1.2.3.4")
        );
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            address_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_ne!(address_key(ip("0.0.0.1")), address_key(ip("::1")));
        assert_eq!(
            address_key(ip("::ffff:1.2.3.4")),
            address_key(ip("1.2.3.4"))
        );
    }
}
