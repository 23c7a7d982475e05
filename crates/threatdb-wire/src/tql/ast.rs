//! The untyped syntax tree of a TQL query, and its canonical printing.
//!
//! The parser knows no keywords: a [`Cmp`] holds the keyword as written, a [`Nested`] the
//! sub-query's name as written; [`check`](super::check) resolves both against a keyword table.
//!
//! Canonical form (what `Display` writes): comparisons as `keyword op value` with symbol
//! operators (`=`, `!=`, `>`, `>=`, `<`, `<=`) and upper-case word operators (`CONTAINS`,
//! `NOT IN`, `IS NULL`, ...), `AND`/`OR` in upper case, strings in double quotes (escaping `\`
//! and `"` only), lists as `(a, b)`, booleans as `true`/`false`, parentheses only where the
//! tree needs them. `parse(print(ast)) == ast` for every tree the parser can produce.

use std::fmt;

/// A 1-based column (in characters) of the query a node came from.
///
/// Positions do not take part in equality: the same query written with other spacing compares
/// equal, so a tree printed and parsed again equals the original.
#[derive(Debug, Clone, Copy, Default, Eq)]
pub struct Column(pub usize);

impl PartialEq for Column {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A name as written in the query (a keyword or a sub-query), with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name, in the query's spelling (`DATEADDED`, `dateAdded`).
    pub name: String,
    /// Where it starts.
    pub column: Column,
}

/// A query or part of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Every part holds. The parser makes it with two parts or more.
    And(Vec<Expr>),
    /// Some part holds. The parser makes it with two parts or more.
    Or(Vec<Expr>),
    /// `keyword op value`.
    Cmp(Cmp),
    /// `function(inner)`: a sub-query on related objects (`hasTag(name = "x")`).
    Nested(Nested),
}

/// One comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmp {
    /// The keyword.
    pub keyword: Ident,
    /// The operator.
    pub op: Op,
    /// Where the operator starts.
    pub op_column: Column,
    /// The value: [`Operand::Null`] exactly for [`Op::IsNull`] and [`Op::IsNotNull`].
    pub operand: Operand,
}

/// A sub-query: objects related to the one filtered, matching `inner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nested {
    /// The sub-query's name as written (`hasTag`).
    pub function: Ident,
    /// The condition on the related objects.
    pub inner: Box<Expr>,
}

/// A comparison operator. Word and symbol spellings parse to the same operator (`EQ`, `=` and
/// `==` are all [`Op::Eq`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`, `==`, `EQ`, `EQUALS`.
    Eq,
    /// `!=`, `NE`.
    Ne,
    /// `>`, `GT`.
    Gt,
    /// `>=`, `GEQ`.
    Ge,
    /// `<`, `LT`.
    Lt,
    /// `<=`, `LEQ`.
    Le,
    /// `CONTAINS`.
    Contains,
    /// `NOT CONTAINS`.
    NotContains,
    /// `STARTSWITH`.
    StartsWith,
    /// `NOT STARTSWITH`.
    NotStartsWith,
    /// `ENDSWITH`.
    EndsWith,
    /// `NOT ENDSWITH`.
    NotEndsWith,
    /// `LIKE`: `%` matches any run of characters, `_` one character.
    Like,
    /// `NOT LIKE`.
    NotLike,
    /// `IN (a, b)`: equals one of the values.
    In,
    /// `NOT IN (a, b)`: equals none of the values.
    NotIn,
    /// `IS NULL`: has no value.
    IsNull,
    /// `IS NOT NULL`: has a value.
    IsNotNull,
}

impl Op {
    /// Every operator.
    pub const ALL: [Op; 18] = [
        Op::Eq,
        Op::Ne,
        Op::Gt,
        Op::Ge,
        Op::Lt,
        Op::Le,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::NotStartsWith,
        Op::EndsWith,
        Op::NotEndsWith,
        Op::Like,
        Op::NotLike,
        Op::In,
        Op::NotIn,
        Op::IsNull,
        Op::IsNotNull,
    ];

