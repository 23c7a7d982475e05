//! Date values: absolute forms, relative forms and their evaluation.

use super::*;
use threatdb_core::{Timestamp, format_timestamp, parse_timestamp};

fn at(text: &str) -> Timestamp {
    parse_timestamp(text).unwrap()
}

fn eval(text: &str, now: &str) -> String {
    let v = DateValue::parse(text).unwrap_or_else(|| panic!("{text:?} is a date"));
    format_timestamp(v.at(at(now)).unwrap())
}

#[test]
fn relative_forms() {
    let now = "2024-03-31T13:45:10Z";
    let cases = [
        ("NOW()", "2024-03-31T13:45:10Z"),
        ("now ( )", "2024-03-31T13:45:10Z"),
        ("TODAY()", "2024-03-31T00:00:00Z"),
        ("NOW() - 7 DAYS", "2024-03-24T13:45:10Z"),
        ("now()-1day", "2024-03-30T13:45:10Z"),
        ("Today() + 1 Day", "2024-04-01T00:00:00Z"),
        ("NOW() - 90 SECONDS", "2024-03-31T13:43:40Z"),
        ("NOW() - 30 minutes", "2024-03-31T13:15:10Z"),
        ("NOW() + 2 HOURS", "2024-03-31T15:45:10Z"),
        ("NOW() - 2 WEEKS", "2024-03-17T13:45:10Z"),
        ("NOW() - 1 MONTH", "2024-02-29T13:45:10Z"),
        ("TODAY() - 13 MONTHS", "2023-02-28T00:00:00Z"),
        ("NOW() + 1 YEAR", "2025-03-31T13:45:10Z"),
        ("TODAY() - 0 YEARS", "2024-03-31T00:00:00Z"),
    ];
    for (text, want) in cases {
        assert_eq!(eval(text, now), want, "{text}");
    }
}

#[test]
fn absolute_forms() {
    let now = "2000-01-01T00:00:00Z";
    for (text, want) in [
        ("2024-01-31", "2024-01-31T00:00:00Z"),
        ("2024-01-31 13:45:00", "2024-01-31T13:45:00Z"),
        ("2024-01-31T13:45:00Z", "2024-01-31T13:45:00Z"),
        ("2024-01-31T13:45:00-04:00", "2024-01-31T17:45:00Z"),
        ("2024-01-31T13:45:00.123+00:00", "2024-01-31T13:45:00Z"),
    ] {
        assert_eq!(eval(text, now), want, "{text}");
    }
}

#[test]
fn not_dates() {
    for text in [
        "",
        "yesterday",
        "NOW",
        "NOW(",
        "NOW() -",
        "NOW() - DAYS",
        "NOW() - 7",
        "NOW() - 7 FORTNIGHTS",
        "NOW() * 7 DAYS",
        "NOW() - 1234567 DAYS",
        "NOW() - -7 DAYS",
        "TOMORROW()",
        "2024-13-01",
    ] {
        assert_eq!(DateValue::parse(text), None, "{text:?}");
    }
}

#[test]
fn out_of_range_is_an_error_not_a_panic() {
    let v = DateValue::parse("NOW() + 999999 YEARS").unwrap();
    let e = v.at(at("2024-01-01T00:00:00Z")).unwrap_err();
    assert!(e.0.contains("out of range"), "{}", e.0);
    let v = DateValue::parse("NOW() - 999999 WEEKS").unwrap();
    assert!(v.at(at("2024-01-01T00:00:00Z")).is_err());
    let v = DateValue::parse("TODAY() - 999999 MONTHS").unwrap();
    assert!(v.at(at("2024-01-01T00:00:00Z")).is_err());
}

#[test]
fn relative_dates_print_canonically() {
    for (text, want) in [
        ("now()-7days", "NOW() - 7 DAYS"),
        ("TODAY()", "TODAY()"),
        ("today() + 1 month", "TODAY() + 1 MONTHS"),
    ] {
        let Some(DateValue::Relative(r)) = DateValue::parse(text) else {
            panic!("{text}")
        };
        assert_eq!(r.to_string(), want);
        assert_eq!(RelativeDate::parse(want), Some(r));
    }
    let d = DateValue::parse("2024-01-31").unwrap();
    assert_eq!(d.to_string(), "2024-01-31T00:00:00Z");
}
