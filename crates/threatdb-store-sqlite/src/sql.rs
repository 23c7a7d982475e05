//! Dynamic SQL with bound parameters: text is pushed, values are bound, never formatted in.

use rusqlite::types::Value;

/// A statement being built.
#[derive(Default)]
pub struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            params: Vec::new(),
        }
    }

    /// Appends SQL text (never a value).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a `?` placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.params.push(value.into());
        self
    }

    /// Appends `(?, ?, ...)` bound to `values`.
    pub fn bind_list(&mut self, values: &[i64]) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(*v);
        }
        self.text.push(')');
        self
    }
}
