//! The listener: accepts connections within the caps of [`crate::Limits`], serves each with
//! hyper (over TLS when given [`tls::TlsFiles`]) under the header-read and idle deadlines of
//! [`timed_io`], tells every request who its client is ([`ClientAddr`]), and on shutdown lets
//! the requests in flight finish.

pub mod admission;
pub mod timed_io;
pub mod tls;

use crate::AppState;
use crate::limits::{Limits, canonical};
use admission::{Admission, Refusal};
use axum::Router;
use axum::extract::ConnectInfo;
use http::Extensions;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use timed_io::{ConnClock, TimedIo};
use tls::TlsFiles;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// The client's address as limits and logs see it: the peer, or the address a trusted proxy
/// forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The client address of a request: set by the listener, else the peer of axum's
    /// `ConnectInfo`, else the unspecified address (a request made in-process).
    pub fn of(extensions: &Extensions) -> IpAddr {
        if let Some(ClientAddr(ip)) = extensions.get::<ClientAddr>() {
            return *ip;
        }
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| canonical(c.0.ip()))
            .unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }
}

/// The largest request head (request line and headers) read; past it hyper answers 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Refusals being written at once; past it a refused connection is simply closed.
const MAX_REFUSALS_IN_FLIGHT: usize = 256;

/// Serves `router(state)` over plain HTTP on `listener` until `shutdown` completes, then
/// finishes the requests in flight (each bounded by the request timeout).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_tls(listener, state, None, shutdown).await
}

/// Like [`serve`], over HTTPS when `tls` is given: each connection is accepted with the
/// certificate in force at that moment (see [`TlsFiles::reload`]), and its handshake must end
/// within the header-read timeout.
pub async fn serve_with_tls(
    listener: TcpListener,
    state: AppState,
    tls: Option<Arc<TlsFiles>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = crate::router(state.clone());
    // The batch runner lives as long as the server.
    let runner = tokio::spawn(crate::batch::run(
        state.store.clone(),
        state.batch_wake.clone(),
    ));
    let served = serve_app(listener, app, state.limits.clone(), tls, shutdown).await;
    runner.abort();
    // Everything recorded by the requests that ran is in the log before the server returns
    // (and the writer logs a checkpoint of it).
    state.audit.flush().await;
    served
}

/// Serves any `app` as [`serve_with_tls`] serves the API, within the same `limits` (the
/// metrics listener, say).
pub async fn serve_app(
    listener: TcpListener,
    app: Router,
    limits: Arc<Limits>,
    tls: Option<Arc<TlsFiles>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let admission = Arc::new(Admission::new(&limits));
    let refusals = Arc::new(AtomicUsize::new(0));
    let warned = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection task holds a sender; when all are gone, every connection has closed.
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e, &warned).await;
                    continue;
                }
            },
        };
        let ip = canonical(peer.ip());
        match admission.admit(ip, limits.is_trusted_proxy(ip)) {
            Ok(admitted) => {
                let conn = Connection {
                    app: app.clone(),
                    limits: limits.clone(),
                    peer,
                    tls: tls.as_ref().map(|t| t.acceptor()),
                };
                let (stop, done) = (stop_rx.clone(), done_tx.clone());
                tokio::spawn(async move {
                    conn.run(stream, stop).await;
                    drop((admitted, done));
                });
            }
            Err(why) => refuse(stream, why, tls.is_none(), &refusals, &warned),
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(done_tx);
    let _ = done_rx.recv().await;
    Ok(())
}

/// What serving one connection needs.
struct Connection {
    app: Router,
    limits: Arc<Limits>,
    peer: SocketAddr,
    /// The TLS configuration in force when the connection was accepted.
    tls: Option<TlsAcceptor>,
}

impl Connection {
    async fn run(mut self, stream: TcpStream, mut stop: watch::Receiver<bool>) {
        let _ = stream.set_nodelay(true);
        let clock = Arc::new(ConnClock::default());
        // TLS goes on top of the timed socket, so the handshake's reads and writes count against
        // the first request's head deadline like any byte of that head.
        let io = TimedIo::new(
            stream,
            clock.clone(),
            self.limits.header_read_timeout,
            self.limits.idle_timeout,
        );
        let Some(acceptor) = self.tls.take() else {
            return self.serve_io(io, clock, stop).await;
        };
        let handshake = tokio::time::timeout(self.limits.header_read_timeout, acceptor.accept(io));
        let done = tokio::select! {
            done = handshake => done,
            _ = stop.wait_for(|stopping| *stopping) => return,
        };
        let peer = self.peer;
        match done {
            Ok(Ok(tls)) => self.serve_io(tls, clock, stop).await,
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(%peer, "TLS handshake did not finish in time"),
        }
    }

