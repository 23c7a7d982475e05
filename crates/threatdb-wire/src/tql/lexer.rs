//! Splits a TQL query into tokens, each with the 1-based column (in characters) where it starts.
//!
//! Words (keywords, `AND`, `OR`, operator words, `true`) are one token kind: the parser decides
//! what a word means from where it stands, so a keyword may be spelled like an operator word.

use super::TqlError;

/// A comparison written with symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sym {
    /// `=` or `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// A word: `[A-Za-z_][A-Za-z0-9_]*`.
    Word(String),
    /// A quoted string, escapes resolved.
    Str(String),
    /// A number as written: `-?[0-9]+(\.[0-9]+)?`.
    Num(String),
    /// A symbol operator, with its spelling.
    Sym(Sym, &'static str),
    /// The end of the query.
    End,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The token.
    pub tok: Tok,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Tok {
    /// How an error message names this token.
    pub fn describe(&self) -> String {
        match self {
            Tok::Open => "'('".to_string(),
            Tok::Close => "')'".to_string(),
            Tok::Comma => "','".to_string(),
            Tok::Word(w) => format!("'{w}'"),
            Tok::Str(s) => {
                let short: String = s.chars().take(20).collect();
                if short.len() < s.len() {
                    format!("the string \"{short}...\"")
                } else {
                    format!("the string \"{short}\"")
                }
            }
            Tok::Num(n) => format!("the number {n}"),
            Tok::Sym(_, text) => format!("'{text}'"),
            Tok::End => "the end of the query".to_string(),
        }
    }
}

/// Tokenises `input`; the last token is always [`Tok::End`].
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token>, TqlError> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    let mut column: usize = 0;
    // Every character read moves the column on by one.
    let mut next = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let c = chars.next();
        if c.is_some() {
            column = column.saturating_add(1);
        }
        (c, column)
    };
    loop {
        let (c, at) = next(&mut chars);
        let Some(c) = c else {
            out.push(Token {
                tok: Tok::End,
                column: at.saturating_add(1),
            });
            return Ok(out);
        };
        let tok = match c {
            c if c.is_whitespace() => continue,
            '(' => Tok::Open,
            ')' => Tok::Close,
            ',' => Tok::Comma,
            '=' => {
                if chars.peek() == Some(&'=') {
                    next(&mut chars);
                    Tok::Sym(Sym::Eq, "==")
                } else {
                    Tok::Sym(Sym::Eq, "=")
                }
            }
            '!' => {
                if chars.peek() == Some(&'=') {
                    next(&mut chars);
                    Tok::Sym(Sym::Ne, "!=")
                } else {
                    return Err(TqlError::new(
                        at,
                        format!("unexpected character '!' at column {at}: did you mean '!='?"),
                    ));
                }
            }
            '>' | '<' => {
                let eq = chars.peek() == Some(&'=');
                if eq {
                    next(&mut chars);
                }
                match (c, eq) {
                    ('>', false) => Tok::Sym(Sym::Gt, ">"),
                    ('>', true) => Tok::Sym(Sym::Ge, ">="),
                    (_, false) => Tok::Sym(Sym::Lt, "<"),
                    (_, true) => Tok::Sym(Sym::Le, "<="),
                }
            }
            '"' | '\'' => {
                let mut s = String::new();
                loop {
                    match next(&mut chars).0 {
                        None => {
                            return Err(TqlError::new(
                                at,
                                format!(
                                    "unterminated string starting at column {at}: close it with {c}"
                                ),
                            ));
                        }
                        Some('\\') => match next(&mut chars).0 {
                            Some(escaped) => s.push(escaped),
                            None => {
                                return Err(TqlError::new(
                                    at,
                                    format!(
                                        "unterminated string starting at column {at}: it ends in a lone backslash"
                                    ),
                                ));
                            }
                        },
                        Some(q) if q == c => break,
                        Some(other) => s.push(other),
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit() || c == '-' => {
                let mut text = String::from(c);
                let mut digits = usize::from(c != '-');
                let mut fraction: Option<usize> = None;
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_digit() {
                        match fraction.as_mut() {
                            Some(n) => *n = n.saturating_add(1),
                            None => digits = digits.saturating_add(1),
                        }
                    } else if d == '.' && fraction.is_none() && digits > 0 {
                        fraction = Some(0);
                    } else {
                        break;
                    }
                    text.push(d);
                    next(&mut chars);
                }
                if digits == 0 || fraction == Some(0) {
                    let message = if text == "-" {
                        format!(
                            "unexpected character '-' at column {at}: a number follows a minus sign directly"
                        )
                    } else {
                        format!(
                            "invalid number '{text}' at column {at}: write digits, optionally with a fraction (1.5)"
                        )
                    };
                    return Err(TqlError::new(at, message));
                }
                Tok::Num(text)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut w = String::from(c);
                while let Some(&d) = chars.peek() {
                    if !(d.is_ascii_alphanumeric() || d == '_') {
                        break;
                    }
                    w.push(d);
                    next(&mut chars);
                }
                Tok::Word(w)
            }
            other => {
                return Err(TqlError::new(
                    at,
                    format!("unexpected character {other:?} at column {at}"),
                ));
            }
        };
        out.push(Token { tok, column: at });
    }
}
