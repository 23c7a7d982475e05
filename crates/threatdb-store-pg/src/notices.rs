//! Notices of credential changes from other processes: `LISTEN threatdb_credentials` on a
//! connection of its own (a one-connection pool, so the node's pool keeps all its connections).
//! Every transaction that takes access away calls `pg_notify` on that channel, delivered when it
//! commits; a notice wakes the node's credential watcher at once. While the listener is down
//! (the database restarted, the connection was cut), the watcher polls the generation every
//! [`CREDENTIAL_POLL`] instead, and once the listener is back it checks once more, since notices
//! sent in between are lost.

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use threatdb_store::CREDENTIAL_POLL;
use threatdb_store::accounts::CREDENTIALS_CHANNEL;
use tokio::sync::Notify;

/// How long the watcher waits for a notice while the listener is up, before it reads the
/// generation anyway (a safety net; notices are the fast path).
const LISTENING_POLL: Duration = Duration::from_secs(5);

/// How long to wait before connecting the listener again.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// The listener's state, shared with its task.
#[derive(Debug)]
pub(crate) struct Notices {
    options: PgConnectOptions,
    started: AtomicBool,
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The listener is connected and listening.
    live: AtomicBool,
    /// Woken by a notice, or when the listener goes down or comes back.
    notify: Notify,
}

impl Notices {
    pub(crate) fn new(options: PgConnectOptions) -> Self {
        Notices {
            options,
            started: AtomicBool::new(false),
            state: Arc::new(State::default()),
        }
    }

    /// Returns at a notice (or a change of the listener's state), or after the polling
    /// interval: [`CREDENTIAL_POLL`] while the listener is down, [`LISTENING_POLL`] while up.
    pub(crate) async fn wait(&self) {
        if !self.started.swap(true, Ordering::SeqCst) {
            tokio::spawn(listen(self.options.clone(), self.state.clone()));
        }
        let wait = if self.state.live.load(Ordering::SeqCst) {
            LISTENING_POLL
        } else {
            CREDENTIAL_POLL
        };
        // `notify_one` keeps a permit when nobody waits: a notice between two waits is not lost.
        let _ = tokio::time::timeout(wait, self.state.notify.notified()).await;
    }

    /// Whether the listener is up (for tests).
    pub(crate) fn live(&self) -> bool {
        self.state.live.load(Ordering::SeqCst)
    }
}

async fn listen(options: PgConnectOptions, state: Arc<State>) {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options.application_name("threatdb-listener"));
    loop {
        if let Ok(mut listener) = PgListener::connect_with(&pool).await {
            // Without reconnecting inside: a lost connection ends this loop, so the watcher
            // polls until a fresh listener is up.
            listener.eager_reconnect(false);
            if listener.listen(CREDENTIALS_CHANNEL).await.is_ok() {
                state.live.store(true, Ordering::SeqCst);
                // Notices sent while nobody listened are lost: check once now.
                state.notify.notify_one();
                while let Ok(Some(_)) = listener.try_recv().await {
                    state.notify.notify_one();
                }
            }
        }
        if state.live.swap(false, Ordering::SeqCst) {
            tracing::warn!(
                "lost the PostgreSQL listener for credential changes: polling until it is back"
            );
        }
        state.notify.notify_one();
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}
