//! The SDK against a real threatdb server and against capturing fakes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod associations;
mod commit;
mod filters;
mod helpers;
mod requests;
mod retries;
mod seed;
mod v3;
