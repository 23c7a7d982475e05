//! Every syntax error and limit, with its message and column.

use super::*;

/// `input` fails at `column` with a message starting with `start` and mentioning the column.
fn fails(input: &str, column: usize, start: &str) {
    let e = err(input);
    assert_eq!(e.column, column, "{input:?}: {}", e.message);
    assert!(
        e.message.starts_with(start),
        "{input:?}: {:?} should start with {start:?}",
        e.message
    );
    assert!(
        e.message.contains(&format!("column {column}")),
        "{input:?}: {:?} should name column {column}",
        e.message
    );
    assert_eq!(e.to_string(), e.message);
}

#[test]
fn missing_values() {
    fails(
        "ownerName EQ ",
        14,
        "expected a value after EQ at column 14",
    );
    fails(
        "id =",
        5,
        "expected a value after = at column 5, found the end of the query",
    );
    fails(
        "x = foo",
        5,
        "expected a value after = at column 5, found 'foo': quote strings",
    );
    fails(
        "x NOT IN )",
        10,
        "expected a value after NOT IN at column 10, found ')'",
    );
    fails(
        "x IN ()",
        7,
        "expected a value in the list at column 7, found ')'",
    );
    fails(
        "x IN (1 2)",
        9,
        "expected ',' or ')' in the list at column 9, found the number 2",
    );
    fails("x IN (1,", 9, "expected a value in the list at column 9");
    fails(
        "x IN (1",
        8,
        "expected ',' or ')' in the list at column 8, found the end",
    );
}

#[test]
fn missing_operators() {
    fails(
        "summary \"x\"",
        9,
        "expected an operator after 'summary' at column 9, found the string \"x\"",
    );
    fails(
        "summary foo \"x\"",
        9,
        "expected an operator after 'summary' at column 9, found 'foo'",
    );
    fails(
        "summary",
        8,
        "expected an operator after 'summary' at column 8, found the end",
    );
    fails(
        "x NOT = 1",
        7,
        "expected CONTAINS, STARTSWITH, ENDSWITH, LIKE or IN after NOT at column 7",
    );
    fails(
        "x NOT NOT IN (1)",
        7,
        "expected CONTAINS, STARTSWITH, ENDSWITH, LIKE or IN after NOT",
    );
    fails(
        "x IS 5",
        6,
        "expected NULL or NOT NULL after IS at column 6, found the number 5",
    );
    fails("x IS NOT 5", 10, "expected NULL after IS NOT at column 10");
}

#[test]
fn missing_conditions() {
    fails("", 1, "the query is empty at column 1");
    fails("   ", 1, "the query is empty at column 1");
    fails(
        "x = 1 AND",
        10,
        "expected a condition (a keyword, a sub-query or '(') at column 10, found the end",
    );
    fails(
        "AND x = 1",
        1,
        "expected a condition (a keyword, a sub-query or '(') at column 1, found 'AND'",
    );
    fails("x = 1 AND OR y = 2", 11, "expected a condition");
    fails("x = 1 or or y = 2", 10, "expected a condition");
    fails(
        "hasTag()",
        8,
        "expected a condition (a keyword, a sub-query or '(') at column 8, found ')'",
    );
    fails("()", 2, "expected a condition");
    fails("= 1", 1, "expected a condition");
    fails("\"x\" = 1", 1, "expected a condition");
}

#[test]
fn parentheses() {
    fails(
        "(x = 1",
        7,
        "expected ')' at column 7 to close the '(' at column 1, found the end",
    );
    fails(
        "hasTag(x = 1 y",
        14,
        "expected ')' at column 14 to close the '(' at column 7, found 'y'",
    );
    fails("x = 1)", 6, "unmatched ')' at column 6");
    fails(
        "x = 1 y = 2",
        7,
        "expected AND, OR or the end of the query at column 7, found 'y'",
    );
    fails(
        "x = 1 (y = 2)",
        7,
        "expected AND, OR or the end of the query at column 7, found '('",
    );
}

