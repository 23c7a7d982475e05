//! Recursive descent over the tokens, one function per grammar rule (see the module docs of
//! [`tql`](super)). Recursion happens only at `(` and at sub-queries, and each of those first
//! checks the nesting limit, so no input can exhaust the stack.

use super::ast::{Cmp, Column, Expr, Ident, Literal, Nested, Op, Operand, Value};
use super::lexer::{Sym, Tok, Token};
use super::{Limits, TqlError};

pub(crate) struct Parser<'l> {
    toks: Vec<Token>,
    pos: usize,
    end: Token,
    limits: &'l Limits,
    terms: usize,
}

const OPERATORS: &str = "=, !=, >, >=, <, <=, CONTAINS, STARTSWITH, ENDSWITH, LIKE, IN (each of the \
     last five also with NOT before it), IS NULL or IS NOT NULL";

/// One part as itself, several combined by `make`.
fn join(mut parts: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if parts.len() == 1
        && let Some(only) = parts.pop()
    {
        return only;
    }
    make(parts)
}

fn is_word(tok: &Tok, word: &str) -> bool {
    matches!(tok, Tok::Word(w) if w.eq_ignore_ascii_case(word))
}

impl<'l> Parser<'l> {
    pub(crate) fn new(toks: Vec<Token>, limits: &'l Limits) -> Self {
        let end = toks.last().cloned().unwrap_or(Token {
            tok: Tok::End,
            column: 1,
        });
        Parser {
            toks,
            pos: 0,
            end,
            limits,
            terms: 0,
        }
    }

