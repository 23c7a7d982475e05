//! The grammar: operators, precedence, values, escapes, sub-queries, printing.

use super::*;

#[test]
fn every_operator_spelling() {
    let cases: &[(&str, Op)] = &[
        ("=", Op::Eq),
        ("==", Op::Eq),
        ("EQ", Op::Eq),
        ("eq", Op::Eq),
        ("Equals", Op::Eq),
        ("!=", Op::Ne),
        ("NE", Op::Ne),
        (">", Op::Gt),
        ("GT", Op::Gt),
        (">=", Op::Ge),
        ("GEQ", Op::Ge),
        ("<", Op::Lt),
        ("lt", Op::Lt),
        ("<=", Op::Le),
        ("LEQ", Op::Le),
        ("CONTAINS", Op::Contains),
        ("not contains", Op::NotContains),
        ("STARTSWITH", Op::StartsWith),
        ("NOT StartsWith", Op::NotStartsWith),
        ("ENDSWITH", Op::EndsWith),
        ("NOT ENDSWITH", Op::NotEndsWith),
        ("LIKE", Op::Like),
        ("NOT LIKE", Op::NotLike),
        ("IN", Op::In),
        ("not in", Op::NotIn),
    ];
    for (text, op) in cases {
        let q = format!("summary {text} \"x\"");
        assert_eq!(ok(&q), cmp("summary", *op, string("x")), "{q}");
    }
    assert_eq!(
        ok("eventDate IS NULL"),
        cmp("eventDate", Op::IsNull, Operand::Null)
    );
    assert_eq!(
        ok("eventDate is not null"),
        cmp("eventDate", Op::IsNotNull, Operand::Null)
    );
}

#[test]
fn whitespace_is_free() {
    assert_eq!(ok("id=5"), cmp("id", Op::Eq, number("5")));
    assert_eq!(ok("  id \t =\n 5  "), cmp("id", Op::Eq, number("5")));
    assert_eq!(ok("id>=5"), cmp("id", Op::Ge, number("5")));
    assert_eq!(ok("id!=-5"), cmp("id", Op::Ne, number("-5")));
    assert_eq!(ok("hasTag(name=\"a\")"), ok("hasTag ( name = \"a\" )"));
}

#[test]
fn and_binds_tighter_than_or() {
    let (a, b, c) = (
        cmp("a", Op::Eq, number("1")),
        cmp("b", Op::Eq, number("2")),
        cmp("c", Op::Eq, number("3")),
    );
    assert_eq!(
        ok("a = 1 OR b = 2 AND c = 3"),
        Expr::Or(vec![a.clone(), Expr::And(vec![b.clone(), c.clone()])])
    );
    assert_eq!(
        ok("a = 1 and b = 2 or c = 3"),
        Expr::Or(vec![Expr::And(vec![a.clone(), b.clone()]), c.clone()])
    );
    assert_eq!(
        ok("(a = 1 OR b = 2) AND c = 3"),
        Expr::And(vec![Expr::Or(vec![a.clone(), b.clone()]), c.clone()])
    );
    assert_eq!(
        ok("a = 1 AND b = 2 AND c = 3"),
        Expr::And(vec![a.clone(), b.clone(), c.clone()])
    );
    // Redundant parentheses leave no trace; meaningful ones keep the tree's shape.
    assert_eq!(ok("((a = 1))"), a);
    assert_eq!(
        ok("(a = 1 AND b = 2) AND c = 3"),
        Expr::And(vec![Expr::And(vec![a, b]), c])
    );
}

#[test]
fn values() {
    assert_eq!(ok("x = 'single'"), cmp("x", Op::Eq, string("single")));
    assert_eq!(ok("x = \"\""), cmp("x", Op::Eq, string("")));
    assert_eq!(ok("x = 3.25"), cmp("x", Op::Eq, number("3.25")));
    assert_eq!(ok("x = -0"), cmp("x", Op::Eq, number("-0")));
    assert_eq!(ok("x = 007"), cmp("x", Op::Eq, number("007")));
    assert_eq!(ok("isGroup = True"), cmp("isGroup", Op::Eq, boolean(true)));
    assert_eq!(
        ok("isGroup = FALSE"),
        cmp("isGroup", Op::Eq, boolean(false))
    );
    assert_eq!(
        ok("x = \"caf\u{e9} \u{1f600}\""),
        cmp("x", Op::Eq, string("caf\u{e9} \u{1f600}"))
    );
}