    async fn serve_io<I>(self, io: I, clock: Arc<ConnClock>, mut stop: watch::Receiver<bool>)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            app, limits, peer, ..
        } = self;
        let service = hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
            let in_flight = clock.begin();
            let forwarded = request
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            let client = limits.client_address(peer.ip(), forwarded);
            request.extensions_mut().insert(ClientAddr(client));
            let call = app.clone().oneshot(request);
            // Boxed so the connection is `Unpin` and can be polled without hyper's own shutdown
            // (see `linger`).
            Box::pin(async move {
                let response = call.await;
                drop(in_flight);
                response
            })
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            // TimedIo keeps the head and idle deadlines, which hyper's timer cannot tell apart.
            .header_read_timeout(None)
            .max_buf_size(MAX_HEAD_BYTES)
            .keep_alive(true);
        let mut conn = builder.serve_connection(TokioIo::new(io), service);
        let stopping = stop.clone();
        let stopped = async move {
            let _ = stop.wait_for(|stopping| *stopping).await;
        };
        let served = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx));
        let result = tokio::select! {
            result = served => result,
            () = stopped => {
                std::pin::Pin::new(&mut conn).graceful_shutdown();
                std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)).await
            }
        };
        if let Err(e) = &result {
            tracing::debug!(%peer, error = %e, "connection closed");
        }
        let io = conn.into_parts().io.into_inner();
        // On shutdown the listener's caller waits for every connection: no lingering then.
        if *stopping.borrow() {
            return;
        }
        linger(io).await;
    }
}

/// How long a closing connection keeps reading what the client still sends (see [`linger`]).
const LINGER: Duration = Duration::from_secs(2);

/// The most a closing connection reads and throws away (see [`linger`]).
const LINGER_BYTES: usize = 256 * 1024;

/// Closes a connection the way HTTP/1.1 servers must (RFC 9112, section 9.6): send our side's
/// end first, then read and discard what the client is still sending, for at most [`LINGER`]
/// and [`LINGER_BYTES`], before closing. The RFC's reason: closing a socket with unread bytes
/// in it makes the kernel answer with a reset, which may make the client's TCP stack discard an
/// answer it has not read yet (a 408 or 413 answered before the body ended). On Linux loopback
/// the tests could not make that happen, so this follows the RFC rather than an observed loss.
async fn linger<I: AsyncRead + AsyncWrite + Unpin>(mut io: I) {
    use tokio::io::AsyncReadExt;
    let _ = tokio::time::timeout(LINGER, async {
        if io.shutdown().await.is_err() {
            return;
        }
        let mut buf = [0u8; 8192];
        let mut read = 0usize;
        while read < LINGER_BYTES {
            match io.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read = read.saturating_add(n),
            }
        }
    })
    .await;
}

/// Answers a connection past a cap with a 503 in the failure envelope and closes it, without
/// reading what it sent; never more than [`MAX_REFUSALS_IN_FLIGHT`] such answers at once. Over
/// TLS (`plain` false) the connection is just closed: an answer would cost a handshake.
fn refuse(
    mut stream: TcpStream,
    why: Refusal,
    plain: bool,
    refusals: &Arc<AtomicUsize>,
    warned: &AtomicU64,
) {
    let (message, reason) = match why {
        Refusal::Full => (
            "The server has too many open connections: try again shortly",
            "full",
        ),
        Refusal::AddressFull => (
            "Too many open connections from your address: close some or try again shortly",
            "address_full",
        ),
    };
    crate::telemetry::connection_refused(reason);
    warn_now_and_then(warned, message);
    if !plain {
        return;
    }
    if refusals.fetch_add(1, Ordering::AcqRel) >= MAX_REFUSALS_IN_FLIGHT {
        refusals.fetch_sub(1, Ordering::AcqRel);
        return;
    }
    let body = threatdb_wire::envelope::failure_json(message);
    let mut answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {}\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        threatdb_wire::CONTENT_TYPE_JSON,
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    let refusals = refusals.clone();
    tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            stream.write_all(&answer).await?;
            stream.shutdown().await
        })
        .await;
        refusals.fetch_sub(1, Ordering::AcqRel);
    });
}

/// An accept that failed: out of file descriptors (wait a little for some to close, rather than
/// spinning) or a connection that died before it was accepted.
async fn accept_failed(e: &std::io::Error, warned: &AtomicU64) {
    let out_of_fds = matches!(e.raw_os_error(), Some(23 | 24)); // ENFILE, EMFILE
    if out_of_fds {
        warn_now_and_then(
            warned,
            "out of file descriptors: connections wait to be accepted",
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    } else {
        tracing::debug!(error = %e, "accept failed");
    }
}

/// Logs `message` as a warning at most once every ten seconds (a flood must not flood the log).
fn warn_now_and_then(last: &AtomicU64, message: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let before = last.load(Ordering::Relaxed);
    if now >= before.saturating_add(10)
        && last
            .compare_exchange(before, now, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    {
        tracing::warn!("{message}");
    }
}