    fn peek(&self) -> &Token {
        self.toks.get(self.pos).unwrap_or(&self.end)
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos = self.pos.saturating_add(1);
        }
        t
    }

    fn error(&self, column: usize, message: String) -> TqlError {
        TqlError::new(column, message)
    }

    /// The whole query: one expression, then the end.
    pub(crate) fn query(mut self) -> Result<Expr, TqlError> {
        if self.peek().tok == Tok::End {
            return Err(self.error(1, "the query is empty at column 1".to_string()));
        }
        let expr = self.or_expr(0)?;
        let t = self.peek();
        match &t.tok {
            Tok::End => Ok(expr),
            Tok::Close => Err(self.error(
                t.column,
                format!("unmatched ')' at column {}: no '(' is open there", t.column),
            )),
            other => Err(self.error(
                t.column,
                format!(
                    "expected AND, OR or the end of the query at column {}, found {}",
                    t.column,
                    other.describe()
                ),
            )),
        }
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, TqlError> {
        let mut parts = vec![self.and_expr(depth)?];
        while is_word(&self.peek().tok, "OR") {
            self.bump();
            parts.push(self.and_expr(depth)?);
        }
        Ok(join(parts, Expr::Or))
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, TqlError> {
        let mut parts = vec![self.unary(depth)?];
        while is_word(&self.peek().tok, "AND") {
            self.bump();
            parts.push(self.unary(depth)?);
        }
        Ok(join(parts, Expr::And))
    }

    /// One level deeper, or the nesting error at `column`.
    fn deeper(&self, depth: usize, column: usize) -> Result<usize, TqlError> {
        match depth.checked_add(1) {
            Some(d) if d <= self.limits.max_depth => Ok(d),
            _ => Err(self.error(
                column,
                format!(
                    "the query nests too deeply at column {column}: at most {} levels of parentheses are allowed",
                    self.limits.max_depth
                ),
            )),
        }
    }

    /// `( or_expr )` after the `(` at `open` was consumed.
    fn group(&mut self, depth: usize, open: usize) -> Result<Expr, TqlError> {
        let inner = self.or_expr(depth)?;
        let t = self.bump();
        if t.tok == Tok::Close {
            return Ok(inner);
        }
        Err(self.error(
            t.column,
            format!(
                "expected ')' at column {} to close the '(' at column {open}, found {}",
                t.column,
                t.tok.describe()
            ),
        ))
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, TqlError> {
        let t = self.bump();
        match t.tok {
            Tok::Open => {
                let d = self.deeper(depth, t.column)?;
                self.group(d, t.column)
            }
            Tok::Word(w) if !(w.eq_ignore_ascii_case("AND") || w.eq_ignore_ascii_case("OR")) => {
                let ident = Ident {
                    name: w,
                    column: Column(t.column),
                };
                let open = self.peek().clone();
                if open.tok == Tok::Open {
                    self.bump();
                    let d = self.deeper(depth, open.column)?;
                    let inner = self.group(d, open.column)?;
                    return Ok(Expr::Nested(Nested {
                        function: ident,
                        inner: Box::new(inner),
                    }));
                }
                self.comparison(ident)
            }
            other => Err(self.error(
                t.column,
                format!(
                    "expected a condition (a keyword, a sub-query or '(') at column {}, found {}",
                    t.column,
                    other.describe()
                ),
            )),
        }
    }

    fn comparison(&mut self, keyword: Ident) -> Result<Expr, TqlError> {
        let t = self.bump();
        let op_column = t.column;
        let (op, written) = self.operator(&keyword, t)?;
        let operand = if op.is_null_test() {
            Operand::Null
        } else {
            self.operand(&written)?
        };
        self.terms = self.terms.saturating_add(1);
        if self.terms > self.limits.max_terms {
            let at = keyword.column.0;
            return Err(self.error(
                at,
                format!(
                    "too many comparisons at column {at}: a query may have at most {}",
                    self.limits.max_terms
                ),
            ));
        }
        Ok(Expr::Cmp(Cmp {
            keyword,
            op,
            op_column: Column(op_column),
            operand,
        }))
    }

    /// The operator starting with `t`, and its spelling for messages.
    fn operator(&mut self, keyword: &Ident, t: Token) -> Result<(Op, String), TqlError> {
        let bad = |t: &Token| {
            TqlError::new(
                t.column,
                format!(
                    "expected an operator after '{}' at column {}, found {}: use {OPERATORS}",
                    keyword.name,
                    t.column,
                    t.tok.describe()
                ),
            )
        };
        let word = match &t.tok {
            Tok::Sym(sym, text) => {
                let op = match sym {
                    Sym::Eq => Op::Eq,
                    Sym::Ne => Op::Ne,
                    Sym::Gt => Op::Gt,
                    Sym::Ge => Op::Ge,
                    Sym::Lt => Op::Lt,
                    Sym::Le => Op::Le,
                };
                return Ok((op, (*text).to_string()));
            }
            Tok::Word(w) => w.to_ascii_uppercase(),
            _ => return Err(bad(&t)),
        };
        let simple = |w: &str| match w {
            "EQ" | "EQUALS" => Some(Op::Eq),
            "NE" => Some(Op::Ne),
            "GT" => Some(Op::Gt),
            "GEQ" => Some(Op::Ge),
            "LT" => Some(Op::Lt),
            "LEQ" => Some(Op::Le),
            "CONTAINS" => Some(Op::Contains),
            "STARTSWITH" => Some(Op::StartsWith),
            "ENDSWITH" => Some(Op::EndsWith),
            "LIKE" => Some(Op::Like),
            "IN" => Some(Op::In),
            _ => None,
        };
        if let Some(op) = simple(&word) {
            return Ok((op, word));
        }
        match word.as_str() {
            "NOT" => {
                let n = self.bump();
                let negated = match &n.tok {
                    Tok::Word(w) => match simple(&w.to_ascii_uppercase()) {
                        Some(Op::Contains) => Some(Op::NotContains),
                        Some(Op::StartsWith) => Some(Op::NotStartsWith),
                        Some(Op::EndsWith) => Some(Op::NotEndsWith),
                        Some(Op::Like) => Some(Op::NotLike),
                        Some(Op::In) => Some(Op::NotIn),
                        _ => None,
                    },
                    _ => None,
                };
                match negated {
                    Some(op) => Ok((op, op.as_str().to_string())),
                    None => Err(self.error(
                        n.column,
                        format!(
                            "expected CONTAINS, STARTSWITH, ENDSWITH, LIKE or IN after NOT at column {}, found {}",
                            n.column,
                            n.tok.describe()
                        ),
                    )),
                }
            }
            "IS" => {
                let n = self.bump();
                if is_word(&n.tok, "NULL") {
                    return Ok((Op::IsNull, "IS NULL".to_string()));
                }
                if is_word(&n.tok, "NOT") {
                    let m = self.bump();
                    if is_word(&m.tok, "NULL") {
                        return Ok((Op::IsNotNull, "IS NOT NULL".to_string()));
                    }
                    return Err(self.error(
                        m.column,
                        format!(
                            "expected NULL after IS NOT at column {}, found {}",
                            m.column,
                            m.tok.describe()
                        ),
                    ));
                }
                Err(self.error(
                    n.column,
                    format!(
                        "expected NULL or NOT NULL after IS at column {}, found {}",
                        n.column,
                        n.tok.describe()
                    ),
                ))
            }
            _ => Err(bad(&t)),
        }
    }

    fn literal(t: &Token) -> Option<Value> {
        let literal = match &t.tok {
            Tok::Str(s) => Literal::String(s.clone()),
            Tok::Num(n) => Literal::Number(n.clone()),
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            _ => return None,
        };
        Some(Value {
            literal,
            column: Column(t.column),
        })
    }

    fn operand(&mut self, op_text: &str) -> Result<Operand, TqlError> {
        let t = self.bump();
        if let Some(v) = Self::literal(&t) {
            return Ok(Operand::Scalar(v));
        }
        if t.tok != Tok::Open {
            let hint = match &t.tok {
                Tok::Word(_) => ": quote strings (\"...\" or '...')",
                _ => ": a quoted string, a number, true, false or a list (a, b)",
            };
            return Err(self.error(
                t.column,
                format!(
                    "expected a value after {op_text} at column {}, found {}{hint}",
                    t.column,
                    t.tok.describe()
                ),
            ));
        }
        let mut values = Vec::new();
        loop {
            let v = self.bump();
            match Self::literal(&v) {
                Some(lit) => values.push(lit),
                None => {
                    return Err(self.error(
                        v.column,
                        format!(
                            "expected a value in the list at column {}, found {}",
                            v.column,
                            v.tok.describe()
                        ),
                    ));
                }
            }
            let sep = self.bump();
            match sep.tok {
                Tok::Comma => continue,
                Tok::Close => return Ok(Operand::List(values)),
                other => {
                    return Err(self.error(
                        sep.column,
                        format!(
                            "expected ',' or ')' in the list at column {}, found {}",
                            sep.column,
                            other.describe()
                        ),
                    ));
                }
            }
        }
    }
}
