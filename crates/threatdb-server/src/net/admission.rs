//! Which connections are served: at most so many at once, and at most so many from one client
//! address (trusted proxies excepted). A connection past either cap is answered 503 and closed.

use crate::limits::{Limits, address_key};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The open connections, in all and per address.
#[derive(Debug)]
pub struct Admission {
    max: usize,
    per_address: usize,
    open: AtomicUsize,
    by_address: Mutex<HashMap<u128, usize>>,
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The server holds its maximum of connections.
    Full,
    /// The client's address holds its maximum.
    AddressFull,
}

/// An admitted connection; dropping it frees its place.
#[derive(Debug)]
pub struct Admitted {
    table: Arc<Admission>,
    address: Option<u128>,
}

impl Admission {
    /// A table enforcing `limits`.
    pub fn new(limits: &Limits) -> Self {
        Admission {
            max: limits.max_connections.max(1),
            per_address: limits.max_connections_per_address.max(1),
            open: AtomicUsize::new(0),
            by_address: Mutex::new(HashMap::new()),
        }
    }

    /// Admits a connection from `ip` (`exempt` for a trusted proxy) or says why not.
    pub fn admit(self: &Arc<Self>, ip: IpAddr, exempt: bool) -> Result<Admitted, Refusal> {
        let previous = self.open.fetch_add(1, Ordering::AcqRel);
        if previous >= self.max {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return Err(Refusal::Full);
        }
        // From here on, dropping the value gives the place back.
        let mut admitted = Admitted {
            table: self.clone(),
            address: None,
        };
        if !exempt {
            let key = address_key(ip);
            let mut by_address = self.by_address.lock().unwrap_or_else(|p| p.into_inner());
            let n = by_address.entry(key).or_insert(0);
            if *n >= self.per_address {
                return Err(Refusal::AddressFull);
            }
            *n = n.saturating_add(1);
            admitted.address = Some(key);
        }
        Ok(admitted)
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if let Some(key) = self.address {
            let mut by_address = self
                .table
                .by_address
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(n) = by_address.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    by_address.remove(&key);
                }
            }
        }
        self.table.open.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_in_all_and_per_address() {
        let limits = Limits {
            max_connections: 5,
            max_connections_per_address: 2,
            ..Limits::default()
        };
        let t = Arc::new(Admission::new(&limits));
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let first = t.admit(a, false).expect("1");
        let _second = t.admit(a, false).expect("2");
        assert_eq!(t.admit(a, false).err(), Some(Refusal::AddressFull));
        drop(first);
        let _again = t.admit(a, false).expect("freed");
        let _b1 = t.admit(b, false).expect("b1");
        let _proxy = t.admit(b, true).expect("exempt");
        let _b2 = t.admit(b, false).expect("b2");
        assert_eq!(t.open(), 5);
        assert_eq!(t.admit(b, true).err(), Some(Refusal::Full));
        assert_eq!(t.open(), 5, "a refusal holds no place");
    }
}
