//! Property tests: trees generated from the grammar survive printing and parsing unchanged;
//! well-typed queries generated from the tables check; any text is an answer, never a panic.

use super::*;
use proptest::prelude::*;

/// Room for anything the generators make.
const ROOMY: Limits = Limits {
    max_bytes: usize::MAX,
    max_depth: 64,
    max_terms: 100_000,
};

fn ident() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,12}".prop_filter("AND and OR are not keywords", |s| {
        !s.eq_ignore_ascii_case("and") && !s.eq_ignore_ascii_case("or")
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "(?s).{0,12}".prop_map(Literal::String),
        "[\"'\\\\` a-z]{0,8}".prop_map(Literal::String),
        "-?[0-9]{1,6}(\\.[0-9]{1,3})?".prop_map(Literal::Number),
        any::<bool>().prop_map(Literal::Bool),
    ]
}

fn operand(op: Op) -> BoxedStrategy<Operand> {
    if op.is_null_test() {
        return Just(Operand::Null).boxed();
    }
    prop_oneof![
        literal().prop_map(|l| Operand::Scalar(Value::new(l))),
        prop::collection::vec(literal().prop_map(Value::new), 1..4).prop_map(Operand::List),
    ]
    .boxed()
}

fn comparison() -> impl Strategy<Value = Expr> {
    (ident(), prop::sample::select(Op::ALL.to_vec()))
        .prop_flat_map(|(k, op)| operand(op).prop_map(move |o| cmp(&k, op, o)))
}

fn expr() -> impl Strategy<Value = Expr> {
    comparison().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
            (ident(), inner).prop_map(|(f, e)| nested(&f, e)),
        ]
    })
}

/// A value of `k`'s type, written as TQL.
fn value_for(k: &'static Keyword) -> BoxedStrategy<String> {
    match k.ty {
        ValueType::Integer => any::<i64>().prop_map(|n| n.to_string()).boxed(),
        ValueType::String | ValueType::StringLower => "\\PC{0,10}"
            .prop_map(|s| Literal::String(s).to_string())
            .boxed(),
        ValueType::Boolean => prop_oneof![Just("true"), Just("FALSE"), Just("True")]
            .prop_map(str::to_string)
            .boxed(),
        ValueType::Date => prop_oneof![
            Just("\"2024-01-31\"".to_string()),
            Just("'2024-01-31 13:45:00'".to_string()),
            Just("\"2017-7-13T00:00:00-04:00\"".to_string()),
            (
                0u32..1000,
                prop::sample::select(vec!["DAYS", "hour", "Weeks", "MONTH", "years"])
            )
                .prop_map(|(n, u)| format!("\"NOW() - {n} {u}\"")),
            Just("\"TODAY()\"".to_string()),
        ]
        .boxed(),
        ValueType::Enum(set) => prop::sample::select(set.to_vec())
            .prop_map(|s| format!("'{}'", s.to_ascii_lowercase()))
            .boxed(),
    }
}

/// A well-typed condition on `table`, `depth` sub-queries deep at most.
fn typed_condition(table: &'static Table, depth: u32) -> BoxedStrategy<String> {
    let plain = prop::sample::select(table.keywords.to_vec())
        .prop_flat_map(|k| {
            let k: &'static Keyword = table.keyword(k.name).unwrap_or(&table.keywords[0]);
            (Just(k), prop::sample::select(k.operators()))
        })
        .prop_flat_map(|(k, op)| {
            let many = op.takes_list();
            let values = prop::collection::vec(value_for(k), 1..3);
            values.prop_map(move |vs| {
                if op.is_null_test() {
                    format!("{} {op}", k.name)
                } else if many && vs.len() > 1 {
                    format!("{} {op} ({})", k.name, vs.join(", "))
                } else {
                    format!("{} {op} {}", k.name, vs[0])
                }
            })
        });
    if depth == 0 {
        return plain.boxed();
    }
    let nested = prop::sample::select(table.subqueries.to_vec()).prop_flat_map(move |s| {
        let sub: &'static SubQuery = table.subquery(s.name).unwrap_or(&table.subqueries[0]);
        typed_condition(sub.table, depth - 1)
            .prop_map(move |inner| format!("{}({inner})", sub.name))
    });
    prop_oneof![3 => plain, 1 => nested].boxed()
}

fn typed_query(table: &'static Table) -> impl Strategy<Value = String> {
    prop::collection::vec(typed_condition(table, 2), 1..5).prop_flat_map(|parts| {
        let n = parts.len();
        prop::collection::vec(prop::bool::ANY, n).prop_map(move |ors| {
            let mut q = String::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    q.push_str(if ors[i] { " OR " } else { " and " });
                }
                q.push_str(p);
            }
            q
        })
    })
}

/// TQL-shaped noise: real tokens in random order.
fn token_soup() -> impl Strategy<Value = String> {
    let tokens = vec![
        "(",
        ")",
        ",",
        "AND",
        "or",
        "NOT",
        "IN",
        "IS",
        "NULL",
        "=",
        "!=",
        ">=",
        "<",
        "EQ",
        "contains",
        "LIKE",
        "id",
        "summary",
        "hasTag",
        "\"x\"",
        "'y'",
        "\"unterminated",
        "12",
        "-3.5",
        "true",
        "dateAdded",
        "\"NOW() - 7 DAYS\"",
        "\\",
        "!",
        "-",
        ".",
    ];
    prop::collection::vec(prop::sample::select(tokens), 0..24).prop_map(|t| t.join(" "))
}

/// Any answer is fine; an error must name a column inside (or just after) the input.
fn sound(input: &str) -> Result<(), TestCaseError> {
    match parse(input) {
        Ok(e) => {
            prop_assert_eq!(parse_with(&e.to_string(), &ROOMY), Ok(e.clone()));
            let _ = check(&e, &GROUPS);
        }
        Err(e) => {
            prop_assert!(e.column >= 1);
            prop_assert!(
                e.column <= input.chars().count() + 1,
                "{} in {:?}",
                e.message,
                input
            );
            let col = format!("column {}", e.column);
            prop_assert!(e.message.contains(&col), "{}", e.message);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_is_identity(e in expr()) {
        let text = e.to_string();
        prop_assert_eq!(parse_with(&text, &ROOMY), Ok(e), "{}", text);
    }

    #[test]
    fn printing_is_a_fixed_point(e in expr()) {
        let once = e.to_string();
        let again = parse_with(&once, &ROOMY).map(|p| p.to_string());
        prop_assert_eq!(again, Ok(once));
    }

    #[test]
    fn well_typed_group_queries_check(q in typed_query(&GROUPS)) {
        prop_assert!(analyze(&q, &GROUPS).is_ok(), "{}: {:?}", q, analyze(&q, &GROUPS));
    }

    #[test]
    fn well_typed_indicator_queries_check(q in typed_query(&INDICATORS)) {
        prop_assert!(analyze(&q, &INDICATORS).is_ok(), "{}: {:?}", q, analyze(&q, &INDICATORS));
    }

    #[test]
    fn any_text_is_an_answer(s in "\\PC{0,60}") {
        sound(&s)?;
    }

    #[test]
    fn any_token_soup_is_an_answer(s in token_soup()) {
        sound(&s)?;
    }
}
