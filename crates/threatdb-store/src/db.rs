//! What an operation needs of a database: a connection inside a transaction that runs bound
//! statements ([`Db`]), rows read by column ([`Cells`]), and statements built from text and
//! bound values ([`Sql`]). Each backend implements `Db` and `Cells`; nothing else of it is seen
//! by the operations.

use std::borrow::Cow;
use std::future::Future;
use threatdb_core::{StoreResult, Timestamp};

/// The SQL dialect of a backend, for the few statements whose text differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (times stored as Unix seconds, booleans as integers).
    Sqlite,
    /// PostgreSQL (`timestamptz`, `boolean`, `jsonb`).
    Postgres,
}

impl Dialect {
    /// An incident name for comparisons and ordering by code point: PostgreSQL needs the "C"
    /// collation (its default collation would compare by locale), SQLite compares bytes.
    pub fn name_column(self) -> &'static str {
        match self {
            Dialect::Sqlite => "i.name",
            Dialect::Postgres => "i.name COLLATE \"C\"",
        }
    }

    /// An incident name with ASCII letters lower-cased (and nothing else: SQLite's `lower()`
    /// folds ASCII only, PostgreSQL's does under the "C" collation), ordered by code point: the
    /// expression the (owner_id, folded name) index is built on.
    pub fn folded_name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "lower(i.name)",
            Dialect::Postgres => "lower(i.name COLLATE \"C\")",
        }
    }

    /// An incident's external id with ASCII letters lower-cased: its folded index's expression.
    pub fn folded_xid(self) -> &'static str {
        match self {
            Dialect::Sqlite => "lower(i.xid)",
            Dialect::Postgres => "lower(i.xid COLLATE \"C\")",
        }
    }

    /// A join that SQLite's planner must keep in the written order (`CROSS JOIN`); PostgreSQL
    /// plans a plain join well.
    pub fn ordered_join(self) -> &'static str {
        match self {
            Dialect::Sqlite => " CROSS JOIN ",
            Dialect::Postgres => " JOIN ",
        }
    }
}

/// The type of a NULL (PostgreSQL wants to know what a parameter is, even when it is NULL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// Text.
    Text,
    /// Bytes.
    Bytes,
    /// A time.
    Time,
    /// A floating-point number.
    Float,
}

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// SQL NULL of a type.
    Null(Kind),
    /// An integer.
    Int(i64),
    /// A boolean (an integer 0/1 on SQLite).
    Bool(bool),
    /// Text.
    Text(Cow<'a, str>),
    /// Bytes.
    Bytes(Cow<'a, [u8]>),
    /// A time (Unix seconds on SQLite, `timestamptz` on PostgreSQL), whole seconds.
    Time(Timestamp),
    /// A floating-point number.
    Float(f64),
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl Typed for f64 {
    const KIND: Kind = Kind::Float;
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl From<String> for Value<'_> {
    fn from(v: String) -> Self {
        Value::Text(Cow::Owned(v))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(Cow::Borrowed(v.as_str()))
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(v: &'a [u8]) -> Self {
        Value::Bytes(Cow::Borrowed(v))
    }
}

impl From<Timestamp> for Value<'_> {
    fn from(v: Timestamp) -> Self {
        Value::Time(v.replace_nanosecond(0).unwrap_or(v))
    }
}

/// The type of a value, for its NULL.
pub trait Typed {
    /// Its kind.
    const KIND: Kind;
}

impl Typed for i64 {
    const KIND: Kind = Kind::Int;
}
impl Typed for bool {
    const KIND: Kind = Kind::Bool;
}
impl Typed for &str {
    const KIND: Kind = Kind::Text;
}
impl Typed for String {
    const KIND: Kind = Kind::Text;
}
impl Typed for &String {
    const KIND: Kind = Kind::Text;
}
impl Typed for &[u8] {
    const KIND: Kind = Kind::Bytes;
}
impl Typed for Timestamp {
    const KIND: Kind = Kind::Time;
}

impl<'a, T: Into<Value<'a>> + Typed> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null(T::KIND), Into::into)
    }
}

/// A statement: text with one `?` per bound value, in order. Text is pushed, values are bound;
/// a value is never formatted into the text. Backends whose placeholders differ (PostgreSQL's
/// `$1`) rewrite the `?`s.
#[derive(Debug, Clone, PartialEq)]
pub struct Sql<'a> {
    /// The text.
    pub text: Cow<'a, str>,
    /// The values, one per `?`.
    pub params: Vec<Value<'a>>,
}

