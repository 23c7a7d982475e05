//! The `filters=` grammar of v2 lists: comma-separated clauses `field op value`, ANDed.
//!
//! Fields and operators for incidents: `name` with `=` and `^` (starts with), `dateAdded` and
//! `eventDate` with `<` and `>`. The operators arrive percent-encoded (`%3D`, `%5E`, `%3C`, `%3E`)
//! and are decoded with the rest of the query before parsing.

use std::fmt;

/// A filterable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `name`.
    Name,
    /// `dateAdded`.
    DateAdded,
    /// `eventDate`.
    EventDate,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`.
    Eq,
    /// `^`: starts with.
    StartsWith,
    /// `<`.
    Lt,
    /// `>`.
    Gt,
}

/// One clause, e.g. `eventDate>2017-07-13T00:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The field.
    pub field: Field,
    /// The comparison.
    pub op: Op,
    /// The value, as text (dates are parsed by the caller).
    pub value: String,
}

impl Field {
    fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::DateAdded => "dateAdded",
            Field::EventDate => "eventDate",
        }
    }

    fn ops(self) -> &'static [Op] {
        match self {
            Field::Name => &[Op::Eq, Op::StartsWith],
            Field::DateAdded | Field::EventDate => &[Op::Lt, Op::Gt],
        }
    }
}

impl Op {
    fn symbol(self) -> char {
        match self {
            Op::Eq => '=',
            Op::StartsWith => '^',
            Op::Lt => '<',
            Op::Gt => '>',
        }
    }
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.field.as_str(),
            self.op.symbol(),
            self.value
        )
    }
}

/// Parses a decoded `filters=` value. An empty value is no filter; an unknown field, an operator
/// the field does not take or an empty value is an error whose message says what is allowed.
pub fn parse(input: &str) -> Result<Vec<Clause>, String> {
    let mut clauses = Vec::new();
    for raw in input.split(',') {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let Some((name, symbol, value)) = raw
            .find(['=', '^', '<', '>'])
            .and_then(|pos| raw.split_at_checked(pos))
            .and_then(|(name, rest)| {
                let mut chars = rest.chars();
                Some((name, chars.next()?, chars.as_str()))
            })
        else {
            return Err(format!(
                "filter '{raw}' has no operator: use name=, name^, dateAdded<, dateAdded>, eventDate< or eventDate>"
            ));
        };
        let op = match symbol {
            '=' => Op::Eq,
            '^' => Op::StartsWith,
            '<' => Op::Lt,
            _ => Op::Gt,
        };
        let field = match name.trim() {
            "name" => Field::Name,
            "dateAdded" => Field::DateAdded,
            "eventDate" => Field::EventDate,
            other => {
                return Err(format!(
                    "cannot filter on '{other}': the fields are name, dateAdded and eventDate"
                ));
            }
        };
        if !field.ops().contains(&op) {
            let allowed: Vec<String> = field.ops().iter().map(|o| o.symbol().to_string()).collect();
            return Err(format!(
                "'{}' does not take '{}': use {}",
                field.as_str(),
                op.symbol(),
                allowed.join(" or ")
            ));
        }
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("filter '{raw}' has no value"));
        }
        clauses.push(Clause {
            field,
            op,
            value: value.to_string(),
        });
    }
    Ok(clauses)
}

/// Writes clauses back as a `filters=` value (not yet percent-encoded).
pub fn render(clauses: &[Clause]) -> String {
    clauses
        .iter()
        .map(Clause::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_documented_forms() {
        let c = parse("eventDate>2017-07-13T00:00,name^APT").expect("parses");
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[0],
            Clause {
                field: Field::EventDate,
                op: Op::Gt,
                value: "2017-07-13T00:00".into()
            }
        );
        assert_eq!(
            c[1],
            Clause {
                field: Field::Name,
                op: Op::StartsWith,
                value: "APT".into()
            }
        );
        assert_eq!(parse("").expect("empty"), vec![]);
    }

    #[test]
    fn rejects_with_a_useful_message() {
        assert!(
            parse("color=red")
                .unwrap_err()
                .contains("name, dateAdded and eventDate")
        );
        assert!(parse("name<x").unwrap_err().contains("use = or ^"));
        assert!(parse("name").unwrap_err().contains("no operator"));
        assert!(parse("name=").unwrap_err().contains("no value"));
    }

    fn clause() -> impl Strategy<Value = Clause> {
        prop_oneof![
            "[A-Za-z0-9 _.:-]{0,20}[A-Za-z0-9_.:-]".prop_map(|v| Clause {
                field: Field::Name,
                op: Op::Eq,
                value: v
            }),
            "[A-Za-z0-9_.:-]{1,20}".prop_map(|v| Clause {
                field: Field::Name,
                op: Op::StartsWith,
                value: v
            }),
            "[0-9T:-]{1,20}".prop_map(|v| Clause {
                field: Field::DateAdded,
                op: Op::Lt,
                value: v
            }),
            "[0-9T:-]{1,20}".prop_map(|v| Clause {
                field: Field::EventDate,
                op: Op::Gt,
                value: v
            }),
        ]
    }

    proptest! {
        #[test]
        fn render_then_parse_is_identity(clauses in proptest::collection::vec(clause(), 0..5)) {
            let clauses: Vec<Clause> = clauses.into_iter().map(|mut c| { c.value = c.value.trim().to_string(); c })
                .filter(|c| !c.value.is_empty()).collect();
            prop_assert_eq!(parse(&render(&clauses)).expect("parses"), clauses);
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = parse(&s);
        }
    }
}
