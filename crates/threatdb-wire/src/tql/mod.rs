//! TQL, the ThreatConnect Query Language of the v3 API's `tql=` parameter: a parser to an
//! untyped tree ([`parse`]), canonical printing (`Display` on [`Expr`]), per-endpoint keyword
//! tables ([`GROUPS`], [`INDICATORS`], ...) and a checker that resolves keywords and types
//! values ([`check`], or both steps in [`analyze`]). Pure code, no I/O.
//!
//! # Use
//!
//! ```
//! use threatdb_wire::tql::{self, Field, Op, Related, TypedExpr, TypedValue, GROUPS};
//!
//! let q = tql::analyze(r#"typeName = "incident" AND hasTag(name = "Phishing")"#, &GROUPS)?;
//! let TypedExpr::And(parts) = &q else { panic!("two conditions") };
//! let TypedExpr::Cmp(c) = &parts[0] else { panic!("a comparison") };
//! assert_eq!((c.keyword.field, c.op), (Field::TypeName, Op::Eq));
//! assert_eq!(c.values, vec![TypedValue::Choice("Incident")]);
//! let TypedExpr::Has { sub, inner, .. } = &parts[1] else { panic!("a sub-query") };
//! assert_eq!(sub.related, Related::Tags);
//! assert!(matches!(inner.as_ref(), TypedExpr::Cmp(c) if c.keyword.exact_case));
//! // The canonical text of the query:
//! assert_eq!(
//!     tql::parse("typename eq 'Incident' and hasTag(name='x')")?.to_string(),
//!     r#"typename = "Incident" AND hasTag(name = "x")"#
//! );
//! # Ok::<(), tql::TqlError>(())
//! ```
//!
//! # Grammar
//!
//! ```text
//! query      = or_expr END
//! or_expr    = and_expr { "OR" and_expr }                  (AND binds tighter than OR)
//! and_expr   = unary { "AND" unary }
//! unary      = "(" or_expr ")"
//!            | word "(" or_expr ")"                        (a sub-query: hasTag(...))
//!            | word operator operand
//!            | word "IS" [ "NOT" ] "NULL"
//! operator   = "=" | "==" | "!=" | ">" | ">=" | "<" | "<="
//!            | "EQ" | "EQUALS" | "NE" | "GT" | "GEQ" | "LT" | "LEQ" | "IN" | "NOT" "IN"
//!            | [ "NOT" ] ( "CONTAINS" | "STARTSWITH" | "ENDSWITH" | "LIKE" )
//! operand    = value | "(" value { "," value } ")"
//! value      = string | number | "true" | "false"
//! string     = '"' { char | "\" any } '"' | "'" { char | "\" any } "'"
//! number     = [ "-" ] digit { digit } [ "." digit { digit } ]
//! word       = ( letter | "_" ) { letter | digit | "_" }
//! ```
//!
//! Words (keywords, `AND`, `OR`, operator words, `true`, `false`, `NULL`) match in any case.
//! Whitespace is free. A backslash in a string takes the next character literally (`\"`,
//! `\'`, `\\`, `` \` ``). Columns in errors are 1-based and count characters.
//!
//! # Limits
//!
//! [`Limits::default`]: 4,096 bytes of query, 16 levels of parentheses (grouping and
//! sub-queries together), 64 comparisons. Each is an error with a message and a column; the
//! parser recurses only at a `(`, after checking the depth, so no input exhausts the stack.
//!
//! # Decisions where the sources are silent
//!
//! * Unary `NOT` → not supported: the grammar of tc-v3-wire.md §5 has none and ThreatConnect
//!   expresses negation with `!=`, `NOT IN` and the `NOT` text operators.
//! * A list after operators other than `IN` → accepted by the parser; the checker allows lists
//!   after `IN`, `NOT IN` and the text matches (`CONTAINS`, `STARTSWITH`, `ENDSWITH`, `LIKE` and
//!   their `NOT` forms: tcex sends lists with `CONTAINS`) and refuses them after `=`, `>`, ...
//! * A single value after `IN` (`NOT IN '10.0.0.0/8'`, as in ThreatConnect's own examples) →
//!   accepted, as a one-value list.
//! * Quoted numbers for Integer keywords (`id = "5"`), numbers for String keywords → refused
//!   with a message saying which type the keyword takes (tc-v3-wire.md §5 makes `id = "abc"` a
//!   type error).
//! * Dates → quoted strings, absolute or relative (see [`date`]); `NOW()` and `TODAY()` arithmetic
//!   follows ThreatConnect's documented `"TODAY()"`, with `± n UNIT`.
//! * `typeName` and group `status` → Enums: a name outside the set is an error listing the
//!   set, rather than a query that silently matches nothing.
//! * An empty query → an error; a server treats an absent or blank `tql=` as "no filter" before
//!   calling [`parse`].
//! * `==` and `EQUALS` → accepted as `=` (ThreatConnect's operator table lists them).

mod ast;
mod check;
mod compile;
pub mod date;
mod indicators;
pub mod keywords;
mod lexer;
mod owner;
mod parser;

#[cfg(test)]
mod tests;

pub use ast::{Cmp, Column, Expr, Ident, Literal, Nested, Op, Operand, Value};
pub use check::{TypedCmp, TypedExpr, TypedValue, check};
pub use compile::incident_filter;
pub use date::{DateBase, DateUnit, DateValue, RelativeDate};
pub use indicators::indicator_filter;
pub use keywords::{
    Field, GROUP_ATTRIBUTES, GROUPS, INDICATOR_ATTRIBUTES, INDICATORS, Keyword, Related,
    SECURITY_LABELS, SubQuery, TAGS, Table, TableKind, ValueType,
};
pub use owner::take_owner;

use std::fmt;

/// Bounds on what a query may cost to parse and to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest query, in bytes (after URL decoding).
    pub max_bytes: usize,
    /// The deepest nesting of parentheses (grouping and sub-queries together).
    pub max_depth: usize,
    /// The most comparisons in the whole query (sub-queries included).
    pub max_terms: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4_096,
            max_depth: 16,
            max_terms: 64,
        }
    }
}

/// Why a query was refused: a sentence naming the problem and its column, and the column alone
/// (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TqlError {
    /// The full message, e.g. `expected a value after EQ at column 14, found the end of the
    /// query`.
    pub message: String,
    /// The 1-based column (in characters) of the problem.
    pub column: usize,
}

impl TqlError {
    pub(crate) fn new(column: usize, message: String) -> Self {
        TqlError { message, column }
    }
}

impl fmt::Display for TqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TqlError {}

/// Parses a query within the default [`Limits`].
pub fn parse(input: &str) -> Result<Expr, TqlError> {
    parse_with(input, &Limits::default())
}

/// Parses a query within `limits`.
pub fn parse_with(input: &str, limits: &Limits) -> Result<Expr, TqlError> {
    if input.len() > limits.max_bytes {
        let column = input
            .char_indices()
            .take_while(|(i, _)| *i < limits.max_bytes)
            .count()
            .saturating_add(1);
        return Err(TqlError::new(
            column,
            format!(
                "the query is too long at column {column}: at most {} bytes are allowed, it has {}",
                limits.max_bytes,
                input.len()
            ),
        ));
    }
    let tokens = lexer::tokenize(input)?;
    parser::Parser::new(tokens, limits).query()
}

/// Parses `input` and checks it against `table` ([`parse`] then [`check`]).
pub fn analyze(input: &str, table: &'static Table) -> Result<TypedExpr, TqlError> {
    check(&parse(input)?, table)
}
