//! Tests of the TQL parser, printer and checker.

mod check;
mod compile;
mod dates;
mod errors;
mod fuzz;
mod parse;
mod props;

use super::*;

/// `keyword op operand` with no positions.
pub(super) fn cmp(keyword: &str, op: Op, operand: Operand) -> Expr {
    Expr::Cmp(Cmp {
        keyword: Ident {
            name: keyword.to_string(),
            column: Column::default(),
        },
        op,
        op_column: Column::default(),
        operand,
    })
}

pub(super) fn string(s: &str) -> Operand {
    Operand::Scalar(Value::new(Literal::String(s.to_string())))
}

pub(super) fn number(n: &str) -> Operand {
    Operand::Scalar(Value::new(Literal::Number(n.to_string())))
}

pub(super) fn boolean(b: bool) -> Operand {
    Operand::Scalar(Value::new(Literal::Bool(b)))
}

pub(super) fn list(values: &[Literal]) -> Operand {
    Operand::List(values.iter().cloned().map(Value::new).collect())
}

pub(super) fn nested(function: &str, inner: Expr) -> Expr {
    Expr::Nested(Nested {
        function: Ident {
            name: function.to_string(),
            column: Column::default(),
        },
        inner: Box::new(inner),
    })
}

/// The parse, or the test fails with the error.
pub(super) fn ok(input: &str) -> Expr {
    match parse(input) {
        Ok(e) => e,
        Err(e) => panic!("{input:?} should parse: {e}"),
    }
}

/// The error, or the test fails.
pub(super) fn err(input: &str) -> TqlError {
    match parse(input) {
        Ok(e) => panic!("{input:?} should not parse, got {e:?}"),
        Err(e) => e,
    }
}
