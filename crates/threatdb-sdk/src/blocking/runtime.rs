//! The runtime a blocking object waits on: one single-threaded tokio runtime, shared by the
//! objects made from one client.

use crate::error::{Error, Result};
use std::future::Future;
use std::sync::Arc;

/// The runtime every blocking object waits on.
#[derive(Clone)]
pub(super) struct Runtime(Arc<OwnedRuntime>);

/// Shuts its runtime down without waiting, so that dropping the last blocking object inside an
/// async context does not panic.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl Runtime {
    /// A fresh runtime.
    pub(super) fn new() -> Result<Self> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| Runtime(Arc::new(OwnedRuntime(Some(rt)))))
            .map_err(|e| Error::Config(format!("cannot start a tokio runtime: {e}")))
    }

    /// Runs `f` to its end; refused inside an async runtime, where it would panic.
    pub(super) fn block_on<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::InvalidInput(
                "the blocking API cannot be used inside an async runtime: use the async API".into(),
            ));
        }
        match &self.0.0 {
            Some(rt) => rt.block_on(f),
            None => Err(Error::Config("the runtime has shut down".into())),
        }
    }
}
