//! What a change is made through (`v2`, `v3`, `web`, ...) and the request that made it: the
//! history records both beside who made it. The server sets it around a request's handler
//! ([`within`]); a store operation reads it ([`current`]) where it records a change, also when
//! the operation runs on another thread (a store's writer): the context travels with the
//! future, set only while that future is polled, never as process-wide state.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

/// Through what and for which request a change is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeContext {
    /// `v2`, `v3`, `batch`, `taxii`, `web`, `import` or `admin`.
    pub via: String,
    /// The request's id (`X-Request-Id`), when there is a request.
    pub request_id: Option<String>,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<ChangeContext>>> = const { RefCell::new(None) };
}

/// The context of the future being polled on this thread, if it was given one.
pub fn current() -> Option<Arc<ChangeContext>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// `future`, run with `context` as [`current`] while it is polled (no context: unchanged).
pub fn within<'a, T>(
    context: Option<Arc<ChangeContext>>,
    future: impl Future<Output = T> + Send + 'a,
) -> Within<'a, T> {
    Within {
        context,
        inner: Box::pin(future),
    }
}

/// A future with a [`ChangeContext`] (see [`within`]).
pub struct Within<'a, T> {
    context: Option<Arc<ChangeContext>>,
    inner: Pin<Box<dyn Future<Output = T> + Send + 'a>>,
}

impl<T> Future for Within<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<T> {
        let Some(context) = self.context.clone() else {
            return self.inner.as_mut().poll(cx);
        };
        // Put back what was there when the poll ends, even by a panic (a store's writer
        // catches a panicking write and goes on with the next).
        struct Restore(Option<Arc<ChangeContext>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let outer = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = outer);
            }
        }
        let _restore = Restore(CURRENT.with(|c| c.replace(Some(context))));
        self.inner.as_mut().poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_set_only_while_polled() {
        let ctx = Arc::new(ChangeContext {
            via: "v3".into(),
            request_id: Some("r1".into()),
        });
        assert!(current().is_none());
        let seen = futures_lite_block_on(within(Some(ctx.clone()), async { current() }));
        assert_eq!(seen, Some(ctx.clone()));
        assert!(current().is_none());
        let none = futures_lite_block_on(within(None, async { current() }));
        assert!(none.is_none());
        // A panicking poll leaves nothing behind.
        let caught = std::panic::catch_unwind(|| {
            futures_lite_block_on(within(Some(ctx.clone()), async { panic!("in the work") }))
        });
        assert!(caught.is_err());
        assert!(current().is_none());
    }

    /// Polls a future that never waits.
    fn futures_lite_block_on<T>(f: impl Future<Output = T>) -> T {
        let waker = std::task::Waker::noop();
        let mut cx = TaskContext::from_waker(waker);
        let mut f = Box::pin(f);
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the test future waited"),
        }
    }
}