#[test]
fn lexical() {
    fails("x = \"abc", 5, "unterminated string starting at column 5");
    fails("x = 'abc\\'", 5, "unterminated string starting at column 5");
    fails(
        "x = \"abc\\",
        5,
        "unterminated string starting at column 5: it ends in a lone backslash",
    );
    fails("x = 1 # 2", 7, "unexpected character '#' at column 7");
    fails(
        "x ! 1",
        3,
        "unexpected character '!' at column 3: did you mean '!='?",
    );
    fails("x = -", 5, "unexpected character '-' at column 5");
    fails("x = - 5", 5, "unexpected character '-' at column 5");
    fails("x = 1.", 5, "invalid number '1.' at column 5");
    fails("x = 1.2.3", 8, "unexpected character '.' at column 8");
    fails("x = `a`", 5, "unexpected character '`' at column 5");
    // Columns count characters, not bytes.
    fails(
        "x = \"\u{e9}\u{e9}\" #",
        10,
        "unexpected character '#' at column 10",
    );
    fails("\u{e9} = 1", 1, "unexpected character '\u{e9}' at column 1");
}

#[test]
fn the_length_limit() {
    let at_limit = format!("x = \"{}\"", "a".repeat(4_096 - 6));
    assert_eq!(at_limit.len(), 4_096);
    ok(&at_limit);
    let over = format!("x = \"{}\"", "a".repeat(4_096 - 5));
    fails(
        &over,
        4_097,
        "the query is too long at column 4097: at most 4096 bytes are allowed, it has 4097",
    );
    // Multi-byte characters: the column counts characters up to the limit.
    let wide = "\u{e9}".repeat(3_000);
    fails(&wide, 2_049, "the query is too long at column 2049");
}

#[test]
fn the_depth_limit() {
    let deep = |n: usize| format!("{}x = 1{}", "(".repeat(n), ")".repeat(n));
    ok(&deep(16));
    fails(
        &deep(17),
        17,
        "the query nests too deeply at column 17: at most 16 levels",
    );
    let subs = |n: usize| format!("{}x = 1{}", "hasGroup(".repeat(n), ")".repeat(n));
    ok(&subs(16));
    fails(&subs(17), 153, "the query nests too deeply at column 153");
    // Mixed: grouping and sub-queries count together.
    let mixed = format!(
        "{}{}x = 1{}",
        "(".repeat(8),
        "hasTag(".repeat(9),
        ")".repeat(17)
    );
    fails(&mixed, 71, "the query nests too deeply at column 71");
}

#[test]
fn a_hundred_thousand_parentheses_are_an_error_not_a_crash() {
    let open = "(".repeat(100_000);
    fails(&open, 4_097, "the query is too long");
    let balanced = format!("{}x = 1{}", "(".repeat(100_000), ")".repeat(100_000));
    fails(&balanced, 4_097, "the query is too long");
    // Without the length limit the depth limit stops it, at the 17th parenthesis.
    let unbounded = Limits {
        max_bytes: usize::MAX,
        ..Limits::default()
    };
    for input in [&open, &balanced] {
        let e = parse_with(input, &unbounded).unwrap_err();
        assert_eq!(e.column, 17, "{}", e.message);
        assert!(
            e.message
                .starts_with("the query nests too deeply at column 17")
        );
    }
    let subs = "hasTag(".repeat(100_000);
    let e = parse_with(&subs, &unbounded).unwrap_err();
    assert_eq!(e.column, 7 * 16 + 7, "{}", e.message);
}

#[test]
fn the_term_limit() {
    let terms = |n: usize| vec!["x = 1"; n].join(" AND ");
    ok(&terms(64));
    // The 65th comparison starts at column 64 * 10 + 1.
    fails(
        &terms(65),
        641,
        "too many comparisons at column 641: a query may have at most 64",
    );
    // Sub-queries' comparisons count too.
    let inside = format!("hasTag({})", terms(65));
    fails(&inside, 648, "too many comparisons at column 648");
    // Custom limits.
    let tight = Limits {
        max_terms: 2,
        ..Limits::default()
    };
    assert!(parse_with(&terms(2), &tight).is_ok());
    assert_eq!(parse_with(&terms(3), &tight).unwrap_err().column, 21);
}
