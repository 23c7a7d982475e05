//! The checker and the keyword tables.

use super::*;
use crate::tql::keywords::distance;

fn typed(input: &str, table: &'static Table) -> TypedExpr {
    match analyze(input, table) {
        Ok(t) => t,
        Err(e) => panic!("{input:?} should check: {e}"),
    }
}

fn refused(input: &str, table: &'static Table, column: usize, message: &str) {
    let e = analyze(input, table).expect_err(input);
    assert_eq!(e.message, message, "{input:?}");
    assert_eq!(e.column, column, "{input:?}");
}

fn one(input: &str, table: &'static Table) -> TypedCmp {
    match typed(input, table) {
        TypedExpr::Cmp(c) => c,
        other => panic!("{input:?}: not one comparison: {other:?}"),
    }
}

#[test]
fn unknown_keywords_get_a_suggestion() {
    refused(
        "nmae = 'x'",
        &TAGS,
        1,
        "unknown keyword 'nmae' at column 1: did you mean 'name'?",
    );
    refused(
        "sumary = 'x'",
        &GROUPS,
        1,
        "unknown keyword 'sumary' at column 1: did you mean 'summary'?",
    );
    refused(
        "id = 1 AND DateAded > 'NOW()'",
        &GROUPS,
        12,
        "unknown keyword 'DateAded' at column 12: did you mean 'dateAdded'?",
    );
    refused(
        "colour = 'red'",
        &GROUPS,
        1,
        "unknown keyword 'colour' at column 1: OPTIONS /v3/groups/tql lists the keywords",
    );
    refused(
        "hasTog(name = 'x')",
        &GROUPS,
        1,
        "unknown sub-query 'hasTog' at column 1: did you mean 'hasTag'?",
    );
    refused(
        "hasTag(dateAdded > 'NOW()')",
        &GROUPS,
        8,
        "unknown keyword 'dateAdded' at column 8: OPTIONS /v3/tags/tql lists the keywords",
    );
}

#[test]
fn unsupported_and_misused_keywords() {
    refused(
        "attackTag = 'x'",
        &GROUPS,
        1,
        "keyword 'attackTag' at column 1 is not supported by this server on /v3/groups",
    );
    refused(
        "hasArtifact(id = 1)",
        &GROUPS,
        1,
        "keyword 'hasArtifact' at column 1 is not supported by this server on /v3/groups",
    );
    refused(
        "hasTag = 1",
        &GROUPS,
        1,
        "'hasTag' at column 1 is a sub-query: write hasTag(<condition>)",
    );
    refused(
        "SUMMARY(id = 1)",
        &GROUPS,
        1,
        "'summary' at column 1 is a keyword, not a sub-query: compare it, e.g. summary = <value>",
    );
}

#[test]
fn operators_must_fit_the_type() {
    refused(
        "dateAdded CONTAINS \"x\"",
        &GROUPS,
        11,
        "operator CONTAINS does not apply to dateAdded (a date) at column 11: use =, !=, >, >=, <, <=",
    );
    refused(
        "isGroup > true",
        &GROUPS,
        9,
        "operator > does not apply to isGroup (a boolean) at column 9: use =, !=",
    );
    refused(
        "id IS NULL",
        &GROUPS,
        4,
        "operator IS NULL does not apply to id (an integer) at column 4: use =, !=, >, >=, <, <=, IN, NOT IN",
    );
    refused(
        "status LIKE 'N%'",
        &GROUPS,
        8,
        "operator LIKE does not apply to status (one of a fixed set of names) at column 8: use =, !=, IN, NOT IN, IS NULL, IS NOT NULL",
    );
    refused(
        "id = (1, 2)",
        &GROUPS,
        4,
        "operator = at column 4 takes one value, not a list: use IN for a list",
    );
    refused(
        "dateAdded > ('2024-01-01')",
        &GROUPS,
        11,
        "operator > at column 11 takes one value, not a list: use IN for a list",
    );
}

