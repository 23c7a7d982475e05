//! Tests that run the built `threatdb` binary as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod backup;
mod batch_restart;
mod bench;
mod cli;
mod hostile;
mod multinode;
mod node;
mod openapi;
mod ops;
mod python;
mod readme;
mod tcex;
mod tokens;
mod web_ui;
mod webdriver;
