//! Time, injectable: the `Timestamp` header's clock and the waits between retries.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, as [`Clock::sleep`] returns.
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where the SDK gets the time from. The default, [`SystemClock`], reads the system clock and
/// sleeps with tokio; tests supply their own to sign with a fixed timestamp or to skip waits.
pub trait Clock: Send + Sync + 'static {
    /// Seconds since the Unix epoch, sent as the `Timestamp` header and signed.
    fn now(&self) -> i64;
    /// Waits `duration` before a retry.
    fn sleep(&self, duration: Duration) -> Sleep<'_>;
}

/// The system clock and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    fn sleep(&self, duration: Duration) -> Sleep<'_> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock stopped at one timestamp whose sleeps return at once: for reproducing signatures.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }

    fn sleep(&self, _: Duration) -> Sleep<'_> {
        Box::pin(std::future::ready(()))
    }
}