#[test]
fn values_must_fit_the_type() {
    refused(
        "id = \"abc\"",
        &GROUPS,
        6,
        "id takes an integer (unquoted), not the string \"abc\", at column 6",
    );
    refused(
        "id = 1.5",
        &GROUPS,
        6,
        "id takes a whole number, not the number 1.5, at column 6",
    );
    refused(
        "id IN (1, true)",
        &GROUPS,
        11,
        "id takes an integer (unquoted), not true, at column 11",
    );
    refused(
        "id = 99999999999999999999",
        &GROUPS,
        6,
        "the number 99999999999999999999 at column 6 is out of range for id",
    );
    refused(
        "summary = 5",
        &GROUPS,
        11,
        "summary takes a string in quotes, not the number 5, at column 11",
    );
    refused(
        "isGroup = 'true'",
        &GROUPS,
        11,
        "isGroup takes true or false, not the string \"true\", at column 11",
    );
    refused(
        "dateAdded > 5",
        &GROUPS,
        13,
        "dateAdded takes a date in quotes, not the number 5, at column 13",
    );
    refused(
        "dateAdded > 'yesterday'",
        &GROUPS,
        13,
        "the string \"yesterday\" at column 13 is not a date: use \"2024-01-31\", \"2024-01-31 13:45:00\", \"2024-01-31T13:45:00Z\", \"NOW() - 7 DAYS\" or \"TODAY()\"",
    );
    refused(
        "typeName = 'Foo'",
        &GROUPS,
        12,
        "the string \"Foo\" at column 12 is not a typeName: use one of Adversary, Attack Pattern, Campaign, Course of Action, Document, Email, Event, Incident, Intrusion Set, Malware, Report, Signature, Tactic, Task, Threat, Tool, Vulnerability",
    );
    refused(
        "typeName = 3",
        &GROUPS,
        12,
        "typeName takes a name in quotes, not the number 3, at column 12",
    );
}

#[test]
fn values_are_typed() {
    let c = one("ID in (1001, -2)", &GROUPS);
    assert_eq!(c.keyword.name, "id");
    assert_eq!(c.keyword.field, Field::Id);
    assert_eq!(c.op, Op::In);
    assert_eq!(
        c.values,
        vec![TypedValue::Integer(1001), TypedValue::Integer(-2)]
    );
    let c = one("typeName = ' incident '", &GROUPS);
    assert_eq!(c.values, vec![TypedValue::Choice("Incident")]);
    let c = one("status in ('open', 'CONTAINMENT achieved')", &GROUPS);
    assert_eq!(
        c.values,
        vec![
            TypedValue::Choice("Open"),
            TypedValue::Choice("Containment Achieved")
        ]
    );
    let c = one("isGroup = True", &GROUPS);
    assert_eq!(c.values, vec![TypedValue::Bool(true)]);
    let c = one("summary LIKE 'APT%_x'", &GROUPS);
    assert_eq!(c.values, vec![TypedValue::Text("APT%_x".into())]);
    let c = one("eventDate IS NOT NULL", &GROUPS);
    assert!(c.values.is_empty());
    let c = one("tag NOT IN 'a'", &GROUPS);
    assert_eq!((c.op, c.values.len()), (Op::NotIn, 1));
    assert!(c.keyword.multi && c.keyword.nullable);
    let c = one("tag CONTAINS ('a', 'b')", &GROUPS);
    assert_eq!(c.values.len(), 2);
    let c = one("dateAdded > '2024-01-31 13:45:00'", &GROUPS);
    let want = threatdb_core::parse_timestamp("2024-01-31T13:45:00Z").unwrap();
    assert_eq!(c.values, vec![TypedValue::Date(DateValue::Absolute(want))]);
    let c = one("lastModified >= 'now() - 7 days'", &GROUPS);
    assert!(matches!(
        c.values.as_slice(),
        [TypedValue::Date(DateValue::Relative(_))]
    ));
}

#[test]
fn sub_queries_switch_tables() {
    let t = typed(
        "hasTag(name = 'Phishing') AND hasAttribute(hasSecurityLabel(name = 'TLP:RED'))",
        &GROUPS,
    );
    let TypedExpr::And(parts) = t else {
        panic!("and")
    };
    let TypedExpr::Has { sub, inner, .. } = &parts[0] else {
        panic!("has")
    };
    assert_eq!(
        (sub.name, sub.related, sub.table.kind),
        ("hasTag", Related::Tags, TableKind::Tags)
    );
    let TypedExpr::Cmp(c) = inner.as_ref() else {
        panic!("cmp")
    };
    assert!(c.keyword.exact_case);
    let TypedExpr::Has { sub, inner, .. } = &parts[1] else {
        panic!("has")
    };
    assert_eq!(sub.table.kind, TableKind::GroupAttributes);
    assert!(
        matches!(inner.as_ref(), TypedExpr::Has { sub, .. } if sub.table.kind == TableKind::SecurityLabels)
    );
    let t = typed("hasAttribute(typeName = 'Source')", &INDICATORS);
    assert!(
        matches!(t, TypedExpr::Has { sub, .. } if sub.table.kind == TableKind::IndicatorAttributes)
    );
    // What tcex sends to list a group's tags and an indicator's labels.
    typed("hasGroup(id = 12)", &TAGS);
    typed("hasIndicator(summary = \"1.2.3.4\")", &SECURITY_LABELS);
    typed(
        "hasGroup(id = 1001) OR hasIndicator(hasGroup(typeName = 'Incident'))",
        &GROUPS,
    );
}