    /// The canonical spelling (`=`, `NOT CONTAINS`, `IS NULL`).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Contains => "CONTAINS",
            Op::NotContains => "NOT CONTAINS",
            Op::StartsWith => "STARTSWITH",
            Op::NotStartsWith => "NOT STARTSWITH",
            Op::EndsWith => "ENDSWITH",
            Op::NotEndsWith => "NOT ENDSWITH",
            Op::Like => "LIKE",
            Op::NotLike => "NOT LIKE",
            Op::In => "IN",
            Op::NotIn => "NOT IN",
            Op::IsNull => "IS NULL",
            Op::IsNotNull => "IS NOT NULL",
        }
    }

    /// Whether the operator is the negation of another (`!=`, `NOT ...`, `IS NOT NULL`): on a
    /// multi-valued keyword it holds when no value matches the positive form.
    pub fn is_negative(self) -> bool {
        matches!(
            self,
            Op::Ne
                | Op::NotContains
                | Op::NotStartsWith
                | Op::NotEndsWith
                | Op::NotLike
                | Op::NotIn
                | Op::IsNotNull
        )
    }

    /// The positive form of a negative operator (`NOT IN` → `IN`), itself otherwise.
    pub fn positive(self) -> Op {
        match self {
            Op::Ne => Op::Eq,
            Op::NotContains => Op::Contains,
            Op::NotStartsWith => Op::StartsWith,
            Op::NotEndsWith => Op::EndsWith,
            Op::NotLike => Op::Like,
            Op::NotIn => Op::In,
            Op::IsNotNull => Op::IsNull,
            other => other,
        }
    }

    /// Whether the operator takes no value (`IS NULL`, `IS NOT NULL`).
    pub fn is_null_test(self) -> bool {
        matches!(self, Op::IsNull | Op::IsNotNull)
    }

    /// Whether a list of values may follow: `IN`, `NOT IN` and the text matches (which then
    /// match when any value does, or for the `NOT` forms when none does).
    pub fn takes_list(self) -> bool {
        matches!(
            self,
            Op::In
                | Op::NotIn
                | Op::Contains
                | Op::NotContains
                | Op::StartsWith
                | Op::NotStartsWith
                | Op::EndsWith
                | Op::NotEndsWith
                | Op::Like
                | Op::NotLike
        )
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What follows the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// One value.
    Scalar(Value),
    /// `(a, b, ...)`, at least one value.
    List(Vec<Value>),
    /// Nothing (after `IS NULL` / `IS NOT NULL`).
    Null,
}

/// A value and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The value.
    pub literal: Literal,
    /// Where it starts.
    pub column: Column,
}

impl Value {
    /// A value with no position (for trees built in code).
    pub fn new(literal: Literal) -> Self {
        Value {
            literal,
            column: Column::default(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.literal)
    }
}

/// A value as written. Dates are strings here; [`check`](super::check) reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// A quoted string, escapes resolved.
    String(String),
    /// A number exactly as written (`-12`, `3.50`); checked against the keyword's type later.
    Number(String),
    /// `true` or `false` (any case).
    Bool(bool),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")
            }
            Literal::Number(n) => f.write_str(n),
            Literal::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Scalar(v) => write!(f, "{v}"),
            Operand::List(values) => {
                f.write_str("(")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
            Operand::Null => Ok(()),
        }
    }
}

impl fmt::Display for Cmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.op.is_null_test() {
            write!(f, "{} {}", self.keyword.name, self.op)
        } else {
            write!(f, "{} {} {}", self.keyword.name, self.op, self.operand)
        }
    }
}

impl Expr {
    fn write_part(&self, f: &mut fmt::Formatter<'_>, inside_and: bool) -> fmt::Result {
        // Inside an AND, an AND or OR part needs parentheses; inside an OR only an OR does
        // (AND binds tighter). Keeping them keeps the tree's shape through a round trip.
        let wrap = match self {
            Expr::And(_) => inside_and,
            Expr::Or(_) => true,
            Expr::Cmp(_) | Expr::Nested(_) => false,
        };
        if wrap {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(parts) | Expr::Or(parts) => {
                let (joiner, inside_and) = match self {
                    Expr::And(_) => (" AND ", true),
                    _ => (" OR ", false),
                };
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(joiner)?;
                    }
                    part.write_part(f, inside_and)?;
                }
                Ok(())
            }
            Expr::Cmp(c) => write!(f, "{c}"),
            Expr::Nested(n) => write!(f, "{}({})", n.function.name, n.inner),
        }
    }
}
