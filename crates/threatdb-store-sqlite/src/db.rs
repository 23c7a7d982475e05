//! The operations' [`Db`] on a rusqlite connection: statements prepared once and cached by
//! their text, values bound by position, rows decoded by column, SQLite's error codes mapped.
//! Every call runs synchronously and returns a ready future.

use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, ToSql};
use std::future::{Future, ready};
use threatdb_core::date::from_unix;
use threatdb_core::{StoreError, StoreResult, Timestamp};
use threatdb_store::{Cells, Db, Dialect, Sql, Value};

/// A connection inside a transaction (owned: it moves between the pool or the writer thread and
/// the operation).
pub struct SqliteDb(pub(crate) Connection);

struct Param<'v, 'a>(&'v Value<'a>);

impl ToSql for Param<'_, '_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null(_) => ToSqlOutput::Owned(SqlValue::Null),
            Value::Int(v) => ToSqlOutput::Owned(SqlValue::Integer(*v)),
            Value::Bool(v) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(*v))),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Value::Time(t) => ToSqlOutput::Owned(SqlValue::Integer(t.unix_timestamp())),
            Value::Float(v) => ToSqlOutput::Owned(SqlValue::Real(*v)),
        })
    }
}

fn params<'v, 'a>(sql: &'v Sql<'a>) -> Vec<Param<'v, 'a>> {
    sql.params.iter().map(Param).collect()
}

/// Turns a SQLite error into a store error: a unique violation is Duplicate (naming its
/// columns); a foreign-key failure means a row vanished between the check and the write (a
/// concurrent delete): not found.
pub fn backend(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, message) = &e {
        let code = f.extended_code;
        if code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY {
            return StoreError::NotFound;
        }
        if code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        {
            let what = message
                .as_deref()
                .and_then(|m| m.strip_prefix("UNIQUE constraint failed: "))
                .unwrap_or("a unique key");
            return StoreError::Duplicate(what.to_string());
        }
    }
    StoreError::backend(e)
}

impl SqliteDb {
    fn run<T>(
        &mut self,
        sql: &Sql<'_>,
        f: impl FnOnce(&mut rusqlite::CachedStatement<'_>, &[Param<'_, '_>]) -> rusqlite::Result<T>,
    ) -> StoreResult<T> {
        let mut stmt = self.0.prepare_cached(&sql.text).map_err(backend)?;
        let bound = params(sql);
        f(&mut stmt, &bound).map_err(backend)
    }
}

fn as_params<'p>(bound: &'p [Param<'_, '_>]) -> impl rusqlite::Params + 'p {
    rusqlite::params_from_iter(bound.iter())
}

impl Db for SqliteDb {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: Sql<'_>) -> impl Future<Output = StoreResult<u64>> + Send {
        let done = self.run(&sql, |stmt, bound| stmt.execute(as_params(bound)));
        ready(done.map(|n| u64::try_from(n).unwrap_or(u64::MAX)))
    }

    fn fetch<T, F>(
        &mut self,
        sql: Sql<'_>,
        mut map: F,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send
    where
        T: Send,
        F: FnMut(&dyn Cells) -> StoreResult<T> + Send,
    {
        let done = (|| {
            let mut stmt = self.0.prepare_cached(&sql.text).map_err(backend)?;
            let bound = params(&sql);
            let mut rows = stmt.query(as_params(&bound)).map_err(backend)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(backend)? {
                out.push(map(&Row(row))?);
            }
            Ok(out)
        })();
        ready(done)
    }

    fn explain(&mut self, sql: Sql<'_>) -> impl Future<Output = StoreResult<Vec<String>>> + Send {
        let explained = Sql {
            text: format!("EXPLAIN QUERY PLAN {}", sql.text).into(),
            params: sql.params,
        };
        let done = (|| {
            let mut stmt = self.0.prepare(&explained.text).map_err(backend)?;
            let bound = params(&explained);
            let mut rows = stmt.query(as_params(&bound)).map_err(backend)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(backend)? {
                out.push(row.get::<_, String>(3).map_err(backend)?);
            }
            Ok(out)
        })();
        ready(done)
    }

    fn fetch_optional<T, F>(
        &mut self,
        sql: Sql<'_>,
        map: F,
    ) -> impl Future<Output = StoreResult<Option<T>>> + Send
    where
        T: Send,
        F: FnOnce(&dyn Cells) -> StoreResult<T> + Send,
    {
        let done = (|| {
            let mut stmt = self.0.prepare_cached(&sql.text).map_err(backend)?;
            let bound = params(&sql);
            let mut rows = stmt.query(as_params(&bound)).map_err(backend)?;
            match rows.next().map_err(backend)? {
                Some(row) => map(&Row(row)).map(Some),
                None => Ok(None),
            }
        })();
        ready(done)
    }
}

/// A rusqlite row as [`Cells`].
struct Row<'r, 's>(&'r rusqlite::Row<'s>);

fn get<T: rusqlite::types::FromSql>(r: &rusqlite::Row<'_>, i: usize) -> StoreResult<T> {
    r.get(i).map_err(backend)
}

impl Cells for Row<'_, '_> {
    fn int(&self, i: usize) -> StoreResult<i64> {
        get(self.0, i)
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        get(self.0, i)
    }

    fn text(&self, i: usize) -> StoreResult<String> {
        get(self.0, i)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        get(self.0, i)
    }

    fn boolean(&self, i: usize) -> StoreResult<bool> {
        get(self.0, i)
    }

    fn time(&self, i: usize) -> StoreResult<Timestamp> {
        Ok(from_unix(get(self.0, i)?))
    }

    fn opt_time(&self, i: usize) -> StoreResult<Option<Timestamp>> {
        Ok(get::<Option<i64>>(self.0, i)?.map(from_unix))
    }

    fn bytes(&self, i: usize) -> StoreResult<Vec<u8>> {
        get(self.0, i)
    }

    fn opt_float(&self, i: usize) -> StoreResult<Option<f64>> {
        get(self.0, i)
    }
}
