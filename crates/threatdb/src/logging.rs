//! Log lines on stderr: text for people, or one JSON object per line for a log collector.
//! `RUST_LOG` chooses what is logged (default: info, sqlx warnings).

use clap::ValueEnum;
use std::io::IsTerminal;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Text for people: time, level, the request's span (request_id, method, uri), message.
    Human,
    /// One JSON object per line; the request's span, with its request_id, under "span".
    Json,
}

/// Installs the process's log subscriber.
pub fn init(format: LogFormat) {
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,sqlx=warn".into())
    };
    // A line that cannot be written (stderr closed: the collector went away) is dropped, not
    // reported with `eprintln!`, which would panic and take the server down with it.
    // Colours only on a terminal: escape codes in a log file or a collector's input are noise
    // (and formatting them cost every request's span a little).
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .log_internal_errors(false);
    match format {
        LogFormat::Human => builder.with_env_filter(filter()).init(),
        LogFormat::Json => builder
            .json()
            // The event's fields beside level and message, the request's span (with its
            // request_id) under "span".
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter())
            .init(),
    }
}