#[test]
fn what_tcex_sends_checks() {
    for q in [
        "typeName = \"Incident\" and summary CONTAINS \"wave\" and ownerName = \"Example Org\"",
        "hasTag(name = \"Phishing\")",
        "dateAdded > \"2024-01-31 13:45:00\"",
        "id IN (1001,1002)",
        "ownerName IN (\"A\",\"B\")",
        "isGroup = True",
        "hasGroup(id = 1001)",
        "(id = 1 OR id = 2) AND typeName EQ \"Incident\"",
        "tag = \"x\" and securityLabel != \"TLP:RED\" and eventDate <= \"TODAY()\"",
        "xid = \"ext-12\" or status = \"New\" or owner = 3 or type = 4 or lastModified > \"2024-01-31\"",
        "associatedIndicator = 7 AND hasIndicator(typeName = 'Host' AND value1 = 'bad.example')",
    ] {
        typed(q, &GROUPS);
    }
    for q in [
        "typeName in (\"Address\", \"Host\") and (rating = 3 and summary NE 'bad.com')",
        "confidence < 20 or indicatorActive = false or firstSeen > 'NOW() - 30 DAYS'",
        "associatedGroup = 12 and hasGroup(hasTag(summary = 'apt'))",
    ] {
        typed(q, &INDICATORS);
    }
}

#[test]
fn the_tables_are_consistent() {
    let tables: [&'static Table; 6] = [
        &GROUPS,
        &INDICATORS,
        &TAGS,
        &SECURITY_LABELS,
        &GROUP_ATTRIBUTES,
        &INDICATOR_ATTRIBUTES,
    ];
    for t in tables {
        let mut names: Vec<String> = t
            .keywords
            .iter()
            .map(|k| k.name.to_ascii_lowercase())
            .collect();
        names.extend(t.subqueries.iter().map(|s| s.name.to_ascii_lowercase()));
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "{:?}: a name twice", t.kind);
        for u in t.unsupported {
            assert!(
                !names.contains(&u.to_ascii_lowercase()),
                "{:?}: {u} both served and unsupported",
                t.kind
            );
        }
        for k in t.keywords {
            assert!(
                !k.label.is_empty() && !k.description.is_empty(),
                "{}",
                k.name
            );
            assert!(!k.operators().is_empty(), "{}", k.name);
            assert_eq!(t.keyword(&k.name.to_ascii_uppercase()), Some(k));
            if let ValueType::Enum(set) = k.ty {
                assert!(!set.is_empty());
            }
        }
        for s in t.subqueries {
            assert!(!s.table.keywords.is_empty());
            assert_eq!(t.subquery(s.name).map(|x| x.name), Some(s.name));
        }
        assert!(t.keyword("id").is_some(), "{:?} has id", t.kind);
        for (wrong, meant) in t.hints {
            assert!(
                !names.contains(&wrong.to_ascii_lowercase()),
                "{:?}: hint {wrong} is a keyword",
                t.kind
            );
            assert!(
                t.keyword(meant).is_some() || t.subquery(meant).is_some(),
                "{:?}: hint to {meant}",
                t.kind
            );
        }
    }
    assert_eq!(GROUPS.keywords.len() + GROUPS.subqueries.len(), 20);
    assert_eq!(INDICATORS.keywords.len() + INDICATORS.subqueries.len(), 23);
}

#[test]
fn edit_distance() {
    assert_eq!(distance("nmae", "name", 3), Some(1));
    assert_eq!(distance("abc", "abc", 0), Some(0));
    assert_eq!(distance("kitten", "sitting", 3), Some(3));
    assert_eq!(distance("kitten", "sitting", 2), None);
    assert_eq!(distance("", "abc", 3), Some(3));
    assert_eq!(distance("a", "abcdef", 3), None);
    assert_eq!(GROUPS.suggest("TAGS"), Some("tag"));
    assert_eq!(GROUPS.suggest("zzzzzzzz"), None);
}
