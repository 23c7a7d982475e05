//! A connection's socket with the deadlines hyper does not keep by itself:
//!
//! - a request head (from a new connection, or from the first byte of the next request on a
//!   kept-alive one) must arrive whole within the header-read timeout (slowloris);
//! - a kept-alive connection with no request in flight is closed after the idle timeout;
//! - an answer the client stops reading is abandoned after the idle timeout.
//!
//! While a request is in flight (from its parsed head until its answer is ready) no read
//! deadline applies: the request timeout layer bounds that time.

use futures_util::task::AtomicWaker;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// What the service tells the socket: how many requests are in flight, and how many have
/// finished (so the socket sees a new idle period begin).
#[derive(Debug, Default)]
pub struct ConnClock {
    in_flight: AtomicUsize,
    finished: AtomicU64,
    /// The connection's last pending read: woken when a request finishes, so the idle deadline
    /// is armed even if hyper last polled the socket while the request was in flight.
    reader: AtomicWaker,
}

impl ConnClock {
    /// Marks a request in flight until the guard is dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }
}

/// A request in flight on a connection.
pub struct InFlight(Arc<ConnClock>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::AcqRel);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.reader.wake();
    }
}

/// The socket wrapper.
pub struct TimedIo<T> {
    inner: T,
    clock: Arc<ConnClock>,
    header_timeout: Duration,
    idle_timeout: Duration,
    finished_seen: u64,
    /// When the current idle period began.
    idle_since: Instant,
    /// When the first byte of the next request head arrived (or the connection was accepted).
    head_started: Option<Instant>,
    /// When writing first stalled without progress.
    write_stalled: Option<Instant>,
    read_sleep: Pin<Box<Sleep>>,
    write_sleep: Pin<Box<Sleep>>,
}

impl<T> TimedIo<T> {
    /// Wraps a just-accepted socket: its first head is due within `header_timeout`.
    pub fn new(inner: T, clock: Arc<ConnClock>, header_timeout: Duration, idle: Duration) -> Self {
        let now = Instant::now();
        TimedIo {
            inner,
            clock,
            header_timeout,
            idle_timeout: idle,
            finished_seen: 0,
            idle_since: now,
            head_started: Some(now),
            write_stalled: None,
            read_sleep: Box::pin(tokio::time::sleep_until(now)),
            write_sleep: Box::pin(tokio::time::sleep_until(now)),
        }
    }

    /// Notices requests that finished since the last look: a new idle period.
    fn sync(&mut self) {
        let finished = self.clock.finished.load(Ordering::Acquire);
        if finished != self.finished_seen {
            self.finished_seen = finished;
            self.idle_since = Instant::now();
            self.head_started = None;
        }
    }

    fn in_flight(&self) -> bool {
        self.clock.in_flight.load(Ordering::Acquire) > 0
    }

    fn read_deadline(&mut self) -> Option<Instant> {
        self.sync();
        if self.in_flight() {
            return None;
        }
        Some(match self.head_started {
            Some(start) => after(start, self.header_timeout),
            None => after(self.idle_since, self.idle_timeout),
        })
    }

    fn got_bytes(&mut self) {
        self.sync();
        if !self.in_flight() && self.head_started.is_none() {
            self.head_started = Some(Instant::now());
        }
    }
}

/// `start + d`, saturating a day after `start` (timeouts are configured far below that).
fn after(start: Instant, d: Duration) -> Instant {
    start
        .checked_add(d.min(Duration::from_secs(86_400)))
        .unwrap_or(start)
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what.to_string())
}

/// Whether `deadline` has passed; if not, makes sure `sleep` wakes the task by then. The timer
/// is only re-armed when it would fire too late or has already fired: deadlines mostly move
/// later (each request pushes the idle deadline), and an early wake-up just re-checks, so a busy
/// keep-alive connection does not touch the timer wheel on every request.
fn expired(sleep: &mut Pin<Box<Sleep>>, deadline: Instant, cx: &mut Context<'_>) -> bool {
    if Instant::now() >= deadline {
        return true;
    }
    if sleep.deadline() > deadline {
        sleep.as_mut().reset(deadline);
    }
    if sleep.as_mut().poll(cx).is_ready() {
        // It fired for an earlier deadline: arm it for this one (polling registers the waker).
        sleep.as_mut().reset(deadline);
        let _ = sleep.as_mut().poll(cx);
    }
    false
}

impl<T: AsyncRead + Unpin> AsyncRead for TimedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.got_bytes();
                }
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {}
        }
        self.clock.reader.register(cx.waker());
        let Some(deadline) = self.read_deadline() else {
            return Poll::Pending;
        };
        let this = &mut *self;
        if expired(&mut this.read_sleep, deadline, cx) {
            let what = if this.head_started.is_some() {
                "the request head did not arrive in time"
            } else {
                "the connection was idle too long"
            };
            return Poll::Ready(Err(timed_out(what)));
        }
        Poll::Pending
    }
}

impl<T: AsyncWrite + Unpin> TimedIo<T> {
    fn on_write<R>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        match polled {
            Poll::Pending => {
                let now = Instant::now();
                let deadline = after(*self.write_stalled.get_or_insert(now), self.idle_timeout);
                if expired(&mut self.write_sleep, deadline, cx) {
                    return Poll::Ready(Err(timed_out("the client stopped reading the answer")));
                }
                Poll::Pending
            }
            ready => {
                self.write_stalled = None;
                ready
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for TimedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.on_write(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.on_write(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.on_write(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