#[test]
fn escapes_in_both_quote_kinds() {
    assert_eq!(
        ok(r#"x = "a \"b\" c""#),
        cmp("x", Op::Eq, string("a \"b\" c"))
    );
    assert_eq!(ok(r"x = 'it\'s'"), cmp("x", Op::Eq, string("it's")));
    assert_eq!(
        ok(r#"x = "back\\slash""#),
        cmp("x", Op::Eq, string("back\\slash"))
    );
    assert_eq!(ok(r#"x = "tick\`""#), cmp("x", Op::Eq, string("tick`")));
    assert_eq!(ok(r#"x = "other\q""#), cmp("x", Op::Eq, string("otherq")));
    // The other quote kind needs no escape.
    assert_eq!(ok(r#"x = "it's""#), cmp("x", Op::Eq, string("it's")));
    assert_eq!(
        ok(r#"x = 'say "hi"'"#),
        cmp("x", Op::Eq, string("say \"hi\""))
    );
}

#[test]
fn lists() {
    assert_eq!(
        ok("id IN (1001,1002)"),
        cmp(
            "id",
            Op::In,
            list(&[
                Literal::Number("1001".into()),
                Literal::Number("1002".into())
            ])
        )
    );
    assert_eq!(
        ok("ownerName IN (\"A\", 'B')"),
        cmp(
            "ownerName",
            Op::In,
            list(&[Literal::String("A".into()), Literal::String("B".into())])
        )
    );
    assert_eq!(
        ok("tag NOT IN (\"x\")"),
        cmp("tag", Op::NotIn, list(&[Literal::String("x".into())]))
    );
    // A single value after IN, as in ThreatConnect's own examples.
    assert_eq!(
        ok("addressCIDR not in '10.0.0.0/8'"),
        cmp("addressCIDR", Op::NotIn, string("10.0.0.0/8"))
    );
}

#[test]
fn sub_queries() {
    assert_eq!(
        ok("hasTag(name = \"Phishing\")"),
        nested("hasTag", cmp("name", Op::Eq, string("Phishing")))
    );
    assert_eq!(
        ok("hasGroup(id = 1001 AND hasTag(summary CONTAINS 'x')) OR id = 2"),
        Expr::Or(vec![
            nested(
                "hasGroup",
                Expr::And(vec![
                    cmp("id", Op::Eq, number("1001")),
                    nested("hasTag", cmp("summary", Op::Contains, string("x"))),
                ])
            ),
            cmp("id", Op::Eq, number("2")),
        ])
    );
}

#[test]
fn what_tcex_sends() {
    for q in [
        "typeName = \"Incident\" and summary CONTAINS \"wave\" and ownerName = \"Example Org\"",
        "hasTag(name = \"Phishing\")",
        "dateAdded > \"2024-01-31 13:45:00\"",
        "id IN (1001,1002)",
        "ownerName IN (\"A\",\"B\")",
        "isGroup = True",
        "hasGroup(id = 1001)",
        "(id = 1 OR id = 2) AND typeName EQ \"Incident\"",
        "hasgroup(id = 12)",
        "tag CONTAINS (\"a\",\"b\")",
        "threatAssessLastUpdated>\"TODAY()\" and threatAssessScore>=500",
    ] {
        let e = ok(q);
        assert_eq!(parse(&e.to_string()), Ok(e), "{q}");
    }
}

#[test]
fn canonical_printing() {
    let cases = [
        ("id EQ 5", "id = 5"),
        (
            "summary not contains 'a\"b'",
            r#"summary NOT CONTAINS "a\"b""#,
        ),
        ("x==1 or y ne 2 and z geq 3", "x = 1 OR y != 2 AND z >= 3"),
        ("(x=1 or y=2) and z=3", "(x = 1 OR y = 2) AND z = 3"),
        ("x=1 or (y=2 or z=3)", "x = 1 OR (y = 2 OR z = 3)"),
        ("((x=1 and y=2)) and z=3", "(x = 1 AND y = 2) AND z = 3"),
        ("id in (1,2 , 3)", "id IN (1, 2, 3)"),
        ("b = TRUE", "b = true"),
        ("eventDate is  not NULL", "eventDate IS NOT NULL"),
        ("hasTag ( name = 'x\\\\y' )", r#"hasTag(name = "x\\y")"#),
        (
            "DATEADDED < \"NOW() - 7 DAYS\"",
            "DATEADDED < \"NOW() - 7 DAYS\"",
        ),
    ];
    for (input, want) in cases {
        let e = ok(input);
        assert_eq!(e.to_string(), want, "{input}");
        assert_eq!(ok(want), e, "{want}");
    }
}

#[test]
fn keywords_may_look_like_operator_words() {
    assert_eq!(ok("in = 1"), cmp("in", Op::Eq, number("1")));
    assert_eq!(
        ok("not IN (1)"),
        cmp("not", Op::In, list(&[Literal::Number("1".into())]))
    );
    assert_eq!(ok("EQ EQ 1"), cmp("EQ", Op::Eq, number("1")));
}
