//! Tests that run the built `threatdb` binary as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod audit;
mod backup;
mod batch_restart;
mod bench;
mod cli;
mod history_crash;
mod hostile;
mod multinode;
mod node;
mod openapi;
mod ops;
mod python;
mod readme;
mod retention;
mod stix;
mod stix_import;
mod taxii;
mod taxii_by_id;
mod taxii_post;
mod tc_json;
mod tcex;
mod tokens;
mod web_ui;
mod webdriver;

/// Held by the tests that load both cores for many seconds (the benchmark smoke runs) and by
/// the tests whose assertions are about time (the connection timeouts), so that the first never
/// run beside the second. A timing test starved of CPU by a benchmark in the same process fails
/// for want of a core, which says nothing about the server. (`hostile::connections`'
/// trickled-body test has also failed in earlier full runs while other work loaded the
/// machine: the server can end a starved connection without its 408, an open bug this lock
/// does not fix.)
pub fn timing_exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
