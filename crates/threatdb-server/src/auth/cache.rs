//! Recently verified credentials, so a busy client costs one database look-up per interval.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use threatdb_core::Actor;

/// Caches, per access id (or token hash), the opened secret and the actor for a few seconds, so
/// a busy client costs one database look-up per interval instead of one per request. Entries
/// are forgotten at once when the store's credential generation moves ([`CredentialCache::clear`],
/// called by the watcher in `serve`), so a revocation takes effect within the watcher's
/// interval; [`CREDENTIAL_TTL`] bounds anything the watcher cannot see.
pub struct CredentialCache {
    entries: Mutex<HashMap<Key, Cached>>,
    /// Moves at every clear: a look-up that began before a clear must not cache what it read.
    epoch: AtomicU64,
}

/// Until when a credential is trusted, its opened secret (empty for a token, the password's
/// digest for Basic), and its actor.
type Cached = (Instant, String, Arc<Actor>);

/// What a cached credential was presented as. Each kind has its own keys: an access id can
/// never find what a token or a Basic password left.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Key {
    /// An API user's access id (HMAC, or Basic with the secret key).
    AccessId(String),
    /// The SHA-256 of an API token.
    Token(Vec<u8>),
    /// A web login, for Basic with its password.
    BasicWeb(String),
}

/// How long a cached credential is trusted.
pub const CREDENTIAL_TTL: Duration = Duration::from_secs(5);

/// How long a web password verified for HTTP Basic is trusted: a TAXII client walking a
/// collection sends it with every page, and each miss costs an argon2 hash and one of the
/// login's attempts a minute. A changed password, a disabled user or a lost membership
/// clears it within the watcher's interval like any other credential.
pub const BASIC_PASSWORD_TTL: Duration = Duration::from_secs(60);

impl CredentialCache {
    /// An empty cache.
    pub fn new() -> Self {
        CredentialCache {
            entries: Mutex::new(HashMap::new()),
            epoch: AtomicU64::new(0),
        }
    }

    /// The epoch to pass to [`CredentialCache::put`], read before the database is.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    pub(super) fn get(&self, key: &Key) -> Option<(String, Arc<Actor>)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (until, secret, actor) = entries.get(key)?;
        (Instant::now() < *until).then(|| (secret.clone(), actor.clone()))
    }

    /// Caches a credential read at `epoch` for [`CREDENTIAL_TTL`] (or less: `at_most`), unless
    /// the cache was cleared since.
    pub(super) fn put(
        &self,
        epoch: u64,
        key: Key,
        secret: String,
        actor: Arc<Actor>,
        at_most: Option<Duration>,
    ) {
        let ttl = at_most.map_or(CREDENTIAL_TTL, |d| d.min(CREDENTIAL_TTL));
        self.put_for(epoch, key, secret, actor, ttl);
    }

    /// Caches a credential read at `epoch` for `ttl`, unless the cache was cleared since.
    pub(super) fn put_for(
        &self,
        epoch: u64,
        key: Key,
        secret: String,
        actor: Arc<Actor>,
        ttl: Duration,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        let now = Instant::now();
        if entries.len() >= 10_000 {
            entries.retain(|_, (until, _, _)| now < *until);
        }
        let until = now.checked_add(ttl).unwrap_or(now);
        entries.insert(key, (until, secret, actor));
    }

    /// Forgets everything (credentials changed somewhere).
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }
}

impl Default for CredentialCache {
    fn default() -> Self {
        Self::new()
    }
}
