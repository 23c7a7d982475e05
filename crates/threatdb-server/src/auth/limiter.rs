//! Failed authentications and sign-in attempts, limited per (client address, principal) and
//! per client address, with `governor`'s GCRA: N a minute, in bursts of up to N.
//!
//! Memory is bounded whatever clients send: keys are a client address (an IPv6 /64 counts as
//! one) and a principal that is validated and at most [`MAX_PRINCIPAL_BYTES`] long; keys that
//! have recovered are forgotten as the maps grow; and once a map holds [`MAX_KEYS`] keys, new
//! clients share one overflow bucket instead of adding keys.

use crate::limits::address_key;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The longest principal (access id, login name key) a limiter keeps: 64 characters of up to
/// four bytes.
pub const MAX_PRINCIPAL_BYTES: usize = 256;

/// Keys a map may hold before new clients share the overflow bucket.
pub const MAX_KEYS: usize = 100_000;

/// How often (in recorded hits) the maps are swept of keys that have recovered.
const SWEEP_EVERY: u64 = 4096;

/// A principal as a limiter key: present only when it is plausible (at most 64 characters and
/// [`MAX_PRINCIPAL_BYTES`], no spaces or control characters); anything else counts against the
/// address alone.
pub fn principal_key(principal: &str) -> Option<Box<str>> {
    let ok = !principal.is_empty()
        && principal.len() <= MAX_PRINCIPAL_BYTES
        && principal.chars().count() <= 64
        && !principal
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| principal.to_lowercase().into_boxed_str())
}

/// Limits failures (or attempts) per (address, principal) and per address.
pub struct FailureLimiter {
    by_pair: DefaultKeyedRateLimiter<(u128, Box<str>)>,
    by_address: DefaultKeyedRateLimiter<u128>,
    overflow: DefaultDirectRateLimiter,
    clock: DefaultClock,
    hits: AtomicU64,
}

impl std::fmt::Debug for FailureLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailureLimiter")
            .field("pairs", &self.by_pair.len())
            .field("addresses", &self.by_address.len())
            .finish()
    }
}

impl FailureLimiter {
    /// `per_minute` hits per (address, principal) a minute, three times that per address.
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let address = NonZeroU32::new(per_minute.max(1).saturating_mul(3)).unwrap_or(n);
        let overflow = NonZeroU32::new(per_minute.max(1).saturating_mul(30)).unwrap_or(n);
        FailureLimiter {
            by_pair: RateLimiter::keyed(Quota::per_minute(n)),
            by_address: RateLimiter::keyed(Quota::per_minute(address)),
            overflow: RateLimiter::direct(Quota::per_minute(overflow)),
            clock: DefaultClock::default(),
            hits: AtomicU64::new(0),
        }
    }

    /// Records one hit of `principal` (already a [`principal_key`]) from `address`: `Ok` while
    /// both the address and the pair are within their limits, else how long to wait.
    pub fn hit(&self, address: IpAddr, principal: Option<&str>) -> Result<(), Duration> {
        self.sweep();
        let address = address_key(address);
        self.check(&self.by_address, &address)?;
        if let Some(principal) = principal {
            self.check(&self.by_pair, &(address, Box::from(principal)))?;
        }
        Ok(())
    }

    fn check<K: std::hash::Hash + Eq + Clone>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), Duration> {
        let outcome = if limiter.len() >= MAX_KEYS {
            // Full: a new key would grow the map without bound; everyone new shares one bucket.
            self.overflow.check()
        } else {
            limiter.check_key(key)
        };
        outcome.map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets keys that have recovered, every [`SWEEP_EVERY`] hits (amortised: the sweep is
    /// linear in the keys, which are at most [`MAX_KEYS`]).
    fn sweep(&self) {
        let n = self.hits.fetch_add(1, Ordering::Relaxed);
        if n % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.by_pair.retain_recent();
            self.by_address.retain_recent();
            self.by_pair.shrink_to_fit();
            self.by_address.shrink_to_fit();
        }
    }

    /// Keys held (pairs, addresses): for tests and metrics.
    pub fn keys(&self) -> (usize, usize) {
        (self.by_pair.len(), self.by_address.len())
    }
}

/// Seconds to put in `Retry-After` for a wait: at least 1.
pub fn retry_after(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_pair_is_limited_without_locking_other_addresses() {
        let l = FailureLimiter::new(5);
        for _ in 0..5 {
            assert!(l.hit(ip("10.0.0.1"), Some("admin")).is_ok());
        }
        let wait = l.hit(ip("10.0.0.1"), Some("admin")).expect_err("limited");
        assert!(wait <= Duration::from_secs(12), "{wait:?}");
        // The same principal from another address is not locked out.
        assert!(l.hit(ip("10.0.0.2"), Some("admin")).is_ok());
        // The attacker's address still has room for other principals, up to 3x.
        for i in 0..9 {
            assert!(l.hit(ip("10.0.0.1"), Some(&format!("u{i}"))).is_ok(), "{i}");
        }
        assert!(
            l.hit(ip("10.0.0.1"), Some("fresh")).is_err(),
            "the address is spent"
        );
    }

    #[test]
    fn principals_are_validated_and_capped() {
        assert_eq!(principal_key("Admin").as_deref(), Some("admin"));
        assert!(principal_key(&"9".repeat(65)).is_none());
        assert!(principal_key("a b").is_none());
        assert!(principal_key("esc\u{1b}").is_none());
        assert_eq!(principal_key("É").as_deref(), Some("é"));
        assert!(principal_key(&"é".repeat(64)).is_some());
        assert!(principal_key("").is_none());
    }

    #[test]
    fn memory_is_bounded_under_a_flood_of_distinct_keys() {
        let l = FailureLimiter::new(20);
        for i in 0..(MAX_KEYS as u32 + 5_000) {
            let a = std::net::Ipv4Addr::from(i.wrapping_mul(2_654_435_761));
            let _ = l.hit(IpAddr::V4(a), Some("x"));
        }
        let (pairs, addresses) = l.keys();
        assert!(
            pairs <= MAX_KEYS && addresses <= MAX_KEYS,
            "{pairs} {addresses}"
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after(Duration::from_millis(10)), 1);
        assert_eq!(retry_after(Duration::from_millis(2500)), 3);
        assert_eq!(retry_after(Duration::ZERO), 1);
    }
}
