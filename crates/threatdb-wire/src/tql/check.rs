//! Checks a parsed query against a keyword table and types its values: the result is what a
//! compiler turns into the store's filter tree.

use super::TqlError;
use super::ast::{Cmp, Expr, Literal, Nested, Op, Operand, Value};
use super::date::DateValue;
use super::keywords::{Keyword, SubQuery, Table, ValueType};

/// A checked query: every keyword resolved in its table, every value of its keyword's type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedExpr {
    /// Every part holds (two parts or more).
    And(Vec<TypedExpr>),
    /// Some part holds (two parts or more).
    Or(Vec<TypedExpr>),
    /// One comparison.
    Cmp(TypedCmp),
    /// Some related object matches `inner` (checked against `sub.table`).
    Has {
        /// The sub-query (`hasTag`), with the related objects and their table.
        sub: &'static SubQuery,
        /// The 1-based column of the sub-query's name.
        column: usize,
        /// The condition on the related objects.
        inner: Box<TypedExpr>,
    },
}

/// One checked comparison.
///
/// Meaning: for a positive operator, the keyword's value matches **any** of `values`; for a
/// negative one (`!=`, `NOT IN`, `NOT CONTAINS`, ...), it matches **none** of them, i.e. the
/// negation of the positive form over the same values. On a multi-valued keyword
/// ([`Keyword::multi`]: `tag`, `securityLabel`) the positive form holds when any of the
/// object's values matches, the negative form when none does. `IS NULL` has no values.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedCmp {
    /// The keyword (its [`Field`](super::Field), type and flags).
    pub keyword: &'static Keyword,
    /// The operator; always one [`Keyword::allows`].
    pub op: Op,
    /// The 1-based column of the keyword.
    pub column: usize,
    /// The values: none for `IS [NOT] NULL`, exactly one for `= != > >= < <=`, one or more
    /// for `IN` and the text matches.
    pub values: Vec<TypedValue>,
}

/// A value of a keyword's type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    /// For an Integer keyword.
    Integer(i64),
    /// For a String or StringLower keyword, as written (case handling is the compiler's, per
    /// [`Keyword::exact_case`]; `LIKE` patterns keep their `%` and `_`).
    Text(String),
    /// For a Boolean keyword.
    Bool(bool),
    /// For a Date keyword, unevaluated: call [`DateValue::at`] with the request's time.
    Date(DateValue),
    /// For an Enum keyword: the canonical spelling of the value named.
    Choice(&'static str),
}

/// Checks `expr` against `table`: every keyword must exist, take the operator and have values
/// of its type. The first problem found is the error, with its column.
pub fn check(expr: &Expr, table: &'static Table) -> Result<TypedExpr, TqlError> {
    match expr {
        Expr::And(parts) => Ok(TypedExpr::And(
            parts
                .iter()
                .map(|p| check(p, table))
                .collect::<Result<_, _>>()?,
        )),
        Expr::Or(parts) => Ok(TypedExpr::Or(
            parts
                .iter()
                .map(|p| check(p, table))
                .collect::<Result<_, _>>()?,
        )),
        Expr::Cmp(c) => check_cmp(c, table).map(TypedExpr::Cmp),
        Expr::Nested(n) => check_nested(n, table),
    }
}

fn unknown(name: &str, column: usize, what: &str, table: &'static Table) -> TqlError {
    if table.is_unsupported(name) {
        return TqlError::new(
            column,
            format!(
                "keyword '{name}' at column {column} is not supported by this server on /v3/{}",
                table.endpoint
            ),
        );
    }
    let hint = match table.suggest(name) {
        Some(near) => format!("did you mean '{near}'?"),
        None => format!("OPTIONS /v3/{}/tql lists the keywords", table.endpoint),
    };
    TqlError::new(
        column,
        format!("unknown {what} '{name}' at column {column}: {hint}"),
    )
}

fn check_nested(n: &Nested, table: &'static Table) -> Result<TypedExpr, TqlError> {
    let column = n.function.column.0;
    let name = &n.function.name;
    let Some(sub) = table.subquery(name) else {
        if let Some(k) = table.keyword(name) {
            return Err(TqlError::new(
                column,
                format!(
                    "'{}' at column {column} is a keyword, not a sub-query: compare it, e.g. {} = <value>",
                    k.name, k.name
                ),
            ));
        }
        return Err(unknown(name, column, "sub-query", table));
    };
    Ok(TypedExpr::Has {
        sub,
        column,
        inner: Box::new(check(&n.inner, sub.table)?),
    })
}