impl<'a> Sql<'a> {
    /// A fixed statement with its values (one per `?`, in order).
    pub fn with(text: &'static str, params: Vec<Value<'a>>) -> Self {
        Sql {
            text: Cow::Borrowed(text),
            params,
        }
    }

    /// A statement to build, starting with `text`.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        Sql {
            text: text.into(),
            params: Vec::new(),
        }
    }

    /// Appends text (never a value).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.to_mut().push_str(text);
        self
    }

    /// Appends a `?` bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value<'a>>) -> &mut Self {
        self.text.to_mut().push('?');
        self.params.push(value.into());
        self
    }

    /// Appends `(?, ?, ...)` bound to `values` (`(NULL)` when empty, which matches nothing).
    pub fn bind_list<V: Into<Value<'a>>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        self.push("(");
        let mut any = false;
        for v in values {
            if any {
                self.push(", ");
            }
            self.bind(v);
            any = true;
        }
        if !any {
            self.push("NULL");
        }
        self.push(")");
        self
    }
}

/// One row of a result, read by column index. Each backend decodes its own types (a time is
/// an integer on SQLite, a `timestamptz` on PostgreSQL).
pub trait Cells {
    /// An integer.
    fn int(&self, i: usize) -> StoreResult<i64>;
    /// An integer or NULL.
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>>;
    /// Text.
    fn text(&self, i: usize) -> StoreResult<String>;
    /// Text or NULL.
    fn opt_text(&self, i: usize) -> StoreResult<Option<String>>;
    /// A boolean.
    fn boolean(&self, i: usize) -> StoreResult<bool>;
    /// A time.
    fn time(&self, i: usize) -> StoreResult<Timestamp>;
    /// A time or NULL.
    fn opt_time(&self, i: usize) -> StoreResult<Option<Timestamp>>;
    /// Bytes.
    fn bytes(&self, i: usize) -> StoreResult<Vec<u8>>;
    /// A floating-point number or NULL.
    fn opt_float(&self, i: usize) -> StoreResult<Option<f64>>;
}

/// A connection inside one transaction. Statements are cached by their text by the backend.
/// Errors: a unique violation is [`threatdb_core::StoreError::Duplicate`], a foreign-key
/// violation (a row deleted concurrently) is `NotFound`, anything else `Backend`.
pub trait Db: Send {
    /// The dialect, for the statements that differ.
    fn dialect(&self) -> Dialect;

    /// Runs a statement; the number of rows it changed.
    fn execute(&mut self, sql: Sql<'_>) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Every row of a query, each through `map`.
    fn fetch<T, F>(
        &mut self,
        sql: Sql<'_>,
        map: F,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send
    where
        T: Send,
        F: FnMut(&dyn Cells) -> StoreResult<T> + Send;

    /// The database's plan for a statement, one line per step (`EXPLAIN QUERY PLAN` on
    /// SQLite, `EXPLAIN (FORMAT JSON)` flattened on PostgreSQL).
    fn explain(&mut self, sql: Sql<'_>) -> impl Future<Output = StoreResult<Vec<String>>> + Send;

    /// The first row of a query through `map`, if there is one.
    fn fetch_optional<T, F>(
        &mut self,
        sql: Sql<'_>,
        map: F,
    ) -> impl Future<Output = StoreResult<Option<T>>> + Send
    where
        T: Send,
        F: FnOnce(&dyn Cells) -> StoreResult<T> + Send;
}

/// Rows per multi-row statement (well under both databases' bound-parameter limits at nine
/// values a row).
pub const ROWS_PER_STATEMENT: usize = 400;

/// `head (…), (…), … tail`, a statement per [`ROWS_PER_STATEMENT`] rows.
pub async fn insert_rows<'v, D: Db, const N: usize>(
    db: &mut D,
    head: &str,
    rows: Vec<[Value<'v>; N]>,
    tail: &str,
) -> StoreResult<()> {
    for sql in statements(head, rows, tail) {
        db.execute(sql).await?;
    }
    Ok(())
}

/// `head (row), (row), ... tail`, [`ROWS_PER_STATEMENT`] rows a statement, each built when
/// the one before has run.
pub fn statements<'v, 'a, const N: usize>(
    head: &'a str,
    rows: Vec<[Value<'v>; N]>,
    tail: &'a str,
) -> impl Iterator<Item = Sql<'v>> + 'a
where
    'v: 'a,
{
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        let mut sql = Sql::new(head.to_string());
        for (n, row) in rows.by_ref().take(ROWS_PER_STATEMENT).enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            sql.bind_list(row);
        }
        sql.push(tail);
        Some(sql)
    })
}
