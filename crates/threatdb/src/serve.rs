//! `threatdb serve`: open the store, bootstrap on first start, listen (HTTPS with a
//! certificate, re-read on SIGHUP), shut down cleanly.

use crate::config::{OpenStore, ServeArgs};
use anyhow::{Context, Result, bail};
use std::sync::Arc;
use threatdb_server::provision::bootstrap;
use threatdb_server::secrets::write_private;
use threatdb_server::{AppState, TlsFiles, serve_with_tls};
use tokio::net::TcpListener;

pub async fn run(args: ServeArgs) -> Result<()> {
    log_panics_on_one_line();
    let limits = args.limits.limits()?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(Arc::new(TlsFiles::load(cert, key)?)),
        (None, None) => None,
        _ => bail!("--tls-cert and --tls-key go together: give both (for HTTPS) or neither"),
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    args.data.ensure_dir()?;
    let keys = args.data.master_key()?;
    let store = args.data.open_store().await?;
    // Bind before announcing anything, so a busy port fails fast and clearly.
    let listener = TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr()?;
    let metrics_listener = match &args.metrics_addr {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for metrics"))?,
        ),
        None => None,
    };
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{local}"));
    let public_url = public_url.trim_end_matches('/').to_string();
    let base_url = format!("{public_url}/api");

    if let Some(created) = bootstrap(store.admin(), &keys)
        .await
        .context("first-start bootstrap failed")?
    {
        let path = args.data.credentials_path();
        write_private(&path, &created.env_file(&base_url))
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!(
            "First start: created the organization '{}', the community 'Example Community'",
            created.default_org
        );
        println!("and an administrator API user. Its secret key is shown only this once:");
        println!();
        print!("{}", created.env_file(&base_url));
        println!();
        println!(
            "Saved to {} (mode 0600). To use it: set -a; . {}; set +a",
            path.display(),
            path.display()
        );
        let web = args.data.data_dir.join("web-credentials.txt");
        write_private(&web, &created.web_file(&public_url))
            .with_context(|| format!("cannot write {}", web.display()))?;
        println!();
        println!("The web UI: sign in at {public_url}/signin as the administrator");
        println!(
            "(login '{}', password {}; shown only this once, saved to {}, mode 0600).",
            created.web_login,
            created.web_password,
            web.display()
        );
    }

    let state = AppState::with_limits(store.store(), keys, &public_url, limits);
    // Revocations by `threatdb admin` (another process) or on another node reach this node's
    // credential cache within a quarter of a second.
    let watcher = tokio::spawn(threatdb_server::auth::watch_credentials(state.clone()));
    // Deleted objects older than --deleted-retention are purged (at start, then hourly).
    let sweeper = tokio::spawn(threatdb_server::retention::run(state.clone()));
    // Announced before the API's "listening" line, so whoever waits for that one knows both.
    let metrics_server = match metrics_listener {
        Some(listener) => Some(serve_metrics(listener, &store, &state)?),
        None => None,
    };
    tracing::info!(%local, api = %base_url, "threatdb is listening");
    println!("threatdb listening on {scheme}://{local} (API base URL {base_url})");
    if let Some(tls) = &tls {
        reload_on_hangup(tls.clone());
    }
    serve_with_tls(listener, state, tls, shutdown_signal())
        .await
        .context("the server failed")?;
    if let Some(server) = metrics_server {
        server.abort();
    }
    watcher.abort();
    sweeper.abort();
    store.close().await;
    tracing::info!("threatdb stopped cleanly");
    Ok(())
}

/// Serves `/metrics` (and `/readyz`, `/healthz`) on the metrics listener, within the same
/// connection limits as the API; the PostgreSQL pool is sampled at every scrape.
fn serve_metrics(
    listener: TcpListener,
    store: &OpenStore,
    state: &AppState,
) -> Result<tokio::task::JoinHandle<()>> {
    use threatdb_server::telemetry::{Registration, Sampler, install};
    let mut samplers: Vec<Sampler> = Vec::new();
    let backend: Registration = match store {
        OpenStore::Sqlite(_) => threatdb_store_sqlite::register_metrics,
        OpenStore::Pg(pg) => {
            pg.record_pool_metrics();
            let pg = pg.clone();
            samplers.push(Arc::new(move || pg.record_pool_metrics()));
            threatdb_store_pg::register_metrics
        }
    };
    let metrics = install(&[threatdb_store::health::register_metrics, backend]);
    let local = listener.local_addr()?;
    tracing::info!(%local, "metrics are served");
    println!("threatdb metrics on http://{local}/metrics");
    let app = threatdb_server::telemetry::router(metrics, state.store.clone(), samplers);
    let limits = state.limits.clone();
    Ok(tokio::spawn(async move {
        let serving =
            threatdb_server::serve_app(listener, app, limits, None, std::future::pending());
        if let Err(e) = serving.await {
            tracing::error!(error = %e, "the metrics listener failed");
        }
    }))
}

/// A panic (which the server answers with a 500) is logged as one line with its place, not a
/// backtrace per request; `RUST_BACKTRACE=1` still asks for backtraces.
fn log_panics_on_one_line() {
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%place, "panic: {}", panic_message(info));
    }));
}

fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// On every SIGHUP, re-reads the certificate and key: new connections get the new pair, open
/// ones keep theirs; a pair that cannot be used is logged and the old one kept.
fn reload_on_hangup(tls: Arc<TlsFiles>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = match signal(SignalKind::hangup()) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGHUP: the certificate will not be reloaded");
                return;
            }
        };
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match tls.reload() {
                    Ok(()) => {
                        tracing::info!(cert = %tls.cert_path().display(), "SIGHUP: reloaded the TLS certificate and key")
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "SIGHUP: kept the TLS certificate in use")
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(tls);
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
