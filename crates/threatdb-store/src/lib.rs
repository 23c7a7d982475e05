//! threatdb's domain operations, written once for every database.
//!
//! Each operation ([`incidents::create`], [`tags::add`], [`list::incidents`], ...) is an async
//! function over a [`Db`] (a connection inside a transaction): it loads the row it acts on,
//! passes it through the one [`guard`], validates, writes with bound parameters, touches the
//! parent and re-reads. The SQL is written once; where the dialects differ, the statement
//! branches on [`Dialect`]. A backend crate (SQLite, PostgreSQL) provides only connections and
//! transactions ([`Backend`]), row decoding ([`db::Cells`]) and its error codes, and gets
//! `Store` and `AdminStore` from [`impl_store!`].

// Request data passes through this crate: no arithmetic that can overflow, no indexing or
// string slicing that can panic.
#![deny(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::string_slice
)]
#![warn(missing_docs)]

pub mod account;
pub mod accounts;
pub mod admin;
pub mod associations;
pub mod attributes;
pub mod audit;
pub mod backend;
pub mod batch;
pub mod catalogue;
pub mod changes;
pub mod dashboard;
pub mod db;
pub mod guard;
pub mod health;
pub mod history;
pub mod import;
pub mod incidents;
pub mod indicators;
pub mod items;
pub mod labels;
pub mod list;
pub mod metadata;
pub mod nested;
pub mod rows;
pub mod search;
pub mod statuses;
mod store_impl;
pub mod subject;
pub mod tags;
pub mod tombstones;

pub use backend::{Backend, BoxFuture, CREDENTIAL_POLL, Reading, Work};
pub use db::{Cells, Db, Dialect, Sql, Value};
pub use health::timed;

#[doc(hidden)]
pub use async_trait;
#[doc(hidden)]
pub use threatdb_core as t;

/// Now, in whole seconds (the precision both stores keep).
pub fn now() -> threatdb_core::Timestamp {
    threatdb_core::date::now()
}
