//! Recently verified credentials, so a busy client costs one database look-up per interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use threatdb_core::Actor;

/// Caches, per access id, the opened secret and the actor for a few seconds, so a busy client
/// costs one database look-up per interval instead of one per request. A revoked key or changed
/// membership therefore takes effect within [`CREDENTIAL_TTL`] on every node.
pub struct CredentialCache {
    entries: Mutex<HashMap<String, Cached>>,
}

/// When a credential was cached, its opened secret, and its actor.
type Cached = (Instant, String, Arc<Actor>);

/// How long a cached credential is trusted.
pub const CREDENTIAL_TTL: Duration = Duration::from_secs(5);

impl CredentialCache {
    /// An empty cache.
    pub fn new() -> Self {
        CredentialCache {
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn get(&self, access_id: &str) -> Option<(String, Arc<Actor>)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (at, secret, actor) = entries.get(access_id)?;
        (at.elapsed() < CREDENTIAL_TTL).then(|| (secret.clone(), actor.clone()))
    }

    pub(super) fn put(&self, access_id: &str, secret: String, actor: Arc<Actor>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= 10_000 {
            entries.retain(|_, (at, _, _)| at.elapsed() < CREDENTIAL_TTL);
        }
        entries.insert(access_id.to_string(), (Instant::now(), secret, actor));
    }
}

impl Default for CredentialCache {
    fn default() -> Self {
        Self::new()
    }
}
