//! What a database backend provides: transactions. A read runs on a connection the backend
//! hands out inside one read transaction (one snapshot) and takes back; a write is a unit of
//! work the backend runs inside one write transaction and commits before answering (SQLite runs
//! it on its writer thread, with other writes, in one group commit).

use crate::db::Db;
use std::future::Future;
use std::pin::Pin;
use threatdb_core::StoreResult;

/// A boxed future that can cross threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A write: work on a connection inside a write transaction. It owns what it needs (it may run
/// on another thread, after the caller's borrows have ended).
pub type Work<D, T> =
    Box<dyn for<'c> FnOnce(&'c mut D) -> BoxFuture<'c, StoreResult<T>> + Send + 'static>;

/// How much a read needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Several statements that must see one snapshot.
    Snapshot,
    /// One statement: a backend may skip the transaction (on PostgreSQL, BEGIN and COMMIT would
    /// only add two round trips).
    OneStatement,
}

/// A database backend.
pub trait Backend: Send + Sync + 'static {
    /// Its connection inside a transaction.
    type Db: Db + 'static;

    /// A connection inside a read transaction.
    fn begin_read(
        &self,
        reading: Reading,
    ) -> impl Future<Output = StoreResult<Self::Db>> + Send + '_;

    /// Ends a read transaction and takes the connection back.
    fn end_read(&self, db: Self::Db) -> impl Future<Output = StoreResult<()>> + Send + '_;

    /// Runs `work` in one write transaction and commits it: all of it or nothing.
    fn write<T: Send + 'static>(
        &self,
        work: Work<Self::Db, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send + '_;

    /// The store's sample of incident names, which substring searches judge trigrams by.
    fn name_sample(&self) -> &crate::list::NameSample;

    /// The newest schema (migration) version this build knows: the database is ready when
    /// exactly this one is applied.
    fn schema_version(&self) -> i64;

    /// Returns when the credential generation may have moved (`Store::credential_change`). By
    /// default there is no notice from other processes: after [`CREDENTIAL_POLL`].
    fn credential_change(&self) -> impl Future<Output = ()> + Send + '_ {
        tokio::time::sleep(CREDENTIAL_POLL)
    }
}

/// How often a server without notices from the database reads the credential generation.
pub const CREDENTIAL_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// `read!(backend, |db| op(db, args...))`: one operation in one read transaction.
#[macro_export]
macro_rules! read {
    ($backend:expr, |$db:ident| $body:expr) => {
        $crate::read!($backend, $crate::backend::Reading::Snapshot, |$db| $body)
    };
    ($backend:expr, $reading:expr, |$db:ident| $body:expr) => {{
        let backend = $backend;
        let mut conn = $crate::Backend::begin_read(backend, $reading).await?;
        let out = {
            let $db = &mut conn;
            $body.await
        };
        $crate::Backend::end_read(backend, conn).await?;
        out
    }};
}

/// `write!(backend, (owned values) |db| op(db, &values...))`: one operation in one write
/// transaction. The listed values are turned into owned ones and moved into the work.
#[macro_export]
macro_rules! write {
    ($backend:expr, ($($owned:ident),*) |$db:ident| $body:expr) => {{
        $(let $owned = $owned.to_owned();)*
        // The change's context (through what, which request) goes with the work to the thread
        // that runs it: the history records it.
        let context = $crate::t::context::current();
        $crate::Backend::write($backend, Box::new(move |$db| {
            Box::pin($crate::t::context::within(context, async move { $body.await }))
        }))
        .await
    }};
}
