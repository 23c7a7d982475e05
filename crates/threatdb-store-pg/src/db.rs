//! The operations' [`Db`] on a PostgreSQL connection (sqlx): `?` placeholders rewritten to
//! `$n`, values bound by position (statements prepared and cached by sqlx), rows decoded by
//! column, PostgreSQL's error codes mapped.

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, PgConnection, Postgres, Row, Transaction, TypeInfo, ValueRef};
use std::future::Future;
use threatdb_core::{StoreError, StoreResult, Timestamp};
use threatdb_store::db::Kind;
use threatdb_store::{Cells, Db, Dialect, Sql, Value};

/// A connection: a transaction (every write, and reads that need a snapshot) or a plain pooled
/// connection (reads of one statement, where BEGIN and COMMIT would only add round trips).
pub enum PgDb {
    /// Inside a transaction.
    Tx(Transaction<'static, Postgres>),
    /// Outside one.
    Conn(PoolConnection<Postgres>),
}

impl PgDb {
    fn conn(&mut self) -> &mut PgConnection {
        match self {
            PgDb::Tx(tx) => tx,
            PgDb::Conn(conn) => conn,
        }
    }
}

/// Maps a sqlx error: a unique violation is Duplicate (naming the constraint), a foreign-key
/// violation (a row deleted concurrently) NotFound, a NUL byte in text (22021) Invalid.
pub fn backend(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.code().as_deref() == Some("22021") {
            return StoreError::Invalid("text must not contain NUL characters".into());
        }
        if d.is_foreign_key_violation() {
            return StoreError::NotFound;
        }
        if d.is_unique_violation() {
            return StoreError::Duplicate(d.constraint().unwrap_or("a unique key").to_string());
        }
    }
    StoreError::backend(e)
}

/// `?` to `$1, $2, ...` (the operations' SQL has no `?` but placeholders).
fn numbered(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(16));
    let mut n = 0u32;
    for c in text.chars() {
        if c == '?' {
            n = n.saturating_add(1);
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn arguments(sql: &Sql<'_>) -> StoreResult<PgArguments> {
    let mut args = PgArguments::default();
    for value in &sql.params {
        let added = match value {
            Value::Null(Kind::Int) => args.add(None::<i64>),
            Value::Null(Kind::Bool) => args.add(None::<bool>),
            Value::Null(Kind::Text) => args.add(None::<&str>),
            Value::Null(Kind::Bytes) => args.add(None::<&[u8]>),
            Value::Null(Kind::Time) => args.add(None::<Timestamp>),
            Value::Null(Kind::Float) => args.add(None::<f64>),
            Value::Float(v) => args.add(*v),
            Value::Int(v) => args.add(*v),
            Value::Bool(v) => args.add(*v),
            Value::Text(v) => args.add(v.as_ref()),
            Value::Bytes(v) => args.add(v.as_ref()),
            Value::Time(t) => args.add(*t),
        };
        added.map_err(|e| StoreError::backend_msg(format!("cannot bind a value: {e}")))?;
    }
    Ok(args)
}

impl Db for PgDb {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: Sql<'_>) -> impl Future<Output = StoreResult<u64>> + Send {
        let text = numbered(&sql.text);
        let args = arguments(&sql);
        async move {
            let done = sqlx::query_with(&text, args?)
                .execute(self.conn())
                .await
                .map_err(backend)?;
            Ok(done.rows_affected())
        }
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
        let text = numbered(&sql.text);
        let args = arguments(&sql);
        async move {
            let rows = sqlx::query_with(&text, args?)
                .fetch_all(self.conn())
                .await
                .map_err(backend)?;
            rows.iter().map(|r| map(&Cols(r))).collect()
        }
    }

    fn explain(&mut self, sql: Sql<'_>) -> impl Future<Output = StoreResult<Vec<String>>> + Send {
        let text = format!("EXPLAIN (FORMAT JSON) {}", numbered(&sql.text));
        let args = arguments(&sql);
        async move {
            let row = sqlx::query_with(&text, args?)
                .fetch_one(self.conn())
                .await
                .map_err(backend)?;
            let plan: serde_json::Value = row.try_get(0).map_err(backend)?;
            let mut out = Vec::new();
            if let Some(root) = plan.get(0).and_then(|p| p.get("Plan")) {
                flatten(root, &mut out);
            }
            Ok(out)
        }
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
        let text = numbered(&sql.text);
        let args = arguments(&sql);
        async move {
            let row = sqlx::query_with(&text, args?)
                .fetch_optional(self.conn())
                .await
                .map_err(backend)?;
            row.as_ref().map(|r| map(&Cols(r))).transpose()
        }
    }
}

/// A plan node and its children as lines: `Node Type on relation using index`.
fn flatten(node: &serde_json::Value, out: &mut Vec<String>) {
    let field = |k: &str| node.get(k).and_then(|v| v.as_str());
    let mut line = field("Node Type").unwrap_or("?").to_string();
    if let Some(relation) = field("Relation Name") {
        line.push_str(" on ");
        line.push_str(relation);
    }
    if let Some(index) = field("Index Name") {
        line.push_str(" using ");
        line.push_str(index);
    }
    if let Some(cond) = field("Index Cond") {
        line.push_str(" [");
        line.push_str(cond);
        line.push(']');
    }
    if let Some(rows) = node.get("Plan Rows").and_then(|v| v.as_f64()) {
        line.push_str(&format!(" (rows={rows})"));
    }
    out.push(line);
    if let Some(children) = node.get("Plans").and_then(|v| v.as_array()) {
        for child in children {
            flatten(child, out);
        }
    }
}

/// A PostgreSQL row as [`Cells`].
struct Cols<'r>(&'r PgRow);

fn get<'r, T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>>(
    r: &'r PgRow,
    i: usize,
) -> StoreResult<T> {
    r.try_get(i).map_err(backend)
}

impl Cells for Cols<'_> {
    fn int(&self, i: usize) -> StoreResult<i64> {
        // `0 AS w` and other literals are int4; columns are int8.
        let raw = self.0.try_get_raw(i).map_err(backend)?;
        match raw.type_info().name() {
            "INT4" => Ok(i64::from(get::<i32>(self.0, i)?)),
            "INT2" => Ok(i64::from(get::<i16>(self.0, i)?)),
            _ => get(self.0, i),
        }
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
        get(self.0, i)
    }

    fn opt_time(&self, i: usize) -> StoreResult<Option<Timestamp>> {
        get(self.0, i)
    }

    fn bytes(&self, i: usize) -> StoreResult<Vec<u8>> {
        get(self.0, i)
    }

    fn opt_float(&self, i: usize) -> StoreResult<Option<f64>> {
        get(self.0, i)
    }
}