fn operator_list(k: &Keyword) -> String {
    k.operators()
        .iter()
        .map(|op| op.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_cmp(c: &Cmp, table: &'static Table) -> Result<TypedCmp, TqlError> {
    let column = c.keyword.column.0;
    let name = &c.keyword.name;
    let Some(keyword) = table.keyword(name) else {
        if let Some(sub) = table.subquery(name) {
            return Err(TqlError::new(
                column,
                format!(
                    "'{}' at column {column} is a sub-query: write {}(<condition>)",
                    sub.name, sub.name
                ),
            ));
        }
        return Err(unknown(name, column, "keyword", table));
    };
    let op_column = c.op_column.0;
    if !keyword.allows(c.op) {
        return Err(TqlError::new(
            op_column,
            format!(
                "operator {} does not apply to {} ({}) at column {op_column}: use {}",
                c.op,
                keyword.name,
                keyword.ty.describe(),
                operator_list(keyword)
            ),
        ));
    }
    let values = match (&c.operand, c.op.is_null_test()) {
        (Operand::Null, true) => Vec::new(),
        (Operand::Scalar(v), false) => vec![typed(keyword, v)?],
        (Operand::List(list), false) if c.op.takes_list() && !list.is_empty() => list
            .iter()
            .map(|v| typed(keyword, v))
            .collect::<Result<_, _>>()?,
        (Operand::List(_), false) => {
            return Err(TqlError::new(
                op_column,
                format!(
                    "operator {} at column {op_column} takes one value, not a list: use IN for a list",
                    c.op
                ),
            ));
        }
        _ => {
            return Err(TqlError::new(
                op_column,
                format!(
                    "operator {} at column {op_column} does not fit its operand",
                    c.op
                ),
            ));
        }
    };
    Ok(TypedCmp {
        keyword,
        op: c.op,
        column,
        values,
    })
}

fn found(l: &Literal) -> String {
    match l {
        Literal::String(s) => {
            let short: String = s.chars().take(40).collect();
            format!("the string \"{short}\"")
        }
        Literal::Number(n) => format!("the number {n}"),
        Literal::Bool(b) => format!("{b}"),
    }
}

fn typed(k: &'static Keyword, v: &Value) -> Result<TypedValue, TqlError> {
    let column = v.column.0;
    let wrong = |wanted: &str| {
        TqlError::new(
            column,
            format!(
                "{} takes {wanted}, not {}, at column {column}",
                k.name,
                found(&v.literal)
            ),
        )
    };
    match (k.ty, &v.literal) {
        (ValueType::Integer, Literal::Number(n)) => {
            if n.contains('.') {
                return Err(wrong("a whole number"));
            }
            n.parse::<i64>().map(TypedValue::Integer).map_err(|_| {
                TqlError::new(
                    column,
                    format!("the number {n} at column {column} is out of range for {}", k.name),
                )
            })
        }
        (ValueType::Integer, _) => Err(wrong("an integer (unquoted)")),
        (ValueType::String | ValueType::StringLower, Literal::String(s)) => {
            Ok(TypedValue::Text(s.clone()))
        }
        (ValueType::String | ValueType::StringLower, _) => {
            Err(wrong("a string in quotes"))
        }
        (ValueType::Boolean, Literal::Bool(b)) => Ok(TypedValue::Bool(*b)),
        (ValueType::Boolean, _) => Err(wrong("true or false")),
        (ValueType::Date, Literal::String(s)) => {
            DateValue::parse(s).map(TypedValue::Date).ok_or_else(|| {
                TqlError::new(
                    column,
                    format!(
                        "{} at column {column} is not a date: use \"2024-01-31\", \"2024-01-31 13:45:00\", \"2024-01-31T13:45:00Z\", \"NOW() - 7 DAYS\" or \"TODAY()\"",
                        found(&v.literal)
                    ),
                )
            })
        }
        (ValueType::Date, _) => Err(wrong("a date in quotes")),
        (ValueType::Enum(choices), Literal::String(s)) => {
            let wanted = s.trim();
            choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(wanted))
                .map(|c| TypedValue::Choice(c))
                .ok_or_else(|| {
                    TqlError::new(
                        column,
                        format!(
                            "{} at column {column} is not a {}: use one of {}",
                            found(&v.literal),
                            k.name,
                            choices.join(", ")
                        ),
                    )
                })
        }
        (ValueType::Enum(_), _) => Err(wrong("a name in quotes")),
    }
}
