//! The optional replay guard (`--reject-replays`): a signature covers the path, the method and
//! the timestamp, not the body, so a captured write could be sent again within the clock-skew
//! window. With the guard on, a second non-GET request with the same signature inside that
//! window is refused. Off by default: ThreatConnect does not do this, and a client that sends
//! the same write twice in one second would be refused.
//!
//! Memory is bounded: only verified signatures are remembered (so only authenticated clients
//! fill it), each as 16 bytes, for twice the skew window, at most [`MAX_REMEMBERED`]; past that
//! the oldest are forgotten first (and a warning is logged once).

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Signatures remembered at most (about 40 bytes each).
pub const MAX_REMEMBERED: usize = 500_000;

/// Remembers the signatures of verified writes.
#[derive(Debug)]
pub struct ReplayGuard {
    window: Duration,
    seen: Mutex<Seen>,
    warned: AtomicBool,
}

#[derive(Debug, Default)]
struct Seen {
    set: HashSet<u128>,
    order: VecDeque<(Instant, u128)>,
}

impl ReplayGuard {
    /// Remembers each signature for `window` (twice the allowed clock skew).
    pub fn new(window: Duration) -> Self {
        ReplayGuard {
            window,
            seen: Mutex::new(Seen::default()),
            warned: AtomicBool::new(false),
        }
    }

    /// Records a verified signature; `false` if it was seen within the window (a replay).
    pub fn first_use(&self, signature: &str) -> bool {
        let key = digest(signature);
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(&(at, old)) = seen.order.front() {
            let expired = now.duration_since(at) >= self.window;
            if !expired && seen.order.len() < MAX_REMEMBERED {
                break;
            }
            if !expired && !self.warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "the replay guard is full ({MAX_REMEMBERED} writes within the window): the oldest are forgotten early"
                );
            }
            seen.order.pop_front();
            seen.set.remove(&old);
        }
        if !seen.set.insert(key) {
            return false;
        }
        seen.order.push_back((now, key));
        true
    }

    /// Signatures remembered now.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .set
            .len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// 128 bits of the SHA-256 of a signature header: collision-free in practice, fixed size.
fn digest(signature: &str) -> u128 {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(signature.as_bytes());
    let mut bytes = [0u8; 16];
    for (b, h) in bytes.iter_mut().zip(hash.iter()) {
        *b = *h;
    }
    u128::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_used_once_within_the_window() {
        let g = ReplayGuard::new(Duration::from_secs(600));
        assert!(g.first_use("TC 1:abc"));
        assert!(!g.first_use("TC 1:abc"));
        assert!(g.first_use("TC 1:abd"));
        let short = ReplayGuard::new(Duration::ZERO);
        assert!(short.first_use("x"));
        assert!(short.first_use("x"), "expired at once");
    }

    #[test]
    fn memory_is_bounded() {
        let g = ReplayGuard::new(Duration::from_secs(600));
        for i in 0..(MAX_REMEMBERED + 1000) {
            g.first_use(&i.to_string());
        }
        assert_eq!(g.len(), MAX_REMEMBERED);
    }
}
