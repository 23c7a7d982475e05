//! Tests that run the built `threatdb` binary as a user would.
#![allow(clippy::unwrap_used)]

mod api;
mod bench;
mod cli;
mod multinode;
mod node;
mod readme;
mod web_ui;
mod webdriver;
