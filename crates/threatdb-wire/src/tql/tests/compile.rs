//! TQL to the incident filter tree: what each served form becomes, and the column of what is not
//! served yet.

use super::super::{GROUPS, analyze, incident_filter};
use threatdb_core::date::{from_unix, parse_timestamp};
use threatdb_core::{AttributeCond, AttributeText, Cmp, Cond, Filter, IncidentStatus, TextMatch};

fn compile(q: &str) -> Result<Filter, (usize, String)> {
    let typed = analyze(q, &GROUPS).map_err(|e| (e.column, e.message))?;
    incident_filter(&typed, from_unix(1_700_000_000)).map_err(|e| (e.column, e.message))
}

fn ok(q: &str) -> Filter {
    compile(q).unwrap_or_else(|e| panic!("{q}: {e:?}"))
}

fn c(cond: Cond) -> Filter {
    Filter::Cond(cond)
}

fn not(f: Filter) -> Filter {
    Filter::Not(Box::new(f))
}

#[test]
fn the_forms_tcex_sends_compile_to_the_v2_conditions() {
    let q = r#"typeName = "Incident" AND summary CONTAINS "wave" AND hasTag(name = "Phishing")"#;
    assert_eq!(
        ok(q),
        Filter::And(vec![
            Filter::all(),
            c(Cond::Name(TextMatch::Contains, "wave".into())),
            c(Cond::Tag("Phishing".into())),
        ])
    );
    let at = parse_timestamp("2024-01-31T13:45:00Z").unwrap();
    assert_eq!(
        ok(r#"dateAdded > "2024-01-31 13:45:00""#),
        c(Cond::DateAdded(Cmp::Gt, at))
    );
    assert_eq!(
        ok(r#"eventDate <= "2024-01-31 13:45:00""#),
        not(c(Cond::EventDate(Cmp::Gt, at)))
    );
    assert_eq!(
        ok(r#"eventDate = "2024-01-31 13:45:00""#),
        Filter::And(vec![
            not(c(Cond::EventDate(Cmp::Lt, at))),
            not(c(Cond::EventDate(Cmp::Gt, at)))
        ])
    );
    assert_eq!(
        ok(r#"status IN ("open", "Closed")"#),
        Filter::Or(vec![
            c(Cond::Status(IncidentStatus::Open)),
            c(Cond::Status(IncidentStatus::Closed))
        ])
    );
    assert_eq!(
        ok(r#"tag NOT IN ("a", "b")"#),
        not(Filter::Or(vec![
            c(Cond::Tag("a".into())),
            c(Cond::Tag("b".into()))
        ]))
    );
    assert_eq!(
        ok(r#"securityLabel = "TLP:RED" OR hasSecurityLabel(name = "TLP:AMBER")"#),
        Filter::Or(vec![
            c(Cond::Label("TLP:RED".into())),
            c(Cond::Label("TLP:AMBER".into()))
        ])
    );
    assert_eq!(
        ok(r#"summary NOT CONTAINS "test""#),
        not(c(Cond::Name(TextMatch::Contains, "test".into())))
    );
}

#[test]
fn other_types_and_impossible_tests_match_nothing() {
    let nothing = Filter::Or(Vec::new());
    assert_eq!(ok(r#"typeName = "Adversary""#), nothing);
    assert_eq!(ok(r#"typeName != "Incident""#), not(Filter::all()));
    assert_eq!(ok(r#"typeName NOT IN ("Adversary")"#), not(nothing.clone()));
    assert_eq!(ok("isGroup = true"), Filter::all());
    assert_eq!(ok("isGroup = false"), nothing);
    assert_eq!(ok("eventDate IS NULL"), Filter::Or(Vec::new()));
    assert_eq!(ok("status IS NOT NULL"), not(Filter::Or(Vec::new())));
}

#[test]
fn relative_dates_are_taken_from_now() {
    let week_ago = from_unix(1_700_000_000 - 7 * 86_400);
    assert_eq!(
        ok(r#"dateAdded > "NOW() - 7 DAYS""#),
        c(Cond::DateAdded(Cmp::Gt, week_ago))
    );
}

#[test]
fn what_is_not_served_yet_is_refused_at_its_column() {
    for (q, column, says) in [
        (r#"summary LIKE "x%""#, 1, "summary LIKE at column 1"),
        (
            r#"typeName = "Incident" AND xid CONTAINS "a""#,
            27,
            "xid CONTAINS at column 27",
        ),
        (
            r#"hasAttribute(source = "x")"#,
            14,
            "source = inside hasAttribute(...)",
        ),
        (
            r#"hasAttribute(text = "x" AND text = "y")"#,
            29,
            "text = inside hasAttribute(...) a second time",
        ),
        (
            r#"hasAttribute(text NOT CONTAINS "x")"#,
            14,
            "text NOT CONTAINS inside hasAttribute(...)",
        ),
        (
            r#"hasTag(name STARTSWITH "x")"#,
            8,
            "name STARTSWITH inside hasTag(...)",
        ),
        (r#"ownerName = "Example Org""#, 1, "ownerName = at column 1"),
    ] {
        let (col, message) = compile(q).expect_err(q);
        assert_eq!(col, column, "{q}: {message}");
        assert!(message.contains(says), "{q}: {message}");
        assert!(message.contains("not served yet"), "{q}: {message}");
    }
}

#[test]
fn ids_external_ids_and_last_modified_compile_to_their_conditions() {
    assert_eq!(ok("id = 5"), c(Cond::Id(5)));
    assert_eq!(
        ok("id IN (5, 7)"),
        Filter::Or(vec![c(Cond::Id(5)), c(Cond::Id(7))])
    );
    assert_eq!(ok("id != 5"), not(c(Cond::Id(5))));
    assert_eq!(ok("id > 5"), c(Cond::IdRange(Cmp::Gt, 5)));
    assert_eq!(ok("id <= 5"), not(c(Cond::IdRange(Cmp::Gt, 5))));
    assert_eq!(ok("id >= 5"), not(c(Cond::IdRange(Cmp::Lt, 5))));
    assert_eq!(ok(r#"xid = "feed-1""#), c(Cond::Xid("feed-1".into())));
    assert_eq!(ok(r#"xid NOT IN ("a")"#), not(c(Cond::Xid("a".into()))));
    let at = parse_timestamp("2024-01-31T13:45:00Z").unwrap();
    assert_eq!(
        ok(r#"lastModified < "2024-01-31 13:45:00""#),
        c(Cond::LastModified(Cmp::Lt, at))
    );
}

#[test]
fn summary_comparisons_fold_ascii_case() {
    let name = |m: TextMatch, v: &str| c(Cond::Name(m, v.into()));
    assert_eq!(
        ok(r#"summary = "Wave""#),
        name(TextMatch::EqualsFolded, "Wave")
    );
    assert_eq!(
        ok(r#"summary NOT IN ("a", "b")"#),
        not(Filter::Or(vec![
            name(TextMatch::EqualsFolded, "a"),
            name(TextMatch::EqualsFolded, "b")
        ]))
    );
    assert_eq!(
        ok(r#"summary STARTSWITH "Op""#),
        name(TextMatch::StartsWithFolded, "Op")
    );
    assert_eq!(
        ok(r#"summary NOT ENDSWITH "wave""#),
        not(Filter::And(vec![
            name(TextMatch::Contains, "wave"),
            name(TextMatch::EndsWithFolded, "wave")
        ]))
    );
}

fn attribute(type_name: Option<&str>, text: Option<AttributeText>) -> Filter {
    c(Cond::Attribute(AttributeCond {
        type_name: type_name.map(str::to_owned),
        text,
    }))
}

#[test]
fn has_attribute_names_the_type_by_its_canonical_name_and_matches_the_value() {
    assert_eq!(
        ok(r#"hasAttribute(typeName = "source" AND text = "OSINT")"#),
        attribute(Some("Source"), Some(AttributeText::Is("OSINT".into())))
    );
    assert_eq!(
        ok(r#"hasAttribute(type = 1)"#),
        attribute(Some("Description"), None)
    );
    assert_eq!(
        ok(r#"hasAttribute(text CONTAINS "wave")"#),
        attribute(None, Some(AttributeText::Contains("wave".into())))
    );
    assert_eq!(
        ok(r#"hasAttribute(typeName IN ("Source", "Title") AND text = "x")"#),
        Filter::Or(vec![
            attribute(Some("Source"), Some(AttributeText::Is("x".into()))),
            attribute(Some("Title"), Some(AttributeText::Is("x".into()))),
        ])
    );
    assert_eq!(
        ok(r#"hasAttribute(typeName = "Source" OR text = "x")"#),
        Filter::Or(vec![
            attribute(Some("Source"), None),
            attribute(None, Some(AttributeText::Is("x".into()))),
        ])
    );
    let (column, message) = compile(r#"hasAttribute(typeName = "Colour")"#).unwrap_err();
    assert_eq!(column, 14);
    assert!(
        message.contains("no attribute type Colour at column 14"),
        "{message}"
    );
    let (column, message) = compile("hasAttribute(type = 99)").unwrap_err();
    assert_eq!(column, 14);
    assert!(message.contains("no attribute type 99"), "{message}");
}
