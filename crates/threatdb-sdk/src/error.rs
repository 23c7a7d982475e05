//! The one error type of the SDK.

/// Everything a call can fail with. Nothing in the SDK panics: every failure is one of these.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a status outside 200–202. `message` is the failure envelope's
    /// `message`, or the raw body when the server sent something else.
    #[error("the server answered {status}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// What the server said.
        message: String,
    },
    /// The request could not be sent or its answer not received (connection refused, timeout,
    /// TLS, ...), after the configured retries.
    #[error("transport error: {0}")]
    Transport(String),
    /// The server answered 2xx with a body this SDK cannot read.
    #[error("unexpected response: {0}")]
    UnexpectedResponse(String),
    /// An argument was refused before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Settings are missing or malformed (environment, `tc.conf`).
    #[error("configuration error: {0}")]
    Config(String),
    /// A resource lacks a required field (a new incident without an event date, ...); nothing
    /// was sent.
    #[error("Resource Error: Cannot commit incomplete resource object: {0}")]
    IncompleteResource(String),
    /// A step of `commit()` failed. The steps before it were applied; it and the steps after it
    /// were not and stay queued.
    #[error("commit failed at step '{step}': {error}{}", applied_text(.applied))]
    Commit {
        /// The step that failed, e.g. `add tag 'Example'`.
        step: String,
        /// The steps that had been applied, in order.
        applied: Vec<String>,
        /// Why the step failed (shown in this error's message, so not also its `source()`).
        error: Box<Error>,
    },
}

fn applied_text(applied: &[String]) -> String {
    if applied.is_empty() {
        "; nothing had been applied".to_string()
    } else {
        format!("; already applied: {}", applied.join(", "))
    }
}

impl Error {
    /// The HTTP status of an API error (also inside a [`Error::Commit`]), if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Commit { error, .. } => error.status(),
            _ => None,
        }
    }

    /// Whether this is a 404 `Not Found` from the server.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

/// The result of an SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;
